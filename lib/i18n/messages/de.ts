import type { Messages } from './en';
import { meetingDe } from './meeting-de';

/** German. Same keys as en.ts (the type checks it). */
export const de: Messages = {
  ...meetingDe,
  common: {
    appName: 'Convene',
    language: 'Sprache',
  },
};
