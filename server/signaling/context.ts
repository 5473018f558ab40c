/** What every signaling feature gets: the io server, the rooms, and the services around them. */
import type { Logger } from 'pino';
import type { Server, Socket } from 'socket.io';
import type { ClientToServerEvents, ServerToClientEvents } from '../../lib/protocol';
import type { Identity, IdentityService } from '../auth/identity';
import type { ServerConfig } from '../config';
import type { Metrics } from '../metrics';
import type { RoomRegistry } from '../rooms/RoomRegistry';
import type { RoomStore } from '../store/types';
import type { MediaBridge } from './media-bridge';
import type { RateLimiter } from './rate-limits';

export interface SocketData {
  identity: Identity;
  /** Set when the handshake used a join token: the token only opens that one meeting. */
  tokenRoom: string | null;
  ip: string;
  membership: { roomCode: string; participantId: string } | null;
  /** Set while this socket waits in a waiting room. */
  knock: { roomCode: string; knockId: string; displayName: string } | null;
  joining: boolean;
  lastTyping: { active: boolean; at: number } | null;
  /** Refusals (rate-limited, invalid, unknown event) in the current flood window. */
  refusals: { count: number; since: number };
  /** Set once the server drops this socket for flooding: nothing it still sends is answered. */
  dropped: boolean;
}

/**
 * Server-to-server events (Socket.IO's serverSideEmit over the Redis adapter):
 * only what needs a socket's own process, whose socket.data no other process can touch.
 */
export interface InterServerEvents {
  /** A host admitted this knock; the knocker's process finishes the join. */
  'knock-admitted': (roomCode: string, knockId: string, socketId: string) => void;
}

export type IoServer = Server<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;
export type IoSocket = Socket<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;

export interface SignalingDeps {
  io: IoServer;
  rooms: RoomRegistry;
  /** Read-only here: room state changes go through Room. */
  store: RoomStore;
  identity: IdentityService;
  limits: RateLimiter;
  config: ServerConfig;
  metrics: Metrics;
  log: Logger;
  lifecycle: Lifecycle;
  /** Null when the server runs without an SFU (signaling-only tests). */
  media: MediaBridge | null;
  /** This node's id: participants' records name the node that holds their socket. */
  nodeId: string;
  /** Whether a node is alive (always, in a single process). */
  isNodeAlive: (nodeId: string) => boolean;
}

/** Tracks in-flight work so shutdown can wait for it; refuses new joins once draining. */
export class Lifecycle {
  #draining = false;
  readonly #inflight = new Set<Promise<unknown>>();

  get draining(): boolean {
    return this.#draining;
  }

  startDraining(): void {
    this.#draining = true;
  }

  track<T>(work: Promise<T>): Promise<T> {
    this.#inflight.add(work);
    void work.then(
      () => this.#inflight.delete(work),
      () => this.#inflight.delete(work),
    );
    return work;
  }

  async settled(): Promise<void> {
    while (this.#inflight.size) await Promise.allSettled([...this.#inflight]);
  }
}

/** Socket.IO room names: every participant of a meeting, and one participant (whichever socket is theirs now). */
export const roomChannel = (code: string) => `room:${code}`;
export const participantChannel = (code: string, participantId: string) => `p:${code}:${participantId}`;
/** A meeting's stage (everyone not in its audience), and its audience: an audience member is in roomChannel too. */
export const stageChannel = (code: string) => `stage:${code}`;
export const audienceChannel = (code: string) => `audience:${code}`;
/** Hosts and co-hosts of a meeting (they see the waiting room and bans). */
export const moderatorChannel = (code: string) => `mods:${code}`;
/** Everyone waiting in a meeting's waiting room, and one knock. */
export const lobbyChannel = (code: string) => `lobby:${code}`;
export const knockChannel = (code: string, knockId: string) => `knock:${code}:${knockId}`;
