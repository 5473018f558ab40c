import { StatusPage } from '@/components/meeting/StatusPage';

/** Any other unknown path: HTTP 404, with a way back. */
export default function NotFound() {
  return (
    <StatusPage
      kind="not-found"
      title="Page not found"
      detail="There is nothing at this address. Check the link, or start from the home page."
      newMeeting
    />
  );
}
