// What the backfill flow needs beyond jobs and objects: multipart uploads, Data Catalog
// partitions, staging jobs that write real Parquet output when their runs succeed, and Glue Data
// Quality rulesets and evaluation runs. Lives in SimState as `state.lake`.
import { createHash } from 'node:crypto';
import { MultipartStore } from './s3-multipart.js';
import { writeParquet, type ParquetColumn } from './parquet-writer.js';
import { runSnapshot } from './glue-store.js';
import { hash01 } from './random.js';
import type { SimState } from './state.js';

export interface CatalogPartition {
  Values: string[];
  Location: string;
  CreationTime: number;
  LastAccessTime?: number;
  Parameters: Record<string, string>;
}

/** How a job's runs write Parquet output (the staging job of a backfill). */
export interface OutputBehaviour {
  /** Rows per file relative to the production data of the same day (1 = same). */
  rowsFactor: number;
  /** Files written per partition. */
  filesPerPartition: number;
  /** A column left out of the output (schema drift). */
  dropColumn?: string;
  /** Every n-th user_id is null (production: 20). */
  nullEvery: number;
}

export const DEFAULT_OUTPUT: OutputBehaviour = { rowsFactor: 1, filesPerPartition: 2, nullEvery: 20 };

interface PendingOutput {
  job: string;
  runId: string;
  bucket: string;
  prefix: string;
  dates: string[];
}

export interface DqRuleset {
  Name: string;
  Ruleset: string;
  TargetTable?: { DatabaseName: string; TableName: string };
  CreatedOn: number;
}

export interface DqRun {
  RunId: string;
  Status: 'RUNNING' | 'SUCCEEDED' | 'FAILED';
  StartedOn: number;
  CompletedOn?: number;
  DataSource: {
    GlueTable: { DatabaseName: string; TableName: string; AdditionalOptions?: Record<string, string> };
  };
  RulesetNames: string[];
  ResultIds: string[];
  ErrorString?: string;
}

export interface DqRuleResult {
  Name: string;
  Description: string;
  Result: 'PASS' | 'FAIL' | 'ERROR';
  EvaluationMessage?: string;
}

export interface DqResult {
  ResultId: string;
  Score: number;
  RulesetName: string;
  RuleResults: DqRuleResult[];
  StartedOn: number;
  CompletedOn: number;
}

export class LakeStore {
  readonly multipart = new MultipartStore();
  /** `db.table` → partition values joined by '/' → partition. */
  readonly partitions = new Map<string, Map<string, CatalogPartition>>();
  /** Jobs whose runs write Parquet output, and how. */
  readonly outputWriters = new Map<string, OutputBehaviour>();
  readonly pending: PendingOutput[] = [];
  readonly rulesets = new Map<string, DqRuleset>();
  readonly dqRuns = new Map<string, DqRun>();
  readonly dqResults = new Map<string, DqResult>();
  /** What each written Parquet file holds, by ETag (copies keep it): for Data Quality runs. */
  readonly facts = new Map<string, { rows: number; nulls: Record<string, number> }>();
  /** Simulated seconds a Data Quality run takes. */
  dqDurationSec = 60;

  clear(): void {
    this.multipart.clear();
    this.partitions.clear();
    this.outputWriters.clear();
    this.pending.length = 0;
    this.rulesets.clear();
    this.dqRuns.clear();
    this.dqResults.clear();
    this.facts.clear();
  }

  tablePartitions(database: string, table: string): Map<string, CatalogPartition> {
    const k = `${database}.${table}`;
    let m = this.partitions.get(k);
    if (!m) {
      m = new Map();
      this.partitions.set(k, m);
    }
    return m;
  }

  /** Change how a job's later runs write output (tests: a broken staging run). */
  configureOutput(job: string, b: Partial<OutputBehaviour>): void {
    this.outputWriters.set(job, { ...DEFAULT_OUTPUT, ...this.outputWriters.get(job), ...b });
  }
}

/** The rows of a day of events, deterministic: the same day gives the same data everywhere. */
export function eventColumns(
  dt: string,
  file: number,
  rows: number,
  b: Pick<OutputBehaviour, 'nullEvery' | 'dropColumn'>,
): ParquetColumn[] {
  const day = Number(dt.replace(/-/g, ''));
  const ids: bigint[] = [];
  const users: (string | null)[] = [];
  const amounts: bigint[] = [];
  const types: string[] = [];
  const times: bigint[] = [];
  const dayMicros = BigInt(Date.parse(`${dt}T00:00:00Z`)) * 1000n;
  for (let i = 0; i < rows; i++) {
    ids.push(BigInt(day) * 1_000_000n + BigInt(file * 100_000 + i));
    users.push(b.nullEvery > 0 && i % b.nullEvery === 0 ? null : `user-${Math.floor(hash01(dt, i) * 5000)}`);
    amounts.push(BigInt(Math.floor(hash01(`${dt}-amount`, i) * 10_000)));
    types.push(['click', 'view', 'buy'][i % 3]!);
    times.push(dayMicros + BigInt(file * 3_600_000_000 + i * 1_234_567));
  }
  const cols: ParquetColumn[] = [
    { name: 'event_id', type: 'INT64', optional: false, values: ids },
    { name: 'user_id', type: 'BYTE_ARRAY', optional: true, values: users },
    { name: 'amount', type: 'INT64', optional: false, values: amounts },
    { name: 'event_type', type: 'BYTE_ARRAY', optional: false, values: types },
    { name: 'event_time', type: 'TIMESTAMP_MICROS', optional: false, values: times },
  ];
  return cols.filter((c) => c.name !== b.dropColumn);
}

/** Rows of one file of a day: 400–600, stable per day and file. */
export function rowsOf(dt: string, file: number): number {
  return 400 + Math.floor(hash01(`${dt}-rows`, file) * 200);
}

export function writeDay(
  state: SimState,
  bucket: string,
  prefix: string,
  dt: string,
  b: OutputBehaviour,
  lastModified: number,
): void {
  for (let f = 0; f < b.filesPerPartition; f++) {
    const rows = Math.max(1, Math.round(rowsOf(dt, f) * b.rowsFactor));
    const columns = eventColumns(dt, f, rows, b);
    // Row groups of 200 rows: 2–3 a file, so readers must merge statistics across them.
    const body = writeParquet(columns, { rowGroupRows: 200 });
    const stored = state.s3.putObject(
      bucket,
      `${prefix}dt=${dt}/part-${String(f).padStart(5, '0')}.snappy.parquet`,
      body,
      {
        lastModified,
      },
    );
    state.lake.facts.set(stored.etag, {
      rows,
      nulls: Object.fromEntries(columns.map((c) => [c.name, c.values.filter((v) => v === null).length])),
    });
  }
}

function parseS3(uri: string): { bucket: string; prefix: string } | undefined {
  const m = /^s3:\/\/([^/]+)\/?(.*)$/.exec(uri);
  if (!m) return undefined;
  const prefix = m[2]! && !m[2]!.endsWith('/') ? `${m[2]!}/` : m[2]!;
  return { bucket: m[1]!, prefix };
}

/** Dates from `--backfill_from` to `--backfill_to` (inclusive, YYYY-MM-DD). */
function datesBetween(from: string, to: string): string[] {
  const out: string[] = [];
  for (let t = Date.parse(`${from}T00:00:00Z`); t <= Date.parse(`${to}T00:00:00Z`); t += 86_400_000)
    out.push(new Date(t).toISOString().slice(0, 10));
  return out.slice(0, 366);
}

/** StartJobRun hook: a run of an output-writing job will write its window when it succeeds. */
export function onRunStarted(
  state: SimState,
  job: { Name: string; DefaultArguments: Record<string, string> },
  run: { Id: string; Arguments: Record<string, string> },
): void {
  if (!state.lake.outputWriters.has(job.Name)) return;
  const args = { ...job.DefaultArguments, ...run.Arguments };
  const out = parseS3(args['--output_path'] ?? '');
  const from = args['--backfill_from'];
  const to = args['--backfill_to'] ?? from;
  if (!out || !from || !to) return;
  state.lake.pending.push({ job: job.Name, runId: run.Id, ...out, dates: datesBetween(from, to) });
}

/** Called before every request: outputs of runs that have succeeded by now appear. */
export function materializeOutputs(state: SimState): void {
  const lake = state.lake;
  if (!lake.pending.length) return;
  const now = state.now();
  for (let i = lake.pending.length - 1; i >= 0; i--) {
    const p = lake.pending[i]!;
    const run = state.glue.findRun(p.job, p.runId);
    if (!run) {
      lake.pending.splice(i, 1);
      continue;
    }
    const snap = runSnapshot(run, now);
    if (snap.state === 'STARTING' || snap.state === 'RUNNING' || snap.state === 'STOPPING') continue;
    lake.pending.splice(i, 1);
    if (snap.state !== 'SUCCEEDED') continue;
    const b = lake.outputWriters.get(p.job) ?? DEFAULT_OUTPUT;
    for (const dt of p.dates) writeDay(state, p.bucket, p.prefix, dt, b, snap.completedAt ?? now);
    state.s3.putObject(p.bucket, `${p.prefix}_SUCCESS`, '', { lastModified: snap.completedAt ?? now });
  }
}

export function newDqId(prefix: string): string {
  return `${prefix}-${createHash('sha256').update(`${Date.now()}-${Math.random()}`).digest('hex').slice(0, 20)}`;
}
