import { LanguageSelect } from '@/components/LanguageSelect';
import { signInAvailable } from '@/lib/auth/env';
import { currentUser } from '@/lib/auth/session';
import { serverTranslator } from '@/lib/i18n/server';
import { AccountBar, HomeActions } from './home-actions';

export const dynamic = 'force-dynamic';

export default async function HomePage() {
  const [user, t] = await Promise.all([currentUser(), serverTranslator()]);
  return (
    <main>
      {/* Fixed height: no jump between signed-in and signed-out renders. */}
      <header
        style={{
          display: 'flex',
          flexWrap: 'wrap',
          justifyContent: 'space-between',
          alignItems: 'center',
          gap: '0.5rem 1rem',
          minHeight: 40,
        }}
      >
        <LanguageSelect />
        <AccountBar
          user={user && { name: user.name ?? user.email ?? null, image: user.image }}
          canSignIn={signInAvailable()}
        />
      </header>
      <h1>{t('common.appName')}</h1>
      <p>{t('home.lead')}</p>
      <HomeActions />
    </main>
  );
}
