// Telling "Redis is down" apart from a bug: the errors ioredis and BullMQ raise when Redis does
// not answer (no connection, a command timed out, retries exhausted), and the one answer every
// command and click gives then.
import { QueueUnavailableError } from './producers.js';

export const REDIS_UNAVAILABLE =
  ':x: Redis (the bot’s queue and state store) is unavailable, so nothing was started or changed. Try again in a minute; if it persists, whoever runs Pipeline Medic should check Redis.';

const PATTERNS = [
  /Command timed out/i,
  /Connection is closed/i,
  /enableOfflineQueue/i,
  /max retries per request/i,
  /ECONNREFUSED|ECONNRESET|EPIPE|ETIMEDOUT|EHOSTUNREACH/,
  /no answer from redis/i,
  /redis connection is/i,
];

export function isRedisUnavailable(err: unknown): boolean {
  for (let e = err, depth = 0; e && depth < 5; depth++) {
    if (e instanceof QueueUnavailableError) return true;
    const x = e as { name?: string; message?: string; code?: string; cause?: unknown };
    if (x.name === 'MaxRetriesPerRequestError') return true;
    const text = `${x.code ?? ''} ${x.message ?? ''}`;
    if (PATTERNS.some((p) => p.test(text))) return true;
    e = x.cause;
  }
  return false;
}
