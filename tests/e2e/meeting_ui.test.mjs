// What people meet at the edges of a call, in a real browser: a full meeting says so, a browser
// that blocks the camera and microphone gets a readable explanation and can still join to
// listen, and switching the camera during a call changes what the others see without a new
// peer connection or a new publish offer.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { launchChromium, startTreff, waitFor } from './helpers.mjs';
import { joinMeeting, sleep, waitForMediaFrom, watchedContext } from './meeting_helpers.mjs';

let treff;
let browser;
const contexts = [];

before(async () => {
  // Two participants at most per meeting; the fake capture offers two cameras.
  treff = await startTreff({ mediaPort: 20120, extraArgs: ['--max-participants', '2'] });
  browser = await launchChromium({
    extraArgs: ['--use-fake-device-for-media-stream=device-count=2'],
  });
});

after(async () => {
  for (const c of contexts) await c.close().catch(() => {});
  await browser?.close().catch(() => {});
  await treff?.stop();
});

async function newContext() {
  const { context, seen } = await watchedContext(browser);
  contexts.push(context);
  return { context, seen };
}

// Runs in the page: the label of the camera track the publish connection sends.
function sentCameraLabel() {
  const pcs = (window.__treffPeerConnections ?? []).filter((pc) => pc.signalingState !== 'closed');
  const pub = pcs.find((pc) => pc.localDescription?.type === 'offer');
  const video = pub?.getSenders().find((s) => s.track?.kind === 'video');
  return video?.track?.label ?? null;
}

// Runs in the page: the publish connection's last offer, identified by its o= line (the
// session version rises with every offer).
function publishOfferOrigin() {
  const pcs = (window.__treffPeerConnections ?? []).filter((pc) => pc.signalingState !== 'closed');
  const pub = pcs.find((pc) => pc.localDescription?.type === 'offer');
  return /^o=.*$/m.exec(pub?.localDescription?.sdp ?? '')?.[0] ?? null;
}

test('a full meeting tells the third person so, in words', { timeout: 90_000 }, async (t) => {
  const meeting = 'ui-full-meeting';
  const a = await joinMeeting((await newContext()).context, treff.url, { meeting, name: 'Ada', direct: true });
  const b = await joinMeeting((await newContext()).context, treff.url, { meeting, name: 'Bruno', direct: true });
  const { context } = await newContext();
  const page = await context.newPage();
  await page.goto(new URL(`/${meeting}`, treff.url).href);
  await page.locator('#display-name').fill('Carla');
  await page.locator('#join-button').click();
  const error = page.locator('#error');
  await error.waitFor({ timeout: 15_000 });
  const text = await error.textContent();
  t.diagnostic(`third person sees: "${text.trim()}" (code ${await error.getAttribute('data-code')})`);
  assert.equal(await error.getAttribute('data-code'), 'meeting-full');
  assert.match(text, /full/i, 'the message says the meeting is full');
  assert.equal(await page.locator('#retry-button').count(), 1, 'a retry button is offered');
  // The two inside are undisturbed and see no third tile.
  for (const p of [a, b]) {
    assert.equal(await p.page.locator('figure.tile').count(), 2, `${p.name} sees two tiles`);
  }
  for (const p of [a, b, { page }]) await p.page.close();
});

// Runs in the page before its scripts: every request for camera or microphone fails as it does
// when the person chose "Block" (a NotAllowedError). Produced at the API: a headless browser that
// really lacks the permission, in this test's loopback-only namespace, also withholds its
// loopback interface from ICE, which a real person's browser with a network does not.
function blockCameraAndMicrophone() {
  navigator.mediaDevices.getUserMedia = () =>
    Promise.reject(new DOMException('Permission denied', 'NotAllowedError'));
}

test('blocked camera and microphone are explained, and the person can still join to listen',
     { timeout: 90_000 }, async (t) => {
  const meeting = 'ui-blocked-media';
  const ada = await joinMeeting((await newContext()).context, treff.url, { meeting, name: 'Ada', direct: true });
  const { context } = await newContext();
  await context.addInitScript(blockCameraAndMicrophone);
  const page = await context.newPage();
  await page.goto(new URL(`/${meeting}`, treff.url).href);
  const problem = page.locator('#media-error');
  await problem.waitFor({ timeout: 15_000 });
  const text = (await problem.textContent()).trim();
  t.diagnostic(`pre-join says: "${text}"`);
  assert.match(text, /blocked/i, 'the notice says access is blocked');
  assert.ok(await page.locator('#join-button').isEnabled(), 'Join stays possible');
  await page.locator('#display-name').fill('Bea');
  await page.locator('#join-button').click();
  const bea = { page, name: 'Bea' };
  bea.id = await waitFor(() => page.evaluate(() => {
    const id = document.querySelector('figure.tile[data-local]')?.getAttribute('data-participant');
    return id && id !== 'self' ? id : null;
  }), { timeoutMs: 15_000, what: 'Bea to join' });
  const f = await waitForMediaFrom(page, [ada], { label: 'Bea' });
  t.diagnostic(`Bea decodes Ada at ${f.remote[ada.id].video.width}x${f.remote[ada.id].video.height}`);
  assert.equal(await page.locator('#error').count(), 0, 'no error banner in the call');
  await waitFor(() => ada.page.locator(`figure.tile[data-participant="${bea.id}"]`).count(),
                { timeoutMs: 10_000, what: 'Ada to show Bea\'s tile' });
  await page.close();
  await ada.page.close();
});

test('switching the camera during the call changes what the other sees, on the same connection',
     { timeout: 90_000 }, async (t) => {
  const meeting = 'ui-switch-camera';
  const ada = await joinMeeting((await newContext()).context, treff.url, { meeting, name: 'Ada', direct: true });
  const bruno = await joinMeeting((await newContext()).context, treff.url, { meeting, name: 'Bruno', direct: true });
  await waitForMediaFrom(bruno.page, [ada], { label: 'Bruno' });
  const before = await ada.page.evaluate(sentCameraLabel);
  const pcsBefore = await ada.page.evaluate(() => window.__treffPeerConnections.length);
  const offerBefore = await ada.page.evaluate(publishOfferOrigin);
  const ws = [];
  ada.page.on('websocket', () => ws.push('new socket'));

  await ada.page.locator('#settings-toggle').click();
  const select = ada.page.locator('#settings-camera-select');
  const options = await select.locator('option').evaluateAll(
    (os) => os.map((o) => ({ value: o.value, label: o.textContent })));
  assert.ok(options.length >= 2, `two cameras to choose from: ${JSON.stringify(options)}`);
  const current = await select.inputValue();
  const other = options.find((o) => o.value !== current);
  const framesBefore = (await bruno.page.evaluate(() => {
    const v = document.querySelector('video[data-source=camera][data-participant]');
    return v?.getVideoPlaybackQuality().totalVideoFrames ?? 0;
  }));
  const switchedAt = Date.now();
  await select.selectOption(other.value);
  const after = await waitFor(async () => {
    const label = await ada.page.evaluate(sentCameraLabel);
    return label && label !== before && label;
  }, { timeoutMs: 10_000, what: 'Ada to send the other camera' });
  const took = Date.now() - switchedAt;
  // Bruno keeps decoding Ada on the same subscription.
  await sleep(1500);
  const framesAfter = await bruno.page.evaluate(() => {
    const v = document.querySelector('video[data-source=camera][data-participant]');
    return v?.getVideoPlaybackQuality().totalVideoFrames ?? 0;
  });
  t.diagnostic(`Ada switched "${before}" -> "${after}" in ${took} ms; Bruno's frames ` +
               `${framesBefore} -> ${framesAfter}`);
  assert.ok(framesAfter > framesBefore + 10, 'Bruno keeps receiving Ada\'s video');
  assert.equal(await ada.page.evaluate(() => window.__treffPeerConnections.length), pcsBefore,
               'no new peer connection');
  assert.deepEqual(ws, [], 'no new signaling socket');
  assert.equal(await ada.page.evaluate(publishOfferOrigin), offerBefore, 'no new publish offer');
  assert.equal(await ada.page.locator('#settings-camera-select').inputValue(), other.value,
               'the settings show the chosen camera');
});
