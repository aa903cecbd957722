// A subscriber on a thin link gets the low simulcast layer and keeps playing; when the link
// widens it returns to the top layer. The server and a publishing Chromium sit in the test's
// namespace; the subscribing Chromium sits in a namespace of its own behind a router namespace,
// and the router shapes what goes to it (tbf at 400 kbit/s), as a real access link would:
//   test ns (server 10.99.8.1, publisher) -- router (10.99.8.2 | 10.99.9.1) -- client (10.99.9.2)
// The test prints the layer the subscriber decodes and the bitrate it receives, every 500 ms.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { CHROMIUM, launchChromium, startTreff, waitFor } from './helpers.mjs';
import { joinMeeting, sleep, watchedContext } from './meeting_helpers.mjs';

const MEDIA_PORT = 20160;
const SERVER_IP = '10.99.8.1';
const ROUTER_UP = '10.99.8.2';
const ROUTER_DOWN = '10.99.9.1';
const CLIENT_IP = '10.99.9.2';
const ROUTER = `treff-rtr-${process.pid}`;
const CLIENT = `treff-cli-${process.pid}`;
// veth pairs: server side <-> router, router <-> client. The shaped one is the router's end
// towards the client.
const [SRV_END, RTR_UP_END, RTR_DOWN_END, CLI_END] = ['tbw0', 'tbw1', 'tbw2', 'tbw3'];
const SHAPED_RATE = '400kbit';

let treff;
let browser;    // the publisher, next to the server
let nsBrowser;  // the subscriber, behind the router
let tempDir;
const madeNamespaces = [];
const contexts = [];

const ip = (...args) => execFileSync('ip', args, { stdio: ['ignore', 'pipe', 'pipe'] }).toString();
const inNs = (ns, ...cmd) => execFileSync('ip', ['netns', 'exec', ns, ...cmd],
                                          { stdio: ['ignore', 'pipe', 'pipe'] }).toString();

before(async () => {
  for (const ns of [ROUTER, CLIENT]) {
    ip('netns', 'add', ns);
    madeNamespaces.push(ns);
    inNs(ns, 'ip', 'link', 'set', 'lo', 'up');
  }
  ip('link', 'add', SRV_END, 'type', 'veth', 'peer', 'name', RTR_UP_END);
  ip('link', 'set', RTR_UP_END, 'netns', ROUTER);
  ip('addr', 'add', `${SERVER_IP}/24`, 'dev', SRV_END);
  ip('link', 'set', SRV_END, 'up');
  ip('route', 'add', '10.99.9.0/24', 'via', ROUTER_UP);
  inNs(ROUTER, 'ip', 'link', 'add', RTR_DOWN_END, 'type', 'veth', 'peer', 'name', CLI_END);
  inNs(ROUTER, 'ip', 'link', 'set', CLI_END, 'netns', CLIENT);
  inNs(ROUTER, 'ip', 'addr', 'add', `${ROUTER_UP}/24`, 'dev', RTR_UP_END);
  inNs(ROUTER, 'ip', 'addr', 'add', `${ROUTER_DOWN}/24`, 'dev', RTR_DOWN_END);
  inNs(ROUTER, 'ip', 'link', 'set', RTR_UP_END, 'up');
  inNs(ROUTER, 'ip', 'link', 'set', RTR_DOWN_END, 'up');
  inNs(ROUTER, 'sysctl', '-q', '-w', 'net.ipv4.ip_forward=1');
  inNs(CLIENT, 'ip', 'addr', 'add', `${CLIENT_IP}/24`, 'dev', CLI_END);
  inNs(CLIENT, 'ip', 'link', 'set', CLI_END, 'up');
  inNs(CLIENT, 'ip', 'route', 'add', 'default', 'via', ROUTER_DOWN);

  tempDir = mkdtempSync(join(tmpdir(), 'treff-e2e-bw-'));
  const wrapper = join(tempDir, 'chromium-in-netns');
  writeFileSync(wrapper, `#!/bin/sh\nexec ip netns exec ${CLIENT} ${CHROMIUM} "$@"\n`);
  chmodSync(wrapper, 0o755);

  treff = await startTreff({ mediaPort: MEDIA_PORT, listenIps: [SERVER_IP, '127.0.0.1'],
                            extraArgs: process.env.TREFF_E2E_DEBUG ? ['--log-level', 'debug'] : [] });
  const extraArgs = [`--unsafely-treat-insecure-origin-as-secure=${treff.origin}`];
  browser = await launchChromium({ extraArgs });
  nsBrowser = await launchChromium({ extraArgs, executablePath: wrapper });
});

after(async () => {
  for (const c of contexts) await c.close().catch(() => {});
  await nsBrowser?.close().catch(() => {});
  await browser?.close().catch(() => {});
  await treff?.stop();
  try {
    ip('route', 'del', '10.99.9.0/24');
  } catch { /* gone with the veth */ }
  for (const ns of madeNamespaces) {
    try {
      ip('netns', 'del', ns);  // takes its veth ends, and so the pairs, with it
    } catch (err) {
      console.error(`could not delete network namespace ${ns}: ${err.message}`);
    }
  }
  if (tempDir) rmSync(tempDir, { recursive: true, force: true });
});

// Runs in the page: the remote camera video the subscribe connection receives, summed over
// its inbound-rtp (one m-section per remote camera; here there is one).
function remoteVideo() {
  const pcs = (window.__treffPeerConnections ?? []).filter((pc) => pc.signalingState !== 'closed');
  const sub = pcs.find((pc) => pc.remoteDescription?.type === 'offer');
  if (!sub) return Promise.resolve(null);
  return sub.getStats().then((stats) => {
    let best = null;
    stats.forEach((s) => {
      if (s.type !== 'inbound-rtp' || s.kind !== 'video') return;
      if (!best || (s.framesDecoded ?? 0) > best.frames) {
        best = { frames: s.framesDecoded ?? 0, width: s.frameWidth ?? 0, height: s.frameHeight ?? 0,
                 bytes: s.bytesReceived ?? 0 };
      }
    });
    return best;
  });
}

// Samples every 250 ms: the decoded width, the bitrate over the last 500 ms, and the longest
// stretch without a new decoded frame since `since`.
function startSampling(page) {
  const samples = [];
  let stopped = false;
  const started = Date.now();
  const loop = (async () => {
    while (!stopped) {
      const v = await page.evaluate(remoteVideo).catch(() => null);
      if (v) samples.push({ t: Date.now() - started, ...v });
      await sleep(250);
    }
  })();
  return {
    samples,
    started,
    now: () => Date.now() - started,
    stop: async () => { stopped = true; await loop; },
    latest: () => samples[samples.length - 1] ?? null,
    // Longest time between frame-count increases within [from, to] (ms since start).
    longestStall(from, to) {
      let lastChange = null;
      let longest = 0;
      let prev = null;
      for (const s of samples) {
        if (s.t < from || s.t > to) continue;
        if (prev === null || s.frames > prev) {
          if (lastChange !== null) longest = Math.max(longest, s.t - lastChange);
          lastChange = s.t;
        }
        prev = s.frames;
      }
      if (lastChange !== null) longest = Math.max(longest, to - lastChange);
      return longest;
    },
    // [t, width, kbit/s] every 500 ms.
    series() {
      const out = [];
      for (let i = 2; i < samples.length; i += 2) {
        const a = samples[i - 2];
        const b = samples[i];
        out.push([b.t, b.width, Math.round(((b.bytes - a.bytes) * 8) / (b.t - a.t))]);
      }
      return out;
    },
  };
}

test('a subscriber limited to 400 kbit/s gets the low layer, keeps playing, and returns to the '
     + 'top layer when the limit goes', { timeout: 180_000 }, async (t) => {
  const meeting = 'thin-link';
  const pubContext = (await watchedContext(browser)).context;
  contexts.push(pubContext);
  const publisher = await joinMeeting(pubContext, treff.url, { meeting, name: 'Petra', direct: true });
  const subContext = (await watchedContext(nsBrowser)).context;
  contexts.push(subContext);
  const subscriber = await joinMeeting(subContext, treff.url, { meeting, name: 'Sami', direct: true });
  // Speaker view: Petra large on Sami's stage, so the tile asks for the top layer.
  await subscriber.page.locator('#view-toggle').click();
  const sampler = startSampling(subscriber.page);
  try {
    await waitFor(() => (sampler.latest()?.width ?? 0) >= 1280 || null,
                  { timeoutMs: 45_000, what: 'Sami to decode Petra at 1280 wide',
                    last: () => JSON.stringify(sampler.latest()) });
    const topAt = sampler.now();
    t.diagnostic(`unshaped: Sami decodes Petra at 1280 wide ${topAt} ms after sampling began`);
    await sleep(3000);

    // The router's link to Sami drops to 400 kbit/s.
    inNs(ROUTER, 'tc', 'qdisc', 'add', 'dev', RTR_DOWN_END, 'root', 'tbf', 'rate', SHAPED_RATE,
         'burst', '16kb', 'latency', '50ms');
    const shapedAt = sampler.now();
    await waitFor(() => { const w = sampler.latest()?.width ?? 0; return (w > 0 && w <= 320) || null; },
                  { timeoutMs: 30_000, what: 'Sami to get the low layer (320 wide)',
                    last: () => JSON.stringify(sampler.latest()) });
    const lowAt = sampler.now();
    t.diagnostic(`shaped to ${SHAPED_RATE}: low layer (320 wide) after ${lowAt - shapedAt} ms`);
    // On the low layer the video keeps playing: no stall over 1 s for 10 s, once the switch
    // has settled (2 s).
    await sleep(12_000);
    const steadyFrom = lowAt + 2000;
    const stall = sampler.longestStall(steadyFrom, sampler.now());
    const series = sampler.series().filter(([ms]) => ms >= steadyFrom);
    const kbps = series.map(([, , k]) => k);
    t.diagnostic(`on the low layer: longest stall ${stall} ms; received ${Math.min(...kbps)}-`
                 + `${Math.max(...kbps)} kbit/s`);
    assert.ok(stall < 1000, `no freeze over 1 s on the low layer (longest ${stall} ms)`);
    // The 720p layer never comes back while shaped; the low one is what plays (the middle one,
    // 640 wide, may fit 400 kbit/s with this camera's simple picture now and then).
    const widths = sampler.samples.filter((s) => s.t >= steadyFrom).map((s) => s.width);
    const low = widths.filter((w) => w <= 320).length;
    t.diagnostic(`while shaped: ${low} of ${widths.length} samples at 320 wide, widest ${Math.max(...widths)}`);
    assert.ok(Math.max(...widths) <= 640, 'never the top layer while shaped');
    assert.ok(low * 2 >= widths.length, 'mostly the low layer while shaped');

    // The limit goes: back to the top layer within 15 s.
    inNs(ROUTER, 'tc', 'qdisc', 'del', 'dev', RTR_DOWN_END, 'root');
    const liftedAt = sampler.now();
    await waitFor(() => (sampler.latest()?.width ?? 0) >= 1280 || null,
                  { timeoutMs: 15_000, what: 'Sami back at 1280 wide within 15 s',
                    last: () => JSON.stringify(sampler.latest()) });
    const topAgainAt = sampler.now();
    t.diagnostic(`limit lifted: back at 1280 wide after ${topAgainAt - liftedAt} ms`);
    t.diagnostic(`timeline (ms since sampling began): top layer ${topAt}, shaped ${shapedAt}, `
                 + `low layer ${lowAt}, lifted ${liftedAt}, top layer again ${topAgainAt}`);
    await sleep(2000);
  } finally {
    await sampler.stop();
    // The whole run as [ms, decoded width, kbit/s], for the record.
    t.diagnostic(`series ${JSON.stringify(sampler.series())}`);
    if (process.env.TREFF_E2E_DEBUG) console.error(treff.output());
  }
  for (const p of [publisher, subscriber]) {
    assert.equal(await p.page.locator('#error').count(), 0, `${p.name} shows no error`);
  }
});
