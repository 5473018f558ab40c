/**
 * Who the meeting shows large, decided in one place for the layout and its
 * tests: my own pin first (it is mine: nobody else sees it), then the host's
 * spotlight (everyone sees it), then, in the speaker view only, the active
 * speaker. A pin or spotlight on someone who is not here counts for nothing.
 */
export type FeaturedReason = 'pinned' | 'spotlight' | 'speaker';

export interface Featured {
  participantId: string;
  reason: FeaturedReason;
}

export interface FeaturedInput {
  /** Who I pinned (client-side only), if anyone. */
  pinned: string | null;
  /** Who a host or co-host spotlit, if anyone. */
  spotlight: string | null;
  /** Who the speaker view would put on its stage (the last other person who spoke). */
  speaker: string | null;
  /** Everyone on the stage, by id. */
  present: readonly string[];
  /** The layout I chose: the speaker only features someone in the speaker view. */
  layout: 'grid' | 'speaker';
}

export function featuredParticipant(input: FeaturedInput): Featured | null {
  const here = (id: string | null): id is string => id !== null && input.present.includes(id);
  if (here(input.pinned)) return { participantId: input.pinned, reason: 'pinned' };
  if (here(input.spotlight)) return { participantId: input.spotlight, reason: 'spotlight' };
  if (input.layout === 'speaker' && here(input.speaker)) return { participantId: input.speaker, reason: 'speaker' };
  return null;
}
