/**
 * A signed-in host in real Chromium (dev login, real server with media): the
 * pre-join's name comes from the session, and after a reload the same person
 * is host again, because host-ness follows the account, not the tab.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConveneServer } from '../../server/app';
import { loadSfuConfig } from '../../server/sfu';
import { launchBrowser, newPage } from '../helpers/browser';
import { ensureNextBuild } from '../helpers/next-build';
import { startServer } from '../helpers/server';

let server: ConveneServer;
let browser: Browser;
let context: BrowserContext | undefined;
const errors: string[] = [];
const saved = process.env.AUTH_DEV_LOGIN;

beforeAll(async () => {
  ensureNextBuild();
  process.env.AUTH_DEV_LOGIN = '1';
  const media = loadSfuConfig({
    MEDIASOUP_NUM_WORKERS: '1',
    MEDIASOUP_RTC_MIN_PORT: '26000',
    MEDIASOUP_RTC_MAX_PORT: '26999',
  });
  server = await startServer({}, { next: { dev: false }, media });
  browser = await launchBrowser();
}, 300_000);

afterAll(async () => {
  await context?.close().catch(() => undefined);
  await browser.close();
  await server.close();
  if (saved === undefined) delete process.env.AUTH_DEV_LOGIN;
  else process.env.AUTH_DEV_LOGIN = saved;
});

/** From the pre-join page: join, and return my row in the participants panel. */
async function joinAndFindMe(page: Page) {
  await page.getByRole('button', { name: 'Join now' }).click();
  await page.getByTestId('local-video').waitFor({ timeout: 20_000 });
  const people = page.getByTestId('participant-list');
  if (!(await people.isVisible())) await page.getByRole('button', { name: /^People/ }).click();
  return people.locator('li', { hasText: '(you)' });
}

describe('signed in with the dev login', () => {
  it('the pre-join name comes from the session, and the host is host again after a reload', async () => {
    const opened = await newPage(browser, 'grace', { baseURL: server.url, errors });
    context = opened.context;
    const page = opened.page;
    await page.goto('/signin');
    await page.getByLabel('Email').fill('grace@example.org');
    await page.getByLabel('Display name').fill('Grace Hopper');
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.getByText('Grace Hopper').first().waitFor();

    await page.getByRole('button', { name: 'New meeting' }).click();
    await page.waitForURL(/\/[a-z]{3}-[a-z]{4}-[a-z]{3}$/);
    const code = new URL(page.url()).pathname.slice(1);
    await expect.poll(() => page.getByLabel('Your name').inputValue()).toBe('Grace Hopper');
    const me = await joinAndFindMe(page);
    await expect.poll(() => me.innerText()).toMatch(/Grace Hopper \(you\)[\s\S]*Host/);

    await page.reload();
    await expect.poll(() => page.getByLabel('Your name').inputValue()).toBe('Grace Hopper');
    const again = await joinAndFindMe(page);
    await expect.poll(() => again.innerText()).toMatch(/Grace Hopper \(you\)[\s\S]*Host/);

    const hosts = (await server.store.listParticipants(code)).filter((p) => p.role === 'host');
    expect(hosts.map((p) => [p.identity, p.isGuest])).toEqual([['user:dev-login:grace@example.org', false]]);
    expect(errors).toEqual([]);
  }, 90_000);
});
