// The S3 Inventory reader against the simulator: the newest report is found and its gzip CSV files
// are streamed (in deliberately tiny ranged reads) into figures equal to the rows written.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { startSimulator, emptyScenarios, type Simulator } from '../../sim/index.js';
import { createS3Client, S3ObjectStore } from '../../src/providers/aws/s3-object-store.js';
import { decodeInventoryKey, parseCsvLine, scanInventory } from '../../src/providers/aws/s3-inventory.js';
import { ProviderError } from '../../src/providers/ports.js';
import type { ObjectLocation } from '../../src/providers/ports.js';

const DEST = 'inventory-dest';
const SOURCE = 'lake-raw';
const CONFIG = `inv/${SOURCE}/daily/`;
const MiB = 1024 * 1024;
const CREATED = Date.UTC(2026, 10, 26, 1, 0);
let sim: Simulator;
let store: S3ObjectStore;

/** How S3 Inventory writes a key into CSV: URL-encoded, spaces as '+'. */
const encodeKey = (k: string): string => encodeURIComponent(k).replace(/%20/g, '+').replace(/%2F/g, '/');
const csv = (fields: string[]): string => fields.map((f) => `"${f.replace(/"/g, '""')}"`).join(',');

interface Row {
  key: string;
  size: number;
  latest?: boolean;
  deleteMarker?: boolean;
}

const rows: Row[] = [];
for (let i = 0; i < 500; i++)
  rows.push({ key: `events/dt=2026-11-25/part-${i}.snappy.parquet`, size: 100_000 + i });
for (let i = 0; i < 20; i++)
  rows.push({ key: `events/dt=2026-11-24/part-${i}.snappy.parquet`, size: 64 * MiB + i });
rows.push({ key: 'events/odd/with space/ünï+plus%.csv', size: 7 });
rows.push({ key: 'events/dt=2026-11-25/_SUCCESS', size: 0 });
rows.push({ key: 'events/old-version.parquet', size: 999, latest: false });
rows.push({ key: 'events/deleted.parquet', size: 0, deleteMarker: true });
rows.push({ key: 'other/outside-prefix.parquet', size: 5 });

async function putReport(folder: string, format: string, created: number, data: Row[]): Promise<void> {
  const schema = 'Bucket, Key, VersionId, IsLatest, IsDeleteMarker, Size, LastModifiedDate, ETag';
  const files = [];
  // two data files
  for (const [n, part] of [data.slice(0, 200), data.slice(200)].entries()) {
    const body = gzipSync(
      part
        .map((r) =>
          csv([
            SOURCE,
            encodeKey(r.key),
            'v1',
            String(r.latest ?? true),
            String(r.deleteMarker ?? false),
            r.deleteMarker ? '' : String(r.size),
            '2026-11-25T10:00:00.000Z',
            'etag',
          ]),
        )
        .join('\n') + '\n',
    );
    const key = `${CONFIG}data/${folder}-${n}.csv.gz`;
    await store.putObject(DEST, key, body);
    files.push({ key, size: body.length, MD5checksum: 'x' });
  }
  const manifest = {
    sourceBucket: SOURCE,
    destinationBucket: `arn:aws:s3:::${DEST}`,
    version: '2016-11-30',
    creationTimestamp: String(created),
    fileFormat: format,
    fileSchema: schema,
    files,
  };
  await store.putObject(DEST, `${CONFIG}${folder}/manifest.json`, JSON.stringify(manifest));
}

before(async () => {
  sim = await startSimulator({
    scenarios: [...emptyScenarios(), (s, now) => void s.s3.createBucket(DEST, now)],
  });
  store = new S3ObjectStore(
    createS3Client({
      region: 'us-east-1',
      endpoint: sim.url,
      forcePathStyle: true,
      credentials: { accessKeyId: 'sim', secretAccessKey: 'sim' },
    }),
  );
  // an older report with other figures, then the newest one
  await putReport('2026-11-25T01-00Z', 'CSV', CREATED - 86_400_000, rows.slice(0, 10));
  await putReport('2026-11-26T01-00Z', 'CSV', CREATED, rows);
  await store.putObject(DEST, `${CONFIG}hive/dt=2026-11-26-01-00/symlink.txt`, 'x');
});

after(async () => {
  store?.client.destroy();
  await sim?.stop();
});

const destination: ObjectLocation = { scheme: 's3', container: DEST, prefix: CONFIG };

test('parseCsvLine and decodeInventoryKey', () => {
  assert.deepEqual(parseCsvLine('"a","b ""q"" c","",d'), ['a', 'b "q" c', '', 'd']);
  assert.deepEqual(parseCsvLine('"x,y","z"'), ['x,y', 'z']);
  assert.equal(decodeInventoryKey('a+b/%C3%BC%2B%25.csv'), 'a b/ü+%.csv');
  assert.equal(decodeInventoryKey('bad%zz'), 'bad%zz');
});

test('the newest report is read and its rows aggregated exactly', async () => {
  let last = 0;
  const result = await scanInventory(
    store,
    destination,
    { scheme: 's3', container: SOURCE, prefix: 'events/' },
    {
      chunkBytes: 97,
      now: () => CREATED + 3_600_000,
      onProgress: (p) => (last = p.objects),
      progressIntervalMs: 0,
    },
  );
  const counted = rows.filter((r) => r.key.startsWith('events/') && r.latest !== false && !r.deleteMarker);
  const data = counted.filter((r) => !r.key.endsWith('_SUCCESS'));
  const small = data.filter((r) => r.size < 32 * MiB);
  assert.equal(result.source, 'inventory');
  assert.equal(result.summary.objects, counted.length);
  assert.equal(last, counted.length);
  assert.equal(
    result.summary.objectBytes,
    counted.reduce((a, r) => a + r.size, 0),
  );
  assert.equal(result.summary.files, data.length);
  assert.equal(result.summary.smallFiles, small.length);
  assert.equal(
    result.summary.smallBytes,
    small.reduce((a, r) => a + r.size, 0),
  );
  assert.equal(result.summary.leftovers.success, 1);
  assert.equal(result.inventory?.manifestKey, `${CONFIG}2026-11-26T01-00Z/manifest.json`);
  assert.equal(result.inventory?.createdAt, new Date(CREATED).toISOString());
  assert.equal(result.inventory?.ageMs, 3_600_000);
  assert.equal(result.inventory?.files, 2);
  assert.ok(result.requests > 10, 'ranged reads of 97 bytes');
  assert.ok(result.summary.topPartitions.some((p) => p.partition === 'events/odd/with space/'));
});

test('an inventory of another bucket, a Parquet report and a missing report are clear errors', async () => {
  await assert.rejects(
    scanInventory(store, destination, { scheme: 's3', container: 'lake-other', prefix: '' }),
    (e: unknown) =>
      e instanceof ProviderError && e.code === 'INVALID_INPUT' && /of bucket lake-raw/.test(e.message),
  );
  await assert.rejects(
    scanInventory(
      store,
      { ...destination, prefix: 'inv/nothing/' },
      { scheme: 's3', container: SOURCE, prefix: '' },
    ),
    (e: unknown) => e instanceof ProviderError && e.code === 'NOT_FOUND',
  );
  await putReport('2026-11-27T01-00Z', 'Parquet', CREATED + 86_400_000, rows.slice(0, 3));
  await assert.rejects(
    scanInventory(store, destination, { scheme: 's3', container: SOURCE, prefix: '' }),
    (e: unknown) =>
      e instanceof ProviderError && e.code === 'INVALID_INPUT' && /Parquet is not supported/.test(e.message),
  );
});
