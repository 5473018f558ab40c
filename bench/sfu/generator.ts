/**
 * The RTP generator: one stream, open loop, each packet carrying its
 * *scheduled* send time (CLOCK_MONOTONIC ns, the clock the C sink reads).
 * video: 30 frames/s of 4, 4, 3 packets (110 packets/s) of 1,200 B, VP8 with
 * every frame a keyframe so a consumer added at any time starts at once;
 * audio: Opus-like, 50 packets/s of 100 B.
 */
import dgram from 'node:dgram';

export type Profile = 'video' | 'audio';

export const PROFILES = {
  video: {
    payloadType: 96,
    clockRate: 90_000,
    frameMs: 1000 / 30,
    packetsPerFrame: [4, 4, 3],
    bytes: 1200,
    mimeType: 'video/VP8',
  },
  audio: { payloadType: 101, clockRate: 48_000, frameMs: 20, packetsPerFrame: [1], bytes: 100, mimeType: 'audio/opus' },
} as const;

export const packetsPerSecond = (p: Profile) => {
  const prof = PROFILES[p];
  const perCycle = prof.packetsPerFrame.reduce((a, b) => a + b, 0);
  return (perCycle / prof.packetsPerFrame.length) * (1000 / prof.frameMs);
};

export const nowNs = () => Number(process.hrtime.bigint());

/** RTP parameters a producer of this profile is created with. */
export function producerRtpParameters(profile: Profile, ssrc: number) {
  const p = PROFILES[profile];
  return {
    codecs: [
      profile === 'audio'
        ? { mimeType: p.mimeType, payloadType: p.payloadType, clockRate: p.clockRate, channels: 2 }
        : { mimeType: p.mimeType, payloadType: p.payloadType, clockRate: p.clockRate },
    ],
    encodings: [{ ssrc }],
  };
}

const VP8_KEYFRAME_HEADER = Buffer.from([0x10, 0x00, 0x00, 0x9d, 0x01, 0x2a, 0x80, 0x02, 0xe0, 0x01]); // 640x480

export class RtpGenerator {
  readonly #socket = dgram.createSocket('udp4');
  readonly #frames: number[] = []; // scheduled ns of every frame sent, for counting packets per window
  #timer: NodeJS.Timeout | null = null;
  #seq = 0;
  #frame = 0;
  #t0 = 0;
  target: { port: number } | null = null;

  constructor(
    readonly profile: Profile,
    readonly ssrc: number,
  ) {}

  async bind(): Promise<number> {
    await new Promise<void>((r) => this.#socket.bind(0, '127.0.0.1', () => r()));
    this.#socket.on('message', () => {}); // RTCP from the SFU: read and ignored
    return this.#socket.address().port;
  }

  start(target: { port: number }): void {
    this.target = target;
    if (this.#timer) return;
    // Frame numbers continue across stop/start, so the schedule has no gap to account for.
    this.#t0 = nowNs() - this.#frame * PROFILES[this.profile].frameMs * 1e6;
    this.#tick();
  }

  stop(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
  }

  close(): void {
    this.stop();
    this.#socket.close();
  }

  /** Packets this generator scheduled in [startNs, endNs). */
  sentIn(startNs: number, endNs: number): number {
    const p = PROFILES[this.profile];
    let n = 0;
    for (const [i, t] of this.#frames.entries()) {
      if (t >= startNs && t < endNs) n += p.packetsPerFrame[i % p.packetsPerFrame.length]!;
    }
    return n;
  }

  #tick(): void {
    const p = PROFILES[this.profile];
    const frameNs = p.frameMs * 1e6;
    const now = nowNs();
    // Open loop: every frame whose time has come is sent, stamped with its scheduled time.
    while (this.#t0 + this.#frame * frameNs <= now) {
      const sched = this.#t0 + this.#frame * frameNs;
      const count = p.packetsPerFrame[this.#frame % p.packetsPerFrame.length]!;
      for (let k = 0; k < count; k++) this.#send(sched, k === 0, k === count - 1);
      this.#frames[this.#frame] = sched;
      this.#frame++;
    }
    const next = this.#t0 + this.#frame * frameNs;
    this.#timer = setTimeout(() => this.#tick(), Math.max(0, (next - nowNs()) / 1e6));
  }

  #send(schedNs: number, first: boolean, last: boolean): void {
    const p = PROFILES[this.profile];
    const b = Buffer.alloc(p.bytes);
    b[0] = 0x80;
    b[1] = (last ? 0x80 : 0) | p.payloadType;
    b.writeUInt16BE(this.#seq++ & 0xffff, 2);
    b.writeUInt32BE(Math.floor((this.#frame * p.frameMs * p.clockRate) / 1000) >>> 0, 4);
    b.writeUInt32BE(this.ssrc >>> 0, 8);
    let off = 12;
    if (this.profile === 'video') {
      b[off++] = first ? 0x10 : 0x00; // VP8 payload descriptor: S bit on a frame's first packet
      if (first) off += VP8_KEYFRAME_HEADER.copy(b, off);
    }
    b.write('CVNB', off, 'latin1');
    b.writeUInt32LE(this.#seq, off + 4);
    b.writeBigUInt64LE(BigInt(Math.round(schedNs)), off + 8);
    if (this.target) this.#socket.send(b, this.target.port, '127.0.0.1');
  }
}
