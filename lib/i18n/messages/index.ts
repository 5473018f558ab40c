import type { Locale } from '../config';
import { de } from './de';
import { en, type Messages } from './en';

export type { Messages };
export const MESSAGES: Record<Locale, Messages> = { en, de };

// Typed keys for useTranslations()/createTranslator() everywhere.
declare module 'use-intl' {
  interface AppConfig {
    Locale: Locale;
    Messages: Messages;
  }
}
