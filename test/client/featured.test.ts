import { describe, expect, it } from 'vitest';
import { featuredParticipant, type FeaturedInput } from '../../lib/client/featured';

const base: FeaturedInput = {
  pinned: null,
  spotlight: null,
  speaker: null,
  present: ['me', 'ann', 'bob'],
  layout: 'grid',
};
const pick = (over: Partial<FeaturedInput>) => featuredParticipant({ ...base, ...over });

describe('who is shown large', () => {
  it('nobody in the grid with no pin and no spotlight, whoever speaks', () => {
    expect(pick({ speaker: 'ann' })).toBeNull();
  });

  it('the speaker view features the speaker', () => {
    expect(pick({ speaker: 'ann', layout: 'speaker' })).toEqual({ participantId: 'ann', reason: 'speaker' });
  });

  it("a host's spotlight features that person in any layout, over the speaker", () => {
    expect(pick({ spotlight: 'bob' })).toEqual({ participantId: 'bob', reason: 'spotlight' });
    expect(pick({ spotlight: 'bob', speaker: 'ann', layout: 'speaker' })).toEqual({
      participantId: 'bob',
      reason: 'spotlight',
    });
  });

  it('my own pin wins over the spotlight and the speaker', () => {
    expect(pick({ pinned: 'ann', spotlight: 'bob', speaker: 'me', layout: 'speaker' })).toEqual({
      participantId: 'ann',
      reason: 'pinned',
    });
  });

  it('a pin or spotlight on someone who left counts for nothing', () => {
    expect(pick({ pinned: 'gone', spotlight: 'bob' })).toEqual({ participantId: 'bob', reason: 'spotlight' });
    expect(pick({ pinned: 'gone', spotlight: 'gone-too' })).toBeNull();
    expect(pick({ spotlight: 'gone', speaker: 'ann', layout: 'speaker' })).toEqual({
      participantId: 'ann',
      reason: 'speaker',
    });
  });
});
