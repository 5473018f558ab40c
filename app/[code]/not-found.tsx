import { StatusPage } from '@/components/meeting/StatusPage';
import { serverTranslator } from '@/lib/i18n/server';

/** A meeting link whose code is malformed or names no meeting: HTTP 404, with a way on. */
export default async function MeetingNotFound() {
  const t = await serverTranslator();
  return <StatusPage kind="not-found" title={t('status.checkCode')} detail={t('status.checkCodeDetail')} newMeeting />;
}
