#!/bin/sh
# Runs treff-ceiling over the benchmark's scenarios (S1-like 10 rooms x 6, one room of 20,
# S3-like lecture 1 x 200, audio-only 1 x 50) with both SRTP profiles, with and without GSO,
# and prints one table row per run. Fails when a run loses packets, when sink counts do not match what the
# forwarder sent, or when a sampled datagram is not valid SRTP for its subscriber. `pace` is
# forwarded / (received x fan-out) within the window: below 0.99 the forwarder fell behind in
# real time (its socket buffer held the rest, drained before the totals). `busy` is
# the whole machine's CPU share during the window: near 100 % other work is competing, and
# loss then says more about the machine than about forwarding.
#   bench/ceiling/check.sh [path/to/treff-ceiling] [extra treff-ceiling flags...]
set -eu
bin=${1:-build/release/treff-ceiling}
[ $# -gt 0 ] && shift
duration=${CEILING_DURATION:-5}
status=0
printf '%-8s %-4s %-3s %7s %7s %5s %7s %9s %5s %9s %7s %5s %s\n' scenario srtp gso in/s fwd/s \
  pace fwd-cpu fwd/cpu-s batch dgram/msg loss busy check
for scenario in "S1:--rooms 10 --participants 6" "S2:--rooms 1 --participants 20" \
                "S3:--publishers 1 --subscribers 200" \
                "audio50:--rooms 1 --participants 50 --audio-only"; do
  name=${scenario%%:*}
  args=${scenario#*:}
  for profile in gcm cm; do
    for gso in "" "--gso"; do
      # shellcheck disable=SC2086
      json=$("$bin" $args --profile "$profile" $gso --verify --duration "$duration" --quiet "$@")
      row=$(printf '%s' "$json" | python3 -c '
import json, sys
d = json.load(sys.stdin)
w, t, v = d["window"], d["totals"], d["verify"]
ok = (t["loss"] < 0.001 and t["subscribers_mismatched"] == 0 and v["failed"] == 0
      and v["wrong_subscriber"] == 0 and v["valid"] > 0 and t["forwarder_dropped"] == 0)
print("%7.0f %7.0f %5.3f %6.0f%% %9.0f %5.1f %9.2f %7.4f %4.0f%% %s" % (
    d["offered"]["in_measured_per_s"], w["forwarded_per_s"], w["forwarded_vs_offered"],
    100 * w["forwarder_cpu_share"],
    w["forwarded_per_cpu_s"], w["avg_recv_batch"], w["avg_datagrams_per_message"], t["loss"],
    100 * w.get("machine_busy_share", 0), "ok" if ok else "FAIL"))')
      printf '%-8s %-4s %-3s %s\n' "$name" "$profile" "${gso:+yes}" "$row"
      case $row in *FAIL*) status=1 ;; esac
    done
  done
done
exit $status
