// The backfill processor: one queue job per step of domain/backfill-plan, job id
// `backfill-<id>-<step>`.
//
// Why resumption is obvious: the record in Redis says which steps are done; a step job that finds
// its step done only (re-)enqueues the next step under its deterministic id (a no-op when it
// exists) and returns. Inside a step, every side effect is either idempotent or recorded the
// moment it completes: the snapshot's copied objects (a hash, checked before each copy), the
// staging run id (stored before polling), the approval id, the promoted partitions and their
// phase, the consumer run ids. So a worker killed anywhere resumes, through BullMQ's stalled-job
// retry, at the first thing not recorded as done, and nothing is copied or started twice.
//
// Waiting on a cloud run never holds a worker: the job re-queues itself delayed (moveToDelayed +
// DelayedError) with its poll count in job data. The approval step parks (no job) until the
// Approve button enqueues `promote`.
import { redactSecrets } from '../src/domain/redact.js';
import { DelayedError, UnrecoverableError, type Job } from 'bullmq';
import type { Deps } from '../src/deps.js';
import type { Logger } from '../src/logger.js';
import type { Processor } from '../src/queue/workers.js';
import type { PayloadOf } from '../src/queue/payloads.js';
import {
  ProviderError,
  isProviderName,
  type Catalog,
  type DataQuality,
  type JobPlatform,
  type ObjectInfo,
  type ObjectStore,
} from '../src/providers/ports.js';
import { isActive, stateLabel } from '../src/domain/run-record.js';
import {
  BACKFILL_STEPS,
  STEP_TITLE,
  applyStep,
  baselineDiff,
  datasetStats,
  formatLoc,
  isBackfillStep,
  isTerminal,
  mayRun,
  nextStep,
  partitionPrefix,
  qualityCaveats,
  qualityFindings,
  snapshotKey,
  type BackfillRecord,
  type BackfillStep,
  type Location,
  type PromotedPartition,
  type StepEvent,
} from '../src/domain/backfill-plan.js';
import { copyObjects, listPrefixes, verifySnapshot } from '../src/providers/snapshot.js';
import { dataFiles, readFacts } from '../src/providers/backfill-footers.js';
import type { BackfillStore } from '../src/store/backfills.js';
import {
  backfillApprovalParams,
  backfillApprovals,
  backfillStore,
  backfillTimeline,
  refreshProgress,
} from '../src/slack/actions/backfill-shared.js';
import { renderBackfillApproval } from '../src/slack/blocks/backfill-progress.js';
import { slackBlocks } from '../src/slack/blocks/kit.js';
import { approverPrincipals, expiryFrom, whoMayApprove } from '../src/domain/approval-policy.js';
import { resolveGroups } from '../src/slack/actions/mitigation-shared.js';
import { refreshChecklistMessage } from '../src/slack/checklist-message.js';
import { formatBytes } from '../src/domain/format.js';

/** Extra dependencies a test may inject (Deps stays as it is). */
export interface BackfillJobOptions {
  /** First poll delay of a cloud run; it grows ×1.5 per poll up to maxPollMs. */
  pollMs?: number;
  maxPollMs?: number;
}

type BackfillJob = Job<PayloadOf<'backfill'>>;

/** The backfilled job's platform; a record naming no known platform cannot go on. */
function platformOf(deps: Deps, r: BackfillRecord): JobPlatform {
  const name = r.plan.provider;
  if (!isProviderName(name)) throw new UnrecoverableError(`backfill ${r.plan.id}: unknown platform ${name}`);
  return deps.providers.jobPlatform(name);
}

/** Thrown inside a step: the step fails with this message (no retry can fix it). */
class StepFailure extends Error {
  override readonly name = 'StepFailure';
  readonly code = 'STEP_FAILED';
}

interface Ctx {
  deps: Deps;
  store: BackfillStore;
  job: BackfillJob;
  token: string | undefined;
  log: Logger;
  opts: Required<Pick<BackfillJobOptions, 'pollMs' | 'maxPollMs'>>;
  /** The job platform's catalog (promotion by partition location), when it has one. */
  catalog(): Catalog;
  /** The job platform's data-quality engine, when it has one. */
  dataQuality(): DataQuality;
}

export function createBackfillProcessor(deps: Deps, options: BackfillJobOptions = {}): Processor<'backfill'> {
  const extra = deps as Deps & { backfill?: BackfillJobOptions };
  const o = { ...extra.backfill, ...options };
  const store = backfillStore(deps.state, deps.config.env.MEDIC_PREFIX);
  return async (job, log, token) => {
    const { backfillId, step } = job.data;
    const r = await store.get(backfillId);
    if (!r) throw new UnrecoverableError(`backfill ${backfillId} is unknown`);
    const platform = () => platformOf(deps, r);
    const ctx: Ctx = {
      deps,
      store,
      job,
      token,
      log: log.child({ backfillId, step }),
      opts: { pollMs: o.pollMs ?? 1000, maxPollMs: o.maxPollMs ?? 30_000 },
      catalog: () => {
        const c = platform().catalog;
        if (!c) throw new StepFailure(`${platform().terms.platform} has no table catalog to promote with`);
        return c;
      },
      dataQuality: () => {
        const q = platform().dataQuality;
        if (!q) throw new StepFailure(`${platform().terms.platform} has no data-quality engine`);
        return q;
      },
    };
    if (step === 'rollback') return rollback(ctx, r, job.data.actor ?? 'medic', 'requested');
    if (step === 'expire') return expireApproval(ctx, r);
    if (!isBackfillStep(step)) throw new UnrecoverableError(`unknown backfill step ${step}`);
    if (r.status === 'aborted') return stopAfterAbort(ctx, r);
    if (isTerminal(r)) return 'ended';
    const s = r.steps[step];
    if (s.state === 'done' || s.state === 'skipped') {
      await enqueueNext(ctx, r, step);
      return 'already done';
    }
    if (!mayRun(r, step)) return 'not yet';
    try {
      return await STEPS[step](ctx, r);
    } catch (err) {
      if (err instanceof DelayedError) throw err;
      const final =
        err instanceof StepFailure ||
        err instanceof UnrecoverableError ||
        (err instanceof ProviderError && !err.retryable) ||
        job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
      if (!final) throw err;
      const message = err instanceof Error ? err.message : String(err);
      const failed = await event(ctx, r.plan.id, step, { type: 'fail', at: ctx.deps.now(), error: message });
      if (failed) {
        await backfillTimeline(
          progressDeps(ctx),
          failed,
          `${step}-failed`,
          `${STEP_TITLE[step]} failed: ${message}`,
        );
        if (step === 'promote') return rollback(ctx, failed, 'medic', `promotion failed: ${message}`);
        await store.release(r.plan.job, r.plan.id);
      }
      return 'failed';
    }
  };
}

const progressDeps = (ctx: Ctx) => ({
  slack: ctx.deps.slack,
  logger: ctx.log,
  timeline: ctx.deps.timeline,
  now: ctx.deps.now,
});

/** Apply a step event to the stored record and re-render the message. */
async function event(
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

async function enqueueNext(ctx: Ctx, r: BackfillRecord, step: BackfillStep): Promise<void> {
  const next = nextStep(step);
  if (!next || isTerminal(r)) return;
  await ctx.deps.producers.enqueue(
    'backfill',
    { backfillId: r.plan.id, step: next, polls: 0 },
    { jobId: `backfill-${r.plan.id}-${next}` },
  );
}

async function finish(
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
  if (cur.status === 'succeeded') await ctx.store.release(r.plan.job, r.plan.id);
  await enqueueNext(ctx, cur, step);
  return 'done';
}

async function start(
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
async function requeue(ctx: Ctx): Promise<never> {
  const polls = ctx.job.data.polls + 1;
  const delay = Math.min(ctx.opts.maxPollMs, Math.round(ctx.opts.pollMs * 1.5 ** Math.min(polls, 20)));
  await ctx.job.updateData({ ...ctx.job.data, polls });
  await ctx.job.moveToDelayed(Date.now() + delay, ctx.token);
  throw new DelayedError();
}

function storeFor(ctx: Ctx, loc: Location): ObjectStore {
  return ctx.deps.providers.objectStore(loc.scheme);
}

function uri(loc: Location, key: string): string {
  return formatLoc({ ...loc, prefix: key });
}

// ---------------------------------------------------------------------------------------------
// Steps

const STEPS: Record<BackfillStep, (ctx: Ctx, r: BackfillRecord) => Promise<string>> = {
  snapshot,
  'staging-run': stagingRun,
  quality,
  validate,
  approval,
  promote,
  consumers,
};

async function snapshot(ctx: Ctx, r0: BackfillRecord): Promise<string> {
  const r = await start(ctx, r0, 'snapshot', 'listing the window');
  const p = r.plan;
  const store = storeFor(ctx, p.input);
  const sources = dataFiles(await listPrefixes(store, p.input.container, p.inputPartitions));
  if (!sources.length)
    throw new StepFailure(
      `no input objects under ${p.inputPartitions.map((x) => uri(p.input, x)).join(', ')}`,
    );
  // Multipart uploads left by a killed worker are aborted; their objects are copied again whole.
  for (const [srcKey, uploadId] of await ctx.store.uploads(p.id)) {
    await store.abortUpload?.({ container: p.snapshot.container, key: snapshotKey(p, srcKey) }, uploadId);
    await ctx.store.setUpload(p.id, srcKey, undefined);
  }
  const done = await ctx.store.copied(p.id);
  const dstKey = (k: string) => snapshotKey(p, k);
  // Copies that completed but were not recorded (in flight when a worker died) are found at the
  // destination with the source's size and ETag, recorded, and not copied again.
  const existing = new Map(
    (await listPrefixes(storeFor(ctx, p.snapshot), p.snapshot.container, [p.snapshot.prefix])).map((o) => [
      o.key,
      o,
    ]),
  );
  for (const src of sources) {
    if (done.has(src.key)) continue;
    const there = existing.get(dstKey(src.key));
    // (S3 keeps the source's ETag on a copy; Azure gives the copy its own, so there an unrecorded
    // copy is made again — the one case a blob can be copied twice.)
    if (there && there.size === src.size && there.etag && there.etag === src.etag) {
      done.set(src.key, there.etag);
      await ctx.store.markCopied(p.id, src.key, there.etag);
    }
  }
  let lastUpdate = 0;
  const res = await copyObjects({
    store,
    objects: sources,
    srcContainer: p.input.container,
    dstContainer: p.snapshot.container,
    dstKey,
    done: new Set(done.keys()),
    onCopied: async (k, etag) => {
      done.set(k, etag);
      await ctx.store.markCopied(p.id, k, etag);
    },
    onUpload: (k, id) => ctx.store.setUpload(p.id, k, id),
    stopped: async () => (await ctx.store.get(p.id))?.status === 'aborted',
    onProgress: (pr) => {
      const now = Date.now();
      if (now - lastUpdate < 2000) return;
      lastUpdate = now;
      void ctx.store
        .update(p.id, (cur) =>
          cur.steps.snapshot.state === 'running'
            ? {
                ...cur,
                steps: {
                  ...cur.steps,
                  snapshot: {
                    ...cur.steps.snapshot,
                    summary: `${pr.copied + pr.skipped} of ${pr.total} objects copied · ${pr.concurrency} in parallel${pr.throttles ? ` · ${pr.throttles} throttled` : ''}`,
                  },
                },
              }
            : undefined,
        )
        .then((cur) => (cur ? refreshProgress(progressDeps(ctx), cur) : undefined))
        .catch(() => undefined);
    },
  });
  if (res.stopped) return stopAfterAbort(ctx, (await ctx.store.get(p.id)) ?? r);
  const copies = await listPrefixes(storeFor(ctx, p.snapshot), p.snapshot.container, [p.snapshot.prefix]);
  const verified = verifySnapshot(sources, copies, dstKey, done);
  if (!verified.ok)
    throw new StepFailure(`snapshot verification failed: ${verified.problems.slice(0, 5).join('; ')}`);
  const manifestKey = p.snapshot.prefix.replace(/[^/]+\/$/, '') + 'manifest.json';
  const manifest = {
    backfillId: p.id,
    job: p.job,
    window: { from: p.from, to: p.to },
    source: formatLoc(p.input),
    snapshot: formatLoc(p.snapshot),
    createdAt: new Date(ctx.deps.now()).toISOString(),
    count: verified.count,
    bytes: verified.bytes,
    files: sources.map((s) => ({ key: s.key, size: s.size, etag: done.get(s.key) ?? s.etag ?? '' })),
  };
  await storeFor(ctx, p.snapshot).putObject(
    p.snapshot.container,
    manifestKey,
    JSON.stringify(manifest, null, 1),
  );
  const summary = `${verified.count.toLocaleString('en-US')} objects, ${formatBytes(verified.bytes)} verified (count, bytes, ETags) · copied ${res.copied}${res.skipped ? `, ${res.skipped} already done` : ''}${res.multipart ? `, ${res.multipart} multipart` : ''} · peak ${res.peakConcurrency} in parallel${res.throttles ? `, ${res.throttles} throttled` : ''}`;
  return finish(ctx, r, 'snapshot', summary, { link: uri(p.snapshot, manifestKey) });
}

async function stagingRun(ctx: Ctx, r0: BackfillRecord): Promise<string> {
  let r = r0;
  const p = r.plan;
  const platform = platformOf(ctx.deps, r);
  if (!r.stagingRunId) {
    r = await start(ctx, r, 'staging-run', `starting ${p.stagingJob}`);
    // A worker that died between StartJobRun and recording its id left a run writing to this
    // backfill's own output: adopt it instead of starting a second one.
    const recent = await platform.listRuns(p.stagingJob, {
      maxRuns: 50,
      since: new Date(p.createdAt - 60_000),
    });
    const adopted = recent.find((x) => x.parameters.output_path === p.stagingParameters.output_path);
    const runId =
      adopted?.id ??
      (await platform.startRun(p.stagingJob, { parameters: p.stagingParameters, isolated: true }));
    const next = await ctx.store.update(p.id, (cur) =>
      cur.stagingRunId ? undefined : { ...cur, stagingRunId: runId },
    );
    r = next ?? r;
    await event(ctx, p.id, 'staging-run', {
      type: 'wait',
      at: ctx.deps.now(),
      summary: `${p.stagingJob} run started, reading the snapshot`,
      link: r.stagingRunId ?? runId,
    });
    await backfillTimeline(
      progressDeps(ctx),
      r,
      'staging-started',
      `staging run ${r.stagingRunId ?? runId} of ${p.stagingJob} started`,
    );
  }
  const runId = r.stagingRunId!;
  const run = await platform.getRun(p.stagingJob, runId);
  if (isActive(run.state)) return requeue(ctx);
  if (run.state !== 'succeeded')
    throw new StepFailure(
      `staging run ${runId} ended ${stateLabel(run)}${run.errorMessage ? `: ${redactSecrets(run.errorMessage)}` : ''}`,
    );
  return finish(ctx, r, 'staging-run', `${p.stagingJob} succeeded in ${run.durationSec} s`, {
    link: runId,
  });
}

async function windowFacts(ctx: Ctx, loc: Location, dates: string[]) {
  const store = storeFor(ctx, loc);
  const objects = dataFiles(
    await listPrefixes(
      store,
      loc.container,
      dates.map((d) => partitionPrefix(loc, d)),
    ),
  );
  return readFacts(store, loc.container, objects);
}

async function quality(ctx: Ctx, r0: BackfillRecord): Promise<string> {
  let r = await start(ctx, r0, 'quality', 'reading Parquet footers');
  const p = r.plan;
  if (!r.stats) {
    const [prodFacts, stagingFacts] = await Promise.all([
      windowFacts(ctx, p.production, p.dates),
      windowFacts(ctx, p.stagingOutput, p.dates),
    ]);
    const production = datasetStats(prodFacts, p.smallFileBytes);
    const staging = datasetStats(stagingFacts, p.smallFileBytes);
    r = (await ctx.store.update(p.id, (cur) => ({ ...cur, stats: { production, staging } }))) ?? r;
  }
  const { production, staging } = r.stats!;
  const findings = qualityFindings(production, staging, p.checks, p.tolerances);
  if (p.checks.dataQuality && p.table) {
    const dq = await dataQuality(ctx, r, Object.keys(production.schema), production.rows);
    findings.push(...dq);
  }
  if (findings.length) {
    await ctx.store.update(p.id, (cur) => ({ ...cur, qualityFindings: findings }));
    throw new StepFailure(`${findings.length} quality check(s) failed: ${findings.slice(0, 3).join('; ')}`);
  }
  const cols = Object.keys(staging.schema).length;
  const caveats = qualityCaveats(production, staging, p.checks);
  return finish(
    ctx,
    r,
    'quality',
    `schema (${cols} columns), ${staging.rows.toLocaleString('en-US')} rows, nulls and min/max of every column match production${p.checks.dataQuality && p.table ? ' · Glue Data Quality passed' : ''} (${staging.files} staging files, footers only)${caveats.length ? ` · ${caveats.join('; ')}` : ''}`,
  );
}

/** The platform's data-quality engine on the staging output: the failed rules (empty when all pass). */
async function dataQuality(
  ctx: Ctx,
  r: BackfillRecord,
  columns: string[],
  prodRows: number,
): Promise<string[]> {
  const p = r.plan;
  const dq = ctx.dataQuality();
  let runId = r.dqRunId;
  if (!runId) {
    const started = await dq.start({
      name: `medic-backfill-${p.id}`,
      database: p.table!.database,
      table: p.table!.name,
      columns,
      checks: p.checks,
      minRows: prodRows * (1 - p.tolerances.rowsPct / 100) - 1,
      runAsJob: p.stagingJob,
      location: formatLoc(p.stagingOutput),
    });
    await ctx.store.update(p.id, (cur) => (cur.dqRunId ? undefined : { ...cur, dqRunId: started }));
    runId = (await ctx.store.get(p.id))?.dqRunId ?? started;
  }
  const run = await dq.getRun(runId);
  if (isActive(run.state)) return requeue(ctx);
  if (run.state !== 'succeeded')
    return [`${dq.name} run ${runId} ended ${run.platformState}${run.error ? `: ${run.error}` : ''}`];
  const failed: string[] = [];
  for (const id of run.resultIds) {
    const res = await dq.getResult(id);
    for (const rule of res.rules)
      if (rule.result !== 'PASS')
        failed.push(`Data Quality: ${rule.name} → ${rule.result}${rule.message ? ` (${rule.message})` : ''}`);
  }
  return failed;
}

async function validate(ctx: Ctx, r0: BackfillRecord): Promise<string> {
  const r = await start(ctx, r0, 'validate');
  const p = r.plan;
  if (!r.stats) throw new StepFailure('no quality figures recorded');
  const diff = baselineDiff(r.stats.production, r.stats.staging, p.tolerances);
  await ctx.store.update(p.id, (cur) => ({ ...cur, diff }));
  const breaches = diff.filter((d) => !d.ok);
  if (breaches.length)
    throw new StepFailure(
      `tolerance breach: ${breaches.map((b) => `${b.metric} ${b.diff} (tolerance ${b.tolerance})`).join(', ')}`,
    );
  if (p.incidentId) {
    const changed = await ctx.deps.checklists.set(p.incidentId, 'backfill-staging', true, 'medic', {
      at: ctx.deps.now(),
      note: `backfill ${p.id}: staging run, quality checks and validation passed`,
      onlyIfUnset: true,
    });
    if (changed)
      await backfillTimeline(
        progressDeps(ctx),
        r,
        'checklist',
        'checklist: "Backfill staging ejecutado y checks verificados" ticked',
      );
    await refreshChecklistMessage(ctx.deps, p.incidentId).catch((err: unknown) =>
      ctx.log.warn({ err }, 'checklist refresh failed'),
    );
  }
  return finish(ctx, r, 'validate', `rows, files, bytes, small-file share and schema within tolerances`);
}

async function approval(ctx: Ctx, r0: BackfillRecord): Promise<string> {
  const p = r0.plan;
  const now = ctx.deps.now();
  if (p.dryRun) {
    await ctx.store.update(p.id, (cur) => {
      let next = cur;
      for (const s of ['approval', 'promote', 'consumers'] as const)
        next = applyStep(next, s, { type: 'skip', at: now, summary: 'dry run: nothing promoted' });
      return next;
    });
    const cur = (await ctx.store.get(p.id))!;
    await refreshProgress(progressDeps(ctx), cur);
    await backfillTimeline(
      progressDeps(ctx),
      cur,
      'dry-run-done',
      'dry run ended after validation; nothing promoted',
    );
    await ctx.store.release(p.job, p.id);
    return 'dry run';
  }
  const approvals = backfillApprovals(ctx.deps.state, ctx.deps.config.env.MEDIC_PREFIX);
  if (r0.approvalId) {
    const a = await approvals.get(r0.approvalId);
    if (a?.state === 'approved') return 'approved';
    return 'waiting';
  }
  const principals = approverPrincipals(
    ctx.deps.config.medic.slack.approvers,
    ctx.deps.config.medic.jobs[p.job]?.approvers,
  );
  const id = await approvals.newId(now);
  // Record the id first: a retry of this job finds it and posts nothing twice.
  const r = await ctx.store.update(p.id, (cur) => (cur.approvalId ? undefined : { ...cur, approvalId: id }));
  if (!r || r.approvalId !== id) return 'waiting';
  const a = await approvals.create({
    id,
    ...(p.incidentId ? { incidentId: p.incidentId } : {}),
    channel: p.channel,
    job: p.job,
    env: p.env,
    params: backfillApprovalParams(p.id),
    calls: [],
    requester: p.requester,
    reason: `promote backfill ${p.id} (${p.from} → ${p.to})`,
    approvers: principals,
    createdAt: now,
    expiresAt: expiryFrom(now, ctx.deps.config.medic.defaults.approvalExpiryMinutes),
  });
  const groups = await resolveGroups(ctx.deps.slack, principals, ctx.log);
  const msg = renderBackfillApproval(r, {
    approvalId: id,
    state: a.state,
    whoMayApprove: whoMayApprove(principals, groups, p.requester),
    expiresAt: a.expiresAt,
  });
  const posted = await ctx.deps.slack.chat.postMessage({
    channel: p.channel,
    text: msg.text,
    blocks: slackBlocks(msg.blocks),
  });
  if (posted.ts) await approvals.setMessageTs(id, posted.ts);
  const waiting = await event(ctx, p.id, 'approval', {
    type: 'wait',
    at: now,
    summary: `waiting for ${whoMayApprove(principals, groups, p.requester)}`,
  });
  await backfillTimeline(progressDeps(ctx), waiting ?? r, 'approval-requested', `approval ${id} requested`);
  // Marks the request expired when nobody decided in time (the Lua transition refuses it otherwise).
  await ctx.deps.producers.enqueue(
    'backfill',
    { backfillId: p.id, step: 'expire', polls: 0 },
    { jobId: `backfill-${p.id}-expire`, delayMs: Math.max(0, a.expiresAt - now) + 1000 },
  );
  return 'waiting for approval';
}

// ---------------------------------------------------------------------------------------------
// Promotion and rollback

function partitionUri(loc: Location, dt: string): string {
  return uri(loc, partitionPrefix(loc, dt));
}

async function backupPartition(ctx: Ctx, r: BackfillRecord, dt: string): Promise<ObjectInfo[]> {
  const p = r.plan;
  const store = storeFor(ctx, p.production);
  const current = await listPrefixes(store, p.production.container, [partitionPrefix(p.production, dt)]);
  const setId = `${p.id}-backup`;
  const done = await ctx.store.copied(setId);
  await copyObjects({
    store,
    objects: current,
    srcContainer: p.production.container,
    dstContainer: p.backup.container,
    dstKey: (k) => `${p.backup.prefix}${k}`,
    done: new Set(done.keys()),
    onCopied: (k, etag) => ctx.store.markCopied(setId, k, etag),
  });
  return current;
}

async function promote(ctx: Ctx, r0: BackfillRecord): Promise<string> {
  let r = await start(ctx, r0, 'promote', 'backing up the window');
  const p = r.plan;
  const approvals = backfillApprovals(ctx.deps.state, ctx.deps.config.env.MEDIC_PREFIX);
  const a = r.approvalId ? await approvals.get(r.approvalId) : undefined;
  if (a?.state !== 'approved') throw new StepFailure('promotion needs an approved request');
  if (r.steps.approval.state !== 'done')
    r =
      (await event(ctx, p.id, 'approval', {
        type: 'done',
        at: ctx.deps.now(),
        summary: `approved by <@${a.decidedBy ?? '?'}>`,
      })) ?? r;
  let mode = r.promoteMode;
  if (!mode) {
    let catalogued = false;
    // Without a catalog on the platform, promotion goes by copy.
    if (p.table && platformOf(ctx.deps, r).catalog) {
      const parts = await ctx.catalog().getPartitions(
        p.table.database,
        p.table.name,
        p.dates.map((d) => [d]),
      );
      catalogued = parts.length === p.dates.length;
    }
    mode = catalogued ? 'catalog' : 'copy';
    r =
      (await ctx.store.update(p.id, (cur) =>
        cur.promoteMode ? undefined : { ...cur, promoteMode: mode },
      )) ?? r;
    mode = r.promoteMode ?? mode;
  }
  const store = storeFor(ctx, p.production);
  if (mode === 'catalog') {
    const previous = await ctx.catalog().getPartitions(
      p.table!.database,
      p.table!.name,
      p.dates.map((d) => [d]),
    );
    const prevByDt = new Map(previous.map((x) => [x.values[0]!, x.location]));
    // Record what is replaced before replacing it (a retry keeps the first record).
    const promoted: PromotedPartition[] = p.dates.map((dt) => ({
      dt,
      previous: r.promoted?.find((x) => x.dt === dt)?.previous ?? prevByDt.get(dt) ?? '',
      now: partitionUri(p.stagingOutput, dt),
    }));
    r = (await ctx.store.update(p.id, (cur) => (cur.promoted ? undefined : { ...cur, promoted }))) ?? r;
    for (const dt of p.dates) await backupPartition(ctx, r, dt);
    const failed = await ctx.catalog().setPartitionLocations(
      p.table!.database,
      p.table!.name,
      r.promoted!.map((x) => ({ values: [x.dt], location: x.now })),
    );
    if (failed.length)
      throw new StepFailure(
        `BatchUpdatePartition failed for ${failed.map((f) => `${f.values.join('/')}: ${f.error}`).join('; ')}`,
      );
  } else {
    const promoted: PromotedPartition[] = r.promoted ?? [];
    for (const dt of p.dates) {
      const prodPrefix = partitionPrefix(p.production, dt);
      if (promoted.some((x) => x.dt === dt && x.now === 'done')) continue;
      // 1. keep what is there under the backup prefix (each copy recorded)
      const current = await backupPartition(ctx, r, dt);
      // 2. clear the partition (only objects the backup holds), 3. copy the staging files in
      const cleared = clearedKey(ctx, p.id, dt);
      if (!(await ctx.deps.state.get(cleared))) {
        await store.deleteObjects(
          p.production.container,
          current.map((o) => o.key),
        );
        await ctx.deps.state.set(cleared, '1', 'EX', 30 * 86_400);
      }
      const staged = dataFiles(
        await listPrefixes(storeFor(ctx, p.stagingOutput), p.stagingOutput.container, [
          partitionPrefix(p.stagingOutput, dt),
        ]),
      );
      const setId = `${p.id}-promote`;
      const done = await ctx.store.copied(setId);
      await copyObjects({
        store,
        objects: staged,
        srcContainer: p.stagingOutput.container,
        dstContainer: p.production.container,
        dstKey: (k) => prodPrefix + k.slice(partitionPrefix(p.stagingOutput, dt).length),
        done: new Set(done.keys()),
        onCopied: (k, etag) => ctx.store.markCopied(setId, k, etag),
      });
      promoted.push({ dt, previous: uri(p.backup, `${p.backup.prefix}${prodPrefix}`), now: 'done' });
      r = (await ctx.store.update(p.id, (cur) => ({ ...cur, promoted: [...promoted] }))) ?? r;
    }
  }
  const backupManifest = {
    backfillId: p.id,
    mode,
    partitions: r.promoted,
    at: new Date(ctx.deps.now()).toISOString(),
  };
  await store.putObject(
    p.backup.container,
    `${p.backup.prefix}backup.json`,
    JSON.stringify(backupManifest, null, 1),
  );
  return finish(
    ctx,
    r,
    'promote',
    mode === 'catalog'
      ? `${p.dates.length} partition(s) switched with BatchUpdatePartition; replaced objects kept under the backup prefix`
      : `${p.dates.length} partition(s) replaced by copy; previous objects kept under the backup prefix`,
    { link: uri(p.backup, p.backup.prefix) },
  );
}

async function consumers(ctx: Ctx, r0: BackfillRecord): Promise<string> {
  let r = await start(ctx, r0, 'consumers');
  const p = r.plan;
  if (!p.consumers.length) return finish(ctx, r, 'consumers', 'no consumers configured');
  const platform = platformOf(ctx.deps, r);
  for (const c of p.consumers) {
    if (r.consumerRuns?.[c]) continue;
    // Tagged with the backfill id, so a retry after a crash adopts the run instead of starting another.
    const recent = await platform.listRuns(c, { maxRuns: 50, since: new Date(p.createdAt - 60_000) });
    const id =
      recent.find((x) => x.parameters.medic_backfill === p.id)?.id ??
      (await platform.startRun(c, { parameters: { medic_backfill: p.id } }));
    r =
      (await ctx.store.update(p.id, (cur) =>
        cur.consumerRuns?.[c] ? undefined : { ...cur, consumerRuns: { ...cur.consumerRuns, [c]: id } },
      )) ?? r;
    await backfillTimeline(
      progressDeps(ctx),
      r,
      `consumer-${c}`,
      `consumer ${c} started (run ${r.consumerRuns?.[c] ?? id})`,
    );
  }
  const runs = await Promise.all(
    p.consumers.map(async (c) => [c, await platform.getRun(c, r.consumerRuns![c]!)] as const),
  );
  if (runs.some(([, run]) => isActive(run.state))) {
    if (r.steps.consumers.state !== 'waiting')
      await event(ctx, p.id, 'consumers', {
        type: 'wait',
        at: ctx.deps.now(),
        summary: `following ${runs.length} consumer run(s)`,
      });
    return requeue(ctx);
  }
  const bad = runs.filter(([, run]) => run.state !== 'succeeded');
  if (bad.length)
    throw new StepFailure(
      `${bad.map(([c, run]) => `${c} ${stateLabel(run)}${run.errorMessage ? ` (${redactSecrets(run.errorMessage)})` : ''}`).join(', ')}; the promoted data stays (Rollback is available)`,
    );
  return finish(
    ctx,
    r,
    'consumers',
    runs.map(([c, run]) => `${c} ${stateLabel(run)} in ${run.durationSec} s`).join(', '),
  );
}

/** Set once promotion has cleared a day of production (after its backup is complete). */
function clearedKey(ctx: Ctx, backfillId: string, dt: string): string {
  return `${ctx.deps.config.env.MEDIC_PREFIX}:backfill-phase:${backfillId}-cleared-${dt}`;
}

async function rollback(ctx: Ctx, r: BackfillRecord, actor: string, why: string): Promise<string> {
  const p = r.plan;
  if (r.status === 'rolled-back') return 'already rolled back';
  const promoted = r.promoted ?? [];
  const store = storeFor(ctx, p.production);
  if (r.promoteMode === 'catalog' && p.table) {
    const back = promoted.filter((x) => x.previous).map((x) => ({ values: [x.dt], location: x.previous }));
    if (back.length) {
      const failed = await ctx.catalog().setPartitionLocations(p.table.database, p.table.name, back);
      if (failed.length)
        throw new Error(`rollback of partitions failed: ${failed.map((f) => f.error).join('; ')}`);
    }
  } else {
    for (const dt of p.dates) {
      const prodPrefix = partitionPrefix(p.production, dt);
      const backupPrefix = `${p.backup.prefix}${prodPrefix}`;
      // A day is only changed once its backup is complete and it was cleared (promotion marks
      // that); a day never cleared still holds exactly its production objects: leave it alone.
      if (!(await ctx.deps.state.get(clearedKey(ctx, p.id, dt)))) continue;
      const backup = await listPrefixes(store, p.backup.container, [backupPrefix]);
      const current = await listPrefixes(store, p.production.container, [prodPrefix]);
      const keep = new Set(backup.map((b) => prodPrefix + b.key.slice(backupPrefix.length)));
      const extra = current.filter((c) => !keep.has(c.key));
      if (extra.length)
        await store.deleteObjects(
          p.production.container,
          extra.map((c) => c.key),
        );
      await copyObjects({
        store,
        objects: backup,
        srcContainer: p.backup.container,
        dstContainer: p.production.container,
        dstKey: (k) => prodPrefix + k.slice(backupPrefix.length),
        done: new Set(),
        onCopied: async () => undefined,
      });
    }
  }
  const now = ctx.deps.now();
  const next = await ctx.store.update(p.id, (cur) => ({
    ...cur,
    status: 'rolled-back',
    rolledBackBy: actor,
    failure: cur.failure ?? (actor === 'medic' ? why : undefined),
    steps: {
      ...cur.steps,
      promote: { ...cur.steps.promote, summary: `rolled back (${why})` },
      ...(cur.steps.consumers.state === 'pending'
        ? { consumers: { state: 'skipped' as const, finishedAt: now, summary: 'rolled back' } }
        : {}),
    },
    updatedAt: now,
  }));
  if (next) {
    await refreshProgress(progressDeps(ctx), next);
    await backfillTimeline(
      progressDeps(ctx),
      next,
      'rolled-back',
      `rolled back by ${actor === 'medic' ? 'medic' : `<@${actor}>`} (${why})`,
      actor,
    );
  }
  await ctx.store.release(p.job, p.id);
  return 'rolled back';
}

/** The approval's expiry: a request still pending is expired, the backfill ends unpromoted. */
async function expireApproval(ctx: Ctx, r: BackfillRecord): Promise<string> {
  const p = r.plan;
  if (!r.approvalId || r.status !== 'awaiting-approval') return 'nothing to expire';
  const approvals = backfillApprovals(ctx.deps.state, ctx.deps.config.env.MEDIC_PREFIX);
  const now = ctx.deps.now();
  const res = await approvals.transition(r.approvalId, 'expired', 'medic', now);
  if (!res.ok) return res.state === 'not-yet' ? requeue(ctx) : 'already decided';
  const a = res.approval;
  if (a.messageTs) {
    const msg = renderBackfillApproval(r, {
      approvalId: a.id,
      state: 'expired',
      whoMayApprove: whoMayApprove(a.approvers, {}, a.requester),
      expiresAt: a.expiresAt,
    });
    await ctx.deps.slack.chat
      .update({ channel: p.channel, ts: a.messageTs, text: msg.text, blocks: slackBlocks(msg.blocks) })
      .catch((err: unknown) => ctx.log.warn({ err }, 'could not update the expired approval'));
  }
  const failed = await event(ctx, p.id, 'approval', {
    type: 'fail',
    at: now,
    error: 'the approval expired; nothing promoted',
  });
  if (failed)
    await backfillTimeline(
      progressDeps(ctx),
      failed,
      'approval-expired',
      `approval ${a.id} expired; nothing promoted`,
    );
  await ctx.store.release(p.job, p.id);
  return 'expired';
}

/** After an Abort: stop the staging run if one is running, and say so. */
async function stopAfterAbort(ctx: Ctx, r: BackfillRecord): Promise<string> {
  const p = r.plan;
  if (r.stagingRunId) {
    try {
      const platform = platformOf(ctx.deps, r);
      const run = await platform.getRun(p.stagingJob, r.stagingRunId);
      if (isActive(run.state)) await platform.stopRun(p.stagingJob, r.stagingRunId);
    } catch (err) {
      ctx.log.warn({ err }, 'could not stop the staging run after an abort');
    }
  }
  await refreshProgress(progressDeps(ctx), r);
  await ctx.store.release(p.job, p.id);
  return 'aborted';
}

export { BACKFILL_STEPS };
