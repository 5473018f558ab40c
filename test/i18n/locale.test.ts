import { describe, expect, it } from 'vitest';
import { fromAcceptLanguage, pickLocale } from '../../lib/i18n/config';
import { MESSAGES } from '../../lib/i18n/messages';

/** Every key path of a messages object, sorted. */
function keys(obj: object, prefix = ''): string[] {
  return Object.entries(obj)
    .flatMap(([k, v]) => (typeof v === 'string' ? [`${prefix}${k}`] : keys(v as object, `${prefix}${k}.`)))
    .sort();
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
});
