// The backfill snapshot on Azure Blob (Azurite): server-side Copy Blob through the Blob adapter,
// each blob once, verified by count, sizes and ETags; a second pass copies nothing.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startAzurite, type AzuriteService } from '../support/services.js';
import { BlobObjectStore, createBlobServiceClient } from '../../src/providers/azure/blob-object-store.js';
import { copyObjects, listPrefixes, verifySnapshot } from '../../src/providers/snapshot.js';

let azurite: AzuriteService;
let store: BlobObjectStore;

before(async () => {
  azurite = await startAzurite();
  store = new BlobObjectStore(await createBlobServiceClient({ connectionString: azurite.connectionString }));
  await store.service.getContainerClient('raw').create();
  await store.service.getContainerClient('snap').create();
  for (const d of ['2026-11-20', '2026-11-21'])
    for (let i = 0; i < 20; i++)
      await store.putObject('raw', `events/dt=${d}/part-${i}.parquet`, `blob ${d} ${i}\n`.repeat(i + 1));
});

after(async () => {
  await azurite?.stop();
});

test('Azure Blob snapshot: Copy Blob server-side, each blob once, verified; a rerun copies nothing', async () => {
  const sources = await listPrefixes(store, 'raw', ['events/dt=2026-11-20/', 'events/dt=2026-11-21/']);
  assert.equal(sources.length, 40);
  const done = new Map<string, string>();
  const dstKey = (k: string) => `bf-1/${k}`;
  const opts = {
    store,
    objects: sources,
    srcContainer: 'raw',
    dstContainer: 'snap',
    dstKey,
    onCopied: async (k: string, e: string) => {
      done.set(k, e);
    },
  };
  const first = await copyObjects({ ...opts, done: new Set() });
  assert.equal(first.copied, 40);
  const copies = await listPrefixes(store, 'snap', ['bf-1/']);
  const v = verifySnapshot(sources, copies, dstKey, done);
  assert.ok(v.ok, v.problems.join('; '));
  for (const s of sources)
    assert.equal(
      (await store.getObject('snap', dstKey(s.key))).toString(),
      (await store.getObject('raw', s.key)).toString(),
    );
  const again = await copyObjects({ ...opts, done: new Set(done.keys()) });
  assert.deepEqual([again.copied, again.skipped], [0, 40]);
});
