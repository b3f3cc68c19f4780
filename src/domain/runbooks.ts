// Standard runbooks as data (seed 5.3: "runbooks for missing data, schema drift and failed
// backfills"). A runbook is a named definition: a title, checklist items each with the evidence
// that ticks it, and the commands and buttons it offers. Four are built in; medic.yml `runbooks:`
// overrides their wording or adds new ones (src/config/file.ts validates them). The degradation
// runbook IS the runbook's "Checklist rápida" (src/domain/checklist.ts), same ids, same Spanish.
import { RUNBOOK_CHECKLIST } from './checklist.js';

export const BUILTIN_RUNBOOK_IDS = [
  'degradation',
  'missing-data',
  'schema-drift',
  'failed-backfill',
] as const;
export type BuiltinRunbookId = (typeof BUILTIN_RUNBOOK_IDS)[number];

/** Every incident carries this one; the others are attached when their flow finds its case. */
export const DEFAULT_RUNBOOK: BuiltinRunbookId = 'degradation';

export interface RunbookItem {
  id: string;
  label: string;
  /** What ticks it: the bot's evidence, or "manual" when only a person can. */
  evidence: string;
}

export interface RunbookButton {
  label: string;
  /** What it does, in words (the button itself lives where the runbook's flow posts it). */
  does: string;
}

export interface RunbookDefinition {
  id: string;
  title: string;
  items: RunbookItem[];
  /** Slash commands this runbook leans on. */
  commands: string[];
  buttons: RunbookButton[];
}

const DEGRADATION_EVIDENCE: Record<string, string> = {
  'run-ids-logs': 'triage listed the problematic runs and exported their logs',
  'input-vs-baseline': 'triage or /smallfiles compared input size and file count with the baseline',
  'spark-ui-gc-shuffle': 'manual',
  decision: 'a mitigation was approved',
  'backfill-staging': 'a backfill passed validation on staging',
  'postmortem-mcp': '/incident postmortem',
};

export const BUILTIN_RUNBOOKS: Readonly<Record<BuiltinRunbookId, RunbookDefinition>> = Object.freeze({
  degradation: {
    id: 'degradation',
    title: 'Checklist rápida',
    items: RUNBOOK_CHECKLIST.map(({ id, text }) => ({
      id,
      label: text,
      evidence: DEGRADATION_EVIDENCE[id] ?? 'manual',
    })),
    commands: ['/triage', '/smallfiles', '/backfill', '/incident'],
    buttons: [{ label: 'Mitigate', does: 'scale, compact, repartition or rerun behind approval' }],
  },
  'missing-data': {
    id: 'missing-data',
    title: 'Missing data',
    items: [
      {
        id: 'partitions-listed',
        label: 'Expected partitions listed for the window',
        evidence: '/missing report',
      },
      { id: 'runs-checked', label: 'Runs behind the missing dates checked', evidence: '/missing report' },
      {
        id: 'upstream-checked',
        label: 'Upstream job checked',
        evidence: '/missing report (jobs.<job>.upstream)',
      },
      {
        id: 'backfill-verified',
        label: 'Missing dates backfilled and verified',
        evidence: 'a backfill of the window promoted',
      },
      {
        id: 'freshness-restored',
        label: 'Freshness back within freshnessHours',
        evidence: 'the monitor saw the partition arrive',
      },
    ],
    commands: ['/missing', '/backfill'],
    buttons: [
      { label: 'Backfill these dates', does: 'opens the backfill modal prefilled with the missing window' },
      { label: 'Rerun upstream', does: 'reruns the upstream job behind approval' },
    ],
  },
  'schema-drift': {
    id: 'schema-drift',
    title: 'Schema drift',
    items: [
      {
        id: 'versions-compared',
        label: 'Table versions compared; breaking change named',
        evidence: '/schema report',
      },
      { id: 'plan-drafted', label: 'Migration plan drafted', evidence: 'a schema plan was drafted' },
      { id: 'consumers-told', label: 'Consumers of the table told', evidence: 'manual' },
      { id: 'fix-deployed', label: 'Job fixed or table migrated', evidence: 'manual' },
      {
        id: 'backfill-verified',
        label: 'Affected dates backfilled and verified',
        evidence: 'a backfill promoted',
      },
    ],
    commands: ['/schema', '/backfill'],
    buttons: [{ label: 'Draft migration plan', does: 'drafts the schema plan behind approval' }],
  },
  'failed-backfill': {
    id: 'failed-backfill',
    title: 'Failed backfill',
    items: [
      {
        id: 'failure-located',
        label: 'Failed step and error identified',
        evidence: 'the backfill stopped at a step',
      },
      {
        id: 'production-checked',
        label: 'Production untouched, or rolled back',
        evidence: 'the backfill record',
      },
      { id: 'cause-fixed', label: 'Cause fixed', evidence: 'manual' },
      {
        id: 'resumed',
        label: 'Resumed from the failed step and promoted',
        evidence: 'the resumed backfill promoted',
      },
    ],
    commands: ['/backfill'],
    buttons: [
      { label: 'Resume from this step', does: 'reruns the failed step (idempotent) and goes on' },
      { label: 'Rollback', does: 'restores production from the backup' },
      { label: 'Abort', does: 'stops the backfill' },
    ],
  },
});

/** One runbook as medic.yml may write it (everything optional for a built-in: it overrides). */
export interface RunbookOverride {
  title?: string | undefined;
  items?: { id?: string | undefined; label: string; evidence?: string | undefined }[] | undefined;
  commands?: string[] | undefined;
  buttons?: { label: string; does?: string | undefined }[] | undefined;
}

export function slugify(label: string, i: number): string {
  const s = label
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40);
  return s || `item-${i + 1}`;
}

/**
 * The runbooks in effect: the built-ins, each overridden key by key by medic.yml, plus the custom
 * ones. `legacyChecklist` is the older `checklist:` list of texts: it relabels the degradation
 * items in order (keeping the runbook's ids, so the bot's ticks still land).
 */
export function resolveRunbooks(
  overrides: Readonly<Record<string, RunbookOverride>> = {},
  legacyChecklist?: readonly string[],
): Record<string, RunbookDefinition> {
  const out: Record<string, RunbookDefinition> = {};
  for (const id of BUILTIN_RUNBOOK_IDS) out[id] = structuredClone(BUILTIN_RUNBOOKS[id]);
  if (legacyChecklist)
    out.degradation!.items = legacyChecklist.map((label, i) => ({
      id: RUNBOOK_CHECKLIST[i]?.id ?? `item-${i + 1}`,
      label,
      evidence: out.degradation!.items[i]?.evidence ?? 'manual',
    }));
  for (const [id, o] of Object.entries(overrides)) {
    const base = out[id];
    const items = o.items?.map((it, i) => ({
      // A built-in's item keeps its id by position, so the bot's evidence still ticks it.
      id: it.id ?? base?.items[i]?.id ?? slugify(it.label, i),
      label: it.label,
      evidence: it.evidence ?? base?.items[i]?.evidence ?? 'manual',
    }));
    out[id] = {
      id,
      title: o.title ?? base?.title ?? id,
      items: items ?? base?.items ?? [],
      commands: o.commands ?? base?.commands ?? [],
      buttons: o.buttons?.map((b) => ({ label: b.label, does: b.does ?? '' })) ?? base?.buttons ?? [],
    };
  }
  return out;
}

/** The item id as stored for an incident: the degradation runbook's ids bare (as always), others `runbook:item`. */
export function storedItemId(runbookId: string, itemId: string): string {
  return runbookId === DEFAULT_RUNBOOK ? itemId : `${runbookId}:${itemId}`;
}
