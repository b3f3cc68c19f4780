// Triage reads only what changed (issue 19): a lake partitioned by date changes only at its newest
// partitions, so the statistics of each top-level partition of a location (its small-file summary,
// its last key and its newest object) are kept in Redis from earlier triages, and a triage lists
// again only the partitions that are new or whose listing changed. A delimiter listing of the
// location gives the partitions; for each cached one, two one-key listings tell whether anything
// was added after its last key and whether its newest object is still the same. The merged summary
// is what one full scan would have said; the report names what came from the cache and how old.
//
//   <prefix>:partition-stats:<threshold>:<location>   hash: partition prefix → CachedPartition
import type { Redis } from 'ioredis';
import type { ObjectLocation, ObjectStore } from '../src/providers/ports.js';
import { formatLocation } from '../src/providers/object-uri.js';
import { compareKeys } from '../src/providers/key-order.js';
import { scanLocation, type ScanResult } from '../src/providers/scanner.js';
import { SmallFileAggregator } from '../src/domain/small-files.js';
import { parseSmallFileSummary, type SmallFileSummary } from '../src/domain/small-file-summary.js';
import { mergeSummaries } from '../src/domain/small-file-merge.js';

const CACHE_TTL_SEC = 180 * 86_400;
/** Partitions scanned at once; each scan gets a share of the location's listing concurrency. */
const PARTITIONS_AT_ONCE = 16;

interface CachedPartition {
  at: number;
  summary: SmallFileSummary;
  /** The greatest key (S3 order): a key added after it is new. */
  lastKey?: string;
  /** The newest object and its LastModified (ms). */
  newestKey?: string;
  newestMs?: number;
}

export interface PartitionCacheInfo {
  partitions: number;
  /** Partitions listed this time (new or changed). */
  relisted: number;
  /** Partitions whose statistics came from the cache. */
  fromCache: number;
  /** When the oldest statistics used were gathered (epoch ms). */
  oldestAt?: number;
}

export function partitionStatsKey(prefix: string, loc: ObjectLocation, thresholdBytes: number): string {
  return `${prefix}:partition-stats:${thresholdBytes}:${formatLocation(loc)}`;
}

/**
 * The location's scan from its partitions, each from the cache when unchanged; undefined when the
 * location has no sub-folders (nothing to cache by: the caller scans it whole).
 */
export async function scanWithPartitionCache(
  redis: Redis,
  keyPrefix: string,
  store: ObjectStore,
  loc: ObjectLocation,
  opts: { thresholdBytes: number; concurrency: number; now: () => number; signal?: AbortSignal },
): Promise<{ scan: ScanResult; cache: PartitionCacheInfo } | undefined> {
  const started = Date.now();
  let requests = 0;
  const base = loc.prefix === '' || loc.prefix.endsWith('/') ? loc.prefix : `${loc.prefix}/`;
  const partitions: string[] = [];
  const root = new SmallFileAggregator({ thresholdBytes: opts.thresholdBytes });
  let token: string | undefined;
  do {
    const page = await store.listPage({
      container: loc.container,
      prefix: base,
      delimiter: '/',
      ...(token ? { token } : {}),
      ...(opts.signal ? { signal: opts.signal } : {}),
    });
    requests++;
    partitions.push(...page.prefixes);
    for (const o of page.objects) root.add(o);
    token = page.nextToken;
  } while (token);
  if (partitions.length === 0) return undefined;

  const key = partitionStatsKey(keyPrefix, loc, opts.thresholdBytes);
  const stored = await redis.hgetall(key);
  const cached = new Map<string, CachedPartition>();
  for (const [p, raw] of Object.entries(stored)) {
    try {
      const c = JSON.parse(raw) as CachedPartition;
      const summary = parseSmallFileSummary(c.summary);
      if (summary && summary.thresholdBytes === opts.thresholdBytes) cached.set(p, { ...c, summary });
    } catch {
      // unreadable: listed again
    }
  }

  const list1 = async (prefix: string, startAfter?: string) => {
    requests++;
    return await store.listPage({
      container: loc.container,
      prefix,
      maxKeys: 1,
      ...(startAfter ? { startAfter } : {}),
      ...(opts.signal ? { signal: opts.signal } : {}),
    });
  };
  const unchanged = async (p: string, c: CachedPartition): Promise<boolean> => {
    const [after, newest] = await Promise.all([
      c.lastKey ? list1(p, c.lastKey) : Promise.resolve(undefined),
      c.newestKey ? list1(c.newestKey) : Promise.resolve(undefined),
    ]);
    if (after && after.objects.length > 0) return false;
    if (!c.newestKey) return c.summary.objects === 0;
    const o = newest?.objects[0];
    return o?.key === c.newestKey && o.lastModified?.getTime() === c.newestMs;
  };

  const parts: SmallFileSummary[] = [];
  const fresh: Record<string, string> = {};
  let fromCache = 0;
  let oldestAt: number | undefined;
  let throttled = 0;
  let retries = 0;
  let splits = 0;
  const perScan = Math.max(1, Math.floor(opts.concurrency / PARTITIONS_AT_ONCE));
  // The checks first, as wide as the listing concurrency allows (two requests each) …
  const stale: string[] = [];
  await pool(partitions, Math.max(1, Math.floor(opts.concurrency / 2)), async (p) => {
    const c = cached.get(p);
    if (c && (await unchanged(p, c))) {
      parts.push(c.summary);
      fromCache++;
      oldestAt = Math.min(oldestAt ?? Infinity, c.at);
    } else stale.push(p);
  });
  // … then the new and changed partitions, listed in full.
  await pool(stale, PARTITIONS_AT_ONCE, async (p) => {
    let lastKey: string | undefined;
    let newestKey: string | undefined;
    let newestMs = -Infinity;
    const at = opts.now();
    const scan = await scanLocation(
      store,
      { ...loc, prefix: p },
      {
        thresholdBytes: opts.thresholdBytes,
        concurrency: perScan,
        ...(opts.signal ? { signal: opts.signal } : {}),
        onObject: (o) => {
          if (lastKey === undefined || compareKeys(o.key, lastKey) > 0) lastKey = o.key;
          const t = o.lastModified?.getTime() ?? -Infinity;
          if (newestKey === undefined || t > newestMs) {
            newestKey = o.key;
            newestMs = t;
          }
        },
      },
    );
    requests += scan.requests;
    throttled += scan.throttledRequests;
    retries += scan.retries;
    splits += scan.splits;
    parts.push(scan.summary);
    const entry: CachedPartition = {
      at,
      summary: scan.summary,
      ...(lastKey !== undefined ? { lastKey } : {}),
      ...(newestKey !== undefined && Number.isFinite(newestMs) ? { newestKey, newestMs } : {}),
    };
    fresh[p] = JSON.stringify(entry);
  });
  parts.push(root.summary());

  const gone = [...cached.keys()].filter((p) => !partitions.includes(p));
  const tx = redis.multi();
  if (Object.keys(fresh).length > 0) tx.hset(key, fresh);
  if (gone.length > 0) tx.hdel(key, ...gone);
  tx.expire(key, CACHE_TTL_SEC);
  await tx.exec();

  const finished = Date.now();
  const scan: ScanResult = {
    source: 'listing',
    location: loc,
    summary: mergeSummaries(parts, opts.thresholdBytes),
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
      partitions: partitions.length,
      relisted: partitions.length - fromCache,
      fromCache,
      ...(oldestAt !== undefined ? { oldestAt } : {}),
    },
  };
}

async function pool<T>(items: readonly T[], size: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(size, items.length) }, async () => {
      while (next < items.length) await work(items[next++]!);
    }),
  );
}
