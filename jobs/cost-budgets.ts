// The monitor's budget check (runbook 5.4 "budgets and alerts"): every monitor.everyMinutes, for
// each budget in costControls.budgets, this month's cost to date and its forecast to month end from
// the runs; one alert when the forecast crosses the budget and one when month to date reaches it,
// each once a month (the memory is in Redis: store/cost-notices.ts), with the jobs that moved most.
//
// It runs on the `cost` queue under one job scheduler (`cost-budgets`), upserted beside the
// monitor's own schedulers; a short lock keeps two checks (the schedule and a manual run, or two
// workers) from both posting.
import { tryLock } from '../src/store/redis-lock.js';
import type { Logger } from '../src/logger.js';
import type { Deps } from '../src/deps.js';
import type { AppConfig } from '../src/config/index.js';
import type { Producers } from '../src/queue/producers.js';
import type { CostPayload } from '../src/queue/payloads.js';
import { jobProvider, monitorChannelFor, monitoredJobs } from '../src/config/file.js';
import { ProviderError } from '../src/providers/ports.js';
import {
  afterBudgetAlert,
  budgetAlertDue,
  budgetStatus,
  monthOf,
  previousMonth,
  type BudgetAlertKind,
  type JobRuns,
} from '../src/domain/budget.js';
import { CostNotices } from '../src/store/cost-notices.js';
import { renderBudgetPeriodAlert } from '../src/slack/blocks/cost-report.js';
import { slackBlocks } from '../src/slack/blocks/kit.js';
import {
  budgetSubject,
  budgetViews,
  jobsWithTag,
  mapLimit,
  readJobRuns,
  type BudgetView,
  type JobRef,
} from './cost-gather.js';

export const BUDGET_SCHEDULER_ID = 'cost-budgets';
const LOCK_MS = 300_000;

export interface BudgetCheckOutcome {
  evaluated: {
    id: string;
    monthToDateUsd: number;
    forecastUsd: number;
    posted?: BudgetAlertKind;
    skipped?: string;
  }[];
  skipped?: string;
}

/** Where a budget's alert goes: its own channel, a job budget's monitor channel, else monitor.channel. */
function channelFor(config: AppConfig, b: BudgetView): string | undefined {
  if (b.channel) return b.channel;
  const s = budgetSubject(b);
  return 'job' in s ? monitorChannelFor(config.medic, s.job) : config.medic.monitor?.channel;
}

export async function runBudgetCheck(deps: Deps, log: Logger): Promise<BudgetCheckOutcome> {
  const budgets = budgetViews(deps.config);
  if (!budgets.length) return { evaluated: [], skipped: 'no budgets configured' };
  const prefix = deps.config.env.MEDIC_PREFIX;
  const lockKey = `${prefix}:budget-lock`;
  const lock = await tryLock(deps.state, lockKey, LOCK_MS);
  if (!lock) {
    log.info('another budget check is running; skipped');
    return { evaluated: [], skipped: 'locked' };
  }
  try {
    return await check(deps, budgets, log);
  } finally {
    await lock.release().catch((err: unknown) => log.warn({ err }, 'could not release the budget lock'));
  }
}

async function check(deps: Deps, budgets: BudgetView[], log: Logger): Promise<BudgetCheckOutcome> {
  const now = deps.now();
  const month = monthOf(now);
  const since = new Date(previousMonth(month).start);
  const notices = new CostNotices(deps.state, deps.config.env.MEDIC_PREFIX);
  const gatherDeps = { config: deps.config, providers: deps.providers, logger: deps.logger, now: deps.now };
  // Each job's runs are read once per check, whichever budgets it belongs to.
  const runsOf = new Map<string, Promise<JobRuns>>();
  const readRuns = (ref: JobRef) => {
    let p = runsOf.get(ref.job);
    if (!p) {
      p = (async () => {
        const r = await readJobRuns(deps.providers.jobPlatform(ref.provider), ref.job, since);
        return { job: ref.job, runs: r.runs, historyComplete: r.historyComplete };
      })();
      runsOf.set(ref.job, p);
    }
    return p;
  };

  const evaluated: BudgetCheckOutcome['evaluated'] = [];
  for (const b of budgets) {
    const subject = budgetSubject(b);
    let refs: JobRef[];
    if ('job' in subject)
      refs = [{ job: subject.job, provider: jobProvider(deps.config.medic, subject.job) }];
    else {
      const found = await jobsWithTag(gatherDeps, subject.tag);
      if (found.notes.length)
        log.warn({ budget: b.id, notes: found.notes }, 'some tagged jobs could not be listed');
      refs = found.jobs;
    }
    let jobs: JobRuns[];
    try {
      jobs = await mapLimit(refs, 4, readRuns);
    } catch (err) {
      // Throttling and outages: the whole check retries (what was posted is remembered). A job
      // that is gone or refused: this budget is skipped, the others go on.
      if (!(err instanceof ProviderError) || err.retryable) throw err;
      log.warn({ budget: b.id, err }, 'budget not evaluated: runs could not be read');
      evaluated.push({ id: b.id, monthToDateUsd: 0, forecastUsd: 0, skipped: err.message });
      continue;
    }
    const status = budgetStatus(b.monthlyUsd, jobs, now);
    const memory = await notices.budgetMemory(b.id, month.label);
    const due = budgetAlertDue(status, memory);
    const entry: BudgetCheckOutcome['evaluated'][number] = {
      id: b.id,
      monthToDateUsd: status.monthToDateUsd,
      forecastUsd: status.forecastUsd,
    };
    if (due) {
      const channel = channelFor(deps.config, b);
      if (!channel)
        entry.skipped = 'no channel for budget alerts (set monitor.channel or the budget’s channel)';
      else {
        const m = renderBudgetPeriodAlert({
          label: b.label,
          kind: 'job' in subject ? 'job' : 'tag',
          monthlyUsd: b.monthlyUsd,
          alert: due,
          status,
        });
        await deps.slack.chat.postMessage({
          channel,
          text: m.text,
          blocks: slackBlocks(m.blocks),
          unfurl_links: false,
        });
        // Remembered right after the post: a retry repeats only what failed.
        await notices.setBudgetMemory(b.id, month.label, afterBudgetAlert(memory, due, now));
        entry.posted = due;
      }
    }
    evaluated.push(entry);
  }
  log.info({ evaluated }, 'budgets checked');
  return { evaluated };
}

/**
 * The budget check's scheduler beside the monitor's: every monitor.everyMinutes while the monitor
 * schedules jobs and budgets are configured, removed otherwise (`monitor.jobs: []` schedules
 * nothing, budgets included).
 */
export async function scheduleBudgetCheck(deps: {
  config: AppConfig;
  producers: Producers;
}): Promise<boolean> {
  const cfg = deps.config.medic;
  const queue = deps.producers.queue('cost');
  if (!cfg.monitor || monitoredJobs(cfg).length === 0 || cfg.costControls.budgets.length === 0) {
    await queue.removeJobScheduler(BUDGET_SCHEDULER_ID);
    return false;
  }
  await queue.upsertJobScheduler(
    BUDGET_SCHEDULER_ID,
    { every: cfg.monitor.everyMinutes * 60_000 },
    {
      name: 'cost',
      data: { kind: 'budgets' } satisfies CostPayload,
      opts: {
        attempts: 3,
        backoff: { type: 'exponential', delay: 5000 },
        removeOnComplete: { count: 100 },
        removeOnFail: { count: 500 },
      },
    },
  );
  return true;
}
