import type { Metadata, Viewport } from 'next';
import { headers } from 'next/headers';
import type { ReactNode } from 'react';
import { CspClientSetup } from '@/components/CspClientSetup';
import { THEME_BOOT_SCRIPT } from '@/lib/client/theme';
import './globals.css';

// Every page is rendered per request, so each gets the nonce of its own
// Content-Security-Policy (server/http/security.ts); a page prerendered at
// build time would carry scripts without one, and the policy would block them.
export const dynamic = 'force-dynamic';

export const metadata: Metadata = {
  title: 'Convene',
  description: 'Video meetings with host controls that hold.',
  icons: { icon: '/favicon.ico', apple: '/apple-touch-icon.png' },
};
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
  const nonce = await scriptNonce();
  return (
    // The head script sets data-theme before React hydrates, so <html> may differ from the server's.
    <html lang="en" suppressHydrationWarning>
      <head>
        <script nonce={nonce} dangerouslySetInnerHTML={{ __html: THEME_BOOT_SCRIPT }} />
      </head>
      <body>
        <CspClientSetup />
        {children}
      </body>
    </html>
  );
}
