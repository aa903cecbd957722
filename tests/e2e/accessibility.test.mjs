// Automated accessibility checks of the web app with axe-core (WCAG 2.0 and 2.1, levels A and
// AA): the landing page, the pre-join screen (also in dark mode), and a meeting of two with the
// chat, participants and settings panels open, muted, and with a shared screen, in English and
// in German. Then keyboard use of the meeting: Tab must reach every control of the call, and
// each must have an accessible name (as Chromium's own accessibility tree computes it). axe
// finds only what can be found automatically; zero violations is a floor, not a proof.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { after, before, test } from 'node:test';
import { launchChromium, startTreff } from './helpers.mjs';
import { joinMeeting, waitForMediaFrom, watchedContext } from './meeting_helpers.mjs';

const MEDIA_PORT = 20060;
const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

let treff;
let browser;
const contexts = [];

before(async () => {
  treff = await startTreff({ mediaPort: MEDIA_PORT });
  browser = await launchChromium();
});

after(async () => {
  for (const c of contexts) await c.close().catch(() => {});
  await browser?.close().catch(() => {});
  await treff?.stop();
});

async function newParticipant() {
  const { context } = await watchedContext(browser);
  contexts.push(context);
  return context;
}

// Runs axe in the page (evaluated through the DevTools protocol, so the page's strict
// Content-Security-Policy stays as it is) and returns its violations, each with its nodes.
async function axeViolations(page) {
  if (!(await page.evaluate(() => typeof window.axe === 'object'))) {
    await page.evaluate(AXE_SOURCE);
  }
  return page.evaluate(async (tags) => {
    const result = await window.axe.run(document, { runOnly: { type: 'tag', values: tags } });
    return result.violations.map((v) => ({
      id: v.id, impact: v.impact, help: v.help,
      nodes: v.nodes.map((n) => ({ target: n.target.join(' '), html: n.html.slice(0, 160),
                                  summary: n.failureSummary })),
    }));
  }, WCAG_TAGS);
}

// Checks `page` as it is now; the failure message lists every violation with its nodes.
async function assertNoViolations(page, what) {
  const violations = await axeViolations(page);
  const lines = violations.flatMap((v) => [
    `${v.id} (${v.impact}): ${v.help}`,
    ...v.nodes.map((n) => `    ${n.target} ${n.html}: ${n.summary.replace(/\n\s*/g, ' | ')}`),
  ]);
  console.log(`axe ${what}: ${violations.length} violations${lines.length ? `\n  ${lines.join('\n  ')}` : ''}`);
  assert.deepEqual(violations.map((v) => v.id), [], `axe violations on ${what}:\n  ${lines.join('\n  ')}`);
}

// Both languages of the page as it stands: English, then German through the language menu.
async function assertNoViolationsInBothLanguages(page, what) {
  await page.locator('#language-select').selectOption('en');
  await assertNoViolations(page, `${what} (en)`);
  await page.locator('#language-select').selectOption('de');
  await page.waitForFunction(() => document.documentElement.lang === 'de');
  await assertNoViolations(page, `${what} (de)`);
  await page.locator('#language-select').selectOption('en');
  await page.waitForFunction(() => document.documentElement.lang === 'en');
}

test('the landing page and the pre-join screen have no axe violations (en, de)',
     { timeout: 60_000 }, async () => {
  const context = await newParticipant();
  const page = await context.newPage();
  await page.goto(treff.url);
  await page.locator('#start-meeting').waitFor();
  await assertNoViolationsInBothLanguages(page, 'landing page');
  // The join form showing its error for an empty name.
  await page.locator('#join-meeting-name').click();
  await page.locator('#meeting-name-error').waitFor();
  await assertNoViolations(page, 'landing page with a name error (en)');

  await page.goto(new URL(`/a11y-prejoin-${process.pid}`, treff.url).href);
  await page.locator('#display-name').waitFor();
  // Wait for the camera preview, so that the screen is checked as people see it.
  await page.locator('#prejoin-video').waitFor({ timeout: 10_000 });
  await assertNoViolationsInBothLanguages(page, 'pre-join screen');
  await page.locator('#join-button').click();
  await page.locator('#display-name-error').waitFor();
  await assertNoViolations(page, 'pre-join screen with a name error (en)');

  // The light pages follow the system's dark mode: its colours must hold up too.
  await page.emulateMedia({ colorScheme: 'dark' });
  await assertNoViolations(page, 'pre-join screen in dark mode (en)');
  await page.goto(treff.url);
  await page.locator('#start-meeting').waitFor();
  await assertNoViolations(page, 'landing page in dark mode (en)');
});

let meetingPages = null;  // [host, guest] once the second test has joined them

test('a meeting of two, with each side panel open, has no axe violations (en, de)',
     { timeout: 90_000 }, async () => {
  const meeting = `a11y-${process.pid}`;
  const host = await joinMeeting(await newParticipant(), treff.url, { meeting, name: 'Ada', direct: true });
  const guest = await joinMeeting(await newParticipant(), treff.url, { meeting, name: 'Bruno', direct: true });
  meetingPages = [host, guest];
  await waitForMediaFrom(host.page, [guest], { label: 'Ada' });
  const page = host.page;
  await assertNoViolationsInBothLanguages(page, 'meeting of two');
  for (const panel of ['chat', 'participants', 'settings']) {
    await page.locator(`#${panel}-toggle`).click();
    await page.locator(`#${panel}-panel`).waitFor();
    await assertNoViolationsInBothLanguages(page, `meeting with the ${panel} panel open`);
    await page.locator(`#${panel}-toggle`).click();
    await page.locator('#side-panel').waitFor({ state: 'detached' });
  }
  // A chat message in the list, from the other participant and from oneself.
  await guest.page.locator('#chat-toggle').click();
  await guest.page.locator('#chat-input').fill('Hallo Ada');
  await guest.page.locator('#chat-send').click();
  await page.locator('#chat-unread').waitFor({ timeout: 5_000 });
  await page.locator('#chat-toggle').click();
  await page.locator('#chat-input').fill('Hallo Bruno');
  await page.locator('#chat-send').click();
  await page.locator('#chat-messages li.own:not(.pending)').waitFor({ timeout: 5_000 });
  await assertNoViolationsInBothLanguages(page, 'meeting with chat messages');
  await page.locator('#chat-toggle').click();
  // Microphone muted and camera off: other icons, the muted marks on the tile.
  await page.locator('#mic-toggle').click();
  await page.locator('#camera-toggle').click();
  await page.locator('figure.tile[data-local][data-mic-muted="true"][data-camera-off="true"]').waitFor();
  await assertNoViolationsInBothLanguages(page, 'meeting with microphone muted and camera off');
  await page.locator('#mic-toggle').click();
  await page.locator('#camera-toggle').click();
  await page.locator('figure.tile[data-local][data-camera-off="false"]').waitFor();
  // The other shares a screen: the stage with the cameras in a strip.
  await guest.page.locator('#screen-toggle').click();
  try {
    await page.locator('#stage video[data-source=screen]').waitFor({ timeout: 15_000 });
    await assertNoViolationsInBothLanguages(page, 'meeting with a shared screen');
  } finally {
    await guest.page.locator('#screen-toggle').click();
  }
  await page.locator('#stage').waitFor({ state: 'detached', timeout: 10_000 });
});

// The accessible name and role of the focused element, from Chromium's accessibility tree.
async function focusedAccessible(page, cdp) {
  const id = await page.evaluate(() => document.activeElement?.id ?? '');
  if (!id) return { id: '' };
  const { root } = await cdp.send('DOM.getDocument', { depth: 0 });
  const { nodeId } = await cdp.send('DOM.querySelector', { nodeId: root.nodeId, selector: `#${id}` });
  const { nodes } = await cdp.send('Accessibility.getPartialAXTree', { nodeId, fetchRelatives: false });
  const node = nodes.find((n) => !n.ignored) ?? nodes[0];
  return { id, role: node?.role?.value ?? '', name: (node?.name?.value ?? '').trim() };
}

test('Tab reaches every control of the call, and each has an accessible name',
     { timeout: 60_000 }, async () => {
  assert.ok(meetingPages, 'the meeting of the previous test is running');
  const [host] = meetingPages;
  const page = host.page;
  const cdp = await page.context().newCDPSession(page);
  const wanted = {
    'mic-toggle': 'button', 'camera-toggle': 'button', 'screen-toggle': 'button',
    'chat-toggle': 'button', 'participants-toggle': 'button', 'settings-toggle': 'button',
    'leave-button': 'button', 'language-select': 'combobox',
  };
  // Start from the top of the page, with nothing focused.
  await page.evaluate(() => document.activeElement?.blur());
  await page.mouse.click(1, 1);
  const reached = new Map();
  const order = [];
  for (let i = 0; i < 40 && reached.size < Object.keys(wanted).length; i++) {
    await page.keyboard.press('Tab');
    const f = await focusedAccessible(page, cdp);
    order.push(f.id || '(no id)');
    if (f.id in wanted && !reached.has(f.id)) reached.set(f.id, f);
  }
  console.log(`Tab order: ${order.join(' > ')}`);
  for (const [id, role] of Object.entries(wanted)) {
    const f = reached.get(id);
    assert.ok(f, `Tab reaches #${id} (order: ${order.join(' > ')})`);
    assert.equal(f.role, role, `#${id} has role ${role}`);
    assert.ok(f.name.length > 0, `#${id} has an accessible name`);
    console.log(`  #${id}: ${f.role} "${f.name}"`);
  }
  // Opening a panel from the keyboard and closing it with Escape returns focus to its toggle.
  await page.locator('#participants-toggle').focus();
  await page.keyboard.press('Enter');
  await page.locator('#participants-panel').waitFor();
  await page.keyboard.press('Escape');
  await page.locator('#side-panel').waitFor({ state: 'detached' });
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'participants-toggle',
               'Escape closes the panel and gives focus back to its toggle');
  await cdp.detach();
});

test('the page after leaving has no axe violations (en, de)', { timeout: 30_000 }, async () => {
  assert.ok(meetingPages, 'the meeting of the second test is running');
  const [, guest] = meetingPages;
  await guest.page.locator('#leave-button').click();
  await guest.page.locator('#rejoin-button').waitFor({ timeout: 5_000 });
  await assertNoViolationsInBothLanguages(guest.page, 'page after leaving');
});
