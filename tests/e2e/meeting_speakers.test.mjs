// Who is heard and who is seen in a larger meeting, in a real browser:
// - last-N: with --last-n 2, a browser in a room with three load-generator publishers is sent
//   exactly two of their cameras; the third tile shows the person's avatar, marked paused;
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

let tempDir;
const cleanups = [];

before(() => {
  tempDir = mkdtempSync(join(tmpdir(), 'treff-e2e-speakers-'));
});

after(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => {});
  if (tempDir) rmSync(tempDir, { recursive: true, force: true });
});

// Runs in the page: per remote video track, the packets received so far, by mid.
function videoPacketsByMid() {
  const pcs = (window.__treffPeerConnections ?? []).filter((pc) => pc.signalingState !== 'closed');
  const sub = pcs.find((pc) => pc.remoteDescription?.type === 'offer');
  if (!sub) return Promise.resolve({});
  return sub.getStats().then((stats) => {
    const out = {};
    stats.forEach((s) => {
      if (s.type === 'inbound-rtp' && s.kind === 'video') out[s.mid] = s.packetsReceived ?? 0;
    });
    return out;
  });
}

test('last-N = 2: of three publishers, exactly two cameras are forwarded', { timeout: 120_000 },
     async (t) => {
  const bin = loadgenBinary();
  if (!existsSync(bin)) throw new Error(`no load generator at ${bin}: build target treff-loadgen`);
  const treff = await startTreff({ mediaPort: LAST_N_PORT, extraArgs: ['--last-n', '2'] });
  cleanups.push(() => treff.stop());
  const browser = await launchChromium();
  cleanups.push(() => browser.close());
  const { context } = await watchedContext(browser);
  const meeting = 'last-n-two';
  const me = await joinMeeting(context, treff.url, { meeting, name: 'Lena', direct: true });

  // Three simulated participants join the same meeting and publish camera and microphone.
  const loadgen = spawn(bin, ['--url', treff.url, '--meeting', meeting, '--rooms', '1',
                              '--participants', '3', '--duration', '40', '--ramp-timeout', '4'],
                        { stdio: ['ignore', 'ignore', 'pipe'] });
  const loadgenErr = [];
  loadgen.stderr.on('data', (d) => loadgenErr.push(d.toString()));
  cleanups.push(async () => { if (loadgen.exitCode === null) loadgen.kill('SIGTERM'); });

  await waitFor(() => me.page.evaluate(() =>
    document.querySelectorAll('figure.tile:not([data-local])').length === 3 || null),
  { timeoutMs: 30_000, what: 'three remote tiles', last: () => loadgenErr.slice(-3).join('') });

  // Forwarded: the videos whose packet count rises over 3 s, once the room has settled.
  const rising = async () => {
    const a = await me.page.evaluate(videoPacketsByMid);
    await sleep(3000);
    const b = await me.page.evaluate(videoPacketsByMid);
    return Object.keys(b).filter((mid) => (b[mid] ?? 0) > (a[mid] ?? 0) + 20);
  };
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
