// The Synapse adapter's pure parts: states, sizing and cost from a pipeline definition and a run's
// parameters, parameter matching, job → workspace resolution, planned calls, Studio links.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  NODE_SIZES,
  resolveProperty,
  runSizing,
  synapseBilling,
  synapseCapacity,
  DEFAULT_SYNAPSE_PRICING,
} from '../../src/providers/azure/synapse-capacity.js';
import {
  coreParameters,
  defaultParameters,
  pipelineParameters,
  typedValue,
} from '../../src/providers/azure/synapse-parameters.js';
import { createSynapseJobResolver, workspaceNameOf } from '../../src/providers/azure/synapse-jobs.js';
import { failedActivityOf, synapseRunState } from '../../src/providers/azure/synapse-platform.js';
import { planSynapseMitigation } from '../../src/providers/azure/synapse-mitigations.js';
import { studioRunUrl } from '../../src/providers/azure/studio-links.js';
import { problemOf } from '../../src/providers/azure/synapse-logs.js';
import type { PipelineDefinition } from '../../src/providers/azure/synapse-client.js';
import { ProviderError } from '../../src/providers/ports.js';

const expr = (name: string) => ({ value: `@pipeline().parameters.${name}`, type: 'Expression' });

const DEF: PipelineDefinition = {
  name: 'SalesPipeline',
  parameters: {
    inputPath: { type: 'String', defaultValue: 'abfss://lake@acct.dfs.core.windows.net/raw/' },
    outputPath: { type: 'String', defaultValue: 'abfss://lake@acct.dfs.core.windows.net/out/' },
    numExecutors: { type: 'Int', defaultValue: 4 },
    sparkConf: { type: 'Object', defaultValue: {} },
    dryRun: { type: 'Bool', defaultValue: false },
  },
  activities: [
    {
      name: 'Small',
      type: 'SynapseNotebook',
      typeProperties: { executorSize: 'Small', numExecutors: 2, sparkPool: { referenceName: 'p2' } },
      sparkPool: 'p2',
    },
    {
      name: 'LoadSales',
      type: 'SparkJob',
      typeProperties: {
        executorSize: 'Medium',
        driverSize: 'Large',
        numExecutors: expr('numExecutors'),
        sparkPool: { referenceName: 'pool01' },
      },
      sparkPool: 'pool01',
    },
    { name: 'Publish', type: 'Copy', typeProperties: {} },
  ],
};

test('run states in the runbook’s words', () => {
  const table: [string, string][] = [
    ['Queued', 'queued'],
    ['InProgress', 'running'],
    ['Canceling', 'running'],
    ['Succeeded', 'succeeded'],
    ['Failed', 'failed'],
    ['Cancelled', 'cancelled'],
    ['SomethingNew', 'running'],
  ];
  for (const [s, want] of table) assert.equal(synapseRunState(s), want, s);
  assert.equal(failedActivityOf('Operation on target LoadSales failed: Py4JJavaError …'), 'LoadSales');
  assert.equal(failedActivityOf('Pipeline failed for another reason'), undefined);
});

test('node sizes as the Spark pool documentation gives them', () => {
  assert.deepEqual(Object.fromEntries(Object.entries(NODE_SIZES).map(([k, v]) => [k, v.vCores])), {
    Small: 4,
    Medium: 8,
    Large: 16,
    XLarge: 32,
    XXLarge: 64,
    XXXLarge: 80,
  });
});

test('sizing: the run’s parameters override the definition’s defaults; the largest Spark activity counts', () => {
  assert.equal(resolveProperty(expr('numExecutors'), { numExecutors: '8' }, DEF), '8');
  assert.equal(resolveProperty(expr('numExecutors'), {}, DEF), 4);
  assert.equal(resolveProperty('@concat(pipeline().parameters.x, 1)', {}, DEF), undefined);
  assert.equal(resolveProperty('Medium', {}, DEF), 'Medium');
  const s = runSizing(DEF, { numExecutors: '8' });
  assert.deepEqual(s, {
    activity: 'LoadSales',
    executorSize: 'Medium',
    driverSize: 'Large',
    numExecutors: 8,
    sparkPool: 'pool01',
  });
  // 8 × 8 vCores + a 16-vCore driver.
  assert.deepEqual(synapseCapacity(s), {
    unit: 'vCore',
    units: 80,
    shape: '8 × Medium executors + Large driver',
    size: 'Medium',
    count: 8,
  });
  assert.equal(synapseCapacity(runSizing(DEF, {})).units, 48);
  const billing = synapseBilling(s, DEF.activities.length, DEFAULT_SYNAPSE_PRICING);
  assert.deepEqual(
    { ...billing, unknownReason: undefined },
    {
      unitHourUsd: 0.143,
      rateName: 'Spark vCore-hour',
      minimumSec: 60,
      fixedUsd: 0.003,
      unknownReason: undefined,
    },
  );
  const noSpark = { ...DEF, activities: [DEF.activities[2]!] };
  assert.equal(runSizing(noSpark, {}), undefined);
  assert.equal(synapseCapacity(undefined).units, undefined);
  assert.match(synapseBilling(undefined, 1, DEFAULT_SYNAPSE_PRICING).unknownReason ?? '', /no notebook/);
});

test('parameters: matched ignoring case and underscores, typed as declared, the undeclared refused', () => {
  assert.deepEqual(
    pipelineParameters(
      { input_path: 's', NUM_EXECUTORS: '6', spark_conf: '{"a":"1"}', dry_run: 'TRUE' },
      DEF,
    ),
    { inputPath: 's', numExecutors: 6, sparkConf: { a: '1' }, dryRun: true },
  );
  assert.throws(
    () => pipelineParameters({ nope: '1', other: '2' }, DEF),
    (e: unknown) =>
      e instanceof ProviderError &&
      e.code === 'INVALID_INPUT' &&
      /declares no parameter nope, other/.test(e.message),
  );
  // The backfill tag is optional.
  assert.deepEqual(pipelineParameters({ medic_backfill: 'bf-1' }, DEF), {});
  assert.throws(() => typedValue('P', 'n', 'Int', '1.5'), /is an Int/);
  assert.throws(() => typedValue('P', 'c', 'Object', '[1]'), /JSON object/);
  assert.deepEqual(typedValue('P', 'a', 'Array', '[1]'), [1]);
  assert.equal(typedValue('P', 'f', 'Float', '0.5'), 0.5);
  assert.deepEqual(
    coreParameters({ inputPath: 'i', OutputPath: 'o', medicBackfill: 'b', numExecutors: '4' }),
    {
      input_path: 'i',
      output_path: 'o',
      medic_backfill: 'b',
      numExecutors: '4',
    },
  );
  assert.deepEqual(defaultParameters(DEF), {
    input_path: 'abfss://lake@acct.dfs.core.windows.net/raw/',
    output_path: 'abfss://lake@acct.dfs.core.windows.net/out/',
    numExecutors: '4',
    sparkConf: '{}',
    dryRun: 'false',
  });
});

test('jobs → workspaces: own, the parent job’s for its companions, the only one, else which key to set', () => {
  const r = createSynapseJobResolver({
    Sales: {
      provider: 'synapse',
      workspace: 'contoso-ws',
      sparkPool: 'pool01',
      compactionJob: 'Sales-compaction',
      consumers: ['Downstream'],
    },
    Orders: {
      provider: 'synapse',
      workspaceEndpoint: 'https://127.0.0.1:9443/synapse/contoso-ws',
      pipeline: 'OrdersPipeline',
    },
    GlueJob: { provider: 'glue' },
  });
  assert.deepEqual(r.resolve('Sales'), {
    job: 'Sales',
    pipeline: 'Sales',
    workspace: 'contoso-ws',
    endpoint: 'https://contoso-ws.dev.azuresynapse.net',
    sparkPool: 'pool01',
  });
  assert.deepEqual(r.resolve('Orders'), {
    job: 'Orders',
    pipeline: 'OrdersPipeline',
    workspace: 'contoso-ws',
    endpoint: 'https://127.0.0.1:9443/synapse/contoso-ws',
  });
  assert.equal(r.resolve('Sales-compaction').endpoint, 'https://contoso-ws.dev.azuresynapse.net');
  assert.equal(r.resolve('Downstream').sparkPool, undefined, 'a companion’s pool is its own');
  assert.throws(
    () => r.resolve('Unknown'),
    (e: unknown) =>
      e instanceof ProviderError && e.code === 'INVALID_INPUT' && /jobs\.Unknown\.workspace/.test(e.message),
  );
  assert.equal(r.workspaces().length, 2);
  const one = createSynapseJobResolver({ A: { provider: 'synapse', workspace: 'ws-one' } });
  assert.equal(one.resolve('Typo').endpoint, 'https://ws-one.dev.azuresynapse.net');
  assert.equal(workspaceNameOf({ workspaceEndpoint: 'https://ws-x.dev.azuresynapse.net' }), 'ws-x');
  assert.equal(workspaceNameOf({ workspaceEndpoint: 'https://localhost:1/synapse/ws-y' }), 'ws-y');
});

test('planned calls describe themselves exactly, and what Synapse cannot do is undefined', () => {
  const targetOf = createSynapseJobResolver({
    Sales: { provider: 'synapse', workspace: 'contoso-ws', sparkPool: 'pool01' },
  });
  const of = (job: string) => {
    try {
      return targetOf.resolve(job);
    } catch {
      return undefined;
    }
  };
  const d = (p: Parameters<typeof planSynapseMitigation>[1]) =>
    planSynapseMitigation('Sales', p, of)?.map((a) => a.description);
  assert.deepEqual(d({ kind: 'scale', size: 'Medium', count: 8, persistent: false, fromSize: 'Medium' }), [
    'synapse:createRun workspace=contoso-ws pipeline=Sales parameters={numExecutors=8}',
  ]);
  assert.deepEqual(d({ kind: 'scale', size: 'Large', count: 8, persistent: false }), [
    'synapse:createRun workspace=contoso-ws pipeline=Sales parameters={numExecutors=8, executorSize=Large}',
  ]);
  assert.deepEqual(d({ kind: 'shuffle-tuning', shufflePartitions: 300, skewJoin: false }), [
    'synapse:createRun workspace=contoso-ws pipeline=Sales parameters={sparkConf={"spark.sql.shuffle.partitions":"300"}}',
  ]);
  assert.deepEqual(
    d({
      kind: 'compaction',
      compactionJob: 'Sales-compaction',
      inputLocation: 'abfss://l@a.dfs.core.windows.net/x/',
      targetFileBytes: 256 * 2 ** 20,
    }),
    [
      'synapse:createRun workspace=contoso-ws pipeline=Sales-compaction parameters={inputPath=abfss://l@a.dfs.core.windows.net/x/, targetFileSizeMb=256}',
    ],
  );
  assert.deepEqual(d({ kind: 'recovery-rerun', runId: 'r-1', step: 'LoadSales' }), [
    "synapse:createRun workspace=contoso-ws pipeline=Sales referencePipelineRunId=r-1 isRecovery=true startActivityName=LoadSales (the failed run's own parameters)",
  ]);
  const [pool] = planSynapseMitigation(
    'Sales',
    { kind: 'scale', size: 'Large', count: 6, persistent: true },
    of,
  )!;
  assert.equal(pool?.operation, 'arm:bigDataPools/write');
  assert.equal(pool?.effect, 'change');
  assert.match(
    pool?.description ?? '',
    /bigDataPools\/pool01\?api-version=2021-06-01 for Sales: properties\.nodeSize=Large, nodeCount=6/,
  );
  assert.equal(d({ kind: 'bookmark-reset' }), undefined);
  assert.deepEqual(d({ kind: 'code-fix', owner: 'U0X', description: 'x' }), []);
});

test('Studio links and problems', () => {
  assert.equal(studioRunUrl('r 1'), 'https://ms.web.azuresynapse.net/en/monitoring/pipelineruns/r%201');
  assert.equal(
    studioRunUrl('r1', { subscriptionId: 's', resourceGroup: 'g', workspace: 'w' }),
    'https://ms.web.azuresynapse.net/en/monitoring/pipelineruns/r1?workspace=%2Fsubscriptions%2Fs%2FresourceGroups%2Fg%2Fproviders%2FMicrosoft.Synapse%2Fworkspaces%2Fw',
  );
  const denied = new ProviderError(
    'ACCESS_DENIED',
    'access denied: Log Analytics query on x needs Microsoft.OperationalInsights/workspaces/query/read (role Log Analytics Reader) (InsufficientAccessError)',
    { action: 'Microsoft.OperationalInsights/workspaces/query/read' },
  );
  assert.equal(
    problemOf(denied, 'Log Analytics').message,
    'Log Analytics: access denied (Microsoft.OperationalInsights/workspaces/query/read; role Log Analytics Reader)',
  );
});
