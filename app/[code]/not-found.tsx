import { StatusPage } from '@/components/meeting/StatusPage';

/** A meeting link whose code is malformed or names no meeting: HTTP 404, with a way on. */
export default function MeetingNotFound() {
  return (
    <StatusPage
      kind="not-found"
      title="Check your meeting code"
      detail="There is no meeting at this address. Make sure you entered the right code or link, like abc-defg-hij."
      newMeeting
    />
  );
}
