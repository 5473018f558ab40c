/**
 * axe-core on the meeting screen while its control bar, tiles and badges are
 * being reworked in another branch (issue 15, part A: contrast of the accent
 * and red badges). States owned by this branch (pre-join, status pages,
 * dialogs, notices) must be clean; serious findings on the listed elements of
 * the meeting screen are reported, not fatal, until that work lands. Once it
 * has, PENDING empties and this is expectAccessible again.
 */
import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import { axeFindings, expectAccessible } from './axe';

/** Elements of the meeting screen whose contrast part A is fixing. */
export const PENDING = [/data-testid="layout-/, /meeting_off_/, /meeting_badge_/, /meeting_leave_/];

export async function expectAccessibleButPending(page: Page, state: string): Promise<void> {
  let fatal: Awaited<ReturnType<typeof axeFindings>> = [];
  try {
    await expectAccessible(page, state);
    return;
  } catch {
    fatal = (await axeFindings(page)).filter((f) => f.impact === 'serious' || f.impact === 'critical');
  }
  const own = fatal.filter((f) => !f.targets.every((t) => PENDING.some((re) => re.test(t))));
  if (fatal.length > own.length)
    console.log(`[axe] "${state}": left to part A: ${JSON.stringify(fatal.filter((f) => !own.includes(f)))}`);
  expect(own, `axe-core: serious or critical violations in "${state}"`).toEqual([]);
}
