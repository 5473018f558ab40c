import IntlMessageFormat from 'intl-messageformat';
import { describe, expect, it } from 'vitest';
import { LOCALES, fromAcceptLanguage, pickLocale } from '../../lib/i18n/config';
import { MESSAGES } from '../../lib/i18n/messages';
import { ERROR_CODES } from '../../lib/protocol/errors';

/** Every key path of a messages object, sorted. */
function keys(obj: object, prefix = ''): string[] {
  return Object.entries(obj)
    .flatMap(([k, v]) => (typeof v === 'string' ? [`${prefix}${k}`] : keys(v as object, `${prefix}${k}.`)))
    .sort();
}

/** The message at a dotted key path. */
function at(obj: object, key: string): string {
  return key.split('.').reduce<unknown>((o, k) => (o as Record<string, unknown>)[k], obj) as string;
}

type AstNode = { type: number; value?: string; options?: Record<string, { value: AstNode[] }>; children?: AstNode[] };
/** The names of every argument and tag a message uses (`{name}`, `{count, plural, …}`, `<n>…</n>`), sorted. */
function argumentsOf(message: string, locale: string): string[] {
  const names = new Set<string>();
  const walk = (nodes: AstNode[]) => {
    for (const n of nodes) {
      // 0 is literal text and 7 the plural's `#`; every other node names an argument or a tag.
      if (n.type !== 0 && n.type !== 7 && n.value) names.add(n.value);
      for (const option of Object.values(n.options ?? {})) walk(option.value);
      walk(n.children ?? []);
    }
  };
  walk(new IntlMessageFormat(message, locale).getAst());
  return [...names].sort();
}

describe('the UI language', () => {
  it('follows the browser’s preferred languages by quality, regional variants included', () => {
    expect(fromAcceptLanguage('de-AT,de;q=0.9,en;q=0.8')).toBe('de');
    expect(fromAcceptLanguage('fr-FR,fr;q=0.9,de;q=0.7,en;q=0.8')).toBe('en');
    expect(fromAcceptLanguage('en;q=0.1, de;q=0.5')).toBe('de');
    expect(fromAcceptLanguage('fr, ja')).toBeNull();
    expect(fromAcceptLanguage('de;q=0')).toBeNull();
    expect(fromAcceptLanguage(undefined)).toBeNull();
  });

  it('is the one chosen in settings when there is one, else the browser’s, else English', () => {
    expect(pickLocale('de', 'en-US')).toBe('de');
    expect(pickLocale(undefined, 'de-CH')).toBe('de');
    expect(pickLocale('xx', 'fr')).toBe('en');
    expect(pickLocale(undefined, null)).toBe('en');
  });

  it('German has every message English has, and none is left empty', () => {
    expect(keys(MESSAGES.de)).toEqual(keys(MESSAGES.en));
    const empty = (obj: object): boolean =>
      Object.values(obj).some((v) => (typeof v === 'string' ? v.trim() === '' : empty(v as object)));
    expect(empty(MESSAGES.de)).toBe(false);
  });

  it('every message of every language is valid ICU and takes the same arguments as the English one', () => {
    for (const key of keys(MESSAGES.en)) {
      const english = argumentsOf(at(MESSAGES.en, key), 'en');
      for (const locale of LOCALES)
        expect(argumentsOf(at(MESSAGES[locale], key), locale), `${locale}: ${key}`).toEqual(english);
    }
  });

  it('has words for every error code a server can send', () => {
    for (const locale of LOCALES)
      for (const code of ERROR_CODES) expect(at(MESSAGES[locale], `errors.${code}`), `${locale}: ${code}`).toBeTruthy();
  });

  it('counts in German with German plurals and number formatting', () => {
    const people = (count: number) =>
      new IntlMessageFormat(MESSAGES.de.common.people, 'de').format({ count }) as string;
    expect([people(0), people(1), people(12345)]).toEqual(['Niemand', '1 Person', '12.345 Personen']);
    const typing = (count: number, names: string) =>
      new IntlMessageFormat(MESSAGES.de.chat.typing, 'de').format({ count, names }) as string;
    expect(typing(1, 'Anna')).toBe('Anna schreibt…');
    expect(typing(2, 'Anna und Ben')).toBe('Anna und Ben schreiben…');
  });
});
