# The built web app (web/dist, made by `make web` / `npm run build`) compiled into the binary.
# Defines the static library treff_web_assets, which implements src/signaling/web_assets.hpp.
#
# tools/embed_assets.cpp (built here for the host) writes one generated source with every file
# under web/dist; it is regenerated when a file there changes, is added or removed.

include_guard(GLOBAL)

# The repository root, found from this file so that any project can include it.
get_filename_component(TREFF_ROOT_DIR "${CMAKE_CURRENT_LIST_DIR}/.." ABSOLUTE)

set(TREFF_WEB_DIST "${TREFF_ROOT_DIR}/web/dist" CACHE PATH
    "Built web app to embed (the output of `npm run build`)")

if(NOT EXISTS "${TREFF_WEB_DIST}/index.html")
  message(FATAL_ERROR
    "The built web app is missing: ${TREFF_WEB_DIST}/index.html does not exist.\n"
    "Run `make web` first (it runs `npm ci` and `npm run build`), then configure again.")
endif()

add_executable(treff_embed_assets "${TREFF_ROOT_DIR}/tools/embed_assets.cpp")

file(GLOB_RECURSE treff_web_dist_files CONFIGURE_DEPENDS "${TREFF_WEB_DIST}/*")
set(treff_web_assets_cpp "${CMAKE_BINARY_DIR}/generated/web_assets_data.cpp")

add_custom_command(
  OUTPUT "${treff_web_assets_cpp}"
  COMMAND treff_embed_assets "${TREFF_WEB_DIST}" "${treff_web_assets_cpp}"
  DEPENDS treff_embed_assets ${treff_web_dist_files}
  COMMENT "Embedding the web app from ${TREFF_WEB_DIST}"
  VERBATIM)

add_library(treff_web_assets STATIC "${treff_web_assets_cpp}")
target_include_directories(treff_web_assets PUBLIC "${TREFF_ROOT_DIR}/src")

# Unit test of the generator and the lookup, on a fixed fixture (not on web/dist, which changes).
set(treff_web_fixture "${TREFF_ROOT_DIR}/tests/unit/signaling/web_assets/fixture")
set(treff_web_fixture_cpp "${CMAKE_BINARY_DIR}/generated/web_assets_fixture.cpp")
file(GLOB_RECURSE treff_web_fixture_files CONFIGURE_DEPENDS "${treff_web_fixture}/*")
add_custom_command(
  OUTPUT "${treff_web_fixture_cpp}"
  COMMAND treff_embed_assets "${treff_web_fixture}" "${treff_web_fixture_cpp}"
  DEPENDS treff_embed_assets ${treff_web_fixture_files}
  COMMENT "Embedding the web asset test fixture"
  VERBATIM)
add_executable(unit_web_assets
  "${TREFF_ROOT_DIR}/tests/unit/signaling/web_assets/web_assets_test.cpp"
  "${treff_web_fixture_cpp}")
target_include_directories(unit_web_assets PRIVATE "${TREFF_ROOT_DIR}/src")
target_link_libraries(unit_web_assets PRIVATE GTest::gtest_main)
target_compile_definitions(unit_web_assets PRIVATE
  TREFF_WEB_ASSETS_FIXTURE="${treff_web_fixture}")
include(GoogleTest)
gtest_discover_tests(unit_web_assets DISCOVERY_TIMEOUT 60 PROPERTIES LABELS unit)
