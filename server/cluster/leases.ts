/**
 * Who owns each live room: a Redis key per room holding `<node>/<fence>`,
 * with a TTL its owner renews. Taking a room increments the room's fence, so
 * an owner that lost its lease (paused, partitioned) finds out at its next
 * renewal and stops, and everything it would still write is fenced off by the
 * owner key's value. A lease, not consensus: Redis decides who holds it.
 */
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';

/** How long a lease outlives its owner's last renewal (node death is noticed sooner, see nodes.ts). */
export const LEASE_TTL_MS = 5_000;
const RENEW_MS = 500;

export const leaseKeys = (code: string) => ({
  owner: `convene:{${code}}:owner`,
  fence: `convene:{${code}}:fence`,
  meeting: `convene:{${code}}:meeting`,
});
/** The rooms a node owns, so whoever moves a dead node's rooms can find them. */
export const nodeRoomsKey = (nodeId: string) => `convene:noderooms:${nodeId}`;

// KEYS: owner, fence, meeting, node's rooms. ARGV: node id, ttl, code, the value a
// dead owner left ('' = take only a free room). Returns {status, owner-or-fence}.
const CLAIM = `
if redis.call('EXISTS', KEYS[3]) == 0 then return {'missing', ''} end
local cur = redis.call('GET', KEYS[1])
if cur and cur ~= ARGV[4] then return {'taken', cur} end
local fence = redis.call('INCR', KEYS[2])
local value = ARGV[1] .. '/' .. fence
redis.call('SET', KEYS[1], value, 'PX', tonumber(ARGV[2]))
redis.call('SADD', KEYS[4], ARGV[3])
return {'ok', value}`;

// Renews every lease still ours (KEYS: owner keys; ARGV: ttl, then the values we hold).
// Returns, for each one not ours, its index and what is there now ('' when nothing).
const RENEW = `
local lost = {}
for i = 1, #KEYS do
  local cur = redis.call('GET', KEYS[i])
  if cur == ARGV[i + 1] then redis.call('PEXPIRE', KEYS[i], tonumber(ARGV[1]))
  else lost[#lost + 1] = i; lost[#lost + 1] = cur or '' end
end
return lost`;

const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end
redis.call('SREM', KEYS[2], ARGV[2])
return 1`;

export type Claim = { status: 'ok'; value: string } | { status: 'taken'; owner: string } | { status: 'missing' };

export const ownerOf = (value: string) => value.slice(0, value.lastIndexOf('/'));
export const fenceOf = (value: string) => Number(value.slice(value.lastIndexOf('/') + 1));

export class RoomLeases {
  /** Room code → the lease value this node holds. */
  readonly #held = new Map<string, string>();
  #timer: NodeJS.Timeout | null = null;
  #lostListeners: Array<(code: string) => void> = [];
  /** Puts a room this node still serves back into a Redis that lost it (so its lease can be taken again). */
  #restore: (code: string) => Promise<void> = () => Promise.resolve();

  constructor(
    readonly nodeId: string,
    private readonly redis: Redis,
    private readonly log: Logger,
  ) {}

  start(): void {
    this.#timer = setInterval(() => void this.#renew(), RENEW_MS);
    this.#timer.unref();
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
  }

  holds(code: string): boolean {
    return this.#held.has(code);
  }

  /** The lease value this node holds for the room (its fencing token), if any. */
  held(code: string): string | undefined {
    return this.#held.get(code);
  }

  get count(): number {
    return this.#held.size;
  }

  codes(): string[] {
    return [...this.#held.keys()];
  }

  onRestore(fn: (code: string) => Promise<void>): void {
    this.#restore = fn;
  }

  /**
   * Called whenever this node stops owning a room: released, handed over, or
   * found taken or gone at a renewal. It must stop acting for the room and
   * drop what it kept of it.
   */
  onDropped(fn: (code: string) => void): void {
    this.#lostListeners.push(fn);
  }

  #drop(code: string): void {
    this.#held.delete(code);
    for (const fn of this.#lostListeners) fn(code);
  }

  /** Takes the room if nobody holds it (or only `deadValue`, a dead owner's lease). */
  async claim(code: string, deadValue = ''): Promise<Claim> {
    const k = leaseKeys(code);
    const [status, value] = (await this.redis.eval(
      CLAIM,
      4,
      k.owner,
      k.fence,
      k.meeting,
      nodeRoomsKey(this.nodeId),
      this.nodeId,
      LEASE_TTL_MS,
      code,
      deadValue,
    )) as [string, string];
    if (status === 'missing') return { status };
    if (status === 'taken') return { status, owner: value };
    this.#held.set(code, value);
    return { status: 'ok', value };
  }

  /** The room's lease as Redis has it now (`<node>/<fence>`), or null. */
  lease(code: string): Promise<string | null> {
    return this.redis.get(leaseKeys(code).owner);
  }

  /** This node handed the room over: forget it without touching Redis (the new owner's lease replaced ours). */
  forget(code: string): void {
    if (this.#held.has(code)) this.#drop(code);
  }

  async release(code: string): Promise<void> {
    const value = this.#held.get(code);
    if (value === undefined) return;
    this.#drop(code);
    await this.redis
      .eval(RELEASE, 2, leaseKeys(code).owner, nodeRoomsKey(this.nodeId), value, code)
      .catch((err: unknown) => this.log.warn({ err: (err as Error).message, room: code }, 'lease not released'));
  }

  async #renew(): Promise<void> {
    const held = [...this.#held];
    if (!held.length) return;
    try {
      const keys = held.map(([code]) => leaseKeys(code).owner);
      const values = held.map(([, value]) => value);
      const lost = (await this.redis.eval(RENEW, keys.length, ...keys, LEASE_TTL_MS, ...values)) as Array<
        number | string
      >;
      for (let j = 0; j < lost.length; j += 2) {
        const [code, value] = held[(lost[j] as number) - 1]!;
        if (this.#held.get(code) !== value) continue;
        // Expired while Redis was away, and nobody took it: still ours, under a new fence.
        if (lost[j + 1] === '' && (await this.#reclaim(code))) continue;
        this.log.warn({ room: code, lease: value, now: lost[j + 1] }, 'room lease lost');
        this.#drop(code);
      }
    } catch (err) {
      // Redis is away: keep serving what we hold; the renewal after it returns decides.
      this.log.debug({ err: (err as Error).message }, 'lease renewal failed');
    }
  }

  async #reclaim(code: string): Promise<boolean> {
    let claim = await this.claim(code);
    if (claim.status === 'missing') {
      // Redis came back empty: the meeting is only in our memory now. Put it back, then take the lease.
      await this.#restore(code);
      claim = await this.claim(code);
    }
    if (claim.status === 'ok') this.log.info({ room: code, lease: claim.value }, 'room lease taken again');
    return claim.status === 'ok';
  }
}
