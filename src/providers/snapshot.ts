// Snapshot of a backfill's input window: every object of the window's date partitions copied
// server-side under a timestamped prefix ("copiar prefijo S3 / contenedor con timestamp").
//
// - Parallel with an adaptive limit (AdaptiveLimit below): it grows while copies come back clean
//   and halves on throttling (S3 SlowDown, 503, 429, or a copy the client had to retry), so a busy
//   prefix is not hammered and a quiet one is copied as fast as the service allows.
// - Each store copies server-side however large the object (ObjectStore.copy: S3 goes multipart
//   past CopyObject's 5 GB; Blob's Copy Blob has no limit).
// - Each object is recorded as copied (by the caller's `onCopied`, a Redis hash) right after its
//   copy returns, and objects already recorded are skipped, so a restart never copies twice.
import { ProviderError, type ObjectInfo, type ObjectStore } from './ports.js';

/** Most copies in flight by default: the AWS SDK's HTTP agent keeps 50 sockets per client. */
export const MAX_COPY_CONCURRENCY = 50;

/** Every object under each prefix (the window's partitions), listed in parallel, one listing per prefix. */
export async function listPrefixes(
  store: ObjectStore,
  container: string,
  prefixes: string[],
  signal?: AbortSignal,
): Promise<ObjectInfo[]> {
  const lists = await Promise.all(
    prefixes.map(async (prefix) => {
      const out: ObjectInfo[] = [];
      let token: string | undefined;
      do {
        const page = await withRetries(() =>
          store.listPage({ container, prefix, ...(token ? { token } : {}), ...(signal ? { signal } : {}) }),
        );
        out.push(...page.objects.filter((o) => !o.key.endsWith('/')));
        token = page.nextToken;
      } while (token);
      return out;
    }),
  );
  return lists.flat();
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

async function withRetries<T>(fn: () => Promise<T>, retries = 6): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      if (!(err instanceof ProviderError) || !err.retryable || attempt >= retries) throw err;
      await sleep(Math.min(5000, 100 * 2 ** attempt) * (0.5 + Math.random() / 2));
    }
  }
}

export interface SnapshotOptions {
  /** Where both source and destination are (copies are server-side, within one store). */
  store: ObjectStore;
  objects: ObjectInfo[];
  srcContainer: string;
  dstContainer: string;
  dstKey(srcKey: string): string;
  /** Source keys already copied (from Redis): skipped. */
  done: ReadonlySet<string>;
  onCopied(srcKey: string, etag: string): Promise<void>;
  onUpload?(srcKey: string, uploadId: string | undefined): Promise<void>;
  /** Polled between copies; true stops the snapshot (Abort). */
  stopped?(): Promise<boolean> | boolean;
  limit?: AdaptiveLimit;
  /** Fixed concurrency instead of the adaptive limit (benchmarks: what `aws s3 cp` does). */
  fixedConcurrency?: number;
  maxRetries?: number;
  onProgress?(p: SnapshotProgress): void;
}

export interface SnapshotProgress {
  copied: number;
  skipped: number;
  total: number;
  bytes: number;
  throttles: number;
  concurrency: number;
}

export interface SnapshotResult extends SnapshotProgress {
  peakConcurrency: number;
  multipart: number;
  stopped: boolean;
  durationMs: number;
}

/** Copies every object not yet done; resolves when all are copied (or stopped); throws on a hard failure. */
export async function copyObjects(o: SnapshotOptions): Promise<SnapshotResult> {
  const started = Date.now();
  // Up to 50: the AWS SDK's HTTP agent keeps 50 sockets; more would only queue inside the client.
  const limit = o.limit ?? new AdaptiveLimit(32, 1, MAX_COPY_CONCURRENCY);
  const fixed = o.fixedConcurrency;
  const todo = o.objects.filter((x) => !o.done.has(x.key));
  const res: SnapshotResult = {
    copied: 0,
    skipped: o.objects.length - todo.length,
    total: o.objects.length,
    bytes: 0,
    throttles: 0,
    concurrency: fixed ?? limit.limit,
    peakConcurrency: fixed ?? limit.limit,
    multipart: 0,
    stopped: false,
    durationMs: 0,
  };
  let next = 0;
  let inFlight = 0;
  let failure: unknown;
  let lastStopCheck = 0;
  const maxRetries = o.maxRetries ?? 10;

  await new Promise<void>((resolve) => {
    const pump = () => {
      if (failure || res.stopped) {
        if (inFlight === 0) resolve();
        return;
      }
      const cap = fixed ?? limit.limit;
      while (inFlight < cap && next < todo.length) {
        const obj = todo[next++]!;
        inFlight++;
        res.peakConcurrency = Math.max(res.peakConcurrency, inFlight);
        void copyOne(obj).then(
          () => {
            inFlight--;
            pump();
          },
          (err: unknown) => {
            inFlight--;
            failure ??= err;
            pump();
          },
        );
      }
      if (inFlight === 0 && next >= todo.length) resolve();
    };

    const copyOne = async (obj: ObjectInfo) => {
      if (o.stopped && Date.now() - lastStopCheck > 250) {
        lastStopCheck = Date.now();
        if (await o.stopped()) res.stopped = true;
      }
      if (res.stopped) {
        next = Math.min(next, todo.length);
        return;
      }
      const dst = { container: o.dstContainer, key: o.dstKey(obj.key) };
      for (let attempt = 0; ; attempt++) {
        try {
          const out = await o.store.copy({ container: o.srcContainer, key: obj.key }, dst, obj.size, {
            onUpload: async (id) => o.onUpload?.(obj.key, id),
          });
          if (out.retried > 0) {
            res.throttles += out.retried;
            limit.onThrottle();
          } else limit.onSuccess();
          await o.onCopied(obj.key, out.etag);
          res.copied++;
          res.bytes += obj.size;
          if (out.multipart) res.multipart++;
          res.concurrency = fixed ?? limit.limit;
          o.onProgress?.(res);
          return;
        } catch (err) {
          const retryable = err instanceof ProviderError && err.retryable;
          if (!retryable || attempt >= maxRetries) throw err;
          if (err.code === 'THROTTLED') {
            res.throttles++;
            limit.onThrottle();
          }
          // Full jitter backoff; the limit already shrank, so fewer copies retry at once.
          await sleep(Math.random() * Math.min(5000, 50 * 2 ** attempt));
        }
      }
    };
    pump();
  });
  res.durationMs = Date.now() - started;
  res.concurrency = fixed ?? limit.limit;
  if (failure) throw failure;
  return res;
}

/** ETags come quoted from some calls and bare from others (Blob listings). */
const unquote = (e: string) => e.replace(/^"|"$/g, '');
const isMd5Etag = (e: string) => /^"?[0-9a-f]{32}"?$/.test(e);

export interface VerifyResult {
  ok: boolean;
  count: number;
  bytes: number;
  problems: string[];
}

/** Count, bytes and ETags of the snapshot against the sources and the ETags the copies returned. */
export function verifySnapshot(
  sources: ObjectInfo[],
  copies: ObjectInfo[],
  dstKey: (srcKey: string) => string,
  copiedEtags: ReadonlyMap<string, string>,
): VerifyResult {
  const byKey = new Map(copies.map((c) => [c.key, c]));
  const problems: string[] = [];
  let bytes = 0;
  for (const s of sources) {
    const c = byKey.get(dstKey(s.key));
    if (!c) {
      problems.push(`missing: ${s.key}`);
      continue;
    }
    bytes += c.size;
    if (c.size !== s.size) problems.push(`size differs: ${s.key} (${s.size} → ${c.size})`);
    const recorded = copiedEtags.get(s.key);
    // The copy must be what the copy call produced: its recorded ETag (Azure gives every blob a
    // new ETag; S3 multipart copies have their own). An S3 single-part CopyObject also keeps the
    // source's ETag (an MD5 of the content), so there the source must match too.
    const want = recorded || s.etag;
    if (want && c.etag && unquote(want) !== unquote(c.etag))
      problems.push(`ETag differs: ${s.key} (${want} → ${c.etag})`);
    else if (
      recorded &&
      isMd5Etag(recorded) &&
      s.etag &&
      isMd5Etag(s.etag) &&
      unquote(recorded) !== unquote(s.etag)
    )
      problems.push(`ETag differs from the source: ${s.key} (${s.etag} → ${recorded})`);
  }
  if (copies.length !== sources.length)
    problems.push(`the snapshot holds ${copies.length} objects for ${sources.length} sources`);
  return { ok: problems.length === 0, count: copies.length, bytes, problems };
}

/**
 * Adaptive concurrency (AIMD, like TCP): grows while requests come back clean — doubling until
 * the first throttle, then by one every `limit` clean completions — and halves on a throttle
 * (at most once per `limit` completions, so one burst of SlowDowns is one decrease).
 */
export class AdaptiveLimit {
  limit: number;
  private clean = 0;
  private sinceDecrease = Infinity;
  private slowStart = true;
  throttles = 0;
  peak: number;

  constructor(
    start = 32,
    readonly min = 1,
    readonly max = 512,
  ) {
    this.limit = Math.max(min, Math.min(max, start));
    this.peak = this.limit;
  }

  onSuccess(): void {
    this.clean++;
    this.sinceDecrease++;
    if (this.clean >= this.limit) {
      this.clean = 0;
      this.limit = Math.min(this.max, this.slowStart ? this.limit * 2 : this.limit + 1);
      this.peak = Math.max(this.peak, this.limit);
    }
  }

  onThrottle(): void {
    this.throttles++;
    this.slowStart = false;
    this.clean = 0;
    if (this.sinceDecrease < this.limit) return;
    this.sinceDecrease = 0;
    this.limit = Math.max(this.min, Math.floor(this.limit / 2));
  }
}
