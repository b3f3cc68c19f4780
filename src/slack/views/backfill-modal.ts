// The /backfill modal (pure): the plan prefilled from config and flags — window, input partitions,
// snapshot location, staging job and output, checks, tolerances, consumers — editable where a
// person may want to change it; read back into a validated submission.
import { z } from 'zod';
import { code, truncate } from '../mrkdwn.js';
import type { Block } from '../blocks/kit.js';
import {
  DEFAULT_TOLERANCES,
  MAX_WINDOW_DAYS,
  windowDates,
  BackfillPlanError,
  type QualityChecks,
  type Tolerances,
} from '../../domain/backfill-plan.js';
import { outputTableOf, type JobConfig } from '../../config/index.js';
import { windowRangeProblem } from '../../domain/backfill-window.js';

export const BACKFILL_CALLBACK = 'medic.backfill.submit';

export const BackfillModalContext = z.object({
  job: z.string().min(1).max(255),
  channel: z.string().min(1),
  env: z.string(),
  incidentId: z.string().optional(),
});
export type BackfillModalContext = z.infer<typeof BackfillModalContext>;

const plain = (text: string) => ({ type: 'plain_text', text: truncate(text, 150), emoji: true });

function textInput(
  id: string,
  label: string,
  initial: string,
  o: { optional?: boolean; hint?: string; max?: number } = {},
): Block {
  return {
    type: 'input',
    block_id: id,
    label: plain(label),
    ...(o.optional ? { optional: true } : {}),
    ...(o.hint ? { hint: plain(o.hint) } : {}),
    element: {
      type: 'plain_text_input',
      action_id: `${id}_input`,
      ...(initial ? { initial_value: initial } : {}),
      ...(o.max ? { max_length: o.max } : {}),
    },
  };
}

const CHECKS: [keyof Omit<QualityChecks, 'primaryKey'>, string][] = [
  ['schema', 'Schema (columns and types)'],
  ['rowCounts', 'Row counts'],
  ['nulls', 'Null counts per column'],
  ['minMax', 'Min / max per column'],
  ['dataQuality', 'Glue Data Quality (DQDL: row count, columns, primary key)'],
];

const opt = (value: string, text: string) => ({ text: plain(text), value });

export interface BackfillModalInput {
  ctx: BackfillModalContext;
  job: JobConfig;
  from: string;
  to: string;
  dryRun: boolean;
}

export function backfillModal(m: BackfillModalInput): Record<string, unknown> {
  const dates = windowDates(m.from, m.to);
  const j = m.job;
  const tol = DEFAULT_TOLERANCES;
  const table = outputTableOf(j);
  const checks = CHECKS.filter(([k]) => k !== 'dataQuality' || table);
  const initialChecks = checks.filter(([k]) => k !== 'dataQuality');
  const blocks: Block[] = [
    {
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: truncate(
          [
            `*Backfill ${code(m.ctx.job)}* in ${code(m.ctx.env)}${m.ctx.incidentId ? ` · incident ${code(m.ctx.incidentId)}` : ''}`,
            `*Window:* ${dates.length} day(s), ${m.from} → ${m.to}`,
            `*Input partitions:* ${dates
              .slice(0, 5)
              .map((d) => code(`${j.input ?? '?'}dt=${d}/`))
              .join(', ')}${dates.length > 5 ? ` … (${dates.length})` : ''}`,
            `*Snapshot:* ${code(`${(j.input ?? '').replace(/^(s3:\/\/[^/]+\/|https:\/\/[^/]+\/[^/]+\/).*$/, '$1')}_backfill/snapshots/${m.ctx.job}/<timestamp>/…`)}`,
            `*Staging:* ${code(j.stagingJob ?? '?')} writing to its own \`--output_path\` under the backfill id`,
            `*Production:* ${code(j.output ?? '?')}${table ? ` · table ${code(`${table.database}.${table.name}`)} (promotion switches partition locations)` : ' (promotion by copy)'}`,
            `Steps: snapshot → isolated run → quality → validate → *approval* → promote → consumers. Nothing touches production before an approval.`,
          ].join('\n'),
          3000,
        ),
      },
    },
    textInput('from', 'From (YYYY-MM-DD)', m.from, { max: 10 }),
    textInput('to', 'To (YYYY-MM-DD)', m.to, { max: 10, hint: `At most ${MAX_WINDOW_DAYS} days` }),
    {
      type: 'input',
      block_id: 'checks',
      label: plain('Quality checks'),
      optional: true,
      element: {
        type: 'checkboxes',
        action_id: 'checks_input',
        options: checks.map(([k, t]) => opt(k, t)),
        initial_options: initialChecks.map(([k, t]) => opt(k, t)),
      },
    },
    textInput('primary_key', 'Primary key column (uniqueness, Data Quality)', '', {
      optional: true,
      max: 255,
    }),
    textInput('tol_rows', 'Tolerance: rows (± %)', String(tol.rowsPct), { max: 6 }),
    textInput('tol_files', 'Tolerance: files (± %)', String(tol.filesPct), { max: 6 }),
    textInput('tol_bytes', 'Tolerance: bytes (± %)', String(tol.bytesPct), { max: 6 }),
    textInput('tol_small', 'Tolerance: small-file share (± points)', String(tol.smallFileSharePts), {
      max: 6,
    }),
    textInput('tol_nulls', 'Tolerance: null share per column (± points)', String(tol.nullSharePts), {
      max: 6,
    }),
    textInput('consumers', 'Consumers to re-run (comma-separated)', j.consumers.join(', '), {
      optional: true,
      max: 2000,
    }),
    {
      type: 'input',
      block_id: 'dry_run',
      label: plain('Dry run'),
      optional: true,
      element: {
        type: 'checkboxes',
        action_id: 'dry_run_input',
        options: [opt('dry-run', 'Stop after validation (never promote)')],
        ...(m.dryRun ? { initial_options: [opt('dry-run', 'Stop after validation (never promote)')] } : {}),
      },
    },
  ];
  return {
    type: 'modal',
    callback_id: BACKFILL_CALLBACK,
    title: plain('Safe backfill'),
    submit: plain('Start'),
    close: plain('Cancel'),
    private_metadata: JSON.stringify(m.ctx),
    blocks,
  };
}

export interface BackfillSubmission {
  from: string;
  to: string;
  checks: QualityChecks;
  tolerances: Tolerances;
  consumers: string[];
  dryRun: boolean;
}

type Values = Record<
  string,
  Record<string, { value?: string | null; selected_options?: { value: string }[] }>
>;

/** Read the modal's values; field errors by block id (Slack shows them under the fields). */
export function readBackfillSubmission(
  values: Values,
  now: number = Date.now(),
): { ok: true; submission: BackfillSubmission } | { ok: false; errors: Record<string, string> } {
  const text = (id: string) => (values[id]?.[`${id}_input`]?.value ?? '').trim();
  const errors: Record<string, string> = {};
  const from = text('from');
  const to = text('to');
  for (const [id, v] of [
    ['from', from],
    ['to', to],
  ] as const)
    if (!/^\d{4}-\d{2}-\d{2}$/.test(v) || Number.isNaN(Date.parse(`${v}T00:00:00Z`)))
      errors[id] = 'Use YYYY-MM-DD';
  const range = !errors.from && !errors.to ? windowRangeProblem(from, to, now) : undefined;
  if (range) errors[range.startsWith('--from') ? 'from' : 'to'] = range.replace(/^--(from|to) /, '');
  if (!errors.from && !errors.to) {
    try {
      windowDates(from, to);
    } catch (err) {
      if (err instanceof BackfillPlanError) errors.to = err.message;
      else throw err;
    }
  }
  const num = (id: string, max: number): number => {
    const v = Number(text(id));
    if (!text(id) || !Number.isFinite(v) || v < 0 || v > max) {
      errors[id] = `A number from 0 to ${max}`;
      return 0;
    }
    return v;
  };
  const tolerances: Tolerances = {
    rowsPct: num('tol_rows', 100),
    filesPct: num('tol_files', 1000),
    bytesPct: num('tol_bytes', 1000),
    smallFileSharePts: num('tol_small', 100),
    nullSharePts: num('tol_nulls', 100),
  };
  const selected = new Set((values.checks?.checks_input?.selected_options ?? []).map((o) => o.value));
  const pk = text('primary_key');
  if (pk && !/^[A-Za-z_][A-Za-z0-9_.]{0,254}$/.test(pk)) errors.primary_key = 'A column name';
  const consumers = text('consumers')
    .split(/[,\s]+/)
    .filter(Boolean);
  if (consumers.some((c) => c.length > 255)) errors.consumers = 'Job names are at most 255 characters';
  if (Object.keys(errors).length) return { ok: false, errors };
  return {
    ok: true,
    submission: {
      from,
      to,
      tolerances,
      checks: {
        schema: selected.has('schema'),
        rowCounts: selected.has('rowCounts'),
        nulls: selected.has('nulls'),
        minMax: selected.has('minMax'),
        dataQuality: selected.has('dataQuality'),
        ...(pk ? { primaryKey: pk } : {}),
      },
      consumers,
      dryRun: (values.dry_run?.dry_run_input?.selected_options ?? []).some((o) => o.value === 'dry-run'),
    },
  };
}
