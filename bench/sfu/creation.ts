/**
 * Transport and consumer creation through Convene's own signaling:
 *   node --import tsx bench/sfu/creation.ts '<json {participants, rate}>'
 * Participants join one meeting at `rate`/s; each asks get-router-capabilities,
 * then create-transport (a WebRTC recv transport) and consume (with the
 * router's rtpCapabilities) and resume-consumer — the exact server work of a
 * browser subscribing, minus the browser. Times each ack from its send.
 */
import { encode, histogram, recordMs, summarize, type LatencySummary } from '../lib/hdr';
import { CORES, pinPid, sleep, spawnNode } from '../lib/proc';
import { emitEvent } from '../lib/rpc';
import { RawClient } from '../signaling/client';

export interface CreationRun {
  participants: number;
  rate: number;
  failed: number;
  failures: string[];
  createTransport: LatencySummary;
  consume: LatencySummary;
  transportPlusConsumer: LatencySummary;
  resumeConsumer: LatencySummary;
  /** Compressed histograms, merged across runs by the suite. */
  hdr: Record<'createTransport' | 'consume' | 'transportPlusConsumer', string>;
}

const TIMEOUT_MS = 10_000;
const o = JSON.parse(process.argv[2] ?? '{}') as { participants: number; rate: number };
const server = spawnNode('bench/sfu/media-server.ts', { core: CORES.server });
try {
  const { port, code, producerId, workerPid } = await server.nextEvent<{
    port: number;
    code: string;
    producerId: string;
    workerPid: number;
  }>('ready', 60_000);
  pinPid(workerPid, CORES.server);
  const url = `http://127.0.0.1:${port}`;
  const h = { transport: histogram(), consume: histogram(), both: histogram(), resume: histogram() };
  const failures: string[] = [];
  const clients: RawClient[] = [];
  const one = async (i: number) => {
    const c = new RawClient();
    clients.push(c);
    await c.connect(url);
    await c.request('join-room', { roomCode: code, displayName: `viewer ${i}` }, TIMEOUT_MS);
    const { rtpCapabilities } = await c.request('get-router-capabilities', {}, TIMEOUT_MS);
    const t0 = performance.now();
    await c.request('create-transport', { direction: 'recv' }, TIMEOUT_MS);
    const t1 = performance.now();
    // Opaque to the protocol: mediasoup's RtpCapabilities object, handed back as it came.
    const caps = rtpCapabilities as Record<string, unknown>;
    const consumer = await c.request('consume', { producerId, rtpCapabilities: caps }, TIMEOUT_MS);
    const t2 = performance.now();
    await c.request('resume-consumer', { consumerId: consumer.id }, TIMEOUT_MS);
    const t3 = performance.now();
    recordMs(h.transport, t1 - t0);
    recordMs(h.consume, t2 - t1);
    recordMs(h.both, t2 - t0);
    recordMs(h.resume, t3 - t2);
  };
  const jobs: Promise<void>[] = [];
  for (let i = 0; i < o.participants; i++) {
    jobs.push(one(i).catch((err: Error) => void failures.push(err.message)));
    await sleep(1000 / o.rate);
  }
  await Promise.all(jobs);
  for (const c of clients) c.close();
  emitEvent('result', {
    participants: o.participants,
    rate: o.rate,
    failed: failures.length,
    failures: failures.slice(0, 5),
    createTransport: summarize(h.transport),
    consume: summarize(h.consume),
    transportPlusConsumer: summarize(h.both),
    resumeConsumer: summarize(h.resume),
    hdr: { createTransport: encode(h.transport), consume: encode(h.consume), transportPlusConsumer: encode(h.both) },
  } satisfies CreationRun);
} finally {
  await server.kill();
}
setTimeout(() => process.exit(0), 100);
