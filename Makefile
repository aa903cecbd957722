# Treff. `make run` sets up and starts the server; `make test` runs every test.
.PHONY: run deps deps-test web build build-asan check test unit fuzz-smoke e2e bench clean

JOBS      ?= 2
RELEASE   := build/release
ASAN      := build/asan
FUZZ_SECONDS ?= 15
CMAKE_GEN := -G Ninja

run: build
	./$(RELEASE)/treff $(ARGS)

deps:
	tools/install-deps.sh build

deps-test:
	tools/install-deps.sh test

web: deps
	npm run --silent typecheck
	npm run --silent build

# Release build (g++): the server, the benchmarks; the browser tests use it.
build: web
	cmake -S . -B $(RELEASE) $(CMAKE_GEN) -DCMAKE_BUILD_TYPE=Release -DTREFF_BUILD_TESTS=OFF \
	  -DTREFF_BUILD_BENCH=$(if $(BENCH),ON,OFF) >/dev/null
	cmake --build $(RELEASE) -j$(JOBS)

# Sanitizer build (clang, ASan+UBSan): the unit tests and the fuzz targets.
build-asan: web
	cmake -S . -B $(ASAN) $(CMAKE_GEN) -DCMAKE_BUILD_TYPE=Debug -DCMAKE_C_COMPILER=clang \
	  -DCMAKE_CXX_COMPILER=clang++ -DTREFF_SANITIZE=ON -DTREFF_WERROR=ON >/dev/null
	cmake --build $(ASAN) -j$(JOBS)

# Quick check while working: build and the unit tests under the sanitizers.
check: build-asan unit

unit:
	cd $(ASAN) && ctest --output-on-failure -j$(JOBS) -L unit

fuzz-smoke:
	tools/fuzz-smoke.sh $(ASAN) $(FUZZ_SECONDS)

e2e:
	TREFF_BIN=$(CURDIR)/$(RELEASE)/treff bash tests/e2e/run.sh

test: deps-test
	$(MAKE) build build-asan
	$(MAKE) unit
	$(MAKE) fuzz-smoke
	$(MAKE) e2e

bench: deps-test
	$(MAKE) build BENCH=1
	@for b in $(RELEASE)/*_bench; do echo "== $$b"; $$b --benchmark_min_time=0.2; done

clean:
	rm -rf build web/dist
