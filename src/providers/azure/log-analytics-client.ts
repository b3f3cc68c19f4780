// Log Analytics queries over the Synapse diagnostic tables, through @azure/monitor-query-logs 1.0
// (the GA successor of @azure/monitor-query; Node >= 20; the Azure SDK pipeline underneath). The
// endpoint comes from MEDIC_AZURE_LOGS_URL (default https://api.loganalytics.io); the token scope is
// always Log Analytics'. Rows come back as objects keyed by column and are parsed with zod into the
// typed rows the Synapse adapter uses.
import { LogsQueryClient, LogsQueryResultStatus, type LogsTable } from '@azure/monitor-query-logs';
import type { TokenCredential } from '@azure/core-auth';
import { z } from 'zod';
import { ProviderError } from '../ports.js';
import { AZURE_SCOPES } from './azure-credential.js';
import { mapAzureResponse, mapAzureThrown, type AzureCall } from './azure-errors.js';
import {
  addRequestBudget,
  attemptCounterPolicy,
  emptyAzureStats,
  type AcquireToken,
  type AzureCallStats,
  type AzureRetryOptions,
} from './azure-rest.js';

export const DEFAULT_LOGS_URL = 'https://api.loganalytics.io';

export interface LogAnalyticsClientOptions {
  credential: TokenCredential;
  /** MEDIC_AZURE_LOGS_URL, without /v1. */
  endpoint?: string;
  workspaceId: string;
  retry?: AzureRetryOptions;
  /** The request budget of this Log Analytics workspace: every attempt waits for a token. */
  budget?: AcquireToken;
}

export interface LogTable {
  name: string;
  columns: { name: string; type: string }[];
  /** One object per row, keyed by column name; datetime cells are Dates, dynamic cells parsed JSON. */
  rows: Record<string, unknown>[];
}

export interface Timespan {
  start: Date;
  end: Date;
}

/** A KQL string literal. */
export function kqlString(s: string): string {
  return `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
}

const dateCell = z.union([z.date(), z.string().transform((s) => new Date(s))]);
const optDateCell = dateCell.nullish().transform((d) => (d && !Number.isNaN(d.getTime()) ? d : undefined));

const PipelineRunRow = z.object({
  TimeGenerated: dateCell,
  PipelineName: z.string(),
  RunId: z.string(),
  Status: z.string(),
  Start: optDateCell,
  End: optDateCell,
});
export interface PipelineRunLogRow {
  at: Date;
  pipelineName: string;
  runId: string;
  status: string;
  start?: Date;
  end?: Date;
}

const ActivityRunRow = z.object({
  TimeGenerated: dateCell,
  ActivityName: z.string(),
  ActivityRunId: z.string(),
  ActivityType: z.string(),
  PipelineName: z.string(),
  PipelineRunId: z.string(),
  Status: z.string(),
  Start: optDateCell,
  End: optDateCell,
});
export interface ActivityRunLogRow {
  at: Date;
  activityName: string;
  activityRunId: string;
  activityType: string;
  pipelineName: string;
  pipelineRunId: string;
  status: string;
  start?: Date;
  end?: Date;
}

const SparkLogRow = z.object({
  TimeGenerated: dateCell,
  applicationId_s: z.string().nullish(),
  livyId_s: z.string().nullish(),
  clusterName_s: z.string().nullish(),
  level_s: z.string().nullish(),
  logger_name_s: z.string().nullish(),
  message_s: z.string().nullish(),
});
export interface SparkLogEvent {
  timestamp: Date;
  applicationId?: string;
  livyId?: string;
  sparkPool?: string;
  level: string;
  logger: string;
  message: string;
}

const AppEndedRow = z.object({
  TimeGenerated: dateCell,
  Properties: z
    .object({
      applicationId: z.string().nullish(),
      applicationName: z.string().nullish(),
      livyId: z.union([z.string(), z.number()]).nullish(),
      sparkPoolName: z.string().nullish(),
      state: z.string().nullish(),
      submitTime: z.string().nullish(),
      startTime: z.string().nullish(),
      endTime: z.string().nullish(),
    })
    .loose(),
});
export interface SparkApplicationEnded {
  at: Date;
  applicationId?: string;
  applicationName?: string;
  livyId?: string;
  sparkPool?: string;
  state?: string;
  submitTime?: Date;
  startTime?: Date;
  endTime?: Date;
  properties: Record<string, unknown>;
}

export interface LogAnalyticsClient {
  /** Runs a KQL query; the timespan limits TimeGenerated as the API does. */
  query(
    kql: string,
    timespan: Timespan,
    opts?: { signal?: AbortSignal; serverTimeoutSec?: number },
  ): Promise<LogTable[]>;
  /** SynapseIntegrationPipelineRuns rows of a pipeline (status changes), oldest first. */
  pipelineRunEvents(
    pipelineName: string,
    timespan: Timespan,
    opts?: { max?: number; signal?: AbortSignal },
  ): Promise<PipelineRunLogRow[]>;
  /** SynapseIntegrationActivityRuns rows of one pipeline run. */
  activityRunEvents(
    pipelineRunId: string,
    timespan: Timespan,
    opts?: { signal?: AbortSignal },
  ): Promise<ActivityRunLogRow[]>;
  /** Spark application log lines (SparkLoggingEvent_CL) of some applications, oldest first. */
  sparkLogEvents(
    applicationIds: string[],
    timespan: Timespan,
    opts?: { levels?: string[]; contains?: string; max?: number; signal?: AbortSignal },
  ): Promise<SparkLogEvent[]>;
  /** SynapseBigDataPoolApplicationsEnded rows of a pool. */
  applicationsEnded(
    sparkPool: string,
    timespan: Timespan,
    opts?: { max?: number; signal?: AbortSignal },
  ): Promise<SparkApplicationEnded[]>;
  stats(): AzureCallStats;
}

export const SPARK_LOG_TABLE = 'SparkLoggingEvent_CL';

export function createLogAnalyticsClient(opts: LogAnalyticsClientOptions): LogAnalyticsClient {
  const base = (opts.endpoint ?? DEFAULT_LOGS_URL).replace(/\/+$/, '');
  const counters = emptyAzureStats();
  const sdk = new LogsQueryClient(opts.credential, {
    // The SDK takes the endpoint with its version path.
    endpoint: `${base}/v1`,
    credentials: { scopes: [AZURE_SCOPES.logAnalytics] },
    retryOptions: {
      maxRetries: opts.retry?.maxRetries ?? 3,
      retryDelayInMs: opts.retry?.retryDelayInMs ?? 1000,
      maxRetryDelayInMs: opts.retry?.maxRetryDelayInMs ?? 30_000,
    },
    userAgentOptions: { userAgentPrefix: 'pipeline-medic' },
  });
  addRequestBudget(sdk.pipeline, opts.budget);
  sdk.pipeline.addPolicy(attemptCounterPolicy(counters), { phase: 'Retry' });
  const host = new URL(base).host;
  const call = (operation: string, subject: string): AzureCall => ({
    service: 'Log Analytics',
    operation,
    subject: `${subject} in Log Analytics workspace ${opts.workspaceId}`,
    action: 'Microsoft.OperationalInsights/workspaces/query/read',
    role: 'Log Analytics Reader',
  });

  async function query(
    kql: string,
    timespan: Timespan,
    o: { signal?: AbortSignal; serverTimeoutSec?: number } = {},
    c = call('query', 'a query'),
  ): Promise<LogTable[]> {
    counters.calls += 1;
    const before = counters.retries;
    let result;
    try {
      result = await sdk.queryWorkspace(
        opts.workspaceId,
        kql,
        { startTime: timespan.start, endTime: timespan.end },
        {
          ...(o.serverTimeoutSec ? { serverTimeoutInSeconds: o.serverTimeoutSec } : {}),
          ...(o.signal ? { abortSignal: o.signal } : {}),
        },
      );
    } catch (err) {
      const e = err as {
        name?: string;
        statusCode?: number;
        details?: unknown;
        response?: { bodyAsText?: string | null };
      };
      if (e?.name === 'RestError' && typeof e.statusCode === 'number')
        throw mapAzureResponse(
          {
            status: e.statusCode,
            body: e.response?.bodyAsText ?? e.details,
            retries: counters.retries - before,
          },
          c,
        );
      throw mapAzureThrown(err, c, { scope: AZURE_SCOPES.logAnalytics, host });
    }
    const tables: LogsTable[] =
      result.status === LogsQueryResultStatus.Success ? result.tables : result.partialTables;
    if (result.status !== LogsQueryResultStatus.Success && !tables.length)
      throw new ProviderError(
        'UNAVAILABLE',
        `Log Analytics could not finish ${c.operation}: ${result.partialError?.message ?? 'partial failure'}`,
        { retryable: true },
      );
    return tables.map((t) => ({
      name: t.name,
      columns: t.columnDescriptors.map((cd) => ({ name: cd.name ?? '', type: String(cd.type ?? '') })),
      rows: t.rows.map((row) =>
        Object.fromEntries(t.columnDescriptors.map((cd, i) => [cd.name ?? String(i), row[i]])),
      ),
    }));
  }

  function rowsOf<S extends z.ZodType>(tables: LogTable[], schema: S, what: string): z.infer<S>[] {
    const rows = tables[0]?.rows ?? [];
    return rows.map((r, i) => {
      const p = schema.safeParse(r);
      if (!p.success)
        throw new ProviderError(
          'UNAVAILABLE',
          `Log Analytics ${what}: row ${i} is not in the expected shape (${p.error.issues[0]?.path.join('.')}: ${p.error.issues[0]?.message})`,
          {
            cause: p.error,
            retryable: false,
          },
        );
      return p.data as z.infer<S>;
    });
  }

  return {
    query: (kql, ts, o) => query(kql, ts, o),
    async pipelineRunEvents(pipelineName, ts, o = {}) {
      const kql = `SynapseIntegrationPipelineRuns | where PipelineName == ${kqlString(pipelineName)} | project TimeGenerated, PipelineName, RunId, Status, Start, End | order by TimeGenerated asc | take ${o.max ?? 10_000}`;
      const rows = rowsOf(
        await query(kql, ts, o, call('pipeline runs query', `runs of ${pipelineName}`)),
        PipelineRunRow,
        'pipeline runs',
      );
      return rows.map((r) => {
        const out: PipelineRunLogRow = {
          at: r.TimeGenerated,
          pipelineName: r.PipelineName,
          runId: r.RunId,
          status: r.Status,
        };
        if (r.Start) out.start = r.Start;
        if (r.End) out.end = r.End;
        return out;
      });
    },
    async activityRunEvents(pipelineRunId, ts, o = {}) {
      const kql = `SynapseIntegrationActivityRuns | where PipelineRunId == ${kqlString(pipelineRunId)} | project TimeGenerated, ActivityName, ActivityRunId, ActivityType, PipelineName, PipelineRunId, Status, Start, End | order by TimeGenerated asc`;
      const rows = rowsOf(
        await query(kql, ts, o, call('activity runs query', `activity runs of ${pipelineRunId}`)),
        ActivityRunRow,
        'activity runs',
      );
      return rows.map((r) => {
        const out: ActivityRunLogRow = {
          at: r.TimeGenerated,
          activityName: r.ActivityName,
          activityRunId: r.ActivityRunId,
          activityType: r.ActivityType,
          pipelineName: r.PipelineName,
          pipelineRunId: r.PipelineRunId,
          status: r.Status,
        };
        if (r.Start) out.start = r.Start;
        if (r.End) out.end = r.End;
        return out;
      });
    },
    async sparkLogEvents(applicationIds, ts, o = {}) {
      if (!applicationIds.length) return [];
      const where = [`applicationId_s in (${applicationIds.map(kqlString).join(', ')})`];
      if (o.levels?.length) where.push(`level_s in (${o.levels.map(kqlString).join(', ')})`);
      if (o.contains) where.push(`message_s contains ${kqlString(o.contains)}`);
      const kql = `${SPARK_LOG_TABLE} | where ${where.join(' and ')} | project TimeGenerated, applicationId_s, livyId_s, clusterName_s, level_s, logger_name_s, message_s | order by TimeGenerated asc | take ${o.max ?? 10_000}`;
      const rows = rowsOf(
        await query(kql, ts, o, call('Spark log query', `Spark logs of ${applicationIds.join(', ')}`)),
        SparkLogRow,
        'Spark logs',
      );
      return rows.map((r) => {
        const e: SparkLogEvent = {
          timestamp: r.TimeGenerated,
          level: r.level_s ?? 'INFO',
          logger: r.logger_name_s ?? '',
          message: r.message_s ?? '',
        };
        if (r.applicationId_s) e.applicationId = r.applicationId_s;
        if (r.livyId_s) e.livyId = r.livyId_s;
        if (r.clusterName_s) e.sparkPool = r.clusterName_s;
        return e;
      });
    },
    async applicationsEnded(sparkPool, ts, o = {}) {
      const kql = `SynapseBigDataPoolApplicationsEnded | where Properties.sparkPoolName == ${kqlString(sparkPool)} | project TimeGenerated, Properties | order by TimeGenerated asc | take ${o.max ?? 10_000}`;
      const rows = rowsOf(
        await query(kql, ts, o, call('Spark applications query', `applications of pool ${sparkPool}`)),
        AppEndedRow,
        'Spark applications',
      );
      const date = (s: string | null | undefined) =>
        s && !Number.isNaN(Date.parse(s)) ? new Date(s) : undefined;
      return rows.map((r) => {
        const p = r.Properties;
        const out: SparkApplicationEnded = { at: r.TimeGenerated, properties: p as Record<string, unknown> };
        if (p.applicationId) out.applicationId = p.applicationId;
        if (p.applicationName) out.applicationName = p.applicationName;
        if (p.livyId !== null && p.livyId !== undefined) out.livyId = String(p.livyId);
        if (p.sparkPoolName) out.sparkPool = p.sparkPoolName;
        if (p.state) out.state = p.state;
        const s = date(p.submitTime);
        const st = date(p.startTime);
        const en = date(p.endTime);
        if (s) out.submitTime = s;
        if (st) out.startTime = st;
        if (en) out.endTime = en;
        return out;
      });
    },
    stats: () => ({ ...counters }),
  };
}
