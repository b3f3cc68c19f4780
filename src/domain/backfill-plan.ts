// The safe backfill of the runbook ("Backfill seguro", 5.3) as a persisted step machine. Pure: no
// Slack, no Redis, no clock of its own.
//
//   snapshot → staging-run → quality → validate → approval → promote → consumers
//
// A backfill is one record (plan + one state per step). Each step is a queue job whose id is
// `backfill-<id>-<step>`; a step job reads the record, does nothing when its step is already done
// (it only makes sure the next step's job exists), and otherwise does its work — every piece of
// which is idempotent or recorded as it completes (the snapshot's copied objects, the staging
// run's id, the promoted partitions) — then marks the step done and enqueues the next. That is why
// resumption is obvious: after a crash the record says exactly which steps finished, the
// unfinished step's job is retried by the queue, and finished work is skipped, never redone.
//
// Longer than 400 lines on purpose: the plan, its step machine and (below the rule) the comparison
// of staging against production share one vocabulary — tolerances, checks, dataset stats kept in
// the record — and a change to a step is read against all three. The step processors that act on
// it are in jobs/backfill/.
//
// Why ~700 lines: the step machine, the plan's validation and the dataset comparison that gates
// promotion are one contract (which step may run, what it records, what blocks it); kept together
// so the rules that make resumption safe can be read in one place.
import type { ParityReport } from './parity.js';
import {
  compareStats,
  decimalScale,
  formatStat,
  isStatValue,
  type ParquetFooter,
  type StatValue,
  unscaledAt,
} from './backfill-parquet.js';

export const BACKFILL_STEPS = [
  'snapshot',
  'staging-run',
  'quality',
  'validate',
  'approval',
  'promote',
  'consumers',
] as const;
export type BackfillStep = (typeof BACKFILL_STEPS)[number];

export function isBackfillStep(v: string): v is BackfillStep {
  return (BACKFILL_STEPS as readonly string[]).includes(v);
}

export const STEP_TITLE: Record<BackfillStep, string> = {
  snapshot: 'Snapshot inputs',
  'staging-run': 'Isolated run',
  quality: 'Quality suite',
  validate: 'Validate against baseline',
  approval: 'Approval (four-eyes)',
  promote: 'Promote',
  consumers: 'Re-run consumers',
};

export type StepState = 'pending' | 'running' | 'waiting' | 'done' | 'failed' | 'skipped';
export type BackfillStatus =
  'running' | 'awaiting-approval' | 'succeeded' | 'failed' | 'aborted' | 'rolled-back';

export const TERMINAL: readonly BackfillStatus[] = ['succeeded', 'failed', 'aborted', 'rolled-back'];

export interface Location {
  scheme: 's3' | 'azure-blob';
  account?: string;
  container: string;
  /** Ends with '/' (or is '' for a whole container). */
  prefix: string;
}

export interface Tolerances {
  /** Row count of staging against production, in percent either way. */
  rowsPct: number;
  filesPct: number;
  bytesPct: number;
  /** Share of small files, in percentage points. */
  smallFileSharePts: number;
  /** Null share of each column, in percentage points. */
  nullSharePts: number;
}

export const DEFAULT_TOLERANCES: Tolerances = {
  rowsPct: 1,
  filesPct: 25,
  bytesPct: 10,
  smallFileSharePts: 10,
  nullSharePts: 1,
};

export interface QualityChecks {
  schema: boolean;
  rowCounts: boolean;
  nulls: boolean;
  minMax: boolean;
  /** Glue Data Quality (needs a catalogued table). */
  dataQuality: boolean;
  /** Column that must be unique and complete (DQDL IsPrimaryKey). */
  primaryKey?: string;
}

export interface BackfillPlan {
  id: string;
  job: string;
  /** The job's platform (a provider name; the domain does not need to know which). */
  provider: string;
  env: string;
  dryRun: boolean;
  from: string;
  to: string;
  dates: string[];
  input: Location;
  /** The input's date partitions of the window (prefixes). */
  inputPartitions: string[];
  snapshot: Location;
  stagingJob: string;
  /**
   * Parameters of the staging run (input = snapshot, output = stagingOutput, window), named
   * without a platform prefix; the run is started isolated (no incremental state moved).
   */
  stagingParameters: Record<string, string>;
  stagingOutput: Location;
  production: Location;
  table?: { database: string; name: string };
  backup: Location;
  checks: QualityChecks;
  tolerances: Tolerances;
  consumers: string[];
  smallFileBytes: number;
  requester: string;
  channel: string;
  incidentId?: string;
  createdAt: number;
}

export interface StepRecord {
  state: StepState;
  startedAt?: number;
  finishedAt?: number;
  /** One line for the progress message. */
  summary?: string;
  /** A run id, a link, … */
  link?: string;
  error?: string;
}

export interface DiffRow {
  metric: string;
  production: string;
  staging: string;
  diff: string;
  tolerance: string;
  ok: boolean;
}

export interface PromotedPartition {
  dt: string;
  /** Catalog: the previous location. Copy: the backup prefix of its objects. */
  previous: string;
  now: string;
}

/** One day of the window after a rollback: in which state it was left, in words. */
export interface RollbackPartition {
  dt: string;
  state: 'restored' | 'untouched' | 'not-restored' | 'unknown';
  detail: string;
}

/** What the last rollback did, day by day; `ok` false: it failed and left what `partitions` say. */
export interface RollbackReport {
  at: number;
  by: string;
  ok: boolean;
  /** Rollback attempts so far (a Retry rollback adds one). */
  attempt: number;
  error?: string;
  /** The step job has attempts left and retries on its own. */
  retrying?: boolean;
  partitions: RollbackPartition[];
}

export interface BackfillRecord {
  plan: BackfillPlan;
  status: BackfillStatus;
  steps: Record<BackfillStep, StepRecord>;
  messageTs?: string;
  approvalId?: string;
  stagingRunId?: string;
  consumerRuns?: Record<string, string>;
  diff?: DiffRow[];
  qualityFindings?: string[];
  /** Production and staging figures of the window (quality step), for the validation. */
  stats?: { production: DatasetStats; staging: DatasetStats };
  /** Data Quality run in flight (quality step). */
  dqRunId?: string;
  promoted?: PromotedPartition[];
  promoteMode?: 'catalog' | 'copy';
  abortedBy?: string;
  rolledBackBy?: string;
  /** The last rollback's outcome, day by day. */
  rollback?: RollbackReport;
  /** Retry promotion clicks that were accepted (after a failed promotion was rolled back). */
  promoteRetries?: { by: string; at: number }[];
  /** The retry whose clean state (copy records and cleared markers reset) promotion has made. */
  promoteResetFor?: number;
  failure?: string;
  /** Resumptions after a failure (the failed-backfill runbook's Resume), oldest first. */
  resumes?: { step: BackfillStep; by: string; at: number }[];
  /** Staging runs that failed before a resume: never adopted again. */
  failedStagingRunIds?: string[];
  /** Consumer runs that failed (before a resume): never adopted again, their consumers run anew. */
  failedConsumerRunIds?: string[];
  /** The failed staging run's own triage (state, error and its signature), for the runbook. */
  stagingTriage?: {
    runId: string;
    state: string;
    durationSec: number;
    error?: string;
    signature?: string;
    link?: string;
  };
  /**
   * The staging job's definition against production's, read before the staging run starts: the
   * approval shows what differs, and differences of runtime or script need acknowledging.
   */
  parity?: ParityReport;
  /** Why the parity could not be read (a backfill does not stop for it). */
  parityProblem?: string;
  updatedAt: number;
}

export class BackfillPlanError extends Error {
  override readonly name = 'BackfillPlanError';
  readonly code = 'BAD_PLAN';
}

export const MAX_WINDOW_DAYS = 31;

/** Dates of the window, inclusive, YYYY-MM-DD. */
export function windowDates(from: string, to: string): string[] {
  const a = Date.parse(`${from}T00:00:00Z`);
  const b = Date.parse(`${to}T00:00:00Z`);
  if (!Number.isFinite(a) || !Number.isFinite(b)) throw new BackfillPlanError('dates must be YYYY-MM-DD');
  if (a > b) throw new BackfillPlanError(`--from ${from} is after --to ${to}`);
  const days = Math.round((b - a) / 86_400_000) + 1;
  if (days > MAX_WINDOW_DAYS)
    throw new BackfillPlanError(`the window is ${days} days; at most ${MAX_WINDOW_DAYS} at once`);
  return Array.from({ length: days }, (_, i) => new Date(a + i * 86_400_000).toISOString().slice(0, 10));
}

export function withSlash(prefix: string): string {
  return prefix === '' || prefix.endsWith('/') ? prefix : `${prefix}/`;
}

/** `dt=YYYY-MM-DD/` under a location: the Hive partition layout of the runbook's lakes. */
export function partitionPrefix(loc: Location, dt: string): string {
  return `${withSlash(loc.prefix)}dt=${dt}/`;
}

export function formatLoc(loc: Location): string {
  if (loc.scheme === 's3') return `s3://${loc.container}/${loc.prefix}`;
  return `https://${loc.account ?? 'account'}.blob.core.windows.net/${loc.container}/${loc.prefix}`;
}

/** `20261127T050600Z`: sorts in time order, no ':' (safe in keys and job ids). */
export function stamp(ms: number): string {
  return new Date(ms)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
}

/** Where a snapshot object goes: the same relative key under the snapshot prefix. */
export function snapshotKey(plan: Pick<BackfillPlan, 'input' | 'snapshot'>, srcKey: string): string {
  const base = withSlash(plan.input.prefix);
  const rel = srcKey.startsWith(base) ? srcKey.slice(base.length) : srcKey;
  return `${plan.snapshot.prefix}${rel}`;
}

export interface PlanInput {
  id: string;
  job: string;
  provider: string;
  env: string;
  dryRun: boolean;
  from: string;
  to: string;
  input: Location;
  production: Location;
  stagingJob: string;
  /** The staging job's own output (its `--output_path`), under which this backfill writes. */
  stagingRoot: Location;
  table?: { database: string; name: string };
  consumers: string[];
  checks?: Partial<QualityChecks>;
  tolerances?: Partial<Tolerances>;
  smallFileBytes: number;
  requester: string;
  channel: string;
  incidentId?: string;
  now: number;
}

export function buildPlan(p: PlanInput): BackfillPlan {
  const dates = windowDates(p.from, p.to);
  const ts = stamp(p.now);
  const snapshot: Location = {
    ...p.input,
    prefix: `_backfill/snapshots/${p.job}/${ts}-${p.id}/${withSlash(p.input.prefix)}`,
  };
  const stagingOutput: Location = { ...p.stagingRoot, prefix: `${withSlash(p.stagingRoot.prefix)}${p.id}/` };
  const backup: Location = { ...p.production, prefix: `_backfill/backups/${p.job}/${p.id}/` };
  return {
    id: p.id,
    job: p.job,
    provider: p.provider,
    env: p.env,
    dryRun: p.dryRun,
    from: p.from,
    to: p.to,
    dates,
    input: p.input,
    inputPartitions: dates.map((d) => partitionPrefix(p.input, d)),
    snapshot,
    stagingJob: p.stagingJob,
    stagingParameters: {
      input_path: formatLoc(snapshot),
      output_path: formatLoc(stagingOutput),
      backfill_from: p.from,
      backfill_to: p.to,
    },

    stagingOutput,
    production: p.production,
    ...(p.table ? { table: p.table } : {}),
    backup,
    checks: {
      schema: true,
      rowCounts: true,
      nulls: true,
      minMax: true,
      dataQuality: false,
      ...p.checks,
    },
    tolerances: { ...DEFAULT_TOLERANCES, ...p.tolerances },
    consumers: p.consumers,
    smallFileBytes: p.smallFileBytes,
    requester: p.requester,
    channel: p.channel,
    ...(p.incidentId ? { incidentId: p.incidentId } : {}),
    createdAt: p.now,
  };
}

export function newRecord(plan: BackfillPlan, now: number): BackfillRecord {
  const steps = Object.fromEntries(BACKFILL_STEPS.map((s) => [s, { state: 'pending' }])) as Record<
    BackfillStep,
    StepRecord
  >;
  return { plan, status: 'running', steps, updatedAt: now };
}

export function nextStep(step: BackfillStep): BackfillStep | undefined {
  return BACKFILL_STEPS[BACKFILL_STEPS.indexOf(step) + 1];
}

export function isTerminal(r: BackfillRecord): boolean {
  return TERMINAL.includes(r.status);
}

/**
 * A backfill whose promotion could not be rolled back: production is partly restored (its record
 * says what is where) until a Retry rollback completes — no other backfill of the job may start
 * on top of it, failed as it is.
 */
export function rollbackUnfinished(r: BackfillRecord): boolean {
  return r.status === 'failed' && r.rollback?.ok === false;
}

/** The backfill still holds its job: in progress, or its rollback unfinished. */
export function holdsJob(r: BackfillRecord): boolean {
  return !isTerminal(r) || rollbackUnfinished(r);
}

/** Abort is possible until promotion starts (after that, Rollback is the way back). */
export function canAbort(r: BackfillRecord): boolean {
  return !isTerminal(r) && r.steps.promote.state === 'pending';
}

export function canRollback(r: BackfillRecord): boolean {
  return (
    canRetryRollback(r) ||
    ((r.status === 'succeeded' || r.steps.promote.state === 'done') &&
      r.status !== 'rolled-back' &&
      (r.promoted?.length ?? 0) > 0)
  );
}

/** A rollback that failed (and is not retrying on its own) may be retried. */
export function canRetryRollback(r: BackfillRecord): boolean {
  return r.rollback?.ok === false && !r.rollback.retrying && r.status !== 'rolled-back';
}

/**
 * A promotion that failed and was rolled back completely may be retried (a promotion someone
 * rolled back on purpose after it succeeded may not: that was a decision, not a failure).
 */
export function canRetryPromotion(r: BackfillRecord): boolean {
  return (
    r.status === 'rolled-back' &&
    r.steps.promote.state === 'failed' &&
    r.rollback?.ok === true &&
    !r.plan.dryRun &&
    r.approvalId !== undefined
  );
}

/**
 * Retry promotion: the promote step back to pending (the consumers too), what the failed attempt
 * recorded about production dropped (the promotion starts from the restored state; the promote
 * step resets its copy records and cleared markers before it copies anything, see
 * jobs/backfill/promote.ts). The approval stays: it is the same change.
 */
export function retryPromotionRecord(r: BackfillRecord, by: string, at: number): BackfillRecord {
  if (!canRetryPromotion(r))
    throw new StepTransitionError(`cannot retry the promotion of a backfill that is ${r.status}`);
  const {
    promoted: _promoted,
    promoteMode: _mode,
    failure: _failure,
    rolledBackBy: _by,
    rollback: _rollback,
    ...rest
  } = r;
  return {
    ...rest,
    status: 'running',
    steps: {
      ...r.steps,
      promote: { state: 'pending' },
      consumers: r.steps.consumers.state === 'skipped' ? { state: 'pending' } : r.steps.consumers,
    },
    promoteRetries: [...(r.promoteRetries ?? []), { by, at }],
    updatedAt: at,
  };
}

export class StepTransitionError extends Error {
  override readonly name = 'StepTransitionError';
  readonly code = 'BAD_TRANSITION';
}

/** May `step` run now? Every earlier step done (or skipped), the backfill not terminal. */
export function mayRun(r: BackfillRecord, step: BackfillStep): boolean {
  if (isTerminal(r)) return false;
  const i = BACKFILL_STEPS.indexOf(step);
  return BACKFILL_STEPS.slice(0, i).every(
    (s) => r.steps[s].state === 'done' || r.steps[s].state === 'skipped',
  );
}

export type StepEvent =
  | { type: 'start'; at: number; summary?: string }
  | { type: 'wait'; at: number; summary?: string; link?: string }
  | { type: 'done'; at: number; summary?: string; link?: string }
  | { type: 'skip'; at: number; summary: string }
  | { type: 'fail'; at: number; error: string };

/** The record after an event of one step; throws on an illegal transition. */
export function applyStep(r: BackfillRecord, step: BackfillStep, e: StepEvent): BackfillRecord {
  const cur = r.steps[step];
  if (e.type !== 'fail' && !mayRun(r, step))
    throw new StepTransitionError(
      `${step} cannot ${e.type}: earlier steps are not done or the backfill ended`,
    );
  if (cur.state === 'done' || cur.state === 'skipped')
    throw new StepTransitionError(`${step} is already ${cur.state}`);
  let next: StepRecord;
  let status: BackfillStatus = r.status;
  switch (e.type) {
    case 'start':
      next = {
        ...cur,
        state: 'running',
        startedAt: cur.startedAt ?? e.at,
        ...(e.summary ? { summary: e.summary } : {}),
      };
      break;
    case 'wait':
      next = {
        ...cur,
        state: 'waiting',
        startedAt: cur.startedAt ?? e.at,
        ...(e.summary ? { summary: e.summary } : {}),
        ...(e.link ? { link: e.link } : {}),
      };
      if (step === 'approval') status = 'awaiting-approval';
      break;
    case 'done':
      next = {
        ...cur,
        state: 'done',
        startedAt: cur.startedAt ?? e.at,
        finishedAt: e.at,
        ...(e.summary ? { summary: e.summary } : {}),
        ...(e.link ? { link: e.link } : {}),
      };
      status = nextStep(step) ? 'running' : 'succeeded';
      break;
    case 'skip':
      next = { ...cur, state: 'skipped', finishedAt: e.at, summary: e.summary };
      status = nextStep(step) ? 'running' : 'succeeded';
      break;
    case 'fail':
      next = { ...cur, state: 'failed', startedAt: cur.startedAt ?? e.at, finishedAt: e.at, error: e.error };
      status = 'failed';
      break;
  }
  return {
    ...r,
    status,
    steps: { ...r.steps, [step]: next },
    ...(e.type === 'fail' ? { failure: `${STEP_TITLE[step]}: ${e.error}` } : {}),
    updatedAt: e.at,
  };
}

/** Abort: the running step (if any) and the later ones are marked skipped; nothing promoted. */
export function abortRecord(r: BackfillRecord, by: string, at: number): BackfillRecord {
  if (!canAbort(r)) throw new StepTransitionError(`cannot abort a backfill that is ${r.status}`);
  const steps = { ...r.steps };
  for (const s of BACKFILL_STEPS)
    if (steps[s].state !== 'done')
      steps[s] = { ...steps[s], state: 'skipped', finishedAt: at, summary: 'aborted' };
  return { ...r, steps, status: 'aborted', abortedBy: by, updatedAt: at };
}

// ---------------------------------------------------------------------------------------------
// Statistics of a dataset (the window of production or staging) and their comparison.

export interface FileFacts {
  key: string;
  size: number;
  footer?: ParquetFooter;
}

/** A column over a dataset: unknown figures stay unknown (undefined), never 0. */
export interface ColumnFigures {
  /** Summed over files; undefined when a footer does not say. */
  nulls?: number;
  min?: StatValue;
  max?: StatValue;
  /** false: a bound, not the value (truncated, or not exact in a footer). */
  minExact?: boolean;
  maxExact?: boolean;
}

export interface DatasetStats {
  files: number;
  bytes: number;
  smallFiles: number;
  rows: number;
  /** name → logical type, from the first footer that has the column. */
  schema: Record<string, string>;
  columns: Record<string, ColumnFigures>;
  /** Files that are not Parquet or whose footer could not be read. */
  unreadable: string[];
}

/** Merge one more bound: the smaller min (or larger max); a tie is exact when either is. */
function mergeBound(
  cur: StatValue | undefined,
  curExact: boolean | undefined,
  next: StatValue,
  nextExact: boolean,
  want: 'min' | 'max',
): [StatValue, boolean] {
  if (!cur) return [next, nextExact];
  const c = compareStats(next, cur);
  if (c === undefined) return [cur, false];
  if (c === 0) return [cur, curExact === true || nextExact];
  return (want === 'min' ? c < 0 : c > 0) ? [next, nextExact] : [cur, curExact !== false];
}

export function datasetStats(files: FileFacts[], smallFileBytes: number): DatasetStats {
  const s: DatasetStats = {
    files: 0,
    bytes: 0,
    smallFiles: 0,
    rows: 0,
    schema: {},
    columns: {},
    unreadable: [],
  };
  // A file that has values of a column but no bound makes the dataset's bound unknown.
  const unknownMin = new Set<string>();
  const unknownMax = new Set<string>();
  for (const f of files) {
    s.files++;
    s.bytes += f.size;
    if (f.size < smallFileBytes) s.smallFiles++;
    if (!f.footer) {
      s.unreadable.push(f.key);
      continue;
    }
    s.rows += f.footer.rows;
    for (const c of f.footer.columns) {
      s.schema[c.name] ??= c.type;
      const agg = (s.columns[c.name] ??= { nulls: 0 });
      agg.nulls = agg.nulls === undefined || c.nullCount === undefined ? undefined : agg.nulls + c.nullCount;
      const hasValues = c.nullCount === undefined || c.nullCount < f.footer.rows;
      if (c.min !== undefined) {
        [agg.min, agg.minExact] = mergeBound(agg.min, agg.minExact, c.min, c.minExact !== false, 'min');
      } else if (hasValues) unknownMin.add(c.name);
      if (c.max !== undefined) {
        [agg.max, agg.maxExact] = mergeBound(agg.max, agg.maxExact, c.max, c.maxExact !== false, 'max');
      } else if (hasValues) unknownMax.add(c.name);
    }
  }
  for (const name of unknownMin) {
    const agg = s.columns[name]!;
    delete agg.min;
    delete agg.minExact;
  }
  for (const name of unknownMax) {
    const agg = s.columns[name]!;
    delete agg.max;
    delete agg.maxExact;
  }
  return s;
}

const pct = (a: number, b: number): number => (b === 0 ? (a === 0 ? 0 : Infinity) : ((a - b) / b) * 100);
const fmtPct = (v: number): string => (Number.isFinite(v) ? `${v >= 0 ? '+' : ''}${v.toFixed(1)}%` : '∞');
const fmtPts = (v: number): string => `${v >= 0 ? '+' : ''}${v.toFixed(1)} pts`;
const share = (n: number, d: number): number => (d ? (n / d) * 100 : 0);
const int = (n: number): string => n.toLocaleString('en-US');

/** Kinds whose range is compared: ordered numbers and times. */
const RANGED = new Set(['int', 'timestamp', 'date', 'decimal', 'float']);

/** Whether the two columns' bounds can be compared: same ordered kind, all four present. */
function comparable(p: ColumnFigures, s: ColumnFigures): boolean {
  const all = [p.min, p.max, s.min, s.max];
  if (!all.every(isStatValue)) return false;
  const kind = p.min!.kind;
  return RANGED.has(kind) && all.every((v) => v!.kind === kind);
}

/**
 * Is staging's range outside production's, widened on each side by the row tolerance (as a share
 * of production's span)? Timestamps are compared in nanoseconds whatever unit each side stored.
 * Only an exact bound on both sides of a comparison can breach: a bound that is not exact says
 * only that the true value lies beyond it, which proves nothing either way here.
 */
function rangeBreach(p: ColumnFigures, s: ColumnFigures, tol: Tolerances): boolean {
  if (!comparable(p, s)) return false;
  const lowKnown = p.minExact !== false && s.minExact !== false;
  const highKnown = p.maxExact !== false && s.maxExact !== false;
  const bp = BigInt(Math.round(tol.rowsPct * 100));
  switch (p.min!.kind) {
    case 'int':
    case 'timestamp': {
      const lo = BigInt(p.min!.value as string);
      const hi = BigInt(p.max!.value as string);
      const slack = ((hi - lo) * bp) / 10_000n;
      return (
        (lowKnown && BigInt(s.min!.value as string) < lo - slack) ||
        (highKnown && BigInt(s.max!.value as string) > hi + slack)
      );
    }
    case 'decimal': {
      const texts = [p.min, p.max, s.min, s.max].map((v) => v!.value as string);
      const scale = Math.max(...texts.map(decimalScale));
      const [plo, phi, slo, shi] = texts.map((t) => unscaledAt(t, scale)) as [bigint, bigint, bigint, bigint];
      const slack = ((phi - plo) * bp) / 10_000n;
      return (lowKnown && slo < plo - slack) || (highKnown && shi > phi + slack);
    }
    default: {
      const lo = p.min!.value as number;
      const hi = p.max!.value as number;
      const slack = ((hi - lo) * tol.rowsPct) / 100;
      return (
        (lowKnown && (s.min!.value as number) < lo - slack) ||
        (highKnown && (s.max!.value as number) > hi + slack)
      );
    }
  }
}

/**
 * What the quality suite could not check, and why: columns whose null count or range a footer left
 * unknown, or whose bounds are not exact. Said beside a passing suite, so "passed" is not read as
 * "checked everything".
 */
export function qualityCaveats(prod: DatasetStats, staging: DatasetStats, checks: QualityChecks): string[] {
  const out: string[] = [];
  const unknownNulls: string[] = [];
  const unranged: string[] = [];
  for (const [name, p] of Object.entries(prod.columns)) {
    const s = staging.columns[name];
    if (!s) continue;
    if (checks.nulls && (p.nulls === undefined || s.nulls === undefined)) unknownNulls.push(name);
    const ranged = [p.min, p.max, s.min, s.max].some((v) => isStatValue(v) && RANGED.has(v.kind));
    const kindOf = prod.schema[name] ?? '';
    const rangedType = /^(u?int|timestamp|date|decimal|float|double|time)/.test(kindOf);
    if (checks.minMax && rangedType && (!comparable(p, s) || !ranged)) unranged.push(name);
    else if (
      checks.minMax &&
      comparable(p, s) &&
      [p.minExact, p.maxExact, s.minExact, s.maxExact].some((e) => e === false)
    )
      unranged.push(name);
  }
  if (unknownNulls.length)
    out.push(`null counts unknown (a footer has none) for ${unknownNulls.map((n) => `\`${n}\``).join(', ')}`);
  if (unranged.length)
    out.push(
      `ranges not fully checked (bounds missing or not exact) for ${unranged.map((n) => `\`${n}\``).join(', ')}`,
    );
  return out;
}

/** The quality suite: schema, rows, null shares, min/max; each finding says what failed. */
export function qualityFindings(
  prod: DatasetStats,
  staging: DatasetStats,
  checks: QualityChecks,
  tol: Tolerances,
): string[] {
  const out: string[] = [];
  if (!staging.files) out.push('the staging output holds no files for the window');
  if (staging.unreadable.length)
    out.push(
      `${staging.unreadable.length} staging file(s) have no readable Parquet footer (e.g. ${staging.unreadable[0]})`,
    );
  if (checks.schema) {
    for (const [name, type] of Object.entries(prod.schema)) {
      if (!(name in staging.schema)) out.push(`schema: column \`${name}\` (${type}) is missing from staging`);
      else if (staging.schema[name] !== type)
        out.push(`schema: column \`${name}\` is ${staging.schema[name]} in staging, ${type} in production`);
    }
    for (const name of Object.keys(staging.schema))
      if (!(name in prod.schema)) out.push(`schema: column \`${name}\` is new in staging`);
  }
  if (checks.rowCounts && Math.abs(pct(staging.rows, prod.rows)) > tol.rowsPct)
    out.push(
      `rows: ${int(staging.rows)} in staging against ${int(prod.rows)} in production (${fmtPct(pct(staging.rows, prod.rows))}, tolerance ±${tol.rowsPct}%)`,
    );
  if (checks.nulls)
    for (const name of Object.keys(prod.columns)) {
      const sn = staging.columns[name]?.nulls;
      const pn = prod.columns[name]!.nulls;
      // An unknown null count is not compared (qualityCaveats says so), never taken as 0.
      if (sn === undefined || pn === undefined) continue;
      const d = share(sn, staging.rows) - share(pn, prod.rows);
      if (Math.abs(d) > tol.nullSharePts)
        out.push(
          `nulls: \`${name}\` is ${share(sn, staging.rows).toFixed(1)}% null in staging against ${share(pn, prod.rows).toFixed(1)}% (${fmtPts(d)}, tolerance ±${tol.nullSharePts} pts)`,
        );
    }
  if (checks.minMax)
    for (const [name, p] of Object.entries(prod.columns)) {
      const s = staging.columns[name];
      if (!s) continue;
      const outside = rangeBreach(p, s, tol);
      if (outside)
        out.push(
          `range: \`${name}\` spans ${formatStat(s.min!)}…${formatStat(s.max!)} in staging against ${formatStat(p.min!)}…${formatStat(p.max!)} in production`,
        );
    }
  return out;
}

/** The validation diff table against the production baseline of the window. */
export function baselineDiff(prod: DatasetStats, staging: DatasetStats, tol: Tolerances): DiffRow[] {
  const row = (metric: string, p: number, s: number, tolPct: number): DiffRow => {
    const d = pct(s, p);
    return {
      metric,
      production: int(p),
      staging: int(s),
      diff: fmtPct(d),
      tolerance: `±${tolPct}%`,
      ok: Math.abs(d) <= tolPct,
    };
  };
  const sfP = share(prod.smallFiles, prod.files);
  const sfS = share(staging.smallFiles, staging.files);
  const schemaP = Object.entries(prod.schema)
    .map(([n, t]) => `${n}:${t}`)
    .sort()
    .join(',');
  const schemaS = Object.entries(staging.schema)
    .map(([n, t]) => `${n}:${t}`)
    .sort()
    .join(',');
  return [
    row('rows', prod.rows, staging.rows, tol.rowsPct),
    row('files', prod.files, staging.files, tol.filesPct),
    row('bytes', prod.bytes, staging.bytes, tol.bytesPct),
    {
      metric: 'small-file share',
      production: `${sfP.toFixed(1)}%`,
      staging: `${sfS.toFixed(1)}%`,
      diff: fmtPts(sfS - sfP),
      tolerance: `±${tol.smallFileSharePts} pts`,
      ok: Math.abs(sfS - sfP) <= tol.smallFileSharePts,
    },
    {
      metric: 'schema',
      production: `${Object.keys(prod.schema).length} columns`,
      staging: `${Object.keys(staging.schema).length} columns`,
      diff: schemaP === schemaS ? 'same' : 'differs',
      tolerance: 'same',
      ok: schemaP === schemaS,
    },
  ];
}
