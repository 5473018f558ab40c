/**
 * The meeting shell in real Chromium against the real server (Next build,
 * Socket.IO, mediasoup), at a laptop's 1280×800 and a phone's 390×844: the
 * icon control bar on one row, the More menu by keyboard, side panels closed
 * by default and opening as a side or bottom sheet, focus after joining and
 * after closing, themes, the presenter's card, the grid back at full size
 * after a share, and the tiles reachable with Tab. Every state runs axe-core
 * (test/helpers/axe.ts) and saves a screenshot.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { expectAccessible } from '../helpers/axe';
import { browserSuite } from '../helpers/browser-suite';

const suite = browserSuite({ rtcPorts: [32000, 33999] });

const SIZES = [
  { name: 'desktop', width: 1280, height: 800 },
  { name: 'phone', width: 390, height: 844 },
] as const;

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

/** Joins from the pre-join; returns this person's participant id. */
async function join(page: Page, code: string, name: string): Promise<string> {
  await page.goto(`/${code}`);
  await page.getByLabel('Your name').fill(name);
  await page.getByRole('button', { name: 'Join now' }).click();
  const local = page.getByTestId('local-video');
  await local.waitFor({ timeout: 20_000 });
  const tile = page.locator('figure[data-testid^="tile-"]', { has: local });
  return (await tile.getAttribute('data-testid'))!.slice('tile-'.length);
}

/** What has focus now: its tag, test id, panel opener and accessible name. */
const focused = (page: Page) =>
  page.evaluate(() => {
    const el = document.activeElement as HTMLElement | null;
    return {
      tag: el?.tagName.toLowerCase() ?? null,
      testId: el?.dataset.testid ?? null,
      label: el?.getAttribute('aria-label') ?? el?.textContent.trim() ?? null,
    };
  });

/** The control bar's buttons: how many rows they make (buttons whose heights overlap share a row), and whether the bar or the page scrolls sideways. */
const barGeometry = (page: Page) =>
  page.evaluate(() => {
    const nav = document.querySelector('nav[aria-label="Meeting controls"]')!;
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

/** Two browsers with media on a shared 2-core machine: steps take seconds, not milliseconds. */
const SLOW = { timeout: 90_000 };

const sheetBox = (page: Page) => page.getByTestId('side-panel').boundingBox();

const tileWidth = (page: Page, id: string) =>
  page.getByTestId(`tile-${id}`).evaluate((el) => Math.round(el.getBoundingClientRect().width));

const bodyBackground = (page: Page) => page.evaluate(() => getComputedStyle(document.body).backgroundColor);

describe.each(SIZES)('the meeting shell at $width×$height ($name)', (size) => {
  const viewport = { width: size.width, height: size.height };
  const phone = size.width <= 600;
  let a: Page;
  let b: Page;
  let aId: string;
  let bId: string;
  let code: string;

  it(
    'after joining, focus is on the meeting heading; there is one <main> and one <h1>; no panel is open; the bar is one row',
    SLOW,
    async () => {
      a = await suite.page(`A-${size.name}`, viewport);
      code = await hostMeeting(a);
      aId = await join(a, code, 'Alice');
      await expect.poll(() => focused(a)).toMatchObject({ tag: 'h1' });
      expect(await a.locator('main').count()).toBe(1);
      expect(await a.locator('h1').count()).toBe(1);
      expect(await a.getByTestId('side-panel').count()).toBe(0);

      const bar = await barGeometry(a);
      expect(bar.count).toBeGreaterThanOrEqual(phone ? 7 : 9);
      expect(bar.rows).toBe(1);
      expect(bar.navOverflows).toBe(false);
      expect(bar.pageOverflows).toBe(false);

      // Mic and camera show their state with a name that says what a press does.
      const mic = a.getByTestId('toggle-mic');
      expect(await mic.getAttribute('aria-label')).toBe('Turn off microphone');
      expect(await mic.getAttribute('aria-pressed')).toBe('true');
      await mic.click();
      await expect.poll(() => mic.getAttribute('aria-label')).toBe('Turn on microphone');
      expect(await mic.getAttribute('aria-pressed')).toBe('false');
      // Its tooltip shows the shortcut on keyboard focus.
      await a.keyboard.press('Shift+Tab');
      await a.keyboard.press('Tab');
      const tip = a.locator('span', { has: mic }).locator('[aria-hidden="true"]').last();
      await expect.poll(() => tip.isVisible()).toBe(true);
      expect(await tip.textContent()).toMatch(/^Turn on microphone \((Ctrl\+D|⌘D)\)$/);
      await expectAccessible(a, 'meeting joined, muted');
      await mic.click();
    },
  );

  it(
    'the More menu opens and is walked with the keyboard; Settings switches the theme, and focus returns to More',
    SLOW,
    async () => {
      const more = a.getByTestId('more-options');
      await more.focus();
      await a.keyboard.press('Enter');
      const menu = a.getByTestId('more-menu');
      await menu.waitFor();
      await expect.poll(async () => (await focused(a)).tag).toBe('div');
      expect(await a.evaluate(() => document.activeElement?.getAttribute('role'))).toBe('menuitem');
      const items = await menu.getByRole('menuitem').allTextContents();
      // On a phone the buttons that do not fit are here.
      if (phone) expect(items.map((t) => t.trim())).toEqual(expect.arrayContaining(['Raise hand', 'Meeting details']));
      await expectAccessible(a, 'more menu');
      // End moves to the last item once the menu has settled its focus (pressed again until then).
      await expect
        .poll(async () => {
          await a.keyboard.press('End');
          return (await focused(a)).label;
        }, SLOW)
        .toBe('Settings');
      await a.keyboard.press('Enter');
      const dialog = a.getByRole('dialog', { name: 'Settings' });
      await dialog.waitFor();

      // System (the default) follows prefers-color-scheme.
      await a.emulateMedia({ colorScheme: 'dark' });
      expect(await bodyBackground(a)).toBe('rgb(15, 17, 21)');
      await a.emulateMedia({ colorScheme: 'light' });
      expect(await bodyBackground(a)).toBe('rgb(241, 243, 244)');
      // A choice overrides the system, and is kept.
      await dialog.getByLabel('Dark').check();
      expect(await bodyBackground(a)).toBe('rgb(15, 17, 21)');
      await expectAccessible(a, 'settings dialog, dark');
      await dialog.getByLabel('Light').check();
      await a.emulateMedia({ colorScheme: 'dark' });
      expect(await bodyBackground(a)).toBe('rgb(241, 243, 244)');
      expect(await a.evaluate(() => localStorage.getItem('convene:theme'))).toBe('light');
      // Another page of this browser starts in the chosen theme: the nonced head script ran under the CSP.
      const other = await a.context().newPage();
      await other.emulateMedia({ colorScheme: 'dark' });
      await other.goto('/');
      expect(await other.evaluate(() => document.documentElement.dataset.theme)).toBe('light');
      expect(await bodyBackground(other)).toBe('rgb(241, 243, 244)');
      await other.close();
      await expectAccessible(a, 'settings dialog, light');

      await a.keyboard.press('Escape');
      await dialog.waitFor({ state: 'detached' });
      await expect.poll(async () => (await focused(a)).testId).toBe('more-options');
      await expectAccessible(a, 'meeting in light theme');
    },
  );

  it(
    'panels open one at a time as a side sheet (desktop) or bottom sheet (phone), take focus, and give it back on close',
    SLOW,
    async () => {
      const open = async (panel: 'people' | 'chat' | 'info') => {
        if (phone && panel === 'info') {
          await a.getByTestId('more-options').click();
          await a.getByRole('menuitem', { name: 'Meeting details' }).click();
        } else await a.getByTestId(`toggle-${panel}`).click();
        await expect.poll(() => a.getByTestId('side-panel').getAttribute('data-panel')).toBe(panel);
      };
      await open('people');
      await expect.poll(async () => (await focused(a)).tag).toBe('h2');
      const box = (await sheetBox(a))!;
      if (phone) {
        // Full width, resting on the control bar, which stays usable.
        const bar = (await a.locator('nav[aria-label="Meeting controls"]').boundingBox())!;
        expect(Math.round(box.x)).toBe(0);
        expect(Math.round(box.width)).toBe(size.width);
        expect(Math.round(box.y + box.height)).toBe(Math.round(bar.y));
        expect(Math.round(bar.y + bar.height)).toBe(size.height);
      } else {
        expect(box.x).toBeGreaterThan(size.width / 2);
        expect(box.x + box.width).toBeGreaterThan(size.width - 40);
        expect(box.height).toBeGreaterThan(size.height / 2);
      }
      await expectAccessible(a, 'people panel');

      await open('chat');
      expect(await a.getByTestId('side-panel').count()).toBe(1);
      await expectAccessible(a, 'chat panel');

      await open('info');
      expect(await a.getByTestId('side-panel').count()).toBe(1);
      const info = a.getByTestId('meeting-info');
      expect(await info.getByTestId('meeting-code').textContent()).toBe(code);
      expect(await info.getByTestId('meeting-link').textContent()).toBe(`${suite.server.url}/${code}`);
      expect(await info.getByTestId('meeting-count').textContent()).toBe('1 person');
      // The host sees the meeting's settings.
      expect(await info.getByTestId('meeting-settings').textContent()).toContain('Waiting room');
      await expectAccessible(a, 'meeting info panel, host');

      // Escape closes; focus goes back to the opener (More options on a phone, where it lives).
      await a.keyboard.press('Escape');
      await a.getByTestId('side-panel').waitFor({ state: 'detached' });
      await expect.poll(async () => (await focused(a)).testId).toBe(phone ? 'more-options' : 'toggle-info');
      // Back to the system theme for the rest.
      await a.evaluate(() => localStorage.removeItem('convene:theme'));
    },
  );

  it(
    'while A presents, A sees a "You are presenting" card (not the screen), B sees the share and why Share screen is off; the tiles are reachable with Tab; after the share the grid is full size again',
    SLOW,
    async () => {
      b = await suite.page(`B-${size.name}`, viewport);
      bId = await join(b, code, 'Bob');
      await b.getByTestId(`tile-${aId}`).waitFor();
      await b.locator('[data-layout="grid"]').waitFor();
      // Let the grid settle, then remember its tile size.
      await expect.poll(() => tileWidth(b, aId), { timeout: 5_000 }).toBeGreaterThan(100);
      const before = await tileWidth(b, aId);
      await expectAccessible(b, 'grid with two people');

      await a.getByRole('button', { name: 'Share screen' }).click();
      const card = a.getByTestId('local-screen-stage');
      await card.waitFor({ timeout: 15_000 });
      expect(await card.textContent()).toContain('You are presenting');
      expect(await a.getByTestId('screen-video').count()).toBe(0);
      expect(await a.getByTestId('local-screen-video').count()).toBe(0);
      await b.getByTestId('screen-stage').waitFor({ timeout: 15_000 });
      await expectAccessible(a, 'presenting, presenter');

      // B's Share screen is off, focusable, and says who presents.
      const share = b.getByRole('button', { name: 'Share screen' });
      await expect.poll(() => share.getAttribute('aria-disabled')).toBe('true');
      const described = await share.evaluate(
        (el) => document.getElementById(el.getAttribute('aria-describedby') ?? '')?.textContent ?? null,
      );
      expect(described).toBe('Alice is presenting');
      await b.locator('[data-layout="filmstrip"]').waitFor();
      await expectAccessible(b, 'presenting, viewer');

      // The filmstrip's tiles are in the Tab order, with a visible focus ring.
      await b.locator('h1').focus();
      const reached = new Set<string>();
      for (let i = 0; i < 12 && reached.size < 2; i++) {
        await b.keyboard.press('Tab');
        const id = (await focused(b)).testId;
        if (id?.startsWith('tile-')) {
          reached.add(id);
          expect(await b.evaluate(() => getComputedStyle(document.activeElement!).outlineStyle)).not.toBe('none');
        }
      }
      expect([...reached].sort()).toEqual([`tile-${aId}`, `tile-${bId}`].sort());

      await card.getByRole('button', { name: 'Stop presenting' }).click();
      await b.getByTestId('screen-stage').waitFor({ state: 'detached', timeout: 10_000 });
      await b.locator('[data-layout="grid"]').waitFor();
      await expect.poll(() => tileWidth(b, aId), { timeout: 5_000 }).toBe(before);
      await expect.poll(() => tileWidth(a, bId), { timeout: 5_000 }).toBe(await tileWidth(a, aId));
      await expectAccessible(b, 'grid after the share');
    },
  );

  it('the grid re-lays out when someone leaves and when the window is resized', SLOW, async () => {
    const two = await tileWidth(a, aId);
    await b.getByRole('button', { name: 'Leave call' }).click();
    await b.getByTestId('status-page').waitFor();
    await expect.poll(() => a.locator('figure[data-testid^="tile-"]').count(), { timeout: 10_000 }).toBe(1);
    // On desktop one tile now fills the area two shared side by side (on a phone they were stacked, full width).
    if (!phone) await expect.poll(() => tileWidth(a, aId), { timeout: 10_000 }).toBeGreaterThan(two);
    const alone = await tileWidth(a, aId);
    await a.setViewportSize({ width: Math.round(size.width * 0.75), height: size.height });
    await expect.poll(() => tileWidth(a, aId), { timeout: 5_000 }).toBeLessThan(alone);
    await a.setViewportSize(viewport);
    await expect.poll(() => tileWidth(a, aId), { timeout: 5_000 }).toBe(alone);
    expect(suite.errors).toEqual([]);
  });
});
