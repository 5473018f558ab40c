/**
 * Where each live room is owned, and getting an operation there. A room is
 * owned by the node holding its lease (leases.ts); a room nobody holds goes to
 * the least loaded live node. Calls for a room owned here run here; others go
 * to the owner over NodeRpc, and a call that reaches a node that no longer
 * owns the room is asked again, from the lease.
 */
import type { Logger } from 'pino';
import { ConveneError } from '../../lib/protocol';
import type { RoomLeases } from './leases';
import { ownerOf } from './leases';
import type { NodeRegistry } from './nodes';
import { NotOwner, type NodeRpc } from './rpc';

export type LocalOps = (code: string, op: string, args: unknown[]) => Promise<unknown>;

/** Operations placement itself answers (not Room's or the media's). */
const PLACE = 'cluster.place';
const ADOPT = 'cluster.adopt';
/** Operations on this node's part of a room owned elsewhere (server/sfu/leg-host.ts): served whoever owns the room. */
const LEG = 'leg.';

const ATTEMPTS = 4;

/**
 * Clean-up that only means something where the room lives now: a room nobody
 * owns has no media to close, so these never place it.
 */
const CLEANUP = new Set(['media.participantGone', 'media.end']);

export class Placement {
  /** The owner last seen for rooms owned elsewhere; dropped when it turns out stale. */
  readonly #owners = new Map<string, string>();
  #local: LocalOps = () => Promise.reject(new Error('no local operations'));
  #legs: LocalOps = () => Promise.reject(new ConveneError('MEDIA_UNAVAILABLE', 'media is disabled on this node'));
  /** This node just took a room that may have had an owner before (its media and participants need rebuilding). */
  #taken: (code: string) => void = () => undefined;

  constructor(
    readonly nodeId: string,
    private readonly leases: RoomLeases,
    private readonly nodes: NodeRegistry,
    private readonly rpc: NodeRpc,
    private readonly log: Logger,
  ) {
    rpc.serve((code, op, args) => this.#serve(code, op, args));
    leases.onDropped((code) => this.#owners.delete(code));
  }

  setLocal(fn: LocalOps): void {
    this.#local = fn;
  }

  /** Serves `leg.*` operations: this node's part of rooms owned elsewhere. */
  setLegs(fn: LocalOps): void {
    this.#legs = fn;
  }

  /**
   * Runs leg operation `op` of room `code` on node `node` (asked by the room's
   * owner). A node nobody listens for is reported unreachable and the call
   * fails with MEDIA_UNAVAILABLE.
   */
  async callLeg(node: string, code: string, op: string, args: unknown[]): Promise<unknown> {
    try {
      return await this.rpc.call(node, code, `${LEG}${op}`, args);
    } catch (err) {
      if (!(err instanceof NotOwner)) throw err;
      this.nodes.unreachable(node);
      throw new ConveneError('MEDIA_UNAVAILABLE', 'the server carrying this stream is gone');
    }
  }

  /** Called whenever this node takes a room: first placement, adoption from a dead node, or a handover. */
  onTaken(fn: (code: string) => void): void {
    this.#taken = fn;
  }

  owns(code: string): boolean {
    return this.leases.holds(code);
  }

  /** Runs `op` for the room on its owner, placing the room first if nobody owns it. */
  async call(code: string, op: string, args: unknown[]): Promise<unknown> {
    for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
      if (CLEANUP.has(op) && !(await this.#placed(code))) return undefined;
      const owner = await this.#resolve(code);
      if (owner === this.nodeId) return this.#local(code, op, args);
      try {
        return await this.rpc.call(owner, code, op, args);
      } catch (err) {
        if (!(err instanceof NotOwner)) throw err;
        this.#owners.delete(code);
        // Its node no longer listens: take the room now rather than wait for the
        // heartbeat to expire (a client resuming after the kill gets here first).
        if (err.unreachable) {
          this.nodes.unreachable(owner);
          await this.adopt(code, owner);
        }
      }
    }
    throw new ConveneError('UNAVAILABLE', 'The meeting is moving to another server; try again in a moment');
  }

  /**
   * Takes a room from `fromNode` (dead, or draining and handing it over), only
   * if its lease still names that node or nobody: true when this node has it now.
   */
  async adopt(code: string, fromNode: string): Promise<boolean> {
    if (this.leases.holds(code)) return true;
    const value = await this.leases.lease(code);
    if (value && ownerOf(value) !== fromNode) return false;
    const claim = await this.leases.claim(code, value ?? '');
    if (claim.status !== 'ok') return false;
    this.log.info({ room: code, from: fromNode, lease: claim.value }, 'room moved here');
    this.#taken(code);
    return true;
  }

  /** Asks `target` (maybe this node) to take the room from `fromNode`. */
  async moveTo(target: string, code: string, fromNode: string): Promise<boolean> {
    if (target === this.nodeId) return this.adopt(code, fromNode);
    return (await this.rpc.call(target, code, ADOPT, [fromNode])) as boolean;
  }

  /** Lets the room go if this node owns it (it emptied, or the meeting ended). */
  release(code: string): Promise<void> {
    this.#owners.delete(code);
    return this.leases.release(code);
  }

  /** Whether a live node owns the room now. */
  async #placed(code: string): Promise<boolean> {
    if (this.leases.holds(code)) return true;
    const value = await this.leases.lease(code).catch(() => null);
    return value !== null && this.nodes.isAlive(ownerOf(value));
  }

  async #resolve(code: string): Promise<string> {
    if (this.leases.holds(code)) return this.nodeId;
    const cached = this.#owners.get(code);
    if (cached && this.nodes.isAlive(cached)) return cached;
    const value = await this.leases.lease(code).catch(() => {
      throw new ConveneError('UNAVAILABLE', 'The cluster is unreachable; try again in a moment');
    });
    if (value) {
      const owner = ownerOf(value);
      if (owner === this.nodeId) return owner;
      if (await this.nodes.beating(owner)) {
        this.#owners.set(code, owner);
        return owner;
      }
      // Its owner is dead and nobody moved it yet: take it here.
      if (await this.adopt(code, owner)) return this.nodeId;
      return this.#resolve(code);
    }
    const target = this.nodes.leastLoaded();
    if (target !== this.nodeId) {
      this.nodes.placedOn(target);
      try {
        const owner = (await this.rpc.call(target, code, PLACE, [])) as string;
        this.#owners.set(code, owner);
        return owner;
      } catch (err) {
        if (err instanceof NotOwner && err.unreachable) this.nodes.unreachable(target);
        if (!(err instanceof NotOwner)) this.log.warn({ err, room: code, target }, 'placement on another node failed');
        // Fall through: this node takes it.
      }
    }
    return this.#placeHere(code);
  }

  async #placeHere(code: string): Promise<string> {
    const claim = await this.leases.claim(code);
    if (claim.status === 'missing') throw new ConveneError('ROOM_NOT_FOUND', 'No meeting has this code');
    if (claim.status === 'ok') {
      this.log.debug({ room: code, lease: claim.value }, 'room placed here');
      this.#taken(code);
      return this.nodeId;
    }
    return ownerOf(claim.owner);
  }

  async #serve(code: string, op: string, args: unknown[]): Promise<unknown> {
    if (op === PLACE) return this.leases.holds(code) ? this.nodeId : this.#placeHere(code);
    if (op === ADOPT) return this.adopt(code, args[0] as string);
    if (op.startsWith(LEG)) return this.#legs(code, op.slice(LEG.length), args);
    if (!this.leases.holds(code)) throw new NotOwner();
    return this.#local(code, op, args);
  }
}
