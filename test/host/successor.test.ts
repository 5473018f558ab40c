/**
 * get-successor: the host's "Leave" names who becomes host, and that is who
 * the server then makes host when the host leaves. Only the host may ask.
 */
import { describe, expect, it } from 'vitest';
import { guestIdentity } from '../../server/auth/identity';
import { expectErr, expectOk } from '../helpers/ack';
import { createMeeting, emit, guestCookieHeader, joined, next, recorder, type Client } from '../helpers/server';
import { sharedServer } from '../helpers/shared-server';
import { sleep } from '../helpers/wait';

const shared = sharedServer({ reconnectGraceMs: 100 });
const keep = <T extends { socket: Client }>(j: T) => (shared.track(j.socket), j);
const cookieOf = (tag: string) => guestCookieHeader(`succ-${tag}`);

/** A meeting with its creator as host, and others joined in the given order. */
async function meeting(tag: string, names: string[]) {
  const code = await createMeeting(shared.server, guestIdentity(`succ-${tag}`));
  const host = keep(await joined(shared.server, code, 'Host', { cookie: cookieOf(tag) }));
  const others: Record<string, Awaited<ReturnType<typeof joined>>> = {};
  for (const name of names)
    others[name] = keep(await joined(shared.server, code, name, { cookie: cookieOf(`${tag}-${name}`) }));
  return { code, host, others };
}

describe('get-successor', () => {
  it('names the earliest-joined co-host, and that co-host is who everyone sees made host when the host leaves', async () => {
    const { host, others } = await meeting('two', ['Plain', 'Early', 'Late']);
    for (const name of ['Late', 'Early'])
      expectOk(
        await emit(host.socket, 'set-role', { participantId: others[name]!.self.participantId, role: 'cohost' }),
      );
    const answer = expectOk(await emit(host.socket, 'get-successor'));
    expect(answer).toEqual({
      ok: true,
      successor: { participantId: others.Early!.self.participantId, displayName: 'Early' },
    });

    const plainSaw = next(others.Plain!.socket, 'role-changed');
    expectOk(await emit(host.socket, 'leave-room'));
    expect(await plainSaw).toEqual({ participantId: others.Early!.self.participantId, role: 'host' });
  });

  it('is null with no co-host present, and then nobody is made host when the host leaves', async () => {
    const { host, others } = await meeting('none', ['Plain']);
    expect(expectOk(await emit(host.socket, 'get-successor'))).toEqual({ ok: true, successor: null });
    const plainSaw = recorder(others.Plain!.socket);
    expectOk(await emit(host.socket, 'leave-room'));
    await sleep(100);
    expect(plainSaw.filter((e) => e.event === 'role-changed')).toEqual([]);
  });

  it('a co-host or a participant asking is FORBIDDEN, and nobody hears anything', async () => {
    const { host, others } = await meeting('refused', ['Co', 'Plain']);
    expectOk(await emit(host.socket, 'set-role', { participantId: others.Co!.self.participantId, role: 'cohost' }));
    await sleep(50);
    const hostSaw = recorder(host.socket);
    const plainSaw = recorder(others.Plain!.socket);
    expectErr(await emit(others.Co!.socket, 'get-successor'), 'FORBIDDEN');
    expectErr(await emit(others.Plain!.socket, 'get-successor'), 'FORBIDDEN');
    await sleep(50);
    expect([hostSaw, plainSaw]).toEqual([[], []]);
  });
});
