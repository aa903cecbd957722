#!/usr/bin/env bash
# Captures a few seconds of an unencrypted Chromium loopback call sending one video codec, as
# a test vector: writes OUT.pcap (Ethernet link type, loopback traffic) and OUT.sdp (the offer).
#   tools/capture-chromium-rtp.sh VP9 tests/data/chromium-vp9-unencrypted
#   tools/capture-chromium-rtp.sh AV1 tests/data/chromium-av1-svc-unencrypted L3T3_KEY
# Needs root (unshare -n), tshark's dumpcap, `npm ci` and Debian's chromium.
set -euo pipefail
cd "$(dirname "$0")/.."
codec="${1:?codec: VP9, H264 or AV1}"
out="${2:?output path without extension}"
mode="${3:-}"
out="$(realpath -m "$out")"
export codec out mode
unshare -n bash -c '
  set -euo pipefail
  ip link set lo up
  dumpcap -q -P -i lo -w "$out.pcap.tmp" -f "udp" &
  cap=$!
  sleep 1
  node tools/capture-chromium-rtp.mjs "$codec" 3000 "$mode" > "$out.sdp" || { kill -INT $cap; exit 1; }
  sleep 0.5
  kill -INT $cap
  wait $cap || true
'
# dumpcap writes the loopback pseudo-Ethernet link type; keep it as it is.
mv "$out.pcap.tmp" "$out.pcap"
ls -l "$out.pcap" "$out.sdp"
