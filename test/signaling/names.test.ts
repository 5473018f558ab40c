/**
 * Text hygiene: display names that draw nothing are INVALID_NAME, and kick
 * reasons are cleaned like chat text before the target sees them.
 */
import { describe, expect, it } from 'vitest';
import { normalizeDisplayName } from '../../lib/text';
import { guestIdentity } from '../../server/auth/identity';
import { DEFAULT_RATE_LIMITS } from '../../server/config';
import { expectErr, expectJoined, expectOk } from '../helpers/ack';
import { client, connected, createMeeting, emit, guestCookieHeader, next, recorder } from '../helpers/server';
import { sharedServer } from '../helpers/shared-server';
import { sleep } from '../helpers/wait';

const roomy: [number, number] = [10_000, 1];
const shared = sharedServer({ rateLimits: { ...DEFAULT_RATE_LIMITS, join: roomy, control: roomy } });

const INVISIBLE_NAMES: Array<[string, string]> = [
  ['zero-width space', '\u200b'],
  ['zero-width joiners and non-joiners', '\u200b\u200c\u200d'],
  ['Hangul filler', '\u3164'],
  ['Hangul choseong and jungseong fillers', '\u115f\u1160'],
  ['halfwidth Hangul filler', '\uffa0'],
  ['braille blank', '\u2800\u2800'],
  ['no-break, em and ideographic spaces', ' \u00a0\u2003\u3000 '],
  ['line and paragraph separators', '\u2028\u2029'],
  ['combining marks alone', '\u0301\u0308\u20dd'],
  ['bidi controls', '\u202e\u202d\u2066\u2069\u200f'],
  ['byte order mark', '\ufeff'],
  ['soft hyphen', '\u00ad\u00ad'],
  ['word joiner and invisible operators', '\u2060\u2061\u2062'],
  ['Mongolian vowel separator', '\u180e'],
  ['Arabic letter mark', '\u061c'],
  ['combining grapheme joiner', '\u034f'],
  ['variation selector alone', '\ufe0f'],
  ['tag characters', '\u{e0041}\u{e0042}\u{e007f}'],
  ['musical formatting', '\u{1d173}\u{1d174}'],
  ['private use', '\ue000'],
  ['tabs and newlines', '\t\n\r'],
  ['a mix of all of them', '\u3164\u200b \u2800\u0301\u202e\u00ad'],
];

const GOOD_NAMES: Array<[raw: string, shown: string]> = [
  ['李雷', '李雷'],
  ['Zoë', 'Zoë'],
  ['Zoe\u0308', 'Zoë'], // decomposed: stored composed, so it looks and compares the same
  ['🎉', '🎉'],
  ['👩‍💻 Ada', '👩‍💻 Ada'], // the joiner inside the emoji stays
  ['Ольга', 'Ольга'],
  ['محمد', 'محمد'],
  ['\u3164Bob\u3164', 'Bob'],
  ['Ann\u200b\u2800Lee', 'Ann Lee'],
];

describe('display names', () => {
  it.each(INVISIBLE_NAMES)('%s is INVALID_NAME, and nobody in the meeting hears anything', async (_what, name) => {
    const code = await createMeeting(shared.server);
    const alice = await shared.join(code, 'Alice');
    const aliceSaw = recorder(alice.socket);
    const socket = shared.track(await connected(client(shared.server)));
    const joinError = next(socket, 'join-error');
    expectErr(await emit(socket, 'join-room', { roomCode: code, displayName: name }), 'INVALID_NAME');
    expect((await joinError).code).toBe('INVALID_NAME');
    await sleep(50);
    expect(aliceSaw).toEqual([]);
    expect((await shared.server.store.listParticipants(code)).map((p) => p.displayName)).toEqual(['Alice']);
  });

  it.each(GOOD_NAMES)('%s joins, shown as %s to everyone', async (raw, shown) => {
    const code = await createMeeting(shared.server);
    const alice = await shared.join(code, 'Alice');
    const announced = next(alice.socket, 'user-joined');
    const socket = shared.track(await connected(client(shared.server)));
    const ack = expectJoined(await emit(socket, 'join-room', { roomCode: code, displayName: raw }));
    expect(ack.self.displayName).toBe(shown);
    expect((await announced).participant.displayName).toBe(shown);
  });

  it('a name of 64 visible characters joins; 65 is INVALID_NAME', () => {
    expect(normalizeDisplayName('李'.repeat(64))).toBe('李'.repeat(64));
    expect(normalizeDisplayName('李'.repeat(65))).toBeNull();
    // Invisible characters removed before counting don't count.
    expect(normalizeDisplayName(`${'a'.repeat(64)}\u200b\u200b`)).toBe('a'.repeat(64));
  });
});

describe('half a surrogate pair', () => {
  it('becomes U+FFFD in a name and in chat, so every JSON decoder can read what is stored', async () => {
    const code = await createMeeting(shared.server);
    const alice = await shared.join(code, 'Alice\ud800');
    expect(alice.self.displayName).toBe('Alice\ufffd');
    const bob = await shared.join(code, 'Bob');
    const atBob = next(bob.socket, 'new-message');
    expectOk(await emit(alice.socket, 'send-message', { text: 'a\udc00b 😀' }));
    expect((await atBob).text).toBe('a\ufffdb 😀');
    expect((await shared.server.store.recentChat(code, 10)).map((m) => m.text)).toEqual(['a\ufffdb 😀']);
  });
});

describe('kick reasons', () => {
  let n = 0;
  /** Kicks a participant with `reason`; returns the reason the target was shown. */
  async function kick(reason: string) {
    const creator = `kick-creator-${++n}`;
    const code = await createMeeting(shared.server, guestIdentity(creator));
    const host = await shared.join(code, 'Host', { cookie: guestCookieHeader(creator) });
    const target = await shared.join(code, 'Target');
    const told = next(target.socket, 'force-disconnect');
    expectOk(await emit(host.socket, 'kick-participant', { participantId: target.self.participantId, reason }));
    return (await told).reason;
  }

  it('are cleaned like chat text before the target sees them', async () => {
    expect(await kick('  \u202eecnetnes\u202c is \u200bfine\u0007\r\nnext line\u2066  ')).toBe(
      'ecnetnes is fine\nnext line',
    );
  });

  it('a reason with nothing left after cleaning becomes the default reason', async () => {
    expect(await kick('\u200b\u202e\u0000 \u2066')).toBe('You were removed from the meeting');
  });
});
