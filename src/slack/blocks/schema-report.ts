// The /schema report in Block Kit (pure): what changed in the catalog, what the newest data was
// written with against the catalog, and the migration plan with its backfill window. Every table,
// column and type name from the catalog or a file is escaped.
import { code, escapeMrkdwn, truncate } from '../mrkdwn.js';
import { actions, button, context, header, section, type Block } from './kit.js';
import { MISSING_BACKFILL_ACTION_ID, encodeBackfillValue } from './missing-report.js';
import type { SchemaDiff } from '../../domain/schema-diff.js';
import type { MigrationPlan } from '../../domain/schema-plan.js';
import { slackDate } from './approval-request.js';

export interface SchemaReportModel {
  target: string;
  table?: string;
  job?: string;
  /** The job has what /backfill needs (input, output, stagingJob): the plan's window gets a button. */
  backfillable?: boolean;
  current?: { versionId: string; updateTime?: Date };
  compared?: { versionId: string; updateTime?: Date };
  catalogDiff?: SchemaDiff;
  dataDiff?: SchemaDiff;
  data?: { newest: string; files: number; driftSince?: string };
  plan?: MigrationPlan;
  missing?: string[];
  failure?: string;
}

const ICON = {
  compatible: ':large_green_circle:',
  'needs-approval': ':large_yellow_circle:',
  breaking: ':red_circle:',
};

function changeLines(d: SchemaDiff): string {
  return d.changes.length
    ? d.changes
        .slice(0, 15)
        .map((c) => `${ICON[c.class]} ${escapeMrkdwn(c.summary)}`)
        .join('\n')
    : 'No change.';
}

export function renderSchemaReport(m: SchemaReportModel): { text: string; blocks: Block[] } {
  const name = m.table ?? m.target;
  if (m.failure) {
    const text = `Schema of ${name}: ${m.failure}`;
    return {
      text: truncate(escapeMrkdwn(text), 300),
      blocks: [section(`:x: *Schema of ${code(name)}*: ${escapeMrkdwn(m.failure)}`)],
    };
  }
  const drift = m.plan ? m.plan.classification : undefined;
  const headline = drift
    ? `Schema drift in ${name}: ${drift === 'breaking' ? 'BREAKING' : drift}`
    : `Schema of ${name}: no drift`;
  const blocks: Block[] = [header(truncate(headline, 150))];
  if (m.current)
    blocks.push(
      section(
        `*Catalog*: version ${code(m.current.versionId)}${m.current.updateTime ? ` of ${slackDate(m.current.updateTime.getTime())}` : ''}${m.compared ? ` against version ${code(m.compared.versionId)}${m.compared.updateTime ? ` of ${slackDate(m.compared.updateTime.getTime())}` : ''}` : ' (its only version)'}\n${m.catalogDiff ? changeLines(m.catalogDiff) : ''}`,
      ),
    );
  if (m.dataDiff && m.data)
    blocks.push(
      section(
        `*Newest data against the catalog* (partition ${code(m.data.newest)}, ${m.data.files} Parquet footer(s) read)${m.data.driftSince ? `, written this way since ${code(m.data.driftSince)}` : ''}\n${changeLines(m.dataDiff)}`,
      ),
    );
  if (m.plan) {
    const steps = m.plan.steps.slice(0, 12).map((s) => `• ${escapeMrkdwn(s.action)} _(risk ${s.risk})_`);
    blocks.push(
      section(
        `*Migration plan* (risk *${m.plan.risk}*${m.plan.needsApproval ? ', needs approval' : ''})\n${truncate(steps.join('\n'), 2800)}`,
      ),
    );
    if (m.plan.backfillWindow) {
      blocks.push(
        section(
          `*Controlled backfill* of ${code(m.plan.backfillWindow.from)} → ${code(m.plan.backfillWindow.to)}${m.job ? `: \`/backfill ${escapeMrkdwn(m.job)} --from ${m.plan.backfillWindow.from} --to ${m.plan.backfillWindow.to}\`` : ''}`,
        ),
      );
      // The same button as the missing-data report's: the backfill modal, prefilled with the window.
      if (m.job && m.backfillable)
        blocks.push(
          actions([
            button({
              text: 'Backfill this window',
              actionId: MISSING_BACKFILL_ACTION_ID,
              value: encodeBackfillValue({ job: m.job, ...m.plan.backfillWindow }),
              style: 'primary',
            }),
          ]),
        );
    }
    if (m.plan.consumersAffected.length)
      blocks.push(
        section(`*Consumers affected:* ${m.plan.consumersAffected.map((c) => code(c)).join(', ')}`),
      );
    if (m.plan.needsApproval)
      blocks.push(
        context(
          'Runbook: block deploys until the change is validated. Deploy pipelines ask `POST /api/v1/schema-plans` (or `medic schema-plan`) and wait for an approval here.',
        ),
      );
  }
  if (m.missing?.length) blocks.push(context(`:warning: Missing: ${m.missing.map(escapeMrkdwn).join('; ')}`));
  return { text: truncate(escapeMrkdwn(headline), 300), blocks };
}
