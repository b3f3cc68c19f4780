// Contract: the Log Analytics, Azure Monitor metrics and ARM Spark pool clients against the
// simulator over HTTPS, with the real DefaultAzureCredential through its managed-identity endpoint.
import '../support/azure.js';
import { describe, it, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { startTrustedAzureSim } from '../support/azure.js';
import type { AzureSimulator } from '../../sim/azure/index.js';
import { AZURE_SIM, OOM_PIPELINE, SALES_PIPELINE, SKEW_PIPELINE } from '../../sim/azure/scenarios.js';
import { guidFrom } from '../../sim/azure/state.js';
import { createAzureCredential } from '../../src/providers/azure/azure-credential.js';
import {
  createLogAnalyticsClient,
  kqlString,
  type LogAnalyticsClient,
} from '../../src/providers/azure/log-analytics-client.js';
import {
  createMonitorMetricsClient,
  type MonitorMetricsClient,
} from '../../src/providers/azure/monitor-metrics-client.js';
import {
  createSparkPoolClient,
  poolPutBody,
  type SparkPoolClient,
} from '../../src/providers/azure/spark-pool-client.js';
import { createSynapseClient } from '../../src/providers/azure/synapse-client.js';
import { ProviderError } from '../../src/providers/ports.js';

const DAY = 86_400_000;
const retry = { maxRetries: 3, retryDelayInMs: 20, maxRetryDelayInMs: 100 };

let sim: AzureSimulator;
let logs: LogAnalyticsClient;
let metrics: MonitorMetricsClient;
let pools: SparkPoolClient;

async function rejected(p: Promise<unknown>): Promise<ProviderError> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof ProviderError, `expected a ProviderError, got ${String(e)}`);
    return e;
  }
  assert.fail('expected the call to fail');
}

const lastDays = (n: number) => ({
  start: new Date(sim.state.now() - n * DAY),
  end: new Date(sim.state.now()),
});

before(async () => {
  sim = await startTrustedAzureSim({ speed: 0, poolUpdateMs: 30_000 });
  const credential = createAzureCredential();
  logs = createLogAnalyticsClient({
    credential,
    endpoint: sim.url,
    workspaceId: AZURE_SIM.logAnalyticsWorkspaceId,
    retry,
  });
  const arm = {
    credential,
    armUrl: sim.url,
    subscriptionId: AZURE_SIM.subscriptionId,
    resourceGroup: AZURE_SIM.resourceGroup,
    retry,
  };
  metrics = createMonitorMetricsClient(arm);
  pools = createSparkPoolClient({ ...arm, pollIntervalMs: 10 });
});
after(async () => {
  await sim?.stop();
});
beforeEach(() => sim.setFaults([]));

describe('Log Analytics', () => {
  it('pipelineRunEvents: a row per status change from SynapseIntegrationPipelineRuns', async () => {
    const rows = await logs.pipelineRunEvents(OOM_PIPELINE.name, lastDays(30));
    const terminal = rows.filter((r) => r.status !== 'InProgress');
    assert.equal(terminal.length, OOM_PIPELINE.runs);
    assert.equal(rows.length, 2 * OOM_PIPELINE.runs);
    assert.equal(terminal.filter((r) => r.status === 'Failed').length, OOM_PIPELINE.failedRuns);
    assert.ok(terminal.every((r) => r.end instanceof Date && r.start instanceof Date && r.end > r.start));
    const ats = rows.map((r) => r.at.getTime());
    assert.deepEqual(
      ats,
      [...ats].sort((a, b) => a - b),
    );
    // The request carried the timespan; the token was for Log Analytics.
    const req = sim.requests({ service: 'loganalytics', operation: 'Query' }).at(-1)!;
    assert.match(String((req.params.body as { timespan?: string }).timespan), /^\d{4}-.*\/\d{4}-/);
  });

  it('the timespan limits the rows (TimeGenerated), as the API does', async () => {
    const rows = await logs.pipelineRunEvents(OOM_PIPELINE.name, lastDays(3));
    assert.equal(rows.filter((r) => r.status !== 'InProgress').length, 3);
  });

  it('activityRunEvents of one pipeline run', async () => {
    const rows = await logs.activityRunEvents(guidFrom(`${SALES_PIPELINE.name}#0`), lastDays(40));
    assert.deepEqual(
      rows.map((r) => [r.activityName, r.status]),
      [
        [SALES_PIPELINE.activity, 'InProgress'],
        [SALES_PIPELINE.activity, 'Succeeded'],
        ['PublishSales', 'InProgress'],
        ['PublishSales', 'Succeeded'],
      ],
    );
  });

  it('sparkLogEvents of a failed run: the YARN container kills (exit codes 137 and 143)', async () => {
    const synapse = createSynapseClient({
      endpoint: sim.workspaceEndpoint(),
      credential: createAzureCredential(),
      retry,
    });
    const [act] = await synapse.queryActivityRuns(OOM_PIPELINE.name, guidFrom(`${OOM_PIPELINE.name}#14`));
    const appId = act!.spark!.appId!;
    const events = await logs.sparkLogEvents([appId], lastDays(2));
    assert.ok(events.length >= 6);
    assert.ok(events.every((e) => e.applicationId === appId));
    const text = events.map((e) => e.message).join('\n');
    assert.match(text, /Container killed by YARN for exceeding memory limits/);
    assert.match(text, /Exit status: 137/);
    assert.match(text, /Exit status: 143/);
    const errors = await logs.sparkLogEvents([appId], lastDays(2), { levels: ['ERROR'] });
    assert.ok(errors.length >= 2 && errors.every((e) => e.level === 'ERROR'));
    const oom = await logs.sparkLogEvents([appId], lastDays(2), { contains: 'OutOfMemoryError' });
    assert.equal(oom.length, 1);
    assert.equal(oom[0]!.logger, 'TaskSetManager');
  });

  it('applicationsEnded of the pool (SynapseBigDataPoolApplicationsEnded, dynamic Properties)', async () => {
    const apps = await logs.applicationsEnded(AZURE_SIM.sparkPool, lastDays(2));
    assert.ok(apps.length >= 5);
    assert.ok(
      apps.every((a) => a.sparkPool === AZURE_SIM.sparkPool && a.applicationId?.startsWith('application_')),
    );
    assert.ok(apps.some((a) => a.state === 'Failed'));
  });

  it('a raw query: columns and rows by name, datetimes as Dates; KQL strings are escaped', async () => {
    const tables = await logs.query(
      `SynapseIntegrationPipelineRuns | where PipelineName == ${kqlString(SKEW_PIPELINE.name)} and Status == "Succeeded" | project RunId, Start, Status | order by Start desc | take 2`,
      lastDays(30),
    );
    assert.equal(tables[0]!.rows.length, 2);
    assert.deepEqual(
      tables[0]!.columns.map((c) => c.name),
      ['RunId', 'Start', 'Status'],
    );
    assert.ok(tables[0]!.rows[0]!.Start instanceof Date);
    assert.equal(kqlString('a "b" \\ c'), '"a \\"b\\" \\\\ c"');
    const none = await logs.pipelineRunEvents('x" or PipelineName != "', lastDays(30));
    assert.equal(none.length, 0);
  });

  it('a query the service does not understand is INVALID_INPUT (400 BadArgumentError), not retried', async () => {
    const err = await rejected(
      logs.query('SparkLoggingEvent_CL | summarize count() by level_s', lastDays(1)),
    );
    assert.equal(err.code, 'INVALID_INPUT');
    assert.match(err.message, /BadArgumentError/);
    const unknown = await rejected(logs.query('NoSuchTable | take 1', lastDays(1)));
    assert.equal(unknown.code, 'INVALID_INPUT');
  });

  it('403 InsufficientAccessError names the Log Analytics action and role', async () => {
    sim.setFaults([{ service: 'loganalytics', error: 'denied' }]);
    const err = await rejected(logs.pipelineRunEvents(OOM_PIPELINE.name, lastDays(1)));
    assert.equal(err.code, 'ACCESS_DENIED');
    assert.equal(err.action, 'Microsoft.OperationalInsights/workspaces/query/read');
    assert.match(err.message, /Log Analytics Reader/);
  });

  it('throttling is retried (Retry-After), then THROTTLED when it does not stop', async () => {
    sim.setFaults([{ service: 'loganalytics', error: 'throttle', retryAfterSec: 0, count: 1 }]);
    const before = logs.stats();
    assert.ok((await logs.pipelineRunEvents(OOM_PIPELINE.name, lastDays(2))).length > 0);
    const after = logs.stats();
    assert.equal(after.throttled - before.throttled, 1);
    assert.equal(after.retries - before.retries, 1);
    sim.setFaults([{ service: 'loganalytics', error: 'throttle', retryAfterSec: 0 }]);
    assert.equal((await rejected(logs.pipelineRunEvents(OOM_PIPELINE.name, lastDays(2)))).code, 'THROTTLED');
  });

  it('an unknown Log Analytics workspace is NOT_FOUND', async () => {
    const other = createLogAnalyticsClient({
      credential: createAzureCredential(),
      endpoint: sim.url,
      workspaceId: '00000000-0000-4000-8000-000000000000',
      retry,
    });
    assert.equal(
      (await rejected(other.query('SparkLoggingEvent_CL | take 1', lastDays(1)))).code,
      'NOT_FOUND',
    );
  });
});

describe('Azure Monitor metrics', () => {
  it('pool cores and memory per minute over a run, in the real response shape', async () => {
    const synapse = createSynapseClient({
      endpoint: sim.workspaceEndpoint(),
      credential: createAzureCredential(),
      retry,
    });
    const run = await synapse.getPipelineRun(guidFrom(`${SALES_PIPELINE.name}#${SALES_PIPELINE.runs - 1}`));
    const res = await metrics.poolMetrics(AZURE_SIM.workspace, AZURE_SIM.sparkPool, {
      names: ['BigDataPoolAllocatedCores', 'BigDataPoolAllocatedMemory'],
      start: run.runStart!,
      end: run.runEnd!,
      aggregations: ['Maximum', 'Average'],
    });
    assert.deepEqual(
      res.map((m) => m.name),
      ['BigDataPoolAllocatedCores', 'BigDataPoolAllocatedMemory'],
    );
    const cores = res[0]!.timeseries[0]!.points;
    assert.ok(Math.abs(cores.length - run.durationMs! / 60_000) <= 2, `${cores.length} points`);
    // 4 executors × 8 cores + an 8-core driver while the Spark job runs.
    assert.equal(Math.max(...cores.map((p) => p.maximum ?? 0)), 4 * 8 + 8);
    const mem = res[1]!.timeseries[0]!.points;
    assert.equal(Math.max(...mem.map((p) => p.maximum ?? 0)), 4 * 56 + 56);
    assert.ok(cores[0]!.at instanceof Date);
    const req = sim.requests({ service: 'monitor', operation: 'ListMetrics' }).at(-1)!;
    assert.equal(req.params['api-version'], '2018-01-01');
    assert.equal(req.params.interval, 'PT1M');
  });

  it('applications ended by result (split by dimension) and workspace pipeline runs ended per pipeline', async () => {
    const ended = await metrics.poolMetrics(AZURE_SIM.workspace, AZURE_SIM.sparkPool, {
      names: ['BigDataPoolApplicationsEnded'],
      ...lastDays(3),
      interval: 'PT1H',
      aggregations: ['Total'],
      filter: "JobResult eq '*'",
    });
    const byResult = Object.fromEntries(
      ended[0]!.timeseries.map((t) => [
        t.dimensions.jobresult,
        t.points.reduce((n, p) => n + (p.total ?? 0), 0),
      ]),
    );
    assert.ok(byResult.Failed! >= 3 && byResult.Succeeded! >= 1, JSON.stringify(byResult));
    const runs = await metrics.workspaceMetrics(AZURE_SIM.workspace, {
      names: ['IntegrationPipelineRunsEnded'],
      ...lastDays(30),
      interval: 'P1D',
      aggregations: ['Total'],
      filter: `Pipeline eq '${OOM_PIPELINE.name}' and Result eq '*'`,
    });
    const totals = Object.fromEntries(
      runs[0]!.timeseries.map((t) => [t.dimensions.result, t.points.reduce((n, p) => n + (p.total ?? 0), 0)]),
    );
    assert.deepEqual(totals, {
      Succeeded: OOM_PIPELINE.runs - OOM_PIPELINE.failedRuns,
      Failed: OOM_PIPELINE.failedRuns,
    });
  });

  it('an unknown metric is INVALID_INPUT from the flat {code,message} error', async () => {
    const err = await rejected(
      metrics.poolMetrics(AZURE_SIM.workspace, AZURE_SIM.sparkPool, {
        names: ['NoSuchMetric' as 'BigDataPoolAllocatedCores'],
        ...lastDays(1),
      }),
    );
    assert.equal(err.code, 'INVALID_INPUT');
    assert.match(err.message, /BadRequest: Failed to find metric configuration/);
  });

  it('403 AuthorizationFailed names the action ARM reported', async () => {
    sim.setFaults([{ service: 'monitor', error: 'denied' }]);
    const err = await rejected(
      metrics.workspaceMetrics(AZURE_SIM.workspace, {
        names: ['IntegrationPipelineRunsEnded'],
        ...lastDays(1),
      }),
    );
    assert.equal(err.code, 'ACCESS_DENIED');
    assert.equal(err.action, 'Microsoft.Insights/metrics/read');
    assert.match(err.message, /Monitoring Reader/);
  });
});

describe('ARM Spark pool', () => {
  it('getSparkPool reads the resource', async () => {
    const p = await pools.getSparkPool(AZURE_SIM.workspace, AZURE_SIM.sparkPool);
    assert.equal(p.name, AZURE_SIM.sparkPool);
    assert.equal(p.location, AZURE_SIM.location);
    assert.equal(p.nodeSize, 'Medium');
    assert.deepEqual(p.autoScale, { enabled: true, minNodeCount: 3, maxNodeCount: 10 });
    assert.equal(p.provisioningState, 'Succeeded');
    assert.equal(p.tags['cost-center'], 'data-platform');
  });

  it('scaleSparkPool: PUT of the whole resource, followed through Azure-AsyncOperation to the new size', async () => {
    sim.clearRequests();
    const ops: string[] = [];
    const scaling = pools.scaleSparkPool(
      AZURE_SIM.workspace,
      AZURE_SIM.sparkPool,
      { autoScale: { maxNodeCount: 20 } },
      { onOperation: (u) => ops.push(u) },
    );
    // The operation takes 30 simulated seconds: let the poller see InProgress, then move the clock.
    const waitFor = async (pred: () => boolean) => {
      for (let i = 0; i < 500 && !pred(); i++) await new Promise((r) => setTimeout(r, 10));
      assert.ok(pred());
    };
    await waitFor(() => sim.requests({ operation: 'GetOperationStatus' }).length >= 1);
    const during = await pools.getSparkPool(AZURE_SIM.workspace, AZURE_SIM.sparkPool);
    assert.equal(during.provisioningState, 'Updating');
    assert.equal(during.autoScale?.maxNodeCount, 10);
    sim.state.clock.advance(30_000);
    const done = await scaling;
    assert.equal(done.autoScale?.maxNodeCount, 20);
    assert.equal(done.provisioningState, 'Succeeded');
    const put = sim.requests({ operation: 'CreateOrUpdateBigDataPool' });
    assert.equal(put.length, 1);
    assert.equal(put[0]!.status, 202);
    const body = put[0]!.params.body as {
      location: string;
      tags: Record<string, string>;
      properties: Record<string, unknown>;
    };
    // Read-modify-write: everything else is carried over, read-only fields are not sent.
    assert.equal(body.location, AZURE_SIM.location);
    assert.equal(body.tags.owner, 'data-eng');
    assert.equal(body.properties.nodeSize, 'Medium');
    assert.deepEqual(body.properties.autoPause, { enabled: true, delayInMinutes: 15 });
    assert.equal(body.properties.provisioningState, undefined);
    assert.equal(ops.length >= 1 && ops[0]!.includes('/operationStatuses/'), true);
    assert.equal(done.tags.owner, 'data-eng');
  });

  it('a PUT that would be invalid is INVALID_INPUT; an unknown pool is NOT_FOUND', async () => {
    const err = await rejected(
      pools.scaleSparkPool(AZURE_SIM.workspace, AZURE_SIM.sparkPool, { autoScale: { minNodeCount: 1 } }),
    );
    assert.equal(err.code, 'INVALID_INPUT');
    assert.match(err.message, /InvalidAutoScaleSettings/);
    assert.equal((await rejected(pools.getSparkPool(AZURE_SIM.workspace, 'nopool'))).code, 'NOT_FOUND');
  });

  it('403 on the PUT names Microsoft.Synapse/workspaces/bigDataPools/write and Contributor', async () => {
    sim.setFaults([{ service: 'arm', operation: 'CreateOrUpdateBigDataPool', error: 'denied' }]);
    const err = await rejected(
      pools.scaleSparkPool(AZURE_SIM.workspace, AZURE_SIM.sparkPool, {
        nodeCount: 5,
        autoScale: { enabled: false },
      }),
    );
    assert.equal(err.code, 'ACCESS_DENIED');
    assert.equal(err.action, 'Microsoft.Synapse/workspaces/bigDataPools/write');
    assert.match(err.message, /Contributor/);
  });

  it('the PUT body of poolPutBody keeps unknown properties and applies only the change', () => {
    const body = poolPutBody(
      {
        id: 'x',
        name: 'p',
        location: 'westeurope',
        tags: { a: 'b' },
        raw: {
          properties: {
            nodeSize: 'Large',
            custom: 1,
            provisioningState: 'Succeeded',
            autoScale: { enabled: true, minNodeCount: 3, maxNodeCount: 5 },
          },
        },
      },
      { autoScale: { maxNodeCount: 8 } },
    );
    assert.deepEqual(body, {
      location: 'westeurope',
      tags: { a: 'b' },
      properties: {
        nodeSize: 'Large',
        custom: 1,
        autoScale: { enabled: true, minNodeCount: 3, maxNodeCount: 8 },
      },
    });
  });
});
