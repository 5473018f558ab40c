/**
 * Errors that mean "Redis is away", as ioredis raises them: a request that
 * waited out its retries, or one refused because the connection is closed or
 * has no offline queue. Clients get UNAVAILABLE for these (retry shortly),
 * never INTERNAL: nothing is wrong with what they asked.
 */
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { ConveneError } from '../../lib/protocol';

const DOWN = /max retries per request|connection is closed|stream isn't writeable|enableOfflineQueue|ECONNREFUSED/i;

export function isRedisDown(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  return err.name === 'MaxRetriesPerRequestError' || DOWN.test(err.message);
}

export const redisUnavailable = () =>
  new ConveneError('UNAVAILABLE', 'The meeting service is briefly unavailable; try again in a moment');

/**
 * Gives an ioredis connection an `error` listener (without one, ioredis prints
 * every failed reconnect to stderr): the first error after the connection was
 * ready is a warning, the retries that follow are debug lines.
 */
export function logConnectionErrors(client: Redis, log: Logger, name: string): void {
  let warned = false;
  client.on('ready', () => {
    if (warned) log.info({ connection: name }, 'redis connection ready again');
    warned = false;
  });
  client.on('error', (err: Error) => {
    if (warned) return log.debug({ connection: name, err: err.message }, 'redis connection error');
    warned = true;
    log.warn({ connection: name, err: err.message }, 'redis connection lost; retrying');
  });
}

/**
 * Closes a connection: QUIT when Redis is there (pending replies arrive first),
 * else at once. A QUIT queued behind a dead connection (a subscriber keeps an
 * offline queue) would hold a shutdown during an outage.
 */
export async function closeConnection(client: Redis): Promise<void> {
  if (client.status === 'ready') await client.quit().catch(() => undefined);
  else client.disconnect();
}
