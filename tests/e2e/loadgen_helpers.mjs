// Shared pieces of the load generator tests: where the binary is, running it to its end, and
// the delivery checks on its JSON report, which hold against any server.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

// $TREFF_LOADGEN, else treff-loadgen next to $TREFF_BIN; throws if it is not there.
export function loadgenBinary() {
  if (!process.env.TREFF_LOADGEN && !process.env.TREFF_BIN) {
    throw new Error('set TREFF_BIN (or TREFF_LOADGEN)');
  }
  const bin = process.env.TREFF_LOADGEN ?? join(dirname(process.env.TREFF_BIN), 'treff-loadgen');
  if (!existsSync(bin)) throw new Error(`no load generator at ${bin}: build target treff-loadgen`);
  return bin;
}

// Runs a program to its end (the load generator bounds itself; the timeout is a safety net).
export function run(file, args, timeout = 90_000) {
  return new Promise((resolve, reject) => {
    execFile(file, args, { timeout, maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
      if (err) {
        err.message += `\n--- ${file} stderr ---\n${stderr}`;
        reject(err);
      } else {
        resolve({ stdout, stderr });
      }
    });
  });
}

// Prints the report's summary as test diagnostics.
export function describeReport(t, report, stderr) {
  const { totals } = report;
  t.diagnostic(stderr.trim().split('\n').slice(-3).join(' | '));
  t.diagnostic(`ramp-up ${report.rampUpMs} ms; audio ${JSON.stringify(totals.audio)}`);
  t.diagnostic(`video ${JSON.stringify(totals.video)}`);
  t.diagnostic(`sent ${JSON.stringify(totals.sent)}, rtcp ${JSON.stringify(totals.rtcpSent)}, `
               + `PLIs received ${totals.plisReceived}`);
}

// Every participant of `rooms` rooms of `perRoom` published audio and video, and every
// subscriber received both from every other participant of its room: no flow missing, under
// 1 % loss, p99 delay under 200 ms on loopback, and browser-like RTCP sent.
export function assertFullDelivery(report, { rooms, perRoom, durationS }) {
  const { totals } = report;
  assert.equal(report.setupOk, true, report.error);
  assert.ok(report.measuredS >= durationS - 0.1, `measured ${report.measuredS} s`);
  assert.equal(totals.participants, rooms * perRoom);
  assert.equal(totals.publishers, rooms * perRoom);
  assert.equal(report.participants.length, rooms * perRoom);

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
        assert.ok(flow.delayMs && flow.delayMs.p99 < 200,
                  `${where}: delay ${JSON.stringify(flow.delayMs)}`);
      }
    }
    // A publisher sends about 50 audio and 150 video packets a second.
    assert.ok(p.sent.audioPackets > 40 * durationS, `audio sent by ${p.index}: ${p.sent.audioPackets}`);
    assert.ok(p.sent.videoPackets > 120 * durationS, `video sent by ${p.index}: ${p.sent.videoPackets}`);
    assert.ok(p.sent.keyframes >= 2, `keyframes by ${p.index}: ${p.sent.keyframes}`);
    assert.ok(p.rtcpSent.rr >= durationS - 1 && p.rtcpSent.sr >= durationS - 1
              && p.rtcpSent.transportCc > 0, `RTCP by ${p.index}: ${JSON.stringify(p.rtcpSent)}`);
  }

  for (const kind of ['audio', 'video']) {
    const k = totals[kind];
    assert.equal(k.flows, rooms * perRoom * (perRoom - 1));
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
  assert.equal(totals.unknownSsrcPackets, 0, 'packets on SSRCs the subscribe offers never named');
}
