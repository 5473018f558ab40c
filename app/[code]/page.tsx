import type { Metadata } from 'next';
import { headers } from 'next/headers';
import { notFound, redirect } from 'next/navigation';
import { getHttpApi, headersInfo } from '@/lib/http-api';
import { normalizeRoomCode } from '@/lib/room-code';
import { currentUser } from '@/lib/auth/session';
import { serverTranslator } from '@/lib/i18n/server';
import { MeetingClient } from './meeting-client';

type Params = { params: Promise<{ code: string }> };

async function codeFrom(params: Params['params']): Promise<{ raw: string; code: string | null }> {
  const segment = (await params).code;
  // A stray "%" (e.g. /%E0%A4) cannot be decoded: that is a malformed code too, not a server error.
  let raw: string;
  try {
    raw = decodeURIComponent(segment);
  } catch {
    return { raw: segment, code: null };
  }
  return { raw, code: normalizeRoomCode(raw) };
}

export async function generateMetadata({ params }: Params): Promise<Metadata> {
  const [{ code }, t] = await Promise.all([codeFrom(params), serverTranslator()]);
  return { title: code ? t('meta.meetingTitle', { code }) : t('common.appName') };
}

/**
 * `/abc-defg-hij`: the meeting. Normalises the code (`/ABC-DEFG-HIJ` redirects)
 * and answers 404 for a code with no meeting (through the same per-IP guessing
 * limit as the API); the rest happens in the browser.
 */
export default async function MeetingPage({ params }: Params) {
  const { raw, code } = await codeFrom(params);
  if (!code) notFound();
  if (code !== raw) redirect(`/${code}`);
  const lookup = await getHttpApi().getRoom(headersInfo(await headers()), code);
  if (lookup.status === 404) notFound();
  const user = await currentUser();
  return <MeetingClient roomCode={code} defaultName={user?.name ?? undefined} />;
}
