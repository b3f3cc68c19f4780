// In-memory S3: buckets holding real objects (PutObject/CopyObject) beside synthetic key spaces,
// merged in key order when listed. Deleting a synthetic key leaves a tombstone.
import { createHash } from 'node:crypto';
import { compareKeys, keyAfter, prefixEnd, maxKey } from './key-order.js';
import { SyntheticKeySpace, type SyntheticKeySpaceSpec, type VirtualObject } from './keyspace.js';

export interface StoredObject {
  key: string;
  body: Buffer;
  etag: string;
  lastModified: number;
  contentType: string;
  metadata: Record<string, string>;
  /**
   * A copy of synthetic content (CopyObject / UploadPartCopy of a synthetic object): its size and
   * the key whose generated content it holds; `body` is then empty. Keeps 5 GB copies cheap.
   */
  virtual?: { size: number; contentKey: string };
}

export interface ObjectView extends VirtualObject {
  /** Present for stored objects; synthetic content is generated on read. */
  body?: Buffer;
  contentType: string;
  metadata: Record<string, string>;
  synthetic: boolean;
  /** Key the generated content comes from, when it is not `key` (virtual copies). */
  contentKey?: string;
}

export interface CopyRecord {
  srcBucket: string;
  srcKey: string;
  dstBucket: string;
  dstKey: string;
  at: number;
}

export class Bucket {
  readonly name: string;
  readonly createdAt: number;
  /** Sorted keys of stored objects. */
  private keys: string[] = [];
  private objects = new Map<string, StoredObject>();
  readonly keyspaces: SyntheticKeySpace[] = [];
  private tombstones = new Set<string>();

  constructor(name: string, createdAt: number) {
    this.name = name;
    this.createdAt = createdAt;
  }

  addKeySpace(spec: SyntheticKeySpaceSpec): SyntheticKeySpace {
    const ks = new SyntheticKeySpace(spec);
    this.keyspaces.push(ks);
    return ks;
  }

  put(obj: Omit<StoredObject, 'etag'> & { etag?: string }): StoredObject {
    const stored: StoredObject = {
      ...obj,
      etag: obj.etag ?? `"${createHash('md5').update(obj.body).digest('hex')}"`,
    };
    if (!this.objects.has(obj.key)) {
      const i = lowerBound(this.keys, obj.key);
      this.keys.splice(i, 0, obj.key);
    }
    this.objects.set(obj.key, stored);
    this.tombstones.delete(obj.key);
    return stored;
  }

  get(key: string): ObjectView | undefined {
    const stored = this.objects.get(key);
    if (stored) {
      return {
        key,
        size: stored.virtual?.size ?? stored.body.length,
        lastModified: stored.lastModified,
        etag: stored.etag,
        ...(stored.virtual ? { contentKey: stored.virtual.contentKey } : { body: stored.body }),
        contentType: stored.contentType,
        metadata: stored.metadata,
        synthetic: false,
      };
    }
    if (this.tombstones.has(key)) return undefined;
    for (const ks of this.keyspaces) {
      const i = ks.indexOf(key);
      if (i >= 0)
        return { ...ks.objectAt(i), contentType: 'application/octet-stream', metadata: {}, synthetic: true };
    }
    return undefined;
  }

  /** Removes a key; true when it existed. */
  delete(key: string): boolean {
    let existed = false;
    if (this.objects.delete(key)) {
      this.keys.splice(lowerBound(this.keys, key), 1);
      existed = true;
    }
    if (!this.tombstones.has(key) && this.keyspaces.some((ks) => ks.indexOf(key) >= 0)) {
      this.tombstones.add(key);
      existed = true;
    }
    return existed;
  }

  /** Stored (non-synthetic) objects in key order. */
  storedObjects(): StoredObject[] {
    return this.keys.map((k) => this.objects.get(k)!);
  }

  /** Every key currently present (stored + synthetic − deleted). */
  get objectCount(): number {
    let n = this.keys.length;
    for (const ks of this.keyspaces) n += ks.total;
    // Overlaps of stored and synthetic keys and tombstones, counted once.
    for (const k of this.keys) if (this.keyspaces.some((ks) => ks.indexOf(k) >= 0)) n--;
    return n - this.tombstones.size;
  }

  /** A cursor over the merged key space positioned at the first key >= target. */
  cursor(target: string): MergedCursor {
    return new MergedCursor(this, target);
  }

  /** Internal for the cursor. */
  sortedStoredKeys(): string[] {
    return this.keys;
  }

  isTombstoned(key: string): boolean {
    return this.tombstones.has(key);
  }

  storedHas(key: string): boolean {
    return this.objects.has(key);
  }
}

function lowerBound(keys: string[], target: string): number {
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (compareKeys(keys[mid]!, target) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Walks stored keys and every synthetic key space together, in key order, without duplicates. */
export class MergedCursor {
  private readonly bucket: Bucket;
  private storedPos = 0;
  private synthPos: number[] = [];
  /** The current key once computed (null: not yet). */
  private cached: string | undefined | null = null;

  constructor(bucket: Bucket, target: string) {
    this.bucket = bucket;
    this.seek(target);
  }

  /** Position at the first key >= target. */
  seek(target: string): void {
    this.storedPos = lowerBound(this.bucket.sortedStoredKeys(), target);
    this.synthPos = this.bucket.keyspaces.map((ks) => ks.lowerBound(target));
    this.cached = null;
    this.skipTombstones();
  }

  /** The object at the current position (stored objects win over synthetic ones of the same key). */
  current(): ObjectView | undefined {
    const key = this.peek();
    if (key === undefined) return undefined;
    if (this.bucket.storedHas(key)) return this.bucket.get(key);
    const i = this.bucket.keyspaces.findIndex(
      (ks, n) => this.synthPos[n]! < ks.total && ks.keyAt(this.synthPos[n]!) === key,
    );
    const ks = this.bucket.keyspaces[i]!;
    return {
      ...ks.objectAt(this.synthPos[i]!),
      contentType: 'application/octet-stream',
      metadata: {},
      synthetic: true,
    };
  }

  /** The current key, or undefined at the end. */
  peek(): string | undefined {
    if (this.cached !== null) return this.cached;
    let best: string | undefined;
    const stored = this.bucket.sortedStoredKeys()[this.storedPos];
    if (stored !== undefined) best = stored;
    this.bucket.keyspaces.forEach((ks, i) => {
      const pos = this.synthPos[i]!;
      if (pos < ks.total) {
        const k = ks.keyAt(pos);
        if (best === undefined || compareKeys(k, best) < 0) best = k;
      }
    });
    this.cached = best;
    return best;
  }

  /** Move past the current key. */
  next(): void {
    const k = this.peek();
    if (k === undefined) return;
    if (this.bucket.sortedStoredKeys()[this.storedPos] === k) this.storedPos++;
    this.bucket.keyspaces.forEach((ks, i) => {
      const pos = this.synthPos[i]!;
      if (pos < ks.total && ks.keyAt(pos) === k) this.synthPos[i] = pos + 1;
    });
    this.cached = null;
    this.skipTombstones();
  }

  private skipTombstones(): void {
    for (;;) {
      const k = this.peek();
      if (k === undefined || this.bucket.storedHas(k) || !this.bucket.isTombstoned(k)) return;
      const after = keyAfter(k);
      this.storedPos = lowerBound(this.bucket.sortedStoredKeys(), after);
      this.synthPos = this.bucket.keyspaces.map((ks) => ks.lowerBound(after));
      this.cached = null;
    }
  }
}

export interface ListRequest {
  prefix: string;
  delimiter?: string;
  /** Resume from (inclusive) this position of the merged key space. */
  from?: string;
  maxKeys: number;
}

export interface ListResult {
  contents: ObjectView[];
  commonPrefixes: string[];
  /** Position to resume from when truncated. */
  next?: string;
}

/**
 * One ListObjectsV2 page. CommonPrefixes count against maxKeys as on AWS, and a rolled-up prefix
 * is skipped with one seek, so listing 100 partitions of a million keys costs 100 seeks.
 */
export function listBucket(bucket: Bucket, req: ListRequest): ListResult {
  const { prefix, delimiter } = req;
  const start = req.from !== undefined ? maxKey(req.from, prefix) : prefix;
  const cursor = bucket.cursor(start);
  const contents: ObjectView[] = [];
  const commonPrefixes: string[] = [];
  let count = 0;
  let resume: string | undefined;
  for (;;) {
    const key = cursor.peek();
    if (key === undefined || !key.startsWith(prefix)) {
      resume = undefined;
      break;
    }
    if (count >= req.maxKeys) {
      resume = key;
      break;
    }
    const d = delimiter ? key.indexOf(delimiter, prefix.length) : -1;
    if (delimiter && d >= 0) {
      const cp = key.slice(0, d + delimiter.length);
      commonPrefixes.push(cp);
      count++;
      cursor.seek(prefixEnd(cp));
      continue;
    }
    contents.push(cursor.current()!);
    count++;
    cursor.next();
  }
  return resume === undefined ? { contents, commonPrefixes } : { contents, commonPrefixes, next: resume };
}

export class S3Store {
  readonly buckets = new Map<string, Bucket>();
  readonly copies: CopyRecord[] = [];

  createBucket(name: string, createdAt = Date.now()): Bucket {
    let b = this.buckets.get(name);
    if (!b) {
      b = new Bucket(name, createdAt);
      this.buckets.set(name, b);
    }
    return b;
  }

  bucket(name: string): Bucket | undefined {
    return this.buckets.get(name);
  }

  /** Convenience for scenarios and tests: store an object (creating the bucket). */
  putObject(
    bucket: string,
    key: string,
    body: Buffer | string,
    opts: { lastModified?: number; contentType?: string; metadata?: Record<string, string> } = {},
  ): StoredObject {
    return this.createBucket(bucket).put({
      key,
      body: Buffer.isBuffer(body) ? body : Buffer.from(body),
      lastModified: opts.lastModified ?? Date.now(),
      contentType: opts.contentType ?? 'application/octet-stream',
      metadata: opts.metadata ?? {},
    });
  }

  addKeySpace(bucket: string, spec: SyntheticKeySpaceSpec): SyntheticKeySpace {
    return this.createBucket(bucket).addKeySpace(spec);
  }

  /** How many times a key was copied, as the source (default) or as the destination. */
  copyCount(bucket: string, key: string, as: 'source' | 'destination' = 'source'): number {
    return this.copies.filter((c) =>
      as === 'source'
        ? c.srcBucket === bucket && c.srcKey === key
        : c.dstBucket === bucket && c.dstKey === key,
    ).length;
  }

  /** Copies per source `bucket/key`. */
  copyCounts(as: 'source' | 'destination' = 'source'): Map<string, number> {
    const m = new Map<string, number>();
    for (const c of this.copies) {
      const k = as === 'source' ? `${c.srcBucket}/${c.srcKey}` : `${c.dstBucket}/${c.dstKey}`;
      m.set(k, (m.get(k) ?? 0) + 1);
    }
    return m;
  }

  clear(): void {
    this.buckets.clear();
    this.copies.length = 0;
  }
}
