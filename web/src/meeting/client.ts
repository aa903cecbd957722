// One participant's session in a meeting: the signaling WebSocket, the publish and subscribe
// RTCPeerConnections, reconnection with resume, mute, screen share and chat. The UI reads the
// public fields after each onChange() and calls the methods; no text for people lives here.
import { classifyMediaError, type MediaProblem } from '../common/media_errors';
import type { LocalMedia } from './local_media';
import {
  type ClientMessage, encode, type ParticipantInfo, parseServerMessage,
  sendAndReceiveVideoCodecs, type ServerMessage, signalingUrl, type Source, type SubscribedTrack,
  type VideoSource,
} from './protocol';
import { type Quality, QualityMeter } from './quality';
import { type View, ViewReporter } from './view';

export type Phase = 'connecting' | 'joined' | 'reconnecting' | 'failed' | 'left';

export interface RemoteTrack extends SubscribedTrack {
  track: MediaStreamTrack;
}

export interface ChatEntry {
  key: number;
  from: string;
  name: string;
  text: string;
  time: number;
  own: boolean;
  pending: boolean;  // sent, not yet relayed back by the server
}

export type Notice =
  | { kind: 'server-error'; code: string; message: string }
  | { kind: 'media'; problem: MediaProblem }
  | { kind: 'screen-failed' }
  | { kind: 'negotiation-failed'; detail: string };

export interface MeetingEvents {
  onChange(): void;
  onChat(entry: ChatEntry): void;
  onParticipantJoined(p: ParticipantInfo): void;
  onParticipantLeft(p: ParticipantInfo): void;
}

const PC_CONFIG: RTCConfiguration = {
  bundlePolicy: 'max-bundle', rtcpMuxPolicy: 'require', iceServers: [],
};
// Simulcast layers of the camera (docs/protocol.md): quarter, half and full resolution, each
// with three temporal layers. Naming the mode matters beyond VP8 (where it is Chromium's
// default): without it Chromium sends VP9 and AV1 as one quarter-resolution stream.
// (TypeScript's DOM types do not know scalabilityMode yet; WebRTC-SVC defines it.)
const CAMERA_ENCODINGS: Array<RTCRtpEncodingParameters & { scalabilityMode: string }> = [
  { rid: 'q', scaleResolutionDownBy: 4, scalabilityMode: 'L1T3' },
  { rid: 'h', scaleResolutionDownBy: 2, scalabilityMode: 'L1T3' },
  { rid: 'f', scalabilityMode: 'L1T3' },
];
// VP9 and AV1 rooms: one stream with three spatial layers (a quarter, half and all of the
// picture), each with three temporal layers; the upper spatial layers refer to the lower ones
// only at key frames (the _KEY modes), so the server can drop them per subscriber between key
// frames. It costs the publisher one encoder instead of three.
const SVC_CAMERA_ENCODINGS: Array<RTCRtpEncodingParameters & { scalabilityMode: string }> = [
  { scalabilityMode: 'L3T3_KEY' },
];
const SVC_CODECS = new Set(['VP9', 'AV1']);
const SVC_SPATIAL_LAYERS = 3;

// The camera's encodings for a room's codec. They are fixed when the camera's transceiver is
// made: a room that changes codecs later keeps what its publishers started with (VP8 sends one
// stream where SVC encodings were set up, which is where a fallback to VP8 leaves it).
function cameraEncodings(videoCodec: string): RTCRtpEncodingParameters[] {
  const shape = SVC_CODECS.has(videoCodec) ? SVC_CAMERA_ENCODINGS : CAMERA_ENCODINGS;
  return shape.map((e) => ({ ...e }));
}

// A one-encoding camera sends the spatial layers the server asks for (`want`, lowest first; the
// lowest always): fewer layers are a lower mode over a smaller picture, so the layers kept are
// the same sizes as before (L1T3 at a quarter of the size is the old base layer). Without a
// request (a new codec was negotiated) it goes back to the full picture, in the codec's mode.
// True if the encoding changed.
function applySpatialLayers(encoding: RTCRtpEncodingParameters & { scalabilityMode?: string },
                            want: boolean[] | undefined, videoCodec: string): boolean {
  if (!/^L\dT\d(_KEY)?$/.test(encoding.scalabilityMode ?? '')) return false;  // not a camera
  let mode = SVC_CODECS.has(videoCodec) ? SVC_CAMERA_ENCODINGS[0].scalabilityMode : 'L1T3';
  let scale = 1;
  // The server lists the layers it has seen, which may be fewer than the mode's (a browser
  // adds spatial layers from the bottom as its bandwidth estimate grows): all of them wanted
  // means the full picture; fewer, the bottom ones, each at its size in the full mode.
  if (want && want.length > 1 && SVC_CODECS.has(videoCodec) && !want.every((w) => w)) {
    const layers = Math.max(1, want.lastIndexOf(true) + 1);
    mode = layers === 1 ? 'L1T3' : `L${layers}T3_KEY`;
    scale = 2 ** (SVC_SPATIAL_LAYERS - layers);
  }
  if (encoding.scalabilityMode === mode && (encoding.scaleResolutionDownBy ?? 1) === scale) return false;
  encoding.scalabilityMode = mode;
  encoding.scaleResolutionDownBy = scale;
  return true;
}
const GATHERING_TIMEOUT_MS = 5_000;
const CONNECT_TIMEOUT_MS = 10_000;
// ICE restarts: the WebSocket may well survive a short network cut that the media path does
// not. A connection 'disconnected' this long gets one (at once when 'failed'), and again after
// each retry interval until it connects. Chromium says 'disconnected' only some 5 s into a cut,
// so a connection that has received nothing at all (not even the answers to its ICE
// keepalives, sent every 2.5 s) for SILENCE_MS counts as cut too; checked every second.
const ICE_RESTART_AFTER_MS = 2_000;
const ICE_RETRY_MS = 4_000;
const SILENCE_MS = 3_000;
const TRAFFIC_CHECK_MS = 1_000;
const STATS_INTERVAL_MS = 2_000;
const MAX_BACKOFF_MS = 8_000;
export const MAX_CHAT_LENGTH = 2000;
// Join errors after which trying again the same way cannot work.
const FATAL_JOIN_ERRORS = new Set(['meeting-full', 'server-full', 'bad-meeting', 'bad-name',
                                   'unsupported-version']);

class SocketLost extends Error {}
class RequestRefused extends Error {}

// The server is ICE-lite and reads candidates only from the SDP: wait for gathering to end
// (capped; the server learns the browser's address from its checks anyway).
function gatheringComplete(pc: RTCPeerConnection): Promise<void> {
  if (pc.iceGatheringState === 'complete') return Promise.resolve();
  return new Promise((resolve) => {
    const timer = window.setTimeout(done, GATHERING_TIMEOUT_MS);
    function done() {
      window.clearTimeout(timer);
      pc.removeEventListener('icegatheringstatechange', onChange);
      resolve();
    }
    function onChange() {
      if (pc.iceGatheringState === 'complete') done();
    }
    pc.addEventListener('icegatheringstatechange', onChange);
  });
}

export class MeetingClient {
  phase: Phase = 'connecting';
  selfId: string | null = null;
  participants = new Map<string, ParticipantInfo>();  // the others, in join order
  remoteTracks: RemoteTrack[] = [];
  chat: ChatEntry[] = [];
  quality = new Map<string, Quality>();  // by participant id, this browser's own under selfId
  fatal: { code: string; message: string } | null = null;
  notice: Notice | null = null;
  mediaInterrupted = false;
  screen: MediaStreamTrack | null = null;
  videoCodec = 'VP8';  // what the room's publishers send now (the server decides)
  dominantSpeaker: string | null = null;  // may be selfId
  lastRemoteSpeaker: string | null = null;  // the latest dominant speaker other than oneself

  private ws: WebSocket | null = null;
  private sessionLive = false;  // "joined" received on the current socket
  private credentials: { participant: string; secret: string } | null = null;
  private attempt = 0;
  private retryTimer: number | undefined;
  private connectTimer: number | undefined;
  private statsTimer: number | undefined;
  private trafficTimer: number | undefined;
  private pub: RTCPeerConnection | null = null;
  private sub: RTCPeerConnection | null = null;
  private tx: Record<Source, RTCRtpTransceiver | null> =
    { microphone: null, camera: null, screen: null };
  private publishDirty = false;
  private publishBusy = false;
  private publishWaiter: { resolve(sdp: string): void; reject(err: Error): void } | null = null;
  private muteSyncPending = false;
  private subscribeChain: Promise<void> = Promise.resolve();
  private iceTimers = new Map<RTCPeerConnection, number>();
  // Per connection: bytes received at the last check and when that count last grew, and when
  // ICE was last restarted (performance.now() times).
  private traffic = new Map<RTCPeerConnection, { bytes: number; at: number }>();
  private restartedAt = new Map<RTCPeerConnection, number>();
  private trackMap = new Map<string, SubscribedTrack>();
  private meter = new QualityMeter();
  private chatKey = 0;
  private changeQueued = false;
  // Remote videos the server does not forward to us now, as `${source}:${participant}`.
  private pausedVideo = new Set<string>();
  // The simulcast encodings the server last asked each of our video sources to send, and the
  // chain that applies them one at a time (setParameters must not overlap on a sender).
  private wantedLayers: Partial<Record<VideoSource, boolean[]>> = {};
  private layersChain: Promise<void> = Promise.resolve();
  // The most camera videos the person wants at once (settings), for this session; null: all.
  maxVideos: number | null = null;
  private view = new ViewReporter((v) => this.sessionLive && this.send({
    type: 'view', tiles: v.tiles, pinned: v.pinned, lastN: v.lastN,
  }));

  constructor(readonly meeting: string, readonly displayName: string,
              readonly media: LocalMedia, private readonly events: MeetingEvents) {}

  start(): void {
    this.connect();
    this.statsTimer = window.setInterval(() => void this.pollStats(), STATS_INTERVAL_MS);
    this.trafficTimer = window.setInterval(() => void this.checkTraffic(), TRAFFIC_CHECK_MS);
  }

  get joined(): boolean {
    return this.sessionLive;
  }

  // True while the server holds back this remote video (last-N, a hidden tile, bandwidth).
  isVideoPaused(participant: string, source: VideoSource): boolean {
    return this.pausedVideo.has(`${source}:${participant}`);
  }

  // ---- the person's actions -------------------------------------------------------------

  leave(): void {
    if (this.phase === 'left') return;
    this.send({ type: 'leave' });
    this.phase = 'left';
    this.teardown();
    this.changed();
  }

  async toggleMicrophone(): Promise<void> {
    const m = this.media;
    if (!m.microphone) {
      try {
        const track = await m.openMicrophone();
        m.setMicMuted(false);
        await this.attach('microphone', track);
        this.sendMute('microphone', false);
      } catch (err) {
        this.setNotice({ kind: 'media', problem: classifyMediaError(err) });
      }
      return;
    }
    m.setMicMuted(!m.micMuted);
    this.sendMute('microphone', m.micMuted);
    this.changed();
  }

  async toggleCamera(): Promise<void> {
    const m = this.media;
    if (m.camera) {
      // Stop sending first, then stop the track: the camera's light goes out.
      await this.tx.camera?.sender.replaceTrack(null);
      m.turnCameraOff();
      this.sendMute('camera', true);
    } else {
      try {
        const track = await m.turnCameraOn();
        await this.attach('camera', track);
        this.sendMute('camera', false);
      } catch (err) {
        this.setNotice({ kind: 'media', problem: classifyMediaError(err) });
      }
    }
    this.changed();
  }

  // Must be called straight from a click: browsers allow getDisplayMedia only in a user gesture.
  async startScreenShare(): Promise<void> {
    if (this.screen || !this.pub) return;
    let stream: MediaStream;
    try {
      stream = await navigator.mediaDevices.getDisplayMedia({ video: true, audio: false });
    } catch (err) {
      // Cancelling the browser's picker is not an error worth showing.
      if (!(err instanceof DOMException && err.name === 'NotAllowedError')) {
        this.setNotice({ kind: 'screen-failed' });
      }
      return;
    }
    const track = stream.getVideoTracks()[0];
    if (!track || !this.pub) {
      stream.getTracks().forEach((t) => t.stop());
      return;
    }
    track.contentHint = 'detail';
    // Also the browser's own "Stop sharing" button ends the share.
    track.onended = () => this.stopScreenShare();
    this.screen = track;
    const tx = this.tx.screen;
    if (tx) {
      // Reuse the m-section of an earlier share: same mid, no new m-line.
      tx.direction = 'sendonly';
      await tx.sender.replaceTrack(track);
    } else {
      this.tx.screen = this.pub.addTransceiver(track, { direction: 'sendonly' });
    }
    this.requestPublish();
    this.changed();
  }

  // The screen's m-section becomes inactive and leaves the published track list.
  stopScreenShare(): void {
    const track = this.screen;
    if (!track) return;
    this.screen = null;
    track.onended = null;
    const tx = this.tx.screen;
    if (tx && this.pub?.signalingState !== 'closed') {
      tx.direction = 'inactive';
      void tx.sender.replaceTrack(null).catch(() => {});
    }
    track.stop();
    this.requestPublish();
    this.changed();
  }

  // Returns false when the message cannot be sent now (not joined, empty or too long).
  sendChat(text: string): boolean {
    const body = text.trim();
    if (!this.sessionLive || body.length === 0 || body.length > MAX_CHAT_LENGTH) return false;
    this.send({ type: 'chat', text: body });
    this.chat = [...this.chat, {
      key: ++this.chatKey, from: this.selfId ?? '', name: this.displayName, text: body,
      time: Date.now(), own: true, pending: true,
    }];
    this.changed();
    return true;
  }

  // Device changes during the call swap the sender's track: no renegotiation.
  async switchCamera(deviceId: string): Promise<void> {
    try {
      const track = await this.media.switchCamera(deviceId);
      if (track) await this.attach('camera', track);
    } catch (err) {
      this.setNotice({ kind: 'media', problem: classifyMediaError(err) });
    }
    this.changed();
  }

  async switchMicrophone(deviceId: string): Promise<void> {
    try {
      const track = await this.media.switchMicrophone(deviceId);
      await this.attach('microphone', track);
    } catch (err) {
      this.setNotice({ kind: 'media', problem: classifyMediaError(err) });
    }
    this.changed();
  }

  // What the UI shows of the others now, with the person's cap on videos (maxVideos); sent to
  // the server when it changed enough.
  reportView(view: View): void {
    this.view.update(this.maxVideos === null ? view : { ...view, lastN: this.maxVideos });
  }

  dismissNotice(): void {
    this.notice = null;
    this.changed();
  }

  // Ends everything without telling the server (the page goes away or the UI is torn down).
  dispose(): void {
    if (this.phase !== 'left') this.send({ type: 'leave' });
    this.phase = 'left';
    this.teardown();
  }

  // ---- signaling socket ------------------------------------------------------------------

  private connect(): void {
    window.clearTimeout(this.retryTimer);
    let ws: WebSocket;
    try {
      ws = new WebSocket(signalingUrl(window.location));
    } catch {
      this.onSocketLost();
      return;
    }
    this.ws = ws;
    this.connectTimer = window.setTimeout(() => ws.close(), CONNECT_TIMEOUT_MS);
    ws.onopen = () => {
      window.clearTimeout(this.connectTimer);
      this.sendJoin();
    };
    ws.onmessage = (ev) => {
      if (typeof ev.data !== 'string') return;
      const msg = parseServerMessage(ev.data);
      if (msg) this.onMessage(msg);
    };
    ws.onclose = () => {
      window.clearTimeout(this.connectTimer);
      if (this.ws !== ws) return;
      this.ws = null;
      this.onSocketLost();
    };
  }

  private sendJoin(): void {
    this.send({
      type: 'join', meeting: this.meeting, name: this.displayName,
      ...(this.credentials ? { resume: this.credentials } : {}),
      videoCodecs: sendAndReceiveVideoCodecs(),
    });
  }

  // Reconnects with backoff 0.5, 1, 2, 4, 8, 8... s; the peer connections keep running.
  private onSocketLost(): void {
    this.sessionLive = false;
    this.publishWaiter?.reject(new SocketLost());
    this.publishWaiter = null;
    if (this.phase === 'left' || this.phase === 'failed') return;
    this.phase = 'reconnecting';
    const delay = Math.min(500 * 2 ** this.attempt, MAX_BACKOFF_MS);
    this.attempt += 1;
    this.retryTimer = window.setTimeout(() => this.connect(), delay);
    this.changed();
  }

  private send(message: ClientMessage): boolean {
    if (!this.ws || this.ws.readyState !== WebSocket.OPEN) return false;
    this.ws.send(encode(message));
    return true;
  }

  private onMessage(msg: ServerMessage): void {
    switch (msg.type) {
      case 'joined': this.onJoined(msg); break;
      case 'participant.joined':
      case 'participant.updated': {
        if (msg.participant.id === this.selfId) break;
        const isNew = !this.participants.has(msg.participant.id);
        this.participants = new Map(this.participants).set(msg.participant.id, msg.participant);
        if (isNew) this.events.onParticipantJoined(msg.participant);
        this.refreshRemoteTracks();
        break;
      }
      case 'participant.left': {
        const p = this.participants.get(msg.participant);
        if (!p) break;
        const next = new Map(this.participants);
        next.delete(msg.participant);
        this.participants = next;
        this.quality.delete(msg.participant);
        this.forgetSpeaker(msg.participant);
        this.events.onParticipantLeft(p);
        this.refreshRemoteTracks();
        break;
      }
      case 'publish.answer':
        this.publishWaiter?.resolve(msg.sdp);
        this.publishWaiter = null;
        break;
      case 'subscribe.offer': {
        // An offer is answered on the socket it came on: after a resume the server has dropped
        // it (a fresh one follows subscribe.restart), so a late answer must not reach the new one.
        const ws = this.ws;
        this.subscribeChain = this.subscribeChain
          .then(() => this.answerSubscribe(msg.sdp, msg.tracks, ws))
          .catch((err) => this.setNotice({ kind: 'negotiation-failed', detail: String(err) }));
        break;
      }
      case 'video-codec':
        // The room switched codecs: the server's next publish answer puts the new one first,
        // and that is what the browser then sends.
        this.videoCodec = msg.videoCodec;
        // What the server asked of the old codec's layers no longer holds.
        delete this.wantedLayers.camera;
        if (this.tx.camera || this.tx.screen) this.requestPublish();
        break;
      case 'chat': this.onChat(msg); break;
      case 'dominant-speaker': this.setDominantSpeaker(msg.participant); break;
      case 'forwarding':
        this.pausedVideo = new Set(msg.paused.map((p) => `${p.source}:${p.participant}`));
        break;
      case 'layers':
        this.wantedLayers[msg.source] = msg.active;
        this.applyLayers(msg.source);
        break;
      case 'error': this.onError(msg); break;
    }
    this.changed();
  }

  private setDominantSpeaker(id: string | null): void {
    this.dominantSpeaker = id;
    if (id !== null && id !== this.selfId && this.participants.has(id)) this.lastRemoteSpeaker = id;
  }

  private forgetSpeaker(id: string): void {
    if (this.dominantSpeaker === id) this.dominantSpeaker = null;
    if (this.lastRemoteSpeaker === id) this.lastRemoteSpeaker = null;
    for (const source of ['camera', 'screen'] as const) this.pausedVideo.delete(`${source}:${id}`);
  }

  private onJoined(msg: Extract<ServerMessage, { type: 'joined' }>): void {
    this.credentials = { participant: msg.participant, secret: msg.secret };
    this.selfId = msg.participant;
    this.videoCodec = msg.videoCodec;
    this.sessionLive = true;
    this.attempt = 0;
    this.phase = 'joined';
    this.participants = new Map(msg.participants.filter((p) => p.id !== msg.participant)
                                                 .map((p) => [p.id, p]));
    if (this.lastRemoteSpeaker !== null && !this.participants.has(this.lastRemoteSpeaker)) {
      this.lastRemoteSpeaker = null;
    }
    this.setDominantSpeaker(msg.dominantSpeaker);
    // A new session starts with everything forwarded; a resumed one hears of changes.
    if (!msg.resumed) this.pausedVideo = new Set();
    this.view.reset();
    this.muteSyncPending = true;
    if (msg.resumed && this.pub && this.sub) {
      // Same session, maybe a new network path: fresh ICE credentials on both connections.
      this.pub.restartIce();
      this.publishDirty = true;
      this.send({ type: 'subscribe.restart' });
    } else {
      this.closePeerConnections();
      this.createPeerConnections();
    }
    this.requestPublish();
    this.refreshRemoteTracks();
  }

  private onError(msg: Extract<ServerMessage, { type: 'error' }>): void {
    if (msg.code === 'resume-failed') {
      // The grace period ended: the server forgot us. Join as a new participant.
      this.credentials = null;
      this.sessionLive = false;
      this.closePeerConnections();
      this.participants = new Map();
      this.remoteTracks = [];
      this.sendJoin();
      return;
    }
    if (FATAL_JOIN_ERRORS.has(msg.code) && (msg.request === 'join' || !this.sessionLive)) {
      this.fatal = { code: msg.code, message: msg.message };
      this.phase = 'failed';
      this.teardown();
      return;
    }
    if (msg.request === 'publish' && this.publishWaiter) {
      this.publishWaiter.reject(new RequestRefused(msg.message));
      this.publishWaiter = null;
    }
    this.setNotice({ kind: 'server-error', code: msg.code, message: msg.message });
  }

  private onChat(msg: Extract<ServerMessage, { type: 'chat' }>): void {
    if (msg.from === this.selfId) {
      // Our own message relayed back: confirm the one shown already.
      const i = this.chat.findIndex((c) => c.own && c.pending && c.text === msg.text);
      if (i >= 0) {
        const copy = [...this.chat];
        copy[i] = { ...copy[i], pending: false, time: msg.time };
        this.chat = copy;
        return;
      }
    }
    const entry: ChatEntry = {
      key: ++this.chatKey, from: msg.from, name: msg.name, text: msg.text, time: msg.time,
      own: msg.from === this.selfId, pending: false,
    };
    this.chat = [...this.chat, entry];
    if (!entry.own) this.events.onChat(entry);
  }

  // ---- peer connections -------------------------------------------------------------------

  private createPeerConnections(): void {
    const pub = new RTCPeerConnection(PC_CONFIG);
    const sub = new RTCPeerConnection(PC_CONFIG);
    this.pub = pub;
    this.sub = sub;
    // Every change to the publish PC (tracks added, screen share, ICE restart) calls
    // requestPublish() itself; negotiationneeded would only duplicate those offers.
    pub.onconnectionstatechange = () => this.onConnectionState(pub);
    sub.onconnectionstatechange = () => this.onConnectionState(sub);
    pub.oniceconnectionstatechange = () => this.watchIce(pub);
    sub.oniceconnectionstatechange = () => this.watchIce(sub);
    sub.ontrack = () => this.refreshRemoteTracks();
    this.trackMap = new Map();
    this.remoteTracks = [];
    this.subscribeChain = Promise.resolve();
    this.tx = { microphone: null, camera: null, screen: null };
    this.wantedLayers = {};  // new senders send every encoding until the server says otherwise

    const m = this.media;
    if (m.microphone) {
      this.tx.microphone = pub.addTransceiver(m.microphone, { direction: 'sendonly' });
    }
    // A camera that is merely off gets its m-section too, so that turning it on needs no offer.
    if (m.camera || (m.cameraOff && !m.cameraMissing)) {
      this.tx.camera = pub.addTransceiver(m.camera ?? 'video', {
        direction: 'sendonly', sendEncodings: cameraEncodings(this.videoCodec),
      });
    }
    if (this.screen) {
      this.tx.screen = pub.addTransceiver(this.screen, { direction: 'sendonly' });
    }
  }

  private closePeerConnections(): void {
    for (const pc of [this.pub, this.sub]) {
      if (!pc) continue;
      pc.onnegotiationneeded = pc.onconnectionstatechange = pc.ontrack = null;
      pc.oniceconnectionstatechange = null;
      pc.close();
    }
    this.iceTimers.forEach((timer) => window.clearTimeout(timer));
    this.iceTimers.clear();
    this.traffic.clear();
    this.restartedAt.clear();
    this.pub = this.sub = null;
    this.publishWaiter?.reject(new SocketLost());
    this.publishWaiter = null;
    this.remoteTracks = [];
    this.mediaInterrupted = false;
  }

  // Adds or swaps the track of a source; a new m-section means a new publish offer.
  private async attach(source: Source, track: MediaStreamTrack): Promise<void> {
    const tx = this.tx[source];
    if (tx) {
      await tx.sender.replaceTrack(track);
      return;
    }
    if (!this.pub) return;  // not joined yet: createPeerConnections() picks the track up
    this.tx[source] = this.pub.addTransceiver(track, source === 'camera'
      ? { direction: 'sendonly', sendEncodings: cameraEncodings(this.videoCodec) }
      : { direction: 'sendonly' });
    this.requestPublish();
  }

  private publishedTracks(): Array<{ mid: string; source: Source }> {
    const out: Array<{ mid: string; source: Source }> = [];
    for (const source of ['microphone', 'camera', 'screen'] as const) {
      const tx = this.tx[source];
      if (tx?.mid && (tx.direction === 'sendonly' || tx.direction === 'sendrecv')) {
        out.push({ mid: tx.mid, source });
      }
    }
    return out;
  }

  private requestPublish(): void {
    this.publishDirty = true;
    void this.pumpPublish();
  }

  // One publish offer at a time; changes meanwhile are folded into the next offer.
  private async pumpPublish(): Promise<void> {
    if (this.publishBusy) return;
    while (this.publishDirty && this.pub && this.sessionLive) {
      const pc = this.pub;
      this.publishDirty = false;
      this.publishBusy = true;
      try {
        if (pc.signalingState === 'have-local-offer') {
          await pc.setLocalDescription({ type: 'rollback' });
        }
        // Without camera and microphone there is nothing to publish (and an offer without
        // m-sections has no BUNDLE group, which browsers refuse): listen only.
        if (pc.getTransceivers().length === 0) continue;
        await pc.setLocalDescription(await pc.createOffer());
        await gatheringComplete(pc);
        if (pc !== this.pub || !this.sessionLive) {
          this.publishDirty = true;
          continue;
        }
        const answer = new Promise<string>((resolve, reject) => {
          this.publishWaiter = { resolve, reject };
        });
        if (!this.send({ type: 'publish', sdp: pc.localDescription!.sdp,
                         tracks: this.publishedTracks() })) {
          throw new SocketLost();
        }
        const sdp = await answer;
        if (pc !== this.pub) continue;
        await pc.setRemoteDescription({ type: 'answer', sdp });
        this.applyLayers('camera');
        this.applyLayers('screen');
        if (this.muteSyncPending) {
          this.muteSyncPending = false;
          this.syncMuteStates();
        }
      } catch (err) {
        if (err instanceof SocketLost) {
          this.publishDirty = true;  // offered again after the rejoin
          break;
        }
        if (!(err instanceof RequestRefused)) {
          this.setNotice({ kind: 'negotiation-failed', detail: String(err) });
        }
      } finally {
        this.publishBusy = false;
      }
    }
  }

  // Turns the simulcast encodings of a source's video sender on or off as the server asked,
  // when the sender has as many encodings as the request (else the request is for another
  // sender, and ignored). The lowest encoding always stays on.
  private applyLayers(source: VideoSource): void {
    this.layersChain = this.layersChain.then(async () => {
      const want = this.wantedLayers[source];
      const sender = this.tx[source]?.sender;
      if (!sender || this.pub?.signalingState === 'closed') return;
      const params = sender.getParameters();
      const encodings = params.encodings ?? [];
      if (encodings.length === 1) {
        if (applySpatialLayers(encodings[0], want, this.videoCodec)) {
          await sender.setParameters(params);
        }
        return;
      }
      if (!want || encodings.length !== want.length) return;
      let changed = false;
      encodings.forEach((e, i) => {
        const active = i === 0 || want[i];
        if ((e.active !== false) !== active) {
          e.active = active;
          changed = true;
        }
      });
      if (changed) await sender.setParameters(params);
    }).catch(() => { /* the sender went away or renegotiates: the next request applies */ });
  }

  // Tells the server the current mute states (after joining, and after a resume, since
  // toggles made while offline could not be sent).
  private syncMuteStates(): void {
    if (this.tx.microphone) this.sendMute('microphone', this.media.micMuted);
    if (this.tx.camera) this.sendMute('camera', !this.media.camera);
  }

  private sendMute(source: 'microphone' | 'camera', muted: boolean): void {
    if (!this.tx[source]) return;
    this.send({ type: 'mute', source, muted });
  }

  private async answerSubscribe(sdp: string, tracks: SubscribedTrack[],
                                ws: WebSocket | null): Promise<void> {
    const pc = this.sub;
    if (!pc) return;
    await pc.setRemoteDescription({ type: 'offer', sdp });
    this.trackMap = new Map(tracks.map((t) => [t.mid, t]));
    this.refreshRemoteTracks();
    await pc.setLocalDescription(await pc.createAnswer());
    await gatheringComplete(pc);
    if (pc !== this.sub || ws !== this.ws) return;
    this.send({ type: 'subscribe.answer', sdp: pc.localDescription!.sdp });
    this.refreshRemoteTracks();
    this.changed();
  }

  // Which remote track is whose: the subscribe offer's map from mid to participant and source,
  // applied to the subscribe PC's transceivers by their mid.
  private refreshRemoteTracks(): void {
    const sub = this.sub;
    if (!sub || sub.signalingState === 'closed') {
      this.remoteTracks = [];
      return;
    }
    const out: RemoteTrack[] = [];
    for (const t of sub.getTransceivers()) {
      const info = t.mid !== null ? this.trackMap.get(t.mid) : undefined;
      if (!info || !t.receiver.track || !this.participants.has(info.participant)) continue;
      out.push({ ...info, track: t.receiver.track });
    }
    this.remoteTracks = out;
    this.changed();
  }

  private onConnectionState(pc: RTCPeerConnection): void {
    const states = [this.pub?.connectionState, this.sub?.connectionState];
    this.mediaInterrupted = states.includes('disconnected') || states.includes('failed');
    if (pc.connectionState === 'failed') this.watchIce(pc);
    this.changed();
  }

  // Restarts ICE on a connection that stays broken, and keeps retrying until it connects.
  private watchIce(pc: RTCPeerConnection): void {
    const state = pc.iceConnectionState;
    if (state !== 'disconnected' && state !== 'failed') {
      if (state === 'connected' || state === 'completed' || state === 'closed') {
        window.clearTimeout(this.iceTimers.get(pc));
        this.iceTimers.delete(pc);
      }
      return;
    }
    if (this.iceTimers.has(pc)) return;
    this.scheduleIceRestart(pc, state === 'failed' ? 0 : ICE_RESTART_AFTER_MS);
  }

  private scheduleIceRestart(pc: RTCPeerConnection, delayMs: number): void {
    this.iceTimers.set(pc, window.setTimeout(() => {
      this.iceTimers.delete(pc);
      const state = pc.iceConnectionState;
      if (pc !== this.pub && pc !== this.sub) return;
      if (state === 'connected' || state === 'completed' || state === 'closed') return;
      // Without a live socket the rejoin restarts ICE itself (onJoined); check again later.
      this.restartIce(pc);
      this.scheduleIceRestart(pc, ICE_RETRY_MS);
    }, delayMs));
  }

  // A connection that still says 'connected' but has received nothing for SILENCE_MS gets an
  // ICE restart, and another one every SILENCE_MS while the silence lasts.
  private async checkTraffic(): Promise<void> {
    for (const pc of [this.pub, this.sub]) {
      if (!pc || !this.sessionLive) continue;
      if (pc.iceConnectionState !== 'connected' && pc.iceConnectionState !== 'completed') continue;
      let bytes = 0;
      try {
        (await pc.getStats()).forEach((r) => {
          if (r.type === 'transport') bytes += (r as RTCTransportStats).bytesReceived ?? 0;
        });
      } catch {
        continue;  // closed meanwhile
      }
      const now = performance.now();
      const seen = this.traffic.get(pc);
      if (!seen || bytes !== seen.bytes) {
        this.traffic.set(pc, { bytes, at: now });
      } else if (now - Math.max(seen.at, this.restartedAt.get(pc) ?? 0) >= SILENCE_MS) {
        this.restartIce(pc);
      }
    }
  }

  private restartIce(pc: RTCPeerConnection): void {
    if (!this.sessionLive) return;
    if (pc === this.pub) {
      pc.restartIce();
      this.requestPublish();
    } else if (pc === this.sub) {
      this.send({ type: 'subscribe.restart' });
    } else {
      return;
    }
    this.restartedAt.set(pc, performance.now());
  }

  private async pollStats(): Promise<void> {
    const { pub, sub } = this;
    if (!pub || !sub || !this.selfId) return;
    try {
      const [subReport, pubReport] = await Promise.all([sub.getStats(), pub.getStats()]);
      if (sub !== this.sub) return;
      const midOwner = new Map<string, string>();
      const trackOwner = new Map<string, string>();
      const cameraMids = new Set<string>();
      for (const r of this.remoteTracks) {
        midOwner.set(r.mid, r.participant);
        trackOwner.set(r.track.id, r.participant);
        const camera = this.participants.get(r.participant)?.tracks
          .find((t) => t.source === 'camera');
        if (r.source === 'camera' && camera && !camera.muted) cameraMids.add(r.mid);
      }
      const next = this.meter.remote(subReport, midOwner, trackOwner, cameraMids);
      next.set(this.selfId, this.meter.local(pubReport, !!this.media.camera));
      this.quality = next;
      this.changed();
    } catch {
      // a connection closed meanwhile
    }
  }

  // ---- helpers ----------------------------------------------------------------------------

  private setNotice(notice: Notice): void {
    this.notice = notice;
    this.changed();
  }

  private teardown(): void {
    window.clearTimeout(this.retryTimer);
    window.clearTimeout(this.connectTimer);
    window.clearInterval(this.statsTimer);
    window.clearInterval(this.trafficTimer);
    this.view.dispose();
    this.sessionLive = false;
    if (this.ws) {
      const ws = this.ws;
      this.ws = null;
      ws.onopen = ws.onclose = ws.onmessage = null;
      ws.close();
    }
    this.closePeerConnections();
    if (this.screen) {
      this.screen.onended = null;
      this.screen.stop();
      this.screen = null;
    }
    this.media.stop();
  }

  // Coalesces many changes in one task into one re-render.
  private changed(): void {
    if (this.changeQueued) return;
    this.changeQueued = true;
    queueMicrotask(() => {
      this.changeQueued = false;
      this.events.onChange();
    });
  }
}
