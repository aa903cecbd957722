// Connection quality per participant from RTCPeerConnection.getStats()
// (https://www.w3.org/TR/webrtc-stats/): packet loss, jitter and round-trip time of the path,
// and the frame rate of the participant's camera video.

export type QualityLevel = 'good' | 'medium' | 'poor' | 'unknown';

export interface Quality {
  level: QualityLevel;
  lossPercent: number | null;
  jitterMs: number | null;
  rttMs: number | null;
  fps: number | null;
}

export const UNKNOWN_QUALITY: Quality =
  { level: 'unknown', lossPercent: null, jitterMs: null, rttMs: null, fps: null };

type Report = Record<string, unknown> & { id: string; type: string };

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

// Thresholds in line with common meeting apps: users notice loss above ~2 %, jitter above
// ~30 ms and round trips above ~300 ms; video below ~10 fps looks choppy.
export function rate(q: Omit<Quality, 'level'>, videoExpected: boolean): QualityLevel {
  const { lossPercent: loss, jitterMs: jitter, rttMs: rtt, fps } = q;
  if (loss === null && rtt === null && jitter === null) return 'unknown';
  if ((loss ?? 0) > 8 || (rtt ?? 0) > 600 || (jitter ?? 0) > 100 ||
      (videoExpected && fps !== null && fps < 5)) return 'poor';
  if ((loss ?? 0) > 2 || (rtt ?? 0) > 300 || (jitter ?? 0) > 30 ||
      (videoExpected && fps !== null && fps < 12)) return 'medium';
  return 'good';
}

function selectedPairRtt(reports: Map<string, Report>): number | null {
  for (const r of reports.values()) {
    if (r.type === 'transport' && typeof r.selectedCandidatePairId === 'string') {
      const pair = reports.get(r.selectedCandidatePairId);
      const rtt = num(pair?.currentRoundTripTime);
      if (rtt !== null) return rtt * 1000;
    }
  }
  for (const r of reports.values()) {  // Firefox marks the pair itself
    if (r.type === 'candidate-pair' && (r.selected === true || r.nominated === true)) {
      const rtt = num(r.currentRoundTripTime);
      if (rtt !== null) return rtt * 1000;
    }
  }
  return null;
}

interface Counters { received: number; lost: number }

// Keeps the previous counters so that loss is measured over the last interval, not since the
// start of the call.
export class QualityMeter {
  private previous = new Map<string, Counters>();

  // Remote participants, from the subscribe PC. midOwner maps a mid to its participant, and
  // cameraMids lists the mids carrying camera video that is expected to be moving.
  remote(report: RTCStatsReport, midOwner: Map<string, string>, trackOwner: Map<string, string>,
         cameraMids: Set<string>): Map<string, Quality> {
    const reports = toMap(report);
    const rtt = selectedPairRtt(reports);
    const acc = new Map<string, { lost: number; total: number; jitter: number | null;
                                  fps: number | null; video: boolean }>();
    const seen = new Map<string, Counters>();
    for (const r of reports.values()) {
      if (r.type !== 'inbound-rtp') continue;
      const mid = typeof r.mid === 'string' ? r.mid : null;
      const owner = (mid && midOwner.get(mid)) ??
                    (typeof r.trackIdentifier === 'string' ? trackOwner.get(r.trackIdentifier) : undefined);
      if (!owner) continue;
      const received = num(r.packetsReceived) ?? 0;
      const lost = Math.max(0, num(r.packetsLost) ?? 0);
      const before = this.previous.get(r.id);
      seen.set(r.id, { received, lost });
      const a = acc.get(owner) ?? { lost: 0, total: 0, jitter: null, fps: null, video: false };
      if (before) {
        const dLost = Math.max(0, lost - before.lost);
        const dRecv = Math.max(0, received - before.received);
        a.lost += dLost;
        a.total += dLost + dRecv;
      }
      const jitter = num(r.jitter);
      if (jitter !== null) a.jitter = Math.max(a.jitter ?? 0, jitter * 1000);
      if (r.kind === 'video' && mid && cameraMids.has(mid)) {
        a.video = true;
        a.fps = num(r.framesPerSecond) ?? (before && received === before.received ? 0 : a.fps);
      }
      acc.set(owner, a);
    }
    this.previous = seen;
    const out = new Map<string, Quality>();
    for (const [owner, a] of acc) {
      const q = { lossPercent: a.total > 0 ? (100 * a.lost) / a.total : null,
                  jitterMs: a.jitter, rttMs: rtt, fps: a.fps };
      out.set(owner, { ...q, level: rate(q, a.video) });
    }
    return out;
  }

  // This browser's own uplink, from the publish PC: what the server reports back in RTCP
  // receiver reports (remote-inbound-rtp), and the frame rate the camera is sent at.
  local(report: RTCStatsReport, cameraOn: boolean): Quality {
    const reports = toMap(report);
    let loss: number | null = null;
    let jitter: number | null = null;
    let rtt: number | null = null;
    let fps: number | null = null;
    for (const r of reports.values()) {
      if (r.type === 'remote-inbound-rtp') {
        const fraction = num(r.fractionLost);
        if (fraction !== null) loss = Math.max(loss ?? 0, fraction * 100);
        const j = num(r.jitter);
        if (j !== null) jitter = Math.max(jitter ?? 0, j * 1000);
        const t = num(r.roundTripTime);
        if (t !== null) rtt = Math.max(rtt ?? 0, t * 1000);
      } else if (r.type === 'outbound-rtp' && r.kind === 'video' && cameraOn) {
        const f = num(r.framesPerSecond);
        if (f !== null) fps = Math.max(fps ?? 0, f);
      }
    }
    rtt ??= selectedPairRtt(reports);
    const q = { lossPercent: loss, jitterMs: jitter, rttMs: rtt, fps };
    return { ...q, level: rate(q, false) };
  }
}

function toMap(report: RTCStatsReport): Map<string, Report> {
  const m = new Map<string, Report>();
  report.forEach((r: Report) => m.set(r.id, r));
  return m;
}
