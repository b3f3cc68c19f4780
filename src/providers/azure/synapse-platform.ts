// JobPlatform over Azure Synapse: a job is a pipeline of a workspace (synapse-jobs.ts), its runs are
// pipeline runs. Run lists are paged by queryPipelineRuns alone: capacity and cost come from each
// run's parameters and the pipeline definition, fetched once (and kept a minute), never from a call
// per run. Mitigations are createRun calls (reruns with parameters, recovery reruns, the compaction
// pipeline) and the Spark pool's ARM PUT (synapse-mitigations.ts).
import type { TokenCredential } from '@azure/core-auth';
import type { HttpClient } from '@azure/core-rest-pipeline';
import { ProviderError, addStats, emptyStats } from '../ports.js';
import type { CallStats, JobDefinition, JobPlatform, JobRun, PlannedAction, RunState } from '../ports.js';
import type { AcquireToken, AzureRetryOptions } from './azure-rest.js';
import {
  createSynapseClient,
  type SparkArtifact,
  type PipelineDefinition,
  type PipelineRun,
  type SynapseClient,
} from './synapse-client.js';
import { createSparkPoolClient, type SparkPoolClient } from './spark-pool-client.js';
import { createSynapseJobResolver, type SynapseJobSettings, type SynapseTarget } from './synapse-jobs.js';
import {
  DEFAULT_SYNAPSE_PRICING,
  EXECUTOR_SIZES,
  MAX_EXECUTORS,
  runSizing,
  synapseBilling,
  synapseCapacity,
  type SynapsePricing,
} from './synapse-capacity.js';
import {
  INPUT_PARAMETER_NAMES,
  OUTPUT_PARAMETER_NAMES,
  conventionalLocation,
  coreParameters,
  declaredName,
  defaultParameters,
  normalizeName,
  pipelineParameters,
} from './synapse-parameters.js';
import {
  CREATE_RUN,
  CreateRunRequest,
  POOL_WRITE,
  PoolChangeRequest,
  planSynapseMitigation,
} from './synapse-mitigations.js';
import { studioRunUrl } from './studio-links.js';
import { shellWord } from '../shell-word.js';

const DAY = 86_400_000;
/** Synapse keeps pipeline runs 45 days; the bot never asks further back than this. */
const DEFAULT_HISTORY_DAYS = 90;
/**
 * queryPipelineRuns needs an upper bound on lastUpdated; a month ahead of this clock keeps runs of a
 * clock that is ahead of ours (and emulators whose clock runs fast) in the window.
 */
const WINDOW_AHEAD_MS = 30 * DAY;

export interface SynapseAzureSettings {
  subscriptionId?: string;
  resourceGroup?: string;
  pricing?: SynapsePricing;
}

export interface SynapsePlatformOptions {
  credential: TokenCredential;
  /** medic.yml `jobs:` (workspace, pipeline, sparkPool per job). */
  jobs?: Readonly<Record<string, SynapseJobSettings>>;
  azure?: SynapseAzureSettings;
  /** MEDIC_AZURE_ARM_URL (the Spark pool resource). */
  armUrl?: string;
  retry?: AzureRetryOptions;
  httpClient?: HttpClient;
  /**
   * The request budget: `synapse` per workspace (the data plane), `arm` per subscription (the
   * Spark pool resource); undefined: that API is not budgeted.
   */
  budget?: (service: 'synapse' | 'arm', account: string) => AcquireToken | undefined;
  /** Clock (tests); default Date.now. */
  now?: () => number;
  /** How long a pipeline definition is reused, ms (default 60,000). */
  definitionTtlMs?: number;
}

export interface SynapsePlatform extends JobPlatform {
  /** The data-plane client of a job's workspace. */
  clientFor(job: string): SynapseClient;
  resolve(job: string): SynapseTarget;
  /** The pipeline definition of a job (cached a minute). */
  definition(job: string): Promise<PipelineDefinition>;
  stats(): CallStats;
}

/** Synapse's run status in the runbook's words; the original stays as `platformState`. */
export function synapseRunState(status: string): RunState {
  switch (status) {
    case 'Queued':
      return 'queued';
    case 'InProgress':
    case 'Canceling':
      return 'running';
    case 'Succeeded':
      return 'succeeded';
    case 'Failed':
      return 'failed';
    case 'Cancelled':
      return 'cancelled';
    default:
      // An unknown status is still going, as far as anyone can tell: it is followed, not judged.
      return 'running';
  }
}

/** `Operation on target LoadSales failed: …` (Synapse's pipeline run message) → `LoadSales`. */
export function failedActivityOf(message: string): string | undefined {
  return /^Operation on target (.+?) failed:/.exec(message.trim())?.[1];
}

export interface RunContext {
  job: string;
  def: PipelineDefinition;
  pricing: SynapsePricing;
  studio?: { subscriptionId?: string; resourceGroup?: string; workspace: string };
  now: number;
}

/** Maps a pipeline run onto the port's JobRun. */
export function toJobRun(r: PipelineRun, ctx: RunContext): JobRun {
  const state = synapseRunState(r.status);
  const sizing = runSizing(ctx.def, r.parameters);
  const startedOn = r.runStart ?? r.lastUpdated ?? new Date(ctx.now);
  const run: JobRun = {
    id: r.runId,
    jobName: ctx.job,
    attempt: 0,
    state,
    platformState: r.status,
    startedOn,
    durationSec: r.durationMs !== undefined ? r.durationMs / 1000 : 0,
    parameters: coreParameters(r.parameters),
    capacity: synapseCapacity(sizing),
    billing: synapseBilling(sizing, ctx.def.activities.length, ctx.pricing),
    links: { consoleUrl: studioRunUrl(r.runId, ctx.studio) },
  };
  if (r.runEnd) run.completedOn = r.runEnd;
  if (r.lastUpdated) run.lastModifiedOn = r.lastUpdated;
  if (state === 'failed' && r.message) {
    run.errorMessage = r.message;
    const step = failedActivityOf(r.message);
    if (step) run.failedStep = step;
  }
  // A recovery run joins the group of the run it recovers (the group id is the first run's).
  if (r.runGroupId && r.runGroupId !== r.runId) run.previousRunId = r.runGroupId;
  if (r.invokedBy?.invokedByType && /trigger/i.test(r.invokedBy.invokedByType) && r.invokedBy.name)
    run.triggerName = r.invokedBy.name;
  return run;
}

/** The engine and the code a pipeline's Spark work runs (JobDefinition.runtime / scriptLocation). */
export interface SparkRuntime {
  runtime?: string;
  scriptLocation?: string;
}

const refName = (v: unknown): string | undefined => {
  const r = (v as { referenceName?: unknown } | null | undefined)?.referenceName;
  return typeof r === 'string' && r ? r : undefined;
};

/**
 * The pipeline's main Spark activity (the largest, as costing takes it) and what it names: the
 * notebook or Spark job definition, its own pool (notebooks: `sparkPool`; Spark-job activities:
 * `targetBigDataPool` or `sparkPool`), and a Spark-job activity's own main `file`.
 */
export function mainSparkActivity(def: PipelineDefinition):
  | {
      activity: string;
      artifact?: { kind: 'notebook' | 'sparkJobDefinition'; name: string };
      pool?: string;
      file?: string;
    }
  | undefined {
  const sizing = runSizing(def, {});
  const a = sizing && def.activities.find((x) => x.name === sizing.activity);
  if (!a) return undefined;
  const tp = a.typeProperties;
  const notebook = refName(tp.notebook);
  const sjd = refName(tp.sparkJob);
  const pool = sizing.sparkPool ?? refName(tp.targetBigDataPool);
  const file = typeof tp.file === 'string' && tp.file ? tp.file : undefined;
  return {
    activity: a.name,
    ...(notebook
      ? { artifact: { kind: 'notebook' as const, name: notebook } }
      : sjd
        ? { artifact: { kind: 'sparkJobDefinition' as const, name: sjd } }
        : {}),
    ...(pool ? { pool } : {}),
    ...(file ? { file } : {}),
  };
}

/** How the script of a Synapse job is named: the Spark job's main file, else the artifact. */
export function scriptOf(
  main: NonNullable<ReturnType<typeof mainSparkActivity>>,
  artifact: Pick<SparkArtifact, 'file'> | undefined,
): string | undefined {
  if (main.file) return main.file;
  if (artifact?.file) return artifact.file;
  if (!main.artifact) return undefined;
  return main.artifact.kind === 'notebook'
    ? `notebook ${main.artifact.name}`
    : `Spark job definition ${main.artifact.name}`;
}

/** Maps a pipeline definition onto the port's JobDefinition. */
export function toJobDefinition(
  job: string,
  def: PipelineDefinition,
  spark: SparkRuntime = {},
): JobDefinition {
  const parameters = defaultParameters(def);
  const out: JobDefinition = {
    name: job,
    parameters,
    capacity: synapseCapacity(runSizing(def, {})),
  };
  if (spark.runtime) out.runtime = spark.runtime;
  if (spark.scriptLocation) out.scriptLocation = spark.scriptLocation;
  if (def.description) out.description = def.description;
  const input = conventionalLocation(parameters, INPUT_PARAMETER_NAMES);
  const output = conventionalLocation(parameters, OUTPUT_PARAMETER_NAMES);
  if (input) out.inputLocation = input;
  if (output) out.outputLocation = output;
  return out;
}

/**
 * A promise per key, reused for `ttlMs` after it was asked for; one that rejects is dropped at once,
 * so the next call asks again.
 */
function memo<T>(ttlMs: number, now: () => number): (key: string, load: () => Promise<T>) => Promise<T> {
  const entries = new Map<string, { at: number; value: Promise<T> }>();
  return (key, load) => {
    const hit = entries.get(key);
    if (hit && now() - hit.at < ttlMs) return hit.value;
    const value = load();
    entries.set(key, { at: now(), value });
    value.catch(() => {
      if (entries.get(key)?.value === value) entries.delete(key);
    });
    return value;
  };
}

export function createSynapsePlatform(opts: SynapsePlatformOptions): SynapsePlatform {
  const resolver = createSynapseJobResolver(opts.jobs ?? {});
  const now = opts.now ?? Date.now;
  const pricing = opts.azure?.pricing ?? DEFAULT_SYNAPSE_PRICING;
  const ttl = opts.definitionTtlMs ?? 60_000;
  const clients = new Map<string, SynapseClient>();
  // A pipeline's definition and its Spark runtime, reused for `ttl`; a failure is not kept.
  const definitions = memo<PipelineDefinition>(ttl, now);
  const runtimes = memo<SparkRuntime>(ttl, now);
  let pools: SparkPoolClient | undefined;

  const clientOf = (t: Pick<SynapseTarget, 'endpoint' | 'workspace'>): SynapseClient => {
    let c = clients.get(t.endpoint);
    if (!c) {
      const budget = opts.budget?.('synapse', t.workspace);
      c = createSynapseClient({
        endpoint: t.endpoint,
        workspace: t.workspace,
        credential: opts.credential,
        ...(opts.retry ? { retry: opts.retry } : {}),
        ...(budget ? { budget } : {}),
        ...(opts.httpClient ? { httpClient: opts.httpClient } : {}),
      });
      clients.set(t.endpoint, c);
    }
    return c;
  };

  const poolClient = (): SparkPoolClient => {
    const { subscriptionId, resourceGroup } = opts.azure ?? {};
    if (!subscriptionId || !resourceGroup)
      throw new ProviderError(
        'INVALID_INPUT',
        'changing a Spark pool needs azure.subscriptionId and azure.resourceGroup in medic.yml',
        { retryable: false },
      );
    const budget = opts.budget?.('arm', subscriptionId);
    pools ??= createSparkPoolClient({
      credential: opts.credential,
      subscriptionId,
      resourceGroup,
      ...(budget ? { budget } : {}),
      ...(opts.armUrl ? { armUrl: opts.armUrl } : {}),
      ...(opts.retry ? { retry: opts.retry } : {}),
      ...(opts.httpClient ? { httpClient: opts.httpClient } : {}),
    });
    return pools;
  };

  function definitionOf(t: SynapseTarget): Promise<PipelineDefinition> {
    return definitions(`${t.endpoint} ${t.pipeline}`, () => clientOf(t).getPipeline(t.pipeline));
  }

  /**
   * The Spark version the job's main Spark activity runs on — its pool's `sparkVersion` (the
   * activity's pool, else the notebook's / Spark job definition's, else medic.yml's sparkPool),
   * else the Spark job definition's requiredSparkVersion — and its script. What cannot be read
   * (a 403 on notebooks, a pool given by an expression) is left out, never a failure of getJob.
   */
  function sparkRuntimeOf(t: SynapseTarget, def: PipelineDefinition): Promise<SparkRuntime> {
    return runtimes(`${t.endpoint} ${t.pipeline}`, async (): Promise<SparkRuntime> => {
      const main = mainSparkActivity(def);
      if (!main) return {};
      const client = clientOf(t);
      const version = (pool: string | undefined) =>
        pool ? client.getSparkPoolVersion(pool).catch(() => undefined) : Promise.resolve(undefined);
      const ref = main.artifact;
      const [artifact, known] = await Promise.all([
        ref
          ? (ref.kind === 'notebook'
              ? client.getNotebook(ref.name)
              : client.getSparkJobDefinition(ref.name)
            ).catch(() => undefined)
          : Promise.resolve(undefined),
        version(main.pool),
      ]);
      const v =
        known ??
        (main.pool ? undefined : await version(artifact?.pool ?? t.sparkPool)) ??
        artifact?.requiredSparkVersion;
      const script = scriptOf(main, artifact);
      return { ...(v ? { runtime: `Spark ${v}` } : {}), ...(script ? { scriptLocation: script } : {}) };
    });
  }

  const studio = (t: SynapseTarget) => ({
    workspace: t.workspace,
    ...(opts.azure?.subscriptionId ? { subscriptionId: opts.azure.subscriptionId } : {}),
    ...(opts.azure?.resourceGroup ? { resourceGroup: opts.azure.resourceGroup } : {}),
  });
  const context = (t: SynapseTarget, def: PipelineDefinition): RunContext => ({
    job: t.job,
    def,
    pricing,
    studio: studio(t),
    now: now(),
  });
  const tryResolve = (job: string): SynapseTarget | undefined => {
    try {
      return resolver.resolve(job);
    } catch {
      return undefined;
    }
  };

  /**
   * The createRun body of a planned rerun. Sizing parameters a pipeline does not declare are left
   * out when its Spark activity already has that value (nothing to change), refused otherwise.
   */
  function rerunParameters(def: PipelineDefinition, given: Record<string, string>): Record<string, unknown> {
    const sizing = runSizing(def, {});
    const kept: Record<string, string> = {};
    for (const [k, v] of Object.entries(given)) {
      const n = normalizeName(k);
      if (!declaredName(def, k)) {
        if (n === 'executorsize' && sizing?.executorSize?.toLowerCase() === v.toLowerCase()) continue;
        if (n === 'numexecutors' && sizing?.numExecutors === Number(v)) continue;
      }
      kept[k] = v;
    }
    return pipelineParameters(kept, def);
  }

  async function startPipeline(
    t: SynapseTarget,
    o: { parameters?: Record<string, unknown>; recovery?: CreateRunRequest['recovery'] },
  ): Promise<string> {
    const recovery = o.recovery ? { ...o.recovery, isRecovery: true } : undefined;
    return clientOf(t).createRun(t.pipeline, {
      ...(o.parameters ? { parameters: o.parameters } : {}),
      ...(recovery ? { recovery } : {}),
    });
  }

  async function changePool(req: PoolChangeRequest): Promise<void> {
    const t = resolver.resolve(req.job);
    const pool = req.sparkPool ?? t.sparkPool ?? runSizing(await definitionOf(t), {})?.sparkPool;
    if (!pool)
      throw new ProviderError(
        'INVALID_INPUT',
        `the Spark pool of ${req.job} is unknown: set jobs.${req.job}.sparkPool in medic.yml`,
        { retryable: false },
      );
    const client = poolClient();
    const current = await client.getSparkPool(t.workspace, pool);
    const auto = current.autoScale?.enabled;
    await client.scaleSparkPool(t.workspace, pool, {
      nodeSize: req.nodeSize,
      nodeCount: req.nodeCount,
      ...(auto
        ? {
            autoScale: {
              maxNodeCount: req.nodeCount,
              minNodeCount: Math.min(current.autoScale?.minNodeCount ?? 3, req.nodeCount),
            },
          }
        : {}),
    });
  }

  /** The Spark pool a job runs on: medic.yml's sparkPool, else its definition's notebook activity. */
  async function poolOfJob(job: string, t: SynapseTarget): Promise<string> {
    const pool = t.sparkPool ?? runSizing(await definitionOf(t), {})?.sparkPool;
    if (!pool)
      throw new ProviderError(
        'INVALID_INPUT',
        `the Spark pool of ${job} is unknown (its tags are the pool's): set jobs.${job}.sparkPool in medic.yml`,
        { retryable: false },
      );
    return pool;
  }

  const platform: SynapsePlatform = {
    provider: 'synapse',
    terms: {
      platform: 'Azure Synapse',
      cloud: 'Azure',
      short: 'Synapse',
      job: 'Synapse pipeline',
      runIdExample: 'a run GUID',
      parameterPrefix: '',
      permissions: 'Azure role assignments',
    },
    perRunParameters: new Set<string>(),
    scaling: {
      sizeLabel: 'Executor size (pool node size for the pool change)',
      countLabel: 'Executors (pool nodes for the pool change)',
      sizes: EXECUTOR_SIZES,
      defaultSize: 'Medium',
      maxCount: MAX_EXECUTORS,
      rerunLabel: 'Rerun once with these executors (numExecutors / executorSize pipeline parameters)',
      persistentLabel: 'PERSISTENT POOL CHANGE (Spark pool PUT): the pool, for every job on it',
    },
    // Tags of the Spark pool the pipeline runs on (Azure resource tags; a pipeline itself is a
    // workspace artifact and carries none). No search by tag: the core matches configured jobs.
    tags: {
      async get(job) {
        const t = resolver.resolve(job);
        return (await poolClient().getSparkPool(t.workspace, await poolOfJob(job, t))).tags;
      },
      async tagCommand(job, missing) {
        const t = resolver.resolve(job);
        const pool = await poolClient().getSparkPool(t.workspace, await poolOfJob(job, t));
        const tags = [...new Set(missing)].map((k) => shellWord(`${k}=VALUE`)).join(' ');
        return `az resource tag --is-incremental --ids ${shellWord(pool.id)} --tags ${tags}`;
      },
    },
    clientFor: (job) => clientOf(resolver.resolve(job)),
    resolve: (job) => resolver.resolve(job),
    definition: (job) => definitionOf(resolver.resolve(job)),
    locationOf: (job) => {
      const t = tryResolve(job);
      return t ? `workspace ${t.workspace}` : undefined;
    },
    stats() {
      const total = emptyStats();
      for (const c of clients.values()) addStats(total, c.rest.stats());
      if (pools) addStats(total, pools.rest.stats());
      return total;
    },

    async getJob(name) {
      const t = resolver.resolve(name);
      const def = await definitionOf(t);
      return toJobDefinition(name, def, await sparkRuntimeOf(t, def));
    },

    async listJobNames() {
      const names = new Set<string>();
      for (const ws of resolver.workspaces())
        for (const n of await clientOf(ws).listPipelineNames()) names.add(n);
      return [...names].sort();
    },

    async listRuns(name, { maxRuns, since }) {
      if (maxRuns <= 0) return [];
      const t = resolver.resolve(name);
      const at = now();
      const after = since ?? new Date(at - DEFAULT_HISTORY_DAYS * DAY);
      const [def, raw] = await Promise.all([
        definitionOf(t),
        clientOf(t).queryPipelineRuns({
          after,
          before: new Date(at + WINDOW_AHEAD_MS),
          pipelineName: t.pipeline,
          // Newest start first, so the runs started since `since` come before any older run that
          // the lastUpdated window lets in too (those are dropped below).
          order: 'DESC',
          maxRuns,
        }),
      ]);
      const ctx = context(t, def);
      const runs = raw
        .map((r) => toJobRun(r, ctx))
        .filter((r) => !since || r.startedOn.getTime() >= since.getTime())
        .sort((a, b) => b.startedOn.getTime() - a.startedOn.getTime());
      return runs.slice(0, maxRuns);
    },

    async getRun(name, runId) {
      const t = resolver.resolve(name);
      const [def, r] = await Promise.all([definitionOf(t), clientOf(t).getPipelineRun(runId)]);
      if (r.pipelineName !== t.pipeline)
        throw new ProviderError(
          'NOT_FOUND',
          `pipeline run ${runId} is a run of ${r.pipelineName}, not of ${t.pipeline}`,
          { retryable: false },
        );
      return toJobRun(r, context(t, def));
    },

    // `isolated` has nothing to switch off on Synapse: the bot knows of no incremental state a
    // pipeline run moves (backfill staging pipelines read the snapshot they are given).
    async startRun(name, o = {}) {
      const t = resolver.resolve(name);
      const given = o.parameters ?? {};
      const parameters = Object.keys(given).length
        ? pipelineParameters(given, await definitionOf(t))
        : undefined;
      return startPipeline(t, parameters ? { parameters } : {});
    },

    async stopRun(name, runId) {
      const t = resolver.resolve(name);
      await clientOf(t).cancelRun(runId, { recursive: true });
    },

    planMitigation: (job, m) => planSynapseMitigation(job, m, tryResolve),

    async execute(action: PlannedAction) {
      switch (action.operation) {
        case CREATE_RUN: {
          const req = CreateRunRequest.parse(action.request);
          const t = resolver.resolve(req.job);
          if (req.recovery) return { runId: await startPipeline(t, { recovery: req.recovery }) };
          const given = req.parameters ?? {};
          const parameters = Object.keys(given).length
            ? rerunParameters(await definitionOf(t), given)
            : undefined;
          return { runId: await startPipeline(t, parameters ? { parameters } : {}) };
        }
        case POOL_WRITE:
          await changePool(PoolChangeRequest.parse(action.request));
          return {};
        default:
          throw new ProviderError('INVALID_INPUT', `Synapse cannot execute ${action.operation}`, {
            retryable: false,
          });
      }
    },
  };
  return platform;
}
