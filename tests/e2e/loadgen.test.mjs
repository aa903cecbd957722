// The load generator (bench/loadgen) against a real treff: two rooms of three simulated
// participants that each publish VP8 and Opus and subscribe to the other two, through Treff's
// WebSocket signaling, ICE, DTLS and SRTP. Every subscriber must receive both tracks of every
// other participant of its room, with (almost) no loss and loopback delays, and treff's own
// RTP counters must have risen by what the load generator sent.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { after, before, test } from 'node:test';
import { counterValue, startTreff } from './helpers.mjs';

const MEDIA_PORT = 20130;
const ROOMS = 2;
const PER_ROOM = 3;
const DURATION_S = 5;

function loadgenBinary() {
  if (process.env.TREFF_LOADGEN) return process.env.TREFF_LOADGEN;
  if (!process.env.TREFF_BIN) throw new Error('set TREFF_BIN (or TREFF_LOADGEN)');
  return join(dirname(process.env.TREFF_BIN), 'treff-loadgen');
}

// Runs the load generator to its end (it bounds itself; the timeout is a safety net).
function runLoadgen(args) {
  return new Promise((resolve, reject) => {
    execFile(loadgenBinary(), args, { timeout: 90_000, maxBuffer: 64 << 20 },
             (err, stdout, stderr) => {
               if (err) {
                 err.message += `\n--- loadgen stderr ---\n${stderr}`;
                 reject(err);
               } else {
                 resolve({ stdout, stderr });
               }
             });
  });
}

async function metrics(origin) {
  const response = await fetch(`${origin}/metrics`);
  assert.equal(response.status, 200);
  return response.text();
}

let treff;

before(async () => {
  const bin = loadgenBinary();
  if (!existsSync(bin)) throw new Error(`no load generator at ${bin}: build target treff-loadgen`);
  treff = await startTreff({ mediaPort: MEDIA_PORT });
});

after(async () => {
  await treff?.stop();
});

test('loadgen: every subscriber receives every other participant of its room', async (t) => {
  const before = await metrics(treff.origin);
  const { stdout, stderr } = await runLoadgen([
    '--url', treff.url, '--rooms', String(ROOMS), '--participants', String(PER_ROOM),
    '--duration', String(DURATION_S), '--seed', '7',
  ]);
  const report = JSON.parse(stdout);
  const { totals } = report;
  t.diagnostic(stderr.trim().split('\n').slice(-3).join(' | '));
  t.diagnostic(`ramp-up ${report.rampUpMs} ms; audio ${JSON.stringify(totals.audio)}`);
  t.diagnostic(`video ${JSON.stringify(totals.video)}`);
  t.diagnostic(`sent ${JSON.stringify(totals.sent)}, rtcp ${JSON.stringify(totals.rtcpSent)}, `
               + `PLIs received ${totals.plisReceived}`);

  assert.equal(report.setupOk, true, report.error);
  assert.ok(report.measuredS >= DURATION_S - 0.1, `measured ${report.measuredS} s`);
  assert.equal(totals.participants, ROOMS * PER_ROOM);
  assert.equal(totals.publishers, ROOMS * PER_ROOM);
  assert.equal(report.participants.length, ROOMS * PER_ROOM);

  // Each participant: one flow per kind from each of the other two in its room.
  for (const p of report.participants) {
    const others = report.participants.filter((q) => q.room === p.room && q.index !== p.index);
    assert.equal(p.received.length, others.length * 2, `participant ${p.index} flows`);
    for (const q of others) {
      for (const kind of ['audio', 'video']) {
        const flow = p.received.find((f) => f.publisher === q.index && f.kind === kind);
        assert.ok(flow, `participant ${p.index} has no ${kind} flow from ${q.index}`);
        const where = `${kind} ${q.index} -> ${p.index}`;
        assert.ok(flow.received > 0, `${where}: nothing received`);
        assert.ok(flow.lossPercent < 1, `${where}: ${flow.lossPercent} % lost`);
        assert.ok(flow.delayMs && flow.delayMs.p99 < 200, `${where}: delay ${JSON.stringify(flow.delayMs)}`);
      }
    }
    // A publisher sends about 50 audio and 150 video packets a second.
    assert.ok(p.sent.audioPackets > 40 * DURATION_S, `audio sent by ${p.index}: ${p.sent.audioPackets}`);
    assert.ok(p.sent.videoPackets > 120 * DURATION_S, `video sent by ${p.index}: ${p.sent.videoPackets}`);
    assert.ok(p.sent.keyframes >= 2, `keyframes by ${p.index}: ${p.sent.keyframes}`);
    assert.ok(p.rtcpSent.rr >= DURATION_S - 1 && p.rtcpSent.sr >= DURATION_S - 1
              && p.rtcpSent.transportCc > 0, `RTCP by ${p.index}: ${JSON.stringify(p.rtcpSent)}`);
  }

  for (const kind of ['audio', 'video']) {
    const k = totals[kind];
    assert.equal(k.flows, ROOMS * PER_ROOM * (PER_ROOM - 1));
    assert.equal(k.flowsWithoutPackets, 0);
    // Each flow forwards roughly what its publisher sent in the window.
    assert.ok(k.received >= 0.95 * k.expected, `${kind}: ${k.received} of ${k.expected}`);
    assert.ok(k.lossPercent < 1, `${kind} loss ${k.lossPercent} %`);
    for (const field of ['p50', 'p99', 'max']) {
      assert.equal(typeof k.delayMs[field], 'number', `${kind} delay ${field}`);
    }
    assert.ok(k.delayMs.p50 <= k.delayMs.p99 && k.delayMs.p99 <= k.delayMs.max);
    assert.ok(k.delayMs.p99 < 200, `${kind} p99 ${k.delayMs.p99} ms`);
  }
  assert.equal(totals.srtpErrors, 0);

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
