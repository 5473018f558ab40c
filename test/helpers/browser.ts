/**
 * Shared pieces of the browser tests: Debian Chromium with fake media
 * (../../shared/E2E.md), pages with the test hook and low-resolution devices,
 * inbound RTP stats, and polling.
 */
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { until } from './wait';

export const FAKE_MEDIA_ARGS = [
  '--use-fake-device-for-media-stream',
  '--use-fake-ui-for-media-stream',
  '--allow-loopback-in-peer-connection',
  '--disable-gpu',
  '--disable-quic',
];

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: '/usr/bin/chromium', args: FAKE_MEDIA_ARGS });
}

/** Runs in every page before the app: the test hook, and low-resolution fake devices. */
export function lowResMedia() {
  window.__CONVENE_TEST__ = true;
  const md = navigator.mediaDevices;
  const gum = md.getUserMedia.bind(md);
  const gdm = md.getDisplayMedia.bind(md);
  md.getUserMedia = (c) => gum(c?.video ? { ...c, video: { width: 320, height: 240, frameRate: 15 } } : c);
  md.getDisplayMedia = (c) => gdm({ ...c, video: { width: 640, height: 360, frameRate: 5 } });
}

export interface NewPageOptions {
  baseURL: string;
  viewport?: { width: number; height: number };
  /** Collects page errors here (and, when `strict`, console errors, `[media]` warnings and HTTP errors). */
  errors: string[];
  strict?: boolean;
  /** The browser's language (navigator.language and Accept-Language), e.g. 'de-DE'. */
  locale?: string;
  /** The system theme the page sees (prefers-color-scheme); Chromium's default is light. */
  colorScheme?: 'light' | 'dark';
}

/** A page in its own browser context (its own cookies: its own guest identity). */
export async function newPage(
  browser: Browser,
  name: string,
  opts: NewPageOptions,
): Promise<{ page: Page; context: BrowserContext }> {
  const context = await browser.newContext({
    baseURL: opts.baseURL,
    viewport: opts.viewport ?? { width: 960, height: 600 },
    ...(opts.locale && { locale: opts.locale }),
    ...(opts.colorScheme && { colorScheme: opts.colorScheme }),
  });
  await context.addInitScript(lowResMedia);
  const page = await context.newPage();
  page.on('pageerror', (err) => opts.errors.push(`${name}: ${err.message}`));
  if (opts.strict) {
    page.on('console', (msg) => {
      // Failed loads are reported with their URL below.
      if (msg.text().startsWith('Failed to load resource')) return;
      if (msg.type() === 'error' || msg.text().startsWith('[media]'))
        opts.errors.push(`${name} console: ${msg.text()}`);
    });
    page.on('response', (res) => {
      if (res.status() >= 400) opts.errors.push(`${name}: ${res.status()} ${new URL(res.url()).pathname}`);
    });
  }
  return { page, context };
}

export type Inbound = { framesDecoded: number; packetsReceived: number; frameWidth: number };

/** inbound-rtp stats of what this page receives from `participantId`'s `source`, or null if not consumed. */
export function inbound(page: Page, participantId: string, source: string): Promise<Inbound | null> {
  return page.evaluate(
    async ([pid, src]) => {
      const session = window.__convene!.media;
      const track = session.snapshot.remote[pid!]?.[src as 'camera']?.track;
      const report = await session.transportStats('recv');
      if (!track || !report) return null;
      for (const s of report.values() as Iterable<RTCStats>) {
        if (s.type !== 'inbound-rtp') continue;
        const rtp = s as RTCInboundRtpStreamStats;
        if (rtp.trackIdentifier === track.id) {
          return {
            framesDecoded: rtp.framesDecoded ?? 0,
            packetsReceived: rtp.packetsReceived ?? 0,
            frameWidth: rtp.frameWidth ?? 0,
          };
        }
      }
      return null;
    },
    [participantId, source],
  );
}

/** Frames decoded keep increasing: the video is live, not one stuck frame. */
export async function expectDecoding(page: Page, participantId: string, source: string): Promise<void> {
  const first = await until(
    `${source} frames from ${participantId}`,
    () => inbound(page, participantId, source),
    (s) => (s?.framesDecoded ?? 0) > 0,
    20_000,
  );
  await until(
    `${source} frames rising`,
    () => inbound(page, participantId, source),
    (s) => s!.framesDecoded > first!.framesDecoded,
    5_000,
  );
}
