// medic.yml: schema, environment overlay and validation. Every invalid key is reported at once,
// by its path, so a broken deploy says everything that is wrong on its first start.
import { readFileSync, existsSync } from 'node:fs';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import { z } from 'zod';
import { ConfigError, describeIssues } from './errors.js';
import { DEFAULT_PROVIDER, PROVIDER_NAMES, type ProviderName } from '../providers/names.js';

const MIB = 1024 * 1024;

const slackId = (what: string, first: string) =>
  z.string().regex(new RegExp(`^[${first}][A-Z0-9]{2,}$`), { message: `must be a Slack ${what} id` });
/** A user (U…/W…) or a user group (S…). */
const SlackPrincipal = slackId('user or user group', 'UWS');
const SlackUser = slackId('user', 'UW');
/** A public (C…) or private (G…) channel. */
const SlackChannel = slackId('channel', 'CG');

/** Synapse workspace names: lowercase letters, digits and hyphens, 1–50, not starting or ending with a hyphen. */
const SynapseWorkspaceName = z.string().regex(/^[a-z0-9](?:[a-z0-9-]{0,48}[a-z0-9])?$/, {
  message: 'must be a Synapse workspace name (lowercase letters, digits and hyphens)',
});

const Uri = z.string().regex(/^(s3:\/\/|https:\/\/|abfss:\/\/|az:\/\/)/, {
  message: 'must be an s3://, https://, abfss:// or az:// URI',
});

export const Degradation = z
  .object({
    thresholdPct: z.number().min(1).max(1000).default(30),
    consecutiveRuns: z.number().int().min(1).max(50).default(3),
    baselineRuns: z.number().int().min(1).max(200).default(10),
  })
  .strict();
export type Degradation = z.infer<typeof Degradation>;

export const Pricing = z
  .object({
    glueDpuHourUsd: z.number().positive().default(0.44),
    glueFlexDpuHourUsd: z.number().positive().default(0.29),
  })
  .strict();
export type Pricing = z.infer<typeof Pricing>;

export const Defaults = z
  .object({
    degradation: Degradation.default(Degradation.parse({})),
    smallFileBytes: z
      .number()
      .int()
      .positive()
      .default(32 * MIB),
    /** Compaction target file size. */
    compactionTargetBytes: z
      .number()
      .int()
      .positive()
      .default(512 * MIB),
    escalateAfterMinutes: z.number().int().min(1).max(1440).default(90),
    approvalExpiryMinutes: z.number().int().min(1).max(1440).default(60),
    pricing: Pricing.default(Pricing.parse({})),
    /** Parallel listing requests of one small-file scan. */
    scanConcurrency: z.number().int().min(1).max(256).default(32),
    /** Triage lists again only the input partitions that changed (false: always list everything). */
    triagePartitionCache: z.boolean().default(true),
    /** Runs of history triage reads at most (GetJobRuns pages until this many, or 90 days). */
    maxRuns: z.number().int().min(5).max(2000).default(200),
    /**
     * A cloud run the bot follows (a mitigation's; a backfill's staging and consumer runs) is looked
     * at every this many seconds; backfills look after 1 s first and slow down to it.
     */
    runPollSeconds: z.number().int().min(1).max(3600).default(30),
    /** A mitigation's run is followed this long at most; then the bot says it stopped following. */
    followRunHours: z.number().int().min(1).max(72).default(6),
    /**
     * After a mitigation whose effect shows on the job's next run (compaction, bookmark reset,
     * persistent scale, recorded code fix), the bot waits this long at most for that run and its
     * verdict; then it says it stopped following (a daily job's next run and its duration).
     */
    followNextRunHours: z.number().int().min(1).max(168).default(36),
  })
  .strict();
export type Defaults = z.infer<typeof Defaults>;

/** A table of the job platform's catalog (Glue Data Catalog). */
const CatalogTable = z.object({ database: z.string().min(1), name: z.string().min(1) }).strict();

export const JobConfig = z
  .object({
    provider: z.enum(PROVIDER_NAMES).default(DEFAULT_PROVIDER),
    input: Uri.optional(),
    output: Uri.optional(),
    dataOwner: SlackUser.optional(),
    logGroups: z.array(z.string().min(1)).min(1).optional(),
    compactionJob: z.string().min(1).optional(),
    stagingJob: z.string().min(1).optional(),
    consumers: z.array(z.string().min(1)).default([]),
    /** Both tables below when they are one (and the fallback of whichever is not set). */
    table: CatalogTable.optional(),
    /** The table whose schema /schema and the triage's table-version history read (schema drift). */
    schemaTable: CatalogTable.optional(),
    /** The catalogued output table a backfill promotes by switching its partitions' locations. */
    outputTable: CatalogTable.optional(),
    degradation: Degradation.partial().optional(),
    escalateAfterMinutes: z.number().int().min(1).max(1440).optional(),
    approvers: z.array(SlackPrincipal).optional(),
    /** Cost controls: alert when a completed run costs more than this (USD). */
    budgetUsdPerRun: z.number().positive().optional(),
    /** Where this job's monitor alerts go (else monitor.channel). */
    monitorChannel: SlackChannel.optional(),
    /** Synapse: the workspace's name (its data plane is https://{workspace}.dev.azuresynapse.net). */
    workspace: SynapseWorkspaceName.optional(),
    /** Synapse: the workspace's data-plane URL, when it is not the public cloud's (emulators, sovereign clouds). */
    workspaceEndpoint: z.url({ protocol: /^https$/, message: 'must be an https:// URL' }).optional(),
    /** Synapse: the pipeline's name (default: the job's name). */
    pipeline: z.string().min(1).max(260).optional(),
    /** Synapse: the Spark pool the pipeline's Spark activities run on (pool metrics, pool scaling). */
    sparkPool: z.string().min(1).max(64).optional(),
    /**
     * How the job's output is partitioned, for /missing and freshness: `dt=YYYY-MM-DD` (daily) or
     * `dt=YYYY-MM-DD/hour=HH` (hourly); inferred from the listing when not set.
     */
    partitioning: z
      .string()
      .regex(/^[A-Za-z_][A-Za-z0-9_]*=YYYY-MM-DD(\/[A-Za-z_][A-Za-z0-9_]*=HH)?$/, {
        message: 'must be `<key>=YYYY-MM-DD` (daily) or `<key>=YYYY-MM-DD/<key>=HH` (hourly)',
      })
      .optional(),
    /** The newest partition may be this many hours old at most; the monitor alerts when it is later. */
    freshnessHours: z
      .number()
      .positive()
      .max(24 * 366)
      .optional(),
    /** The job that produces this job's input (/missing checks it; Rerun upstream reruns it). */
    upstream: z.string().min(1).max(255).optional(),
  })
  .strict()
  .refine((j) => !(j.table && j.schemaTable && j.outputTable), {
    message: 'table is unused when schemaTable and outputTable are both set: remove it',
    path: ['table'],
  });
export type JobConfig = z.infer<typeof JobConfig>;
type CatalogTableRef = z.infer<typeof CatalogTable>;

/** The table schema drift is read from: `schemaTable`, else `table`. */
export function schemaTableOf(j: JobConfig | undefined): CatalogTableRef | undefined {
  return j?.schemaTable ?? j?.table;
}

/** The table a backfill's promotion switches: `outputTable`, else `table`. */
export function outputTableOf(j: JobConfig | undefined): CatalogTableRef | undefined {
  return j?.outputTable ?? j?.table;
}

/** Azure list prices (pay as you go, USD): Spark pools (memory optimized) and pipeline orchestration. */
export const AzurePricing = z
  .object({
    /** Per vCore-hour of a Spark pool (memory optimized, billed by the minute). */
    sparkVCoreHourUsd: z.number().positive().default(0.143),
    /** Per pipeline activity run (orchestration: $1 per 1,000 runs). */
    pipelineActivityRunUsd: z.number().min(0).default(0.001),
  })
  .strict();
export type AzurePricing = z.infer<typeof AzurePricing>;

const AzureGuid = z.guid({ message: 'must be a GUID' });

/** Where the Synapse jobs' logs, metrics and pools are, and how their runs are priced. */
export const AzureConfig = z
  .object({
    /** Log Analytics workspace the Synapse workspaces send diagnostics to (Spark application logs). */
    logAnalyticsWorkspaceId: AzureGuid.optional(),
    /** Subscription and resource group of the Synapse workspaces (Azure Monitor metrics, Spark pools). */
    subscriptionId: AzureGuid.optional(),
    resourceGroup: z.string().min(1).max(90).optional(),
    pricing: AzurePricing.default(AzurePricing.parse({})),
  })
  .strict();
export type AzureConfig = z.infer<typeof AzureConfig>;

export const SlackConfig = z
  .object({
    approvers: z.array(SlackPrincipal).default([]),
    oncallSre: SlackPrincipal.optional(),
    /** Four-eyes: a requester may approve their own request only where this is true (dev only). */
    allowSelfApproval: z.boolean().default(false),
    runbookUrl: z.url().optional(),
  })
  .strict();

/** One cloud API's own request budget (monitor.requestBudgets.<service>), or false: not budgeted. */
const ServiceBudget = z.union([
  z
    .object({
      maxRequestsPerSecond: z.number().positive().max(10_000),
      requestBurst: z.number().int().min(1).max(10_000).optional(),
    })
    .strict(),
  z.literal(false),
]);

/** The scheduled monitor: the runbook's alert rule evaluated every few minutes, per job. */
export const MonitorConfig = z
  .object({
    everyMinutes: z.number().int().min(5).max(1440).default(60),
    channel: SlackChannel,
    /** Jobs evaluated on the schedule; default every job in `jobs:`. */

    jobs: z.array(z.string().min(1).max(255)).optional(),
    /**
     * The request budget per cloud API and account, shared by every worker (and the CLI) through
     * Redis: every call — Glue, S3, CloudWatch Logs and metrics, the Synapse data plane, Log
     * Analytics, ARM and Azure Monitor — waits for a token of its API's own bucket instead of
     * being throttled. This rate is each bucket's default; requestBudgets overrides one API's.
     * Unset (and no requestBudgets): no budget (the SDKs' retries on throttling only).
     */
    maxRequestsPerSecond: z.number().positive().max(10_000).optional(),
    /**
     * Per-API rates replacing the default above (rate and burst together): glue, s3, logs,
     * cloudwatch (per AWS region), synapse (per workspace), loganalytics (per Log Analytics
     * workspace), arm (per subscription: Spark pools and Azure Monitor metrics), blob (per storage
     * account: Blob / ADLS listings and copies). `false`: not budgeted.
     */
    requestBudgets: z
      .object({
        glue: ServiceBudget.optional(),
        s3: ServiceBudget.optional(),
        logs: ServiceBudget.optional(),
        cloudwatch: ServiceBudget.optional(),
        synapse: ServiceBudget.optional(),
        loganalytics: ServiceBudget.optional(),
        arm: ServiceBudget.optional(),
        blob: ServiceBudget.optional(),
      })
      .strict()
      .optional(),
    /**
     * A storm: jobs becoming DEGRADED/FAILING in one channel within this many minutes of the first
     * are listed in one message (updated as more arrive) instead of one alert each; 0 turns it off.
     */
    groupWindowMinutes: z.number().int().min(0).max(240).default(30),
    /**
     * When a job becomes DEGRADED/FAILING, gather its input's partition statistics in the background
     * (one scan, as triage's) so the triage started from the alert reads only what changed. Needs
     * `defaults.triagePartitionCache`; false: the alert's first triage lists the input itself.
     */
    prewarmInput: z.boolean().default(true),
    /** Requests that may go at once after a quiet spell (default: maxRequestsPerSecond, at least 1). */
    requestBurst: z.number().int().min(1).max(10_000).optional(),
  })
  .strict()
  .refine((m) => m.requestBurst === undefined || m.maxRequestsPerSecond !== undefined, {
    message: 'monitor.requestBurst needs monitor.maxRequestsPerSecond',
    path: ['requestBurst'],
  });
export type MonitorConfig = z.infer<typeof MonitorConfig>;

/** `key=value`: a tag key (no `=`) and a value, as AWS and Azure tags allow them. */
const TagSelectorText = z
  .string()
  .regex(/^[^=\s][^=]{0,127}=.{1,256}$/, { message: 'must be a tag as key=value, e.g. cost-center=growth' });

/** Cost controls (runbook 5.4): tags every job must carry, and monthly budgets per job or per tag. */
export const CostControls = z
  .object({
    /** Tag keys every job must carry; the triage report and the monitor name a job that lacks one. */
    requiredTags: z.array(z.string().min(1).max(128)).max(50).default([]),
    budgets: z
      .array(
        z.union([
          z
            .object({
              job: z.string().min(1).max(255),
              monthlyUsd: z.number().positive(),
              channel: SlackChannel.optional(),
            })
            .strict(),
          z
            .object({
              tag: TagSelectorText,
              monthlyUsd: z.number().positive(),
              channel: SlackChannel.optional(),
            })
            .strict(),
        ]),
      )
      .max(200)
      .default([]),
  })
  .strict();
export type CostControls = z.infer<typeof CostControls>;

const required = (what: string) => ({
  error: (iss: { input: unknown }) => (iss.input === undefined ? 'required' : `must be ${what}`),
});
const RunbookText = (max: number) => z.string(required('text')).trim().min(1, 'required').max(max);

/** One runbook in medic.yml `runbooks:` (a built-in's id overrides it; another id adds one). */
export const RunbookConfig = z
  .object({
    title: RunbookText(80).optional(),
    items: z
      .array(
        z
          .object({
            id: z
              .string()
              .regex(/^[a-z0-9][a-z0-9-]{0,39}$/, {
                message: 'must be lowercase letters, digits and hyphens',
              })
              .optional(),
            label: RunbookText(150),
            evidence: RunbookText(200).optional(),
          })
          .strict(),
      )
      .min(1)
      .max(10, 'at most 10 items (a Slack checkboxes block shows 10)')
      .optional(),
    commands: z.array(z.string().regex(/^\/[a-z-]+$/, { message: 'must be a slash command' })).optional(),
    buttons: z
      .array(z.object({ label: RunbookText(75), does: RunbookText(200).optional() }).strict())
      .max(5)
      .optional(),
  })
  .strict();
export type RunbookConfig = z.infer<typeof RunbookConfig>;

const BUILTIN_RUNBOOK_NAMES = new Set(['degradation', 'missing-data', 'schema-drift', 'failed-backfill']);

/**
 * What the schema cannot say about `runbooks:` (checked on the raw document, so these come with
 * every other problem at once): a new runbook needs a title and items; item ids are unique.
 */
function runbookProblems(raw: unknown): string[] {
  if (!isPlain(raw)) return [];
  const problems: string[] = [];
  for (const [id, rb] of Object.entries(raw)) {
    if (!isPlain(rb)) continue;
    if (!BUILTIN_RUNBOOK_NAMES.has(id)) {
      if (rb.title === undefined) problems.push(`runbooks.${id}.title: required`);
      if (rb.items === undefined) problems.push(`runbooks.${id}.items: required`);
    }
    if (!Array.isArray(rb.items)) continue;
    const seen = new Set<string>();
    rb.items.forEach((it: unknown, i) => {
      const itemId = isPlain(it) && typeof it.id === 'string' ? it.id : undefined;
      if (!itemId) return;
      if (seen.has(itemId)) problems.push(`runbooks.${id}.items[${i}].id: duplicate item id "${itemId}"`);
      seen.add(itemId);
    });
  }
  return problems;
}

const Runbooks = z
  .record(
    z.string().regex(/^[a-z0-9][a-z0-9-]{0,39}$/, {
      message: 'runbook ids are lowercase letters, digits and hyphens',
    }),
    RunbookConfig,
  )
  .default({});

export const MedicFile = z
  .object({
    region: z.string().min(1).optional(),
    defaults: Defaults.default(Defaults.parse({})),
    slack: SlackConfig.default(SlackConfig.parse({})),
    checklist: z.array(z.string().min(1).max(150)).min(1).max(10).optional(),
    /** What the runbook's "MCP" is, shown in its checklist item (default: the runbook's RCA words). */
    checklistMcp: z.string().min(1).max(38).optional(),
    jobs: z.record(z.string().min(1).max(255), JobConfig).default({}),
    s3Inventory: z
      .record(z.string(), z.object({ destination: Uri }).strict())
      .default({})
      .describe('bucket → S3 Inventory destination'),
    pagerduty: z
      .object({
        routingKey: z.string().min(1),
        url: z.url().default('https://events.pagerduty.com/v2/enqueue'),
      })
      .strict()
      .optional(),
    postmortem: z.object({ s3Uri: Uri.optional() }).strict().optional(),
    monitor: MonitorConfig.optional(),
    azure: AzureConfig.default(AzureConfig.parse({})),
    costControls: CostControls.default(CostControls.parse({})),
    /** Standard runbooks (src/domain/runbooks.ts): override the built-ins' wording or add runbooks. */
    runbooks: Runbooks,
  })
  .strict();
export type MedicConfig = z.infer<typeof MedicFile>;

type Plain = Record<string, unknown>;
const isPlain = (v: unknown): v is Plain => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Deep merge for the overlay: objects merge key by key, everything else is replaced. */
export function deepMerge(base: unknown, over: unknown): unknown {
  if (!isPlain(base) || !isPlain(over)) return over === undefined ? base : over;
  const out: Plain = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = deepMerge(base[k], v);
  return out;
}

function keyPaths(v: unknown, prefix = ''): string[] {
  if (!isPlain(v)) return [prefix];
  return Object.entries(v).flatMap(([k, child]) => keyPaths(child, prefix ? `${prefix}.${k}` : k));
}

export interface LoadedConfig {
  config: MedicConfig;
  source: string;
}

/** Parse a medic.yml text for one environment. Throws ConfigError listing every problem. */
export function parseConfigText(text: string, env: string, source = 'medic.yml'): LoadedConfig {
  let doc: unknown;
  try {
    doc = parseYaml(text) ?? {};
  } catch (err) {
    const where = err instanceof YAMLParseError && err.linePos ? ` (line ${err.linePos[0].line})` : '';
    throw new ConfigError(source, [`not valid YAML${where}: ${(err as Error).message.split('\n')[0]}`]);
  }
  if (!isPlain(doc)) throw new ConfigError(source, ['(root): must be a mapping']);
  const { environments, ...rest } = doc;
  const problems: string[] = [];
  let overlay: unknown = {};
  if (environments !== undefined) {
    if (!isPlain(environments))
      problems.push('environments: must be a mapping of environment name → overrides');
    else {
      for (const [name, value] of Object.entries(environments)) {
        if (!['dev', 'staging', 'prod'].includes(name))
          problems.push(`environments.${name}: unknown environment (use dev, staging or prod)`);
        if (value !== null && !isPlain(value)) problems.push(`environments.${name}: must be a mapping`);
      }
      overlay = environments[env] ?? {};
      problems.push(...environmentParity(environments));
    }
  }
  const merged = deepMerge(rest, overlay ?? {});
  const res = MedicFile.safeParse(merged);
  problems.push(...runbookProblems(isPlain(merged) ? merged.runbooks : undefined));
  if (!res.success)
    problems.push(
      ...describeIssues(
        res.error.issues.map((i) =>
          // Runbook items are read as a list: `runbooks.missing-data.items[2].label`.
          i.path[0] === 'runbooks' ? { ...i, path: bracketIndexes(i.path) } : i,
        ),
      ),
    );
  if (problems.length) throw new ConfigError(source, problems);
  return { config: res.data!, source };
}

function bracketIndexes(path: readonly PropertyKey[]): string[] {
  const out: string[] = [];
  for (const p of path)
    if (typeof p === 'number' && out.length) out[out.length - 1] += `[${p}]`;
    else out.push(String(p));
  return out;
}

/**
 * Parity (seed 5.1): every environment overlay sets the same keys, with its own values, so an
 * override tested in staging cannot be missing in prod. One problem per key that some overlays
 * set and others do not.
 */
export function environmentParity(environments: Record<string, unknown>): string[] {
  const sets = Object.entries(environments).map(([n, v]) => [n, new Set(keyPaths(v ?? {}))] as const);
  const all = [...new Set(sets.flatMap(([, s]) => [...s]))].filter(Boolean).sort();
  const problems: string[] = [];
  for (const key of all) {
    const missing = sets.filter(([, s]) => !s.has(key)).map(([n]) => n);
    const present = sets.filter(([, s]) => s.has(key)).map(([n]) => n);
    if (missing.length)
      problems.push(
        `environments: ${key} is set for ${present.join(', ')} but not for ${missing.join(', ')} ` +
          '(every overlay must carry the same keys; give each environment its own value)',
      );
  }
  return problems;
}

export function loadConfigFile(path: string | undefined, env: string): LoadedConfig {
  const file = path ?? (existsSync('medic.yml') ? 'medic.yml' : undefined);
  if (!file) return { config: MedicFile.parse({}), source: 'built-in defaults' };
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(file, [
      `cannot be read: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
    ]);
  }
  return parseConfigText(text, env, file);
}

/** The platform a job runs on: the request's choice, else its `jobs:` entry, else Glue. */
export function jobProvider(config: MedicConfig, job: string, requested?: ProviderName): ProviderName {
  return requested ?? config.jobs[job]?.provider ?? DEFAULT_PROVIDER;
}

/** The degradation rule for a job: defaults, then the job's overrides. */

export function degradationFor(config: MedicConfig, job: string): Degradation {
  return { ...config.defaults.degradation, ...stripUndefined(config.jobs[job]?.degradation ?? {}) };
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** Jobs the monitor evaluates on its schedule: monitor.jobs, else every job in `jobs:`. */
export function monitoredJobs(config: MedicConfig): string[] {
  if (!config.monitor) return [];
  return [...new Set(config.monitor.jobs ?? Object.keys(config.jobs))];
}

/** Where a job's monitor alerts go: its monitorChannel, else monitor.channel. */
export function monitorChannelFor(config: MedicConfig, job: string): string | undefined {
  return config.jobs[job]?.monitorChannel ?? config.monitor?.channel;
}
