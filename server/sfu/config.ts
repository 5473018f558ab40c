import os from 'node:os';
import { z } from 'zod';

/**
 * The SFU's settings. This is the only file of server/sfu that reads the
 * environment; everything else receives an SfuConfig. docs/media.md lists
 * the variables with their defaults.
 */
export interface SfuConfig {
  numWorkers: number;
  logLevel: 'debug' | 'warn' | 'error' | 'none';
  /** Local address the worker sockets bind to. */
  listenIp: string;
  /** Address put in ICE candidates instead of listenIp (public IP or hostname behind NAT). */
  announcedAddress?: string;
  rtcMinPort: number;
  rtcMaxPort: number;
  /** If set, worker i runs a WebRtcServer on port webRtcServerPort + i (UDP and TCP) instead of a port per transport. */
  webRtcServerPort?: number;
  /** Handed to clients for their RTCPeerConnection (STUN/TURN). */
  iceServers: IceServer[];
  /** How many participants may share their screen at once in one room. */
  maxScreenShares: number;
  /** Most consumers (streams received) one participant may hold at once. */
  maxConsumersPerParticipant: number;
  /**
   * Consumers (pipes to other workers included) a worker carries before a
   * room's new receive transports go to a router on another worker.
   */
  maxConsumersPerWorker: number;
}

const iceServerSchema = z.object({
  urls: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]),
  username: z.string().optional(),
  credential: z.string().optional(),
});
export type IceServer = z.infer<typeof iceServerSchema>;

const port = z.coerce.number().int().min(1024).max(65535);

const envSchema = z
  .object({
    MEDIASOUP_NUM_WORKERS: z.coerce
      .number()
      .int()
      .min(1)
      .max(64)
      .default(() => Math.max(1, os.cpus().length)),
    MEDIASOUP_LOG_LEVEL: z.enum(['debug', 'warn', 'error', 'none']).default('warn'),
    MEDIASOUP_LISTEN_IP: z.union([z.ipv4(), z.ipv6()]).default('127.0.0.1'),
    MEDIASOUP_ANNOUNCED_ADDRESS: z.string().min(1).optional(),
    MEDIASOUP_RTC_MIN_PORT: port.default(40000),
    MEDIASOUP_RTC_MAX_PORT: port.default(49999),
    MEDIASOUP_WEBRTC_SERVER_PORT: port.optional(),
    ICE_SERVERS: z
      .string()
      .default('[]')
      .transform((text, ctx) => {
        try {
          return JSON.parse(text) as unknown;
        } catch {
          ctx.addIssue({ code: 'custom', message: 'ICE_SERVERS must be a JSON array of RTCIceServer objects' });
          return z.NEVER;
        }
      })
      .pipe(z.array(iceServerSchema)),
    MAX_SCREEN_SHARES: z.coerce.number().int().min(1).max(16).default(1),
    // A full default meeting needs 230: 99 others' mic and camera, and 16 screen shares with their audio.
    MAX_CONSUMERS_PER_PARTICIPANT: z.coerce.number().int().min(1).max(10_000).default(250),
    // The SFU bench's single-worker video capacity on a 2-vCPU EPYC (BENCHMARKS.md) is 600-800 consumers of a
    // 110 packets/s stream; the low end, since spreading early costs only one pipe consumer per producer and worker.
    MEDIASOUP_MAX_CONSUMERS_PER_WORKER: z.coerce.number().int().min(1).max(1_000_000).default(600),
  })
  .refine((e) => e.MEDIASOUP_RTC_MIN_PORT <= e.MEDIASOUP_RTC_MAX_PORT, {
    message: 'MEDIASOUP_RTC_MIN_PORT must not exceed MEDIASOUP_RTC_MAX_PORT',
    path: ['MEDIASOUP_RTC_MIN_PORT'],
  })
  .refine((e) => !isWildcard(e.MEDIASOUP_LISTEN_IP) || e.MEDIASOUP_ANNOUNCED_ADDRESS !== undefined, {
    // A wildcard bind would put 0.0.0.0 in the ICE candidates, which no client can reach.
    message: 'MEDIASOUP_LISTEN_IP 0.0.0.0 / :: needs MEDIASOUP_ANNOUNCED_ADDRESS (the address clients reach)',
    path: ['MEDIASOUP_ANNOUNCED_ADDRESS'],
  })
  .refine(
    (e) =>
      e.MEDIASOUP_WEBRTC_SERVER_PORT === undefined ||
      e.MEDIASOUP_WEBRTC_SERVER_PORT + e.MEDIASOUP_NUM_WORKERS - 1 <= 65535,
    {
      message: 'MEDIASOUP_WEBRTC_SERVER_PORT + MEDIASOUP_NUM_WORKERS - 1 exceeds 65535',
      path: ['MEDIASOUP_WEBRTC_SERVER_PORT'],
    },
  );

function isWildcard(ip: string): boolean {
  return ip === '0.0.0.0' || ip === '::';
}

/** Parse the SFU settings from an environment; throws one readable Error listing every bad variable. */
export function loadSfuConfig(env: Record<string, string | undefined> = process.env): SfuConfig {
  // An empty value (`FOO=` in a .env file) means "use the default".
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v.trim() !== ''));
  const parsed = envSchema.safeParse(present);
  if (!parsed.success) {
    throw new Error(`Invalid media server configuration:\n${z.prettifyError(parsed.error)}`);
  }
  const e = parsed.data;
  return {
    numWorkers: e.MEDIASOUP_NUM_WORKERS,
    logLevel: e.MEDIASOUP_LOG_LEVEL,
    listenIp: e.MEDIASOUP_LISTEN_IP,
    ...(e.MEDIASOUP_ANNOUNCED_ADDRESS !== undefined && { announcedAddress: e.MEDIASOUP_ANNOUNCED_ADDRESS }),
    rtcMinPort: e.MEDIASOUP_RTC_MIN_PORT,
    rtcMaxPort: e.MEDIASOUP_RTC_MAX_PORT,
    ...(e.MEDIASOUP_WEBRTC_SERVER_PORT !== undefined && { webRtcServerPort: e.MEDIASOUP_WEBRTC_SERVER_PORT }),
    iceServers: e.ICE_SERVERS,
    maxScreenShares: e.MAX_SCREEN_SHARES,
    maxConsumersPerParticipant: e.MAX_CONSUMERS_PER_PARTICIPANT,
    maxConsumersPerWorker: e.MEDIASOUP_MAX_CONSUMERS_PER_WORKER,
  };
}
