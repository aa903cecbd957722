// A real meeting of three Chromium participants (one browser, one context each) through treff:
// joining through the UI, everyone decoding everyone's camera and receiving their microphone,
// screen share, chat, mute, privacy of the meeting page, and leaving. The tests run in order
// on the one meeting the first test sets up.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { launchChromium, startTreff, waitFor } from './helpers.mjs';
import {
  assertPrivate, figures, inboundOfMid, joinMeeting, metrics, sleep, startInboundWatch,
  stopInboundWatch, waitForMediaFrom, watchedContext,
} from './meeting_helpers.mjs';

const MEDIA_PORT = 20020;

let treff;
let browser;
const contexts = [];
let people = [];  // [{ page, id, name, context, seen }], in join order

before(async () => {
  treff = await startTreff({ mediaPort: MEDIA_PORT });
  browser = await launchChromium();
});

after(async () => {
  for (const c of contexts) await c.close().catch(() => {});
  await browser?.close().catch(() => {});
  await treff?.stop();
});

// Adds treff's recent output to a failure's message.
async function withServerOutput(fn) {
  try {
    return await fn();
  } catch (err) {
    err.message += `\n--- treff output ---\n${treff.output()}`;
    throw err;
  }
}

function requireMeeting(count = 3) {
  assert.equal(people.length, count, 'the meeting of the first test is running');
}

const othersOf = (p) => people.filter((q) => q !== p);

test('three participants join through the UI and receive each other\'s video and audio',
     { timeout: 120_000 }, (t) => withServerOutput(async () => {
  const names = ['Ada', 'Bruno', 'Chloé'];
  let meeting;
  for (const name of names) {
    const { context, seen } = await watchedContext(browser);
    contexts.push(context);
    // The first starts a meeting from the landing page; the others type its name there.
    const joined = await joinMeeting(context, treff.url, { meeting, name });
    meeting = joined.meeting;
    people.push({ ...joined, context, seen });
  }
  assert.equal(new Set(people.map((p) => p.id)).size, 3, 'three distinct participant ids');
  t.diagnostic(`meeting "${meeting}", participants ${people.map((p) => `${p.name}=${p.id}`).join(', ')}`);

  // Everyone's grid shows all three, with the same ids.
  for (const p of people) {
    await waitFor(async () => {
      const f = await figures(p.page);
      const ids = f.tiles.map((x) => x.id).sort();
      return ids.join() === people.map((q) => q.id).sort().join();
    }, { timeoutMs: 10_000, what: `${p.name}'s grid to show all three participants` });
  }

  const started = Date.now();
  const first = [];
  for (const p of people) first.push(await waitForMediaFrom(p.page, othersOf(p), { label: p.name }));
  t.diagnostic(`all media flowing ${Date.now() - started} ms after the last join`);
  const metricsBefore = await metrics(treff.url);
  await sleep(2000);
  const metricsAfter = await metrics(treff.url);

  for (const [i, p] of people.entries()) {
    const second = await figures(p.page);
    assert.equal(second.peerConnections, 2, `${p.name} has exactly two RTCPeerConnections`);
    assert.deepEqual(second.states, ['connected', 'connected'], `${p.name}'s connections`);
    assert.equal(second.remoteCandidates.length, 2, `${p.name}: both connections have a selected pair`);
    for (const c of second.remoteCandidates) {
      assert.deepEqual(c, { address: '127.0.0.1', port: MEDIA_PORT },
                       `${p.name}: the selected pair ends at treff's media port`);
    }
    for (const q of othersOf(p)) {
      const a = first[i].remote[q.id];
      const b = second.remote[q.id];
      assert.ok(b.video.framesDecoded > a.video.framesDecoded,
                `${p.name} decodes ${q.name}'s video (${a.video.framesDecoded} -> ${b.video.framesDecoded})`);
      assert.ok(b.video.width > 0, `${p.name} shows ${q.name}'s picture`);
      assert.ok(b.audio.packetsReceived > a.audio.packetsReceived,
                `${p.name} receives ${q.name}'s audio (${a.audio.packetsReceived} -> ${b.audio.packetsReceived})`);
      t.diagnostic(`${p.name} <- ${q.name}: video ${b.video.width}x${b.video.height}, frames ` +
                   `${a.video.framesDecoded} -> ${b.video.framesDecoded} in 2 s; audio packets ` +
                   `${a.audio.packetsReceived} -> ${b.audio.packetsReceived}`);
    }
    assert.equal(Object.keys(second.remote).length, 2, `${p.name} receives exactly the two others`);
  }
  assert.notEqual(metricsBefore.received, null, 'treff_rtp_packets_received_total exported');
  assert.notEqual(metricsBefore.sent, null, 'treff_rtp_packets_sent_total exported');
  assert.ok(metricsAfter.received > metricsBefore.received,
            `treff received RTP (${metricsBefore.received} -> ${metricsAfter.received})`);
  assert.ok(metricsAfter.sent > metricsBefore.sent,
            `treff sent RTP (${metricsBefore.sent} -> ${metricsAfter.sent})`);
  t.diagnostic(`treff RTP in 2 s: received +${metricsAfter.received - metricsBefore.received}, ` +
               `sent +${metricsAfter.sent - metricsBefore.sent}`);
}));

test('a shared screen reaches the other two', { timeout: 60_000 }, (t) => withServerOutput(async () => {
  requireMeeting();
  const [sharer, ...viewers] = people;
  await sharer.page.locator('#screen-toggle').click();
  await waitFor(async () => (await sharer.page.locator('#screen-toggle').getAttribute('aria-pressed')) === 'true',
                { timeoutMs: 10_000, what: 'the sharer\'s screen toggle to show the share' });
  try {
    const started = Date.now();
    for (const v of viewers) {
      let latest;
      const a = await waitFor(async () => {
        const f = latest = await figures(v.page);
        const s = f.remote[sharer.id]?.screen;
        return s?.framesDecoded > 0 && s.width > 0 && s;
      }, { timeoutMs: 20_000, what: `${v.name} to decode ${sharer.name}'s screen`,
           last: () => latest?.remote });
      const shownAfterMs = Date.now() - started;
      await sleep(1000);
      const second = (await figures(v.page)).remote[sharer.id];
      const b = second?.screen;
      assert.ok(b && b.framesDecoded > a.framesDecoded,
                `${v.name}'s screen frames rise (${a.framesDecoded} -> ${b?.framesDecoded})`);
      t.diagnostic(`${v.name} <- ${sharer.name}'s screen: ${b.width}x${b.height}, frames ` +
                   `${a.framesDecoded} -> ${b.framesDecoded} in 1 s, shown ${shownAfterMs} ms after the click`);
      // The new publish offer (camera plus screen) keeps the camera going too.
      const cameraFrom = second.video?.framesDecoded ?? 0;
      let latestCamera;
      await waitFor(async () => {
        latestCamera = (await figures(v.page)).remote[sharer.id]?.video?.framesDecoded ?? 0;
        return latestCamera > cameraFrom + 5;
      }, { timeoutMs: 5_000, what: `${v.name} to keep decoding ${sharer.name}'s camera during the share`,
           last: () => ({ from: cameraFrom, now: latestCamera }) });
    }
    // Stopping the share takes the stage away at the others.
    await sharer.page.locator('#screen-toggle').click();
    for (const v of viewers) {
      await v.page.locator('#stage').waitFor({ state: 'detached', timeout: 10_000 });
    }
  } finally {
    // A share left running would load the machine for the tests after this one.
    if ((await sharer.page.locator('#screen-toggle').getAttribute('aria-pressed')) === 'true') {
      await sharer.page.locator('#screen-toggle').click();
    }
  }
}));

test('a chat message reaches the other two', { timeout: 60_000 }, (t) => withServerOutput(async () => {
  requireMeeting();
  const [, sender, ...rest] = people;
  const readers = [people[0], ...rest];
  const text = `Hallo zusammen, ${Date.now()} <b>no markup</b>`;
  await sender.page.locator('#chat-toggle').click();
  await sender.page.locator('#chat-input').fill(text);
  const sentAt = Date.now();
  await sender.page.locator('#chat-send').click();
  // The readers' panels are closed: an unread badge appears at both.
  const badgeMs = await Promise.all(readers.map(async (r) => {
    await r.page.locator('#chat-unread').waitFor({ timeout: 5_000 });
    return Date.now() - sentAt;
  }));
  for (const [i, r] of readers.entries()) {
    t.diagnostic(`${r.name} shows the unread badge ${badgeMs[i]} ms after sending`);
    assert.equal((await r.page.locator('#chat-unread').textContent()).trim(), '1', `${r.name}'s unread count`);
    await r.page.locator('#chat-toggle').click();
    const item = r.page.locator(`#chat-messages li[data-from="${sender.id}"] .chat-text`);
    await item.waitFor({ timeout: 5_000 });
    assert.equal(await item.textContent(), text, `${r.name} reads the message as plain text`);
    assert.equal(await r.page.locator('#chat-unread').count(), 0, `${r.name}: opening the chat clears the badge`);
    await r.page.locator('#chat-toggle').click();  // closed again
  }
  // The sender's own copy is confirmed by the server's relay.
  const own = sender.page.locator(`#chat-messages li.own[data-from="${sender.id}"]`);
  await waitFor(async () => (await own.getAttribute('class'))?.includes('pending') === false,
                { timeoutMs: 5_000, what: 'the sender\'s message to be confirmed' });
  assert.equal(await own.locator('.chat-text').textContent(), text);
  await sender.page.locator('#chat-toggle').click();
}));

// The microphone stream of `speaker` as `listener` receives it (by the mid of its <audio>).
async function audioFrom(listener, speaker, mid) {
  const s = await listener.page.evaluate(inboundOfMid, mid);
  assert.ok(s, `${listener.name} has inbound-rtp for ${speaker.name}'s audio (mid ${mid})`);
  return s;
}

test('muting stops the audio at the others within 1 s, unmuting restores it',
     { timeout: 60_000 }, (t) => withServerOutput(async () => {
  requireMeeting();
  const [speaker, ...listeners] = people;
  const mids = new Map();
  for (const l of listeners) {
    const f = await figures(l.page);
    assert.ok(f.remote[speaker.id]?.audio, `${l.name} has an <audio> for ${speaker.name}`);
    mids.set(l, f.remote[speaker.id].audio.mid);
  }
  // Before: packets and energy rise (the energy gained in 2 s is the yardstick below).
  const base = new Map();
  for (const l of listeners) base.set(l, await audioFrom(l, speaker, mids.get(l)));
  await sleep(2000);
  const energyPer2s = new Map();
  for (const l of listeners) {
    const now = await audioFrom(l, speaker, mids.get(l));
    assert.ok(now.packetsReceived > base.get(l).packetsReceived, `${l.name}: audio flows before muting`);
    assert.ok(now.totalAudioEnergy > base.get(l).totalAudioEnergy,
              `${l.name}: audio energy rises before muting (${base.get(l).totalAudioEnergy} -> ${now.totalAudioEnergy})`);
    energyPer2s.set(l, now.totalAudioEnergy - base.get(l).totalAudioEnergy);
  }

  // Mute, with each listener's page noting every 50 ms when the speaker's audio last changed.
  for (const l of listeners) {
    await l.page.evaluate(startInboundWatch, { mid: mids.get(l), participant: speaker.id });
  }
  // The time of muting is when the click reaches the speaker's page (same clock as the others').
  await speaker.page.evaluate(() => document.addEventListener('click', (e) => {
    if (e.target.closest?.('#mic-toggle')) window.__treffMicClickAt = Date.now();
  }, true));
  await speaker.page.locator('#mic-toggle').click();
  const mutedAt = await speaker.page.evaluate(() => window.__treffMicClickAt);
  assert.equal(await speaker.page.locator('#mic-toggle').getAttribute('aria-pressed'), 'true');
  await sleep(3000);
  const prev = new Map();
  for (const l of listeners) {
    const w = await l.page.evaluate(stopInboundWatch);
    prev.set(l, { packetsReceived: w.packets, totalAudioEnergy: w.energy });
    const packetsStop = w.packetsAt === null ? 0 : w.packetsAt - mutedAt;
    const energyStop = w.energyAt === null ? 0 : w.energyAt - mutedAt;
    const shown = w.mutedShownAt === null ? null : w.mutedShownAt - mutedAt;
    // The receiver's loss concealment fades the last received sound out over a while: energy
    // still gained 1 s after the click must be negligible (under 1 % of 2 s of speech).
    const at1s = w.series.find(([time]) => time >= mutedAt + 1000);
    const lateEnergy = at1s ? w.energy - at1s[2] : 0;
    const latePercent = (100 * lateEnergy) / energyPer2s.get(l);
    t.diagnostic(`${l.name}: ${speaker.name}'s audio packets last rose ${packetsStop} ms and energy ` +
                 `${energyStop} ms after the mute click (energy after 1 s: ${latePercent.toFixed(4)} % ` +
                 `of 2 s before muting; ${w.samples} samples in 3 s); muted icon after ${shown} ms`);
    assert.ok(w.samples >= 20, `${l.name} sampled the stats often enough (${w.samples})`);
    assert.ok(w.packets > 0, `${l.name} found the inbound-rtp stats of mid ${mids.get(l)}`);
    assert.ok(at1s, `${l.name} sampled after the first second`);
    assert.ok(packetsStop <= 1000,
              `${l.name}: ${speaker.name}'s audio packets stop within 1 s of muting (${packetsStop} ms)`);
    assert.ok(latePercent < 1,
              `${l.name}: ${speaker.name}'s audio energy stops within 1 s of muting ` +
              `(${latePercent.toFixed(4)} % of 2 s of audio after 1 s; last rise after ${energyStop} ms)`);
    assert.ok(shown !== null && shown <= 2000,
              `${l.name}'s tile of ${speaker.name} shows the muted microphone (${shown} ms)`);
    assert.equal(await l.page.locator(`figure.tile[data-participant="${speaker.id}"] [data-mic-muted-indicator]`).count(),
                 1, `${l.name}: the muted-microphone indicator is on ${speaker.name}'s tile`);
  }
  assert.equal(await speaker.page.locator('figure.tile[data-local]').getAttribute('data-mic-muted'), 'true',
               'the speaker\'s own tile shows the microphone muted');

  // Unmute: packets and energy rise again, and the tiles say so.
  const mutedValues = new Map(prev);
  await speaker.page.locator('#mic-toggle').click();
  const unmutedAt = await speaker.page.evaluate(() => window.__treffMicClickAt);
  assert.equal(await speaker.page.locator('#mic-toggle').getAttribute('aria-pressed'), 'false');
  for (const l of listeners) {
    const m = mutedValues.get(l);
    let latest;
    await waitFor(async () => {
      const s = latest = await audioFrom(l, speaker, mids.get(l));
      return s.packetsReceived > m.packetsReceived && s.totalAudioEnergy > m.totalAudioEnergy;
    }, { timeoutMs: 5_000, intervalMs: 100, what: `${l.name} to receive ${speaker.name}'s audio again`,
         last: () => ({ muted: m, latest }) });
    const back = Date.now() - unmutedAt;
    await waitFor(async () => (await l.page.locator(`figure.tile[data-participant="${speaker.id}"]`)
      .getAttribute('data-mic-muted')) === 'false',
    { timeoutMs: 3_000, what: `${l.name}'s tile of ${speaker.name} to show the microphone on` });
    t.diagnostic(`${l.name}: ${speaker.name}'s audio packets and energy rise again ${back} ms after unmute`);
  }
}));

test('the meeting page talks only to its own origin and keeps no cookies',
     { timeout: 30_000 }, () => withServerOutput(async () => {
  requireMeeting();
  for (const p of people) {
    // The meeting page itself carries the CSP.
    const page = p.seen.responses.find((r) => new URL(r.url()).pathname === `/${p.meeting}`);
    assert.ok(page, `${p.name}'s context loaded the meeting page`);
    const headers = await page.allHeaders();
    assert.match(headers['content-security-policy'] ?? '', /default-src 'self'/);
    assert.equal(headers['referrer-policy'], 'no-referrer');
    assert.ok(p.seen.websockets.length >= 1, `${p.name} opened the signaling WebSocket`);
    await assertPrivate(treff.origin, p.context, p.seen, [p.page]);
  }
}));

test('a participant who leaves disappears from the others within 2 s',
     { timeout: 30_000 }, (t) => withServerOutput(async () => {
  requireMeeting();
  const leaver = people[2];
  const stayers = othersOf(leaver);
  const tile = `figure.tile[data-participant="${leaver.id}"]`;
  const leftAt = Date.now();
  await leaver.page.locator('#leave-button').click();
  const gone = stayers.map(async (s) => {
    await s.page.waitForSelector(tile, { state: 'detached', timeout: 5_000 });
    return Date.now() - leftAt;
  });
  const times = await Promise.all(gone);
  for (const [i, s] of stayers.entries()) {
    t.diagnostic(`${leaver.name}'s tile gone at ${s.name} ${times[i]} ms after Leave`);
    assert.ok(times[i] <= 2000, `${s.name}: ${leaver.name} gone within 2 s (${times[i]} ms)`);
    const f = await figures(s.page);
    assert.equal(f.tiles.length, 2, `${s.name}'s grid has two tiles`);
    assert.equal(f.remote[leaver.id], undefined, `${s.name} no longer plays ${leaver.name}'s media`);
  }
  await leaver.page.locator('#rejoin-button').waitFor({ timeout: 5_000 });
  assert.equal(await leaver.page.evaluate(() => window.__treffPeerConnections.every((pc) => pc.signalingState === 'closed')),
               true, 'the leaver\'s peer connections are closed');
  people = stayers;
}));
