'use client';
import { useTranslations } from 'use-intl';
import { DEFAULT_KICK_REASONS, type ErrorBody } from '@/lib/protocol';
import { RefusalPage } from './RefusalPage';
import { StatusPage } from './StatusPage';

/** The pages outside the call itself, each with its way on. */
export type OutsidePhase = 'not-found' | 'banned' | 'full' | 'waiting' | 'left' | 'removed' | 'ended' | 'refused';

export interface PhasePageProps {
  phase: OutsidePhase;
  roomCode: string;
  error: ErrorBody | null;
  /** While knocking: no host or co-host is here yet, and our place in the queue. */
  lobbyNoModerator: boolean;
  lobbyPosition: number | null;
  /** `force-disconnect.reason`: a host's own words, or one of the server's defaults. */
  removedReason: string | null;
  onRejoin: () => void;
  onCancelKnock: () => void;
}

/** Before, instead of, or after the call: the status page for this phase, in the reader's language. */
export function PhasePage(p: PhasePageProps) {
  const t = useTranslations('status');
  const tc = useTranslations('common');
  const rejoin = { label: t('rejoin'), onClick: p.onRejoin };
  switch (p.phase) {
    case 'not-found':
      return (
        <StatusPage
          kind="not-found"
          title={t('checkCode')}
          detail={t('checkCodeDetailCode', { code: p.roomCode })}
          newMeeting
        />
      );
    case 'banned':
      // The server says so for this browser's identity only: no need to click "Join" to find out.
      return <RefusalPage error={{ code: 'BANNED', message: '' }} />;
    case 'full':
    case 'refused':
      return <RefusalPage error={p.error} onRetry={p.onRejoin} />;
    case 'waiting': {
      const position = p.lobbyPosition ? ` ${t('lobbyPosition', { position: p.lobbyPosition })}` : '';
      return (
        <StatusPage
          title={t('asking')}
          detail={`${p.lobbyNoModerator ? t('askingNoModerator') : t('askingSoon')}${position}`}
          kind="waiting"
          action={{ label: tc('cancel'), onClick: p.onCancelKnock }}
          home={false}
          busy
        />
      );
    }
    case 'left':
      return <StatusPage kind="left" title={t('left')} detail={t('leftDetail')} action={rejoin} />;
    case 'removed': {
      const reason = p.removedReason;
      const detail =
        !reason || reason === DEFAULT_KICK_REASONS.kicked
          ? t('removedDetail')
          : reason === DEFAULT_KICK_REASONS.banned
            ? t('bannedDetail')
            : reason;
      return <StatusPage kind="removed" title={t('removed')} detail={detail} newMeeting />;
    }
    case 'ended':
      return <StatusPage kind="ended" title={t('ended')} detail={t('endedDetail')} newMeeting />;
  }
}
