/** The abuse suite's section of latest.md and BENCHMARKS.md: one row per attack with its verdicts, then every run. */
import { machineLine } from '../report';
import type { BenchResult } from '../result';
import type { AbuseSaved } from './schema';

type Summary = AbuseSaved['attacks'][number];
type Pair = AbuseSaved['pairs'][number];

const fmt = (x: number, digits = 1): string => {
  if (!Number.isFinite(x)) return '—';
  if (Math.abs(x) >= 100) return String(Math.round(x));
  return String(Math.round(x * 10 ** digits) / 10 ** digits);
};
const mark = (ok: boolean) => (ok ? '**met**' : '**missed**');
const pct = (x: number) => `${fmt(x * 100, 0)}%`;
const codes = (rec: Record<string, number>) =>
  Object.entries(rec)
    .map(([code, n]) => `${n} ${code}`)
    .join(', ') || 'none';

export const ATTACK_LABELS: Record<Summary['attack'], string> = {
  flood: 'flood',
  amplification: 'broadcast amplification',
  'slow-readers': 'slow readers',
  'knock-flood': 'knock flood',
};

/** What the attacker did and got in one attacked window, in a sentence. */
function gotLine(kind: Summary['attack'], p: Pair): string {
  const g = p.got;
  const conns = `${g.connectsTried - g.connectsRefused} of ${g.connectsTried} connections accepted, ${g.closedByServer} cut by the server, ${g.connectedAtEnd} still open at the end`;
  switch (kind) {
    case 'flood':
      return `sent ${g.sent} events, got ${g.answers} answers; ${conns}`;
    case 'amplification':
      return `${g.joined} joins, ${g.sent} broadcasts sent (refused: ${codes(g.refused)}); each victim got ${fmt(g.broadcastsPerVictim, 0)} of its broadcasts and ${fmt(g.presencePerVictim, 0)} joins/leaves; ${conns}`;
    case 'slow-readers':
      return `${g.joined} joins, ${g.sent} requests unread; at most ${fmt(g.peakQueuedBytes / 2 ** 20, 2)} MB queued for one reader; ${conns}`;
    case 'knock-flood':
      return `${g.knocksAccepted} knocks waiting, ${g.joined} let in, refused: ${codes(g.refused)}; ${fmt(g.lobbyCharsPerModerator / 1024, 1)} KB of waiting-room updates per moderator; ${conns}`;
  }
}

function row(s: Summary): string {
  const lat = (l: Summary['chat']) => `${fmt(l.baselineP99)} → ${fmt(l.attackedP99)} ms | ${fmt(l.ratioP99, 2)}×`;
  const rss = `+${fmt(s.rss.attackedPeakGrowthMb)} MB (no attack: +${fmt(s.rss.baselinePeakGrowthMb)}; bound ${fmt(s.rss.boundMb, 0)})`;
  const refused = s.victimChat.refused + s.victimChat.lost;
  return (
    `| ${ATTACK_LABELS[s.attack]} | ${lat(s.chat)} | ${lat(s.host)} | ${mark(s.chat.met)} / ${mark(s.host.met)} | ` +
    `${pct(s.server.baselineCpuShare)} → ${pct(s.server.attackedCpuShare)} | ${rss} | ${mark(s.rss.met)} | ` +
    `${refused ? `${refused} of ${s.victimChat.sent}` : 'none'} | ${mark(s.got.ok)}${s.got.why.length ? `: ${s.got.why.join('; ')}` : ''} |`
  );
}

export function abuseMarkdown(r: BenchResult): string {
  const a = r.abuse;
  if (!a) return '';
  const o = a.options;
  const v = o.victims;
  const l = a.limits;
  const moderators = 1 + v.cohosts;
  const out = [
    `Run ${r.startedAt}${r.quick ? ' (BENCH_QUICK: development sizes, not results)' : ''}; load average (1 / 5 / 15 min) at the suite's start ${a.loadAverage.start.join(' / ')}, at its end ${a.loadAverage.end.join(' / ')}.`,
    '',
    `Machine: ${machineLine(r.machine, r.nice)}.`,
    '',
    `Victims: the meeting's creator as host, ${v.cohosts} co-hosts and ${v.participants - v.cohosts} participants, in one Convene process with every production limit at its default. ` +
      `Each of the ${v.participants} non-hosts sends a ${v.chatChars}-character message every ${fmt(v.chatPeriodMs / 1000)} s (${fmt((v.participants * 1000) / v.chatPeriodMs)} messages/s in the room); ` +
      `each of the ${moderators} moderators acts every ${v.hostPeriodMs} ms (mute-participant and set-permissions, alternately). ` +
      `Per attack and run: a window without the attacker, then one with it (${fmt(o.windowMs / 1000)} s + ${fmt(o.drainMs / 1000)} s drain each); ${o.runs} run(s); latency is the median over runs, memory and "what the attacker got" the worst run. ` +
      `Limits in force: chat ${l.chat[0]}/${l.chat[1]} s, reactions ${l.react[0]}/${l.react[1]} s, control ${l.control[0]}/${l.control[1]} s per socket; room broadcasts ${l.roomBroadcasts[0]}/${l.roomBroadcasts[1]} s${l.ipBroadcasts ? `, of which one IP ${l.ipBroadcasts.points}/${l.ipBroadcasts.seconds} s paced at ${l.ipBroadcasts.perSecond}/s` : ''}; ` +
      `waiting room ${l.waitingRoomCap}; send buffer ${fmt(l.sendBufferBytes / 2 ** 20)} MB; ${l.connectionsPerIp} connections and ${l.knocksPerIp[0]} knocks/h per IP` +
      (l.joinsPerIp
        ? `; joins per IP ${l.joinsPerIp.burst} at once, then ${l.joinsPerIp.perSecond}/s, ${l.joinsPerIp.queue} waiting at most.`
        : '.'),
    '',
    "| Attack | victims' chat p99, no attack → attack | ratio | host-action ack p99, no attack → attack | ratio | ≤ 2× and ≤ 50 ms (chat / host) | server CPU | server RSS growth, worst run | bounded | victims' messages refused or lost | attacker got nothing new |",
    '|---|---|---|---|---|---|---|---|---|---|---|',
    ...a.attacks.map(row),
    '',
    'Every pair of windows, no attack → attack:',
    '',
  ];
  for (const p of a.pairs) {
    out.push(
      `- ${ATTACK_LABELS[p.attack]}, run ${p.run}, from ${p.ip}: chat p99 ${fmt(p.baseline.chat.p99)} → ${fmt(p.attacked.chat.p99)} ms, ` +
        `host p99 ${fmt(p.baseline.host.p99)} → ${fmt(p.attacked.host.p99)} ms, server CPU ${pct(p.baseline.server.cpuShare)} → ${pct(p.attacked.server.cpuShare)}, ` +
        `RSS +${fmt((p.attacked.server.rssPeak - p.attacked.server.rssBefore) / 2 ** 20)} MB` +
        (p.leadMs + p.tailMs > 0
          ? ` (the attack ran ${fmt(p.leadMs / 1000)} s before the victims' window and ${fmt(p.tailMs / 1000)} s after it)`
          : '') +
        `, noise floor ELD p99 ${fmt(p.baseline.floorEldP99Ms)} / ${fmt(p.attacked.floorEldP99Ms)} ms. ` +
        `Attacker: ${gotLine(p.attack, p)}.` +
        (p.baseline.valid && p.attacked.valid ? '' : ` Void: ${[...p.baseline.why, ...p.attacked.why].join('; ')}.`),
    );
  }
  return `${out.join('\n')}\n`;
}
