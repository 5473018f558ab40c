import { cookies, headers } from 'next/headers';
import { createTranslator } from 'use-intl/core';
import { LOCALE_COOKIE, pickLocale, type Locale } from './config';
import { MESSAGES } from './messages';

/** This request's language (settings cookie, then Accept-Language, then English). */
export async function requestLocale(): Promise<Locale> {
  const [jar, h] = await Promise.all([cookies(), headers()]);
  return pickLocale(jar.get(LOCALE_COOKIE)?.value, h.get('accept-language'));
}

/** Messages for server components (page titles, metadata). */
export async function serverTranslator() {
  const locale = await requestLocale();
  return createTranslator({ locale, messages: MESSAGES[locale] });
}
