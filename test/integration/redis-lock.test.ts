// src/store/redis-lock.ts against a real Redis: one holder at a time, a dead holder's lock expires,
// a waiter runs anyway after its longest wait, and a holder never releases someone else's lock.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { serialized, tryLock } from '../../src/store/redis-lock.js';
import { dropPrefix, redisUrl, testPrefix } from '../support/services.js';

const prefix = testPrefix('lock');
let redis: Redis;

before(() => {
  redis = new Redis(redisUrl());
});

after(async () => {
  await dropPrefix(prefix);
  await redis.quit();
});

test('tryLock: one holder; released only by its holder', async () => {
  const key = `${prefix}:one`;
  const a = await tryLock(redis, key, 10_000);
  assert.ok(a);
  assert.equal(await tryLock(redis, key, 10_000), undefined, 'taken');
  await a.release();
  const b = await tryLock(redis, key, 10_000);
  assert.ok(b, 'free again after release');
  // a's lock is gone: its release must not free b's.
  await a.release();
  assert.equal(await tryLock(redis, key, 10_000), undefined, 'still b’s');
  assert.equal(await a.extend(), false, 'a cannot extend b’s lock');
  assert.equal(await b.extend(), true);
  await b.release();
});

test('serialized: two callers run one after the other, never together', async () => {
  const key = `${prefix}:two`;
  const order: string[] = [];
  let inside = 0;
  const work = (name: string) => async () => {
    inside++;
    assert.equal(inside, 1, 'alone in the lock');
    order.push(`${name}:in`);
    // Held across several extensions of a short ttl: the lock must stay ours while we work.
    await new Promise((r) => setTimeout(r, 400));
    order.push(`${name}:out`);
    inside--;
    return name;
  };
  const [x, y] = await Promise.all([
    serialized(redis, key, work('x'), { ttlMs: 150, maxWaitMs: 10_000 }),
    serialized(redis, key, work('y'), { ttlMs: 150, maxWaitMs: 10_000 }),
  ]);
  assert.deepEqual(new Set([x.value, y.value]), new Set(['x', 'y']));
  const first = order[0]!.split(':')[0]!;
  const second = first === 'x' ? 'y' : 'x';
  assert.deepEqual(order, [`${first}:in`, `${first}:out`, `${second}:in`, `${second}:out`]);
  const waited = first === 'x' ? y : x;
  assert.ok(waited.waitedMs >= 100, `the second waited (${waited.waitedMs} ms)`);
  assert.equal(await redis.exists(key), 0, 'released at the end');
});

test('serialized: a holder that died (never released) frees the lock when its ttl runs out', async () => {
  const key = `${prefix}:dead`;
  assert.ok(await tryLock(redis, key, 300)); // never released, never extended
  const res = await serialized(redis, key, async () => 'ran', { ttlMs: 5_000, maxWaitMs: 30_000 });
  assert.equal(res.value, 'ran');
  assert.ok(res.waitedMs >= 100);
  assert.equal(await redis.exists(key), 0);
});

test('serialized: after its longest wait a caller runs anyway, without taking the lock', async () => {
  const key = `${prefix}:stuck`;
  const stuck = await tryLock(redis, key, 60_000);
  assert.ok(stuck);
  const res = await serialized(redis, key, async () => 'ran', { ttlMs: 5_000, maxWaitMs: 300 });
  assert.equal(res.value, 'ran');
  assert.ok(res.waitedMs >= 300);
  assert.equal(await stuck.extend(), true, 'the stuck holder still has its lock');
  await stuck.release();
});
