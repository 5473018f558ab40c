/**
 * One SFU forwarding run, in its own process (pinned with the generator and
 * sink to one core; the mediasoup worker is moved to the other):
 *   node --import tsx bench/sfu/forwarder.ts <bare|bare-old|convene|convene-2w> <video|audio> '<json options>'
 * `convene-2w` is Convene with the room over two workers: the producer's on
 * the other core, the second on this process's core, with the generator and
 * sink (a 2-core machine has no third).
 * `bare-old` is bare mediasoup from the older package `mediasoupPackage` names
 * (bench/sfu/versions.ts), with MEDIASOUP_WORKER_BIN naming a worker of that version.
 * First the floor (generator straight to the sink), then the topology with M
 * consumers stepping up until loss exceeds the limit. Prints one `result` event.
 */
import { spawn } from 'node:child_process';
import { encode, summarize } from '../lib/hdr';
import { pinPid, procCpuMs, sleep, CORES } from '../lib/proc';
import { emitEvent } from '../lib/rpc';
import { round, SelfMeter } from '../lib/stats';
import { PROFILES, RtpGenerator, nowNs, packetsPerSecond, type Profile } from './generator';
import { RtpSink, udpDrops } from './sink';
import { bareTopology, conveneTopology, type Topology } from './topology';

export interface ForwarderOptions {
  steps: number[];
  windowMs: number;
  warmMs: number;
  maxLoss: number;
  /**
   * A saturated worker queues before it drops (its socket buffers hold ~1 s of
   * stream, longer than a window), so a step also fails when the median
   * latency rises this far above the floor: the worker is not keeping up.
   */
  maxAddedP50Ms: number;
  /** bare-old: the aliased package of the older mediasoup. */
  mediasoupPackage?: string;
}

const impl = process.argv[2] as 'bare' | 'bare-old' | 'convene' | 'convene-2w';
const profile = process.argv[3] as Profile;
const o = JSON.parse(process.argv[4] ?? '{}') as ForwarderOptions;
const SATURATED = 0.9;

const sink = await RtpSink.start(4);
// The generator shares this event loop: its delay is how late packets left, which latency from the schedule includes.
const meter = new SelfMeter();
const gen = new RtpGenerator(profile, 0x11223344);
const genPort = await gen.bind();

/** Measures one window: what the generator scheduled, what the sink got, what it cost. */
async function measure(consumers: number, topology: Topology | null) {
  const start = nowNs() + 100e6;
  const end = start + o.windowMs * 1e6;
  await sink.window(start, end);
  await sleep(100);
  // mediasoup's stats first: a saturated worker answers slowly, and that wait must not fall inside the CPU window.
  const ingress0 = topology ? await topology.ingressRtpBytes() : 0;
  const drops0 = udpDrops(sink.ports);
  const workersCpu = () => topology?.workerPids.map(procCpuMs) ?? [];
  const cpu0 = {
    worker: topology ? procCpuMs(topology.workerPid) : 0,
    workers: workersCpu(),
    sink: procCpuMs(sink.pid),
    self: process.cpuUsage(),
  };
  const t0 = performance.now();
  meter.start();
  await sleep(o.windowMs);
  const loop = meter.read();
  const wall = performance.now() - t0;
  const cpu1 = {
    worker: topology ? procCpuMs(topology.workerPid) : 0,
    workers: workersCpu(),
    sink: procCpuMs(sink.pid),
    self: process.cpuUsage(cpu0.self),
  };
  const ingress1 = topology ? await topology.ingressRtpBytes() : 0;
  await sleep(300); // drain: packets of the window still in flight
  const r = await sink.report();
  const scheduled = gen.sentIn(start, end);
  const expected = scheduled * Math.max(1, consumers);
  const lat = summarize(r.latency);
  const selfShare = (cpu1.self.user + cpu1.self.system) / 1000 / wall;
  const sinkShare = (cpu1.sink - cpu0.sink) / wall;
  // Every worker's CPU: with two, the cost per packet includes the pipe's.
  const perWorkerMs = cpu1.workers.map((ms, i) => ms - cpu0.workers[i]!);
  const workerCpuMs = perWorkerMs.reduce((a, b) => a + b, 0);
  return {
    consumers,
    scheduled,
    expected,
    received: r.received,
    loss: round(Math.max(0, 1 - r.received / Math.max(1, expected)), 6),
    sinkSocketDrops: udpDrops(sink.ports) - drops0,
    sinkOutsideWindow: r.outside,
    sinkUnrecognised: r.bad,
    generatorEldP99Ms: loop.eldP99Ms,
    generatorEldMaxMs: loop.eldMaxMs,
    ingressPackets: topology ? Math.round((ingress1 - ingress0) / PROFILES[profile].bytes) : null,
    latency: lat,
    hdr: encode(r.latency),
    workerCpuShare: round(workerCpuMs / wall, 3),
    workerCpuShares: perWorkerMs.map((ms) => round(ms / wall, 3)),
    workerCpuUsPerPacket: r.received > 0 ? round((workerCpuMs * 1000) / r.received, 3) : NaN,
    generatorCpuShare: round(selfShare, 3),
    sinkCpuShare: round(sinkShare, 3),
    valid: selfShare < SATURATED && sinkShare < SATURATED,
  };
}

// The floor: the same generator and sink, no SFU in between.
gen.start({ port: sink.ports[0]! });
await sleep(200);
const floor = await measure(1, null);
gen.stop();

const barePackage = impl === 'bare-old' ? o.mediasoupPackage : 'mediasoup';
if (!barePackage) throw new Error('bare-old needs the options to name its mediasoupPackage');
const topology =
  impl === 'convene' || impl === 'convene-2w'
    ? await conveneTopology(profile, genPort, impl === 'convene-2w' ? 2 : 1)
    : await bareTopology(profile, genPort, barePackage);
const workerPinned = pinPid(topology.workerPid, CORES.server);
// A second worker shares the generator's core: on 2 cores there is no other (the ratio is bounded by it).
for (const pid of topology.workerPids.slice(1)) pinPid(pid, CORES.generator);
gen.start({ port: topology.producerPort });
const steps = [];
const creation: number[] = [];
let capacity = 0;
let capacityIsLowerBound = false;
for (const m of o.steps) {
  // Consumers are added with the stream paused: a worker near saturation would otherwise
  // answer its control channel slowly, and the bench measures forwarding, not that.
  gen.stop();
  creation.push(...(await topology.addConsumers(m - topology.consumers, sink.ports)));
  gen.start({ port: topology.producerPort });
  await sleep(o.warmMs);
  // BENCH_PERF=1: sample the worker with perf(1) during the window, to explain its per-packet cost.
  const perf =
    process.env.BENCH_PERF === '1'
      ? spawn(
          'perf',
          [
            'record',
            '-F',
            '999',
            '-g',
            '-p',
            String(topology.workerPid),
            '-o',
            `/tmp/convene-bench-worker-${impl}-${m}.perf`,
            '--',
            'sleep',
            String(o.windowMs / 1000),
          ],
          { stdio: 'ignore' },
        )
      : null;
  const measured = await measure(m, topology);
  if (perf) await new Promise((r) => (perf.exitCode !== null ? r(null) : perf.once('exit', r)));
  const step = {
    ...measured,
    addedP50Ms: round(measured.latency.p50 - floor.latency.p50, 3),
    addedP99Ms: round(measured.latency.p99 - floor.latency.p99, 3),
  };
  steps.push(step);
  process.stderr.write(
    `  ${impl} ${profile} M=${m}: loss ${(step.loss * 100).toFixed(3)}%, latency p50/p99 ${step.latency.p50}/${step.latency.p99} ms, ` +
      `worker CPU ${step.workerCpuShares.map((s) => `${Math.round(s * 100)}%`).join(' + ')} (${step.workerCpuUsPerPacket} us/pkt), ` +
      `generator ${Math.round(step.generatorCpuShare * 100)}%, sink ${Math.round(step.sinkCpuShare * 100)}%` +
      `${step.valid ? '' : ' INVALID (generator or sink saturated)'}\n`,
  );
  if (!step.valid) {
    capacityIsLowerBound = true;
    break;
  }
  const keepingUp = step.addedP50Ms <= o.maxAddedP50Ms;
  if (step.loss > o.maxLoss || !keepingUp) break;
  capacity = m;
  if (m === o.steps.at(-1)) capacityIsLowerBound = true;
}
gen.close();
sink.close();
topology.close();
creation.sort((a, b) => a - b);
emitEvent('result', {
  impl,
  profile,
  mediasoupVersion: topology.mediasoupVersion,
  packetsPerSecond: packetsPerSecond(profile),
  workerPinned,
  floor: { latency: floor.latency, hdr: floor.hdr, received: floor.received, expected: floor.expected },
  capacity,
  capacityIsLowerBound,
  steps,
  directCreateMs: {
    p50: round(creation[Math.floor(creation.length * 0.5)] ?? NaN, 3),
    p99: round(creation[Math.floor(creation.length * 0.99)] ?? NaN, 3),
  },
});
setTimeout(() => process.exit(0), 100);
