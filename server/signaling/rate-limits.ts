/**
 * Rate limits (rate-limiter-flexible). Per-socket buckets are always kept in
 * this process's memory: a socket lives on exactly one process, so a shared
 * store would only add a Redis round trip to every event. Budgets per IP or
 * per room over time must hold across processes, so they live in Redis when
 * REDIS_URL is set. Only the offender hears about a limit.
 * Every store here forgets a key when its window ends (memory: a timer per
 * key; Redis: the key's TTL), so the limiter's own state stays bounded.
 */
import type { Redis } from 'ioredis';
import {
  BurstyRateLimiter,
  RateLimiterMemory,
  RateLimiterRedis,
  RateLimiterRes,
  type RateLimiterAbstract,
} from 'rate-limiter-flexible';
import { ConveneError } from '../../lib/protocol';
import type { Caps, RateLimits } from '../config';
import { ConnectionCounts, MediaSlots, ipKey } from './ip-slots';
import { JoinPace } from './join-pace';

export type Bucket = Exclude<keyof RateLimits, 'unknownCode'>;

/** Whether a participant still exists, so its media slot can be reclaimed if a release was missed. */
export type ParticipantExists = (roomCode: string, participantId: string) => Promise<boolean>;

/** Room codes hold no colon, so the first one splits a slot key back apart. */
const slotKey = (roomCode: string, participantId: string) => `${roomCode}:${participantId}`;

export class RateLimiter {
  readonly #perSocket: Record<Bucket, RateLimiterMemory>;
  readonly #unknownCode: RateLimiterAbstract;
  readonly #meetings: RateLimiterAbstract;
  readonly #knocks: RateLimiterAbstract;
  readonly #roomBroadcasts: RateLimiterAbstract;
  /** Each participant's own share, spent before the room budget (see consumeRoomBroadcast). */
  readonly #memberBroadcasts: RateLimiterAbstract;
  /** One client IP's share of a meeting over its window (shared by every process). */
  readonly #ipBroadcasts: RateLimiterAbstract;
  /**
   * The same IP's pace in this process: one per 1/perSecond s, plus a burst of
   * a third of perSecond per second for senders that happen to coincide. In
   * memory on purpose: it protects this process's event loop, and a window
   * shorter than a second cannot live in Redis (its keys expire in seconds).
   */
  readonly #ipPace: BurstyRateLimiter;
  /** Typing's own half of the room budget (it spends the whole budget's points too). */
  readonly #roomTyping: RateLimiterAbstract;
  /** Flooders' IPs: this process's copy answers its own refusals without a Redis read. */
  readonly #coolingHere: RateLimiterMemory;
  readonly #coolingShared: RateLimiterAbstract | null;
  readonly #cooldownSec: number;
  readonly connections = new ConnectionCounts();
  readonly #joins: JoinPace;
  readonly #media: MediaSlots;

  constructor(limits: RateLimits, redis: Redis | null, caps: Caps, participantExists?: ParticipantExists) {
    const memory = (name: Bucket) =>
      new RateLimiterMemory({ keyPrefix: name, points: limits[name][0], duration: limits[name][1] });
    this.#perSocket = {
      join: memory('join'),
      chat: memory('chat'),
      typing: memory('typing'),
      control: memory('control'),
      react: memory('react'),
    };
    // While Redis is away a shared budget is kept per process (its insurance
    // limiter), at once rather than after a wait: the room's own node keeps
    // its participants chatting through an outage, still within limits.
    const shared = (name: string, [points, duration]: [number, number], blockDuration = 0) => {
      const local = new RateLimiterMemory({ keyPrefix: name, points, duration, blockDuration });
      return redis
        ? new RateLimiterRedis({
            storeClient: redis,
            keyPrefix: `convene:rl:${name}`,
            points,
            duration,
            blockDuration,
            useRedisPackage: false,
            rejectIfRedisNotReady: true,
            insuranceLimiter: local,
          })
        : local;
    };
    // Enumeration attempts are blocked for as long as the window, not just throttled.
    this.#unknownCode = shared('unknown-code', limits.unknownCode, limits.unknownCode[1]);
    this.#meetings = shared('meetings', caps.meetingsPerIp);
    this.#knocks = shared('knocks', caps.knocksPerIp);
    this.#roomBroadcasts = shared('room', caps.roomBroadcasts);
    this.#memberBroadcasts = shared('room-member', caps.memberBroadcasts);
    const ip = caps.ipBroadcasts;
    this.#ipBroadcasts = shared('room-ip', [ip.points, ip.seconds]);
    this.#ipPace = new BurstyRateLimiter(
      new RateLimiterMemory({ keyPrefix: 'room-ip-pace', points: 1, duration: 1 / ip.perSecond }),
      new RateLimiterMemory({ keyPrefix: 'room-ip-burst', points: Math.ceil(ip.perSecond / 3), duration: 1 }),
    );
    this.#roomTyping = shared('room-typing', [Math.ceil(caps.roomBroadcasts[0] / 2), caps.roomBroadcasts[1]]);
    this.#joins = new JoinPace(caps.joinsPerIp);
    this.#cooldownSec = caps.flood.cooldownSec;
    this.#coolingHere = new RateLimiterMemory({ keyPrefix: 'cooldown', points: 1, duration: 1 });
    this.#coolingShared = redis ? shared('cooldown', [1, 1]) : null;
    this.#media = new MediaSlots(caps.mediaParticipantsPerIp, (key) => {
      const at = key.indexOf(':');
      return participantExists ? participantExists(key.slice(0, at), key.slice(at + 1)) : Promise.resolve(true);
    });
  }

  /** Spends a point of one socket's bucket; throws RATE_LIMITED when none are left in this window. */
  async consume(bucket: Bucket, socketId: string): Promise<void> {
    await this.#perSocket[bucket].consume(socketId).catch(rethrowLimited);
  }

  /**
   * Throws RATE_LIMITED if this IP already spent its unknown-code attempts,
   * unless `knownHere` says the meeting it asks for knows the caller (its
   * creator, a remembered co-host, a participant resuming): they are not
   * guessing, and a neighbour's guessing must not lock them out.
   */
  async assertCodeLookupAllowed(ip: string, knownHere?: () => Promise<boolean>): Promise<void> {
    const res = await this.#unknownCode.get(ipKey(ip));
    if (res && res.remainingPoints <= 0 && !(await knownHere?.())) throw tooMany(res);
  }

  /** Records a lookup of a code that does not exist. */
  async recordUnknownCode(ip: string): Promise<void> {
    await this.#unknownCode.consume(ipKey(ip)).catch(ignoreLimited);
  }

  /** A meeting is being created from this IP (POST /api/rooms). */
  async consumeMeetingCreation(ip: string): Promise<void> {
    await this.#meetings.consume(ipKey(ip)).catch(limitedAs('Too many meetings created from your network'));
  }

  /**
   * Waits for a join's (or knock's) turn among its IP's joins on this process.
   * Resolves false if `wanted()` says no by then; throws RATE_LIMITED when
   * too many already wait.
   */
  joinTurn(ip: string, wanted: () => boolean): Promise<boolean> {
    return this.#joins.turn(ipKey(ip), wanted);
  }

  /** A join from this IP is turning into a knock on a waiting room. */
  async consumeKnock(ip: string): Promise<void> {
    await this.#knocks.consume(ipKey(ip)).catch(limitedAs('Too many requests to join from your network'));
  }

  /**
   * One room-wide broadcast (chat, reaction, hand) by a participant from `ip`.
   * First the sender's IP's share of the meeting, which is never exceeded:
   * however many sockets one address opens, together they broadcast no more
   * than it, paced evenly (60 sockets each with their own share sent 800
   * broadcasts per 10 s, in a burst at each window's start, and the victims'
   * chat p99 went 17× up; 30 in a burst at each second's start still showed). Then each participant's
   * first few per window come out of their own share and are never refused by
   * the room; only what a participant sends beyond it spends the room's
   * shared budget, so senders from many addresses cannot silence light ones.
   */
  async consumeRoomBroadcast(roomCode: string, ip: string, participantId: string): Promise<void> {
    const key = `${roomCode}:${ipKey(ip)}`;
    const network = limitedAs('Too many messages from your network in this meeting');
    // One after the other: what the pace refuses must not spend the window's share.
    await this.#ipPace.consume(key).catch(network);
    await this.#ipBroadcasts.consume(key).catch(network);
    const own = await this.#memberBroadcasts.consume(slotKey(roomCode, participantId)).then(
      () => true,
      (err: unknown) => {
        ignoreLimited(err);
        return false;
      },
    );
    if (!own) await this.#roomBroadcasts.consume(roomCode).catch(limitedAs('This meeting is busy'));
  }

  /**
   * The same budget for a best-effort relay (typing): whether it may go out,
   * never a refusal. It may only use the first half, so typing can never
   * leave the room without budget for chat, reactions and hands.
   */
  async tryRoomBroadcast(roomCode: string): Promise<boolean> {
    const allowed = (limiter: RateLimiterAbstract) =>
      limiter.consume(roomCode).then(
        () => true,
        (err: unknown) => {
          ignoreLimited(err);
          return false;
        },
      );
    return (await allowed(this.#roomTyping)) && allowed(this.#roomBroadcasts);
  }

  /** Refuses new connections from this IP for the cool-down (a socket from it was dropped for flooding). */
  async coolDown(ip: string): Promise<void> {
    if (this.#cooldownSec <= 0) return;
    const key = ipKey(ip);
    await this.#coolingHere.block(key, this.#cooldownSec);
    await this.#coolingShared?.block(key, this.#cooldownSec);
  }

  /** Seconds left of this IP's cool-down, 0 if none. */
  async coolingDown(ip: string): Promise<number> {
    const key = ipKey(ip);
    const res = (await this.#coolingHere.get(key)) ?? (await this.#coolingShared?.get(key)) ?? null;
    return res && res.consumedPoints > 1 ? Math.max(1, Math.ceil(res.msBeforeNext / 1000)) : 0;
  }

  /**
   * Takes a media slot for a participant from this IP (idempotent); throws
   * RATE_LIMITED when the IP already has its cap of participants with media.
   */
  async assertMediaSlot(ip: string, roomCode: string, participantId: string): Promise<void> {
    if (!(await this.#media.take(ip, slotKey(roomCode, participantId))))
      throw new ConveneError('RATE_LIMITED', 'Too many people with audio or video from your network');
  }

  /** The participant is gone: its media slot is free again. */
  releaseMediaSlot(roomCode: string, participantId: string): void {
    this.#media.release(slotKey(roomCode, participantId));
  }

  mediaSlots(ip: string): number {
    return this.#media.count(ip);
  }
}

function rethrowLimited(err: unknown): never {
  throw err instanceof RateLimiterRes ? tooMany(err) : err;
}

function ignoreLimited(err: unknown): void {
  if (!(err instanceof RateLimiterRes)) throw err;
}

function limitedAs(what: string): (err: unknown) => never {
  return (err) => {
    if (!(err instanceof RateLimiterRes)) throw err;
    throw new ConveneError('RATE_LIMITED', `${what}; retry in ${retryIn(err)} s`);
  };
}

const retryIn = (res: RateLimiterRes) => Math.max(1, Math.ceil(res.msBeforeNext / 1000));

function tooMany(res: RateLimiterRes): ConveneError {
  return new ConveneError('RATE_LIMITED', `Too many requests; retry in ${retryIn(res)} s`);
}
