/** Store records as the server writes them, for store tests: every field set, any of them overridable. */
import type { MeetingRecord, ParticipantRecord } from '../../server/store/types';

const permissions = { canUnmute: true, canStartVideo: true, canShareScreen: true, canChat: true };

export function meetingRecord(code: string, overrides: Partial<MeetingRecord> = {}): MeetingRecord {
  return {
    code,
    title: 'Contract',
    createdAt: Date.now(),
    creator: 'guest:creator',
    locked: false,
    waitingRoom: 'off',
    capacity: 100,
    maxScreenShares: 1,
    permissions,
    cohosts: [],
    bans: [],
    banShield: true,
    knownGuests: [],
    lasting: { locked: false, waitingRoom: 'off', banShield: true, permissions, maxScreenShares: 1 },
    lobby: [],
    ...overrides,
  };
}

export function participantRecord(id: string, overrides: Partial<ParticipantRecord> = {}): ParticipantRecord {
  return {
    id,
    identity: `guest:${id}`,
    isGuest: true,
    displayName: `User ${id}`,
    role: 'participant',
    joinedAt: Date.now(),
    media: { audio: false, video: false, screen: false },
    node: 'node-a',
    handRaisedAt: null,
    socketId: `sock-${id}`,
    graceUntil: null,
    resumeNonce: `nonce-${id}`,
    ...overrides,
  };
}
