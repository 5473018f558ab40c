'use client';
import { useTranslations } from 'use-intl';
import type { Messages } from '@/lib/i18n/messages';
import type { ErrorBody, ErrorCode } from '@/lib/protocol';
import { StatusPage, type StatusKind } from './StatusPage';

type StatusKey = keyof Messages['status'];

/** Refusals with their own page (message keys in `status`); `retry` names the button that asks again, where asking again may work. */
const REFUSAL_PAGES: Partial<
  Record<ErrorCode, { kind: StatusKind; title: StatusKey; detail: StatusKey; retry?: 'askAgain' | 'tryAgain' }>
> = {
  BANNED: { kind: 'banned', title: 'banned', detail: 'bannedDetail' },
  ROOM_LOCKED: { kind: 'locked', title: 'locked', detail: 'lockedDetail', retry: 'askAgain' },
  DENIED: { kind: 'declined', title: 'denied', detail: 'deniedDetail', retry: 'askAgain' },
  MEETING_ENDED: { kind: 'ended', title: 'ended', detail: 'endedDetail', retry: 'tryAgain' },
  ROOM_FULL: { kind: 'full', title: 'full', detail: 'fullDetail', retry: 'tryAgain' },
};

/** A join the server refused, with the next step that can work from here. */
export function RefusalPage({ error, onRetry }: { error: ErrorBody | null; onRetry?: () => void }) {
  const t = useTranslations('status');
  const tc = useTranslations('common');
  const te = useTranslations('errors');
  const page = error && REFUSAL_PAGES[error.code];
  if (!page) return <StatusPage kind="error" title={t('cannotJoin')} detail={error ? te(error.code) : ''} />;
  const retry = page.retry && (page.retry === 'askAgain' ? t('askAgain') : tc('tryAgain'));
  return (
    <StatusPage
      kind={page.kind}
      title={t(page.title)}
      detail={t(page.detail)}
      {...(retry && onRetry && { action: { label: retry, onClick: onRetry } })}
      newMeeting={page.kind === 'banned' || page.kind === 'ended'}
    />
  );
}
