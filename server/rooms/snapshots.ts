/** Store records → the snapshots clients receive. */
import type { ParticipantInfo, RoomInfo } from '../../lib/protocol';
import type { MeetingRecord, ParticipantRecord } from '../store/types';

export function participantInfo(p: ParticipantRecord): ParticipantInfo {
  return {
    participantId: p.id,
    displayName: p.displayName,
    role: p.role,
    isGuest: p.isGuest,
    joinedAt: p.joinedAt,
    media: { ...p.media },
    handRaisedAt: p.handRaisedAt,
  };
}

export function roomInfo(m: MeetingRecord): RoomInfo {
  return {
    title: m.title,
    locked: m.locked,
    waitingRoom: m.waitingRoom,
    permissions: { ...m.permissions },
    capacity: m.capacity,
    maxScreenShares: m.maxScreenShares,
    banShield: m.banShield,
  };
}

export const byJoinOrder = (a: ParticipantRecord, b: ParticipantRecord) =>
  a.joinedAt - b.joinedAt || a.id.localeCompare(b.id);
