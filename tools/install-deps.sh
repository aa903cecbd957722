#!/usr/bin/env bash
# Installs what Treff needs from Debian's and npm's registries, and nothing that is already there.
#   tools/install-deps.sh build   the compiler toolchain and libraries, and the web app's packages
#   tools/install-deps.sh test    the above, plus clang's sanitizer/fuzzer runtime, libsrtp2 (the
#                                 SRTP test oracle), Chromium, the benchmark library and GStreamer
#                                 (the WHIP test's client)
set -euo pipefail
cd "$(dirname "$0")/.."
mode=${1:-build}

build_pkgs=(build-essential cmake ninja-build pkg-config ccache libssl-dev libboost-dev
            nlohmann-json3-dev libspdlog-dev libfmt-dev libtomlplusplus-dev libcli11-dev
            libgtest-dev libgmock-dev)
# GStreamer's webrtcbin with Debian's Python bindings is the WHIP client of tests/e2e/whip.test.mjs.
# Janus is the peer of the load generator's Janus test (and of bench/compare).
# espeak-ng and sox make the speech and silence a fake microphone plays (meeting_speakers).
test_pkgs=(clang libclang-rt-14-dev libsrtp2-dev libbenchmark-dev chromium iproute2 util-linux
           gstreamer1.0-plugins-base gstreamer1.0-plugins-good gstreamer1.0-plugins-bad
           gstreamer1.0-nice gir1.2-gst-plugins-base-1.0 gir1.2-gst-plugins-bad-1.0 python3-gi
           janus espeak-ng sox)

pkgs=("${build_pkgs[@]}")
[ "$mode" = test ] && pkgs+=("${test_pkgs[@]}")

missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
  # The tests start their own Janus with their own configuration; the package's service stays off.
  if [[ " ${missing[*]} " == *" janus "* ]] && command -v systemctl >/dev/null; then
    $SUDO systemctl disable --now janus.service >/dev/null 2>&1 || true
  fi
fi

if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  echo "Node.js 20 and npm are needed for the web app (the machine's own installation is used)." >&2
  exit 1
fi
# npm ci only when the lock file changed since the last install.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi
