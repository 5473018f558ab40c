/**
 * A participant emulated without a browser, for the failover and outage
 * measures. Its signaling is the web app's own MeetingConnection (socket.io-
 * client, WebSocket, the default reconnect policy, resume with the token);
 * its media follows lib/client/media-session.ts step by step, on the same
 * events: on the first room-joined, on a media-reset, and on a resume that
 * finds its producers gone, it asks get-router-capabilities, create-transport
 * (send), produce, create-transport (recv), then consume + resume-consumer for
 * every other participant's producer, and later ones on new-producer.
 *
 * What differs from a browser: after each create-transport it asks the
 * room's owner (bench/cluster/node.ts's hook, at the address the transport
 * announced) for a plain RTP transport of that direction, which replaces the
 * WebRTC one, so no ICE or DTLS handshake is run. Its "mic" is an Opus-sized
 * packet every 20 ms, carrying the sender's index and its send time.
 */
import dgram from 'node:dgram';
import { MeetingConnection } from '../../lib/client/meeting-socket';
import type { ChatMessage, ClientEventName, ClientPayload, ProducerEvent, RoomJoined } from '../../lib/protocol';
import { producerRtpParameters, PROFILES } from '../sfu/generator';
import type { PlainReply } from './node';

const MARK = Buffer.from('CVNC');
const PACKET_BYTES = 100;

/** Packets, chat messages and errors each participant reports to whoever drives it. */
export interface ParticipantSink {
  /** RTP from `sender` sent at `sentNs` (process.hrtime clock) arrived now. */
  packet(receiver: EmulatedParticipant, sender: number, sentNs: number): void;
  chat(receiver: EmulatedParticipant, message: ChatMessage): void;
  error(who: EmulatedParticipant, what: string): void;
}

export const nowNs = () => Number(process.hrtime.bigint());

export class EmulatedParticipant {
  readonly conn: MeetingConnection;
  selfId: string | null = null;
  /** The media address the room's owner announced in this participant's last create-transport. */
  ownerAddress: string | null = null;
  /** Incremented by each rebuild; work begun under an older epoch is dropped, as in MediaSession. */
  epoch = 0;
  /** When each rebuild began and ended (nowNs()). */
  rebuilds: Array<{ at: number; done: number | null; why: string }> = [];
  readonly #send = dgram.createSocket('udp4');
  #target: { ip: string; port: number } | null = null;
  #recv: { socket: dgram.Socket; epoch: number } | null = null;
  #caps: Record<string, unknown> | null = null;
  #consumed = new Set<string>();
  #queue: Promise<unknown> = Promise.resolve();
  #seq = 0;
  #closed = false;

  constructor(
    readonly index: number,
    readonly code: string,
    url: string,
    private readonly hookPort: number,
    private readonly sink: ParticipantSink,
  ) {
    this.conn = new MeetingConnection(url, { transports: ['websocket'], forceNew: true });
    const s = this.conn.socket;
    s.on('room-joined', (d: RoomJoined) => this.#later('joined', () => this.#onJoined(d)));
    s.on('new-producer', (p: ProducerEvent) => this.#later('new-producer', () => this.#consume(p, this.epoch)));
    s.on('media-reset', () => this.#later('media-reset', () => this.#rebuild(null, 'media-reset')));
    s.on('new-message', (m: ChatMessage) => sink.chat(this, m));
  }

  async bind(): Promise<void> {
    await new Promise<void>((r) => this.#send.bind(0, '127.0.0.1', () => r()));
    this.#send.on('message', () => {}); // RTCP from the SFU
  }

  async join(displayName: string): Promise<void> {
    const res = await this.conn.join(this.code, displayName);
    if (!res.ok) throw new Error(`join: ${res.error.code} ${res.error.message}`);
  }

  /** One mic packet, if media is set up (called every 20 ms by the driver). */
  tick(): void {
    if (!this.#target || this.#closed) return;
    const b = Buffer.alloc(PACKET_BYTES);
    b[0] = 0x80;
    b[1] = PROFILES.audio.payloadType;
    b.writeUInt16BE(this.#seq++ & 0xffff, 2);
    b.writeUInt32BE((this.#seq * 960) >>> 0, 4);
    b.writeUInt32BE(this.ssrc, 8);
    MARK.copy(b, 12);
    b.writeUInt32LE(this.index, 16);
    b.writeBigUInt64LE(process.hrtime.bigint(), 20);
    this.#send.send(b, this.#target.port, this.#target.ip);
  }

  get ssrc(): number {
    return 0x10000 + this.index;
  }

  get sending(): boolean {
    return this.#target !== null;
  }

  close(): void {
    this.#closed = true;
    this.#target = null;
    this.conn.close();
    this.#recv?.socket.close();
    this.#send.close();
  }

  #later(why: string, fn: () => Promise<void>): void {
    this.#queue = this.#queue
      .then(fn)
      .catch((err: unknown) => this.sink.error(this, `${why}: ${(err as Error).message}`));
  }

  async #onJoined(d: RoomJoined): Promise<void> {
    const first = this.selfId === null;
    const same = d.self.participantId === this.selfId;
    this.selfId = d.self.participantId;
    if (first) return this.#rebuild(d.producers ?? [], 'first join');
    // As MediaSession: a resume that kept our producers only consumes what is missing.
    const live = new Set((d.producers ?? []).map((p) => p.producerId));
    const lost = !this.#producerId || !live.has(this.#producerId);
    if (!d.resumed || !same || lost) return this.#rebuild(d.producers ?? [], 'resumed without media');
    for (const p of d.producers ?? []) await this.#consume(p, this.epoch);
  }

  #producerId: string | null = null;

  async #rebuild(producers: ProducerEvent[] | null, why: string): Promise<void> {
    if (this.#closed) return;
    const epoch = ++this.epoch;
    const entry = { at: nowNs(), done: null as number | null, why };
    this.rebuilds.push(entry);
    this.#target = null;
    this.#producerId = null;
    this.#consumed.clear();
    this.#recv?.socket.close();
    this.#recv = null;
    const caps = await this.#request('get-router-capabilities', {});
    this.#caps = caps.rtpCapabilities as Record<string, unknown>;
    const plain = await this.#transport('send');
    const { producerId } = await this.#request('produce', {
      transportId: plain.id,
      kind: 'audio',
      rtpParameters: producerRtpParameters('audio', this.ssrc),
      appData: { source: 'mic' },
    });
    if (epoch !== this.epoch) return;
    this.#producerId = producerId;
    this.#target = { ip: plain.ip, port: plain.port };
    for (const p of producers ?? []) await this.#consume(p, epoch);
    entry.done = nowNs();
  }

  async #consume(p: ProducerEvent, epoch: number): Promise<void> {
    if (p.participantId === this.selfId || this.#consumed.has(p.producerId) || epoch !== this.epoch) return;
    if (!this.#caps) return; // consumed by the rebuild that loads the capabilities
    this.#consumed.add(p.producerId);
    try {
      if (!this.#recv || this.#recv.epoch !== epoch) await this.#recvTransport(epoch);
      const consumer = await this.#request('consume', { producerId: p.producerId, rtpCapabilities: this.#caps });
      await this.#request('resume-consumer', { consumerId: consumer.id });
    } catch (err) {
      // As MediaSession: one producer failing leaves the others; NOT_FOUND means it closed meanwhile.
      this.#consumed.delete(p.producerId);
      if (this.#closed) return;
      if (!(err instanceof RequestError && err.code === 'NOT_FOUND')) this.sink.error(this, (err as Error).message);
    }
  }

  async #recvTransport(epoch: number): Promise<void> {
    const socket = dgram.createSocket('udp4');
    await new Promise<void>((r) => socket.bind(0, '127.0.0.1', () => r()));
    socket.on('message', (msg: Buffer) => {
      // Past the RTP header and whatever extensions the consumer adds.
      const at = msg.indexOf(MARK, 12);
      if (at < 0 || epoch !== this.epoch) return;
      this.sink.packet(this, msg.readUInt32LE(at + 4), Number(msg.readBigUInt64LE(at + 8)));
    });
    this.#recv = { socket, epoch };
    await this.#transport('recv', socket.address().port);
  }

  /** create-transport through signaling, then its plain stand-in on the owner (see the file's comment). */
  async #transport(direction: 'send' | 'recv', sinkPort?: number): Promise<PlainReply> {
    const t = await this.#request('create-transport', { direction });
    const address = (t.iceCandidates as Array<{ address: string }>)[0]?.address;
    if (!address) throw new Error('create-transport: no candidate');
    this.ownerAddress = address;
    const res = await fetch(`http://${address}:${this.hookPort}/`, {
      method: 'POST',
      body: JSON.stringify({ code: this.code, participantId: this.selfId, direction, sinkPort }),
    });
    if (!res.ok) throw new Error(`plain transport on ${address}: ${res.status} ${await res.text()}`);
    return (await res.json()) as PlainReply;
  }

  async #request<E extends ClientEventName>(event: E, payload: ClientPayload<E>) {
    const res = await this.conn.request(event, payload);
    if (!res.ok) throw new RequestError(event, res.error.code, res.error.message);
    return res;
  }
}

class RequestError extends Error {
  constructor(
    event: string,
    readonly code: string,
    message: string,
  ) {
    super(`${event}: ${code} ${message}`);
  }
}
