// The parts of Spark's listener events the analysis reads, as Spark's JsonProtocol writes them
// (field names with spaces, e.g. "Task Info"."Launch Time"). Parsed with zod at the edge of the
// domain: every field is optional or defaulted, since fields come and go between Spark versions
// (Spark 2.x has no "Resource Profile Id", 3.3 adds push-based shuffle counters, …), and a line
// that does not fit is counted, never thrown.
import { z } from 'zod';

const num = z.number().catch(0);
const optNum = z.number().optional().catch(undefined);
const str = z.string().optional().catch(undefined);
const bool = z.boolean().catch(false);

export const StageInfo = z.object({
  'Stage ID': z.number(),
  'Stage Attempt ID': num,
  'Stage Name': z.string().catch(''),
  'Number of Tasks': num,
  'Submission Time': optNum,
  'Completion Time': optNum,
  'Failure Reason': str,
  Details: str,
});
export type StageInfo = z.infer<typeof StageInfo>;

export const StageEvent = z.object({ 'Stage Info': StageInfo });

export const JobStart = z.object({
  'Job ID': num,
  'Submission Time': optNum,
  'Stage Infos': z.array(StageInfo).catch([]),
  'Stage IDs': z.array(z.number()).catch([]),
  Properties: z.record(z.string(), z.unknown()).optional().catch(undefined),
});

export const JobEnd = z.object({
  'Job ID': num,
  'Completion Time': optNum,
  'Job Result': z.object({ Result: z.string().catch('') }).catch({ Result: '' }),
});

const ShuffleRead = z
  .object({ 'Remote Bytes Read': num, 'Local Bytes Read': num })
  .catch({ 'Remote Bytes Read': 0, 'Local Bytes Read': 0 });
const ShuffleWrite = z.object({ 'Shuffle Bytes Written': num }).catch({ 'Shuffle Bytes Written': 0 });
const Input = z.object({ 'Bytes Read': num }).catch({ 'Bytes Read': 0 });
const Output = z.object({ 'Bytes Written': num }).catch({ 'Bytes Written': 0 });

export const TaskMetrics = z.object({
  'Executor Run Time': num,
  'Executor CPU Time': num,
  'JVM GC Time': num,
  'Peak Execution Memory': num,
  'Memory Bytes Spilled': num,
  'Disk Bytes Spilled': num,
  'Shuffle Read Metrics': ShuffleRead.optional(),
  'Shuffle Write Metrics': ShuffleWrite.optional(),
  'Input Metrics': Input.optional(),
  'Output Metrics': Output.optional(),
});
export type TaskMetrics = z.infer<typeof TaskMetrics>;

export const Accumulable = z.object({
  ID: z.number(),
  Update: z.union([z.number(), z.string()]).optional(),
});

export const TaskEnd = z.object({
  'Stage ID': z.number(),
  'Stage Attempt ID': num,
  'Task End Reason': z
    .object({ Reason: z.string().catch('UnknownReason') })
    .catch({ Reason: 'UnknownReason' }),
  'Task Info': z.object({
    'Launch Time': num,
    'Finish Time': num,
    'Executor ID': z.string().catch(''),
    Speculative: bool,
    Killed: bool,
    /** Kept unparsed: only read when the plan has Python metrics to look for. */
    Accumulables: z.array(z.unknown()).catch([]),
  }),
  'Task Metrics': TaskMetrics.optional().catch(undefined),
});
export type TaskEnd = z.infer<typeof TaskEnd>;

export const ExecutorAdded = z.object({
  Timestamp: num,
  'Executor ID': z.string(),
  'Executor Info': z.object({ 'Total Cores': num, Host: str }).catch({ 'Total Cores': 0, Host: undefined }),
});

export const ExecutorRemoved = z.object({
  Timestamp: num,
  'Executor ID': z.string(),
  'Removed Reason': str,
});

export const ApplicationStart = z.object({
  'App Name': str,
  'App ID': str,
  'App Attempt ID': str,
  Timestamp: optNum,
  User: str,
});

export const ApplicationEnd = z.object({ Timestamp: optNum });

export const LogStart = z.object({ 'Spark Version': str });

export const EnvironmentUpdate = z.object({
  'Spark Properties': z
    .union([
      z.record(z.string(), z.unknown()),
      // Spark 1.x/2.x wrote [[key, value], …] in some versions.
      z.array(z.tuple([z.string(), z.unknown()])).transform((pairs) => Object.fromEntries(pairs)),
    ])
    .catch({}),
  'System Properties': z
    .union([
      z.record(z.string(), z.unknown()),
      z.array(z.tuple([z.string(), z.unknown()])).transform((pairs) => Object.fromEntries(pairs)),
    ])
    .catch({}),
});

/** sparkPlanInfo: a tree of plan nodes with their SQL metrics. */
export interface PlanNode {
  nodeName?: unknown;
  simpleString?: unknown;
  children?: unknown;
  metrics?: unknown;
}

export const SqlExecutionStart = z.object({
  executionId: z.number(),
  description: z.string().catch(''),
  physicalPlanDescription: z.string().catch(''),
  sparkPlanInfo: z.unknown().optional(),
  time: optNum,
});

export const SqlAdaptiveUpdate = z.object({
  executionId: z.number(),
  physicalPlanDescription: z.string().catch(''),
  sparkPlanInfo: z.unknown().optional(),
});

export const PlanMetric = z.object({
  name: z.string(),
  accumulatorId: z.number(),
  metricType: z.string().catch('sum'),
});

export const EVENT = {
  logStart: 'SparkListenerLogStart',
  appStart: 'SparkListenerApplicationStart',
  appEnd: 'SparkListenerApplicationEnd',
  env: 'SparkListenerEnvironmentUpdate',
  executorAdded: 'SparkListenerExecutorAdded',
  executorRemoved: 'SparkListenerExecutorRemoved',
  jobStart: 'SparkListenerJobStart',
  jobEnd: 'SparkListenerJobEnd',
  stageSubmitted: 'SparkListenerStageSubmitted',
  stageCompleted: 'SparkListenerStageCompleted',
  taskEnd: 'SparkListenerTaskEnd',
  sqlStart: 'org.apache.spark.sql.execution.ui.SparkListenerSQLExecutionStart',
  sqlAdaptive: 'org.apache.spark.sql.execution.ui.SparkListenerSQLAdaptiveExecutionUpdate',
} as const;

export const WANTED_EVENTS: ReadonlySet<string> = new Set(Object.values(EVENT));
