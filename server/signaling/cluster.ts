/**
 * What a node does as a room's owner in a multi-node deployment: run the
 * operations other nodes send it, rebuild a room it takes over, and release
 * what a dead node's sockets held in its rooms. docs/cluster.md has the cases.
 */
import type { Logger } from 'pino';
import { ConveneError } from '../../lib/protocol';
import type { ClusterHooks, ClusterNode } from '../cluster';
import { invoke } from '../cluster/handles';
import type { Placement } from '../cluster/placement';
import { ROOM_OPS } from '../rooms/RoomRegistry';
import type { Sfu } from '../sfu';
import type { ParticipantRecord } from '../store/types';
import { roomChannel, type SignalingDeps } from './context';
import { announceLobbyChange } from './lobby';
import { MEDIA_OPS } from './media-bridge';
import { armGrace, type GraceTimers } from './presence';

/** Room operations after which an empty room is let go (its router closed, its lease released). */
const MAY_EMPTY = new Set(['leave', 'expire', 'kickOrBan']);

/**
 * Runs an operation for a room this node owns: Room's (`room.*`) or its
 * media's (`media.*`). `unsaved` says whether Redis still misses some of the
 * room's changes: such a room is kept (it is only in this node's memory).
 */
export function localOps(deps: SignalingDeps, placement: Placement, unsaved: (code: string) => boolean) {
  // Releasing the lease drops the room here (its copy, Room object and router: see app.ts).
  const letGo = async (code: string) => {
    if ((await deps.store.countParticipants(code)) > 0 || unsaved(code)) return;
    await placement.release(code);
  };
  return async (code: string, op: string, args: unknown[]): Promise<unknown> => {
    const [ns, ...path] = op.split('.');
    if (ns === 'room') {
      const result = await invoke(deps.rooms.local(code), path, args, ROOM_OPS);
      const name = path.join('.');
      if (name === 'end' || (MAY_EMPTY.has(name) && (result as { empty?: boolean } | null)?.empty)) await letGo(code);
      return result;
    }
    if (ns === 'media') {
      if (!deps.media) throw new ConveneError('MEDIA_UNAVAILABLE', 'Media is disabled on this server');
      return invoke(deps.media.local(code), path, args, { '': MEDIA_OPS });
    }
    throw new ConveneError('INTERNAL', `unknown operation ${op}`);
  };
}

/**
 * One meeting over several nodes: once this node's workers are at their cap,
 * a room it owns continues on other nodes (receive transports there, fed over
 * PipeTransports), and this node carries receivers of rooms owned elsewhere.
 * The leg operations travel over the same NodeRpc as every other call.
 */
export function linkMediaNodes(sfu: Sfu, cluster: ClusterNode, log: Logger): void {
  const self = cluster.nodeId;
  sfu.linkNodes(
    {
      self,
      candidates: () =>
        cluster.nodes
          .alive()
          .filter((n) => n.id !== self)
          .sort((a, b) => a.load - b.load)
          .map((n) => n.id),
      call: (node, code, op, args) => cluster.placement.callLeg(node, code, op, args),
    },
    // This node's part of a room died with its worker: the owner resets those receivers.
    (code) =>
      void cluster.placement
        .call(code, 'media.legLost', [self])
        .catch((err: unknown) => log.warn({ err, room: code }, 'could not tell the owner a media leg was lost')),
  );
  cluster.placement.setLegs((code, op, args) => sfu.serveLeg(code, op, args));
  cluster.nodes.onDead((id) => sfu.nodeGone(id));
}

export function clusterHooks(
  deps: SignalingDeps,
  grace: GraceTimers,
  placement: Placement,
  unsaved: (code: string) => boolean,
): ClusterHooks {
  const track = (what: string, code: string, work: Promise<unknown>) =>
    void deps.lifecycle.track(work).catch((err: unknown) => deps.log.error({ err, room: code }, what));
  return {
    // A room can end up owned with nobody in it and nobody knocking (e.g. it was
    // placed only to withdraw a knock): such rooms are let go.
    sweep: (codes) => {
      for (const code of codes)
        track(
          'releasing an idle room failed',
          code,
          (async () => {
            const { participants, lobby } = await deps.rooms.local(code).roster();
            if (!participants.length && !lobby.length && !unsaved(code)) await placement.release(code);
          })(),
        );
    },
    taken: (code) => track('rebuilding a moved room failed', code, rebuild(deps, grace, code)),
    nodeDead: (nodeId, codes) => {
      for (const code of codes)
        track(
          'releasing a dead node failed',
          code,
          reap(deps, grace, code, (n) => n === nodeId),
        );
    },
  };
}

/**
 * This node took a room that may have lived elsewhere: its router is gone, so
 * everyone sets media up again here; seats and knocks of dead nodes' sockets
 * are released; and grace timers armed on the old owner are armed again here.
 */
async function rebuild(deps: SignalingDeps, grace: GraceTimers, code: string): Promise<void> {
  const { participants } = await deps.rooms.local(code).roster();
  if (!participants.length) return;
  if (deps.media) await deps.media.announceReset(code);
  else deps.io.to(roomChannel(code)).emit('media-reset', {});
  await reap(deps, grace, code, (n) => !deps.isNodeAlive(n));
  for (const p of participants)
    if (p.graceUntil !== null && deps.isNodeAlive(p.node)) armGrace(deps, grace, code, p.id, p.socketId, p.graceUntil);
}

/** Participants whose socket was on a dead node are disconnected (grace, then user-left); their knocks go. */
async function reap(
  deps: SignalingDeps,
  grace: GraceTimers,
  code: string,
  dead: (node: string) => boolean,
): Promise<void> {
  const room = deps.rooms.local(code);
  const { participants, lobby } = await room.roster();
  const gone = (p: ParticipantRecord) => dead(p.node);
  for (const p of participants.filter(gone)) {
    const until = p.graceUntil ?? (await room.suspend(p.id, p.socketId));
    if (until !== null) armGrace(deps, grace, code, p.id, p.socketId, until);
  }
  for (const k of lobby.filter((e) => dead(e.node)))
    announceLobbyChange(deps, code, await room.leaveLobby(k.id, k.socketId));
  deps.log.debug({ room: code }, 'released what dead nodes held');
}
