// The monitor's run reading at scale: the runs of the previous evaluation are kept in Redis
// (`<prefix>:monitor-runs:<job>`), so an evaluation asks the platform only for the runs newer
// than what it already knows for good — from the oldest run that was still going last time, or
// else the newest one — in small pages, and takes the rest (what the rule's window and baseline
// need) from the cache. A job that ran once since the last look costs one small GetJobRuns page
// instead of a page of baselineRuns + consecutiveRuns + 5 runs.
//
// The cache is only a shortcut: when it is missing, was written for another window size, or is
// older than a few intervals, the evaluation reads everything as before.
import type { Redis } from 'ioredis';
import type { JobPlatform, JobRun } from '../src/providers/ports.js';
import { runStateClass } from '../src/domain/run-record.js';

/** Runs per page of an incremental read: a job rarely runs more often than this per interval. */
export const INCREMENTAL_PAGE = 5;
/** How far before the last read a new read reaches (runs listed late). */
const VISIBILITY_MS = 5 * 60_000;

interface CachedRuns {
  /** The window size the cache was written for (a changed rule reads everything again). */
  maxRuns: number;
  /** When the platform was last read (epoch ms). */
  readAt?: number;
  /** True when the platform had fewer runs than asked: there is nothing older to find. */
  exhausted: boolean;
  /** Newest first, without their parameters (the rule and the alert do not read them). */
  runs: StoredRun[];
}

type StoredRun = Omit<JobRun, 'startedOn' | 'completedOn' | 'lastModifiedOn' | 'parameters'> & {
  startedOn: number;
  completedOn?: number;
  lastModifiedOn?: number;
};

export function monitorRunsKey(prefix: string, job: string): string {
  return `${prefix}:monitor-runs:${job}`;
}

export interface RunsRead {
  runs: JobRun[];
  /** Runs the platform returned this time. */
  fetched: number;
  /** Runs taken from the cache. */
  cached: number;
}

/**
 * The newest `maxRuns` runs of `job`, reading only what may have changed since the last
 * evaluation, and the cache updated (kept for `ttlMs`).
 */
export async function readRunsSinceLast(
  redis: Redis,
  prefix: string,
  platform: JobPlatform,
  job: string,
  maxRuns: number,
  ttlMs: number,
  now: number,
): Promise<RunsRead> {
  const key = monitorRunsKey(prefix, job);
  const cache = parse(await redis.get(key));
  let runs: JobRun[];
  let fetched: number;
  let cachedCount = 0;
  let exhausted: boolean;
  const usable = cache && cache.maxRuns === maxRuns && (cache.exhausted || cache.runs.length >= maxRuns);
  const known = usable ? cache.runs.map(revive) : [];
  // Everything from the oldest run not yet finished last time (it may have finished since), else
  // from the newest known run (inclusive: a run with the same start is read again, not lost).
  // A run is listed a moment after it starts: one that started just before the last read may not
  // have been in it, so the read reaches VISIBILITY_MS further back than the last read.
  const open = known.filter((r) => !isFinal(r));
  const from = open.length > 0 ? open[open.length - 1]!.startedOn : known[0]?.startedOn;
  const since =
    from && cache?.readAt !== undefined
      ? new Date(Math.min(from.getTime(), cache.readAt - VISIBILITY_MS))
      : from;
  if (usable && since) {
    const fresh = await platform.listRuns(job, { maxRuns, since, pageSize: INCREMENTAL_PAGE });
    const ids = new Set(fresh.map((r) => r.id));
    const older = known.filter((r) => !ids.has(r.id) && r.startedOn.getTime() < since.getTime());
    runs = [...fresh, ...older]
      .sort((a, b) => b.startedOn.getTime() - a.startedOn.getTime())
      .slice(0, maxRuns);
    fetched = fresh.length;
    cachedCount = runs.filter((r) => !ids.has(r.id)).length;
    exhausted = cache.exhausted && runs.length < maxRuns;
  } else {
    runs = await platform.listRuns(job, { maxRuns });
    fetched = runs.length;
    exhausted = runs.length < maxRuns;
  }
  const stored: CachedRuns = { maxRuns, exhausted, readAt: now, runs: runs.map(store) };
  await redis.set(key, JSON.stringify(stored), 'PX', ttlMs);
  return { runs, fetched, cached: cachedCount };
}

function isFinal(r: JobRun): boolean {
  const cls = runStateClass(r.state);
  return cls !== 'in-progress';
}

function parse(raw: string | null): CachedRuns | undefined {
  if (!raw) return undefined;
  try {
    const c = JSON.parse(raw) as CachedRuns;
    return Array.isArray(c.runs) && typeof c.maxRuns === 'number' ? c : undefined;
  } catch {
    return undefined;
  }
}

function store(r: JobRun): StoredRun {
  // eslint-disable-next-line @typescript-eslint/no-unused-vars
  const { parameters, startedOn, completedOn, lastModifiedOn, ...rest } = r;
  return {
    ...rest,
    startedOn: startedOn.getTime(),
    ...(completedOn ? { completedOn: completedOn.getTime() } : {}),
    ...(lastModifiedOn ? { lastModifiedOn: lastModifiedOn.getTime() } : {}),
  };
}

function revive(s: StoredRun): JobRun {
  const { startedOn, completedOn, lastModifiedOn, ...rest } = s;
  return {
    ...rest,
    parameters: {},
    startedOn: new Date(startedOn),
    ...(completedOn !== undefined ? { completedOn: new Date(completedOn) } : {}),
    ...(lastModifiedOn !== undefined ? { lastModifiedOn: new Date(lastModifiedOn) } : {}),
  };
}
