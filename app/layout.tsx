import type { Metadata, Viewport } from 'next';
import type { ReactNode } from 'react';
import { CspClientSetup } from '@/components/CspClientSetup';
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
export const viewport: Viewport = { themeColor: '#0f1115', width: 'device-width', initialScale: 1 };

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body>
        <CspClientSetup />
        {children}
      </body>
    </html>
  );
}
