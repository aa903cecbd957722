// The figures the echo test shows, read from RTCPeerConnection.getStats()
// (https://www.w3.org/TR/webrtc-stats/).

export interface CandidateInfo {
  address: string;
  port: number;
  protocol: string;
  candidateType: string;
}

export interface EchoStats {
  videoFramesDecoded: number | null;
  videoWidth: number | null;
  videoHeight: number | null;
  videoFps: number | null;
  audioPacketsReceived: number | null;
  outboundBitrateKbps: number | null;
  roundTripMs: number | null;
  localCandidate: CandidateInfo | null;
  remoteCandidate: CandidateInfo | null;
}

// What is needed from the previous sample to turn byte counters into a bitrate.
export interface StatsSample {
  timestampMs: number;
  bytesSent: number;
}

type Report = Record<string, unknown> & { id: string; type: string; timestamp: number };

function num(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

function candidateInfo(report: Report | undefined): CandidateInfo | null {
  if (!report) return null;
  // "address" is the current name; older browsers only have "ip".
  const address = typeof report.address === 'string' ? report.address
                : typeof report.ip === 'string' ? report.ip : '';
  return {
    address,
    port: num(report.port) ?? 0,
    protocol: typeof report.protocol === 'string' ? report.protocol : '',
    candidateType: typeof report.candidateType === 'string' ? report.candidateType : '',
  };
}

function selectedPair(reports: Map<string, Report>): Report | undefined {
  for (const r of reports.values()) {
    if (r.type === 'transport' && typeof r.selectedCandidatePairId === 'string') {
      const pair = reports.get(r.selectedCandidatePairId);
      if (pair) return pair;
    }
  }
  // Firefox marks the pair itself instead.
  for (const r of reports.values()) {
    if (r.type === 'candidate-pair' && (r.selected === true ||
        (r.nominated === true && r.state === 'succeeded'))) {
      return r;
    }
  }
  return undefined;
}

export function summarize(report: RTCStatsReport, previous: StatsSample | null):
    { stats: EchoStats; sample: StatsSample } {
  const reports = new Map<string, Report>();
  report.forEach((value: Report) => reports.set(value.id, value));

  const stats: EchoStats = {
    videoFramesDecoded: null, videoWidth: null, videoHeight: null, videoFps: null,
    audioPacketsReceived: null, outboundBitrateKbps: null, roundTripMs: null,
    localCandidate: null, remoteCandidate: null,
  };
  let bytesSent = 0;
  let timestampMs = 0;
  for (const r of reports.values()) {
    if (r.type === 'inbound-rtp' && r.kind === 'video') {
      stats.videoFramesDecoded = num(r.framesDecoded);
      stats.videoWidth = num(r.frameWidth);
      stats.videoHeight = num(r.frameHeight);
      stats.videoFps = num(r.framesPerSecond);
    } else if (r.type === 'inbound-rtp' && r.kind === 'audio') {
      stats.audioPacketsReceived = num(r.packetsReceived);
    } else if (r.type === 'outbound-rtp') {
      bytesSent += num(r.bytesSent) ?? 0;
      timestampMs = Math.max(timestampMs, r.timestamp);
    }
  }
  if (previous && timestampMs > previous.timestampMs && bytesSent >= previous.bytesSent) {
    stats.outboundBitrateKbps =
        ((bytesSent - previous.bytesSent) * 8) / (timestampMs - previous.timestampMs);
  }

  const pair = selectedPair(reports);
  if (pair) {
    const rtt = num(pair.currentRoundTripTime);
    stats.roundTripMs = rtt === null ? null : rtt * 1000;
    stats.localCandidate = candidateInfo(reports.get(String(pair.localCandidateId)));
    stats.remoteCandidate = candidateInfo(reports.get(String(pair.remoteCandidateId)));
  }
  return { stats, sample: { timestampMs, bytesSent } };
}
