#!/usr/bin/python3
"""Publishes a GStreamer test pattern (and a test tone) to a WHIP endpoint (RFC 9725).

A WHIP client that shares no code with Treff: GStreamer's webrtcbin makes the offer, Python's
standard library does the HTTP. It waits for ICE gathering to finish (no trickle ICE), POSTs
the offer, applies the answer, sends media for --seconds (or until SIGTERM/SIGINT), then ends
the session with DELETE unless --no-delete.

stdout carries one JSON object per line for the test that runs this script:
  {"event": "answered", "status": 201, "location": "<absolute resource URL>", ...}
  {"event": "stats", ...}            every --stats-interval seconds
  {"event": "done", ...}             the summary, last line
stderr carries the human-readable diagnostics (HTTP status, ICE/DTLS/connection states).
Exit status: 0 when DTLS reached "connected", 1 otherwise, 2 on bad usage.

Needs Debian's /usr/bin/python3 with python3-gi, gir1.2-gst-plugins-bad-1.0,
gir1.2-gst-plugins-base-1.0, gstreamer1.0-plugins-{base,good,bad} and gstreamer1.0-nice.
"""
import argparse
import json
import signal
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

import gi

gi.require_version('Gst', '1.0')
gi.require_version('GstSdp', '1.0')
gi.require_version('GstWebRTC', '1.0')
from gi.repository import GLib, Gst, GstSdp, GstWebRTC  # noqa: E402

HTTP_TIMEOUT_S = 10
GATHERING_TIMEOUT_S = 10


START = time.monotonic()
# webrtcbin calls back on its own threads: one whole line per write, never interleaved.
OUTPUT_LOCK = threading.Lock()


def write_line(stream, line):
    with OUTPUT_LOCK:
        stream.write(line + '\n')
        stream.flush()


def log(message):
    write_line(sys.stderr, f'whip_publish {time.monotonic() - START:7.3f}s: {message}')


def emit(event, **fields):
    write_line(sys.stdout, json.dumps({'event': event, 't': round(time.monotonic() - START, 3),
                                       **fields}))


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--url', required=True,
                   help='WHIP endpoint, e.g. http://10.99.8.1:8080/whip/my-meeting?name=Cam')
    p.add_argument('--token', required=True, help='bearer token')
    p.add_argument('--seconds', type=float, default=30, help='how long to publish')
    p.add_argument('--width', type=int, default=640)
    p.add_argument('--height', type=int, default=360)
    p.add_argument('--fps', type=int, default=30)
    p.add_argument('--no-audio', action='store_true', help='publish video only')
    p.add_argument('--no-delete', action='store_true', help='do not DELETE the session at the end')
    # webrtcbin 1.22.0 logs GStreamer-CRITICALs while it builds ICE candidate stats: keep it rare.
    p.add_argument('--stats-interval', type=float, default=5.0)
    return p.parse_args()


def pipeline_description(args):
    video = (f'videotestsrc is-live=true pattern=ball ! '
             f'video/x-raw,width={args.width},height={args.height},framerate={args.fps}/1 ! '
             f'vp8enc deadline=1 target-bitrate=800000 keyframe-max-dist=60 ! '
             f'rtpvp8pay pt=96 mtu=1200 picture-id-mode=15-bit ! '
             f'application/x-rtp,media=video,encoding-name=VP8,payload=96,clock-rate=90000 ! wb.')
    audio = ('audiotestsrc is-live=true wave=sine freq=440 volume=0.3 ! audioconvert ! '
             'audioresample ! audio/x-raw,rate=48000,channels=2 ! opusenc bitrate=32000 ! '
             'rtpopuspay pt=111 ! '
             'application/x-rtp,media=audio,encoding-name=OPUS,payload=111,clock-rate=48000 ! wb.')
    parts = ['webrtcbin name=wb bundle-policy=max-bundle', video]
    if not args.no_audio:
        parts.append(audio)
    return ' '.join(parts)


def collect_stats(reply):
    """The figures of a webrtcbin get-stats reply: outbound-rtp and remote-inbound-rtp per kind
    (audio or video)."""
    if reply is None:
        return None
    entries = []
    reply.foreach(lambda _id, value: entries.append(value) or True)
    entries = [e for e in entries if isinstance(e, Gst.Structure) and e.has_field('type')]
    # webrtcbin 1.22.0 gives every outbound-rtp the last codec-id and kind: the codec stats'
    # own ssrc and mime-type tell the kinds apart.
    kinds = {e.get_value('ssrc'): e.get_value('mime-type').split('/')[0] for e in entries
             if e.get_value('type') == GstWebRTC.WebRTCStatsType.CODEC
             and e.has_field('ssrc') and e.has_field('mime-type')}

    def kind_of(stat):
        ssrc = stat.get_value('ssrc')
        return kinds.get(ssrc, f'ssrc {ssrc}')

    def fields(stat, names):
        return {name: stat.get_value(name) for name in names if stat.has_field(name)}

    figures = {'outbound': {}, 'remoteInbound': {}}
    for e in entries:
        kind = e.get_value('type')
        if kind == GstWebRTC.WebRTCStatsType.OUTBOUND_RTP:
            figures['outbound'][kind_of(e)] = fields(
                e, ('ssrc', 'packets-sent', 'bytes-sent', 'pli-count', 'fir-count', 'nack-count'))
        elif kind == GstWebRTC.WebRTCStatsType.REMOTE_INBOUND_RTP:
            figures['remoteInbound'][kind_of(e)] = fields(
                e, ('ssrc', 'packets-lost', 'round-trip-time', 'jitter'))
    return figures


class WhipPublisher:
    def __init__(self, args):
        self.args = args
        self.loop = GLib.MainLoop()
        self.pipeline = Gst.parse_launch(pipeline_description(args))
        self.wb = self.pipeline.get_by_name('wb')
        self.location = None
        self.posted = False
        self.connected_at = None
        self.answered_at = None
        self.states = []  # every state change seen, in order, for the summary
        self.latest = {}  # the latest value of each state
        self.last_stats = {}
        self.failure = None
        self.deleted_status = None
        self.dtls_watched = False

        self.wb.connect('on-negotiation-needed', self.on_negotiation_needed)
        self.wb.connect('notify::ice-gathering-state', self.on_gathering_state)
        self.wb.connect('notify::ice-connection-state', self.on_state, 'ice-connection-state')
        self.wb.connect('notify::connection-state', self.on_state, 'connection-state')
        self.wb.connect('on-ice-candidate', self.on_local_candidate)

        # Send only: the publisher receives no media.
        index = 0
        while True:
            transceiver = self.wb.emit('get-transceiver', index)
            if transceiver is None:
                break
            transceiver.set_property('direction',
                                     GstWebRTC.WebRTCRTPTransceiverDirection.SENDONLY)
            index += 1
        log(f'{index} send-only transceiver(s)')

        bus = self.pipeline.get_bus()
        bus.add_signal_watch()
        bus.connect('message::error', self.on_bus_error)
        bus.connect('message::warning', self.on_bus_warning)

    # --- negotiation -------------------------------------------------------------------------

    def on_negotiation_needed(self, _wb):
        log('negotiation needed: creating the offer')
        promise = Gst.Promise.new_with_change_func(self.on_offer_created, None)
        self.wb.emit('create-offer', None, promise)

    def on_offer_created(self, promise, _data):
        reply = promise.get_reply()
        offer = reply.get_value('offer') if reply else None
        if offer is None:
            self.fail(f'create-offer gave no offer: {reply.to_string() if reply else None}')
            return
        self.wb.emit('set-local-description', offer, Gst.Promise.new())
        log('local description set; gathering ICE candidates')
        GLib.timeout_add_seconds(GATHERING_TIMEOUT_S, self.on_gathering_timeout)

    def on_local_candidate(self, _wb, mline, candidate):
        log(f'local candidate (m-line {mline}): {candidate}')

    def on_gathering_state(self, wb, _pspec):
        state = wb.get_property('ice-gathering-state')
        self.note('ice-gathering-state', state.value_nick)
        if state == GstWebRTC.WebRTCICEGatheringState.COMPLETE:
            GLib.idle_add(self.post_offer)

    def on_gathering_timeout(self):
        if not self.posted:
            log(f'ICE gathering not complete after {GATHERING_TIMEOUT_S} s: posting what we have')
            self.post_offer()
        return False

    def post_offer(self):
        if self.posted:
            return False
        self.posted = True
        local = self.wb.get_property('local-description')
        offer_sdp = local.sdp.as_text()
        candidates = [l for l in offer_sdp.splitlines() if l.startswith('a=candidate')]
        log(f'POST {self.args.url} (offer: {len(offer_sdp)} bytes, {len(candidates)} candidates)')
        if not candidates:
            log('warning: the offer carries no ICE candidate')
        for line in offer_sdp.splitlines():
            if line.startswith(('m=', 'a=mid', 'a=bundle-only', 'a=group', 'a=setup', 'a=rtpmap',
                                'a=sendonly', 'a=ssrc')):
                log(f'offer: {line}')
        request = urllib.request.Request(
            self.args.url, data=offer_sdp.encode(), method='POST',
            headers={'Content-Type': 'application/sdp',
                     'Authorization': f'Bearer {self.args.token}'})
        try:
            with urllib.request.urlopen(request, timeout=HTTP_TIMEOUT_S) as response:
                status = response.status
                content_type = response.headers.get('Content-Type', '')
                location = response.headers.get('Location')
                answer_sdp = response.read().decode()
        except urllib.error.HTTPError as err:
            body = err.read().decode(errors='replace').strip()
            self.fail(f'POST answered {err.code}: {body}')
            emit('rejected', status=err.code, body=body)
            return False
        except (urllib.error.URLError, OSError) as err:
            self.fail(f'POST failed: {err}')
            return False
        log(f'POST answered {status}, Content-Type {content_type!r}, Location {location!r}')
        if status != 201 or not content_type.startswith('application/sdp') or not location:
            self.fail(f'not a WHIP answer: status {status}, Content-Type {content_type!r}, '
                      f'Location {location!r}')
            return False
        self.location = urllib.parse.urljoin(self.args.url, location)
        self.answered_at = time.monotonic()
        for line in answer_sdp.splitlines():
            if line.startswith(('a=candidate', 'a=setup', 'a=ice-lite', 'm=', 'a=fingerprint')):
                log(f'answer: {line}')
        emit('answered', status=status, location=self.location, locationHeader=location,
             contentType=content_type, offer=offer_sdp, answer=answer_sdp)

        result, message = GstSdp.SDPMessage.new_from_text(answer_sdp)
        if result != GstSdp.SDPResult.OK:
            self.fail(f'the answer does not parse as SDP ({result})')
            return False
        answer = GstWebRTC.WebRTCSessionDescription.new(GstWebRTC.WebRTCSDPType.ANSWER, message)
        promise = Gst.Promise.new_with_change_func(self.on_remote_set, None)
        self.wb.emit('set-remote-description', answer, promise)
        return False

    def on_remote_set(self, promise, _data):
        reply = promise.get_reply()
        if reply is not None and reply.has_field('error'):
            self.fail(f'set-remote-description failed: {reply.get_value("error")}')
            return
        log('remote description set')
        GLib.idle_add(self.watch_transports)

    def watch_transports(self):
        # With max-bundle every transceiver shares the first one's DTLS transport.
        if self.dtls_watched:
            return False
        transceiver = self.wb.emit('get-transceiver', 0)
        sender = transceiver.get_property('sender') if transceiver else None
        dtls = sender.get_property('transport') if sender else None
        if dtls is None:
            log('no DTLS transport to watch')
            return False
        self.dtls_watched = True
        dtls.connect('notify::state', self.on_dtls_state)
        ice = dtls.get_property('transport')
        if ice is not None:
            # Not 'on-selected-candidate-pair-change': a Python handler there runs on libnice's
            # thread while it holds the agent lock, and ICE then never reports "connected".
            ice.connect('notify::state', self.on_ice_transport_state)
        self.on_dtls_state(dtls, None)
        return False

    # --- state reports -----------------------------------------------------------------------

    def note(self, what, value):
        if self.latest.get(what) == value:
            return
        self.latest[what] = value
        self.states.append({'t': round(time.monotonic() - START, 3), what: value})
        log(f'{what}: {value}')

    def on_state(self, wb, _pspec, name):
        value = wb.get_property(name).value_nick
        self.note(name, value)
        if value == 'failed':
            log(f'{name} failed')

    def on_dtls_state(self, dtls, _pspec):
        # Connected means DTLS connected (which needs ICE connected): webrtcbin 1.22.0 leaves a
        # send-only offerer's connection-state at "connecting" even with media flowing (seen
        # against Treff and against a webrtcbin answerer alike).
        value = dtls.get_property('state').value_nick
        self.note('dtls-state', value)
        if value == 'connected' and self.connected_at is None:
            self.connected_at = time.monotonic()
            emit('connected', afterAnswerMs=round((self.connected_at - self.answered_at) * 1000))

    def on_ice_transport_state(self, ice, _pspec):
        self.note('ice-transport-state', ice.get_property('state').value_nick)

    def on_bus_error(self, _bus, message):
        err, debug = message.parse_error()
        self.fail(f'pipeline error from {message.src.get_name()}: {err.message} ({debug})')

    def on_bus_warning(self, _bus, message):
        err, debug = message.parse_warning()
        log(f'pipeline warning from {message.src.get_name()}: {err.message}')

    # --- stats -------------------------------------------------------------------------------

    def poll_stats(self):
        promise = Gst.Promise.new_with_change_func(self.on_stats, None)
        self.wb.emit('get-stats', None, promise)
        return True

    def on_stats(self, promise, _data):
        figures = collect_stats(promise.get_reply())
        if figures is not None:
            self.last_stats = figures
            GLib.idle_add(self.report_stats, figures)

    def final_stats(self):
        promise = Gst.Promise.new()
        self.wb.emit('get-stats', None, promise)
        if promise.wait() == Gst.PromiseResult.REPLIED:
            figures = collect_stats(promise.get_reply())
            if figures is not None:
                self.last_stats = figures
                self.report_stats(figures)

    def report_stats(self, figures):
        summary = {kind: {f: o.get(f) for f in ('packets-sent', 'pli-count', 'nack-count')}
                   for kind, o in figures['outbound'].items()}
        log(f'stats: sent {summary}')
        emit('stats', **figures)
        return False

    # --- lifetime ----------------------------------------------------------------------------

    def fail(self, reason):
        if self.failure is None:
            self.failure = reason
        log(f'FAILED: {reason}')
        GLib.idle_add(self.stop, 'failure')

    def stop(self, why):
        if not self.loop.is_running():
            return False
        log(f'stopping ({why})')
        if self.connected_at is not None:
            self.final_stats()
        if self.location and not self.args.no_delete:
            request = urllib.request.Request(
                self.location, method='DELETE',
                headers={'Authorization': f'Bearer {self.args.token}'})
            try:
                with urllib.request.urlopen(request, timeout=HTTP_TIMEOUT_S) as response:
                    self.deleted_status = response.status
            except urllib.error.HTTPError as err:
                self.deleted_status = err.code
            except (urllib.error.URLError, OSError) as err:
                log(f'DELETE failed: {err}')
            log(f'DELETE {self.location} answered {self.deleted_status}')
        self.loop.quit()
        return False

    def run(self):
        GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, signal.SIGTERM, self.stop, 'SIGTERM')
        GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, signal.SIGINT, self.stop, 'SIGINT')
        GLib.timeout_add(int(self.args.seconds * 1000), self.stop, f'{self.args.seconds} s over')
        GLib.timeout_add(int(self.args.stats_interval * 1000), self.poll_stats)
        if self.pipeline.set_state(Gst.State.PLAYING) == Gst.StateChangeReturn.FAILURE:
            log('the pipeline does not start')
            return 1
        try:
            self.loop.run()
        finally:
            self.pipeline.set_state(Gst.State.NULL)
        connected = self.connected_at is not None
        emit('done', connected=connected, failure=self.failure, location=self.location,
             deleteStatus=self.deleted_status, states=self.states, lastStats=self.last_stats,
             connectMs=round((self.connected_at - self.answered_at) * 1000) if connected else None)
        return 0 if connected and self.failure is None else 1


def main():
    args = parse_args()
    Gst.init(None)
    missing = [name for name in ('webrtcbin', 'nicesrc', 'vp8enc', 'rtpvp8pay', 'videotestsrc',
                                 'opusenc', 'rtpopuspay', 'audiotestsrc')
               if Gst.ElementFactory.find(name) is None]
    if missing:
        log(f'missing GStreamer elements: {", ".join(missing)} (see tools/install-deps.sh)')
        return 2
    return WhipPublisher(args).run()


if __name__ == '__main__':
    sys.exit(main())
