// Privacy of the landing and echo pages in a real Chromium: no request leaves for any origin
// but the treff server, no cookie is set or kept, and every page carries the CSP header (and
// does not violate it).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { launchChromium, startTreff } from './helpers.mjs';
import { assertPrivate, watchedContext } from './meeting_helpers.mjs';

const MEDIA_PORT = 20010;

let treff;
let browser;

before(async () => {
  treff = await startTreff({ mediaPort: MEDIA_PORT });
  browser = await launchChromium();
});

after(async () => {
  await browser?.close().catch(() => {});
  await treff?.stop();
});

async function assertCsp(response) {
  assert.ok(response, 'the page loaded');
  assert.equal(response.status(), 200, response.url());
  const headers = await response.allHeaders();
  const csp = headers['content-security-policy'] ?? '';
  assert.match(csp, /default-src 'self'/, `CSP on ${response.url()}`);
  assert.match(csp, /script-src 'self'/);
  assert.match(csp, /connect-src 'self'/);
  assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
  assert.equal(headers['referrer-policy'], 'no-referrer');
  assert.equal(headers['x-content-type-options'], 'nosniff');
}

test('landing page: same-origin only, no cookies, CSP', { timeout: 60_000 }, async () => {
  const { context, seen } = await watchedContext(browser);
  try {
    const page = await context.newPage();
    const response = await page.goto(treff.url, { waitUntil: 'networkidle' });
    await assertCsp(response);
    await page.getByRole('heading', { name: 'Treff' }).waitFor();
    const link = page.getByRole('link', { name: /echo test/ });
    assert.equal(await link.getAttribute('href'), '/echo');
    assert.ok(seen.requests.length >= 3, 'the page, its script and its stylesheet were seen');
    await assertPrivate(treff.origin, context, seen, [page]);
  } finally {
    await context.close().catch(() => {});
  }
});

test('echo page: same-origin only, no cookies, CSP, while the test runs',
     { timeout: 60_000 }, async () => {
  const { context, seen } = await watchedContext(browser);
  try {
    const page = await context.newPage();
    await page.goto(treff.url);
    const [response] = await Promise.all([
      page.waitForNavigation(),
      page.getByRole('link', { name: /echo test/ }).click(),
    ]);
    await assertCsp(response);
    // Started from the keyboard: the button is the page's first stop in the tab order.
    await page.getByRole('button', { name: 'Start echo test' }).waitFor();
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement?.textContent),
                 'Start echo test');
    await page.keyboard.press('Enter');
    // Let getUserMedia, the WebSocket and ICE run for a while (whatever the outcome).
    await page.waitForFunction(() => {
      const status = document.getElementById('status')?.textContent ?? '';
      return document.getElementById('error') || /Connected|Answer received/.test(status);
    }, null, { timeout: 20_000 });
    await page.waitForTimeout(2000);
    assert.ok(seen.websockets.length >= 1, 'the page opened its signaling WebSocket');
    await assertPrivate(treff.origin, context, seen, [page]);
  } finally {
    await context.close().catch(() => {});
  }
});
