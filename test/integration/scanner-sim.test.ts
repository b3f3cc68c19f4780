// The scanner with the real S3 adapter against the project's cloud simulator: the odd-key fixture,
// a synthetic key space of 38,050 objects, throttling and access errors injected by the simulator.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startSimulator, emptyScenarios, type Simulator, type SyntheticKeySpace } from '../../sim/index.js';
import { createS3Client, S3ObjectStore } from '../../src/providers/aws/s3-object-store.js';
import { scanLocation } from '../../src/providers/scanner.js';
import { ProviderError } from '../../src/providers/ports.js';
import type { ObjectLocation } from '../../src/providers/ports.js';
import { compareNewestPartitions, recommendCompaction } from '../../src/domain/small-file-compare.js';
import {
  FIXTURE_THRESHOLD,
  HUGE_PARTITION,
  expectedFigures,
  fixtureObjects,
  putFixture,
  scanFigures,
} from './scan-fixture.js';

const BUCKET = 'scan-fixture';
const SYNTH = 'scan-synthetic';
const MiB = 1024 * 1024;
const DAY = 86_400_000;
let sim: Simulator;
let store: S3ObjectStore;
/** The adapter with the SDK's own retries off, so every throttled request reaches the scanner. */
let bareStore: S3ObjectStore;
let keySpace: SyntheticKeySpace;
// plus keys XML 1.0 cannot carry unencoded (listed with EncodingType=url)
const objects = [
  ...fixtureObjects(),
  { key: 'lake/odd/ctrl\u0001char.txt', size: 11 },
  { key: 'lake/odd/tab\tand\u001fus/x.csv', size: 13 },
];

before(async () => {
  sim = await startSimulator({
    scenarios: [
      ...emptyScenarios(),
      (state, now) => {
        state.s3.createBucket(BUCKET, now);
        // 19 daily partitions of 500–1,400 files around 40 MiB, then a newest day of 20,000 small ones
        const partitions = [];
        for (let d = 0; d < 19; d++)
          partitions.push({
            name: `dt=2026-10-${String(d + 1).padStart(2, '0')}`,
            count: 500 + d * 50,
            avgSize: 40 * MiB,
            lastModified: Date.UTC(2026, 9, d + 1),
          });
        partitions.push({ name: 'dt=2026-10-20', count: 20_000, avgSize: 200_000, lastModified: now - DAY });
        keySpace = state.s3.addKeySpace(SYNTH, { prefix: 'events/', partitions });
      },
    ],
  });
  const client = (maxAttempts?: number) =>
    createS3Client({
      region: 'us-east-1',
      endpoint: sim.url,
      forcePathStyle: true,
      credentials: { accessKeyId: 'sim', secretAccessKey: 'sim' },
      ...(maxAttempts ? { maxAttempts } : {}),
    });
  store = new S3ObjectStore(client());
  bareStore = new S3ObjectStore(client(1));
  await putFixture(store, BUCKET, objects);
});

after(async () => {
  store?.client.destroy();
  bareStore?.client.destroy();
  await sim?.stop();
});

const at = (container: string, prefix: string): ObjectLocation => ({ scheme: 's3', container, prefix });

const scans: { prefix: string; pageSize: number; concurrency: number; maxDepth?: number }[] = [
  { prefix: '', pageSize: 1000, concurrency: 32 },
  { prefix: '', pageSize: 100, concurrency: 32 },
  { prefix: '', pageSize: 7, concurrency: 4 },
  { prefix: '', pageSize: 100, concurrency: 1 },
  { prefix: '', pageSize: 100, concurrency: 16, maxDepth: 0 },
  { prefix: 'lake/', pageSize: 100, concurrency: 8 },
  { prefix: 'lake/odd/', pageSize: 3, concurrency: 32 },
  { prefix: 'lake/odd', pageSize: 5, concurrency: 2 },
  { prefix: 'lake/deep/', pageSize: 1, concurrency: 3 },
  { prefix: 'lake/events/', pageSize: 2, concurrency: 3 },
  { prefix: HUGE_PARTITION, pageSize: 100, concurrency: 16 },
];

for (const { prefix, pageSize, concurrency, maxDepth } of scans) {
  const how = maxDepth === 0 ? 'flat' : 'with folder discovery';
  test(`fixture: scan of "${prefix}" ${how} (${pageSize} keys a page, ${concurrency} at a time) counts every object once`, async () => {
    const result = await scanLocation(store, at(BUCKET, prefix), {
      thresholdBytes: FIXTURE_THRESHOLD,
      pageSize,
      concurrency,
      maxDepth,
    });
    assert.deepEqual(scanFigures(result.summary), expectedFigures(objects, prefix));
  });
}

/** The synthetic key space's exact figures, object by object. */
function syntheticExpected(threshold: number) {
  let bytes = 0;
  let small = 0;
  let smallBytes = 0;
  const perDay = new Map<string, number>();
  for (let i = 0; i < keySpace.total; i++) {
    const o = keySpace.objectAt(i);
    bytes += o.size;
    if (o.size < threshold) {
      small++;
      smallBytes += o.size;
    }
    const day = /dt=([\d-]+)\//.exec(o.key)?.[1] ?? '';
    perDay.set(day, (perDay.get(day) ?? 0) + 1);
  }
  return { objects: keySpace.total, bytes, small, smallBytes, perDay };
}

test('synthetic key space: 38,050 objects counted exactly, the big partition split, the trend stated', async () => {
  const exp = syntheticExpected(32 * MiB);
  assert.equal(exp.objects, 38_050);
  const result = await scanLocation(store, at(SYNTH, 'events/'), { concurrency: 32 });
  const s = result.summary;
  assert.equal(s.objects, exp.objects);
  assert.equal(s.files, exp.objects);
  assert.equal(s.bytes, exp.bytes);
  assert.equal(s.smallFiles, exp.small);
  assert.equal(s.smallBytes, exp.smallBytes);
  assert.deepEqual(
    s.dateBuckets.map((b) => [b.date, b.files]),
    [...exp.perDay.entries()],
  );
  assert.equal(s.partitionsSeen, 20);
  assert.ok(result.splits > 0, 'the 20,000-key partition was split');
  assert.ok(result.requests >= Math.ceil(exp.objects / 1000));
  const trend = compareNewestPartitions(s);
  assert.equal(trend?.fragmenting, true);
  assert.match(
    trend?.sentences[0] ?? '',
    /^partition 2026-10-20 grew 21\.1× in files but only 0\.1× in bytes against the median of the 19 earlier days/,
  );
  const rec = recommendCompaction(s);
  assert.equal(rec.warranted, true);
  assert.equal(rec.partitions[0]?.partition, 'events/dt=2026-10-20/');
});

test('throttled listings are retried with backoff, counted, and the figures stay exact', async () => {
  const exp = syntheticExpected(32 * MiB);
  sim.setFaults([{ service: 's3', operation: 'ListObjectsV2', bucket: SYNTH, error: 'throttle', rate: 0.2 }]);
  try {
    const result = await scanLocation(bareStore, at(SYNTH, 'events/'), {
      concurrency: 16,
      retryBaseMs: 5,
      retryMaxMs: 50,
    });
    assert.equal(result.summary.objects, exp.objects);
    assert.equal(result.summary.bytes, exp.bytes);
    assert.ok(result.throttledRequests > 0);
    assert.equal(result.slowed, true);
    // with the SDK's own retries the slowdown is still reported
    const viaSdk = await scanLocation(store, at(SYNTH, 'events/'), { concurrency: 16, retryBaseMs: 5 });
    assert.equal(viaSdk.summary.objects, exp.objects);
    assert.ok(viaSdk.retries > 0);
    assert.equal(viaSdk.slowed, true);
  } finally {
    sim.setFaults([]);
  }
});

test('throttling that never ends fails as THROTTLED after the retries', async () => {
  sim.setFaults([{ service: 's3', operation: 'ListObjectsV2', bucket: SYNTH, error: 'throttle' }]);
  try {
    await assert.rejects(
      scanLocation(bareStore, at(SYNTH, 'events/'), { maxRetries: 3, retryBaseMs: 1 }),
      (e: unknown) => e instanceof ProviderError && e.code === 'THROTTLED' && e.retryable,
    );
  } finally {
    sim.setFaults([]);
  }
});

test('access denied names the IAM action', async () => {
  sim.setFaults([{ service: 's3', operation: 'ListObjectsV2', bucket: SYNTH, error: 'denied' }]);
  try {
    await assert.rejects(
      scanLocation(store, at(SYNTH, 'events/')),
      (e: unknown) =>
        e instanceof ProviderError && e.code === 'ACCESS_DENIED' && e.action === 's3:ListBucket',
    );
  } finally {
    sim.setFaults([]);
  }
});

test('an unknown bucket is NOT_FOUND', async () => {
  await assert.rejects(
    scanLocation(store, at('no-such-bucket-here', '')),
    (e: unknown) => e instanceof ProviderError && e.code === 'NOT_FOUND',
  );
});

test('a scan is cancelled through its AbortSignal', async () => {
  const ac = new AbortController();
  await assert.rejects(
    scanLocation(store, at(SYNTH, 'events/'), {
      concurrency: 4,
      signal: ac.signal,
      progressIntervalMs: 0,
      onProgress: (p) => {
        if (p.objects >= 5000) ac.abort();
      },
    }),
    (e: unknown) => e instanceof ProviderError && e.code === 'CANCELLED',
  );
});
