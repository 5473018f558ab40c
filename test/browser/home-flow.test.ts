/**
 * The first-time flow in real Chromium against the real server: A starts a
 * meeting from the home page and lands on its pre-join page as host; B opens
 * the link in another browser context on a 360 px phone screen and joins as a
 * guest. Fake low-resolution media (see ../shared/E2E.md).
 */
import path from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { expectDecoding } from '../helpers/browser';
import { SHOTS, browserSuite } from '../helpers/browser-suite';

const PHONE = { width: 360, height: 740 };

const suite = browserSuite({ rtcPorts: [25000, 25999], strict: true });
const newPage = (name: string, viewport?: { width: number; height: number }) => suite.page(name, viewport);
const pageErrors = suite.errors;

function previewWidth(page: Page): Promise<number> {
  return page.evaluate(
    () => document.querySelector<HTMLVideoElement>('[data-testid="preview-video"]')?.videoWidth ?? 0,
  );
}

function tileVideoWidth(page: Page, participantId: string): Promise<number> {
  return page.evaluate(
    (pid) =>
      document.querySelector<HTMLVideoElement>(`[data-testid="tile-${pid}"] [data-testid="remote-video"]`)
        ?.videoWidth ?? 0,
    participantId,
  );
}

async function optionLabels(page: Page, testId: string): Promise<string[]> {
  return page.getByTestId(testId).locator('option').allTextContents();
}

/** Join from the pre-join page already open; returns our participant id (from the tile holding our own video). */
async function join(page: Page, name: string): Promise<string> {
  await page.getByLabel('Your name').fill(name);
  await page.getByRole('button', { name: 'Join now' }).click();
  const local = page.getByTestId('local-video');
  await local.waitFor({ timeout: 20_000 });
  const tile = page.locator('figure[data-testid^="tile-"]', { has: local });
  return (await tile.getAttribute('data-testid'))!.slice('tile-'.length);
}

describe('new meeting from the home page, then a guest joins by link', () => {
  it(
    'A starts a meeting and B joins by link as a guest: each sees the other by name with decoding camera video',
    { timeout: 120_000 },
    async () => {
      const a = await newPage('A');
      await a.goto('/');
      await a.getByRole('button', { name: 'New meeting' }).click();
      await a.waitForURL(/\/[a-z]{3}-[a-z]{4}-[a-z]{3}$/, { timeout: 15_000 });
      const url = a.url();

      // A's pre-join: the meeting's facts, a live preview, the fake devices in the pickers.
      await expect
        .poll(() => a.getByTestId('headcount').textContent(), { timeout: 10_000 })
        .toBe('No one else is here');
      await expect.poll(() => previewWidth(a), { timeout: 15_000 }).toBeGreaterThan(0);
      await expect.poll(() => optionLabels(a, 'pick-camera'), { timeout: 10_000 }).toContain('fake_device_0');
      expect((await optionLabels(a, 'pick-mic')).length).toBeGreaterThan(1);
      expect(await a.getByRole('meter', { name: 'Microphone level' }).count()).toBe(1);
      const aId = await join(a, 'Alice');
      // The creator's guest cookie makes A the host (the people panel starts closed).
      await a.getByTestId('toggle-people').click();
      await expect.poll(() => a.getByTestId('participant-list').textContent()).toContain('Host');

      // B: another context (another guest), on a phone-sized screen.
      const b = await newPage('B', PHONE);
      await b.goto(url);
      await expect
        .poll(() => b.getByTestId('headcount').textContent(), { timeout: 10_000 })
        .toBe('1 person is in this meeting');
      await expect.poll(() => previewWidth(b), { timeout: 15_000 }).toBeGreaterThan(0);
      await expect.poll(() => optionLabels(b, 'pick-camera'), { timeout: 10_000 }).toContain('fake_device_0');
      await b.getByLabel('Your name').fill('Bob');
      await b.screenshot({ path: path.join(SHOTS, 'home-prejoin-360.png'), fullPage: true });
      const bId = await join(b, 'Bob');
      expect(bId).not.toBe(aId);

      for (const [page, otherId, otherName] of [
        [a, bId, 'Bob'],
        [b, aId, 'Alice'],
      ] as const) {
        const tile = page.getByTestId(`tile-${otherId}`);
        // The name, and ", speaking" while they talk (the fake mic beeps).
        await expect
          .poll(() => tile.getAttribute('aria-label'), { timeout: 10_000 })
          .toMatch(new RegExp(`^${otherName}(, speaking)?$`));
        await expect.poll(() => tileVideoWidth(page, otherId), { timeout: 20_000 }).toBeGreaterThan(0);
        await expectDecoding(page, otherId, 'camera');
      }
      await b.screenshot({ path: path.join(SHOTS, 'home-meeting-360.png'), fullPage: true });
      await a.screenshot({ path: path.join(SHOTS, 'home-meeting-a.png') });
      expect(pageErrors).toEqual([]);
    },
  );
});
