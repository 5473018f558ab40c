import type { Metadata, Viewport } from 'next';
import type { ReactNode } from 'react';
import { CspClientSetup } from '@/components/CspClientSetup';
import { I18nProvider } from '@/components/I18nProvider';
import { MESSAGES } from '@/lib/i18n/messages';
import { requestLocale, serverTranslator } from '@/lib/i18n/server';
import './globals.css';

// Every page is rendered per request, so each gets the nonce of its own
// Content-Security-Policy (server/http/security.ts); a page prerendered at
// build time would carry scripts without one, and the policy would block them.
export const dynamic = 'force-dynamic';

export async function generateMetadata(): Promise<Metadata> {
  const t = await serverTranslator();
  return {
    title: t('common.appName'),
    description: t('common.tagline'),
    icons: { icon: '/favicon.ico', apple: '/apple-touch-icon.png' },
  };
}
export const viewport: Viewport = { themeColor: '#0f1115', width: 'device-width', initialScale: 1 };

export default async function RootLayout({ children }: { children: ReactNode }) {
  const locale = await requestLocale();
  return (
    <html lang={locale}>
      <body>
        <CspClientSetup />
        <I18nProvider locale={locale} messages={MESSAGES[locale]}>
          {children}
        </I18nProvider>
      </body>
    </html>
  );
}
