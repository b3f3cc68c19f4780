// A schema migration plan in Block Kit (pure: plan in, blocks out): the classified changes, what to
// do about each, the exact catalog call, the consumers it reaches, and — when it is not compatible —
// Approve / Reject under the four-eyes policy. Every name from a CI request or the catalog is escaped.
import { code, escapeMrkdwn, truncate } from '../mrkdwn.js';
import { actions, button, context, header, section, type Block } from './kit.js';
import type { MigrationPlan } from '../../domain/schema-plan.js';
import type { ApprovalState } from '../../domain/approval-policy.js';
import { mention } from '../../domain/approval-policy.js';
import { slackDate } from './approval-request.js';
import type { SchemaPlanRecord } from '../../store/schema-plans.js';

export const SCHEMA_APPROVE_ACTION = 'medic.schema.approve';
export const SCHEMA_REJECT_ACTION = 'medic.schema.reject';

const CLASS_ICON = {
  compatible: ':large_green_circle:',
  'needs-approval': ':large_yellow_circle:',
  breaking: ':red_circle:',
};
const CLASS_LABEL = { compatible: 'compatible', 'needs-approval': 'needs approval', breaking: 'BREAKING' };

export interface SchemaPlanView {
  id: string;
  table: string;
  job?: string;
  plan: MigrationPlan;
  catalogUpdate?: string;
  requestedBy: string;
  commit?: string;
  caller: string;
  state: ApprovalState;
  expiresAt?: number;
  decidedBy?: string;
  whoMayApprove?: string;
}

function who(requestedBy: string): string {
  return /^[UW][A-Z0-9]{2,}$/.test(requestedBy) ? mention(requestedBy) : escapeMrkdwn(requestedBy);
}

function stateLine(v: SchemaPlanView): string {
  switch (v.state) {
    case 'pending':
      return `:hourglass_flowing_sand: *Waiting for approval*${v.whoMayApprove ? ` by ${v.whoMayApprove}` : ''}${v.expiresAt ? ` — expires ${slackDate(v.expiresAt)}` : ''}. The deploy waits on this plan.`;
    case 'approved':
      return v.decidedBy
        ? `:white_check_mark: *Approved by ${mention(v.decidedBy)}*: the deploy may go on.`
        : ':white_check_mark: *Compatible*: no approval needed; the deploy may go on.';
    case 'rejected':
      return `:no_entry_sign: *Rejected${v.decidedBy ? ` by ${mention(v.decidedBy)}` : ''}*: the deploy must not go on with this schema.`;
    case 'expired':
      return ':alarm_clock: *Expired* without a decision: the deploy must ask again.';
  }
}

export function renderSchemaPlan(v: SchemaPlanView): { text: string; blocks: Block[] } {
  const p = v.plan;
  const headline = `Schema change for ${v.table}: ${CLASS_LABEL[p.classification]}`;
  const lines = p.steps
    .slice(0, 20)
    .map(
      (s) =>
        `${CLASS_ICON[s.change.class]} ${escapeMrkdwn(s.change.summary)}\n      _${escapeMrkdwn(s.action)}_ (risk ${s.risk})`,
    );
  const blocks: Block[] = [
    header(truncate(headline, 150)),
    section(
      `*Plan ${code(v.id)}* for ${code(v.table)}${v.job ? ` (job ${code(v.job)})` : ''}: ${p.steps.length} change(s), risk *${p.risk}*. Asked by ${who(v.requestedBy)} through the CI API (${escapeMrkdwn(v.caller)})${v.commit ? ` for commit ${code(v.commit)}` : ''}.`,
    ),
  ];
  if (lines.length) blocks.push(section(truncate(lines.join('\n'), 2900)));
  if (p.consumersAffected.length)
    blocks.push(section(`*Consumers affected:* ${p.consumersAffected.map((c) => code(c)).join(', ')}`));
  if (p.backfillWindow)
    blocks.push(
      section(
        `*Controlled backfill:* the partitions from ${code(p.backfillWindow.from)} to ${code(p.backfillWindow.to)}${v.job ? `: \`/backfill ${escapeMrkdwn(v.job)} --from ${p.backfillWindow.from} --to ${p.backfillWindow.to}\`` : ''}`,
      ),
    );
  if (v.catalogUpdate)
    blocks.push(
      section(
        `*Exact catalog call*\n\`\`\`${truncate(escapeMrkdwn(v.catalogUpdate).replace(/```/g, "'''"), 2700)}\`\`\``,
      ),
    );
  blocks.push(section(stateLine(v)));
  if (v.state === 'pending')
    blocks.push(
      actions(
        [
          button({ text: 'Approve', actionId: SCHEMA_APPROVE_ACTION, value: v.id, style: 'primary' }),
          button({ text: 'Reject', actionId: SCHEMA_REJECT_ACTION, value: v.id, style: 'danger' }),
        ],
        'medic-schema-plan',
      ),
    );
  blocks.push(context(`Schema plan ${escapeMrkdwn(v.id)} · classification after Iceberg's evolution rules`));
  return { text: truncate(escapeMrkdwn(`${headline} (${v.state})`), 300), blocks };
}

/** The view of a stored plan, before its approval state is known. */
export function schemaPlanView(r: SchemaPlanRecord): Omit<SchemaPlanView, 'state'> {
  return {
    id: r.id,
    table: `${r.table.database}.${r.table.name}`,
    ...(r.job ? { job: r.job } : {}),
    plan: r.plan as unknown as MigrationPlan,
    ...(r.catalogUpdate ? { catalogUpdate: r.catalogUpdate } : {}),
    requestedBy: r.requestedBy,
    ...(r.commit ? { commit: r.commit } : {}),
    caller: r.caller,
  };
}
