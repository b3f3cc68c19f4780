// Scenarios with Spark evidence: Glue jobs run with `--enable-spark-ui true` and
// `--spark-event-logs-path s3://…`, whose runs left Spark event logs (sim/spark-eventlog.ts) in the
// simulator's S3, performance lines in CloudWatch Logs, and (with --enable-metrics) Glue job
// metrics in CloudWatch. Three jobs degrade without a single error line:
// - SpillJob: the last 3 runs spill in "save at SpillJob.py:42" (memory spill 0.6 of the bytes it
//   processes), the stage takes 2.4× as long;
// - UdfJob: time goes into a row-at-a-time Python UDF (BatchEvalPython) in "save at UdfJob.py:31",
//   which got 2.6× slower per byte;
// - GcJob: "collect at GcJob.py:27" spends over a third of its task time in GC (rolled logs,
//   observability metrics on).
// Existing jobs gain event logs too: SkewJob (skewed stage 2, matching its TaskSetManager lines)
// and HealthyJob (nothing to find). Event logs exist for the newest runs only (LOGGED_RUNS), the
// problematic ones and the newest baseline ones.
//
// Scenario functions are function declarations: scenarios.ts and this module import each other.
import type { SimState } from './state.js';
import type { GlueRun, JobInput } from './glue-store.js';
import { hash01 } from './random.js';
import { addJobHistory, dailyPartitions, DAY, HOUR, type LogLines, type RunSpec } from './scenarios.js';
import {
  eventLogText,
  glueAppId,
  rolledEventLog,
  type SparkAppSpec,
  type SparkStageSpec,
} from './spark-eventlog.js';
import type { RunMetricProfile } from './metrics-store.js';

const GB = 1024 ** 3;
const MB = 1024 ** 2;

/** Where every scenario job writes its Spark UI logs (Glue's default assets bucket layout). */
export const SPARK_UI = {
  bucket: 'aws-glue-assets-123456789012-us-east-1',
  prefix: 'sparkHistoryLogs/',
  path: 's3://aws-glue-assets-123456789012-us-east-1/sparkHistoryLogs/',
} as const;

/** Runs of each job (newest first) that have an event log. */
export const LOGGED_RUNS = 5;

export function sparkUiArguments(): Record<string, string> {
  return { '--enable-spark-ui': 'true', '--spark-event-logs-path': SPARK_UI.path };
}

interface SparkJobSpec {
  job: JobInput & { Name: string };
  runs: number;
  degradedRuns: number;
  baseline: SparkStageSpec[];
  degraded: SparkStageSpec[];
  executors: number;
  coresPerExecutor: number;
  executorMemory: string;
  /** Rolled event logs with files of about this many bytes; single files when unset. */
  rolledFileBytes?: number;
  /** CloudWatch lines of run i. */
  logs: (run: GlueRun, degraded: boolean, spec: SparkAppSpec) => LogLines;
  /** Job metrics of a run (with --enable-metrics). */
  metrics?: (spec: SparkAppSpec, degraded: boolean) => RunMetricProfile;
  loggedRuns?: number;
}

/** Spark's log4j timestamp, e.g. `26/11/27 02:14:03`. */
function log4jTime(ms: number): string {
  const d = new Date(ms).toISOString();
  return `${d.slice(2, 4)}/${d.slice(5, 7)}/${d.slice(8, 10)} ${d.slice(11, 19)}`;
}

function preamble(t: number, input: string): string[] {
  const ts = log4jTime(t);
  return [
    `${ts} INFO SparkContext: Running Spark version 3.3.0-amzn-1`,
    `${ts} INFO GlueContext: GlueMetrics configured and enabled`,
    `${ts} INFO InMemoryFileIndex: It took 412 ms to list leaf files for 1 paths under ${input}`,
  ];
}

/** TaskSetManager's "Finished task" lines of a stage (as Spark logs every finished task). */
function finishedTasks(
  ts: string,
  stageId: number,
  stage: SparkStageSpec,
  seed: string,
  firstTid: number,
): string[] {
  const out: string[] = [];
  for (let k = 0; k < stage.tasks; k++) {
    const factor = k < (stage.skew?.tasks ?? 0) ? (stage.skew?.factor ?? 1) : 1;
    const ms = Math.round(stage.taskMs * factor * (1 + (hash01(seed, k) * 2 - 1) * (stage.jitter ?? 0.1)));
    out.push(
      `${ts} INFO TaskSetManager: Finished task ${k}.0 in stage ${stageId}.0 (TID ${firstTid + k}) in ${ms} ms on 172.34.1.${10 + (k % 9)} (executor ${1 + (k % 9)}) (${k + 1}/${stage.tasks})`,
    );
  }
  return out;
}

function totalsOf(stages: SparkStageSpec[]) {
  const sum = (f: (s: SparkStageSpec) => number | undefined) => stages.reduce((n, s) => n + (f(s) ?? 0), 0);
  return {
    input: sum((s) => s.inputBytes),
    output: sum((s) => s.outputBytes),
    shuffleRead: sum((s) => s.shuffleReadBytes),
    shuffleWrite: sum((s) => s.shuffleWriteBytes),
    tasks: sum((s) => s.tasks + (s.failedTasks ?? 0)),
    failed: sum((s) => s.failedTasks),
  };
}

/** Job metrics that agree with an event log's totals. */
export function profileFromSpec(
  spec: SparkAppSpec,
  levels: {
    executorHeap: number;
    driverHeap?: number;
    cpu?: number;
    workerUtilization?: number;
    skewness?: number;
  },
): RunMetricProfile {
  const t = totalsOf(spec.stages);
  return {
    counts: {
      'glue.driver.aggregate.bytesRead': t.input,
      'glue.driver.aggregate.recordsRead': Math.round(t.input / 100),
      'glue.driver.aggregate.numCompletedTasks': t.tasks - t.failed,
      'glue.driver.aggregate.numFailedTasks': t.failed,
      'glue.driver.aggregate.numKilledTasks': 0,
      'glue.driver.aggregate.numCompletedStages': spec.stages.length,
      'glue.driver.aggregate.shuffleBytesWritten': t.shuffleWrite,
      'glue.driver.aggregate.shuffleLocalBytesRead': t.shuffleRead,
      'glue.ALL.s3.filesystem.read_bytes': t.input,
      'glue.ALL.s3.filesystem.write_bytes': t.output,
    },
    gauges: {
      'glue.driver.ExecutorAllocationManager.executors.numberAllExecutors': spec.executors,
      'glue.driver.ExecutorAllocationManager.executors.numberMaxNeededExecutors': spec.executors,
      'glue.driver.jvm.heap.usage': levels.driverHeap ?? 0.3,
      'glue.ALL.jvm.heap.usage': levels.executorHeap,
      'glue.driver.system.cpuSystemLoad': 0.15,
      'glue.ALL.system.cpuSystemLoad': levels.cpu ?? 0.7,
    },
    observability: {
      'glue.driver.skewness.stage': levels.skewness ?? 0,
      'glue.driver.skewness.job': levels.skewness ?? 0,
      'glue.driver.workerUtilization': levels.workerUtilization ?? 0.7,
      'glue.error.ALL': 0,
    },
  };
}

const STARTING_MS = 8_000;
const DRIVER_START_MS = 2_000;

/**
 * A job whose runs follow `baseline` and, for the last `degradedRuns`, `degraded` stages. Each run's
 * duration is its application's: the event log is generated first, then the run is made to fit.
 */
function sparkJob(state: SimState, now: number, spec: SparkJobSpec): GlueRun[] {
  const lastStart = now - 22 * HOUR;
  const logged = spec.loggedRuns ?? LOGGED_RUNS;
  const apps: (SparkAppSpec & {
    text?: string;
    files?: { name: string; body: string }[];
    endedAt: number;
  })[] = [];
  const runSpecs: RunSpec[] = [];
  let typical = 0;
  for (let i = 0; i < spec.runs; i++) {
    const degraded = i >= spec.runs - spec.degradedRuns;
    const startedAt = lastStart - (spec.runs - 1 - i) * DAY;
    const runId = state.glue.newRunId(`${spec.job.Name}#${i}`);
    const appStart = startedAt + STARTING_MS + DRIVER_START_MS + Math.round(hash01(runId, 1) * 900);
    const app: SparkAppSpec = {
      appId: glueAppId(appStart),
      appName: spec.job.Name,
      startedAt: appStart,
      executors: spec.executors,
      coresPerExecutor: spec.coresPerExecutor,
      executorMemory: spec.executorMemory,
      properties: {
        'spark.glue.JOB_NAME': spec.job.Name,
        'spark.glue.JOB_RUN_ID': runId,
        'spark.glue.GLUE_VERSION': spec.job.GlueVersion ?? '4.0',
        'spark.eventLog.dir': SPARK_UI.path,
      },
      javaCommand: `org.apache.spark.deploy.SparkSubmit --class GlueApp script_2026-11-27.py --JOB_ID j_${runId.slice(3, 19)} --JOB_RUN_ID ${runId} --JOB_NAME ${spec.job.Name}`,
      stages: degraded ? spec.degraded : spec.baseline,
      tailMs: 4_000,
    };
    if (i >= spec.runs - logged) {
      if (spec.rolledFileBytes) {
        const r = rolledEventLog(app, spec.rolledFileBytes);
        apps.push({ ...app, files: r.files, endedAt: r.endedAt });
      } else {
        const r = eventLogText(app);
        apps.push({ ...app, text: r.text, endedAt: r.endedAt });
      }
      const sec = Math.ceil((apps[apps.length - 1]!.endedAt - (startedAt + STARTING_MS)) / 1000) + 3;
      if (!degraded) typical = typical || sec;
      runSpecs.push({ durationSec: sec });
    } else {
      runSpecs.push({ durationSec: 0 }); // set below from a logged baseline run
    }
  }
  if (typical === 0) {
    // Every logged run is degraded: time a baseline application once for the older runs.
    const probe = eventLogText({ ...apps[0]!, stages: spec.baseline });
    typical = Math.ceil((probe.endedAt - apps[0]!.startedAt) / 1000) + 5;
  }
  runSpecs.forEach((r, i) => {
    if (r.durationSec === 0) r.durationSec = typical + Math.round((hash01(spec.job.Name, i) * 2 - 1) * 30);
  });

  const appByRun = new Map<number, (typeof apps)[number]>();
  apps.forEach((a, k) => appByRun.set(spec.runs - apps.length + k, a));
  const runs = addJobHistory(state, now, {
    job: spec.job,
    runs: runSpecs,
    logs: (run, i) => {
      const degraded = i >= spec.runs - spec.degradedRuns;
      const app = appByRun.get(i) ?? {
        ...(apps[0] as SparkAppSpec),
        stages: degraded ? spec.degraded : spec.baseline,
        appId: glueAppId(run.startedAt + STARTING_MS + DRIVER_START_MS),
        startedAt: run.startedAt + STARTING_MS + DRIVER_START_MS,
      };
      return spec.logs(run, degraded, app);
    },
  });
  runs.forEach((run, i) => {
    const degraded = i >= spec.runs - spec.degradedRuns;
    const app = appByRun.get(i);
    if (app) {
      const lastModified = app.endedAt + 25_000;
      if (app.text !== undefined)
        state.s3.putObject(SPARK_UI.bucket, `${SPARK_UI.prefix}${app.appId}`, app.text, { lastModified });
      for (const f of app.files ?? [])
        state.s3.putObject(SPARK_UI.bucket, `${SPARK_UI.prefix}${f.name}`, f.body, { lastModified });
    }
    if (spec.metrics) {
      const a = app ?? { ...(apps[0] as SparkAppSpec), stages: degraded ? spec.degraded : spec.baseline };
      state.metrics.setRunProfile(run.Id, spec.metrics(a, degraded));
    }
  });
  return runs;
}

function glueJob(
  name: string,
  input: string,
  extra: Record<string, string> = {},
): JobInput & { Name: string } {
  return {
    Name: name,
    WorkerType: 'G.1X',
    NumberOfWorkers: 10,
    GlueVersion: '4.0',
    DefaultArguments: {
      '--input_path': input,
      '--enable-metrics': 'true',
      ...sparkUiArguments(),
      ...extra,
    },
    behaviour: { durationSec: 1500 },
  };
}

// ---------------------------------------------------------------------------------------------
// SpillJob: the save stage spills in the last 3 runs.

export const SPILLJOB = {
  name: 'SpillJob',
  input: 's3://lake-raw/clicks/',
  runs: 15,
  degradedRuns: 3,
  spillStage: 'save at SpillJob.py:42',
} as const;

const SPILL_BASE: SparkStageSpec[] = [
  {
    name: 'parquet at SpillJob.py:18',
    tasks: 72,
    taskMs: 140_000,
    inputBytes: 36 * GB,
    shuffleWriteBytes: 30 * GB,
  },
  { name: SPILLJOB.spillStage, tasks: 72, taskMs: 145_000, shuffleReadBytes: 30 * GB, outputBytes: 12 * GB },
];
const SPILL_DEGRADED: SparkStageSpec[] = [
  SPILL_BASE[0] as SparkStageSpec,
  {
    ...(SPILL_BASE[1] as SparkStageSpec),
    taskMs: 400_000,
    memorySpilledBytes: 18 * GB,
    diskSpilledBytes: 8 * GB,
  },
];

export function spillJob(state: SimState, now: number): void {
  const m = SPILLJOB;
  state.s3.addKeySpace('lake-raw', {
    prefix: 'clicks/',
    partitions: dailyPartitions(now, 20, () => ({ count: 36, avgSize: 1_000_000_000 })),
  });
  sparkJob(state, now, {
    job: glueJob(m.name, m.input),
    runs: m.runs,
    degradedRuns: m.degradedRuns,
    baseline: SPILL_BASE,
    degraded: SPILL_DEGRADED,
    executors: 9,
    coresPerExecutor: 4,
    executorMemory: '10g',
    logs: (run, degraded, app) => {
      const begin = run.startedAt + run.startingMs;
      const ts = log4jTime(begin + 60_000);
      const save = app.stages[1] as SparkStageSpec;
      const spills: string[] = [];
      if (degraded) {
        // Three spills a task, summing to the stage's memory spill.
        const each = (save.memorySpilledBytes ?? 0) / (save.tasks * 3);
        for (let k = 0; k < save.tasks * 3; k++)
          spills.push(
            `${ts} INFO UnsafeExternalSorter: Thread ${80 + (k % 36)} spilling sort data of ${(each / MB).toFixed(1)} MB to disk (${k % 3} ${k % 3 === 1 ? 'time' : 'times'} so far)`,
          );
      }
      return {
        output: [`Job run ${run.Id} started`, `Job run ${run.Id} finished`],
        error: [
          ...preamble(begin, m.input),
          ...finishedTasks(ts, 0, app.stages[0] as SparkStageSpec, `${run.Id}:0`, 0),
          ...spills,
          ...finishedTasks(ts, 1, save, `${run.Id}:1`, 72),
        ],
      };
    },
    metrics: (app, degraded) => profileFromSpec(app, { executorHeap: degraded ? 0.88 : 0.55 }),
  });
}

// ---------------------------------------------------------------------------------------------
// UdfJob: a row-at-a-time Python UDF takes most of the time, and got slower.

export const UDFJOB = {
  name: 'UdfJob',
  input: 's3://lake-raw/reviews/',
  runs: 15,
  degradedRuns: 3,
  udfStage: 'save at UdfJob.py:31',
} as const;

const UDF_BASE: SparkStageSpec[] = [
  {
    name: 'parquet at UdfJob.py:15',
    tasks: 36,
    taskMs: 120_000,
    inputBytes: 12 * GB,
    shuffleWriteBytes: 10 * GB,
  },
  {
    name: UDFJOB.udfStage,
    tasks: 72,
    taskMs: 140_000,
    shuffleReadBytes: 10 * GB,
    outputBytes: 4 * GB,
    python: 'BatchEvalPython',
  },
];
const UDF_DEGRADED: SparkStageSpec[] = [
  UDF_BASE[0] as SparkStageSpec,
  { ...(UDF_BASE[1] as SparkStageSpec), taskMs: 400_000 },
];

export function udfJob(state: SimState, now: number): void {
  const m = UDFJOB;
  state.s3.addKeySpace('lake-raw', {
    prefix: 'reviews/',
    partitions: dailyPartitions(now, 20, () => ({ count: 12, avgSize: 1_000_000_000 })),
  });
  sparkJob(state, now, {
    job: glueJob(m.name, m.input),
    runs: m.runs,
    degradedRuns: m.degradedRuns,
    baseline: UDF_BASE,
    degraded: UDF_DEGRADED,
    executors: 9,
    coresPerExecutor: 4,
    executorMemory: '10g',
    logs: (run, _degraded, app) => {
      const begin = run.startedAt + run.startingMs;
      const ts = log4jTime(begin + 60_000);
      const udf = app.stages[1] as SparkStageSpec;
      // PythonRunner's per-task times: the Python worker takes ~95 % of each task.
      const times: string[] = [];
      for (let k = 0; k < udf.tasks; k++) {
        const total = Math.round(udf.taskMs * 0.95 * (1 + (hash01(`${run.Id}:py`, k) * 2 - 1) * 0.05));
        times.push(
          `${ts} INFO PythonUDFRunner: Times: total = ${total}, boot = 312, init = 1850, finish = ${total - 2162}`,
        );
      }
      return {
        output: [`Job run ${run.Id} started`, `Job run ${run.Id} finished`],
        error: [
          ...preamble(begin, m.input),
          ...finishedTasks(ts, 0, app.stages[0] as SparkStageSpec, `${run.Id}:0`, 0),
          ...times,
          ...finishedTasks(ts, 1, udf, `${run.Id}:1`, 36),
        ],
      };
    },
    metrics: (app) => profileFromSpec(app, { executorHeap: 0.4, cpu: 0.95 }),
  });
}

// ---------------------------------------------------------------------------------------------
// GcJob: executors spend a third of their time in GC; rolled event logs, observability metrics.

export const GCJOB = {
  name: 'GcJob',
  input: 's3://lake-raw/profiles/',
  runs: 15,
  degradedRuns: 3,
  gcStage: 'collect at GcJob.py:27',
  rolledFileBytes: 200_000,
} as const;

const GC_BASE: SparkStageSpec[] = [
  {
    name: 'parquet at GcJob.py:12',
    tasks: 36,
    taskMs: 140_000,
    inputBytes: 20 * GB,
    shuffleWriteBytes: 16 * GB,
  },
  {
    name: GCJOB.gcStage,
    tasks: 72,
    taskMs: 140_000,
    shuffleReadBytes: 16 * GB,
    outputBytes: 2 * GB,
    gcShare: 0.03,
  },
];
const GC_DEGRADED: SparkStageSpec[] = [
  GC_BASE[0] as SparkStageSpec,
  { ...(GC_BASE[1] as SparkStageSpec), taskMs: 380_000, gcShare: 0.38 },
];

export function gcJob(state: SimState, now: number): void {
  const m = GCJOB;
  state.s3.addKeySpace('lake-raw', {
    prefix: 'profiles/',
    partitions: dailyPartitions(now, 20, () => ({ count: 20, avgSize: 1_000_000_000 })),
  });
  sparkJob(state, now, {
    job: glueJob(m.name, m.input, { '--enable-observability-metrics': 'true' }),
    runs: m.runs,
    degradedRuns: m.degradedRuns,
    baseline: GC_BASE,
    degraded: GC_DEGRADED,
    executors: 9,
    coresPerExecutor: 4,
    executorMemory: '10g',
    rolledFileBytes: m.rolledFileBytes,
    logs: (run, degraded, app) => {
      const begin = run.startedAt + run.startingMs;
      const ts = log4jTime(begin + 60_000);
      const stage = app.stages[1] as SparkStageSpec;
      // Full-GC pauses per executor JVM: the stage's GC time shared by the executor's cores.
      const gcMsPerExecutor =
        (stage.tasks * stage.taskMs * (stage.gcShare ?? 0)) / app.executors / app.coresPerExecutor;
      const pauses = degraded ? 60 : 2;
      const each = gcMsPerExecutor / pauses / 1000;
      const gc: string[] = [];
      for (let e = 0; e < app.executors; e++)
        for (let k = 0; k < pauses; k++)
          gc.push(
            `${new Date(begin + 120_000 + k * 1000).toISOString().replace('Z', '+0000')}: [Full GC (Ergonomics) [PSYoungGen: 1048576K->0K(2097152K)] [ParOldGen: 6291456K->6270000K(6291456K)] 7340032K->6270000K(8388608K), [Metaspace: 98000K->98000K(1140736K)], ${each.toFixed(7)} secs] [Times: user=${(each * 3.6).toFixed(2)} sys=0.05, real=${each.toFixed(2)} secs]`,
          );
      return {
        output: [`Job run ${run.Id} started`, `Job run ${run.Id} finished`],
        error: [
          ...preamble(begin, m.input),
          ...finishedTasks(ts, 0, app.stages[0] as SparkStageSpec, `${run.Id}:0`, 0),
          ...gc,
          ...finishedTasks(ts, 1, stage, `${run.Id}:1`, 36),
        ],
      };
    },
    metrics: (app, degraded) =>
      profileFromSpec(app, { executorHeap: degraded ? 0.97 : 0.5, workerUtilization: degraded ? 0.95 : 0.7 }),
  });
}

// ---------------------------------------------------------------------------------------------
// Event logs for SkewJob and HealthyJob (their runs come from scenarios.ts).

/**
 * Stage 2 of SkewJob as its TaskSetManager lines describe it (scenarios.ts skewJob). The logs
 * account for about 12 of the baseline runs' 30 minutes (and 20 of the degraded runs' 50): the
 * stages before the skewed one are kept small so the simulator stays light.
 */
const SKEW_BASE: SparkStageSpec[] = [
  {
    name: 'parquet at SkewJob.py:14',
    tasks: 108,
    taskMs: 145_000,
    inputBytes: 40 * GB,
    shuffleWriteBytes: 30 * GB,
  },
  {
    name: 'groupBy at SkewJob.py:28',
    tasks: 72,
    taskMs: 120_000,
    shuffleReadBytes: 30 * GB,
    shuffleWriteBytes: 8 * GB,
  },
  {
    name: 'save at SkewJob.py:40',
    tasks: 40,
    taskMs: 20_000,
    jitter: 0.04,
    shuffleReadBytes: 8 * GB,
    outputBytes: 6 * GB,
  },
];
const SKEW_DEGRADED: SparkStageSpec[] = [
  SKEW_BASE[0] as SparkStageSpec,
  SKEW_BASE[1] as SparkStageSpec,
  {
    name: 'save at SkewJob.py:40',
    tasks: 200,
    taskMs: 4_000,
    jitter: 0.2,
    // One task holds the hot key: 128× the median and most of the stage's bytes.
    skew: { tasks: 1, factor: 128 },
    shuffleReadBytes: 8 * GB,
    outputBytes: 6 * GB,
  },
];

const HEALTHY_STAGES: SparkStageSpec[] = [
  {
    name: 'parquet at HealthyJob.py:12',
    tasks: 36,
    taskMs: 60_000,
    inputBytes: 2 * GB,
    shuffleWriteBytes: 1 * GB,
  },
  {
    name: 'save at HealthyJob.py:20',
    tasks: 4,
    taskMs: 30_000,
    shuffleReadBytes: 1 * GB,
    outputBytes: 1 * GB,
  },
];

function logsForExistingJob(
  state: SimState,
  jobName: string,
  opts: {
    executors: number;
    cores: number;
    memory: string;
    stages: (degraded: boolean) => SparkStageSpec[];
    degradedRuns: number;
    logged: number;
  },
): void {
  const job = state.glue.jobs.get(jobName);
  if (!job) return;
  Object.assign(job.DefaultArguments, sparkUiArguments());
  const runs = [...state.glue.runsOf(jobName)].sort((a, b) => a.startedAt - b.startedAt);
  runs.forEach((run, i) => {
    if (i < runs.length - opts.logged) return;
    const degraded = i >= runs.length - opts.degradedRuns;
    // Jobs start at the same minute: the driver's start (the application id) differs by job.
    const appStart = run.startedAt + run.startingMs + DRIVER_START_MS + Math.round(hash01(run.Id, 1) * 900);
    const { text, endedAt } = eventLogText({
      appId: glueAppId(appStart),
      appName: jobName,
      startedAt: appStart,
      executors: opts.executors,
      coresPerExecutor: opts.cores,
      executorMemory: opts.memory,
      properties: {
        'spark.glue.JOB_NAME': jobName,
        'spark.glue.JOB_RUN_ID': run.Id,
        'spark.glue.GLUE_VERSION': job.GlueVersion,
      },
      stages: opts.stages(degraded),
      tailMs: 4_000,
    });
    state.s3.putObject(SPARK_UI.bucket, `${SPARK_UI.prefix}${glueAppId(appStart)}`, text, {
      lastModified: endedAt + 25_000,
    });
  });
}

/** After skewJob and healthyJob: their jobs write Spark UI logs too. */
export function sparkUiForExistingJobs(state: SimState): void {
  logsForExistingJob(state, 'SkewJob', {
    executors: 9,
    cores: 8,
    memory: '20g',
    stages: (d) => (d ? SKEW_DEGRADED : SKEW_BASE),
    degradedRuns: 3,
    logged: LOGGED_RUNS,
  });
  logsForExistingJob(state, 'HealthyJob', {
    executors: 1,
    cores: 4,
    memory: '10g',
    stages: () => HEALTHY_STAGES,
    degradedRuns: 0,
    logged: 4,
  });
}

/** The bucket the Spark UI logs go to (before the jobs that write there). */
export function sparkUiBucket(state: SimState, now: number): void {
  state.s3.createBucket(SPARK_UI.bucket, now - 365 * DAY);
}

/** Every scenario of this module, in order. */
export function sparkScenarios(): ((state: SimState, now: number) => void)[] {
  return [sparkUiBucket, spillJob, udfJob, gcJob, sparkUiForExistingJobs];
}
