import { meetingEn } from './meeting-en';

/**
 * The English messages: the reference every other language must match key for
 * key (de.ts is typed as `Messages`, so a missing key fails the typecheck).
 * ICU syntax: `{name}` arguments, `{count, plural, one {…} other {…}}`.
 */
export const en = {
  ...meetingEn,
  common: {
    appName: 'Convene',
    language: 'Language',
  },
};

/** The shape of every language's messages: the same keys as English, any strings. */
type Shape<T> = { [K in keyof T]: T[K] extends string ? string : Shape<T[K]> };
export type Messages = Shape<typeof en>;
