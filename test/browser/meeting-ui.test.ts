/**
 * The meeting UI in real Chromium against the real server (Next build,
 * Socket.IO, mediasoup): chat, host mute, the waiting room, remove and ban.
 * Fake low-resolution media (see ../shared/E2E.md). The steps share one
 * meeting and run in order: A (Alice) is the host, B (Bob) a guest.
 */
import path from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { inbound } from '../helpers/browser';
import { sleep, until } from '../helpers/wait';
import { SHOTS, browserSuite } from '../helpers/browser-suite';

const suite = browserSuite({ rtcPorts: [24000, 24999], viewport: { width: 1000, height: 640 } });
const newPage = (name: string) => suite.page(name);
const pageErrors = suite.errors;

/** Opens the pre-join, types a name and clicks the join button, whose label says whether this person will wait. */
async function fillAndJoin(
  page: Page,
  code: string,
  name: string,
  label: 'Join now' | 'Ask to join' = 'Join now',
): Promise<void> {
  await page.goto(`/${code}`);
  await page.getByLabel('Your name').fill(name);
  await page.getByRole('button', { name: label }).click();
}

/** The participant id of the tile that holds this page's own video. */
async function selfId(page: Page): Promise<string> {
  const local = page.getByTestId('local-video');
  await local.waitFor({ timeout: 20_000 });
  const tile = page.locator('figure[data-testid^="tile-"]', { has: local });
  return (await tile.getAttribute('data-testid'))!.slice('tile-'.length);
}

async function joinAs(page: Page, code: string, name: string): Promise<string> {
  await fillAndJoin(page, code, name);
  return selfId(page);
}

/** Opens the per-person menu for `name` in the people panel and picks `item`. */
async function personMenu(page: Page, name: string, item: string): Promise<void> {
  // Side panels start closed.
  if (!(await page.getByTestId('participant-list').isVisible())) await page.getByTestId('toggle-people').click();
  await page.getByRole('button', { name: `Actions for ${name}` }).click();
  await page.getByRole('menuitem', { name: item, exact: true }).click();
}

describe('the meeting UI, with a host and guests', () => {
  let a: Page;
  let b: Page;
  let aId: string;
  let bId: string;
  let code: string;

  it(
    "a chat message from A appears on B with A's name, and a late joiner C sees the history",
    { timeout: 60_000 },
    async () => {
      a = await newPage('A');
      b = await newPage('B');
      await a.goto('/');
      // From A's page, so A holds the creator's guest cookie and joins as host.
      const created = await a.evaluate(() =>
        fetch('/api/rooms', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' }).then(
          (r) => r.json() as Promise<{ code: string }>,
        ),
      );
      code = created.code;
      aId = await joinAs(a, code, 'Alice');
      bId = await joinAs(b, code, 'Bob');

      await a.getByTestId('toggle-chat').click();
      await a.getByLabel('Message').fill('Hello from Alice');
      await a.getByRole('button', { name: 'Send', exact: true }).click();
      await expect.poll(() => a.getByTestId('chat-text').allTextContents()).toEqual(['Hello from Alice']);

      // B has the people panel open: the chat button counts the unread message.
      await expect.poll(() => b.getByTestId('toggle-chat').textContent(), { timeout: 10_000 }).toBe('1');
      await b.getByTestId('toggle-chat').click();
      const atB = b.getByTestId('chat-message');
      await expect.poll(() => atB.allTextContents()).toHaveLength(1);
      expect(await atB.getByTestId('chat-sender').textContent()).toBe('Alice');
      expect(await atB.getByTestId('chat-text').textContent()).toBe('Hello from Alice');
      await b.screenshot({ path: path.join(SHOTS, 'ui-chat-b.png') });

      const c = await newPage('C');
      await joinAs(c, code, 'Carol');
      await c.getByTestId('toggle-chat').click();
      await expect.poll(() => c.getByTestId('chat-sender').allTextContents()).toEqual(['Alice']);
      expect(await c.getByTestId('chat-text').allTextContents()).toEqual(['Hello from Alice']);
      await c.getByRole('button', { name: 'Leave call' }).click();
      await c.getByTestId('status-page').waitFor();
      // Over to the people panel.
      await a.getByTestId('toggle-people').click();
      await b.getByTestId('toggle-people').click();
    },
  );

  it(
    "the host mutes B from the menu: B shows muted on both pages and B's audio stops reaching A",
    { timeout: 60_000 },
    async () => {
      const rowAtA = a.getByTestId(`participant-${bId}`);
      await until(
        "B's mic at A",
        () => inbound(a, bId, 'mic'),
        (s) => (s?.packetsReceived ?? 0) > 0,
        20_000,
      );
      await expect.poll(() => rowAtA.getByTestId('muted-icon').count(), { timeout: 10_000 }).toBe(0);

      await personMenu(a, 'Bob', 'Mute');

      for (const page of [a, b]) {
        await expect
          .poll(() => page.getByTestId(`participant-${bId}`).getByTestId('muted-icon').count(), { timeout: 10_000 })
          .toBe(1);
        await expect
          .poll(() => page.getByTestId(`tile-${bId}`).getByTestId('muted-icon').count(), { timeout: 10_000 })
          .toBe(1);
      }
      await expect
        .poll(() => b.getByTestId('toasts').textContent(), { timeout: 5_000 })
        .toContain('You were muted by the host');
      expect(await b.getByTestId('toggle-mic').getAttribute('aria-label')).toBe('Turn on microphone');
      await b.screenshot({ path: path.join(SHOTS, 'ui-muted-b.png') });

      // Let packets already in flight land, then the count must stand still.
      await sleep(1_000);
      const before = (await inbound(a, bId, 'mic'))!.packetsReceived;
      await sleep(2_000);
      expect((await inbound(a, bId, 'mic'))!.packetsReceived).toBe(before);
    },
  );

  it(
    'the host turns the waiting room on, a guest knocks, the host admits, and the guest is in with media',
    { timeout: 60_000 },
    async () => {
      await a.getByTestId('toggle-host').click();
      await a.getByLabel('Waiting room').selectOption('guests');
      // The select is controlled by the room's state: it shows 'guests' once room-updated came back.
      await expect.poll(() => a.getByLabel('Waiting room').inputValue(), { timeout: 5_000 }).toBe('guests');

      const d = await newPage('D');
      // The pre-join already knows D will wait: its button asks rather than joins.
      await fillAndJoin(d, code, 'Dave', 'Ask to join');
      await expect
        .poll(() => d.getByTestId('status-page').textContent(), { timeout: 10_000 })
        .toContain('Asking to join…');
      expect(await d.getByTestId('status-page').textContent()).toContain('number 1 in line');
      await d.screenshot({ path: path.join(SHOTS, 'ui-waiting-d.png') });

      await a.getByTestId('toggle-people').click();
      const lobby = a.getByTestId('lobby');
      await expect.poll(() => lobby.textContent(), { timeout: 10_000 }).toContain('Dave');
      expect(await a.getByTestId('toggle-people').textContent()).toBe('1');
      await a.screenshot({ path: path.join(SHOTS, 'ui-knock-a.png') });
      await a.getByRole('button', { name: 'Admit Dave' }).click();

      await selfId(d);
      await until(
        "A's camera at D",
        () => inbound(d, aId, 'camera'),
        (s) => (s?.framesDecoded ?? 0) > 0,
        20_000,
      );
      await lobby.waitFor({ state: 'detached' });
      await expect.poll(() => a.getByTestId('participant-list').textContent()).toContain('Dave');
      await d.getByRole('button', { name: 'Leave call' }).click();
    },
  );

  it(
    'the host removes and bans B from the menu: B sees "You were removed", and B\'s reload ends on the banned page',
    { timeout: 60_000 },
    async () => {
      await personMenu(a, 'Bob', 'Remove and ban');
      // Confirmed in a dialog now, no longer window.confirm; it says what a guest ban can and cannot stop.
      const dialog = a.getByTestId('confirm-dialog');
      expect(await dialog.textContent()).toContain('A guest ban stops this browser only');
      expect(await dialog.textContent()).toContain('new guests must ask to join');
      await dialog.getByRole('button', { name: 'Remove and ban' }).click();
      await expect
        .poll(() => b.getByTestId('status-page').textContent(), { timeout: 10_000 })
        .toContain('You were removed');
      await b.screenshot({ path: path.join(SHOTS, 'ui-removed-b.png') });
      await expect.poll(() => a.getByTestId('participant-list').textContent()).not.toContain('Bob');

      // Same context, same guest cookie: the ban holds, and the pre-join says so before any click.
      await b.reload();
      await expect
        .poll(() => b.getByTestId('status-page').textContent(), { timeout: 10_000 })
        .toContain("You can't join this meeting");
      await b.screenshot({ path: path.join(SHOTS, 'ui-banned-b.png') });
      // The host can switch the ban shield; it is on after a ban.
      await a.getByTestId('toggle-host').click();
      expect(await a.getByLabel(/Ban shield/).isChecked()).toBe(true);
      expect(pageErrors).toEqual([]);
    },
  );
});
