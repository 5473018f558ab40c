/**
 * The pre-join when a device fails, in real Chromium against the real server:
 * it says which device failed and why (denied, missing, in use), how to fix
 * it, retries, and joins with what works. Failures come from the browser's own
 * error path: getUserMedia is made to reject with each DOMException name by an
 * init script, and one page runs in a Chromium with no fake devices at all.
 * Also "You're muted" when talking into a muted mic.
 */
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { expectAccessible } from '../helpers/axe';
import { expectAccessibleButPending } from '../helpers/axe-pending';
import { browserSuite } from '../helpers/browser-suite';
import { inbound } from '../helpers/browser';
import { createMeeting } from '../helpers/server';
import { sleep, until } from '../helpers/wait';

const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };

const suite = browserSuite({ rtcPorts: [34000, 34999] });
vi.setConfig({ testTimeout: 90_000 });

type Failures = { video: string | null; audio: string | null };

/**
 * Runs after the suite's own init script: getUserMedia rejects with the named
 * DOMException for video or audio while `window.__gumFail` says so (a test
 * changes it to let "Try again" succeed). `tone` replaces the mic with a
 * steady 440 Hz tone, someone talking, which the fake mic's short beeps are not.
 */
function failingDevices(opts: { fail: Failures; tone: boolean }) {
  const w = window as unknown as { __gumFail: Failures };
  w.__gumFail = opts.fail;
  const md = navigator.mediaDevices;
  const gum = md.getUserMedia.bind(md);
  md.getUserMedia = async (c) => {
    const failure = c?.video ? w.__gumFail.video : w.__gumFail.audio;
    if (failure) throw new DOMException('refused by the test', failure);
    if (c?.audio && !c.video && opts.tone) {
      const ctx = new AudioContext();
      const osc = ctx.createOscillator();
      const gain = ctx.createGain();
      gain.gain.value = 0.4;
      const out = ctx.createMediaStreamDestination();
      osc.connect(gain).connect(out);
      osc.start();
      await ctx.resume();
      return out.stream;
    }
    return gum(c);
  };
}

/** Pages opened by the running test, closed after it so that finished meetings stop using the CPU. */
const opened: Page[] = [];
afterEach(async () => {
  for (const p of opened.splice(0)) await p.close().catch(() => undefined);
});
const open = async (name: string, viewport: typeof DESKTOP) => {
  const page = await suite.page(name, viewport);
  // The machine running these is shared and often loaded.
  page.setDefaultTimeout(60_000);
  opened.push(page);
  return page;
};

async function pageWith(name: string, viewport: typeof DESKTOP, fail: Failures, tone = false) {
  const { page, context } = await suite.pageWithContext(name, viewport);
  page.setDefaultTimeout(60_000);
  opened.push(page);
  await context.addInitScript(failingDevices, { fail, tone });
  return page;
}

/** A meeting created from `host`'s page (so it holds the creator's cookie) and joined by it. */
async function hostMeeting(host: Page): Promise<string> {
  await host.goto('/');
  const { code } = await host.evaluate(() =>
    fetch('/api/rooms', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' }).then(
      (r) => r.json() as Promise<{ code: string }>,
    ),
  );
  await host.goto(`/${code}`);
  await host.getByLabel('Your name').fill('Host');
  await host.getByRole('button', { name: 'Join now' }).click();
  await host.getByTestId('local-video').waitFor({ timeout: 20_000 });
  // Side panels start closed: the host reads the people panel below.
  await host.getByTestId('toggle-people').click();
  return code;
}

/** The participant id the server gave the person named `name` in `code`, once they are in. */
const idOf = (code: string, name: string) =>
  until(
    `${name} in the meeting`,
    async () => (await suite.server.store.listParticipants(code)).find((p) => p.displayName === name)?.id ?? null,
    (id) => id !== null,
    20_000,
  ) as Promise<string>;

const CASES = [
  { name: 'NotAllowedError', failure: 'denied', title: 'Camera blocked', fix: 'allow the camera' },
  { name: 'NotFoundError', failure: 'missing', title: 'No camera found', fix: 'Connect a camera' },
  { name: 'NotReadableError', failure: 'in-use', title: 'Camera is in use', fix: 'Another app or browser tab' },
] as const;

describe.each([
  ['desktop', DESKTOP],
  ['phone', PHONE],
] as const)('the pre-join when the camera fails (%s)', (size, viewport) => {
  for (const c of CASES) {
    it(`${c.name}: says "${c.title}" and how to fix it; Try again brings the preview once the camera works`, async () => {
      // Only the pre-join is under test: a meeting with nobody in it will do.
      const code = await createMeeting(suite.server);
      const page = await pageWith(`guest-${c.failure}-${size}`, viewport, { video: c.name, audio: null });
      await page.goto(`/${code}`);
      const problem = page.getByTestId('device-problem-camera');
      await problem.waitFor();
      expect(await problem.getAttribute('data-failure')).toBe(c.failure);
      const text = await problem.textContent();
      expect(text).toContain(c.title);
      expect(text).toContain(c.fix);
      expect(text).toContain('You can still join');
      expect(await page.getByTestId('preview-status').textContent()).toBe(c.title);
      // The mic worked: only the camera is reported.
      expect(await page.getByTestId('device-problem-mic').count()).toBe(0);
      expect(await page.getByTestId('join-without').textContent()).toContain('camera off');
      await expectAccessible(page, `prejoin camera ${c.failure} ${size}`);

      await page.evaluate(() => {
        (window as unknown as { __gumFail: Failures }).__gumFail.video = null;
      });
      await problem.getByRole('button', { name: 'Try again' }).click();
      await page.getByTestId('preview-video').waitFor();
      expect(await problem.count()).toBe(0);
      expect(await page.getByTestId('join-without').count()).toBe(0);
    });
  }
});

describe('joining with what works', () => {
  it('camera denied: the guest joins with the mic only; the host receives their mic and no camera', async () => {
    const host = await open('host-partial', DESKTOP);
    const code = await hostMeeting(host);
    const page = await pageWith('guest-partial', DESKTOP, { video: 'NotAllowedError', audio: null });
    await page.goto(`/${code}`);
    await page.getByTestId('device-problem-camera').waitFor();
    await page.getByLabel('Your name').fill('Partial');
    await page.getByRole('button', { name: 'Join now' }).click();
    const id = await idOf(code, 'Partial');
    await until(
      "the guest's mic at the host",
      () => inbound(host, id, 'mic'),
      (s) => (s?.packetsReceived ?? 0) > 0,
      20_000,
    );
    const producers = (await suite.server.sfu!.room(code)).producers().filter((p) => p.participantId === id);
    expect(producers.map((p) => p.source)).toEqual(['mic']);
    await expect
      .poll(() => host.getByTestId('participant-list').textContent(), { timeout: 20_000 })
      .toContain('Partial');
    await expectAccessibleButPending(page, 'joined without camera');
  });

  it('both denied: the guest still joins, and the host lists them with no media from them', async () => {
    const host = await open('host-none', DESKTOP);
    const code = await hostMeeting(host);
    const page = await pageWith('guest-none', PHONE, { video: 'NotAllowedError', audio: 'NotAllowedError' });
    await page.goto(`/${code}`);
    await page.getByTestId('device-problem-camera').waitFor();
    await page.getByTestId('device-problem-mic').waitFor();
    expect(await page.getByTestId('join-without').textContent()).toContain('camera and microphone off');
    await expectAccessible(page, 'prejoin camera and mic denied 390');
    await page.getByLabel('Your name').fill('Nobody');
    await page.getByRole('button', { name: 'Join now' }).click();
    const id = await idOf(code, 'Nobody');
    await expect
      .poll(() => host.getByTestId('participant-list').textContent(), { timeout: 20_000 })
      .toContain('Nobody');
    await sleep(500);
    expect((await suite.server.sfu!.room(code)).producers().filter((p) => p.participantId === id)).toEqual([]);
    expect(await page.getByTestId('prejoin').count()).toBe(0);
  });

  it('a Chromium with no fake devices: the pre-join reports the camera, never hangs on "Starting camera…"', async () => {
    const plain = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: ['--disable-gpu', '--disable-quic'],
    });
    let context: BrowserContext | undefined;
    try {
      context = await plain.newContext({ baseURL: suite.server.url, viewport: DESKTOP });
      const page = await context.newPage();
      const code = await createMeeting(suite.server);
      await page.goto(`/${code}`);
      const problem = page.getByTestId('device-problem-camera');
      await problem.waitFor({ timeout: 10_000 });
      console.log(
        `[prejoin] a Chromium without devices reports the camera as: ${await problem.getAttribute('data-failure')}`,
      );
      expect(await page.getByTestId('preview-status').textContent()).not.toBe('Starting camera…');
      await expectAccessible(page, 'prejoin no devices');
    } finally {
      await context?.close();
      await plain.close();
    }
  });
});

describe("you're muted", () => {
  it('talking into a muted mic shows "You\'re muted" and sends nothing; Unmute from the hint sends again', async () => {
    const host = await open('host-muted', DESKTOP);
    const code = await hostMeeting(host);
    const page = await pageWith('talker', DESKTOP, { video: null, audio: null }, true);
    await page.goto(`/${code}`);
    await page.getByLabel('Your name').fill('Talker');
    await page.getByRole('button', { name: 'Join now' }).click();
    const id = await idOf(code, 'Talker');
    await until(
      "the talker's mic at the host",
      () => inbound(host, id, 'mic'),
      (s) => (s?.packetsReceived ?? 0) > 0,
      20_000,
    );
    // Unmuted: no hint, however loud.
    await sleep(800);
    expect(await page.getByTestId('muted-hint').count()).toBe(0);

    await page.keyboard.press('Control+d');
    const hint = page.getByTestId('muted-hint');
    await hint.waitFor({ timeout: 5_000 });
    expect(await hint.textContent()).toContain("You're muted");
    await expectAccessibleButPending(page, 'talking while muted');
    // Nothing reaches the host while muted (after what was in flight).
    await sleep(500);
    const before = (await inbound(host, id, 'mic'))!.packetsReceived;
    await sleep(1_000);
    expect((await inbound(host, id, 'mic'))!.packetsReceived).toBe(before);

    await hint.getByRole('button', { name: 'Unmute' }).click();
    await hint.waitFor({ state: 'detached' });
    await until(
      'mic packets again',
      () => inbound(host, id, 'mic'),
      (s) => (s?.packetsReceived ?? 0) > before,
      5_000,
    );
  });
});

afterAll(() => {
  expect(suite.errors).toEqual([]);
});
