// WHIP (RFC 9725) publishing from a client that shares no code with Treff: GStreamer's
// webrtcbin (tests/e2e/whip_publish.py) publishes a 640x360 VP8 test pattern and an Opus tone
// into a meeting, and a Chromium page that joined the same meeting through the real UI decodes
// that video in the publisher's tile. Then DELETE ends the publication and the tile goes away.
// Also checks the endpoint's refusals: 401 without the token, 415 for a wrong content type,
// 405 for PATCH (no trickle ICE), 404 for an unknown resource.
//
// libnice (webrtcbin's ICE) gathers no loopback candidate, so the test adds a veth pair to its
// private network namespace and treff listens on it as well as on 127.0.0.1. HTTP stays on
// 127.0.0.1 (the first listen address): Chromium grants a camera only to a secure context, and
// http://10.99.8.1 is not one.
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import { after, before, test } from 'node:test';
import { counterValue, launchChromium, waitFor } from './helpers.mjs';

const MEDIA_PORT = 20070;
const VETH = ['tw0', 'tw1'];
const SERVER_IP = '10.99.8.1';
const PUBLISHER_IP = '10.99.8.2';
const TOKEN = randomBytes(16).toString('hex');
const MEETING = `whip-test-${randomBytes(4).toString('hex')}`;
// A space and a non-ASCII letter: the name must arrive percent-decoded as UTF-8.
const PUBLISHER_NAME = 'GStreamer Kamera Süd';
const VIDEO = { width: 640, height: 360, fps: 30 };
const PUBLISH_SECONDS = 90;  // the publisher's own bound; the test stops it sooner
const PYTHON = '/usr/bin/python3';  // Debian's, for the gi bindings
const PUBLISHER_SCRIPT = fileURLToPath(new URL('./whip_publish.py', import.meta.url));

let treff;
let browser;
let publisher;
let vethCreated = false;

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function ip(...args) {
  return execFileSync('ip', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

// Only inside a private network namespace (tests/e2e/run.sh): there is no default route there.
// Adding interfaces to the machine's real namespace is not this test's business.
function addVethPair() {
  if (process.getuid?.() !== 0) throw new Error('the WHIP test needs root (run it via tests/e2e/run.sh)');
  if (ip('route', 'show', 'default').trim() !== '') {
    throw new Error('this looks like the machine\'s own network namespace (it has a default route): '
                    + 'run the test inside `unshare -n` (tests/e2e/run.sh)');
  }
  ip('link', 'add', VETH[0], 'type', 'veth', 'peer', 'name', VETH[1]);
  vethCreated = true;
  ip('addr', 'add', `${SERVER_IP}/24`, 'dev', VETH[0]);
  ip('addr', 'add', `${PUBLISHER_IP}/24`, 'dev', VETH[1]);
  ip('link', 'set', VETH[0], 'up');
  ip('link', 'set', VETH[1], 'up');
}

// Like helpers.startTreff, plus --whip-token. HTTP is served on the first listen address.
async function startTreffWithWhip() {
  const bin = process.env.TREFF_BIN;
  if (!bin) throw new Error('set TREFF_BIN to the treff binary (see tests/e2e/run.sh)');
  const args = ['--listen-ip', '127.0.0.1', '--listen-ip', SERVER_IP, '--http-port', '0',
                '--media-port', String(MEDIA_PORT), '--workers', '1', '--whip-token', TOKEN];
  const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const lines = [];
  const remember = (line) => {
    lines.push(line);
    if (lines.length > 300) lines.shift();
  };
  createInterface({ input: child.stderr }).on('line', remember);
  const exited = once(child, 'exit');
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  };
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('treff printed no URL within 15 s')), 15_000);
    createInterface({ input: child.stdout }).on('line', (line) => {
      remember(line);
      const match = /(http:\/\/[0-9.]+:\d+\/)/.exec(line);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`treff exited before serving (code ${code}, signal ${signal})\n${lines.join('\n')}`));
    });
  }).catch(async (err) => {
    await stop();
    throw err;
  });
  return { url, origin: new URL(url).origin, output: () => lines.join('\n'), stop };
}

// Runs the GStreamer WHIP client. Its stdout is JSON lines (events), its stderr diagnostics.
function startPublisher(whipUrl) {
  const child = spawn(PYTHON, [PUBLISHER_SCRIPT, '--url', whipUrl, '--token', TOKEN,
                               '--seconds', String(PUBLISH_SECONDS),
                               '--width', String(VIDEO.width), '--height', String(VIDEO.height),
                               '--fps', String(VIDEO.fps)],
                      { stdio: ['ignore', 'pipe', 'pipe'] });
  const events = [];
  const log = [];
  const waiters = [];
  // webrtcbin 1.22.0 logs a burst of GStreamer-CRITICALs each time it builds its stats: keep
  // the first few, count the rest, so that the publisher's own diagnostics stay readable.
  let glibNoise = 0;
  createInterface({ input: child.stderr }).on('line', (line) => {
    if (line.trim() === '') return;
    if (/GStreamer-(CRITICAL|WARNING)/.test(line) && ++glibNoise > 3) return;
    log.push(line);
    if (log.length > 300) log.shift();
  });
  createInterface({ input: child.stdout }).on('line', (line) => {
    let event;
    try {
      event = JSON.parse(line);
    } catch {
      log.push(`(stdout) ${line}`);
      return;
    }
    events.push(event);
    for (const w of [...waiters]) w();
  });
  const exited = once(child, 'exit');
  let exitCode;
  child.once('exit', (code, signal) => {
    exitCode = code ?? signal;
    for (const w of [...waiters]) w();
  });
  return {
    events,
    output: () => log.join('\n')
      + (glibNoise > 3 ? `\n(${glibNoise - 3} more GStreamer-CRITICAL/WARNING lines left out)` : ''),
    // The first event named `name`; fails early when the publisher exits or is refused.
    event(name, timeoutMs) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = events.find((e) => e.event === name);
          const refused = events.find((e) => e.event === 'rejected');
          if (found || refused || exitCode !== undefined) {
            clearTimeout(timer);
            waiters.splice(waiters.indexOf(check), 1);
            if (found) resolve(found);
            else reject(new Error(`the WHIP publisher ${refused ? `was refused: ${JSON.stringify(refused)}`
                                                                 : `exited (${exitCode})`} before "${name}"`));
          }
        };
        const timer = setTimeout(() => {
          waiters.splice(waiters.indexOf(check), 1);
          reject(new Error(`no "${name}" from the WHIP publisher within ${timeoutMs} ms`));
        }, timeoutMs);
        waiters.push(check);
        check();
      });
    },
    // SIGTERM (the publisher DELETEs its session itself unless already gone), SIGKILL after 10 s.
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(timer);
      }
      return { code: child.exitCode, signal: child.signalCode };
    },
  };
}

before(async () => {
  addVethPair();
  treff = await startTreffWithWhip();
  browser = await launchChromium();
});

after(async () => {
  await publisher?.stop().catch(() => {});
  await browser?.close().catch(() => {});
  await treff?.stop();
  if (vethCreated) {
    try {
      ip('link', 'del', VETH[0]);  // takes its peer with it
    } catch { /* the namespace goes away with the test run anyway */ }
  }
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

// Runs in the page: the tile named `name` and what the page decodes from that participant's
// camera and receives from its microphone (inbound-rtp matched through the track).
async function publisherFigures(name) {
  const out = { tiles: [], participant: null, caption: null, videoWidth: 0, videoHeight: 0,
                framesDecoded: null, framesPerSecond: null, packetsLost: null, codec: null,
                audioPacketsReceived: null, audioElements: [], remoteCandidate: null,
                error: document.getElementById('error')?.textContent ?? null };
  for (const tile of document.querySelectorAll('figure.tile[data-participant]')) {
    const caption = tile.querySelector('.tile-name')?.textContent ?? '';
    out.tiles.push({ id: tile.getAttribute('data-participant'), caption,
                     local: tile.hasAttribute('data-local') });
    if (caption === name && !tile.hasAttribute('data-local')) {
      out.participant = tile.getAttribute('data-participant');
      out.caption = caption;
    }
  }
  if (!out.participant) return out;
  const sel = `[data-participant="${CSS.escape(out.participant)}"]`;
  const video = document.querySelector(`video[data-source=camera]${sel}`);
  const audio = document.querySelector(`audio[data-source=microphone]${sel}`);
  out.audioElements = [...document.querySelectorAll('audio')].map((a) => ({
    participant: a.getAttribute('data-participant'), mid: a.getAttribute('data-mid'),
    source: a.getAttribute('data-source'), track: a.srcObject?.getAudioTracks?.()[0]?.id ?? null }));
  out.videoWidth = video?.videoWidth ?? 0;
  out.videoHeight = video?.videoHeight ?? 0;
  const videoTrack = video?.srcObject?.getVideoTracks?.()[0]?.id;
  const audioTrack = audio?.srcObject?.getAudioTracks?.()[0]?.id;
  for (const pc of window.__treffPeerConnections ?? []) {
    if (pc.signalingState === 'closed') continue;
    const reports = new Map();
    (await pc.getStats()).forEach((r) => reports.set(r.id, r));
    for (const r of reports.values()) {
      if (r.type !== 'inbound-rtp') continue;
      if (r.kind === 'video' && videoTrack && r.trackIdentifier === videoTrack) {
        out.framesDecoded = r.framesDecoded ?? 0;
        out.framesPerSecond = r.framesPerSecond ?? null;
        out.packetsLost = r.packetsLost ?? null;
        out.codec = reports.get(r.codecId)?.mimeType ?? null;
        const transport = reports.get(r.transportId);
        const pair = transport && reports.get(transport.selectedCandidatePairId);
        const remote = pair && reports.get(pair.remoteCandidateId);
        if (remote) out.remoteCandidate = { address: remote.address ?? remote.ip, port: remote.port };
      }
      if (r.kind === 'audio' && audioTrack && r.trackIdentifier === audioTrack) {
        out.audioPacketsReceived = r.packetsReceived ?? 0;
      }
    }
  }
  return out;
}

async function rtpCounters() {
  const text = await (await fetch(new URL('/metrics', treff.url))).text();
  return { received: counterValue(text, 'treff_rtp_packets_received_total'),
           sent: counterValue(text, 'treff_rtp_packets_sent_total') };
}

// A small valid-looking offer for the refusal checks (they must fail before the SDP matters).
const DUMMY_OFFER = 'v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n';

test('GStreamer publishes through WHIP and Chromium decodes its video', { timeout: 150_000 }, async (t) => {
  try {
    await publishAndWatch(t);
  } catch (err) {
    err.message += `\n--- publisher stderr ---\n${publisher?.output() ?? '(not started)'}`
                   + `\n--- treff output ---\n${treff.output()}`;
    throw err;
  }
});

async function publishAndWatch(t) {
  const whipUrl = `${treff.origin}/whip/${MEETING}?name=${encodeURIComponent(PUBLISHER_NAME)}`;
  const post = (headers, body = DUMMY_OFFER) => fetch(whipUrl, { method: 'POST', headers, body });

  // Refusals first: none of them may create a participant (checked through the tiles below).
  const noToken = await post({ 'Content-Type': 'application/sdp' });
  assert.equal(noToken.status, 401, `POST without a token: ${await noToken.text()}`);
  const wrongToken = await post({ 'Content-Type': 'application/sdp',
                                  Authorization: `Bearer ${TOKEN.slice(0, -1)}x` });
  assert.equal(wrongToken.status, 401, `POST with a wrong token: ${await wrongToken.text()}`);
  const wrongType = await post({ 'Content-Type': 'text/plain', Authorization: `Bearer ${TOKEN}` });
  assert.equal(wrongType.status, 415, `POST with Content-Type text/plain: ${await wrongType.text()}`);
  const unknown = await fetch(`${treff.origin}/whip/${MEETING}/no-such-resource`,
                              { method: 'DELETE', headers: { Authorization: `Bearer ${TOKEN}` } });
  assert.equal(unknown.status, 404, `DELETE of an unknown resource: ${await unknown.text()}`);

  // The browser joins through the UI first, so the WHIP publisher arrives in a running meeting.
  const context = await browser.newContext();
  await context.addInitScript(countPeerConnections);
  const page = await context.newPage();
  await page.goto(new URL(`/${MEETING}`, treff.url).href);
  await page.locator('#display-name').fill('Browser', { timeout: 10_000 });
  await page.locator('#join-button').click();
  const selfId = await waitFor(() => page.evaluate(() => {
    const id = document.querySelector('figure.tile[data-local]')?.getAttribute('data-participant');
    return id && id !== 'self' ? id : null;
  }), { timeoutMs: 15_000, what: 'the browser to join the meeting' });

  // GStreamer 1.22's Python bindings sometimes crash the publisher itself (SIGSEGV, after a
  // GLib "object already finalized" warning) while it connects. That is the test client failing,
  // not Treff: end its WHIP session and start a new publisher, at most twice, and say so.
  let startedAt;
  let answered;
  let connected;
  for (let attempt = 1; ; ++attempt) {
    startedAt = Date.now();
    publisher = startPublisher(whipUrl);
    try {
      answered = await publisher.event('answered', 20_000);
      connected = await publisher.event('connected', 20_000);
      break;
    } catch (err) {
      const crashed = /exited \((SIGSEGV|SIGABRT)\)/.test(err.message);
      if (!crashed || attempt === 3) throw err;
      t.diagnostic(`the GStreamer publisher crashed (${err.message}); attempt ${attempt + 1}`);
      const location = publisher.events.find((e) => e.event === 'answered')?.locationHeader;
      if (location) {
        await fetch(new URL(location, treff.origin), {
          method: 'DELETE', headers: { Authorization: `Bearer ${TOKEN}` },
        });
      }
    }
  }
  const answeredMs = Date.now() - startedAt;
  assert.equal(answered.status, 201, 'POST of the offer answers 201 Created');
  assert.match(answered.contentType, /^application\/sdp/, 'the answer is application/sdp');
  assert.match(answered.locationHeader, new RegExp(`^/whip/${MEETING}/[^/?#]+$`),
               'Location is /whip/<meeting>/<resource id>');
  const answer = answered.answer;
  assert.match(answer, /^a=ice-lite\r?$/m, 'the answer says ICE-lite');
  assert.match(answer, /^a=setup:passive\r?$/m, 'Treff is the DTLS server (a=setup:passive)');
  assert.match(answer, new RegExp(`^a=candidate:.* ${SERVER_IP.replaceAll('.', '\\.')} ${MEDIA_PORT} typ host`, 'm'),
               'the answer carries a host candidate on the veth address and the media port');
  assert.doesNotMatch(answer, /^a=ice-options:trickle/m, 'no trickle ICE offered');

  const connectedMs = Date.now() - startedAt;

  // The page shows the publisher's tile under its ?name= and decodes its camera.
  let latest;
  const first = await waitFor(async () => {
    const f = latest = await page.evaluate(publisherFigures, PUBLISHER_NAME);
    if (f.error) throw new Error(`the page shows an error: ${f.error}`);
    return f.framesDecoded > 0 && f.videoWidth > 0 && f;
  }, { timeoutMs: 20_000, what: 'the page to decode the WHIP publisher\'s video', last: () => latest });
  const firstFrameMs = Date.now() - startedAt;
  const countersBefore = await rtpCounters();
  await sleep(3000);
  const second = await page.evaluate(publisherFigures, PUBLISHER_NAME);
  const countersAfter = await rtpCounters();

  assert.equal(second.caption, PUBLISHER_NAME, 'the tile shows the name given by ?name=');
  assert.notEqual(second.participant, selfId, 'the publisher is another participant');
  assert.equal(second.tiles.length, 2,
               `exactly the browser and the publisher are in the meeting: ${JSON.stringify(second.tiles)}`);
  assert.ok(second.framesDecoded > first.framesDecoded + 30,
            `framesDecoded rises by more than 30 in 3 s (${first.framesDecoded} -> ${second.framesDecoded})`);
  assert.equal(second.videoWidth, VIDEO.width, 'videoWidth is what GStreamer sends');
  assert.equal(second.videoHeight, VIDEO.height, 'videoHeight is what GStreamer sends');
  assert.match(second.codec ?? '', /VP8/i, 'the page decodes VP8');
  assert.ok(second.audioPacketsReceived > (first.audioPacketsReceived ?? 0),
            `the publisher's audio reaches the page (${first.audioPacketsReceived} -> `
            + `${second.audioPacketsReceived}; <audio> elements: ${JSON.stringify(second.audioElements)})`);
  assert.equal(second.remoteCandidate?.port, MEDIA_PORT, 'the page receives from treff\'s media port');
  assert.ok(countersAfter.received > countersBefore.received,
            `treff received RTP (${countersBefore.received} -> ${countersAfter.received})`);
  assert.ok(countersAfter.sent > countersBefore.sent,
            `treff sent RTP (${countersBefore.sent} -> ${countersAfter.sent})`);

  // PATCH (trickle ICE / ICE restart) is refused on the session.
  const patch = await fetch(answered.location, {
    method: 'PATCH', body: 'a=ice-ufrag:x\r\n',
    headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/trickle-ice-sdpfrag' } });
  assert.equal(patch.status, 405, `PATCH on the session: ${await patch.text()}`);

  // DELETE ends the publication: the tile leaves the page within a few seconds.
  const noTokenDelete = await fetch(answered.location, { method: 'DELETE' });
  assert.equal(noTokenDelete.status, 401, 'DELETE without the token');
  const deletedAt = Date.now();
  const deleted = await fetch(answered.location,
                              { method: 'DELETE', headers: { Authorization: `Bearer ${TOKEN}` } });
  assert.equal(deleted.status, 200, `DELETE of the session: ${await deleted.text()}`);
  await waitFor(() => page.evaluate((id) => !document.querySelector(
    `figure.tile[data-participant="${CSS.escape(id)}"]`), second.participant),
  { timeoutMs: 5000, what: 'the publisher\'s tile to leave the page after DELETE' });
  const tileGoneMs = Date.now() - deletedAt;
  const again = await fetch(answered.location,
                            { method: 'DELETE', headers: { Authorization: `Bearer ${TOKEN}` } });
  assert.equal(again.status, 404, 'a second DELETE finds no session');
  const remaining = await page.evaluate(() => [...document.querySelectorAll('figure.tile[data-participant]')]
    .map((tile) => tile.getAttribute('data-participant')));
  assert.deepEqual(remaining, [selfId], 'only the browser is left in the meeting');

  const ended = await publisher.stop();
  const done = publisher.events.find((e) => e.event === 'done');
  assert.ok(done, `the publisher printed its summary (exit ${JSON.stringify(ended)})`);
  assert.equal(done.connected, true, 'the publisher saw its peer connection connected');
  assert.equal(done.deleteStatus, 404, 'the publisher\'s own DELETE at its end finds the session gone');

  t.diagnostic(`measured: ${JSON.stringify({
    answeredMs, connectedMs, publisherConnectMs: connected.afterAnswerMs, firstFrameMs, tileGoneMs,
    first: { framesDecoded: first.framesDecoded, size: `${first.videoWidth}x${first.videoHeight}` },
    second: { framesDecoded: second.framesDecoded, fps: second.framesPerSecond,
              size: `${second.videoWidth}x${second.videoHeight}`, packetsLost: second.packetsLost,
              audioPacketsReceived: second.audioPacketsReceived, codec: second.codec,
              remoteCandidate: second.remoteCandidate },
    countersBefore, countersAfter, publisherStats: done.lastStats,
  })}`);
  await context.close();
}
