// ObjectStore over S3: thin functions over SDK v3 commands, vendor errors mapped onto ProviderError.
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
  UploadPartCopyCommand,
} from '@aws-sdk/client-s3';
import { ProviderError } from '../ports.js';
import type {
  CopyHooks,
  CopyOutcome,
  InventoryScanOptions,
  ListPage,
  ListPageRequest,
  ObjectInfo,
  ObjectLocation,
  ObjectRef,
  ObjectStore,
} from '../ports.js';
import type { ScanResult } from '../scanner.js';
import { scanInventory } from './s3-inventory.js';

/** CopyObject copies up to 5 GB; larger objects need multipart UploadPartCopy. */
export const COPY_OBJECT_MAX_BYTES = 5 * 1024 ** 3;
/** Part size of multipart copies: 512 MiB (a 5 TB object stays under 10,000 parts). */
export const COPY_PART_BYTES = 512 * 1024 ** 2;

export function partRanges(size: number, partBytes = COPY_PART_BYTES): { start: number; end: number }[] {
  const parts = Math.max(1, Math.ceil(size / partBytes));
  const per = Math.max(partBytes, Math.ceil(size / Math.min(parts, 10_000)));
  const out: { start: number; end: number }[] = [];
  for (let start = 0; start < size; start += per) out.push({ start, end: Math.min(size, start + per) - 1 });
  return out;
}

/** bucket/ + URL-encoded key: accepted by AWS, the simulator and s3rver alike. */
const copySource = (src: ObjectRef) => `${src.container}/${encodeURI(src.key)}`;

export interface S3ClientOptions {
  region?: string;
  /** e.g. the simulator or s3rver; when unset the SDK reads AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL itself. */
  endpoint?: string;
  /** true for emulators (MEDIC_S3_FORCE_PATH_STYLE). */
  forcePathStyle?: boolean;
  /** SDK attempts per request (default 3, the SDK's standard mode). The scanner retries throttling itself. */
  maxAttempts?: number;
  /** Static credentials (tests); otherwise the SDK's default chain. */
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
}

/** An S3 client with the standard credential chain; region falls back to the SDK's own resolution. */
export function createS3Client(opts: S3ClientOptions = {}): S3Client {
  return new S3Client({
    ...(opts.region ? { region: opts.region } : {}),
    ...(opts.endpoint ? { endpoint: opts.endpoint } : {}),
    forcePathStyle: opts.forcePathStyle ?? false,
    ...(opts.maxAttempts ? { maxAttempts: opts.maxAttempts } : {}),
    ...(opts.credentials ? { credentials: opts.credentials } : {}),
  });
}

const NOT_FOUND = new Set(['NoSuchBucket', 'NoSuchKey', 'NotFound', 'NoSuchUpload']);
const DENIED = new Set([
  'AccessDenied',
  'AllAccessDisabled',
  'InvalidAccessKeyId',
  'SignatureDoesNotMatch',
  'Forbidden',
]);
const THROTTLED = new Set([
  'SlowDown',
  'Throttling',
  'ThrottlingException',
  'TooManyRequests',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'RequestThrottled',
]);
const INVALID = new Set([
  'InvalidBucketName',
  'InvalidArgument',
  'InvalidRange',
  'KeyTooLongError',
  'MalformedXML',
]);

/**
 * Maps an SDK error onto ProviderError, keeping it as `cause`. `action` is the IAM action the call
 * needed (reported on ACCESS_DENIED), `what` names the resource for the message.
 */
export function mapS3Error(err: unknown, action: string, what: string): ProviderError {
  if (err instanceof ProviderError) return err;
  const e = err as {
    name?: string;
    code?: string;
    message?: string;
    $metadata?: { httpStatusCode?: number };
  };
  const name = e?.name ?? e?.code ?? '';
  const status =
    e?.$metadata?.httpStatusCode ?? (err instanceof S3ServiceException ? err.$metadata.httpStatusCode : 0);
  const detail = e?.message ? `: ${e.message}` : '';
  if (name === 'AbortError' || (name === 'TimeoutError' && /abort/i.test(e?.message ?? '')))
    return new ProviderError('CANCELLED', `${action} on ${what} was cancelled`, { cause: err });
  if (NOT_FOUND.has(name) || status === 404) {
    const thing = name === 'NoSuchKey' ? 'object' : 'bucket';
    return new ProviderError('NOT_FOUND', `S3 ${thing} not found: ${what} (${name || status})`, {
      cause: err,
    });
  }
  if (DENIED.has(name) || status === 403)
    return new ProviderError('ACCESS_DENIED', `access denied to ${what}: needs ${action}${detail}`, {
      cause: err,
      action,
    });
  if (THROTTLED.has(name) || status === 503 || status === 429)
    return new ProviderError('THROTTLED', `S3 throttled ${action} on ${what} (${name || status})`, {
      cause: err,
    });
  if (INVALID.has(name) || status === 400)
    return new ProviderError('INVALID_INPUT', `S3 rejected ${action} on ${what}${detail}`, { cause: err });
  return new ProviderError(
    'UNAVAILABLE',
    `S3 ${action} on ${what} failed (${name || status || 'network'})${detail}`,
    {
      cause: err,
    },
  );
}

/** Keys of a listing made with EncodingType=url are percent-encoded (UTF-8). */
function decodeListedKey(k: string): string {
  try {
    return decodeURIComponent(k);
  } catch {
    return k;
  }
}

/** A listed page; `retries` counts attempts the SDK repeated itself (throttling or 5xx). */
export interface S3ListPage extends ListPage {
  retries: number;
}

export class S3ObjectStore implements ObjectStore {
  readonly scheme = 's3' as const;

  /**
   * @param multipartThreshold objects larger than this are copied by multipart UploadPartCopy
   *   (CopyObject's 5 GB limit; tests lower it)
   */
  constructor(
    readonly client: S3Client,
    private readonly multipartThreshold = COPY_OBJECT_MAX_BYTES,
  ) {}

  async listPage(req: ListPageRequest): Promise<S3ListPage> {
    const what = `s3://${req.container}/${req.prefix}`;
    try {
      const out = await this.client.send(
        new ListObjectsV2Command({
          Bucket: req.container,
          Prefix: req.prefix || undefined,
          Delimiter: req.delimiter,
          StartAfter: req.token ? undefined : req.startAfter,
          ContinuationToken: req.token,
          MaxKeys: req.maxKeys,
          // XML 1.0 cannot carry some characters keys may contain (0x01–0x1F): ask for them encoded
          EncodingType: 'url',
        }),
        { abortSignal: req.signal },
      );
      // Decode only when the service says it encoded (s3rver ignores the parameter).
      const decode = out.EncodingType === 'url' ? decodeListedKey : (k: string) => k;
      const objects: ObjectInfo[] = (out.Contents ?? []).map((o) => {
        const info: ObjectInfo = { key: decode(o.Key ?? ''), size: o.Size ?? 0 };
        if (o.LastModified) info.lastModified = o.LastModified;
        if (o.ETag) info.etag = o.ETag;
        return info;
      });
      const page: S3ListPage = {
        objects,
        prefixes: (out.CommonPrefixes ?? []).map((p) => decode(p.Prefix ?? '')).filter((p) => p !== ''),
        retries: Math.max(0, (out.$metadata.attempts ?? 1) - 1),
      };
      if (out.IsTruncated && out.NextContinuationToken) page.nextToken = out.NextContinuationToken;
      return page;
    } catch (err) {
      if (req.signal?.aborted)
        throw new ProviderError('CANCELLED', `listing ${what} was cancelled`, { cause: err });
      throw mapS3Error(err, 's3:ListBucket', what);
    }
  }

  async getObject(container: string, key: string, range?: { start: number; end: number }): Promise<Buffer> {
    try {
      const out = await this.client.send(
        new GetObjectCommand({
          Bucket: container,
          Key: key,
          ...(range ? { Range: `bytes=${range.start}-${range.end}` } : {}),
        }),
      );
      if (!out.Body) return Buffer.alloc(0);
      return Buffer.from(await out.Body.transformToByteArray());
    } catch (err) {
      throw mapS3Error(err, 's3:GetObject', `s3://${container}/${key}`);
    }
  }

  async putObject(container: string, key: string, body: Buffer | string): Promise<void> {
    try {
      await this.client.send(new PutObjectCommand({ Bucket: container, Key: key, Body: body }));
    } catch (err) {
      throw mapS3Error(err, 's3:PutObject', `s3://${container}/${key}`);
    }
  }

  /** CopyObject up to 5 GB, multipart UploadPartCopy above (parts of 512 MiB, 4 at a time). */
  async copy(src: ObjectRef, dst: ObjectRef, size: number, hooks?: CopyHooks): Promise<CopyOutcome> {
    const what = `s3://${src.container}/${src.key} → s3://${dst.container}/${dst.key}`;
    const client = this.client;
    if (size <= this.multipartThreshold) {
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
      if (uploadId) await this.abortUpload(dst, uploadId);
      throw mapS3Error(err, 's3:GetObject, s3:PutObject', what);
    }
  }

  async abortUpload(dst: ObjectRef, uploadId: string): Promise<void> {
    await this.client
      .send(new AbortMultipartUploadCommand({ Bucket: dst.container, Key: dst.key, UploadId: uploadId }))
      .catch(() => undefined);
  }

  /** S3 Inventory (CSV reports with a manifest.json) read from `destination` instead of listing. */
  scanInventory(
    destination: ObjectLocation,
    target: ObjectLocation,
    opts: InventoryScanOptions = {},
  ): Promise<ScanResult> {
    return scanInventory(this, destination, target, opts);
  }

  /** Deletes in batches of 1,000 (the API's limit); any per-key error fails the call. */
  async deleteObjects(container: string, keys: string[]): Promise<void> {
    for (let i = 0; i < keys.length; i += 1000) {
      const batch = keys.slice(i, i + 1000);
      let errors: { Key?: string; Code?: string; Message?: string }[];
      try {
        const out = await this.client.send(
          new DeleteObjectsCommand({
            Bucket: container,
            Delete: { Objects: batch.map((Key) => ({ Key })), Quiet: true },
          }),
        );
        errors = out.Errors ?? [];
      } catch (err) {
        throw mapS3Error(err, 's3:DeleteObject', `s3://${container}`);
      }
      const first = errors[0];
      if (first) {
        const fake = { name: first.Code, message: `${first.Key}: ${first.Message}` };
        throw mapS3Error(
          fake,
          's3:DeleteObject',
          `s3://${container}/${first.Key ?? ''} (${errors.length} keys failed)`,
        );
      }
    }
  }
}
