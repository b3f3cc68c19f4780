// The follow-up of a mitigation whose effect shows on the job's next run (compaction, bookmark
// reset, persistent scale, a partial recovery rerun, a recorded code fix). One delayed BullMQ job
// per follow-up, its id `<follow-up id>-follow`; each look is one short step:
//   - the job's runs are listed; the first one started after the mitigation is "the next run";
//   - none yet, or still running: the job re-queues itself delayed (moveToDelayed + DelayedError),
//     its look count in the follow-up record, so no worker is held; after the horizon
//     (`defaults.followNextRunHours`) it says it stopped following;
//   - finished: its duration (and input read, when the platform's metrics say) against the
//     baseline of the runs before it gives recovered / not recovered / suspicious, posted once on
//     the approval message, in its thread (with Move to monitoring / Resolve when recovered) and
//     on the incident timeline.
import { DelayedError, type Job } from 'bullmq';
import type { Deps } from '../src/deps.js';
import type { Logger } from '../src/logger.js';
import type { MitigationPayload } from '../src/queue/payloads.js';
import { followUpStore } from '../src/queue/follow-up.js';
import { ProviderError, type JobPlatform, type JobRun } from '../src/providers/ports.js';
import { FINAL_FOLLOW_STATES, type FollowUp } from '../src/store/followups.js';
import { ApprovalStore } from '../src/store/approvals.js';
import { recoveryVerdict } from '../src/domain/approval-policy.js';
import { evaluateDegradation } from '../src/domain/degradation.js';
import { isActive, stateLabel } from '../src/domain/run-record.js';
import { redactSecrets } from '../src/domain/redact.js';
import { formatDuration } from '../src/domain/format.js';
import { degradationFor, jobProvider } from '../src/config/index.js';
import { renderApproval } from '../src/slack/blocks/approval-request.js';
import { renderFollowUpReply } from '../src/slack/blocks/follow-up.js';
import { slackBlocks } from '../src/slack/blocks/kit.js';

export async function followNextRun(
  deps: Deps,
  job: Job,
  p: MitigationPayload,
  log: Logger,
  token: string | undefined,
): Promise<{ state: string }> {
  const store = followUpStore(deps);
  const f = await store.get(p.approvalId);
  if (!f) {
    log.warn({ followId: p.approvalId }, 'follow-up for an unknown record');
    return { state: 'missing' };
  }
  if (FINAL_FOLLOW_STATES.includes(f.state)) {
    // A retry after the verdict was stored: make sure it was posted, nothing else.
    await publish(deps, f, log);
    return { state: f.state };
  }
  const cfg = deps.config.medic;
  const platform = deps.providers.jobPlatform(jobProvider(cfg, f.job, f.provider));
  const checks = f.checks + 1;
  const later = async (next: FollowUp): Promise<never> => {
    await store.put(next);
    await job.moveToDelayed(Date.now() + deps.timings.followPollMs, token);
    throw new DelayedError();
  };
  let runs: JobRun[];
  try {
    runs = await platform.listRuns(f.job, { maxRuns: cfg.defaults.maxRuns });
  } catch (err) {
    if (err instanceof ProviderError && err.retryable && checks < f.maxChecks) {
      log.warn({ err, followId: f.id }, 'could not list runs; looking again later');
      return later({ ...f, checks });
    }
    if (checks < f.maxChecks) throw err;
    return conclude(deps, { ...f, checks, state: 'gave-up' }, log);
  }
  // Newest first: the next run is the oldest started at or after the mitigation.
  const known = new Set(f.knownRunIds);
  const after = runs.filter(
    (r) => !known.has(r.id) && r.id !== f.excludeRunId && r.startedOn.getTime() >= (f.watermarkMs ?? f.since),
  );
  const next = after[after.length - 1];
  if (!next || isActive(next.state)) {
    if (checks >= f.maxChecks) return conclude(deps, { ...f, checks, state: 'gave-up' }, log);
    const waiting: FollowUp = next
      ? { ...f, checks, state: 'running', runId: next.id, runState: stateLabel(next) }
      : { ...f, checks };
    if (f.checks === 0 || waiting.state !== f.state || waiting.runId !== f.runId) {
      await store.put(waiting);
      await updateApprovalMessage(deps, waiting, log);
    }
    return later(waiting);
  }
  const base = { ...f, checks, runId: next.id, runState: stateLabel(next), durationSec: next.durationSec };
  if (next.state !== 'succeeded') {
    return conclude(
      deps,
      {
        ...base,
        state: 'failed',
        ...(next.errorMessage ? { detail: redactSecrets(next.errorMessage) } : {}),
      },
      log,
    );
  }
  const before = runs.filter((r) => r.startedOn.getTime() < next.startedOn.getTime());
  const rule = degradationFor(cfg, f.job);
  const baselineSec = evaluateDegradation(before, rule).baselineDurationSec;
  if (baselineSec === undefined || baselineSec <= 0) {
    // Nothing to compare with: say what it took, count it as not proven.
    return conclude(deps, { ...base, state: 'not-recovered', detail: 'no baseline' }, log);
  }
  const input = await inputRead(deps, platform, f, next, before, log);
  const v = recoveryVerdict(next.durationSec, baselineSec, rule.thresholdPct, input);
  return conclude(
    deps,
    {
      ...base,
      state: v.verdict,
      baselineSec,
      pctVsBaseline: v.pctVsBaseline,
      ...(v.suspiciousReason ? { detail: v.suspiciousReason } : {}),
    },
    log,
  );
}

/** Bytes the run read and the median of the baseline runs', when the platform's metrics have them. */
async function inputRead(
  deps: Deps,
  platform: JobPlatform,
  f: FollowUp,
  run: JobRun,
  before: JobRun[],
  log: Logger,
): Promise<{ bytes?: number; baselineBytes?: number }> {
  const source = deps.providers.metrics(platform.provider);
  if (!source) return {};
  const baseline = before.filter((r) => r.state === 'succeeded').slice(0, 5);
  if (!baseline.length) return {};
  try {
    const res = await source.runMetrics(f.job, [run, ...baseline]);
    const total = (i: number): number | undefined => {
      const s = res[i]?.series.find((x) => x.name === 'bytesRead');
      return s && s.points.length ? s.points.reduce((n, pt) => n + pt.value, 0) : undefined;
    };
    const bytes = total(0);
    const others = baseline.map((_, i) => total(i + 1)).filter((x): x is number => x !== undefined);
    if (bytes === undefined || !others.length) return {};
    others.sort((a, b) => a - b);
    return { bytes, baselineBytes: others[Math.floor(others.length / 2)]! };
  } catch (err) {
    log.warn({ err, followId: f.id }, 'could not read the input metrics of the next run');
    return {};
  }
}

async function conclude(deps: Deps, f: FollowUp, log: Logger): Promise<{ state: string }> {
  const store = followUpStore(deps);
  await store.put(f);
  if (f.incidentId) {
    await deps.timeline.append(
      f.incidentId,
      { at: deps.now(), kind: 'mitigation-result', actor: 'medic', text: timelineText(f) },
      `followup-${f.id}`,
    );
  }
  await publish(deps, f, log);
  return { state: f.state };
}

function timelineText(f: FollowUp): string {
  const run = f.runId ? `run ${f.runId}` : 'no run';
  const vs =
    f.baselineSec !== undefined && f.durationSec !== undefined && f.pctVsBaseline !== undefined
      ? `${formatDuration(f.durationSec)} against a baseline of ${formatDuration(f.baselineSec)} (${f.pctVsBaseline >= 0 ? '+' : ''}${f.pctVsBaseline.toFixed(0)}%)`
      : f.durationSec !== undefined
        ? formatDuration(f.durationSec)
        : '';
  const after = `after ${f.approvalId ? `approval ${f.approvalId}` : 'the recorded code fix'}`;
  switch (f.state) {
    case 'recovered':
      return `Next run of ${f.job} ${after}: recovered — ${run}, ${vs}`;
    case 'not-recovered':
      return `Next run of ${f.job} ${after}: not recovered — ${run}, ${vs}`;
    case 'suspicious':
      return `Next run of ${f.job} ${after}: suspicious, check its input and output — ${run}, ${vs}${f.detail ? ` (${f.detail})` : ''}`;
    case 'failed':
      return `Next run of ${f.job} ${after}: failed — ${run} ended ${f.runState ?? 'failed'}${f.detail ? ` (${f.detail})` : ''}`;
    default:
      return `Stopped following ${f.job} ${after}: no new run finished within ${f.checks} checks`;
  }
}

/** Message metadata of a verdict reply: how a re-run finds the reply an earlier attempt posted. */
export const VERDICT_EVENT = 'medic_followup_verdict';

/**
 * The approval message shows the follow-up; the thread gets the verdict exactly once. A worker can
 * die between posting and recording the reply's ts, so the post is claimed in Redis first: a
 * re-run that finds the claim but no recorded reply looks in the thread for a message carrying
 * this follow-up's metadata and records it instead of posting again; only when there is none (the
 * earlier attempt died before its post reached Slack) does it post.
 */
async function publish(deps: Deps, f: FollowUp, log: Logger): Promise<void> {
  await updateApprovalMessage(deps, f, log);
  if (f.replyTs || !f.messageTs) return;
  const claim = `${deps.config.env.MEDIC_PREFIX}:followup-reply:${f.id}`;
  const first = (await deps.state.set(claim, String(deps.now()), 'EX', 30 * 86_400, 'NX')) === 'OK';
  if (!first) {
    const posted = await findVerdictReply(deps, f);
    if (posted) {
      log.info({ followId: f.id, ts: posted }, 'the verdict was posted before; recorded, not posted again');
      await recordReply(deps, f.id, posted);
      return;
    }
  }
  const incident = f.incidentId ? await deps.incidents.get(f.incidentId) : undefined;
  const msg = renderFollowUpReply(f, { incidentOpen: !!incident && incident.status !== 'resolved' });
  const res = await deps.slack.chat.postMessage({
    channel: f.channel,
    thread_ts: f.messageTs,
    text: msg.text,
    blocks: slackBlocks(msg.blocks),
    unfurl_links: false,
    metadata: { event_type: VERDICT_EVENT, event_payload: { follow_up: f.id } },
  });
  if (res.ts) await recordReply(deps, f.id, res.ts);
}

/** The ts of this follow-up's verdict in the approval message's thread, if one was posted. */
async function findVerdictReply(deps: Deps, f: FollowUp): Promise<string | undefined> {
  let cursor: string | undefined;
  for (let page = 0; page < 10; page++) {
    const res = await deps.slack.conversations.replies({
      channel: f.channel,
      ts: f.messageTs!,
      include_all_metadata: true,
      limit: 200,
      ...(cursor ? { cursor } : {}),
    });
    const hit = (res.messages ?? []).find(
      (m) =>
        m.metadata?.event_type === VERDICT_EVENT &&
        (m.metadata.event_payload as Record<string, unknown> | undefined)?.follow_up === f.id,
    );
    if (hit?.ts) return hit.ts;
    cursor = res.response_metadata?.next_cursor || undefined;
    if (!res.has_more || !cursor) return undefined;
  }
  return undefined;
}

/** The reply's ts on the stored record (read again: the record may have moved on meanwhile). */
async function recordReply(deps: Deps, id: string, ts: string): Promise<void> {
  const store = followUpStore(deps);
  const cur = await store.get(id);
  if (cur && !cur.replyTs) await store.put({ ...cur, replyTs: ts });
}

async function updateApprovalMessage(deps: Deps, f: FollowUp, log: Logger): Promise<void> {
  if (!f.approvalId) return;
  const a = await new ApprovalStore(deps.state, deps.config.env.MEDIC_PREFIX).get(f.approvalId);
  if (!a?.messageTs) return;
  const msg = renderApproval(a, f, deps.config.medic.defaults.followNextRunHours);
  try {
    await deps.slack.chat.update({
      channel: a.channel,
      ts: a.messageTs,
      text: msg.text,
      blocks: slackBlocks(msg.blocks),
    });
  } catch (err) {
    log.warn({ err, followId: f.id }, 'could not update the approval message');
  }
}
