// ADLS Gen2 Path - List (GET https://ACCOUNT.dfs.core.windows.net/FILESYSTEM?resource=filesystem),
// the listing a hierarchical-namespace account answers in JSON: an entry is about 250 bytes and
// parses with JSON.parse, where List Blobs answers ~680 bytes of XML a blob that the Blob SDK turns
// into objects at ~0.13 ms a blob (a 50,000-blob lake: 6 s of one core, bench/README.md).
//
// The request goes through the Blob client's own core pipeline (the same credential policy — Shared
// Key, bearer token or the SAS in its URL —, the storage retry policy, and the request budget of
// budgetBlobClient), so a dfs listing is authenticated, retried and budgeted exactly as List Blobs
// is, and the storage account's one request budget covers both endpoints.
//
// Wire format (as the service sends it): `{"paths":[{"name","isDirectory":"true" (directories
// only),"contentLength":"123","lastModified":"<RFC 1123>","etag":"0x8D…",…}]}`, numbers and
// booleans as strings; the next page's token in the `x-ms-continuation` header; at most 5,000
// entries a page (`maxResults`), directories counted. Errors: `{"error":{"code","message"}}` and
// the `x-ms-error-code` header. `directory` must exist (404 PathNotFound otherwise).
import { createHttpHeaders, createPipelineRequest, type PipelineResponse } from '@azure/core-rest-pipeline';
import { z } from 'zod';

/** The storage service version sent (the one @azure/storage-blob 12.32 sends to the Blob endpoint). */
export const PATH_LIST_VERSION = '2026-04-06';
export const PATH_LIST_MAX_RESULTS = 5000;

const StringOrNumber = z.union([z.string().regex(/^\d+$/), z.number().int().nonnegative()]);
const PathEntry = z.object({
  name: z.string(),
  isDirectory: z.union([z.boolean(), z.enum(['true', 'false'])]).optional(),
  contentLength: StringOrNumber.optional(),
  lastModified: z.string().optional(),
  etag: z.string().optional(),
});
const PathListBody = z.object({ paths: z.array(PathEntry) });
const ErrorBody = z.object({
  error: z.object({ code: z.string().optional(), message: z.string().optional() }),
});

export interface DfsPath {
  name: string;
  isDirectory: boolean;
  size: number;
  lastModified?: Date;
  etag?: string;
}

export interface PathListPage {
  paths: DfsPath[];
  continuation?: string;
}

export interface PathListRequest {
  /** The filesystem's dfs URL (dfsUrlOf its Blob URL); its SAS query, if any, is kept. */
  dfsUrl: URL;
  /** A directory under the filesystem's root, without a trailing '/'; '' for the root. */
  directory: string;
  recursive: boolean;
  continuation?: string;
  maxResults?: number;
  signal?: AbortSignal;
}

/** What Path - List answered instead of a page: the status, Azure's error code and message. */
export class PathListError extends Error {
  override readonly name = 'PathListError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** The core pipeline's sender the Blob SDK keeps on every client (core-client ServiceClient). */
export interface PipelineSender {
  sendRequest(request: ReturnType<typeof createPipelineRequest>): Promise<PipelineResponse>;
}

/**
 * The dfs URL of a filesystem's Blob URL: the host's `blob` label becomes `dfs`
 * (`ACCOUNT.blob.core.windows.net`, `ACCOUNT.privatelink.blob.core.windows.net`, the sovereign
 * clouds' suffixes); an IP address or localhost (an emulator's `127.0.0.1:10000/ACCOUNT`) is kept,
 * as @azure/storage-file-datalake does: emulators serve both APIs on one endpoint. Undefined for
 * any other host (a custom domain), whose dfs endpoint cannot be told from it.
 */
export function dfsUrlOf(blobUrl: string): URL | undefined {
  const u = new URL(blobUrl);
  const host = u.hostname.toLowerCase();
  if (/^[^.]+(\.[^.]+)*\.blob\./.test(host)) {
    u.hostname = host.replace(/\.blob\./, '.dfs.');
    return u;
  }
  const ip = /^\d{1,3}(\.\d{1,3}){3}$/.test(host) || host.startsWith('[');
  return ip || host === 'localhost' || host.endsWith('.localhost') ? u : undefined;
}

/** Listings give ETags bare (`0x8D…`), header values quote them: compared bare. */
export const bareEtag = (etag: string) =>
  etag.length > 1 && etag.startsWith('"') && etag.endsWith('"') ? etag.slice(1, -1) : etag;

function toPath(e: z.infer<typeof PathEntry>): DfsPath {
  const p: DfsPath = {
    name: e.name,
    isDirectory: e.isDirectory === true || e.isDirectory === 'true',
    size: e.contentLength === undefined ? 0 : Number(e.contentLength),
  };
  if (e.lastModified) {
    const t = new Date(e.lastModified);
    if (!Number.isNaN(t.getTime())) p.lastModified = t;
  }
  if (e.etag) p.etag = bareEtag(e.etag);
  return p;
}

/** One page of Path - List. Throws PathListError for an error answer or a body that is not a page. */
export async function listPathsPage(sender: PipelineSender, req: PathListRequest): Promise<PathListPage> {
  const url = req.dfsUrl;
  // Percent-encoded (a space is %20, never '+': the Shared Key signature is computed over the
  // decoded value, and '+' would decode as a plus), as the storage SDKs send query values; the
  // continuation token must be URL-encoded too. A SAS already in the URL stays first.
  const params: [string, string | undefined][] = [
    ['resource', 'filesystem'],
    ['recursive', String(req.recursive)],
    ['directory', req.directory || undefined],
    [
      'maxResults',
      String(Math.min(PATH_LIST_MAX_RESULTS, Math.max(1, req.maxResults ?? PATH_LIST_MAX_RESULTS))),
    ],
    ['continuation', req.continuation],
  ];
  const query = params
    .filter((p): p is [string, string] => p[1] !== undefined)
    .map(([k, v]) => `${k}=${encodeURIComponent(v)}`)
    .join('&');
  const request = createPipelineRequest({
    url: `${url.origin}${url.pathname}${url.search ? `${url.search}&` : '?'}${query}`,
    method: 'GET',
    headers: createHttpHeaders({ 'x-ms-version': PATH_LIST_VERSION, accept: 'application/json' }),
    // As the Blob SDK's own requests: http:// for emulators (its bearer-token policy still refuses it).
    allowInsecureConnection: true,
    ...(req.signal ? { abortSignal: req.signal } : {}),
  });
  const res = await sender.sendRequest(request);
  const text = res.bodyAsText ?? '';
  const code = res.headers.get('x-ms-error-code') ?? '';
  if (res.status !== 200) {
    let message = '';
    let bodyCode = '';
    try {
      const e = ErrorBody.safeParse(JSON.parse(text));
      if (e.success) {
        message = e.data.error.message?.split('\n')[0] ?? '';
        bodyCode = e.data.error.code ?? '';
      }
    } catch {
      // not JSON: an endpoint that is not ADLS Gen2 (XML, HTML, empty)
    }
    throw new PathListError(res.status, code || bodyCode, message || `HTTP ${res.status}`);
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (err) {
    throw new PathListError(res.status, 'NotJson', 'Path - List answered 200 with a body that is not JSON', {
      cause: err,
    });
  }
  const parsed = PathListBody.safeParse(body);
  if (!parsed.success)
    throw new PathListError(
      res.status,
      'NotAPathList',
      `Path - List answered 200 without a list of paths: ${parsed.error.issues[0]?.message ?? ''}`,
    );
  const page: PathListPage = { paths: parsed.data.paths.map(toPath) };
  const next = res.headers.get('x-ms-continuation');
  if (next) page.continuation = next;
  return page;
}
