// abfss:// end to end: a Synapse job's input as Spark writes it
// (abfss://CONTAINER@ACCOUNT.dfs.core.windows.net/path) is parsed, the registry's Azure Blob store
// (AZURE_STORAGE_CONNECTION_STRING, here Azurite) lists it, and the small-file scan finds
// SalesPipeline's newest partition full of small files.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BlobServiceClient } from '@azure/storage-blob';
import { startAzurite, type AzuriteService } from '../support/services.js';
import { parseEnv } from '../../src/config/index.js';
import { createProviders } from '../../src/providers/registry.js';
import type { Providers } from '../../src/providers/ports.js';
import { parseObjectUri } from '../../src/providers/object-uri.js';
import { scanLocation } from '../../src/providers/scanner.js';
import { seedSparseBlobs, PAGE } from '../../sim/azure/blob-seed.js';
import { SALES_PIPELINE, salesInputBlobs } from '../../sim/azure/scenarios.js';

let azurite: AzuriteService;
let providers: Providers;
const now = Date.now();
const blobs = salesInputBlobs(now);
const pageSized = (n: number) => Math.max(PAGE, Math.ceil(n / PAGE) * PAGE);

before(async () => {
  azurite = await startAzurite();
  const service = BlobServiceClient.fromConnectionString(azurite.connectionString);
  await seedSparseBlobs(service.getContainerClient(SALES_PIPELINE.container), blobs);
  providers = createProviders({
    env: parseEnv({ AZURE_STORAGE_CONNECTION_STRING: azurite.connectionString }, { requireSlack: false }),
  });
});

after(async () => {
  providers?.close();
  await azurite?.stop();
});

test('abfss://lake@contosolake.dfs.core.windows.net/raw/sales/ parses to the Blob container and prefix', () => {
  assert.deepEqual(parseObjectUri(SALES_PIPELINE.input), {
    scheme: 'azure-blob',
    account: 'contosolake',
    container: 'lake',
    prefix: 'raw/sales/',
  });
});

test('the registry’s Blob store scans the abfss:// input: every blob once, the newest partition small', async () => {
  const loc = parseObjectUri(SALES_PIPELINE.input);
  const result = await scanLocation(providers.objectStore(loc.scheme), loc, {
    thresholdBytes: 32 * 1024 * 1024,
  });
  const s = result.summary;
  assert.equal(s.files, blobs.length);
  assert.equal(
    s.bytes,
    blobs.reduce((n, b) => n + pageSized(b.size), 0),
  );
  // Every file is under 32 MiB in this layout; the newest partition has 20× the files.
  assert.equal(s.smallFiles, blobs.length);
  const newest = new Date(now - 86_400_000).toISOString().slice(0, 10);
  const byDate = new Map(s.dateBuckets.map((b) => [b.date, b]));
  assert.equal(byDate.get(newest)?.files, SALES_PIPELINE.newestPartition.count);
  const older = new Date(now - 5 * 86_400_000).toISOString().slice(0, 10);
  assert.equal(byDate.get(older)?.files, SALES_PIPELINE.baselinePartition.count);
});

test('a partition of the abfss:// input (percent-encoded path segments decoded)', async () => {
  const dt = new Date(now - 86_400_000).toISOString().slice(0, 10);
  const loc = parseObjectUri(`${SALES_PIPELINE.input}dt%3D${dt}/`);
  assert.equal(loc.prefix, `raw/sales/dt=${dt}/`);
  const result = await scanLocation(providers.objectStore(loc.scheme), loc, {
    thresholdBytes: 32 * 1024 * 1024,
  });
  assert.equal(result.summary.files, SALES_PIPELINE.newestPartition.count);
});
