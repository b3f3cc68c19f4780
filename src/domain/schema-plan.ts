// Migration plans for schema changes (seed 5.2): for each classified change, what to do, which
// partitions need a controlled backfill, which consumers it touches, and how risky it is. Pure.
// The catalog call itself (Glue's exact UpdateTable input) comes from the platform's catalog
// adapter; the plan says why and in what order.
import { diffSchemas, type ChangeClass, type Schema, type SchemaChange } from './schema-diff.js';

export type Risk = 'low' | 'medium' | 'high';

export interface MigrationStep {
  change: SchemaChange;
  /** What to do about it, in one or two sentences. */
  action: string;
  risk: Risk;
  /** The change needs the partitions written since the drift rewritten (controlled backfill). */
  backfill: boolean;
}

export interface MigrationPlan {
  classification: ChangeClass;
  /** compatible-only plans need no approval; the rest go to the data owner and approvers. */
  needsApproval: boolean;
  steps: MigrationStep[];
  /** The window a controlled backfill should cover, when some step needs one. */
  backfillWindow?: { from: string; to: string };
  /** Consumers the non-compatible changes reach (jobs.<job>.consumers). */
  consumersAffected: string[];
  risk: Risk;
}

export interface PlanContext {
  /** The job's downstream jobs (jobs.<job>.consumers). */
  consumers: readonly string[];
  /** First day written with the new schema (YYYY-MM-DD), when known (drift found in the data). */
  driftSince?: string;
  /** Today (YYYY-MM-DD): the backfill window ends here. */
  today: string;
}

const RISK_RANK: Record<Risk, number> = { low: 0, medium: 1, high: 2 };

function stepFor(c: SchemaChange, consumers: readonly string[]): MigrationStep {
  const who = consumers.length ? ` Consumers to check: ${consumers.join(', ')}.` : '';
  switch (c.kind) {
    case 'added':
      return c.class === 'compatible'
        ? {
            change: c,
            action: `Add ${c.column} to the catalog; older partitions read it as null.`,
            risk: 'low',
            backfill: false,
          }
        : {
            change: c,
            action: `${c.column} is required: backfill the partitions written before it so every row has a value, or make it nullable.${who}`,
            risk: 'medium',
            backfill: true,
          };
    case 'type-widened':
      return {
        change: c,
        action: `Update ${c.column} to ${c.toType} in the catalog; existing files read as the wider type.`,
        risk: 'low',
        backfill: false,
      };
    case 'made-nullable':
      return { change: c, action: `Mark ${c.column} nullable in the catalog.`, risk: 'low', backfill: false };
    case 'reordered':
      return {
        change: c,
        action: `Readers by name are unaffected; positional readers (CSV, INSERT … SELECT *) must be checked.${who}`,
        risk: 'medium',
        backfill: false,
      };
    case 'removed':
      return {
        change: c,
        action: `Readers of ${c.column} break. Keep the column (deprecated, written as null) until every consumer has moved, or block the deploy.${who}`,
        risk: 'high',
        backfill: false,
      };
    case 'renamed':
      return {
        change: c,
        action: `Readers of ${c.from} break. Write both names for a release, move the consumers, then drop ${c.from}; rewrite the partitions since the drift with a controlled backfill.${who}`,
        risk: 'high',
        backfill: true,
      };
    case 'type-changed':
      return {
        change: c,
        action: `Rewrite the partitions written since the drift with the new type (controlled backfill), then update the catalog.${who}`,
        risk: 'high',
        backfill: true,
      };
    case 'made-required':
      return {
        change: c,
        action: `Existing rows may hold nulls in ${c.column}: backfill them with a value first, or keep it nullable.${who}`,
        risk: 'high',
        backfill: true,
      };
    case 'partition-keys-changed':
      return {
        change: c,
        action: `A new table layout: create the new table beside the old one, backfill it, then switch the consumers.${who}`,
        risk: 'high',
        backfill: true,
      };
  }
}

/** The plan for moving from `current` to `proposed`. */
export function planMigration(current: Schema, proposed: Schema, ctx: PlanContext): MigrationPlan {
  const diff = diffSchemas(current, proposed);
  const steps = diff.changes.map((c) => stepFor(c, ctx.consumers));
  const needsBackfill = steps.some((s) => s.backfill);
  const risk = steps.reduce<Risk>((w, s) => (RISK_RANK[s.risk] > RISK_RANK[w] ? s.risk : w), 'low');
  return {
    classification: diff.classification,
    needsApproval: diff.classification !== 'compatible',
    steps,
    ...(needsBackfill && ctx.driftSince ? { backfillWindow: { from: ctx.driftSince, to: ctx.today } } : {}),
    consumersAffected: diff.classification === 'compatible' ? [] : [...ctx.consumers],
    risk,
  };
}
