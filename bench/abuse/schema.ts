/**
 * The abuse suite's part of a saved bench result (bench/result.ts), as the
 * report reads it back. A figure nobody measured is saved as null and reads
 * back as NaN, as in the run.
 */
import { z } from 'zod';
import { ATTACKS } from './attacks';

const measured = z
  .number()
  .nullish()
  .transform((x) => x ?? NaN);
const Counts = z.record(z.string(), z.number());
const Rate = z.tuple([z.number(), z.number()]);

const Latency = z.object({
  baselineP50: measured,
  baselineP99: measured,
  attackedP50: measured,
  attackedP99: measured,
  ratioP99: measured,
  met: z.boolean(),
});

const AttackSummary = z.object({
  attack: z.enum(ATTACKS),
  pairs: z.number(),
  voided: z.number(),
  chat: Latency,
  host: Latency,
  victimChat: z.object({ sent: z.number(), refused: z.number(), lost: z.number() }),
  server: z.object({
    baselineCpuShare: measured,
    attackedCpuShare: measured,
    baselineEldP99Ms: measured,
    attackedEldP99Ms: measured,
  }),
  rss: z.object({
    beforeMb: measured,
    baselinePeakGrowthMb: measured,
    attackedPeakGrowthMb: measured,
    attackedEndGrowthMb: measured,
    afterGrowthMb: measured,
    boundMb: measured,
    met: z.boolean(),
  }),
  got: z.object({ ok: z.boolean(), why: z.array(z.string()) }),
});

const Window = z.object({
  valid: z.boolean(),
  why: z.array(z.string()),
  chat: z.object({ p50: measured, p99: measured, sent: z.number(), refused: z.number(), lost: z.number() }),
  host: z.object({ p50: measured, p99: measured, sent: z.number(), refused: z.number() }),
  server: z.object({ cpuShare: measured, rssBefore: z.number(), rssPeak: z.number() }),
  floorEldP99Ms: measured,
});

const Pair = z.object({
  run: z.number(),
  attack: z.enum(ATTACKS),
  ip: z.string(),
  leadMs: z.number(),
  tailMs: z.number(),
  baseline: Window,
  attacked: Window,
  got: z.object({
    broadcastsPerVictim: z.number(),
    presencePerVictim: z.number(),
    sent: z.number(),
    answers: z.number(),
    connectsTried: z.number(),
    connectsRefused: z.number(),
    closedByServer: z.number(),
    joined: z.number(),
    knocksAccepted: z.number(),
    refused: Counts,
    connectedAtEnd: z.number(),
    peakConnected: z.number(),
    peakQueuedBytes: z.number(),
    lobbyCharsPerModerator: z.number(),
  }),
});

export const AbuseSchema = z.object({
  loadAverage: z.object({ start: z.array(z.number()), end: z.array(z.number()) }),
  options: z.object({
    runs: z.number(),
    windowMs: z.number(),
    drainMs: z.number(),
    sizes: z.record(z.string(), z.number()),
    slowReaders: z.object({ maxLeadMs: z.number(), leadUntilQueued: z.number(), maxTailMs: z.number() }),
    victims: z.object({
      participants: z.number(),
      cohosts: z.number(),
      chatPeriodMs: z.number(),
      hostPeriodMs: z.number(),
      chatChars: z.number(),
    }),
  }),
  limits: z.object({
    chat: Rate,
    react: Rate,
    control: Rate,
    roomBroadcasts: Rate,
    // Absent from runs saved before the per-IP share existed.
    ipBroadcasts: z.object({ points: z.number(), seconds: z.number(), perSecond: z.number() }).optional(),
    // Absent from runs saved before joins were paced per IP.
    joinsPerIp: z.object({ perSecond: z.number(), burst: z.number(), queue: z.number() }).optional(),
    waitingRoomCap: z.number(),
    sendBufferBytes: z.number(),
    connectionsPerIp: z.number(),
    knocksPerIp: Rate,
  }),
  attacks: z.array(AttackSummary),
  pairs: z.array(Pair),
});
export type AbuseSaved = z.infer<typeof AbuseSchema>;
