// The scanner with the real Blob adapter against Azurite.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startAzurite, type AzuriteService } from '../support/services.js';
import { BlobObjectStore, createBlobServiceClient } from '../../src/providers/azure/blob-object-store.js';
import { scanLocation } from '../../src/providers/scanner.js';
import { ProviderError } from '../../src/providers/ports.js';
import type { ObjectLocation } from '../../src/providers/ports.js';
import {
  BLOB_SCANS,
  FIXTURE_THRESHOLD,
  HUGE_KEYS,
  HUGE_PARTITION,
  expectedFigures,
  fixtureObjects,
  putFixture,
  scanFigures,
} from './scan-fixture.js';

const CONTAINER = 'scan-fixture';
let azurite: AzuriteService;
let store: BlobObjectStore;
const objects = fixtureObjects();

before(async () => {
  azurite = await startAzurite();
  store = new BlobObjectStore(await createBlobServiceClient({ connectionString: azurite.connectionString }));
  await store.service.getContainerClient(CONTAINER).create();
  await putFixture(store, CONTAINER, objects);
});

after(async () => {
  await azurite?.stop();
});

const at = (prefix: string): ObjectLocation => ({
  scheme: 'azure-blob',
  account: 'devstoreaccount1',
  container: CONTAINER,
  prefix,
});

for (const { prefix, pageSize, concurrency, maxDepth } of BLOB_SCANS) {
  const how = maxDepth === 0 ? 'flat' : 'with folder discovery';
  test(`scan of "${prefix}" ${how} (${pageSize} keys a page, ${concurrency} at a time) counts every object once`, async () => {
    const result = await scanLocation(store, at(prefix), {
      thresholdBytes: FIXTURE_THRESHOLD,
      pageSize,
      concurrency,
      maxDepth,
    });
    assert.deepEqual(scanFigures(result.summary), expectedFigures(objects, prefix));
    assert.equal(result.source, 'listing');
    assert.equal(result.splits, 0); // Blob has no StartAfter: no range splits
  });
}

test('per-partition figures: the huge partition leads, the events table is bucketed per day', async () => {
  const result = await scanLocation(store, at('lake/'), { thresholdBytes: FIXTURE_THRESHOLD, pageSize: 500 });
  const top = result.summary.topPartitions[0];
  assert.equal(top?.partition, HUGE_PARTITION);
  assert.equal(top?.files, HUGE_KEYS + 1);
  assert.deepEqual(
    result.summary.dateBuckets.map((b) => [b.date, b.files]),
    [
      ['2026-11-18', 5],
      ['2026-11-19', 5],
      ['2026-11-20', 5],
      ['2026-11-21', 5],
      ['2026-11-22', HUGE_KEYS + 1],
    ],
  );
  assert.deepEqual(result.summary.leftovers, {
    objects: 8,
    bytes: expectedFigures(objects, 'lake/').objectBytes - expectedFigures(objects, 'lake/').bytes,
    temporary: 1,
    success: 4,
    crc: 1,
    commitMarkers: 2,
    folderSuffix: 0,
  });
});

test('an unknown container is NOT_FOUND', async () => {
  await assert.rejects(
    scanLocation(store, { ...at(''), container: 'no-such-container' }),
    (e: unknown) =>
      e instanceof ProviderError && e.code === 'NOT_FOUND' && /no-such-container/.test(e.message),
  );
});

test('a scan is cancelled through its AbortSignal', async () => {
  const ac = new AbortController();
  await assert.rejects(
    scanLocation(store, at(''), {
      pageSize: 10,
      concurrency: 2,
      signal: ac.signal,
      progressIntervalMs: 0,
      onProgress: (p) => {
        if (p.objects >= 50) ac.abort();
      },
    }),
    (e: unknown) => e instanceof ProviderError && e.code === 'CANCELLED',
  );
});

test('startAfter is emulated by skipping, in key order', async () => {
  const page = await store.listPage({
    container: CONTAINER,
    prefix: HUGE_PARTITION,
    startAfter: `${HUGE_PARTITION}part-00041-c000.snappy.parquet`,
    maxKeys: 10,
  });
  assert.equal(page.objects[0]?.key, `${HUGE_PARTITION}part-00042-c000.snappy.parquet`);
  assert.ok(page.nextToken);
});

test('the adapter reads ranges, copies odd keys and deletes', async () => {
  const key = 'copy/src with space+plus%/ünï.txt';
  await store.putObject(CONTAINER, key, 'hello world');
  assert.equal((await store.getObject(CONTAINER, key, { start: 6, end: 10 })).toString(), 'world');
  const copied = await store.copy(
    { container: CONTAINER, key },
    { container: CONTAINER, key: 'copy/dst.txt' },
  );
  assert.ok(copied.etag, 'the copy has an ETag');
  assert.equal(copied.multipart, false);
  assert.equal((await store.getObject(CONTAINER, 'copy/dst.txt')).toString(), 'hello world');
  await store.deleteObjects(CONTAINER, [key, 'copy/dst.txt']);
  const page = await store.listPage({ container: CONTAINER, prefix: 'copy/' });
  assert.equal(page.objects.length, 0);
  await assert.rejects(
    store.getObject(CONTAINER, 'copy/dst.txt'),
    (e: unknown) => e instanceof ProviderError && e.code === 'NOT_FOUND',
  );
});

test('a wrong account key is ACCESS_DENIED with the RBAC data action', async () => {
  const wrong = azurite.connectionString.replace(
    /AccountKey=[^;]+/,
    `AccountKey=${Buffer.alloc(64, 1).toString('base64')}`,
  );
  const denied = new BlobObjectStore(await createBlobServiceClient({ connectionString: wrong }));
  await assert.rejects(
    scanLocation(denied, at('')),
    (e: unknown) =>
      e instanceof ProviderError &&
      e.code === 'ACCESS_DENIED' &&
      e.action === 'Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read',
  );
});

test('an account URL uses DefaultAzureCredential, or its SAS when it has one', async () => {
  // @azure/identity is installed here (through Azurite); without it the factory says to set
  // AZURE_STORAGE_CONNECTION_STRING or add a SAS
  const client = await createBlobServiceClient({ accountUrl: 'https://acct01.blob.core.windows.net' });
  assert.equal(client.accountName, 'acct01');
  assert.equal(client.credential.constructor.name, 'DefaultAzureCredential');
  const sas = await createBlobServiceClient({ accountUrl: `${azurite.url}?sv=2024-01-01&sig=x` });
  assert.equal(sas.accountName, 'devstoreaccount1');
  assert.equal(sas.credential.constructor.name, 'AnonymousCredential');
});
