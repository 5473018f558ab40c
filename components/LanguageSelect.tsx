'use client';
import { useRouter } from 'next/navigation';
import { useId } from 'react';
import { useLocale, useTranslations } from 'use-intl';
import { LOCALE_COOKIE, LOCALE_NAMES, LOCALES, isLocale } from '@/lib/i18n/config';

const YEAR_S = 365 * 24 * 3600;

/**
 * The language setting: remembered in a cookie the server reads on every
 * request. The server components render again in the new language
 * (router.refresh), and client state, a call in progress included, stays.
 */
export function LanguageSelect() {
  const t = useTranslations('common');
  const locale = useLocale();
  const router = useRouter();
  const id = useId();
  return (
    <label htmlFor={id}>
      {t('language')}{' '}
      <select
        id={id}
        value={locale}
        data-testid="language-select"
        style={{
          font: 'inherit',
          color: 'var(--text)',
          background: 'var(--panel)',
          border: '1px solid #2a2f3a',
          borderRadius: 8,
          padding: '0.35rem 0.5rem',
        }}
        onChange={(e) => {
          const next = e.target.value;
          if (!isLocale(next)) return;
          document.cookie = `${LOCALE_COOKIE}=${next}; path=/; max-age=${YEAR_S}; samesite=lax`;
          router.refresh();
        }}
      >
        {LOCALES.map((l) => (
          <option key={l} value={l} lang={l}>
            {LOCALE_NAMES[l]}
          </option>
        ))}
      </select>
    </label>
  );
}
