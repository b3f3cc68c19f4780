// Triage's partition cache on Azure Blob (jobs/partition-cache.ts) with the real Blob adapter and
// real Redis, against two List Blobs services: the Azure simulator's, which honors `startFrom`
// (the cache is used: a check per partition instead of its listing, and the report says so), and
// Azurite 3.35, which ignores it (the fallback: a changed partition is never called unchanged,
// the account is remembered and its locations are then scanned whole).
import '../support/azure.js';
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { startTrustedAzureSim } from '../support/azure.js';
import { dropPrefix, redisUrl, startAzurite, testPrefix, type AzuriteService } from '../support/services.js';
import { startTestMedic, type TestMedic } from '../support/medic.js';
import { sendSlashCommand } from '../support/slack-requests.js';
import type { FakeMessage } from '../support/fake-slack/types.js';
import { BlobObjectStore, createBlobServiceClient } from '../../src/providers/azure/blob-object-store.js';
import { scanLocation } from '../../src/providers/scanner.js';
import type { ObjectLocation } from '../../src/providers/ports.js';
import {
  partitionStatsKey,
  scanWithPartitionCache,
  startFromIgnoredKey,
} from '../../jobs/partition-cache.js';
import type { AzureSimulator } from '../../sim/azure/index.js';
import { AZURE_SIM, SALES_PIPELINE, salesInputBlobs } from '../../sim/azure/scenarios.js';

const ACCOUNT = AZURE_SIM.storageAccount;
const CONTAINER = 'cache-lake';
const THRESHOLD = 1_000_000;
let sim: AzureSimulator;
let azurite: AzuriteService;
let simStore: BlobObjectStore;
let azStore: BlobObjectStore;
let redis: Redis;
const prefix = testPrefix('pcache-blob');
const T0 = Date.UTC(2026, 10, 1, 3);

before(async () => {
  sim = await startTrustedAzureSim();
  simStore = new BlobObjectStore(
    await createBlobServiceClient({ connectionString: sim.blobConnectionString() }),
  );
  azurite = await startAzurite();
  azStore = new BlobObjectStore(
    await createBlobServiceClient({ connectionString: azurite.connectionString }),
  );
  await azStore.service.getContainerClient(CONTAINER).create();
  redis = new Redis(redisUrl());
});

after(async () => {
  await dropPrefix(prefix);
  await redis.quit();
  await azurite?.stop();
  await sim?.stop();
});

const at = (account: string, p: string): ObjectLocation => ({
  scheme: 'azure-blob',
  account,
  container: CONTAINER,
  prefix: p,
});
const cachedScan = (store: BlobObjectStore, loc: ObjectLocation) =>
  scanWithPartitionCache(redis, prefix, store, loc, {
    thresholdBytes: THRESHOLD,
    concurrency: 16,
    now: Date.now,
  });
const counts = (c: { partitions: number; relisted: number; fromCache: number }) => ({
  partitions: c.partitions,
  relisted: c.relisted,
  fromCache: c.fromCache,
});
function figures(s: Awaited<ReturnType<typeof scanLocation>>['summary']) {
  const { topPartitions, newestPartitions, dateBuckets, ...rest } = s;
  return { ...rest, topPartitions, newestPartitions, dateBuckets };
}
const fullScan = async (store: BlobObjectStore, loc: ObjectLocation) =>
  figures((await scanLocation(store, loc, { thresholdBytes: THRESHOLD })).summary);
/** Listing requests of either API: List Blobs (the checks) and Path - List (the directory listings). */
const simLists = () =>
  sim.requests({ service: 'blob' }).filter((r) => r.operation === 'ListBlobs' || r.operation === 'ListPaths')
    .length;

/** Puts blobs in the simulator (`t`: Last-Modified, ms). */
const simPut = (p: string, blobs: [string, number, number?][]) =>
  sim.blobs.put(
    ACCOUNT,
    CONTAINER,
    blobs.map(([name, size, t]) => ({
      name: `${p}${name}`,
      size,
      ...(t !== undefined ? { lastModified: t } : {}),
    })),
  );

test('simulator: cold lists every partition; warm checks each with one startFrom listing; same summary', async () => {
  const l = at(ACCOUNT, 'events/');
  for (let d = 1; d <= 6; d++)
    simPut(
      'events/',
      Array.from({ length: 50 + d }, (_, k) => [
        `dt=2026-11-0${d}/part-${String(k).padStart(5, '0')}.parquet`,
        1000 + k * d * 7919,
        T0 + d * 86_400_000 + k, // the last key is the newest
      ]),
    );
  const full = await fullScan(simStore, l);
  const cold = await cachedScan(simStore, l);
  assert.ok(cold);
  assert.deepEqual(counts(cold.cache), { partitions: 6, relisted: 6, fromCache: 0 });
  assert.deepEqual(figures(cold.scan.summary), full);
  const n0 = simLists();
  const warm = await cachedScan(simStore, l);
  assert.ok(warm);
  assert.deepEqual(counts(warm.cache), { partitions: 6, relisted: 0, fromCache: 6 });
  assert.deepEqual(figures(warm.scan.summary), full);
  // One directory listing (Path - List) plus one check per partition, each a List Blobs from its
  // last key (startFrom) of two names.
  assert.equal(simLists() - n0, 1 + 6);
  const sent = sim.requests({ service: 'blob' }).slice(-7);
  assert.deepEqual(sent.map((r) => r.operation).sort(), [
    'ListBlobs',
    'ListBlobs',
    'ListBlobs',
    'ListBlobs',
    'ListBlobs',
    'ListBlobs',
    'ListPaths',
  ]);
  const checks = sent.filter((r) => r.operation === 'ListBlobs').map((r) => r.params);
  assert.ok(checks.every((p) => typeof p.startFrom === 'string' && p.maxresults === '2'));
  // The cold scan listed the location and its partitions through Path - List only.
  assert.ok(
    sim
      .requests({ service: 'blob' })
      .slice(0, n0)
      .some((r) => r.operation === 'ListPaths' && r.params.directory === 'events/dt=2026-11-06'),
  );
});

test('simulator: an added blob, a same-second overwrite (new Etag only), a deleted last blob: each partition listed again', async () => {
  const l = at(ACCOUNT, 'events/');
  const warm = await cachedScan(simStore, l);
  assert.ok(warm);
  assert.equal(warm.cache.fromCache, 6);
  // dt=01: a blob added after the last key.
  simPut('events/', [['dt=2026-11-01/part-99999.parquet', 5, T0 + 10 * 86_400_000]]);
  // dt=02: its newest (last) blob overwritten with the same Last-Modified: only its Etag changes.
  const last2 = sim.blobs.get(ACCOUNT, CONTAINER, 'events/dt=2026-11-02/part-00051.parquet')!;
  simPut('events/', [['dt=2026-11-02/part-00051.parquet', 77, last2.lastModified]]);
  assert.notEqual(sim.blobs.get(ACCOUNT, CONTAINER, last2.name)!.etag, last2.etag);
  // dt=03: its last blob deleted.
  sim.blobs.delete(ACCOUNT, CONTAINER, ['events/dt=2026-11-03/part-00052.parquet']);
  // dt=04: deleted altogether; dt=07: new.
  const gone = [...Array(54).keys()].map(
    (k) => `events/dt=2026-11-04/part-${String(k).padStart(5, '0')}.parquet`,
  );
  sim.blobs.delete(ACCOUNT, CONTAINER, gone);
  simPut('events/', [['dt=2026-11-07/part-00000.parquet', 9, T0 + 7 * 86_400_000]]);
  const next = await cachedScan(simStore, l);
  assert.ok(next);
  assert.deepEqual(counts(next.cache), { partitions: 6, relisted: 4, fromCache: 2 });
  assert.deepEqual(figures(next.scan.summary), await fullScan(simStore, l));
  const fields = await redis.hkeys(partitionStatsKey(prefix, l, THRESHOLD));
  assert.ok(!fields.includes('events/dt=2026-11-04/'));
});

test('simulator: when the newest blob is not the last key, both are checked; its overwrite is seen', async () => {
  const l = at(ACCOUNT, 'twokeys/');
  simPut('twokeys/', [
    ['dt=2026-11-01/a.parquet', 100, T0 + 5000],
    ['dt=2026-11-01/b.parquet', 200, T0],
    ['dt=2026-11-02/a.parquet', 300, T0],
  ]);
  await cachedScan(simStore, l);
  const n0 = simLists();
  const warm = await cachedScan(simStore, l);
  assert.ok(warm);
  assert.deepEqual(counts(warm.cache), { partitions: 2, relisted: 0, fromCache: 2 });
  assert.equal(simLists() - n0, 1 + 2 + 1);
  // The newest, a.parquet, rewritten in the same second: a new Etag only.
  simPut('twokeys/', [['dt=2026-11-01/a.parquet', 100, T0 + 5000]]);
  const next = await cachedScan(simStore, l);
  assert.ok(next);
  assert.deepEqual(counts(next.cache), { partitions: 2, relisted: 1, fromCache: 1 });
  // The last key (not the newest) rewritten in the same second.
  simPut('twokeys/', [['dt=2026-11-01/b.parquet', 250, T0]]);
  const again = await cachedScan(simStore, l);
  assert.ok(again);
  assert.deepEqual(counts(again.cache), { partitions: 2, relisted: 1, fromCache: 1 });
  assert.deepEqual(figures(again.scan.summary), await fullScan(simStore, l));
});

test('simulator ignoring startFrom: the partition is listed again, never unchanged, and the account is remembered', async () => {
  const l = at(ACCOUNT, 'events/');
  const warm = await cachedScan(simStore, l);
  assert.ok(warm);
  assert.equal(warm.cache.relisted, 0);
  sim.blobs.honorStartFrom = false;
  try {
    simPut('events/', [['dt=2026-11-05/part-99999.parquet', 3, T0 + 20 * 86_400_000]]);
    const next = await cachedScan(simStore, l);
    assert.ok(next);
    // Every check of a partition of several blobs saw names before its startFrom: listed again.
    // dt=07 holds one blob, its first name is its startFrom: the check is the same either way.
    assert.deepEqual(counts(next.cache), { partitions: 6, relisted: 5, fromCache: 1 });
    assert.deepEqual(figures(next.scan.summary), await fullScan(simStore, l));
    assert.equal(await redis.exists(startFromIgnoredKey(prefix, ACCOUNT)), 1);
    const n0 = simLists();
    assert.equal(await cachedScan(simStore, l), undefined);
    assert.equal(simLists(), n0);
  } finally {
    sim.blobs.honorStartFrom = true;
    await redis.del(startFromIgnoredKey(prefix, ACCOUNT));
  }
});

test('Azurite (ignores startFrom): a changed partition is never reported unchanged; then scanned whole', async () => {
  const l = at('devstoreaccount1', 'events/');
  const c = azStore.service.getContainerClient(CONTAINER);
  const put = (name: string, size: number) =>
    c.getBlockBlobClient(`events/${name}`).upload(Buffer.alloc(size, 1), size);
  for (let d = 1; d <= 3; d++)
    for (let k = 0; k < 4; k++) await put(`dt=2026-11-0${d}/part-${k}.parquet`, 10 + d * 100 + k);
  const cold = await cachedScan(azStore, l);
  assert.ok(cold);
  assert.deepEqual(counts(cold.cache), { partitions: 3, relisted: 3, fromCache: 0 });
  // Changes before the last key (which stays the newest in name order only): part-0 overwritten.
  await put('dt=2026-11-01/part-0.parquet', 999);
  await put('dt=2026-11-02/part-4.parquet', 5);
  const next = await cachedScan(azStore, l);
  assert.ok(next);
  assert.equal(next.cache.fromCache, 0, 'Azurite ignores startFrom: nothing may come from the cache');
  assert.deepEqual(figures(next.scan.summary), await fullScan(azStore, l));
  assert.equal(await redis.exists(startFromIgnoredKey(prefix, 'devstoreaccount1')), 1);
  assert.equal(await cachedScan(azStore, l), undefined);
});

test('the report says what came from the cache: /triage twice on a Synapse pipeline whose input is on the simulator', async () => {
  sim.blobs.put(ACCOUNT, SALES_PIPELINE.container, salesInputBlobs(sim.state.now()));
  const yaml = [
    'azure:',
    `  logAnalyticsWorkspaceId: ${AZURE_SIM.logAnalyticsWorkspaceId}`,
    `  subscriptionId: ${AZURE_SIM.subscriptionId}`,
    `  resourceGroup: ${AZURE_SIM.resourceGroup}`,
    'jobs:',
    `  ${SALES_PIPELINE.name}:`,
    '    provider: synapse',
    `    workspace: ${AZURE_SIM.workspace}`,
    `    workspaceEndpoint: ${sim.workspaceEndpoint()}`,
    `    sparkPool: ${AZURE_SIM.sparkPool}`,
    `    input: ${SALES_PIPELINE.input}`,
  ].join('\n');
  const t: TestMedic = await startTestMedic({
    yaml,
    env: { ...sim.env(), AZURE_STORAGE_CONNECTION_STRING: sim.blobConnectionString() },
  });
  try {
    const text = (m: FakeMessage): string => JSON.stringify(m.blocks ?? []) + '\n' + (m.text ?? '');
    const report = async (channel: string): Promise<string> => {
      t.slack.addChannel({ id: channel, name: channel.toLowerCase(), members: ['U0ONCALL'] });
      const res = await sendSlashCommand(t.url, t.secret, {
        command: '/triage',
        text: SALES_PIPELINE.name,
        channelId: channel,
      });
      assert.equal(res.status, 200);
      const deadline = Date.now() + 60_000;
      while (Date.now() < deadline) {
        const m = t.slack.topLevel(channel).find((x) => /triage took/.test(text(x)));
        if (m && !/Triaging/.test(text(m))) return text(m);
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error(`no final report in ${channel}`);
    };
    const first = await report('C0PCB1');
    assert.doesNotMatch(first, /unchanged from the cache/);
    const n0 = simLists();
    const second = await report('C0PCB2');
    const m = /(\d+) of (\d+) partitions listed, (\d+) unchanged from the cache/.exec(second);
    assert.ok(m, second);
    assert.equal(m[1], '0');
    assert.equal(m[3], m[2]);
    // One delimiter listing and one check per partition: fewer requests than the partitions.
    assert.equal(simLists() - n0, 1 + Number(m[2]));
  } finally {
    await t.stop();
  }
});
