import type { MetadataRoute } from 'next';
import { requestLocale, serverTranslator } from '@/lib/i18n/server';

/**
 * /manifest.webmanifest: lets a phone add Convene to its home screen with its
 * own icon. Read per request, so its description is in the browser's language.
 */
export default async function manifest(): Promise<MetadataRoute.Manifest> {
  const [locale, t] = await Promise.all([requestLocale(), serverTranslator()]);
  return {
    lang: locale,
    name: 'Convene',
    short_name: 'Convene',
    description: t('common.tagline'),
    start_url: '/',
    display: 'standalone',
    background_color: '#0f1115',
    theme_color: '#0f1115',
    icons: [
      { src: '/icon-192.png', sizes: '192x192', type: 'image/png' },
      { src: '/icon-512.png', sizes: '512x512', type: 'image/png' },
    ],
  };
}
