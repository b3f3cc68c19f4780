// Scenarios as data: functions that seed a fresh SimState with timestamps relative to the
// simulated "now". Compose them, or write your own with the helpers below (tests can also add
// jobs, runs, log events and objects to `state` directly after start).
import { backfillLake, driftBackfillLake } from './backfill-scenario.js';
import { costTags } from './cost-scenario.js';
import type { SimState } from './state.js';
import type { FinalState, GlueRun, JobInput } from './glue-store.js';
import type { SyntheticPartition } from './keyspace.js';
import { hash01 } from './random.js';
import {
  gcJob,
  spillJob,
  sparkScenarios,
  sparkUiBucket,
  sparkUiForExistingJobs,
  udfJob,
} from './spark-scenarios.js';

export type Scenario = (state: SimState, now: number) => void;

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

export const ERROR_LOG_GROUP = '/aws-glue/jobs/error';
export const OUTPUT_LOG_GROUP = '/aws-glue/jobs/output';

/** UTC date of an epoch ms as YYYY-MM-DD. */
export function isoDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** Spark's log4j timestamp, e.g. `26/11/27 02:14:03`. */
function sparkTime(ms: number): string {
  const d = new Date(ms).toISOString();
  return `${d.slice(2, 4)}/${d.slice(5, 7)}/${d.slice(8, 10)} ${d.slice(11, 19)}`;
}

export interface RunSpec {
  durationSec: number;
  outcome?: FinalState;
  errorMessage?: string;
}

export interface LogLines {
  /** Lines for `/aws-glue/jobs/error`, stream `<runId>`. */
  error?: string[];
  /** Lines for `/aws-glue/jobs/output`, stream `<runId>`. */
  output?: string[];
  /** Extra streams of the error group: suffix → lines (stream `<runId><suffix>`). */
  extraErrorStreams?: Record<string, string[]>;
}

export interface HistorySpec {
  job: JobInput;
  runs: RunSpec[];
  /** Time between run starts; default one day. */
  intervalMs?: number;
  /** Start of the newest run, before now; default 22 hours ago. */
  lastStartAgoMs?: number;
  /** Log lines for run i (0 = oldest). */
  logs?: (run: GlueRun, i: number) => LogLines;
}

/**
 * A job and its run history (oldest first in `runs`), with log streams named by run id. Run ids
 * are deterministic (derived from job name and index), so the same scenario always has the same ids.
 */
export function addJobHistory(state: SimState, now: number, spec: HistorySpec): GlueRun[] {
  state.glue.addJob(spec.job, now);
  const interval = spec.intervalMs ?? DAY;
  const lastStart = now - (spec.lastStartAgoMs ?? 22 * HOUR);
  const out: GlueRun[] = [];
  spec.runs.forEach((r, i) => {
    const startedAt = lastStart - (spec.runs.length - 1 - i) * interval;
    const run = state.glue.addRun({
      JobName: spec.job.Name,
      Id: state.glue.newRunId(`${spec.job.Name}#${i}`),
      startedAt,
      startingSec: 8,
      durationSec: r.durationSec,
      outcome: r.outcome ?? 'SUCCEEDED',
      ...(r.errorMessage !== undefined ? { errorMessage: r.errorMessage } : {}),
      TriggerName: `${spec.job.Name}-daily`,
    });
    out.push(run);
    const lines = spec.logs?.(run, i);
    if (lines) writeRunLogs(state, run, lines);
  });
  return out;
}

/** Spread lines evenly over the run's execution and write them to the run's streams. */
export function writeRunLogs(state: SimState, run: GlueRun, lines: LogLines): void {
  const begin = run.startedAt + run.startingMs;
  const spread = (list: string[]) =>
    list.map((message, k) => ({
      timestamp: begin + Math.floor(((k + 1) / (list.length + 1)) * run.durationMs),
      message,
    }));
  if (lines.error?.length) state.logs.putEvents(ERROR_LOG_GROUP, run.Id, spread(lines.error));
  if (lines.output?.length) state.logs.putEvents(OUTPUT_LOG_GROUP, run.Id, spread(lines.output));
  for (const [suffix, list] of Object.entries(lines.extraErrorStreams ?? {})) {
    state.logs.putEvents(ERROR_LOG_GROUP, `${run.Id}${suffix}`, spread(list));
  }
}

/** Daily Hive partitions `dt=YYYY-MM-DD` for the `days` days before now (newest = yesterday). */
export function dailyPartitions(
  now: number,
  days: number,
  shape: (daysAgo: number) => { count: number; avgSize: number },
): SyntheticPartition[] {
  const parts: SyntheticPartition[] = [];
  for (let ago = 1; ago <= days; ago++) {
    const day = now - ago * DAY;
    parts.push({ name: `dt=${isoDate(day)}`, lastModified: day + 3 * HOUR, ...shape(ago) });
  }
  return parts;
}

/** Deterministic jitter in [-spread, +spread]. */
function jitter(seed: string, i: number, spread: number): number {
  return Math.round((hash01(seed, i) * 2 - 1) * spread);
}

function sparkPreamble(run: GlueRun, input: string): string[] {
  const t = sparkTime(run.startedAt + run.startingMs);
  return [
    `${t} INFO SparkContext: Running Spark version 3.3.0-amzn-1`,
    `${t} INFO GlueContext: GlueMetrics configured and enabled`,
    `${t} INFO InMemoryFileIndex: It took 412 ms to list leaf files for 1 paths under ${input}`,
  ];
}

// ---------------------------------------------------------------------------------------------
// MyJob: stable ~20 min baseline, the last 3 runs +80%; newest input partition full of small files.

export const MYJOB = {
  name: 'MyJob',
  input: 's3://lake-raw/events/',
  output: 's3://lake-curated/events/',
  runs: 23,
  degradedRuns: 3,
  baselineSec: 1200,
  degradedSec: 2160,
  /** Files and average size of a baseline partition, and of the newest one. */
  baselinePartition: { count: 50, avgSize: 3_723_636 },
  newestPartition: { count: 1000, avgSize: 204_800 },
  partitions: 30,
} as const;

export const myJob: Scenario = (state, now) => {
  const m = MYJOB;
  const baseArgs = {
    '--input_path': m.input,
    '--output_path': m.output,
    '--job-bookmark-option': 'job-bookmark-enable',
    '--enable-metrics': 'true',
    '--enable-job-insights': 'true',
    '--enable-continuous-cloudwatch-log': 'false',
  };
  const parts = dailyPartitions(now, m.partitions, (ago) =>
    ago === 1 ? m.newestPartition : m.baselinePartition,
  );
  state.s3.addKeySpace('lake-raw', { prefix: 'events/', partitions: parts });
  const runs: RunSpec[] = [];
  for (let i = 0; i < m.runs; i++) {
    const degraded = i >= m.runs - m.degradedRuns;
    runs.push({ durationSec: (degraded ? m.degradedSec : m.baselineSec) + jitter('MyJob', i, 45) });
  }
  addJobHistory(state, now, {
    job: {
      Name: m.name,
      Description: 'Daily events ETL: lake-raw/events → lake-curated/events',
      WorkerType: 'G.1X',
      NumberOfWorkers: 10,
      GlueVersion: '4.0',
      DefaultArguments: baseArgs,
      behaviour: { durationSec: m.degradedSec, outcome: 'SUCCEEDED' },
    },
    runs,
    logs: (run, i) => {
      const degraded = i >= m.runs - m.degradedRuns;
      const dt = isoDate(run.startedAt - DAY);
      const files = i === m.runs - 1 ? m.newestPartition.count : m.baselinePartition.count;
      const t = sparkTime(run.startedAt + run.startingMs + 60_000);
      return {
        output: [
          `Job run ${run.Id} started`,
          `Reading ${m.input}dt=${dt}/`,
          `Wrote output to ${m.output}dt=${dt}/`,
          `Job run ${run.Id} finished`,
        ],
        error: [
          ...sparkPreamble(run, `${m.input}dt=${dt}/`),
          `${t} INFO InMemoryFileIndex: Listed ${files} files in ${m.input}dt=${dt}/`,
          `${t} INFO DAGScheduler: Job 0 finished: save at NativeMethodAccessorImpl.java:0`,
          ...(degraded
            ? [
                `${t} WARN TaskSetManager: Stage 1 contains a task of very large size (1254 KiB). The maximum recommended task size is 1000 KiB.`,
                `${t} INFO DAGScheduler: ShuffleMapStage 1 finished in ${Math.round(run.durationMs * 0.6)} ms`,
              ]
            : [
                `${t} INFO DAGScheduler: ShuffleMapStage 1 finished in ${Math.round(run.durationMs * 0.5)} ms`,
              ]),
        ],
      };
    },
  });
  // The compaction and staging jobs the runbook's mitigations and backfills use.
  state.glue.addJob(
    {
      Name: 'MyJob-compaction',
      Description: 'Compacts small files of lake-raw/events partitions',
      WorkerType: 'G.2X',
      NumberOfWorkers: 10,
      DefaultArguments: { '--input_path': m.input, '--target_file_size_mb': '512' },
      behaviour: { durationSec: 480, outcome: 'SUCCEEDED' },
    },
    now,
  );
  state.glue.addJob(
    {
      Name: 'MyJob-staging',
      Description: 'MyJob writing to lake-staging, for isolated backfill runs',
      // The same script as production (what `medic parity MyJob` checks).
      Command: { Name: 'glueetl', ScriptLocation: 's3://aws-glue-scripts/MyJob.py', PythonVersion: '3' },
      WorkerType: 'G.1X',
      NumberOfWorkers: 10,
      ExecutionProperty: { MaxConcurrentRuns: 3 },
      DefaultArguments: {
        ...baseArgs,
        '--output_path': 's3://lake-staging/events/',
        '--job-bookmark-option': 'job-bookmark-disable',
      },
      behaviour: { durationSec: 1250, outcome: 'SUCCEEDED' },
    },
    now,
  );
  state.s3.createBucket('lake-staging', now - 365 * DAY);
  // A few real (stored) curated objects, for copy / snapshot / backfill flows.
  for (let ago = 1; ago <= 5; ago++) {
    const dt = isoDate(now - ago * DAY);
    for (let p = 0; p < 2; p++) {
      state.s3.putObject(
        'lake-curated',
        `events/dt=${dt}/part-0000${p}.snappy.parquet`,
        `curated events ${dt} part ${p}\n`,
        {
          lastModified: now - ago * DAY + 4 * HOUR,
        },
      );
    }
  }
};

// ---------------------------------------------------------------------------------------------
// OomJob: the recent runs fail out of memory.

export const OOMJOB = { name: 'OomJob', input: 's3://lake-raw/orders/', runs: 15, failedRuns: 3 } as const;

export const OOM_ERROR_MESSAGE =
  'An error occurred while calling o112.pyWriteDynamicFrame. Job aborted due to stage failure: Task 7 in stage 3.0 failed 4 times, most recent failure: Lost task 7.3 in stage 3.0 (TID 88) (172.34.12.7 executor 4): ExecutorLostFailure (executor 4 exited caused by one of the running tasks) Reason: Container killed by YARN for exceeding memory limits. 5.5 GB of 5.5 GB physical memory used. java.lang.OutOfMemoryError: Java heap space';

export const oomJob: Scenario = (state, now) => {
  const m = OOMJOB;
  state.s3.addKeySpace('lake-raw', {
    prefix: 'orders/',
    partitions: dailyPartitions(now, 20, (ago) => ({
      count: 20,
      avgSize: ago <= 3 ? 180_000_000 : 90_000_000,
    })),
  });
  const runs: RunSpec[] = [];
  for (let i = 0; i < m.runs; i++) {
    const failed = i >= m.runs - m.failedRuns;
    runs.push(
      failed
        ? { durationSec: 1500 + jitter('OomJob', i, 60), outcome: 'FAILED', errorMessage: OOM_ERROR_MESSAGE }
        : { durationSec: 900 + jitter('OomJob', i, 40) },
    );
  }
  addJobHistory(state, now, {
    job: {
      Name: m.name,
      WorkerType: 'G.1X',
      NumberOfWorkers: 5,
      DefaultArguments: { '--input_path': m.input, '--enable-job-insights': 'true' },
      behaviour: { durationSec: 1500, outcome: 'FAILED', errorMessage: OOM_ERROR_MESSAGE },
    },
    runs,
    logs: (run, i) => {
      const failed = i >= m.runs - m.failedRuns;
      const t = sparkTime(run.startedAt + run.startingMs + 600_000);
      if (!failed) return { error: sparkPreamble(run, m.input), output: [`Job run ${run.Id} finished`] };
      return {
        output: [`Job run ${run.Id} started`],
        error: [
          ...sparkPreamble(run, m.input),
          `${t} WARN TaskSetManager: Lost task 7.0 in stage 3.0 (TID 61) (172.34.12.7 executor 4): java.lang.OutOfMemoryError: Java heap space`,
          '\tat java.util.Arrays.copyOf(Arrays.java:3236)',
          '\tat org.apache.spark.sql.catalyst.expressions.UnsafeRow.copy(UnsafeRow.java:467)',
          `${t} ERROR YarnScheduler: Lost executor 4 on 172.34.12.7: Container killed by YARN for exceeding memory limits. 5.5 GB of 5.5 GB physical memory used. Consider boosting spark.yarn.executor.memoryOverhead.`,
          `${t} WARN TaskSetManager: Lost task 7.3 in stage 3.0 (TID 88) (172.34.12.9 executor 6): ExecutorLostFailure (executor 6 exited caused by one of the running tasks) Reason: Container killed by YARN for exceeding memory limits. 5.5 GB of 5.5 GB physical memory used.`,
          `${t} ERROR ProcessLauncher: Error from Python:Traceback (most recent call last): py4j.protocol.Py4JJavaError: ${OOM_ERROR_MESSAGE}`,
        ],
        extraErrorStreams: {
          '-job-insights-rca-driver': [
            '[Glue Exception Analysis] {"Event":"GlueETLJobExceptionEvent","Failure Reason":"java.lang.OutOfMemoryError: Java heap space","Last Executed Line number":42,"script":"OomJob.py"}',
            '[Glue Exception Analysis] Last Spark action: DataFrameWriter.save at OomJob.py:42',
            '[Glue Exception Analysis] Exception timeline: executor 4 lost (OutOfMemoryError); executor 6 lost (Container killed by YARN for exceeding memory limits)',
          ],
          '-job-insights-rule-driver': [
            '[Glue Job Insights] Root cause: executors ran out of memory (java.lang.OutOfMemoryError: Java heap space).',
            '[Glue Job Insights] Recommendation: use a larger worker type (G.2X) or increase the number of partitions.',
          ],
        },
      };
    },
  });
};

// ---------------------------------------------------------------------------------------------
// SkewJob: slower runs with one task far longer than the stage's median.

export const SKEWJOB = {
  name: 'SkewJob',
  input: 's3://lake-raw/sessions/',
  runs: 18,
  degradedRuns: 3,
  baselineSec: 1800,
  degradedSec: 3000,
} as const;

export const skewJob: Scenario = (state, now) => {
  const m = SKEWJOB;
  state.s3.addKeySpace('lake-raw', {
    prefix: 'sessions/',
    partitions: dailyPartitions(now, 20, () => ({ count: 16, avgSize: 128_000_000 })),
  });
  const runs: RunSpec[] = [];
  for (let i = 0; i < m.runs; i++) {
    const degraded = i >= m.runs - m.degradedRuns;
    runs.push({ durationSec: (degraded ? m.degradedSec : m.baselineSec) + jitter('SkewJob', i, 60) });
  }
  addJobHistory(state, now, {
    job: {
      Name: m.name,
      WorkerType: 'G.2X',
      NumberOfWorkers: 10,
      DefaultArguments: { '--input_path': m.input },
      behaviour: { durationSec: m.degradedSec },
    },
    runs,
    logs: (run, i) => {
      const degraded = i >= m.runs - m.degradedRuns;
      const t = sparkTime(run.startedAt + run.startingMs + 300_000);
      const tasks = degraded ? 200 : 40;
      const lines: string[] = [];
      // TIDs of stage 2 start at 37, so task 3.0 is TID 40.
      for (let k = 0; k < tasks; k++) {
        const ms =
          degraded && k === 3 ? 512_000 : (degraded ? 4_000 : 20_000) + jitter(`SkewJob-${i}`, k, 800);
        lines.push(
          `${t} INFO TaskSetManager: Finished task ${k}.0 in stage 2.0 (TID ${37 + k}) in ${ms} ms on 172.35.1.${10 + (k % 10)} (executor ${1 + (k % 10)}) (${k + 1}/${tasks})`,
        );
      }
      return {
        output: [`Job run ${run.Id} finished`],
        error: [...sparkPreamble(run, m.input), ...lines, `${t} INFO DAGScheduler: ResultStage 2 finished`],
      };
    },
  });
};

// ---------------------------------------------------------------------------------------------
// DriftJob: fails on a renamed column after a new version of its catalog table.

export const DRIFTJOB = {
  name: 'DriftJob',
  input: 's3://lake-raw/drift_events/',
  /** Production output (real Parquet for the last days: backfill-scenario.ts' driftBackfillLake). */
  output: 's3://lake-curated/drift_events/',
  /** The same script writing to lake-staging, for isolated backfill runs. */
  stagingJob: 'DriftJob-staging',
  stagingOutput: 's3://lake-staging/drift_events/',
  database: 'lake',
  table: 'drift_events',
  runs: 15,
  failedRuns: 3,
} as const;

export const DRIFT_ERROR_MESSAGE =
  "AnalysisException: cannot resolve column 'customer_id' given input columns: [event_id, cust_id, amount, dt]";

export const driftJob: Scenario = (state, now) => {
  const m = DRIFTJOB;
  state.s3.addKeySpace('lake-raw', {
    prefix: 'drift_events/',
    partitions: dailyPartitions(now, 20, () => ({ count: 12, avgSize: 96_000_000 })),
  });
  const runs: RunSpec[] = [];
  for (let i = 0; i < m.runs; i++) {
    const failed = i >= m.runs - m.failedRuns;
    runs.push(
      failed
        ? {
            durationSec: 120 + jitter('DriftJob', i, 20),
            outcome: 'FAILED',
            errorMessage: DRIFT_ERROR_MESSAGE,
          }
        : { durationSec: 600 + jitter('DriftJob', i, 30) },
    );
  }
  const driftArgs = {
    '--input_path': m.input,
    '--output_path': m.output,
    '--database': m.database,
    '--table': m.table,
  };
  const history = addJobHistory(state, now, {
    job: {
      Name: m.name,
      WorkerType: 'G.1X',
      NumberOfWorkers: 4,
      DefaultArguments: driftArgs,
      behaviour: { durationSec: 120, outcome: 'FAILED', errorMessage: DRIFT_ERROR_MESSAGE },
    },
    runs,
    logs: (run, i) => {
      const failed = i >= m.runs - m.failedRuns;
      const t = sparkTime(run.startedAt + run.startingMs + 60_000);
      if (!failed) return { error: sparkPreamble(run, m.input), output: [`Job run ${run.Id} finished`] };
      return {
        output: [`Job run ${run.Id} started`],
        error: [
          ...sparkPreamble(run, m.input),
          `${t} ERROR GlueLogger: pyspark.sql.utils.AnalysisException: cannot resolve column 'customer_id' given input columns: [spark_catalog.lake.drift_events.event_id, spark_catalog.lake.drift_events.cust_id, spark_catalog.lake.drift_events.amount, spark_catalog.lake.drift_events.dt]`,
          `${t} ERROR ProcessLauncher: Error from Python:Traceback (most recent call last): pyspark.sql.utils.AnalysisException: cannot resolve column 'customer_id'`,
        ],
      };
    },
  });
  // The schema changed between the last good run and the first failed one (3 h before it).
  const firstFailed = history[m.runs - m.failedRuns]!;
  const location = `${m.input}`;
  const partitionKeys = [{ Name: 'dt', Type: 'string' }];
  state.glue.addTable({
    DatabaseName: m.database,
    Name: m.table,
    CreateTime: now - 200 * DAY,
    versions: [
      {
        VersionId: '1',
        updateTime: now - 200 * DAY,
        location,
        partitionKeys,
        parameters: { classification: 'parquet' },
        columns: [
          { Name: 'event_id', Type: 'string' },
          { Name: 'customer_id', Type: 'string' },
          { Name: 'amount', Type: 'double' },
        ],
      },
      {
        VersionId: '2',
        updateTime: firstFailed.startedAt - 3 * HOUR,
        location,
        partitionKeys,
        parameters: { classification: 'parquet', UPDATED_BY_CRAWLER: 'drift-events-crawler' },
        columns: [
          { Name: 'event_id', Type: 'string' },
          { Name: 'cust_id', Type: 'string' },
          { Name: 'amount', Type: 'decimal(18,2)' },
        ],
      },
    ],
  });
  // Its staging job, for the controlled backfill the schema-drift finding calls for: production's
  // script (what `medic parity DriftJob` checks), writing to lake-staging. Its runs succeed: a
  // backfill runs once the fix for the renamed column is deployed.
  state.glue.addJob(
    {
      Name: m.stagingJob,
      Description: 'DriftJob writing to lake-staging, for isolated backfill runs',
      Command: { Name: 'glueetl', ScriptLocation: `s3://aws-glue-scripts/${m.name}.py`, PythonVersion: '3' },
      WorkerType: 'G.1X',
      NumberOfWorkers: 4,
      ExecutionProperty: { MaxConcurrentRuns: 3 },
      DefaultArguments: {
        ...driftArgs,
        '--output_path': m.stagingOutput,
        '--job-bookmark-option': 'job-bookmark-disable',
      },
      behaviour: { durationSec: 600, outcome: 'SUCCEEDED' },
    },
    now,
  );
};

// ---------------------------------------------------------------------------------------------
// HealthyJob: stable. DownstreamJob: MyJob's consumer.

export const HEALTHYJOB = {
  name: 'HealthyJob',
  input: 's3://lake-raw/metrics/',
  runs: 15,
  baselineSec: 600,
} as const;

export const healthyJob: Scenario = (state, now) => {
  const m = HEALTHYJOB;
  state.s3.addKeySpace('lake-raw', {
    prefix: 'metrics/',
    partitions: dailyPartitions(now, 20, () => ({ count: 8, avgSize: 256_000_000 })),
  });
  addJobHistory(state, now, {
    job: {
      Name: m.name,
      WorkerType: 'G.1X',
      NumberOfWorkers: 2,
      DefaultArguments: { '--input_path': m.input },
      behaviour: { durationSec: m.baselineSec },
    },
    runs: Array.from({ length: m.runs }, (_, i) => ({
      durationSec: m.baselineSec + jitter('HealthyJob', i, 25),
    })),
    logs: (run) => ({ error: sparkPreamble(run, m.input), output: [`Job run ${run.Id} finished`] }),
  });
  addJobHistory(state, now, {
    job: {
      Name: 'DownstreamJob',
      WorkerType: 'G.1X',
      NumberOfWorkers: 2,
      DefaultArguments: { '--input_path': MYJOB.output },
      behaviour: { durationSec: 300 },
    },
    runs: Array.from({ length: 5 }, (_, i) => ({ durationSec: 300 + jitter('DownstreamJob', i, 20) })),
    lastStartAgoMs: 20 * HOUR,
  });
};

// ---------------------------------------------------------------------------------------------
// A big lake for benchmarks: 1,000,000 objects in 100 daily partitions of lake-big/events/.

export const BIG_LAKE = {
  bucket: 'lake-big',
  prefix: 'events/',
  partitions: 100,
  perPartition: 10_000,
  avgSize: 8_000_000,
} as const;

export const bigLake: Scenario = (state, now) => {
  state.s3.addKeySpace(BIG_LAKE.bucket, {
    prefix: BIG_LAKE.prefix,
    partitions: dailyPartitions(now, BIG_LAKE.partitions, () => ({
      count: BIG_LAKE.perPartition,
      avgSize: BIG_LAKE.avgSize,
    })),
  });
};

/** Buckets, log groups and the Glue scripts every scenario shares. */
export const base: Scenario = (state, now) => {
  for (const b of ['lake-raw', 'lake-curated', 'lake-staging', 'aws-glue-scripts'])
    state.s3.createBucket(b, now - 365 * DAY);
  state.logs.createGroup(ERROR_LOG_GROUP, now - 365 * DAY);
  state.logs.createGroup(OUTPUT_LOG_GROUP, now - 365 * DAY);
};

/** Called after the other scenarios: one script object per job. */
export const scripts: Scenario = (state, now) => {
  for (const job of state.glue.jobs.values()) {
    const m = /^s3:\/\/([^/]+)\/(.+)$/.exec(job.Command.ScriptLocation);
    if (m)
      state.s3.putObject(m[1]!, m[2]!, `# ${m[2]}\nimport sys\n`, {
        lastModified: now - 30 * DAY,
        contentType: 'text/x-python',
      });
  }
};

export const SCENARIOS = {
  base,
  myJob,
  oomJob,
  skewJob,
  driftJob,
  healthyJob,
  // Spark evidence (spark-scenarios.ts): jobs with event logs and metrics.
  sparkUiBucket,
  spillJob,
  udfJob,
  gcJob,
  sparkUiForExistingJobs,
  bigLake,
  costTags,
  scripts,
} as const;

/** Everything: the jobs of the runbook, their companions, the Spark-evidence jobs, and the big lake. */
export function defaultScenarios(): Scenario[] {
  return [
    base,
    myJob,
    backfillLake,
    oomJob,
    skewJob,
    driftJob,
    driftBackfillLake,
    healthyJob,
    ...sparkScenarios(),
    bigLake,
    costTags,
    scripts,
  ];
}

/** Buckets and log groups only. */
export function emptyScenarios(): Scenario[] {
  return [base];
}
