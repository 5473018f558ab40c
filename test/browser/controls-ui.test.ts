/**
 * The meeting's own controls in real Chromium: keyboard shortcuts drive the
 * real producers, the settings dialog keeps focus and closes on Escape, the
 * layout switch changes the view, and Copy link puts the meeting's URL on the
 * clipboard.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { browserSuite } from '../helpers/browser-suite';
import { createMeeting } from '../helpers/server';

const suite = browserSuite({ rtcPorts: [27000, 27999] });

async function joinedPage(code: string, name: string): Promise<Page> {
  const { page, context } = await suite.pageWithContext(name);
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: suite.server.url });
  await page.goto(`/${code}`);
  await page.getByLabel('Your name').fill(name);
  await page.getByRole('button', { name: 'Join now' }).click();
  await page.getByTestId('local-video').waitFor({ timeout: 20_000 });
  return page;
}

/** Whether this page's own producer for `source` is paused at the moment (from the media session). */
const localPaused = (page: Page, source: 'mic' | 'camera') =>
  page.evaluate((s) => window.__convene!.media.snapshot.local[s]?.paused ?? null, source);

describe('meeting controls in the browser', () => {
  it('Ctrl+D and Ctrl+E pause and resume the real mic and camera producers', async () => {
    const code = await createMeeting(suite.server);
    const page = await joinedPage(code, 'Keys');
    await expect.poll(() => localPaused(page, 'mic')).toBe(false);
    await page.keyboard.press('Control+d');
    await expect.poll(() => localPaused(page, 'mic')).toBe(true);
    await expect
      .poll(async () => (await suite.server.sfu!.room(code)).producers().find((p) => p.source === 'mic')?.paused)
      .toBe(true);
    await page.keyboard.press('Control+d');
    await expect.poll(() => localPaused(page, 'mic')).toBe(false);
    await page.keyboard.press('Control+e');
    await expect
      .poll(async () => (await suite.server.sfu!.room(code)).producers().find((p) => p.source === 'camera')?.paused)
      .toBe(true);
  });

  it('the settings dialog keeps focus inside and closes on Escape; the layout switch and Copy link work', async () => {
    const code = await createMeeting(suite.server);
    const page = await joinedPage(code, 'Clicks');
    await page.getByRole('button', { name: 'More options' }).click();
    await page.getByRole('menuitem', { name: 'Settings' }).click();
    const dialog = page.getByRole('dialog', { name: 'Settings' });
    await dialog.waitFor();
    for (let i = 0; i < 6; i++) await page.keyboard.press('Tab');
    expect(await dialog.evaluate((d) => d.contains(document.activeElement))).toBe(true);
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });

    await page.getByTestId('layout-speaker').click();
    await page.locator('[data-layout="speaker"]').waitFor();
    expect(await page.getByTestId('layout-speaker').getAttribute('aria-pressed')).toBe('true');

    await page.getByTestId('toggle-info').click();
    await page.getByRole('button', { name: 'Copy link' }).click();
    await page.getByRole('button', { name: 'Link copied' }).waitFor();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(`${suite.server.url}/${code}`);
    expect(suite.errors).toEqual([]);
  });
});
