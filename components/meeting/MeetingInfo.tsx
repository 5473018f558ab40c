'use client';
import { Check, Copy } from 'lucide-react';
import type { RoomInfo, WaitingRoomMode } from '@/lib/protocol';
import styles from './meeting.module.css';

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
}

const WAITING_ROOM: Record<WaitingRoomMode, string> = {
  off: 'Off: everyone joins directly',
  guests: 'Guests ask to join',
  everyone: 'Everyone asks to join',
};

/** The meeting's details: how to invite people, how many are here and, for hosts, how it is set up. */
export function MeetingInfo(p: MeetingInfoProps) {
  const perms = p.room?.permissions;
  const allowed = perms
    ? [
        perms.canChat && 'chat',
        perms.canShareScreen && 'share their screen',
        perms.canUnmute && 'turn on their microphone',
        perms.canStartVideo && 'turn on their camera',
      ].filter(Boolean)
    : [];
  return (
    <div className={styles.info} data-testid="meeting-info">
      <dl className={styles.infoList}>
        <dt>Joining link</dt>
        <dd data-testid="meeting-link">{p.link}</dd>
        <dt>Meeting code</dt>
        <dd data-testid="meeting-code">{p.roomCode}</dd>
        <dt>In the call</dt>
        <dd data-testid="meeting-count">
          {p.participantCount} {p.participantCount === 1 ? 'person' : 'people'}
        </dd>
      </dl>
      <button type="button" className={styles.copyButton} onClick={p.onCopy}>
        {p.copied ? <Check size={18} aria-hidden="true" /> : <Copy size={18} aria-hidden="true" />}
        {p.copied ? 'Link copied' : 'Copy link'}
      </button>
      {p.room && p.onOpenHostControls && (
        <section className={styles.panelSection} aria-labelledby="info-settings" data-testid="meeting-settings">
          <h3 id="info-settings">Meeting settings</h3>
          <dl className={styles.infoList}>
            <dt>Meeting lock</dt>
            <dd>{p.room.locked ? 'Locked: nobody new can join' : 'Unlocked'}</dd>
            <dt>Waiting room</dt>
            <dd>{WAITING_ROOM[p.room.waitingRoom]}</dd>
            <dt>Participants can</dt>
            <dd>{allowed.length > 0 ? allowed.join(', ') : 'only watch and listen'}</dd>
          </dl>
          <button type="button" className="secondary" onClick={p.onOpenHostControls}>
            Change in host controls
          </button>
        </section>
      )}
    </div>
  );
}
