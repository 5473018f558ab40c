import { StatusPage } from '@/components/meeting/StatusPage';
import { serverTranslator } from '@/lib/i18n/server';

/** Any other unknown path: HTTP 404, with a way back. */
export default async function NotFound() {
  const t = await serverTranslator();
  return (
    <StatusPage kind="not-found" title={t('status.pageNotFound')} detail={t('status.pageNotFoundDetail')} newMeeting />
  );
}
