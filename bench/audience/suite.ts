/**
 * Suite (f): an audience of N joining one meeting (issue 14). Each run is a
 * fresh server process and a fresh load generator, pinned to separate cores.
 * A stage of a few members chats throughout; N audience members then join at
 * a fixed rate. Reported: join p99, the stage's chat fan-out p99 with no
 * audience (the baseline within the run), during the audience's arrival and
 * once it is there, what the stage heard of it, and memory per audience
 * member. The floor (a bare Socket.IO server that only enters the room and
 * acks, and fans chat out to the room) runs the same traffic, alternating.
 */
import { decode, summarize, type LatencySummary } from '../lib/hdr';
import { CORES, sleep, spawnNode } from '../lib/proc';
import { median, round } from '../lib/stats';
import type { AudienceLoadgenApi } from './loadgen';
import type { AudienceServerApi } from './server';

export interface AudienceOptions {
  /** Audience members joining one meeting. */
  n: number;
  /** Stage members (the meeting's stage limit). */
  stage: number;
  /** Audience joins per second. */
  rate: number;
  /** Stage chat messages per second. */
  chatRate: number;
  windowMs: number;
  runs: number;
  /** Audience members that time their chat receipts. */
  sample: number;
  log: (line: string) => void;
}

export type AudienceKind = 'floor' | 'convene';

export interface AudienceRun {
  kind: AudienceKind;
  join: LatencySummary;
  failedJoins: number;
  roles: Record<string, number>;
  rampMs: number;
  /** The stage's chat fan-out (send → receipt at the other stage members), and at the sampled audience. */
  chat: Record<
    'noAudience' | 'arriving' | 'present',
    { stage: LatencySummary; audience: LatencySummary; lost: number }
  >;
  /** Events the stage received while the audience arrived. */
  heard: { userJoined: number; audienceUpdated: number; lastCount: number };
  server: { rampCpuShare: number; rampEldP99Ms: number };
  memory: { heapPerMemberBytes: number; rssPerMemberBytes: number; heapStageOnlyMiB: number; heapAllMiB: number };
}

export interface AudienceResult {
  options: Omit<AudienceOptions, 'log'>;
  runs: AudienceRun[];
  summary: Record<
    AudienceKind,
    {
      joinP99: number;
      chatP99NoAudience: number;
      chatP99Present: number;
      chatP99Arriving: number;
      heapPerMemberBytes: number;
    }
  >;
  pass: boolean;
}

export const JOIN_P99_BAR_MS = 100;
export const CHAT_P99_BAR_MS = 50;

async function oneRun(kind: AudienceKind, o: AudienceOptions): Promise<AudienceRun> {
  const server = spawnNode<AudienceServerApi>('bench/audience/server.ts', {
    core: CORES.server,
    args: [kind],
    nodeArgs: ['--expose-gc'],
  });
  const gen = spawnNode<AudienceLoadgenApi>('bench/audience/loadgen.ts', { core: CORES.generator });
  try {
    // Both waited for at once: an event nobody waits for yet is dropped.
    const [{ port }] = await Promise.all([server.nextEvent<{ port: number }>('ready'), gen.nextEvent('ready')]);
    const url = `http://127.0.0.1:${port}`;
    const code = await server.call('meeting', { stageLimit: o.stage });
    await gen.call('stage', { url, code, n: o.stage });

    const window = async () => {
      await gen.call('startChat', { rate: o.chatRate });
      await sleep(o.windowMs);
      return gen.call('stopChat', { drainMs: 1000 });
    };
    const chat = (r: Awaited<ReturnType<typeof window>>) => ({
      stage: summarize(decode(r.stage)),
      audience: summarize(decode(r.audience)),
      lost: r.sent * (o.stage - 1) - r.stageReceipts,
    });

    // A fresh process: one window warms the JIT and the sockets up, and is not counted.
    await window();
    const noAudience = chat(await window());
    const stageOnly = await server.call('memory');

    await server.call('mark');
    await gen.call('startChat', { rate: o.chatRate });
    const ramp = await gen.call('audience', { url, code, n: o.n, rate: o.rate, sample: o.sample }, 600_000);
    const arriving = chat(await gen.call('stopChat', { drainMs: 1000 }));
    const cpu = await server.call('read');
    const heard = await gen.call('heard');
    const present = chat(await window());
    const all = await server.call('memory');
    await gen.call('close');

    const joined = o.n - ramp.failed;
    return {
      kind,
      join: summarize(decode(ramp.joins)),
      failedJoins: ramp.failed,
      roles: ramp.roles,
      rampMs: round(ramp.rampMs, 0),
      chat: { noAudience, arriving, present },
      heard,
      server: { rampCpuShare: cpu.cpuShare, rampEldP99Ms: cpu.eldP99Ms },
      memory: {
        heapPerMemberBytes: Math.round((all.heapUsedBytes - stageOnly.heapUsedBytes) / Math.max(1, joined)),
        rssPerMemberBytes: Math.round((all.rssBytes - stageOnly.rssBytes) / Math.max(1, joined)),
        heapStageOnlyMiB: round(stageOnly.heapUsedBytes / 2 ** 20, 1),
        heapAllMiB: round(all.heapUsedBytes / 2 ** 20, 1),
      },
    };
  } finally {
    await gen.kill();
    await server.kill();
  }
}

export async function runAudienceSuite(o: AudienceOptions): Promise<AudienceResult> {
  const runs: AudienceRun[] = [];
  for (let r = 0; r < o.runs; r++) {
    for (const kind of ['floor', 'convene'] as const) {
      o.log(`audience: ${kind} run ${r + 1}/${o.runs}, ${o.stage} on stage, ${o.n} joining at ${o.rate}/s`);
      const run = await oneRun(kind, o);
      o.log(
        `  join p99 ${run.join.p99} ms (failed ${run.failedJoins}); stage chat p99 ${run.chat.noAudience.stage.p99} → ` +
          `${run.chat.arriving.stage.p99} (arriving) → ${run.chat.present.stage.p99} ms (present); ` +
          `heap/member ${run.memory.heapPerMemberBytes} B; stage heard ${run.heard.userJoined} user-joined, ` +
          `${run.heard.audienceUpdated} audience-updated`,
      );
      runs.push(run);
    }
  }
  const med = (kind: AudienceKind, f: (r: AudienceRun) => number) =>
    round(median(runs.filter((r) => r.kind === kind).map(f)), 2);
  const summary = Object.fromEntries(
    (['floor', 'convene'] as const).map((kind) => [
      kind,
      {
        joinP99: med(kind, (r) => r.join.p99),
        chatP99NoAudience: med(kind, (r) => r.chat.noAudience.stage.p99),
        chatP99Arriving: med(kind, (r) => r.chat.arriving.stage.p99),
        chatP99Present: med(kind, (r) => r.chat.present.stage.p99),
        heapPerMemberBytes: med(kind, (r) => r.memory.heapPerMemberBytes),
      },
    ]),
  ) as AudienceResult['summary'];
  const c = summary.convene;
  const convene = runs.filter((r) => r.kind === 'convene');
  const pass =
    c.joinP99 <= JOIN_P99_BAR_MS &&
    Math.max(c.chatP99Arriving, c.chatP99Present) <= CHAT_P99_BAR_MS &&
    convene.every((r) => r.failedJoins === 0 && r.heard.userJoined === 0 && (r.roles.audience ?? 0) === o.n);
  const { log: _log, ...options } = o;
  return { options, runs, summary, pass };
}

/** The suite's section of a report. */
export function audienceMarkdown(r: AudienceResult): string {
  const { n, stage, rate, chatRate, runs } = r.options;
  const row = (kind: AudienceKind) => {
    const s = r.summary[kind];
    const rs = r.runs.filter((x) => x.kind === kind);
    const heard = rs.map((x) => `${x.heard.userJoined} / ${x.heard.audienceUpdated}`).join(', ');
    return `| ${kind} | ${s.joinP99} | ${s.chatP99NoAudience} | ${s.chatP99Arriving} | ${s.chatP99Present} | ${kind === 'convene' ? heard : '—'} | ${s.heapPerMemberBytes} |`;
  };
  return [
    `### Audience: ${n} joining one meeting (${stage} on stage, ${rate} joins/s, stage chat ${chatRate}/s; median of ${runs} runs)`,
    '',
    `Bars: join p99 ≤ ${JOIN_P99_BAR_MS} ms, stage chat fan-out p99 ≤ ${CHAT_P99_BAR_MS} ms while the audience arrives and is there. **${r.pass ? 'PASS' : 'MISS'}**.`,
    '',
    '| server | join p99 (ms) | stage chat p99, no audience | … audience arriving | … audience present | stage heard user-joined / audience-updated | heap per member (B) |',
    '| --- | --- | --- | --- | --- | --- | --- |',
    row('floor'),
    row('convene'),
    '',
    'floor: a bare Socket.IO server whose join only enters the room and acks (no list, no state, no broadcast), the least any server does for this traffic. Chat reaches the audience too (it is in the room); the sampled audience receipts are in the JSON.',
  ].join('\n');
}
