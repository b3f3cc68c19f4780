// The Blob service's List Blobs (GET /{account}/{container}?restype=container&comp=list) on the
// Azure simulator's HTTPS port, for benches and tests that need a large container quickly: Azurite
// pays per request in proportion to the container's size and seeds 50,000 blobs in tens of minutes,
// while here blobs are put straight into an in-memory sorted index (50,000 in well under a second)
// and a page costs O(page · log n).
//
// Auth is what the product's Blob client uses: a connection string with an account key, so requests
// carry `Authorization: SharedKey account:signature`, which is checked the way Azure Storage checks it
// (HMAC-SHA256 over the canonicalized request, the 2009-09-19+ string-to-sign).
//
// List Blobs here: prefix, delimiter (BlobPrefix entries), marker/NextMarker (opaque), maxresults
// (1–5,000, default 5,000), and `startFrom` (inclusive: the listing begins at the first name ≥ it),
// which Azure added with service version 2026-04-06; `honorStartFrom = false` makes the service
// ignore it, as older services and Azurite 3.35 do. Names are listed in UTF-8 byte order.
//
// ADLS Gen2 Path - List on the same endpoint (GET /{account}/{filesystem}?resource=filesystem, as an
// emulator serves both APIs; @azure/storage-file-datalake maps a non-Azure host to itself), for an
// account with a hierarchical namespace: `directory` (must exist: 404 PathNotFound), `recursive`,
// `maxResults` (more than 5,000, or none, is 5,000; directories count), `continuation` (in the
// request's query and the `x-ms-continuation` answer header), JSON entries with numbers and
// booleans as strings, as the service writes them. Directories are those the names imply (the
// simulator keeps no empty ones); a directory's Last-Modified is its first blob's creation time.
// Entries are listed in UTF-8 byte order of their names, implied directories just before their
// first descendant; the real service's order across directories is not documented, and the
// product does not depend on it. `hierarchicalNamespace = false` answers Path - List as Azurite
// 3.35 does (400, no body): a Blob service that has no dfs side.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { compareKeys } from '../key-order.js';
import { el, escapeXml } from '../xml.js';
import type { AzureRequest, AzureResponse } from './http.js';

export const BLOB_MAX_RESULTS = 5000;

export interface SimBlob {
  name: string;
  size: number;
  /** ms since epoch; listed with second precision (RFC 1123), as Azure does. */
  lastModified: number;
  created: number;
  etag: string;
}

class BlobContainer {
  readonly blobs = new Map<string, SimBlob>();
  private sorted: string[] = [];
  private dirty = false;

  set(b: SimBlob): void {
    if (!this.blobs.has(b.name)) this.dirty = true;
    this.blobs.set(b.name, b);
  }

  delete(name: string): boolean {
    const had = this.blobs.delete(name);
    if (had) this.dirty = true;
    return had;
  }

  names(): string[] {
    if (this.dirty) {
      this.sorted = [...this.blobs.keys()].sort(compareKeys);
      this.dirty = false;
    }
    return this.sorted;
  }
}

/** First index i with pred(names[i]) false, given pred is true then false along the array. */
function partition(names: string[], from: number, pred: (name: string) => boolean): number {
  let lo = from;
  let hi = names.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (pred(names[mid]!)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export interface BlobListRequest {
  prefix?: string;
  delimiter?: string;
  marker?: string;
  maxResults?: number;
  startFrom?: string;
}

export interface BlobListResult {
  blobs: SimBlob[];
  prefixes: string[];
  nextMarker: string;
}

const encodeMarker = (name: string) => Buffer.from(`1!${name}`, 'utf8').toString('base64url');
function decodeMarker(marker: string): string | undefined {
  const text = Buffer.from(marker, 'base64url').toString('utf8');
  return text.startsWith('1!') ? text.slice(2) : undefined;
}

export class BlobServiceError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export interface BlobAccount {
  name: string;
  /** The account key, base64 (as in a connection string). */
  key: string;
  containers: Map<string, BlobContainer>;
}

export interface PathListRequest {
  /** '' for the filesystem's root; no trailing '/'. */
  directory: string;
  recursive: boolean;
  continuation?: string;
  maxResults?: number;
}

export interface SimPath {
  name: string;
  isDirectory: boolean;
  size: number;
  lastModified: number;
  created: number;
  etag: string;
}

const encodeContinuation = (name: string, dirsDone: number) =>
  Buffer.from(JSON.stringify([name, dirsDone]), 'utf8').toString('base64url');
function decodeContinuation(token: string): [string, number] | undefined {
  try {
    const v: unknown = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
    if (Array.isArray(v) && typeof v[0] === 'string' && Number.isInteger(v[1])) return [v[0], v[1] as number];
  } catch {
    // not ours
  }
  return undefined;
}

/** A directory's ETag, stable for its name (the simulator keeps no directory objects). */
function directoryEtag(name: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193) >>> 0;
  return `0x8DC${h.toString(16).toUpperCase().padStart(12, '0')}`;
}

export class SimBlobStore {
  readonly accounts = new Map<string, BlobAccount>();
  /** false: `startFrom` is ignored, as services before 2026-04-06 (and Azurite 3.35) do. */
  honorStartFrom = true;
  /** false: no hierarchical namespace — Path - List is not answered (see pathListUnsupported). */
  hierarchicalNamespace = true;
  private etagCounter = 0;

  constructor(private readonly now: () => number) {}

  addAccount(name: string, key = randomBytes(64).toString('base64')): BlobAccount {
    let a = this.accounts.get(name);
    if (!a) {
      a = { name, key, containers: new Map() };
      this.accounts.set(name, a);
    }
    return a;
  }

  private container(account: string, container: string, create = false): BlobContainer | undefined {
    const a = this.accounts.get(account);
    if (!a) return undefined;
    let c = a.containers.get(container);
    if (!c && create) {
      c = new BlobContainer();
      a.containers.set(container, c);
    }
    return c;
  }

  createContainer(account: string, container: string): void {
    this.container(account, container, true);
  }

  /** Puts (or overwrites: new ETag and Last-Modified) blobs; the container is created when missing. */
  put(
    account: string,
    container: string,
    blobs: { name: string; size: number; lastModified?: number }[],
  ): SimBlob[] {
    const c = this.container(account, container, true);
    if (!c) throw new Error(`no simulated storage account ${account}`);
    const now = this.now();
    return blobs.map((b) => {
      const prev = c.blobs.get(b.name);
      const blob: SimBlob = {
        name: b.name,
        size: b.size,
        lastModified: b.lastModified ?? now,
        created: prev?.created ?? b.lastModified ?? now,
        etag: `0x8DD${(++this.etagCounter).toString(16).toUpperCase().padStart(12, '0')}`,
      };
      c.set(blob);
      return blob;
    });
  }

  delete(account: string, container: string, names: string[]): number {
    const c = this.container(account, container);
    let n = 0;
    for (const name of names) if (c?.delete(name)) n++;
    return n;
  }

  get(account: string, container: string, name: string): SimBlob | undefined {
    return this.container(account, container)?.blobs.get(name);
  }

  count(account: string, container: string): number {
    return this.container(account, container)?.blobs.size ?? 0;
  }

  clear(): void {
    for (const a of this.accounts.values()) a.containers.clear();
  }

  list(account: string, container: string, req: BlobListRequest): BlobListResult {
    const c = this.container(account, container);
    if (!c) throw new BlobServiceError(404, 'ContainerNotFound', 'The specified container does not exist.');
    const prefix = req.prefix ?? '';
    const max = req.maxResults ?? BLOB_MAX_RESULTS;
    const names = c.names();
    let from = prefix;
    if (req.marker) {
      const m = decodeMarker(req.marker);
      if (m === undefined)
        throw new BlobServiceError(400, 'OutOfRangeInput', 'One of the request inputs is out of range.');
      if (compareKeys(m, from) > 0) from = m;
    }
    if (this.honorStartFrom && req.startFrom !== undefined && compareKeys(req.startFrom, from) > 0)
      from = req.startFrom;
    let i = partition(names, 0, (n) => compareKeys(n, from) < 0);
    const blobs: SimBlob[] = [];
    const prefixes: string[] = [];
    const delimiter = req.delimiter || undefined;
    while (i < names.length && blobs.length + prefixes.length < max) {
      const name = names[i]!;
      if (!name.startsWith(prefix)) break;
      const d = delimiter ? name.indexOf(delimiter, prefix.length) : -1;
      if (d >= 0) {
        const p = name.slice(0, d + delimiter!.length);
        prefixes.push(p);
        // Past every name under that virtual folder.
        i = partition(names, i, (n) => n.startsWith(p));
        continue;
      }
      blobs.push(c.blobs.get(name)!);
      i++;
    }
    const next = names[i];
    return {
      blobs,
      prefixes,
      nextMarker: next !== undefined && next.startsWith(prefix) ? encodeMarker(next) : '',
    };
  }

  /** ADLS Gen2 Path - List over the blob names (see the file's header). */
  listPaths(
    account: string,
    container: string,
    req: PathListRequest,
  ): { paths: SimPath[]; continuation: string } {
    const c = this.container(account, container);
    if (!c) throw new BlobServiceError(404, 'FilesystemNotFound', 'The specified filesystem does not exist.');
    const base = req.directory ? `${req.directory}/` : '';
    const names = c.names();
    const max = Math.min(BLOB_MAX_RESULTS, req.maxResults ?? BLOB_MAX_RESULTS);
    const under = (n: string) => n.startsWith(base);
    const first = partition(names, 0, (n) => compareKeys(n, base) < 0);
    if (base && !(names[first] !== undefined && under(names[first]!)))
      throw new BlobServiceError(404, 'PathNotFound', 'The specified path does not exist.');
    if (!req.recursive) {
      const marker = req.continuation ? decodeContinuation(req.continuation) : undefined;
      if (req.continuation && !marker)
        throw new BlobServiceError(
          400,
          'InvalidQueryParameterValue',
          'Value for one of the query parameters specified in the request URI is invalid.',
        );
      const r = this.list(account, container, {
        prefix: base,
        delimiter: '/',
        maxResults: max,
        ...(marker ? { marker: encodeMarker(marker[0]) } : {}),
      });
      const dirs = r.prefixes.map((p) => {
        const firstBlob = c.blobs.get(names[partition(names, 0, (n) => compareKeys(n, p) < 0)]!)!;
        const name = p.slice(0, -1);
        return {
          name,
          isDirectory: true,
          size: 0,
          lastModified: firstBlob.created,
          created: firstBlob.created,
          etag: directoryEtag(name),
        };
      });
      const files = r.blobs.map((b) => ({ ...b, isDirectory: false }));
      const next = r.nextMarker ? decodeMarker(r.nextMarker) : undefined;
      return {
        paths: [...dirs, ...files].sort((a, b) => compareKeys(a.name, b.name)),
        continuation: next !== undefined ? encodeContinuation(next, 0) : '',
      };
    }
    // Recursive: every name under the directory, each preceded by the directories it is the first
    // descendant of.
    let i = first;
    let skipDirs = 0;
    if (req.continuation) {
      const m = decodeContinuation(req.continuation);
      if (!m)
        throw new BlobServiceError(
          400,
          'InvalidQueryParameterValue',
          'Value for one of the query parameters specified in the request URI is invalid.',
        );
      i = partition(names, first, (n) => compareKeys(n, m[0]) < 0);
      skipDirs = m[1];
    }
    const paths: SimPath[] = [];
    while (i < names.length && under(names[i]!) && paths.length < max) {
      const name = names[i]!;
      const prev = i > first ? names[i - 1]! : undefined;
      const blob = c.blobs.get(name)!;
      // The directories between the listed one and this blob that the previous name was not under.
      const dirs: string[] = [];
      for (let d = name.indexOf('/', base.length); d >= 0; d = name.indexOf('/', d + 1)) {
        const dir = name.slice(0, d);
        if (prev === undefined || !prev.startsWith(`${dir}/`)) dirs.push(dir);
      }
      let k = skipDirs;
      skipDirs = 0;
      for (; k < dirs.length && paths.length < max; k++) {
        const dir = dirs[k]!;
        paths.push({
          name: dir,
          isDirectory: true,
          size: 0,
          lastModified: blob.created,
          created: blob.created,
          etag: directoryEtag(dir),
        });
      }
      if (k < dirs.length) return { paths, continuation: encodeContinuation(name, k) };
      if (paths.length >= max) return { paths, continuation: encodeContinuation(name, k) };
      paths.push({ ...blob, isDirectory: false });
      i++;
    }
    const more = i < names.length && under(names[i]!);
    return { paths, continuation: more ? encodeContinuation(names[i]!, 0) : '' };
  }
}

// ---------------------------------------------------------------------------------------------
// HTTP

export function blobErrorResponse(
  status: number,
  code: string,
  message: string,
  requestId: string,
): AzureResponse {
  const body =
    '<?xml version="1.0" encoding="utf-8"?>' +
    `<Error><Code>${escapeXml(code)}</Code><Message>${escapeXml(
      `${message}\nRequestId:${requestId}\nTime:${new Date().toISOString()}`,
    )}</Message></Error>`;
  return {
    status,
    headers: { 'content-type': 'application/xml', 'x-ms-error-code': code },
    body,
  };
}

/** Checks `Authorization: SharedKey account:sig` against the account key (the Blob string-to-sign). */
export function checkSharedKey(req: AzureRequest, account: BlobAccount): void {
  const auth = req.headers.authorization;
  if (!auth)
    throw new BlobServiceError(
      401,
      'NoAuthenticationInformation',
      'Server failed to authenticate the request. Please refer to the information in the www-authenticate header.',
    );
  const m = /^SharedKey ([^:]+):(.+)$/.exec(auth);
  const failed = () =>
    new BlobServiceError(
      403,
      'AuthenticationFailed',
      'Server failed to authenticate the request. Make sure the value of Authorization header is formed correctly including the signature.',
    );
  if (!m || m[1] !== account.name) throw failed();
  const header = (name: string): string => {
    const v = req.headers[name];
    const s = Array.isArray(v) ? v.join(',') : (v ?? '');
    return name === 'content-length' && s === '0' ? '' : s;
  };
  const msHeaders = Object.keys(req.headers)
    .filter((h) => h.startsWith('x-ms-'))
    .sort()
    .map((h) => `${h}:${header(h).trimStart()}\n`)
    .join('');
  const query = [...new Set([...req.url.searchParams.keys()].map((k) => k.toLowerCase()))].sort();
  const values = (k: string) =>
    [...req.url.searchParams.entries()]
      .filter(([key]) => key.toLowerCase() === k)
      .map(([, v]) => v)
      .join(',');
  const resource = `/${account.name}${req.url.pathname}` + query.map((k) => `\n${k}:${values(k)}`).join('');
  const stringToSign =
    [
      req.method.toUpperCase(),
      header('content-encoding'),
      header('content-language'),
      header('content-length'),
      header('content-md5'),
      header('content-type'),
      header('date'),
      header('if-modified-since'),
      header('if-match'),
      header('if-none-match'),
      header('if-unmodified-since'),
      header('range'),
    ].join('\n') +
    '\n' +
    msHeaders +
    resource;
  const expected = createHmac('sha256', Buffer.from(account.key, 'base64'))
    .update(stringToSign, 'utf8')
    .digest();
  const given = Buffer.from(m[2]!, 'base64');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw failed();
}

const rfc1123 = (ms: number) => new Date(ms).toUTCString();

/** The routed Blob request: List Blobs only (the product's Blob scanner reads nothing else here). */
export function blobRoute(
  store: SimBlobStore,
  method: string,
  segs: string[],
  url: URL,
):
  | { operation: string; resources: string[]; account: BlobAccount; handle(req: AzureRequest): AzureResponse }
  | undefined {
  const account = store.accounts.get(segs[0] ?? '');
  if (!account || segs.length !== 2) return undefined;
  const container = segs[1]!;
  const q = url.searchParams;
  if (method === 'GET' && q.get('resource') === 'filesystem')
    return {
      operation: 'ListPaths',
      resources: [account.name, container],
      account,
      handle: (req) => listPathsResponse(store, account, container, req),
    };
  if (method !== 'GET' || q.get('restype') !== 'container' || q.get('comp') !== 'list') return undefined;
  return {
    operation: 'ListBlobs',
    resources: [account.name, container],
    account,
    handle: (req) => listBlobsResponse(store, account, container, req),
  };
}

function listBlobsResponse(
  store: SimBlobStore,
  account: BlobAccount,
  container: string,
  req: AzureRequest,
): AzureResponse {
  const q = req.url.searchParams;
  const maxRaw = q.get('maxresults');
  let maxResults = BLOB_MAX_RESULTS;
  if (maxRaw !== null) {
    const n = Number(maxRaw);
    if (!Number.isInteger(n) || n < 1 || n > BLOB_MAX_RESULTS)
      throw new BlobServiceError(
        400,
        'OutOfRangeQueryParameterValue',
        `Value for one of the query parameters specified in the request URI is outside the permissible range (maxresults=${maxRaw}).`,
      );
    maxResults = n;
  }
  const prefix = q.get('prefix') ?? '';
  const delimiter = q.get('delimiter') ?? '';
  const marker = q.get('marker') ?? '';
  const startFrom = q.get('startFrom') ?? q.get('startfrom') ?? undefined;
  const r = store.list(account.name, container, {
    prefix,
    ...(delimiter ? { delimiter } : {}),
    ...(marker ? { marker } : {}),
    maxResults,
    ...(startFrom !== undefined ? { startFrom } : {}),
  });
  const endpoint = `${req.url.origin}/${account.name}/`;
  const blobXml = r.blobs
    .map(
      (b) =>
        `<Blob>${el('Name', b.name)}<Properties>` +
        el('Creation-Time', rfc1123(b.created)) +
        el('Last-Modified', rfc1123(b.lastModified)) +
        el('Etag', b.etag) +
        el('Content-Length', b.size) +
        el('Content-Type', 'application/octet-stream') +
        '<Content-Encoding /><Content-Language /><Content-CRC64 /><Content-MD5 /><Cache-Control /><Content-Disposition />' +
        el('BlobType', 'BlockBlob') +
        el('AccessTier', 'Hot') +
        el('AccessTierInferred', 'true') +
        el('LeaseStatus', 'unlocked') +
        el('LeaseState', 'available') +
        el('ServerEncrypted', 'true') +
        '</Properties><OrMetadata /></Blob>',
    )
    .join('');
  const prefixXml = r.prefixes.map((p) => `<BlobPrefix>${el('Name', p)}</BlobPrefix>`).join('');
  const body =
    '<?xml version="1.0" encoding="utf-8"?>' +
    `<EnumerationResults ServiceEndpoint="${escapeXml(endpoint)}" ContainerName="${escapeXml(container)}">` +
    (prefix ? el('Prefix', prefix) : '<Prefix />') +
    (marker ? el('Marker', marker) : '') +
    el('MaxResults', maxResults) +
    (delimiter ? el('Delimiter', delimiter) : '') +
    `<Blobs>${blobXml}${prefixXml}</Blobs>` +
    (r.nextMarker ? el('NextMarker', r.nextMarker) : '<NextMarker />') +
    '</EnumerationResults>';
  return {
    status: 200,
    headers: { 'content-type': 'application/xml', 'x-ms-version': '2026-04-06' },
    body,
  };
}

/** ADLS Gen2's error answer: JSON, the code in `x-ms-error-code` too. */
export function dfsErrorResponse(
  status: number,
  code: string,
  message: string,
  requestId: string,
): AzureResponse {
  return {
    status,
    headers: { 'content-type': 'application/json;charset=utf-8', 'x-ms-error-code': code },
    body: JSON.stringify({
      error: { code, message: `${message}\nRequestId:${requestId}\nTime:${new Date().toISOString()}` },
    }),
  };
}

/** Windows FILETIME (100 ns since 1601), as Path - List writes creationTime. */
const fileTime = (ms: number) => (BigInt(ms) * 10_000n + 116_444_736_000_000_000n).toString();

function listPathsResponse(
  store: SimBlobStore,
  account: BlobAccount,
  container: string,
  req: AzureRequest,
): AzureResponse {
  if (!store.hierarchicalNamespace) return { status: 400, headers: {}, body: '' };
  const q = req.url.searchParams;
  const recursive = q.get('recursive');
  if (recursive !== 'true' && recursive !== 'false')
    throw new BlobServiceError(
      400,
      'InvalidQueryParameterValue',
      'Value for one of the query parameters specified in the request URI is invalid.',
    );
  const maxRaw = q.get('maxResults') ?? q.get('maxresults');
  let maxResults = BLOB_MAX_RESULTS;
  if (maxRaw !== null) {
    const n = Number(maxRaw);
    if (!Number.isInteger(n) || n < 1)
      throw new BlobServiceError(
        400,
        'InvalidQueryParameterValue',
        `Value for one of the query parameters specified in the request URI is invalid (maxResults=${maxRaw}).`,
      );
    maxResults = Math.min(n, BLOB_MAX_RESULTS);
  }
  const continuation = q.get('continuation') ?? undefined;
  const r = store.listPaths(account.name, container, {
    directory: (q.get('directory') ?? '').replace(/^\/+|\/+$/g, ''),
    recursive: recursive === 'true',
    maxResults,
    ...(continuation ? { continuation } : {}),
  });
  const paths = r.paths.map((p) => ({
    contentLength: String(p.size),
    creationTime: fileTime(p.created),
    etag: p.etag,
    expiryTime: '0',
    group: '$superuser',
    ...(p.isDirectory ? { isDirectory: 'true' } : {}),
    lastModified: rfc1123(p.lastModified),
    name: p.name,
    owner: '$superuser',
    permissions: p.isDirectory ? 'rwxr-x---' : 'rw-r-----',
  }));
  return {
    status: 200,
    headers: {
      'content-type': 'application/json;charset=utf-8',
      'x-ms-version': String(req.headers['x-ms-version'] ?? '2026-04-06'),
      ...(r.continuation ? { 'x-ms-continuation': r.continuation } : {}),
    },
    body: JSON.stringify({ paths }),
  };
}
