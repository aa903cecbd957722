// The echo test in a real Chromium: the page's camera and microphone go to treff and come
// back on the same peer connection. Proves the media went through the server: the selected
// candidate pair ends at treff's media port, the page has exactly one RTCPeerConnection, and
// treff's own RTP counters rise.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { counterValue, launchChromium, startTreff, waitFor } from './helpers.mjs';

const MEDIA_PORT = 20000;

let treff;
let browser;

before(async () => {
  treff = await startTreff({ mediaPort: MEDIA_PORT });
  browser = await launchChromium();
});

after(async () => {
  await browser?.close().catch(() => {});
  await treff?.stop();
});

// Runs in the page before its own scripts: keeps every RTCPeerConnection the page creates.
function countPeerConnections() {
  const Original = window.RTCPeerConnection;
  window.__treffPeerConnections = [];
  window.RTCPeerConnection = class extends Original {
    constructor(...args) {
      super(...args);
      window.__treffPeerConnections.push(this);
    }
  };
}

// Runs in the page: the figures the test asserts on, from the first peer connection.
async function pageFigures() {
  const pcs = window.__treffPeerConnections;
  const video = document.getElementById('echo-video');
  const out = {
    peerConnections: pcs.length,
    connectionState: pcs[0]?.connectionState ?? 'none',
    error: document.getElementById('error')?.textContent ?? null,
    videoWidth: video?.videoWidth ?? 0,
    framesDecoded: null,
    audioPacketsReceived: null,
    remoteCandidate: null,
    senderPliCount: null,
    videoHeight: video?.videoHeight ?? 0,
    framesPerSecond: null,
    rttMs: null,
  };
  if (!pcs[0]) return out;
  const reports = new Map();
  (await pcs[0].getStats()).forEach((r) => reports.set(r.id, r));
  let pair;
  for (const r of reports.values()) {
    if (r.type === 'inbound-rtp' && r.kind === 'video') {
      out.framesDecoded = r.framesDecoded ?? 0;
      out.framesPerSecond = r.framesPerSecond ?? null;
    }
    // Keyframe requests that reached the page's own video sender.
    if (r.type === 'outbound-rtp' && r.kind === 'video') out.senderPliCount = r.pliCount ?? 0;
    if (r.type === 'inbound-rtp' && r.kind === 'audio') out.audioPacketsReceived = r.packetsReceived;
    if (r.type === 'transport' && r.selectedCandidatePairId) {
      pair = reports.get(r.selectedCandidatePairId);
    }
  }
  if (pair?.currentRoundTripTime !== undefined) out.rttMs = pair.currentRoundTripTime * 1000;
  const remote = pair && reports.get(pair.remoteCandidateId);
  if (remote) out.remoteCandidate = { address: remote.address ?? remote.ip, port: remote.port };
  return out;
}

async function metrics() {
  const res = await fetch(new URL('/metrics', treff.url));
  assert.equal(res.status, 200, 'GET /metrics');
  const text = await res.text();
  return {
    received: counterValue(text, 'treff_rtp_packets_received_total'),
    sent: counterValue(text, 'treff_rtp_packets_sent_total'),
  };
}

test('echo test: media goes to treff and comes back', { timeout: 90_000 }, async (t) => {
  const context = await browser.newContext();
  try {
    await context.addInitScript(countPeerConnections);
    const page = await context.newPage();
    await page.goto(new URL('/echo', treff.url).href);
    await page.getByRole('button', { name: 'Start echo test' }).click();

    // Connected, or a readable error on the page that says why not.
    const connected = await waitFor(async () => {
      const f = await page.evaluate(pageFigures);
      if (f.error) throw new Error(`the page shows an error: ${f.error}`);
      return f.connectionState === 'connected' && f;
    }, { timeoutMs: 20_000, what: 'the peer connection to connect' });
    assert.equal(connected.peerConnections, 1, 'exactly one RTCPeerConnection');

    // Within 10 s of connecting: decoded echo video that keeps moving, and echoed audio.
    let latest;
    const first = await waitFor(async () => {
      const f = latest = await page.evaluate(pageFigures);
      return f.framesDecoded > 0 && f.videoWidth > 0 && f.audioPacketsReceived > 0 && f;
    }, { timeoutMs: 10_000, what: 'decoded echo video and received echo audio',
         last: () => latest });
    const metricsBefore = await metrics();
    await new Promise((r) => setTimeout(r, 1500));
    const second = await page.evaluate(pageFigures);
    const metricsAfter = await metrics();

    assert.ok(second.framesDecoded > first.framesDecoded,
              `framesDecoded rises (${first.framesDecoded} -> ${second.framesDecoded})`);
    assert.ok(second.videoWidth > 0, 'the echo <video> has a picture');
    assert.ok(second.audioPacketsReceived > 0, 'echoed audio packets arrive');
    assert.deepEqual(second.remoteCandidate, { address: '127.0.0.1', port: MEDIA_PORT },
                     'the selected candidate pair ends at treff\'s media port');
    assert.equal(second.peerConnections, 1, 'still exactly one RTCPeerConnection');
    // treff asks the sender for a keyframe when the echoed stream starts (PLI).
    assert.ok(second.senderPliCount >= 1, `the video sender got a keyframe request (${second.senderPliCount})`);

    assert.notEqual(metricsBefore.received, null, 'treff_rtp_packets_received_total exported');
    assert.notEqual(metricsBefore.sent, null, 'treff_rtp_packets_sent_total exported');
    assert.ok(metricsAfter.received > metricsBefore.received,
              `treff received RTP (${metricsBefore.received} -> ${metricsAfter.received})`);
    assert.ok(metricsAfter.sent > metricsBefore.sent,
              `treff sent RTP (${metricsBefore.sent} -> ${metricsAfter.sent})`);

    t.diagnostic(`measured: ${JSON.stringify({ first, second, metricsBefore, metricsAfter })}`);

    // ICE restart: new credentials on both sides, and the echo keeps going without a new
    // peer connection.
    const ufragOf = (sdp) => /a=ice-ufrag:(\S+)/.exec(sdp)?.[1];
    const before = await page.evaluate(() => window.__treffPeerConnections[0].remoteDescription.sdp);
    await page.evaluate(() => window.__treffPeerConnections[0].restartIce());
    const restarted = await waitFor(async () => {
      const sdp = await page.evaluate(() => window.__treffPeerConnections[0].remoteDescription.sdp);
      return ufragOf(sdp) !== ufragOf(before) && sdp;
    }, { timeoutMs: 10_000, what: 'the answer to the ICE restart' });
    assert.ok(ufragOf(restarted), 'the restart answer has an ice-ufrag');
    const afterRestart = await waitFor(async () => {
      const f = await page.evaluate(pageFigures);
      return f.connectionState === 'connected' && f.framesDecoded > second.framesDecoded + 10 && f;
    }, { timeoutMs: 10_000, what: 'echo video to keep decoding after the ICE restart',
         last: () => latest });
    assert.equal(afterRestart.peerConnections, 1, 'the restart kept the one RTCPeerConnection');
    t.diagnostic(`after ICE restart: ${JSON.stringify(afterRestart)}`);

    // The stats panel shows the same path.
    const shownRemote = await page.locator('#stat-remote').textContent();
    assert.match(shownRemote, new RegExp(`^127\\.0\\.0\\.1:${MEDIA_PORT} UDP`));

    // Stop closes the peer connection and releases the camera.
    await page.getByRole('button', { name: 'Stop' }).click();
    // The page re-renders after the click: wait (briefly) for the camera to be released.
    const stopped = await waitFor(async () => {
      const f = await page.evaluate(() => ({
        state: window.__treffPeerConnections[0].connectionState,
        camera: document.getElementById('local-video')?.srcObject ?? null,
      }));
      return f.state === 'closed' && f.camera === null && f;
    }, { timeoutMs: 3000, what: 'Stop to close the connection and release the camera' });
    assert.equal(stopped.state, 'closed');
    assert.equal(stopped.camera, null);
    await page.getByRole('button', { name: 'Start echo test' }).waitFor();
  } catch (err) {
    err.message += `\n--- treff output ---\n${treff.output()}`;
    throw err;
  } finally {
    await context.close().catch(() => {});
  }
});
