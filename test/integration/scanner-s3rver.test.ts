// The scanner with the real S3 adapter against s3rver, an independent S3 implementation.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startS3rver, type Service } from '../support/services.js';
import { createS3Client, S3ObjectStore } from '../../src/providers/aws/s3-object-store.js';
import { scanLocation } from '../../src/providers/scanner.js';
import { ProviderError } from '../../src/providers/ports.js';
import {
  FIXTURE_THRESHOLD,
  HUGE_KEYS,
  HUGE_PARTITION,
  expectedFigures,
  fixtureObjects,
  putFixture,
  scanFigures,
} from './scan-fixture.js';

const BUCKET = 'scan-fixture';
let s3rver: Service;
let store: S3ObjectStore;
// s3rver cannot store a key with "//" (real S3, the simulator and Azurite can)
const objects = fixtureObjects({ doubleSlash: false });

before(async () => {
  s3rver = await startS3rver([BUCKET]);
  store = new S3ObjectStore(
    createS3Client({
      region: 'us-east-1',
      endpoint: s3rver.url,
      forcePathStyle: true,
      credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    }),
  );
  await putFixture(store, BUCKET, objects);
});

after(async () => {
  store?.client.destroy();
  await s3rver?.stop();
});

// s3rver's delimiter listing only reports a sub-folder that has an object directly inside it (its
// file-system walk does not descend below a common prefix), so against s3rver the whole fixture is
// scanned flat (maxDepth 0: parallel StartAfter ranges), and folder discovery is checked on the
// prefixes where every folder holds an object. Azurite and the simulator run discovery everywhere.
const scans: { prefix: string; pageSize: number; concurrency: number; maxDepth?: number }[] = [
  { prefix: '', pageSize: 1000, concurrency: 32, maxDepth: 0 },
  { prefix: '', pageSize: 100, concurrency: 32, maxDepth: 0 },
  { prefix: '', pageSize: 7, concurrency: 4, maxDepth: 0 },
  { prefix: '', pageSize: 100, concurrency: 1, maxDepth: 0 },
  { prefix: 'lake/', pageSize: 100, concurrency: 8, maxDepth: 0 },
  { prefix: 'lake/odd', pageSize: 5, concurrency: 2, maxDepth: 0 },
  { prefix: 'lake/events/', pageSize: 2, concurrency: 3, maxDepth: 0 },
  { prefix: 'lake/odd/', pageSize: 3, concurrency: 32 },
  { prefix: 'lake/odd/', pageSize: 1000, concurrency: 2 },
  { prefix: 'lake/events/dt=2026-11-20/', pageSize: 2, concurrency: 3 },
  { prefix: HUGE_PARTITION, pageSize: 100, concurrency: 16 },
  { prefix: HUGE_PARTITION, pageSize: 100, concurrency: 16, maxDepth: 0 },
];

for (const { prefix, pageSize, concurrency, maxDepth } of scans) {
  const how = maxDepth === 0 ? 'flat' : 'with folder discovery';
  test(`scan of "${prefix}" ${how} (${pageSize} keys a page, ${concurrency} at a time) counts every object once`, async () => {
    const result = await scanLocation(
      store,
      { scheme: 's3', container: BUCKET, prefix },
      { thresholdBytes: FIXTURE_THRESHOLD, pageSize, concurrency, maxDepth },
    );
    assert.deepEqual(scanFigures(result.summary), expectedFigures(objects, prefix));
    assert.equal(result.source, 'listing');
    assert.ok(result.requests > 0);
    assert.equal(result.throttledRequests, 0);
  });
}

test('the huge partition is split into ranges and listed in parallel', async () => {
  const progress: number[] = [];
  const result = await scanLocation(
    store,
    { scheme: 's3', container: BUCKET, prefix: HUGE_PARTITION },
    {
      thresholdBytes: FIXTURE_THRESHOLD,
      pageSize: 100,
      concurrency: 16,
      onProgress: (p) => progress.push(p.objects),
      progressIntervalMs: 0,
    },
  );
  assert.ok(result.splits > 0, 'split at least once');
  assert.equal(result.summary.objects, HUGE_KEYS + 1);
  assert.equal(progress.at(-1), HUGE_KEYS + 1);
  // per-partition figures: the huge partition leads the top partitions (zz-sub/ is inside it: no
  // Hive segment of its own)
  const top = result.summary.topPartitions[0];
  assert.equal(top?.partition, HUGE_PARTITION);
  assert.equal(top?.files, HUGE_KEYS + 1);
});

test('date partitions of the events table are bucketed per day', async () => {
  const result = await scanLocation(
    store,
    { scheme: 's3', container: BUCKET, prefix: 'lake/events/' },
    { thresholdBytes: FIXTURE_THRESHOLD, pageSize: 4, maxDepth: 0 },
  );
  assert.deepEqual(
    result.summary.dateBuckets.map((b) => [b.date, b.files]),
    [
      ['2026-11-18', 5],
      ['2026-11-19', 5],
      ['2026-11-20', 5],
      ['2026-11-21', 5],
    ],
  );
  assert.equal(result.summary.leftovers.temporary, 1);
  assert.equal(result.summary.leftovers.success, 4);
  assert.equal(result.summary.leftovers.crc, 1);
  assert.equal(result.summary.leftovers.commitMarkers, 2);
});

test('an empty prefix scans to zero objects', async () => {
  const result = await scanLocation(store, { scheme: 's3', container: BUCKET, prefix: 'nothing-here/' });
  assert.equal(result.summary.objects, 0);
  assert.equal(result.requests, 1);
});

test('an unknown bucket is NOT_FOUND', async () => {
  await assert.rejects(
    scanLocation(store, { scheme: 's3', container: 'no-such-bucket-here', prefix: '' }),
    (e: unknown) =>
      e instanceof ProviderError && e.code === 'NOT_FOUND' && /no-such-bucket-here/.test(e.message),
  );
});

test('a scan is cancelled through its AbortSignal', async () => {
  const ac = new AbortController();
  await assert.rejects(
    scanLocation(
      store,
      { scheme: 's3', container: BUCKET, prefix: '' },
      {
        pageSize: 10,
        concurrency: 2,
        maxDepth: 0,
        signal: ac.signal,
        progressIntervalMs: 0,
        onProgress: (p) => {
          if (p.objects >= 50) ac.abort();
        },
      },
    ),
    (e: unknown) => e instanceof ProviderError && e.code === 'CANCELLED',
  );
  // an already-aborted signal never lists
  await assert.rejects(
    scanLocation(store, { scheme: 's3', container: BUCKET, prefix: '' }, { signal: AbortSignal.abort() }),
    (e: unknown) => e instanceof ProviderError && e.code === 'CANCELLED',
  );
});

test('the adapter reads ranges, copies odd keys and deletes', async () => {
  const key = 'copy/src with space+plus%/ünï.txt';
  await store.putObject(BUCKET, key, 'hello world');
  assert.equal((await store.getObject(BUCKET, key, { start: 6, end: 10 })).toString(), 'world');
  const copied = await store.copy({ container: BUCKET, key }, { container: BUCKET, key: 'copy/dst.txt' }, 11);
  assert.ok(copied.etag, 'the copy has an ETag');
  assert.equal(copied.multipart, false);
  assert.equal((await store.getObject(BUCKET, 'copy/dst.txt')).toString(), 'hello world');
  await store.deleteObjects(BUCKET, [key, 'copy/dst.txt']);
  const page = await store.listPage({ container: BUCKET, prefix: 'copy/' });
  assert.equal(page.objects.length, 0);
  await assert.rejects(
    store.getObject(BUCKET, 'copy/dst.txt'),
    (e: unknown) => e instanceof ProviderError && e.code === 'NOT_FOUND',
  );
});
