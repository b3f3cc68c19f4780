// Builders of event-log summaries for the Spark heuristics' unit tests: a stage or an application
// with every figure at a neutral value, overridden per test case.
import type { AppSummary, EventLogSummary, Quantiles, StageSummary } from '../../src/domain/spark/index.js';

export function quantiles(q: Partial<Quantiles> = {}): Quantiles {
  return { count: 10, min: 1000, median: 1000, p75: 1000, max: 1000, sum: 10_000, exact: true, ...q };
}

export type StageOverrides = Omit<Partial<StageSummary>, 'taskMs' | 'taskReadBytes' | 'tasks'> & {
  taskMs?: Partial<Quantiles>;
  taskReadBytes?: Partial<Quantiles>;
  tasks?: Partial<StageSummary['tasks']>;
};

export function stage(o: StageOverrides = {}): StageSummary {
  const { taskMs, taskReadBytes, tasks, ...rest } = o;
  return {
    stageId: 0,
    attempts: 1,
    name: 'save at Job.py:42',
    order: 0,
    declaredTasks: 10,
    submittedAt: 1_000_000,
    completedAt: 1_000_000 + 600_000,
    durationMs: 600_000,
    executorRunMs: 10_000,
    executorCpuMs: 8_000,
    gcMs: 0,
    inputBytes: 0,
    outputBytes: 0,
    shuffleReadBytes: 0,
    shuffleWriteBytes: 0,
    memorySpilledBytes: 0,
    diskSpilledBytes: 0,
    peakExecutionMemoryBytes: 0,
    pythonUdf: false,
    ...rest,
    tasks: { ended: 10, succeeded: 10, failed: 0, killed: 0, speculative: 0, ...tasks },
    taskMs: quantiles(taskMs),
    taskReadBytes: quantiles({ median: 0, p75: 0, max: 0, min: 0, sum: 0, ...taskReadBytes }),
  };
}

export type AppOverrides = Omit<Partial<AppSummary>, 'totals' | 'executors' | 'python'> & {
  totals?: Partial<AppSummary['totals']>;
  executors?: Partial<AppSummary['executors']>;
  python?: Partial<AppSummary['python']>;
};

export function app(o: AppOverrides = {}): AppSummary {
  const { totals, executors, python, ...rest } = o;
  return {
    appId: 'spark-application-1700000000000',
    sparkVersion: '3.3.0-amzn-1',
    startedAt: 1_000_000,
    endedAt: 1_000_000 + 3_600_000,
    durationMs: 3_600_000,
    properties: {},
    jobs: { count: 1, failed: 0 },
    ...rest,
    totals: {
      tasks: 10,
      failedTasks: 0,
      killedTasks: 0,
      executorRunMs: 10_000,
      executorCpuMs: 8_000,
      gcMs: 0,
      inputBytes: 0,
      outputBytes: 0,
      shuffleReadBytes: 0,
      shuffleWriteBytes: 0,
      memorySpilledBytes: 0,
      diskSpilledBytes: 0,
      ...totals,
    },
    executors: {
      added: 1,
      removed: 0,
      maxConcurrent: 1,
      maxConcurrentCores: 4,
      availableCoreMs: 0,
      busyCoreMs: 0,
      wastedCoreMs: 0,
      idleExecutorMs: 0,
      idleExecutorMsUpper: 0,
      points: [],
      dropped: 0,
      ...executors,
    },
    python: { executions: [], operators: [], udfStageRunMs: 0, ...python },
  };
}

export function summary(
  stages: StageSummary[],
  a: AppOverrides = {},
): Pick<EventLogSummary, 'app' | 'stages'> {
  return { app: app(a), stages };
}
