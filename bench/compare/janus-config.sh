#!/usr/bin/env bash
# Writes a Janus configuration for the comparison into DIR: loopback HTTP API only, the
# VideoRoom plugin and the HTTP transport only, ICE-lite on the given interface, and the fair
# settings the comparison relies on (as many event loops as cores, a wide RTP port range, no
# per-packet logging, the same DTLS/SRTP as Treff negotiates).
#   bench/compare/janus-config.sh DIR INTERFACE [HTTP_PORT [RTP_PORTS]]
set -euo pipefail
dir="${1:?config dir}"
iface="${2:?interface Janus announces (for example the veth of the namespace)}"
http_port="${3:-8088}"
rtp_ports="${4:-20000-40000}"
lib=/usr/lib/x86_64-linux-gnu/janus
cores=$(nproc)
mkdir -p "$dir"

# Every plugin, transport, logger and event handler but the two we use stays unloaded.
disable_all_but() {  # folder, the one to keep
  find "$1" -maxdepth 1 -name 'libjanus_*.so' -printf '%f\n' | grep -vx "$2" | paste -sd, -
}

cat > "$dir/janus.jcfg" <<CFG
general: {
  configs_folder = "$dir"
  plugins_folder = "$lib/plugins"
  transports_folder = "$lib/transports"
  events_folder = "$lib/events"
  loggers_folder = "$lib/loggers"
  debug_level = 3
  debug_timestamps = false
  session_timeout = 120
  event_loops = $cores
}
certificates: {
}
media: {
  rtp_port_range = "$rtp_ports"
  no_media_timer = 5
}
nat: {
  ice_lite = true
  ice_enforce_list = "$iface"
  ice_tcp = false
  full_trickle = false
  nice_debug = false
}
plugins: {
  disable = "$(disable_all_but "$lib/plugins" libjanus_videoroom.so)"
}
transports: {
  disable = "$(disable_all_but "$lib/transports" libjanus_http.so)"
}
loggers: {
  disable = "$(find "$lib/loggers" -maxdepth 1 -name 'libjanus_*.so' -printf '%f\n' | paste -sd, -)"
}
events: {
  broadcast = false
}
CFG

cat > "$dir/janus.transport.http.jcfg" <<CFG
general: {
  json = "plain"
  base_path = "/janus"
  http = true
  port = $http_port
  ip = "127.0.0.1"
  https = false
}
admin: {
  admin_http = false
}
CFG

# Rooms are created through the API by the load generator, with a publishers limit above the
# scenario's.
cat > "$dir/janus.plugin.videoroom.jcfg" <<CFG
general: {
}
CFG
