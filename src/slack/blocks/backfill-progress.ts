// The backfill progress message (pure: record in, blocks out): every step with its state, timing,
// summary and links, updated in place; Abort until promotion, Rollback after it. And the approval
// request of step 5, with the validation diff table. Everything from a user or a cloud is escaped.
import { slackDate } from './approval-request.js';
import { code, escapeMrkdwn, truncate } from '../mrkdwn.js';
import { actions, button, context, header, section, type Block } from './kit.js';
import {
  BACKFILL_STEPS,
  STEP_TITLE,
  canAbort,
  canRetryPromotion,
  canRetryRollback,
  canRollback,
  formatLoc,
  type BackfillRecord,
  type DiffRow,
  type StepRecord,
} from '../../domain/backfill-plan.js';
import { formatDuration } from '../../domain/format.js';
import { mention } from '../../domain/approval-policy.js';
import { canAbandon, canResume, failedStep, productionState } from '../../domain/backfill-resume.js';

export const BACKFILL_ACTIONS = {
  abort: 'medic.backfill.abort',
  rollback: 'medic.backfill.rollback',
  approve: 'medic.backfill.approve',
  reject: 'medic.backfill.reject',
  /** The failed-backfill runbook's buttons. */
  resume: 'medic.backfill.resume',
  abandon: 'medic.backfill.abandon',
  /** A failed promotion that was rolled back: promote again (same approval). */
  retryPromotion: 'medic.backfill.retry-promotion',
} as const;

const ROLLBACK_STATE: Record<NonNullable<BackfillRecord['rollback']>['partitions'][number]['state'], string> =
  {
    restored: ':white_check_mark: restored',
    untouched: ':heavy_minus_sign: untouched',
    'not-restored': ':x: not restored',
    unknown: ':grey_question: unknown',
  };

/** What the last rollback did or left, day by day (the prefixes and their state). */
function rollbackSection(r: BackfillRecord): Block[] {
  const rb = r.rollback;
  if (!rb) return [];
  const p = r.plan;
  const head = rb.ok
    ? `*Rolled back* by ${rb.by === 'medic' ? 'medic' : mention(rb.by)}${rb.attempt > 1 ? ` (attempt ${rb.attempt})` : ''}:`
    : `:warning: *Rollback failed* (attempt ${rb.attempt}${rb.retrying ? ', retrying on its own' : ''}): ${escapeMrkdwn(truncate(rb.error ?? 'unknown error', 600))}\nWhat is left where:`;
  const lines = rb.partitions.map((x) => {
    const prefix = formatLoc({ ...p.production, prefix: `${p.production.prefix}dt=${x.dt}/` });
    return `• ${code(prefix)} ${ROLLBACK_STATE[x.state]} — ${escapeMrkdwn(truncate(x.detail, 300))}`;
  });
  if (!rb.ok && !rb.retrying)
    lines.push('_Retry rollback copies back only what is still missing; the backup is never changed._');
  return [section([head, ...lines].join('\n'))];
}

const ICON: Record<StepRecord['state'], string> = {
  pending: ':white_circle:',
  running: ':arrows_counterclockwise:',
  waiting: ':hourglass_flowing_sand:',
  done: ':white_check_mark:',
  failed: ':x:',
  skipped: ':heavy_minus_sign:',
};

const STATUS: Record<BackfillRecord['status'], string> = {
  running: ':arrows_counterclockwise: running',
  'awaiting-approval': ':hourglass_flowing_sand: waiting for approval',
  succeeded: ':white_check_mark: succeeded',
  failed: ':x: failed',
  aborted: ':octagonal_sign: aborted',
  'rolled-back': ':rewind: rolled back',
};

function timing(s: StepRecord, now: number): string {
  if (!s.startedAt) return '';
  const end = s.finishedAt ?? now;
  return ` · ${formatDuration(Math.max(0, (end - s.startedAt) / 1000))}`;
}

function linkText(link: string): string {
  return /^https?:\/\//.test(link) ? `<${link.replace(/[<>|]/g, encodeURIComponent)}|open>` : code(link);
}

export function diffTable(rows: DiffRow[]): string {
  const head = ['metric', 'production', 'staging', 'diff', 'tolerance', ''];
  const body = rows.map((r) => [
    r.metric,
    r.production,
    r.staging,
    r.diff,
    r.tolerance,
    r.ok ? 'ok' : 'BREACH',
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  return '```' + escapeMrkdwn([line(head), ...body.map(line)].join('\n')) + '```';
}

export function renderBackfillProgress(r: BackfillRecord, now: number): { text: string; blocks: Block[] } {
  const p = r.plan;
  const title = `Backfill ${p.job} ${p.from} → ${p.to}${p.dryRun ? ' (dry run)' : ''}`;
  const blocks: Block[] = [header(title)];
  blocks.push(
    section(
      [
        `*Status:* ${STATUS[r.status]}${r.abortedBy ? ` by ${mention(r.abortedBy)}` : ''}${r.rolledBackBy ? ` by ${mention(r.rolledBackBy)}` : ''}`,
        `*Requested by* ${mention(p.requester)} · id ${code(p.id)} · ${p.dates.length} day(s), ${p.inputPartitions.length} input partition(s)`,
        `*Snapshot* ${code(formatLoc(p.snapshot))}`,
        `*Staging* ${code(p.stagingJob)} → ${code(formatLoc(p.stagingOutput))}`,
        `*Production* ${code(formatLoc(p.production))}${p.table ? ` (table ${code(`${p.table.database}.${p.table.name}`)})` : ''}`,
        ...(r.failure ? [`*Failed:* ${keepMentions(escapeMrkdwn(truncate(r.failure, 1500)))}`] : []),
      ].join('\n'),
    ),
  );
  for (const step of BACKFILL_STEPS) {
    const s = r.steps[step];
    const parts = [`${ICON[s.state]} *${STEP_TITLE[step]}*${timing(s, now)}`];
    if (s.summary) parts.push(keepMentions(escapeMrkdwn(truncate(s.summary, 1200))));
    if (s.error) parts.push(`:warning: ${keepMentions(escapeMrkdwn(truncate(s.error, 1200)))}`);
    if (s.link) parts.push(linkText(s.link));
    blocks.push(section(parts.join('\n')));
  }
  if (r.diff?.length) blocks.push(section(`*Staging against production (the window)*\n${diffTable(r.diff)}`));
  if (r.qualityFindings?.length)
    blocks.push(
      section(
        `*Quality findings*\n${r.qualityFindings
          .slice(0, 15)
          .map((f) => `• ${escapeMrkdwn(truncate(f, 180))}`)
          .join('\n')}`,
      ),
    );
  blocks.push(...rollbackSection(r));
  if (r.status === 'failed' && failedStep(r)) {
    blocks.push(...failedBackfillRunbook(r));
    blocks.push(context(`Updated ${new Date(now).toISOString().replace(/\.\d+Z$/, 'Z')}`));
    return { text: escapeMrkdwn(`${title}: ${r.status}`), blocks };
  }
  const buttons: Block[] = [];
  if (canAbort(r))
    buttons.push(
      button({
        text: 'Abort',
        actionId: BACKFILL_ACTIONS.abort,
        value: p.id,
        style: 'danger',
        confirm: {
          title: 'Abort the backfill?',
          text: 'The flow stops where it is; production is untouched. The snapshot is kept.',
          confirm: 'Abort',
          deny: 'Keep going',
        },
      }),
    );
  if (canRollback(r)) buttons.push(rollbackButton(r));
  if (canRetryPromotion(r))
    buttons.push(
      button({
        text: 'Retry promotion',
        actionId: BACKFILL_ACTIONS.retryPromotion,
        value: p.id,
        style: 'primary',
        confirm: {
          title: 'Retry the promotion?',
          text: `Production was restored; the approved staging output is promoted again from there (approval ${r.approvalId ?? '?'}), with a new backup check.`,
          confirm: 'Retry promotion',
          deny: 'Cancel',
        },
      }),
    );
  if (buttons.length) blocks.push(actions(buttons, `backfill-${p.id}`));
  blocks.push(context(`Updated ${slackDate(now)}`));
  return { text: escapeMrkdwn(`${title}: ${r.status}`), blocks };
}

function rollbackButton(r: BackfillRecord): Block {
  const retry = canRetryRollback(r);
  return button({
    text: retry ? 'Retry rollback' : 'Rollback',
    actionId: BACKFILL_ACTIONS.rollback,
    value: r.plan.id,
    style: 'danger',
    confirm: retry
      ? {
          title: 'Retry the rollback?',
          text: 'The partitions not restored yet are restored from the backup; the restored ones are left as they are.',
          confirm: 'Retry rollback',
          deny: 'Cancel',
        }
      : {
          title: 'Roll back the promotion?',
          text: 'The replaced partitions are restored from the backup.',
          confirm: 'Roll back',
          deny: 'Cancel',
        },
  });
}

/**
 * The failed-backfill runbook (src/domain/runbooks.ts): what failed and where, the staging run's
 * own triage when the isolated run failed, the quality diff when validation failed, whether
 * production was touched, and Resume from this step / Rollback / Abort.
 */
function failedBackfillRunbook(r: BackfillRecord): Block[] {
  const p = r.plan;
  const step = failedStep(r)!;
  const s = r.steps[step];
  const prod = productionState(r);
  const lines = [
    `:clipboard: *Runbook: Failed backfill* — stopped at *${STEP_TITLE[step]}*`,
    `*Error:* ${keepMentions(escapeMrkdwn(truncate(s.error ?? r.failure ?? 'unknown', 800)))}`,
    `*Production:* ${escapeMrkdwn(prod.text)}`,
  ];
  const t = r.stagingTriage;
  if (step === 'staging-run' && t)
    lines.push(
      `*Staging run triage:* ${code(t.runId)} ${escapeMrkdwn(t.state)} after ${formatDuration(t.durationSec)}${t.signature ? ` · *${escapeMrkdwn(t.signature)}*` : ''}${t.link ? ` · ${linkText(t.link)}` : ''}`,
    );
  if ((r.resumes?.length ?? 0) > 0) lines.push(`_Resumed ${r.resumes!.length} time(s) before._`);
  const blocks: Block[] = [section(lines.join('\n'))];
  const breaches = (r.diff ?? []).filter((d) => !d.ok);
  if (step === 'validate' && breaches.length)
    blocks.push(section(`*What validation refused*\n${diffTable(breaches)}`));
  const buttons: Block[] = [];
  if (canResume(r))
    buttons.push(
      button({
        text: 'Resume from this step',
        actionId: BACKFILL_ACTIONS.resume,
        value: p.id,
        style: 'primary',
        confirm: {
          title: 'Resume the backfill?',
          text: `${STEP_TITLE[step]} runs again (it re-checks what it recorded); promotion still needs its approval.`,
          confirm: 'Resume',
          deny: 'Cancel',
        },
      }),
    );
  if (canRollback(r)) buttons.push(rollbackButton(r));
  if (canRetryPromotion(r))
    buttons.push(
      button({
        text: 'Retry promotion',
        actionId: BACKFILL_ACTIONS.retryPromotion,
        value: p.id,
        style: 'primary',
        confirm: {
          title: 'Retry the promotion?',
          text: `Production was restored; the approved staging output is promoted again from there (approval ${r.approvalId ?? '?'}), with a new backup check.`,
          confirm: 'Retry promotion',
          deny: 'Cancel',
        },
      }),
    );
  if (canAbandon(r))
    buttons.push(
      button({
        text: 'Abort',
        actionId: BACKFILL_ACTIONS.abandon,
        value: p.id,
        style: 'danger',
        confirm: {
          title: 'Give up this backfill?',
          text: 'It ends here; production is untouched. The snapshot is kept.',
          confirm: 'Abort',
          deny: 'Keep it',
        },
      }),
    );
  if (buttons.length) blocks.push(actions(buttons, `backfill-runbook-${p.id}`));
  return blocks;
}

export function renderBackfillApproval(
  r: BackfillRecord,
  o: { approvalId: string; state: string; whoMayApprove: string; decidedBy?: string; expiresAt: number },
): { text: string; blocks: Block[] } {
  const p = r.plan;
  const title = `Approve promoting backfill ${p.id} of ${p.job}?`;
  const blocks: Block[] = [
    header(title),
    section(
      [
        `${mention(p.requester)} asks to promote the staging output of ${code(p.job)} for ${p.from} → ${p.to} into production.`,
        p.table
          ? `*What runs:* \`glue:BatchUpdatePartition\` on ${code(`${p.table.database}.${p.table.name}`)} for ${p.dates.length} partition(s) → ${code(formatLoc(p.stagingOutput))}; the replaced objects are copied to ${code(formatLoc(p.backup))}`
          : `*What runs:* the window's production objects are copied to ${code(formatLoc(p.backup))}, then replaced by the staging output (copy)`,
        `*Then:* re-run ${p.consumers.length ? p.consumers.map(code).join(', ') : 'no consumers'}`,
        `*May approve:* ${o.whoMayApprove} (not the requester: four-eyes)`,
      ].join('\n'),
    ),
  ];
  if (r.diff?.length) blocks.push(section(diffTable(r.diff)));
  const parity = r.parity && !r.parity.atParity ? r.parity : undefined;
  if (parity)
    blocks.push(
      section(
        [
          `${parity.needsAcknowledgement ? ':warning: ' : ''}*Staging parity:* ${code(parity.stagingJob)} differs from ${code(parity.prodJob)}${parity.needsAcknowledgement ? ' in what it runs — approving acknowledges that the staging output was produced by other code or another engine than production' : ''}`,
          ...parity.differences.map(
            (d) => `• ${escapeMrkdwn(d.what)}: production ${code(d.prod)}, staging ${code(d.staging)}`,
          ),
        ].join('\n'),
      ),
    );
  else if (r.parityProblem) blocks.push(context(escapeMrkdwn(r.parityProblem)));
  if (o.state === 'pending')
    blocks.push(
      actions(
        [
          button({
            text: 'Approve',
            actionId: BACKFILL_ACTIONS.approve,
            value: p.id,
            style: 'primary',
            ...(parity?.needsAcknowledgement
              ? {
                  confirm: {
                    title: 'Staging differs from production',
                    text: `${escapeMrkdwn(
                      parity.differences
                        .filter((d) => d.acknowledge)
                        .map((d) => d.what)
                        .join(' and '),
                    )} of ${code(parity.stagingJob)} differ from ${code(parity.prodJob)}. Promote its output anyway?`,
                    confirm: 'Acknowledge and approve',
                    deny: 'Cancel',
                  },
                }
              : {}),
          }),
          button({ text: 'Reject', actionId: BACKFILL_ACTIONS.reject, value: p.id, style: 'danger' }),
        ],
        `backfill-approval-${p.id}`,
      ),
    );
  else blocks.push(section(`*${escapeMrkdwn(o.state)}*${o.decidedBy ? ` by ${mention(o.decidedBy)}` : ''}`));
  blocks.push(context(`Approval ${code(o.approvalId)} · expires ${slackDate(o.expiresAt)}`));
  return { text: escapeMrkdwn(title), blocks };
}

/**
 * Summaries carry the bot's own mentions (approved by <@U…>, waiting for <!subteam^S…>); after
 * escaping, only those exact forms are restored — a user id or group id cannot carry text.
 */
function keepMentions(escaped: string): string {
  return escaped.replace(/&lt;(@[UW][A-Z0-9]{2,}|!subteam\^S[A-Z0-9]{2,})&gt;/g, '<$1>');
}
