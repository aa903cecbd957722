// Shared pieces of the meeting browser tests: joining through the real UI, reading what each
// page receives (per remote participant, from the subscribe peer connection's stats), the
// server's RTP counters, and recording every request a context makes.
import assert from 'node:assert/strict';
import { counterValue, waitFor } from './helpers.mjs';

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Runs in the page before its own scripts: keeps every RTCPeerConnection the page creates, and
// a log of their ICE and connection state changes ([ms since load, index, ice, connection]).
export function countPeerConnections() {
  const Original = window.RTCPeerConnection;
  window.__treffPeerConnections = [];
  window.__treffStateLog = [];
  window.RTCPeerConnection = class extends Original {
    constructor(...args) {
      super(...args);
      const index = window.__treffPeerConnections.push(this) - 1;
      const log = () => window.__treffStateLog.push(
        [Math.round(performance.now()), index, this.iceConnectionState, this.connectionState]);
      this.addEventListener('iceconnectionstatechange', log);
      this.addEventListener('connectionstatechange', log);
    }
  };
}

// Runs in the page before its own scripts: records Content-Security-Policy violations.
export function recordCspViolations() {
  window.__treffCspViolations = [];
  document.addEventListener('securitypolicyviolation', (e) => {
    window.__treffCspViolations.push(`${e.violatedDirective} ${e.blockedURI}`);
  });
}

// A new context (its own participant) whose requests, WebSockets and responses are recorded.
export async function watchedContext(browser) {
  const context = await browser.newContext();
  await context.addInitScript(countPeerConnections);
  await context.addInitScript(recordCspViolations);
  const seen = { requests: [], websockets: [], responses: [] };
  context.on('request', (req) => seen.requests.push(req.url()));
  context.on('response', (res) => seen.responses.push(res));
  context.on('page', (page) => page.on('websocket', (ws) => seen.websockets.push(ws.url())));
  return { context, seen };
}

// Joins through the UI: from the landing page either "Start a meeting" (meeting omitted) or the
// join form with the meeting's name, or straight at the meeting's URL (direct: true); then the
// pre-join name field and Join. Returns { page, id, meeting } once the page shows its own tile
// under the id the server gave it.
export async function joinMeeting(context, baseUrl, { meeting, name, direct = false }) {
  const page = await context.newPage();
  if (direct) {
    await page.goto(new URL(`/${meeting}`, baseUrl).href);
  } else {
    await page.goto(baseUrl);
    if (meeting) {
      await page.locator('#meeting-name').fill(meeting);
      await Promise.all([page.waitForURL(new URL(`/${meeting}`, baseUrl).href, { timeout: 10_000 }),
                         page.locator('#join-meeting-name').click()]);
    } else {
      await Promise.all([page.waitForURL((url) => url.pathname.length > 1, { timeout: 10_000 }),
                         page.locator('#start-meeting').click()]);
    }
  }
  const joined = decodeURIComponent(new URL(page.url()).pathname.slice(1));
  if (meeting) assert.equal(joined, meeting, 'the page is at the meeting\'s URL');
  await page.locator('#display-name').fill(name, { timeout: 10_000 });
  await page.locator('#join-button').click();
  const id = await waitFor(() => page.evaluate(() => {
    const id = document.querySelector('figure.tile[data-local]')?.getAttribute('data-participant');
    return id && id !== 'self' ? id : null;
  }), { timeoutMs: 15_000, what: `${name} to join (own tile with the server's id)`,
        last: () => page.url() });
  return { page, id, meeting: joined, name };
}

// Runs in the page: what it receives from each remote participant, read from the subscribe
// peer connection's inbound-rtp stats through the mids of the page's <video>/<audio> elements.
export async function pageFigures() {
  const pcs = window.__treffPeerConnections ?? [];
  const live = pcs.filter((pc) => pc.signalingState !== 'closed');
  // The server offers on the subscribe connection, the browser on the publish one.
  const sub = live.find((pc) => pc.remoteDescription?.type === 'offer') ?? live[1];
  const pub = live.find((pc) => pc.localDescription?.type === 'offer') ?? live[0];
  const out = {
    peerConnections: pcs.length,
    states: pcs.map((pc) => pc.connectionState),
    error: document.getElementById('error')?.textContent ?? null,
    tiles: [...document.querySelectorAll('figure.tile')].map((f) => ({
      id: f.getAttribute('data-participant'), local: f.hasAttribute('data-local'),
      micMuted: f.getAttribute('data-mic-muted'), reconnecting: f.getAttribute('data-reconnecting'),
    })),
    remote: {},
    remoteCandidates: [],
    pubUfrag: /a=ice-ufrag:(\S+)/.exec(pub?.localDescription?.sdp ?? '')?.[1] ?? null,
    subUfrag: /a=ice-ufrag:(\S+)/.exec(sub?.localDescription?.sdp ?? '')?.[1] ?? null,
  };
  if (!sub) return out;
  const byMid = new Map();
  const byTrack = new Map();
  for (const pc of [pub, sub]) {
    if (!pc) continue;
    const reports = new Map();
    (await pc.getStats()).forEach((r) => reports.set(r.id, r));
    for (const r of reports.values()) {
      if (pc === sub && r.type === 'inbound-rtp') {
        if (r.mid !== undefined) byMid.set(r.mid, r);
        if (r.trackIdentifier) byTrack.set(r.trackIdentifier, r);
      }
      if (r.type === 'transport' && r.selectedCandidatePairId) {
        const pair = reports.get(r.selectedCandidatePairId);
        const remote = pair && reports.get(pair.remoteCandidateId);
        if (remote) out.remoteCandidates.push({ address: remote.address ?? remote.ip, port: remote.port });
      }
    }
  }
  const trackOfMid = new Map(sub.getTransceivers().map((t) => [t.mid, t.receiver.track?.id]));
  const statsOf = (mid) => byMid.get(mid) ?? byTrack.get(trackOfMid.get(mid));
  const entry = (id) => (out.remote[id] ??= {});
  for (const v of document.querySelectorAll('video[data-source=camera][data-mid][data-participant]')) {
    const s = statsOf(v.getAttribute('data-mid'));
    entry(v.getAttribute('data-participant')).video = {
      mid: v.getAttribute('data-mid'), width: v.videoWidth, height: v.videoHeight,
      framesDecoded: s?.framesDecoded ?? 0, packetsReceived: s?.packetsReceived ?? 0,
    };
  }
  for (const v of document.querySelectorAll('#stage video[data-source=screen][data-mid]')) {
    const s = statsOf(v.getAttribute('data-mid'));
    entry(v.getAttribute('data-participant')).screen = {
      mid: v.getAttribute('data-mid'), width: v.videoWidth, height: v.videoHeight,
      framesDecoded: s?.framesDecoded ?? 0,
    };
  }
  for (const a of document.querySelectorAll('audio[data-mid][data-participant]')) {
    const s = statsOf(a.getAttribute('data-mid'));
    entry(a.getAttribute('data-participant')).audio = {
      mid: a.getAttribute('data-mid'), packetsReceived: s?.packetsReceived ?? 0,
      totalAudioEnergy: s?.totalAudioEnergy ?? 0,
    };
  }
  return out;
}

// Runs in the page: the inbound-rtp stats of one mid of the subscribe connection (audio of a
// participant whose <audio> element may be gone by now).
export async function inboundOfMid(mid) {
  const live = (window.__treffPeerConnections ?? []).filter((pc) => pc.signalingState !== 'closed');
  const sub = live.find((pc) => pc.remoteDescription?.type === 'offer');
  if (!sub) return null;
  const track = sub.getTransceivers().find((t) => t.mid === mid)?.receiver.track?.id;
  let found = null;
  (await sub.getStats()).forEach((r) => {
    if (r.type === 'inbound-rtp' && (r.mid === mid || (track && r.trackIdentifier === track))) {
      found = { packetsReceived: r.packetsReceived ?? 0, totalAudioEnergy: r.totalAudioEnergy ?? 0,
                framesDecoded: r.framesDecoded ?? 0 };
    }
  });
  return found;
}

export const figures = (page) => page.evaluate(pageFigures);

// Waits until `page` decodes video and receives audio from every participant in `others`.
export async function waitForMediaFrom(page, others, { timeoutMs = 20_000, label = '' } = {}) {
  let latest;
  return waitFor(async () => {
    const f = latest = await figures(page);
    if (f.error) throw new Error(`${label}: the page shows an error: ${f.error}`);
    return others.every((p) => {
      const r = f.remote[p.id];
      return r?.video?.framesDecoded > 0 && r.video.width > 0 && r?.audio?.packetsReceived > 0;
    }) && f;
  }, { timeoutMs, what: `${label} to decode video and receive audio from ${others.map((p) => p.name)}`,
       last: () => latest });
}

export async function metrics(baseUrl) {
  const res = await fetch(new URL('/metrics', baseUrl));
  assert.equal(res.status, 200, 'GET /metrics');
  const text = await res.text();
  return {
    received: counterValue(text, 'treff_rtp_packets_received_total'),
    sent: counterValue(text, 'treff_rtp_packets_sent_total'),
  };
}

// Same-origin only and no cookies, for everything a watched context saw so far.
export async function assertPrivate(origin, context, seen, pages) {
  const wsOrigin = origin.replace(/^http/, 'ws');
  for (const url of seen.requests) {
    const scheme = new URL(url).protocol;
    if (scheme === 'data:' || scheme === 'blob:') continue;  // never leave the page
    assert.equal(new URL(url).origin, origin, `request to another origin: ${url}`);
  }
  for (const url of seen.websockets) {
    assert.equal(new URL(url).origin, wsOrigin, `WebSocket to another origin: ${url}`);
  }
  for (const res of seen.responses) {
    const names = (await res.headersArray()).map((h) => h.name.toLowerCase());
    assert.ok(!names.includes('set-cookie'), `Set-Cookie on ${res.url()}`);
  }
  assert.deepEqual(await context.cookies(), [], 'the browser holds no cookie');
  for (const page of pages) {
    assert.equal(await page.evaluate(() => document.cookie), '');
    assert.deepEqual(await page.evaluate(() => window.__treffCspViolations), [],
                     `CSP violations on ${page.url()}`);
  }
}

// Runs in the page: the state of each of its peer connections, for failure messages.
export async function peerConnectionDetails() {
  const ufrag = (d) => /a=ice-ufrag:(\S+)/.exec(d?.sdp ?? '')?.[1] ?? null;
  return Promise.all((window.__treffPeerConnections ?? []).map(async (pc) => {
    const out = {
      signaling: pc.signalingState, ice: pc.iceConnectionState, connection: pc.connectionState,
      localUfrag: ufrag(pc.localDescription), remoteUfrag: ufrag(pc.remoteDescription),
      transport: null, pair: null, sent: [], received: [],
    };
    if (pc.signalingState === 'closed') return out;
    const reports = new Map();
    (await pc.getStats()).forEach((r) => reports.set(r.id, r));
    for (const r of reports.values()) {
      if (r.type === 'transport') {
        out.transport = { bytesSent: r.bytesSent, bytesReceived: r.bytesReceived, dtls: r.dtlsState };
        const p = reports.get(r.selectedCandidatePairId);
        if (p) {
          const l = reports.get(p.localCandidateId);
          const rm = reports.get(p.remoteCandidateId);
          out.pair = { local: `${l?.address}:${l?.port}`, remote: `${rm?.address}:${rm?.port}`,
                       state: p.state, requestsSent: p.requestsSent, responsesReceived: p.responsesReceived };
        }
      }
      if (r.type === 'outbound-rtp') out.sent.push(`${r.kind}${r.rid ? `/${r.rid}` : ''}:${r.packetsSent}`);
      if (r.type === 'inbound-rtp') out.received.push(`${r.kind}/${r.mid}:${r.packetsReceived}`);
    }
    return out;
  }));
}

// Runs in the page: every 50 ms, notes when the inbound-rtp stream of `mid` (subscribe
// connection) last received a packet and last gained audio energy, keeps the samples
// ([time, packets, energy]), and notes when the tile of `participant` first showed the
// microphone muted (Date.now() times, the same clock as the test's).
export function startInboundWatch({ mid, participant }) {
  const w = { samples: 0, packets: null, energy: null, packetsAt: null, energyAt: null,
              mutedShownAt: null, series: [] };
  const sub = (window.__treffPeerConnections ?? [])
    .find((pc) => pc.signalingState !== 'closed' && pc.remoteDescription?.type === 'offer');
  const tick = async () => {
    let found = null;
    (await sub.getStats()).forEach((r) => {
      if (r.type === 'inbound-rtp' && r.mid === mid) found = r;
    });
    const now = Date.now();
    w.samples += 1;
    if (found) {
      if (w.packets !== null && found.packetsReceived !== w.packets) w.packetsAt = now;
      if (w.energy !== null && found.totalAudioEnergy !== w.energy) w.energyAt = now;
      w.packets = found.packetsReceived;
      w.energy = found.totalAudioEnergy;
      w.series.push([now, w.packets, w.energy]);
    }
    const tile = document.querySelector(`figure.tile[data-participant="${participant}"]`);
    if (w.mutedShownAt === null && tile?.getAttribute('data-mic-muted') === 'true') w.mutedShownAt = now;
  };
  window.__treffInboundWatch = w;
  w.timer = setInterval(() => void tick(), 50);
}

export function stopInboundWatch() {
  const w = window.__treffInboundWatch;
  clearInterval(w.timer);
  delete w.timer;
  return w;
}

// Runs in a page: samples the grid every 200 ms, noting whether `id`'s tile is there and when
// it first and last showed "reconnecting" (Date.now() times, the test's clock).
// stopGridSampler (also run in the page) ends it and returns the counts.
export function startGridSampler(id) {
  const s = { samples: 0, missing: 0, reconnecting: 0, maxTiles: 0, firstReconnectingAt: null,
              lastReconnectingAt: null, start: Date.now() };
  window.__treffGridSampler = s;
  s.timer = setInterval(() => {
    s.samples += 1;
    const tile = document.querySelector(`figure.tile[data-participant="${id}"]`);
    if (!tile) s.missing += 1;
    else if (tile.getAttribute('data-reconnecting') === 'true') {
      s.reconnecting += 1;
      s.firstReconnectingAt ??= Date.now();
      s.lastReconnectingAt = Date.now();
    }
    s.maxTiles = Math.max(s.maxTiles, document.querySelectorAll('figure.tile').length);
  }, 200);
}

export function stopGridSampler() {
  const s = window.__treffGridSampler;
  clearInterval(s.timer);
  const { timer, ...rest } = s;
  return { ...rest, ms: Date.now() - s.start };
}
