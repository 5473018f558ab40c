'use client';
import { useEffect, useRef } from 'react';

/** The meeting's keys, pressed with Ctrl (Cmd on Apple devices). The control bar shows them in its tooltips. */
export const SHORTCUT_KEYS = { mic: 'd', camera: 'e' } as const;

/**
 * How to write a shortcut here: "Ctrl+D" (`ctrl` is the key's name on the
 * reader's keyboard: "Strg" in German), or "⌘D" on Apple devices; and for aria-keyshortcuts.
 */
export function shortcutLabel(action: keyof typeof SHORTCUT_KEYS, ctrl = 'Ctrl'): { text: string; aria: string } {
  const key = SHORTCUT_KEYS[action].toUpperCase();
  const apple = typeof navigator !== 'undefined' && /Mac|iPhone|iPad/.test(navigator.platform);
  return { text: apple ? `⌘${key}` : `${ctrl}+${key}`, aria: `Control+${key} Meta+${key}` };
}

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
      if (key !== SHORTCUT_KEYS.mic && key !== SHORTCUT_KEYS.camera) return;
      e.preventDefault();
      if (key === SHORTCUT_KEYS.mic) latest.current.mic();
      else latest.current.camera();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [enabled]);
}
