// A Spark event log read as a stream, aggregated as it goes: per stage and per executor, never
// per task. Memory is bounded by the number of stages (maxStages), executors (maxExecutors) and
// SQL executions tracked, not by the number of tasks or the size of the log: task times and bytes
// go into QuantileSketch (exact up to 128 tasks a stage, then within 1 %), executor busy time into
// IntervalSet (exact up to 32 disjoint busy spans, then a bounded over-estimate it reports).
//
// Input is the log's files (one, or the rolled events_<n>_ files in order) as async iterables of
// Buffer chunks; the caller decides how bytes are fetched (S3 ranged GETs, a file stream).
//
// Why ~820 lines: one streaming state machine over Spark's event types (application, jobs, stages,
// tasks, executors, SQL, environment); every handler updates the same bounded aggregates.
import { z } from 'zod';
import {
  ApplicationEnd,
  ApplicationStart,
  EVENT,
  EnvironmentUpdate,
  ExecutorAdded,
  ExecutorRemoved,
  JobEnd,
  JobStart,
  LogStart,
  PlanMetric,
  SqlAdaptiveUpdate,
  SqlExecutionStart,
  StageEvent,
  TaskEnd,
  WANTED_EVENTS,
  type PlanNode,
  type StageInfo,
} from './event-schemas.js';
import { codecFromMagic, type EventLogCandidate, type EventLogCodec } from './event-log-files.js';
import { IntervalSet } from './interval-set.js';
import { LineSplitter, type SplitterStats } from './line-splitter.js';
import { QuantileSketch } from './quantile-sketch.js';

/** Reads one file of the log as chunks; may be stopped early (the iterator's return() is called). */
export type ReadChunks = (key: string) => AsyncIterable<Buffer>;

export interface Quantiles {
  count: number;
  min: number;
  median: number;
  p75: number;
  max: number;
  sum: number;
  /** false when the quantiles come from the sketch's buckets (within 1 %). */
  exact: boolean;
}

export interface StageSummary {
  stageId: number;
  /** Attempts seen (retries after a fetch failure or a lost executor). */
  attempts: number;
  /** Spark's stage name: the call site, e.g. "save at NativeMethodAccessorImpl.java:0". */
  name: string;
  /** 0-based position by first submission: the same job re-run gives the same order. */
  order: number;
  declaredTasks: number;
  submittedAt?: number;
  completedAt?: number;
  /** completion − submission of the stage (first submission to last completion over attempts). */
  durationMs?: number;
  failureReason?: string;
  tasks: { ended: number; succeeded: number; failed: number; killed: number; speculative: number };
  /** Successful task attempts' Finish Time − Launch Time (what TaskSetManager logs as "in N ms"). */
  taskMs: Quantiles;
  /** Successful task attempts' input + shuffle bytes read. */
  taskReadBytes: Quantiles;
  executorRunMs: number;
  executorCpuMs: number;
  gcMs: number;
  inputBytes: number;
  outputBytes: number;
  shuffleReadBytes: number;
  shuffleWriteBytes: number;
  memorySpilledBytes: number;
  diskSpilledBytes: number;
  /** Largest Peak Execution Memory of a task. */
  peakExecutionMemoryBytes: number;
  sqlExecutionId?: number;
  /** The stage runs a SQL plan that evaluates Python (BatchEvalPython, ArrowEvalPython, …). */
  pythonUdf: boolean;
  /** Python worker time from the plan's Python metrics (Spark versions that have them), ms. */
  pythonMetricMs?: number;
}

export interface ExecutorTimeline {
  /** Executors added over the run (the driver is not one). */
  added: number;
  removed: number;
  maxConcurrent: number;
  /** Cores of the executors alive at once, at most. */
  maxConcurrentCores: number;
  /** Σ cores × lifetime: core-time the executors offered, ms. */
  availableCoreMs: number;
  /** Σ task durations on executors: core-time used, ms. */
  busyCoreMs: number;
  /** availableCoreMs − busyCoreMs (Sparklens' wasted core-time), ms. */
  wastedCoreMs: number;
  /** Σ per executor of time it ran no task at all, ms (a lower bound when idleExecutorMsUpper > it). */
  idleExecutorMs: number;
  /** Upper bound of idleExecutorMs (equal to it unless busy spans were merged to stay bounded). */
  idleExecutorMsUpper: number;
  /** Executors alive over time: a point per add/remove, at most MAX_TIMELINE_POINTS. */
  points: { at: number; executors: number }[];
  /** Executors whose events were beyond maxExecutors (counted, not tracked). */
  dropped: number;
}

export interface PythonSummary {
  /** SQL executions whose plan evaluates Python, with the operators found (≤ 20 kept). */
  executions: { executionId: number; description: string; operators: string[] }[];
  /** Python operators seen in any plan (BatchEvalPython, ArrowEvalPython, …). */
  operators: string[];
  /** Executor run time of stages that run those plans, ms (an upper bound of UDF time). */
  udfStageRunMs: number;
  /** Python worker time from Python SQL metrics, ms; undefined when the Spark version has none. */
  metricMs?: number;
}

export interface AppSummary {
  appId?: string;
  attemptId?: string;
  appName?: string;
  sparkVersion?: string;
  user?: string;
  startedAt?: number;
  endedAt?: number;
  /** endedAt − startedAt; for a log without an end, the last event time − startedAt. */
  durationMs?: number;
  /** Spark properties as the run had them (Spark already redacts secrets per spark.redaction.regex). */
  properties: Record<string, string>;
  /** spark.glue.JOB_RUN_ID (set by AWS Glue), else a jr_… id in the driver's command line. */
  glueRunId?: string;
  glueJobName?: string;
  jobs: { count: number; failed: number };
  totals: {
    tasks: number;
    failedTasks: number;
    killedTasks: number;
    executorRunMs: number;
    executorCpuMs: number;
    gcMs: number;
    inputBytes: number;
    outputBytes: number;
    shuffleReadBytes: number;
    shuffleWriteBytes: number;
    memorySpilledBytes: number;
    diskSpilledBytes: number;
  };
  executors: ExecutorTimeline;
  python: PythonSummary;
}

export type EventLogStatus = 'read' | 'compressed' | 'empty';

export interface EventLogSummary {
  status: EventLogStatus;
  /** The codec of a compressed log (not read). */
  codec?: EventLogCodec;
  /** Where the codec was seen: the file name's suffix or the file's first bytes. */
  codecFrom?: 'name' | 'magic';
  inProgress: boolean;
  /** The application never logged its end (crashed, killed, or still running). */
  incomplete: boolean;
  read: SplitterStats & { files: number; parsed: number; badLines: number; truncated: boolean };
  app: AppSummary;
  /** By stage id. */
  stages: StageSummary[];
  /** Stages beyond maxStages: counted, not summarised. */
  droppedStages: number;
}

export interface ReadOptions {
  maxStages?: number;
  maxExecutors?: number;
  maxLineBytes?: number;
  /** Properties kept (beyond it: dropped); default 1000. */
  maxProperties?: number;
  /** Stop once the head is read (environment and application start) to identify a log cheaply. */
  headOnly?: boolean;
  /** Stop after this many bytes (default: no limit; 32 MB for headOnly): the summary says `truncated`. */
  maxBytes?: number;
  signal?: AbortSignal;
}

const MAX_TIMELINE_POINTS = 500;
const MAX_PYTHON_EXECUTIONS = 20;
const MAX_SQL_EXECUTIONS = 10_000;
const MAX_PROPERTY_CHARS = 2_000;
const RUN_ID = /\bjr_[0-9a-f]{64}(?:_attempt_\d+)?\b/;

/** Spark's Python plan operators (pyspark UDFs, pandas UDFs, Arrow maps, UDTFs). */
export const PYTHON_OPERATOR =
  /^(?:BatchEvalPython|ArrowEvalPython|BatchEvalPythonUDTF|ArrowEvalPythonUDTF|FlatMapGroupsInPandas|FlatMapCoGroupsInPandas|FlatMapGroupsInPandasWithState|FlatMapGroupsInArrow|FlatMapCoGroupsInArrow|MapInPandas|MapInArrow|PythonMapInArrow|AggregateInPandas|WindowInPandas|PythonUDTF)$/;
/** Python SQL metrics that measure time in Python workers (Spark ≥ 4: pythonTotalTime / pythonProcessingTime). */
const PYTHON_TIME_METRIC = /^(?:time to run Python workers|time to execute Python code)$/;

interface StageAcc {
  stageId: number;
  attempts: Set<number>;
  name: string;
  order: number;
  declaredTasks: number;
  submittedAt?: number;
  completedAt?: number;
  failureReason?: string;
  ended: number;
  succeeded: number;
  failed: number;
  killed: number;
  speculative: number;
  taskMs: QuantileSketch;
  readBytes: QuantileSketch;
  runMs: number;
  cpuNs: number;
  gcMs: number;
  inputBytes: number;
  outputBytes: number;
  shuffleReadBytes: number;
  shuffleWriteBytes: number;
  memSpill: number;
  diskSpill: number;
  peakMem: number;
  pythonMetricMs: number;
}

interface ExecutorAcc {
  addedAt: number;
  removedAt?: number;
  cores: number;
  busy: IntervalSet;
  taskMs: number;
}

function quantiles(s: QuantileSketch): Quantiles {
  const snap = s.snapshot();
  return {
    count: snap.count,
    min: snap.min,
    median: s.quantile(0.5),
    p75: s.quantile(0.75),
    max: snap.max,
    sum: snap.sum,
    exact: snap.exact,
  };
}

function asString(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return undefined;
}

/** Streaming aggregation of a Spark event log: feed lines (or parsed events), read summary(). */
export class EventLogAggregator {
  private readonly stages = new Map<number, StageAcc>();
  private readonly executors = new Map<string, ExecutorAcc>();
  private readonly stageExecution = new Map<number, number>();
  private readonly pythonExecutions = new Map<number, { description: string; operators: Set<string> }>();
  private readonly pythonOperators = new Set<string>();
  private readonly pythonTimeAccs = new Map<number, number>(); // accumulator id → ms factor
  private readonly sqlSeen = new Set<number>();
  private readonly timeline: { at: number; executors: number }[] = [];
  private alive = 0;
  private aliveCores = 0;
  private maxAlive = 0;
  private maxAliveCores = 0;
  private executorsAdded = 0;
  private executorsRemoved = 0;
  private droppedExecutors = 0;
  private droppedStages = 0;
  private jobs = 0;
  private failedJobs = 0;
  private lastEventAt = 0;
  private app: {
    appId?: string;
    attemptId?: string;
    appName?: string;
    sparkVersion?: string;
    user?: string;
    startedAt?: number;
    endedAt?: number;
  } = {};
  private properties: Record<string, string> = {};
  private javaCommand: string | undefined;
  parsed = 0;
  badLines = 0;
  /** Set once the EnvironmentUpdate has been read. */
  sawEnvironment = false;
  private sawAppStart = false;
  private sawJob = false;
  private readonly maxStages: number;
  private readonly maxExecutors: number;
  private readonly maxProperties: number;

  constructor(opts: ReadOptions = {}) {
    this.maxStages = opts.maxStages ?? 2000;
    this.maxExecutors = opts.maxExecutors ?? 10_000;
    this.maxProperties = opts.maxProperties ?? 1000;
  }

  /** One JSON line (bytes start..end of buf). */
  line(buf: Buffer, start: number, end: number): void {
    let event: unknown;
    try {
      event = JSON.parse(buf.toString('utf8', start, end));
    } catch {
      this.badLines++;
      return;
    }
    this.event(event);
  }

  /** One parsed event object. */
  event(raw: unknown): void {
    if (typeof raw !== 'object' || raw === null) {
      this.badLines++;
      return;
    }
    const name = (raw as { Event?: unknown }).Event;
    if (typeof name !== 'string') {
      this.badLines++;
      return;
    }
    this.parsed++;
    try {
      this.dispatch(name, raw);
    } catch (err) {
      if (err instanceof z.ZodError) this.badLines++;
      else throw err;
    }
  }

  private dispatch(name: string, raw: unknown): void {
    switch (name) {
      case EVENT.taskEnd:
        return this.taskEnd(TaskEnd.parse(raw));
      case EVENT.stageSubmitted:
        return this.stageInfo(StageEvent.parse(raw)['Stage Info'], false);
      case EVENT.stageCompleted:
        return this.stageInfo(StageEvent.parse(raw)['Stage Info'], true);
      case EVENT.jobStart:
        return this.jobStart(JobStart.parse(raw));
      case EVENT.jobEnd: {
        const e = JobEnd.parse(raw);
        if (e['Completion Time']) this.touch(e['Completion Time']);
        if (e['Job Result'].Result && e['Job Result'].Result !== 'JobSucceeded') this.failedJobs++;
        return;
      }
      case EVENT.executorAdded:
        return this.executorAdded(ExecutorAdded.parse(raw));
      case EVENT.executorRemoved:
        return this.executorRemoved(ExecutorRemoved.parse(raw));
      case EVENT.appStart: {
        this.sawAppStart = true;
        const e = ApplicationStart.parse(raw);
        if (e['App ID']) this.app.appId = e['App ID'];
        if (e['App Attempt ID']) this.app.attemptId = e['App Attempt ID'];
        if (e['App Name']) this.app.appName = e['App Name'];
        if (e.User) this.app.user = e.User;
        if (e.Timestamp) {
          this.app.startedAt = e.Timestamp;
          this.touch(e.Timestamp);
        }
        return;
      }
      case EVENT.appEnd: {
        const e = ApplicationEnd.parse(raw);
        if (e.Timestamp) {
          this.app.endedAt = e.Timestamp;
          this.touch(e.Timestamp);
        }
        return;
      }
      case EVENT.logStart: {
        const v = LogStart.parse(raw)['Spark Version'];
        if (v) this.app.sparkVersion = v;
        return;
      }
      case EVENT.env:
        return this.environment(EnvironmentUpdate.parse(raw));
      case EVENT.sqlStart:
        return this.sqlPlan(SqlExecutionStart.parse(raw));
      case EVENT.sqlAdaptive:
        return this.sqlPlan(SqlAdaptiveUpdate.parse(raw));
      default:
        return;
    }
  }

  /**
   * The head of the log has been read: the environment (properties, run id) and the application
   * start, or the first job (nothing about the application comes after it). Spark writes the
   * EnvironmentUpdate before the ApplicationStart.
   */
  get headRead(): boolean {
    return this.sawEnvironment && (this.sawAppStart || this.sawJob);
  }

  private touch(at: number): void {
    if (at > this.lastEventAt) this.lastEventAt = at;
  }

  private stage(stageId: number): StageAcc | undefined {
    let s = this.stages.get(stageId);
    if (!s) {
      if (this.stages.size >= this.maxStages) {
        this.droppedStages++;
        return undefined;
      }
      s = {
        stageId,
        attempts: new Set(),
        name: '',
        order: this.stages.size,
        declaredTasks: 0,
        ended: 0,
        succeeded: 0,
        failed: 0,
        killed: 0,
        speculative: 0,
        taskMs: new QuantileSketch(),
        readBytes: new QuantileSketch(),
        runMs: 0,
        cpuNs: 0,
        gcMs: 0,
        inputBytes: 0,
        outputBytes: 0,
        shuffleReadBytes: 0,
        shuffleWriteBytes: 0,
        memSpill: 0,
        diskSpill: 0,
        peakMem: 0,
        pythonMetricMs: 0,
      };
      this.stages.set(stageId, s);
    }
    return s;
  }

  private stageInfo(info: StageInfo, completed: boolean): void {
    const s = this.stage(info['Stage ID']);
    if (!s) return;
    s.attempts.add(info['Stage Attempt ID']);
    if (info['Stage Name']) s.name = info['Stage Name'];
    if (info['Number of Tasks']) s.declaredTasks = info['Number of Tasks'];
    const sub = info['Submission Time'];
    if (sub !== undefined && (s.submittedAt === undefined || sub < s.submittedAt)) s.submittedAt = sub;
    if (completed) {
      const done = info['Completion Time'];
      if (done !== undefined) {
        if (s.completedAt === undefined || done > s.completedAt) s.completedAt = done;
        this.touch(done);
      }
      if (info['Failure Reason']) s.failureReason = info['Failure Reason'].slice(0, 500);
    }
  }

  private jobStart(e: z.infer<typeof JobStart>): void {
    this.sawJob = true;
    this.jobs++;
    if (e['Submission Time']) this.touch(e['Submission Time']);
    const execId = Number(asString(e.Properties?.['spark.sql.execution.id']));
    for (const id of e['Stage IDs']) {
      if (Number.isFinite(execId) && this.stageExecution.size < this.maxStages * 4)
        this.stageExecution.set(id, execId);
    }
  }

  private executorAdded(e: z.infer<typeof ExecutorAdded>): void {
    const id = e['Executor ID'];
    if (id === 'driver') return;
    this.touch(e.Timestamp);
    if (!this.executors.has(id)) {
      if (this.executors.size >= this.maxExecutors) {
        this.droppedExecutors++;
        return;
      }
      this.executors.set(id, {
        addedAt: e.Timestamp,
        cores: e['Executor Info']['Total Cores'] || 1,
        busy: new IntervalSet(),
        taskMs: 0,
      });
    }
    this.executorsAdded++;
    this.alive++;
    this.aliveCores += e['Executor Info']['Total Cores'] || 1;
    this.maxAlive = Math.max(this.maxAlive, this.alive);
    this.maxAliveCores = Math.max(this.maxAliveCores, this.aliveCores);
    this.point(e.Timestamp);
  }

  private executorRemoved(e: z.infer<typeof ExecutorRemoved>): void {
    const ex = this.executors.get(e['Executor ID']);
    this.touch(e.Timestamp);
    if (!ex || ex.removedAt !== undefined) return;
    ex.removedAt = e.Timestamp;
    this.executorsRemoved++;
    this.alive--;
    this.aliveCores -= ex.cores;
    this.point(e.Timestamp);
  }

  private point(at: number): void {
    if (this.timeline.length < MAX_TIMELINE_POINTS) this.timeline.push({ at, executors: this.alive });
  }

  private environment(e: z.infer<typeof EnvironmentUpdate>): void {
    this.sawEnvironment = true;
    let n = 0;
    for (const [k, v] of Object.entries(e['Spark Properties'])) {
      const s = asString(v);
      if (s === undefined) continue;
      if (n++ >= this.maxProperties) break;
      this.properties[k] = s.length > MAX_PROPERTY_CHARS ? `${s.slice(0, MAX_PROPERTY_CHARS)}…` : s;
    }
    const cmd = asString(e['System Properties']['sun.java.command']);
    if (cmd) this.javaCommand = cmd.slice(0, 20_000);
  }

  private sqlPlan(
    e: { executionId: number; physicalPlanDescription: string; sparkPlanInfo?: unknown } & {
      description?: string;
    },
  ): void {
    if (!this.sqlSeen.has(e.executionId) && this.sqlSeen.size < MAX_SQL_EXECUTIONS)
      this.sqlSeen.add(e.executionId);
    const operators = new Set<string>();
    // Walk the plan tree (explicit stack: plans can be deep).
    const stack: unknown[] = e.sparkPlanInfo !== undefined ? [e.sparkPlanInfo] : [];
    let visited = 0;
    while (stack.length > 0 && visited < 100_000) {
      const node = stack.pop() as PlanNode;
      visited++;
      if (typeof node !== 'object' || node === null) continue;
      const nodeName = typeof node.nodeName === 'string' ? node.nodeName : '';
      if (PYTHON_OPERATOR.test(nodeName)) {
        operators.add(nodeName);
        if (Array.isArray(node.metrics)) {
          for (const m of node.metrics) {
            const metric = PlanMetric.safeParse(m);
            if (metric.success && PYTHON_TIME_METRIC.test(metric.data.name))
              this.pythonTimeAccs.set(
                metric.data.accumulatorId,
                metric.data.metricType === 'nsTiming' ? 1e-6 : 1,
              );
          }
        }
      }
      if (Array.isArray(node.children)) for (const c of node.children) stack.push(c);
    }
    // Without a plan tree (very old logs), fall back to the plan text.
    if (e.sparkPlanInfo === undefined) {
      for (const m of e.physicalPlanDescription.matchAll(/\b([A-Z]\w*(?:Python|InPandas|InArrow)\w*)\b/g))
        if (PYTHON_OPERATOR.test(m[1] as string)) operators.add(m[1] as string);
    }
    if (operators.size === 0) return;
    for (const op of operators) this.pythonOperators.add(op);
    let entry = this.pythonExecutions.get(e.executionId);
    if (!entry) {
      entry = { description: (e.description ?? '').slice(0, 200), operators: new Set() };
      if (this.pythonExecutions.size < MAX_SQL_EXECUTIONS) this.pythonExecutions.set(e.executionId, entry);
    }
    for (const op of operators) entry.operators.add(op);
  }

  private taskEnd(e: TaskEnd): void {
    const info = e['Task Info'];
    const s = this.stage(e['Stage ID']);
    const launch = info['Launch Time'];
    const finish = info['Finish Time'];
    this.touch(finish);
    const duration = finish > launch && launch > 0 ? finish - launch : 0;
    const reason = e['Task End Reason'].Reason;
    const success = reason === 'Success';
    const killed = !success && (reason === 'TaskKilled' || reason === 'TaskCommitDenied' || info.Killed);
    const ex = this.executors.get(info['Executor ID']);
    if (ex && duration > 0) {
      ex.busy.add(launch, finish);
      ex.taskMs += duration;
    }
    if (!s) return;
    s.attempts.add(e['Stage Attempt ID']);
    s.ended++;
    if (success) s.succeeded++;
    else if (killed) s.killed++;
    else s.failed++;
    if (info.Speculative) s.speculative++;
    const m = e['Task Metrics'];
    if (m) {
      s.runMs += m['Executor Run Time'];
      s.cpuNs += m['Executor CPU Time'];
      s.gcMs += m['JVM GC Time'];
      s.memSpill += m['Memory Bytes Spilled'];
      s.diskSpill += m['Disk Bytes Spilled'];
      if (m['Peak Execution Memory'] > s.peakMem) s.peakMem = m['Peak Execution Memory'];
      const input = m['Input Metrics']?.['Bytes Read'] ?? 0;
      const sr = m['Shuffle Read Metrics'];
      const shuffleRead = sr ? sr['Remote Bytes Read'] + sr['Local Bytes Read'] : 0;
      s.inputBytes += input;
      s.outputBytes += m['Output Metrics']?.['Bytes Written'] ?? 0;
      s.shuffleReadBytes += shuffleRead;
      s.shuffleWriteBytes += m['Shuffle Write Metrics']?.['Shuffle Bytes Written'] ?? 0;
      if (success) s.readBytes.add(input + shuffleRead);
    }
    if (success) s.taskMs.add(duration);
    if (this.pythonTimeAccs.size > 0) {
      for (const acc of info.Accumulables) {
        if (typeof acc !== 'object' || acc === null) continue;
        const id = (acc as { ID?: unknown }).ID;
        if (typeof id !== 'number') continue;
        const factor = this.pythonTimeAccs.get(id);
        if (factor === undefined) continue;
        const update = Number((acc as { Update?: unknown }).Update);
        if (Number.isFinite(update)) s.pythonMetricMs += update * factor;
      }
    }
  }

  summary(): Omit<EventLogSummary, 'status' | 'inProgress' | 'read'> {
    const startedAt = this.app.startedAt;
    const endedAt = this.app.endedAt;
    const lastAt = endedAt ?? (this.lastEventAt || undefined);
    const stages: StageSummary[] = [...this.stages.values()]
      .filter((s) => s.ended > 0 || s.submittedAt !== undefined)
      .sort((a, b) => a.stageId - b.stageId)
      .map((s) => {
        const execId = this.stageExecution.get(s.stageId);
        const python = execId !== undefined && this.pythonExecutions.has(execId);
        const durationMs =
          s.submittedAt !== undefined && s.completedAt !== undefined
            ? s.completedAt - s.submittedAt
            : undefined;
        return {
          stageId: s.stageId,
          attempts: Math.max(1, s.attempts.size),
          name: s.name,
          order: s.order,
          declaredTasks: s.declaredTasks,
          ...(s.submittedAt !== undefined ? { submittedAt: s.submittedAt } : {}),
          ...(s.completedAt !== undefined ? { completedAt: s.completedAt } : {}),
          ...(durationMs !== undefined ? { durationMs } : {}),
          ...(s.failureReason ? { failureReason: s.failureReason } : {}),
          tasks: {
            ended: s.ended,
            succeeded: s.succeeded,
            failed: s.failed,
            killed: s.killed,
            speculative: s.speculative,
          },
          taskMs: quantiles(s.taskMs),
          taskReadBytes: quantiles(s.readBytes),
          executorRunMs: s.runMs,
          executorCpuMs: Math.round(s.cpuNs / 1e6),
          gcMs: s.gcMs,
          inputBytes: s.inputBytes,
          outputBytes: s.outputBytes,
          shuffleReadBytes: s.shuffleReadBytes,
          shuffleWriteBytes: s.shuffleWriteBytes,
          memorySpilledBytes: s.memSpill,
          diskSpilledBytes: s.diskSpill,
          peakExecutionMemoryBytes: s.peakMem,
          ...(execId !== undefined ? { sqlExecutionId: execId } : {}),
          pythonUdf: python,
          ...(this.pythonTimeAccs.size > 0 && python ? { pythonMetricMs: Math.round(s.pythonMetricMs) } : {}),
        };
      });

    const totals = {
      tasks: 0,
      failedTasks: 0,
      killedTasks: 0,
      executorRunMs: 0,
      executorCpuMs: 0,
      gcMs: 0,
      inputBytes: 0,
      outputBytes: 0,
      shuffleReadBytes: 0,
      shuffleWriteBytes: 0,
      memorySpilledBytes: 0,
      diskSpilledBytes: 0,
    };
    let udfStageRunMs = 0;
    let pythonMetricMs = 0;
    for (const s of stages) {
      totals.tasks += s.tasks.ended;
      totals.failedTasks += s.tasks.failed;
      totals.killedTasks += s.tasks.killed;
      totals.executorRunMs += s.executorRunMs;
      totals.executorCpuMs += s.executorCpuMs;
      totals.gcMs += s.gcMs;
      totals.inputBytes += s.inputBytes;
      totals.outputBytes += s.outputBytes;
      totals.shuffleReadBytes += s.shuffleReadBytes;
      totals.shuffleWriteBytes += s.shuffleWriteBytes;
      totals.memorySpilledBytes += s.memorySpilledBytes;
      totals.diskSpilledBytes += s.diskSpilledBytes;
      if (s.pythonUdf) udfStageRunMs += s.executorRunMs;
      pythonMetricMs += s.pythonMetricMs ?? 0;
    }

    // Executors: lifetime until removed, else until the application ended (or its last event).
    let availableCoreMs = 0;
    let busyCoreMs = 0;
    let idle = 0;
    let idleUpper = 0;
    for (const ex of this.executors.values()) {
      const until = ex.removedAt ?? lastAt ?? ex.addedAt;
      const life = Math.max(0, until - ex.addedAt);
      availableCoreMs += life * ex.cores;
      busyCoreMs += ex.taskMs;
      const busy = ex.busy.busyWithin(ex.addedAt, until);
      const lower = Math.max(0, life - busy);
      idle += lower;
      idleUpper += Math.min(life, lower + ex.busy.mergedGapMs);
    }

    const props = this.properties;
    const glueRunId = props['spark.glue.JOB_RUN_ID'] ?? this.javaCommand?.match(RUN_ID)?.[0];
    const glueJobName = props['spark.glue.JOB_NAME'];
    const durationMs = startedAt !== undefined && lastAt !== undefined ? lastAt - startedAt : undefined;
    return {
      app: {
        ...this.app,
        ...(durationMs !== undefined ? { durationMs } : {}),
        properties: props,
        ...(glueRunId ? { glueRunId } : {}),
        ...(glueJobName ? { glueJobName } : {}),
        jobs: { count: this.jobs, failed: this.failedJobs },
        totals,
        executors: {
          added: this.executorsAdded,
          removed: this.executorsRemoved,
          maxConcurrent: this.maxAlive,
          maxConcurrentCores: this.maxAliveCores,
          availableCoreMs,
          busyCoreMs,
          wastedCoreMs: Math.max(0, availableCoreMs - busyCoreMs),
          idleExecutorMs: idle,
          idleExecutorMsUpper: idleUpper,
          points: [...this.timeline],
          dropped: this.droppedExecutors,
        },
        python: {
          executions: [...this.pythonExecutions.entries()].slice(0, MAX_PYTHON_EXECUTIONS).map(([id, v]) => ({
            executionId: id,
            description: v.description,
            operators: [...v.operators].sort(),
          })),
          operators: [...this.pythonOperators].sort(),
          udfStageRunMs,
          ...(this.pythonTimeAccs.size > 0 ? { metricMs: Math.round(pythonMetricMs) } : {}),
        },
      },
      stages,
      droppedStages: this.droppedStages,
      incomplete: endedAt === undefined,
    };
  }
}

function abortError(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  return reason instanceof Error ? reason : new Error('reading the event log was cancelled');
}

/**
 * Reads a log (its files in order) and summarises it. A compressed log is not read: the summary
 * has status 'compressed' and the codec, from the file name or the first bytes.
 */
export async function readEventLog(
  log: Pick<EventLogCandidate, 'files' | 'codec' | 'inProgress'>,
  read: ReadChunks,
  opts: ReadOptions = {},
): Promise<EventLogSummary> {
  const agg = new EventLogAggregator(opts);
  const splitter = new LineSplitter(
    (name) => WANTED_EVENTS.has(name),
    (buf, start, end) => agg.line(buf, start, end),
    opts.maxLineBytes,
  );
  const result = (
    status: EventLogStatus,
    files: number,
    extra: Partial<EventLogSummary> = {},
  ): EventLogSummary => ({
    status,
    inProgress: log.inProgress,
    read: { ...splitter.stats, files, parsed: agg.parsed, badLines: agg.badLines, truncated },
    ...agg.summary(),
    ...extra,
  });
  const maxBytes = opts.maxBytes ?? (opts.headOnly ? 32 * 1024 * 1024 : Infinity);
  let truncated = false;
  if (log.codec) return result('compressed', 0, { codec: log.codec, codecFrom: 'name' });
  let files = 0;
  for (const file of log.files) {
    if (splitter.stats.bytes >= maxBytes) {
      truncated = true;
      break;
    }
    files++;
    let first = true;
    for await (const chunk of read(file.key)) {
      if (opts.signal?.aborted) throw abortError(opts.signal);
      if (first && chunk.length > 0) {
        first = false;
        const codec = codecFromMagic(chunk.subarray(0, 16));
        if (codec) return result('compressed', files, { codec, codecFrom: 'magic' });
      }
      splitter.push(chunk);
      if (opts.headOnly && agg.headRead) break;
      if (splitter.stats.bytes >= maxBytes) {
        truncated = true;
        break;
      }
    }
    splitter.end();
    if (opts.headOnly && agg.headRead) break;
  }
  return result(agg.parsed === 0 ? 'empty' : 'read', files);
}
