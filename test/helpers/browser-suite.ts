/**
 * One browser-test file's fixtures: the real server with Next and a mediasoup
 * worker on its own RTC port range, one Chromium, and pages in their own
 * contexts (own cookies), all closed after the file.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import type { ConveneServer } from '../../server/app';
import { loadSfuConfig, type SfuConfig } from '../../server/sfu';
import { launchBrowser, newPage } from './browser';
import { ensureNextBuild } from './next-build';
import { startServer } from './server';

export const SHOTS = path.resolve(import.meta.dirname, '../../test-results');

type Viewport = { width: number; height: number };

export function browserSuite(opts: {
  rtcPorts: [number, number];
  viewport?: Viewport;
  strict?: boolean;
  /** Every page's browser language (default: Chromium's, English). */
  locale?: string;
  /** Every page's system theme (default: Chromium's, light). */
  colorScheme?: 'light' | 'dark';
}) {
  // Each file gets its own port range, so no browser's own loopback port can pass for the SFU's.
  const media: SfuConfig = loadSfuConfig({
    MEDIASOUP_NUM_WORKERS: '1',
    MEDIASOUP_RTC_MIN_PORT: String(opts.rtcPorts[0]),
    MEDIASOUP_RTC_MAX_PORT: String(opts.rtcPorts[1]),
  });
  let server: ConveneServer | undefined;
  let browser: Browser | undefined;
  const contexts: BrowserContext[] = [];
  const errors: string[] = [];

  beforeAll(async () => {
    ensureNextBuild();
    server = await startServer({}, { next: { dev: false }, media });
    browser = await launchBrowser();
    mkdirSync(SHOTS, { recursive: true });
  }, 300_000);

  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => undefined);
    await browser?.close();
    await server?.close();
  });

  const started = <T>(v: T | undefined): T => {
    if (v === undefined) throw new Error('the browser suite has not started yet (use it inside a test)');
    return v;
  };

  return {
    media,
    /** Page errors (and, when strict, console errors and HTTP errors) of every page. */
    errors,
    get server(): ConveneServer {
      return started(server);
    },
    get browser(): Browser {
      return started(browser);
    },
    /** A page in a new context: a new person, with the test hook and low-resolution fake devices. */
    async page(name: string, viewport: Viewport | undefined = opts.viewport): Promise<Page> {
      const opened = await newPage(started(browser), name, {
        baseURL: started(server).url,
        errors,
        ...(opts.strict && { strict: true }),
        ...(viewport && { viewport }),
        ...(opts.locale && { locale: opts.locale }),
        ...(opts.colorScheme && { colorScheme: opts.colorScheme }),
      });
      contexts.push(opened.context);
      return opened.page;
    },
    /** Same, returning the context too (for permissions or cookies). */
    async pageWithContext(
      name: string,
      viewport: Viewport | undefined = opts.viewport,
    ): Promise<{ page: Page; context: BrowserContext }> {
      const opened = await newPage(started(browser), name, {
        baseURL: started(server).url,
        errors,
        ...(opts.strict && { strict: true }),
        ...(viewport && { viewport }),
        ...(opts.locale && { locale: opts.locale }),
        ...(opts.colorScheme && { colorScheme: opts.colorScheme }),
      });
      contexts.push(opened.context);
      return opened;
    },
  };
}
