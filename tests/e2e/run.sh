#!/usr/bin/env bash
# Runs the browser end-to-end tests (node's test runner, playwright-core, Debian's Chromium)
# inside a private network namespace with only loopback, so no packet can leave the machine.
#   TREFF_BIN=build/release/treff tests/e2e/run.sh
# Needs root (unshare -n), `npm ci` done, and /usr/bin/chromium.
set -euo pipefail
cd "$(dirname "$0")/../.."

if [[ -z "${TREFF_BIN:-}" ]]; then
  echo "run.sh: set TREFF_BIN to the treff binary, e.g. TREFF_BIN=build/release/treff" >&2
  exit 2
fi
if [[ ! -x "$TREFF_BIN" ]]; then
  echo "run.sh: TREFF_BIN=$TREFF_BIN is not an executable" >&2
  exit 2
fi
if [[ ! -d node_modules/playwright-core ]]; then
  echo "run.sh: node_modules is missing: run \`npm ci\` first" >&2
  exit 2
fi
TREFF_BIN="$(realpath "$TREFF_BIN")"
export TREFF_BIN

exec unshare -n bash -c 'ip link set lo up && node --test tests/e2e/'
