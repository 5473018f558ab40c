/** Who becomes host when the host is gone: the documented order, as one pure function. */
import type { ParticipantRecord } from '../store/types';
import { byJoinOrder } from './snapshots';

/** Earliest-joined co-host, else earliest signed-in participant, else earliest participant. */
export function chooseSuccessor(rest: ParticipantRecord[]): ParticipantRecord | undefined {
  const ordered = [...rest].sort(byJoinOrder);
  return ordered.find((p) => p.role === 'cohost') ?? ordered.find((p) => !p.isGuest) ?? ordered[0];
}
