'use client';
import { can, type Role } from '@/lib/permissions';
import type { RoomInfo, RoomPermissions, WaitingRoomMode } from '@/lib/protocol';
import styles from './meeting.module.css';

export interface HostControlsProps {
  role: Role;
  room: RoomInfo;
  onMuteAll: () => void;
  onLock: (locked: boolean) => void;
  onWaitingRoom: (mode: WaitingRoomMode) => void;
  onPermission: (key: keyof RoomPermissions, value: boolean) => void;
  onEndMeeting: () => void;
}

const PERMISSION_LABELS: Array<[keyof RoomPermissions, string]> = [
  ['canChat', 'Send chat messages'],
  ['canShareScreen', 'Share their screen'],
  ['canUnmute', 'Turn on their microphone'],
  ['canStartVideo', 'Turn on their camera'],
];

/** Room-wide switches for hosts and co-hosts; each shows only if the table allows it. */
export function HostControls(p: HostControlsProps) {
  if (!can(p.role, 'lock-room') && !can(p.role, 'mute-all') && !can(p.role, 'end-meeting')) return null;
  return (
    <section className={styles.panelSection} aria-labelledby="host-controls-heading" data-testid="host-controls">
      <h2 id="host-controls-heading">Host controls</h2>
      {can(p.role, 'mute-all') && <button type="button" className="secondary" onClick={p.onMuteAll}>Mute all</button>}
      {can(p.role, 'lock-room') && (
        <label className={styles.check}>
          <input type="checkbox" checked={p.room.locked} onChange={(e) => p.onLock(e.target.checked)} /> Lock meeting
        </label>
      )}
      {can(p.role, 'set-waiting-room') && (
        <label className={styles.field}>
          Waiting room
          <select value={p.room.waitingRoom} onChange={(e) => p.onWaitingRoom(e.target.value as WaitingRoomMode)}>
            <option value="off">Off</option>
            <option value="guests">Guests wait</option>
            <option value="everyone">Everyone waits</option>
          </select>
        </label>
      )}
      {can(p.role, 'set-permissions') && (
        <fieldset className={styles.fieldset}>
          <legend>Participants may</legend>
          {PERMISSION_LABELS.map(([key, label]) => (
            <label key={key} className={styles.check}>
              <input type="checkbox" checked={p.room.permissions[key]} onChange={(e) => p.onPermission(key, e.target.checked)} /> {label}
            </label>
          ))}
        </fieldset>
      )}
      {can(p.role, 'end-meeting') && <button type="button" className={styles.leave} onClick={p.onEndMeeting}>End meeting for all</button>}
    </section>
  );
}
