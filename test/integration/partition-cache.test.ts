// Triage's partition cache (jobs/partition-cache.ts) with the real S3 adapter against the
// simulator and real Redis: the merged summary is what one full scan says; a second look lists
// only the partitions that are new or whose listing changed.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { startSimulator, emptyScenarios, type Simulator } from '../../sim/index.js';
import { createS3Client, S3ObjectStore } from '../../src/providers/aws/s3-object-store.js';
import { scanLocation } from '../../src/providers/scanner.js';
import type { ObjectLocation } from '../../src/providers/ports.js';
import { scanWithPartitionCache } from '../../jobs/partition-cache.js';
import { dropPrefix, redisUrl, testPrefix } from '../support/services.js';

const BUCKET = 'cache-lake';
const MiB = 1024 * 1024;
const THRESHOLD = 32 * MiB;
let sim: Simulator;
let store: S3ObjectStore;
let redis: Redis;
const prefix = testPrefix('pcache');
const loc: ObjectLocation = { scheme: 's3', container: BUCKET, prefix: 'events/' };

before(async () => {
  sim = await startSimulator({
    scenarios: [
      ...emptyScenarios(),
      (state) => {
        const partitions = Array.from({ length: 12 }, (_, d) => ({
          name: `dt=2026-11-${String(d + 1).padStart(2, '0')}`,
          count: 300 + d * 20,
          avgSize: d === 11 ? 200_000 : 40 * MiB,
          lastModified: Date.UTC(2026, 10, d + 1, 3),
        }));
        state.s3.addKeySpace(BUCKET, { prefix: 'events/', partitions });
        state.s3.putObject(BUCKET, 'events/_SUCCESS', '');
      },
    ],
  });
  store = new S3ObjectStore(
    createS3Client({
      region: 'us-east-1',
      endpoint: sim.url,
      forcePathStyle: true,
      credentials: { accessKeyId: 'sim', secretAccessKey: 'sim' },
    }),
  );
  redis = new Redis(redisUrl());
});

after(async () => {
  store.client.destroy();
  await dropPrefix(prefix);
  await redis.quit();
  await sim.stop();
});

const cachedScan = () =>
  scanWithPartitionCache(redis, prefix, store, loc, {
    thresholdBytes: THRESHOLD,
    concurrency: 32,
    now: Date.now,
  });

/** The figures a report is made of. */
function figures(s: Awaited<ReturnType<typeof scanLocation>>['summary']) {
  const { topPartitions, newestPartitions, dateBuckets, ...rest } = s;
  return { ...rest, topPartitions, newestPartitions, dateBuckets };
}

test('cold: every partition listed, and the merged summary is the full scan’s', async () => {
  const full = await scanLocation(store, loc, { thresholdBytes: THRESHOLD });
  const cold = await cachedScan();
  assert.ok(cold);
  assert.deepEqual(cold.cache, { partitions: 12, relisted: 12, fromCache: 0 });
  assert.deepEqual(figures(cold.scan.summary), figures(full.summary));
});

test('warm: nothing changed, nothing listed again but the checks; same summary', async () => {
  const full = await scanLocation(store, loc, { thresholdBytes: THRESHOLD });
  sim.clearRequests();
  const warm = await cachedScan();
  assert.ok(warm);
  assert.equal(warm.cache.relisted, 0);
  assert.equal(warm.cache.fromCache, 12);
  assert.ok(warm.cache.oldestAt !== undefined);
  assert.deepEqual(figures(warm.scan.summary), figures(full.summary));
  // One delimiter listing plus two one-key checks per partition.
  const lists = sim.requests({ service: 's3', operation: 'ListObjectsV2' });
  assert.equal(lists.length, 1 + 2 * 12);
  assert.equal(warm.scan.requests, lists.length);
});

test('a file added to a partition and a new partition: only those two are listed again', async () => {
  sim.state.s3.putObject(BUCKET, 'events/dt=2026-11-12/part-zzzz-late.parquet', Buffer.alloc(1000));
  sim.state.s3.putObject(BUCKET, 'events/dt=2026-11-13/part-00000.parquet', Buffer.alloc(2000));
  const full = await scanLocation(store, loc, { thresholdBytes: THRESHOLD });
  const next = await cachedScan();
  assert.ok(next);
  assert.deepEqual(
    { partitions: next.cache.partitions, relisted: next.cache.relisted, fromCache: next.cache.fromCache },
    { partitions: 13, relisted: 2, fromCache: 11 },
  );
  assert.deepEqual(figures(next.scan.summary), figures(full.summary));
});

test('a location without sub-folders is not cached (the caller scans it whole)', async () => {
  sim.state.s3.putObject('flat-lake', 'only/a.csv', 'x');
  const none = await scanWithPartitionCache(
    redis,
    prefix,
    store,
    { scheme: 's3', container: 'flat-lake', prefix: 'only/' },
    {
      thresholdBytes: THRESHOLD,
      concurrency: 4,
      now: Date.now,
    },
  );
  assert.equal(none, undefined);
});
