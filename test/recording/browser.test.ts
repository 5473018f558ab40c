/**
 * Recording in the browser, with two Chromium pages (fake camera, mic and
 * screen): the host records ~8 s with a screen share in the middle and one
 * host mute, the guest sees the indicator and cannot start or download, a
 * newcomer is warned on the pre-join page, and the host downloads one file
 * from the meeting details' list, which ffprobe and ffmpeg check.
 */
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { Ack, RecordingInfo } from '../../lib/protocol';
import { maxVolume, probe } from '../helpers/av-analysis';
import { expectAccessible } from '../helpers/axe';
import { browserSuite } from '../helpers/browser-suite';
import { sleep, until } from '../helpers/wait';

const suite = browserSuite({ rtcPorts: [38000, 39999] });

async function join(page: Page, code: string, name: string): Promise<void> {
  await page.goto(`/${code}`);
  await page.getByLabel('Your name').fill(name);
  await page.getByRole('button', { name: 'Join now' }).click();
  await page.getByTestId('local-video').waitFor({ timeout: 30_000 });
}

/** A protocol event sent from the page's own connection (the test hook), with its ack. */
const send = (page: Page, event: string, payload: object) =>
  page.evaluate(
    ([e, p]) =>
      new Promise<Ack>((resolve) =>
        (window.__convene!.connection.socket.emit as (...a: unknown[]) => void)(e, p, resolve),
      ),
    [event, payload] as const,
  );

/** The page's cookies as a header, to call the API from here as that person. */
const cookieOf = async (page: Page) => (await page.context().cookies()).map((c) => `${c.name}=${c.value}`).join('; ');

describe('recording in the browser', () => {
  it(
    'the host records with a screen share and a mute; everyone is told; the host downloads one checked file, the guest cannot',
    { timeout: 300_000 },
    async () => {
      const host = await suite.page('Host');
      await host.goto('/');
      // From the host's page, so it holds the creator's guest cookie and joins as host.
      const { code } = await host.evaluate(() =>
        fetch('/api/rooms', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' }).then(
          (r) => r.json() as Promise<{ code: string }>,
        ),
      );
      await join(host, code, 'Hana');
      // The host's own mic off: the mix's audio is then the guest's alone, so its muted span can be checked.
      const hostMic = () => host.evaluate(() => window.__convene!.media.snapshot.local.mic ?? null);
      await until('the host’s mic', hostMic, (m) => m !== null, 20_000);
      await host.getByTestId('toggle-mic').click();
      await until('the host’s mic paused', hostMic, (m) => m?.paused === true, 10_000);
      const guest = await suite.page('Guest');
      await join(guest, code, 'Gus');
      const guestId = await guest.evaluate(() => window.__convene!.connection.socket.id);
      expect(guestId).toBeTruthy();
      await expectAccessible(host, 'recording: host, not recording');

      // The guest has no control, and the server refuses its start.
      expect(await guest.getByTestId('start-recording').count()).toBe(0);
      expect(await send(guest, 'start-recording', {})).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
      expect(await guest.getByTestId('recording-indicator').count()).toBe(0);

      await host.getByTestId('start-recording').click();
      await guest.getByTestId('recording-indicator').waitFor({ timeout: 10_000 });
      await host.getByTestId('stop-recording').waitFor();
      const start = (await suite.server.store.getMeeting(code))!.recording!.startedAt;
      const at = (s: number) => sleep(Math.max(0, start + s * 1000 - Date.now()));
      await expectAccessible(guest, 'recording: guest sees the indicator');
      await expectAccessible(host, 'recording: host, recording');

      // A newcomer is warned before joining.
      const late = await suite.page('Late');
      await late.goto(`/${code}`);
      await late.getByTestId('recording-notice').waitFor({ timeout: 15_000 });
      expect(await late.getByTestId('recording-notice').textContent()).toContain('This meeting is being recorded');
      await expectAccessible(late, 'recording: pre-join notice');
      await late.close();

      const guestParticipant = (await suite.server.store.listParticipants(code)).find((p) => p.displayName === 'Gus')!;
      await at(2);
      expect(await send(host, 'mute-participant', { participantId: guestParticipant.id, kind: 'audio' })).toEqual({
        ok: true,
      });
      const mutedAt = (Date.now() - start) / 1000;
      await at(3);
      await guest.getByRole('button', { name: 'Share screen' }).click();
      await at(4.5);
      await guest.getByTestId('toggle-mic').click();
      const unmutedAt = (Date.now() - start) / 1000;
      await at(6);
      await guest.getByRole('button', { name: 'Stop sharing' }).click();
      await at(8);
      const wall = (Date.now() - start) / 1000;
      await host.getByTestId('stop-recording').click();
      await guest.getByTestId('recording-indicator').waitFor({ state: 'detached', timeout: 10_000 });

      // The list, as the host; then the file.
      const api = `${suite.server.url}/api/rooms/${code}/recordings`;
      const hostCookie = await cookieOf(host);
      let info: RecordingInfo | undefined;
      await expect
        .poll(
          async () => {
            const body = (await (await fetch(api, { headers: { cookie: hostCookie } })).json()) as {
              recordings: RecordingInfo[];
            };
            info = body.recordings[0];
            return info?.status;
          },
          { timeout: 120_000, interval: 500 },
        )
        .toBe('ready');
      // The host downloads it from the meeting details, where the recordings are listed.
      await host.getByTestId('toggle-info').click();
      const link = host.getByTestId('recording-entry').getByRole('link', { name: /^Download/ });
      await link.waitFor({ timeout: 15_000 });
      expect(await host.getByTestId('recording-entry').textContent()).toMatch(/ · 0:0[7-9]/);
      await expectAccessible(host, 'recording: the host’s list in meeting details');
      const [download] = await Promise.all([host.waitForEvent('download'), link.click()]);
      expect(download.suggestedFilename()).toMatch(new RegExp(`^convene-${code}-.*\\.mp4$`));
      const file = path.join(os.tmpdir(), `convene-browser-${code}.mp4`);
      await download.saveAs(file);
      const { duration, streams } = await probe(file);
      expect(streams.map((s) => s.codec_type).sort()).toEqual(['audio', 'video']);
      expect(Math.abs(duration - wall)).toBeLessThan(1);
      expect(info!.tracks.map((t) => t.source).sort()).toEqual(expect.arrayContaining(['camera', 'mic', 'screen']));
      // The host-muted span is silent; the fake mic was recorded otherwise.
      const muted = await maxVolume(file, mutedAt + 0.4, unmutedAt - 0.1);
      console.info(`muted span ${mutedAt.toFixed(2)}–${unmutedAt.toFixed(2)} s: max ${muted} dB`);
      expect(muted).toBeLessThan(-60);
      expect(await maxVolume(file, 0, wall)).toBeGreaterThan(-50);

      // The guest may neither list nor download, and its meeting details have no list.
      await guest.getByTestId('toggle-info').click();
      await guest.getByTestId('meeting-info').waitFor();
      expect(await guest.getByTestId('recording-list').count()).toBe(0);
      const guestCookie = await cookieOf(guest);
      expect((await fetch(api, { headers: { cookie: guestCookie } })).status).toBe(403);
      expect((await fetch(`${suite.server.url}${info!.url}`, { headers: { cookie: guestCookie } })).status).toBe(403);
      expect(suite.errors).toEqual([]);
    },
  );
});
