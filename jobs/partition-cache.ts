// Triage reads only what changed (issue 19): a lake partitioned by date changes only at its newest
// partitions, so the statistics of each partition of a location (its small-file summary, its last
// keys and its newest object) are kept in Redis from earlier triages, and a triage lists again only
// the partitions that are new or whose listing changed.
//
// Partitions may be nested (`year=/month=/day=`, `dt=/hour=`): the location's folders are walked
// with delimiter listings, descending into sub-folders that are Hive partitions (`name=value`), up
// to MAX_DEPTH levels; the deepest folders are the cached partitions (the leaves). Every folder
// above the leaves is listed with the delimiter each time (one request each when it holds only
// folders), so a partition that appears or disappears at any level is seen. Each cached leaf is
// checked with one or two one-key listings: nothing added after its last key, and its newest object
// still the same (one listing when the newest object is also the last key). A leaf that changed is
// scanned again; a folder not in the cache is listed once with the delimiter, which for a small
// partition is its whole listing, and else is continued flat after that first page.
//
// Every request — delimiter listings, checks and the scans of changed partitions — goes through
// one limit of `concurrency` requests in flight, so the checks of all partitions run side by side
// instead of in rounds, and the SDK's own middleware (the request budget) sees each of them.
//
// On Azure Blob the checks use List Blobs' `startFrom` (inclusive; service version 2026-04-06):
// listing from a leaf's last key, at most two names, must give exactly that key, unchanged (its
// Last-Modified and Etag: Blob's Last-Modified has one-second precision, so an overwrite within
// the same second is seen by its Etag only), and the newest blob, when it is another, must have its
// Last-Modified and Etag too. A service that ignores startFrom (older service versions; Azurite
// 3.35) is seen by the first name it returns sorting before startFrom: that leaf is listed again
// (never called unchanged), and the account is remembered in Redis for a day
// (`<prefix>:blob-startfrom-ignored:<account>`), during which its locations are scanned whole.
//
// The merged summary is what one full scan would have said; the report names what came from the
// cache and how old. Not seen by the checks (S3 and Blob alike: a listing cannot ask for what
// changed in the middle of a key range): an object added to a cached partition whose key sorts
// before that partition's last key while an older object stays its newest, and a deleted object
// that was neither its last key nor its newest.
//
//   <prefix>:partition-stats:<threshold>:<location>   hash: folder prefix → CachedNode
import type { Redis } from 'ioredis';
import type {
  ListPage,
  ListPageRequest,
  ObjectInfo,
  ObjectLocation,
  ObjectStore,
} from '../src/providers/ports.js';
import { formatLocation } from '../src/providers/object-uri.js';
import { compareKeys } from '../src/providers/key-order.js';
import { scanLocation, type ScanResult } from '../src/providers/scanner.js';
import { SmallFileAggregator } from '../src/domain/small-files.js';
import { parseSmallFileSummary, type SmallFileSummary } from '../src/domain/small-file-summary.js';
import { mergeSummaries } from '../src/domain/small-file-merge.js';
import { serialized } from '../src/store/redis-lock.js';

const CACHE_TTL_SEC = 180 * 86_400;
/** A scan holds its location's lock this long past its last sign of life. */
const SCAN_LOCK_MS = 30_000;
/** Past this, a scan waiting for another one of the same location goes on without it. */
const SCAN_WAIT_MS = 120_000;
/** Folder levels under the location walked to find partitions (year/month/day/hour). */
export const MAX_DEPTH = 4;
/** Listing requests one changed partition's scan keeps in flight (all share the overall limit). */
const PER_SCAN = 8;
/** A sub-folder worth descending into: a Hive partition segment. */
const HIVE_FOLDER = /^[A-Za-z_][A-Za-z0-9_.-]*=[^/]*\/$/;

/** A cached leaf partition. */
interface CachedLeaf {
  at: number;
  summary: SmallFileSummary;
  /** The greatest key (S3 order): a key added after it is new. */
  lastKey?: string;
  /** The key just before the last one: listing after it shows the last key and anything added. */
  prevKey?: string;
  /** The newest object (the greatest key among equally new ones) and its LastModified (ms). */
  newestKey?: string;
  newestMs?: number;
  /** ETags of the newest object and of the last key, when the store lists them. */
  newestEtag?: string;
  lastEtag?: string;
}

/** A folder above the partitions: listed with the delimiter every time, nothing else kept. */
interface CachedFolder {
  at: number;
  folder: true;
}

type CachedNode = CachedLeaf | CachedFolder;

export interface PartitionCacheInfo {
  /** Leaf partitions (the deepest partition folders). */
  partitions: number;
  /** Partitions listed this time (new or changed). */
  relisted: number;
  /** Partitions whose statistics came from the cache. */
  fromCache: number;
  /** When the oldest statistics used were gathered (epoch ms). */
  oldestAt?: number;
  /** How long this scan waited for another scan of the same location to finish (ms). */
  waitedMs?: number;
}

/** Set (for a day) when an account's Blob service was seen ignoring startFrom. */
export function startFromIgnoredKey(prefix: string, account: string): string {
  return `${prefix}:blob-startfrom-ignored:${account}`;
}
const IGNORED_TTL_SEC = 86_400;

/** The object as it was cached: same LastModified, and same ETag when one was kept. */
function same(o: ObjectInfo | undefined, ms: number, etag: string | undefined): boolean {
  return o !== undefined && o.lastModified?.getTime() === ms && (etag === undefined || o.etag === etag);
}

export function partitionStatsKey(prefix: string, loc: ObjectLocation, thresholdBytes: number): string {
  return `${prefix}:partition-stats:${thresholdBytes}:${formatLocation(loc)}`;
}

/** Tracks what a leaf's checks need while its objects stream by. */
class LeafKeys {
  lastKey: string | undefined;
  prevKey: string | undefined;
  newestKey: string | undefined;
  newestMs = -Infinity;
  newestEtag: string | undefined;
  lastEtag: string | undefined;

  add(o: ObjectInfo): void {
    if (this.lastKey === undefined || compareKeys(o.key, this.lastKey) > 0) {
      this.prevKey = this.lastKey;
      this.lastKey = o.key;
      this.lastEtag = o.etag;
    } else if (
      o.key !== this.lastKey &&
      (this.prevKey === undefined || compareKeys(o.key, this.prevKey) > 0)
    ) {
      this.prevKey = o.key;
    }
    const t = o.lastModified?.getTime() ?? -Infinity;
    if (
      this.newestKey === undefined ||
      t > this.newestMs ||
      (t === this.newestMs && compareKeys(o.key, this.newestKey) > 0)
    ) {
      this.newestKey = o.key;
      this.newestMs = t;
      this.newestEtag = o.etag;
    }
  }

  entry(at: number, summary: SmallFileSummary): CachedLeaf {
    return {
      at,
      summary,
      ...(this.lastKey !== undefined ? { lastKey: this.lastKey } : {}),
      ...(this.prevKey !== undefined ? { prevKey: this.prevKey } : {}),
      ...(this.newestKey !== undefined && Number.isFinite(this.newestMs)
        ? { newestKey: this.newestKey, newestMs: this.newestMs }
        : {}),
      ...(this.newestEtag !== undefined ? { newestEtag: this.newestEtag } : {}),
      ...(this.lastEtag !== undefined ? { lastEtag: this.lastEtag } : {}),
    };
  }
}

/** At most `size` calls of `fn` running at once, the others waiting in order. */
function limiter(size: number) {
  let running = 0;
  const waiting: (() => void)[] = [];
  return async <T>(fn: () => Promise<T>): Promise<T> => {
    if (running >= size) await new Promise<void>((r) => waiting.push(r));
    running++;
    try {
      return await fn();
    } finally {
      running--;
      waiting.shift()?.();
    }
  };
}

function readCache(stored: Record<string, string>, thresholdBytes: number): Map<string, CachedNode> {
  const cached = new Map<string, CachedNode>();
  for (const [p, raw] of Object.entries(stored)) {
    try {
      const c = JSON.parse(raw) as CachedNode;
      if ('folder' in c) {
        if (c.folder === true) cached.set(p, c);
        continue;
      }
      const summary = parseSmallFileSummary(c.summary);
      if (summary && summary.thresholdBytes === thresholdBytes) cached.set(p, { ...c, summary });
    } catch {
      // unreadable: listed again
    }
  }
  return cached;
}

/**
 * The location's scan from its partitions, each from the cache when unchanged; undefined when the
 * location has no sub-folders (nothing to cache by) or is not in S3: the caller scans it whole.
 */
export async function scanWithPartitionCache(
  redis: Redis,
  keyPrefix: string,
  store: ObjectStore,
  loc: ObjectLocation,
  opts: ScanOptions,
): Promise<{ scan: ScanResult; cache: PartitionCacheInfo } | undefined> {
  // One scan of a location at a time (a triage right after an alert's prewarm, two people
  // triaging one job): the second waits for the first, then finds the partitions it stored.
  const lockKey = `${keyPrefix}:partition-scan:${opts.thresholdBytes}:${formatLocation(loc)}`;
  const { value, waitedMs } = await serialized(
    redis,
    lockKey,
    () => scanPartitions(redis, keyPrefix, store, loc, opts),
    {
      ttlMs: SCAN_LOCK_MS,
      maxWaitMs: opts.maxWaitMs ?? SCAN_WAIT_MS,
      ...(opts.signal ? { signal: opts.signal } : {}),
    },
  );
  if (value && waitedMs >= 100) value.cache.waitedMs = waitedMs;
  return value;
}

interface ScanOptions {
  thresholdBytes: number;
  concurrency: number;
  now: () => number;
  signal?: AbortSignal;
  /** How long to wait for another scan of the location in flight (default 2 min). */
  maxWaitMs?: number;
}

async function scanPartitions(
  redis: Redis,
  keyPrefix: string,
  store: ObjectStore,
  loc: ObjectLocation,
  opts: ScanOptions,
): Promise<{ scan: ScanResult; cache: PartitionCacheInfo } | undefined> {
  // The checks list from a key: S3 StartAfter, Blob startFrom. On a Blob service seen ignoring
  // startFrom, a check would cost as many requests as a listing: its locations are scanned whole.
  const blob = store.scheme === 'azure-blob';
  if (!blob && store.scheme !== 's3') return undefined;
  const ignoredKey = startFromIgnoredKey(keyPrefix, loc.account ?? '');
  if (blob && (await redis.exists(ignoredKey))) return undefined;
  let startFromIgnored = false;
  const started = Date.now();
  const { thresholdBytes, signal } = opts;
  const limit = limiter(Math.max(1, opts.concurrency));
  let requests = 0;
  // Every request of this scan, the partition scans' included, through the one limit.
  const limited: ObjectStore = Object.assign(Object.create(store) as ObjectStore, {
    listPage: (req: ListPageRequest) =>
      limit(async () => {
        requests++;
        const page = await store.listPage(req);
        // Attempts the SDK repeated on its own are billed too (S3ListPage.retries).
        requests += (page as { retries?: number }).retries ?? 0;
        return page;
      }),
  });
  const list = (req: Omit<ListPageRequest, 'container' | 'signal'>): Promise<ListPage> =>
    limited.listPage({ ...req, container: loc.container, ...(signal ? { signal } : {}) });

  const base = loc.prefix === '' || loc.prefix.endsWith('/') ? loc.prefix : `${loc.prefix}/`;
  // Objects of the location and of the folders above the partitions (never cached: listed anyway).
  const loose = new SmallFileAggregator({ thresholdBytes });
  const key = partitionStatsKey(keyPrefix, loc, thresholdBytes);
  const [rootPages, stored] = await Promise.all([listFolder(base), redis.hgetall(key)]);
  if (rootPages.prefixes.length === 0) return undefined;
  for (const o of rootPages.objects) loose.add(o);
  const cached = readCache(stored, thresholdBytes);

  const parts: SmallFileSummary[] = [];
  const fresh: Record<string, string> = {};
  const seen = new Set<string>();
  let leaves = 0;
  let fromCache = 0;
  let oldestAt: number | undefined;
  let throttled = 0;
  let retries = 0;
  let splits = 0;

  /** Every page of a folder's delimiter listing (the folders above the partitions hold few objects). */
  async function listFolder(
    prefix: string,
    first?: ListPage,
  ): Promise<{ objects: ObjectInfo[]; prefixes: string[] }> {
    const objects: ObjectInfo[] = [];
    const prefixes: string[] = [];
    let page = first ?? (await list({ prefix, delimiter: '/' }));
    for (;;) {
      objects.push(...page.objects);
      prefixes.push(...page.prefixes);
      if (!page.nextToken) return { objects, prefixes };
      page = await list({ prefix, delimiter: '/', token: page.nextToken });
    }
  }

  /** Blob: from the last key (inclusive), exactly it, unchanged; and the newest blob unchanged. */
  async function unchangedBlob(
    p: string,
    c: CachedLeaf & { lastKey: string; newestKey: string; newestMs: number },
  ) {
    const newestToo = c.newestKey !== c.lastKey;
    const [tail, newest] = await Promise.all([
      list({ prefix: p, startFrom: c.lastKey, maxKeys: 2 }),
      newestToo ? list({ prefix: c.newestKey, maxKeys: 1 }) : undefined,
    ]);
    if (tail.startFromIgnored) {
      startFromIgnored = true;
      return false;
    }
    const [last, more] = tail.objects;
    if (last?.key !== c.lastKey || more !== undefined || tail.nextToken) return false;
    if (!newestToo) return same(last, c.newestMs, c.newestEtag);
    if (c.lastEtag !== undefined && last.etag !== c.lastEtag) return false;
    return same(
      newest?.objects.find((x) => x.key === c.newestKey),
      c.newestMs,
      c.newestEtag,
    );
  }

  async function unchanged(p: string, c: CachedLeaf): Promise<boolean> {
    if (!c.lastKey || !c.newestKey || c.newestMs === undefined) return false;
    if (blob)
      return unchangedBlob(p, { ...c, lastKey: c.lastKey, newestKey: c.newestKey, newestMs: c.newestMs });
    if (c.newestKey === c.lastKey && (c.prevKey !== undefined || c.summary.objects === 1)) {
      // One listing: after the key before the last, exactly the last key, as new as it was.
      const page = await list({
        prefix: p,
        ...(c.prevKey !== undefined ? { startAfter: c.prevKey } : {}),
        maxKeys: 2,
      });
      const [last, more] = page.objects;
      return (
        last?.key === c.lastKey &&
        same(last, c.newestMs, c.newestEtag) &&
        more === undefined &&
        !page.nextToken
      );
    }
    const [after, newest] = await Promise.all([
      list({ prefix: p, startAfter: c.lastKey, maxKeys: 1 }),
      list({ prefix: c.newestKey, maxKeys: 1 }),
    ]);
    if (after.objects.length > 0 || after.nextToken) return false;
    return same(
      newest.objects.find((x) => x.key === c.newestKey),
      c.newestMs,
      c.newestEtag,
    );
  }

  function recordScan(p: string, keys: LeafKeys, at: number, scan: ScanResult): void {
    throttled += scan.throttledRequests;
    retries += scan.retries;
    splits += scan.splits;
    parts.push(scan.summary);
    fresh[p] = JSON.stringify(keys.entry(at, scan.summary));
  }

  /** A leaf listed in full: `resume` continues a first delimiter page that held only objects. */
  async function scanLeaf(
    p: string,
    resume?: { startAfter: string; listed: ObjectInfo[] } | { token: string; listed: ObjectInfo[] },
  ): Promise<void> {
    const keys = new LeafKeys();
    const at = opts.now();
    const scan = await scanLocation(
      limited,
      { ...loc, prefix: p },
      {
        thresholdBytes,
        concurrency: PER_SCAN,
        ...(signal ? { signal } : {}),
        ...(resume ? { resume } : {}),
        onObject: (o) => keys.add(o),
      },
    );
    recordScan(p, keys, at, scan);
  }

  /** One folder under the location, `depth` levels down (1: the location's own sub-folders). */
  async function visit(p: string, depth: number): Promise<void> {
    seen.add(p);
    const c = cached.get(p);
    if (c && !('folder' in c)) {
      leaves++;
      if (await unchanged(p, c)) {
        parts.push(c.summary);
        fromCache++;
        oldestAt = Math.min(oldestAt ?? Infinity, c.at);
        return;
      }
      await scanLeaf(p);
      return;
    }
    const at = opts.now();
    const first = await list({ prefix: p, delimiter: '/' });
    const descend =
      first.prefixes.length > 0 &&
      depth < MAX_DEPTH &&
      first.prefixes.every((x) => HIVE_FOLDER.test(x.slice(p.length)));
    if (descend) {
      const folder = await listFolder(p, first);
      for (const o of folder.objects) loose.add(o);
      fresh[p] = JSON.stringify({ at, folder: true } satisfies CachedFolder);
      await Promise.all(folder.prefixes.map((child) => visit(child, depth + 1)));
      return;
    }
    leaves++;
    if (first.prefixes.length === 0 && !first.nextToken) {
      // The whole partition in one page.
      const keys = new LeafKeys();
      const agg = new SmallFileAggregator({ thresholdBytes });
      for (const o of first.objects) {
        agg.add(o);
        keys.add(o);
      }
      const summary = agg.summary();
      parts.push(summary);
      fresh[p] = JSON.stringify(keys.entry(at, summary));
      return;
    }
    const last = first.objects[first.objects.length - 1];
    if (first.prefixes.length === 0 && first.tokenOnly && first.nextToken) {
      // A Path - List page: continued by its token (its order is not List Blobs' key order).
      await scanLeaf(p, { token: first.nextToken, listed: first.objects });
      return;
    }
    if (first.prefixes.length === 0 && last) {
      // A page of objects only: every key up to its last one is read; list flat after it.
      await scanLeaf(p, { startAfter: last.key, listed: first.objects });
      return;
    }
    await scanLeaf(p);
  }

  await Promise.all(rootPages.prefixes.map((p) => visit(p, 1)));
  parts.push(loose.summary());

  const gone = [...cached.keys()].filter((p) => !seen.has(p));
  const tx = redis.multi();
  if (Object.keys(fresh).length > 0) tx.hset(key, fresh);
  if (gone.length > 0) tx.hdel(key, ...gone);
  tx.expire(key, CACHE_TTL_SEC);
  if (startFromIgnored) tx.set(ignoredKey, '1', 'EX', IGNORED_TTL_SEC);
  await tx.exec();

  const finished = Date.now();
  const scan: ScanResult = {
    source: 'listing',
    location: loc,
    summary: mergeSummaries(parts, thresholdBytes),
    requests,
    throttledRequests: throttled,
    retries,
    slowed: throttled > 0 || retries > 0,
    durationMs: finished - started,
    startedAt: new Date(started).toISOString(),
    finishedAt: new Date(finished).toISOString(),
    splits,
  };
  return {
    scan,
    cache: {
      partitions: leaves,
      relisted: leaves - fromCache,
      fromCache,
      ...(oldestAt !== undefined ? { oldestAt } : {}),
    },
  };
}
