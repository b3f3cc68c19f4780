// Triage's partition cache (jobs/partition-cache.ts) with the real S3 adapter against the
// simulator and real Redis: the merged summary is what one full scan says; a second look lists
// only the partitions that are new or whose listing changed, flat (dt=) or nested
// (year=/month=/day=, dt=/hour=).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { startSimulator, emptyScenarios, type Simulator } from '../../sim/index.js';
import { createS3Client, S3ObjectStore } from '../../src/providers/aws/s3-object-store.js';
import { scanLocation } from '../../src/providers/scanner.js';
import type { ObjectLocation, ObjectStore } from '../../src/providers/ports.js';
import {
  partitionStatsKey,
  scanWithPartitionCache,
  startFromIgnoredKey,
} from '../../jobs/partition-cache.js';
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
        // year=/month=/day=: 12 days over two months, a marker in a month folder.
        const days = [
          ...[25, 26, 27, 28, 29, 30, 31].map((d) => ({ m: 10, d })),
          ...[1, 2, 3, 4, 5].map((d) => ({ m: 11, d })),
        ];
        state.s3.addKeySpace(BUCKET, {
          prefix: 'nested/',
          partitions: days.map(({ m, d }, i) => ({
            name: `year=2026/month=${m}/day=${String(d).padStart(2, '0')}`,
            count: 40 + i * 7,
            avgSize: i % 3 === 0 ? 100_000 : 40 * MiB,
            lastModified: Date.UTC(2026, m - 1, d, 3),
          })),
        });
        state.s3.putObject(BUCKET, 'nested/year=2026/month=11/_SUCCESS', '');
        // A partition bigger than a page: its first delimiter page is continued flat after it.
        state.s3.addKeySpace(BUCKET, {
          prefix: 'big/',
          partitions: [
            {
              name: 'dt=2026-11-01',
              count: 2_500,
              avgSize: 1_000_000,
              lastModified: Date.UTC(2026, 10, 1, 3),
            },
            { name: 'dt=2026-11-02', count: 10, avgSize: 1_000_000, lastModified: Date.UTC(2026, 10, 2, 3) },
          ],
        });
        // dt=/hour=: two days of four hours.
        state.s3.addKeySpace(BUCKET, {
          prefix: 'hourly/',
          partitions: [29, 30].flatMap((d) =>
            [0, 1, 2, 3].map((h) => ({
              name: `dt=2026-11-${d}/hour=${String(h).padStart(2, '0')}`,
              count: 20 + h * 5,
              avgSize: h === 3 ? 50_000 : 40 * MiB,
              lastModified: Date.UTC(2026, 10, d, h, 30),
            })),
          ),
        });
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
  // One delimiter listing plus one check per partition (its newest object is its last key).
  const lists = sim.requests({ service: 's3', operation: 'ListObjectsV2' });
  assert.equal(lists.length, 1 + 12);
  assert.equal(warm.scan.requests, lists.length);
});

test('two scans of one location at once: the second waits for the first, then reads its partitions', async () => {
  // Another threshold: a cache (and a scan lock) of its own, cold.
  const scan = () =>
    scanWithPartitionCache(redis, prefix, store, loc, {
      thresholdBytes: THRESHOLD * 2,
      concurrency: 32,
      now: Date.now,
    });
  const both = await Promise.all([scan(), scan()]);
  const [cold, warm] = [...both].sort((a, b) => (b?.cache.relisted ?? 0) - (a?.cache.relisted ?? 0));
  assert.ok(cold && warm);
  assert.deepEqual(cold.cache, { partitions: 12, relisted: 12, fromCache: 0 });
  assert.equal(warm.cache.relisted, 0, 'nothing listed twice');
  assert.equal(warm.cache.fromCache, 12);
  assert.ok((warm.cache.waitedMs ?? 0) >= 100, `it waited: ${JSON.stringify(warm.cache)}`);
  assert.deepEqual(figures(warm.scan.summary), figures(cold.scan.summary));
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

const at = (prefix: string) => ({ ...loc, prefix });
const cachedScanOf = (l: ObjectLocation) =>
  scanWithPartitionCache(redis, prefix, store, l, {
    thresholdBytes: THRESHOLD,
    concurrency: 32,
    now: Date.now,
  });
const counts = (c: { partitions: number; relisted: number; fromCache: number }) => ({
  partitions: c.partitions,
  relisted: c.relisted,
  fromCache: c.fromCache,
});

test('nested year=/month=/day=: the days are the cached partitions, checked under folders listed each time', async () => {
  const l = at('nested/');
  const full = await scanLocation(store, l, { thresholdBytes: THRESHOLD });
  const cold = await cachedScanOf(l);
  assert.ok(cold);
  assert.deepEqual(counts(cold.cache), { partitions: 12, relisted: 12, fromCache: 0 });
  assert.deepEqual(figures(cold.scan.summary), figures(full.summary));

  sim.clearRequests();
  const warm = await cachedScanOf(l);
  assert.ok(warm);
  assert.deepEqual(counts(warm.cache), { partitions: 12, relisted: 0, fromCache: 12 });
  assert.deepEqual(figures(warm.scan.summary), figures(full.summary));
  // Delimiter listings of nested/, year=2026/, month=10/ and month=11/, and a check per day.
  const lists = sim.requests({ service: 's3', operation: 'ListObjectsV2' });
  assert.equal(lists.length, 4 + 12);

  // A late file after a day's last key, a new day and a new month: those three are listed.
  sim.state.s3.putObject(BUCKET, 'nested/year=2026/month=10/day=28/part-zzzz-late.parquet', Buffer.alloc(10));
  sim.state.s3.putObject(BUCKET, 'nested/year=2026/month=11/day=06/part-00000.parquet', Buffer.alloc(20));
  sim.state.s3.putObject(BUCKET, 'nested/year=2026/month=12/day=01/part-00000.parquet', Buffer.alloc(30));
  const full2 = await scanLocation(store, l, { thresholdBytes: THRESHOLD });
  const next = await cachedScanOf(l);
  assert.ok(next);
  assert.deepEqual(counts(next.cache), { partitions: 14, relisted: 3, fromCache: 11 });
  assert.deepEqual(figures(next.scan.summary), figures(full2.summary));
  assert.notDeepEqual(figures(next.scan.summary), figures(full.summary));
});

test('hourly dt=/hour=: hours cached, the day buckets merge to the full scan’s', async () => {
  const l = at('hourly/');
  const full = await scanLocation(store, l, { thresholdBytes: THRESHOLD });
  const cold = await cachedScanOf(l);
  assert.ok(cold);
  assert.deepEqual(counts(cold.cache), { partitions: 8, relisted: 8, fromCache: 0 });
  assert.deepEqual(figures(cold.scan.summary), figures(full.summary));
  assert.equal(full.summary.dateBuckets.find((b) => b.date === '2026-11-30')?.partitions, 4);
  const warm = await cachedScanOf(l);
  assert.ok(warm);
  assert.deepEqual(counts(warm.cache), { partitions: 8, relisted: 0, fromCache: 8 });
  assert.deepEqual(figures(warm.scan.summary), figures(full.summary));
  // A new hour of the newest day: that hour only.
  sim.state.s3.putObject(BUCKET, 'hourly/dt=2026-11-30/hour=04/part-00000.parquet', Buffer.alloc(10));
  const next = await cachedScanOf(l);
  assert.ok(next);
  assert.deepEqual(counts(next.cache), { partitions: 9, relisted: 1, fromCache: 8 });
  assert.deepEqual(
    figures(next.scan.summary),
    figures((await scanLocation(store, l, { thresholdBytes: THRESHOLD })).summary),
  );
});

test('a partition whose newest object is rewritten is listed again; a removed one leaves the cache', async () => {
  const l = at('rewrite/');
  const put = (key: string, size: number, t: number) =>
    sim.state.s3.putObject(BUCKET, `rewrite/${key}`, Buffer.alloc(size), { lastModified: t });
  // The newest object is not the last key: two checks for that partition.
  put('dt=2026-11-01/a.parquet', 100, Date.UTC(2026, 10, 1, 5));
  put('dt=2026-11-01/b.parquet', 200, Date.UTC(2026, 10, 1, 4));
  put('dt=2026-11-02/a.parquet', 300, Date.UTC(2026, 10, 2, 4));
  put('dt=2026-11-03/a.parquet', 400, Date.UTC(2026, 10, 3, 4));
  const cold = await cachedScanOf(l);
  assert.ok(cold);
  sim.clearRequests();
  const warm = await cachedScanOf(l);
  assert.ok(warm);
  assert.deepEqual(counts(warm.cache), { partitions: 3, relisted: 0, fromCache: 3 });
  assert.equal(sim.requests({ service: 's3', operation: 'ListObjectsV2' }).length, 1 + 2 + 1 + 1);

  put('dt=2026-11-01/a.parquet', 5_000, Date.UTC(2026, 10, 20, 5));
  sim.state.s3.bucket(BUCKET)!.delete('rewrite/dt=2026-11-03/a.parquet');
  const next = await cachedScanOf(l);
  assert.ok(next);
  assert.deepEqual(counts(next.cache), { partitions: 2, relisted: 1, fromCache: 1 });
  assert.deepEqual(
    figures(next.scan.summary),
    figures((await scanLocation(store, l, { thresholdBytes: THRESHOLD })).summary),
  );
  const fields = await redis.hkeys(partitionStatsKey(prefix, l, THRESHOLD));
  assert.deepEqual(fields.sort(), ['rewrite/dt=2026-11-01/', 'rewrite/dt=2026-11-02/']);
});

test('a Blob location on an account seen ignoring startFrom is not cached (the caller scans it whole)', async () => {
  let calls = 0;
  const blob = {
    scheme: 'azure-blob',
    listPage: () => {
      calls++;
      throw new Error('not expected');
    },
  } as unknown as ObjectStore;
  await redis.set(startFromIgnoredKey(prefix, 'acct01'), '1');
  const none = await scanWithPartitionCache(
    redis,
    prefix,
    blob,
    { scheme: 'azure-blob', account: 'acct01', container: 'lake', prefix: 'in/' },
    { thresholdBytes: THRESHOLD, concurrency: 4, now: Date.now },
  );
  assert.equal(none, undefined);
  assert.equal(calls, 0);
});

test('a partition of several pages: its first delimiter page is kept and the rest listed after it', async () => {
  const l = at('big/');
  const full = await scanLocation(store, l, { thresholdBytes: THRESHOLD });
  sim.clearRequests();
  const cold = await cachedScanOf(l);
  assert.ok(cold);
  assert.deepEqual(counts(cold.cache), { partitions: 2, relisted: 2, fromCache: 0 });
  assert.equal(cold.scan.summary.objects, 2_510);
  assert.deepEqual(figures(cold.scan.summary), figures(full.summary));
  // Counted once each: the listing goes on after the first page's last key, not from the start.
  const params = sim.requests({ service: 's3', operation: 'ListObjectsV2' }).map((r) => r.params);
  assert.ok(params.some((p) => p['start-after'] === 'big/dt=2026-11-01/part-00999.snappy.parquet'));
  const warm = await cachedScanOf(l);
  assert.ok(warm);
  assert.deepEqual(counts(warm.cache), { partitions: 2, relisted: 0, fromCache: 2 });
  assert.deepEqual(figures(warm.scan.summary), figures(full.summary));
});
