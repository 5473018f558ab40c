/**
 * The audience in real Chromium against the real server (Next build,
 * Socket.IO, mediasoup): a meeting created through POST /api/rooms with an
 * invited-only stage; a viewer joins the audience, sees "You're watching"
 * and the host's camera, raises a hand; the host sees the hand and brings the
 * viewer on stage, whose mic is then sent through the SFU; the host then
 * turns the audience off from the host controls.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { browserSuite } from '../helpers/browser-suite';

const suite = browserSuite({ rtcPorts: [31000, 31999], viewport: { width: 1000, height: 640 } });

async function fillAndJoin(page: Page, code: string, name: string): Promise<void> {
  await page.goto(`/${code}`);
  await page.getByLabel('Your name').fill(name);
  await page.getByRole('button', { name: 'Join now' }).click();
}

/** Sources this page receives, by participant (from its media session). */
const received = (page: Page) =>
  page.evaluate(() =>
    Object.fromEntries(
      Object.entries(window.__convene!.media.snapshot.remote).map(([id, s]) => [id, Object.keys(s).sort()]),
    ),
  );

/** A town hall (only the invited on stage) created from the host's page, so it holds the creator's guest cookie. */
async function townHall(host: Page): Promise<string> {
  await host.goto('/');
  const created = await host.evaluate(() =>
    fetch('/api/rooms', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ title: 'Town hall', settings: { audience: { mode: 'invited' } } }),
    }).then((r) => r.json() as Promise<{ code: string }>),
  );
  return created.code;
}

/** Sends a chat message from the chat panel (opened if closed), to everyone or to one person's "(private)" entry. */
async function chat(page: Page, text: string, to?: string): Promise<void> {
  const toggle = page.getByTestId('toggle-chat');
  if ((await toggle.getAttribute('aria-pressed')) !== 'true') await toggle.click();
  await page.getByLabel('Send to').selectOption({ label: to ? `${to} (private)` : 'Everyone' });
  await page.getByLabel('Message', { exact: true }).fill(text);
  await page.getByRole('button', { name: 'Send', exact: true }).click();
}

describe('the audience in the browser', () => {
  it('a viewer watches, raises a hand, and the host brings them on stage', { timeout: 90_000 }, async () => {
    const host = await suite.page('Host');
    const code = await townHall(host);
    await fillAndJoin(host, code, 'Hana');
    await host.getByTestId('local-video').waitFor({ timeout: 20_000 });

    const viewer = await suite.page('Viewer');
    await fillAndJoin(viewer, code, 'Vic');
    const banner = viewer.getByTestId('watching');
    await banner.waitFor({ timeout: 20_000 });
    expect(await banner.textContent()).toContain("You're watching");
    // Nothing to send from the audience: no mic or camera buttons, nothing captured.
    expect(await viewer.getByTestId('toggle-mic').count()).toBe(0);
    expect(await viewer.evaluate(() => Object.keys(window.__convene!.media.snapshot.local))).toEqual([]);
    // The stage's media reaches the audience.
    await expect
      .poll(
        async () =>
          Object.values(await received(viewer))
            .flat()
            .sort(),
        { timeout: 20_000 },
      )
      .toEqual(['camera', 'mic']);

    // The stage sees the count, not the person.
    await host.getByTestId('toggle-people').click();
    await expect.poll(() => host.getByTestId('audience-count').textContent(), { timeout: 10_000 }).toBe('1');
    expect(await host.getByTestId('participant-list').textContent()).not.toContain('Vic');

    await viewer.getByTestId('watching-hand').click();
    const bring = host.getByRole('button', { name: 'Bring Vic on stage' });
    await bring.waitFor({ timeout: 10_000 });
    await bring.click();

    await banner.waitFor({ state: 'detached', timeout: 10_000 });
    await viewer.getByTestId('toggle-mic').waitFor({ timeout: 10_000 });
    await expect.poll(() => host.getByTestId('participant-list').textContent(), { timeout: 10_000 }).toContain('Vic');
    // Promoted, the viewer's mic (sent muted) is a producer in the SFU.
    await expect
      .poll(
        async () =>
          (await suite.server.sfu!.room(code))
            .producers()
            .map((p) => p.source)
            .sort(),
        {
          timeout: 15_000,
        },
      )
      .toEqual(['camera', 'mic', 'mic']);

    // The host turns the audience off from the host controls: the next joiner goes on stage.
    await host.getByTestId('toggle-host').click();
    await host.getByTestId('audience-mode').selectOption('off');
    await expect.poll(async () => (await suite.server.store.getMeeting(code))?.audience?.mode).toBe('off');
    expect(suite.errors).toEqual([]);
  });

  it(
    'a viewer asks the host privately and the host answers privately; another viewer sees neither',
    { timeout: 90_000 },
    async () => {
      const host = await suite.page('Host 2');
      const code = await townHall(host);
      await fillAndJoin(host, code, 'Hana');
      const vic = await suite.page('Vic 2');
      await fillAndJoin(vic, code, 'Vic');
      const wes = await suite.page('Wes');
      await fillAndJoin(wes, code, 'Wes');
      for (const viewer of [vic, wes]) await viewer.getByTestId('watching').waitFor({ timeout: 20_000 });

      await chat(vic, 'May I ask something privately?', 'Hana');
      await host.getByTestId('toggle-chat').click();
      await expect
        .poll(() => host.getByTestId('chat-messages').textContent(), { timeout: 10_000 })
        .toContain('May I ask something privately?');
      // Vic is in the audience, not in the stage's list, yet the host can answer him privately.
      await chat(host, 'Of course, go ahead', 'Vic');
      await expect
        .poll(() => vic.getByTestId('chat-messages').textContent(), { timeout: 10_000 })
        .toContain('Of course, go ahead');

      await chat(wes, 'Hello everyone');
      await expect
        .poll(() => host.getByTestId('chat-messages').textContent(), { timeout: 10_000 })
        .toContain('Hello everyone');
      const seenByWes = await wes.getByTestId('chat-messages').textContent();
      expect(seenByWes).not.toContain('privately');
      expect(seenByWes).not.toContain('go ahead');
      expect(suite.errors).toEqual([]);
    },
  );
});
