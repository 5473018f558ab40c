/**
 * The client side of the signaling connection, shared by the web app and any
 * other client: typed emits that resolve with the ack, and automatic rejoin
 * (same participant, via the resume token) after a network blip.
 */
import { io, type ManagerOptions, type Socket, type SocketOptions } from 'socket.io-client';
import type {
  Ack,
  ClientEventName,
  ClientEventResults,
  ClientPayload,
  ClientToServerEvents,
  RoomJoined,
  ServerToClientEvents,
} from '../protocol';

export type MeetingSocket = Socket<ServerToClientEvents, ClientToServerEvents>;
export type ConnectionState = 'connecting' | 'connected' | 'reconnecting' | 'disconnected';

/** How many times (2 s apart) a resume refused as "still connected" is retried. */
const RESUME_RETRIES = 30;
/**
 * A resume refused as UNAVAILABLE: the meeting's node died and another is
 * adopting the room (docs/cluster.md: within about 2 s of the death), or Redis
 * is away. Asked again every 250 ms for the first 2 s, when the room is about
 * to move, then less and less often, up to every 4 s.
 */
const unavailableRetryMs = (attempt: number) => (attempt < 8 ? 250 : Math.min(4_000, 250 * 2 ** (attempt - 7)));

export class MeetingConnection {
  readonly socket: MeetingSocket;
  #joined: { roomCode: string; displayName: string; resumeToken: string } | null = null;
  #state: ConnectionState = 'connecting';
  /** Set by `server-going-away`: the next server-side close is a restart, not an ending. */
  #restartDelayMs: number | null = null;
  readonly #stateListeners = new Set<(s: ConnectionState) => void>();
  #resumeRetries = 0;
  #resuming = false;

  constructor(url: string | undefined, options: Partial<ManagerOptions & SocketOptions> = {}) {
    this.socket = url ? io(url, options) : io(options);
    this.socket.on('connect', () => void this.#onConnect());
    this.socket.on('server-going-away', ({ reconnectAfterMs }) => {
      this.#restartDelayMs = reconnectAfterMs;
    });
    this.socket.on('disconnect', (reason) => {
      if (reason === 'io server disconnect' && this.#restartDelayMs !== null) {
        // The server is restarting: come back (to any server of the deployment) and resume.
        const delay = this.#restartDelayMs;
        this.#restartDelayMs = null;
        this.#setState('reconnecting');
        setTimeout(() => this.socket.connect(), delay + Math.random() * delay);
        return;
      }
      // A server-side close (kick, end) is final; anything else is a blip the manager retries.
      this.#setState(
        reason === 'io server disconnect' || reason === 'io client disconnect' ? 'disconnected' : 'reconnecting',
      );
    });
    this.socket.on('room-joined', (data) => {
      this.#joined = {
        roomCode: data.roomCode,
        displayName: data.self.displayName,
        resumeToken: data.self.resumeToken,
      };
    });
    for (const final of ['force-disconnect', 'meeting-ended'] as const) {
      this.socket.on(final, () => {
        this.#joined = null;
        this.#restartDelayMs = null;
      });
    }
  }

  /**
   * True from a reconnect until its resume succeeded or was given up. The
   * server also sends `join-error` for each refused attempt; one that will be
   * retried is not the end of the meeting, so the UI ignores it meanwhile.
   */
  get resuming(): boolean {
    return this.#resuming;
  }

  get state(): ConnectionState {
    return this.#state;
  }

  onStateChange(fn: (s: ConnectionState) => void): () => void {
    this.#stateListeners.add(fn);
    return () => this.#stateListeners.delete(fn);
  }

  #setState(next: ConnectionState): void {
    if (next === this.#state) return;
    this.#state = next;
    for (const fn of this.#stateListeners) fn(next);
  }

  async #onConnect(): Promise<void> {
    const previous = this.#joined;
    if (!previous) return this.#setState('connected');
    this.#resuming = true;
    // Rejoin as the same participant; the others see no leave/join.
    const res = await this.request('join-room', {
      roomCode: previous.roomCode,
      displayName: previous.displayName,
      resumeToken: previous.resumeToken,
    });
    if (!res.ok && (res.error.code === 'SHUTTING_DOWN' || res.error.code === 'INTERNAL')) {
      // Reached a server that is itself draining (or busy): keep the token and try again shortly.
      setTimeout(() => void this.#onConnect(), 1_000 + Math.random() * 1_000);
      return;
    }
    if (!res.ok && res.error.code === 'JOIN_FAILED' && this.#resumeRetries < RESUME_RETRIES) {
      // Our old connection may be half-open: the server refuses to resume a participant it still
      // sees connected, until its ping timeout (about 45 s by default) notices the old one is gone.
      this.#resumeRetries++;
      const connection = this.socket.id;
      // Only while this same connection still waits to resume that same participant.
      setTimeout(() => {
        if (this.socket.connected && this.socket.id === connection && this.#joined === previous) void this.#onConnect();
      }, 2_000);
      return;
    }
    if (!res.ok && res.error.code === 'UNAVAILABLE' && this.#resumeRetries < RESUME_RETRIES) {
      const delay = unavailableRetryMs(this.#resumeRetries);
      this.#resumeRetries++;
      const connection = this.socket.id;
      setTimeout(
        () => {
          if (this.socket.connected && this.socket.id === connection && this.#joined === previous)
            void this.#onConnect();
        },
        delay / 2 + (Math.random() * delay) / 2,
      );
      return;
    }
    this.#resumeRetries = 0;
    this.#resuming = false;
    if (!res.ok) this.#joined = null;
    this.#setState('connected');
  }

  /** Emits and resolves with the ack (a timeout becomes an INTERNAL error ack). */
  request<E extends ClientEventName>(
    event: E,
    payload: ClientPayload<E>,
    timeoutMs = 10_000,
  ): Promise<Ack<ClientEventResults[E]>> {
    return new Promise((resolve) => {
      (this.socket.timeout(timeoutMs) as unknown as Socket).emit(
        event,
        payload,
        (err: Error | null, res: Ack<ClientEventResults[E]>) => {
          resolve(err ? { ok: false, error: { code: 'INTERNAL', message: 'The server did not answer in time' } } : res);
        },
      );
    });
  }

  /** Join; `media` (MediaSession.joinRequest()) has the server set up our media with the join. A rejoin after a blip asks for none: the server kept it. */
  async join(
    roomCode: string,
    displayName: string,
    media?: ClientPayload<'join-room'>['media'],
  ): Promise<Ack<ClientEventResults['join-room']>> {
    return this.request('join-room', { roomCode, displayName, ...(media && { media }) });
  }

  get joined(): Pick<RoomJoined, 'roomCode'> | null {
    return this.#joined ? { roomCode: this.#joined.roomCode } : null;
  }

  leave(): Promise<Ack<object>> {
    this.#joined = null;
    return this.request('leave-room', {});
  }

  close(): void {
    this.#joined = null;
    this.socket.disconnect();
  }
}
