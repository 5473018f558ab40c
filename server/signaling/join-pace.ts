/**
 * Joins from one client IP, paced: a burst at once, then one per interval,
 * the rest waiting their turn in a bounded queue. Each join costs the server
 * real work in the meeting it enters (`user-joined` to everyone in it,
 * `room-joined` with the chat history to the joiner): 60 sockets of one
 * address joining within half a second held a 21-person meeting's event loop
 * for ~270 ms. Queued, not refused, so an office behind one NAT that joins at
 * 10:00 is only delayed; only past the queue is a join refused.
 * In memory on purpose, like the broadcast pace: it protects this process's
 * event loop, and a turn measured in milliseconds cannot wait on Redis.
 */
import { ConveneError } from '../../lib/protocol';

export interface JoinPaceLimits {
  /** Joins per second once the burst is spent. */
  perSecond: number;
  /** Joins let through at once by an IP that has not joined for a while. */
  burst: number;
  /** Joins that may wait for their turn; one more is refused. */
  queue: number;
}

interface Waiting {
  wanted: () => boolean;
  resolve: (turn: boolean) => void;
}

/** One key's line: when its bucket is next full (GCRA's theoretical arrival time), and who waits. */
interface Line {
  tat: number;
  waiting: Waiting[];
  timer: NodeJS.Timeout | null;
}

export class JoinPace {
  readonly #lines = new Map<string, Line>();
  readonly #intervalMs: number;
  /** How far ahead of now a key's `tat` may run and a join still go at once. */
  readonly #slackMs: number;

  constructor(private readonly limits: JoinPaceLimits) {
    this.#intervalMs = 1000 / limits.perSecond;
    this.#slackMs = (Math.max(1, limits.burst) - 1) * this.#intervalMs;
  }

  /**
   * Waits for this join's turn. Resolves true when it may go ahead, false if
   * `wanted()` said no when its turn came (the socket left, the server is
   * draining): such a join spends no turn, so whoever is next goes sooner.
   * Rejects with RATE_LIMITED, having queued nothing, when the queue is full.
   */
  turn(key: string, wanted: () => boolean): Promise<boolean> {
    const line = this.#lines.get(key) ?? this.#open(key);
    const now = Date.now();
    if (!line.waiting.length && this.#spend(line, now)) {
      this.#arm(key, line, now);
      return Promise.resolve(true);
    }
    if (line.waiting.length >= this.limits.queue) {
      const waitS = Math.max(1, Math.ceil((line.waiting.length * this.#intervalMs) / 1000));
      return Promise.reject(
        new ConveneError('RATE_LIMITED', `Too many people are joining from your network at once; retry in ${waitS} s`),
      );
    }
    return new Promise((resolve) => {
      line.waiting.push({ wanted, resolve });
      this.#arm(key, line, now);
    });
  }

  /** Joins waiting from this key now. */
  waiting(key: string): number {
    return this.#lines.get(key)?.waiting.length ?? 0;
  }

  #open(key: string): Line {
    const line: Line = { tat: 0, waiting: [], timer: null };
    this.#lines.set(key, line);
    return line;
  }

  /** Takes a turn if one is free at `now`. */
  #spend(line: Line, now: number): boolean {
    if (line.tat - now > this.#slackMs) return false;
    line.tat = Math.max(line.tat, now) + this.#intervalMs;
    return true;
  }

  /**
   * One timer per line: at the next free turn while anyone waits, else when
   * the bucket is full again, to forget the key (so the map holds only IPs
   * that joined within the last burst's worth of intervals).
   */
  #arm(key: string, line: Line, now: number): void {
    if (line.timer) clearTimeout(line.timer);
    const at = line.waiting.length ? line.tat - this.#slackMs : line.tat;
    line.timer = setTimeout(() => this.#serve(key, line), Math.max(0, Math.ceil(at - now)));
    line.timer.unref();
  }

  #serve(key: string, line: Line): void {
    line.timer = null;
    const now = Date.now();
    while (line.waiting.length) {
      const head = line.waiting[0]!;
      if (!head.wanted()) {
        line.waiting.shift();
        head.resolve(false);
      } else if (this.#spend(line, now)) {
        line.waiting.shift();
        head.resolve(true);
      } else break;
    }
    if (!line.waiting.length && line.tat <= now) this.#lines.delete(key);
    else this.#arm(key, line, now);
  }
}
