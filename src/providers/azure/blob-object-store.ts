// ObjectStore over Azure Blob Storage (@azure/storage-blob), vendor errors mapped onto ProviderError.
// List Blobs has `startFrom` (inclusive) since service version 2026-04-06, which the SDK (12.32)
// sends: `startFrom` is passed on, and `startAfter` becomes startFrom without the key itself. A
// service that ignores it (older service versions, Azurite 3.35) is seen by the first name of the
// page sorting before it: the page is then filtered and marked `startFromIgnored`, and a
// `startAfter` listing skips keys up to it page by page (correct, but it pays for the skipped
// pages). The scanner does not split Blob listings by ranges; it gets its parallelism from folders
// (listBlobsByHierarchy).
import type { Pipeline } from '@azure/core-rest-pipeline';
import { requestBudgetPolicy, type AcquireToken } from './azure-rest.js';
import { BlobServiceClient, RestError } from '@azure/storage-blob';
import type { ContainerClient } from '@azure/storage-blob';
import { ProviderError } from '../ports.js';
import type { CopyOutcome, ListPage, ListPageRequest, ObjectInfo, ObjectRef, ObjectStore } from '../ports.js';
import { compareKeys } from '../key-order.js';

export type BlobServiceOptions = { connectionString: string } | { accountUrl: string };

/**
 * A BlobServiceClient from a connection string (Azurite, account keys) or an account URL. An account
 * URL carrying a SAS (`?sv=…&sig=…`) is used as is; without one, DefaultAzureCredential from
 * @azure/identity is loaded, when installed.
 */
export async function createBlobServiceClient(opts: BlobServiceOptions): Promise<BlobServiceClient> {
  if ('connectionString' in opts) return BlobServiceClient.fromConnectionString(opts.connectionString);
  const url = new URL(opts.accountUrl);
  if (url.searchParams.has('sig')) return new BlobServiceClient(opts.accountUrl);
  let identity: { DefaultAzureCredential: new () => unknown };
  try {
    identity = (await import('@azure/identity')) as unknown as typeof identity;
  } catch (err) {
    throw new ProviderError(
      'INVALID_INPUT',
      'an Azure account URL without a SAS needs @azure/identity (DefaultAzureCredential), which is not ' +
        'installed: set AZURE_STORAGE_CONNECTION_STRING or add a SAS to the account URL',
      { cause: err },
    );
  }
  return new BlobServiceClient(
    opts.accountUrl,
    new identity.DefaultAzureCredential() as ConstructorParameters<typeof BlobServiceClient>[1],
  );
}

/**
 * The shared request budget on a Blob client (`blob:<account>`, src/providers/request-budget.ts):
 * every attempt — the first and each retry of the SDK's storage retry policy — waits for a token.
 * The SDK builds one core pipeline per client pipeline and shares it with every container client it
 * hands out (getCoreClientOptions caches it on the pipeline), so one policy placed after the Retry
 * phase covers them all. `storageClientContext` is the SDK's protected member: checked, so an SDK
 * that moves it fails loudly instead of leaving Blob unbudgeted.
 */
export function budgetBlobClient(client: BlobServiceClient, acquire: AcquireToken): void {
  const core = (client as unknown as { storageClientContext?: { pipeline?: Pipeline } }).storageClientContext
    ?.pipeline;
  if (!core || typeof core.addPolicy !== 'function')
    throw new Error('@azure/storage-blob: no core pipeline on the client to put the request budget on');
  core.addPolicy(requestBudgetPolicy(acquire), { afterPhase: 'Retry' });
}

const NOT_FOUND = new Set(['ContainerNotFound', 'BlobNotFound', 'ResourceNotFound']);
const DENIED = new Set([
  'AuthorizationFailure',
  'AuthorizationPermissionMismatch',
  'AuthenticationFailed',
  'AuthorizationSourceIPMismatch',
  'InsufficientAccountPermissions',
]);
const THROTTLED = new Set(['ServerBusy', 'OperationTimedOut', 'TooManyRequests']);

/** Maps a storage-blob error onto ProviderError. `action` is the RBAC data action the call needed. */
export function mapBlobError(err: unknown, action: string, what: string): ProviderError {
  if (err instanceof ProviderError) return err;
  const e = err as { name?: string; code?: string; statusCode?: number; message?: string };
  const code = (err instanceof RestError ? err.code : e?.code) ?? '';
  const status = (err instanceof RestError ? err.statusCode : e?.statusCode) ?? 0;
  const firstLine = (e?.message ?? '').split('\n')[0] ?? '';
  if (e?.name === 'AbortError') return new ProviderError('CANCELLED', `${what}: cancelled`, { cause: err });
  if (NOT_FOUND.has(code) || status === 404) {
    const thing = code === 'BlobNotFound' ? 'blob' : 'container';
    return new ProviderError('NOT_FOUND', `Azure ${thing} not found: ${what} (${code || status})`, {
      cause: err,
    });
  }
  if (DENIED.has(code) || status === 403)
    return new ProviderError(
      'ACCESS_DENIED',
      `access denied to ${what}: needs ${action} (${code || status})`,
      {
        cause: err,
        action,
      },
    );
  if (
    THROTTLED.has(code) ||
    status === 503 ||
    status === 429 ||
    (status === 500 && code === 'OperationTimedOut')
  )
    return new ProviderError('THROTTLED', `Azure Storage throttled ${what} (${code || status})`, {
      cause: err,
    });
  if (status === 400 || code === 'InvalidResourceName' || code === 'OutOfRangeInput')
    return new ProviderError('INVALID_INPUT', `Azure Storage rejected ${what}: ${firstLine}`, { cause: err });
  return new ProviderError(
    'UNAVAILABLE',
    `Azure Storage failed on ${what} (${code || status || 'network'}) ${firstLine}`,
    {
      cause: err,
    },
  );
}

const READ = 'Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read';
const WRITE = 'Microsoft.Storage/storageAccounts/blobServices/containers/blobs/write';
const DELETE = 'Microsoft.Storage/storageAccounts/blobServices/containers/blobs/delete';

function toInfo(b: {
  name: string;
  properties: { contentLength?: number; lastModified?: Date; etag?: string };
}): ObjectInfo {
  const info: ObjectInfo = { key: b.name, size: b.properties.contentLength ?? 0 };
  if (b.properties.lastModified) info.lastModified = b.properties.lastModified;
  if (b.properties.etag) info.etag = b.properties.etag;
  return info;
}

export class BlobObjectStore implements ObjectStore {
  readonly scheme = 'azure-blob' as const;

  constructor(readonly service: BlobServiceClient) {}

  private container(name: string): ContainerClient {
    return this.service.getContainerClient(name);
  }

  async listPage(req: ListPageRequest): Promise<ListPage> {
    const what = `${this.service.accountName}/${req.container}/${req.prefix}`;
    const maxPageSize = Math.min(5000, Math.max(1, req.maxKeys ?? 5000));
    try {
      if (req.token !== undefined) return await this.onePage(req, maxPageSize);
      // startAfter: startFrom (inclusive) on the service, the key itself dropped here.
      const from =
        req.startFrom !== undefined && req.startAfter !== undefined
          ? compareKeys(req.startFrom, req.startAfter) > 0
            ? { key: req.startFrom, inclusive: true }
            : { key: req.startAfter, inclusive: false }
          : req.startFrom !== undefined
            ? { key: req.startFrom, inclusive: true }
            : req.startAfter !== undefined
              ? { key: req.startAfter, inclusive: false }
              : undefined;
      const page = await this.onePage(req, maxPageSize, from?.key);
      if (!from) return page;
      const first = [page.objects[0]?.key, page.prefixes[0]]
        .filter((k): k is string => k !== undefined)
        .sort(compareKeys)[0];
      // A prefix the key lies under sorts before it and is still its place in a delimiter listing.
      const ignored = first !== undefined && compareKeys(first, from.key) < 0 && !from.key.startsWith(first);
      const keep = (k: string) => {
        const c = compareKeys(k, from.key);
        return c > 0 || (c === 0 && from.inclusive);
      };
      const filter = (current: ListPage): ListPage => {
        const out: ListPage = {
          objects: current.objects.filter((o) => keep(o.key)),
          prefixes: current.prefixes.filter((p) => keep(p) || from.key.startsWith(p)),
        };
        if (current.nextToken) out.nextToken = current.nextToken;
        if (ignored) out.startFromIgnored = true;
        return out;
      };
      let current = filter(page);
      // Following pages until one has a key from `from` on (the service skipped up to it, or not).
      while (
        current.objects.length === 0 &&
        current.prefixes.length === 0 &&
        current.nextToken &&
        req.startFrom === undefined
      )
        current = filter(await this.onePage({ ...req, token: current.nextToken }, maxPageSize));
      return current;
    } catch (err) {
      if (req.signal?.aborted)
        throw new ProviderError('CANCELLED', `listing ${what} was cancelled`, { cause: err });
      throw mapBlobError(err, READ, what);
    }
  }

  private async onePage(req: ListPageRequest, maxPageSize: number, startFrom?: string): Promise<ListPage> {
    const container = this.container(req.container);
    const settings = { maxPageSize, ...(req.token ? { continuationToken: req.token } : {}) };
    const options = {
      prefix: req.prefix || undefined,
      abortSignal: req.signal,
      ...(startFrom !== undefined && !req.token ? { startFrom } : {}),
    };
    if (req.delimiter) {
      const it = container.listBlobsByHierarchy(req.delimiter, options).byPage(settings);
      const res = await it.next();
      if (res.done) return { objects: [], prefixes: [] };
      const seg = res.value;
      const out: ListPage = {
        objects: seg.segment.blobItems.map(toInfo),
        prefixes: (seg.segment.blobPrefixes ?? []).map((p) => p.name),
      };
      if (seg.continuationToken) out.nextToken = seg.continuationToken;
      return out;
    }
    const it = container.listBlobsFlat(options).byPage(settings);
    const res = await it.next();
    if (res.done) return { objects: [], prefixes: [] };
    const out: ListPage = { objects: res.value.segment.blobItems.map(toInfo), prefixes: [] };
    if (res.value.continuationToken) out.nextToken = res.value.continuationToken;
    return out;
  }

  async getObject(container: string, key: string, range?: { start: number; end: number }): Promise<Buffer> {
    try {
      const blob = this.container(container).getBlobClient(key);
      if (range) return await blob.downloadToBuffer(range.start, range.end - range.start + 1);
      return await blob.downloadToBuffer();
    } catch (err) {
      throw mapBlobError(err, READ, `${this.service.accountName}/${container}/${key}`);
    }
  }

  async putObject(container: string, key: string, body: Buffer | string): Promise<void> {
    try {
      const data = typeof body === 'string' ? Buffer.from(body) : body;
      await this.container(container).getBlockBlobClient(key).upload(data, data.length);
    } catch (err) {
      throw mapBlobError(err, WRITE, `${this.service.accountName}/${container}/${key}`);
    }
  }

  /** Server-side copy (Copy Blob, at any size); same-account copies need no SAS on the source. */
  async copy(src: ObjectRef, dst: ObjectRef): Promise<CopyOutcome> {
    const what = `${this.service.accountName}/${src.container}/${src.key} → ${dst.container}/${dst.key}`;
    try {
      const source = this.container(src.container).getBlobClient(src.key);
      const poller = await this.container(dst.container).getBlobClient(dst.key).beginCopyFromURL(source.url);
      const res = await poller.pollUntilDone();
      if (res.copyStatus && res.copyStatus !== 'success')
        throw new ProviderError('UNAVAILABLE', `copy ${what} ended ${res.copyStatus}`);
      return { etag: res.etag ?? '', retried: 0, multipart: false };
    } catch (err) {
      throw mapBlobError(err, `${READ}, ${WRITE}`, what);
    }
  }

  /** Deletes blobs, 16 at a time; a blob already gone is not an error. */
  async deleteObjects(container: string, keys: string[]): Promise<void> {
    const c = this.container(container);
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < keys.length) {
        const key = keys[next++] as string;
        try {
          await c.getBlobClient(key).deleteIfExists();
        } catch (err) {
          throw mapBlobError(err, DELETE, `${this.service.accountName}/${container}/${key}`);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(16, keys.length) }, worker));
  }
}
