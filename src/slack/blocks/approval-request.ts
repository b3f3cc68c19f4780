// Approval requests of mitigations in Block Kit (pure: approval in, blocks out). One message per
// request, updated in place through its life: pending (Approve / Reject with confirm dialogs),
// then approved / rejected / expired with the buttons gone, then running → succeeded | failed.
// Everything that came from a user or a cloud is escaped.
import { z } from 'zod';
import { code, escapeMrkdwn, slackDate, truncate } from '../mrkdwn.js';
import { actions, button, context, fields, header, section, type Block } from './kit.js';
import { mention, type MitigationKind, type MitigationParams } from '../../domain/approval-policy.js';
import { RUN_TAG_PARAMETER, type PlannedAction } from '../../providers/ports.js';
import { PROVIDER_NAMES } from '../../providers/names.js';

import { formatBytes, formatDuration } from '../../domain/format.js';
import type { Approval } from '../../store/approvals.js';
import type { FollowUp } from '../../store/followups.js';
import { followUpLine } from './follow-up.js';
import { mitigationRetry } from '../../domain/mitigation-retry.js';

export const APPROVE_ACTION = 'medic.mitigation.approve';
export const REJECT_ACTION = 'medic.mitigation.reject';
export const MITIGATION_RETRY_ACTION = 'medic.mitigation.retry';
export const REQUEST_ACTION_PREFIX = 'medic.mitigation.request.';

// ---------------------------------------------------------------------------------------------
// The triage report's button value: what the click needs to open the modal without a slow call.

export const RequestValue = z.object({
  /** Incident id. */
  i: z.string().max(64).optional(),
  /** Job name. */
  j: z.string().min(1).max(255),
  /** The job's platform (provider name). */
  p: z.enum(PROVIDER_NAMES).optional(),
  /** Finding id. */
  f: z.string().max(64).optional(),
  /** Environment of the job. */
  e: z.string().max(16).optional(),
  /** Current worker count and size (the job definition triage read). */
  w: z.number().int().positive().optional(),
  t: z.string().max(16).optional(),
  /** Input location. */
  in: z.string().max(1024).optional(),
  /** A run id from the finding (bookmark reset target, the failed run of a recovery rerun). */
  r: z.string().max(255).optional(),
  /** The step a failed run failed at (recovery rerun). */
  a: z.string().max(255).optional(),
});
export type RequestValue = z.infer<typeof RequestValue>;

/** Compact JSON, always within a button value's 2,000 characters (the input is dropped first). */
export function encodeRequestValue(v: RequestValue): string {
  const clean = Object.fromEntries(Object.entries(v).filter(([, x]) => x !== undefined && x !== ''));
  let s = JSON.stringify(clean);
  if (s.length > 2000) {
    delete clean.in;
    s = JSON.stringify(clean);
  }
  return s;
}

export function decodeRequestValue(s: string | undefined): RequestValue | undefined {
  if (!s) return undefined;
  try {
    const r = RequestValue.safeParse(JSON.parse(s));
    return r.success ? r.data : undefined;
  } catch {
    return undefined;
  }
}

// ---------------------------------------------------------------------------------------------

export const KIND_TITLE: Record<MitigationKind, string> = {
  compaction: 'Run compaction',
  scale: 'Scale workers',
  'shuffle-tuning': 'Tune shuffle / skew',
  'bookmark-reset': 'Reset job bookmark',
  'code-fix': 'Record code fix',
  'recovery-rerun': 'Rerun from the failed step',
};

function workersText(type: string | undefined, n: number | undefined): string {
  return n !== undefined ? `${n} × ${type ?? '?'}` : (type ?? 'unknown');
}

/** What will happen, in a sentence or two. */
export function describeMitigation(
  job: string,
  p: MitigationParams,
  calls: readonly PlannedAction[] = [],
): string {
  const j = code(job);
  switch (p.kind) {
    case 'compaction':
      return `A run of the compaction job ${code(p.compactionJob)} merging the files under ${code(p.inputLocation)} into files of about ${formatBytes(p.targetFileBytes)}.`;
    case 'scale': {
      const from =
        p.fromCount !== undefined || p.fromSize
          ? ` (now ${escapeMrkdwn(workersText(p.fromSize, p.fromCount))})`
          : '';
      const to = escapeMrkdwn(workersText(p.size, p.count));
      return p.persistent
        ? calls[0]?.summary
          ? `:warning: *Persistent change (${escapeMrkdwn(calls[0].operation.replace(/^[^:]*:/, ''))})*: ${escapeMrkdwn(calls[0].summary)}${from}`
          : `:warning: *Persistent change${calls[0] ? ` (${escapeMrkdwn(calls[0].operation.replace(/^[^:]*:/, ''))})` : ''}*: every later run of ${j} uses ${to} workers${from}. Undo it with another change of its size.`
        : `One rerun of ${j} with ${to} workers${from}; the job definition is not changed.`;
    }
    case 'shuffle-tuning':
      return `One rerun of ${j} with \`spark.sql.shuffle.partitions=${p.shufflePartitions}\`${p.skewJoin ? ' and adaptive skew join on (`spark.sql.adaptive.enabled`, `spark.sql.adaptive.skewJoin.enabled`)' : ''}; the job definition is not changed.`;
    case 'bookmark-reset':
      return p.runId
        ? `Reset the job bookmark of ${j} to run ${code(p.runId)}: the next run reprocesses what came after it.`
        : `Reset the job bookmark of ${j}: the next run reprocesses all its input.`;
    case 'code-fix':
      return `Code fix follow-up for ${j}, owned by ${mention(p.owner)}: ${escapeMrkdwn(p.description)}`;
    case 'recovery-rerun':
      return `A recovery rerun of the failed run ${code(p.runId)} of ${j}${p.step ? ` from its step ${code(p.step)}` : ', every step again'}, with that run's own parameters${p.step ? '; the steps before it are not run again' : ''}.`;
  }
}

export function callsBlock(calls: readonly PlannedAction[]): string {
  if (!calls.length) return '*Exact API calls*\nNone: nothing is changed in the cloud.';
  const lines = calls.map((c) => escapeMrkdwn(c.description).replace(/```/g, "'''"));
  return `*Exact API calls*\n\`\`\`${truncate(lines.join('\n'), 2700)}\`\`\``;
}

/** The cost impact, before approval (its figures came from the job's runs and the platform's rates). */
export function costImpactText(c: { summary: string }): string {
  return `*Cost impact*\n${escapeMrkdwn(truncate(c.summary, 1500))}`;
}

export { slackDate } from '../mrkdwn.js';

function statusLine(a: Approval): string {
  const by = a.decidedBy ? mention(a.decidedBy) : 'someone';
  const when = a.decidedAt ? ` at ${slackDate(a.decidedAt)}` : '';
  switch (a.state) {
    case 'pending':
      return `:hourglass_flowing_sand: *Waiting for approval* — expires ${slackDate(a.expiresAt)}`;
    case 'expired':
      return `:alarm_clock: *Expired* ${slackDate(a.expiresAt)} without an approval; nothing was run. Ask again from the triage report if it is still needed.`;
    case 'rejected':
      return `:no_entry_sign: *Rejected by ${by}*${when}; nothing was run.`;
    case 'approved':
      break;
  }
  const ex = a.execution;
  const approved = `Approved by ${by}${when}`;
  if (!ex) return `:white_check_mark: *${approved}* — starting…`;
  const run = ex.runId ? ` run ${code(ex.runId)} of ${code(ex.jobName ?? a.job)}` : '';
  switch (ex.state) {
    case 'starting':
      return `:white_check_mark: *${approved}* — starting…`;
    case 'running':
      return `:arrows_counterclockwise: *${approved}* — running:${run} is ${escapeMrkdwn(ex.runState ?? 'RUNNING')}`;
    case 'succeeded': {
      const lines = [`:white_check_mark: *${approved}* — succeeded${run ? `:${run}` : ''}`];
      if (ex.durationSec !== undefined) lines[0] += ` in ${formatDuration(ex.durationSec)}`;
      if (ex.note) lines.push(escapeMrkdwn(ex.note));
      if (ex.recovered !== undefined && ex.baselineSec !== undefined && ex.pctVsBaseline !== undefined) {
        const pct = `${ex.pctVsBaseline >= 0 ? '+' : ''}${ex.pctVsBaseline.toFixed(0)}%`;
        lines.push(
          ex.verdict === 'suspicious'
            ? `:warning: *Suspicious — check its input and output*: ${formatDuration(ex.durationSec ?? 0)} against a baseline of ${formatDuration(ex.baselineSec)} (${pct})${ex.suspiciousReason ? `; ${escapeMrkdwn(ex.suspiciousReason)}` : ''}. Not counted as a recovery.`
            : ex.recovered
              ? `:large_green_circle: *Recovered*: ${formatDuration(ex.durationSec ?? 0)} against a baseline of ${formatDuration(ex.baselineSec)} (${pct}).`
              : `:red_circle: *Not recovered*: ${formatDuration(ex.durationSec ?? 0)} against a baseline of ${formatDuration(ex.baselineSec)} (${pct}); the incident stays open.`,
        );
      }
      return lines.join('\n');
    }
    case 'failed':
      return `:x: *${approved}* — failed:${run} ended ${escapeMrkdwn(ex.runState ?? 'FAILED')}${ex.error ? ` — _${escapeMrkdwn(truncate(ex.error.message, 500))}_` : ''}`;
    case 'dry-run':
      return `:test_tube: *${approved}* — dry run: the bot runs in \`dev\`, so no call was made.`;
    case 'error':
      return `:x: *${approved}* — could not run: ${escapeMrkdwn(ex.error?.message ?? 'unknown error')}${ex.error?.action ? `\nThe bot's role lacks ${code(ex.error.action)}: grant it (README, IAM policy) and ask again.` : ''}`;
  }
}

function requestBlocks(a: Approval): Block[] {
  return [
    section(`*What will run*\n${describeMitigation(a.job, a.params, a.calls)}`),
    section(
      `*Job* ${code(a.job)} · *Environment* ${code(a.env)}${a.incidentId ? ` · *Incident* ${code(a.incidentId)}` : ''}`,
    ),
    section(callsBlock(a.calls)),
    // The one argument the bot adds to what is shown (src/providers/aws/glue-platform.ts).
    ...(a.calls.some((c) => c.operation === 'glue:StartJobRun')
      ? [
          context(
            `Each run started also carries \`--${RUN_TAG_PARAMETER}=${escapeMrkdwn(a.id)}\`: how a Retry knows the run is this approval's.`,
          ),
        ]
      : []),
    ...(a.costImpact ? [section(costImpactText(a.costImpact))] : []),
    fields([
      `*Requested by*\n${mention(a.requester)}`,
      `*Why*\n${escapeMrkdwn(truncate(a.reason, 1500))}`,
      `*Approvers*\n${a.approvers.length ? a.approvers.map(mention).join(', ') : '_none configured_'}`,
      `*Expires*\n${slackDate(a.expiresAt)}`,
    ]),
  ];
}

/**
 * The approval message for its current state; Approve / Reject only while pending. `follow` is the
 * follow-up of the job's next run, once the mitigation is done (jobs/follow-up.ts).
 */
export function renderApproval(
  a: Approval,
  follow?: FollowUp,
  horizonHours?: number,
): { text: string; blocks: Block[] } {
  const title = `${KIND_TITLE[a.params.kind]}: ${a.job}`;
  const blocks: Block[] = [header(`Approval: ${title}`), ...requestBlocks(a), section(statusLine(a))];
  if (follow) blocks.push(section(followUpLine(follow, horizonHours)));
  blocks.push(...retryBlocks(a));
  if (a.dryRun && a.state === 'pending')
    blocks.push(
      context(':test_tube: Dry run: the bot runs in `dev`; approving shows these calls without making them.'),
    );
  if (a.state === 'pending') {
    const calls = a.dryRun
      ? 'Dry run: no call will be made.'
      : a.calls.length
        ? `${a.calls.length === 1 ? 'This call' : 'These calls'} will be made in ${a.env}.`
        : '';
    blocks.push(
      actions(
        [
          button({
            text: 'Approve',
            actionId: APPROVE_ACTION,
            value: a.id,
            style: 'primary',
            confirm: {
              title: 'Approve this mitigation?',
              text: truncate(`${KIND_TITLE[a.params.kind]} on ${escapeMrkdwn(a.job)}. ${calls}`, 300),
              confirm: a.dryRun ? 'Approve (dry run)' : 'Approve and run',
              deny: 'Cancel',
            },
          }),
          button({
            text: 'Reject',
            actionId: REJECT_ACTION,
            value: a.id,
            style: 'danger',
            confirm: {
              title: 'Reject this mitigation?',
              text: 'Nothing will run; the request closes.',
              confirm: 'Reject',
              deny: 'Cancel',
            },
          }),
        ],
        'medic-approval',
      ),
    );
  }
  blocks.push(context(`Approval ${code(a.id)} · requested ${slackDate(a.createdAt)}`));
  const state =
    a.state === 'approved'
      ? (a.execution?.state ?? 'approved')
      : a.state === 'pending'
        ? 'waiting for approval'
        : a.state;
  return { text: truncate(escapeMrkdwn(`Approval ${state}: ${title} (${a.env})`), 300), blocks };
}

/**
 * An approved mitigation that could not run: Retry when it is safe (src/domain/mitigation-retry.ts),
 * else why not. Retried before: how often and by whom.
 */
function retryBlocks(a: Approval): Block[] {
  const ex = a.execution;
  if (a.state !== 'approved' || !ex) return [];
  const out: Block[] = [];
  const how = mitigationRetry(a);
  if (ex.state !== 'error') {
    // nothing to retry
  } else if (how) {
    const what =
      how === 'follow'
        ? `Retry follows run ${code(ex.runId ?? '')} again; nothing is started.`
        : how === 'check-then-run'
          ? 'Retry first looks for a run the call may have started and follows it; only when there is none does it make the approved call again.'
          : 'The platform refused the call, so nothing changed: Retry makes the approved call again.';
    out.push(
      context(`:repeat: ${what}`),
      actions(
        [
          button({
            text: 'Retry',
            actionId: MITIGATION_RETRY_ACTION,
            value: a.id,
            confirm: {
              title: 'Retry this mitigation?',
              text: truncate(what, 300),
              confirm: 'Retry',
              deny: 'Cancel',
            },
          }),
        ],
        'medic-approval-retry',
      ),
    );
  } else if (!a.dryRun && a.calls[0]?.effect === 'change') {
    out.push(
      context(
        ':warning: The bot cannot tell whether this change took effect: check the job in the console, then request again if needed.',
      ),
    );
  }
  if (ex.retries?.length)
    out.push(
      context(
        `Retried ${ex.retries.length} time(s), last by ${mention(ex.retries.at(-1)!.by)} ${slackDate(ex.retries.at(-1)!.at)}`,
      ),
    );
  return out;
}

/** A dry run (the calls, none made) or a recorded code fix: no buttons, nothing to approve. */
export function renderNotice(n: {
  kind: 'dry-run' | 'record';
  job: string;
  env: string;
  params: MitigationParams;
  calls: readonly PlannedAction[];
  requester: string;

  reason: string;
  why?: string;
  costImpact?: { summary: string };
  /** What the bot does next (a recorded fix: it follows the job's next run). */
  follow?: string;
}): { text: string; blocks: Block[] } {
  const title = `${KIND_TITLE[n.params.kind]}: ${n.job}`;
  const head = n.kind === 'dry-run' ? `Dry run: ${title}` : `Follow-up recorded: ${title}`;
  const blocks: Block[] = [
    header(head),
    section(
      `*${n.kind === 'dry-run' ? 'What would run' : 'What was recorded'}*\n${describeMitigation(n.job, n.params, n.calls)}`,
    ),
    section(`*Job* ${code(n.job)} · *Environment* ${code(n.env)}`),
    section(callsBlock(n.calls)),
    ...(n.costImpact ? [section(costImpactText(n.costImpact))] : []),
    fields([`*Requested by*\n${mention(n.requester)}`, `*Why*\n${escapeMrkdwn(truncate(n.reason, 1500))}`]),
  ];
  if (n.kind === 'dry-run')
    blocks.push(context(`:test_tube: Dry run${n.why ? ` (${escapeMrkdwn(n.why)})` : ''}: no call was made.`));
  if (n.follow) blocks.push(context(`:eyes: ${escapeMrkdwn(n.follow)}`));
  return { text: truncate(escapeMrkdwn(`${head} (${n.env})`), 300), blocks };
}
