// A participant's network goes away for 5 s in the middle of a meeting and comes back. Its
// Chromium runs in a network namespace of its own, joined to the test's namespace by a veth
// pair; the link is taken down on its side. It must come back as the same participant, with an
// ICE restart (new ICE credentials) on its publish connection, its video flowing again, and the
// others must never see it leave.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { CHROMIUM, launchChromium, startTreff, waitFor } from './helpers.mjs';
import {
  figures, joinMeeting, peerConnectionDetails, sleep, startGridSampler, stopGridSampler,
  waitForMediaFrom, watchedContext,
} from './meeting_helpers.mjs';

const MEDIA_PORT = 20030;
const SERVER_IP = '10.99.7.1';
const CLIENT_IP = '10.99.7.2';
// Network namespace names are global on the host: make ours unique. The veth names live in
// the test's private namespace and in ours only.
const NETNS = `treff-e2e-${process.pid}`;
const VETH_SERVER = 'tcut0';
const VETH_CLIENT = 'tcut1';
const CUT_MS = 5000;

let treff;
let browser;     // the two participants on the server's side of the link
let nsBrowser;   // the participant behind the link that goes down
let tempDir;
let netnsMade = false;
const contexts = [];

const ip = (...args) => execFileSync('ip', args, { stdio: ['ignore', 'pipe', 'pipe'] }).toString();
const inNetns = (...args) => ip('netns', 'exec', NETNS, 'ip', ...args);

before(async () => {
  ip('netns', 'add', NETNS);
  netnsMade = true;
  ip('link', 'add', VETH_SERVER, 'type', 'veth', 'peer', 'name', VETH_CLIENT);
  ip('link', 'set', VETH_CLIENT, 'netns', NETNS);
  ip('addr', 'add', `${SERVER_IP}/24`, 'dev', VETH_SERVER);
  ip('link', 'set', VETH_SERVER, 'up');
  inNetns('addr', 'add', `${CLIENT_IP}/24`, 'dev', VETH_CLIENT);
  inNetns('link', 'set', VETH_CLIENT, 'up');
  inNetns('link', 'set', 'lo', 'up');

  tempDir = mkdtempSync(join(tmpdir(), 'treff-e2e-net-'));
  const wrapper = join(tempDir, 'chromium-in-netns');
  writeFileSync(wrapper, `#!/bin/sh\nexec ip netns exec ${NETNS} ${CHROMIUM} "$@"\n`);
  chmodSync(wrapper, 0o755);

  // HTTP is served on the first listen address: every page uses the veth address.
  treff = await startTreff({ mediaPort: MEDIA_PORT, listenIps: [SERVER_IP, '127.0.0.1'] });
  assert.equal(treff.origin, `http://${SERVER_IP}:${new URL(treff.url).port}`, 'treff serves on the veth address');
  // Camera and microphone need a secure context; this plain-HTTP origin is not one by itself.
  const extraArgs = [`--unsafely-treat-insecure-origin-as-secure=${treff.origin}`];
  browser = await launchChromium({ extraArgs });
  nsBrowser = await launchChromium({ extraArgs, executablePath: wrapper });
});

after(async () => {
  for (const c of contexts) await c.close().catch(() => {});
  await nsBrowser?.close().catch(() => {});
  await browser?.close().catch(() => {});
  await treff?.stop();
  if (netnsMade) {
    try {
      ip('netns', 'del', NETNS);  // takes its end of the veth pair, and so the pair, with it
    } catch (err) {
      console.error(`could not delete network namespace ${NETNS}: ${err.message}`);
    }
  }
  if (tempDir) rmSync(tempDir, { recursive: true, force: true });
});


test('a participant whose network drops for 5 s comes back as itself, unseen by the others',
     { timeout: 150_000 }, async (t) => {
  let people = [];
  let timeline = null;
  let sampler = null;
  let sampling = false;
  const marks = {};  // performance.now() in Nils's page when the link went down and up
  try {
    const meeting = `network-cut-${process.pid}`;
    for (const [name, b] of [['Ada', browser], ['Bruno', browser], ['Nils', nsBrowser]]) {
      const { context } = await watchedContext(b);
      contexts.push(context);
      people.push(await joinMeeting(context, treff.url, { meeting, name, direct: true }));
    }
    const [ada, bruno, nils] = people;
    const othersOf = (p) => people.filter((q) => q !== p);
    for (const p of people) await waitForMediaFrom(p.page, othersOf(p), { label: p.name });

    // A healthy meeting sees no ICE restart (the client's cut detection does not misfire).
    const ufrags = async () => Promise.all(people.map(async (p) => {
      const f = await figures(p.page);
      return `${p.name}: ${f.pubUfrag}/${f.subUfrag}`;
    }));
    const steadyStart = await ufrags();
    await sleep(5000);
    assert.deepEqual(await ufrags(), steadyStart, 'no ICE restart in 5 s of a healthy meeting');

    const before = await figures(nils.page);
    assert.equal(before.peerConnections, 2, 'Nils has two RTCPeerConnections');
    for (const c of before.remoteCandidates) {
      assert.deepEqual(c, { address: SERVER_IP, port: MEDIA_PORT },
                       'Nils\'s selected pairs end at treff\'s media port on the veth address');
    }
    assert.ok(before.pubUfrag, 'Nils\'s publish connection has a local ice-ufrag');

    const sampleFlow = async (ms) => {
      const [pub] = await nils.page.evaluate(peerConnectionDetails);
      const v = (await figures(ada.page)).remote[nils.id]?.video;
      return { ms, nilsIce: pub.ice, nilsSent: pub.sent.join(' '), adaPackets: v?.packetsReceived,
               adaFrames: v?.framesDecoded, adaSize: v && `${v.width}x${v.height}` };
    };
    timeline = [await sampleFlow(-2000)];
    await sleep(1000);
    timeline.push(await sampleFlow(-1000));

    for (const w of [ada, bruno]) await w.page.evaluate(startGridSampler, nils.id);
    const framesOf = async (watcher, who) => (await figures(watcher.page)).remote[who.id]?.video?.framesDecoded ?? 0;

    // The link goes down on the server's side: Nils's interface stays up, its packets vanish.
    ip('link', 'set', VETH_SERVER, 'down');
    const cutAt = Date.now();
    marks.down = await nils.page.evaluate(() => Math.round(performance.now()));
    let restartIssuedMs = null;  // when Nils's publish connection got new ICE credentials
    let duringA = null;
    let duringB = null;
    while (Date.now() - cutAt < CUT_MS) {
      await sleep(250);
      const [nilsNow, adaFrames] = [await figures(nils.page), await framesOf(ada, nils)];
      if (restartIssuedMs === null && nilsNow.pubUfrag !== before.pubUfrag) {
        restartIssuedMs = Date.now() - cutAt;
      }
      if (Date.now() - cutAt > 1500) {
        duringA ??= adaFrames;
        duringB = adaFrames;
      }
    }
    ip('link', 'set', VETH_SERVER, 'up');
    const upAt = Date.now();
    marks.up = await nils.page.evaluate(() => Math.round(performance.now()));
    t.diagnostic(`link down for ${upAt - cutAt} ms; Nils's publish ICE restart issued ` +
                 `${restartIssuedMs ?? 'after'} ms into the cut`);
    // The cut is real: Nils's video stands still at Ada.
    assert.ok(duringB - duringA <= 2, `Nils's video stops at Ada during the cut (${duringA} -> ${duringB})`);

    const atUp = new Map();
    for (const w of [ada, bruno]) atUp.set(w, await framesOf(w, nils));
    const nilsAtUp = { ada: await framesOf(nils, ada), bruno: await framesOf(nils, bruno) };

    // Once a second until the video is back: what Nils sends (per simulcast layer) and what
    // Ada receives and decodes of it.
    sampling = true;
    sampler = (async () => {
      while (sampling) {
        timeline.push(await sampleFlow(Date.now() - upAt));
        await sleep(1000);
      }
    })();

    // Back: a new ICE ufrag on Nils's publish connection, and its video decoding again.
    let latest;
    const restarted = await waitFor(async () => {
      const f = latest = await figures(nils.page);
      return f.pubUfrag && f.pubUfrag !== before.pubUfrag && f;
    }, { timeoutMs: 15_000, what: 'Nils\'s publish connection to restart ICE (new ufrag)',
         last: () => ({ ufrag: latest?.pubUfrag, states: latest?.states }) });
    restartIssuedMs ??= CUT_MS + Date.now() - upAt;
    // Media flows again within 15 s of the link coming back.
    await waitFor(async () => (await framesOf(nils, ada)) > nilsAtUp.ada + 10 &&
                              (await framesOf(nils, bruno)) > nilsAtUp.bruno + 10,
                  { timeoutMs: 15_000, what: 'Nils to decode the others\' video again' });
    const receiveBackMs = Date.now() - upAt;
    for (const w of [ada, bruno]) {
      await waitFor(async () => (await framesOf(w, nils)) > atUp.get(w) + 10,
                    { timeoutMs: Math.max(1000, 15_000 - (Date.now() - upAt)),
                      what: `${w.name} to decode Nils's video again` });
    }
    const videoBackMs = Date.now() - upAt;
    sampling = false;
    await sampler;
    t.diagnostic(`recovery timeline (ms after the link came back): ${JSON.stringify(timeline)}`);

    // Still flowing a second later, and still the same participant with the same connections.
    const mark = await Promise.all([ada, bruno].map((w) => framesOf(w, nils)));
    await sleep(1000);
    const after = await Promise.all([ada, bruno].map((w) => framesOf(w, nils)));
    for (const [i, w] of [ada, bruno].entries()) {
      assert.ok(after[i] > mark[i], `${w.name} keeps decoding Nils's video (${mark[i]} -> ${after[i]})`);
    }
    const nilsNow = await figures(nils.page);
    assert.equal(nilsNow.peerConnections, 2, 'Nils kept its two RTCPeerConnections');
    assert.equal(nilsNow.tiles.find((x) => x.local)?.id, nils.id, 'Nils kept its participant id');
    assert.notEqual(restarted.pubUfrag, before.pubUfrag);
    for (const c of nilsNow.remoteCandidates) {
      assert.deepEqual(c, { address: SERVER_IP, port: MEDIA_PORT }, 'Nils\'s pairs end at treff again');
    }

    for (const w of [ada, bruno]) {
      const s = await w.page.evaluate(stopGridSampler);
      t.diagnostic(`${w.name}'s grid: ${JSON.stringify(s)}`);
      assert.ok(s.samples >= s.ms / 400, `${w.name}'s grid was sampled every ~200 ms (${s.samples} in ${s.ms} ms)`);
      assert.equal(s.missing, 0, `${w.name} never lost Nils's tile`);
      assert.equal(s.maxTiles, 3, `${w.name} never showed a fourth tile`);
      const f = await figures(w.page);
      assert.deepEqual(f.tiles.map((x) => x.id).sort(), people.map((p) => p.id).sort(),
                       `${w.name} shows the same three participants`);
      assert.equal(f.tiles.find((x) => x.id === nils.id)?.reconnecting, 'false',
                   `${w.name} shows Nils connected again`);
    }
    t.diagnostic(`publish ufrag ${before.pubUfrag} -> ${restarted.pubUfrag} (${restartIssuedMs} ms ` +
                 `after the cut); after the link came back: Nils decodes both others after ` +
                 `${receiveBackMs} ms, both others decode Nils's video after ${videoBackMs} ms`);
    t.diagnostic(`Nils's peer connection states [ms, pc, ice, connection] (link down at ` +
                 `${marks.down}, up at ${marks.up}): ` +
                 JSON.stringify(await nils.page.evaluate(() => window.__treffStateLog)));
  } catch (err) {
    sampling = false;
    await sampler?.catch(() => {});
    const nils = people[2];
    if (timeline) err.message += `\n--- recovery timeline: ${JSON.stringify(timeline)}`;
    const log = await nils?.page.evaluate(() => window.__treffStateLog).catch(() => null);
    err.message += `\n--- Nils's peer connection states (link down at ${marks.down}, up at ` +
                   `${marks.up}): ${JSON.stringify(log)}`;
    for (const p of people) {
      const details = await p.page.evaluate(peerConnectionDetails).catch((e) => e.message);
      err.message += `\n--- ${p.name} (${p.id}): ${JSON.stringify(details)}`;
    }
    err.message += `\n--- treff output ---\n${treff.output()}`;
    throw err;
  }
});
