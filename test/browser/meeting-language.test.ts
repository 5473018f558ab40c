/**
 * The meeting screen in German, in real Chromium whose language is de-DE
 * (navigator.language and Accept-Language) against the real server (Next
 * build, Socket.IO, mediasoup): the control bar, the More menu, the panels
 * and the settings dialog speak German, the bar still fits one row on a
 * phone, and choosing English in the settings switches the screen without
 * reloading the document or leaving the call. Every state runs axe-core and
 * saves a screenshot (test/helpers/axe.ts).
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { expectAccessible } from '../helpers/axe';
import { browserSuite } from '../helpers/browser-suite';

const suite = browserSuite({ rtcPorts: [45000, 45999], locale: 'de-DE' });

const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };

/** Two browsers with media on a shared 2-core machine: steps take seconds. */
const SLOW = { timeout: 120_000 };

/** A page whose person created the meeting (their guest cookie makes them its host); returns the code. */
async function hostMeeting(page: Page): Promise<string> {
  await page.goto('/');
  const created = await page.evaluate(() =>
    fetch('/api/rooms', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' }).then(
      (r) => r.json() as Promise<{ code: string }>,
    ),
  );
  return created.code;
}

/** Joins from the German pre-join; returns this person's participant id. */
async function join(page: Page, code: string, name: string): Promise<string> {
  await page.goto(`/${code}`);
  await page.getByLabel('Ihr Name').fill(name);
  await page.getByRole('button', { name: 'Jetzt beitreten' }).click();
  const local = page.getByTestId('local-video');
  await local.waitFor({ timeout: 30_000 });
  const tile = page.locator('figure[data-testid^="tile-"]', { has: local });
  return (await tile.getAttribute('data-testid'))!.slice('tile-'.length);
}

const bar = (page: Page) => page.locator('nav', { has: page.getByTestId('toggle-mic') });

/** The control bar's buttons: how many rows they make (overlapping heights share a row), and whether the bar or the page scrolls sideways. */
const barGeometry = (page: Page) =>
  bar(page).evaluate((nav) => {
    const buttons = [...nav.querySelectorAll('button')];
    return {
      count: buttons.length,
      rows: buttons
        .map((b) => b.getBoundingClientRect())
        .sort((x, y) => x.top - y.top)
        .reduce<{ top: number; bottom: number }[]>((rows, r) => {
          const last = rows[rows.length - 1];
          if (last && r.top < last.bottom) last.bottom = Math.max(last.bottom, r.bottom);
          else rows.push({ top: r.top, bottom: r.bottom });
          return rows;
        }, []).length,
      navOverflows: nav.scrollWidth > nav.clientWidth,
      pageOverflows: document.documentElement.scrollWidth > window.innerWidth,
    };
  });

const label = (page: Page, testId: string) => page.getByTestId(testId).getAttribute('aria-label');

/** The local preview is playing: a decoded frame is on it. */
const selfVideoPlays = (page: Page) =>
  page.getByTestId('local-video').evaluate((v: HTMLVideoElement) => v.videoWidth > 0 && !v.paused);

describe('the meeting screen in German (browser language de-DE)', () => {
  let a: Page;
  let b: Page;
  let aId: string;
  let code: string;

  it('at 1280×800 the control bar, its tooltips and the More menu are German, the bar is one row', SLOW, async () => {
    a = await suite.page('A-de', DESKTOP);
    code = await hostMeeting(a);
    aId = await join(a, code, 'Anna');
    expect(await a.evaluate(() => document.documentElement.lang)).toBe('de');

    expect(await bar(a).getAttribute('aria-label')).toBe('Besprechungssteuerung');
    expect(await label(a, 'toggle-mic')).toBe('Mikrofon ausschalten');
    expect(await label(a, 'toggle-camera')).toBe('Kamera ausschalten');
    expect(await label(a, 'toggle-share')).toBe('Bildschirm teilen');
    expect(await label(a, 'more-options')).toBe('Weitere Optionen');
    expect(await label(a, 'leave-call')).toBe('Anruf verlassen');
    expect(await label(a, 'toggle-info')).toBe('Besprechungsdetails');
    expect(await label(a, 'toggle-people')).toBe('Personen');
    expect(await a.getByRole('button', { name: 'Hand heben' }).count()).toBe(1);
    expect(await a.getByRole('button', { name: 'Reaktion senden' }).count()).toBe(1);
    // The mic's tooltip keeps its shortcut hint, with the Ctrl key as German keyboards name it.
    const mic = a.getByTestId('toggle-mic');
    const tip = a.locator('span', { has: mic }).locator('[aria-hidden="true"]').last();
    expect(await tip.textContent()).toMatch(/^Mikrofon ausschalten \((Strg\+D|⌘D)\)$/);
    await mic.click();
    await expect.poll(() => label(a, 'toggle-mic')).toBe('Mikrofon einschalten');
    await mic.click();
    await expect.poll(() => label(a, 'toggle-mic')).toBe('Mikrofon ausschalten');

    const geometry = await barGeometry(a);
    expect(geometry.rows).toBe(1);
    expect(geometry.navOverflows).toBe(false);
    expect(geometry.pageOverflows).toBe(false);
    await expectAccessible(a, 'german meeting joined');

    await a.getByTestId('more-options').click();
    const items = await a.getByTestId('more-menu').getByRole('menuitem').allTextContents();
    expect(items.map((t) => t.trim())).toEqual(['Einstellungen']);
    await expectAccessible(a, 'german more menu');
    await a.keyboard.press('Escape');
  });

  it('a second person sees German panels: "Personen (2)" and "2 Personen" in the meeting details', SLOW, async () => {
    b = await suite.page('B-de', DESKTOP);
    await join(b, code, 'Bernd');
    await b.getByTestId(`tile-${aId}`).waitFor({ timeout: 30_000 });

    await b.getByTestId('toggle-people').click();
    const sheet = b.getByTestId('side-panel');
    await expect.poll(() => sheet.locator('h2').first().textContent()).toBe('Personen (2)');
    expect(await sheet.getByRole('button', { name: 'Personen schließen' }).count()).toBe(1);

    await b.getByTestId('toggle-info').click();
    await expect.poll(() => sheet.getAttribute('data-panel')).toBe('info');
    expect(await b.getByTestId('meeting-count').textContent()).toBe('2 Personen');
    expect(await sheet.textContent()).toContain('Besprechungscode');
    expect(await b.getByRole('button', { name: 'Link kopieren' }).count()).toBe(1);
    // Bernd's own tile names him formally; Anna's tile offers pinning in German.
    expect(await b.getByRole('figure', { name: /^Bernd \(Sie\)/ }).count()).toBe(1);
    expect(await b.getByRole('button', { name: 'Anna für mich anheften' }).count()).toBe(1);
    await expectAccessible(b, 'german meeting details');
    await b.keyboard.press('Escape');
  });

  it(
    'the settings dialog is German and has the language select; choosing English switches the screen in place, still in the call',
    SLOW,
    async () => {
      await a.evaluate(() => {
        (window as unknown as { __marker: string }).__marker = 'same document';
      });
      await a.getByTestId('more-options').click();
      await a.getByRole('menuitem', { name: 'Einstellungen' }).click();
      const dialog = a.getByRole('dialog', { name: 'Einstellungen' });
      await dialog.waitFor();
      expect(await dialog.getByTestId('theme-picker').locator('legend').textContent()).toBe('Design');
      expect(await dialog.getByRole('button', { name: 'Fertig' }).count()).toBe(1);
      const select = dialog.getByTestId('language-select');
      expect(await select.inputValue()).toBe('de');
      expect(await dialog.getByLabel('Sprache').count()).toBe(1);
      await expectAccessible(a, 'german settings dialog');

      await select.selectOption('en');
      await expect.poll(() => label(a, 'toggle-mic'), { timeout: 15_000 }).toBe('Turn off microphone');
      expect(await label(a, 'more-options')).toBe('More options');
      expect(await label(a, 'leave-call')).toBe('Leave call');
      expect(await bar(a).getAttribute('aria-label')).toBe('Meeting controls');
      // The dialog stays open, now in English (the name it was found by is gone).
      const settings = a.getByTestId('settings-dialog');
      await expect.poll(() => settings.getByRole('button', { name: 'Done' }).count()).toBe(1);
      expect(await a.getByRole('dialog', { name: 'Settings' }).count()).toBe(1);
      await expect.poll(() => a.evaluate(() => document.documentElement.lang)).toBe('en');

      // Same document, same call: the marker survives, the self tile keeps its id and its video plays.
      expect(await a.evaluate(() => (window as unknown as { __marker?: string }).__marker)).toBe('same document');
      expect(await a.getByTestId(`tile-${aId}`).count()).toBe(1);
      await expect.poll(() => selfVideoPlays(a)).toBe(true);
      // Anna is still in the meeting for Bernd, whose screen stays German.
      expect(await b.getByTestId(`tile-${aId}`).count()).toBe(1);
      expect(await label(b, 'toggle-mic')).toBe('Mikrofon ausschalten');
      await a.keyboard.press('Escape');
    },
  );

  it(
    'at 390×844 the German bar still fits one row, and the More menu holds hand, details and settings in German',
    SLOW,
    async () => {
      const c = await suite.page('C-de-phone', PHONE);
      await join(c, code, 'Clara');
      const geometry = await barGeometry(c);
      expect(geometry.count).toBeGreaterThanOrEqual(7);
      expect(geometry.rows).toBe(1);
      expect(geometry.navOverflows).toBe(false);
      expect(geometry.pageOverflows).toBe(false);
      expect(await label(c, 'toggle-chat')).toBe('Chat');
      await expectAccessible(c, 'german meeting joined');

      await c.getByTestId('more-options').click();
      const items = await c.getByTestId('more-menu').getByRole('menuitem').allTextContents();
      expect(items.map((t) => t.trim())).toEqual(
        expect.arrayContaining(['Hand heben', 'Besprechungsdetails', 'Einstellungen']),
      );
      await expectAccessible(c, 'german more menu');
      await c.getByRole('menuitem', { name: 'Besprechungsdetails' }).click();
      await expect.poll(() => c.getByTestId('meeting-count').textContent()).toBe('3 Personen');
      await expectAccessible(c, 'german meeting details');
      expect(suite.errors).toEqual([]);
    },
  );
});
