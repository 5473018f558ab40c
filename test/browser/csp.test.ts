/**
 * The Content-Security-Policy against the real pages in headless Chromium:
 * the home page, a meeting with camera, mic and screen share, a dialog and a
 * menu all work, and the browser reports no violation. The meeting page
 * cannot be framed.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { expectDecoding } from '../helpers/browser';
import { browserSuite } from '../helpers/browser-suite';

const suite = browserSuite({ rtcPorts: [29000, 29999], strict: true });

/** What the browser said about our policies in the console (an unrecognized Permissions-Policy feature is a warning). */
const policyWarnings: string[] = [];

/** A page that records every securitypolicyviolation event from its first script on. */
async function watchedPage(name: string): Promise<Page> {
  const page = await suite.page(name);
  page.on('console', (m) => {
    if (/Permissions-Policy|Content.Security.Policy/i.test(m.text())) policyWarnings.push(`${name}: ${m.text()}`);
  });
  await page.addInitScript(() => {
    const seen: string[] = [];
    (window as unknown as { __cspViolations: string[] }).__cspViolations = seen;
    document.addEventListener('securitypolicyviolation', (e) =>
      seen.push(`${e.effectiveDirective} blocked ${e.blockedURI || 'inline'} (${e.sourceFile}:${e.lineNumber})`),
    );
  });
  return page;
}

const violations = (page: Page) =>
  page.evaluate(() => (window as unknown as { __cspViolations: string[] }).__cspViolations);

async function join(page: Page, name: string): Promise<string> {
  await page.getByLabel('Your name').fill(name);
  await page.getByRole('button', { name: 'Join now' }).click();
  const local = page.getByTestId('local-video');
  await local.waitFor({ timeout: 20_000 });
  const tile = page.locator('figure[data-testid^="tile-"]', { has: local });
  return (await tile.getAttribute('data-testid'))!.slice('tile-'.length);
}

describe('under the Content-Security-Policy', () => {
  let a: Page;
  let b: Page;
  let code: string;

  it(
    'the home page starts a meeting, and two people see each other through the SFU',
    { timeout: 120_000 },
    async () => {
      a = await watchedPage('A');
      await a.goto('/');
      await a.getByRole('button', { name: 'New meeting' }).click();
      await a.waitForURL(/\/[a-z]{3}-[a-z]{4}-[a-z]{3}$/, { timeout: 15_000 });
      code = new URL(a.url()).pathname.slice(1);
      const aId = await join(a, 'Alice');

      b = await watchedPage('B');
      await b.goto(`/${code}`);
      const bId = await join(b, 'Bob');
      await expectDecoding(b, aId, 'camera');
      await expectDecoding(a, bId, 'camera');
      expect(await violations(a)).toEqual([]);
      expect(await violations(b)).toEqual([]);
    },
  );

  it('screen share, the settings dialog and a menu work too', { timeout: 60_000 }, async () => {
    await a.getByRole('button', { name: 'Share screen' }).click();
    await b.getByTestId('screen-stage').waitFor({ timeout: 15_000 });
    await b.getByRole('button', { name: 'More options' }).click();
    await b.getByRole('menuitem', { name: 'Settings' }).click();
    const dialog = b.getByRole('dialog', { name: 'Settings' });
    await dialog.waitFor();
    await b.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    await b.getByRole('button', { name: 'Send a reaction' }).click();
    await b.getByRole('menuitem', { name: 'React 👍' }).click();
    await a.getByTestId('toggle-people').click();
    await a.getByRole('button', { name: 'Actions for Bob' }).click();
    await a.getByRole('menu').waitFor();
    await a.keyboard.press('Escape');
    expect(await violations(a)).toEqual([]);
    expect(await violations(b)).toEqual([]);
    expect(policyWarnings).toEqual([]);
    expect(suite.errors).toEqual([]);
  });

  it('the meeting page refuses to load inside a frame', async () => {
    const page = await suite.page('Framer');
    await page.goto('/');
    await page.evaluate((src) => {
      const frame = document.createElement('iframe');
      frame.src = src;
      document.body.append(frame);
    }, `${suite.server.url}/${code}`);
    await page.waitForTimeout(2_000);
    const framed = page.frames().find((f) => f !== page.mainFrame());
    expect(await framed?.locator('[data-testid="prejoin"]').count()).toBe(0);
    // The refusal is the browser's own console error; it is expected here.
    suite.errors.length = 0;
  });
});
