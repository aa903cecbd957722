// Who is heard and who is seen in a larger meeting, in a real browser:
// - last-N: with --last-n 2, a browser in a room with three load-generator publishers is sent
//   exactly two of their cameras; the third tile shows the person's avatar, marked paused;
// - paging: with ten others in the meeting, the grid's first page shows nine and only those nine
//   are forwarded; the second page shows the tenth, and then only that one is;
// - loudest-N audio: in a meeting of four with --audio-loudest-n 2, the browser hears exactly two;
// - dominant speaker: one browser's microphone plays recorded speech (espeak-ng), the other's
//   plays silence; the speaker becomes the dominant speaker at both, and the tiles say so.
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { launchChromium, startTreff, waitFor } from './helpers.mjs';
import { loadgenBinary } from './loadgen_helpers.mjs';
import { joinMeeting, sleep, watchedContext } from './meeting_helpers.mjs';

const LAST_N_PORT = 20140;
const SPEAKER_PORT = 20150;
const PAGING_PORT = 20180;
const LOUDEST_PORT = 20190;

let tempDir;
const cleanups = [];

before(() => {
  tempDir = mkdtempSync(join(tmpdir(), 'treff-e2e-speakers-'));
});

after(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => {});
  if (tempDir) rmSync(tempDir, { recursive: true, force: true });
});

// Runs in the page: per remote track of `kind`, the packets received so far, by mid.
function packetsByMid(kind) {
  const pcs = (window.__treffPeerConnections ?? []).filter((pc) => pc.signalingState !== 'closed');
  const sub = pcs.find((pc) => pc.remoteDescription?.type === 'offer');
  if (!sub) return Promise.resolve({});
  return sub.getStats().then((stats) => {
    const out = {};
    stats.forEach((s) => {
      if (s.type === 'inbound-rtp' && s.kind === kind) out[s.mid] = s.packetsReceived ?? 0;
    });
    return out;
  });
}

// The mids of `kind` whose packet count rises by more than `min` over 3 s.
async function risingMids(page, kind, min = 20) {
  const a = await page.evaluate(packetsByMid, kind);
  await sleep(3000);
  const b = await page.evaluate(packetsByMid, kind);
  return Object.keys(b).filter((mid) => (b[mid] ?? 0) > (a[mid] ?? 0) + min);
}

// Starts the load generator in `meeting`; stopped by the test's cleanup.
function startLoadgen(url, meeting, participants, extra = []) {
  const bin = loadgenBinary();
  if (!existsSync(bin)) throw new Error(`no load generator at ${bin}: build target treff-loadgen`);
  const child = spawn(bin, ['--url', url, '--meeting', meeting, '--rooms', '1',
                            '--participants', String(participants), '--duration', '60',
                            '--ramp-timeout', '4', ...extra],
                      { stdio: ['ignore', 'ignore', 'pipe'] });
  const err = [];
  child.stderr.on('data', (d) => err.push(d.toString()));
  cleanups.push(async () => { if (child.exitCode === null) child.kill('SIGTERM'); });
  return { child, tail: () => err.slice(-3).join('') };
}

test('last-N = 2: of three publishers, exactly two cameras are forwarded', { timeout: 120_000 },
     async (t) => {
  const treff = await startTreff({ mediaPort: LAST_N_PORT, extraArgs: ['--last-n', '2'] });
  cleanups.push(() => treff.stop());
  const browser = await launchChromium();
  cleanups.push(() => browser.close());
  const { context } = await watchedContext(browser);
  const meeting = 'last-n-two';
  const me = await joinMeeting(context, treff.url, { meeting, name: 'Lena', direct: true });

  // Three simulated participants join the same meeting and publish camera and microphone.
  const loadgen = startLoadgen(treff.url, meeting, 3);

  await waitFor(() => me.page.evaluate(() =>
    document.querySelectorAll('figure.tile:not([data-local])').length === 3 || null),
  { timeoutMs: 30_000, what: 'three remote tiles', last: loadgen.tail });

  // Forwarded: the videos whose packet count rises over 3 s, once the room has settled.
  const rising = () => risingMids(me.page, 'video');
  let forwarded = [];
  let paused = 0;
  await waitFor(async () => {
    forwarded = await rising();
    paused = await me.page.locator('figure.tile[data-paused="true"]').count();
    return forwarded.length === 2 && paused === 1 ? true : null;
  }, { timeoutMs: 40_000, what: 'exactly two rising videos and one paused tile',
       last: () => `rising ${JSON.stringify(forwarded)}, paused tiles ${paused}` });
  t.diagnostic(`videos received: ${forwarded.length} of 3 (mids ${forwarded.join(', ')}); `
               + `paused tiles: ${paused}`);
  // And it stays so.
  const again = await rising();
  assert.equal(again.length, 2, 'still exactly two videos after 3 s more');
  const pausedTile = me.page.locator('figure.tile[data-paused="true"]');
  assert.equal(await pausedTile.count(), 1);
  assert.equal(await pausedTile.locator('video').isVisible(), false,
               'the paused tile shows the avatar, not a frozen frame');
  await me.page.close();
});

test('paging through the grid changes what is forwarded', { timeout: 150_000 }, async (t) => {
  const treff = await startTreff({ mediaPort: PAGING_PORT });
  cleanups.push(() => treff.stop());
  const browser = await launchChromium();
  cleanups.push(() => browser.close());
  const meeting = 'ten-others';
  // Ten others at a modest rate; the browser only counts what arrives.
  const loadgen = startLoadgen(treff.url, meeting, 10, ['--video-kbps', '300']);
  const me = await joinMeeting((await watchedContext(browser)).context, treff.url,
                               { meeting, name: 'Paula', direct: true });
  await waitFor(() => me.page.evaluate(() =>
    document.querySelector('#grid-pager')?.getAttribute('data-pages') === '2' || null),
  { timeoutMs: 40_000, what: 'a grid of two pages', last: loadgen.tail });
  const remoteTiles = () => me.page.locator('figure.tile:not([data-local])').count();
  assert.equal(await remoteTiles(), 9, 'nine others on the first page');
  let rising = [];
  await waitFor(async () => {
    rising = await risingMids(me.page, 'video');
    return rising.length === 9 || null;
  }, { timeoutMs: 40_000, what: 'nine videos forwarded on page 1',
       last: () => `rising ${rising.length}` });
  t.diagnostic(`page 1: ${rising.length} of 10 videos forwarded`);
  await me.page.locator('#grid-page-next').press('Enter');
  assert.equal(await remoteTiles(), 1, 'the tenth alone on the second page');
  await waitFor(async () => {
    rising = await risingMids(me.page, 'video');
    return rising.length === 1 || null;
  }, { timeoutMs: 30_000, what: 'one video forwarded on page 2',
       last: () => `rising ${rising.length}` });
  t.diagnostic(`page 2: ${rising.length} of 10 videos forwarded`);
  await me.page.close();
});

test('loudest-N: in a meeting of four with --audio-loudest-n 2, two are heard',
     { timeout: 120_000 }, async (t) => {
  const treff = await startTreff({
    mediaPort: LOUDEST_PORT,
    extraArgs: ['--audio-loudest-n', '2', '--audio-loudest-min-participants', '3'],
  });
  cleanups.push(() => treff.stop());
  const browser = await launchChromium();
  cleanups.push(() => browser.close());
  const meeting = 'loudest-two';
  // The three simulated participants come first: nobody speaks, so the loudest two are the
  // two who joined first, and the browser, last in, hears exactly those.
  const loadgen = startLoadgen(treff.url, meeting, 3, ['--audio-only']);
  await sleep(2000);
  const me = await joinMeeting((await watchedContext(browser)).context, treff.url,
                               { meeting, name: 'Lou', direct: true });
  let rising = [];
  let audios = 0;
  await waitFor(async () => {
    audios = Object.keys(await me.page.evaluate(packetsByMid, 'audio')).length;
    rising = await risingMids(me.page, 'audio', 50);
    return audios === 3 && rising.length === 2 ? true : null;
  }, { timeoutMs: 40_000, what: 'two of three audio tracks forwarded',
       last: () => `audio tracks ${audios}, rising ${rising.length}; ${loadgen.tail()}` });
  t.diagnostic(`heard: ${rising.length} of ${audios} microphones`);
  await me.page.close();
});

function makeWav(path, args) {
  execFileSync(args[0], args.slice(1), { stdio: ['ignore', 'ignore', 'pipe'] });
  assert.ok(existsSync(path), `${args[0]} wrote ${path}`);
}

test('the one who speaks becomes the dominant speaker at everyone', { timeout: 120_000 },
     async (t) => {
  const speech = join(tempDir, 'speech.wav');
  const silence = join(tempDir, 'silence.wav');
  makeWav(speech, ['espeak-ng', '-s', '150', '-w', speech,
                   'Good morning everyone. Let us start with the numbers of this week. '
                   + 'Sales went up by four percent, and the new office opens on Monday. '
                   + 'Any questions so far? Then let us move on to the next topic.']);
  makeWav(silence, ['sox', '-n', '-r', '48000', '-c', '1', silence, 'trim', '0', '10']);

  const treff = await startTreff({ mediaPort: SPEAKER_PORT });
  cleanups.push(() => treff.stop());
  const speakerBrowser = await launchChromium({
    extraArgs: [`--use-file-for-fake-audio-capture=${speech}`] });
  cleanups.push(() => speakerBrowser.close());
  const quietBrowser = await launchChromium({
    extraArgs: [`--use-file-for-fake-audio-capture=${silence}`] });
  cleanups.push(() => quietBrowser.close());

  const meeting = 'who-speaks';
  const quiet = await joinMeeting((await watchedContext(quietBrowser)).context, treff.url,
                                  { meeting, name: 'Quentin', direct: true });
  const joinedAt = Date.now();
  const talker = await joinMeeting((await watchedContext(speakerBrowser)).context, treff.url,
                                   { meeting, name: 'Sofia', direct: true });

  const speakingAt = (page, id) => page.evaluate((pid) =>
    document.querySelector(`figure.tile[data-participant="${pid}"]`)
      ?.getAttribute('data-speaking') === 'true' || null, id);
  await waitFor(() => speakingAt(quiet.page, talker.id),
                { timeoutMs: 30_000, what: 'Sofia marked speaking at Quentin' });
  const seenMs = Date.now() - joinedAt;
  await waitFor(() => speakingAt(talker.page, talker.id),
                { timeoutMs: 10_000, what: 'Sofia marked speaking on her own tile' });
  t.diagnostic(`Sofia is the dominant speaker at Quentin ${seenMs} ms after she joined`);
  // Quentin, silent all along, is never marked.
  assert.equal(await quiet.page.evaluate((pid) =>
    document.querySelector(`figure.tile[data-participant="${pid}"]`)
      ?.getAttribute('data-speaking'), quiet.id), 'false');
  // It stays with her while she keeps talking.
  await sleep(4000);
  assert.equal(await speakingAt(quiet.page, talker.id), true, 'still Sofia 4 s later');
  // Speaker view puts her on the stage at Quentin.
  await quiet.page.locator('#view-toggle').click();
  await waitFor(() => quiet.page.evaluate((pid) =>
    document.querySelector(`#stage figure.tile[data-participant="${pid}"]`) ? true : null,
  talker.id), { timeoutMs: 5000, what: 'Sofia on the stage in speaker view' });
  await quiet.page.close();
  await talker.page.close();
});
