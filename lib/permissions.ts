/**
 * The one role × action table. The server's `Room.assertCan` and the UI's
 * "may I?" helpers both answer from here, so they cannot disagree.
 */
import type { MediaSourceName, RoomPermissions } from './protocol/schemas';

/**
 * `audience`: watches the stage (receives its media and chat) but sends no
 * media and is not listed one by one; a host or co-host promotes them.
 */
export const ROLES = ['host', 'cohost', 'participant', 'audience'] as const;
export type Role = (typeof ROLES)[number];

export const HOST_ACTIONS = [
  'kick',
  'ban',
  'unban',
  'view-bans',
  'mute',
  'mute-all',
  'stop-screen-share',
  'request-unmute',
  'set-permissions',
  'lock-room',
  'set-waiting-room',
  'set-ban-shield',
  'admit',
  'deny',
  'lower-hand',
  'set-role',
  'transfer-host',
  'end-meeting',
  /** Someone else's chat message, for everyone (anyone may delete their own). */
  'delete-message',
  'pin-message',
  /** Turn the audience on or off, or change its stage limit. */
  'set-audience',
  /** Page through the audience (and its raised hands). */
  'view-audience',
  /** Bring an audience member onto the stage. */
  'promote',
  /** Send a stage member to the audience (their producers close). */
  'demote',
  /** Show one participant large for everyone (a client's own pin is not an action: it changes nothing for others). */
  'spotlight',
  /** Start or stop recording the meeting (everyone is told; see server/recording). */
  'start-recording',
  'stop-recording',
  /** List and download the meeting's recordings (HTTP, server/http/recordings.ts). */
  'view-recordings',
  /** Delete one of the meeting's recordings and its files. */
  'delete-recording',
] as const;
export type HostAction = (typeof HOST_ACTIONS)[number];

const HOST_ONLY: ReadonlySet<HostAction> = new Set(['set-role', 'transfer-host', 'end-meeting', 'delete-recording']);

export const PERMISSION_TABLE: Readonly<Record<Role, ReadonlySet<HostAction>>> = {
  host: new Set(HOST_ACTIONS),
  cohost: new Set(HOST_ACTIONS.filter((a) => !HOST_ONLY.has(a))),
  participant: new Set(),
  audience: new Set(),
};

export function can(role: Role, action: HostAction): boolean {
  return PERMISSION_TABLE[role].has(action);
}

const RANK: Record<Role, number> = { host: 2, cohost: 1, participant: 0, audience: -1 };

/**
 * Whether an actor may aim a host action at a target of the given role: the
 * host at anyone else, a co-host only at plain participants. This is what
 * stops a co-host (or Jitsi's everyone-is-moderator default) removing the host.
 */
export function canTarget(actor: Role, target: Role): boolean {
  return actor === 'host' || RANK[actor] > RANK[target];
}

export function isModerator(role: Role): boolean {
  return role === 'host' || role === 'cohost';
}

export function isAudience(role: Role): boolean {
  return role === 'audience';
}

/** The room-wide switches that decide who may send media. */
export type PublishPermissions = Pick<RoomPermissions, 'canUnmute' | 'canStartVideo' | 'canShareScreen'>;

const SOURCE_PERMISSION = {
  mic: 'canUnmute',
  camera: 'canStartVideo',
  screen: 'canShareScreen',
  'screen-audio': 'canShareScreen',
} as const satisfies Record<MediaSourceName, keyof PublishPermissions>;

/**
 * Whether someone of this role may send (or resume) this source under the
 * room's permissions. The audience never may, whatever the switches say.
 */
export function canPublish(role: Role, permissions: PublishPermissions, source: MediaSourceName): boolean {
  if (isAudience(role)) return false;
  return isModerator(role) || permissions[SOURCE_PERMISSION[source]];
}

/** Whether someone of this role may send chat under the room's permissions (`audienceChat` absent: allowed). */
export function canChat(role: Role, permissions: Pick<RoomPermissions, 'canChat' | 'audienceChat'>): boolean {
  if (isModerator(role)) return true;
  return permissions.canChat && (!isAudience(role) || permissions.audienceChat !== false);
}

/**
 * Whether a private message may go from one role to another: between the
 * stage and the audience either way (as a webinar's attendees write to its
 * hosts and panelists, and get an answer), but not from one audience member
 * to another: thousands of strangers writing to each other out of the hosts'
 * sight.
 */
export function canMessagePrivately(from: Role, to: Role): boolean {
  return !(isAudience(from) && isAudience(to));
}
