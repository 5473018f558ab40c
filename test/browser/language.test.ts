/**
 * The UI language in real Chromium: a browser set to German sees the home page
 * in German, and the language setting switches it to English in place (the
 * document is not reloaded, so a call in progress would survive it).
 */
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { expectAccessible } from '../helpers/axe';
import { browserSuite } from '../helpers/browser-suite';

const suite = browserSuite({ rtcPorts: [43000, 43999], strict: true });
const contexts: BrowserContext[] = [];
afterAll(async () => {
  for (const c of contexts) await c.close().catch(() => undefined);
});

/** A page in a context whose browser language is German (Accept-Language and navigator.language). */
async function germanPage(viewport: { width: number; height: number }): Promise<Page> {
  const context = await suite.browser.newContext({ baseURL: suite.server.url, locale: 'de-DE', viewport });
  contexts.push(context);
  const page = await context.newPage();
  page.on('pageerror', (err) => suite.errors.push(`de: ${err.message}`));
  page.on('console', (msg) => {
    if (msg.type() === 'error') suite.errors.push(`de console: ${msg.text()}`);
  });
  return page;
}

describe.each([
  { width: 1280, height: 800 },
  { width: 390, height: 844 },
])('the home page at $width px', (viewport) => {
  it('speaks German to a German browser, and switches to English from the language setting without a reload', async () => {
    const page = await germanPage(viewport);
    await page.goto('/');
    expect(await page.evaluate(() => navigator.language)).toBe('de-DE');
    expect(await page.getAttribute('html', 'lang')).toBe('de');
    await expect.poll(() => page.getByRole('button', { name: 'Neue Besprechung' }).isVisible()).toBe(true);
    expect(await page.getByLabel('Besprechungscode oder Link').getAttribute('placeholder')).toBe(
      'Code oder Link eingeben',
    );
    // German words are longer: nothing may push the page wider than the screen.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(viewport.width);
    const select = page.getByLabel('Sprache');
    expect(await select.inputValue()).toBe('de');
    await expectAccessible(page, 'home-de');

    // German words from a client component: the code check under the form.
    await page.getByLabel('Besprechungscode oder Link').fill('nonsense');
    await page.getByRole('button', { name: 'Teilnehmen' }).click();
    await expect
      .poll(() => page.locator('main').getByRole('alert').textContent())
      .toBe('Geben Sie einen Code wie abc-defg-hij oder einen Besprechungslink ein');

    // A marker on the window survives only if the document is not reloaded.
    await page.evaluate(() => Object.assign(window, { __languageMarker: 'kept' }));
    await select.selectOption('en');
    await expect
      .poll(() => page.getByRole('button', { name: 'New meeting' }).isVisible(), { timeout: 10_000 })
      .toBe(true);
    expect(await page.evaluate(() => (window as unknown as { __languageMarker?: string }).__languageMarker)).toBe(
      'kept',
    );
    expect(await page.getAttribute('html', 'lang')).toBe('en');
    expect(await page.getByLabel('Language').inputValue()).toBe('en');
    expect(await page.getByRole('button', { name: 'Neue Besprechung' }).count()).toBe(0);
    // The choice is remembered: a new load in the same browser stays English despite its German Accept-Language.
    await page.reload();
    await expect.poll(() => page.getByRole('button', { name: 'New meeting' }).isVisible()).toBe(true);
    await expectAccessible(page, 'home-en-chosen');
    expect(suite.errors).toEqual([]);
  });
});
