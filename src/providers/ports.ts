// Ports: what the core asks of a data platform, in the runbook's words — runs, capacity, cost,
// logs and metrics of runs, objects in a lake. Adapters live in providers/<cloud>/ and are picked by
// name through providers/registry.ts, the only module that imports them.
//
// What a new platform implements (see README "Adding a platform"):
// - JobPlatform: getJob, listJobNames, listRuns, getRun, startRun, stopRun, planMitigation, execute,
//   and `terms`, `perRunParameters`; optionally the capabilities `scaling`, `bookmarks`, `catalog`,
//   `dataQuality`, `tags` (the core asks for them and says "not available on this platform" without).
// - LogSource: readRunLogs.
// - MetricsSource (optional): runMetrics.
// - ObjectStore for its lake, when it is not S3 or Blob (optionally `copy` and `scanInventory`).
import type { Capacity, RunLinks, RunRecord, RunState } from '../domain/run-record.js';
import type { MitigationParams } from '../domain/approval-policy.js';
import type { QualityChecks } from '../domain/backfill-plan.js';
import type { ProviderName } from './names.js';
import type { ScanProgress, ScanResult } from './scanner.js';

export { DEFAULT_PROVIDER, PROVIDER_NAMES, isProviderName, type ProviderName } from './names.js';
export type { Billing, Capacity, RunLinks, RunState } from '../domain/run-record.js';

/** Stable failure codes every adapter maps its vendor errors onto. */
export type ProviderErrorCode =
  | 'NOT_FOUND'
  | 'ACCESS_DENIED'
  | 'THROTTLED'
  | 'INVALID_INPUT'
  | 'CONCURRENT_RUNS'
  | 'UNAVAILABLE'
  | 'CANCELLED';

/** One error type for every adapter; `cause` keeps the vendor error. */
export class ProviderError extends Error {
  override readonly name = 'ProviderError';
  readonly code: ProviderErrorCode;
  /** The permission that was refused, when known (ACCESS_DENIED): an IAM action, an Azure role. */
  readonly action: string | undefined;
  /** Whether retrying later can succeed. */
  readonly retryable: boolean;

  constructor(
    code: ProviderErrorCode,
    message: string,
    opts: { cause?: unknown; action?: string; retryable?: boolean } = {},
  ) {
    super(message, { cause: opts.cause });
    this.code = code;
    this.action = opts.action;
    this.retryable = opts.retryable ?? (code === 'THROTTLED' || code === 'UNAVAILABLE');
  }
}

// ---------------------------------------------------------------------------------------------
// Call counters (every adapter keeps them; the registry sums them)

/** Counters of one adapter instance since it was created. */
export interface CallStats {
  /** API calls made (each may take several attempts). */
  calls: number;
  /** HTTP attempts, retries included. */
  attempts: number;
  /** Attempts the client repeated (throttling, 5xx, network). */
  retries: number;
  /** Attempts answered with a throttling error. */
  throttled: number;
  /** Time spent waiting between attempts, ms. */
  retryDelayMs: number;
}

export function emptyStats(): CallStats {
  return { calls: 0, attempts: 0, retries: 0, throttled: 0, retryDelayMs: 0 };
}

/** Adds `b` into `a`. */
export function addStats(a: CallStats, b: CallStats): CallStats {
  a.calls += b.calls;
  a.attempts += b.attempts;
  a.retries += b.retries;
  a.throttled += b.throttled;
  a.retryDelayMs += b.retryDelayMs;
  return a;
}

// ---------------------------------------------------------------------------------------------
// Object storage (S3, Azure Blob / ADLS Gen2)

export type ObjectScheme = 's3' | 'azure-blob';

export interface ObjectLocation {
  scheme: ObjectScheme;
  /** Azure storage account; undefined for S3. */
  account?: string;
  /** S3 bucket or Azure container. */
  container: string;
  /** Key prefix, '' for the whole container; never starts with '/'. */
  prefix: string;
}

export interface ObjectInfo {
  key: string;
  size: number;
  lastModified?: Date;
  etag?: string;
}

export interface ListPageRequest {
  container: string;
  prefix: string;
  delimiter?: string;
  /** List keys strictly after this key (S3 StartAfter; on Blob, startFrom without the key itself). */
  startAfter?: string;
  /**
   * List keys from this key, inclusive (Azure Blob `startFrom`, service version 2026-04-06). Blob
   * stores only. A service that ignores it (older ones, Azurite) is seen by the page's first key
   * sorting before it: the page is then filtered to keys from it on and `startFromIgnored` is set.
   */
  startFrom?: string;
  /** Opaque continuation token of the previous page. */
  token?: string;
  maxKeys?: number;
  signal?: AbortSignal;
}

export interface ListPage {
  objects: ObjectInfo[];
  /** Folder prefixes when a delimiter was given. */
  prefixes: string[];
  nextToken?: string;
  /** The service ignored `startFrom` / the startFrom behind `startAfter` (see ListPageRequest). */
  startFromIgnored?: boolean;
  /**
   * The listing's keys are in key order within this page only (ADLS Gen2 Path - List lists a
   * directory's entries before the next directory's): continue it by `nextToken`, never by
   * `startAfter` its last key, and never split its range.
   */
  tokenOnly?: boolean;
}

export interface ObjectRef {
  container: string;
  key: string;
}

export interface CopyOutcome {
  etag: string;
  /** Attempts the client repeated (throttling or 5xx): a sign to slow down. */
  retried: number;
  multipart: boolean;
}

export interface CopyHooks {
  /** A multipart upload started (recorded so a restart can abort it) or ended (undefined). */
  onUpload?(uploadId: string | undefined): Promise<void>;
}

export interface InventoryScanOptions {
  thresholdBytes?: number;
  signal?: AbortSignal;
  onProgress?: (p: ScanProgress) => void;
}

export interface ObjectStore {
  readonly scheme: ObjectScheme;
  listPage(req: ListPageRequest): Promise<ListPage>;
  getObject(container: string, key: string, range?: { start: number; end: number }): Promise<Buffer>;
  putObject(container: string, key: string, body: Buffer | string): Promise<void>;
  /**
   * Server-side copy of an object of `size` bytes, however large (S3: CopyObject, multipart
   * UploadPartCopy past 5 GB; Blob: Copy Blob). The ETag is the copy's own.
   */
  copy(src: ObjectRef, dst: ObjectRef, size: number, hooks?: CopyHooks): Promise<CopyOutcome>;
  /** Aborts a multipart upload a killed worker left behind (stores that have them). */
  abortUpload?(dst: ObjectRef, uploadId: string): Promise<void>;
  deleteObjects(container: string, keys: string[]): Promise<void>;
  /**
   * Optional: the location's objects from the store's own inventory report (S3 Inventory) kept at
   * `destination`, instead of listing.
   */
  scanInventory?(
    destination: ObjectLocation,
    target: ObjectLocation,
    opts?: InventoryScanOptions,
  ): Promise<ScanResult>;
}

// ---------------------------------------------------------------------------------------------
// Job platforms (Glue, Synapse)

export interface JobDefinition {
  name: string;
  description?: string;
  createdOn?: Date;
  lastModifiedOn?: Date;
  /** Default parameters, named without the platform's prefix (Glue `--input_path` → `input_path`). */
  parameters: Record<string, string>;
  capacity?: Capacity;
  timeoutMinutes?: number;
  /** The input location the job's own parameters name, when they name one. */
  inputLocation?: string;
  /** The output location the job's own parameters name, when they name one. */
  outputLocation?: string;
  /** Where the job's logs are, when its definition says (Glue: a continuous-logging group). */
  logLocations?: string[];
  /** Where its runs' Spark event logs are written (s3:// or abfss:// prefix), when they are. */
  sparkEventLogLocation?: string;
  /** The engine's version as the platform names it ("Glue 4.0", Synapse "Spark 3.4"), when known. */
  runtime?: string;
  /**
   * The code the job runs: an object URI when it is one (Glue: Command.ScriptLocation; Synapse: the
   * Spark job definition's file), else its name (Synapse: `notebook <name>`).
   */
  scriptLocation?: string;
  /** Named connections the job uses (Glue: Connections.Connections), sorted. */
  connections?: string[];
}

/** A run as every platform reports it (domain RunRecord plus what the core routes with). */
export interface JobRun extends RunRecord {
  jobName: string;
  attempt: number;
  previousRunId?: string;
  triggerName?: string;
  lastModifiedOn?: Date;
  parameters: Record<string, string>;
  links?: RunLinks;
}

/** How a platform's things are called in messages: "No Glue job named X", "Glue refused …". */
export interface PlatformTerms {
  /** 'AWS Glue', 'Azure Synapse' */
  platform: string;
  /** 'AWS', 'Azure': "AWS throttled some requests" */
  cloud: string;

  /** 'Glue', 'Synapse': "Glue refused the request" */
  short: string;
  /** 'Glue job', 'Synapse pipeline' */
  job: string;
  /** 'jr_…', a run id example for forms */
  runIdExample: string;
  /** How the platform writes a parameter name before its value ('--' for Glue's `--conf`). */
  parameterPrefix: string;

  /** Where "the IAM policy" lives for this platform's permissions ("IAM policy", "Azure role assignments"). */
  permissions: string;
}

/** One call a mitigation will make, described by the adapter that will make it. */
export interface PlannedAction {
  /** The platform operation, e.g. 'glue:StartJobRun'; also the permission named when it is refused. */
  operation: string;
  /** The job (or resource) it acts on. */
  jobName: string;
  /** The exact call in one line, for the approval message and dry runs. */
  description: string;
  /** 'run': starts a run the bot follows; 'change': takes effect when the call returns. */
  effect: 'run' | 'change';
  /** What to say once a 'change' has been applied. */
  doneNote?: string;
  /**
   * What the call changes, in a sentence, when the generic wording does not fit (a Spark pool
   * change reaches every job on the pool, not only this one).
   */
  summary?: string;
  /** The adapter's own request, replayed by `execute` (JSON, kept with the approval). */
  request: Record<string, unknown>;
}

/** The run parameter (named without the platform's prefix) carrying a tagged run's identity. */
export const RUN_TAG_PARAMETER = 'medic-approval-id';

export interface ActionOutcome {
  /** The run a 'run' action started. */
  runId?: string;
}

/** Sizes the scale mitigation offers (worker types, executor sizes) and how to say them. */
export interface ScalingOptions {
  /** 'Worker type', 'Executor size' */
  sizeLabel: string;
  /** 'Number of workers', 'Executors' */
  countLabel: string;
  sizes: readonly string[];
  defaultSize: string;
  maxCount: number;
  /** The one-rerun option, e.g. "Rerun once with these workers (StartJobRun overrides)". */
  rerunLabel: string;
  /** The persistent option; absent when the platform cannot change the job's size for good. */
  persistentLabel?: string;
  /** Capacity units (DPUs, vCores) `count` workers of `size` hold; undefined for a size it does not know. */
  unitsOf?(size: string, count: number): number | undefined;
}

export interface BookmarkSetting {
  /** The platform's own setting, e.g. 'job-bookmark-enable'. */
  option: string;
  enabled: boolean;
}

/** Incremental-processing state (Glue job bookmarks). */
export interface Bookmarks {
  /** The job's bookmark setting from its definition; undefined when it has none. */
  setting(def: JobDefinition): BookmarkSetting | undefined;
  /** Where the bookmark stands; undefined when there is none yet. */
  position(job: string): Promise<{ runId?: string } | undefined>;
}

export interface TableVersion {
  versionId: string;
  updateTime?: Date;
  columns: { name: string; type: string }[];
  partitionKeys: { name: string; type: string }[];
  location?: string;
}

export interface PartitionLocation {
  values: string[];
  location: string;
}

/** A table's columns and partition keys, as a catalog keeps them. */
export interface TableSchema {
  columns: { name: string; type: string }[];
  partitionKeys: { name: string; type: string }[];
}

/** A metadata catalog (Glue Data Catalog): schema history and partition locations. */
export interface Catalog {
  /**
   * The exact catalog call that would give the table `proposed` (Glue: UpdateTable with every
   * other field of the table carried over), for a migration plan to show; nothing is changed.
   */
  planSchemaUpdate(database: string, table: string, proposed: TableSchema): Promise<PlannedAction>;

  /** Newest first. */
  tableVersions(database: string, table: string, maxVersions?: number): Promise<TableVersion[]>;
  /** The partitions of `values` that exist, with their locations. */
  getPartitions(database: string, table: string, values: string[][]): Promise<PartitionLocation[]>;
  /**
   * Switches partition locations (atomic per partition), keeping every other field of each
   * partition. Returns the partitions that failed.
   */
  setPartitionLocations(
    database: string,
    table: string,
    entries: PartitionLocation[],
  ): Promise<{ values: string[]; error: string }[]>;
}

export interface DataQualityRequest {
  /** Unique per backfill: names the ruleset the adapter creates. */
  name: string;
  database: string;
  table: string;
  columns: string[];
  checks: QualityChecks;
  /** Fewest rows the output may have. */
  minRows: number;
  /** The job whose identity the evaluation runs with. */
  runAsJob: string;
  /** The data to evaluate, when it is not the table's own location. */
  location?: string;
}

export interface DataQualityRun {
  state: RunState;
  platformState: string;
  resultIds: string[];
  error?: string;
}

export interface DataQualityResult {
  score: number;
  rules: { name: string; result: string; message?: string }[];
}

/** The platform's own data-quality engine (Glue Data Quality). */
export interface DataQuality {
  readonly name: string;
  start(req: DataQualityRequest): Promise<string>;
  getRun(runId: string): Promise<DataQualityRun>;
  getResult(resultId: string): Promise<DataQualityResult>;
}

/** Resource tags of jobs, for cost allocation (Glue: tags on the job; Synapse: on its workspace or pool). */
export interface JobTags {
  /** The job's tags (NOT_FOUND for an unknown job). */
  get(job: string): Promise<Record<string, string>>;
  /** Every job of the platform carrying tag `key` with value `value`, sorted (bounded by the adapter). */
  jobsWith?(key: string, value: string): Promise<string[]>;
  /** The exact command that adds these tags to the job, with VALUE where a value must be chosen. */
  tagCommand(job: string, missing: readonly string[]): Promise<string>;
}

export interface JobPlatform {
  readonly provider: ProviderName;
  readonly terms: PlatformTerms;
  /** Parameters the platform sets on every run by itself: a difference there is not a change to the job. */
  readonly perRunParameters: ReadonlySet<string>;
  getJob(name: string): Promise<JobDefinition>;
  /** Every job name, for "did you mean" suggestions. */
  listJobNames(): Promise<string[]>;
  /**
   * Newest first; pages until maxRuns runs or until runs older than `since`. `pageSize`: runs per
   * platform call when few new runs are expected (the monitor's incremental reads).
   */
  listRuns(name: string, opts: { maxRuns: number; since?: Date; pageSize?: number }): Promise<JobRun[]>;
  getRun(name: string, runId: string): Promise<JobRun>;
  /**
   * A run with these parameters (named without prefix); the run id. `isolated`: the run must not
   * move the job's incremental state (Glue: bookmarks disabled for it) — backfill staging runs.
   */
  startRun(name: string, opts?: { parameters?: Record<string, string>; isolated?: boolean }): Promise<string>;

  stopRun(name: string, runId: string): Promise<void>;
  /** The calls a mitigation makes here, in order; undefined when this platform cannot do that kind. */
  planMitigation(job: string, m: MitigationParams): PlannedAction[] | undefined;
  /**
   * Makes one planned call. `tag`: an identity the run a 'run' action starts carries, so that run
   * can be told from any other later (listRuns shows it as the parameter RUN_TAG_PARAMETER) —
   * only on platforms with `tagsRuns`; elsewhere it is ignored.
   */
  execute(action: PlannedAction, opts?: { tag?: string }): Promise<ActionOutcome>;
  /**
   * Runs started by `execute` with a tag carry it (Glue: the run argument `--medic-approval-id`,
   * which StartJobRun takes whatever the job declares). Absent: the platform has no place for one
   * (a Synapse pipeline refuses parameters it does not declare).
   */
  readonly tagsRuns?: boolean;
  /** Where a job lives, for messages ("us-east-1", "workspace contoso-ws"); the caller's region when absent. */
  locationOf?(job: string): string | undefined;
  readonly scaling?: ScalingOptions;
  readonly bookmarks?: Bookmarks;
  readonly catalog?: Catalog;
  readonly dataQuality?: DataQuality;
  readonly tags?: JobTags;
}

// ---------------------------------------------------------------------------------------------
// Logs (CloudWatch Logs, Log Analytics): asked for by intent — the signals of these runs.

export interface RunLogRequest {
  job: string;
  runs: RunWindow[];
  /** Where the job's logs are, when configured or named by its definition; else the adapter's defaults. */
  locations?: string[];
  /** Events read per run and location at most (bounded for huge logs). */
  maxEventsPerRun: number;
  signal?: AbortSignal;
}

export interface RunLogEvent {
  runId: string;
  timestamp: Date;
  message: string;
  /** Where it came from, for counting (a log stream, a table). */
  source: string;
}

export interface LogProblem {
  code: ProviderErrorCode;
  message: string;
  /** The refused permission, for ACCESS_DENIED. */
  action?: string;
}

export interface RunLogRead {
  events: number;
  /** Distinct sources (streams, tables) the events came from. */
  sources: number;
  /** The locations read, as the adapter resolved them (for the report). */
  locations: string[];
  /** Parts that could not be read; the rest was read. */
  problems: LogProblem[];
  /** True when the service was throttling (requests were slowed). */
  throttled: boolean;
}

export interface LogSource {
  /**
   * Every event of these runs — errors and performance lines alike, not only errors — between each
   * run's start and end, handed to `onEvent` as it is read (bounded memory).
   */
  readRunLogs(req: RunLogRequest, onEvent: (e: RunLogEvent) => void): Promise<RunLogRead>;
}

// ---------------------------------------------------------------------------------------------
// Per-run metrics (CloudWatch GetMetricData for Glue, Azure Monitor for Synapse)

/**
 * The runbook's step 3 figures, by neutral name. Adapters map their own metric names onto these
 * (Glue: glue.driver.aggregate.bytesRead → 'bytesRead', …) and leave out what they do not have.
 */
export type RunMetricName =
  | 'bytesRead'
  | 'recordsRead'
  | 'shuffleBytesWritten'
  | 'shuffleBytesRead'
  | 'completedTasks'
  | 'failedTasks'
  | 'killedTasks'
  | 'executorsAllocated'
  | 'executorsNeeded'
  | 'driverHeapUsage'
  | 'executorHeapUsage'
  | 'storageBytesRead'
  | 'storageBytesWritten'
  | 'cpuLoad'
  | 'skewnessStage'
  | 'skewnessJob'
  | 'workerUtilization'
  | 'errors'
  | 'allocatedCores'
  | 'allocatedMemoryGb';

export interface MetricPoint {
  at: Date;
  value: number;
}

export interface MetricSeries {
  name: RunMetricName;
  /** 'bytes', 'count', 'ratio' (0–1), 'cores', 'GB' … as the adapter knows it. */
  unit: string;
  /** Oldest first. */
  points: MetricPoint[];
}

export interface RunMetrics {
  runId: string;
  series: MetricSeries[];
}

export interface RunWindow {
  id: string;
  startedOn: Date;
  completedOn?: Date;
}

export interface MetricsSource {
  /** How a job turns its metrics on, said in the report when a run has none (e.g. a job argument). */
  readonly howToEnable?: string;
  /** The platform's own name of the `skewnessJob` series, for the report (Glue: glue.driver.skewness.job). */
  readonly nativeName?: (name: RunMetricName) => string | undefined;
  /**
   * Named series for each run asked for, in the order given. A run the platform kept no metrics
   * for (metrics not enabled for the job) comes back with no series: the core reports "nothing",
   * never an error.
   */
  runMetrics(job: string, runs: RunWindow[], opts?: { signal?: AbortSignal }): Promise<RunMetrics[]>;
}

// ---------------------------------------------------------------------------------------------
// The set of adapters the core asks for by name (providers/registry.ts builds it).

export interface Providers {
  jobPlatform(name: ProviderName): JobPlatform;
  logSource(name: ProviderName): LogSource;
  /** undefined when the platform has no metrics adapter. */
  metrics(name: ProviderName): MetricsSource | undefined;
  objectStore(scheme: ObjectScheme): ObjectStore;
  /**
   * Calls, retries and throttled attempts of every adapter created so far, summed. Take one
   * before and one after a piece of work: a grown `throttled` means the data was slowed.
   */
  stats(): CallStats;
  /** Closes the clients' connection pools (shutdown); adapters asked for later are new ones. */
  close(): void;
}
