// The lake side of the Synapse backfill scenario, in Azurite (the Blob data lives there, not in the
// simulator): SalesPipeline's production output (`lake/curated/sales/`) as real Parquet for the
// last days, and what a staging pipeline's Spark job would write — the same kind of Parquet under
// its `outputPath` for each day from `backfillFrom` to `backfillTo` — once its run has succeeded.
// The writer runs as the simulator's `beforeSend` hook, so the output is there before the answer
// that shows the run Succeeded reaches the bot. Same rows as the Glue lake (sim/lake-store.ts): a
// day written anywhere holds the same data.
import type { BlobServiceClient } from '@azure/storage-blob';
import { DEFAULT_OUTPUT, eventColumns, rowsOf, type OutputBehaviour } from '../lake-store.js';
import { writeParquet } from '../parquet-writer.js';
import { runView, type AzureState } from './state.js';
import { AZURE_SIM } from './scenarios.js';

const DAY = 86_400_000;

/** `abfss://container@account.dfs.core.windows.net/path` or `https://account.blob.core.windows.net/container/path`. */
export function blobLocation(uri: string): { container: string; prefix: string } | undefined {
  const withSlash = (p: string) => (p && !p.endsWith('/') ? `${p}/` : p);
  const abfs = /^abfss?:\/\/([^@/]+)@[^/]+\/?(.*)$/.exec(uri);
  if (abfs) return { container: abfs[1]!, prefix: withSlash(decodeURIComponent(abfs[2]!)) };
  const https = /^https:\/\/[^/]+\/([^/]+)\/?(.*)$/.exec(uri);
  if (https) return { container: https[1]!, prefix: withSlash(decodeURIComponent(https[2]!)) };
  return undefined;
}

function datesBetween(from: string, to: string): string[] {
  const out: string[] = [];
  for (let t = Date.parse(`${from}T00:00:00Z`); t <= Date.parse(`${to}T00:00:00Z`); t += DAY)
    out.push(new Date(t).toISOString().slice(0, 10));
  return out.slice(0, 366);
}

/** One day of event Parquet (the files of sim/lake-store.ts's writeDay) under `prefix`dt=DAY/. */
export async function writeDayToBlob(
  blobs: BlobServiceClient,
  container: string,
  prefix: string,
  dt: string,
  b: OutputBehaviour = DEFAULT_OUTPUT,
): Promise<void> {
  const c = blobs.getContainerClient(container);
  await c.createIfNotExists();
  for (let f = 0; f < b.filesPerPartition; f++) {
    const rows = Math.max(1, Math.round(rowsOf(dt, f) * b.rowsFactor));
    const body = writeParquet(eventColumns(dt, f, rows, b));
    await c
      .getBlockBlobClient(`${prefix}dt=${dt}/part-${String(f).padStart(5, '0')}.snappy.parquet`)
      .uploadData(body);
  }
}

/** SalesPipeline's production output: the last `days` days as real Parquet. */
export async function seedSalesOutput(blobs: BlobServiceClient, now: number, days = 5): Promise<string[]> {
  const dates: string[] = [];
  for (let ago = 1; ago <= days; ago++) {
    const dt = new Date(now - ago * DAY).toISOString().slice(0, 10);
    await writeDayToBlob(blobs, AZURE_SIM.container, 'curated/sales/', dt);
    dates.push(dt);
  }
  return dates;
}

export interface StagingWriterOptions {
  blobs: BlobServiceClient;
  /** The pipelines whose succeeded runs write their window. */
  pipelines: string[];
  workspace?: string;
  behaviour?: Partial<OutputBehaviour>;
}

/**
 * A `beforeSend` hook: every succeeded run of the pipelines, once, writes its window under its
 * `outputPath` (and a `_SUCCESS` marker), as the staging Spark job would.
 */
export function stagingOutputWriter(
  state: AzureState,
  opts: StagingWriterOptions,
): { hook: () => Promise<void>; configure(b: Partial<OutputBehaviour>): void } {
  const written = new Set<string>();
  let behaviour: OutputBehaviour = { ...DEFAULT_OUTPUT, ...opts.behaviour };
  let busy: Promise<void> = Promise.resolve();
  const ws = opts.workspace ?? AZURE_SIM.workspace;
  const pass = async () => {
    if (!state.workspaces.has(ws)) return;
    const now = state.now();
    for (const pipeline of opts.pipelines) {
      for (const run of state.runsOf(ws, pipeline)) {
        if (written.has(run.runId) || runView(run, now).status !== 'Succeeded') continue;
        written.add(run.runId);
        const p = run.parameters;
        const out = blobLocation(String(p.outputPath ?? ''));
        const from = String(p.backfillFrom ?? '');
        const to = String(p.backfillTo ?? '') || from;
        if (!out || !from) continue;
        for (const dt of datesBetween(from, to))
          await writeDayToBlob(opts.blobs, out.container, out.prefix, dt, behaviour);
        await opts.blobs
          .getContainerClient(out.container)
          .getBlockBlobClient(`${out.prefix}_SUCCESS`)
          .uploadData(Buffer.alloc(0));
      }
    }
  };
  return {
    // One pass at a time: concurrent requests wait for the same writes.
    hook: () => (busy = busy.then(pass, pass)),
    configure: (b) => {
      behaviour = { ...behaviour, ...b };
    },
  };
}
