// Log Analytics query API: `POST /v1/workspaces/{id}/query {query, timespan}` →
// `{tables: [{name, columns, rows}]}`. The Synapse diagnostic tables are derived from the
// simulated Synapse state (a row appears once the event it records has happened); Spark
// application logs (SparkLoggingEvent_CL, what `spark.synapse.logAnalytics.enabled` sends) are
// stored rows.
import { z } from 'zod';
import { KqlError, runKql, type KqlColumn, type KqlTable } from './kql.js';
import { AzureSimError, json, parseJsonBody, type AzureRequest, type AzureResponse } from './http.js';
import { activityView, appEnd, runView, type AzureState, type LogAnalyticsWorkspace } from './state.js';

const QueryBody = z.object({
  query: z.string().min(1),
  timespan: z.string().optional(),
  workspaces: z.array(z.string()).optional(),
});

const col = (name: string, type: KqlColumn['type']): KqlColumn => ({ name, type });

const PIPELINE_COLUMNS: KqlColumn[] = [
  col('TenantId', 'string'),
  col('TimeGenerated', 'datetime'),
  col('OperationName', 'string'),
  col('Category', 'string'),
  col('CorrelationId', 'string'),
  col('Level', 'string'),
  col('Location', 'string'),
  col('PipelineName', 'string'),
  col('RunId', 'string'),
  col('Parameters', 'dynamic'),
  col('Predecessors', 'dynamic'),
  col('Start', 'datetime'),
  col('End', 'datetime'),
  col('Status', 'string'),
  col('_ResourceId', 'string'),
  col('Type', 'string'),
];

const ACTIVITY_COLUMNS: KqlColumn[] = [
  col('TenantId', 'string'),
  col('TimeGenerated', 'datetime'),
  col('OperationName', 'string'),
  col('Category', 'string'),
  col('CorrelationId', 'string'),
  col('Level', 'string'),
  col('Location', 'string'),
  col('ActivityName', 'string'),
  col('ActivityRunId', 'string'),
  col('ActivityType', 'string'),
  col('PipelineName', 'string'),
  col('PipelineRunId', 'string'),
  col('Status', 'string'),
  col('Start', 'datetime'),
  col('End', 'datetime'),
  col('EffectiveIntegrationRuntime', 'string'),
  col('_ResourceId', 'string'),
  col('Type', 'string'),
];

const APPS_ENDED_COLUMNS: KqlColumn[] = [
  col('TenantId', 'string'),
  col('TimeGenerated', 'datetime'),
  col('OperationName', 'string'),
  col('Category', 'string'),
  col('CorrelationId', 'string'),
  col('Level', 'string'),
  col('Location', 'string'),
  col('Properties', 'dynamic'),
  col('_ResourceId', 'string'),
  col('Type', 'string'),
];

export const SPARK_LOG_TABLE = 'SparkLoggingEvent_CL';

const SPARK_LOG_COLUMNS: KqlColumn[] = [
  col('TimeGenerated', 'datetime'),
  col('workspaceName_s', 'string'),
  col('clusterName_s', 'string'),
  col('livyId_s', 'string'),
  col('applicationId_s', 'string'),
  col('applicationName_s', 'string'),
  col('executorId_s', 'string'),
  col('level_s', 'string'),
  col('logger_name_s', 'string'),
  col('message_s', 'string'),
  col('Type', 'string'),
];

export function logTables(state: AzureState, la: LogAnalyticsWorkspace): Record<string, () => KqlTable> {
  const now = state.now();
  const workspaces = la.synapseWorkspaces.map((w) => state.workspaces.get(w)).filter((w) => w !== undefined);
  const common = (ws: string, location: string) => ({
    TenantId: la.id,
    Level: 'Informational',
    Location: location,
    _ResourceId: state.resourceId(ws).toUpperCase(),
  });
  return {
    SynapseIntegrationPipelineRuns: () => {
      const rows: Record<string, unknown>[] = [];
      for (const w of workspaces)
        for (const run of w.runs.values()) {
          const v = runView(run, now);
          const base = {
            ...common(w.name, w.location),
            Category: 'IntegrationPipelineRuns',
            CorrelationId: run.runGroupId,
            PipelineName: run.pipelineName,
            RunId: run.runId,
            Parameters: run.parameters,
            Predecessors: [
              { InvokedByType: run.invokedBy.invokedByType, Name: run.invokedBy.name, Id: run.invokedBy.id },
            ],
            Start: run.runStart,
            Type: 'SynapseIntegrationPipelineRuns',
          };
          const execStart = run.runStart + run.queuedMs;
          if (execStart <= now && (run.cancelRequestedAt === undefined || run.cancelRequestedAt > execStart))
            rows.push({
              ...base,
              TimeGenerated: execStart,
              OperationName: `${run.pipelineName} - InProgress`,
              Status: 'InProgress',
              End: null,
            });
          if (v.runEnd !== null)
            rows.push({
              ...base,
              TimeGenerated: v.runEnd,
              OperationName: `${run.pipelineName} - ${v.status}`,
              Status: v.status,
              End: v.runEnd,
              Level: v.status === 'Failed' ? 'Error' : 'Informational',
            });
        }
      return {
        columns: PIPELINE_COLUMNS,
        rows: rows.sort((a, b) => (a.TimeGenerated as number) - (b.TimeGenerated as number)),
      };
    },
    SynapseIntegrationActivityRuns: () => {
      const rows: Record<string, unknown>[] = [];
      for (const w of workspaces)
        for (const run of w.runs.values())
          for (const a of run.activities) {
            const v = activityView(run, a, now);
            if (!v) continue;
            const base = {
              ...common(w.name, w.location),
              Category: 'IntegrationActivityRuns',
              CorrelationId: run.runGroupId,
              ActivityName: a.activityName,
              ActivityRunId: a.activityRunId,
              ActivityType: a.activityType,
              PipelineName: run.pipelineName,
              PipelineRunId: run.runId,
              Start: a.startAt,
              EffectiveIntegrationRuntime: 'AutoResolveIntegrationRuntime (West Europe)',
              Type: 'SynapseIntegrationActivityRuns',
            };
            rows.push({
              ...base,
              TimeGenerated: a.startAt,
              OperationName: `${a.activityName} - InProgress`,
              Status: 'InProgress',
              End: null,
            });
            if (v.end !== null)
              rows.push({
                ...base,
                TimeGenerated: v.end,
                OperationName: `${a.activityName} - ${v.status}`,
                Status: v.status,
                End: v.end,
                Level: v.status === 'Failed' ? 'Error' : 'Informational',
              });
          }
      return {
        columns: ACTIVITY_COLUMNS,
        rows: rows.sort((a, b) => (a.TimeGenerated as number) - (b.TimeGenerated as number)),
      };
    },
    SynapseBigDataPoolApplicationsEnded: () => {
      const rows: Record<string, unknown>[] = [];
      for (const w of workspaces)
        for (const app of w.apps) {
          const { endAt, result } = appEnd(app, w.runs.get(app.pipelineRunId));
          if (endAt > now) continue;
          rows.push({
            ...common(w.name, w.location),
            _ResourceId: state.resourceId(w.name, app.pool).toUpperCase(),
            TimeGenerated: endAt,
            OperationName: 'Big Data Pool Application Ended',
            Category: 'BigDataPoolAppsEnded',
            CorrelationId: app.pipelineRunId,
            Level: result === 'Failed' ? 'Error' : 'Informational',
            Properties: {
              schemaVersion: '0.0.1',
              applicationId: app.appId,
              applicationName: app.name,
              livyId: String(app.livyId),
              sparkPoolName: app.pool,
              jobType: app.jobType,
              submitterId: app.submitterId,
              submitTime: new Date(app.submitAt).toISOString(),
              startTime: new Date(app.startAt).toISOString(),
              endTime: new Date(endAt).toISOString(),
              state: result,
              numExecutors: app.numExecutors,
              executorCores: app.executorCores,
              executorMemory: app.executorMemory,
            },
            Type: 'SynapseBigDataPoolApplicationsEnded',
          });
        }
      return {
        columns: APPS_ENDED_COLUMNS,
        rows: rows.sort((a, b) => (a.TimeGenerated as number) - (b.TimeGenerated as number)),
      };
    },
    [SPARK_LOG_TABLE]: () => ({
      columns: SPARK_LOG_COLUMNS,
      rows: la.sparkLog
        .filter((r) => (r.TimeGenerated as number) <= now)
        .map((r) => ({ ...r, Type: SPARK_LOG_TABLE })),
    }),
  };
}

/** ISO 8601 timespan: `PT1H`, `P7D`, `start/end`, `start/PT1H`, `PT1H/end`. */
export function parseTimespan(ts: string, now: number): { start: number; end: number } | undefined {
  const dur = (s: string): number | undefined => {
    const m =
      /^P(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$/.exec(s);
    if (!m || s === 'P' || s === 'PT') return undefined;
    return (
      (Number(m[1] ?? 0) * 86_400 + Number(m[2] ?? 0) * 3600 + Number(m[3] ?? 0) * 60 + Number(m[4] ?? 0)) *
      1000
    );
  };
  const parts = ts.split('/');
  if (parts.length === 1) {
    const d = dur(parts[0]!);
    return d === undefined ? undefined : { start: now - d, end: now };
  }
  if (parts.length !== 2) return undefined;
  const [a, b] = parts as [string, string];
  const da = dur(a);
  const db = dur(b);
  const ta = Date.parse(a);
  const tb = Date.parse(b);
  if (da === undefined && db === undefined && !Number.isNaN(ta) && !Number.isNaN(tb))
    return { start: ta, end: tb };
  if (da === undefined && db !== undefined && !Number.isNaN(ta)) return { start: ta, end: ta + db };
  if (da !== undefined && db === undefined && !Number.isNaN(tb)) return { start: tb - da, end: tb };
  return undefined;
}

export function handleLogQuery(state: AzureState, workspaceId: string, req: AzureRequest): AzureResponse {
  const la = state.logAnalytics.get(workspaceId);
  if (!la)
    throw new AzureSimError(404, 'WorkspaceNotFoundError', `The workspace could not be found`, {
      extra: { correlationId: state.newId() },
    });
  const body = parseJsonBody(req, QueryBody, 'BadArgumentError');
  const now = state.now();
  let window: { start: number; end: number } | undefined;
  if (body.timespan !== undefined) {
    window = parseTimespan(body.timespan, now);
    if (!window)
      throw new AzureSimError(400, 'BadArgumentError', 'The request had some invalid properties', {
        extra: {
          innererror: {
            code: 'InvalidTimespan',
            message: `The timespan '${body.timespan}' is not a valid ISO 8601 interval or duration.`,
          },
        },
      });
  }
  try {
    const result = runKql(body.query, logTables(state, la), now, window);
    return json(200, { tables: [{ name: 'PrimaryResult', columns: result.columns, rows: result.rows }] });
  } catch (e) {
    if (!(e instanceof KqlError)) throw e;
    throw new AzureSimError(400, 'BadArgumentError', 'The request had some invalid properties', {
      extra: {
        correlationId: state.newId(),
        innererror: {
          code: e.kind,
          message:
            e.kind === 'SyntaxError'
              ? 'A recognition error occurred in the query.'
              : 'A semantic error occurred.',
          innererror: { code: e.kind === 'SyntaxError' ? 'SYN0002' : 'SEM0100', message: e.message },
        },
      },
    });
  }
}
