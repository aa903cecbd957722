// Rapid join and leave around a running call: A and B stay in the meeting while six short-lived
// participants come and go around them (some leave before their publish completed, lifetimes
// overlap, one closes its page without leaving and goes through the reconnection grace). In the
// end A and B still decode each other and the one newcomer who stayed, show exactly the present
// participants, keep two RTCPeerConnections with the subscribe one stable, and never saw an
// error, a subscribe offer before they answered the previous one (glare), or a failed
// negotiation. At most four pages run at once (two cores).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { launchChromium, startTreff, waitFor } from './helpers.mjs';
import {
  figures, joinMeeting, metrics, sleep, waitForMediaFrom, watchedContext,
} from './meeting_helpers.mjs';

const MEDIA_PORT = 20080;
// The server keeps a participant whose socket dropped without `leave` this long (protocol.md).
const GRACE_MS = 20_000;

let treff;
let browser;
const contexts = new Set();

before(async () => {
  treff = await startTreff({ mediaPort: MEDIA_PORT });
  browser = await launchChromium();
});

after(async () => {
  for (const c of contexts) await c.close().catch(() => {});
  await browser?.close().catch(() => {});
  await treff?.stop();
});

// Runs in the page before its own scripts: watches the signaling WebSocket. Counts subscribe
// offers and answers per socket and notes the most offers ever unanswered at once (two means
// the server sent an offer while the browser still owed it an answer: glare); keeps every
// `error` message and when publish.answer first came. Two switches make a hurried person:
// window.__treffDropLeave (a `leave` is not sent, as when a tab is killed) and
// window.__treffLeaveOnPublish (Leave is clicked the moment the first publish offer is sent,
// before its answer can come back).
function recordSignaling() {
  const Original = window.WebSocket;
  const s = window.__treffSignaling = {
    sockets: 0, offers: 0, answers: 0, maxUnanswered: 0, errors: [], publishSentAt: null,
    publishAnsweredAt: null, leaveSentAt: null,
  };
  window.WebSocket = class extends Original {
    constructor(...args) {
      super(...args);
      s.sockets += 1;
      let unanswered = 0;
      this.__countAnswer = () => { unanswered = Math.max(0, unanswered - 1); };
      // Registered before the page's own onmessage, so it sees each message first.
      this.addEventListener('message', (ev) => {
        let m;
        try { m = JSON.parse(ev.data); } catch { return; }
        if (m.type === 'subscribe.offer') {
          s.offers += 1;
          unanswered += 1;
          s.maxUnanswered = Math.max(s.maxUnanswered, unanswered);
        } else if (m.type === 'error') {
          s.errors.push(`${m.code}: ${m.message}`);
        } else if (m.type === 'publish.answer' && s.publishAnsweredAt === null) {
          s.publishAnsweredAt = Date.now();
        }
      });
    }
    send(data) {
      let type = null;
      try { type = JSON.parse(data).type; } catch { /* not ours */ }
      if (type === 'leave') {
        if (window.__treffDropLeave) return;
        s.leaveSentAt ??= Date.now();
      }
      if (type === 'subscribe.answer') {
        s.answers += 1;
        this.__countAnswer();
      }
      super.send(data);
      if (type === 'publish' && s.publishSentAt === null) {
        s.publishSentAt = Date.now();
        if (window.__treffLeaveOnPublish) {
          setTimeout(() => document.getElementById('leave-button')?.click(), 0);
        }
      }
    }
  };
}

// A participant's page with its own context; console errors and page errors are kept.
async function enter(meeting, name, { direct = true } = {}) {
  const { context, seen } = await watchedContext(browser);
  contexts.add(context);
  await context.addInitScript(recordSignaling);
  const consoleErrors = [];
  context.on('page', (page) => {
    page.on('console', (msg) => { if (msg.type() === 'error') consoleErrors.push(msg.text()); });
    page.on('pageerror', (err) => consoleErrors.push(String(err)));
  });
  const startedAt = Date.now();
  const joined = await joinMeeting(context, treff.url, { meeting, name, direct });
  return { ...joined, context, seen, consoleErrors, joinMs: Date.now() - startedAt };
}

const signaling = (p) => p.page.evaluate(() => window.__treffSignaling);

// Someone who clicks Leave the moment their page sends its first publish offer: the server sees
// the join, the publish and the leave back to back. Returns what the page saw.
async function hurriedVisit(meeting, name) {
  const context = await browser.newContext();
  contexts.add(context);
  await context.addInitScript(recordSignaling);
  await context.addInitScript(() => { window.__treffLeaveOnPublish = true; });
  const page = await context.newPage();
  await page.goto(new URL(`/${meeting}`, treff.url).href);
  await page.locator('#display-name').fill(name, { timeout: 10_000 });
  await page.locator('#join-button').click();
  await page.locator('#rejoin-button').waitFor({ timeout: 15_000 });
  const s = await page.evaluate(() => window.__treffSignaling);
  await context.close();
  contexts.delete(context);
  return s;
}

async function leaveByButton(p) {
  await p.page.locator('#leave-button').click();
  await p.page.locator('#rejoin-button').waitFor({ timeout: 5_000 });
  const s = await signaling(p);
  await p.context.close();
  contexts.delete(p.context);
  return s;
}

// The tab goes away without a `leave`: the socket just closes.
async function vanish(p) {
  await p.page.evaluate(() => { window.__treffDropLeave = true; });
  const s = await signaling(p);
  await p.context.close();
  contexts.delete(p.context);
  return s;
}

const tileIds = async (p) => (await figures(p.page)).tiles.map((t) => t.id).sort();

// Negotiation trouble the client or Chromium logs to the console.
const NEGOTIATION_ERROR = /setRemoteDescription|setLocalDescription|createAnswer|negotiat|m-line|glare/i;

test('two participants keep their call through rapid joins and leaves around them',
     { timeout: 180_000 }, async (t) => {
  try {
    const a = await enter(undefined, 'Anna', { direct: false });
    const b = await enter(a.meeting, 'Ben');
    const meeting = a.meeting;
    await waitForMediaFrom(a.page, [b], { label: 'Anna' });
    await waitForMediaFrom(b.page, [a], { label: 'Ben' });
    t.diagnostic(`meeting "${meeting}": Anna=${a.id}, Ben=${b.id}; joins took ${a.joinMs} and ${b.joinMs} ms`);

    const churnStart = Date.now();
    const events = [];
    const note = (what) => events.push(`${((Date.now() - churnStart) / 1000).toFixed(1)}s ${what}`);
    const leaverSignals = new Map();  // name -> what its page saw on the socket

    // 1 and 2: Cleo leaves the moment she sends her publish offer, while Dan joins beside her.
    const [cleo, dan] = await Promise.all([hurriedVisit(meeting, 'Cleo'), enter(meeting, 'Dan')]);
    leaverSignals.set('Cleo', cleo);
    note('Cleo came and left, Dan in');
    // 3: Emil joins while Dan is there; Dan leaves shortly after, Emil a little later.
    const emil = await enter(meeting, 'Emil');
    note('Emil in');
    await sleep(500);
    leaverSignals.set('Dan', await leaveByButton(dan));
    note('Dan left');
    // 4: Cora joins while Emil is there and then her tab dies without a leave: grace period.
    const cora = await enter(meeting, 'Cora');
    note('Cora in');
    await sleep(1500);
    leaverSignals.set('Emil', await leaveByButton(emil));
    note('Emil left');
    leaverSignals.set('Cora', await vanish(cora));
    const coraGoneAt = Date.now();
    note('Cora vanished (no leave)');
    // 5 and 6: Dina (leaving as she publishes) and Eva join together; Eva stays.
    const [dina, eva] = await Promise.all([hurriedVisit(meeting, 'Dina'), enter(meeting, 'Eva')]);
    leaverSignals.set('Dina', dina);
    note('Dina came and left, Eva in');
    t.diagnostic(`churn: ${events.join(', ')}`);
    // The ones who left saw no error and no glare either.
    for (const [name, s] of leaverSignals) {
      const answered = s.publishAnsweredAt !== null && s.publishAnsweredAt <= (s.leaveSentAt ?? Infinity);
      t.diagnostic(`${name}: publish answered before leaving: ${answered}, ` +
                   `${s.offers} subscribe offers, ${s.answers} answers, leave sent: ${s.leaveSentAt !== null}`);
      assert.deepEqual(s.errors, [], `${name} got no error message`);
      assert.ok(s.maxUnanswered <= 1, `${name}: never two subscribe offers in flight, saw ${s.maxUnanswered}`);
    }

    // Cora's tile shows her reconnecting at the stayers, then goes when the grace ends.
    for (const p of [a, b]) {
      await waitFor(async () => (await figures(p.page)).tiles
        .find((x) => x.id === cora.id)?.reconnecting === 'true',
      { timeoutMs: 5_000, what: `${p.name} to show Cora reconnecting` }).catch(async (err) => {
        // She may be gone already if the churn took longer than the grace.
        if (Date.now() - coraGoneAt < GRACE_MS) throw err;
      });
    }
    const stayers = [a, b, eva];
    const expected = stayers.map((p) => p.id).sort();
    for (const p of stayers) {
      let latest;
      await waitFor(async () => {
        latest = await tileIds(p);
        return latest.join() === expected.join();
      }, { timeoutMs: GRACE_MS + 15_000, what: `${p.name}'s tiles to be exactly Anna, Ben and Eva`,
           last: () => latest });
    }
    // Without a leave she stayed for the grace (a leave would have removed her within 2 s).
    const coraStayedMs = Date.now() - coraGoneAt;
    t.diagnostic(`Cora's tile gone ${coraStayedMs} ms after her tab closed (grace ${GRACE_MS} ms)`);
    assert.ok(coraStayedMs >= GRACE_MS - 2000, `Cora went through the grace (${coraStayedMs} ms)`);
    for (const name of ['Cleo', 'Dina']) {
      assert.ok(leaverSignals.get(name).leaveSentAt !== null, `${name} sent leave`);
    }

    // Media: everyone decodes everyone still present, and keeps decoding.
    const othersOf = (p) => stayers.filter((q) => q !== p);
    const first = new Map();
    for (const p of stayers) first.set(p, await waitForMediaFrom(p.page, othersOf(p), { label: p.name }));
    const before = await metrics(treff.url);
    await sleep(2000);
    const afterMetrics = await metrics(treff.url);
    assert.ok(afterMetrics.sent > before.sent, `treff forwards RTP (${before.sent} -> ${afterMetrics.sent})`);

    for (const p of stayers) {
      const f = await figures(p.page);
      const s = await signaling(p);
      const pcs = await p.page.evaluate(() => window.__treffPeerConnections.map((pc) => ({
        signaling: pc.signalingState, remote: pc.remoteDescription?.type ?? null,
        mSections: pc.getTransceivers().length,
      })));
      t.diagnostic(`${p.name}: ${s.offers} subscribe offers, ${s.answers} answers, at most ` +
                   `${s.maxUnanswered} unanswered, ${s.sockets} socket(s); peer connections ` +
                   `${JSON.stringify(pcs)}`);
      assert.equal(f.error, null, `${p.name} shows no error`);
      assert.deepEqual(s.errors, [], `${p.name} got no error message`);
      assert.ok(s.maxUnanswered <= 1, `${p.name}: never two subscribe offers in flight (glare), saw ${s.maxUnanswered}`);
      assert.equal(s.offers, s.answers, `${p.name} answered every subscribe offer`);
      assert.equal(s.sockets, 1, `${p.name} kept its one socket`);
      assert.equal(f.peerConnections, 2, `${p.name} has exactly two RTCPeerConnections`);
      const sub = pcs.find((x) => x.remote === 'offer');
      assert.ok(sub, `${p.name} has a subscribe connection`);
      assert.equal(sub.signaling, 'stable', `${p.name}'s subscribe connection is stable`);
      assert.deepEqual(f.tiles.map((x) => x.id).sort(), expected, `${p.name}'s tiles`);
      assert.deepEqual(Object.keys(f.remote).sort(), othersOf(p).map((q) => q.id).sort(),
                       `${p.name} plays media of exactly the others present`);
      for (const q of othersOf(p)) {
        const x = first.get(p).remote[q.id];
        const y = f.remote[q.id];
        assert.ok(y.video.framesDecoded > x.video.framesDecoded,
                  `${p.name} decodes ${q.name}'s camera (${x.video.framesDecoded} -> ${y.video.framesDecoded})`);
        assert.ok(y.audio.packetsReceived > x.audio.packetsReceived,
                  `${p.name} receives ${q.name}'s audio (${x.audio.packetsReceived} -> ${y.audio.packetsReceived})`);
        t.diagnostic(`${p.name} <- ${q.name}: video ${y.video.width}x${y.video.height} frames ` +
                     `${x.video.framesDecoded} -> ${y.video.framesDecoded}, audio packets ` +
                     `${x.audio.packetsReceived} -> ${y.audio.packetsReceived} (mids ${y.video.mid}/${y.audio.mid})`);
      }
      const bad = p.consoleErrors.filter((e) => NEGOTIATION_ERROR.test(e));
      assert.deepEqual(bad, [], `${p.name}: no negotiation errors in the console`);
    }
    const serverProblems = treff.output().split('\n').filter((l) => /\[(error|critical)\]/.test(l));
    t.diagnostic(`treff error lines: ${serverProblems.length}${serverProblems.length ? `: ${serverProblems.join(' | ')}` : ''}`);
    t.diagnostic(`treff RTP sent in 2 s: +${afterMetrics.sent - before.sent}; ` +
                 `whole test ${Date.now() - churnStart} ms after the churn began`);
  } catch (err) {
    err.message += `\n--- treff output ---\n${treff.output()}`;
    throw err;
  }
});
