/**
 * The join suite (issue 15): how long a late joiner waits from the click on
 * "Join now" to the first frame of a screen share already running, for the
 * join flow before issue 15 ('legacy': socket opened on the click, router
 * fetched after the join, transports one after another) against today's, in
 * the same run and alternating; once on loopback, once at 100 ms emulated
 * round-trip time (bench/join/delay.ts). The legacy flow is chosen per page by
 * window.__CONVENE_JOIN_FLOW__ (lib/client/use-meeting.ts), for this bench only.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { benchConfig, benchLogger } from '../lib/convene-config';
import { round } from '../lib/stats';
import { benchPageInit, type BenchPageState } from '../browser/page-init';
import { delayedTcp, delayedUdp, type DelayedPath } from './delay';
import { traceSfu, type SfuTrace } from './trace';

const ROOT = path.resolve(import.meta.dirname, '../..');
const CHROMIUM = '/usr/bin/chromium';
/** The SFU's one media port (a WebRtcServer), so one UDP relay carries all media. */
const MEDIA_PORT = 39_400;
/** Where the SFU says it is: the relay's address; the SFU itself listens on 127.0.0.1. */
const RELAY_IP = '127.0.0.2';
const TARGETS = { loopbackP50Ms: 300, rtt100P50Ms: 700 } as const;

export type Flow = 'legacy' | 'current';
export interface JoinOptions {
  runs: number;
  log: (line: string) => void;
}

interface Sample {
  flow: Flow;
  clickToJoinedMs: number;
  clickToFirstFrameMs: number;
  /** Where the wait went: ms after the click of each page and SFU milestone (see breakdown()). */
  breakdown: Record<string, number>;
  longTasks: [number, number][];
}

export interface JoinCondition {
  label: string;
  rttMs: number;
  targetP50Ms: number;
  flows: Record<
    Flow,
    {
      runs: number;
      joinedP50: number;
      p50: number;
      p95: number;
      breakdownP50: Record<string, number>;
      /** Main-thread time in tasks over 50 ms, click → first frame. */
      longTaskMsP50: number;
    }
  >;
  /** current p50 ÷ legacy p50. */
  ratioP50: number;
  met: boolean;
}

export interface JoinSuiteResult {
  measured: boolean;
  reason?: string;
  conditions: JoinCondition[];
  errors: string[];
  markdown: string;
}

const state = (page: Page) => page.evaluate<BenchPageState>(() => window.__bench);

async function until<T>(what: string, fn: () => Promise<T>, ok: (v: T) => boolean, ms = 30_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (ok(v)) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function benchPage(browser: Browser, baseURL: string, base: number, flow: Flow): Promise<Page> {
  const context = await browser.newContext({ baseURL, viewport: { width: 1280, height: 800 } });
  // As source text with a shim: tsx (esbuild) wraps functions in __name(), which pages do not have.
  await context.addInitScript({ content: `var __name = (f) => f; (${benchPageInit.toString()})(${base});` });
  if (flow === 'legacy') await context.addInitScript({ content: `window.__CONVENE_JOIN_FLOW__ = 'legacy';` });
  return context.newPage();
}

/** A meeting whose host shares a screen (on the direct path), for late joiners to join. */
async function sharedMeeting(browser: Browser, url: string, base: number): Promise<{ code: string; page: Page }> {
  const page = await benchPage(browser, url, base, 'current');
  await page.goto('/');
  const code = await page.evaluate(() =>
    fetch('/api/rooms', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })
      .then((r) => r.json() as Promise<{ code: string }>)
      .then((r) => r.code),
  );
  await page.goto(`/${code}`);
  await page.getByLabel('Your name').fill('Presenter');
  await page.getByRole('button', { name: 'Join now' }).click();
  await until(
    'the presenter in the meeting',
    () => state(page),
    (s) => s.joinedAt !== null,
  );
  await page.evaluate(() => window.__convene!.media.shareScreen());
  return { code, page };
}

/** One late joiner: the click (as the page saw it) to room-joined and to its first decoded screen frame. */
async function lateJoin(
  browser: Browser,
  url: string,
  code: string,
  base: number,
  flow: Flow,
  sfu: SfuTrace,
): Promise<Sample> {
  const page = await benchPage(browser, url, base, flow);
  try {
    await page.goto(`/${code}`);
    await page.getByLabel('Your name').fill('Late');
    // A person reads the pre-join for a moment; the current flow's socket connects meanwhile.
    await new Promise((r) => setTimeout(r, 1_000));
    const before = Date.now();
    await page.getByRole('button', { name: 'Join now' }).click();
    const s = await until(
      'the first screen frame',
      () => state(page),
      (x) => x.firstScreenFrameAt !== null,
    );
    const clicked = s.clicks.find((c) => c >= before);
    if (clicked === undefined) throw new Error('the page saw no click');
    return {
      flow,
      clickToJoinedMs: s.joinedAt! - clicked,
      clickToFirstFrameMs: s.firstScreenFrameAt! - clicked,
      breakdown: breakdown(clicked, s, sfu),
      longTasks: longTasks(clicked, s),
    };
  } finally {
    await page
      .context()
      .close()
      .catch(() => undefined);
  }
}

/**
 * The late joiner's milestones, ms after its click: its signaling as the page
 * saw it (first of each event sent / received / acked), its transports and
 * tracks, and the SFU's view of its receive transport and screen consumer,
 * with the presenter's PLI and keyframe that answered it.
 */
function breakdown(clicked: number, page: BenchPageState, sfu: SfuTrace): Record<string, number> {
  const out: Record<string, number> = {};
  const put = (key: string, t: number | undefined) => {
    if (t !== undefined && t >= clicked && !(key in out)) out[key] = Math.round(t - clicked);
  };
  for (const [t, dir, name] of page.signals)
    put(`${name} ${dir === '>' ? 'sent' : dir === '<ack' ? 'acked' : 'received'}`, t);
  for (const [name, t] of Object.entries(page.marks)) put(name, t);
  const server = sfu.joinAfter(clicked);
  if (server) {
    for (const [name, t] of Object.entries(server.marks)) put(`sfu ${name}`, t);
    put('sfu PLI to presenter', server.pliAfter);
    put('sfu keyframe from presenter', server.keyframeInAfter);
  }
  put('firstFrame', page.firstScreenFrameAt ?? undefined);
  return out;
}

/** Main-thread tasks over 50 ms between the click and the first frame: [ms after the click, duration]. */
function longTasks(clicked: number, page: BenchPageState): [number, number][] {
  const end = page.firstScreenFrameAt ?? Infinity;
  return page.longTasks.filter(([t]) => t >= clicked && t < end).map(([t, d]) => [Math.round(t - clicked), d]);
}

const pct = (values: number[], p: number) => {
  const v = [...values].sort((x, y) => x - y);
  return v.length ? round(v[Math.min(v.length - 1, Math.floor((p / 100) * v.length))]!, 0) : NaN;
};
const median = (values: number[]) => pct(values, 50);

function summarize(label: string, rttMs: number, targetP50Ms: number, samples: Sample[]): JoinCondition {
  const of = (flow: Flow) => {
    const mine = samples.filter((s) => s.flow === flow);
    const frames = mine.map((s) => s.clickToFirstFrameMs);
    return {
      runs: mine.length,
      joinedP50: pct(
        mine.map((s) => s.clickToJoinedMs),
        50,
      ),
      p50: pct(frames, 50),
      p95: pct(frames, 95),
      breakdownP50: breakdownP50(mine),
      longTaskMsP50: median(mine.map((x) => x.longTasks.reduce((sum, [, d]) => sum + d, 0))),
    };
  };
  const flows = { legacy: of('legacy'), current: of('current') };
  const ratioP50 = flows.legacy.p50 > 0 ? round(flows.current.p50 / flows.legacy.p50, 2) : NaN;
  return { label, rttMs, targetP50Ms, flows, ratioP50, met: flows.current.p50 <= targetP50Ms };
}

/** Each milestone's median over the runs that reached it, in time order. */
function breakdownP50(samples: Sample[]): Record<string, number> {
  const keys = [...new Set(samples.flatMap((s) => Object.keys(s.breakdown)))];
  const rows = keys.map((k) => {
    const v = samples.map((s) => s.breakdown[k]).filter((x): x is number => x !== undefined);
    return [k, median(v)] as const;
  });
  return Object.fromEntries(rows.sort((a, b) => a[1] - b[1]));
}

const breakdownLine = (label: string, flow: string, f: JoinCondition['flows'][Flow]) =>
  `- ${label}, ${flow} (ms after the click, medians): ${Object.entries(f.breakdownP50)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ')}; main thread in long tasks (> 50 ms) meanwhile: ${f.longTaskMsP50} ms.`;

function markdown(conditions: JoinCondition[], runs: number, errors: string[]): string {
  const rows = conditions.map(
    (c) =>
      `| ${c.label} | ${c.flows.legacy.p50} / ${c.flows.legacy.p95} | ${c.flows.current.p50} / ${c.flows.current.p95} | ${c.ratioP50} | ${c.flows.legacy.joinedP50} → ${c.flows.current.joinedP50} | ≤ ${c.targetP50Ms} | ${c.met ? 'met' : 'NOT met'} |`,
  );
  return [
    `Late joiner, click on "Join now" → first decoded frame of a screen share already running (ms, p50 / p95 of ${runs} runs per flow, flows alternating in one run). "Before" is the join flow before issue 15, selected per page for the bench only.`,
    '',
    '| Condition | Before: p50 / p95 | Now: p50 / p95 | Now ÷ before (p50) | Click → room-joined p50, before → now | Target p50 | |',
    '| --- | --- | --- | --- | --- | --- | --- |',
    ...rows,
    '',
    "Where the wait goes (first of each signal as the late joiner's page saw it; `sfu …` as the SFU saw it, through mediasoup's observer and trace events; each milestone's median on its own):",
    '',
    ...conditions.flatMap((c) => [
      breakdownLine(c.label, 'now', c.flows.current),
      breakdownLine(c.label, 'before', c.flows.legacy),
    ]),
    ...(errors.length ? ['', `Failed runs: ${errors.length} (${errors.slice(0, 3).join('; ')}).`] : []),
    '',
  ].join('\n');
}

export async function runJoinSuite(o: JoinOptions): Promise<JoinSuiteResult> {
  if (!existsSync(CHROMIUM)) {
    const reason = `no Chromium at ${CHROMIUM} (apt-get install chromium)`;
    o.log(`  join suite skipped: ${reason}`);
    return { measured: false, reason, conditions: [], errors: [], markdown: `Not measured: ${reason}.\n` };
  }
  const { ensureNextBuild } = await import('../../test/helpers/next-build');
  ensureNextBuild();
  // Before the server starts its workers, so their routers, transports and consumers are all seen.
  const sfu = traceSfu();
  const { createConveneServer } = await import('../../server/app');
  const { loadSfuConfig } = await import('../../server/sfu');
  const server = await createConveneServer(benchConfig({ LOG_LEVEL: 'warn' }), {
    next: { dev: false, dir: ROOT },
    media: loadSfuConfig({
      MEDIASOUP_NUM_WORKERS: '1',
      MEDIASOUP_LISTEN_IP: '127.0.0.1',
      MEDIASOUP_ANNOUNCED_ADDRESS: RELAY_IP,
      MEDIASOUP_WEBRTC_SERVER_PORT: String(MEDIA_PORT),
    }),
    logger: benchLogger(),
  });
  const app = { host: '127.0.0.1', port: Number(new URL(server.url).port) };
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
  const errors: string[] = [];
  const conditions: JoinCondition[] = [];
  const paths: Array<{ close(): Promise<void> }> = [];
  try {
    for (const oneWayMs of [0, 50]) {
      const label = oneWayMs === 0 ? 'Loopback' : `${2 * oneWayMs} ms round trip (emulated)`;
      o.log(`  ${label}`);
      // Every byte of the joiner's page, signaling and media crosses these; the presenter's too.
      const media = await delayedUdp(
        { host: RELAY_IP, port: MEDIA_PORT },
        { host: '127.0.0.1', port: MEDIA_PORT },
        oneWayMs,
      );
      const web: DelayedPath = await delayedTcp(app, oneWayMs);
      paths.push(media, web);
      const meeting = await sharedMeeting(browser, web.url, base);
      await new Promise((r) => setTimeout(r, 1_500)); // the share is flowing
      const samples: Sample[] = [];
      for (let r = 1; r <= o.runs; r++) {
        for (const flow of (r % 2 ? ['legacy', 'current'] : ['current', 'legacy']) as Flow[]) {
          try {
            const s = await lateJoin(browser, web.url, meeting.code, base, flow, sfu);
            samples.push(s);
            o.log(
              `    run ${r} ${flow.padEnd(7)}: click → room-joined ${Math.round(s.clickToJoinedMs)} ms, → first frame ${Math.round(s.clickToFirstFrameMs)} ms`,
            );
            if (process.env.BENCH_JOIN_VERBOSE)
              o.log(
                `      ${Object.entries(s.breakdown)
                  .sort((a, b) => a[1] - b[1])
                  .map(([k, v]) => `${k} ${v}`)
                  .join(', ')}; long tasks [at, ms]: ${JSON.stringify(s.longTasks)}`,
              );
          } catch (err) {
            errors.push(`${label} ${flow} run ${r}: ${(err as Error).message}`);
            o.log(`    run ${r} ${flow} failed: ${(err as Error).message}`);
          }
        }
      }
      await meeting.page
        .context()
        .close()
        .catch(() => undefined);
      await web.close();
      await media.close();
      const goal = oneWayMs === 0 ? TARGETS.loopbackP50Ms : TARGETS.rtt100P50Ms;
      const c = summarize(label, 2 * oneWayMs, goal, samples);
      conditions.push(c);
      o.log(
        `  ${label}: before p50 ${c.flows.legacy.p50} ms, now p50 ${c.flows.current.p50} ms (×${c.ratioP50}; target ≤ ${goal}: ${c.met ? 'met' : 'NOT met'})`,
      );
    }
  } finally {
    for (const p of paths) await p.close().catch(() => undefined);
    await browser.close();
    await server.close();
  }
  return { measured: true, conditions, errors, markdown: markdown(conditions, o.runs, errors) };
}
