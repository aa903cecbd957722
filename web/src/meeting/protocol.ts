// The meeting's signaling messages (docs/protocol.md, "Meeting signaling protocol v1"):
// typed client messages, and server messages parsed and checked once, here at the edge.

export type Source = 'microphone' | 'camera' | 'screen';
export type Kind = 'audio' | 'video';

export interface TrackState {
  source: Source;
  kind: Kind;
  muted: boolean;
}

export interface ParticipantInfo {
  id: string;
  name: string;
  reconnecting: boolean;
  tracks: TrackState[];
}

export interface SubscribedTrack {
  mid: string;
  participant: string;
  source: Source;
  kind: Kind;
}

// A video the client shows: which participant's source, at how many device pixels.
export interface ViewTile {
  participant: string;
  source: 'camera' | 'screen';
  width: number;
  height: number;
}

export type VideoSource = ViewTile['source'];

export type ClientMessage =
  | { type: 'join'; meeting: string; name: string; resume?: { participant: string; secret: string };
      videoCodecs: string[] }
  | { type: 'publish'; sdp: string; tracks: Array<{ mid: string; source: Source }> }
  | { type: 'subscribe.answer'; sdp: string }
  | { type: 'subscribe.restart' }
  | { type: 'mute'; source: 'microphone' | 'camera'; muted: boolean }
  | { type: 'chat'; text: string }
  | { type: 'view'; tiles: ViewTile[]; pinned: string[]; lastN?: number }
  | { type: 'leave' };

export type ServerMessage =
  | { type: 'joined'; participant: string; secret: string; meeting: string; resumed: boolean;
      participants: ParticipantInfo[]; videoCodec: string; dominantSpeaker: string | null }
  | { type: 'video-codec'; videoCodec: string }
  | { type: 'participant.joined'; participant: ParticipantInfo }
  | { type: 'participant.updated'; participant: ParticipantInfo }
  | { type: 'participant.left'; participant: string }
  | { type: 'publish.answer'; sdp: string }
  | { type: 'subscribe.offer'; sdp: string; tracks: SubscribedTrack[] }
  | { type: 'chat'; from: string; name: string; text: string; time: number }
  | { type: 'dominant-speaker'; participant: string }
  | { type: 'forwarding'; paused: Array<{ participant: string; source: VideoSource }> }
  | { type: 'layers'; source: VideoSource; active: boolean[] }
  | { type: 'error'; code: string; message: string; request: string | null };

export function encode(message: ClientMessage): string {
  return JSON.stringify({ ...message, version: 1 });
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): v is string => typeof v === 'string';
const isSource = (v: unknown): v is Source =>
  v === 'microphone' || v === 'camera' || v === 'screen';
const isKind = (v: unknown): v is Kind => v === 'audio' || v === 'video';
const isVideoSource = (v: unknown): v is VideoSource => v === 'camera' || v === 'screen';
// Simulcast has a handful of encodings; a longer list is not a real layers message.
const MAX_LAYERS = 8;

function participant(v: unknown): ParticipantInfo | null {
  if (!isObj(v) || !str(v.id) || !str(v.name)) return null;
  const tracks: TrackState[] = [];
  if (Array.isArray(v.tracks)) {
    for (const t of v.tracks) {
      if (isObj(t) && isSource(t.source) && isKind(t.kind)) {
        tracks.push({ source: t.source, kind: t.kind, muted: t.muted === true });
      }
    }
  }
  return { id: v.id, name: v.name, reconnecting: v.reconnecting === true, tracks };
}

// Returns null for anything malformed or unknown; the caller ignores it.
export function parseServerMessage(text: string): ServerMessage | null {
  let m: unknown;
  try {
    m = JSON.parse(text);
  } catch {
    return null;
  }
  if (!isObj(m)) return null;
  switch (m.type) {
    case 'joined': {
      if (!str(m.participant) || !str(m.secret)) return null;
      const others = Array.isArray(m.participants) ? m.participants.map(participant) : [];
      return {
        type: 'joined', participant: m.participant, secret: m.secret,
        meeting: str(m.meeting) ? m.meeting : '', resumed: m.resumed === true,
        participants: others.filter((p): p is ParticipantInfo => p !== null),
        videoCodec: str(m.videoCodec) ? m.videoCodec : 'VP8',
        dominantSpeaker: str(m.dominantSpeaker) ? m.dominantSpeaker : null,
      };
    }
    case 'video-codec':
      return str(m.videoCodec) ? { type: 'video-codec', videoCodec: m.videoCodec } : null;
    case 'participant.joined':
    case 'participant.updated': {
      const p = participant(m.participant);
      return p ? { type: m.type, participant: p } : null;
    }
    case 'participant.left':
      return str(m.participant) ? { type: 'participant.left', participant: m.participant } : null;
    case 'publish.answer':
      return str(m.sdp) ? { type: 'publish.answer', sdp: m.sdp } : null;
    case 'subscribe.offer': {
      if (!str(m.sdp)) return null;
      const tracks: SubscribedTrack[] = [];
      if (Array.isArray(m.tracks)) {
        for (const t of m.tracks) {
          if (isObj(t) && str(t.mid) && str(t.participant) && isSource(t.source) && isKind(t.kind)) {
            tracks.push({ mid: t.mid, participant: t.participant, source: t.source, kind: t.kind });
          }
        }
      }
      return { type: 'subscribe.offer', sdp: m.sdp, tracks };
    }
    case 'chat':
      if (!str(m.from) || !str(m.text)) return null;
      return {
        type: 'chat', from: m.from, name: str(m.name) ? m.name : '', text: m.text,
        time: typeof m.time === 'number' && Number.isFinite(m.time) ? m.time : Date.now(),
      };
    case 'dominant-speaker':
      return str(m.participant) ? { type: 'dominant-speaker', participant: m.participant } : null;
    case 'forwarding': {
      // All or nothing: a list with a bad entry could hide what is really paused.
      if (!Array.isArray(m.paused)) return null;
      const paused: Array<{ participant: string; source: VideoSource }> = [];
      for (const p of m.paused) {
        if (!isObj(p) || !str(p.participant) || !isVideoSource(p.source)) return null;
        paused.push({ participant: p.participant, source: p.source });
      }
      return { type: 'forwarding', paused };
    }
    case 'layers': {
      const a = m.active;
      if (!isVideoSource(m.source) || !Array.isArray(a) || a.length === 0 || a.length > MAX_LAYERS ||
          !a.every((x) => typeof x === 'boolean')) {
        return null;
      }
      return { type: 'layers', source: m.source, active: a as boolean[] };
    }
    case 'error':
      return {
        type: 'error',
        code: str(m.code) ? m.code : 'unknown',
        message: str(m.message) ? m.message : '',
        request: str(m.request) ? m.request : null,
      };
    default:
      return null;
  }
}

// The video codecs a room may use that this browser can both send and receive, by their SDP
// names. H.264 counts only in packetization mode 1, the one the server takes.
export function sendAndReceiveVideoCodecs(): string[] {
  const names = (codecs: RTCRtpCodec[] | undefined) => new Set((codecs ?? [])
    .filter((c) => !/^video\/H264$/i.test(c.mimeType) || /packetization-mode=1/.test(c.sdpFmtpLine ?? ''))
    .map((c) => c.mimeType.replace(/^video\//i, '').toUpperCase()));
  if (typeof RTCRtpSender.getCapabilities !== 'function') return ['VP8'];
  const send = names(RTCRtpSender.getCapabilities('video')?.codecs);
  const receive = names(RTCRtpReceiver.getCapabilities('video')?.codecs);
  return ['VP8', 'VP9', 'H264', 'AV1'].filter((c) => send.has(c) && receive.has(c));
}

// ws: or wss: to match the page, on the page's own host (no other origin is ever contacted).
export function signalingUrl(location: Location): string {
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${location.host}/ws`;
}

// The contract's rule for display names: 1..64 characters after trimming, no control characters.
export function tidyDisplayName(input: string): string | null {
  const name = input.trim();
  const length = [...name].length;  // code points, not UTF-16 units
  if (length < 1 || length > 64 || /[\u0000-\u001f\u007f-\u009f]/.test(name)) return null;
  return name;
}
