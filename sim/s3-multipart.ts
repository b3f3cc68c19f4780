// S3 multipart uploads, enough for server-side copies of objects over CopyObject's 5 GB limit:
// CreateMultipartUpload, UploadPartCopy (x-amz-copy-source-range), UploadPart,
// CompleteMultipartUpload, AbortMultipartUpload. Parts that are ranges of synthetic content stay
// references (nothing is materialised), so a 6 GB copy costs nothing; a completed upload whose
// parts tile one source's content is stored as a virtual copy of it. Each completed upload that
// copied from a source is recorded once in `state.s3.copies`, like a CopyObject.
import { createHash, randomBytes } from 'node:crypto';
import { SimError } from './sim-error.js';
import { objectBytes, parseCopySource, type S3Request, type SimResponse } from './s3.js';
import { el, S3_NS, XML_DECL, xmlTexts } from './xml.js';
import type { SimState } from './state.js';

export const MAX_PART_BYTES = 5 * 1024 ** 3;
export const MIN_PART_BYTES = 5 * 1024 ** 2;

interface Part {
  etag: string;
  size: number;
  /** Real bytes, or a range of a content key (synthetic / virtual source). */
  body?: Buffer;
  ref?: { contentKey: string; start: number; end: number };
  source?: { bucket: string; key: string };
}

interface Upload {
  bucket: string;
  key: string;
  parts: Map<number, Part>;
  contentType: string;
}

/** Open uploads by id; cleared with the state (see LakeStore). */
export class MultipartStore {
  readonly uploads = new Map<string, Upload>();
  /** Every upload id ever aborted (tests assert clean-ups). */
  readonly aborted: string[] = [];
  clear(): void {
    this.uploads.clear();
    this.aborted.length = 0;
  }
}

function header(req: S3Request, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** The multipart operation a request is, if any. */
export function multipartOperation(
  method: string,
  query: URLSearchParams,
  headers: S3Request['headers'],
): string | undefined {
  if (method === 'POST' && query.has('uploads')) return 'CreateMultipartUpload';
  if (method === 'POST' && query.has('uploadId')) return 'CompleteMultipartUpload';
  if (method === 'PUT' && query.has('uploadId') && query.has('partNumber'))
    return headers['x-amz-copy-source'] ? 'UploadPartCopy' : 'UploadPart';
  if (method === 'DELETE' && query.has('uploadId')) return 'AbortMultipartUpload';
  return undefined;
}

const xml = (body: string): SimResponse => ({
  status: 200,
  headers: { 'content-type': 'application/xml' },
  body: `${XML_DECL}\n${body}`,
});

function upload(state: SimState, req: S3Request): Upload {
  const id = req.query.get('uploadId') ?? '';
  const u = state.lake.multipart.uploads.get(id);
  if (!u || u.bucket !== req.bucket || u.key !== req.key)
    throw new SimError(
      'NoSuchUpload',
      'The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.',
      404,
      { UploadId: id },
    );
  return u;
}

function partNumber(req: S3Request): number {
  const n = Number(req.query.get('partNumber'));
  if (!Number.isInteger(n) || n < 1 || n > 10_000)
    throw new SimError(
      'InvalidArgument',
      'Part number must be an integer between 1 and 10000, inclusive',
      400,
    );
  return n;
}

function md5(s: Buffer | string): string {
  return createHash('md5').update(s).digest('hex');
}

export function handleMultipart(state: SimState, operation: string, req: S3Request): SimResponse {
  const store = state.lake.multipart;
  switch (operation) {
    case 'CreateMultipartUpload': {
      if (!state.s3.bucket(req.bucket))
        throw new SimError('NoSuchBucket', 'The specified bucket does not exist', 404, {
          BucketName: req.bucket,
        });
      const id = randomBytes(16).toString('base64url');
      store.uploads.set(id, {
        bucket: req.bucket,
        key: req.key,
        parts: new Map(),
        contentType: header(req, 'content-type') ?? 'application/octet-stream',
      });
      return xml(
        `<InitiateMultipartUploadResult xmlns="${S3_NS}">${el('Bucket', req.bucket)}${el('Key', req.key)}${el('UploadId', id)}</InitiateMultipartUploadResult>`,
      );
    }
    case 'UploadPartCopy': {
      const u = upload(state, req);
      const n = partNumber(req);
      const src = parseCopySource(header(req, 'x-amz-copy-source')!);
      const o = state.s3.bucket(src.bucket)?.get(src.key);
      if (!o) throw new SimError('NoSuchKey', 'The specified key does not exist.', 404, { Key: src.key });
      let start = 0;
      let end = o.size - 1;
      const range = header(req, 'x-amz-copy-source-range');
      if (range) {
        const m = /^bytes=(\d+)-(\d+)$/.exec(range.trim());
        if (!m || Number(m[1]) > Number(m[2]) || Number(m[2]) >= o.size)
          throw new SimError('InvalidRange', 'The requested range is not satisfiable', 416, {
            RangeRequested: range,
            ActualObjectSize: String(o.size),
          });
        start = Number(m[1]);
        end = Number(m[2]);
      }
      const size = end - start + 1;
      if (size > MAX_PART_BYTES)
        throw new SimError('InvalidRequest', 'The specified copy range is larger than 5 GB', 400);
      const part: Part = o.body
        ? { body: o.body.subarray(start, end + 1), size, etag: '', source: src }
        : { ref: { contentKey: o.contentKey ?? o.key, start, end: end + 1 }, size, etag: '', source: src };
      part.etag = `"${part.body ? md5(part.body) : md5(`${part.ref!.contentKey}:${start}-${end}`)}"`;
      u.parts.set(n, part);
      return xml(
        `<CopyPartResult xmlns="${S3_NS}">${el('LastModified', new Date(state.now()).toISOString())}${el('ETag', part.etag)}</CopyPartResult>`,
      );
    }
    case 'UploadPart': {
      const u = upload(state, req);
      const n = partNumber(req);
      const etag = `"${md5(req.body)}"`;
      u.parts.set(n, { body: req.body, size: req.body.length, etag });
      return { status: 200, headers: { etag } };
    }
    case 'CompleteMultipartUpload': {
      const u = upload(state, req);
      const doc = req.body.toString('utf8');
      const numbers = xmlTexts(doc, 'PartNumber').map(Number);
      const etags = xmlTexts(doc, 'ETag').map((e) => e.replace(/&quot;/g, '"'));
      if (!numbers.length)
        throw new SimError(
          'MalformedXML',
          'The XML you provided was not well-formed or did not validate against our published schema',
          400,
        );
      const parts: Part[] = [];
      numbers.forEach((n, i) => {
        const p = u.parts.get(n);
        const want = etags[i]?.replace(/"/g, '');
        if (!p || (want !== undefined && p.etag.replace(/"/g, '') !== want))
          throw new SimError('InvalidPart', 'One or more of the specified parts could not be found.', 400);
        if (i > 0 && numbers[i - 1]! >= n)
          throw new SimError('InvalidPartOrder', 'The list of parts was not in ascending order.', 400);
        parts.push(p);
      });
      parts.slice(0, -1).forEach((p) => {
        if (p.size < MIN_PART_BYTES)
          throw new SimError(
            'EntityTooSmall',
            'Your proposed upload is smaller than the minimum allowed size',
            400,
          );
      });
      const etag = `"${md5(Buffer.concat(parts.map((p) => Buffer.from(p.etag.replace(/"/g, ''), 'hex'))))}-${parts.length}"`;
      const size = parts.reduce((s, p) => s + p.size, 0);
      // Parts tiling one content key from 0 → a virtual copy; otherwise real bytes.
      const key0 = parts[0]!.ref?.contentKey;
      let pos = 0;
      const tiles =
        key0 !== undefined &&
        parts.every((p) => {
          const ok = p.ref?.contentKey === key0 && p.ref.start === pos;
          pos = p.ref ? p.ref.end : pos;
          return ok;
        });
      const bucket = state.s3.bucket(u.bucket)!;
      const now = state.now();
      bucket.put({
        key: u.key,
        body: tiles
          ? Buffer.alloc(0)
          : Buffer.concat(
              parts.map(
                (p) =>
                  p.body ??
                  objectBytes(
                    {
                      key: p.ref!.contentKey,
                      size: p.ref!.end,
                      etag: '',
                      lastModified: 0,
                      contentType: '',
                      metadata: {},
                      synthetic: true,
                    },
                    p.ref!.start,
                    p.ref!.end,
                  ),
              ),
            ),
        ...(tiles ? { virtual: { size, contentKey: key0 } } : {}),
        etag,
        lastModified: now,
        contentType: u.contentType,
        metadata: {},
      });
      const sources = new Map<string, { bucket: string; key: string }>();
      for (const p of parts) if (p.source) sources.set(`${p.source.bucket}/${p.source.key}`, p.source);
      for (const s of sources.values())
        state.s3.copies.push({
          srcBucket: s.bucket,
          srcKey: s.key,
          dstBucket: u.bucket,
          dstKey: u.key,
          at: now,
        });
      store.uploads.delete(req.query.get('uploadId')!);
      return xml(
        `<CompleteMultipartUploadResult xmlns="${S3_NS}">${el('Location', `/${u.bucket}/${u.key}`)}${el('Bucket', u.bucket)}${el('Key', u.key)}${el('ETag', etag)}</CompleteMultipartUploadResult>`,
      );
    }
    case 'AbortMultipartUpload': {
      const id = req.query.get('uploadId') ?? '';
      if (!store.uploads.delete(id))
        throw new SimError('NoSuchUpload', 'The specified upload does not exist.', 404, { UploadId: id });
      store.aborted.push(id);
      return { status: 204, headers: {} };
    }
    default:
      throw new SimError('NotImplemented', `The simulator does not implement ${operation}`, 501);
  }
}
