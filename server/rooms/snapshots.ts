/** Store records → the snapshots clients receive. */
import type {
  AudienceMemberInfo,
  AudienceSettings,
  ParticipantInfo,
  RecordingState,
  RoomInfo,
} from '../../lib/protocol';
import type { LiveRecording, MeetingRecord, ParticipantRecord } from '../store/types';

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
    audience: audienceOf(m),
  };
}

/** No audience unless the meeting has one (older records have no such field). */
export const NO_AUDIENCE: Readonly<AudienceSettings> = { mode: 'off', stageLimit: 1000 };

export function audienceOf(m: Pick<MeetingRecord, 'audience'>): AudienceSettings {
  return { ...(m.audience ?? NO_AUDIENCE) };
}

export function audienceMemberInfo(p: ParticipantRecord): AudienceMemberInfo {
  return {
    participantId: p.id,
    displayName: p.displayName,
    isGuest: p.isGuest,
    joinedAt: p.joinedAt,
    handRaisedAt: p.handRaisedAt,
  };
}

export const byJoinOrder = (a: ParticipantRecord, b: ParticipantRecord) =>
  a.joinedAt - b.joinedAt || a.id.localeCompare(b.id);

/** What everyone is told about a recording (`recording-state`, `room-joined`). */
export function recordingState(r: LiveRecording | null | undefined): RecordingState {
  return { active: Boolean(r), startedAt: r?.startedAt ?? null, by: r?.by ?? null };
}
