// The room's video codec. A server started with --video-codec runs its rooms in that codec while
// every browser in the room can send and receive it: the publishers' cameras then send it, and
// the others decode it. A browser that lacks it (modelled by a page that hides VP9 from
// RTCRtpSender/RTCRtpReceiver.getCapabilities, as a browser without VP9 would show) makes the
// room fall back to VP8 while it is there; after it leaves, the room returns to its codec.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { launchChromium, startTreff, waitFor } from './helpers.mjs';
import { joinMeeting, sleep, waitForMediaFrom, watchedContext } from './meeting_helpers.mjs';

let browser;
const servers = [];
const contexts = [];

before(async () => {
  browser = await launchChromium();
});

after(async () => {
  for (const c of contexts) await c.close().catch(() => {});
  await browser?.close().catch(() => {});
  for (const s of servers) await s.stop();
});

// Runs in the page: the codec of each sending camera layer (publish connection) and of each
// received video (subscribe connection), with frames decoded, from getStats.
async function videoCodecs() {
  const pcs = (window.__treffPeerConnections ?? []).filter((pc) => pc.signalingState !== 'closed');
  const pub = pcs.find((pc) => pc.localDescription?.type === 'offer');
  const sub = pcs.find((pc) => pc.remoteDescription?.type === 'offer');
  const out = { sent: [], received: [] };
  for (const [pc, type, list] of [[pub, 'outbound-rtp', out.sent], [sub, 'inbound-rtp', out.received]]) {
    if (!pc) continue;
    const reports = new Map();
    (await pc.getStats()).forEach((r) => reports.set(r.id, r));
    for (const r of reports.values()) {
      if (r.type !== type || r.kind !== 'video' || !r.codecId) continue;
      list.push({
        codec: reports.get(r.codecId)?.mimeType?.replace('video/', ''),
        frames: type === 'inbound-rtp' ? r.framesDecoded : r.framesEncoded,
        width: type === 'inbound-rtp' ? r.frameWidth : r.frameWidth, mid: r.mid,
      });
    }
  }
  return out;
}

// Runs in the page before its scripts: this browser claims to have no VP9.
function hideVp9() {
  for (const cls of [RTCRtpSender, RTCRtpReceiver]) {
    const original = cls.getCapabilities.bind(cls);
    cls.getCapabilities = (kind) => {
      const caps = original(kind);
      if (caps && kind === 'video') caps.codecs = caps.codecs.filter((c) => c.mimeType !== 'video/VP9');
      return caps;
    };
  }
}

// Waits until every page sends its camera only in `codec`, with at least `layers` simulcast
// layers encoding, and decodes video in `codec` from each other one, with frames still rising.
// Returns the time it took in ms.
// How many simulcast layers a publisher encodes is the bandwidth allocation's business (it
// turns off layers nobody can take), and on a busy machine the estimate may keep a publisher on
// its lowest layer: the codec is what this checks.
async function waitForCodec(codec, people, what, { layers = 1 } = {}) {
  const start = Date.now();
  const framesBefore = new Map();
  let latest;
  await waitFor(async () => {
    latest = {};
    for (const p of people) latest[p.name] = await p.page.evaluate(videoCodecs);
    return people.every((p) => {
      const c = latest[p.name];
      const sending = c.sent.filter((s) => s.frames > 0);
      const live = c.received.filter((r) => r.codec === codec && r.frames > 0);
      // The camera's simulcast layers, all in the room's codec.
      return sending.length >= layers && c.sent.every((s) => s.codec === codec) &&
             live.length >= people.length - 1;
    });
  }, { timeoutMs: 45_000, what, last: () => JSON.stringify(latest) });
  const took = Date.now() - start;
  // Decoding goes on in that codec.
  for (const p of people) framesBefore.set(p.name, (await p.page.evaluate(videoCodecs)).received);
  await sleep(1500);
  for (const p of people) {
    const now = (await p.page.evaluate(videoCodecs)).received;
    const rising = now.filter((r) => r.codec === codec &&
      r.frames > (framesBefore.get(p.name).find((b) => b.mid === r.mid)?.frames ?? 0));
    assert.ok(rising.length >= people.length - 1,
              `${p.name} keeps decoding ${codec}: ${JSON.stringify(now)}`);
  }
  return took;
}

async function join(treff, meeting, name, { withoutVp9 = false } = {}) {
  const { context } = await watchedContext(browser);
  contexts.push(context);
  if (withoutVp9) await context.addInitScript(hideVp9);
  const joined = await joinMeeting(context, treff.url, { meeting, name, direct: true });
  // Speaker view: the other person fills the stage, so every simulcast layer is needed (a
  // grid tile would ask for less, and the publisher would stop encoding the top layer).
  await joined.page.locator('#view-toggle').click();
  return { ...joined, context };
}

test('a VP9 room sends VP9, falls back to VP8 for a browser without it, and returns',
     { timeout: 180_000 }, async (t) => {
  const treff = await startTreff({ mediaPort: 20090, extraArgs: ['--video-codec', 'VP9'] });
  servers.push(treff);
  const meeting = 'codec-room-vp9-fallback';
  const ada = await join(treff, meeting, 'Ada');
  const bruno = await join(treff, meeting, 'Bruno');
  await waitForMediaFrom(ada.page, [bruno], { label: 'Ada' });
  await waitForMediaFrom(bruno.page, [ada], { label: 'Bruno' });
  const first = await waitForCodec('VP9', [ada, bruno], 'Ada and Bruno to send and decode VP9');
  t.diagnostic(`VP9 flowing ${first} ms after both decode; Ada: ${
    JSON.stringify(await ada.page.evaluate(videoCodecs))}`);

  const carl = await join(treff, meeting, 'Carl (no VP9)', { withoutVp9: true });
  const joinedAt = Date.now();
  let sent;
  await waitFor(async () => {
    sent = [await ada.page.evaluate(videoCodecs), await bruno.page.evaluate(videoCodecs)];
    return sent.every((c) => c.sent.length > 0 && c.sent.every((s) => s.codec === 'VP8'));
  }, { timeoutMs: 15_000, what: 'Ada and Bruno to send VP8', last: () => JSON.stringify(sent) });
  const switched = Date.now() - joinedAt;
  // Carl's own top layers wait for his browser's bandwidth estimate to grow, which takes long
  // on a loaded machine: one encoding layer is enough here.
  const fallback = await waitForCodec('VP8', [ada, bruno, carl],
                                      'everyone to send and decode VP8 once Carl is in',
                                      { layers: 1 });
  t.diagnostic(`fallback: Ada and Bruno send VP8 ${switched} ms after Carl joined; all three ` +
               `send and decode VP8 ${switched + fallback} ms after; Carl: ${
                 JSON.stringify(await carl.page.evaluate(videoCodecs))}`);

  await carl.page.locator('#leave-button').click();
  const back = await waitForCodec('VP9', [ada, bruno], 'Ada and Bruno to return to VP9');
  t.diagnostic(`after Carl left, Ada and Bruno send and decode VP9 again within ${back} ms`);
  for (const p of [ada, bruno]) {
    assert.equal(await p.page.locator('#error').count(), 0, `${p.name} shows no error`);
  }
});

for (const [codec, mediaPort] of [['H264', 20100], ['AV1', 20110]]) {
  test(`a room set to ${codec} sends and decodes ${codec}`, { timeout: 120_000 }, async (t) => {
    const treff = await startTreff({ mediaPort, extraArgs: ['--video-codec', codec] });
    servers.push(treff);
    const meeting = `codec-room-${codec.toLowerCase()}`;
    const ada = await join(treff, meeting, 'Ada');
    const bruno = await join(treff, meeting, 'Bruno');
    await waitForMediaFrom(ada.page, [bruno], { label: 'Ada', timeoutMs: 30_000 });
    await waitForMediaFrom(bruno.page, [ada], { label: 'Bruno', timeoutMs: 30_000 });
    const took = await waitForCodec(codec, [ada, bruno], `Ada and Bruno to send and decode ${codec}`);
    const seen = await ada.page.evaluate(videoCodecs);
    t.diagnostic(`${codec}: flowing ${took} ms after both decode; Ada ${JSON.stringify(seen)}`);
    for (const p of [ada, bruno]) await p.context.close();
    await treff.stop();
  });
}
