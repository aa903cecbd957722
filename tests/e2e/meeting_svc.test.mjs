// SVC in VP9 and AV1 rooms. There a camera is published as ONE stream with three spatial layers
// (L3T3_KEY: a quarter, half and all of the picture), and the server forwards to each
// subscriber only the spatial layers its tile needs. Ada publishes; Bruno shows her large (a
// wide page in speaker view, Ada pinned on the stage), Carl small (a small page in grid view).
// From that same stream Bruno decodes a wider picture than Carl, Carl at most half of what Ada
// sends and at clearly fewer bytes per second; when Carl's page grows and he puts Ada on his
// stage, he is upgraded to Bruno's resolution (at the next key frame). While nobody shows her
// large, her browser is told to stop encoding the top layer.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { launchChromium, startTreff, waitFor } from './helpers.mjs';
import { joinMeeting, sleep, waitForMediaFrom, watchedContext } from './meeting_helpers.mjs';

let browser;
const contexts = [];

before(async () => {
  browser = await launchChromium();
});

after(async () => {
  for (const c of contexts) await c.close().catch(() => {});
  await browser?.close().catch(() => {});
});

// Runs in the page: Ada's camera as the publish connection's outbound-rtp stats show it (one
// entry per encoding).
async function sentVideo() {
  const pub = (window.__treffPeerConnections ?? [])
    .find((pc) => pc.signalingState !== 'closed' && pc.localDescription?.type === 'offer');
  const out = [];
  (await pub.getStats()).forEach((r) => {
    if (r.type === 'outbound-rtp' && r.kind === 'video') {
      out.push({ rid: r.rid, scalabilityMode: r.scalabilityMode, width: r.frameWidth ?? 0,
                 height: r.frameHeight ?? 0, frames: r.framesEncoded ?? 0,
                 limitedBy: r.qualityLimitationReason });
    }
  });
  return out;
}

// Runs in the page: the camera video received from participant `id` (the subscribe
// connection's inbound-rtp stats, found through the mid of the tile's <video>), and the size of
// the tile in device pixels, as the page reports it to the server.
async function receivedFrom(id) {
  const tile = document.querySelector(`figure.tile[data-participant="${id}"]`);
  const mid = tile?.querySelector('video')?.getAttribute('data-mid');
  const box = tile?.getBoundingClientRect();
  const scale = window.devicePixelRatio || 1;
  const sub = (window.__treffPeerConnections ?? [])
    .find((pc) => pc.signalingState !== 'closed' && pc.remoteDescription?.type === 'offer');
  const px = (v) => Math.round(v * scale);
  const out = { tile: box ? `${px(box.width)}x${px(box.height)}` : null,
                tileHeight: box ? px(box.height) : 0,
                width: 0, height: 0, frames: 0, bytes: 0, at: performance.now() };
  if (!sub || !mid) return out;
  (await sub.getStats()).forEach((r) => {
    if (r.type === 'inbound-rtp' && r.kind === 'video' && r.mid === mid) {
      Object.assign(out, { width: r.frameWidth ?? 0, height: r.frameHeight ?? 0,
                           frames: r.framesDecoded ?? 0, bytes: r.bytesReceived ?? 0 });
    }
  });
  return out;
}

// Two samples of what each watcher receives from Ada, 1.5 s apart: decoded size, whether frames
// keep coming, and the bytes received per second in between.
async function measure(watchers, ada) {
  const first = await Promise.all(watchers.map((w) => w.page.evaluate(receivedFrom, ada.id)));
  await sleep(1500);
  const second = await Promise.all(watchers.map((w) => w.page.evaluate(receivedFrom, ada.id)));
  return second.map((s, i) => ({
    ...s, rising: s.frames > first[i].frames,
    kbps: Math.round(((s.bytes - first[i].bytes) * 8) / (s.at - first[i].at)),
  }));
}

const show = (r) => `${r.width}x${r.height} at ${r.kbps} kbit/s (tile ${r.tile})`;

async function join(treff, meeting, name, viewport) {
  const { context } = await watchedContext(browser);
  contexts.push(context);
  const joined = await joinMeeting(context, treff.url, { meeting, name, direct: true });
  await joined.page.setViewportSize(viewport);
  return { ...joined, context };
}

// Speaker view with Ada pinned: she fills the stage whoever speaks.
async function putOnStage(watcher, ada) {
  await watcher.page.locator('#view-toggle').click();
  await watcher.page.locator(`figure.tile[data-participant="${ada.id}"] .pin-button`).click();
  const onStage = watcher.page.locator(`#stage figure.tile[data-participant="${ada.id}"]`);
  await waitFor(() => onStage.count(), { timeoutMs: 5000, what: `Ada on ${watcher.name}'s stage` });
}

for (const [codec, mediaPort] of [['VP9', 20200], ['AV1', 20210]]) {
  test(`${codec} SVC: one stream, each subscriber decodes the spatial layer its tile needs`,
       { timeout: 240_000 }, async (t) => {
    const treff = await startTreff({ mediaPort, extraArgs: ['--video-codec', codec] });
    // Closed at the end of this test even when it fails: their encoders would slow the next.
    t.after(async () => {
      for (const c of contexts.splice(0)) await c.close().catch(() => {});
      await treff.stop();
    });
    const meeting = `svc-${codec.toLowerCase()}`;
    const ada = await join(treff, meeting, 'Ada', { width: 1280, height: 720 });
    const bruno = await join(treff, meeting, 'Bruno', { width: 1280, height: 720 });
    const carl = await join(treff, meeting, 'Carl', { width: 480, height: 320 });
    const joined = Date.now();
    // Only Ada's camera is needed: the others' encoders would take CPU from hers.
    for (const w of [bruno, carl]) await w.page.locator('#camera-toggle').click();
    await putOnStage(bruno, ada);
    for (const w of [bruno, carl]) {
      await waitForMediaFrom(w.page, [ada], { label: w.name, timeoutMs: 30_000 });
    }
    const carlTile = await carl.page.evaluate(receivedFrom, ada.id);
    assert.ok(carlTile.tileHeight < 150, `Ada's tile at Carl is small: ${carlTile.tile}`);

    // Ada sends one encoding, in three spatial and three temporal layers once Bruno's link has
    // shown it can take the top one (until then the server may have her send fewer).
    let sent;
    await waitFor(async () => {
      sent = await ada.page.evaluate(sentVideo);
      return sent.length === 1 && sent[0].frames > 0 && sent[0].scalabilityMode === 'L3T3_KEY';
    }, { timeoutMs: 30_000, what: 'Ada to encode her camera in L3T3_KEY', last: () => sent });

    // Bruno (large tile) decodes more of her picture than Carl (small tile), both live.
    let seen;
    await waitFor(async () => {
      sent = await ada.page.evaluate(sentVideo);
      const [b, c] = seen = await measure([bruno, carl], ada);
      return b.rising && c.rising && b.width > c.width && c.width > 0 &&
             c.width <= sent[0].width / 2;
    }, { timeoutMs: 90_000, what: 'Bruno to decode Ada wider than Carl, Carl at most half of hers',
         last: () => ({ sent, seen }) });
    const [b, c] = seen;
    t.diagnostic(`${codec}: ${Date.now() - joined} ms after all three joined, Bruno decodes ${
      show(b)}, Carl ${show(c)}; Ada sends ${JSON.stringify(sent)}`);
    assert.ok(c.kbps < b.kbps * 0.7, `Carl receives clearly less: ${c.kbps} vs ${b.kbps} kbit/s`);

    // Bruno's page shrinks too: nobody needs Ada's top layer, so the server tells her client,
    // which stops encoding it (a lower scalability mode over a smaller picture).
    const shrunk = Date.now();
    await bruno.page.setViewportSize({ width: 480, height: 320 });
    await waitFor(async () => {
      sent = await ada.page.evaluate(sentVideo);
      return sent.length === 1 && sent[0].scalabilityMode !== 'L3T3_KEY' && sent[0].width > 0 &&
             sent[0].width <= 640;
    }, { timeoutMs: 20_000, what: 'Ada to stop encoding her top spatial layer', last: () => sent });
    t.diagnostic(`${codec}: ${Date.now() - shrunk} ms after Bruno's page shrank, Ada sends ${
      JSON.stringify(sent)}`);
    await bruno.page.setViewportSize({ width: 1280, height: 720 });

    // Carl's page grows and puts Ada on his stage: he is sent her top layer too (and she encodes
    // it again, since Bruno's page is large again as well).
    const grown = Date.now();
    await carl.page.setViewportSize({ width: 1280, height: 720 });
    await putOnStage(carl, ada);
    let took;
    const steps = [];  // each change of the decoded widths: "ms: Bruno's/Carl's"
    await waitFor(async () => {
      const [bb, cc] = seen = await Promise.all(
        [bruno, carl].map((w) => w.page.evaluate(receivedFrom, ada.id)));
      took = Date.now() - grown;
      const step = `${bb.width}/${cc.width}`;
      if (!steps.at(-1)?.endsWith(` ${step}`)) steps.push(`${took} ms: ${step}`);
      return cc.width > c.width && cc.width === bb.width;
    }, { timeoutMs: 30_000, what: 'Carl to decode Ada as wide as Bruno',
         last: () => ({ seen, steps }) });
    // Ada encodes all three spatial layers again.
    await waitFor(async () => {
      sent = await ada.page.evaluate(sentVideo);
      return sent.length === 1 && sent[0].scalabilityMode === 'L3T3_KEY';
    }, { timeoutMs: 10_000, what: 'Ada to encode her top spatial layer again', last: () => sent });
    // And both go on decoding at the same width (Ada's encoder may still be ramping up after
    // the change of mode, so this is measured until it holds over 1.5 s).
    await waitFor(async () => {
      seen = await measure([bruno, carl], ada);
      return seen.every((r) => r.rising) && seen[1].width === seen[0].width &&
             seen[1].width > c.width;
    }, { timeoutMs: 20_000, what: 'Bruno and Carl to decode Ada as wide, both live',
         last: () => seen });
    t.diagnostic(`${codec}: Carl upgraded ${took} ms after his tile grew: Bruno ${
      show(seen[0])}, Carl ${show(seen[1])}; widths Bruno/Carl on the way: ${steps.join(', ')}`);

    for (const p of [ada, bruno, carl]) {
      assert.equal(await p.page.locator('#error').count(), 0, `${p.name} shows no error`);
    }
  });
}
