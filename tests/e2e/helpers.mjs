// Shared pieces of the browser tests: start the treff binary, launch Debian's Chromium with a
// fake camera and microphone, and clean both up. Never downloads a browser.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { chromium } from 'playwright-core';

export const CHROMIUM = process.env.TREFF_CHROMIUM ?? '/usr/bin/chromium';

// Flags that work on this kind of machine (see shared testing notes): a fake camera that sends
// a moving 1280x720 pattern, a fake beeping microphone, loopback ICE candidates allowed, and
// no background traffic of Chromium's own.
const CHROMIUM_ARGS = [
  '--headless=new',
  '--no-sandbox',
  '--disable-gpu',
  '--use-fake-ui-for-media-stream',
  '--use-fake-device-for-media-stream',
  '--allow-loopback-in-peer-connection',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

// Starts `treff` from $TREFF_BIN on 127.0.0.1 (or on listenIps; HTTP is served on the first)
// with an OS-chosen HTTP port and waits for the line with its URL; extraArgs are more flags.
// Returns { url, origin, output(), stop() }.
export async function startTreff({ mediaPort, listenIps = ['127.0.0.1'], extraArgs = [] }) {
  const bin = process.env.TREFF_BIN;
  if (!bin) throw new Error('set TREFF_BIN to the treff binary (see tests/e2e/run.sh)');
  const args = [...listenIps.flatMap((ip) => ['--listen-ip', ip]), '--http-port', '0',
                '--media-port', String(mediaPort), '--workers', '1', ...extraArgs];
  const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const lines = [];
  const remember = (line) => {
    lines.push(line);
    if (lines.length > 200) lines.shift();
  };
  createInterface({ input: child.stderr }).on('line', remember);
  const stdout = createInterface({ input: child.stdout });

  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  };

  try {
    const url = await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('treff printed no URL within 15 s')), 15000);
      stdout.on('line', (line) => {
        remember(line);
        const match = /(http:\/\/[0-9.]+:\d+\/)/.exec(line);
        if (match) {
          clearTimeout(timer);
          resolve(match[1]);
        }
      });
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`treff exited before serving (code ${code}, signal ${signal})`));
      });
      child.once('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
    });
    return { url, origin: new URL(url).origin, output: () => lines.join('\n'), stop };
  } catch (err) {
    await stop();
    err.message += `\n--- treff output ---\n${lines.join('\n')}`;
    throw err;
  }
}

// extraArgs are appended to the usual flags; executablePath may be a wrapper script that execs
// Chromium (for example inside another network namespace).
export async function launchChromium({ extraArgs = [], executablePath = CHROMIUM } = {}) {
  return chromium.launch({ executablePath, headless: true, args: [...CHROMIUM_ARGS, ...extraArgs] });
}

// Polls fn (async, returns a value or a falsy value) until it returns something truthy.
// On timeout the error names `what` and shows last() (the latest observation), if given.
export async function waitFor(fn, { timeoutMs, intervalMs = 250, what, last }) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await fn();
    if (value) return value;
    if (Date.now() > deadline) {
      const seen = last ? `; last seen: ${JSON.stringify(last())}` : '';
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${seen}`);
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

// Sums every series of a Prometheus counter in the text exposition format.
export function counterValue(metricsText, name) {
  let total = 0;
  let found = false;
  for (const line of metricsText.split('\n')) {
    if (line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})?\s+(\S+)/.exec(line);
    if (match && match[1] === name) {
      total += Number(match[3]);
      found = true;
    }
  }
  return found ? total : null;
}
