// The scheduled monitor (runbook "Síntoma de alerta" and "5.4 Cost Controls"): every
// monitor.everyMinutes, per monitored job, read the recent runs, apply the degradation rule and
// the budget, and tell the channel only what is new (src/domain/monitor.ts decides what that is).
//
// Each job has one BullMQ job scheduler (`monitor-<job>`, at a stable offset within the interval so
// thousands of jobs are spread over it), upserted by scheduleMonitors when a process with workers
// starts; schedulers of jobs no longer configured are removed there. An evaluation reads only the
// runs that may have changed since the last one (jobs/monitor-runs.ts); a job becoming DEGRADED
// while others just did joins their storm message (src/slack/alert-group-message.ts). Further checks (e.g.
// freshness) belong in evaluate() beside the degradation rule, each with its own memory. What was
// last said about a job lives in Redis (`<prefix>:monitor:<job>`), so an alert is posted once
// whatever process evaluates next; a short per-job lock keeps two evaluations of one job (the
// schedule and a manual run, or two workers) from both posting.
import { tryLock } from '../src/store/redis-lock.js';
import { prewarmAfterAlert } from './prewarm.js';
import { createHash } from 'node:crypto';
import { UnrecoverableError, type Job } from 'bullmq';
import type { AppConfig } from '../src/config/index.js';
import { degradationFor, jobProvider, monitorChannelFor, monitoredJobs } from '../src/config/file.js';
import type { Logger } from '../src/logger.js';
import type { Producers } from '../src/queue/producers.js';
import type { Processor } from '../src/queue/workers.js';
import { stableId, type MonitorPayload } from '../src/queue/payloads.js';
import { ProviderError, type JobPlatform } from '../src/providers/ports.js';
import { evaluateDegradation, type DegradationVerdict } from '../src/domain/degradation.js';
import {
  budgetBreach,
  isAlerting,
  nextMemory,
  shouldAlert,
  withBudgetAlerted,
  type AlertingVerdict,
  type MonitorDecision,
  type MonitorMemory,
} from '../src/domain/monitor.js';
import {
  renderBudgetAlert,
  renderMonitorAlert,
  renderMonitorRecovered,
  alertSize,
  type RenderedMessage,
} from '../src/slack/blocks/monitor-alert.js';
import { slackBlocks } from '../src/slack/blocks/kit.js';
import type { Deps, Timings } from '../src/deps.js';
import { readRunsSinceLast } from './monitor-runs.js';
import { joinAlertGroup, markRecovered } from '../src/slack/alert-group-message.js';
import { noticeMissingTags } from './cost-tags.js';
import { scheduleBudgetCheck } from './cost-budgets.js';
import { checkFreshness, type FreshnessPosted } from './monitor-freshness.js';

/** Runs read beyond the rule's window and baseline: room for in-progress and stopped runs. */
const EXTRA_RUNS = 5;
/** The runs of the last evaluation are kept this many intervals (then read afresh). */
const RUNS_CACHE_INTERVALS = 3;
/** Longest an evaluation may hold a job's lock (a slow Glue answer, Slack retries). */
const LOCK_MS = 120_000;

export function monitorStateKey(prefix: string, job: string): string {
  return `${prefix}:monitor:${job}`;
}

/** The scheduler id of a job: `monitor-<job>`, sanitised like every job id (no ':'). */
export function monitorSchedulerId(job: string): string {
  return stableId('monitor', job);
}

export interface MonitorOutcome {
  job: string;
  verdict?: DegradationVerdict['verdict'];
  /** 'grouped': the alert went into the channel's storm message (src/slack/alert-group-message.ts). */
  posted: ('alert' | 'grouped' | 'recovered' | 'budget' | 'tags' | FreshnessPosted)[];
  /** The job's input prewarm was enqueued after its alert (jobs/prewarm.ts). */
  prewarm?: true;
  skipped?: string;
}

export function createMonitorProcessor(deps: Deps): Processor<'monitor'> {
  return async (job: Job<MonitorPayload>, log) => {
    // Lateness: from when the evaluation was due (its scheduler slot) to when a worker took it;
    // first attempts only (a retry is late by its backoff, on purpose).
    if (job.attemptsMade === 0 && job.processedOn)
      deps.metrics.monitorLateness.observe(Math.max(0, job.processedOn - (job.timestamp + job.delay)) / 1000);
    return await runMonitor(deps, job.data.job, log);
  };
}

/**
 * Where in each interval a job is evaluated: a stable offset from its name, so 2,000 jobs every
 * 15 minutes are spread over the 15 minutes (not all at minute 0) and keep their slot across
 * restarts and workers.
 */
export function monitorOffsetMs(job: string, everyMs: number): number {
  return createHash('sha1').update(job).digest().readUInt32BE(0) % everyMs;
}

/** One evaluation of one job: what the processor does, callable directly. */
export async function runMonitor(deps: Deps, jobName: string, log: Logger): Promise<MonitorOutcome> {
  const cfg = deps.config.medic;
  const prefix = deps.config.env.MEDIC_PREFIX;
  const channel = monitorChannelFor(cfg, jobName);
  if (!cfg.monitor || !channel) {
    log.info({ job: jobName }, 'monitor not configured; nothing to evaluate');
    return { job: jobName, posted: [], skipped: 'not configured' };
  }
  let platform: JobPlatform;
  try {
    platform = deps.providers.jobPlatform(jobProvider(cfg, jobName));
  } catch (err) {
    if (!(err instanceof ProviderError)) throw err;
    log.warn({ job: jobName, err }, 'no adapter for this job’s platform; not evaluated');
    return { job: jobName, posted: [], skipped: err.message };
  }
  const lockKey = `${prefix}:monitor-lock:${jobName}`;
  const lock = await tryLock(deps.state, lockKey, LOCK_MS);
  if (!lock) {
    log.info({ job: jobName }, 'another evaluation of this job is running; skipped');
    return { job: jobName, posted: [], skipped: 'locked' };
  }
  try {
    return await evaluate(deps, platform, jobName, channel, log);
  } finally {
    await lock.release().catch((err: unknown) => log.warn({ err }, 'could not release the monitor lock'));
  }
}

async function evaluate(
  deps: Deps,
  platform: JobPlatform,
  jobName: string,
  channel: string,
  log: Logger,
): Promise<MonitorOutcome> {
  const cfg = deps.config.medic;
  const rule = degradationFor(cfg, jobName);
  const maxRuns = rule.baselineRuns + rule.consecutiveRuns + EXTRA_RUNS;
  const everyMs = (cfg.monitor?.everyMinutes ?? 60) * deps.timings.monitorMinuteMs;
  let runs;
  try {
    // Only what changed since the last evaluation is read; the rest comes from Redis.
    ({ runs } = await readRunsSinceLast(
      deps.state,
      deps.config.env.MEDIC_PREFIX,
      platform,
      jobName,
      maxRuns,
      RUNS_CACHE_INTERVALS * everyMs,
      deps.now(),
    ));
  } catch (err) {
    // Throttling and outages: retry with backoff; unknown job or access denied: retrying cannot
    // help, and the next scheduled evaluation tries again anyway.
    if (err instanceof ProviderError && !err.retryable)
      throw new UnrecoverableError(`monitor ${jobName}: ${err.code} ${err.message}`);
    throw err;
  }
  const verdict = evaluateDegradation(runs, rule);
  const key = monitorStateKey(deps.config.env.MEDIC_PREFIX, jobName);
  const raw = await deps.state.get(key);
  const previous = raw ? (JSON.parse(raw) as MonitorMemory) : undefined;
  const decision = shouldAlert(previous, verdict);
  const breach = budgetBreach(
    verdict.runs,
    cfg.jobs[jobName]?.budgetUsdPerRun,
    previous?.budgetAlertedRunIds ?? [],
  );
  const posted: MonitorOutcome['posted'] = [];
  let prewarm = false;
  const post = async (m: RenderedMessage) => {
    await deps.slack.chat.postMessage({
      channel,
      text: m.text,
      blocks: slackBlocks(m.blocks),
      unfurl_links: false,
    });
  };
  const message = messageFor(decision, jobName, verdict, cfg.monitor?.everyMinutes ?? 60);
  // Memory is written after each post, so a retry after a failed post repeats only what failed.
  if (message) {
    // A storm: a job becoming DEGRADED/FAILING while others just did joins their group message.
    // A job of the storm that is healthy again stays in the group message, marked so.
    const grouped =
      decision.kind === 'alert' && decision.reason === 'became'
        ? await groupAlert(deps, channel, jobName, verdict, decision.verdict, log)
        : decision.kind === 'recovered'
          ? await markRecovered(deps, channel, jobName, deps.now(), log)
          : false;
    if (grouped) posted.push('grouped');
    else {
      await post(message);
      posted.push(decision.kind === 'alert' ? 'alert' : 'recovered');
    }
    // Its triage is near: gather the input's partitions now (jobs/prewarm.ts).
    if (decision.kind === 'alert' && decision.reason === 'became')
      prewarm = await prewarmAfterAlert(deps, platform, jobName, log);
  }
  const memory = nextMemory(previous, verdict, decision, deps.now());
  await deps.state.set(key, JSON.stringify(memory));
  if (breach) {
    await post(renderBudgetAlert({ job: jobName, breach, unit: verdict.usage.unit }));
    posted.push('budget');
    await deps.state.set(key, JSON.stringify(withBudgetAlerted(memory, breach.run.id)));
  }
  // Cost controls: a job lacking a required tag is named once (jobs/cost-tags.ts).
  if (await noticeMissingTags(deps, platform, jobName, channel, log)) posted.push('tags');
  // Missing data: a late partition of a job with freshnessHours (jobs/monitor-freshness.ts).
  posted.push(...(await checkFreshness(deps, jobName, channel, log)));
  log.info({ job: jobName, verdict: verdict.verdict, decision: decision.kind, posted }, 'monitor evaluated');
  return { job: jobName, verdict: verdict.verdict, posted, ...(prewarm ? { prewarm: true as const } : {}) };
}

/** True when the alert went into the channel's group message instead of its own (src/slack/alert-group-message.ts). */
async function groupAlert(
  deps: Deps,
  channel: string,
  job: string,
  verdict: DegradationVerdict,
  alerting: AlertingVerdict,
  log: Logger,
): Promise<boolean> {
  const windowMinutes = deps.config.medic.monitor?.groupWindowMinutes ?? 0;
  if (windowMinutes <= 0) return false;
  const problematic = new Set(verdict.problematicRunIds);
  const starts = verdict.runs.filter((r) => problematic.has(r.id)).map((r) => r.startedOn.getTime());
  const now = deps.now();
  const join = await joinAlertGroup(
    deps,
    channel,
    {
      job,
      verdict: alerting,
      size: alertSize(verdict),
      since: starts.length ? Math.min(...starts) : now,
      at: now,
    },
    windowMinutes,
    log,
  );
  return join.kind === 'joined';
}

function messageFor(
  decision: MonitorDecision,
  job: string,
  verdict: DegradationVerdict,
  everyMinutes: number,
): RenderedMessage | undefined {
  if (decision.kind === 'alert' && isAlerting(verdict.verdict))
    return renderMonitorAlert({
      job,
      verdict: verdict as DegradationVerdict & { verdict: 'DEGRADED' | 'FAILING' },
      newRunIds: decision.newRunIds,
      reason: decision.reason,
      everyMinutes,
    });
  if (decision.kind === 'recovered')
    return renderMonitorRecovered({ job, previous: decision.previous, verdict });
  return undefined;
}

export interface ScheduleMonitorsDeps {
  config: AppConfig;
  producers: Producers;
  logger: Logger;
  /** The length of the minute everyMinutes counts (tests and benches compress time). */
  timings?: Pick<Timings, 'monitorMinuteMs'>;
}

/** How long a starting process waits for Redis before scheduling in the background. */
const READY_WAIT_MS = 5000;

/**
 * One job scheduler per monitored job (upsert: restarts and several workers are harmless), and
 * schedulers of jobs that left the config removed. Never throws and never holds a start up for
 * long: when Redis is not there yet, the schedule is applied once it is, and failures are logged.
 */
export async function scheduleMonitors(deps: ScheduleMonitorsDeps): Promise<ScheduleResult> {
  const queue = deps.producers.queue('monitor');
  const ready = queue.waitUntilReady().then(() => true);
  let timer: NodeJS.Timeout | undefined;
  const inTime = await Promise.race([
    ready,
    new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), READY_WAIT_MS);
      timer.unref();
    }),
  ]).catch(() => false);
  clearTimeout(timer);
  const apply = () =>
    applySchedule(deps).catch((err: unknown) => {
      deps.logger.error({ err }, 'could not schedule the monitor');
      return { scheduled: [], removed: [] };
    });
  if (inTime) return await apply();
  deps.logger.warn('redis not ready; the monitor will be scheduled when it is');
  void ready.then(apply, (err: unknown) => deps.logger.error({ err }, 'could not schedule the monitor'));
  return { scheduled: [], removed: [] };
}

export interface ScheduleResult {
  /** Jobs whose scheduler was upserted. */
  scheduled: string[];
  /** Scheduler ids removed (their job left the config). */
  removed: string[];
}

async function applySchedule(deps: ScheduleMonitorsDeps): Promise<ScheduleResult> {
  const cfg = deps.config.medic;
  const jobs = monitoredJobs(cfg);
  const minute = deps.timings?.monitorMinuteMs ?? 60_000;
  const every = (cfg.monitor?.everyMinutes ?? 60) * minute;
  const queue = deps.producers.queue('monitor');
  const scheduled: string[] = [];
  const removed: string[] = [];
  const wanted = new Map(jobs.map((job) => [monitorSchedulerId(job), job]));
  for (const [id, job] of wanted) {
    await queue.upsertJobScheduler(
      id,
      { every, offset: monitorOffsetMs(job, every) },
      {
        name: 'monitor',
        data: { job } satisfies MonitorPayload,
        opts: {
          attempts: 3,
          backoff: { type: 'exponential', delay: 5000 },
          removeOnComplete: { count: 100 },
          removeOnFail: { count: 500 },
        },
      },
    );
    scheduled.push(job);
  }
  for (const s of await queue.getJobSchedulers(0, -1)) {
    if (s.key.startsWith('monitor-') && !wanted.has(s.key)) {
      await queue.removeJobScheduler(s.key);
      removed.push(s.key);
    }
  }
  // Budgets over the month are checked on the same schedule (jobs/cost-budgets.ts).
  await scheduleBudgetCheck(deps);
  deps.logger.info({ jobs: scheduled.length, removed, everyMinutes: every / minute }, 'monitor scheduled');
  return { scheduled, removed };
}
