/**
 * Suite (c): browser end to end, headless Chromium as in shared/E2E.md.
 * Convene: three pages in one meeting through the real server (Next page,
 * Socket.IO, mediasoup). Baseline: a direct RTCPeerConnection between two
 * pages sharing the same timestamp canvas. Runs alternate P2P, Convene, ...
 */
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { ConveneServer } from '../../server/app';
import { median, round } from '../lib/stats';
import { benchPageInit, type BenchPageState } from './page-init';

const ROOT = path.resolve(import.meta.dirname, '../..');
const CHROMIUM = '/usr/bin/chromium';
const GLASS_MS = 2500;

export interface BrowserOptions {
  runs: number;
  log: (line: string) => void;
}

/** The P2P baseline keeps its peer connection on the page's window between evaluate() calls. */
type P2PWindow = Window & { pc?: RTCPeerConnection };

/** Why the suite cannot run here, or null. */
function missing(): string | null {
  if (!existsSync(path.join(ROOT, 'app', '[code]', 'page.tsx'))) return 'no meeting page at app/[code] yet';
  const dir = path.join(ROOT, 'test', 'browser');
  if (!existsSync(dir) || !readdirSync(dir).some((f) => f.endsWith('.test.ts')))
    return 'no browser test in test/browser yet';
  if (!existsSync(CHROMIUM)) return `no Chromium at ${CHROMIUM} (apt-get install chromium)`;
  return null;
}

const state = (page: Page) => page.evaluate<BenchPageState>(() => window.__bench);

async function until<T>(what: string, fn: () => Promise<T>, ok: (v: T) => boolean, ms = 30_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (ok(v)) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function newPage(browser: Browser, baseURL: string, base: number): Promise<Page> {
  const context = await browser.newContext({ baseURL, viewport: { width: 960, height: 600 } });
  // As source text with a shim: tsx (esbuild) wraps functions in __name(), which pages do not have.
  await context.addInitScript({ content: `var __name = (f) => f; (${benchPageInit.toString()})(${base});` });
  return context.newPage();
}

/**
 * When the page itself saw the click that followed `after`. Playwright's
 * click() spends ~80 ms on actionability checks (stable over two frames,
 * hit target) before the page sees anything; that is the harness, not a
 * user's wait, so every "click → ..." figure starts at the page's own event.
 */
function clickedAt(s: BenchPageState, after: number): number {
  const t = s.clicks.find((c) => c >= after);
  if (t === undefined) throw new Error('the page saw no click');
  return t;
}

async function joinMeeting(page: Page, code: string, name: string): Promise<number> {
  await page.goto(`/${code}`);
  await page.getByLabel('Your name').fill(name);
  const before = Date.now();
  await page.getByRole('button', { name: 'Join now' }).click();
  const s = await until(
    `${name} room-joined`,
    () => state(page),
    (x) => x.joinedAt !== null,
  );
  return s.joinedAt! - clickedAt(s, before);
}

async function conveneRun(browser: Browser, server: ConveneServer, base: number) {
  const pages: Page[] = [];
  try {
    const a = await newPage(browser, server.url, base);
    const b = await newPage(browser, server.url, base);
    pages.push(a, b);
    await a.goto('/');
    const created = await a.evaluate(() =>
      fetch('/api/rooms', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' }).then(
        (r) => r.json() as Promise<{ code: string }>,
      ),
    );
    const code = created.code;
    const joins = [await joinMeeting(a, code, 'Sharer'), await joinMeeting(b, code, 'Viewer')];
    await b.getByTestId('local-video').waitFor({ timeout: 30_000 });
    const beforeShare = Date.now();
    await a.getByRole('button', { name: 'Share screen' }).click();
    const first = await until(
      'first remote screen frame',
      () => state(b),
      (x) => x.firstScreenFrameAt !== null,
    );
    await new Promise((r) => setTimeout(r, GLASS_MS));
    const viewer = await state(b);
    const sharer = await state(a);
    const shareClicked = clickedAt(sharer, beforeShare);
    const c = await newPage(browser, server.url, base);
    pages.push(c);
    await c.goto(`/${code}`);
    await c.getByLabel('Your name').fill('Late');
    const beforeLate = Date.now();
    await c.getByRole('button', { name: 'Join now' }).click();
    const late = await until(
      'late joiner first screen frame',
      () => state(c),
      (x) => x.firstScreenFrameAt !== null,
    );
    const lateClicked = clickedAt(late, beforeLate);
    joins.push(late.joinedAt! - lateClicked);
    return {
      joinMs: joins,
      shareBreakdown: shareBreakdown(shareClicked, sharer, viewer),
      shareToFirstFrameMs: first.firstScreenFrameAt! - shareClicked,
      lateJoinToFirstFrameMs: late.firstScreenFrameAt! - lateClicked,
      lateBreakdown: lateBreakdown(lateClicked, late),
      glass: viewer.glass.slice(5), // the first frames still carry encoder start-up
      undecodable: viewer.undecodable,
    };
  } finally {
    for (const p of pages)
      await p
        .context()
        .close()
        .catch(() => undefined);
  }
}

/**
 * Where the share → first frame time goes, from both pages' signaling logs
 * (ms after the click): the sharer's produce request and its ack, the
 * viewer's new-producer, consume and resume, and the first decoded frame.
 */
function shareBreakdown(clicked: number, sharer: BenchPageState, viewer: BenchPageState): Record<string, number> {
  const at = (s: BenchPageState, dir: string, name: string) => {
    const hit = s.signals.find(([t, d, n]) => t >= clicked && d === dir && n === name);
    return hit ? Math.round(hit[0] - clicked) : NaN;
  };
  const mark = (s: BenchPageState, name: keyof BenchPageState['marks']) => {
    const t = s.marks[name];
    return t !== undefined && t >= clicked ? Math.round(t - clicked) : NaN;
  };
  return {
    displayMediaCalled: mark(sharer, 'displayMediaCalled'),
    displayMediaResolved: mark(sharer, 'displayMediaResolved'),
    produceSent: at(sharer, '>', 'produce'),
    produceAcked: at(sharer, '<ack', 'produce'),
    newProducerAtViewer: at(viewer, '<', 'new-producer'),
    consumeSent: at(viewer, '>', 'consume'),
    consumeAcked: at(viewer, '<ack', 'consume'),
    resumeSent: at(viewer, '>', 'resume-consumer'),
    resumeAcked: at(viewer, '<ack', 'resume-consumer'),
    screenVideoAdded: mark(viewer, 'screenVideoAdded'),
    firstFrame: Math.round((viewer.firstScreenFrameAt ?? NaN) - clicked),
  };
}

/** The late joiner's signaling after its click (first of each, ms): what its first screen frame waits for. */
function lateBreakdown(clicked: number, late: BenchPageState): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [t, dir, name] of late.signals) {
    const key = `${name} ${dir === '>' ? 'sent' : dir === '<ack' ? 'acked' : 'received'}`;
    if (t >= clicked && !(key in out)) out[key] = Math.round(t - clicked);
  }
  for (const [name, t] of Object.entries(late.marks)) if (t >= clicked) out[name] = Math.round(t - clicked);
  out.firstFrame = Math.round((late.firstScreenFrameAt ?? NaN) - clicked);
  return out;
}

/** Two pages, one RTCPeerConnection, the same canvas share; signaling by hand through Playwright. */
async function p2pRun(browser: Browser, baseURL: string, base: number) {
  const a = await newPage(browser, baseURL, base);
  const b = await newPage(browser, baseURL, base);
  try {
    await Promise.all([a.goto('/'), b.goto('/')]);
    await b.evaluate(() => {
      const stage = document.createElement('div');
      stage.dataset.testid = 'screen-stage';
      document.body.append(stage);
    });
    // The equivalent of the click: the page asks for the screen (see clickedAt).
    const offer = await a.evaluate(async () => {
      const stream = await navigator.mediaDevices.getDisplayMedia({ video: true });
      const pc = new RTCPeerConnection();
      (window as P2PWindow).pc = pc;
      for (const t of stream.getTracks()) {
        t.contentHint = 'detail';
        pc.addTrack(t, stream);
      }
      await pc.setLocalDescription(await pc.createOffer());
      await new Promise<void>((r) =>
        pc.iceGatheringState === 'complete'
          ? r()
          : pc.addEventListener('icegatheringstatechange', () => pc.iceGatheringState === 'complete' && r()),
      );
      return pc.localDescription!.toJSON();
    });
    const answer = await b.evaluate(async (o) => {
      const pc = new RTCPeerConnection();
      (window as P2PWindow).pc = pc;
      pc.ontrack = (e) => {
        const v = document.createElement('video');
        v.muted = true;
        v.autoplay = true;
        v.playsInline = true;
        v.srcObject = e.streams[0] ?? new MediaStream([e.track]);
        document.querySelector('[data-testid="screen-stage"]')!.append(v);
        void v.play();
      };
      await pc.setRemoteDescription(o);
      await pc.setLocalDescription(await pc.createAnswer());
      await new Promise<void>((r) =>
        pc.iceGatheringState === 'complete'
          ? r()
          : pc.addEventListener('icegatheringstatechange', () => pc.iceGatheringState === 'complete' && r()),
      );
      return pc.localDescription!.toJSON();
    }, offer);
    await a.evaluate((ans) => (window as P2PWindow).pc!.setRemoteDescription(ans), answer);
    const first = await until(
      'first P2P frame',
      () => state(b),
      (x) => x.firstScreenFrameAt !== null,
    );
    await new Promise((r) => setTimeout(r, GLASS_MS));
    const viewer = await state(b);
    const started = (await state(a)).marks.displayMediaCalled!;
    return {
      shareToFirstFrameMs: first.firstScreenFrameAt! - started,
      glass: viewer.glass.slice(5),
      undecodable: viewer.undecodable,
    };
  } finally {
    await a
      .context()
      .close()
      .catch(() => undefined);
    await b
      .context()
      .close()
      .catch(() => undefined);
  }
}

const pct = (values: number[], p: number) => {
  const v = [...values].sort((x, y) => x - y);
  return v.length ? round(v[Math.min(v.length - 1, Math.floor((p / 100) * v.length))]!, 1) : NaN;
};

export async function runBrowserSuite(o: BrowserOptions) {
  const why = missing();
  if (why) {
    o.log(`  browser suite skipped: ${why}`);
    return {
      measured: false,
      reason: why,
      headline: [
        `| Browser end to end | | not measured: ${why} | | share → first frame p50 ≤ 300 ms; glass-to-glass ≤ P2P + 20 ms | n/a |`,
      ],
      detail: [`Not measured: ${why}.`],
    };
  }
  const buildStart = Date.now();
  const { ensureNextBuild } = await import('../../test/helpers/next-build');
  ensureNextBuild();
  const buildS = round((Date.now() - buildStart) / 1000, 1);
  const { createConveneServer } = await import('../../server/app');
  const { loadConfig } = await import('../../server/config');
  const { loadSfuConfig } = await import('../../server/sfu');
  const { pino } = await import('pino');
  const config = {
    ...loadConfig({
      NODE_ENV: 'production',
      NEXTAUTH_SECRET: 'bench-secret-0123456789-abcdefghijklmnopqrstuvwxyz',
      LOG_LEVEL: 'warn',
    }),
    port: 0,
    host: '127.0.0.1',
  };
  const server = await createConveneServer(config, {
    next: { dev: false, dir: ROOT },
    media: loadSfuConfig({
      MEDIASOUP_NUM_WORKERS: '1',
      MEDIASOUP_RTC_MIN_PORT: '23000',
      MEDIASOUP_RTC_MAX_PORT: '23999',
    }),
    logger: pino({ level: 'warn' }),
  });
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--use-fake-device-for-media-stream',
      '--use-fake-ui-for-media-stream',
      '--allow-loopback-in-peer-connection',
      '--disable-gpu',
      '--disable-quic',
    ],
  });
  const base = Date.now();
  const p2p: Awaited<ReturnType<typeof p2pRun>>[] = [];
  const convene: Awaited<ReturnType<typeof conveneRun>>[] = [];
  const errors: string[] = [];
  try {
    for (let r = 1; r <= o.runs; r++) {
      for (const kind of ['p2p', 'convene'] as const) {
        try {
          if (kind === 'p2p') p2p.push(await p2pRun(browser, server.url, base));
          else convene.push(await conveneRun(browser, server, base));
          const res = (kind === 'p2p' ? p2p : convene).at(-1)!;
          o.log(
            `  ${kind} run ${r}: share → first frame ${Math.round(res.shareToFirstFrameMs)} ms, glass-to-glass p50 ${pct(res.glass, 50)} ms (${res.glass.length} frames)`,
          );
        } catch (err) {
          errors.push(`${kind} run ${r}: ${(err as Error).message}`);
          o.log(`  ${kind} run ${r} failed: ${(err as Error).message}`);
        }
      }
    }
  } finally {
    await browser.close();
    await server.close();
  }
  const med = <R>(runs: R[], pick: (r: R) => number) => round(median(runs.map(pick)), 1);
  const summary = {
    nextBuildS: buildS,
    p2p: {
      runs: p2p.length,
      shareToFirstFrameMs: med(p2p, (r) => r.shareToFirstFrameMs),
      glassP50Ms: med(p2p, (r) => pct(r.glass, 50)),
      glassP95Ms: med(p2p, (r) => pct(r.glass, 95)),
    },
    convene: {
      runs: convene.length,
      joinToRoomJoinedMs: round(median(convene.flatMap((r) => r.joinMs)), 1),
      shareToFirstFrameMs: med(convene, (r) => r.shareToFirstFrameMs),
      lateJoinToFirstFrameMs: med(convene, (r) => r.lateJoinToFirstFrameMs),
      shareBreakdownMs: Object.fromEntries(
        Object.keys(convene[0]?.shareBreakdown ?? {}).map((k) => [k, med(convene, (r) => r.shareBreakdown[k] ?? NaN)]),
      ),
      lateBreakdownMs: Object.fromEntries(
        Object.keys(convene[0]?.lateBreakdown ?? {})
          .map((k) => [k, med(convene, (r) => r.lateBreakdown[k] ?? NaN)] as const)
          .sort((x, y) => x[1] - y[1]),
      ),
      glassP50Ms: med(convene, (r) => pct(r.glass, 50)),
      glassP95Ms: med(convene, (r) => pct(r.glass, 95)),
    },
    errors,
  };
  const s = summary;
  const fmt = (x: number) => (Number.isFinite(x) ? String(Math.round(x)) : '—');
  const headline = [
    `| Browser: "Join now" click → room-joined, p50 | | ${fmt(s.convene.joinToRoomJoinedMs)} ms | | — | |`,
    `| Browser: share start → first decoded remote frame, p50 | ${fmt(s.p2p.shareToFirstFrameMs)} ms (P2P) | ${fmt(s.convene.shareToFirstFrameMs)} ms | | ≤ 300 ms | ${Number.isFinite(s.convene.shareToFirstFrameMs) ? (s.convene.shareToFirstFrameMs <= 300 ? '**met**' : '**missed**') : 'n/a'} |`,
    `| Browser: late joiner's click → first screen frame, p50 | | ${fmt(s.convene.lateJoinToFirstFrameMs)} ms | | — | |`,
    `| Browser: glass-to-glass p50 / p95 | ${fmt(s.p2p.glassP50Ms)} / ${fmt(s.p2p.glassP95Ms)} ms (P2P) | ${fmt(s.convene.glassP50Ms)} / ${fmt(s.convene.glassP95Ms)} ms | +${fmt(s.convene.glassP50Ms - s.p2p.glassP50Ms)} ms (p50) | ≤ P2P + 20 ms | ${Number.isFinite(s.convene.glassP50Ms) ? (s.convene.glassP50Ms <= s.p2p.glassP50Ms + 20 ? '**met**' : '**missed**') : 'n/a'} |`,
  ];
  const detail = [
    `${s.convene.runs} Convene runs (3 pages: sharer, viewer, late joiner) and ${s.p2p.runs} P2P runs, alternating; ${GLASS_MS / 1000} s of glass-to-glass frames per run. ` +
      `The shared "screen" is a 640×360 canvas painting the wall-clock time into 32 black/white blocks at 30 fps; the viewer reads it back from each decoded frame ` +
      `(requestVideoFrameCallback, expected display time). Next build before the suite: ${buildS} s (0 when up to date).`,
    '',
    `Where Convene's share → first frame goes (ms after the click, medians): ` +
      Object.entries(s.convene.shareBreakdownMs as Record<string, number>)
        .map(([k, v]) => `${k} ${fmt(v)}`)
        .join(', ') +
      '.',
    '',
    `Where the late joiner's click → first screen frame goes (ms after the click, medians; first of each signal, "sent"/"acked" as its page saw them): ` +
      Object.entries(s.convene.lateBreakdownMs as Record<string, number>)
        .map(([k, v]) => `${k} ${fmt(v)}`)
        .join(', ') +
      '.',
    ...(errors.length ? ['', 'Errors:', ...errors.map((e) => `- ${e}`)] : []),
  ];
  return { measured: true, ...summary, runs: { p2p, convene }, headline, detail };
}
