'use client';
import { useSyncExternalStore } from 'react';

/** Phones: the control bar keeps only its main buttons and panels open as bottom sheets (as in meeting.module.css). */
export const PHONE_QUERY = '(max-width: 600px)';

function subscribe(onChange: () => void): () => void {
  const mq = window.matchMedia(PHONE_QUERY);
  mq.addEventListener('change', onChange);
  return () => mq.removeEventListener('change', onChange);
}

/** Whether the viewport is phone-sized now; follows resizes and rotation. */
export function useNarrow(): boolean {
  return useSyncExternalStore(
    subscribe,
    () => window.matchMedia(PHONE_QUERY).matches,
    () => false,
  );
}
