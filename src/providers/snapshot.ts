// Snapshot of a backfill's input window: every object of the window's date partitions copied
// server-side under a timestamped prefix ("copiar prefijo S3 / contenedor con timestamp").
//
// - Parallel with an adaptive limit (domain AdaptiveLimit): it grows while copies come back clean
//   and halves on throttling (S3 SlowDown, 503, 429, or a copy the SDK had to retry), so a busy
//   prefix is not hammered and a quiet one is copied as fast as the service allows.
// - Objects over CopyObject's 5 GB limit go through multipart UploadPartCopy (S3); Azure Blob's
//   Copy Blob is server-side at any size.
// - Each object is recorded as copied (by the caller's `onCopied`, a Redis hash) right after its
//   copy returns, and objects already recorded are skipped, so a restart never copies twice.
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  UploadPartCopyCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { ProviderError, type ObjectInfo, type ObjectStore } from './ports.js';
import { S3ObjectStore, mapS3Error } from './aws/s3-object-store.js';
import { AdaptiveLimit, COPY_OBJECT_MAX_BYTES, partRanges } from '../domain/backfill-plan.js';

/** Most copies in flight by default: the AWS SDK's HTTP agent keeps 50 sockets per client. */
export const MAX_COPY_CONCURRENCY = 50;

export interface ObjectRef {
  container: string;
  key: string;
}

export interface CopyOutcome {
  etag: string;
  /** Attempts the SDK repeated (throttling or 5xx): a sign to slow down. */
  retried: number;
  multipart: boolean;
}

/** How one object is copied server-side. */
export interface CopyBackend {
  copy(src: ObjectRef, dst: ObjectRef, size: number, hooks?: MultipartHooks): Promise<CopyOutcome>;
  abortUpload?(dst: ObjectRef, uploadId: string): Promise<void>;
}

export interface MultipartHooks {
  /** A multipart upload started (recorded so a restart can abort it) or ended (undefined). */
  onUpload?(uploadId: string | undefined): Promise<void>;
}

const copySource = (src: ObjectRef) => `${src.container}/${encodeURI(src.key)}`;

/** S3: CopyObject up to 5 GB, multipart UploadPartCopy above (parts of 512 MiB, 4 at a time). */
export function s3CopyBackend(client: S3Client, multipartThreshold = COPY_OBJECT_MAX_BYTES): CopyBackend {
  return {
    async copy(src, dst, size, hooks) {
      const what = `s3://${src.container}/${src.key} → s3://${dst.container}/${dst.key}`;
      if (size <= multipartThreshold) {
        try {
          const out = await client.send(
            new CopyObjectCommand({ CopySource: copySource(src), Bucket: dst.container, Key: dst.key }),
          );
          return {
            etag: out.CopyObjectResult?.ETag ?? '',
            retried: Math.max(0, (out.$metadata.attempts ?? 1) - 1),
            multipart: false,
          };
        } catch (err) {
          throw mapS3Error(err, 's3:GetObject, s3:PutObject', what);
        }
      }
      let uploadId: string | undefined;
      try {
        const created = await client.send(
          new CreateMultipartUploadCommand({ Bucket: dst.container, Key: dst.key }),
        );
        uploadId = created.UploadId;
        if (!uploadId) throw new ProviderError('UNAVAILABLE', `no upload id for ${what}`);
        await hooks?.onUpload?.(uploadId);
        const ranges = partRanges(size);
        const etags: string[] = new Array<string>(ranges.length);
        let retried = 0;
        let next = 0;
        const lane = async () => {
          while (next < ranges.length) {
            const i = next++;
            const r = ranges[i]!;
            const out = await client.send(
              new UploadPartCopyCommand({
                Bucket: dst.container,
                Key: dst.key,
                UploadId: uploadId,
                PartNumber: i + 1,
                CopySource: copySource(src),
                CopySourceRange: `bytes=${r.start}-${r.end}`,
              }),
            );
            retried += Math.max(0, (out.$metadata.attempts ?? 1) - 1);
            etags[i] = out.CopyPartResult?.ETag ?? '';
          }
        };
        await Promise.all(Array.from({ length: Math.min(4, ranges.length) }, lane));
        const done = await client.send(
          new CompleteMultipartUploadCommand({
            Bucket: dst.container,
            Key: dst.key,
            UploadId: uploadId,
            MultipartUpload: { Parts: etags.map((ETag, i) => ({ ETag, PartNumber: i + 1 })) },
          }),
        );
        await hooks?.onUpload?.(undefined);
        return { etag: done.ETag ?? '', retried, multipart: true };
      } catch (err) {
        if (uploadId)
          await client
            .send(
              new AbortMultipartUploadCommand({ Bucket: dst.container, Key: dst.key, UploadId: uploadId }),
            )
            .catch(() => undefined);
        throw mapS3Error(err, 's3:GetObject, s3:PutObject', what);
      }
    },
    async abortUpload(dst, uploadId) {
      await client
        .send(new AbortMultipartUploadCommand({ Bucket: dst.container, Key: dst.key, UploadId: uploadId }))
        .catch(() => undefined);
    },
  };
}

/** Any other store (Azure Blob: Copy Blob, server-side at any size). */
export function storeCopyBackend(store: ObjectStore): CopyBackend {
  return {
    async copy(src, dst) {
      const out = await store.copyObject(src, dst);
      return { etag: out.etag ?? '', retried: 0, multipart: false };
    },
  };
}

export function copyBackendFor(store: ObjectStore): CopyBackend {
  return store instanceof S3ObjectStore ? s3CopyBackend(store.client) : storeCopyBackend(store);
}

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
  backend: CopyBackend;
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
          const out = await o.backend.copy({ container: o.srcContainer, key: obj.key }, dst, obj.size, {
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
