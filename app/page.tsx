import { signInAvailable } from '@/lib/auth/env';
import { currentUser } from '@/lib/auth/session';
import { AccountBar, HomeActions } from './home-actions';

export const dynamic = 'force-dynamic';

export default async function HomePage() {
  const user = await currentUser();
  return (
    <main>
      {/* Fixed height: no jump between signed-in and signed-out renders. */}
      <header style={{ display: 'flex', justifyContent: 'flex-end', alignItems: 'center', minHeight: 40 }}>
        <AccountBar
          user={user && { name: user.name ?? user.email ?? 'Signed in', image: user.image }}
          canSignIn={signInAvailable()}
        />
      </header>
      <h1>Convene</h1>
      <p>Video meetings where the host&apos;s controls really hold.</p>
      <HomeActions />
    </main>
  );
}
