// The backfill record's read-modify-write on the one shared Redis connection: concurrent
// updates (a click while a step writes) must all land.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { BackfillStore } from '../../src/store/backfills.js';
import type { BackfillRecord } from '../../src/domain/backfill-plan.js';
import { dropPrefix, redisUrl, testPrefix } from '../support/services.js';

test('40 concurrent updates on one connection all land (none lost)', async () => {
  const prefix = testPrefix('bfstore');
  const redis = new Redis(redisUrl(), { maxRetriesPerRequest: 2 });
  try {
    const store = new BackfillStore(redis, prefix);
    const id = 'bf-test-1';
    await redis.set(
      `${prefix}:backfill:${id}`,
      JSON.stringify({ plan: { id }, status: 'running', notes: [] }),
    );
    await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        store.update(id, (r) => {
          const cur = r as unknown as { notes: number[] };
          return { ...r, notes: [...cur.notes, i] } as unknown as BackfillRecord;
        }),
      ),
    );
    const final = (await store.get(id)) as unknown as { notes: number[] };
    assert.equal(final.notes.length, 40);
    assert.deepEqual(
      [...final.notes].sort((a, b) => a - b),
      Array.from({ length: 40 }, (_, i) => i),
    );
    assert.equal(await store.update('missing', (r) => r), undefined);
  } finally {
    redis.disconnect();
    await dropPrefix(prefix);
  }
});
