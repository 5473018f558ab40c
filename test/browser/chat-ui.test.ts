/**
 * The chat panel in real Chromium: a long history arrives capped and is paged
 * in with "Load earlier messages"; a host deletes and pins, a guest deletes
 * their own, and the other page follows. A (Alice) is the host, B (Bob) a guest.
 */
import path from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { expectJoined, expectOk } from '../helpers/ack';
import { client, connected, emit } from '../helpers/server';
import { SHOTS, browserSuite } from '../helpers/browser-suite';

const suite = browserSuite({ rtcPorts: [28000, 28999], viewport: { width: 1000, height: 640 } });

async function join(page: Page, code: string, name: string): Promise<void> {
  await page.goto(`/${code}`);
  await page.getByLabel('Your name').fill(name);
  await page.getByRole('button', { name: 'Join now' }).click();
  await page.getByTestId('toggle-chat').waitFor({ timeout: 20_000 });
  await page.getByTestId('toggle-chat').click();
}

const texts = (page: Page) => page.getByTestId('chat-text').allTextContents();
const message = (page: Page, text: string) => page.getByTestId('chat-message').filter({ hasText: text });

async function send(page: Page, text: string): Promise<void> {
  await page.getByLabel('Message').fill(text);
  await page.getByRole('button', { name: 'Send', exact: true }).click();
  await expect.poll(() => texts(page)).toContain(text);
}

describe('the chat panel', () => {
  let a: Page;
  let b: Page;
  let code: string;
  const SEEDED = 60;

  it(
    'a long history arrives capped, and "Load earlier messages" pages in the rest, in order',
    { timeout: 90_000 },
    async () => {
      a = await suite.page('A');
      await a.goto('/');
      // From A's page, so A holds the creator's guest cookie and joins as host.
      code = (
        await a.evaluate(() =>
          fetch('/api/rooms', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' }).then(
            (r) => r.json() as Promise<{ code: string }>,
          ),
        )
      ).code;
      // ~125 KB of history from four people (each within its own chat rate limit).
      for (let s = 0; s < 4; s++) {
        const seeder = await connected(client(suite.server));
        expectJoined(await emit(seeder, 'join-room', { roomCode: code, displayName: `Seeder ${s}` }));
        for (let i = s * 15; i < (s + 1) * 15; i++)
          expectOk(await emit(seeder, 'send-message', { text: `seed ${i} ${'x'.repeat(1_990)}` }));
        seeder.disconnect();
      }

      await join(a, code, 'Alice');
      await expect.poll(async () => (await texts(a)).length, { timeout: 10_000 }).toBeGreaterThan(0);
      const first = (await texts(a)).length;
      expect(first).toBeLessThan(SEEDED);
      const more = a.getByRole('button', { name: 'Load earlier messages' });
      for (let clicks = 0; clicks < 10 && (await more.isVisible()); clicks++) {
        await more.click();
        await expect.poll(() => a.getByRole('button', { name: 'Loading…' }).count()).toBe(0);
      }
      const all = await texts(a);
      expect(all).toHaveLength(SEEDED);
      expect(all.map((t) => t.split(' ').slice(0, 2).join(' '))).toEqual(
        Array.from({ length: SEEDED }, (_, i) => `seed ${i}`),
      );
      await a.screenshot({ path: path.join(SHOTS, 'ui-chat-history-a.png') });
    },
  );

  it(
    "the host deletes B's message and pins one: B's page follows, and unpinning clears it",
    { timeout: 60_000 },
    async () => {
      b = await suite.page('B');
      await join(b, code, 'Bob');
      await send(b, 'something regrettable');
      await expect.poll(() => texts(a), { timeout: 10_000 }).toContain('something regrettable');

      await a.getByRole('button', { name: 'Delete, sent by Bob' }).click();
      for (const page of [a, b])
        await expect.poll(() => texts(page), { timeout: 10_000 }).not.toContain('something regrettable');

      await send(a, 'Agenda: budget, then hiring');
      await expect.poll(() => texts(b), { timeout: 10_000 }).toContain('Agenda: budget, then hiring');
      // A guest gets no Pin button, and no Delete on others' messages.
      expect(await message(b, 'Agenda: budget').getByRole('button').count()).toBe(0);
      await message(a, 'Agenda: budget').getByRole('button', { name: 'Pin' }).click();
      for (const page of [a, b])
        await expect
          .poll(() => page.getByTestId('chat-pinned').textContent(), { timeout: 10_000 })
          .toContain('Agenda: budget, then hiring');
      await b.screenshot({ path: path.join(SHOTS, 'ui-chat-pinned-b.png') });

      await a.getByTestId('chat-pinned').getByRole('button', { name: 'Unpin' }).click();
      for (const page of [a, b])
        await expect.poll(() => page.getByTestId('chat-pinned').count(), { timeout: 10_000 }).toBe(0);
    },
  );

  it('a guest deletes their own message, and it goes from the host page too', { timeout: 30_000 }, async () => {
    await send(b, 'typo here');
    await expect.poll(() => texts(a), { timeout: 10_000 }).toContain('typo here');
    await message(b, 'typo here').getByRole('button', { name: 'Delete, sent by you' }).click();
    for (const page of [a, b]) await expect.poll(() => texts(page), { timeout: 10_000 }).not.toContain('typo here');
    expect(suite.errors).toEqual([]);
  });
});
