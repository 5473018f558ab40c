/**
 * Accessibility checks inside the browser tests: axe-core runs in the page
 * itself (injected through the DevTools protocol, so the app's strict CSP does
 * not block it), and a screenshot of the state is saved next to the verdict
 * so that a person can look at what was checked.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import { SHOTS } from './browser-suite';

const require = createRequire(import.meta.url);
const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

/** Impacts that fail a test; minor and moderate ones are reported, not fatal. */
const FATAL = new Set(['serious', 'critical']);

export interface AxeFinding {
  id: string;
  impact: string | null;
  help: string;
  targets: string[];
}

/** Runs axe-core on the page as it is now; every violation, fatal or not. */
export async function axeFindings(page: Page): Promise<AxeFinding[]> {
  const hasAxe = await page.evaluate(() => 'axe' in window);
  if (!hasAxe) await page.evaluate(AXE_SOURCE);
  return page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (ctx: Document, opts: object) => Promise<AxeResults> } }).axe;
    type AxeResults = {
      violations: { id: string; impact: string | null; help: string; nodes: { target: string[] }[] }[];
    };
    const result = await axe.run(document, { resultTypes: ['violations'] });
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      targets: v.nodes.slice(0, 5).map((n) => n.target.join(' ')),
    }));
  });
}

/** A file-name-safe form of a state's name. */
const slug = (s: string) =>
  s
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');

/**
 * Saves a screenshot of `state` (test-results/screenshots/<state>-<width>.png)
 * and fails on any serious or critical axe-core violation, listing them.
 */
export async function expectAccessible(page: Page, state: string): Promise<AxeFinding[]> {
  const width = page.viewportSize()?.width ?? 0;
  const dir = path.join(SHOTS, 'screenshots');
  await page.screenshot({ path: path.join(dir, `${slug(state)}-${width}.png`) });
  const findings = await axeFindings(page);
  const fatal = findings.filter((f) => FATAL.has(f.impact ?? ''));
  expect(fatal, `axe-core: serious or critical violations in "${state}" at ${width}px`).toEqual([]);
  return findings;
}
