/**
 * Things a client IP holds open on this process: connections, and
 * participants with media (each holds SFU ports). These are counts of live
 * resources, not budgets over time, so they are kept per process where the
 * resources are: a count in Redis would outlive a crashed process.
 */
import { isIP } from 'node:net';

/**
 * The key per-IP limits use: the address, or for IPv6 its /64, since one
 * household or host is usually given a whole /64 and can rotate within it.
 */
export function ipKey(ip: string): string {
  const address = ip.split('%')[0]!;
  if (isIP(address) !== 6) return address;
  const [head = '', tail] = address.split('::');
  const groups = (s: string) => (s ? s.split(':') : []);
  const left = groups(head);
  const right = tail === undefined ? [] : groups(tail);
  // An embedded IPv4 tail (::ffff:1.2.3.4) fills two groups.
  const v4 = right.at(-1)?.includes('.') || left.at(-1)?.includes('.') ? 1 : 0;
  const full = [...left, ...Array<string>(Math.max(0, 8 - left.length - right.length - v4)).fill('0'), ...right];
  return `${full
    .slice(0, 4)
    .map((g) => parseInt(g, 16).toString(16))
    .join(':')}::/64`;
}

/** Open connections per IP; an IP's entry is gone once its last connection closes. */
export class ConnectionCounts {
  readonly #open = new Map<string, number>();

  /** Counts one more connection; returns how many this IP now holds. */
  open(ip: string): number {
    const key = ipKey(ip);
    const n = (this.#open.get(key) ?? 0) + 1;
    this.#open.set(key, n);
    return n;
  }

  close(ip: string): void {
    const key = ipKey(ip);
    const n = (this.#open.get(key) ?? 0) - 1;
    if (n > 0) this.#open.set(key, n);
    else this.#open.delete(key);
  }

  count(ip: string): number {
    return this.#open.get(ipKey(ip)) ?? 0;
  }
}

/**
 * Participants with media per IP. A slot is taken at a participant's first
 * create-transport and given back when the participant leaves. Should a
 * release ever be missed, an IP at its cap reclaims the slots of participants
 * that no longer exist (at most once per RECHECK_MS, so a client hammering
 * create-transport at its cap does not turn each attempt into store reads).
 */
export class MediaSlots {
  static readonly RECHECK_MS = 2_000;
  readonly #byIp = new Map<string, Set<string>>();
  readonly #ipOf = new Map<string, string>();
  readonly #checkedAt = new Map<string, number>();

  constructor(
    private readonly cap: number,
    private readonly exists: (participantKey: string) => Promise<boolean>,
  ) {}

  /** Takes a slot for this participant unless it has one; false when its IP is at the cap. */
  async take(ip: string, participantKey: string): Promise<boolean> {
    if (this.#ipOf.has(participantKey)) return true;
    const key = ipKey(ip);
    const held = this.#byIp.get(key) ?? new Set<string>();
    if (held.size >= this.cap && !(await this.#reclaim(key, held))) return false;
    // Re-checked after the await: a concurrent take may have filled the slot or the cap.
    if (this.#ipOf.has(participantKey)) return true;
    if (held.size >= this.cap) return false;
    held.add(participantKey);
    this.#byIp.set(key, held);
    this.#ipOf.set(participantKey, key);
    return true;
  }

  release(participantKey: string): void {
    const key = this.#ipOf.get(participantKey);
    if (key === undefined) return;
    this.#ipOf.delete(participantKey);
    const held = this.#byIp.get(key);
    held?.delete(participantKey);
    if (!held?.size) {
      this.#byIp.delete(key);
      this.#checkedAt.delete(key);
    }
  }

  count(ip: string): number {
    return this.#byIp.get(ipKey(ip))?.size ?? 0;
  }

  async #reclaim(key: string, held: Set<string>): Promise<boolean> {
    const now = Date.now();
    if (now - (this.#checkedAt.get(key) ?? 0) < MediaSlots.RECHECK_MS) return false;
    this.#checkedAt.set(key, now);
    const alive = await Promise.all([...held].map(async (p) => [p, await this.exists(p)] as const));
    for (const [p, ok] of alive) if (!ok) this.release(p);
    return (this.#byIp.get(key)?.size ?? 0) < this.cap;
  }
}
