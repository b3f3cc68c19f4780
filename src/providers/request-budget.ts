// A request budget shared by every process of the bot: a token bucket (GCRA) in Redis, one key per
// provider and account, so the monitor's evaluations and triage's reads together never ask a cloud
// API for more than `monitor.maxRequestsPerSecond` (with bursts of `monitor.requestBurst`) however
// many workers run. A caller is never refused: it reserves the next free slot and waits for it,
// instead of being throttled by the cloud (whose limits the data platform's own schedulers share).
//
// GCRA keeps one number per bucket: the theoretical arrival time (TAT) of the next request. A
// request at `now` may go at max(now, TAT − tolerance), where tolerance = (burst − 1) × interval;
// it then moves TAT one interval on. Redis' own clock (TIME) is the only clock, so workers whose
// clocks disagree still share one rate.
import type { Redis } from 'ioredis';

/**
 * KEYS[1] the bucket; ARGV[1] interval ms, ARGV[2] burst, ARGV[3] reserve. Takes a token only if
 * one is free at once *and* `reserve` more would still be free after it; returns 1 (taken) or 0
 * (refused, nothing changed). What the reserve keeps is for callers that wait (acquire).
 */
const GCRA_TRY = `
local interval = tonumber(ARGV[1])
local tolerance = interval * (tonumber(ARGV[2]) - 1)
local reserve = tonumber(ARGV[3])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000
local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
if tat < now then tat = now end
if tat + reserve * interval - tolerance > now then return 0 end
local nextTat = tat + interval
redis.call('SET', KEYS[1], string.format('%.3f', nextTat), 'PX', math.ceil(nextTat - now + interval))
return 1
`;

/** KEYS[1] the bucket; ARGV[1] interval ms (1000 / rate), ARGV[2] burst. Returns the wait in µs. */
const GCRA_RESERVE = `
local interval = tonumber(ARGV[1])
local tolerance = interval * (tonumber(ARGV[2]) - 1)
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000
local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
if tat < now then tat = now end
local at = tat - tolerance
if at < now then at = now end
local nextTat = tat + interval
redis.call('SET', KEYS[1], string.format('%.3f', nextTat), 'PX', math.ceil(nextTat - now + interval))
return math.floor((at - now) * 1000)
`;

export interface RequestBudgetOptions {
  /** Sustained requests per second across every process. */
  ratePerSecond: number;
  /** Requests that may go at once after a quiet spell (default 1: strictly paced). */
  burst?: number;
}

export interface RequestBudget {
  /** Waits until the bucket `scope` (e.g. `glue:us-east-1`) allows one more request; returns the ms waited. */
  acquire(scope: string): Promise<number>;
  /**
   * Takes a token of `scope` only if one is free now and `reserve` more stay free for the
   * callers that wait (acquire); never waits. True when taken.
   */
  tryAcquire(scope: string, reserve?: number): Promise<boolean>;
  /** Requests that had to wait and the total wait, since creation (for /metrics and benches). */
  stats(): { acquired: number; waited: number; waitedMs: number };
}

type ScriptedRedis = Redis & {
  medicBudgetReserve(key: string, interval: string, burst: string): Promise<number>;
  medicBudgetTry(key: string, interval: string, burst: string, reserve: string): Promise<number>;
};

export function createRequestBudget(redis: Redis, prefix: string, opts: RequestBudgetOptions): RequestBudget {
  if (!(opts.ratePerSecond > 0)) throw new Error('a request budget needs a positive rate');
  const interval = 1000 / opts.ratePerSecond;
  const burst = Math.max(1, Math.floor(opts.burst ?? 1));
  const r = redis as ScriptedRedis;
  // defineCommand sends EVALSHA and falls back to EVAL once per connection (script cache).
  if (typeof r.medicBudgetReserve !== 'function')
    redis.defineCommand('medicBudgetReserve', { numberOfKeys: 1, lua: GCRA_RESERVE });
  if (typeof r.medicBudgetTry !== 'function')
    redis.defineCommand('medicBudgetTry', { numberOfKeys: 1, lua: GCRA_TRY });
  const totals = { acquired: 0, waited: 0, waitedMs: 0 };
  return {
    async acquire(scope) {
      const waitUs = Number(
        await r.medicBudgetReserve(`${prefix}:budget:${scope}`, String(interval), String(burst)),
      );
      totals.acquired += 1;
      if (waitUs <= 0) return 0;
      const ms = waitUs / 1000;
      totals.waited += 1;
      totals.waitedMs += ms;
      await new Promise((resolve) => setTimeout(resolve, Math.ceil(ms)));
      return ms;
    },
    async tryAcquire(scope, reserve = 0) {
      const taken = Number(
        await r.medicBudgetTry(`${prefix}:budget:${scope}`, String(interval), String(burst), String(reserve)),
      );
      if (taken === 1) totals.acquired += 1;
      return taken === 1;
    },
    stats: () => ({ ...totals }),
  };
}

/**
 * A budget kept in this process alone (the same GCRA, in memory): for the `medic` CLI run without
 * REDIS_URL, so a terminal command at least never goes past the configured rate on its own.
 */
export function createLocalRequestBudget(opts: RequestBudgetOptions): RequestBudget {
  if (!(opts.ratePerSecond > 0)) throw new Error('a request budget needs a positive rate');
  const interval = 1000 / opts.ratePerSecond;
  const tolerance = interval * (Math.max(1, Math.floor(opts.burst ?? 1)) - 1);
  const tats = new Map<string, number>();
  const totals = { acquired: 0, waited: 0, waitedMs: 0 };
  return {
    async acquire(scope) {
      const now = performance.now();
      const tat = Math.max(now, tats.get(scope) ?? 0);
      const at = Math.max(now, tat - tolerance);
      tats.set(scope, tat + interval);
      totals.acquired += 1;
      const ms = at - now;
      if (ms <= 0) return 0;
      totals.waited += 1;
      totals.waitedMs += ms;
      await new Promise((resolve) => setTimeout(resolve, Math.ceil(ms)));
      return ms;
    },
    async tryAcquire(scope, reserve = 0) {
      const now = performance.now();
      const tat = Math.max(now, tats.get(scope) ?? 0);
      if (tat + reserve * interval - tolerance > now) return false;
      tats.set(scope, tat + interval);
      totals.acquired += 1;
      return true;
    },
    stats: () => ({ ...totals }),
  };
}

/**
 * The cloud APIs with a bucket of their own, each keyed per account: `glue`, `logs` (CloudWatch
 * Logs), `cloudwatch` (CloudWatch metrics) and `s3` per AWS region (one Redis prefix serves one
 * AWS account); `synapse` per workspace (the data plane), `loganalytics` per Log Analytics
 * workspace, `arm` per subscription (the Spark pool resource and Azure Monitor metrics, which ARM
 * serves and meters together).
 */
export const BUDGET_SERVICES = [
  'glue',
  's3',
  'logs',
  'cloudwatch',
  'synapse',
  'loganalytics',
  'arm',
  'blob',
] as const;
export type BudgetService = (typeof BUDGET_SERVICES)[number];

/** Waits for a token of one service's bucket for one account (e.g. `glue`, `us-east-1`). */
export type BudgetFor = (service: BudgetService, account: string) => (() => Promise<number>) | undefined;

/** One rate as medic.yml writes it. */
export interface BudgetRate {
  maxRequestsPerSecond?: number | undefined;
  requestBurst?: number | undefined;
}

/** monitor.maxRequestsPerSecond / requestBurst (every service) and monitor.requestBudgets.<service>. */
export interface BudgetSettings extends BudgetRate {
  /** A service's own rate, or `false`: that service is not budgeted even when the default is set. */
  requestBudgets?: Partial<Record<BudgetService, BudgetRate | false>> | undefined;
}

/**
 * What S3 gets at least when it takes the shared `maxRequestsPerSecond` (no `requestBudgets.s3`):
 * S3 documents "at least 3,500 PUT/COPY/POST/DELETE or 5,500 GET/HEAD requests per second per
 * partitioned prefix" (Amazon S3 User Guide, "Best practices design patterns: optimizing Amazon S3
 * performance"). 350/s is a tenth of the lower of the two for one prefix, leaving the rest to the
 * data platform's own jobs; a rate of 40 (sized for Glue) held a storm's 220 listings to 5.5 s.
 */
export const S3_SHARED_FLOOR = { ratePerSecond: 350, burst: 100 } as const;

/**
 * The same for Azure Blob Storage (per storage account): Azure documents a default maximum request
 * rate of 20,000 requests per second per general-purpose v2 or Blob storage account (40,000 in some
 * regions; "Scalability and performance targets for standard storage accounts"). 2,000/s is a tenth.
 */
export const BLOB_SHARED_FLOOR = { ratePerSecond: 2000, burst: 200 } as const;

/** The storage APIs whose documented rates are far above the control planes' the shared rate is sized for. */
const SHARED_FLOORS: Partial<Record<BudgetService, { ratePerSecond: number; burst: number }>> = {
  s3: S3_SHARED_FLOOR,
  blob: BLOB_SHARED_FLOOR,
};

/** The rate each service is held to: its own entry, else the shared default, else none. */
export function budgetRates(
  monitor: BudgetSettings | undefined,
): Partial<Record<BudgetService, RequestBudgetOptions>> {
  const out: Partial<Record<BudgetService, RequestBudgetOptions>> = {};
  for (const service of BUDGET_SERVICES) {
    // A service's own entry replaces the shared rate and burst together.
    const own = monitor?.requestBudgets?.[service];
    if (own === false) continue;
    const from = own?.maxRequestsPerSecond !== undefined ? own : monitor;
    const rate = from?.maxRequestsPerSecond;
    if (rate === undefined) continue;
    const burst = from?.requestBurst ?? Math.max(1, Math.floor(rate));
    // S3 or Blob without a rate of its own: the shared rate is sized for control-plane APIs
    // (Glue's), far below the storage services' documented rates; they get at least their floor.
    const floor = own === undefined ? SHARED_FLOORS[service] : undefined;
    out[service] = floor
      ? { ratePerSecond: Math.max(rate, floor.ratePerSecond), burst: Math.max(burst, floor.burst) }
      : { ratePerSecond: rate, burst };
  }
  return out;
}

export type RequestBudgets = Partial<Record<BudgetService, RequestBudget>>;

/**
 * The budgets medic.yml asks for, one RequestBudget per budgeted service (`make` builds it: in
 * Redis for the bot, in memory for a CLI without Redis), or undefined when nothing is budgeted.
 */
export function configuredRequestBudgets(
  monitor: BudgetSettings | undefined,
  make: (opts: RequestBudgetOptions) => RequestBudget,
): RequestBudgets | undefined {
  const rates = Object.entries(budgetRates(monitor)) as [BudgetService, RequestBudgetOptions][];
  if (rates.length === 0) return undefined;
  return Object.fromEntries(rates.map(([service, opts]) => [service, make(opts)]));
}
