import { StatusPage } from '@/components/meeting/StatusPage';

/** Any other unknown path: HTTP 404, with a way back. */
export default function NotFound() {
  return (
    <StatusPage
      title="Page not found"
      detail="There is nothing at this address."
      link={{ href: '/', label: 'Go to the home page' }}
    />
  );
}
