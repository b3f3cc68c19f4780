// In-memory Azure: Synapse workspaces (pipelines, pipeline runs with their activity runs, Spark pools
// and the Spark applications behind Spark activities), Log Analytics workspaces, and ARM's
// long-running operations. Like the Glue store, every state is derived from the simulated clock
// when it is read: a run is Queued, then InProgress, then its outcome; nothing ticks.
import { createHash, randomUUID } from 'node:crypto';
import type { SimClock } from '../clock.js';

export type PipelineRunStatus = 'Queued' | 'InProgress' | 'Succeeded' | 'Failed' | 'Canceling' | 'Cancelled';
export type ActivityRunStatus = 'Queued' | 'InProgress' | 'Succeeded' | 'Failed' | 'Cancelled';
export type RunOutcome = 'Succeeded' | 'Failed';

export interface ParameterSpec {
  type: 'String' | 'Int' | 'Float' | 'Bool' | 'Object' | 'Array' | 'SecureString';
  defaultValue?: unknown;
}

export interface ActivityDef {
  name: string;
  /** SynapseNotebook, SparkJob, Copy, Wait, … */
  type: string;
  /** As in the pipeline JSON: notebook / sparkJob reference, sparkPool, numExecutors, executorSize, conf. */
  typeProperties: Record<string, unknown>;
  /** Share of the run's execution time (default: an even split). */
  share?: number;
}

/** How runs of a pipeline behave (the scenario's, or what a test configures). */
export interface RunBehaviour {
  queuedSec: number;
  durationSec: number;
  outcome: RunOutcome;
  /** The activity that fails (default: the last Spark activity, else the last activity). */
  failedActivity?: string;
  errorCode?: string;
  errorMessage?: string;
  failureType?: 'UserError' | 'SystemError';
  /** Log lines the Spark application of a new run writes to SparkLoggingEvent_CL. */
  sparkLog?: string[];
}

export const DEFAULT_BEHAVIOUR: RunBehaviour = { queuedSec: 5, durationSec: 600, outcome: 'Succeeded' };

export interface PipelineDef {
  name: string;
  description?: string;
  folder?: string;
  parameters: Record<string, ParameterSpec>;
  activities: ActivityDef[];
  annotations: string[];
  behaviour: RunBehaviour;
}

export interface SparkSettings {
  numExecutors: number;
  executorCores: number;
  executorMemory: string;
  driverCores: number;
  driverMemory: string;
  conf: Record<string, string>;
}

export interface SparkApp extends SparkSettings {
  livyId: number;
  appId: string;
  name: string;
  workspace: string;
  pool: string;
  /** `SparkBatch` for Spark job definitions, `SparkSession` for notebooks. */
  jobType: 'SparkBatch' | 'SparkSession';
  /** The notebook or Spark job definition. */
  artifactName: string;
  submitAt: number;
  startAt: number;
  endAt: number;
  result: 'Succeeded' | 'Failed' | 'Cancelled';
  errorInfo: { message: string; errorCode: string; source: 'User' | 'System' | 'Unknown' }[];
  pipelineName: string;
  pipelineRunId: string;
  activityName: string;
  submitterId: string;
}

export interface ActivityRunRec {
  activityRunId: string;
  activityName: string;
  activityType: string;
  startAt: number;
  /** Natural end (cancellation may end it earlier). */
  endAt: number;
  outcome: RunOutcome;
  error?: { errorCode: string; message: string; failureType: string };
  input: Record<string, unknown>;
  output: Record<string, unknown>;
  app?: SparkApp;
}

export interface PipelineRunRec {
  runId: string;
  pipelineName: string;
  workspace: string;
  /** When the run was created (Queued from then). */
  runStart: number;
  queuedMs: number;
  durationMs: number;
  outcome: RunOutcome;
  message: string;
  parameters: Record<string, unknown>;
  invokedBy: { name: string; id: string; invokedByType: string };
  runGroupId: string;
  recovery?: { referencePipelineRunId: string; startActivityName?: string };
  /** Set when a later recovery run of the same group exists. */
  supersededBy?: string;
  cancelRequestedAt?: number;
  activities: ActivityRunRec[];
}

export interface RunView {
  status: PipelineRunStatus;
  /** Null while the run is not over. */
  runEnd: number | null;
  durationInMs: number | null;
  lastUpdated: number;
}

/** Seconds a cancelled run spends Canceling. */
export const CANCELING_MS = 5_000;

export function runView(run: PipelineRunRec, now: number): RunView {
  const execStart = run.runStart + run.queuedMs;
  const naturalEnd = execStart + run.durationMs;
  if (run.cancelRequestedAt !== undefined && run.cancelRequestedAt < naturalEnd) {
    const end = run.cancelRequestedAt + CANCELING_MS;
    if (now < end)
      return { status: 'Canceling', runEnd: null, durationInMs: null, lastUpdated: run.cancelRequestedAt };
    return { status: 'Cancelled', runEnd: end, durationInMs: end - run.runStart, lastUpdated: end };
  }
  if (now < execStart)
    return { status: 'Queued', runEnd: null, durationInMs: null, lastUpdated: run.runStart };
  if (now < naturalEnd)
    return { status: 'InProgress', runEnd: null, durationInMs: null, lastUpdated: execStart };
  return {
    status: run.outcome,
    runEnd: naturalEnd,
    durationInMs: naturalEnd - run.runStart,
    lastUpdated: naturalEnd,
  };
}

export interface ActivityView {
  status: ActivityRunStatus;
  end: number | null;
  durationInMs: number | null;
}

/** Undefined when the activity has not started by `now` (or never will). */
export function activityView(run: PipelineRunRec, a: ActivityRunRec, now: number): ActivityView | undefined {
  const cancelAt = run.cancelRequestedAt;
  if (now < a.startAt) return undefined;
  if (cancelAt !== undefined && cancelAt <= a.startAt) return undefined;
  if (cancelAt !== undefined && cancelAt < a.endAt) {
    if (now < cancelAt) return { status: 'InProgress', end: null, durationInMs: null };
    return { status: 'Cancelled', end: cancelAt, durationInMs: cancelAt - a.startAt };
  }
  if (now < a.endAt) return { status: 'InProgress', end: null, durationInMs: null };
  return { status: a.outcome, end: a.endAt, durationInMs: a.endAt - a.startAt };
}

export type LivyState = 'not_started' | 'starting' | 'running' | 'success' | 'dead' | 'killed';

export function appEnd(
  app: SparkApp,
  run: PipelineRunRec | undefined,
): { endAt: number; result: SparkApp['result'] } {
  const cancelAt = run?.cancelRequestedAt;
  if (cancelAt !== undefined && cancelAt < app.endAt)
    return { endAt: Math.max(cancelAt, app.submitAt), result: 'Cancelled' };
  return { endAt: app.endAt, result: app.result };
}

export function livyState(app: SparkApp, run: PipelineRunRec | undefined, now: number): LivyState {
  const { endAt, result } = appEnd(app, run);
  if (now >= endAt) return result === 'Succeeded' ? 'success' : result === 'Cancelled' ? 'killed' : 'dead';
  if (now >= app.startAt) return 'running';
  return 'starting';
}

export interface SparkPool {
  name: string;
  workspace: string;
  location: string;
  creationDate: number;
  properties: Record<string, unknown>;
  tags: Record<string, string>;
  /** While a PUT is in flight. */
  updatingUntil?: number;
}

export interface AsyncOperation {
  id: string;
  location: string;
  startAt: number;
  doneAt: number;
  applied: boolean;
  apply: () => void;
}

export interface LogRow {
  [column: string]: unknown;
}

export interface LogAnalyticsWorkspace {
  id: string;
  /** Synapse workspaces whose diagnostics go here. */
  synapseWorkspaces: string[];
  /** SparkLoggingEvent_CL rows; a row is visible once its TimeGenerated has passed. */
  sparkLog: LogRow[];
}

/** A notebook as the data plane's `GET /notebooks/{name}` shows it (what the bot reads of it). */
export interface NotebookDef {
  name: string;
  /** properties.bigDataPool.referenceName: the pool the notebook is attached to. */
  bigDataPool?: string;
  language: string;
  folder?: string;
}

/** A Spark job definition as `GET /sparkJobDefinitions/{name}` shows it. */
export interface SparkJobDefinitionDef {
  name: string;
  targetBigDataPool: string;
  requiredSparkVersion?: string;
  language: string;
  /** jobProperties.file: the main file (abfss:// URI). */
  file: string;
  className?: string;
  folder?: string;
}

export interface SynapseWorkspace {
  name: string;
  location: string;
  pipelines: Map<string, PipelineDef>;
  notebooks: Map<string, NotebookDef>;
  sparkJobDefinitions: Map<string, SparkJobDefinitionDef>;
  runs: Map<string, PipelineRunRec>;
  pools: Map<string, SparkPool>;
  /** Livy id counter per pool. */
  livyCounters: Map<string, number>;
  apps: SparkApp[];
}

/** Executor sizes of Synapse notebooks and Spark job definitions. */
export const EXECUTOR_SIZES: Record<string, { cores: number; memory: string }> = {
  Small: { cores: 4, memory: '28g' },
  Medium: { cores: 8, memory: '56g' },
  Large: { cores: 16, memory: '112g' },
  XLarge: { cores: 32, memory: '224g' },
  XXLarge: { cores: 64, memory: '400g' },
};

export const SPARK_ACTIVITY_TYPES = new Set(['SynapseNotebook', 'SparkJob']);

/** A GUID-shaped id derived from a seed (deterministic scenarios). */
export function guidFrom(seed: string): string {
  const h = createHash('sha256').update(seed).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export class AzureState {
  readonly clock: SimClock;
  readonly subscriptionId: string;
  readonly resourceGroup: string;
  readonly tenantId: string;
  readonly workspaces = new Map<string, SynapseWorkspace>();
  readonly logAnalytics = new Map<string, LogAnalyticsWorkspace>();
  readonly operations = new Map<string, AsyncOperation>();
  /** Simulated ms an ARM PUT of a Spark pool takes. */
  poolUpdateMs = 60_000;
  /** The managed identity's object id, used in 403 messages (set by the server). */
  principalId = '00000000-0000-0000-0000-000000000000';
  private counter = 0;

  constructor(clock: SimClock, ids: { subscriptionId: string; resourceGroup: string; tenantId: string }) {
    this.clock = clock;
    this.subscriptionId = ids.subscriptionId;
    this.resourceGroup = ids.resourceGroup;
    this.tenantId = ids.tenantId;
  }

  now(): number {
    return this.clock.now();
  }

  clear(): void {
    this.workspaces.clear();
    this.logAnalytics.clear();
    this.operations.clear();
    this.counter = 0;
  }

  newId(): string {
    return randomUUID();
  }

  addWorkspace(name: string, location = 'westeurope'): SynapseWorkspace {
    let ws = this.workspaces.get(name);
    if (!ws) {
      ws = {
        name,
        location,
        pipelines: new Map(),
        notebooks: new Map(),
        sparkJobDefinitions: new Map(),
        runs: new Map(),
        pools: new Map(),
        livyCounters: new Map(),
        apps: [],
      };
      this.workspaces.set(name, ws);
    }
    return ws;
  }

  workspace(name: string): SynapseWorkspace {
    const ws = this.workspaces.get(name);
    if (!ws) throw new Error(`no Synapse workspace ${name}`);
    return ws;
  }

  addLogAnalyticsWorkspace(id: string, synapseWorkspaces: string[]): LogAnalyticsWorkspace {
    let la = this.logAnalytics.get(id);
    if (!la) {
      la = { id, synapseWorkspaces: [], sparkLog: [] };
      this.logAnalytics.set(id, la);
    }
    for (const w of synapseWorkspaces) if (!la.synapseWorkspaces.includes(w)) la.synapseWorkspaces.push(w);
    return la;
  }

  /** The Log Analytics workspace Synapse workspace `ws` sends diagnostics to. */
  logAnalyticsOf(ws: string): LogAnalyticsWorkspace | undefined {
    for (const la of this.logAnalytics.values()) if (la.synapseWorkspaces.includes(ws)) return la;
    return undefined;
  }

  addPool(
    workspace: string,
    name: string,
    properties: Record<string, unknown> = {},
    tags: Record<string, string> = {},
  ): SparkPool {
    const ws = this.workspace(workspace);
    const now = this.now();
    const pool: SparkPool = {
      name,
      workspace,
      location: ws.location,
      creationDate: now - 200 * 86_400_000,
      tags,
      properties: poolProperties(properties),
    };
    ws.pools.set(name, pool);
    return pool;
  }

  addPipeline(
    workspace: string,
    def: Omit<PipelineDef, 'behaviour' | 'annotations' | 'parameters'> & {
      behaviour?: Partial<RunBehaviour>;
      annotations?: string[];
      parameters?: Record<string, ParameterSpec>;
    },
  ): PipelineDef {
    const ws = this.workspace(workspace);
    const p: PipelineDef = {
      ...def,
      parameters: def.parameters ?? {},
      annotations: def.annotations ?? [],
      behaviour: { ...DEFAULT_BEHAVIOUR, ...def.behaviour },
    };
    ws.pipelines.set(p.name, p);
    // The notebooks and Spark job definitions its activities run, unless a scenario defined them.
    for (const a of p.activities) {
      if (!SPARK_ACTIVITY_TYPES.has(a.type)) continue;
      const tp = a.typeProperties;
      const refName = (v: unknown) => {
        const r = (v as { referenceName?: unknown } | undefined)?.referenceName;
        return typeof r === 'string' ? r : undefined;
      };
      const pool = refName(tp.sparkPool) ?? refName(tp.targetBigDataPool) ?? [...ws.pools.keys()][0];
      const notebook = refName(tp.notebook);
      const sjd = refName(tp.sparkJob);
      if (notebook && !ws.notebooks.has(notebook))
        this.addNotebook(workspace, {
          name: notebook,
          language: 'python',
          ...(pool ? { bigDataPool: pool } : {}),
        });
      if (sjd && !ws.sparkJobDefinitions.has(sjd))
        this.addSparkJobDefinition(workspace, {
          name: sjd,
          targetBigDataPool: pool ?? 'pool01',
          language: 'python',
          file: `abfss://synapse@${workspace}.dfs.core.windows.net/jobs/${sjd}/main.py`,
        });
    }
    return p;
  }

  addNotebook(workspace: string, def: NotebookDef): NotebookDef {
    this.workspace(workspace).notebooks.set(def.name, def);
    return def;
  }

  addSparkJobDefinition(workspace: string, def: SparkJobDefinitionDef): SparkJobDefinitionDef {
    this.workspace(workspace).sparkJobDefinitions.set(def.name, def);
    return def;
  }

  /** Change how runs started later behave. */
  configureRuns(workspace: string, pipeline: string, behaviour: Partial<RunBehaviour>): void {
    const p = this.workspace(workspace).pipelines.get(pipeline);
    if (!p) throw new Error(`no pipeline ${pipeline} in ${workspace}`);
    p.behaviour = { ...p.behaviour, ...behaviour };
  }

  /** Runs of a pipeline (or all), oldest first. */
  runsOf(workspace: string, pipeline?: string): PipelineRunRec[] {
    const all = [...this.workspace(workspace).runs.values()];
    return (pipeline ? all.filter((r) => r.pipelineName === pipeline) : all).sort(
      (a, b) => a.runStart - b.runStart,
    );
  }

  /**
   * A pipeline run with its activity runs and Spark applications, following `behaviour`. Used by
   * scenarios (history, with a fixed id and start) and by createRun (now).
   */
  addRun(
    workspace: string,
    input: {
      pipelineName: string;
      runStart: number;
      behaviour?: Partial<RunBehaviour>;
      parameters?: Record<string, unknown>;
      runId?: string;
      invokedBy?: PipelineRunRec['invokedBy'];
      recovery?: PipelineRunRec['recovery'];
      runGroupId?: string;
    },
  ): PipelineRunRec {
    const ws = this.workspace(workspace);
    const p = ws.pipelines.get(input.pipelineName);
    if (!p) throw new Error(`no pipeline ${input.pipelineName} in ${workspace}`);
    const b: RunBehaviour = { ...p.behaviour, ...input.behaviour };
    const runId = input.runId ?? this.newId();
    const parameters = resolveParameters(p, input.parameters ?? {});
    let activities = p.activities;
    if (input.recovery?.startActivityName) {
      const k = activities.findIndex((a) => a.name === input.recovery!.startActivityName);
      if (k >= 0) activities = activities.slice(k);
    }
    const allShares = p.activities.reduce((s, a) => s + (a.share ?? 1), 0);
    const shares = activities.reduce((s, a) => s + (a.share ?? 1), 0);
    // A recovery run only runs what is left: its share of the duration.
    const durationMs = Math.round(b.durationSec * 1000 * (shares / allShares));
    const queuedMs = Math.round(b.queuedSec * 1000);
    const failing =
      b.outcome === 'Failed'
        ? (b.failedActivity ??
          [...activities].reverse().find((a) => SPARK_ACTIVITY_TYPES.has(a.type))?.name ??
          activities[activities.length - 1]?.name)
        : undefined;
    const run: PipelineRunRec = {
      runId,
      pipelineName: p.name,
      workspace,
      runStart: input.runStart,
      queuedMs,
      durationMs,
      outcome: b.outcome,
      message: '',
      parameters,
      invokedBy: input.invokedBy ?? {
        name: 'Manual',
        id: guidFrom(`${runId}#invoker`).replace(/-/g, ''),
        invokedByType: 'Manual',
      },
      runGroupId: input.runGroupId ?? runId,
      activities: [],
      ...(input.recovery ? { recovery: input.recovery } : {}),
    };
    let t = input.runStart + queuedMs;
    let endOfRun = t + durationMs;
    for (const a of activities) {
      const len = Math.round(durationMs * ((a.share ?? 1) / shares));
      const startAt = t;
      const endAt = startAt + len;
      t = endAt;
      const fails = a.name === failing;
      const rec: ActivityRunRec = {
        activityRunId: guidFrom(`${runId}#${a.name}`),
        activityName: a.name,
        activityType: a.type,
        startAt,
        endAt,
        outcome: fails ? 'Failed' : 'Succeeded',
        input: activityInput(a, parameters),
        output: {},
      };
      if (fails) {
        rec.error = {
          errorCode: b.errorCode ?? '2011',
          message: b.errorMessage ?? `Activity ${a.name} failed`,
          failureType: b.failureType ?? 'UserError',
        };
      }
      if (SPARK_ACTIVITY_TYPES.has(a.type)) {
        rec.app = this.addApp(ws, p, run, a, rec, parameters, b);
        rec.output = sparkActivityOutput(ws.name, rec.app, rec);
      }
      run.activities.push(rec);
      if (fails) {
        endOfRun = endAt;
        break;
      }
    }
    run.durationMs = endOfRun - (input.runStart + queuedMs);
    if (failing) {
      run.message = `Operation on target ${failing} failed: ${b.errorMessage ?? `Activity ${failing} failed`}`;
    }
    if (input.recovery) {
      const ref = ws.runs.get(input.recovery.referencePipelineRunId);
      if (ref) {
        run.runGroupId = ref.runGroupId;
        for (const r of ws.runs.values()) if (r.runGroupId === ref.runGroupId) r.supersededBy = runId;
      }
    }
    ws.runs.set(runId, run);
    return run;
  }

  private addApp(
    ws: SynapseWorkspace,
    p: PipelineDef,
    run: PipelineRunRec,
    a: ActivityDef,
    rec: ActivityRunRec,
    parameters: Record<string, unknown>,
    b: RunBehaviour,
  ): SparkApp {
    const tp = a.typeProperties;
    const poolRef = resolveValue(tp.sparkPool, parameters) as { referenceName?: string } | undefined;
    const pool = poolRef?.referenceName ?? [...ws.pools.keys()][0] ?? 'pool01';
    const livyId = (ws.livyCounters.get(pool) ?? 0) + 1;
    ws.livyCounters.set(pool, livyId);
    const settings = sparkSettings(tp, parameters);
    const ref = (tp.notebook ?? tp.sparkJob) as { referenceName?: string } | undefined;
    const artifactName = ref?.referenceName ?? a.name;
    const len = rec.endAt - rec.startAt;
    const failed = rec.outcome === 'Failed';
    const stamp = new Date(rec.startAt).toISOString().replace(/[-:T]/g, '').slice(0, 14);
    const app: SparkApp = {
      ...settings,
      livyId,
      appId: `application_${Math.floor(rec.startAt / 1000)}_${String(++this.counter).padStart(4, '0')}`,
      name: `${artifactName}_${pool}_${stamp}`,
      workspace: ws.name,
      pool,
      jobType: a.type === 'SparkJob' ? 'SparkBatch' : 'SparkSession',
      artifactName,
      submitAt: rec.startAt,
      startAt: rec.startAt + Math.min(30_000, Math.round(len * 0.05)),
      endAt: rec.endAt - Math.min(2_000, Math.round(len * 0.01)),
      result: failed ? 'Failed' : 'Succeeded',
      errorInfo: failed
        ? [
            {
              message: b.errorMessage ?? 'Spark job failed',
              errorCode: 'SPARK_JOB_FAILED',
              source: b.failureType === 'SystemError' ? 'System' : 'User',
            },
          ]
        : [],
      pipelineName: p.name,
      pipelineRunId: run.runId,
      activityName: a.name,
      submitterId: this.principalId,
    };
    ws.apps.push(app);
    if (b.sparkLog?.length) this.writeSparkLog(app, b.sparkLog);
    return app;
  }

  /** Lines of an application's log, spread over its running time, into its Log Analytics workspace. */
  writeSparkLog(app: SparkApp, lines: string[]): void {
    const la = this.logAnalyticsOf(app.workspace);
    if (!la) return;
    const span = app.endAt - app.startAt;
    lines.forEach((line, k) => {
      // `24/11/27 02:14:03 WARN TaskSetManager: message` → level, logger and message columns.
      const m = /^(?:\d\d\/\d\d\/\d\d \d\d:\d\d:\d\d )?(ERROR|WARN|INFO|DEBUG) ([\w.$]+): (.*)$/s.exec(line);
      la.sparkLog.push({
        TimeGenerated: app.startAt + Math.floor(((k + 1) / (lines.length + 1)) * span),
        workspaceName_s: app.workspace,
        clusterName_s: app.pool,
        livyId_s: String(app.livyId),
        applicationId_s: app.appId,
        applicationName_s: app.name,
        executorId_s: 'driver',
        level_s: m?.[1] ?? 'INFO',
        logger_name_s: m?.[2] ?? 'org.apache.spark',
        message_s: m?.[3] ?? line,
      });
    });
  }

  /** Runs whose ARM operations are due apply their changes; called before answering. */
  settleOperations(): void {
    const now = this.now();
    for (const op of this.operations.values()) {
      if (!op.applied && now >= op.doneAt) {
        op.applied = true;
        op.apply();
      }
    }
  }

  resourceId(workspace: string, pool?: string): string {
    const base = `/subscriptions/${this.subscriptionId}/resourceGroups/${this.resourceGroup}/providers/Microsoft.Synapse/workspaces/${workspace}`;
    return pool ? `${base}/bigDataPools/${pool}` : base;
  }
}

/** Pool properties with Azure's defaults for whatever a PUT leaves out. */
export function poolProperties(p: Record<string, unknown>): Record<string, unknown> {
  return {
    nodeSize: 'Medium',
    nodeSizeFamily: 'MemoryOptimized',
    nodeCount: 0,
    autoScale: { enabled: false, minNodeCount: 3, maxNodeCount: 10 },
    autoPause: { enabled: false, delayInMinutes: 15 },
    dynamicExecutorAllocation: { enabled: false },
    isComputeIsolationEnabled: false,
    sessionLevelPackagesEnabled: false,
    cacheSize: 0,
    sparkVersion: '3.4',
    sparkEventsFolder: '/events',
    defaultSparkLogFolder: '/logs',
    ...p,
  };
}

function resolveParameters(p: PipelineDef, given: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(p.parameters)) {
    if (name in given) out[name] = given[name];
    else if (spec.defaultValue !== undefined) out[name] = spec.defaultValue;
  }
  return out;
}

/** `{value: '@pipeline().parameters.X', type: 'Expression'}` (or the bare string) → the parameter. */
export function resolveValue(v: unknown, parameters: Record<string, unknown>): unknown {
  const expr =
    typeof v === 'string'
      ? v
      : v && typeof v === 'object' && (v as { type?: unknown }).type === 'Expression'
        ? (v as { value?: unknown }).value
        : undefined;
  if (typeof expr === 'string') {
    const m = /^@pipeline\(\)\.parameters\.(\w+)$/.exec(expr.trim());
    if (m) return parameters[m[1]!];
    if (typeof v === 'object') return undefined;
  }
  return v;
}

function sparkSettings(tp: Record<string, unknown>, parameters: Record<string, unknown>): SparkSettings {
  const size = String(resolveValue(tp.executorSize, parameters) ?? 'Small');
  const driverSize = String(resolveValue(tp.driverSize, parameters) ?? size);
  const ex = EXECUTOR_SIZES[size] ?? EXECUTOR_SIZES.Small!;
  const dr = EXECUTOR_SIZES[driverSize] ?? ex;
  const n = Number(resolveValue(tp.numExecutors, parameters) ?? 2);
  const rawConf = resolveValue(tp.conf, parameters);
  const conf: Record<string, string> = {};
  if (rawConf && typeof rawConf === 'object')
    for (const [k, v] of Object.entries(rawConf as Record<string, unknown>))
      conf[k] = String(resolveValue(v, parameters));
  else if (typeof rawConf === 'string') {
    try {
      for (const [k, v] of Object.entries(JSON.parse(rawConf) as Record<string, unknown>))
        conf[k] = String(v);
    } catch {
      // not JSON: no conf
    }
  }
  return {
    numExecutors: Number.isFinite(n) && n > 0 ? Math.floor(n) : 2,
    executorCores: ex.cores,
    executorMemory: ex.memory,
    driverCores: dr.cores,
    driverMemory: dr.memory,
    conf,
  };
}

/** typeProperties with every `@pipeline().parameters.X` expression replaced by its value. */
function resolveDeep(v: unknown, parameters: Record<string, unknown>): unknown {
  const r = resolveValue(v, parameters);
  if (r !== v) return r ?? null;
  if (Array.isArray(v)) return v.map((x) => resolveDeep(x, parameters));
  if (v && typeof v === 'object')
    return Object.fromEntries(
      Object.entries(v as Record<string, unknown>).map(([k, x]) => [k, resolveDeep(x, parameters)]),
    );
  return v;
}

function activityInput(a: ActivityDef, parameters: Record<string, unknown>): Record<string, unknown> {
  return resolveDeep(a.typeProperties, parameters) as Record<string, unknown>;
}

function sparkActivityOutput(workspace: string, app: SparkApp, rec: ActivityRunRec): Record<string, unknown> {
  const studio = `https://web.azuresynapse.net/en/monitoring/sparkapplication/${encodeURIComponent(app.name)}?workspace=${encodeURIComponent(`/subscriptions/x/resourceGroups/x/providers/Microsoft.Synapse/workspaces/${workspace}`)}&livyId=${app.livyId}&sparkPoolName=${app.pool}`;
  if (app.jobType === 'SparkBatch')
    return {
      jobId: String(app.livyId),
      appId: app.appId,
      sparkPool: app.pool,
      SparkApplicationStudioUrl: studio,
    };
  return {
    status: {
      Status: rec.outcome === 'Succeeded' ? 1 : 2,
      Output: {
        result: {
          runId: guidFrom(`${app.appId}#notebook`),
          runStatus: rec.outcome,
          sessionId: String(app.livyId),
          sparkPool: app.pool,
          appId: app.appId,
          lastCheckedOn: new Date(rec.endAt).toISOString(),
          exitValue: null,
          errorCode: rec.error?.errorCode ?? '',
          message: rec.error?.message ?? '',
        },
      },
    },
    SparkApplicationStudioUrl: studio,
  };
}
