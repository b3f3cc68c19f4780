// ObjectStore over Azure Blob Storage (@azure/storage-blob), vendor errors mapped onto ProviderError.
// List Blobs has `startFrom` (inclusive) since service version 2026-04-06, which the SDK (12.32)
// sends: `startFrom` is passed on, and `startAfter` becomes startFrom without the key itself. A
// service that ignores it (older service versions, Azurite 3.35) is seen by the first name of the
// page sorting before it: the page is then filtered and marked `startFromIgnored`, and a
// `startAfter` listing skips keys up to it page by page (correct, but it pays for the skipped
// pages). The scanner does not split Blob listings by ranges; it gets its parallelism from folders
// (listBlobsByHierarchy).
//
// Listings a hierarchical-namespace account can answer as a directory — a prefix that is '' or ends
// with '/', no delimiter or '/', no startFrom/startAfter — go to ADLS Gen2 Path - List instead
// (adls-path-list.ts: JSON, which parses far faster than List Blobs' XML through the SDK). The
// first such listing of a store finds out whether the account answers it (the others wait for that
// one); an account that does not (no hierarchical namespace, an emulator without dfs such as
// Azurite 3.35, a firewall that admits only the blob endpoint) is listed through List Blobs, and
// Path - List is tried again after an hour. Path - List pages are not in List Blobs' key order
// across directories, so they are continued by their token only (ListPage.tokenOnly).
import type { Pipeline } from '@azure/core-rest-pipeline';
import { requestBudgetPolicy, type AcquireToken } from './azure-rest.js';
import { BlobServiceClient, RestError } from '@azure/storage-blob';
import type { ContainerClient } from '@azure/storage-blob';
import { ProviderError } from '../ports.js';
import type { CopyOutcome, ListPage, ListPageRequest, ObjectInfo, ObjectRef, ObjectStore } from '../ports.js';
import { compareKeys } from '../key-order.js';
import {
  bareEtag,
  dfsUrlOf,
  listPathsPage,
  PathListError,
  type PathListPage,
  type PipelineSender,
} from './adls-path-list.js';

/** A Path - List continuation token, as handed out in ListPage.nextToken. */
const DFS_TOKEN = 'dfs:';
/** After a Path - List failure that List Blobs may not share, List Blobs only for this long. */
const PATH_LIST_OFF_MS = 3_600_000;
/** How long the listing that finds out whether Path - List answers may take, retries included. */
const PATH_LIST_PROBE_MS = 30_000;
/** Pages of nothing but directories a recursive listing follows on before returning one. */
const EMPTY_PAGES_FOLLOWED = 10;

/** Resolves when `p` settles; rejects with the signal's reason when it is aborted first. */
async function untilSettled(p: Promise<void>, signal: AbortSignal | undefined): Promise<void> {
  if (!signal) return p;
  signal.throwIfAborted();
  await new Promise<void>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    void p.finally(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    });
  });
}

/** Which listing API a Blob store uses for directory listings (see BlobObjectStore.pathList). */
export type PathListState =
  { state: 'unknown' } | { state: 'on' } | { state: 'off'; reason: string; until: number };

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
  if (b.properties.etag) info.etag = bareEtag(b.properties.etag);
  return info;
}

/** The Path - List request behind a listing, when it is one a directory listing can answer. */
function asDirectoryListing(
  req: ListPageRequest,
): { directory: string; recursive: boolean; continuation?: string } | undefined {
  if (req.startFrom !== undefined || req.startAfter !== undefined) return undefined;
  if (req.delimiter !== undefined && req.delimiter !== '/') return undefined;
  // A directory path: '' or segments ending in '/', none empty ('a//b/' names no directory).
  if (
    req.prefix !== '' &&
    (!req.prefix.endsWith('/') || req.prefix.startsWith('/') || req.prefix.includes('//'))
  )
    return undefined;
  if (req.token !== undefined && !req.token.startsWith(DFS_TOKEN)) return undefined;
  return {
    directory: req.prefix.replace(/\/+$/, ''),
    recursive: req.delimiter === undefined,
    ...(req.token !== undefined ? { continuation: req.token.slice(DFS_TOKEN.length) } : {}),
  };
}

const byKey = (a: ObjectInfo, b: ObjectInfo) => compareKeys(a.key, b.key);

function fromPathList(page: PathListPage, recursive: boolean): ListPage {
  const objects: ObjectInfo[] = [];
  const prefixes: string[] = [];
  for (const p of page.paths) {
    if (p.isDirectory) {
      if (!recursive) prefixes.push(`${p.name}/`);
      continue;
    }
    const info: ObjectInfo = { key: p.name, size: p.size };
    if (p.lastModified) info.lastModified = p.lastModified;
    if (p.etag) info.etag = p.etag;
    objects.push(info);
  }
  const out: ListPage = {
    objects: objects.sort(byKey),
    prefixes: prefixes.sort(compareKeys),
    tokenOnly: true,
  };
  if (page.continuation) out.nextToken = DFS_TOKEN + page.continuation;
  return out;
}

export class BlobObjectStore implements ObjectStore {
  readonly scheme = 'azure-blob' as const;

  /** Whether directory listings go through Path - List (see the file's header). */
  pathList: PathListState = { state: 'unknown' };
  /** The first directory listing's, while it finds out whether Path - List answers. */
  private probe: Promise<void> | undefined;
  private probeDone: (() => void) | undefined;

  private readonly now: () => number;
  private readonly probeMs: number;

  constructor(
    readonly service: BlobServiceClient,
    opts: { now?: () => number; pathListProbeMs?: number } = {},
  ) {
    this.now = opts.now ?? Date.now;
    this.probeMs = opts.pathListProbeMs ?? PATH_LIST_PROBE_MS;
  }

  private container(name: string): ContainerClient {
    return this.service.getContainerClient(name);
  }

  async listPage(req: ListPageRequest): Promise<ListPage> {
    const what = `${this.service.accountName}/${req.container}/${req.prefix}`;
    const maxPageSize = Math.min(5000, Math.max(1, req.maxKeys ?? 5000));
    const dir = asDirectoryListing(req);
    if (dir) {
      const page = await this.viaPathList(req, dir, maxPageSize, what);
      if (page) return page;
    }
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

  /**
   * A directory listing through Path - List, or undefined when this account is listed through List
   * Blobs (known, or found out by this call).
   */
  private async viaPathList(
    req: ListPageRequest,
    dir: { directory: string; recursive: boolean; continuation?: string },
    maxResults: number,
    what: string,
  ): Promise<ListPage | undefined> {
    const url = dfsUrlOf(this.container(req.container).url);
    if (!url) return undefined; // a custom domain: its dfs endpoint is not known
    const continuing = dir.continuation !== undefined;
    let probing = false;
    if (!continuing) {
      while (this.probe) {
        try {
          await untilSettled(this.probe, req.signal);
        } catch (err) {
          throw new ProviderError('CANCELLED', `listing ${what} was cancelled`, { cause: err });
        }
      }
      const s = this.pathList;
      if (s.state === 'off' && this.now() < s.until) return undefined;
      if (s.state !== 'on') {
        // This call finds out; the others wait for it (synchronously claimed: one probe at a time).
        probing = true;
        this.probe = new Promise<void>((r) => (this.probeDone = r));
      }
    }
    const before = this.pathList;
    let found: PathListState = before;
    const off = (reason: string): undefined => {
      found = { state: 'off', reason, until: this.now() + PATH_LIST_OFF_MS };
      return undefined;
    };
    // The probe's own time limit: a dfs endpoint that never answers (a firewall dropping its
    // packets) must not hold every directory listing of the process behind it.
    const limiter = probing ? new AbortController() : undefined;
    const timer = limiter ? setTimeout(() => limiter.abort(), this.probeMs) : undefined;
    const limit = limiter?.signal;
    const signals = [req.signal, limit].filter((x): x is AbortSignal => x !== undefined);
    const signal = signals.length > 1 ? AbortSignal.any(signals) : signals[0];
    try {
      const ask = (continuation: string | undefined) =>
        listPathsPage(this.sender(), {
          dfsUrl: url,
          directory: dir.directory,
          recursive: dir.recursive,
          maxResults,
          ...(continuation !== undefined ? { continuation } : {}),
          ...(signal ? { signal } : {}),
        });
      let page = await ask(dir.continuation);
      // Directories take places in a page and a recursive listing drops them: a page of nothing
      // but directories is followed on, so that a page with a token holds objects (a caller that
      // reads one page, to sample keys, gets some).
      for (let n = 0; dir.recursive && page.continuation && n < EMPTY_PAGES_FOLLOWED; n++) {
        if (page.paths.some((p) => !p.isDirectory)) break;
        page = await ask(page.continuation);
      }
      found = { state: 'on' };
      return fromPathList(page, dir.recursive);
    } catch (err) {
      if (req.signal?.aborted)
        throw new ProviderError('CANCELLED', `listing ${what} was cancelled`, { cause: err });
      if (limit?.aborted) return off(`no answer in ${this.probeMs / 1000} s`);
      const status = err instanceof PathListError ? err.status : 0;
      const code = err instanceof PathListError ? err.code : String((err as { code?: unknown })?.code ?? '');
      if (status === 404 && code === 'PathNotFound') {
        // No such directory: List Blobs of the prefix lists nothing.
        found = { state: 'on' };
        return { objects: [], prefixes: [], tokenOnly: true };
      }
      // ADLS Gen2's own code only: a Blob endpoint's ContainerNotFound proves nothing of Path - List.
      if (status === 404 && code === 'FilesystemNotFound') {
        found = { state: 'on' };
        throw new ProviderError('NOT_FOUND', `Azure container not found: ${what} (${code})`, { cause: err });
      }
      const mapped = mapBlobError(
        err instanceof PathListError ? { statusCode: status, code, message: err.message } : err,
        READ,
        what,
      );
      // A listing begun here is continued here: its token means nothing to List Blobs.
      if (mapped.code === 'THROTTLED' || continuing) throw mapped;
      // Anything else — an account without it, a dfs endpoint gone or refused — List Blobs may
      // answer; an account seen answering before is given up on too.
      return off(
        status ? `HTTP ${status}${code ? ` ${code}` : ''}` : code || String((err as Error)?.message ?? err),
      );
    } finally {
      clearTimeout(timer);
      if (found !== before) this.pathList = found;
      if (probing) {
        this.probe = undefined;
        this.probeDone?.();
      }
    }
  }

  /** The Blob SDK's core pipeline (credential, retries, request budget), which Path - List goes through. */
  private sender(): PipelineSender {
    const ctx = (this.service as unknown as { storageClientContext?: PipelineSender }).storageClientContext;
    if (!ctx || typeof ctx.sendRequest !== 'function')
      throw new Error('@azure/storage-blob: no core pipeline on the client to send Path - List through');
    return ctx;
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
