// What every backfill step works with: the step's context and the few moves a step makes on the
// stored record — start, record an event, finish (and enqueue the next step), wait on a cloud run.
import { DelayedError, UnrecoverableError, type Job } from 'bullmq';
import type { Deps } from '../../src/deps.js';
import type { Logger } from '../../src/logger.js';
import type { PayloadOf } from '../../src/queue/payloads.js';
import {
  isProviderName,
  type Catalog,
  type DataQuality,
  type JobPlatform,
  type ObjectStore,
} from '../../src/providers/ports.js';
import {
  STEP_TITLE,
  applyStep,
  formatLoc,
  isTerminal,
  nextStep,
  partitionPrefix,
  type BackfillRecord,
  type BackfillStep,
  type Location,
  type StepEvent,
} from '../../src/domain/backfill-plan.js';
import type { BackfillStore } from '../../src/store/backfills.js';
import { backfillTimeline, refreshProgress } from '../../src/slack/actions/backfill-shared.js';
import { backfillVerified, resumedThrough } from './failed-runbook.js';

export type BackfillJob = Job<PayloadOf<'backfill'>>;

/** Thrown inside a step: the step fails with this message (no retry can fix it). */
export class StepFailure extends Error {
  override readonly name = 'StepFailure';
  readonly code = 'STEP_FAILED';
}

export interface Ctx {
  deps: Deps;
  store: BackfillStore;
  job: BackfillJob;
  token: string | undefined;
  log: Logger;
  /** The job platform's catalog (promotion by partition location), when it has one. */
  catalog(): Catalog;
  /** The job platform's data-quality engine, when it has one. */
  dataQuality(): DataQuality;
}

/** One step of the plan: does its work (or part of it) and says how the job ended. */
export type Step = (ctx: Ctx, r: BackfillRecord) => Promise<string>;

/** The backfilled job's platform; a record naming no known platform cannot go on. */
export function platformOf(deps: Deps, r: BackfillRecord): JobPlatform {
  const name = r.plan.provider;
  if (!isProviderName(name)) throw new UnrecoverableError(`backfill ${r.plan.id}: unknown platform ${name}`);
  return deps.providers.jobPlatform(name);
}

export const progressDeps = (ctx: Ctx) => ({
  slack: ctx.deps.slack,
  logger: ctx.log,
  timeline: ctx.deps.timeline,
  now: ctx.deps.now,
});

/** Apply a step event to the stored record and re-render the message. */
export async function event(
  ctx: Ctx,
  id: string,
  step: BackfillStep,
  e: StepEvent,
  extra: (r: BackfillRecord) => Partial<BackfillRecord> = () => ({}),
): Promise<BackfillRecord | undefined> {
  const next = await ctx.store.update(id, (r) => {
    if (isTerminal(r) && e.type !== 'fail') return undefined;
    if (r.steps[step].state === 'done' || r.steps[step].state === 'skipped') return undefined;
    return { ...applyStep(r, step, e), ...extra(r) };
  });
  if (next) await refreshProgress(progressDeps(ctx), next);
  return next;
}

export async function enqueueNext(ctx: Ctx, r: BackfillRecord, step: BackfillStep): Promise<void> {
  const next = nextStep(step);
  if (!next || isTerminal(r)) return;
  await ctx.deps.producers.enqueue(
    'backfill',
    { backfillId: r.plan.id, step: next, polls: 0 },
    { jobId: `backfill-${r.plan.id}-${next}` },
  );
}

export async function finish(
  ctx: Ctx,
  r: BackfillRecord,
  step: BackfillStep,
  summary: string,
  opts: { link?: string; extra?: (r: BackfillRecord) => Partial<BackfillRecord> } = {},
): Promise<string> {
  const done = await event(
    ctx,
    r.plan.id,
    step,
    { type: 'done', at: ctx.deps.now(), summary, ...(opts.link ? { link: opts.link } : {}) },
    opts.extra,
  );
  const cur = done ?? (await ctx.store.get(r.plan.id)) ?? r;
  await backfillTimeline(progressDeps(ctx), cur, `${step}-done`, `${STEP_TITLE[step]}: ${summary}`);
  if (cur.status === 'succeeded') {
    await ctx.store.release(r.plan.job, r.plan.id);
    // A resumed backfill that went through: the failed-backfill runbook's last item.
    if (cur.resumes?.length) await resumedThrough(ctx, cur);
    await backfillVerified(ctx, cur);
  }
  await enqueueNext(ctx, cur, step);
  return 'done';
}

export async function start(
  ctx: Ctx,
  r: BackfillRecord,
  step: BackfillStep,
  summary?: string,
): Promise<BackfillRecord> {
  if (r.steps[step].state !== 'pending') return r;
  const next = await event(ctx, r.plan.id, step, {
    type: 'start',
    at: ctx.deps.now(),
    ...(summary ? { summary } : {}),
  });
  if (next) await backfillTimeline(progressDeps(ctx), next, `${step}-started`, `${STEP_TITLE[step]} started`);
  return next ?? r;
}

/** Wait on a cloud run without holding the worker: re-queue this job delayed. */
export async function requeue(ctx: Ctx): Promise<never> {
  const { backfillPollMs, backfillMaxPollMs } = ctx.deps.timings;
  const polls = ctx.job.data.polls + 1;
  const delay = Math.min(backfillMaxPollMs, Math.round(backfillPollMs * 1.5 ** Math.min(polls, 20)));
  await ctx.job.updateData({ ...ctx.job.data, polls });
  await ctx.job.moveToDelayed(Date.now() + delay, ctx.token);
  throw new DelayedError();
}

export function storeFor(ctx: Ctx, loc: Location): ObjectStore {
  return ctx.deps.providers.objectStore(loc.scheme);
}

export function uri(loc: Location, key: string): string {
  return formatLoc({ ...loc, prefix: key });
}

export function partitionUri(loc: Location, dt: string): string {
  return uri(loc, partitionPrefix(loc, dt));
}
