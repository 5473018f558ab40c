/** Creating meetings and answering public questions about them (the HTTP API's logic). */
import { ConveneError, type RoomPermissions, type RoomSettings, type RoomSummary } from '../../lib/protocol';
import { generateRoomCode } from '../../lib/room-code';
import type { Identity } from '../auth/identity';
import type { MeetingRecord, MeetingSettings, RoomStore } from '../store/types';
import { mustKnock } from './admission';

export const DEFAULT_PERMISSIONS: Readonly<RoomPermissions> = {
  canUnmute: true,
  canStartVideo: true,
  canShareScreen: true,
  canChat: true,
  audienceChat: true,
};

export class MeetingService {
  constructor(
    private readonly store: RoomStore,
    private readonly opts: { meetingTtlMs: number; roomCapacity: number; maxScreenShares: number },
  ) {}

  async create(
    creator: Identity,
    input: { title?: string | undefined; settings?: Partial<RoomSettings> | undefined },
  ): Promise<MeetingRecord> {
    for (let attempt = 0; attempt < 5; attempt++) {
      const settings: MeetingSettings = {
        locked: false,
        waitingRoom: input.settings?.waitingRoom ?? 'off',
        banShield: true,
        permissions: { ...DEFAULT_PERMISSIONS },
        maxScreenShares: input.settings?.maxScreenShares ?? this.opts.maxScreenShares,
      };
      const audience = input.settings?.audience;
      if (audience && audience.mode !== 'off') {
        const capacity = Math.min(input.settings?.capacity ?? this.opts.roomCapacity, this.opts.roomCapacity);
        settings.audience = { mode: audience.mode, stageLimit: Math.min(audience.stageLimit ?? capacity, capacity) };
      }
      const meeting: MeetingRecord = {
        code: generateRoomCode(),
        title: input.title || null,
        createdAt: Date.now(),
        // A guest creator is this guest cookie: coming back with it makes them host again.
        creator: creator.key,
        capacity: Math.min(input.settings?.capacity ?? this.opts.roomCapacity, this.opts.roomCapacity),
        ...settings,
        cohosts: [],
        bans: [],
        knownGuests: [],
        lasting: structuredClone(settings),
        lobby: [],
      };
      // 26^10 codes make a collision vanishingly rare; NX makes it harmless.
      if (await this.store.createMeeting(meeting, this.opts.meetingTtlMs)) return meeting;
    }
    throw new ConveneError('INTERNAL', 'Could not allocate a meeting code');
  }

  async isBanned(code: string, identityKey: string): Promise<boolean> {
    const meeting = await this.store.getMeeting(code);
    return Boolean(meeting?.bans.some((b) => b.identity === identityKey));
  }

  /** Public facts, plus whether the waiting room would hold `viewer` (the same rule Room.join applies). */
  async summary(code: string, viewer: Identity | null = null): Promise<RoomSummary | null> {
    const meeting = await this.store.getMeeting(code);
    if (!meeting) return null;
    const askToJoin = mustKnock(meeting, viewer);
    return {
      exists: true,
      code,
      title: meeting.title,
      locked: meeting.locked,
      participantCount: await this.store.countParticipants(code),
      askToJoin,
      // The same check Room.join makes, so a banned person learns it before clicking "Join".
      banned: Boolean(viewer && meeting.bans.some((b) => b.identity === viewer.key)),
      recording: Boolean(meeting.recording),
    };
  }
}
