/**
 * The waiting room's queue as deltas: what left it, and which knockers' places
 * changed. Hosts get `knock-added`/`knock-removed` and each knocker its own
 * place only when it changed, so a knock costs O(1) messages, not the whole list.
 */
import type { KnockRemovedReason } from '../../lib/protocol';
import type { LobbyRecord } from '../store/types';

export interface LobbyChange {
  /** Knocks that left the queue (admitted ones are finished by their own socket's process). */
  removed: LobbyRecord[];
  reason: KnockRemovedReason;
  /** Knockers to send `lobby-status` to, with their place now. */
  notify: Array<{ id: string; position: number }>;
  /** No host or co-host is in the meeting. */
  noModerator: boolean;
}

/** Ids of the knocks still waiting, in queue order. */
export const waitingIds = (lobby: LobbyRecord[]): string[] => lobby.filter((e) => !e.admitted).map((e) => e.id);

/** 1-based place in the queue among those still waiting; 0 when not waiting. */
export function waitingPosition(lobby: LobbyRecord[], id: string): number {
  return waitingIds(lobby).indexOf(id) + 1;
}

/**
 * Describes a change of the queue from `before` (waitingIds) to `after`: the
 * knockers whose place moved are told, or every knocker when whether a
 * moderator is present flipped.
 */
export function lobbyChange(
  before: string[],
  after: LobbyRecord[],
  removed: LobbyRecord[],
  reason: KnockRemovedReason,
  presence: { noModerator: boolean; flipped: boolean },
): LobbyChange | null {
  const now = waitingIds(after);
  if (!removed.length && !presence.flipped) return null;
  const was = new Map(before.map((id, i) => [id, i]));
  const notify = now
    .map((id, i) => ({ id, position: i + 1 }))
    .filter((n) => presence.flipped || was.get(n.id) !== n.position - 1);
  return { removed, reason, notify, noModerator: presence.noModerator };
}
