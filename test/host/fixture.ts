/**
 * A meeting set up for host-control tests: the creator (host), a co-host, a
 * signed-in participant, a guest participant, a target participant with mic,
 * screen and hand up and one chat message, one knocker in the waiting room,
 * and one banned person.
 */
import type { ConveneServer } from '../../server/app';
import { guestIdentity } from '../../server/auth/identity';
import {
  client,
  createMeeting,
  emit,
  guestCookieHeader,
  joined,
  next,
  sessionCookieHeader,
  type Client,
} from '../helpers/server';
import { expectOk } from '../helpers/ack';
import { sleep } from '../helpers/wait';

export type Seat = { socket: Client; id: string };

export async function hostedMeeting(server: ConveneServer, tag: string) {
  const creatorCookie = guestCookieHeader(`creator-${tag}`);
  const code = await createMeeting(server, guestIdentity(`creator-${tag}`));
  const seat = async (name: string, cookie: string): Promise<Seat> => {
    const j = await joined(server, code, name, { cookie });
    return { socket: j.socket, id: j.self.participantId };
  };
  const host = await seat('Host', creatorCookie);
  const cohost = await seat('Cohost', guestCookieHeader(`cohost-${tag}`));
  const member = await seat('Member', await sessionCookieHeader(`member-${tag}`, 'Member'));
  const guest = await seat('Guest', guestCookieHeader(`guest-${tag}`));
  const target = await seat('Target', guestCookieHeader(`target-${tag}`));
  const victim = await seat('Victim', guestCookieHeader(`victim-${tag}`));

  expectOk(await emit(host.socket, 'set-role', { participantId: cohost.id, role: 'cohost' }));
  expectOk(await emit(target.socket, 'toggle-media', { kind: 'audio', enabled: true }));
  expectOk(await emit(target.socket, 'toggle-media', { kind: 'screen', enabled: true }));
  expectOk(await emit(target.socket, 'raise-hand', { raised: true }));
  const { id: targetMessageId } = expectOk(await emit(target.socket, 'send-message', { text: 'from the target' }));
  expectOk(await emit(host.socket, 'kick-participant', { participantId: victim.id, ban: true }));
  const { bans } = expectOk(await emit(host.socket, 'get-bans'));
  expectOk(await emit(host.socket, 'set-waiting-room', { mode: 'everyone' }));
  const knockerSocket = client(server, { cookie: guestCookieHeader(`knocker-${tag}`) });
  const knocked = next(host.socket, 'knock-added');
  const knock = expectOk(await emit(knockerSocket, 'join-room', { roomCode: code, displayName: 'Knocker' }));
  if (!('pending' in knock)) throw new Error('knocker was not held in the waiting room');
  const knockId = (await knocked).entry.participantId;
  await sleep(80); // let every announcement of the set-up arrive before a test starts recording

  const everyone = [host, cohost, member, guest, target].map((s) => s.socket).concat(knockerSocket);
  return {
    code,
    host,
    cohost,
    member,
    guest,
    target,
    knocker: { socket: knockerSocket, id: knockId },
    targetMessageId,
    bannedIdentityId: bans[0]!.identityId,
    everyone,
    close: () => everyone.forEach((s) => s.disconnect()),
  };
}

export type Meeting = Awaited<ReturnType<typeof hostedMeeting>>;
