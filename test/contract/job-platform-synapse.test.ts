// The JobPlatform and LogSource port contract, run against the Synapse adapter (pipeline runs over
// the Synapse data plane, activity errors, Spark logs from Log Analytics) on the Azure simulator
// over HTTPS, authenticating with the real DefaultAzureCredential; then what is Synapse's own:
// capacity in vCores from the run's parameters, Studio links, the failed step, pool metrics, the
// parameter names matched to the pipeline's, a recovery rerun, the Spark pool's PUT.
//
// MSAL caches the managed-identity endpoint once per process, so every fixture shares one
// simulator, reset between tests.
import '../support/azure.js';
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { startTrustedAzureSim } from '../support/azure.js';
import type { AzureSimulator } from '../../sim/azure/index.js';
import { AZURE_SIM, OOM_PIPELINE, SALES_PIPELINE } from '../../sim/azure/scenarios.js';
import { guidFrom } from '../../sim/azure/state.js';
import { createAzureCredential } from '../../src/providers/azure/azure-credential.js';
import { createSynapsePlatform } from '../../src/providers/azure/synapse-platform.js';
import { createSynapseLogSource } from '../../src/providers/azure/synapse-logs.js';
import { createSynapseMetricsSource } from '../../src/providers/azure/synapse-metrics.js';
import { createLogAnalyticsClient } from '../../src/providers/azure/log-analytics-client.js';
import { createMonitorMetricsClient } from '../../src/providers/azure/monitor-metrics-client.js';
import { ProviderError, type PlannedAction } from '../../src/providers/ports.js';
import { runCost } from '../../src/domain/cost.js';
import { jobPlatformContract } from './ports/job-platform-contract.js';

const FAST_RETRY = { maxRetries: 2, retryDelayInMs: 10, maxRetryDelayInMs: 50 };
let shared: AzureSimulator | undefined;

async function sim(): Promise<AzureSimulator> {
  shared ??= await startTrustedAzureSim({ speed: 0, poolUpdateMs: 1000 });
  shared.reset();
  return shared;
}
after(async () => {
  await shared?.stop();
});

function adapters(s: AzureSimulator) {
  const credential = createAzureCredential();
  const ws = {
    provider: 'synapse',
    workspace: AZURE_SIM.workspace,
    workspaceEndpoint: s.workspaceEndpoint(),
  };
  const platform = createSynapsePlatform({
    credential,
    jobs: {
      [SALES_PIPELINE.name]: {
        ...ws,
        sparkPool: AZURE_SIM.sparkPool,
        compactionJob: SALES_PIPELINE.compactionPipeline,
        stagingJob: SALES_PIPELINE.stagingPipeline,
        consumers: [SALES_PIPELINE.consumer],
      },
      [OOM_PIPELINE.name]: ws,
      Orders: { ...ws, pipeline: OOM_PIPELINE.name },
    },
    azure: { subscriptionId: AZURE_SIM.subscriptionId, resourceGroup: AZURE_SIM.resourceGroup },
    armUrl: s.url,
    retry: FAST_RETRY,
    // Runs and definitions as the simulator has them now (its clock only moves when told).
    now: () => s.state.now(),
    definitionTtlMs: 0,
  });
  const logs = createSynapseLogSource({
    resolve: (job) => platform.resolve(job),
    clientFor: (t) => platform.clientFor(t.job),
    logAnalytics: (workspaceId) =>
      createLogAnalyticsClient({ credential, endpoint: s.url, workspaceId, retry: FAST_RETRY }),
    logAnalyticsWorkspaceId: AZURE_SIM.logAnalyticsWorkspaceId,
    now: () => s.state.now(),
  });
  const metrics = createSynapseMetricsSource({
    resolve: (job) => platform.resolve(job),
    definition: (job) => platform.definition(job),
    metrics: createMonitorMetricsClient({
      credential,
      armUrl: s.url,
      subscriptionId: AZURE_SIM.subscriptionId,
      resourceGroup: AZURE_SIM.resourceGroup,
      retry: FAST_RETRY,
    }),
  });
  return { platform, logs, metrics };
}

jobPlatformContract('Synapse on the Azure simulator', async () => {
  const s = await sim();
  const { platform, logs } = adapters(s);
  return {
    platform,
    logs,
    jobWithHistory: OOM_PIPELINE.name,
    startableJob: SALES_PIPELINE.stagingPipeline,
    startParameters: {
      output_path: 'abfss://lake@contosolake.dfs.core.windows.net/staging/sales/bf-1/',
      backfill_from: '2026-11-20',
    },
    advance: (ms) => s.state.clock.advance(ms),
    // 5 s queued (the simulator's default for new runs) + 1,250 s running.
    runTakesMs: 1_300_000,
    missingLogLocation: randomUUID(),
    close: async () => {},
  };
});

async function rejects(p: Promise<unknown>, code: ProviderError['code']): Promise<ProviderError> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof ProviderError, String(e));
    assert.equal(e.code, code, e.message);
    return e;
  }
  assert.fail(`expected ${code}`);
}

test('Synapse: runs in vCores from their parameters and the definition, costed, linked to Studio; no call per run', async () => {
  const s = await sim();
  const { platform } = adapters(s);
  s.clearRequests();
  const runs = await platform.listRuns(SALES_PIPELINE.name, { maxRuns: 100 });
  assert.equal(runs.length, SALES_PIPELINE.runs);
  // One definition and one page of runs: nothing per run.
  assert.deepEqual(
    s
      .requests({ service: 'synapse' })
      .map((r) => r.operation)
      .sort(),
    ['GetPipeline', 'QueryPipelineRuns'],
  );
  const newest = runs[0]!;
  assert.equal(newest.id, guidFrom(`${SALES_PIPELINE.name}#${SALES_PIPELINE.runs - 1}`));
  assert.equal(newest.state, 'succeeded');
  assert.equal(newest.platformState, 'Succeeded');
  // 4 Medium executors (8 vCores each) + a Medium driver.
  assert.deepEqual(newest.capacity, {
    unit: 'vCore',
    units: 40,
    shape: '4 × Medium executors',
    size: 'Medium',
    count: 4,
  });
  assert.equal(newest.billing?.rateName, 'Spark vCore-hour');
  assert.equal(newest.billing?.unitHourUsd, 0.143);
  // Two activities (LoadSales, PublishSales) at $0.001 each.
  assert.equal(newest.billing?.fixedUsd, 0.002);
  const cost = runCost(newest);
  assert.ok(Math.abs(cost.costUsd! - ((40 * newest.durationSec) / 3600) * 0.143 - 0.002) < 1e-9);
  assert.equal(newest.parameters.input_path, SALES_PIPELINE.input, 'inputPath under the core name');
  assert.equal(newest.parameters.numExecutors, '4', 'other parameters as the pipeline names them');
  assert.equal(
    newest.links?.consoleUrl,
    `https://ms.web.azuresynapse.net/en/monitoring/pipelineruns/${newest.id}?workspace=${encodeURIComponent(
      `/subscriptions/${AZURE_SIM.subscriptionId}/resourceGroups/${AZURE_SIM.resourceGroup}/providers/Microsoft.Synapse/workspaces/${AZURE_SIM.workspace}`,
    )}`,
  );
  assert.equal(platform.locationOf?.(SALES_PIPELINE.name), 'workspace contoso-ws');
  const def = await platform.getJob(SALES_PIPELINE.name);
  assert.equal(def.inputLocation, SALES_PIPELINE.input);
  assert.equal(def.outputLocation, SALES_PIPELINE.output);
  assert.equal(def.capacity?.units, 40);
});

test('Synapse: a failed run names the step it failed at; a job may name its pipeline', async () => {
  const s = await sim();
  const { platform } = adapters(s);
  const runs = await platform.listRuns('Orders', { maxRuns: 5 });
  const failed = runs[0]!;
  assert.equal(failed.state, 'failed');
  assert.equal(failed.jobName, 'Orders');
  assert.equal(failed.failedStep, OOM_PIPELINE.activity);
  assert.match(failed.errorMessage ?? '', /Container killed by YARN/);
  // 2 Small executors (4 vCores) + a Small driver.
  assert.equal(failed.capacity?.units, 12);
  assert.equal((await platform.getRun('Orders', failed.id)).failedStep, OOM_PIPELINE.activity);
  await rejects(platform.getRun(SALES_PIPELINE.name, failed.id), 'NOT_FOUND');
});

test('Synapse: a job with no workspace is INVALID_INPUT naming the key to set', async () => {
  const s = await sim();
  const credential = createAzureCredential();
  const two = createSynapsePlatform({
    credential,
    jobs: {
      A: { provider: 'synapse', workspace: 'ws-a' },
      B: { provider: 'synapse', workspace: 'ws-b' },
    },
  });
  const e = await rejects(two.listRuns('Unconfigured', { maxRuns: 5 }), 'INVALID_INPUT');
  assert.match(e.message, /jobs\.Unconfigured\.workspace/);
  const none = createSynapsePlatform({ credential });
  assert.match((await rejects(none.getJob('X'), 'INVALID_INPUT')).message, /set jobs\.X\.workspace/);
  // One workspace configured: a pipeline not in jobs: is looked up there (so "did you mean" works).
  const { platform } = adapters(s);
  await rejects(platform.getJob('SalesPipelin'), 'NOT_FOUND');
  assert.ok((await platform.listJobNames()).includes(SALES_PIPELINE.name));
});

test('Synapse: parameters are matched to the pipeline ignoring case and underscores; undeclared ones refused', async () => {
  const s = await sim();
  const { platform } = adapters(s);
  const id = await platform.startRun(SALES_PIPELINE.stagingPipeline, {
    parameters: {
      input_path: 'abfss://lake@contosolake.dfs.core.windows.net/snap/',
      backfill_to: '2026-11-21',
    },
  });
  const created = s.requests({ service: 'synapse', operation: 'CreateRun' }).at(-1)!;
  assert.deepEqual(created.params.body, {
    inputPath: 'abfss://lake@contosolake.dfs.core.windows.net/snap/',
    backfillTo: '2026-11-21',
  });
  assert.equal(
    (await platform.getRun(SALES_PIPELINE.stagingPipeline, id)).parameters.input_path,
    'abfss://lake@contosolake.dfs.core.windows.net/snap/',
  );
  const e = await rejects(
    platform.startRun(SALES_PIPELINE.stagingPipeline, { parameters: { nonsense: 'x' } }),
    'INVALID_INPUT',
  );
  assert.match(e.message, /declares no parameter nonsense/);
  // The backfill tag is optional: a consumer that does not declare it still runs.
  s.state.configureRuns(AZURE_SIM.workspace, SALES_PIPELINE.consumer, {});
  assert.ok(await platform.startRun(SALES_PIPELINE.consumer, { parameters: { medic_backfill: 'bf-1' } }));
});

test('Synapse mitigations: scale rerun, Spark settings, compaction, recovery rerun and the pool PUT', async () => {
  const s = await sim();
  const { platform } = adapters(s);
  /** Replays a planned call from its JSON (as the approval store keeps it); the createRun body sent. */
  const run = async (a: PlannedAction) => {
    assert.ok((await platform.execute(JSON.parse(JSON.stringify(a)) as PlannedAction)).runId);
    return s.requests({ service: 'synapse', operation: 'CreateRun' }).at(-1)!.params.body as Record<
      string,
      unknown
    >;
  };
  const [scale] = platform.planMitigation(OOM_PIPELINE.name, {
    kind: 'scale',
    size: 'Small',
    count: 4,
    persistent: false,
    fromSize: 'Small',
    fromCount: 2,
  })!;
  assert.equal(
    scale!.description,
    'synapse:createRun workspace=contoso-ws pipeline=OomPipeline parameters={numExecutors=4}',
  );
  assert.equal((await run(scale!)).numExecutors, 4, 'typed as the Int the pipeline declares');
  // A size the pipeline fixes in its activity cannot be changed by a parameter: refused, said why.
  const [bigger] = platform.planMitigation(OOM_PIPELINE.name, {
    kind: 'scale',
    size: 'Large',
    count: 4,
    persistent: false,
    fromSize: 'Small',
  })!;
  assert.match(
    (await rejects(platform.execute(bigger!), 'INVALID_INPUT')).message,
    /declares no parameter executorSize/,
  );
  const [tune] = platform.planMitigation(OOM_PIPELINE.name, {
    kind: 'shuffle-tuning',
    shufflePartitions: 400,
    skewJoin: true,
  })!;
  assert.deepEqual((await run(tune!)).sparkConf, {
    'spark.sql.shuffle.partitions': '400',
    'spark.sql.adaptive.enabled': 'true',
    'spark.sql.adaptive.skewJoin.enabled': 'true',
  });
  const [compact] = platform.planMitigation(SALES_PIPELINE.name, {
    kind: 'compaction',
    compactionJob: SALES_PIPELINE.compactionPipeline,
    inputLocation: SALES_PIPELINE.input,
    targetFileBytes: 512 * 1024 * 1024,
  })!;
  const c = await run(compact!);
  assert.equal(c.inputPath, SALES_PIPELINE.input);
  assert.equal(c.targetFileSizeMb, 512);

  const failedId = guidFrom(`${OOM_PIPELINE.name}#${OOM_PIPELINE.runs - 1}`);
  const [recover] = platform.planMitigation(OOM_PIPELINE.name, {
    kind: 'recovery-rerun',
    runId: failedId,
    step: OOM_PIPELINE.activity,
  })!;
  assert.match(
    recover!.description,
    /referencePipelineRunId=.* isRecovery=true startActivityName=TransformOrders/,
  );
  const out = await platform.execute(recover!);
  const q = s.requests({ service: 'synapse', operation: 'CreateRun' }).at(-1)!.params;
  assert.deepEqual(q.body, {}, "no parameters: Synapse reuses the failed run's");
  assert.equal(q.referencePipelineRunId, failedId);
  assert.equal(q.isRecovery, 'true');
  assert.equal(q.startActivityName, OOM_PIPELINE.activity);
  const rerun = await platform.getRun(OOM_PIPELINE.name, out.runId!);
  assert.equal(rerun.previousRunId, failedId, 'the recovery run joins the failed run’s group');

  assert.equal(platform.planMitigation(OOM_PIPELINE.name, { kind: 'bookmark-reset' }), undefined);

  const [pool] = platform.planMitigation(SALES_PIPELINE.name, {
    kind: 'scale',
    size: 'Large',
    count: 8,
    persistent: true,
  })!;
  assert.equal(pool!.effect, 'change');
  assert.match(pool!.summary ?? '', /every job that runs on it/);
  // The PUT is a long-running operation: move the clock while the adapter follows it.
  const tick = setInterval(() => s.state.clock.advance(500), 20);
  try {
    await platform.execute(pool!);
  } finally {
    clearInterval(tick);
  }
  const put = s.requests({ service: 'arm', operation: 'CreateOrUpdateBigDataPool' }).at(-1)!;
  const props = ((put.params.body as { properties?: Record<string, unknown> }).properties ?? {}) as Record<
    string,
    unknown
  >;
  assert.equal(props.nodeSize, 'Large');
  assert.equal((props.autoScale as { maxNodeCount?: number }).maxNodeCount, 8);
  assert.ok(props.sparkVersion, 'the rest of the resource written back');
});

test('Synapse metrics: the pool’s allocated vCores and memory over a run’s window', async () => {
  const s = await sim();
  const { platform, metrics } = adapters(s);
  const [newest] = await platform.listRuns(SALES_PIPELINE.name, { maxRuns: 1 });
  const [m] = await metrics.runMetrics(SALES_PIPELINE.name, [newest!]);
  const cores = m!.series.find((x) => x.name === 'allocatedCores');
  const memory = m!.series.find((x) => x.name === 'allocatedMemoryGb');
  assert.ok(cores && memory, JSON.stringify(m));
  assert.equal(Math.max(...cores.points.map((p) => p.value)), 40);
  // 4 × 56 GB executors + a 56 GB driver (the simulator's Medium memory).
  assert.equal(Math.max(...memory.points.map((p) => p.value)), 280);
  assert.equal(cores.unit, 'cores');
});

test('Synapse tags: the Spark pool’s Azure resource tags, and the az command that adds the missing ones', async () => {
  const s = await sim();
  const { platform } = adapters(s);
  assert.ok(platform.tags, 'Synapse has the tags capability');
  assert.deepEqual(await platform.tags.get(SALES_PIPELINE.name), {
    'cost-center': 'data-platform',
    owner: 'data-eng',
  });
  // A tag set on the pool through ARM (PATCH of tags, as `az resource tag` does) is what the bot reads next.
  s.state.workspace(AZURE_SIM.workspace).pools.get(AZURE_SIM.sparkPool)!.tags = { owner: 'data-eng' };
  assert.deepEqual(await platform.tags.get(SALES_PIPELINE.name), { owner: 'data-eng' });
  const poolId = `/subscriptions/${AZURE_SIM.subscriptionId}/resourceGroups/${AZURE_SIM.resourceGroup}/providers/Microsoft.Synapse/workspaces/${AZURE_SIM.workspace}/bigDataPools/${AZURE_SIM.sparkPool}`;
  assert.equal(
    await platform.tags.tagCommand(SALES_PIPELINE.name, ['cost-center', "team's"]),
    `az resource tag --is-incremental --ids ${poolId} --tags cost-center=VALUE 'team'\\''s=VALUE'`,
  );
  // No sparkPool configured: the pool comes from the pipeline's Spark activity.
  assert.deepEqual(await platform.tags.get('Orders'), { owner: 'data-eng' });
});

test('Synapse definition: the runtime is the Spark pool’s sparkVersion, the script the Spark job’s file or the notebook', async () => {
  const s = await sim();
  const { platform } = adapters(s);
  s.clearRequests();
  // A Spark-job activity: its definition's main file, on the activity's pool.
  const sales = await platform.getJob(SALES_PIPELINE.name);
  assert.equal(sales.runtime, 'Spark 3.4');
  assert.equal(
    sales.scriptLocation,
    `abfss://synapse@${AZURE_SIM.workspace}.dfs.core.windows.net/jobs/SalesEtl/main.py`,
  );
  assert.deepEqual(
    s
      .requests({ service: 'synapse' })
      .map((r) => r.operation)
      .sort(),
    ['GetBigDataPool', 'GetPipeline', 'GetSparkJobDefinition'],
  );
  // A notebook activity: the notebook is the script.
  const compaction = await platform.getJob(SALES_PIPELINE.compactionPipeline);
  assert.equal(compaction.runtime, 'Spark 3.4');
  assert.equal(compaction.scriptLocation, 'notebook CompactFiles');
  // Another pool version shows as another runtime.
  (
    s.state.workspace(AZURE_SIM.workspace).pools.get(AZURE_SIM.sparkPool)!.properties as Record<
      string,
      unknown
    >
  ).sparkVersion = '3.3';
  assert.equal((await platform.getJob(SALES_PIPELINE.name)).runtime, 'Spark 3.3');
});

test('Synapse definition: a Spark job definition that cannot be read leaves the script to the reference, never fails getJob', async () => {
  const s = await sim();
  const { platform } = adapters(s);
  s.setFaults([{ service: 'synapse', operation: 'GetSparkJobDefinition', error: 'denied' }]);
  const sales = await platform.getJob(SALES_PIPELINE.name);
  assert.equal(sales.runtime, 'Spark 3.4'); // the activity names its pool
  assert.equal(sales.scriptLocation, 'Spark job definition SalesEtl');
  // The pool cannot be read: the Spark job definition's requiredSparkVersion stands in; neither: no runtime.
  s.state.workspace(AZURE_SIM.workspace).sparkJobDefinitions.get('SalesEtl')!.requiredSparkVersion = '3.3';
  s.setFaults([{ service: 'synapse', operation: 'GetBigDataPool', error: 'denied' }]);
  assert.equal((await adapters(s).platform.getJob(SALES_PIPELINE.name)).runtime, 'Spark 3.3');
  s.setFaults([
    { service: 'synapse', operation: 'GetBigDataPool', error: 'denied' },
    { service: 'synapse', operation: 'GetSparkJobDefinition', error: 'denied' },
  ]);
  const def = await adapters(s).platform.getJob(SALES_PIPELINE.name);
  assert.equal(def.runtime, undefined);
  assert.ok(def.capacity, 'the rest of the definition is there');
});
