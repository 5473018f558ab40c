import type { MetadataRoute } from 'next';

/** /manifest.webmanifest: lets a phone add Convene to its home screen with its own icon. */
export default function manifest(): MetadataRoute.Manifest {
  return {
    name: 'Convene',
    short_name: 'Convene',
    description: 'Video meetings with host controls that hold.',
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
