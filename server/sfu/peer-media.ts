import { ConveneError } from '../../lib/protocol/errors';
import type { Consumer, MediaSourceName, Producer, Transport, TransportDirection } from './types';

/**
 * One participant's media inside a room: at most one transport per direction,
 * its producers (one per source) and its consumers. Plain maps with no
 * behaviour beyond lookups; RoomMedia does every state change, so ownership
 * and events live in one place.
 */
export class PeerMedia {
  readonly transports = new Map<string, Transport>();
  readonly producers = new Map<string, Producer>();
  readonly consumers = new Map<string, Consumer>();
  /** A receive transport on another node (remote-legs.ts) instead of one here, and the consumers on it. */
  remoteRecv: { node: string; transportId: string } | null = null;
  readonly remoteConsumers = new Set<string>();
  /** Consumes awaiting mediasoup; they count toward the consumer cap. */
  pendingConsumers = 0;
  #closed = false;

  constructor(readonly participantId: string) {}

  /** True once the participant left or the room's router went away; awaits check it before committing. */
  get closed(): boolean {
    return this.#closed;
  }

  transportFor(direction: TransportDirection): Transport | undefined {
    for (const t of this.transports.values()) if (t.appData.direction === direction) return t;
    return undefined;
  }

  producerFor(source: MediaSourceName): Producer | undefined {
    for (const p of this.producers.values()) if (p.appData.source === source) return p;
    return undefined;
  }

  isSharing(): boolean {
    for (const p of this.producers.values()) if (isShareSource(p.appData.source)) return true;
    return false;
  }

  /**
   * Close every transport (mediasoup closes their producers and consumers).
   * Callers close producers first when others must be told.
   */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const t of [...this.transports.values()]) t.close();
    this.transports.clear();
    this.producers.clear();
    this.consumers.clear();
    this.remoteConsumers.clear();
  }
}

export function isShareSource(source: MediaSourceName): boolean {
  return source === 'screen' || source === 'screen-audio';
}

/** The media kind each source must carry. */
export function kindOf(source: MediaSourceName): 'audio' | 'video' {
  return source === 'mic' || source === 'screen-audio' ? 'audio' : 'video';
}

type Entity = 'transport' | 'producer' | 'consumer';
const MAPS = { transport: 'transports', producer: 'producers', consumer: 'consumers' } as const;

/**
 * The room's participants with media, and the lookups that enforce ownership.
 * Also tracks screen-share produces still in flight so that two concurrent
 * shares cannot both pass the share limit.
 */
export class Peers {
  readonly #peers = new Map<string, PeerMedia>();
  readonly #pendingShares = new Map<string, number>();

  get size(): number {
    return this.#peers.size;
  }

  get(participantId: string): PeerMedia | undefined {
    return this.#peers.get(participantId);
  }

  getOrCreate(participantId: string): PeerMedia {
    let peer = this.#peers.get(participantId);
    if (!peer) this.#peers.set(participantId, (peer = new PeerMedia(participantId)));
    return peer;
  }

  /** Remove the participant (the caller closes it). */
  take(participantId: string): PeerMedia | undefined {
    const peer = this.#peers.get(participantId);
    this.#peers.delete(participantId);
    this.#pendingShares.delete(participantId);
    return peer;
  }

  /** Close and forget everyone (room closed or its router lost). */
  dropAll(): void {
    for (const peer of this.#peers.values()) peer.close();
    this.#peers.clear();
    this.#pendingShares.clear();
  }

  values(): IterableIterator<PeerMedia> {
    return this.#peers.values();
  }

  /** The participant's own entity: FORBIDDEN if it belongs to someone else, NOT_FOUND if nobody has it. */
  own(participantId: string, entity: 'transport', id: string): Transport;
  own(participantId: string, entity: 'producer', id: string): Producer;
  own(participantId: string, entity: 'consumer', id: string): Consumer;
  own(participantId: string, entity: Entity, id: string): Transport | Producer | Consumer {
    const mine = this.#peers.get(participantId)?.[MAPS[entity]].get(id);
    if (mine) return mine;
    for (const peer of this.#peers.values()) {
      if (peer[MAPS[entity]].has(id))
        throw new ConveneError('FORBIDDEN', `that ${entity} belongs to another participant`);
    }
    throw new ConveneError('NOT_FOUND', `no such ${entity}`);
  }

  findProducer(producerId: string): Producer | undefined {
    for (const peer of this.#peers.values()) {
      const p = peer.producers.get(producerId);
      if (p) return p;
    }
    return undefined;
  }

  /** Participants other than this one who share, or are about to. */
  sharersOtherThan(participantId: string): number {
    let n = 0;
    for (const peer of this.#peers.values()) {
      if (peer.participantId !== participantId && (peer.isSharing() || this.#pendingShares.has(peer.participantId)))
        n++;
    }
    return n;
  }

  /** Hold a share slot while a screen produce is awaited; returns its release function. */
  reserveShare(participantId: string): () => void {
    this.#pendingShares.set(participantId, (this.#pendingShares.get(participantId) ?? 0) + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const n = (this.#pendingShares.get(participantId) ?? 1) - 1;
      if (n > 0) this.#pendingShares.set(participantId, n);
      else this.#pendingShares.delete(participantId);
    };
  }
}
