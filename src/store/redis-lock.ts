// A lock in Redis held by one caller at a time: SET NX PX with a token of its own, released only
// by its holder (it may have expired and been taken by someone else meanwhile). One place for the
// monitor's and the budget check's "skip when another is running", and for the partition scan's
// "wait for the one in flight, then read what it stored".
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';

const RELEASE =
  "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0";
const EXTEND =
  "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) end return 0";

export interface HeldLock {
  /** Keep the lock for another ttl (the holder is still at work). False: it was lost. */
  extend(): Promise<boolean>;
  /** Give it up; never deletes someone else's. */
  release(): Promise<void>;
}

/** The lock if it was free, else undefined. */
export async function tryLock(redis: Redis, key: string, ttlMs: number): Promise<HeldLock | undefined> {
  const token = `${process.pid}-${randomUUID()}`;
  if ((await redis.set(key, token, 'PX', ttlMs, 'NX')) !== 'OK') return undefined;
  return {
    extend: async () => Number(await redis.eval(EXTEND, 1, key, token, String(ttlMs))) === 1,
    release: async () => {
      await redis.eval(RELEASE, 1, key, token);
    },
  };
}

/**
 * Run `fn` holding the lock; when another caller holds it, wait (polling) until it is released,
 * then take it and run — so two scans of one thing run one after the other, the second reading
 * what the first stored. The lock is kept alive while `fn` runs (a holder that dies frees it
 * within `ttlMs`); after `maxWaitMs` of waiting `fn` runs anyway, without the lock (never blocked
 * for good by a stuck holder). `waitedMs` says how long it waited.
 */
export async function serialized<T>(
  redis: Redis,
  key: string,
  fn: () => Promise<T>,
  opts: { ttlMs: number; maxWaitMs: number; pollMs?: number; signal?: AbortSignal },
): Promise<{ value: T; waitedMs: number }> {
  const started = Date.now();
  const pollMs = opts.pollMs ?? 100;
  let lock = await tryLock(redis, key, opts.ttlMs);
  while (!lock && Date.now() - started < opts.maxWaitMs) {
    opts.signal?.throwIfAborted();
    await new Promise((r) => setTimeout(r, pollMs));
    lock = await tryLock(redis, key, opts.ttlMs);
  }
  const waitedMs = Date.now() - started;
  if (!lock) return { value: await fn(), waitedMs };
  const held = lock;
  const keepAlive = setInterval(
    () => void held.extend().catch(() => {}),
    Math.max(50, Math.floor(opts.ttlMs / 3)),
  );
  try {
    return { value: await fn(), waitedMs };
  } finally {
    clearInterval(keepAlive);
    await held.release().catch(() => {});
  }
}
