// Azure scenarios, mirroring the Glue ones (sim/scenarios.ts): one Synapse workspace `contoso-ws`
// with Spark pool `pool01` and a Log Analytics workspace, and pipelines degraded by small files
// (SalesPipeline), memory (OomPipeline), skew (SkewPipeline), schema drift (DriftPipeline), a healthy
// one, and the compaction, staging and consumer pipelines the mitigations and backfills use. Runs
// are daily, the newest started 22 h before "now"; run ids are GUIDs derived from pipeline and index.
import { hash01 } from '../random.js';
import type { AzureState, ActivityDef, ParameterSpec, PipelineRunRec, RunBehaviour } from './state.js';
import { guidFrom } from './state.js';

export type AzureScenario = (state: AzureState, now: number) => void;

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** The simulated tenant, subscription, resource group, workspace, pool and Log Analytics workspace. */
export const AZURE_SIM = {
  tenantId: '72f988bf-0000-4000-8000-00000000beef',
  subscriptionId: '00000000-0000-0000-0000-000000000000',
  resourceGroup: 'rg-data',
  workspace: 'contoso-ws',
  location: 'westeurope',
  sparkPool: 'pool01',
  logAnalyticsWorkspaceId: '6f1c0d3a-0000-4000-8000-00000000a11a',
  storageAccount: 'contosolake',
  container: 'lake',
} as const;

const lake = (path: string) =>
  `abfss://${AZURE_SIM.container}@${AZURE_SIM.storageAccount}.dfs.core.windows.net/${path}`;

function jitter(seed: string, i: number, spread: number): number {
  return Math.round((hash01(seed, i) * 2 - 1) * spread);
}

function isoDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** Spark's log4j timestamp, e.g. `24/11/27 02:14:03`. */
function sparkTime(ms: number): string {
  const d = new Date(ms).toISOString();
  return `${d.slice(2, 4)}/${d.slice(5, 7)}/${d.slice(8, 10)} ${d.slice(11, 19)}`;
}

const pool = { referenceName: AZURE_SIM.sparkPool, type: 'BigDataPoolReference' };
const param = (name: string) => ({ value: `@pipeline().parameters.${name}`, type: 'Expression' });

function sparkJobActivity(
  name: string,
  definition: string,
  extra: Record<string, unknown> = {},
): ActivityDef {
  return {
    name,
    type: 'SparkJob',
    share: 9,
    typeProperties: {
      sparkJob: { referenceName: definition, type: 'SparkJobDefinitionReference' },
      sparkPool: pool,
      executorSize: 'Medium',
      driverSize: 'Medium',
      numExecutors: param('numExecutors'),
      conf: param('sparkConf'),
      args: ['--input', param('inputPath')],
      ...extra,
    },
  };
}

function notebookActivity(name: string, notebook: string, extra: Record<string, unknown> = {}): ActivityDef {
  return {
    name,
    type: 'SynapseNotebook',
    share: 9,
    typeProperties: {
      notebook: { referenceName: notebook, type: 'NotebookReference' },
      sparkPool: pool,
      executorSize: 'Small',
      driverSize: 'Small',
      numExecutors: param('numExecutors'),
      conf: param('sparkConf'),
      parameters: { inputPath: { value: param('inputPath'), type: 'string' } },
      ...extra,
    },
  };
}

const copyActivity = (name: string): ActivityDef => ({
  name,
  type: 'Copy',
  share: 1,
  typeProperties: { source: { type: 'ParquetSource' }, sink: { type: 'ParquetSink' } },
});

function sparkParameters(
  input: string,
  executors: number,
  more: Record<string, ParameterSpec> = {},
): Record<string, ParameterSpec> {
  return {
    inputPath: { type: 'String', defaultValue: input },
    numExecutors: { type: 'Int', defaultValue: executors },
    sparkConf: { type: 'Object', defaultValue: {} },
    ...more,
  };
}

export interface AzureRunSpec {
  durationSec: number;
  outcome?: 'Succeeded' | 'Failed';
  errorMessage?: string;
  errorCode?: string;
  sparkLog?: string[];
}

/** A pipeline's run history (oldest first), ids derived from pipeline name and index. */
export function addPipelineHistory(
  state: AzureState,
  now: number,
  workspace: string,
  pipeline: string,
  runs: AzureRunSpec[],
  opts: { intervalMs?: number; lastStartAgoMs?: number; trigger?: string } = {},
): PipelineRunRec[] {
  const interval = opts.intervalMs ?? DAY;
  const lastStart = now - (opts.lastStartAgoMs ?? 22 * HOUR);
  return runs.map((r, i) => {
    const runStart = lastStart - (runs.length - 1 - i) * interval;
    const behaviour: Partial<RunBehaviour> = {
      queuedSec: 8,
      durationSec: r.durationSec,
      outcome: r.outcome ?? 'Succeeded',
      ...(r.errorMessage !== undefined ? { errorMessage: r.errorMessage } : {}),
      ...(r.errorCode !== undefined ? { errorCode: r.errorCode } : {}),
      sparkLog: r.sparkLog ?? [],
    };
    const trigger = opts.trigger ?? `${pipeline}-daily`;
    return state.addRun(workspace, {
      pipelineName: pipeline,
      runStart,
      behaviour,
      runId: guidFrom(`${pipeline}#${i}`),
      invokedBy: {
        name: trigger,
        id: guidFrom(`${trigger}#${i}`).replace(/-/g, ''),
        invokedByType: 'ScheduleTrigger',
      },
    });
  });
}

function preamble(t: string, input: string): string[] {
  return [
    `${t} INFO SparkContext: Running Spark version 3.4.1.5.3-117392846`,
    `${t} INFO SynapseSparkListener: Spark application started on pool ${AZURE_SIM.sparkPool}`,
    `${t} INFO InMemoryFileIndex: It took 388 ms to list leaf files for 1 paths under ${input}`,
  ];
}

/** The workspace, pool and Log Analytics workspace the other scenarios use. */
export const azureBase: AzureScenario = (state) => {
  state.addWorkspace(AZURE_SIM.workspace, AZURE_SIM.location);
  state.addPool(
    AZURE_SIM.workspace,
    AZURE_SIM.sparkPool,
    {
      nodeSize: 'Medium',
      nodeSizeFamily: 'MemoryOptimized',
      autoScale: { enabled: true, minNodeCount: 3, maxNodeCount: 10 },
      autoPause: { enabled: true, delayInMinutes: 15 },
      dynamicExecutorAllocation: { enabled: false },
      sparkVersion: '3.4',
      nodeCount: 0,
    },
    { 'cost-center': 'data-platform', owner: 'data-eng' },
  );
  state.addLogAnalyticsWorkspace(AZURE_SIM.logAnalyticsWorkspaceId, [AZURE_SIM.workspace]);
};

// ---------------------------------------------------------------------------------------------
// SalesPipeline: stable ~20 min baseline, the last 3 runs +80%; newest input partition full of small files.

export const SALES_PIPELINE = {
  /** The newest run started this long before now (pipelines are staggered: one Spark pool). */
  lastStartAgoMs: 22 * HOUR,
  name: 'SalesPipeline',
  activity: 'LoadSales',
  input: lake('raw/sales/'),
  output: lake('curated/sales/'),
  /** Where the input lives in Blob terms (Azurite: container `lake`, prefix `raw/sales/`). */
  container: AZURE_SIM.container,
  inputPrefix: 'raw/sales/',
  runs: 23,
  degradedRuns: 3,
  baselineSec: 1200,
  degradedSec: 2160,
  numExecutors: 4,
  baselinePartition: { count: 50, avgSize: 3_723_636 },
  newestPartition: { count: 1000, avgSize: 204_800 },
  partitions: 30,
  compactionPipeline: 'SalesPipeline-compaction',
  stagingPipeline: 'SalesPipeline-staging',
  consumer: 'SalesDownstream',
} as const;

export const salesPipeline: AzureScenario = (state, now) => {
  const m = SALES_PIPELINE;
  const ws = AZURE_SIM.workspace;
  state.addPipeline(ws, {
    name: m.name,
    description: 'Daily sales ETL: lake/raw/sales → lake/curated/sales',
    folder: 'sales',
    parameters: sparkParameters(m.input, m.numExecutors, {
      outputPath: { type: 'String', defaultValue: m.output },
    }),
    activities: [sparkJobActivity(m.activity, 'SalesEtl'), copyActivity('PublishSales')],
    behaviour: { durationSec: m.degradedSec },
  });
  const runs: AzureRunSpec[] = [];
  for (let i = 0; i < m.runs; i++) {
    const degraded = i >= m.runs - m.degradedRuns;
    const durationSec = (degraded ? m.degradedSec : m.baselineSec) + jitter(m.name, i, 45);
    const startGuess = now - m.lastStartAgoMs - (m.runs - 1 - i) * DAY;
    const dt = isoDate(startGuess - DAY);
    const files = i === m.runs - 1 ? m.newestPartition.count : m.baselinePartition.count;
    const t = sparkTime(startGuess + 60_000);
    runs.push({
      durationSec,
      sparkLog: [
        ...preamble(t, `${m.input}dt=${dt}/`),
        `${t} INFO InMemoryFileIndex: Listed ${files} files in ${m.input}dt=${dt}/`,
        `${t} INFO DAGScheduler: Job 0 finished: save at NativeMethodAccessorImpl.java:0`,
        ...(degraded
          ? [
              `${t} WARN TaskSetManager: Stage 1 contains a task of very large size (1254 KiB). The maximum recommended task size is 1000 KiB.`,
              `${t} INFO DAGScheduler: ShuffleMapStage 1 finished in ${Math.round(durationSec * 600)} ms`,
            ]
          : [`${t} INFO DAGScheduler: ShuffleMapStage 1 finished in ${Math.round(durationSec * 500)} ms`]),
      ],
    });
  }
  addPipelineHistory(state, now, ws, m.name, runs, { lastStartAgoMs: m.lastStartAgoMs });
  state.addPipeline(ws, {
    name: m.compactionPipeline,
    description: 'Compacts small files of lake/raw/sales partitions',
    folder: 'sales',
    parameters: sparkParameters(m.input, 4, { targetFileSizeMb: { type: 'Int', defaultValue: 512 } }),
    activities: [
      notebookActivity('CompactFiles', 'CompactFiles', {
        parameters: {
          inputPath: { value: param('inputPath'), type: 'string' },
          targetFileSizeMb: { value: param('targetFileSizeMb'), type: 'int' },
        },
      }),
    ],
    behaviour: { durationSec: 480 },
  });
  state.addPipeline(ws, {
    name: m.stagingPipeline,
    description: 'SalesPipeline writing to lake/staging, for isolated backfill runs',
    folder: 'sales',
    parameters: sparkParameters(m.input, m.numExecutors, {
      outputPath: { type: 'String', defaultValue: lake('staging/sales/') },
      backfillFrom: { type: 'String', defaultValue: '' },
      backfillTo: { type: 'String', defaultValue: '' },
      backfillId: { type: 'String', defaultValue: '' },
    }),
    activities: [
      sparkJobActivity(m.activity, 'SalesEtl', {
        args: [
          '--input',
          param('inputPath'),
          '--output',
          param('outputPath'),
          '--from',
          param('backfillFrom'),
          '--to',
          param('backfillTo'),
        ],
      }),
    ],
    behaviour: { durationSec: 1250 },
  });
  state.addPipeline(ws, {
    name: m.consumer,
    description: 'Reads lake/curated/sales',
    folder: 'sales',
    parameters: sparkParameters(m.output, 2, { medicBackfill: { type: 'String', defaultValue: '' } }),
    activities: [notebookActivity('AggregateSales', 'AggregateSales')],
    behaviour: { durationSec: 300 },
  });
  addPipelineHistory(
    state,
    now,
    ws,
    m.consumer,
    Array.from({ length: 5 }, (_, i) => ({ durationSec: 300 + jitter(m.consumer, i, 20) })),
    { lastStartAgoMs: 21 * HOUR },
  );
};

/** The blobs of SalesPipeline's input (for seeding Azurite; see blob-seed.ts): 30 daily partitions. */
export function salesInputBlobs(now: number): { name: string; size: number }[] {
  const m = SALES_PIPELINE;
  const out: { name: string; size: number }[] = [];
  for (let ago = 1; ago <= m.partitions; ago++) {
    const dt = isoDate(now - ago * DAY);
    const shape = ago === 1 ? m.newestPartition : m.baselinePartition;
    for (let k = 0; k < shape.count; k++) {
      // ±50% around the average, deterministic.
      const size = Math.max(1, Math.round(shape.avgSize * (0.5 + hash01(`${dt}`, k))));
      out.push({ name: `${m.inputPrefix}dt=${dt}/part-${String(k).padStart(5, '0')}.snappy.parquet`, size });
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// OomPipeline: the recent runs fail with executors killed for memory (YARN, exit codes 137 / 143).

export const OOM_PIPELINE = {
  /** The newest run started this long before now (pipelines are staggered: one Spark pool). */
  lastStartAgoMs: 20 * HOUR,
  name: 'OomPipeline',
  activity: 'TransformOrders',
  input: lake('raw/orders/'),
  runs: 15,
  failedRuns: 3,
} as const;

export const OOM_ACTIVITY_ERROR =
  'Py4JJavaError: An error occurred while calling o412.save. : org.apache.spark.SparkException: Job aborted due to stage failure: Task 12 in stage 4.0 failed 4 times, most recent failure: Lost task 12.3 in stage 4.0 (TID 311) (vm-3f2a1b0c executor 3): ExecutorLostFailure (executor 3 exited caused by one of the running tasks) Reason: Container killed by YARN for exceeding memory limits. 30.2 GB of 30 GB physical memory used. Consider boosting spark.executor.memoryOverhead. Container exited with a non-zero exit code 137. Killed by external signal';

export const oomPipeline: AzureScenario = (state, now) => {
  const m = OOM_PIPELINE;
  const ws = AZURE_SIM.workspace;
  state.addPipeline(ws, {
    name: m.name,
    description: 'Daily orders transformation (notebook)',
    parameters: sparkParameters(m.input, 2),
    activities: [notebookActivity(m.activity, 'TransformOrders')],
    behaviour: { durationSec: 1500, outcome: 'Failed', errorCode: '6002', errorMessage: OOM_ACTIVITY_ERROR },
  });
  const runs: AzureRunSpec[] = [];
  for (let i = 0; i < m.runs; i++) {
    const failed = i >= m.runs - m.failedRuns;
    const t = sparkTime(now - m.lastStartAgoMs - (m.runs - 1 - i) * DAY + 600_000);
    runs.push(
      failed
        ? {
            durationSec: 1500 + jitter(m.name, i, 60),
            outcome: 'Failed',
            errorCode: '6002',
            errorMessage: OOM_ACTIVITY_ERROR,
            sparkLog: [
              ...preamble(t, m.input),
              `${t} WARN TaskSetManager: Lost task 12.0 in stage 4.0 (TID 288) (vm-3f2a1b0c executor 3): java.lang.OutOfMemoryError: Java heap space`,
              `${t} ERROR YarnScheduler: Lost executor 3 on vm-3f2a1b0c: Container killed by YARN for exceeding memory limits. 30.2 GB of 30 GB physical memory used. Consider boosting spark.executor.memoryOverhead.`,
              `${t} WARN YarnAllocator: Container marked as failed: container_1700000000000_0001_01_000004 on host: vm-3f2a1b0c. Exit status: 137. Diagnostics: Container killed on request. Exit code is 137. Killed by external signal.`,
              `${t} ERROR YarnScheduler: Lost executor 5 on vm-7d1e2c3b: Container from a bad node: container_1700000000000_0001_01_000006 on host: vm-7d1e2c3b. Exit status: 143. Diagnostics: Container killed on request. Exit code is 143. Container exited with a non-zero exit code 143. Killed by external signal.`,
              `${t} ERROR NotebookUtils: ${OOM_ACTIVITY_ERROR}`,
            ],
          }
        : { durationSec: 900 + jitter(m.name, i, 40), sparkLog: preamble(t, m.input) },
    );
  }
  addPipelineHistory(state, now, ws, m.name, runs, { lastStartAgoMs: m.lastStartAgoMs });
};

// ---------------------------------------------------------------------------------------------
// SkewPipeline: slower runs with one task far longer than the stage's median.

export const SKEW_PIPELINE = {
  /** The newest run started this long before now (pipelines are staggered: one Spark pool). */
  lastStartAgoMs: 18 * HOUR,
  name: 'SkewPipeline',
  activity: 'SessionsEtl',
  input: lake('raw/sessions/'),
  runs: 18,
  degradedRuns: 3,
  baselineSec: 1800,
  degradedSec: 3000,
} as const;

export const skewPipeline: AzureScenario = (state, now) => {
  const m = SKEW_PIPELINE;
  const ws = AZURE_SIM.workspace;
  state.addPipeline(ws, {
    name: m.name,
    parameters: sparkParameters(m.input, 8),
    activities: [sparkJobActivity(m.activity, 'SessionsEtl')],
    behaviour: { durationSec: m.degradedSec },
  });
  const runs: AzureRunSpec[] = [];
  for (let i = 0; i < m.runs; i++) {
    const degraded = i >= m.runs - m.degradedRuns;
    const t = sparkTime(now - m.lastStartAgoMs - (m.runs - 1 - i) * DAY + 300_000);
    const tasks = degraded ? 200 : 40;
    const lines: string[] = [];
    for (let k = 0; k < tasks; k++) {
      const ms =
        degraded && k === 3 ? 512_000 : (degraded ? 4_000 : 20_000) + jitter(`${m.name}-${i}`, k, 800);
      lines.push(
        `${t} INFO TaskSetManager: Finished task ${k}.0 in stage 2.0 (TID ${37 + k}) in ${ms} ms on vm-${(k % 10).toString(16)}a (executor ${1 + (k % 10)}) (${k + 1}/${tasks})`,
      );
    }
    runs.push({
      durationSec: (degraded ? m.degradedSec : m.baselineSec) + jitter(m.name, i, 60),
      sparkLog: [...preamble(t, m.input), ...lines, `${t} INFO DAGScheduler: ResultStage 2 finished`],
    });
  }
  addPipelineHistory(state, now, ws, m.name, runs, { lastStartAgoMs: m.lastStartAgoMs });
};

// ---------------------------------------------------------------------------------------------
// DriftPipeline: fails on a renamed column.

export const DRIFT_PIPELINE = {
  /** The newest run started this long before now (pipelines are staggered: one Spark pool). */
  lastStartAgoMs: 16 * HOUR,
  name: 'DriftPipeline',
  activity: 'DriftEtl',
  input: lake('raw/drift_events/'),
  runs: 15,
  failedRuns: 3,
} as const;

export const DRIFT_ACTIVITY_ERROR =
  "org.apache.spark.sql.AnalysisException: cannot resolve column 'customer_id' given input columns: [event_id, cust_id, amount, dt]";

export const driftPipeline: AzureScenario = (state, now) => {
  const m = DRIFT_PIPELINE;
  const ws = AZURE_SIM.workspace;
  state.addPipeline(ws, {
    name: m.name,
    parameters: sparkParameters(m.input, 2),
    activities: [sparkJobActivity(m.activity, 'DriftEtl')],
    behaviour: { durationSec: 120, outcome: 'Failed', errorCode: '6002', errorMessage: DRIFT_ACTIVITY_ERROR },
  });
  const runs: AzureRunSpec[] = [];
  for (let i = 0; i < m.runs; i++) {
    const failed = i >= m.runs - m.failedRuns;
    const t = sparkTime(now - m.lastStartAgoMs - (m.runs - 1 - i) * DAY + 60_000);
    runs.push(
      failed
        ? {
            durationSec: 120 + jitter(m.name, i, 20),
            outcome: 'Failed',
            errorCode: '6002',
            errorMessage: DRIFT_ACTIVITY_ERROR,
            sparkLog: [
              ...preamble(t, m.input),
              `${t} ERROR ApplicationMaster: User class threw exception: ${DRIFT_ACTIVITY_ERROR}`,
              `${t} ERROR SparkJobRunner: pyspark.sql.utils.AnalysisException: cannot resolve column 'customer_id'`,
            ],
          }
        : { durationSec: 600 + jitter(m.name, i, 30), sparkLog: preamble(t, m.input) },
    );
  }
  addPipelineHistory(state, now, ws, m.name, runs, { lastStartAgoMs: m.lastStartAgoMs });
};

// ---------------------------------------------------------------------------------------------
// HealthyPipeline: stable.

export const HEALTHY_PIPELINE = {
  /** The newest run started this long before now (pipelines are staggered: one Spark pool). */
  lastStartAgoMs: 15 * HOUR,
  name: 'HealthyPipeline',
  activity: 'LoadMetrics',
  input: lake('raw/metrics/'),
  runs: 15,
  baselineSec: 600,
} as const;

export const healthyPipeline: AzureScenario = (state, now) => {
  const m = HEALTHY_PIPELINE;
  const ws = AZURE_SIM.workspace;
  state.addPipeline(ws, {
    name: m.name,
    parameters: sparkParameters(m.input, 2),
    activities: [notebookActivity(m.activity, 'LoadMetrics')],
    behaviour: { durationSec: m.baselineSec },
  });
  addPipelineHistory(
    state,
    now,
    ws,
    m.name,
    Array.from({ length: m.runs }, (_, i) => ({
      durationSec: m.baselineSec + jitter(m.name, i, 25),
      sparkLog: preamble(sparkTime(now - m.lastStartAgoMs - (m.runs - 1 - i) * DAY + 60_000), m.input),
    })),
    { lastStartAgoMs: m.lastStartAgoMs },
  );
};

export const AZURE_SCENARIOS = {
  azureBase,
  salesPipeline,
  oomPipeline,
  skewPipeline,
  driftPipeline,
  healthyPipeline,
} as const;

/** Everything: the workspace and the five pipelines of the runbook with their companions. */
export function defaultAzureScenarios(): AzureScenario[] {
  return [azureBase, salesPipeline, oomPipeline, skewPipeline, driftPipeline, healthyPipeline];
}

/** The workspace, pool and Log Analytics workspace only. */
export function emptyAzureScenarios(): AzureScenario[] {
  return [azureBase];
}
