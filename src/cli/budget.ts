// The request budget of a `medic` command: the CLI calls the clouds itself (triage, smallfiles,
// cost, parity build the same providers as the bot), so with monitor.maxRequestsPerSecond (or
// monitor.requestBudgets) set its calls take tokens from the bot's buckets in Redis — the same
// REDIS_URL and MEDIC_PREFIX as the bot's — and a command run during a storm does not push the
// account past its limit. Without REDIS_URL, or when Redis does not answer, the command paces
// itself at the same rates in memory (it alone then stays within the budget, but does not share
// it with the workers) and says so on stderr.
import type { Redis } from 'ioredis';
import type { AppConfig } from '../config/index.js';
import { stateConnection } from '../queue/connection.js';
import {
  configuredRequestBudgets,
  createLocalRequestBudget,
  createRequestBudget,
  type RequestBudget,
  type RequestBudgetOptions,
  type RequestBudgets,
} from '../providers/request-budget.js';

export interface CliBudget {
  requestBudgets?: RequestBudgets;
  close(): Promise<void>;
}

/** A Redis budget that falls back to an in-memory one (once, with a warning) when Redis fails. */
function withFallback(shared: RequestBudget, local: RequestBudget, onFallback: (err: unknown) => void) {
  let failed = false;
  const budget: RequestBudget = {
    async acquire(scope) {
      if (!failed)
        try {
          return await shared.acquire(scope);
        } catch (err) {
          if (!failed) onFallback(err);
          failed = true;
        }
      return await local.acquire(scope);
    },
    async tryAcquire(scope, reserve) {
      if (!failed)
        try {
          return await shared.tryAcquire(scope, reserve);
        } catch (err) {
          if (!failed) onFallback(err);
          failed = true;
        }
      return await local.tryAcquire(scope, reserve);
    },
    stats: () => {
      const a = shared.stats();
      const b = local.stats();
      return {
        acquired: a.acquired + b.acquired,
        waited: a.waited + b.waited,
        waitedMs: a.waitedMs + b.waitedMs,
      };
    },
  };
  return budget;
}

export function cliRequestBudget(
  config: AppConfig,
  processEnv: Readonly<Record<string, string | undefined>>,
  warn: (line: string) => void,
): CliBudget {
  let redis: Redis | undefined;
  let warned = false;
  const once = (line: string) => {
    if (warned) return;
    warned = true;
    warn(line);
  };
  const make = (opts: RequestBudgetOptions): RequestBudget => {
    const local = createLocalRequestBudget(opts);
    if (!processEnv.REDIS_URL) {
      once(
        "medic: REDIS_URL is not set: this command keeps the configured request budget on its own, not shared with the bot's workers",
      );
      return local;
    }
    redis ??= stateConnection(config.env.REDIS_URL);
    redis.on('error', () => {});
    return withFallback(createRequestBudget(redis, config.env.MEDIC_PREFIX, opts), local, (err) =>
      once(
        `medic: the shared request budget in Redis is unavailable (${err instanceof Error ? err.message : String(err)}): this command keeps it on its own`,
      ),
    );
  };
  const requestBudgets = configuredRequestBudgets(config.medic.monitor, make);
  return {
    ...(requestBudgets ? { requestBudgets } : {}),
    close: async () => {
      await redis?.quit().catch(() => redis?.disconnect());
    },
  };
}
