// Parallel listing of an S3 / Blob location into the constant-memory small-file aggregator: what the
// runbook does with `aws s3 ls --recursive --summarize`, in seconds instead of tens of minutes.
//
// How the key space is split (every key is counted by exactly one listing):
//   - "folder" cursors list a prefix with the delimiter '/': objects directly under it are counted,
//     each sub-folder (CommonPrefix) becomes a cursor of its own — a folder cursor while there is
//     little work queued (to find more parallelism deeper), a flat cursor otherwise;
//   - "flat" cursors list every key of a prefix in the range (lo, hi]: StartAfter = lo, and the
//     listing stops at the first key > hi. When workers are idle, a flat cursor splits the rest of
//     its range at boundaries guessed from the keys of its last page (S3 only: Blob has no StartAfter);
//   - a folder cursor whose truncated page ends on an object (not a sub-folder) continues as a flat
//     cursor after that key, so a huge partition is split even when it was found as a folder.
// Each page is one task on a LIFO work list, so pending work stays bounded by depth × page size
// instead of growing with the number of partitions.
import { setMaxListeners } from 'node:events';
import { ProviderError } from './ports.js';
import type { ListPage, ListPageRequest, ObjectInfo, ObjectLocation, ObjectStore } from './ports.js';
import { compareKeys } from './key-order.js';
import { SmallFileAggregator } from '../domain/small-files.js';
import type { SmallFileOptions } from '../domain/small-files.js';
import type { SmallFileSummary } from '../domain/small-file-summary.js';

export interface ScanProgress {
  objects: number;
  bytes: number;
  requests: number;
  elapsedMs: number;
  throttledRequests: number;
}

export interface ScanOptions {
  /** Small-file threshold in bytes (default 32 MiB). */
  thresholdBytes?: number;
  /** Listing requests in flight (default 32). */
  concurrency?: number;
  signal?: AbortSignal;
  /** Called at most every `progressIntervalMs` while scanning, and once at the end. */
  onProgress?: (p: ScanProgress) => void;
  progressIntervalMs?: number;
  /** Keys per listing request (default: the service maximum). */
  pageSize?: number;
  /** Split big flat listings by StartAfter ranges (default: S3 yes, Blob no). */
  splitRanges?: boolean;
  /** Most boundaries one split creates (default 32). */
  maxSplit?: number;
  /** Retries of a throttled or failing request before giving up (default 8). */
  maxRetries?: number;
  retryBaseMs?: number;
  retryMaxMs?: number;
  /** Folder levels explored with the delimiter before listing flat (default 16; 0 lists flat from the start). */
  maxDepth?: number;
  /** Sees every object counted, once each (e.g. to collect the small files' keys). */
  onObject?: (o: ObjectInfo) => void;
  /** Per-partition limits of the aggregator. */
  aggregator?: Omit<SmallFileOptions, 'thresholdBytes'>;
  /**
   * Continue a listing the caller began: `listed` (objects it already read) are counted first,
   * then either only keys after `startAfter` are listed, flat (every key listed was ≤ it), or the
   * caller's delimiter listing of the location is continued from its page token (`token`, for
   * pages that are `tokenOnly`).
   */
  resume?:
    { startAfter: string; listed: readonly ObjectInfo[] } | { token: string; listed: readonly ObjectInfo[] };
}

export interface ScanResult {
  source: 'listing' | 'inventory';
  location: ObjectLocation;
  summary: SmallFileSummary;
  /** Listing (or GET, for an inventory) requests sent, retries included: what is billed. */
  requests: number;
  /** Requests the service throttled (SlowDown, 503, 429); each was retried with backoff. */
  throttledRequests: number;
  /** Requests repeated for any reason (ours and the SDK's own). */
  retries: number;
  /** Whether throttling or retries slowed the scan. */
  slowed: boolean;
  durationMs: number;
  startedAt: string;
  finishedAt: string;
  /** Listing cursors that were split into ranges (S3). */
  splits: number;
  /** Set when source is 'inventory'. */
  inventory?: { manifestKey: string; createdAt: string; ageMs: number; files: number };
}

const DIGITS = '0123456789';
const HEX = '0123456789abcdef';
const LOWER = 'abcdefghijklmnopqrstuvwxyz';
const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';

/**
 * Boundaries that split the keys after `keys[last]` (up to `hi`) into ranges, guessed from a sorted
 * page: walk back from the first position where the page's keys differ, through characters of the
 * same class (digits, hex, letters), and at each position add every larger character of that class.
 * `part-00099` gives part-001 … part-009, part-01 … part-09, part-1 … part-9: fine ranges near the
 * listed keys, coarse ones further out. Any boundaries give a correct split; good ones give even ones.
 */
export function splitBoundaries(keys: string[], prefixLength: number, hi?: string, max = 32): string[] {
  const first = keys[0];
  const last = keys[keys.length - 1];
  if (first === undefined || last === undefined) return [];
  let d = prefixLength;
  while (d < first.length && d < last.length && first[d] === last[d]) d++;
  if (d >= last.length) return [];
  const atD = new Set(keys.map((k) => k[d] ?? ''));
  const hex = [...atD].every((c) => HEX.includes(c)) && [...atD].some((c) => c >= 'a' && c <= 'f');
  const classOf = (c: string): string | undefined =>
    hex && HEX.includes(c)
      ? HEX
      : DIGITS.includes(c)
        ? DIGITS
        : LOWER.includes(c)
          ? LOWER
          : UPPER.includes(c)
            ? UPPER
            : undefined;
  const cls = classOf(last[d] ?? '');
  if (!cls) return [];
  const out: string[] = [];
  for (let pos = d; pos >= prefixLength; pos--) {
    const c = last[pos] ?? '';
    if (classOf(c) !== cls) break;
    const head = last.slice(0, pos);
    for (const x of cls) if (x > c) out.push(head + x);
  }
  const valid = out
    .filter((b) => compareKeys(b, last) > 0 && (hi === undefined || compareKeys(b, hi) < 0))
    .sort(compareKeys);
  if (valid.length <= max) return valid;
  // keep the spread: evenly spaced picks
  const picked: string[] = [];
  for (let i = 0; i < max; i++) picked.push(valid[Math.floor((i * valid.length) / max)] as string);
  return [...new Set(picked)];
}

interface Cursor {
  mode: 'folder' | 'flat';
  prefix: string;
  depth: number;
  /** flat: list keys > lo */
  lo?: string;
  /** flat: stop after keys > hi */
  hi?: string;
  token?: string;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const t = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(t);
      reject(signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

function cancelled(loc: ObjectLocation, cause?: unknown): ProviderError {
  return new ProviderError('CANCELLED', `scan of ${loc.container}/${loc.prefix} was cancelled`, { cause });
}

/**
 * Lists every object under `loc` with bounded parallelism and aggregates small-file statistics in
 * constant memory. Rejects with ProviderError: NOT_FOUND (no such bucket/container), ACCESS_DENIED,
 * THROTTLED (still throttled after the retries), CANCELLED (the signal fired).
 */
export async function scanLocation(
  store: ObjectStore,
  loc: ObjectLocation,
  opts: ScanOptions = {},
): Promise<ScanResult> {
  const concurrency = Math.max(1, opts.concurrency ?? 32);
  const pageSize = opts.pageSize ?? (store.scheme === 's3' ? 1000 : 5000);
  const splitRanges = opts.splitRanges ?? store.scheme === 's3';
  const maxSplit = opts.maxSplit ?? 32;
  const maxRetries = opts.maxRetries ?? 8;
  const retryBaseMs = opts.retryBaseMs ?? 100;
  const retryMaxMs = opts.retryMaxMs ?? 10_000;
  const maxDepth = opts.maxDepth ?? 16;
  const progressIntervalMs = opts.progressIntervalMs ?? 250;
  const agg = new SmallFileAggregator({ ...opts.aggregator, thresholdBytes: opts.thresholdBytes });

  const started = Date.now();
  const startedAt = new Date(started).toISOString();
  let objects = 0;
  let bytes = 0;
  let requests = 0;
  let throttledRequests = 0;
  let retries = 0;
  let splits = 0;
  let lastProgress = 0;

  const progress = (force = false): void => {
    if (!opts.onProgress) return;
    const now = Date.now();
    if (!force && now - lastProgress < progressIntervalMs) return;
    lastProgress = now;
    opts.onProgress({ objects, bytes, requests, elapsedMs: now - started, throttledRequests });
  };

  // One controller stops every listing: the caller's signal, or the first failure.
  const stop = new AbortController();
  // Every request in flight listens on this one signal (the SDK adds a listener per call), so more
  // than Node's default 10 listeners is expected, not a leak.
  setMaxListeners(Math.max(64, (opts.concurrency ?? 32) * 4), stop.signal);
  const onCallerAbort = (): void => stop.abort(cancelled(loc, opts.signal?.reason));
  if (opts.signal?.aborted) throw cancelled(loc, opts.signal.reason);
  opts.signal?.addEventListener('abort', onCallerAbort, { once: true });

  async function list(req: Omit<ListPageRequest, 'signal' | 'container' | 'maxKeys'>): Promise<ListPage> {
    for (let attempt = 0; ; attempt++) {
      if (stop.signal.aborted) throw stop.signal.reason;
      requests++;
      try {
        const page = await store.listPage({
          ...req,
          container: loc.container,
          maxKeys: pageSize,
          signal: stop.signal,
        });
        // Adapters may report retries their SDK made on its own (billed requests too).
        const sdkRetries = (page as { retries?: number }).retries ?? 0;
        retries += sdkRetries;
        requests += sdkRetries;
        return page;
      } catch (err) {
        if (stop.signal.aborted) throw stop.signal.reason;
        const e =
          err instanceof ProviderError
            ? err
            : new ProviderError('UNAVAILABLE', `listing ${loc.container}/${req.prefix} failed`, {
                cause: err,
              });
        if (!e.retryable || attempt >= maxRetries) throw e;
        if (e.code === 'THROTTLED') throttledRequests++;
        retries++;
        // exponential backoff with full jitter
        const cap = Math.min(retryMaxMs, retryBaseMs * 2 ** attempt);
        await sleep(Math.random() * cap, stop.signal);
      }
    }
  }

  // LIFO work list of one-page tasks
  const work: Cursor[] = [
    opts.resume && 'token' in opts.resume
      ? { mode: 'folder', prefix: loc.prefix, depth: 0, token: opts.resume.token }
      : opts.resume
        ? { mode: 'flat', prefix: loc.prefix, depth: 0, lo: opts.resume.startAfter }
        : { mode: maxDepth > 0 ? 'folder' : 'flat', prefix: loc.prefix, depth: 0 },
  ];
  let running = 0;

  const countObject = (o: ObjectInfo): void => {
    agg.add(o);
    opts.onObject?.(o);
    objects++;
    bytes += o.size;
  };
  for (const o of opts.resume?.listed ?? []) countObject(o);

  async function step(c: Cursor): Promise<void> {
    if (c.mode === 'folder') {
      const page = await list({ prefix: c.prefix, delimiter: '/', token: c.token });
      for (const o of page.objects) countObject(o);
      // Continuation first, children on top: depth-first keeps the work list short.
      const last = page.objects[page.objects.length - 1];
      if (page.nextToken) {
        if (
          splitRanges &&
          !page.tokenOnly &&
          last &&
          page.prefixes.every((p) => compareKeys(p, last.key) < 0)
        ) {
          // The page ends on an object: every key ≤ it is counted (a sub-folder listed before it
          // holds only smaller keys), so the rest can be listed flat after it, and split.
          work.push({ mode: 'flat', prefix: c.prefix, depth: c.depth, lo: last.key });
        } else {
          work.push({ ...c, token: page.nextToken });
        }
      }
      for (const p of page.prefixes) {
        const explore = c.depth + 1 < maxDepth && work.length + running < 2 * concurrency;
        work.push({ mode: explore ? 'folder' : 'flat', prefix: p, depth: c.depth + 1 });
      }
    } else {
      const page = await list({ prefix: c.prefix, startAfter: c.lo, token: c.token });
      let done = !page.nextToken;
      for (const o of page.objects) {
        if (c.hi !== undefined && compareKeys(o.key, c.hi) > 0) {
          done = true;
          break;
        }
        countObject(o);
      }
      if (!done && page.nextToken) {
        const idle = concurrency - running - work.length;
        const last = page.objects[page.objects.length - 1];
        const bounds =
          splitRanges && !page.tokenOnly && idle > 0 && last
            ? splitBoundaries(
                page.objects.map((o) => o.key),
                c.prefix.length,
                c.hi,
                Math.min(maxSplit, Math.max(2, idle)),
              )
            : [];
        if (bounds.length > 0 && last) {
          splits++;
          const edges = [last.key, ...bounds];
          for (let i = edges.length - 1; i >= 0; i--) {
            const r: Cursor = { mode: 'flat', prefix: c.prefix, depth: c.depth, lo: edges[i] as string };
            const hi = i + 1 < edges.length ? edges[i + 1] : c.hi;
            if (hi !== undefined) r.hi = hi;
            work.push(r);
          }
        } else {
          work.push({ ...c, token: page.nextToken });
        }
      }
    }
    progress();
  }

  try {
    await new Promise<void>((resolve, reject) => {
      let failed = false;
      const pump = (): void => {
        if (failed) return;
        while (running < concurrency && work.length > 0) {
          const c = work.pop() as Cursor;
          running++;
          step(c).then(
            () => {
              running--;
              pump();
            },
            (err: unknown) => {
              running--;
              if (!failed) {
                failed = true;
                if (!stop.signal.aborted) stop.abort(err);
                reject(err instanceof Error ? err : stop.signal.reason);
              }
            },
          );
        }
        if (running === 0 && work.length === 0) resolve();
      };
      pump();
    });
  } catch (err) {
    if (opts.signal?.aborted) throw cancelled(loc, err);
    throw err;
  } finally {
    opts.signal?.removeEventListener('abort', onCallerAbort);
  }

  progress(true);
  const finished = Date.now();
  return {
    source: 'listing',
    location: loc,
    summary: agg.summary(),
    requests,
    throttledRequests,
    retries,
    slowed: throttledRequests > 0 || retries > 0,
    durationMs: finished - started,
    startedAt,
    finishedAt: new Date(finished).toISOString(),
    splits,
  };
}
