import type { Messages } from './en';

/** German. Same keys as en.ts (the type checks it). */
export const de: Messages = {
  common: {
    appName: 'Convene',
    language: 'Sprache',
  },
};
