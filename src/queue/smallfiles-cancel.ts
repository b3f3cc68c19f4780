// The Cancel button of a running /smallfiles scan: a flag in Redis that the action sets and the
// scanning worker polls (it may run in another process), holding who cancelled, so the scan stops
// and its message says who.
import type { Redis } from 'ioredis';

function cancelKey(prefix: string, jobId: string): string {
  return `${prefix}:smallfiles-cancel:${jobId}`;
}

/** Asks the scan of queue job `jobId` to stop (the flag lasts an hour: longer than any scan). */
export async function requestScanCancel(
  redis: Redis,
  prefix: string,
  jobId: string,
  by: string,
): Promise<void> {
  await redis.set(cancelKey(prefix, jobId), by, 'EX', 3600);
}

/** Who asked the scan to stop, if anyone did. */
export async function scanCancelledBy(
  redis: Redis,
  prefix: string,
  jobId: string,
): Promise<string | undefined> {
  return (await redis.get(cancelKey(prefix, jobId))) ?? undefined;
}

/** The scan ended: its flag is no longer needed. */
export async function clearScanCancel(redis: Redis, prefix: string, jobId: string): Promise<void> {
  await redis.del(cancelKey(prefix, jobId));
}
