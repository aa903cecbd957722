// The load generator's Janus backend (bench/loadgen/janus_signaling.cpp) against a real Janus
// VideoRoom, the server Treff is compared with: two rooms of three simulated participants that
// each publish VP8 and Opus and subscribe to the other two through Janus's HTTP API, ICE-lite,
// DTLS and SRTP. Every subscriber must receive both tracks of every other participant of its
// room with (almost) no loss. Janus needs a non-loopback interface to announce, so the test adds
// a veth pair of its own to the runner's namespace and removes it at the end. Skipped where
// Debian's janus package is not installed.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import { assertFullDelivery, describeReport, loadgenBinary, run } from './loadgen_helpers.mjs';

const JANUS = '/usr/bin/janus';
const HTTP_PORT = 8188;
// Away from Treff's test media ports (200x0), which janus-config.sh's 20000-40000 would cover.
const RTP_PORTS = '42000-42999';
const ROOMS = 2;
const PER_ROOM = 3;
const DURATION_S = 5;
// Unique per run, at most 15 characters (IFNAMSIZ).
const VETH = `jlg${process.pid % 100000}`;
const VETH_PEER = `${VETH}p`;
const ADDRESS = '10.78.0.1/24';
const REPO = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

const skip = existsSync(JANUS) ? false : `${JANUS} is not installed (Debian package janus)`;


async function waitForJanus(janus, logPath) {
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    if (janus.exitCode !== null) break;
    try {
      const response = await fetch(`http://127.0.0.1:${HTTP_PORT}/janus/info`);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`Janus did not answer on port ${HTTP_PORT}:\n${readFileSync(logPath, 'utf8')}`);
}

let dir;
let janus;
let vethAdded = false;

before(async () => {
  if (skip) return;
  loadgenBinary();  // fails early when it is missing
  await run('ip', ['link', 'add', VETH, 'type', 'veth', 'peer', 'name', VETH_PEER]);
  vethAdded = true;
  await run('ip', ['addr', 'add', ADDRESS, 'dev', VETH]);
  await run('ip', ['link', 'set', VETH, 'up']);
  await run('ip', ['link', 'set', VETH_PEER, 'up']);

  dir = mkdtempSync(join(tmpdir(), 'janus-loadgen-'));
  await run(join(REPO, 'bench/compare/janus-config.sh'),
            [dir, VETH, String(HTTP_PORT), RTP_PORTS]);
  const config = join(dir, 'janus.jcfg');
  assert.match(readFileSync(config, 'utf8'), new RegExp(`rtp_port_range = "${RTP_PORTS}"`));

  const logPath = join(dir, 'janus.log');
  const log = openSync(logPath, 'w');
  janus = spawn(JANUS, ['-F', dir, '-C', config], { stdio: ['ignore', log, log] });
  await waitForJanus(janus, logPath);
});

after(async () => {
  if (janus && janus.exitCode === null && janus.signalCode === null) {
    const exited = once(janus, 'exit');
    process.kill(janus.pid, 'SIGTERM');
    const timer = setTimeout(() => process.kill(janus.pid, 'SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  }
  if (vethAdded) await run('ip', ['link', 'del', VETH]).catch(() => {});
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('loadgen --janus: every subscriber receives every other participant of its room',
     { skip }, async (t) => {
  const { stdout, stderr } = await run(loadgenBinary(), [
    '--janus', `http://127.0.0.1:${HTTP_PORT}/janus`, '--rooms', String(ROOMS),
    '--participants', String(PER_ROOM), '--duration', String(DURATION_S), '--seed', '7',
  ]);
  const report = JSON.parse(stdout);
  describeReport(t, report, stderr);
  assert.equal(report.scenario.server, 'janus');
  assertFullDelivery(report, { rooms: ROOMS, perRoom: PER_ROOM, durationS: DURATION_S });
});
