// Two ways a meeting must stay usable when things are not ideal:
//  a. A participant's signaling WebSocket drops (both ends closed, and reconnecting is refused
//     for a while, as when the network path to the server is gone). It must come back as the
//     same participant through `join` with `resume`, keep its two peer connections, get its
//     media flowing both ways again, and the others must show it as reconnecting without ever
//     removing its tile.
//  b. A participant whose browser has no camera and no microphone at all joins: it gets a
//     readable notice before joining, listens only (no publish offer), and sees and hears the
//     other, who lists it.
// The WebSocket of the participant under test is routed through Playwright, which forwards
// every message both ways and records it, so that the test can cut the connection and read
// what the client and the server said.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { chromium } from 'playwright-core';
import { CHROMIUM, launchChromium, startTreff, waitFor } from './helpers.mjs';
import {
  figures, joinMeeting, peerConnectionDetails, sleep, startGridSampler, stopGridSampler,
  waitForMediaFrom, watchedContext,
} from './meeting_helpers.mjs';

const MEDIA_PORT_DROP = 20040;
const MEDIA_PORT_NO_DEVICES = 20050;
// How long reconnecting is refused once the page has seen the drop. The client retries after
// 0.5, 1 and 2 s, so two attempts are refused and the third gets through, some 3.5 s later.
const DOWN_MS = 3000;

const browsers = [];
const contexts = [];
const servers = [];

after(async () => {
  for (const c of contexts) await c.close().catch(() => {});
  for (const b of browsers) await b.close().catch(() => {});
  for (const s of servers) await s.stop();
});

async function withServerOutput(treff, fn) {
  try {
    return await fn();
  } catch (err) {
    err.message += `\n--- treff output ---\n${treff.output()}`;
    throw err;
  }
}

const parse = (m) => {
  try {
    return JSON.parse(typeof m === 'string' ? m : m.toString());
  } catch {
    return { type: '(not JSON)' };
  }
};

// Routes the signaling WebSocket of every page of `context` through the test: messages are
// forwarded both ways and recorded ({ at: Date.now(), msg }). While link.down is set, new
// connections are closed at once instead of reaching the server. link.drop() closes the
// current connection at both ends.
async function routeSignaling(context) {
  const link = { down: false, connections: [], refused: 0, toServer: [], fromServer: [] };
  await context.routeWebSocket(/\/ws$/, (page) => {
    if (link.down) {
      link.refused += 1;
      void page.close({ code: 1011, reason: 'test: server unreachable' }).catch(() => {});
      return;
    }
    const server = page.connectToServer();
    const connection = { page, server, openedAt: Date.now() };
    link.connections.push(connection);
    page.onMessage((m) => {
      link.toServer.push({ at: Date.now(), msg: parse(m) });
      try { server.send(m); } catch { /* closed meanwhile */ }
    });
    server.onMessage((m) => {
      link.fromServer.push({ at: Date.now(), msg: parse(m) });
      try { page.send(m); } catch { /* closed meanwhile */ }
    });
  });
  link.drop = async () => {
    const c = link.connections.at(-1);
    await Promise.all([c.server.close().catch(() => {}),
                       c.page.close({ code: 1011, reason: 'test: connection lost' }).catch(() => {})]);
  };
  return link;
}


const framesOf = async (watcher, who) =>
  (await figures(watcher.page)).remote[who.id]?.video?.framesDecoded ?? 0;

test('a dropped signaling WebSocket resumes as the same participant, unseen as a leave',
     { timeout: 180_000 }, async () => {
  const treff = await startTreff({ mediaPort: MEDIA_PORT_DROP });
  servers.push(treff);
  const browser = await launchChromium();
  browsers.push(browser);
  const people = [];
  let link = null;
  await withServerOutput(treff, async () => {
    try {
      const meeting = `ws-drop-${process.pid}`;
      for (const name of ['Ada', 'Bruno', 'Chloé']) {
        const { context } = await watchedContext(browser);
        contexts.push(context);
        if (name === 'Chloé') link = await routeSignaling(context);
        people.push(await joinMeeting(context, treff.url, { meeting, name, direct: true }));
      }
      const [ada, bruno, chloe] = people;
      const watchers = [ada, bruno];
      const othersOf = (p) => people.filter((q) => q !== p);
      for (const p of people) await waitForMediaFrom(p.page, othersOf(p), { label: p.name });
      assert.equal(link.connections.length, 1, 'Chloé\'s signaling went through the route');
      const firstJoined = link.fromServer.find((e) => e.msg.type === 'joined');
      assert.equal(firstJoined?.msg.participant, chloe.id, 'the route saw Chloé\'s joined');
      assert.equal(firstJoined.msg.resumed, false, 'the first join is not a resume');
      const before = await figures(chloe.page);
      assert.equal(before.peerConnections, 2, 'Chloé has two RTCPeerConnections before the drop');

      for (const w of watchers) await w.page.evaluate(startGridSampler, chloe.id);

      // The drop: both ends of the socket close, and reconnecting fails for DOWN_MS.
      const framesAtDrop = await Promise.all(watchers.map((w) => framesOf(w, chloe)));
      link.down = true;
      const dropAt = Date.now();
      await link.drop();
      await chloe.page.locator('#reconnecting-banner').waitFor({ timeout: 10_000 });
      const bannerMs = Date.now() - dropAt;
      // The others learn it from the server: the tile is marked, not removed.
      const shownMs = await Promise.all(watchers.map(async (w) => {
        await w.page.locator(`figure.tile[data-participant="${chloe.id}"][data-reconnecting="true"]`)
          .waitFor({ timeout: 10_000 });
        return Date.now() - dropAt;
      }));
      const framesDuring = await Promise.all(watchers.map((w) => framesOf(w, chloe)));
      await sleep(Math.max(0, DOWN_MS - (Date.now() - dropAt - bannerMs)));
      link.down = false;

      // The rejoin carries the resume credentials and the server answers resumed, same id.
      let resumeJoin;
      const joined = await waitFor(() => {
        resumeJoin = link.toServer.find((e) => e.at > dropAt && e.msg.type === 'join');
        return link.fromServer.find((e) => e.at > dropAt && e.msg.type === 'joined');
      }, { timeoutMs: 20_000, intervalMs: 100, what: 'Chloé\'s page to rejoin after the drop',
           last: () => ({ refused: link.refused, connections: link.connections.length,
                          sent: link.toServer.filter((e) => e.at > dropAt).map((e) => e.msg.type) }) });
      const resumedMs = joined.at - dropAt;
      assert.equal(resumeJoin?.msg.resume?.participant, chloe.id, 'the rejoin asks to resume Chloé');
      assert.equal(joined.msg.resumed, true, 'the server resumed the session');
      assert.equal(joined.msg.participant, chloe.id, 'Chloé came back under the same id');
      assert.ok(link.refused >= 1, `reconnecting was refused while the link was down (${link.refused})`);
      assert.equal(link.connections.length, 2, 'exactly one new connection reached the server');
      const errors = link.fromServer.filter((e) => e.msg.type === 'error').map((e) => e.msg);
      assert.deepEqual(errors, [], 'the server sent Chloé no error');

      // Media flows again in all directions, counted from the resume on.
      const atResume = new Map();
      for (const w of watchers) atResume.set(`${w.name}<-Chloé`, await framesOf(w, chloe));
      for (const o of watchers) atResume.set(`Chloé<-${o.name}`, await framesOf(chloe, o));
      const backMs = {};
      await Promise.all([
        ...watchers.map(async (w) => {
          await waitFor(async () => (await framesOf(w, chloe)) > atResume.get(`${w.name}<-Chloé`) + 10,
                        { timeoutMs: 20_000, what: `${w.name} to decode Chloé's video after the resume` });
          backMs[`${w.name}<-Chloé`] = Date.now() - dropAt;
        }),
        ...watchers.map(async (o) => {
          await waitFor(async () => (await framesOf(chloe, o)) > atResume.get(`Chloé<-${o.name}`) + 10,
                        { timeoutMs: 20_000, what: `Chloé to decode ${o.name}'s video after the resume` });
          backMs[`Chloé<-${o.name}`] = Date.now() - dropAt;
        }),
      ]);
      // The tile shows Chloé connected again.
      for (const w of watchers) {
        await w.page.locator(`figure.tile[data-participant="${chloe.id}"][data-reconnecting="false"]`)
          .waitFor({ timeout: 10_000 });
      }
      await chloe.page.locator('#reconnecting-banner').waitFor({ state: 'detached', timeout: 5_000 });

      // Still decoding a second later; audio too.
      const mark = await Promise.all(people.map((p) => figures(p.page)));
      await sleep(1000);
      const now = await Promise.all(people.map((p) => figures(p.page)));
      for (const [i, p] of people.entries()) {
        for (const q of othersOf(p)) {
          const a = mark[i].remote[q.id];
          const b = now[i].remote[q.id];
          assert.ok(b?.video?.framesDecoded > a?.video?.framesDecoded,
                    `${p.name} keeps decoding ${q.name}'s video (${a?.video?.framesDecoded} -> ${b?.video?.framesDecoded})`);
          assert.ok(b?.audio?.packetsReceived > a?.audio?.packetsReceived,
                    `${p.name} receives ${q.name}'s audio (${a?.audio?.packetsReceived} -> ${b?.audio?.packetsReceived})`);
        }
      }

      // No new peer connections: the resume reuses both.
      const chloeNow = now[2];
      assert.equal(chloeNow.peerConnections, 2, 'Chloé still has exactly two RTCPeerConnections');
      assert.deepEqual(chloeNow.states, ['connected', 'connected'], 'both are connected');
      assert.equal(chloeNow.tiles.find((x) => x.local)?.id, chloe.id, 'Chloé\'s own tile keeps its id');

      const grids = [];
      for (const w of watchers) {
        const s = await w.page.evaluate(stopGridSampler);
        grids.push(s);
        assert.ok(s.samples >= s.ms / 400, `${w.name}'s grid was sampled every ~200 ms (${s.samples} in ${s.ms} ms)`);
        assert.equal(s.missing, 0, `${w.name} never lost Chloé's tile`);
        assert.equal(s.maxTiles, 3, `${w.name} never showed a fourth tile`);
        assert.ok(s.reconnecting > 0, `${w.name}'s sampler saw Chloé reconnecting`);
        const f = await figures(w.page);
        assert.deepEqual(f.tiles.map((x) => x.id).sort(), people.map((p) => p.id).sort(),
                         `${w.name} shows the same three participants`);
      }

      const ufrags = `${before.pubUfrag}/${before.subUfrag} -> ${chloeNow.pubUfrag}/${chloeNow.subUfrag}`;
      console.log(`ws drop: Chloé's banner after ${bannerMs} ms; reconnecting shown at ` +
                  `${watchers.map((w, i) => `${w.name} ${shownMs[i]} ms`).join(', ')} after the drop; ` +
                  `${link.refused} reconnects refused; resumed (same id ${chloe.id}) ${resumedMs} ms ` +
                  'after the drop');
      console.log(`ws drop: media again (ms after the drop): ${JSON.stringify(backMs)}; Chloé's ` +
                  `ICE ufrags pub/sub ${ufrags}; Chloé's video frames at Ada/Bruno: ` +
                  `${framesAtDrop.join('/')} at the drop, ${framesDuring.join('/')} once marked ` +
                  `reconnecting, ${watchers.map((w) => atResume.get(`${w.name}<-Chloé`)).join('/')} at the resume`);
      console.log(`ws drop: grids sampled ${grids.map((s, i) => `${watchers[i].name}: ${s.samples} ` +
                  `samples, missing ${s.missing}, reconnecting ${s.reconnecting}, ` +
                  `shown ${s.firstReconnectingAt - dropAt}..${s.lastReconnectingAt - dropAt} ms`).join('; ')}`);
    } catch (err) {
      for (const p of people) {
        const details = await p.page.evaluate(peerConnectionDetails).catch((e) => e.message);
        err.message += `\n--- ${p.name} (${p.id}): ${JSON.stringify(details)}`;
      }
      if (link) {
        err.message += `\n--- Chloé's signaling: ${JSON.stringify(
          [...link.toServer.map((e) => [e.at, '->', e.msg.type]),
           ...link.fromServer.map((e) => [e.at, '<-', e.msg.type, e.msg.code])]
            .sort((x, y) => x[0] - y[0]))}`;
      }
      throw err;
    }
  });
});

// Runs in a page, before its scripts, only where the machine itself has capture devices:
// a browser without any camera or microphone, as the media capture spec says it then behaves.
function noCaptureDevices() {
  const md = navigator.mediaDevices;
  const list = md.enumerateDevices.bind(md);
  md.enumerateDevices = async () => (await list()).filter((d) => d.kind === 'audiooutput');
  md.getUserMedia = async () => {
    throw new DOMException('Requested device not found', 'NotFoundError');
  };
}

test('a participant without camera and microphone joins, listens, and is listed',
     { timeout: 120_000 }, async () => {
  const treff = await startTreff({ mediaPort: MEDIA_PORT_NO_DEVICES });
  servers.push(treff);
  const browser = await launchChromium();
  // The listener's Chromium has no fake devices: on a machine without cameras and sound cards
  // (as here) it finds none, for real. The permission prompt is still accepted by itself, so
  // what is missing is the devices, not the permission.
  const bare = await chromium.launch({
    executablePath: CHROMIUM, headless: true,
    args: ['--headless=new', '--no-sandbox', '--disable-gpu', '--use-fake-ui-for-media-stream',
           '--allow-loopback-in-peer-connection', '--disable-background-networking',
           '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  browsers.push(browser, bare);
  await withServerOutput(treff, async () => {
    const meeting = `no-devices-${process.pid}`;
    const { context: adaContext } = await watchedContext(browser);
    contexts.push(adaContext);
    const ada = await joinMeeting(adaContext, treff.url, { meeting, name: 'Ada', direct: true });

    const { context } = await watchedContext(bare);
    contexts.push(context);
    const link = await routeSignaling(context);
    const page = await context.newPage();
    const pageErrors = [];
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await page.goto(new URL(`/${meeting}`, treff.url).href);
    let mechanism = 'no devices on this machine';
    const found = await page.evaluate(async () => (await navigator.mediaDevices.enumerateDevices())
      .filter((d) => d.kind !== 'audiooutput').length);
    if (found > 0) {
      // A developer's machine with a real camera: model "none" in the page instead.
      mechanism = 'page script (this machine has capture devices)';
      await context.addInitScript(noCaptureDevices);
      await page.reload();
    }

    // Pre-join: a readable notice, the name field and an enabled Join button.
    const notice = page.locator('#media-error');
    await notice.waitFor({ timeout: 10_000 });
    const noticeText = (await notice.textContent()).trim();
    assert.match(noticeText, /No camera or microphone was found/, 'the pre-join notice explains it');
    assert.equal(await page.locator('#prejoin-mic-toggle').isDisabled(), true,
                 'the microphone toggle is disabled without a microphone');
    assert.equal(await page.locator('#join-button').isEnabled(), true, 'Join stays possible');
    await page.locator('#display-name').fill('Nora');
    await page.locator('#join-button').click();
    const nora = {
      page, name: 'Nora',
      id: await waitFor(() => page.evaluate(() => {
        const id = document.querySelector('figure.tile[data-local]')?.getAttribute('data-participant');
        return id && id !== 'self' ? id : null;
      }), { timeoutMs: 15_000, what: 'Nora to join (own tile with the server\'s id)' }),
    };

    // Nora sees and hears Ada: video decoded and audio packets rising.
    const first = await waitForMediaFrom(nora.page, [ada], { label: 'Nora' });
    await sleep(2000);
    const second = await figures(nora.page);
    const a = first.remote[ada.id];
    const b = second.remote[ada.id];
    assert.ok(b.video.framesDecoded > a.video.framesDecoded,
              `Nora decodes Ada's video (${a.video.framesDecoded} -> ${b.video.framesDecoded})`);
    assert.ok(b.audio.packetsReceived > a.audio.packetsReceived,
              `Nora receives Ada's audio (${a.audio.packetsReceived} -> ${b.audio.packetsReceived})`);
    assert.equal(second.error, null, 'Nora\'s call shows no error banner');
    assert.equal(await page.locator('#mic-toggle').getAttribute('aria-pressed'), 'true',
                 'Nora\'s microphone shows as off');
    assert.equal(await page.locator('#camera-toggle').getAttribute('aria-pressed'), 'true',
                 'Nora\'s camera shows as off');
    assert.equal(second.peerConnections, 2, 'Nora has two RTCPeerConnections');

    // Ada lists Nora, in the grid and in the participants panel, with microphone and camera off,
    // and receives no media from her.
    await ada.page.locator(`figure.tile[data-participant="${nora.id}"]`).waitFor({ timeout: 10_000 });
    await ada.page.locator('#participants-toggle').click();
    const item = ada.page.locator(`#participants-list li[data-participant="${nora.id}"]`);
    await item.waitFor({ timeout: 5_000 });
    assert.match(await item.textContent(), /Nora/, 'Ada\'s participants list names Nora');
    assert.equal(await item.getAttribute('data-mic-muted'), 'true', 'Nora is listed without microphone');
    assert.equal(await item.getAttribute('data-camera-off'), 'true', 'Nora is listed without camera');
    const adaFigures = await figures(ada.page);
    assert.equal(adaFigures.remote[nora.id], undefined, 'Ada receives no media from Nora');
    assert.equal(adaFigures.error, null, 'Ada\'s call shows no error banner');

    // Nora only listens: no publish offer, so no publish answer and no error about one.
    const sent = link.toServer.map((e) => e.msg.type);
    const received = link.fromServer.map((e) => e.msg);
    assert.ok(sent.includes('join') && sent.includes('subscribe.answer'),
              `Nora joined and answered a subscribe offer (${sent.join(', ')})`);
    assert.equal(sent.filter((x) => x === 'publish').length, 0, 'Nora sent no publish offer');
    assert.equal(received.filter((m) => m.type === 'publish.answer').length, 0, 'no publish answer');
    assert.deepEqual(received.filter((m) => m.type === 'error'), [], 'the server sent Nora no error');
    assert.deepEqual(pageErrors, [], 'no uncaught error in Nora\'s page');

    console.log(`no devices (${mechanism}): notice "${noticeText}"; Nora <- Ada: video ` +
                `${b.video.width}x${b.video.height}, frames ${a.video.framesDecoded} -> ` +
                `${b.video.framesDecoded} in 2 s; audio packets ${a.audio.packetsReceived} -> ` +
                `${b.audio.packetsReceived}; Nora sent ${JSON.stringify(sent)}`);
  });
});
