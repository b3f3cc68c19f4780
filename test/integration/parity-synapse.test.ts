// Parity on Synapse (jobs/parity.ts through the Synapse adapter against the Azure simulator over
// HTTPS): the runtime is the Spark pool's sparkVersion and the script the Spark job definition's
// file, so a staging pipeline on a pool of another Spark version is a runtime difference the
// backfill approver must acknowledge — and the configured staging twin is at parity on both.
import '../support/azure.js';
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTrustedAzureSim } from '../support/azure.js';
import type { AzureSimulator } from '../../sim/azure/index.js';
import { AZURE_SIM, SALES_PIPELINE } from '../../sim/azure/scenarios.js';
import { loadConfig, type AppConfig } from '../../src/config/index.js';
import { createProviders } from '../../src/providers/registry.js';
import type { Providers } from '../../src/providers/ports.js';
import { gatherParity } from '../../jobs/parity.js';

const LEGACY = { pool: 'legacy33', pipeline: 'SalesPipeline-staging-legacy' };
let sim: AzureSimulator;
let config: AppConfig;
let providers: Providers;

before(async () => {
  sim = await startTrustedAzureSim({ speed: 0 });
  const ws = sim.state.workspace(AZURE_SIM.workspace);
  // A staging twin left on an older pool: same pipeline, same Spark job definition, Spark 3.3.
  sim.state.addPool(AZURE_SIM.workspace, LEGACY.pool, { sparkVersion: '3.3' });
  const staging = ws.pipelines.get(SALES_PIPELINE.stagingPipeline)!;
  sim.state.addPipeline(AZURE_SIM.workspace, {
    ...staging,
    name: LEGACY.pipeline,
    activities: staging.activities.map((a) => ({
      ...a,
      typeProperties: {
        ...a.typeProperties,
        sparkPool: { referenceName: LEGACY.pool, type: 'BigDataPoolReference' },
      },
    })),
  });
  const file = join(mkdtempSync(join(tmpdir(), 'medic-parity-synapse-')), 'medic.yml');
  const job = (name: string, extra = '') =>
    `  ${name}:\n    provider: synapse\n    workspace: ${AZURE_SIM.workspace}\n    workspaceEndpoint: ${sim.workspaceEndpoint()}\n${extra}`;
  writeFileSync(
    file,
    [
      'jobs:',
      job(SALES_PIPELINE.name, `    stagingJob: ${SALES_PIPELINE.stagingPipeline}\n`),
      job(SALES_PIPELINE.stagingPipeline),
      job(LEGACY.pipeline),
    ].join('\n'),
  );
  config = loadConfig({ ...sim.env(), MEDIC_CONFIG: file }, { requireSlack: false });
  providers = createProviders({
    env: config.env,
    jobs: config.medic.jobs,
    azureRetry: { maxRetries: 1, retryDelayInMs: 10, maxRetryDelayInMs: 20 },
  });
});
after(async () => {
  providers?.close();
  await sim?.stop();
});

test('Synapse parity: the configured staging pipeline runs the same Spark version and Spark job file', async () => {
  const out = await gatherParity({ config, providers }, SALES_PIPELINE.name);
  assert.ok(out.ok);
  const aspects = out.report.differences.map((d) => d.aspect);
  assert.ok(!aspects.includes('runtime'), JSON.stringify(out.report.differences));
  assert.ok(!aspects.includes('script'), JSON.stringify(out.report.differences));
  assert.equal(out.report.needsAcknowledgement, false, JSON.stringify(out.report.differences));
});

test('Synapse parity: a staging pipeline on a Spark 3.3 pool is a runtime difference to acknowledge', async () => {
  const out = await gatherParity({ config, providers }, SALES_PIPELINE.name, LEGACY.pipeline);
  assert.ok(out.ok);
  const runtime = out.report.differences.find((d) => d.aspect === 'runtime');
  assert.deepEqual(runtime, {
    aspect: 'runtime',
    what: 'runtime',
    prod: 'Spark 3.4',
    staging: 'Spark 3.3',
    acknowledge: true,
  });
  assert.equal(out.report.needsAcknowledgement, true);
  assert.equal(out.report.atParity, false);
  // Same Spark job definition: its file is not a difference, though its content is not read here.
  assert.ok(!out.report.differences.some((d) => d.aspect === 'script'));
  assert.ok(
    out.report.notes.some((n) => n.includes('jobs/SalesEtl/main.py')),
    out.report.notes.join('\n'),
  );
});
