// One small-file scan, independent of Slack: the location (by listing in parallel, or from its S3
// Inventory when configured), the comparison with the previous scan of the same location (its
// baseline, kept in Redis) and of the newest date partitions with the earlier ones, an optional
// second location, the compaction recommendation and the cost of the scan itself.
import type { Redis } from 'ioredis';
import type { AppConfig } from '../src/config/index.js';
import type { ObjectLocation, Providers } from '../src/providers/ports.js';
import { formatLocation, parseObjectUri } from '../src/providers/object-uri.js';
import { scanLocation, type ScanProgress, type ScanResult } from '../src/providers/scanner.js';
import { scanWithPartitionCache, type PartitionCacheInfo } from './partition-cache.js';

import type { SmallFileSummary } from '../src/domain/small-file-summary.js';
import {
  compareLocations,
  compareNewestPartitions,
  compareScans,
  listingCost,
  recommendCompaction,
  type CompactionRecommendation,
  type ListingCost,
  type PartitionTrend,
  type ScanComparison,
} from '../src/domain/small-file-compare.js';

export interface SmallFilesRequest {
  uri: string;
  thresholdBytes?: number;
  compareUri?: string;
  /** Take unchanged partitions' statistics from earlier scans (jobs/partition-cache.ts): triage. */
  partitionCache?: boolean;
}

export interface SmallFilesResult {
  location: string;
  scan: ScanResult;
  /** The previous scan of this location, when one was kept. */
  previous?: { at: number; comparison: ScanComparison };
  trend?: PartitionTrend;
  compare?: { location: string; scan: ScanResult; comparison: ScanComparison };
  recommendation: CompactionRecommendation;
  cost: ListingCost;
  /** Set when the partition cache was used: what came from it and how old. */
  partitionCache?: PartitionCacheInfo;
}

export interface SmallFilesDeps {
  config: AppConfig;
  providers: Providers;
  /** Where scan baselines are kept; without it (CLI without Redis) there is no previous scan. */
  state?: Redis;
  now?: () => number;
}

const BASELINE_TTL_SEC = 180 * 86_400;

function baselineKey(config: AppConfig, loc: ObjectLocation, thresholdBytes: number): string {
  return `${config.env.MEDIC_PREFIX}:scan-baseline:${thresholdBytes}:${formatLocation(loc)}`;
}

/**
 * The location's scan through the partition cache (jobs/partition-cache.ts), or undefined where the
 * cache does not apply: no Redis, a location read from S3 Inventory, a layout it cannot cache. One
 * path for triage's volume phase and an alert's prewarm (jobs/prewarm.ts).
 */
export async function partitionCachedScan(
  deps: SmallFilesDeps,
  loc: ObjectLocation,
  thresholdBytes: number,
  signal?: AbortSignal,
): Promise<(ScanResult & { partitionCache: PartitionCacheInfo }) | undefined> {
  const cfg = deps.config.medic;
  const store = deps.providers.objectStore(loc.scheme);
  const inventory = loc.scheme === 's3' ? cfg.s3Inventory[loc.container] : undefined;
  if (!deps.state || (inventory && store.scanInventory)) return undefined;
  const cached = await scanWithPartitionCache(deps.state, deps.config.env.MEDIC_PREFIX, store, loc, {
    thresholdBytes,
    concurrency: cfg.defaults.scanConcurrency,
    now: deps.now ?? Date.now,
    ...(signal ? { signal } : {}),
  });
  return cached ? { ...cached.scan, partitionCache: cached.cache } : undefined;
}

async function scanOne(
  deps: SmallFilesDeps,
  loc: ObjectLocation,
  thresholdBytes: number,
  opts: { signal?: AbortSignal; onProgress?: (p: ScanProgress) => void; partitionCache?: boolean },
): Promise<ScanResult & { partitionCache?: PartitionCacheInfo }> {
  const cfg = deps.config.medic;
  const store = deps.providers.objectStore(loc.scheme);
  const inventory = loc.scheme === 's3' ? cfg.s3Inventory[loc.container] : undefined;
  if (opts.partitionCache) {
    const cached = await partitionCachedScan(deps, loc, thresholdBytes, opts.signal);
    if (cached) return cached;
  }
  if (inventory && store.scanInventory) {
    return store.scanInventory(parseObjectUri(inventory.destination), loc, {
      thresholdBytes,
      ...(opts.signal ? { signal: opts.signal } : {}),
      ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
    });
  }
  return scanLocation(store, loc, {
    thresholdBytes,
    concurrency: cfg.defaults.scanConcurrency,
    ...(opts.signal ? { signal: opts.signal } : {}),
    ...(opts.onProgress ? { onProgress: opts.onProgress, progressIntervalMs: 1000 } : {}),
  });
}

/** Parse both URIs first so a typo fails before any listing starts. */
export function parseRequestLocations(req: SmallFilesRequest): {
  loc: ObjectLocation;
  compareLoc?: ObjectLocation;
} {
  const loc = parseObjectUri(req.uri);
  const compareLoc = req.compareUri ? parseObjectUri(req.compareUri) : undefined;
  return { loc, ...(compareLoc ? { compareLoc } : {}) };
}

export async function runSmallFilesScan(
  deps: SmallFilesDeps,
  req: SmallFilesRequest,
  opts: { signal?: AbortSignal; onProgress?: (p: ScanProgress) => void } = {},
): Promise<SmallFilesResult> {
  const cfg = deps.config.medic;
  const now = deps.now ?? Date.now;
  const thresholdBytes = req.thresholdBytes ?? cfg.defaults.smallFileBytes;
  const { loc, compareLoc } = parseRequestLocations(req);
  const [scanned, other] = await Promise.all([
    scanOne(deps, loc, thresholdBytes, { ...opts, ...(req.partitionCache ? { partitionCache: true } : {}) }),
    compareLoc
      ? scanOne(deps, compareLoc, thresholdBytes, { ...(opts.signal ? { signal: opts.signal } : {}) })
      : undefined,
  ]);
  const { partitionCache, ...scan } = scanned;
  const key = baselineKey(deps.config, loc, thresholdBytes);
  let previous: SmallFilesResult['previous'];
  if (deps.state) {
    const raw = await deps.state.get(key);
    if (raw) {
      const stored = JSON.parse(raw) as { at: number; summary: SmallFileSummary };
      previous = {
        at: stored.at,
        comparison: compareScans(scan.summary, stored.summary, {
          previousAt: new Date(stored.at).toISOString(),
        }),
      };
    }
    await deps.state.set(key, JSON.stringify({ at: now(), summary: scan.summary }), 'EX', BASELINE_TTL_SEC);
  }
  const trend = compareNewestPartitions(scan.summary);
  const location = formatLocation(loc);
  return {
    location,
    scan,
    ...(previous ? { previous } : {}),
    ...(trend ? { trend } : {}),
    ...(other && compareLoc
      ? {
          compare: {
            location: formatLocation(compareLoc),
            scan: other,
            comparison: compareLocations(scan.summary, other.summary, {
              a: location,
              b: formatLocation(compareLoc),
            }),
          },
        }
      : {}),
    recommendation: recommendCompaction(scan.summary, {
      targetFileBytes: cfg.defaults.compactionTargetBytes,
    }),
    cost: listingCost(
      scan.requests + (other?.requests ?? 0),
      scan.summary.objects + (other?.summary.objects ?? 0),
    ),
    ...(partitionCache ? { partitionCache } : {}),
  };
}
