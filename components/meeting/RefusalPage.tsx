import type { ErrorBody, ErrorCode } from '@/lib/protocol';
import { StatusPage, type StatusKind } from './StatusPage';

/** Refusals with their own page; `retry` names the button that asks again, where asking again may work. */
const REFUSAL_PAGES: Partial<Record<ErrorCode, { kind: StatusKind; title: string; detail: string; retry?: string }>> = {
  BANNED: {
    kind: 'banned',
    title: "You can't join this meeting",
    detail: 'A host removed you and banned you from coming back.',
  },
  ROOM_LOCKED: {
    kind: 'locked',
    title: 'This meeting is locked',
    detail: 'A host has locked the meeting. Ask them to unlock it, then try again.',
    retry: 'Ask to join again',
  },
  DENIED: {
    kind: 'declined',
    title: 'Your request to join was declined',
    detail: 'Someone in the meeting declined your request. You can ask again.',
    retry: 'Ask to join again',
  },
  MEETING_ENDED: {
    kind: 'ended',
    title: 'The meeting has ended',
    detail: 'The host ended the meeting for everyone.',
    retry: 'Try again',
  },
  ROOM_FULL: {
    kind: 'full',
    title: 'This meeting is full',
    detail: 'It has as many people as it can hold. Try again when someone leaves.',
    retry: 'Try again',
  },
};

/** A join the server refused, with the next step that can work from here. */
export function RefusalPage({ error, onRetry }: { error: ErrorBody | null; onRetry?: () => void }) {
  const page = error && REFUSAL_PAGES[error.code];
  if (!page) return <StatusPage kind="error" title="You can't join this meeting" detail={error?.message ?? ''} />;
  return (
    <StatusPage
      kind={page.kind}
      title={page.title}
      detail={page.detail}
      {...(page.retry && onRetry && { action: { label: page.retry, onClick: onRetry } })}
      newMeeting={page.kind === 'banned' || page.kind === 'ended'}
    />
  );
}
