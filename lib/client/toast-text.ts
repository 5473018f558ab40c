'use client';
import { useCallback } from 'react';
import { useTranslations } from 'use-intl';
import type { ToastMessage } from './room-state';

/** A translator over all messages: useTranslations() in the UI, createTranslator() in tests. */
export type Translate = ReturnType<typeof useTranslations<never>>;

/** A toast in the reader's language; a refusal by its error code, not the server's English. */
export function toastText(t: Translate, m: ToastMessage): string {
  switch (m.key) {
    case 'error':
      return t(`errors.${m.error.code}`);
    case 'roleSelf':
      return t('toasts.roleSelf', { role: m.role });
    case 'roleOther':
      return t('toasts.roleOther', { name: m.name ?? t('common.someone'), role: m.role });
    case 'joined':
    case 'left':
    case 'removed':
    case 'movedToAudience':
      return t(`toasts.${m.key}`, { name: m.name ?? t('common.someone') });
    case 'mutedByHost':
    case 'cameraOffByHost':
    case 'onStage':
    case 'toAudience':
      return t(`toasts.${m.key}`);
  }
}

/** toastText with this page's language. */
export function useToastText(): (m: ToastMessage) => string {
  const t = useTranslations();
  return useCallback((m: ToastMessage) => toastText(t, m), [t]);
}
