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
  /** Requests that had to wait and the total wait, since creation (for /metrics and benches). */
  stats(): { acquired: number; waited: number; waitedMs: number };
}

type ScriptedRedis = Redis & {
  medicBudgetReserve(key: string, interval: string, burst: string): Promise<number>;
};

export function createRequestBudget(redis: Redis, prefix: string, opts: RequestBudgetOptions): RequestBudget {
  if (!(opts.ratePerSecond > 0)) throw new Error('a request budget needs a positive rate');
  const interval = 1000 / opts.ratePerSecond;
  const burst = Math.max(1, Math.floor(opts.burst ?? 1));
  const r = redis as ScriptedRedis;
  // defineCommand sends EVALSHA and falls back to EVAL once per connection (script cache).
  if (typeof r.medicBudgetReserve !== 'function')
    redis.defineCommand('medicBudgetReserve', { numberOfKeys: 1, lua: GCRA_RESERVE });
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
    stats: () => ({ ...totals }),
  };
}

/** The budget medic.yml asks for (monitor.maxRequestsPerSecond / requestBurst), or none. */
export function configuredRequestBudget(
  monitor: { maxRequestsPerSecond?: number | undefined; requestBurst?: number | undefined } | undefined,
  redis: Redis,
  prefix: string,
): RequestBudget | undefined {
  const rate = monitor?.maxRequestsPerSecond;
  if (rate === undefined) return undefined;
  return createRequestBudget(redis, prefix, {
    ratePerSecond: rate,
    burst: monitor?.requestBurst ?? Math.max(1, Math.floor(rate)),
  });
}
