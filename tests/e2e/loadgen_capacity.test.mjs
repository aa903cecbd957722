// Subscribers with different downlinks: one simulated participant of four has 3 Mbit/s (a
// bottleneck with a 100 ms queue, emulated by the load generator where packets arrive, so its
// transport-wide feedback carries the queueing delay and the drops); the others have no limit.
// Every participant publishes 1.5 Mbit/s of VP8, so the constrained one is offered 1.5 times
// what its link carries. The bridge must adapt what it sends that one (pause videos that do not
// fit) while the others keep receiving everything.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startTreff } from './helpers.mjs';
import { describeReport, loadgenBinary, run } from './loadgen_helpers.mjs';

const MEDIA_PORT = 20170;
const CAPACITY_KBPS = 3000;
const DURATION_S = 15;

let treff;

before(async () => {
  loadgenBinary();  // fails early when it is missing
  treff = await startTreff({ mediaPort: MEDIA_PORT });
});

after(async () => {
  await treff?.stop();
});

test('the bridge sends a 3 Mbit/s subscriber what fits, and the others everything',
     { timeout: 90_000 }, async (t) => {
  const { stdout, stderr } = await run(loadgenBinary(), [
    '--url', treff.url, '--rooms', '1', '--participants', '4',
    '--capacities', `${CAPACITY_KBPS},0,0,0`, '--duration', String(DURATION_S), '--seed', '11',
  ]);
  const report = JSON.parse(stdout);
  describeReport(t, report, stderr);
  assert.equal(report.setupOk, true, report.error);
  const [slow, ...fast] = report.participants;
  assert.equal(slow.capacityKbps, CAPACITY_KBPS);
  t.diagnostic(`server output, kbit/s per second: ${JSON.stringify(report.serverOutputKbps)}`);
  t.diagnostic(`constrained subscriber: offered ${slow.offeredKbps} kbit/s, delivered `
               + `${slow.deliveredKbps} kbit/s, ${slow.linkDrops} packets dropped by its link`);
  for (const p of fast) {
    t.diagnostic(`unconstrained subscriber ${p.index}: offered ${p.offeredKbps} kbit/s`);
    for (const flow of p.received) {
      assert.ok(flow.lossPercent < 1,
                `${p.index} gets ${flow.kind} of ${flow.publisher} whole (${flow.lossPercent} % lost)`);
    }
  }
  // The others get three 1.5 Mbit/s videos; the constrained one is sent far less, on average
  // over the whole run (the first seconds, before the estimate came down, included) ...
  const fastKbps = Math.min(...fast.map((p) => p.offeredKbps));
  assert.ok(fastKbps > 4000, `an unconstrained subscriber is sent ${fastKbps} kbit/s`);
  assert.ok(slow.offeredKbps < CAPACITY_KBPS * 1.3,
            `the constrained one is sent ${slow.offeredKbps} kbit/s, near its ${CAPACITY_KBPS}`);
  // ... but still a video, not just audio.
  assert.ok(slow.offeredKbps > 1000, `it still gets a video (${slow.offeredKbps} kbit/s)`);
  // The server's total output falls once the estimate knows the link: the last five seconds
  // are below the first second by most of what the constrained link cannot carry.
  const series = report.serverOutputKbps;
  const lastFive = series.slice(-5).reduce((a, b) => a + b, 0) / 5;
  t.diagnostic(`server output: first second ${series[0]} kbit/s, last five ${Math.round(lastFive)}`);
  assert.ok(lastFive < 3 * fastKbps + CAPACITY_KBPS * 1.2,
            'the bridge sends the constrained subscriber no more than its link in the end');
});
