// ADLS Gen2 Path - List behind the Blob adapter (src/providers/azure/adls-path-list.ts): against the
// Azure simulator over HTTPS with Shared Key, a directory listing must give exactly what List Blobs
// gives (keys, sizes, Last-Modified, ETags, folders), across pages whose continuation tokens are
// Path - List's own; an account without a hierarchical namespace (the simulator switched, and
// Azurite 3.35) is found out once and listed through List Blobs; throttling is not mistaken for
// that; a partition of more than one page is continued by its token.
import '../support/azure.js';
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { startTrustedAzureSim } from '../support/azure.js';
import { dropPrefix, redisUrl, startAzurite, testPrefix, type AzuriteService } from '../support/services.js';
import type { BlobItem } from '@azure/storage-blob';
import { BlobObjectStore, createBlobServiceClient } from '../../src/providers/azure/blob-object-store.js';
import { scanLocation } from '../../src/providers/scanner.js';
import { scanWithPartitionCache } from '../../jobs/partition-cache.js';
import { ProviderError } from '../../src/providers/ports.js';
import type { ListPage, ListPageRequest, ObjectInfo, ObjectLocation } from '../../src/providers/ports.js';
import type { AzureSimulator } from '../../sim/azure/index.js';
import { AZURE_SIM } from '../../sim/azure/scenarios.js';

const ACCOUNT = AZURE_SIM.storageAccount;
const CONTAINER = 'dfs-lake';
let sim: AzureSimulator;
let azurite: AzuriteService;
let redis: Redis;
const prefix = testPrefix('dfs-list');

/** A lake as a hierarchical namespace holds it: files in directories, no names ending in '/'. */
const LAKE: { name: string; size: number }[] = [
  { name: 'README.md', size: 12 },
  ...['2026-11-28', '2026-11-29', '2026-11-30'].flatMap((dt, d) =>
    Array.from({ length: 7 + d }, (_, k) => ({
      name: `sales/dt=${dt}/part-${String(k).padStart(5, '0')}.snappy.parquet`,
      size: 1_000 + d * 100 + k,
    })),
  ),
  { name: 'sales/dt=2026-11-30/_SUCCESS', size: 0 },
  { name: 'sales/dt=2026-11-30/_temporary/0/part-00099.snappy.parquet', size: 77 },
  // '-' sorts before '/': List Blobs lists b-c/ between b and b/; a directory listing need not.
  { name: 'odd/b-c/x.parquet', size: 5 },
  { name: 'odd/b/y.parquet', size: 6 },
  { name: 'odd/b/z/w.parquet', size: 7 },
  { name: 'odd/unicodé/日本語.json', size: 8 },
  { name: 'odd/with space/a+b=c.csv', size: 9 },
];

before(async () => {
  sim = await startTrustedAzureSim({ scenarios: [] });
  sim.blobs.put(ACCOUNT, CONTAINER, LAKE);
  azurite = await startAzurite();
  redis = new Redis(redisUrl());
});

after(async () => {
  await dropPrefix(prefix);
  await redis.quit();
  await azurite?.stop();
  await sim?.stop();
});

const simStore = async (now?: () => number) =>
  new BlobObjectStore(
    await createBlobServiceClient({ connectionString: sim.blobConnectionString() }),
    now ? { now } : {},
  );
const sent = () => sim.requests({ service: 'blob' });
const ops = (from: number) =>
  sent()
    .slice(from)
    .map((r) => r.operation);

/** Every page of a listing, each page's token handed back. */
async function all(store: BlobObjectStore, req: Omit<ListPageRequest, 'container'>): Promise<ListPage[]> {
  const pages: ListPage[] = [];
  let token: string | undefined;
  do {
    const p = await store.listPage({ ...req, container: CONTAINER, ...(token ? { token } : {}) });
    pages.push(p);
    token = p.nextToken;
  } while (token);
  return pages;
}
const flat = (pages: ListPage[]) => ({
  objects: pages
    .flatMap((p) => p.objects)
    .map((o: ObjectInfo) => [o.key, o.size, o.lastModified?.toISOString(), o.etag])
    .sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
  prefixes: pages.flatMap((p) => p.prefixes).sort(),
});
/** What List Blobs says of the same listing, read with the SDK directly. */
async function listBlobs(store: BlobObjectStore, p: string, delimiter?: string) {
  const c = store.service.getContainerClient(CONTAINER);
  const objects: ObjectInfo[] = [];
  const prefixes: string[] = [];
  const add = (b: BlobItem) =>
    objects.push({
      key: b.name,
      size: b.properties.contentLength ?? 0,
      ...(b.properties.lastModified ? { lastModified: b.properties.lastModified } : {}),
      ...(b.properties.etag ? { etag: b.properties.etag } : {}),
    });
  if (delimiter)
    for await (const item of c.listBlobsByHierarchy(delimiter, { prefix: p })) {
      if (item.kind === 'prefix') prefixes.push(item.name);
      else add(item);
    }
  else for await (const item of c.listBlobsFlat({ prefix: p })) add(item);
  return flat([{ objects, prefixes }]);
}

for (const [p, delimiter, maxKeys] of [
  ['', '/', 5000],
  ['', undefined, 5000],
  ['', undefined, 2],
  ['sales/', '/', 1],
  ['sales/dt=2026-11-30/', undefined, 3],
  ['sales/dt=2026-11-30/', '/', 2],
  ['odd/', undefined, 1],
  ['odd/', '/', 1],
  // Percent-encoded in the query (a space as %20), and signed as the service decodes it.
  ['odd/with space/', '/', 5000],
  ['odd/unicodé/', undefined, 5000],
] as const) {
  test(`Path - List of "${p}" ${delimiter ? 'with' : 'without'} the delimiter, ${maxKeys} a page, is what List Blobs lists`, async () => {
    const store = await simStore();
    const n0 = sent().length;
    const pages = await all(store, { prefix: p, ...(delimiter ? { delimiter } : {}), maxKeys });
    assert.ok(
      ops(n0).every((o) => o === 'ListPaths'),
      `every request a Path - List: ${ops(n0).join(', ')}`,
    );
    assert.ok(
      pages.every((x) => x.tokenOnly),
      'Path - List pages',
    );
    if (maxKeys < 5) assert.ok(pages.length > 1, 'paged');
    // Recursive listings hold no directories; a delimiter listing names them as folders.
    assert.deepEqual(flat(pages), await listBlobs(store, p, delimiter));
    assert.equal(store.pathList.state, 'on');
    assert.ok(
      sent()
        .slice(n0)
        .every((r) => r.status === 200),
      'answered',
    );
  });
}

test('Path - List scans agree with List Blobs scans, folder discovery and flat', async () => {
  const at: ObjectLocation = { scheme: 'azure-blob', account: ACCOUNT, container: CONTAINER, prefix: '' };
  // A prefix without its '/' is listed through List Blobs; its sub-folders through Path - List.
  for (const loc of [at, { ...at, prefix: 'sales/' }, { ...at, prefix: 'odd' }]) {
    for (const maxDepth of [0, 16]) {
      const opts = { thresholdBytes: 1_000, pageSize: 2, maxDepth };
      const n0 = sent().length;
      const viaDfs = await scanLocation(await simStore(), loc, opts);
      // 'odd' listed flat is one List Blobs listing of a prefix that is no directory.
      const flatOdd = loc.prefix === 'odd' && maxDepth === 0;
      assert.equal(ops(n0).includes('ListPaths'), !flatOdd, ops(n0).join(', '));
      sim.blobs.hierarchicalNamespace = false;
      let viaBlob;
      try {
        const store = await simStore();
        viaBlob = await scanLocation(store, loc, opts);
        assert.equal(store.pathList.state, flatOdd ? 'unknown' : 'off');
      } finally {
        sim.blobs.hierarchicalNamespace = true;
      }
      assert.equal(viaDfs.summary.objects, LAKE.filter((b) => b.name.startsWith(loc.prefix)).length);
      assert.deepEqual(viaDfs.summary, viaBlob.summary, `${loc.prefix} depth ${maxDepth}`);
    }
  }
});

test('a directory that does not exist lists nothing; an unknown filesystem is NOT_FOUND with its name', async () => {
  const store = await simStore();
  const page = await store.listPage({ container: CONTAINER, prefix: 'no-such-dir/', delimiter: '/' });
  assert.deepEqual([page.objects, page.prefixes], [[], []]);
  assert.equal(sent().at(-1)?.error, 'PathNotFound');
  await assert.rejects(
    store.listPage({ container: 'no-such-fs', prefix: '' }),
    (e: unknown) => e instanceof ProviderError && e.code === 'NOT_FOUND' && /no-such-fs/.test(e.message),
  );
});

test('no hierarchical namespace: found out by one Path - List, the others wait for it; then List Blobs only, for an hour', async () => {
  let now = Date.UTC(2026, 11, 2);
  const store = await simStore(() => now);
  sim.blobs.hierarchicalNamespace = false;
  try {
    const n0 = sent().length;
    const reqs = ['sales/dt=2026-11-28/', 'sales/dt=2026-11-29/', 'sales/dt=2026-11-30/', 'odd/'];
    const pages = await Promise.all(reqs.map((p) => store.listPage({ container: CONTAINER, prefix: p })));
    const used = ops(n0);
    assert.equal(used.filter((o) => o === 'ListPaths').length, 1, used.join(', '));
    assert.equal(used.filter((o) => o === 'ListBlobs').length, reqs.length);
    assert.deepEqual(store.pathList.state, 'off');
    assert.match((store.pathList as { reason: string }).reason, /HTTP 400/);
    for (const [i, p] of reqs.entries()) assert.deepEqual(flat([pages[i]!]), await listBlobs(store, p), p);
    assert.ok(
      pages.every((x) => !x.tokenOnly),
      'List Blobs pages',
    );
    // Within the hour: no Path - List at all.
    const n1 = sent().length;
    await all(store, { prefix: 'sales/', delimiter: '/', maxKeys: 1 });
    assert.ok(
      ops(n1).every((o) => o === 'ListBlobs'),
      ops(n1).join(', '),
    );
    // An hour later it is tried again, and used once the account answers it.
    sim.blobs.hierarchicalNamespace = true;
    now += 3_600_001;
    const n2 = sent().length;
    await store.listPage({ container: CONTAINER, prefix: 'sales/', delimiter: '/' });
    assert.deepEqual(ops(n2), ['ListPaths']);
    assert.equal(store.pathList.state, 'on');
  } finally {
    sim.blobs.hierarchicalNamespace = true;
  }
});

test('a throttled Path - List is THROTTLED, not a reason to stop using it', async () => {
  const store = await simStore();
  // More 503s than the storage retry policy makes attempts.
  sim.setFaults([{ service: 'blob', error: 'throttle', count: 50 }]);
  try {
    await assert.rejects(
      store.listPage({ container: CONTAINER, prefix: 'sales/', delimiter: '/' }),
      (e: unknown) => e instanceof ProviderError && e.code === 'THROTTLED' && e.retryable,
    );
  } finally {
    sim.setFaults([]);
  }
  assert.equal(store.pathList.state, 'unknown');
  const page = await store.listPage({ container: CONTAINER, prefix: 'sales/', delimiter: '/' });
  assert.equal(page.prefixes.length, 3);
  assert.equal(store.pathList.state, 'on');
});

test('Azurite 3.35 has no Path - List: its first directory listing finds that out and List Blobs answers', async () => {
  const store = new BlobObjectStore(
    await createBlobServiceClient({ connectionString: azurite.connectionString }),
  );
  const c = store.service.getContainerClient(CONTAINER);
  await c.create();
  for (const b of LAKE.slice(0, 6))
    await c.getBlockBlobClient(b.name).upload(Buffer.alloc(b.size, 1), b.size);
  const page = await store.listPage({ container: CONTAINER, prefix: 'sales/', delimiter: '/' });
  assert.deepEqual(page.prefixes, ['sales/dt=2026-11-28/']);
  assert.equal(store.pathList.state, 'off');
  assert.match((store.pathList as { reason: string }).reason, /HTTP 400/);
});

test('partition cache: a partition of more than one Path - List page is continued by its token, and counted once', async () => {
  const big = Array.from({ length: 5_003 }, (_, k) => ({
    name: `wide/dt=2026-12-01/part-${String(k).padStart(5, '0')}.parquet`,
    size: 10 + k,
  }));
  sim.blobs.put(ACCOUNT, CONTAINER, [...big, { name: 'wide/dt=2026-11-30/part-00000.parquet', size: 3 }]);
  const store = await simStore();
  const loc: ObjectLocation = {
    scheme: 'azure-blob',
    account: ACCOUNT,
    container: CONTAINER,
    prefix: 'wide/',
  };
  const n0 = sent().length;
  const cold = await scanWithPartitionCache(redis, prefix, store, loc, {
    thresholdBytes: 1_000,
    concurrency: 8,
    now: Date.now,
  });
  assert.ok(cold, 'a partition-cached scan');
  assert.equal(cold.scan.summary.objects, 5_004);
  assert.equal(cold.scan.summary.bytes, big.reduce((n, b) => n + b.size, 0) + 3);
  // The cold scan: Path - List only, the wide partition's second page by its continuation token.
  const cold0 = sent().slice(n0);
  assert.ok(
    cold0.every((r) => r.operation === 'ListPaths'),
    cold0.map((r) => r.operation).join(', '),
  );
  assert.ok(
    cold0.some(
      (r) => r.params.directory === 'wide/dt=2026-12-01' && typeof r.params.continuation === 'string',
    ),
  );
  // Warm: the checks (List Blobs from each partition's last key) find both unchanged.
  const warm = await scanWithPartitionCache(redis, prefix, store, loc, {
    thresholdBytes: 1_000,
    concurrency: 8,
    now: Date.now,
  });
  assert.ok(warm, 'a partition-cached scan');
  assert.equal(warm.cache.fromCache, 2);
  assert.deepEqual(warm.scan.summary, cold.scan.summary);
});
