import type { Metadata, Viewport } from 'next';
import { headers } from 'next/headers';
import type { ReactNode } from 'react';
import { CspClientSetup } from '@/components/CspClientSetup';
import { I18nProvider } from '@/components/I18nProvider';
import { THEME_BOOT_SCRIPT } from '@/lib/client/theme';
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
export const viewport: Viewport = {
  themeColor: [
    { media: '(prefers-color-scheme: dark)', color: '#0f1115' },
    { media: '(prefers-color-scheme: light)', color: '#f1f3f4' },
  ],
  width: 'device-width',
  initialScale: 1,
};

/** The request's script nonce, as security.ts put it in the policy Next reads too. */
async function scriptNonce(): Promise<string | undefined> {
  const policy = (await headers()).get('content-security-policy') ?? '';
  return /'nonce-([^']+)'/.exec(policy)?.[1];
}

export default async function RootLayout({ children }: { children: ReactNode }) {
  const [nonce, locale] = await Promise.all([scriptNonce(), requestLocale()]);
  return (
    // The head script sets data-theme before React hydrates, so <html> may differ from the server's.
    <html lang={locale} suppressHydrationWarning>
      <head>
        <script nonce={nonce} dangerouslySetInnerHTML={{ __html: THEME_BOOT_SCRIPT }} />
      </head>
      <body>
        <CspClientSetup />
        <I18nProvider locale={locale} messages={MESSAGES[locale]}>
          {children}
        </I18nProvider>
      </body>
    </html>
  );
}
