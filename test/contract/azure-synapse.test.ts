// Contract: the Synapse client (src/providers/azure/synapse-client.ts) against the simulator's
// Synapse data plane over HTTPS with its generated CA, authenticating with the real
// DefaultAzureCredential through the simulator's managed-identity endpoint.
import '../support/azure.js';
import { describe, it, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { startTrustedAzureSim } from '../support/azure.js';
import type { AzureSimulator } from '../../sim/azure/index.js';
import {
  AZURE_SIM,
  OOM_PIPELINE,
  OOM_ACTIVITY_ERROR,
  SALES_PIPELINE,
  SKEW_PIPELINE,
} from '../../sim/azure/scenarios.js';
import { guidFrom } from '../../sim/azure/state.js';
import { z } from 'zod';
import { AZURE_SCOPES, createAzureCredential } from '../../src/providers/azure/azure-credential.js';
import { AzureRestClient } from '../../src/providers/azure/azure-rest.js';
import {
  createSynapseClient,
  parseMonitoringDuration,
  synapseWorkspaceEndpoint,
  type SynapseClient,
} from '../../src/providers/azure/synapse-client.js';
import { ProviderError } from '../../src/providers/ports.js';

const DAY = 86_400_000;
const FAST_RETRY = { maxRetries: 3, retryDelayInMs: 20, maxRetryDelayInMs: 100 };

let sim: AzureSimulator;
let synapse: SynapseClient;

function client(endpoint = sim.workspaceEndpoint()): SynapseClient {
  return createSynapseClient({
    endpoint,
    workspace: AZURE_SIM.workspace,
    credential: createAzureCredential(),
    retry: FAST_RETRY,
  });
}

async function rejected(p: Promise<unknown>): Promise<ProviderError> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof ProviderError, `expected a ProviderError, got ${String(e)}`);
    return e;
  }
  assert.fail('expected the call to fail');
}

const window = () => ({
  after: new Date(sim.state.now() - 60 * DAY),
  before: new Date(sim.state.now() + DAY),
});

before(async () => {
  // Real time does not move the simulated clock in these tests: every change of state is explicit.
  sim = await startTrustedAzureSim({ speed: 0 });
  synapse = client();
});
after(async () => {
  await sim?.stop();
});
beforeEach(() => {
  sim.setFaults([]);
});

describe('Synapse pipeline runs', () => {
  it('queryPipelineRuns filters by PipelineName, newest first, with the run fields parsed', async () => {
    const runs = await synapse.queryPipelineRuns({ ...window(), pipelineName: SALES_PIPELINE.name });
    assert.equal(runs.length, SALES_PIPELINE.runs);
    assert.ok(runs.every((r) => r.pipelineName === SALES_PIPELINE.name && r.status === 'Succeeded'));
    const starts = runs.map((r) => r.runStart!.getTime());
    assert.deepEqual(
      starts,
      [...starts].sort((a, b) => b - a),
    );
    const newest = runs[0]!;
    assert.equal(newest.runId, guidFrom(`${SALES_PIPELINE.name}#${SALES_PIPELINE.runs - 1}`));
    // The last 3 runs are the degraded ones (~2160 s against ~1200 s).
    assert.ok(
      newest.durationMs! > 2000_000 && runs[5]!.durationMs! < 1400_000,
      `${newest.durationMs} / ${runs[5]!.durationMs}`,
    );
    assert.equal(newest.parameters.inputPath, SALES_PIPELINE.input);
    assert.equal(newest.invokedBy?.invokedByType, 'ScheduleTrigger');
    assert.ok(newest.runEnd instanceof Date && newest.lastUpdated instanceof Date);
    // DefaultAzureCredential got its token from the managed-identity endpoint, for Synapse's audience.
    assert.ok(
      sim
        .requests({ service: 'identity', operation: 'GetToken' })
        .some((r) => r.params.resource === 'https://dev.azuresynapse.net' && r.status === 200),
    );
  });

  it('pages by continuationToken, 100 runs a page, and maxRuns stops paging', async () => {
    const base = sim.state.now() - 40 * DAY;
    for (let i = 0; i < 250; i++)
      sim.state.addRun(AZURE_SIM.workspace, {
        pipelineName: SKEW_PIPELINE.name,
        runStart: base + i * 60_000,
        runId: guidFrom(`bulk#${i}`),
        behaviour: { durationSec: 30, queuedSec: 1 },
      });
    sim.clearRequests();
    const all = await synapse.queryPipelineRuns({ ...window(), pipelineName: SKEW_PIPELINE.name });
    assert.equal(all.length, 250 + SKEW_PIPELINE.runs);
    assert.equal(new Set(all.map((r) => r.runId)).size, all.length);
    const calls = sim.requests({ operation: 'QueryPipelineRuns' });
    assert.equal(calls.length, 3);
    assert.equal(
      (calls[1]!.params.body as { continuationToken?: string }).continuationToken !== undefined,
      true,
    );
    sim.clearRequests();
    const first = await synapse.queryPipelineRuns({
      ...window(),
      pipelineName: SKEW_PIPELINE.name,
      maxRuns: 120,
    });
    assert.equal(first.length, 120);
    assert.equal(sim.requests({ operation: 'QueryPipelineRuns' }).length, 2);
    assert.deepEqual(
      first.map((r) => r.runId),
      all.slice(0, 120).map((r) => r.runId),
    );
  });

  it('the window (lastUpdatedAfter/Before) and Status filter narrow the runs', async () => {
    const now = sim.state.now();
    const recent = await synapse.queryPipelineRuns({
      after: new Date(now - 3 * DAY),
      before: new Date(now),
      pipelineName: OOM_PIPELINE.name,
    });
    assert.equal(recent.length, 3);
    const failed = await synapse.queryPipelineRuns({
      ...window(),
      pipelineName: [OOM_PIPELINE.name, SALES_PIPELINE.name],
      status: ['Failed'],
    });
    assert.equal(failed.length, OOM_PIPELINE.failedRuns);
    assert.ok(
      failed.every(
        (r) => r.pipelineName === OOM_PIPELINE.name && r.message.includes('Container killed by YARN'),
      ),
    );
  });

  it('getPipelineRun returns one run; an unknown run is NOT_FOUND ({error:{code,message}})', async () => {
    const id = guidFrom(`${OOM_PIPELINE.name}#14`);
    const run = await synapse.getPipelineRun(id);
    assert.equal(run.runId, id);
    assert.equal(run.status, 'Failed');
    const err = await rejected(synapse.getPipelineRun('00000000-0000-4000-a000-000000000000'));
    assert.equal(err.code, 'NOT_FOUND');
    assert.match(err.message, /PipelineRunNotFound/);
  });

  it('queryActivityRuns gives the failing activity, its error and its Spark application', async () => {
    const id = guidFrom(`${OOM_PIPELINE.name}#14`);
    const acts = await synapse.queryActivityRuns(OOM_PIPELINE.name, id);
    assert.equal(acts.length, 1);
    const a = acts[0]!;
    assert.equal(a.activityName, OOM_PIPELINE.activity);
    assert.equal(a.activityType, 'SynapseNotebook');
    assert.equal(a.status, 'Failed');
    assert.equal(a.error?.message, OOM_ACTIVITY_ERROR);
    assert.equal(a.error?.failureType, 'UserError');
    assert.equal(a.spark?.sparkPool, AZURE_SIM.sparkPool);
    assert.match(a.spark?.appId ?? '', /^application_\d+_\d{4}$/);
    // A succeeded activity has no error (the API sends empty strings).
    const ok = await synapse.queryActivityRuns(OOM_PIPELINE.name, guidFrom(`${OOM_PIPELINE.name}#0`));
    assert.equal(ok[0]!.status, 'Succeeded');
    assert.equal(ok[0]!.error, undefined);
  });
});

describe('Synapse pipelines and runs started by the bot', () => {
  it('listPipelines / listPipelineNames / getPipeline give the definition (activities, parameters)', async () => {
    const names = await synapse.listPipelineNames();
    for (const n of [
      SALES_PIPELINE.name,
      SALES_PIPELINE.compactionPipeline,
      SALES_PIPELINE.stagingPipeline,
      OOM_PIPELINE.name,
    ])
      assert.ok(names.includes(n), n);
    const p = await synapse.getPipeline(SALES_PIPELINE.name);
    assert.equal(p.activities[0]?.name, SALES_PIPELINE.activity);
    assert.equal(p.activities[0]?.type, 'SparkJob');
    assert.equal(p.activities[0]?.sparkPool, AZURE_SIM.sparkPool);
    assert.deepEqual(p.parameters.numExecutors, { type: 'Int', defaultValue: SALES_PIPELINE.numExecutors });
    const err = await rejected(synapse.getPipeline('SalesPipelin'));
    assert.equal(err.code, 'NOT_FOUND');
    assert.match(err.message, /pipeline SalesPipelin in workspace contoso-ws was not found/);
  });

  it('listPipelines follows nextLink; queryActivityRuns follows continuationToken', async () => {
    const all = await synapse.listPipelineNames();
    sim.setPageSize(3);
    try {
      sim.clearRequests();
      assert.deepEqual(await synapse.listPipelineNames(), all);
      assert.equal(sim.requests({ operation: 'ListPipelines' }).length, Math.ceil(all.length / 3));
      sim.setPageSize(1);
      const acts = await synapse.queryActivityRuns(SALES_PIPELINE.name, guidFrom(`${SALES_PIPELINE.name}#3`));
      assert.deepEqual(
        acts.map((a) => a.activityName),
        [SALES_PIPELINE.activity, 'PublishSales'],
      );
      assert.equal(sim.requests({ operation: 'QueryActivityRuns' }).length, 2);
    } finally {
      sim.setPageSize(100);
    }
  });

  it('createRun with parameters: the run progresses with the clock, its Spark job has the executors asked for', async () => {
    sim.state.configureRuns(AZURE_SIM.workspace, SALES_PIPELINE.name, {
      durationSec: 600,
      queuedSec: 5,
      outcome: 'Succeeded',
    });
    const runId = await synapse.createRun(SALES_PIPELINE.name, {
      parameters: { numExecutors: 8, sparkConf: { 'spark.sql.shuffle.partitions': '400' } },
    });
    const created = sim.requests({ operation: 'CreateRun' }).at(-1)!;
    assert.equal(created.status, 202);
    assert.equal((await synapse.getPipelineRun(runId)).status, 'Queued');
    sim.state.clock.advance(10_000);
    const running = await synapse.getPipelineRun(runId);
    assert.equal(running.status, 'InProgress');
    assert.equal(running.parameters.numExecutors, '8');
    const running2 = await synapse.queryActivityRuns(SALES_PIPELINE.name, runId);
    assert.deepEqual(
      running2.map((a) => [a.activityName, a.status]),
      [[SALES_PIPELINE.activity, 'InProgress']],
    );
    // Activity output (and with it the Livy id) comes when the activity ends, as on Azure.
    assert.equal(running2[0]!.spark?.livyId, undefined);
    sim.state.clock.advance(600_000);
    const done = await synapse.getPipelineRun(runId);
    assert.equal(done.status, 'Succeeded');
    assert.ok(Math.abs(done.durationMs! - 605_000) < 1000, String(done.durationMs));
    const acts = await synapse.queryActivityRuns(SALES_PIPELINE.name, runId);
    assert.deepEqual(
      acts.map((a) => [a.activityName, a.status]),
      [
        [SALES_PIPELINE.activity, 'Succeeded'],
        ['PublishSales', 'Succeeded'],
      ],
    );
    const spark = await synapse.sparkApplicationOf(acts[0]!);
    assert.equal(spark.batch?.numExecutors, 8);
    assert.equal(spark.batch?.conf['spark.sql.shuffle.partitions'], '400');
    assert.equal(spark.batch?.state, 'success');
    assert.equal(spark.application?.state, 'Succeeded');
  });

  it('createRun refuses a parameter the pipeline does not define (INVALID_INPUT), and an unknown pipeline (NOT_FOUND)', async () => {
    const bad = await rejected(synapse.createRun(SALES_PIPELINE.name, { parameters: { numExecuters: 8 } }));
    assert.equal(bad.code, 'INVALID_INPUT');
    assert.match(bad.message, /numExecuters/);
    const missing = await rejected(synapse.createRun('NoSuchPipeline'));
    assert.equal(missing.code, 'NOT_FOUND');
  });

  it('a recovery rerun from the failed activity joins the run group and marks the old run not latest', async () => {
    const ref = guidFrom(`${OOM_PIPELINE.name}#14`);
    sim.state.configureRuns(AZURE_SIM.workspace, OOM_PIPELINE.name, {
      outcome: 'Succeeded',
      durationSec: 900,
      queuedSec: 5,
    });
    const runId = await synapse.createRun(OOM_PIPELINE.name, {
      parameters: { numExecutors: 6 },
      recovery: { referencePipelineRunId: ref, startActivityName: OOM_PIPELINE.activity },
    });
    const q = sim.requests({ operation: 'CreateRun' }).at(-1)!.params;
    assert.equal(q.referencePipelineRunId, ref);
    assert.equal(q.isRecovery, 'true');
    assert.equal(q.startActivityName, OOM_PIPELINE.activity);
    const run = await synapse.getPipelineRun(runId);
    assert.equal(run.runGroupId, ref);
    assert.equal(run.isLatest, true);
    assert.equal((await synapse.getPipelineRun(ref)).isLatest, false);
    sim.state.clock.advance(1000_000);
    assert.equal((await synapse.getPipelineRun(runId)).status, 'Succeeded');
    const bad = await rejected(
      synapse.createRun(OOM_PIPELINE.name, {
        recovery: { referencePipelineRunId: ref, startActivityName: 'NoSuchActivity' },
      }),
    );
    assert.equal(bad.code, 'INVALID_INPUT');
  });

  it('cancelRun: Canceling, then Cancelled; cancelling a finished run is INVALID_INPUT', async () => {
    sim.state.configureRuns(AZURE_SIM.workspace, SALES_PIPELINE.compactionPipeline, {
      durationSec: 480,
      queuedSec: 5,
    });
    const runId = await synapse.createRun(SALES_PIPELINE.compactionPipeline, {
      parameters: { inputPath: `${SALES_PIPELINE.input}dt=2024-01-01/` },
    });
    sim.state.clock.advance(60_000);
    await synapse.cancelRun(runId);
    assert.equal((await synapse.getPipelineRun(runId)).status, 'Canceling');
    sim.state.clock.advance(10_000);
    assert.equal((await synapse.getPipelineRun(runId)).status, 'Cancelled');
    const acts = await synapse.queryActivityRuns(SALES_PIPELINE.compactionPipeline, runId);
    assert.equal(acts[0]!.status, 'Cancelled');
    const err = await rejected(synapse.cancelRun(runId));
    assert.equal(err.code, 'INVALID_INPUT');
  });
});

describe('Spark applications behind activities', () => {
  it('a Spark-job activity: monitoring entry and Livy batch (executors, cores, memory, timings, result)', async () => {
    const id = guidFrom(`${SALES_PIPELINE.name}#${SALES_PIPELINE.runs - 1}`);
    const [act] = await synapse.queryActivityRuns(SALES_PIPELINE.name, id);
    const { application, batch } = await synapse.sparkApplicationOf(act!);
    assert.equal(application?.sparkApplicationId, act!.spark?.appId);
    assert.equal(application?.state, 'Succeeded');
    assert.ok(application!.runningSec! > 1800 && application!.totalSec! >= application!.runningSec!);
    assert.equal(batch?.id, Number(act!.spark?.livyId));
    assert.equal(batch?.numExecutors, SALES_PIPELINE.numExecutors);
    assert.equal(batch?.executorCores, 8);
    assert.equal(batch?.executorMemory, '56g');
    assert.equal(batch?.result, 'Succeeded');
    assert.ok(batch!.runningAt! < batch!.endedAt!);
  });

  it('a notebook activity: the monitoring entry only (a Spark session, no Livy batch); a failed one carries its errors', async () => {
    const [act] = await synapse.queryActivityRuns(OOM_PIPELINE.name, guidFrom(`${OOM_PIPELINE.name}#13`));
    const { application, batch } = await synapse.sparkApplicationOf(act!);
    assert.equal(application?.jobType, 'Spark session');
    assert.equal(application?.state, 'Failed');
    assert.equal(batch, undefined);
    const { batches, total } = await synapse.listSparkBatches(AZURE_SIM.sparkPool, { size: 5 });
    assert.equal(batches.length, 5);
    assert.ok(total > 5);
  });

  it('an unknown Livy batch is NOT_FOUND from the flat {code,message} shape', async () => {
    const err = await rejected(synapse.getSparkBatch(AZURE_SIM.sparkPool, 999_999));
    assert.equal(err.code, 'NOT_FOUND');
    assert.match(err.message, /LivyBatchNotFound/);
    assert.deepEqual(sim.requests({ operation: 'GetSparkBatchJob' }).at(-1)!.status, 404);
  });

  it('monitoring durations parse as the API writes them', () => {
    assert.equal(parseMonitoringDuration('1h 2m 3s'), 3723);
    assert.equal(parseMonitoringDuration('45s'), 45);
    assert.equal(parseMonitoringDuration('553h 11m'), 553 * 3600 + 660);
    assert.equal(parseMonitoringDuration(''), undefined);
  });
});

describe('Synapse failures', () => {
  it('403 names the missing Synapse RBAC action (from the service message) and the role', async () => {
    sim.setFaults([{ service: 'synapse', operation: 'CreateRun', error: 'denied' }]);
    const err = await rejected(synapse.createRun(SALES_PIPELINE.name));
    assert.equal(err.code, 'ACCESS_DENIED');
    assert.equal(err.action, 'Microsoft.Synapse/workspaces/integrationRuntimes/useCompute/action');
    assert.match(err.message, /Synapse Compute Operator/);
    assert.equal(err.retryable, false);
  });

  it('403 in the flat shape is read the same way', async () => {
    sim.setFaults([{ service: 'synapse', operation: 'QueryActivityRuns', error: 'denied', flat: true }]);
    const err = await rejected(
      synapse.queryActivityRuns(OOM_PIPELINE.name, guidFrom(`${OOM_PIPELINE.name}#1`), {
        after: new Date(0),
        before: new Date(sim.state.now()),
      }),
    );
    assert.equal(err.code, 'ACCESS_DENIED');
    assert.equal(err.action, 'Microsoft.Synapse/workspaces/pipelines/viewOutputs/action');
  });

  it('429 with Retry-After is retried by the pipeline, and counted', async () => {
    sim.setFaults([
      { service: 'synapse', operation: 'GetPipelineRun', error: 'throttle', retryAfterSec: 0, count: 2 },
    ]);
    const c = client();
    const run = await c.getPipelineRun(guidFrom(`${OOM_PIPELINE.name}#3`));
    assert.equal(run.status, 'Succeeded');
    const s = c.rest.stats();
    assert.equal(s.calls, 1);
    assert.equal(s.attempts, 3);
    assert.equal(s.retries, 2);
    assert.equal(s.throttled, 2);
    assert.equal(sim.requests({ operation: 'GetPipelineRun' }).filter((r) => r.injected).length, 2);
  });

  it('throttling that does not stop is THROTTLED, retryable, after the retries', async () => {
    sim.setFaults([
      { service: 'synapse', operation: 'QueryPipelineRuns', error: 'throttle', retryAfterSec: 0 },
    ]);
    const err = await rejected(synapse.queryPipelineRuns({ ...window(), pipelineName: SALES_PIPELINE.name }));
    assert.equal(err.code, 'THROTTLED');
    assert.equal(err.retryable, true);
    assert.match(err.message, /after 4 attempts/);
  });

  it('5xx is retried; a workspace whose answers keep failing is UNAVAILABLE', async () => {
    sim.setFaults([{ service: 'synapse', operation: 'GetPipelineRun', error: 'internal', count: 1 }]);
    assert.equal((await synapse.getPipelineRun(guidFrom(`${OOM_PIPELINE.name}#2`))).status, 'Succeeded');
    sim.setFaults([{ service: 'synapse', operation: 'GetPipelineRun', error: 'internal' }]);
    const err = await rejected(synapse.getPipelineRun(guidFrom(`${OOM_PIPELINE.name}#2`)));
    assert.equal(err.code, 'UNAVAILABLE');
  });

  it('a workspace that does not answer (closed port, dropped connections) is UNAVAILABLE, naming the host', async () => {
    const port = await new Promise<number>((resolve) => {
      const s = createServer().listen(0, '127.0.0.1', () => {
        const p = (s.address() as { port: number }).port;
        s.close(() => resolve(p));
      });
    });
    const dead = client(`https://127.0.0.1:${port}/synapse/${AZURE_SIM.workspace}`);
    const err = await rejected(dead.listPipelineNames());
    assert.equal(err.code, 'UNAVAILABLE');
    assert.match(err.message, new RegExp(`127\\.0\\.0\\.1:${port} does not answer \\(ECONNREFUSED\\)`));
    sim.setFaults([{ service: 'synapse', operation: 'ListPipelines', error: 'drop' }]);
    const dropped = await rejected(synapse.listPipelineNames());
    assert.equal(dropped.code, 'UNAVAILABLE');
  });

  it('the workspace endpoint: name → https://{name}.dev.azuresynapse.net; workspaceEndpoint as given; bad names refused', () => {
    assert.equal(
      synapseWorkspaceEndpoint({ workspace: 'contoso-ws' }),
      'https://contoso-ws.dev.azuresynapse.net',
    );
    assert.equal(
      synapseWorkspaceEndpoint({ workspaceEndpoint: 'https://127.0.0.1:9/synapse/x/' }),
      'https://127.0.0.1:9/synapse/x',
    );
    assert.throws(() => synapseWorkspaceEndpoint({ workspace: 'Bad_Name' }), /not a Synapse workspace name/);
    assert.throws(() => synapseWorkspaceEndpoint({}), /needs `workspace` or `workspaceEndpoint`/);
  });

  it('every Synapse request carried a valid token; a token for another audience is refused (401)', async () => {
    assert.deepEqual(
      sim.requests({ service: 'synapse' }).filter((r) => r.status === 401),
      [],
    );
    const wrong = new AzureRestClient({
      credential: createAzureCredential(),
      scope: AZURE_SCOPES.arm,
      retry: FAST_RETRY,
    });
    const err = await rejected(
      wrong.send({
        method: 'GET',
        url: `${sim.workspaceEndpoint()}/pipelines?api-version=2020-12-01`,
        schema: z.unknown(),
        call: {
          service: 'Synapse',
          operation: 'listPipelines',
          subject: 'pipelines',
          action: 'Microsoft.Synapse/workspaces/artifacts/read',
          role: 'Synapse Artifact User',
        },
      }),
    );
    assert.equal(err.code, 'ACCESS_DENIED');
    assert.match(err.message, /rejected the token .*InvalidTokenAuthenticationAudience/);
  });
});
