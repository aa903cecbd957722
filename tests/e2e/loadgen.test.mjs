// The load generator (bench/loadgen) against a real treff: two rooms of three simulated
// participants that each publish VP8 and Opus and subscribe to the other two, through Treff's
// WebSocket signaling, ICE, DTLS and SRTP. Every subscriber must receive both tracks of every
// other participant of its room, with (almost) no loss and loopback delays, and treff's own
// RTP counters must have risen by what the load generator sent.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { counterValue, startTreff } from './helpers.mjs';
import { assertFullDelivery, describeReport, loadgenBinary, run } from './loadgen_helpers.mjs';

const MEDIA_PORT = 20130;
const ROOMS = 2;
const PER_ROOM = 3;
const DURATION_S = 5;

async function metrics(origin) {
  const response = await fetch(`${origin}/metrics`);
  assert.equal(response.status, 200);
  return response.text();
}

let treff;

before(async () => {
  loadgenBinary();  // fails early when it is missing
  treff = await startTreff({ mediaPort: MEDIA_PORT });
});

after(async () => {
  await treff?.stop();
});

test('loadgen: every subscriber receives every other participant of its room', async (t) => {
  const before = await metrics(treff.origin);
  const { stdout, stderr } = await run(loadgenBinary(), [
    '--url', treff.url, '--rooms', String(ROOMS), '--participants', String(PER_ROOM),
    '--duration', String(DURATION_S), '--seed', '7',
  ]);
  const report = JSON.parse(stdout);
  const { totals } = report;
  describeReport(t, report, stderr);
  assertFullDelivery(report, { rooms: ROOMS, perRoom: PER_ROOM, durationS: DURATION_S });

  // treff saw the media: its counters rose by at least what the measured phase sent in and
  // forwarded out (ramp-up and tail traffic only add to that).
  const afterText = await metrics(treff.origin);
  const rose = (name) => counterValue(afterText, name) - (counterValue(before, name) ?? 0);
  const mediaSent = totals.sent.audioPackets + totals.sent.videoPackets;
  const mediaReceived = totals.audio.received + totals.video.received;
  t.diagnostic(`treff rtp in +${rose('treff_rtp_packets_received_total')}, `
               + `out +${rose('treff_rtp_packets_sent_total')}`);
  assert.ok(rose('treff_rtp_packets_received_total') >= mediaSent);
  assert.ok(rose('treff_rtp_packets_sent_total') >= mediaReceived);
});
