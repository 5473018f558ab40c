'use client';
import { can, type Role } from '@/lib/permissions';
import {
  AUDIENCE_MODES,
  WAITING_ROOM_MODES,
  type AudienceMode,
  type BanInfo,
  type RoomInfo,
  type RoomPermissions,
  type WaitingRoomMode,
} from '@/lib/protocol';
import styles from './meeting.module.css';

export interface HostControlsProps {
  role: Role;
  room: RoomInfo;
  bans: BanInfo[];
  onMuteAll: (kind: 'audio' | 'video') => void;
  onUnban: (identityId: string) => void;
  onLock: (locked: boolean) => void;
  onWaitingRoom: (mode: WaitingRoomMode) => void;
  onBanShield: (enabled: boolean) => void;
  onPermission: (key: keyof RoomPermissions, value: boolean) => void;
  /** Who joins the audience from now on (`stageLimit` in `overflow` mode). */
  onAudience: (mode: AudienceMode, stageLimit?: number) => void;
  onEndMeeting: () => void;
}

const AUDIENCE_LABELS: Record<AudienceMode, string> = {
  off: 'None: everyone on stage',
  overflow: 'Past a number on stage',
  invited: 'Everyone not invited to speak',
};

const WAITING_ROOM_LABELS: Record<WaitingRoomMode, string> = {
  off: 'Off',
  guests: 'Guests wait',
  everyone: 'Everyone waits',
};

const PERMISSION_LABELS: Array<[keyof RoomPermissions, string]> = [
  ['canChat', 'Send chat messages'],
  ['canShareScreen', 'Share their screen'],
  ['canUnmute', 'Turn on their microphone'],
  ['canStartVideo', 'Turn on their camera'],
  ['audienceChat', 'Chat from the audience'],
];

/** What the host is told before banning: what a ban of this person can and cannot stop. */
export function banWarning(isGuest: boolean, banShield: boolean): string {
  if (!isGuest) return 'They leave now and cannot rejoin this meeting with this account unless a host unbans them.';
  return (
    'They leave now. A guest ban stops this browser only: with cleared cookies or another browser they are a new guest. ' +
    (banShield
      ? 'While the ban shield is on, new guests must ask to join, so you will see them knock.'
      : 'The ban shield is off, so a new guest can walk straight in.')
  );
}

/** Whether this role has any room-wide switch, i.e. whether the host controls panel exists for it. */
export function hasHostControls(role: Role): boolean {
  return can(role, 'lock-room') || can(role, 'mute-all') || can(role, 'end-meeting');
}

/** Room-wide switches for hosts and co-hosts; each shows only if the table allows it. */
export function HostControls(p: HostControlsProps) {
  if (!hasHostControls(p.role)) return null;
  return (
    <section className={styles.panelSection} aria-labelledby="host-controls-heading" data-testid="host-controls">
      <h2 id="host-controls-heading">Host controls</h2>
      {can(p.role, 'mute-all') && (
        <div className={styles.rowActions}>
          <button type="button" className="secondary" onClick={() => p.onMuteAll('audio')}>
            Mute all
          </button>
          <button type="button" className="secondary" onClick={() => p.onMuteAll('video')}>
            Stop all video
          </button>
        </div>
      )}
      {can(p.role, 'lock-room') && (
        <label className={styles.check}>
          <input type="checkbox" checked={p.room.locked} onChange={(e) => p.onLock(e.target.checked)} /> Lock meeting
        </label>
      )}
      {can(p.role, 'set-waiting-room') && (
        <label className={styles.field}>
          Waiting room
          <select value={p.room.waitingRoom} onChange={(e) => p.onWaitingRoom(e.target.value as WaitingRoomMode)}>
            {WAITING_ROOM_MODES.map((mode) => (
              <option key={mode} value={mode}>
                {WAITING_ROOM_LABELS[mode]}
              </option>
            ))}
          </select>
        </label>
      )}
      {can(p.role, 'set-audience') && (
        <div className={styles.rowActions}>
          <label className={styles.field}>
            Audience
            <select
              value={p.room.audience.mode}
              onChange={(e) => p.onAudience(e.target.value as AudienceMode)}
              data-testid="audience-mode"
            >
              {AUDIENCE_MODES.map((mode) => (
                <option key={mode} value={mode}>
                  {AUDIENCE_LABELS[mode]}
                </option>
              ))}
            </select>
          </label>
          {p.room.audience.mode === 'overflow' && (
            <label className={styles.field}>
              On stage at most
              <input
                type="number"
                min={1}
                max={p.room.capacity}
                defaultValue={p.room.audience.stageLimit}
                key={p.room.audience.stageLimit}
                onBlur={(e) => {
                  const limit = Math.round(Number(e.target.value));
                  if (limit >= 1 && limit !== p.room.audience.stageLimit) p.onAudience('overflow', limit);
                }}
              />
            </label>
          )}
        </div>
      )}
      {can(p.role, 'set-ban-shield') && (
        <label className={styles.check} title="After a ban, guests new to this meeting must ask to join">
          <input type="checkbox" checked={p.room.banShield} onChange={(e) => p.onBanShield(e.target.checked)} /> Ban
          shield: after a ban, new guests ask to join
        </label>
      )}
      {can(p.role, 'set-permissions') && (
        <fieldset className={styles.fieldset}>
          <legend>Participants may</legend>
          {PERMISSION_LABELS.map(([key, label]) => (
            <label key={key} className={styles.check}>
              <input
                type="checkbox"
                checked={p.room.permissions[key] ?? true}
                onChange={(e) => p.onPermission(key, e.target.checked)}
              />{' '}
              {label}
            </label>
          ))}
        </fieldset>
      )}
      {can(p.role, 'view-bans') && (
        <div className={styles.panelSection} data-testid="bans">
          <h3>Banned ({p.bans.length})</h3>
          {p.bans.length === 0 ? (
            <p className={styles.muted}>No one is banned</p>
          ) : (
            <ul className={styles.bans}>
              {p.bans.map((b) => (
                <li key={b.identityId}>
                  <span className={styles.personName}>
                    {b.displayName}
                    {b.isGuest && <span className={styles.role}> guest</span>}
                  </span>
                  {can(p.role, 'unban') && (
                    <button
                      type="button"
                      className={`secondary ${styles.small}`}
                      onClick={() => p.onUnban(b.identityId)}
                      aria-label={`Unban ${b.displayName}`}
                    >
                      Unban
                    </button>
                  )}
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
      {can(p.role, 'end-meeting') && (
        <button type="button" className={styles.leave} onClick={p.onEndMeeting}>
          End meeting for all
        </button>
      )}
    </section>
  );
}
