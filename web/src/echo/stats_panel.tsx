// The echo test's live figures, as a definition list (readable by screen readers).
import type { CandidateInfo, EchoStats } from './stats';

function show(value: number | null, digits = 0, unit = ''): string {
  return value === null ? '–' : `${value.toFixed(digits)}${unit}`;
}

function showCandidate(c: CandidateInfo | null): string {
  if (!c) return '–';
  const host = c.address.includes(':') ? `[${c.address}]` : c.address;
  return `${host}:${c.port} ${c.protocol.toUpperCase()}${c.candidateType ? ` (${c.candidateType})` : ''}`;
}

export function StatsPanel({ stats }: { stats: EchoStats | null }) {
  const s = stats;
  const size = s && s.videoWidth !== null && s.videoHeight !== null
    ? `${s.videoWidth} × ${s.videoHeight}` : '–';
  const rows: Array<[string, string, string]> = [
    ['stat-frames', 'Echoed video frames decoded', show(s?.videoFramesDecoded ?? null)],
    ['stat-size', 'Echoed video size', size],
    ['stat-fps', 'Echoed video frame rate', show(s?.videoFps ?? null, 0, ' fps')],
    ['stat-audio-packets', 'Echoed audio packets received',
     show(s?.audioPacketsReceived ?? null)],
    ['stat-bitrate', 'Sending', show(s?.outboundBitrateKbps ?? null, 0, ' kbit/s')],
    ['stat-rtt', 'Round-trip time', show(s?.roundTripMs ?? null, 1, ' ms')],
    ['stat-local', 'Your address', showCandidate(s?.localCandidate ?? null)],
    ['stat-remote', 'Server address', showCandidate(s?.remoteCandidate ?? null)],
  ];
  return (
    <section class="stats" aria-labelledby="stats-heading">
      <h2 id="stats-heading">Connection figures</h2>
      <dl>
        {rows.map(([id, label, value]) => (
          <div class="stat" key={id}>
            <dt>{label}</dt>
            <dd id={id}>{value}</dd>
          </div>
        ))}
      </dl>
    </section>
  );
}
