// Gathering for cost controls, independent of Slack: the runs of a job or of every job of a tag,
// their tags, and the month's budget figures, through the provider ports. The /cost processor
// (cost.ts), the monitor's budget check (cost-budgets.ts) and `medic cost` all run this.
import type { AppConfig } from '../src/config/index.js';
import { degradationFor, jobProvider } from '../src/config/index.js';
import type { Logger } from '../src/logger.js';
import {
  DEFAULT_PROVIDER,
  ProviderError,
  type JobPlatform,
  type JobRun,
  type ProviderName,
  type Providers,
} from '../src/providers/ports.js';
import { costReport, windowStart, type CostReport } from '../src/domain/cost-report.js';
import {
  budgetStatus,
  monthOf,
  previousMonth,
  type BudgetStatus,
  type JobRuns,
} from '../src/domain/budget.js';
import {
  checkRequiredTags,
  formatTagSelector,
  matchesTag,
  type JobTagInfo,
  type TagSelector,
} from '../src/domain/tags.js';

export type { JobTagInfo } from '../src/domain/tags.js';
import { suggestNames } from '../src/domain/suggest.js';

/** Runs read per job at most (an hourly job over 90 days is 2,160). */
export const COST_MAX_RUNS = 5000;
/** Jobs of one tag read at most. */
export const MAX_JOBS_PER_TAG = 200;
/** Configured jobs whose tags are read for "did you mean" on an unknown tag. */
const MAX_JOBS_FOR_TAG_SUGGESTIONS = 50;
/** Runs before the window, for the degradation's baseline of its first runs. */
const BASELINE_HISTORY_MS = 14 * 86_400_000;
/** Platforms read in parallel per request. */
const PARALLEL = 4;

export interface CostGatherDeps {
  config: AppConfig;
  providers: Providers;
  logger: Logger;
  now: () => number;
}

export type CostSubject = { job: string } | { tag: TagSelector };

export function subjectLabel(s: CostSubject): string {
  return 'job' in s ? s.job : formatTagSelector(s.tag);
}

export interface JobRef {
  job: string;
  provider: ProviderName;
}

export interface BudgetView {
  /** `job=MyJob` or `tag=cost-center=growth`: names the budget's memory. */
  id: string;
  /** "MyJob", "cost-center=growth" */
  label: string;
  monthlyUsd: number;
  channel?: string;
}

export interface CostGathered {
  subject: CostSubject;
  days: number;
  now: number;
  report: CostReport;
  /** The job's tags (a job subject). */
  tags?: JobTagInfo;
  /** The jobs read (a tag subject: every job carrying it). */
  jobs: JobRef[];
  /** This month for the subject, against its budget when one is configured. */
  month: BudgetStatus;
  budget?: BudgetView;
  /** The platforms' names, for the report's footer. */
  platforms: string[];
  /** What could not be read, in plain words. */
  notes: string[];
}

export type CostOutcome =
  { ok: true; gathered: CostGathered } | { ok: false; title: string; lines: string[]; suggestions: string[] };

/** Each item through `fn`, at most `limit` at once, results in order. */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  fn: (t: T) => Promise<R>,
): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/** The budgets of the config as views, with their ids. */
export function budgetViews(config: AppConfig): BudgetView[] {
  return config.medic.costControls.budgets.map((b) =>
    'job' in b
      ? {
          id: `job=${b.job}`,
          label: b.job,
          monthlyUsd: b.monthlyUsd,
          ...(b.channel ? { channel: b.channel } : {}),
        }
      : {
          id: `tag=${b.tag}`,
          label: b.tag,
          monthlyUsd: b.monthlyUsd,
          ...(b.channel ? { channel: b.channel } : {}),
        },
  );
}

/** The budget configured for this subject, if any. */
export function budgetFor(config: AppConfig, s: CostSubject): BudgetView | undefined {
  const id = 'job' in s ? `job=${s.job}` : `tag=${formatTagSelector(s.tag)}`;
  return budgetViews(config).find((b) => b.id === id);
}

/** A budget's subject, from its id. */
export function budgetSubject(b: BudgetView): CostSubject {
  if (b.id.startsWith('job=')) return { job: b.id.slice(4) };
  const text = b.id.slice(4);
  const i = text.indexOf('=');
  return { tag: { key: text.slice(0, i), value: text.slice(i + 1) } };
}

function platformFor(deps: CostGatherDeps, provider: ProviderName): JobPlatform | ProviderError {
  try {
    return deps.providers.jobPlatform(provider);
  } catch (err) {
    if (err instanceof ProviderError) return err;
    throw err;
  }
}

/** Runs of a job since `since`, and whether the listing reached back that far. */
export async function readJobRuns(
  platform: JobPlatform,
  job: string,
  since: Date,
): Promise<{ runs: JobRun[]; historyComplete: boolean }> {
  const runs = await platform.listRuns(job, { maxRuns: COST_MAX_RUNS, since });
  return { runs, historyComplete: runs.length < COST_MAX_RUNS };
}

/** The job's tags against the required ones, with the command that adds what is missing. */
export async function readJobTags(
  deps: CostGatherDeps,
  job: string,
  platform: JobPlatform,
): Promise<JobTagInfo> {
  if (!platform.tags)
    return { state: 'unavailable', reason: `tags not available on ${platform.terms.platform}` };
  try {
    const tags = await platform.tags.get(job);
    const { missing } = checkRequiredTags(tags, deps.config.medic.costControls.requiredTags);
    const command = missing.length ? await platform.tags.tagCommand(job, missing) : undefined;
    return { state: 'read', tags, missing, ...(command ? { command } : {}) };
  } catch (err) {
    if (!(err instanceof ProviderError)) throw err;
    const reason =
      err.code === 'ACCESS_DENIED'
        ? `tags: access denied (${err.action ?? 'reading tags'})`
        : `tags: ${err.message}`;
    return { state: 'unavailable', reason };
  }
}

/** Platforms the config's jobs run on (the default provider always: unnamed jobs are its). */
function providersInUse(config: AppConfig): ProviderName[] {
  const set = new Set<ProviderName>([DEFAULT_PROVIDER]);
  for (const job of Object.keys(config.medic.jobs)) set.add(jobProvider(config.medic, job));
  return [...set];
}

/**
 * Every job carrying the tag: each platform's own tag search when it has one, else the configured
 * jobs of that platform whose tags match. Platforms without tags are named in `unavailable`.
 */
export async function jobsWithTag(
  deps: CostGatherDeps,
  tag: TagSelector,
): Promise<{ jobs: JobRef[]; unavailable: string[]; searched: number; notes: string[] }> {
  const jobs: JobRef[] = [];
  const unavailable: string[] = [];
  const notes: string[] = [];
  let searched = 0;
  for (const provider of providersInUse(deps.config)) {
    const platform = platformFor(deps, provider);
    if (platform instanceof ProviderError) {
      notes.push(`${provider}: ${platform.message}`);
      continue;
    }
    const tags = platform.tags;
    if (!tags) {
      unavailable.push(platform.terms.platform);
      continue;
    }
    searched++;
    try {
      if (tags.jobsWith) {
        for (const job of await tags.jobsWith(tag.key, tag.value)) jobs.push({ job, provider });
      } else {
        const mine = Object.keys(deps.config.medic.jobs).filter(
          (j) => jobProvider(deps.config.medic, j) === provider,
        );
        const read = await mapLimit(mine, PARALLEL, async (job) => ({ job, tags: await tags.get(job) }));
        for (const r of read) if (matchesTag(r.tags, tag)) jobs.push({ job: r.job, provider });
      }
    } catch (err) {
      if (!(err instanceof ProviderError)) throw err;
      notes.push(
        `${platform.terms.platform}: ${err.code === 'ACCESS_DENIED' ? `access denied (${err.action ?? 'listing tags'})` : err.message}`,
      );
    }
  }
  jobs.sort((a, b) => (a.job < b.job ? -1 : a.job > b.job ? 1 : 0));
  if (jobs.length > MAX_JOBS_PER_TAG)
    notes.push(`only the first ${MAX_JOBS_PER_TAG} of ${jobs.length} jobs were read`);
  if (unavailable.length && searched > 0) notes.push(`tags not available on ${unavailable.join(', ')}`);
  return { jobs: jobs.slice(0, MAX_JOBS_PER_TAG), unavailable, searched, notes };
}

/** Tags people might have meant: those of the configured jobs and of the budgets. */
async function knownTags(deps: CostGatherDeps): Promise<string[]> {
  const out = new Set<string>();
  for (const b of deps.config.medic.costControls.budgets) if ('tag' in b) out.add(b.tag);
  const jobs = Object.keys(deps.config.medic.jobs).slice(0, MAX_JOBS_FOR_TAG_SUGGESTIONS);
  await mapLimit(jobs, PARALLEL, async (job) => {
    const platform = platformFor(deps, jobProvider(deps.config.medic, job));
    if (platform instanceof ProviderError || !platform.tags) return;
    try {
      for (const [k, v] of Object.entries(await platform.tags.get(job))) out.add(`${k}=${v}`);
    } catch (err) {
      if (!(err instanceof ProviderError)) throw err;
    }
  });
  return [...out];
}

/** Where the runs must reach back to: the window, the baseline before it, and last month. */
export function historySince(now: number, days: number): Date {
  return new Date(Math.min(windowStart(now, days) - BASELINE_HISTORY_MS, previousMonth(monthOf(now)).start));
}

/** Everything /cost shows for a job or a tag. */
export async function gatherCost(
  deps: CostGatherDeps,
  subject: CostSubject,
  days: number,
): Promise<CostOutcome> {
  const now = deps.now();
  const cfg = deps.config.medic;
  const since = historySince(now, days);
  const notes: string[] = [];
  let refs: JobRef[];
  let tags: JobTagInfo | undefined;
  const platforms = new Set<string>();

  if ('job' in subject) {
    const provider = jobProvider(cfg, subject.job);
    const platform = platformFor(deps, provider);
    if (platform instanceof ProviderError)
      return { ok: false, title: `${provider} is not available`, lines: [platform.message], suggestions: [] };
    refs = [{ job: subject.job, provider }];
    platforms.add(platform.terms.platform);
  } else {
    const found = await jobsWithTag(deps, subject.tag);
    notes.push(...found.notes);
    refs = found.jobs;
    if (refs.length === 0) {
      const label = formatTagSelector(subject.tag);
      // No platform in use can search by tag at all: say so rather than "no job is tagged".
      if (found.searched === 0 && found.unavailable.length)
        return {
          ok: false,
          title: `Tags not available on ${found.unavailable.join(', ')}`,
          lines: [`No job can be found by tag ${label} there.`],
          suggestions: [],
        };
      return {
        ok: false,
        title: `No job is tagged ${label}`,
        lines: found.notes,
        suggestions: suggestNames(label, await knownTags(deps)),
      };
    }
  }

  const read = await mapLimit(refs, PARALLEL, async (ref) => {
    const platform = platformFor(deps, ref.provider);
    if (platform instanceof ProviderError) return { ref, error: platform };
    platforms.add(platform.terms.platform);
    try {
      return { ref, platform, ...(await readJobRuns(platform, ref.job, since)) };
    } catch (err) {
      if (!(err instanceof ProviderError)) throw err;
      return { ref, platform, error: err };
    }
  });

  if ('job' in subject) {
    const only = read[0]!;
    if ('error' in only && only.error) {
      const err = only.error;
      if (err.code === 'NOT_FOUND') {
        let suggestions: string[] = [];
        try {
          suggestions = only.platform ? suggestNames(subject.job, await only.platform.listJobNames()) : [];
        } catch (e) {
          deps.logger.warn({ err: e }, 'could not list jobs for suggestions');
        }
        const terms = only.platform?.terms;
        return {
          ok: false,
          title: `No ${terms?.job ?? 'job'} named ${subject.job}`,
          lines: [`${terms?.short ?? 'The platform'} answered that it does not exist.`],
          suggestions,
        };
      }
      if (err.retryable) throw err;
      return {
        ok: false,
        title: err.code === 'ACCESS_DENIED' ? 'Access denied' : 'The platform refused the request',
        lines: [
          err.code === 'ACCESS_DENIED'
            ? `The bot's identity lacks ${err.action ?? 'a permission'}.`
            : err.message,
        ],
        suggestions: [],
      };
    }
    if (only.platform) tags = await readJobTags(deps, subject.job, only.platform);
  }

  const jobRuns: (JobRuns & { rule: ReturnType<typeof degradationFor> })[] = [];
  for (const r of read) {
    if ('error' in r && r.error) {
      if (r.error.retryable && refs.length === 1) throw r.error;
      notes.push(
        `${r.ref.job}: ${r.error.code === 'ACCESS_DENIED' ? `access denied (${r.error.action ?? 'runs'})` : r.error.message}`,
      );
      continue;
    }
    if (!('runs' in r)) continue;
    if (!r.historyComplete) notes.push(`${r.ref.job}: only its newest ${COST_MAX_RUNS} runs were read`);
    jobRuns.push({
      job: r.ref.job,
      runs: r.runs,
      historyComplete: r.historyComplete,
      rule: degradationFor(cfg, r.ref.job),
    });
  }
  const report = costReport({ days, now, jobs: jobRuns });
  const budget = budgetFor(deps.config, subject);
  const month = budgetStatus(budget?.monthlyUsd ?? 0, jobRuns, now);
  return {
    ok: true,
    gathered: {
      subject,
      days,
      now,
      report,
      ...(tags ? { tags } : {}),
      jobs: refs,
      month,
      ...(budget ? { budget } : {}),
      platforms: [...platforms],
      notes,
    },
  };
}
