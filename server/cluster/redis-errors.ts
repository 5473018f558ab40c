/**
 * Errors that mean "Redis is away", as ioredis raises them: a request that
 * waited out its retries, or one refused because the connection is closed or
 * has no offline queue. Clients get UNAVAILABLE for these (retry shortly),
 * never INTERNAL: nothing is wrong with what they asked.
 */
import { ConveneError } from '../../lib/protocol';

const DOWN = /max retries per request|connection is closed|stream isn't writeable|enableOfflineQueue|ECONNREFUSED/i;

export function isRedisDown(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  return err.name === 'MaxRetriesPerRequestError' || DOWN.test(err.message);
}

export const redisUnavailable = () =>
  new ConveneError('UNAVAILABLE', 'The meeting service is briefly unavailable; try again in a moment');
