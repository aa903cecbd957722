// "Videos received at once" in the meeting's settings, in a real browser: a person in a room
// with three load-generator publishers (the server without --last-n) caps the cameras it is
// sent. The choice goes to the server as the `view` message's lastN, and what arrives is read
// from the browser's inbound-rtp stats, per remote video:
// - All (the default): all three cameras are forwarded and decoded;
// - 1: exactly one keeps receiving frames, the two other tiles show as paused;
// - None (audio only): no camera frames at all, every tile paused (the audio stays);
// - All again: all three are decoded again.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { after, test } from 'node:test';
import { launchChromium, startTreff, waitFor } from './helpers.mjs';
import { loadgenBinary } from './loadgen_helpers.mjs';
import { joinMeeting, sleep, watchedContext } from './meeting_helpers.mjs';

const MEDIA_PORT = 20220;
// Frames a forwarded camera gains at least in one measuring window (inbound-rtp framesReceived;
// the load generator sends some 33 a second); a paused one gains none. The load generator's
// key frames decode, its other frames are synthetic and do not: a camera counts as decoding
// when framesDecoded rises at all.
const WINDOW_MS = 3000;
const MIN_FRAMES = 30;

const cleanups = [];
after(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => {});
});

// Runs in the page: per remote camera tile, its participant, whether it shows as paused, and
// the inbound-rtp counters of its mid on the subscribe connection.
async function cameraCounters() {
  const pcs = (window.__treffPeerConnections ?? []).filter((pc) => pc.signalingState !== 'closed');
  const sub = pcs.find((pc) => pc.remoteDescription?.type === 'offer');
  const byMid = new Map();
  let audioPackets = 0;
  (sub ? await sub.getStats() : new Map()).forEach((s) => {
    if (s.type !== 'inbound-rtp') return;
    if (s.kind === 'video') byMid.set(s.mid, s);
    if (s.kind === 'audio') audioPackets += s.packetsReceived ?? 0;
  });
  const tiles = [...document.querySelectorAll('figure.tile:not([data-local])')].map((f) => {
    const mid = f.querySelector('video[data-source=camera]')?.getAttribute('data-mid') ?? null;
    const s = mid === null ? undefined : byMid.get(mid);
    return {
      participant: f.getAttribute('data-participant'), mid,
      paused: f.getAttribute('data-paused') === 'true',
      frames: s?.framesReceived ?? 0, decoded: s?.framesDecoded ?? 0,
    };
  });
  return { tiles, audioPackets };
}

// Two samples WINDOW_MS apart: the participants whose camera received at least MIN_FRAMES new
// frames in between (`rising`), those of them that also decoded new ones (`decoding`), those
// that received no frame at all (`stopped`), the tiles shown paused at the end, and the audio
// packets gained.
async function measure(page) {
  const a = await page.evaluate(cameraCounters);
  await sleep(WINDOW_MS);
  const b = await page.evaluate(cameraCounters);
  const before = new Map(a.tiles.map((x) => [x.participant, x]));
  const gain = (x, field) => x[field] - (before.get(x.participant)?.[field] ?? 0);
  const ids = (keep) => b.tiles.filter(keep).map((x) => x.participant);
  const rising = ids((x) => gain(x, 'frames') >= MIN_FRAMES);
  return {
    tiles: b.tiles.length, rising,
    decoding: ids((x) => gain(x, 'frames') >= MIN_FRAMES && gain(x, 'decoded') > 0),
    stopped: ids((x) => gain(x, 'frames') === 0),
    paused: ids((x) => x.paused),
    frameGains: b.tiles.map((x) => gain(x, 'frames')),
    audioGained: b.audioPackets - a.audioPackets,
  };
}

// Starts the load generator in `meeting`; stopped by the test's cleanup.
function startLoadgen(url, meeting, participants) {
  const bin = loadgenBinary();
  if (!existsSync(bin)) throw new Error(`no load generator at ${bin}: build target treff-loadgen`);
  const child = spawn(bin, ['--url', url, '--meeting', meeting, '--rooms', '1',
                            '--participants', String(participants), '--duration', '240',
                            '--ramp-timeout', '4'],
                      { stdio: ['ignore', 'ignore', 'pipe'] });
  const err = [];
  child.stderr.on('data', (d) => err.push(d.toString()));
  cleanups.push(async () => { if (child.exitCode === null) child.kill('SIGTERM'); });
  return { child, tail: () => err.slice(-3).join('') };
}

test('the person caps the videos received: all, 1, none, all again', { timeout: 240_000 },
     async (t) => {
  const treff = await startTreff({ mediaPort: MEDIA_PORT });
  cleanups.push(() => treff.stop());
  const browser = await launchChromium();
  cleanups.push(() => browser.close());
  const { context } = await watchedContext(browser);
  // Every `view` the page sends, with the time it went out.
  const views = [];
  context.on('page', (page) => page.on('websocket', (ws) => ws.on('framesent', (frame) => {
    if (typeof frame.payload !== 'string') return;
    try {
      const msg = JSON.parse(frame.payload);
      if (msg.type === 'view') views.push({ at: Date.now(), msg });
    } catch { /* not JSON: not ours to check */ }
  })));
  const meeting = 'max-videos';
  const me = await joinMeeting(context, treff.url, { meeting, name: 'Mira', direct: true });
  const page = me.page;

  const loadgenAt = Date.now();
  const loadgen = startLoadgen(treff.url, meeting, 3);
  await waitFor(() => page.evaluate(() =>
    document.querySelectorAll('figure.tile:not([data-local])').length === 3 || null),
  { timeoutMs: 30_000, what: 'three remote tiles', last: loadgen.tail });

  // Waits until a measuring window shows `want` (returns true for it); returns that window and
  // how long it took from `since`.
  let seen = null;
  const settle = async (since, what, want, timeoutMs = 40_000) => {
    const result = await waitFor(async () => {
      seen = await measure(page);
      return want(seen) ? seen : null;
    }, { timeoutMs, what, last: () => seen });
    return { ...result, ms: Date.now() - since };
  };
  const lastView = () => views.at(-1)?.msg;

  // 1. The default, All: every camera forwarded and decoded, nothing paused, no lastN asked.
  const all = await settle(loadgenAt, 'all three cameras decoding',
                           (m) => m.decoding.length === 3 && m.paused.length === 0);
  assert.ok(views.length > 0, 'the page reported its view');
  assert.equal(lastView().lastN, undefined, 'no lastN without a choice');
  assert.equal(await page.locator('figure.tile.has-video:not([data-local])').count(), 3,
               'three remote tiles show their picture');
  t.diagnostic(`all (default): ${all.decoding.length} of 3 cameras decoding ${all.ms} ms after `
               + `the publishers started (frames per camera in ${WINDOW_MS} ms: `
               + `${all.frameGains.join(', ')})`);

  // 2. Settings: the labelled control, then 1.
  await page.locator('#settings-toggle').click();
  const select = page.locator('#max-videos');
  await select.waitFor({ state: 'visible', timeout: 5000 });
  assert.equal(await page.getByLabel('Videos received at once').getAttribute('id'), 'max-videos',
               'the select is named by its label');
  assert.equal(await select.inputValue(), 'all', 'All is chosen at first');
  assert.deepEqual(await select.locator('option').allTextContents(),
                   ['All', '9', '4', '1', 'None (audio only)']);

  // Chooses `value` (the option's value), then waits for the view carrying `lastN` (undefined:
  // none), for `marks` tiles marked paused, and for a measuring window that shows `want`.
  const choose = async (value, lastN, label, want, marks) => {
    const sentBefore = views.length;
    const at = Date.now();
    await select.selectOption(value);
    const view = await waitFor(() => views.slice(sentBefore).find((v) => v.msg.lastN === lastN),
                               { timeoutMs: 5000, what: `a view with lastN ${lastN} (${label})`,
                                 last: () => views.slice(sentBefore).map((v) => v.msg.lastN) });
    const viewMs = view.at - at;
    // How many tiles show as paused, each time that changes: "count@ms since the choice".
    const marksSeen = [];
    await waitFor(async () => {
      const n = await page.evaluate(() =>
        document.querySelectorAll('figure.tile[data-paused="true"]').length);
      if (!marksSeen.at(-1)?.startsWith(`${n}@`)) marksSeen.push(`${n}@${Date.now() - at}`);
      return n === marks;
    }, { timeoutMs: 30_000, intervalMs: 100, what: `${marks} paused tiles (${label})`,
         last: () => marksSeen });
    const marksMs = Date.now() - at;
    const result = await settle(at, label, want);
    assert.equal(await select.inputValue(), value, 'the select keeps the choice');
    return { ...result, viewMs, marksMs, marksSeen };
  };
  const report = (name, r, what) => t.diagnostic(
    `${name}: view sent after ${r.viewMs} ms, ${r.paused.length} tiles marked paused after `
    + `${r.marksMs} ms (paused tiles@ms: ${r.marksSeen.join(' ')}), ${what} confirmed after `
    + `${r.ms} ms (frames per camera in the last ${WINDOW_MS} ms: ${r.frameGains.join(', ')})`);

  const one = await choose('1', 1, 'exactly one camera receiving frames',
                           (m) => m.rising.length === 1 && m.stopped.length === 2
                                  && m.paused.length === 2, 2);
  report('1', one, 'frames from exactly one camera');
  // The one received is the one not marked paused, and it stays so.
  assert.ok(!one.paused.includes(one.rising[0]), 'the camera received is not marked paused');
  const still = await measure(page);
  assert.deepEqual(still.rising, one.rising, 'still exactly that camera a window later');
  assert.equal(still.stopped.length, 2, 'and still nothing from the two others');
  assert.equal(still.paused.length, 2);
  const pausedTile = page.locator('figure.tile[data-paused="true"]').first();
  assert.equal(await pausedTile.locator('video').isVisible(), false,
               'a paused tile shows the avatar, not a frozen frame');

  // 3. None (audio only): no camera frames, every tile paused, the sound still there.
  const none = await choose('0', 0, 'no camera receiving frames',
                            (m) => m.stopped.length === 3 && m.paused.length === 3, 3);
  report('none', none, 'no frames from any camera');
  assert.ok(none.audioGained > 50,
            `audio keeps arriving (${none.audioGained} packets in a window)`);
  t.diagnostic(`none: audio packets in ${WINDOW_MS} ms: ${none.audioGained}`);

  // 4. All again: lastN no longer sent, all three decode again.
  const again = await choose('all', undefined, 'all three cameras decoding again',
                             (m) => m.decoding.length === 3 && m.paused.length === 0, 0);
  report('all again', again, 'all three cameras decoding');
  await page.close();
});
