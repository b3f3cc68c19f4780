// S3 over REST/XML, path style (`/bucket/key`). Errors are S3 XML <Error> documents with the
// status S3 uses (404 NoSuchKey/NoSuchBucket, 403 AccessDenied, 503 SlowDown, ...).
import { randomBytes } from 'node:crypto';
import { SimError } from './sim-error.js';
import { SyntheticKeySpace } from './keyspace.js';
import { compareKeys, keyAfter } from './key-order.js';
import { listBucket, type Bucket, type ObjectView } from './s3-store.js';
import { el, S3_NS, XML_DECL, xmlTexts } from './xml.js';
import type { SimState } from './state.js';
import { handleMultipart, multipartOperation } from './s3-multipart.js';

export interface S3Request {
  method: string;
  bucket: string;
  key: string;
  query: URLSearchParams;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

export interface SimResponse {
  status: number;
  headers: Record<string, string>;
  body?: Buffer | string;
}

/** Split a path-style URL into bucket and key, decoding each. */
export function parseS3Path(rawPath: string): { bucket: string; key: string } {
  const path = rawPath.startsWith('/') ? rawPath.slice(1) : rawPath;
  const slash = path.indexOf('/');
  const rawBucket = slash < 0 ? path : path.slice(0, slash);
  const rawKey = slash < 0 ? '' : path.slice(slash + 1);
  try {
    return { bucket: decodeURIComponent(rawBucket), key: decodeURIComponent(rawKey) };
  } catch {
    throw new SimError('InvalidURI', "Couldn't parse the specified URI.", 400);
  }
}

/** The operation name the SDK would use for this request. */
export function s3Operation(
  method: string,
  bucket: string,
  key: string,
  query: URLSearchParams,
  headers: S3Request['headers'],
): string {
  if (!bucket) return method === 'GET' ? 'ListBuckets' : 'Unknown';
  if (!key) {
    if (method === 'GET') {
      if (query.get('list-type') === '2') return 'ListObjectsV2';
      if (query.has('location')) return 'GetBucketLocation';
      return 'ListObjects';
    }
    if (method === 'HEAD') return 'HeadBucket';
    if (method === 'PUT') return 'CreateBucket';
    if (method === 'POST' && query.has('delete')) return 'DeleteObjects';
    if (method === 'DELETE') return 'DeleteBucket';
    return 'Unknown';
  }
  if (method === 'GET') return 'GetObject';
  if (method === 'HEAD') return 'HeadObject';
  const multipart = multipartOperation(method, query, headers);
  if (multipart) return multipart;
  if (method === 'PUT') return headers['x-amz-copy-source'] ? 'CopyObject' : 'PutObject';
  if (method === 'DELETE') return 'DeleteObject';
  return 'Unknown';
}

export function renderS3Error(err: SimError, resource: string, requestId: string): SimResponse {
  const extra = Object.entries(err.extra)
    .map(([k, v]) => el(k, v))
    .join('');
  const body = `${XML_DECL}\n<Error>${el('Code', err.code)}${el('Message', err.message)}${extra}${el('Resource', resource)}${el('RequestId', requestId)}</Error>`;
  return { status: err.status, headers: { 'content-type': 'application/xml' }, body };
}

function header(req: S3Request, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function requireBucket(state: SimState, name: string): Bucket {
  const b = state.s3.bucket(name);
  if (!b)
    throw new SimError('NoSuchBucket', 'The specified bucket does not exist', 404, { BucketName: name });
  return b;
}

function requireObject(bucket: Bucket, key: string): ObjectView {
  const o = bucket.get(key);
  if (!o) throw new SimError('NoSuchKey', 'The specified key does not exist.', 404, { Key: key });
  return o;
}

const iso = (ms: number): string => new Date(ms).toISOString();
const httpDate = (ms: number): string => new Date(ms).toUTCString();

/** S3's `encoding-type=url`: percent-encode everything but unreserved characters and '/'. */
function urlEncodeKey(key: string): string {
  return encodeURIComponent(key)
    .replace(/%2F/g, '/')
    .replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());
}

function maxKeysOf(req: S3Request): number {
  const raw = req.query.get('max-keys');
  if (raw === null) return 1000;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0)
    throw new SimError('InvalidArgument', 'Provided max-keys not an integer or within integer range', 400);
  return Math.min(n, 1000);
}

function contentsXml(o: ObjectView, enc: (s: string) => string): string {
  return `<Contents>${el('Key', enc(o.key))}${el('LastModified', iso(o.lastModified))}${el('ETag', o.etag)}${el('Size', o.size)}${el('StorageClass', 'STANDARD')}</Contents>`;
}

function listObjectsV2(state: SimState, req: S3Request): SimResponse {
  const bucket = requireBucket(state, req.bucket);
  const prefix = req.query.get('prefix') ?? '';
  const delimiter = req.query.get('delimiter') || undefined;
  const encodingType = req.query.get('encoding-type');
  if (encodingType !== null && encodingType !== 'url')
    throw new SimError('InvalidArgument', 'Invalid Encoding Method specified in Request', 400);
  const enc = encodingType === 'url' ? urlEncodeKey : (s: string) => s;
  const maxKeys = maxKeysOf(req);
  const token = req.query.get('continuation-token');
  const startAfter = req.query.get('start-after') ?? undefined;
  let from: string | undefined;
  if (token !== null) {
    // The token is the (base64url) position to resume from; start-after is ignored with a token.
    if (token === '' || !/^[A-Za-z0-9_-]+$/.test(token))
      throw new SimError('InvalidArgument', 'The continuation token provided is incorrect', 400);
    from = Buffer.from(token, 'base64url').toString('utf8');
  } else if (startAfter) {
    from = keyAfter(startAfter);
  }
  const res = listBucket(bucket, {
    prefix,
    maxKeys,
    ...(delimiter ? { delimiter } : {}),
    ...(from !== undefined ? { from } : {}),
  });
  const keyCount = res.contents.length + res.commonPrefixes.length;
  const body =
    `${XML_DECL}\n<ListBucketResult xmlns="${S3_NS}">` +
    el('Name', bucket.name) +
    el('Prefix', enc(prefix)) +
    (delimiter ? el('Delimiter', enc(delimiter)) : '') +
    el('MaxKeys', maxKeys) +
    (encodingType ? el('EncodingType', encodingType) : '') +
    el('KeyCount', keyCount) +
    el('IsTruncated', res.next !== undefined) +
    (token !== null ? el('ContinuationToken', token) : '') +
    (res.next !== undefined ? el('NextContinuationToken', Buffer.from(res.next).toString('base64url')) : '') +
    (startAfter !== undefined ? el('StartAfter', enc(startAfter)) : '') +
    res.contents.map((o) => contentsXml(o, enc)).join('') +
    res.commonPrefixes.map((p) => `<CommonPrefixes>${el('Prefix', enc(p))}</CommonPrefixes>`).join('') +
    '</ListBucketResult>';
  return { status: 200, headers: { 'content-type': 'application/xml' }, body };
}

function listObjectsV1(state: SimState, req: S3Request): SimResponse {
  const bucket = requireBucket(state, req.bucket);
  const prefix = req.query.get('prefix') ?? '';
  const delimiter = req.query.get('delimiter') || undefined;
  const marker = req.query.get('marker') ?? undefined;
  const maxKeys = maxKeysOf(req);
  const res = listBucket(bucket, {
    prefix,
    maxKeys,
    ...(delimiter ? { delimiter } : {}),
    ...(marker ? { from: keyAfter(marker) } : {}),
  });
  const last = [...res.contents.map((c) => c.key), ...res.commonPrefixes].sort(compareKeys).pop();
  const body =
    `${XML_DECL}\n<ListBucketResult xmlns="${S3_NS}">` +
    el('Name', bucket.name) +
    el('Prefix', prefix) +
    el('Marker', marker ?? '') +
    (delimiter ? el('Delimiter', delimiter) : '') +
    el('MaxKeys', maxKeys) +
    el('IsTruncated', res.next !== undefined) +
    (res.next !== undefined && delimiter && last ? el('NextMarker', last) : '') +
    res.contents.map((o) => contentsXml(o, (s) => s)).join('') +
    res.commonPrefixes.map((p) => `<CommonPrefixes>${el('Prefix', p)}</CommonPrefixes>`).join('') +
    '</ListBucketResult>';
  return { status: 200, headers: { 'content-type': 'application/xml' }, body };
}

function objectHeaders(o: ObjectView): Record<string, string> {
  const h: Record<string, string> = {
    etag: o.etag,
    'last-modified': httpDate(o.lastModified),
    'content-type': o.contentType,
    'accept-ranges': 'bytes',
  };
  for (const [k, v] of Object.entries(o.metadata)) h[`x-amz-meta-${k}`] = v;
  return h;
}

function parseRange(range: string, size: number): { start: number; end: number } | undefined {
  const m = /^bytes=(\d*)-(\d*)$/.exec(range.trim());
  if (!m || (m[1] === '' && m[2] === '')) return undefined; // ignored, as S3 ignores malformed ranges
  let start: number;
  let end: number;
  if (m[1] === '') {
    const n = Number(m[2]);
    start = Math.max(0, size - n);
    end = size - 1;
  } else {
    start = Number(m[1]);
    end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  }
  if (start >= size || start > end) {
    throw new SimError('InvalidRange', 'The requested range is not satisfiable', 416, {
      RangeRequested: range,
      ActualObjectSize: String(size),
    });
  }
  return { start, end };
}

export function objectBytes(o: ObjectView, start: number, endExclusive: number): Buffer {
  return o.body
    ? o.body.subarray(start, endExclusive)
    : SyntheticKeySpace.content(o.contentKey ?? o.key, start, endExclusive);
}

function getObject(state: SimState, req: S3Request, head: boolean): SimResponse {
  const bucket = requireBucket(state, req.bucket);
  const o = requireObject(bucket, req.key);
  const headers = objectHeaders(o);
  const rangeHeader = header(req, 'range');
  const range = rangeHeader ? parseRange(rangeHeader, o.size) : undefined;
  if (range) {
    headers['content-range'] = `bytes ${range.start}-${range.end}/${o.size}`;
    headers['content-length'] = String(range.end - range.start + 1);
    return { status: 206, headers, ...(head ? {} : { body: objectBytes(o, range.start, range.end + 1) }) };
  }
  headers['content-length'] = String(o.size);
  return { status: 200, headers, ...(head ? {} : { body: objectBytes(o, 0, o.size) }) };
}

/** Decode `aws-chunked` bodies (the SDK's streaming uploads with trailing checksums). */
export function decodeAwsChunked(body: Buffer): Buffer {
  const parts: Buffer[] = [];
  let pos = 0;
  for (;;) {
    const eol = body.indexOf('\r\n', pos);
    if (eol < 0) break;
    const sizeHex = body.subarray(pos, eol).toString('latin1').split(';')[0]!.trim();
    const size = parseInt(sizeHex, 16);
    if (!Number.isFinite(size)) throw new SimError('IncompleteBody', 'Malformed aws-chunked body', 400);
    pos = eol + 2;
    if (size === 0) break;
    parts.push(body.subarray(pos, pos + size));
    pos += size + 2;
  }
  return Buffer.concat(parts);
}

function isChunked(req: S3Request): boolean {
  const enc = header(req, 'content-encoding') ?? '';
  const sha = header(req, 'x-amz-content-sha256') ?? '';
  return enc.split(',').some((e) => e.trim() === 'aws-chunked') || sha.startsWith('STREAMING-');
}

function metadataOf(req: S3Request): Record<string, string> {
  const meta: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) {
    if (k.startsWith('x-amz-meta-') && v !== undefined)
      meta[k.slice('x-amz-meta-'.length)] = Array.isArray(v) ? v.join(',') : v;
  }
  return meta;
}

function putObject(state: SimState, req: S3Request): SimResponse {
  const bucket = requireBucket(state, req.bucket);
  const body = isChunked(req) ? decodeAwsChunked(req.body) : req.body;
  const stored = bucket.put({
    key: req.key,
    body,
    lastModified: state.now(),
    contentType: header(req, 'content-type') ?? 'application/octet-stream',
    metadata: metadataOf(req),
  });
  return { status: 200, headers: { etag: stored.etag } };
}

/**
 * `x-amz-copy-source` is `[/]bucket/key[?versionId=…]`, URL-encoded by the caller. The version
 * suffix is split off before decoding, so an encoded '?' in a key stays part of the key.
 */
export function parseCopySource(raw: string): { bucket: string; key: string } {
  let s = raw.startsWith('/') ? raw.slice(1) : raw;
  const q = s.indexOf('?versionId=');
  if (q >= 0) s = s.slice(0, q);
  let decoded: string;
  try {
    decoded = decodeURIComponent(s);
  } catch {
    throw new SimError(
      'InvalidArgument',
      'Copy Source must mention the source bucket and key: sourcebucket/sourcekey',
      400,
    );
  }
  const slash = decoded.indexOf('/');
  if (slash <= 0 || slash === decoded.length - 1) {
    throw new SimError(
      'InvalidArgument',
      'Copy Source must mention the source bucket and key: sourcebucket/sourcekey',
      400,
    );
  }
  return { bucket: decoded.slice(0, slash), key: decoded.slice(slash + 1) };
}

function copyObject(state: SimState, req: S3Request): SimResponse {
  const dst = requireBucket(state, req.bucket);
  const src = parseCopySource(header(req, 'x-amz-copy-source')!);
  const srcBucket = requireBucket(state, src.bucket);
  const o = requireObject(srcBucket, src.key);
  if (o.size > 5 * 1024 ** 3) {
    throw new SimError(
      'InvalidRequest',
      'The specified copy source is larger than the maximum allowable size for a copy source: 5368709120',
      400,
    );
  }
  const replace = header(req, 'x-amz-metadata-directive') === 'REPLACE';
  if (src.bucket === req.bucket && src.key === req.key && !replace) {
    throw new SimError(
      'InvalidRequest',
      "This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes.",
      400,
    );
  }
  const now = state.now();
  const stored = dst.put({
    key: req.key,
    // Synthetic content is copied by reference (its key), not materialised.
    body: o.body ?? Buffer.alloc(0),
    ...(o.body ? {} : { virtual: { size: o.size, contentKey: o.contentKey ?? o.key } }),
    etag: o.etag,
    lastModified: now,
    contentType: replace ? (header(req, 'content-type') ?? 'application/octet-stream') : o.contentType,
    metadata: replace ? metadataOf(req) : o.metadata,
  });
  state.s3.copies.push({
    srcBucket: src.bucket,
    srcKey: src.key,
    dstBucket: req.bucket,
    dstKey: req.key,
    at: now,
  });
  const body = `${XML_DECL}\n<CopyObjectResult xmlns="${S3_NS}">${el('LastModified', iso(now))}${el('ETag', stored.etag)}</CopyObjectResult>`;
  return { status: 200, headers: { 'content-type': 'application/xml' }, body };
}

function deleteObjects(state: SimState, req: S3Request): SimResponse {
  const bucket = requireBucket(state, req.bucket);
  const doc = req.body.toString('utf8');
  if (!doc.includes('<Delete'))
    throw new SimError(
      'MalformedXML',
      'The XML you provided was not well-formed or did not validate against our published schema',
      400,
    );
  const keys = xmlTexts(doc, 'Key');
  if (keys.length > 1000)
    throw new SimError(
      'MalformedXML',
      'The XML you provided was not well-formed or did not validate against our published schema',
      400,
    );
  const quiet = xmlTexts(doc, 'Quiet')[0] === 'true';
  // S3 answers Deleted for keys that did not exist too.
  for (const k of keys) bucket.delete(k);
  const body =
    `${XML_DECL}\n<DeleteResult xmlns="${S3_NS}">` +
    (quiet ? '' : keys.map((k) => `<Deleted>${el('Key', k)}</Deleted>`).join('')) +
    '</DeleteResult>';
  return { status: 200, headers: { 'content-type': 'application/xml' }, body };
}

function listBuckets(state: SimState): SimResponse {
  const body =
    `${XML_DECL}\n<ListAllMyBucketsResult xmlns="${S3_NS}"><Owner><ID>sim</ID><DisplayName>sim</DisplayName></Owner><Buckets>` +
    [...state.s3.buckets.values()]
      .sort((a, b) => (a.name < b.name ? -1 : 1))
      .map((b) => `<Bucket>${el('Name', b.name)}${el('CreationDate', iso(b.createdAt))}</Bucket>`)
      .join('') +
    '</Buckets></ListAllMyBucketsResult>';
  return { status: 200, headers: { 'content-type': 'application/xml' }, body };
}

export function handleS3(state: SimState, operation: string, req: S3Request): SimResponse {
  switch (operation) {
    case 'ListBuckets':
      return listBuckets(state);
    case 'ListObjectsV2':
      return listObjectsV2(state, req);
    case 'ListObjects':
      return listObjectsV1(state, req);
    case 'GetBucketLocation':
      requireBucket(state, req.bucket);
      return {
        status: 200,
        headers: { 'content-type': 'application/xml' },
        body: `${XML_DECL}\n<LocationConstraint xmlns="${S3_NS}"/>`,
      };
    case 'HeadBucket':
      requireBucket(state, req.bucket);
      return { status: 200, headers: {} };
    case 'CreateBucket':
      if (state.s3.bucket(req.bucket)) {
        throw new SimError(
          'BucketAlreadyOwnedByYou',
          'Your previous request to create the named bucket succeeded and you already own it.',
          409,
          { BucketName: req.bucket },
        );
      }
      state.s3.createBucket(req.bucket, state.now());
      return { status: 200, headers: { location: `/${req.bucket}` } };
    case 'GetObject':
      return getObject(state, req, false);
    case 'HeadObject':
      return getObject(state, req, true);
    case 'PutObject':
      return putObject(state, req);
    case 'CopyObject':
      return copyObject(state, req);
    case 'DeleteObject':
      requireBucket(state, req.bucket).delete(req.key);
      return { status: 204, headers: {} };
    case 'DeleteObjects':
      return deleteObjects(state, req);
    case 'CreateMultipartUpload':
    case 'UploadPartCopy':
    case 'UploadPart':
    case 'CompleteMultipartUpload':
    case 'AbortMultipartUpload':
      return handleMultipart(state, operation, req);
    default:
      throw new SimError(
        'NotImplemented',
        `The simulator does not implement ${req.method} on this resource`,
        501,
      );
  }
}

export function newRequestId(): string {
  return randomBytes(8).toString('hex').toUpperCase();
}
