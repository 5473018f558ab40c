/**
 * A bench run's result as the report reads it: what bench/run.ts builds, and
 * what bench/render.ts reads back from bench/results/<run>.json. Only the
 * fields the report uses are listed (parsing drops the rest).
 */
import { z } from 'zod';
import { AbuseSchema } from './abuse/schema';
import type { Machine } from './lib/stats';

/**
 * A measured figure. JSON has no NaN (a figure nobody measured is saved as
 * null) and older runs lack some figures: both read back as NaN, as in the run.
 */
const measured = z
  .number()
  .nullish()
  .transform((x) => x ?? NaN);

const MachineSchema = z.object({
  cores: z.number(),
  cpuModel: z.string(),
  node: z.string(),
  platform: z.string(),
  kernel: z.string(),
  memoryGiB: z.number(),
  pinned: z.boolean(),
  loadAverageAtStart: z.array(z.number()),
}) satisfies z.ZodType<Machine>;

const SignalingPerN = z.object({
  n: z.number(),
  runs: z.number(),
  joinP50: measured,
  joinP99: measured,
  chatP50: measured,
  chatP99: measured,
  chatP999: measured,
  delivery: measured,
  serverEldP99Ms: measured,
  floorEldP99Ms: measured,
  cpuMsPer1000Delivered: measured,
  cpuMsPerJoin: measured,
  settleMs: measured,
  rssBytesPerParticipant: measured,
  heapBytesPerParticipant: measured,
});

const SignalingServer = z.object({
  capacity: z.number(),
  capacityIsLowerBound: z.boolean(),
  perN: z.array(SignalingPerN),
});

const SignalingSchema = z.object({
  baseline: SignalingServer,
  convene: SignalingServer,
  runs: z.array(
    z.object({
      kind: z.enum(['baseline', 'convene']),
      run: z.number(),
      capacity: z.number(),
      capacityIsLowerBound: z.boolean(),
      steps: z.array(z.object({ n: z.number(), pass: z.boolean(), why: z.array(z.string()) })),
    }),
  ),
  redis: z
    .object({
      n: z.number(),
      join: z.object({ p50: measured, p99: measured }),
      chat: z.object({ p50: measured, p99: measured, p999: measured, delivery: measured }),
      cpuMsPer1000Delivered: measured,
      // null (also in the run) when Redis's own CPU could not be read.
      redisCpuMsPer1000Delivered: z.number().nullish(),
      serverEldP99Ms: measured,
    })
    .nullish(),
});

const SfuImpl = z.object({ capacity: z.number(), lowerBound: z.boolean(), floorP50Ms: measured });
const SfuAtM = z.object({
  addedP50Ms: measured,
  addedP99Ms: measured,
  workerCpuUsPerPacket: measured,
  workerCpuShare: measured,
});
const P50P99 = z.object({ p50: measured, p99: measured });

/** One version's side: capacity per run, and worker CPU over packets pooled over every M both versions passed. */
const SfuVersionSide = SfuImpl.extend({ capacities: z.array(z.string()), workerCpuUsPerPacket: measured });

/** The installed mediasoup against an older one, bare forwarder against bare forwarder (ratios new / old). */
const SfuVersionsSchema = z.union([
  z.object({
    old: z.string(),
    new: z.string(),
    profiles: z.array(
      z.object({
        profile: z.enum(['video', 'audio']),
        old: SfuVersionSide,
        new: SfuVersionSide,
        perM: z.array(z.object({ consumers: z.number(), old: SfuAtM, new: SfuAtM })),
      }),
    ),
  }),
  /** The older version could not run on this machine. */
  z.object({ old: z.string(), skipped: z.string() }),
]);

const SfuSchema = z.object({
  profiles: z.array(
    z.object({
      profile: z.enum(['video', 'audio']),
      bare: SfuImpl,
      convene: SfuImpl,
      perM: z.array(z.object({ consumers: z.number(), bare: SfuAtM, convene: SfuAtM })),
    }),
  ),
  // Absent in runs saved before it was measured.
  versions: SfuVersionsSchema.optional(),
  /** One room over two workers against one worker (issue 14); null when skipped, absent in older runs. */
  multiWorker: z
    .object({
      profile: z.enum(['video', 'audio']),
      single: z.object({ capacity: z.number(), capacities: z.array(z.string()), lowerBound: z.boolean() }),
      two: z.object({ capacity: z.number(), capacities: z.array(z.string()), lowerBound: z.boolean() }),
      capacityRatio: z.number(),
      perM: z.array(z.object({ consumers: z.number(), one: SfuAtM, two: SfuAtM, addedP99DeltaMs: measured })),
      atCapacity: z.array(
        z.object({
          run: z.number(),
          consumers: z.number(),
          loss: measured.optional(),
          addedP99Ms: measured.optional(),
          workerCpuShares: z.array(z.number()).optional(),
          generatorCpuShare: measured.optional(),
          sinkCpuShare: measured.optional(),
        }),
      ),
    })
    .nullish(),
  directCreation: z.object({ bare: P50P99, convene: P50P99 }).optional(),
  creation: z
    .object({
      samples: z.number().optional(),
      createTransportP50: measured,
      createTransportP99: measured,
      consumeP50: measured,
      consumeP99: measured,
      transportPlusConsumerP50: measured,
      transportPlusConsumerP99: measured,
    })
    .nullish(),
  runs: z.array(
    z.object({
      impl: z.enum(['bare', 'bare-old', 'convene', 'convene-2w']),
      profile: z.enum(['video', 'audio']),
      mediasoupVersion: z.string().optional(),
      run: z.number(),
      capacity: z.number(),
      capacityIsLowerBound: z.boolean(),
      steps: z.array(
        z.object({
          consumers: z.number(),
          valid: z.boolean(),
          loss: measured,
          addedP50Ms: measured,
          workerCpuShare: measured,
        }),
      ),
    }),
  ),
});

/** The browser suite renders its own table rows. */
const BrowserSchema = z.object({ headline: z.array(z.string()), detail: z.array(z.string()) });

export const BenchResultSchema = z.object({
  startedAt: z.string(),
  /** Set when the run has finished. */
  durationS: z.number().optional(),
  quick: z.boolean().optional(),
  machine: MachineSchema,
  nice: z.number(),
  signaling: SignalingSchema.optional(),
  sfu: SfuSchema.optional(),
  browser: BrowserSchema.optional(),
  abuse: AbuseSchema.optional(),
  /** The cluster suite renders its own section (bench/cluster/report.ts); its figures are saved beside it. */
  cluster: z.object({ markdown: z.array(z.string()) }).optional(),
  /** The audience suite renders its own section (bench/audience/suite.ts); its figures are saved beside it. */
  audience: z.object({ markdown: z.string() }).optional(),
  /** The join suite (bench/join/suite.ts): its own section, and the figures behind it. */
  join: z.object({ markdown: z.string(), conditions: z.array(z.unknown()), errors: z.array(z.string()) }).optional(),
  /** The recording suite renders its own section (bench/recording/suite.ts); its figures are saved beside it. */
  recording: z.object({ markdown: z.string() }).loose().optional(),
});

export type BenchResult = z.infer<typeof BenchResultSchema>;
export type SignalingResult = z.infer<typeof SignalingSchema>;
export type SfuResult = z.infer<typeof SfuSchema>;
