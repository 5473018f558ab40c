/**
 * Pages and moments that must explain themselves, in real Chromium against
 * the real server: every status page (unknown or malformed code, removed,
 * banned, declined, locked, full, left, ended, knocking with nobody to let you
 * in) has a title, a sentence and a next step; confirmations guard the
 * irreversible host actions; pop-ups and the screen-reader log tell a host
 * about hands, messages and knocks, and both can be muted.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it, vi } from 'vitest';
import { expectAccessible } from '../helpers/axe';
import { expectAccessibleButPending } from '../helpers/axe-pending';
import { browserSuite } from '../helpers/browser-suite';
import { sleep } from '../helpers/wait';

const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };

const suite = browserSuite({ rtcPorts: [35000, 35999] });
vi.setConfig({ testTimeout: 120_000 });

/** Polls wait this long: the shared machine is often loaded. */
const SLOW = { timeout: 20_000 };

/** A new person's page; generous timeouts, since the machine running these is shared and often loaded. */
async function person(name: string, viewport: { width: number; height: number }): Promise<Page> {
  const page = await suite.page(name, viewport);
  page.setDefaultTimeout(60_000);
  return page;
}

/** Each status page is a landmark with one heading, and offers its next steps. */
async function expectStatus(page: Page, title: string | RegExp, steps: string[]): Promise<void> {
  const status = page.getByTestId('status-page');
  await expect.poll(() => status.locator('h1').textContent(), { timeout: 30_000 }).toMatch(title);
  expect(await page.locator('main').count()).toBe(1);
  expect(await page.locator('h1').count()).toBe(1);
  expect((await status.locator('p').first().textContent())?.length).toBeGreaterThan(10);
  for (const step of steps)
    expect(await status.getByRole(step === 'Return to home' ? 'link' : 'button', { name: step }).count()).toBe(1);
}

async function createMeeting(page: Page, body: object = {}): Promise<string> {
  await page.goto('/');
  const { code } = await page.evaluate(
    (b) =>
      fetch('/api/rooms', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(b),
      }).then((r) => r.json() as Promise<{ code: string }>),
    body,
  );
  return code;
}

async function joinAs(page: Page, code: string, name: string, button: 'Join now' | 'Ask to join' = 'Join now') {
  if (!page.url().endsWith(`/${code}`)) await page.goto(`/${code}`);
  await page.getByLabel('Your name').fill(name);
  await page.getByRole('button', { name: button }).click();
}

const inMeeting = (page: Page) => page.getByTestId('local-video').waitFor({ timeout: 20_000 });

/** A protocol request from this page's own connection (for controls this suite does not test). */
const request = (page: Page, event: string, payload: object) =>
  page.evaluate(
    ([e, p]) => (window.__convene!.connection.request as (e: string, p: object) => Promise<{ ok: boolean }>)(e, p),
    [event, payload] as const,
  );

async function personMenu(page: Page, name: string, item: string): Promise<void> {
  // Side panels start closed: a person's menu is in the people panel.
  if ((await page.getByTestId('participant-list').count()) === 0) await page.getByTestId('toggle-people').click();
  await page.getByRole('button', { name: `Actions for ${name}` }).click();
  await page.getByRole('menuitem', { name: item, exact: true }).click();
}

/** Closes the side panel if it is open (what shows there needs no pop-up). */
async function closePanel(page: Page, which: 'people' | 'chat'): Promise<void> {
  const toggle = page.getByTestId(`toggle-${which}`);
  if ((await toggle.getAttribute('aria-pressed')) === 'true') await toggle.click();
}

/** Settings lives in the control bar's More menu. */
async function openSettings(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'More options' }).click();
  await page.getByRole('menuitem', { name: 'Settings' }).click();
  await page.getByRole('dialog', { name: 'Settings' }).waitFor();
}

/** Radix moves focus back in a timeout after the dialog has gone (FocusScope's unmount), so poll this. */
const focusedLabel = (page: Page) =>
  page.evaluate(
    () => document.activeElement?.getAttribute('aria-label') ?? document.activeElement?.textContent ?? null,
  );

describe.each([
  ['desktop', DESKTOP],
  ['phone', PHONE],
] as const)('addresses with no meeting (%s)', (size, viewport) => {
  const PAGES = [
    ['/qqq-qqqq-qqq', 'an unknown code', 'Check your meeting code'],
    ['/not-a-code', 'a malformed code', 'Check your meeting code'],
    ['/%25', 'a code holding a lone "%"', 'Check your meeting code'],
    ['/abc-%E0%A4%A', 'a link whose escapes do not decode', 'Check your meeting code'],
    ['/some/deeper/path', 'an unknown path', 'Page not found'],
  ] as const;
  for (const [path, what, title] of PAGES) {
    it(`${what} (${path}) says "${title}" and offers home and a new meeting, not Next's plain 404`, async () => {
      const page = await person(`nf-${size}`, viewport);
      const res = await page.goto(path);
      expect(res?.status()).toBe(404);
      await expectStatus(page, title, ['Start a new meeting', 'Return to home']);
      await expectAccessible(page, `${what} ${size}`);
    });
  }

  it('"Start a new meeting" from there creates one and opens its pre-join', async () => {
    const page = await person(`nf-new-${size}`, viewport);
    await page.goto('/not-a-code');
    await page.getByRole('button', { name: 'Start a new meeting' }).click();
    await page.waitForURL(/\/[a-z]{3}-[a-z]{4}-[a-z]{3}$/, { timeout: 15_000 });
    await page.getByTestId('prejoin').waitFor();
  });
});

describe('one meeting, from the host and from those it turns away', () => {
  let host: Page;
  let dana: Page;
  let code: string;

  it('Remove asks first: Cancel changes nothing and gives focus back to the menu button; confirmed, Carol sees a page that says so', async () => {
    host = await person('Host', DESKTOP);
    code = await createMeeting(host);
    await joinAs(host, code, 'Host');
    await inMeeting(host);
    const carol = await person('Carol', PHONE);
    await joinAs(carol, code, 'Carol');
    await inMeeting(carol);

    await personMenu(host, 'Carol', 'Remove from meeting');
    const dialog = host.getByTestId('confirm-dialog');
    expect(await dialog.getByRole('heading').textContent()).toBe('Remove Carol?');
    await expectAccessibleButPending(host, 'confirm remove');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'detached' });
    await expect.poll(() => focusedLabel(host)).toBe('Actions for Carol');
    await sleep(300);
    expect(await carol.getByTestId('status-page').count()).toBe(0);

    await personMenu(host, 'Carol', 'Remove from meeting');
    await dialog.getByRole('button', { name: 'Remove', exact: true }).click();
    await expectStatus(carol, 'You were removed from the meeting', ['Start a new meeting', 'Return to home']);
    await expectAccessible(carol, 'removed 390');
    await carol.close();
  });

  it('Transfer host asks first, and Cancel leaves the roles as they were', async () => {
    const bob = await person('Bob', PHONE);
    await joinAs(bob, code, 'Bob');
    await inMeeting(bob);
    await personMenu(host, 'Bob', 'Transfer host');
    const dialog = host.getByTestId('confirm-dialog');
    expect(await dialog.getByRole('heading').textContent()).toBe('Make Bob the host?');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await sleep(300);
    const roles = (await suite.server.store.listParticipants(code)).map((p) => [p.displayName, p.role]);
    expect(Object.fromEntries(roles)).toEqual({ Host: 'host', Bob: 'participant' });

    // Remove and ban: Bob is told, and his reload says so on the pre-join, before any click.
    await personMenu(host, 'Bob', 'Remove and ban');
    await dialog.getByRole('button', { name: 'Remove and ban' }).click();
    await expectStatus(bob, 'You were removed from the meeting', ['Return to home']);
    await bob.reload();
    await expectStatus(bob, "You can't join this meeting", ['Start a new meeting', 'Return to home']);
    expect(await bob.getByLabel('Your name').count()).toBe(0);
    await expectAccessible(bob, 'banned on the pre-join 390');
    await bob.close();
  });

  it("a stranger is not told about anyone's ban: Dana gets the normal pre-join", async () => {
    dana = await person('Dana', DESKTOP);
    await dana.goto(`/${code}`);
    await dana.getByTestId('prejoin').waitFor();
    await expect.poll(() => dana.getByTestId('headcount').textContent(), SLOW).toMatch(/in this meeting/);
    expect(await dana.getByTestId('status-page').count()).toBe(0);
    await expectAccessible(dana, 'prejoin 1280');
    // After a ban the ban shield makes new guests ask to join: the host lets Dana in.
    await joinAs(dana, code, 'Dana', 'Ask to join');
    await host.getByRole('button', { name: 'Admit Dana' }).click();
    await inMeeting(dana);
  });

  it('with the panels closed, the host gets pop-ups for a hand and a message, the log reads them out, and settings mute each', async () => {
    await closePanel(host, 'people');
    await closePanel(host, 'chat');
    const notices = host.getByTestId('notice');
    const log = host.getByTestId('announcer');

    expect((await request(dana, 'raise-hand', { raised: true })).ok).toBe(true);
    await expect
      .poll(() => notices.allTextContents(), SLOW)
      .toContainEqual(expect.stringContaining('Dana raised their hand'));
    expect((await request(dana, 'send-message', { text: 'Can everyone hear me?' })).ok).toBe(true);
    await expect
      .poll(() => notices.allTextContents(), SLOW)
      .toContainEqual(expect.stringContaining('Dana: Can everyone hear me?'));
    await expectAccessibleButPending(host, 'notices for a hand and a message');
    expect(await log.textContent()).toContain('Dana raised their hand');
    expect(await log.textContent()).toContain('New message from Dana: Can everyone hear me?');
    // Dana's own page pops nothing up for her own hand or message.
    expect(await dana.getByTestId('notice').count()).toBe(0);

    // Pop-ups off: the next message makes none, the log still reads it.
    await openSettings(host);
    await host.getByTestId('setting-popups').uncheck();
    await host.keyboard.press('Escape');
    expect((await request(dana, 'send-message', { text: 'second' })).ok).toBe(true);
    await expect.poll(() => log.textContent(), SLOW).toContain('New message from Dana: second');
    expect(await notices.count()).toBe(0);

    // Announcements off too: the next message is not read out.
    await openSettings(host);
    await host.getByTestId('setting-announce').uncheck();
    await host.keyboard.press('Escape');
    expect((await request(dana, 'send-message', { text: 'third' })).ok).toBe(true);
    await expect.poll(() => host.getByTestId('toggle-chat').textContent(), SLOW).toContain('3');
    await sleep(300);
    expect(await log.textContent()).not.toContain('third');
    expect(await notices.count()).toBe(0);

    // Both back on for what follows (they are remembered in this browser).
    await openSettings(host);
    await host.getByTestId('setting-popups').check();
    await host.getByTestId('setting-announce').check();
    await host.keyboard.press('Escape');
  });

  it('a knock pops up while the people panel is closed; denied, Erin can ask again', async () => {
    await closePanel(host, 'people');
    expect((await request(host, 'set-waiting-room', { mode: 'guests' })).ok).toBe(true);
    const erin = await person('Erin', PHONE);
    await joinAs(erin, code, 'Erin', 'Ask to join');
    await expectStatus(erin, 'Asking to join…', ['Cancel']);
    const notice = host.getByTestId('notice').filter({ hasText: 'Erin asks to join' });
    await notice.waitFor({ timeout: 10_000 });
    await notice.getByRole('button', { name: 'Show people' }).click();
    await host.getByRole('button', { name: 'Deny Erin' }).click();
    await expectStatus(erin, 'Your request to join was declined', ['Ask to join again', 'Return to home']);
    await expectAccessible(erin, 'declined 390');

    // Locked: the next knock is turned away with a page that says so.
    expect((await request(host, 'lock-room', { locked: true })).ok).toBe(true);
    await erin.getByRole('button', { name: 'Ask to join again' }).click();
    await expectStatus(erin, 'This meeting is locked', ['Ask to join again', 'Return to home']);
    await expectAccessible(erin, 'locked 390');
    expect((await request(host, 'lock-room', { locked: false })).ok).toBe(true);
    await erin.close();
  });

  it("the host's Leave asks Leave or End for everyone and names who becomes host: nobody, then Dana once she is co-host", async () => {
    const leave = host.getByRole('button', { name: /^Leave/ }).last();
    await leave.click();
    const dialog = host.getByTestId('leave-dialog');
    await expect.poll(() => dialog.textContent(), SLOW).toContain('nobody will be host');
    await expectAccessibleButPending(host, 'host leave, nobody takes over');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'detached' });
    await expect.poll(() => focusedLabel(host)).toMatch(/^Leave/);

    // The people panel (opened from the knock's pop-up before) holds Dana's menu.
    if ((await host.getByTestId('toggle-people').getAttribute('aria-pressed')) !== 'true')
      await host.getByTestId('toggle-people').click();
    await personMenu(host, 'Dana', 'Make co-host');
    await expect.poll(() => host.getByTestId('participant-list').textContent(), SLOW).toContain('Co-host');
    await leave.click();
    await expect.poll(() => dialog.textContent(), SLOW).toContain('Dana will become the host.');
    await dialog.getByRole('button', { name: 'Leave', exact: true }).click();
    await expectStatus(host, 'You left the meeting', ['Rejoin', 'Return to home']);
    await expectAccessible(host, 'left');
    await expect
      .poll(async () => (await suite.server.store.listParticipants(code)).map((p) => [p.displayName, p.role]), SLOW)
      .toEqual([['Dana', 'host']]);
  });

  it('a knocker into a meeting with no host or co-host is told so; the host ending the meeting ends it for them too', async () => {
    // Dana, now host, leaves with nobody to take over.
    await dana
      .getByRole('button', { name: /^Leave/ })
      .last()
      .click();
    await expect.poll(() => dana.getByTestId('leave-dialog').textContent(), SLOW).toContain('nobody will be host');
    await dana.getByTestId('leave-dialog').getByRole('button', { name: 'Leave', exact: true }).click();
    await expectStatus(dana, 'You left the meeting', ['Rejoin']);

    const frank = await person('Frank', DESKTOP);
    await joinAs(frank, code, 'Frank', 'Ask to join');
    await expect
      .poll(() => frank.getByTestId('status-page').textContent(), { timeout: 10_000 })
      .toContain('No host or co-host is here yet');
    await expectAccessible(frank, 'waiting with no host');

    // The creator rejoins as host and ends the meeting for everyone, the knocker included.
    await host.getByRole('button', { name: 'Rejoin' }).click();
    await inMeeting(host);
    await host
      .getByRole('button', { name: /^Leave/ })
      .last()
      .click();
    await host.getByTestId('leave-dialog').getByRole('button', { name: 'End for everyone' }).click();
    await expectStatus(host, 'The meeting has ended', ['Start a new meeting', 'Return to home']);
    await expectStatus(frank, 'The meeting has ended', ['Start a new meeting', 'Return to home']);
    await expectAccessible(frank, 'ended 1280');
    for (const p of [host, dana, frank]) await p.close();
  });

  it('a full meeting says so and offers to try again', async () => {
    const first = await person('Full-1', DESKTOP);
    const small = await createMeeting(first, { settings: { capacity: 2 } });
    await joinAs(first, small, 'One');
    await inMeeting(first);
    const second = await person('Full-2', DESKTOP);
    await joinAs(second, small, 'Two');
    await inMeeting(second);
    const third = await person('Full-3', PHONE);
    await joinAs(third, small, 'Three');
    await expectStatus(third, 'This meeting is full', ['Try again', 'Return to home']);
    await expectAccessible(third, 'full 390');
  });

  it('no page error anywhere', () => {
    expect(suite.errors).toEqual([]);
  });
});
