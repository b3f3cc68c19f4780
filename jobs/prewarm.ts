// An alert's prewarm (issue 19): when the monitor sees a job become DEGRADED or FAILING, the triage
// someone starts from that alert is near. Its slowest phase is the input's listing, and a cold
// partition cache lists everything; so the monitor enqueues this job, which gathers the input's
// partition statistics the way triage's volume phase does (jobs/partition-cache.ts), at a lower
// priority than any /smallfiles scan. A triage that starts while it runs waits for it (the scan
// lock in partition-cache.ts) and then reads only what changed.
//
// It posts nothing and stores only the partition cache: the location's "previous scan" (the
// baseline /smallfiles and triage compare against) is left alone, so a triage after a prewarm
// still compares with the scan before the incident.
import { createHash } from 'node:crypto';
import type { Deps } from '../src/deps.js';
import type { Logger } from '../src/logger.js';
import type { JobPlatform } from '../src/providers/ports.js';
import type { PrewarmPayload } from '../src/queue/payloads.js';
import { parseObjectUri } from '../src/providers/object-uri.js';
import { partitionCachedScan } from './smallfiles-core.js';

/** Below every /smallfiles scan (jobs without a priority go first). */
const PREWARM_PRIORITY = 10;
/** One prewarm of a location per this long, however many alerts name it. */
const PREWARM_DEDUP_MS = 10 * 60_000;

/** The BullMQ deduplication id of a location's prewarm (one per PREWARM_DEDUP_MS). */
export function prewarmDedupId(uri: string): string {
  return `prewarm-${createHash('sha256').update(uri).digest('hex').slice(0, 24)}`;
}

export interface PrewarmOutcome {
  uri: string;
  skipped?: string;
  partitions?: number;
  relisted?: number;
  requests?: number;
}

export async function runPrewarm(deps: Deps, p: PrewarmPayload, log: Logger): Promise<PrewarmOutcome> {
  const res = await partitionCachedScan(
    deps,
    parseObjectUri(p.uri),
    deps.config.medic.defaults.smallFileBytes,
  );
  if (!res)
    return {
      uri: p.uri,
      skipped: 'not partition-cached (S3 Inventory, no sub-folders, or a Blob service without startFrom)',
    };
  const { partitions, relisted } = res.partitionCache;
  log.info({ job: p.job, uri: p.uri, partitions, relisted }, 'input prewarmed');
  return { uri: p.uri, partitions, relisted, requests: res.requests };
}

/**
 * After an alert: enqueue the job's input prewarm. Best effort — the alert is out already, and a
 * triage without a prewarm lists the input itself — so nothing here throws.
 */
export async function prewarmAfterAlert(
  deps: Deps,
  platform: JobPlatform,
  job: string,
  log: Logger,
): Promise<boolean> {
  const cfg = deps.config.medic;
  if (!cfg.defaults.triagePartitionCache || cfg.monitor?.prewarmInput === false) return false;
  try {
    const uri = cfg.jobs[job]?.input ?? (await platform.getJob(job)).inputLocation;
    if (!uri) return false;
    await deps.producers.enqueue(
      'smallfiles',
      { kind: 'prewarm', job, uri, requestedAt: deps.now() },
      { dedupId: prewarmDedupId(uri), dedupTtlMs: PREWARM_DEDUP_MS, priority: PREWARM_PRIORITY },
    );
    return true;
  } catch (err) {
    log.warn({ err, job }, 'could not enqueue the input prewarm');
    return false;
  }
}
