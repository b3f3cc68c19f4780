// S3 Inventory as the source of a small-file scan, for buckets of hundreds of millions of objects
// where even a parallel listing takes too long. Reads the newest report under the inventory
// destination `s3://dest-bucket/prefix/source-bucket/config-id/`: its `YYYY-MM-DDTHH-MMZ/manifest.json`,
// then every CSV (gzip) data file it names, streamed in ranged GETs through gunzip into the
// constant-memory aggregator. ORC and Parquet reports are refused: no reader for them is installed.
import { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { createGunzip } from 'node:zlib';
import { z } from 'zod';
import { ProviderError } from '../ports.js';
import type { ObjectLocation, ObjectStore } from '../ports.js';
import { SmallFileAggregator } from '../../domain/small-files.js';
import type { SmallFileOptions } from '../../domain/small-files.js';
import type { ScanProgress, ScanResult } from '../scanner.js';

export const InventoryManifest = z.object({
  sourceBucket: z.string(),
  destinationBucket: z.string(),
  version: z.string().optional(),
  /** Epoch milliseconds, as a string. */
  creationTimestamp: z.string().regex(/^\d+$/),
  fileFormat: z.string(),
  /** Comma-separated column names of the data files, e.g. "Bucket, Key, Size, LastModifiedDate". */
  fileSchema: z.string(),
  files: z.array(
    z.object({ key: z.string(), size: z.number().int().nonnegative(), MD5checksum: z.string().optional() }),
  ),
});
export type InventoryManifest = z.infer<typeof InventoryManifest>;

const REPORT_FOLDER = /(\d{4}-\d{2}-\d{2}T\d{2}-\d{2}Z)\/$/;

export interface InventoryScanOptions {
  thresholdBytes?: number;
  signal?: AbortSignal;
  onProgress?: (p: ScanProgress) => void;
  progressIntervalMs?: number;
  /** Bytes per ranged GET of a data file (default 8 MiB): what bounds memory per file. */
  chunkBytes?: number;
  /** For ages in tests. */
  now?: () => number;
  aggregator?: Omit<SmallFileOptions, 'thresholdBytes'>;
}

/** The newest report of an inventory destination: its manifest key and parsed manifest. */
export async function findNewestManifest(
  store: ObjectStore,
  destination: ObjectLocation,
  signal?: AbortSignal,
): Promise<{ key: string; manifest: InventoryManifest; requests: number }> {
  const prefix =
    destination.prefix && !destination.prefix.endsWith('/') ? `${destination.prefix}/` : destination.prefix;
  let newest: string | undefined;
  let token: string | undefined;
  let requests = 0;
  do {
    const page = await store.listPage({
      container: destination.container,
      prefix,
      delimiter: '/',
      token,
      signal,
    });
    requests++;
    for (const p of page.prefixes)
      if (REPORT_FOLDER.test(p) && (newest === undefined || p > newest)) newest = p;
    token = page.nextToken;
  } while (token);
  if (!newest)
    throw new ProviderError(
      'NOT_FOUND',
      `no inventory report (YYYY-MM-DDTHH-MMZ/manifest.json) under s3://${destination.container}/${prefix}`,
    );
  const key = `${newest}manifest.json`;
  const body = await store.getObject(destination.container, key);
  requests++;
  let json: unknown;
  try {
    json = JSON.parse(body.toString('utf8'));
  } catch (err) {
    throw new ProviderError('INVALID_INPUT', `s3://${destination.container}/${key} is not JSON`, {
      cause: err,
    });
  }
  const parsed = InventoryManifest.safeParse(json);
  if (!parsed.success)
    throw new ProviderError(
      'INVALID_INPUT',
      `s3://${destination.container}/${key} is not an S3 Inventory manifest: ${parsed.error.issues[0]?.message ?? ''}`,
      { cause: parsed.error },
    );
  return { key, manifest: parsed.data, requests };
}

/** Splits one CSV line of an inventory file ("a","b",""), honouring doubled quotes. */
export function parseCsvLine(line: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i <= line.length) {
    if (line[i] === '"') {
      let value = '';
      i++;
      for (;;) {
        const q = line.indexOf('"', i);
        if (q < 0) {
          value += line.slice(i);
          i = line.length;
          break;
        }
        value += line.slice(i, q);
        if (line[q + 1] === '"') {
          value += '"';
          i = q + 2;
        } else {
          i = q + 1;
          break;
        }
      }
      out.push(value);
      if (line[i] === ',') i++;
      else i = line.length + 1;
    } else {
      const c = line.indexOf(',', i);
      if (c < 0) {
        out.push(line.slice(i));
        break;
      }
      out.push(line.slice(i, c));
      i = c + 1;
    }
  }
  return out;
}

/** Inventory CSV keys are URL-encoded (spaces as '+'). */
export function decodeInventoryKey(raw: string): string {
  try {
    return decodeURIComponent(raw.replace(/\+/g, ' '));
  } catch {
    return raw;
  }
}

async function* rangedChunks(
  store: ObjectStore,
  bucket: string,
  key: string,
  size: number,
  chunk: number,
  onRequest: () => void,
  signal?: AbortSignal,
): AsyncGenerator<Buffer> {
  for (let start = 0; start < size; start += chunk) {
    if (signal?.aborted)
      throw new ProviderError('CANCELLED', 'inventory read cancelled', { cause: signal.reason });
    onRequest();
    yield await store.getObject(bucket, key, { start, end: Math.min(size, start + chunk) - 1 });
  }
}

/**
 * Aggregates the newest S3 Inventory report of `destination` for the objects of `target` (its
 * bucket must be the report's source bucket; rows outside its prefix are skipped).
 */
export async function scanInventory(
  store: ObjectStore,
  destination: ObjectLocation,
  target: ObjectLocation,
  opts: InventoryScanOptions = {},
): Promise<ScanResult> {
  const now = opts.now ?? Date.now;
  const started = now();
  const chunk = opts.chunkBytes ?? 8 * 1024 * 1024;
  const progressEvery = opts.progressIntervalMs ?? 250;
  const {
    key: manifestKey,
    manifest,
    requests: manifestRequests,
  } = await findNewestManifest(store, destination, opts.signal);
  let requests = manifestRequests;
  if (manifest.sourceBucket !== target.container)
    throw new ProviderError(
      'INVALID_INPUT',
      `the inventory at s3://${destination.container}/${destination.prefix} is of bucket ${manifest.sourceBucket}, not ${target.container}`,
    );
  if (manifest.fileFormat.toUpperCase() !== 'CSV')
    throw new ProviderError(
      'INVALID_INPUT',
      `inventory format ${manifest.fileFormat} is not supported (no ORC/Parquet reader installed): configure the inventory as CSV, or scan by listing`,
    );
  const columns = manifest.fileSchema.split(',').map((c) => c.trim());
  const col = (name: string): number => columns.findIndex((c) => c.toLowerCase() === name.toLowerCase());
  const keyCol = col('Key');
  const sizeCol = col('Size');
  const modifiedCol = col('LastModifiedDate');
  const latestCol = col('IsLatest');
  const deleteMarkerCol = col('IsDeleteMarker');
  if (keyCol < 0 || sizeCol < 0)
    throw new ProviderError('INVALID_INPUT', `inventory schema "${manifest.fileSchema}" lacks Key or Size`);
  // destinationBucket is an ARN: arn:aws:s3:::bucket
  const dataBucket = manifest.destinationBucket.replace(/^arn:aws[a-z-]*:s3:::/, '');

  const agg = new SmallFileAggregator({ ...opts.aggregator, thresholdBytes: opts.thresholdBytes });
  let objects = 0;
  let bytes = 0;
  let lastProgress = 0;
  const progress = (force = false): void => {
    const t = now();
    if (!opts.onProgress || (!force && t - lastProgress < progressEvery)) return;
    lastProgress = t;
    opts.onProgress({ objects, bytes, requests, elapsedMs: t - started, throttledRequests: 0 });
  };
  const row = (line: string): void => {
    if (!line) return;
    const f = parseCsvLine(line);
    if (latestCol >= 0 && f[latestCol] === 'false') return;
    if (deleteMarkerCol >= 0 && f[deleteMarkerCol] === 'true') return;
    const key = decodeInventoryKey(f[keyCol] ?? '');
    if (!key.startsWith(target.prefix)) return;
    const size = Number(f[sizeCol] ?? '0') || 0;
    const modified = modifiedCol >= 0 && f[modifiedCol] ? new Date(f[modifiedCol] as string) : undefined;
    agg.add(
      modified && !Number.isNaN(modified.getTime()) ? { key, size, lastModified: modified } : { key, size },
    );
    objects++;
    bytes += size;
  };

  try {
    for (const file of manifest.files) {
      const source = Readable.from(
        rangedChunks(store, dataBucket, file.key, file.size, chunk, () => requests++, opts.signal),
      );
      const gunzip = createGunzip();
      source.on('error', (e) => gunzip.destroy(e));
      // a UTF-8 character can straddle two gunzip chunks
      const decoder = new StringDecoder('utf8');
      let rest = '';
      for await (const piece of source.pipe(gunzip) as AsyncIterable<Buffer>) {
        const text = rest + decoder.write(piece);
        const lines = text.split('\n');
        rest = lines.pop() ?? '';
        for (const l of lines) row(l.replace(/\r$/, ''));
        progress();
      }
      row((rest + decoder.end()).replace(/\r$/, ''));
    }
  } catch (err) {
    if (opts.signal?.aborted)
      throw new ProviderError('CANCELLED', 'inventory scan cancelled', { cause: err });
    if (err instanceof ProviderError) throw err;
    throw new ProviderError('INVALID_INPUT', `inventory data could not be read: ${(err as Error).message}`, {
      cause: err,
    });
  }
  progress(true);
  const finished = now();
  const createdMs = Number(manifest.creationTimestamp);
  return {
    source: 'inventory',
    location: target,
    summary: agg.summary(),
    requests,
    throttledRequests: 0,
    retries: 0,
    slowed: false,
    durationMs: finished - started,
    startedAt: new Date(started).toISOString(),
    finishedAt: new Date(finished).toISOString(),
    splits: 0,
    inventory: {
      manifestKey,
      createdAt: new Date(createdMs).toISOString(),
      ageMs: finished - createdMs,
      files: manifest.files.length,
    },
  };
}
