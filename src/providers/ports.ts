// Ports: what the core asks of a cloud. Adapters live in providers/<cloud>/ and are picked by name
// through providers/registry.ts; nothing outside providers/ imports a vendor SDK.

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
  /** The IAM action / Azure permission that was refused, when known (ACCESS_DENIED). */
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
// Object storage (S3, Azure Blob)

export interface ObjectLocation {
  /** 's3' or 'azure-blob' */
  scheme: 's3' | 'azure-blob';
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
  /** List keys strictly after this key (S3 StartAfter). */
  startAfter?: string;
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
}

export interface ObjectStore {
  readonly scheme: ObjectLocation['scheme'];
  listPage(req: ListPageRequest): Promise<ListPage>;
  getObject(container: string, key: string, range?: { start: number; end: number }): Promise<Buffer>;
  putObject(container: string, key: string, body: Buffer | string): Promise<void>;
  copyObject(
    src: { container: string; key: string },
    dst: { container: string; key: string },
  ): Promise<{ etag?: string }>;
  deleteObjects(container: string, keys: string[]): Promise<void>;
}

// ---------------------------------------------------------------------------------------------
// Job platforms (Glue, Synapse)

export type ProviderName = 'glue' | 'synapse';

export type RunState =
  | 'STARTING'
  | 'RUNNING'
  | 'STOPPING'
  | 'STOPPED'
  | 'SUCCEEDED'
  | 'FAILED'
  | 'TIMEOUT'
  | 'ERROR'
  | 'WAITING'
  | 'EXPIRED';

export interface JobDefinition {
  name: string;
  description?: string;
  createdOn?: Date;
  lastModifiedOn?: Date;
  defaultArguments: Record<string, string>;
  workerType?: string;
  numberOfWorkers?: number;
  maxCapacity?: number;
  glueVersion?: string;
  executionClass?: 'STANDARD' | 'FLEX';
  timeoutMinutes?: number;
  logGroupName?: string;
}

export interface JobRun {
  id: string;
  jobName: string;
  attempt: number;
  previousRunId?: string;
  triggerName?: string;
  state: RunState;
  startedOn: Date;
  completedOn?: Date;
  lastModifiedOn?: Date;
  /** Seconds the run was executing (Glue ExecutionTime). */
  executionTimeSec: number;
  errorMessage?: string;
  workerType?: string;
  numberOfWorkers?: number;
  maxCapacity?: number;
  /** Only for Flex or auto-scaling runs. */
  dpuSeconds?: number;
  executionClass?: 'STANDARD' | 'FLEX';
  glueVersion?: string;
  logGroupName?: string;
  arguments: Record<string, string>;
}

export interface StartRunOptions {
  arguments?: Record<string, string>;
  workerType?: string;
  numberOfWorkers?: number;
  timeoutMinutes?: number;
  executionClass?: 'STANDARD' | 'FLEX';
}

export interface TableVersion {
  versionId: string;
  updateTime?: Date;
  columns: { name: string; type: string }[];
  partitionKeys: { name: string; type: string }[];
  location?: string;
}

export interface JobBookmark {
  jobName: string;
  runId?: string;
  attempt?: number;
  previousRunId?: string;
  bookmark?: string;
}

export interface JobPlatform {
  readonly provider: ProviderName;
  getJob(name: string): Promise<JobDefinition>;
  /** Every job name, for "did you mean" suggestions. */
  listJobNames(): Promise<string[]>;
  /** Newest first; pages until maxRuns runs or until runs older than `since`. */
  listRuns(name: string, opts: { maxRuns: number; since?: Date }): Promise<JobRun[]>;
  getRun(name: string, runId: string): Promise<JobRun>;
  startRun(name: string, opts?: StartRunOptions): Promise<string>;
  stopRun(name: string, runId: string): Promise<void>;
  updateJob(
    name: string,
    changes: Partial<Pick<JobDefinition, 'workerType' | 'numberOfWorkers' | 'defaultArguments'>>,
  ): Promise<void>;
  getBookmark(name: string): Promise<JobBookmark | undefined>;
  resetBookmark(name: string, runId?: string): Promise<JobBookmark | undefined>;
  getTableVersions(database: string, table: string, maxVersions?: number): Promise<TableVersion[]>;
}

// ---------------------------------------------------------------------------------------------
// Logs (CloudWatch Logs, Log Analytics)

export interface LogEvent {
  timestamp: Date;
  message: string;
  group: string;
  stream: string;
}

export interface LogQuery {
  group: string;
  streamNames?: string[];
  streamNamePrefix?: string;
  start: Date;
  end?: Date;
  filterPattern?: string;
  /** Stop after this many events. */
  maxEvents: number;
  signal?: AbortSignal;
}

export interface LogSource {
  /** Yields events in the order the service returns them, paging until maxEvents or the end. */
  events(query: LogQuery): AsyncIterable<LogEvent>;
  /** Stream names of a group starting with a prefix. */
  streamNames(group: string, prefix: string, max?: number): Promise<string[]>;
}

// ---------------------------------------------------------------------------------------------
// The set of adapters the core asks for by name (providers/registry.ts builds it).

export interface ProviderSet {
  jobPlatform(name: ProviderName): JobPlatform;
  logSource(name: ProviderName): LogSource;
  objectStore(scheme: ObjectLocation['scheme']): ObjectStore;
  /** Calls and throttled attempts so far, summed over every adapter (registry.ts counts them). */
  stats?(): { calls: number; throttled: number };
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
  /**
   * Named series for each run asked for, in the order given. A run the platform kept no metrics
   * for (metrics not enabled for the job) comes back with no series: the core reports "nothing",
   * never an error.
   */
  runMetrics(job: string, runs: RunWindow[], opts?: { signal?: AbortSignal }): Promise<RunMetrics[]>;
}
