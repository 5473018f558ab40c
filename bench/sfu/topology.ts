/**
 * The same forwarding topology built two ways: with bare mediasoup (no
 * Convene code at all) and through Convene's Sfu/RoomMedia (what the server
 * runs). One worker, one router, one PlainTransport producer, and M consumers
 * each on its own PlainTransport (one per receiving participant). Convene also
 * over two workers: the room's receivers spread to a second router, fed by a
 * pipe (server/sfu/legs.ts).
 */
import type { types as ms } from 'mediasoup';
import { producerRtpParameters, type Profile } from './generator';

export interface Topology {
  /** The mediasoup Node package's version (its worker must be the same). */
  mediasoupVersion: string;
  workerPid: number;
  /** Every worker carrying the topology, the producer's first. */
  workerPids: number[];
  /** Where the generator sends the producer's RTP. */
  producerPort: number;
  consumers: number;
  /** Adds `count` consumers whose transports send to the sink ports (round robin); returns ms per consumer. */
  addConsumers(count: number, sinkPorts: number[]): Promise<number[]>;
  /** RTP bytes the producer's transport has received (mediasoup's own count), to tell ingress loss from egress loss. */
  ingressRtpBytes(): Promise<number>;
  /** Closes the worker (synchronous in mediasoup: its process is killed). */
  close(): void;
}

const SSRC = 0x11223344;
const RTC_PORTS = { min: 40000, max: 49999 };

/**
 * Bare mediasoup, written the way its documentation shows; the codec list matches Convene's router.
 * `pkg` is the installed `mediasoup` or an older one under an npm alias (bench/sfu/versions.ts).
 */
export async function bareTopology(profile: Profile, generatorPort: number, pkg = 'mediasoup'): Promise<Topology> {
  // mediasoup reads MEDIASOUP_WORKER_BIN when first imported; without it, it takes the worker in
  // node_modules/mediasoup, which is the installed version's: wrong for an aliased older package.
  if (pkg !== 'mediasoup' && !process.env.MEDIASOUP_WORKER_BIN)
    throw new Error(`bare topology with ${pkg}: set MEDIASOUP_WORKER_BIN to a worker of the same version`);
  // Every call below has the same shape in 3.19 as in the installed version, so one type serves both.
  const mediasoup = (await import(pkg)) as typeof import('mediasoup');
  const worker = await mediasoup.createWorker({
    logLevel: 'warn',
    rtcMinPort: RTC_PORTS.min,
    rtcMaxPort: RTC_PORTS.max,
  });
  const router = await worker.createRouter({
    mediaCodecs: [
      { kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2 },
      { kind: 'video', mimeType: 'video/VP8', clockRate: 90000, parameters: { 'x-google-start-bitrate': 1000 } },
      {
        kind: 'video',
        mimeType: 'video/VP9',
        clockRate: 90000,
        parameters: { 'profile-id': 0, 'x-google-start-bitrate': 1000 },
      },
      {
        kind: 'video',
        mimeType: 'video/H264',
        clockRate: 90000,
        parameters: {
          'packetization-mode': 1,
          'profile-level-id': '42e01f',
          'level-asymmetry-allowed': 1,
          'x-google-start-bitrate': 1000,
        },
      },
    ],
  });
  const plain = () =>
    router.createPlainTransport({ listenInfo: { protocol: 'udp', ip: '127.0.0.1' }, rtcpMux: true, comedia: false });
  const send = await plain();
  await send.connect({ ip: '127.0.0.1', port: generatorPort });
  const producer = await send.produce({
    kind: profile === 'audio' ? 'audio' : 'video',
    rtpParameters: producerRtpParameters(profile, SSRC),
  });
  const recv: ms.PlainTransport[] = [];
  return {
    mediasoupVersion: mediasoup.version,
    workerPid: worker.pid,
    workerPids: [worker.pid],
    producerPort: send.tuple.localPort,
    get consumers() {
      return recv.length;
    },
    async addConsumers(count, sinkPorts) {
      const times: number[] = [];
      for (let i = 0; i < count; i++) {
        const t0 = performance.now();
        const t = await plain();
        await t.connect({ ip: '127.0.0.1', port: sinkPorts[recv.length % sinkPorts.length]! });
        await t.consume({ producerId: producer.id, rtpCapabilities: router.rtpCapabilities });
        recv.push(t);
        times.push(performance.now() - t0);
      }
      return times;
    },
    async ingressRtpBytes() {
      return (await send.getStats())[0]?.rtpBytesReceived ?? NaN;
    },
    close() {
      worker.close();
    },
  };
}

/**
 * Convene's own path: Sfu → RoomMedia → plain transports, produce, consume, resume.
 * With `workers` 2 the per-worker cap is 1, so from the second receiver on each
 * goes to the worker with fewer consumers (the pipe counted on the producer's):
 * an even split at every M, which at M = 2 × cap is also the default cap's layout.
 */
export async function conveneTopology(profile: Profile, generatorPort: number, workers = 1): Promise<Topology> {
  const { Sfu, loadSfuConfig, loadMediasoup } = await import('../../server/sfu');
  const sfu = await Sfu.create(
    loadSfuConfig({
      MEDIASOUP_NUM_WORKERS: String(workers),
      MEDIASOUP_LOG_LEVEL: 'warn',
      ...(workers > 1 && { MEDIASOUP_MAX_CONSUMERS_PER_WORKER: '1' }),
    }),
  );
  const room = await sfu.room('bench-forwarding');
  const source = profile === 'audio' ? 'mic' : 'camera';
  const send = await room.createPlainTransport('sender', 'send');
  await send.connect({ ip: '127.0.0.1', port: generatorPort });
  const producerId = await room.produce(
    'sender',
    {
      transportId: send.id,
      kind: profile === 'audio' ? 'audio' : 'video',
      rtpParameters: producerRtpParameters(profile, SSRC),
      source,
    },
    { allowed: true },
  );
  let n = 0;
  return {
    mediasoupVersion: (await loadMediasoup()).version,
    workerPid: room.workerPid,
    workerPids: [
      room.workerPid,
      ...sfu
        .workerStats()
        .map((w) => w.pid)
        .filter((pid) => pid !== room.workerPid),
    ],
    producerPort: send.tuple.localPort,
    get consumers() {
      return n;
    },
    async addConsumers(count, sinkPorts) {
      const times: number[] = [];
      for (let i = 0; i < count; i++) {
        const t0 = performance.now();
        const who = `viewer-${n}`;
        const t = await room.createPlainTransport(who, 'recv');
        await t.connect({ ip: '127.0.0.1', port: sinkPorts[n % sinkPorts.length]! });
        const c = await room.consume(who, producerId, room.rtpCapabilities);
        await room.resumeConsumer(who, c.id);
        n++;
        times.push(performance.now() - t0);
      }
      return times;
    },
    async ingressRtpBytes() {
      return (await send.getStats())[0]?.rtpBytesReceived ?? NaN;
    },
    close() {
      sfu.close();
    },
  };
}
