// The mitigation processor: executes an approved mitigation and follows it, without holding a
// worker while Glue runs. One BullMQ job per approval (its id is the approval id), stepping
//   start  → StartJobRun / UpdateJob / ResetJobBookmark, the run id recorded at once
//   poll   → GetJobRun; not finished: the job re-queues itself delayed (moveToDelayed +
//            DelayedError) with its step and poll count in job data; finished: the duration against
//            the baseline says whether the job recovered
// and, on its own job id, `expire`: marks a request nobody decided as expired when its time is up.
// The approval message is updated at every change of state and every step goes on the timeline.
import { redactSecrets } from '../src/domain/redact.js';
import { DelayedError, UnrecoverableError, type Job } from 'bullmq';
import type { Deps } from '../src/deps.js';
import type { Logger } from '../src/logger.js';
import { MitigationPayload } from '../src/queue/payloads.js';
import {
  ProviderError,
  RUN_TAG_PARAMETER,
  type JobPlatform,
  type JobRun,
  type PlannedAction,
} from '../src/providers/ports.js';
import { ApprovalStore, type Approval, type Execution } from '../src/store/approvals.js';
import type { TimelineEntry } from '../src/store/timeline.js';
import { recoveryVerdict } from '../src/domain/approval-policy.js';
import { evaluateDegradation } from '../src/domain/degradation.js';
import { isActive, stateLabel } from '../src/domain/run-record.js';
import { degradationFor, jobProvider } from '../src/config/index.js';
import { KIND_TITLE, renderApproval } from '../src/slack/blocks/approval-request.js';
import { slackBlocks } from '../src/slack/blocks/kit.js';
import { formatDuration } from '../src/domain/format.js';
import { followNextRun } from './follow-up.js';
import { followsNextRun, startFollowUp } from '../src/queue/follow-up.js';
import { REFUSED_CODES } from '../src/domain/mitigation-retry.js';

export function createMitigationProcessor(deps: Deps) {
  return async (job: Job, log: Logger, token?: string): Promise<{ state: string }> => {
    const p = MitigationPayload.parse(job.data);
    // The job's next run after a mitigation (its own record: a code fix has no approval).
    if (p.step === 'follow') return followNextRun(deps, job, p, log, token);
    const store = new ApprovalStore(deps.state, deps.config.env.MEDIC_PREFIX);
    const a = await store.get(p.approvalId);
    if (!a) {
      log.warn({ approvalId: p.approvalId }, 'mitigation for an unknown approval');
      return { state: 'missing' };
    }
    const run = new Mitigation(deps, store, job, p, log, token, a);
    if (p.step === 'expire') return run.expire(a);
    // Never execute what is not approved, whatever put the job on the queue.
    if (a.state !== 'approved') throw new UnrecoverableError(`approval ${a.id} is ${a.state}, not approved`);
    if (p.step === 'poll') return run.poll(a);
    return run.start(a);
  };
}

class Mitigation {
  constructor(
    private readonly deps: Deps,
    private readonly store: ApprovalStore,
    private readonly job: Job,
    private readonly p: MitigationPayload,
    private readonly log: Logger,
    private readonly token: string | undefined,
    private readonly approval: Approval,
  ) {}

  private get platform(): JobPlatform {
    const a = this.approval;
    return this.deps.providers.jobPlatform(jobProvider(this.deps.config.medic, a.job, a.provider));
  }

  private now(): number {
    return this.deps.now();
  }

  async expire(a: Approval): Promise<{ state: string }> {
    const res = await this.store.transition(a.id, 'expired', 'medic', this.now());
    if (res.ok) {
      await this.publish(res.approval);
      await this.record(
        a,
        'note',
        `Approval ${a.id} expired without a decision: ${KIND_TITLE[a.params.kind]} on ${a.job}`,
        `approval-expired-${a.id}`,
      );
      return { state: 'expired' };
    }
    // Fired early (clock skew): look again at the expiry time.
    if (res.state === 'not-yet') {
      await this.later({ ...this.p }, Math.max(1000, a.expiresAt - this.now()));
    }
    return { state: res.state };
  }

  async start(a: Approval): Promise<{ state: string }> {
    const ex = a.execution;
    if (ex && ex.state !== 'starting') {
      // A retry after the start was recorded: carry on following, never start twice.
      if (ex.state === 'running') return this.later({ ...this.p, step: 'poll', runId: ex.runId });
      await this.followIfNeeded(a, ex);
      return { state: ex.state };
    }
    const call = a.calls[0];
    if (!call) {
      await this.finish(a, { state: 'succeeded', note: 'Nothing to call.', polls: 0 });
      return { state: 'succeeded' };
    }
    const startedAt = ex?.startedAt ?? this.now();
    if (a.dryRun) {
      await this.finish(a, {
        state: 'dry-run',
        jobName: call.jobName,
        startedAt,
        finishedAt: this.now(),
        polls: 0,
      });
      return { state: 'dry-run' };
    }
    const retries = ex?.retries;
    if (ex?.state === 'starting' && call.effect === 'run' && !ex.afresh) {
      // The previous attempt died during StartJobRun, or a Retry of one that could not run: adopt
      // the run it may have started. A Retry makes the call again only when the platform shows
      // no run (a failed look fails this attempt instead of guessing).
      const found = await this.adoptRun(a.id, call.jobName, startedAt, Boolean(retries?.length));
      if (found.runId) return this.running(a, call, found.runId, startedAt, true);
      if (found.unidentified) {
        const error = {
          code: 'UNIDENTIFIED_RUN',
          message: `run ${found.unidentified} of ${call.jobName} started since approval ${a.id} was first executed, and ${this.platform.terms.platform} runs carry no approval id to tell whether it is this approval's: it was not adopted and no second run was started. Check that run; request again if it is not this one.`,
        };
        await this.finish(a, {
          state: 'error',
          jobName: call.jobName,
          startedAt,
          finishedAt: this.now(),
          error,
          unidentifiedRunId: found.unidentified,
          ...(retries ? { retries } : {}),
          polls: 0,
        });
        return { state: 'error' };
      }
    }
    await this.store.setExecution(a.id, {
      state: 'starting',
      jobName: call.jobName,
      startedAt,
      polls: 0,
      ...(retries ? { retries } : {}),
    });
    await this.record(
      a,
      'mitigation-start',
      `Executing approval ${a.id}: ${call.description}`,
      `mitigation-start-${a.id}${attemptSuffix(a)}`,
    );
    try {
      // The run carries the approval's id, so a later attempt can find exactly this run.
      const out = await this.platform.execute(call, { tag: a.id });
      if (call.effect === 'run') {
        if (!out.runId) throw new ProviderError('UNAVAILABLE', `${call.operation} returned no run id`);
        return await this.running(a, call, out.runId, startedAt);
      }
      await this.finish(a, {
        state: 'succeeded',
        jobName: call.jobName,
        startedAt,
        finishedAt: this.now(),
        ...(call.doneNote || this.follows(a)
          ? {
              note: [call.doneNote, this.follows(a) ? this.followNote(a) : undefined]
                .filter(Boolean)
                .join(' '),
            }
          : {}),
        polls: 0,
      });
      return { state: 'succeeded' };
    } catch (err) {
      if (err instanceof DelayedError) throw err;
      const error = describeFailure(err, call, this.platform.terms.short);
      this.log.warn({ err, approvalId: a.id, call: call.operation }, 'mitigation could not run');
      await this.finish(a, {
        state: 'error',
        jobName: call.jobName,
        startedAt,
        finishedAt: this.now(),
        error,
        ...(err instanceof ProviderError && REFUSED_CODES.has(err.code) ? { notApplied: true } : {}),
        ...(retries ? { retries } : {}),
        polls: 0,
      });
      return { state: 'error' };
    }
  }

  async poll(a: Approval): Promise<{ state: string }> {
    const ex = a.execution;
    if (!ex?.runId || !ex.jobName) return { state: ex?.state ?? 'unknown' };
    if (ex.state !== 'running') {
      await this.followIfNeeded(a, ex);
      return { state: ex.state };
    }
    const polls = (this.p.polls ?? 0) + 1;
    let run: JobRun;
    try {
      run = await this.platform.getRun(ex.jobName, ex.runId);
    } catch (err) {
      if (err instanceof ProviderError && err.retryable && polls < this.deps.timings.mitigationMaxPolls) {
        this.log.warn({ err, approvalId: a.id }, 'GetJobRun failed; polling again later');
        return this.later({ ...this.p, step: 'poll', polls });
      }
      await this.finish(a, {
        ...ex,
        state: 'error',
        error: describeFailure(err, undefined, this.platform.terms.short),
        finishedAt: this.now(),
        polls,
      });
      return { state: 'error' };
    }
    const runState = stateLabel(run);
    if (isActive(run.state)) {
      if (runState !== ex.runState) {
        const next: Execution = { ...ex, runState, polls };
        await this.store.setExecution(a.id, next);
        await this.publish({ ...a, execution: next });
      }
      if (polls >= this.deps.timings.mitigationMaxPolls) {
        await this.finish(a, {
          ...ex,
          state: 'error',
          runState,
          error: {
            code: 'STILL_RUNNING',
            message: `Run ${run.id} is still ${runState} after ${polls} checks; the bot stopped following it. Look at it in the ${this.platform.terms.platform} console.`,
          },
          polls,
        });
        return { state: 'error' };
      }
      return this.later({ ...this.p, step: 'poll', polls });
    }
    const durationSec = run.durationSec;
    if (run.state !== 'succeeded') {
      await this.finish(a, {
        ...ex,
        state: 'failed',
        runState,
        durationSec,
        finishedAt: this.now(),
        ...(run.errorMessage ? { error: { code: runState, message: redactSecrets(run.errorMessage) } } : {}),
        polls,
      });
      return { state: 'failed' };
    }
    // A recovery rerun runs only from the failed step: its duration is not a whole run's.
    const partial = a.params.kind === 'recovery-rerun' ? a.params : undefined;
    const verdict = ex.jobName === a.job && !partial ? await this.recovery(a, run) : undefined;
    await this.finish(
      a,
      {
        ...ex,
        state: 'succeeded',
        runState,
        durationSec,
        finishedAt: this.now(),
        ...(verdict ?? {}),
        ...(ex.jobName !== a.job
          ? { note: `${a.job} recovers on its next run. ${this.followNote(a)}` }
          : partial
            ? {
                note: `The failed run ${partial.runId} is recovered. A recovery rerun repeats only the steps from where it failed, so its duration is not compared with the baseline. ${this.followNote(a)}`,
              }
            : {}),
        polls,
      },
      run.completedOn,
    );
    return { state: 'succeeded' };
  }

  /** The rerun's duration against the job's baseline (the runs before it, the job's rule). */
  private async recovery(
    a: Approval,
    run: JobRun,
  ): Promise<
    | Pick<Execution, 'baselineSec' | 'recovered' | 'verdict' | 'pctVsBaseline' | 'suspiciousReason'>
    | undefined
  > {
    const cfg = this.deps.config.medic;
    const rule = degradationFor(cfg, a.job);
    try {
      const runs = (await this.platform.listRuns(a.job, { maxRuns: cfg.defaults.maxRuns })).filter(
        (r) => r.id !== run.id,
      );
      const baselineSec = evaluateDegradation(runs, rule).baselineDurationSec;
      if (baselineSec === undefined || baselineSec <= 0) return undefined;
      const v = recoveryVerdict(run.durationSec, baselineSec, rule.thresholdPct);
      return {
        baselineSec,
        recovered: v.recovered,
        verdict: v.verdict,
        pctVsBaseline: v.pctVsBaseline,
        ...(v.suspiciousReason ? { suspiciousReason: v.suspiciousReason } : {}),
      };
    } catch (err) {
      this.log.warn({ err, approvalId: a.id }, 'could not read the baseline to judge recovery');
      return undefined;
    }
  }

  private async running(a: Approval, call: PlannedAction, runId: string, startedAt: number, adopted = false) {
    const retries = a.execution?.retries;
    const execution: Execution = {
      state: 'running',
      jobName: call.jobName,
      runId,
      runState: 'starting',
      startedAt,
      polls: 0,
      ...(retries ? { retries } : {}),
    };
    await this.store.setExecution(a.id, execution);
    await this.publish({ ...a, execution });
    await this.record(
      a,
      'mitigation-start',
      adopted
        ? `Run ${runId} of ${call.jobName} found, started for approval ${a.id} (it carries the approval id) by an earlier attempt: followed, no second run started (${KIND_TITLE[a.params.kind]})`
        : `Run ${runId} of ${call.jobName} started for approval ${a.id} (${KIND_TITLE[a.params.kind]})`,
      `mitigation-run-${a.id}${attemptSuffix(a)}`,
    );
    return this.later({ ...this.p, step: 'poll', runId, polls: 0 });
  }

  /**
   * The run an earlier attempt started: the one carrying this approval's id (never one found by
   * its start time alone — someone else's run of the same minute is not ours). On a platform whose
   * runs carry no id, a run since the first attempt is reported as unidentified instead.
   */
  private async adoptRun(
    approvalId: string,
    jobName: string,
    since: number,
    strict: boolean,
  ): Promise<{ runId?: string; unidentified?: string }> {
    try {
      const from = since - 60_000;
      const runs = (await this.platform.listRuns(jobName, { maxRuns: 50, since: new Date(from) })).filter(
        (r) => r.startedOn.getTime() >= from,
      );
      if (this.platform.tagsRuns)
        return { runId: runs.find((r) => r.parameters[RUN_TAG_PARAMETER] === approvalId)?.id };
      return runs[0] ? { unidentified: runs[0].id } : {};
    } catch (err) {
      if (strict) throw err;
      return {};
    }
  }

  private async finish(a: Approval, ex: Execution, endedAt?: Date): Promise<void> {
    const retries = a.execution?.retries;
    const execution: Execution = retries && !ex.retries ? { ...ex, retries } : ex;
    await this.store.setExecution(a.id, execution);
    await this.publish({ ...a, execution });
    await this.record(
      a,
      'mitigation-result',
      resultText(a, execution),
      `mitigation-result-${a.id}${attemptSuffix(a)}`,
    );
    await this.followIfNeeded(a, execution, endedAt);
  }

  /** Its effect shows on the job's next run (not on a rerun of its own the bot already judged). */
  private follows(a: Approval): boolean {
    return !a.dryRun && followsNextRun(a.params.kind, a.params.kind === 'scale' && a.params.persistent);
  }

  private followNote(a: Approval): string {
    return `The bot follows the next run of ${a.job} (for up to ${this.deps.config.medic.defaults.followNextRunHours} h) and posts its verdict against the baseline in this thread.`;
  }

  /**
   * Once the mitigation succeeded, follow the job's next run (idempotent: the record is written
   * once and the look has a deterministic job id, so a retry of this job follows once).
   */
  private async followIfNeeded(a: Approval, ex: Execution, endedAt?: Date): Promise<void> {
    if (ex.state !== 'succeeded' || !this.follows(a)) return;
    try {
      await startFollowUp(
        this.deps,
        {
          id: a.id,
          job: a.job,
          ...(a.provider ? { provider: a.provider } : {}),
          env: a.env,
          kind: a.params.kind,
          ...(a.incidentId ? { incidentId: a.incidentId } : {}),
          approvalId: a.id,
          channel: a.channel,
          ...(a.messageTs ? { messageTs: a.messageTs } : {}),
          since: ex.finishedAt ?? this.now(),
          ...(ex.runId && ex.jobName === a.job ? { excludeRunId: ex.runId } : {}),
        },
        this.platform,
        endedAt,
      );
    } catch (err) {
      this.log.warn({ err, approvalId: a.id }, 'could not start following the next run');
      throw err;
    }
  }

  /** An entry on the request's incident timeline (once per key); nothing without an incident. */
  private async record(a: Approval, kind: TimelineEntry['kind'], text: string, key: string): Promise<void> {
    if (!a.incidentId) return;
    await this.deps.timeline.append(
      a.incidentId,
      { at: this.now(), kind, actor: 'medic', job: a.job, text },
      key,
    );
  }

  private async publish(a: Approval): Promise<void> {
    if (!a.messageTs) return;
    const msg = renderApproval(a);
    try {
      await this.deps.slack.chat.update({
        channel: a.channel,
        ts: a.messageTs,
        text: msg.text,
        blocks: slackBlocks(msg.blocks),
      });
    } catch (err) {
      // The state is in Redis; the next update (or the final one) shows it.
      this.log.warn({ err, approvalId: a.id }, 'could not update the approval message');
    }
  }

  /**
   * Re-queue this job delayed, its step and counters in job data; frees the worker. The wait is
   * `defaults.runPollSeconds` (30 s: Glue runs last minutes) unless given.
   */
  private async later(data: MitigationPayload, delayMs = this.deps.timings.mitigationPollMs): Promise<never> {
    await this.job.updateData(data);
    await this.job.moveToDelayed(Date.now() + delayMs, this.token);
    throw new DelayedError();
  }
}

/** Timeline keys of a retried execution differ from the first attempt's (`-retry2`…). */
function attemptSuffix(a: Approval): string {
  const n = a.execution?.retries?.length ?? 0;
  return n ? `-retry${n}` : '';
}

function resultText(a: Approval, ex: Execution): string {
  const what = `${KIND_TITLE[a.params.kind]} on ${a.job} (approval ${a.id})`;
  const run = ex.runId ? ` run ${ex.runId}` : '';
  switch (ex.state) {
    case 'succeeded': {
      const d = ex.durationSec !== undefined ? ` in ${formatDuration(ex.durationSec)}` : '';
      const rec =
        ex.recovered === undefined
          ? ''
          : ex.recovered
            ? `; recovered (baseline ${formatDuration(ex.baselineSec ?? 0)})`
            : `; not recovered (baseline ${formatDuration(ex.baselineSec ?? 0)})`;
      return `${what} succeeded${run}${d}${rec}${ex.note ? `. ${ex.note}` : ''}`;
    }
    case 'failed':
      return `${what} failed:${run} ended ${ex.runState ?? 'failed'}${ex.error ? ` — ${ex.error.message}` : ''}`;
    case 'dry-run':
      return `${what} approved as a dry run (dev): no call was made (${a.calls.map((c) => c.description).join('; ')})`;
    default:
      return `${what} could not run: ${ex.error?.message ?? 'unknown error'}`;
  }
}

/** A failure in words that name the vendor code and, for access, the permission to grant. */
export function describeFailure(
  err: unknown,
  call: PlannedAction | undefined,
  platform: string,
): NonNullable<Execution['error']> {
  const target = call ? ` on ${call.jobName}` : '';
  if (err instanceof ProviderError) {
    const vendor = vendorCode(err.cause);
    switch (err.code) {
      case 'CONCURRENT_RUNS':
        return {
          code: vendor ?? 'ConcurrentRunsExceededException',
          message: `${platform} refused ${call?.operation ?? 'the call'}${target}: ${vendor ?? 'ConcurrentRunsExceededException'} — ${err.message}. Wait for the running run to end (or raise MaxConcurrentRuns), then request again.`,
        };
      case 'ACCESS_DENIED':
        return {
          code: vendor ?? 'AccessDeniedException',
          message: `Access denied: the bot's role may not call ${err.action ?? call?.operation ?? 'this action'}${target} (${vendor ?? 'AccessDeniedException'}).`,
          ...(err.action ? { action: err.action } : call ? { action: call.operation } : {}),
        };
      case 'NOT_FOUND':
        return { code: vendor ?? 'EntityNotFoundException', message: err.message };
      default:
        return { code: vendor ?? err.code, message: err.message };
    }
  }
  return { code: 'ERROR', message: err instanceof Error ? err.message : String(err) };
}

function vendorCode(cause: unknown): string | undefined {
  const name = (cause as { name?: unknown } | undefined)?.name;
  return typeof name === 'string' && name !== 'Error' ? name : undefined;
}
