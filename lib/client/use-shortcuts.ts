'use client';
import { useEffect, useRef } from 'react';

/**
 * Ctrl/Cmd+D toggles the mic and Ctrl/Cmd+E the camera, as in Google Meet.
 * Both override browser defaults (bookmark, search bar) only while `enabled`.
 */
export function useMeetingShortcuts(enabled: boolean, handlers: { mic: () => void; camera: () => void }): void {
  const latest = useRef(handlers);
  latest.current = handlers;
  useEffect(() => {
    if (!enabled) return;
    const onKey = (e: KeyboardEvent) => {
      if (!(e.ctrlKey || e.metaKey) || e.altKey || e.shiftKey || e.repeat) return;
      const key = e.key.toLowerCase();
      if (key !== 'd' && key !== 'e') return;
      e.preventDefault();
      if (key === 'd') latest.current.mic();
      else latest.current.camera();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [enabled]);
}
