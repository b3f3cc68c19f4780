// The Blob scanner's contract with two List Blobs services: the simulator's (sim/azure/blob.ts, over
// HTTPS with Shared Key) and Azurite, holding the same data set. Every scan must report the
// expected figures on both, and the two must agree on the per-partition and per-day figures.
// startFrom: the simulator honors it (inclusive); Azurite 3.35 ignores it (checked here, as the
// partition cache's fallback relies on seeing that).
import '../support/azure.js';
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTrustedAzureSim } from '../support/azure.js';
import { startAzurite, type AzuriteService } from '../support/services.js';
import { BlobObjectStore, createBlobServiceClient } from '../../src/providers/azure/blob-object-store.js';
import { scanLocation } from '../../src/providers/scanner.js';
import { createProviders } from '../../src/providers/registry.js';
import { createLocalRequestBudget, type RequestBudget } from '../../src/providers/request-budget.js';
import { parseEnv } from '../../src/config/index.js';
import { ProviderError } from '../../src/providers/ports.js';
import type { ObjectLocation } from '../../src/providers/ports.js';
import type { AzureSimulator } from '../../sim/azure/index.js';
import { AZURE_SIM } from '../../sim/azure/scenarios.js';
import {
  BLOB_SCANS,
  FIXTURE_THRESHOLD,
  HUGE_PARTITION,
  expectedFigures,
  fixtureObjects,
  putFixture,
  scanFigures,
} from './scan-fixture.js';

const CONTAINER = 'scan-fixture';
const ACCOUNT = AZURE_SIM.storageAccount;
let sim: AzureSimulator;
let azurite: AzuriteService;
let simStore: BlobObjectStore;
let azStore: BlobObjectStore;
const objects = fixtureObjects();

before(async () => {
  sim = await startTrustedAzureSim({ scenarios: [] });
  sim.blobs.put(
    ACCOUNT,
    CONTAINER,
    objects.map((o) => ({ name: o.key, size: o.size })),
  );
  simStore = new BlobObjectStore(
    await createBlobServiceClient({ connectionString: sim.blobConnectionString() }),
  );
  azurite = await startAzurite();
  azStore = new BlobObjectStore(
    await createBlobServiceClient({ connectionString: azurite.connectionString }),
  );
  await azStore.service.getContainerClient(CONTAINER).create();
  await putFixture(azStore, CONTAINER, objects);
});

after(async () => {
  await azurite?.stop();
  await sim?.stop();
});

const at = (account: string, prefix: string): ObjectLocation => ({
  scheme: 'azure-blob',
  account,
  container: CONTAINER,
  prefix,
});

for (const { prefix, pageSize, concurrency, maxDepth } of BLOB_SCANS) {
  const how = maxDepth === 0 ? 'flat' : 'with folder discovery';
  test(`simulator and Azurite: scan of "${prefix}" ${how} (${pageSize} a page, ${concurrency} at a time) agree`, async () => {
    const opts = { thresholdBytes: FIXTURE_THRESHOLD, pageSize, concurrency, maxDepth };
    const [s, a] = await Promise.all([
      scanLocation(simStore, at(ACCOUNT, prefix), opts),
      scanLocation(azStore, at('devstoreaccount1', prefix), opts),
    ]);
    assert.deepEqual(scanFigures(s.summary), expectedFigures(objects, prefix));
    assert.deepEqual(scanFigures(a.summary), scanFigures(s.summary));
    const parts = (r: typeof s) =>
      r.summary.topPartitions.map((p) => [p.partition, p.files, p.bytes, p.smallFiles]);
    assert.deepEqual(parts(s), parts(a));
    assert.deepEqual(
      s.summary.dateBuckets.map((b) => [b.date, b.files]),
      a.summary.dateBuckets.map((b) => [b.date, b.files]),
    );
    assert.deepEqual(s.summary.leftovers, a.summary.leftovers);
  });
}

test('simulator and Azurite list a delimiter page the same, and page on with their markers', async () => {
  const pages = async (store: BlobObjectStore) => {
    const seen: { objects: string[]; prefixes: string[] }[] = [];
    let token: string | undefined;
    do {
      const p = await store.listPage({
        container: CONTAINER,
        prefix: 'lake/odd/',
        delimiter: '/',
        maxKeys: 2,
        ...(token ? { token } : {}),
      });
      seen.push({ objects: p.objects.map((o) => o.key), prefixes: p.prefixes });
      token = p.nextToken;
    } while (token);
    return seen;
  };
  const [s, a] = await Promise.all([pages(simStore), pages(azStore)]);
  const flat = (x: typeof s) => ({
    objects: x.flatMap((p) => p.objects).sort(),
    prefixes: x.flatMap((p) => p.prefixes).sort(),
  });
  assert.deepEqual(flat(s), flat(a));
  assert.ok(s.length > 1, 'paged');
});

test('startFrom: the simulator lists from it (inclusive); Azurite ignores it', async () => {
  const from = `${HUGE_PARTITION}part-00042-c000.snappy.parquet`;
  const first = async (store: BlobObjectStore) => {
    const it = store.service
      .getContainerClient(CONTAINER)
      .listBlobsFlat({ prefix: HUGE_PARTITION, startFrom: from })
      .byPage({ maxPageSize: 2 });
    const r = await it.next();
    return r.done ? [] : r.value.segment.blobItems.map((b) => b.name);
  };
  assert.deepEqual(await first(simStore), [from, `${HUGE_PARTITION}part-00043-c000.snappy.parquet`]);
  assert.deepEqual(await first(azStore), [
    `${HUGE_PARTITION}part-00000-c000.snappy.parquet`,
    `${HUGE_PARTITION}part-00001-c000.snappy.parquet`,
  ]);
});

test('the simulator checks the Shared Key signature: a wrong account key is ACCESS_DENIED', async () => {
  const wrong = sim
    .blobConnectionString()
    .replace(/AccountKey=[^;]+/, `AccountKey=${Buffer.alloc(64, 7).toString('base64')}`);
  const denied = new BlobObjectStore(await createBlobServiceClient({ connectionString: wrong }));
  await assert.rejects(
    denied.listPage({ container: CONTAINER, prefix: '' }),
    (e: unknown) => e instanceof ProviderError && e.code === 'ACCESS_DENIED' && /blobs\/read/.test(e.message),
  );
});

test('the simulator: an unknown container is NOT_FOUND, maxresults over 5,000 is refused', async () => {
  await assert.rejects(
    scanLocation(simStore, { ...at(ACCOUNT, ''), container: 'no-such-container' }),
    (e: unknown) =>
      e instanceof ProviderError && e.code === 'NOT_FOUND' && /no-such-container/.test(e.message),
  );
  const it = simStore.service.getContainerClient(CONTAINER).listBlobsFlat().byPage({ maxPageSize: 5001 });
  await assert.rejects(it.next(), (e: unknown) => (e as { statusCode?: number }).statusCode === 400);
});

test('the simulator seeds 50,000 blobs at once and lists a page of them', async () => {
  const names = Array.from({ length: 50_000 }, (_, i) => ({
    name: `big/dt=2026-11-${String(1 + (i % 30)).padStart(2, '0')}/part-${String(i).padStart(6, '0')}.parquet`,
    size: 100 + i,
  }));
  sim.blobs.put(ACCOUNT, 'big', names);
  const page = await simStore.listPage({ container: 'big', prefix: 'big/', delimiter: '/' });
  assert.equal(page.prefixes.length, 30);
  const scan = await scanLocation(simStore, { ...at(ACCOUNT, 'big/'), container: 'big' });
  assert.equal(scan.summary.objects, 50_000);
});

test('startAfter: one request with startFrom on the simulator, page skipping on Azurite, the same keys', async () => {
  const req = {
    container: CONTAINER,
    prefix: HUGE_PARTITION,
    startAfter: `${HUGE_PARTITION}part-00041-c000.snappy.parquet`,
    maxKeys: 3,
  };
  const n0 = sim.requests({ service: 'blob' }).length;
  const [s, a] = await Promise.all([simStore.listPage(req), azStore.listPage(req)]);
  const keys = [42, 43, 44].map((k) => `${HUGE_PARTITION}part-000${k}-c000.snappy.parquet`);
  assert.deepEqual(
    s.objects.map((o) => o.key),
    keys.slice(0, 2),
  );
  assert.equal(s.startFromIgnored, undefined);
  const sent = sim.requests({ service: 'blob' }).slice(n0);
  assert.equal(sent.length, 1);
  assert.equal(sent[0]?.params.startFrom, req.startAfter);
  // Azurite lists from the prefix: the adapter skipped its pages up to the key.
  assert.equal(a.startFromIgnored, true);
  assert.equal(a.objects[0]?.key, keys[0]);
});

test('the request budget covers Blob: every List Blobs attempt, retries included, takes a token of blob:<account>', async () => {
  const budget = createLocalRequestBudget({ ratePerSecond: 10_000, burst: 10_000 });
  const scopes = new Map<string, number>();
  const counting: RequestBudget = {
    ...budget,
    acquire: async (scope) => {
      scopes.set(scope, (scopes.get(scope) ?? 0) + 1);
      return await budget.acquire(scope);
    },
  };
  const providers = createProviders({
    env: parseEnv({ AZURE_STORAGE_CONNECTION_STRING: sim.blobConnectionString() }, { requireSlack: false }),
    requestBudgets: { blob: counting },
  });
  try {
    // The first two List Blobs answer 503: the SDK's storage retry policy tries again, and each
    // attempt must wait for a token too.
    sim.setFaults([{ service: 'blob', error: 'unavailable', count: 2 }]);
    const before = sim.requests({ service: 'blob' }).length;
    const scan = await scanLocation(providers.objectStore('azure-blob'), at(ACCOUNT, 'lake/'), {
      thresholdBytes: FIXTURE_THRESHOLD,
      pageSize: 100,
      concurrency: 1,
    });
    const sent = sim.requests({ service: 'blob' }).length - before;
    assert.ok(scan.summary.objects > 0);
    assert.ok(
      scan.retries >= 2 || sent > scan.requests,
      `the 503s were retried (${sent} sent, ${scan.requests} pages)`,
    );
    assert.deepEqual([...scopes.keys()], [`blob:${ACCOUNT}`]);
    assert.equal(scopes.get(`blob:${ACCOUNT}`), sent, 'one token per request sent, retries included');
  } finally {
    sim.setFaults([]);
    providers.close();
  }
});
