'use client';
import { useTranslations } from 'use-intl';
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

/** The words (in `host`) of each choice and switch. */
const AUDIENCE_LABELS = {
  off: 'audienceOff',
  overflow: 'audienceOverflow',
  invited: 'audienceInvited',
} as const satisfies Record<AudienceMode, string>;

const WAITING_ROOM_LABELS = {
  off: 'waitingOff',
  guests: 'waitingGuests',
  everyone: 'waitingEveryone',
} as const satisfies Record<WaitingRoomMode, string>;

const PERMISSION_LABELS = [
  ['canChat', 'canChat'],
  ['canShareScreen', 'canShareScreen'],
  ['canUnmute', 'canUnmute'],
  ['canStartVideo', 'canStartVideo'],
  ['audienceChat', 'audienceChat'],
] as const satisfies ReadonlyArray<readonly [keyof RoomPermissions, string]>;

/** Whether this role has any room-wide switch, i.e. whether the host controls panel exists for it. */
export function hasHostControls(role: Role): boolean {
  return can(role, 'lock-room') || can(role, 'mute-all') || can(role, 'end-meeting');
}

/** Room-wide switches for hosts and co-hosts; each shows only if the table allows it. */
export function HostControls(p: HostControlsProps) {
  const t = useTranslations('host');
  const tp = useTranslations('panels');
  const tpeople = useTranslations('people');
  if (!hasHostControls(p.role)) return null;
  return (
    <section className={styles.panelSection} aria-labelledby="host-controls-heading" data-testid="host-controls">
      <h2 id="host-controls-heading">{tp('host')}</h2>
      {can(p.role, 'mute-all') && (
        <div className={styles.rowActions}>
          <button type="button" className="secondary" onClick={() => p.onMuteAll('audio')}>
            {t('muteAll')}
          </button>
          <button type="button" className="secondary" onClick={() => p.onMuteAll('video')}>
            {t('stopAllVideo')}
          </button>
        </div>
      )}
      {can(p.role, 'lock-room') && (
        <label className={styles.check}>
          <input type="checkbox" checked={p.room.locked} onChange={(e) => p.onLock(e.target.checked)} /> {t('lock')}
        </label>
      )}
      {can(p.role, 'set-waiting-room') && (
        <label className={styles.field}>
          {t('waitingRoom')}
          <select value={p.room.waitingRoom} onChange={(e) => p.onWaitingRoom(e.target.value as WaitingRoomMode)}>
            {WAITING_ROOM_MODES.map((mode) => (
              <option key={mode} value={mode}>
                {t(WAITING_ROOM_LABELS[mode])}
              </option>
            ))}
          </select>
        </label>
      )}
      {can(p.role, 'set-audience') && (
        <div className={styles.rowActions}>
          <label className={styles.field}>
            {t('audience')}
            <select
              value={p.room.audience.mode}
              onChange={(e) => p.onAudience(e.target.value as AudienceMode)}
              data-testid="audience-mode"
            >
              {AUDIENCE_MODES.map((mode) => (
                <option key={mode} value={mode}>
                  {t(AUDIENCE_LABELS[mode])}
                </option>
              ))}
            </select>
          </label>
          {p.room.audience.mode === 'overflow' && (
            <label className={styles.field}>
              {t('stageLimit')}
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
        <label className={styles.check} title={t('banShieldHint')}>
          <input type="checkbox" checked={p.room.banShield} onChange={(e) => p.onBanShield(e.target.checked)} />{' '}
          {t('banShield')}
        </label>
      )}
      {can(p.role, 'set-permissions') && (
        <fieldset className={styles.fieldset}>
          <legend>{t('participantsMay')}</legend>
          {PERMISSION_LABELS.map(([key, label]) => (
            <label key={key} className={styles.check}>
              <input
                type="checkbox"
                checked={p.room.permissions[key] ?? true}
                onChange={(e) => p.onPermission(key, e.target.checked)}
              />{' '}
              {t(label)}
            </label>
          ))}
        </fieldset>
      )}
      {can(p.role, 'view-bans') && (
        <div className={styles.panelSection} data-testid="bans">
          <h3>{t('banned', { count: p.bans.length })}</h3>
          {p.bans.length === 0 ? (
            <p className={styles.muted}>{t('noBans')}</p>
          ) : (
            <ul className={styles.bans}>
              {p.bans.map((b) => (
                <li key={b.identityId}>
                  <span className={styles.personName}>
                    {b.displayName}
                    {b.isGuest && <span className={styles.role}> {tpeople('guest')}</span>}
                  </span>
                  {can(p.role, 'unban') && (
                    <button
                      type="button"
                      className={`secondary ${styles.small}`}
                      onClick={() => p.onUnban(b.identityId)}
                      aria-label={t('unbanName', { name: b.displayName })}
                    >
                      {t('unban')}
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
          {t('endForAll')}
        </button>
      )}
    </section>
  );
}
