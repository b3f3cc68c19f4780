// The Blob adapter's choice between ADLS Gen2 Path - List and List Blobs, in the cases no service
// here produces on demand: a dfs endpoint that never answers, a Blob endpoint's ContainerNotFound
// to a Path - List, a failure that is not even an Error, pages of nothing but directories. The
// Blob client is a stand-in with the two things the adapter uses: the core pipeline's
// `sendRequest` (Path - List) and a container's List Blobs pages.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { BlobServiceClient } from '@azure/storage-blob';
import { BlobObjectStore } from '../../src/providers/azure/blob-object-store.js';
import { dfsUrlOf } from '../../src/providers/azure/adls-path-list.js';
import { ProviderError } from '../../src/providers/ports.js';

type Req = { url: string; abortSignal?: AbortSignal };
type Answer = { status: number; headers?: Record<string, string>; body?: string };

/** A Blob client whose Path - List answers come from `dfs`, and whose List Blobs lists `blobs`. */
function stub(dfs: (req: Req) => Promise<Answer>, blobs: string[] = ['d/x.parquet']) {
  const asked: string[] = [];
  let listBlobs = 0;
  const page = {
    segment: {
      blobItems: blobs.map((name) => ({ name, properties: { contentLength: 1 } })),
      blobPrefixes: [],
    },
    continuationToken: '',
  };
  const pages = () => ({
    byPage: () => ({
      next: async () => {
        listBlobs++;
        return { done: false, value: page };
      },
    }),
  });
  const service = {
    accountName: 'acct',
    getContainerClient: (name: string) => ({
      url: `https://acct.blob.core.windows.net/${name}`,
      listBlobsFlat: pages,
      listBlobsByHierarchy: pages,
    }),
    storageClientContext: {
      sendRequest: async (req: Req) => {
        asked.push(req.url);
        const a = await dfs(req);
        const headers = new Map(Object.entries(a.headers ?? {}));
        return {
          status: a.status,
          headers: { get: (k: string) => headers.get(k) },
          bodyAsText: a.body ?? '',
        };
      },
    },
  } as unknown as BlobServiceClient;
  return { service, asked, listBlobsCalls: () => listBlobs };
}

/** Never answers; rejects when the request's signal is aborted, as the HTTP client does. */
const hang = (req: Req) =>
  new Promise<Answer>((_, reject) =>
    req.abortSignal?.addEventListener('abort', () =>
      reject(Object.assign(new Error('aborted'), { name: 'AbortError' })),
    ),
  );
const dirListing = { container: 'lake', prefix: 'd/' };

test('dfsUrlOf: the blob label becomes dfs; emulators keep their host; a custom domain has none', () => {
  assert.equal(
    dfsUrlOf('https://acct.blob.core.windows.net/fs?sv=1')?.toString(),
    'https://acct.dfs.core.windows.net/fs?sv=1',
  );
  assert.equal(
    dfsUrlOf('https://acct.privatelink.blob.core.windows.net/fs')?.host,
    'acct.privatelink.dfs.core.windows.net',
  );
  assert.equal(
    dfsUrlOf('https://acct.blob.core.chinacloudapi.cn/fs')?.host,
    'acct.dfs.core.chinacloudapi.cn',
  );
  assert.equal(
    dfsUrlOf('http://127.0.0.1:10000/devstoreaccount1/fs')?.toString(),
    'http://127.0.0.1:10000/devstoreaccount1/fs',
  );
  assert.equal(dfsUrlOf('http://localhost:10000/devstoreaccount1/fs')?.host, 'localhost:10000');
  assert.equal(dfsUrlOf('https://files.contoso.com/fs'), undefined);
});

test('a dfs endpoint that never answers: the others waiting may cancel, and the probe gives up after its limit', async () => {
  const s = stub(hang);
  const store = new BlobObjectStore(s.service, { pathListProbeMs: 300 });
  const probe = store.listPage(dirListing);
  const waiter = new AbortController();
  const waiting = store.listPage({ ...dirListing, signal: waiter.signal });
  waiter.abort();
  await assert.rejects(waiting, (e: unknown) => e instanceof ProviderError && e.code === 'CANCELLED');
  // The probe ends at its limit, listed through List Blobs, and Path - List is off for the account.
  const page = await probe;
  assert.deepEqual(
    page.objects.map((o) => o.key),
    ['d/x.parquet'],
  );
  assert.equal(store.pathList.state, 'off');
  assert.match((store.pathList as { reason: string }).reason, /no answer in 0.3 s/);
  assert.equal(s.asked.length, 1, 'one Path - List');
  await store.listPage(dirListing);
  assert.equal(s.asked.length, 1, 'none while it is off');
});

test("a Blob endpoint's ContainerNotFound to a Path - List is no missing container: List Blobs answers", async () => {
  const s = stub(async () => ({
    status: 404,
    headers: { 'x-ms-error-code': 'ContainerNotFound' },
    body: '<?xml version="1.0"?><Error><Code>ContainerNotFound</Code></Error>',
  }));
  const store = new BlobObjectStore(s.service);
  const page = await store.listPage(dirListing);
  assert.equal(page.objects.length, 1);
  assert.equal(s.listBlobsCalls(), 1);
  assert.equal(store.pathList.state, 'off');
});

test('a failure that is not an Error still settles the probe: nothing waits for ever', async () => {
  const s = stub(async () => {
    throw undefined;
  });
  const store = new BlobObjectStore(s.service);
  const [a, b] = await Promise.all([store.listPage(dirListing), store.listPage(dirListing)]);
  assert.equal(a.objects.length + b.objects.length, 2);
  assert.equal(store.pathList.state, 'off');
  assert.equal(s.asked.length, 1);
});

test('an account seen answering that stops (its dfs endpoint gone) is given up on, not asked again each time', async () => {
  let up = true;
  const s = stub(async () =>
    up
      ? { status: 200, body: JSON.stringify({ paths: [{ name: 'd/y.parquet', contentLength: '3' }] }) }
      : {
          status: 403,
          headers: { 'x-ms-error-code': 'AuthorizationFailure' },
          body: '{"error":{"code":"AuthorizationFailure"}}',
        },
  );
  const store = new BlobObjectStore(s.service);
  assert.deepEqual(
    (await store.listPage(dirListing)).objects.map((o) => o.key),
    ['d/y.parquet'],
  );
  assert.equal(store.pathList.state, 'on');
  up = false;
  assert.deepEqual(
    (await store.listPage(dirListing)).objects.map((o) => o.key),
    ['d/x.parquet'],
  );
  assert.equal(store.pathList.state, 'off');
  await store.listPage(dirListing);
  assert.equal(s.asked.length, 2);
});

test('a recursive page of nothing but directories is followed on to one with objects', async () => {
  let n = 0;
  const s = stub(async () => {
    n++;
    const dirs = {
      paths: Array.from({ length: 3 }, (_, k) => ({ name: `d/p${n}-${k}`, isDirectory: 'true' })),
    };
    return n < 4
      ? { status: 200, headers: { 'x-ms-continuation': `t${n}` }, body: JSON.stringify(dirs) }
      : { status: 200, body: JSON.stringify({ paths: [{ name: 'd/p3-0/f.parquet', contentLength: '9' }] }) };
  });
  const store = new BlobObjectStore(s.service);
  const page = await store.listPage({ ...dirListing, maxKeys: 3 });
  assert.deepEqual(
    page.objects.map((o) => [o.key, o.size]),
    [['d/p3-0/f.parquet', 9]],
  );
  assert.equal(page.nextToken, undefined);
  assert.equal(s.asked.length, 4);
  assert.match(s.asked[3]!, /continuation=t3/);
});
