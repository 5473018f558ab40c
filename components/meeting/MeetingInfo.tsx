'use client';
import { Check, Copy } from 'lucide-react';
import { useTranslations } from 'use-intl';
import type { RoomInfo, WaitingRoomMode } from '@/lib/protocol';
import styles from './meeting.module.css';
import { RecordingList } from './RecordingList';

export interface MeetingInfoProps {
  roomCode: string;
  /** The full link to share (origin + code). */
  link: string;
  participantCount: number;
  copied: boolean;
  onCopy: () => void;
  /** Shown to hosts and co-hosts: the meeting's settings, read-only here. */
  room: RoomInfo | null;
  /** Opens the host controls, where the settings change. */
  onOpenHostControls?: () => void;
  /** For those who may see the recordings (creator and co-hosts): whether one runs now. */
  recordings?: { active: boolean };
}

const WAITING_ROOM = {
  off: 'waitingOff',
  guests: 'waitingGuests',
  everyone: 'waitingEveryone',
} as const satisfies Record<WaitingRoomMode, string>;

/** The meeting's details: how to invite people, how many are here and, for hosts, how it is set up. */
export function MeetingInfo(p: MeetingInfoProps) {
  const t = useTranslations('info');
  const perms = p.room?.permissions;
  const allowed = perms
    ? [
        perms.canChat && t('canChat'),
        perms.canShareScreen && t('canShare'),
        perms.canUnmute && t('canUnmute'),
        perms.canStartVideo && t('canVideo'),
      ].filter(Boolean)
    : [];
  return (
    <div className={styles.info} data-testid="meeting-info">
      <dl className={styles.infoList}>
        <dt>{t('link')}</dt>
        <dd data-testid="meeting-link">{p.link}</dd>
        <dt>{t('code')}</dt>
        <dd data-testid="meeting-code">{p.roomCode}</dd>
        <dt>{t('inCall')}</dt>
        <dd data-testid="meeting-count">{t('count', { count: p.participantCount })}</dd>
      </dl>
      <button type="button" className={styles.copyButton} onClick={p.onCopy}>
        {p.copied ? <Check size={18} aria-hidden="true" /> : <Copy size={18} aria-hidden="true" />}
        {p.copied ? t('copied') : t('copy')}
      </button>
      {p.recordings && <RecordingList roomCode={p.roomCode} recordingActive={p.recordings.active} />}
      {p.room && p.onOpenHostControls && (
        <section className={styles.panelSection} aria-labelledby="info-settings" data-testid="meeting-settings">
          <h3 id="info-settings">{t('settings')}</h3>
          <dl className={styles.infoList}>
            <dt>{t('lock')}</dt>
            <dd>{p.room.locked ? t('locked') : t('unlocked')}</dd>
            <dt>{t('waitingRoom')}</dt>
            <dd>{t(WAITING_ROOM[p.room.waitingRoom])}</dd>
            <dt>{t('participantsCan')}</dt>
            <dd>{allowed.length > 0 ? allowed.join(', ') : t('onlyWatch')}</dd>
          </dl>
          <button type="button" className="secondary" onClick={p.onOpenHostControls}>
            {t('change')}
          </button>
        </section>
      )}
    </div>
  );
}
