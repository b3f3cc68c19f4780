// Contract: DefaultAzureCredential (the product's only way to authenticate) against the simulator's
// managed-identity endpoint when that endpoint fails. Its own file: MSAL caches the managed-identity
// source and its tokens once per process, so the failures must come before any token is cached.
import '../support/azure.js';
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTrustedAzureSim } from '../support/azure.js';
import type { AzureSimulator } from '../../sim/azure/index.js';
import { AZURE_SIM } from '../../sim/azure/scenarios.js';
import { createAzureCredential } from '../../src/providers/azure/azure-credential.js';
import { createSynapseClient } from '../../src/providers/azure/synapse-client.js';
import { createLogAnalyticsClient } from '../../src/providers/azure/log-analytics-client.js';
import { ProviderError } from '../../src/providers/ports.js';

let sim: AzureSimulator;
const retry = { maxRetries: 1, retryDelayInMs: 10, maxRetryDelayInMs: 20 };

before(async () => {
  sim = await startTrustedAzureSim({ speed: 0 });
});
after(async () => {
  await sim?.stop();
});

async function failure(p: Promise<unknown>): Promise<ProviderError> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof ProviderError, String(e));
    return e;
  }
  assert.fail('expected a failure');
}

describe('a token that cannot be had', () => {
  it('the identity endpoint refuses: ACCESS_DENIED naming DefaultAzureCredential and ManagedIdentityCredential, no secret', async () => {
    sim.setFaults([
      {
        service: 'identity',
        error: 'BadRequest',
        status: 400,
        message: 'Unable to load the proper Managed Identity.',
      },
    ]);
    const synapse = createSynapseClient({
      endpoint: sim.workspaceEndpoint(),
      credential: createAzureCredential(),
      retry,
    });
    const err = await failure(synapse.listPipelineNames());
    assert.equal(err.code, 'ACCESS_DENIED');
    assert.match(
      err.message,
      /^no Azure token for https:\/\/dev\.azuresynapse\.net\/\.default: DefaultAzureCredential failed at ManagedIdentityCredential: Unable to load the proper Managed Identity\. \(unavailable: EnvironmentCredential/,
    );
    assert.match(err.message, /ManagedIdentityCredential/);
    assert.ok(!err.message.includes(sim.identityHeader), err.message);
    assert.ok(sim.requests({ service: 'identity' }).some((r) => r.injected));
    // The workspace never saw a request: no token, no call.
    assert.equal(sim.requests({ service: 'synapse' }).length, 0);
  });

  it('a token endpoint that fails once (500) is retried by the credential, and the call succeeds', async () => {
    sim.setFaults([{ service: 'identity', error: 'internal', status: 500, count: 1 }]);
    const logs = createLogAnalyticsClient({
      credential: createAzureCredential(),
      endpoint: sim.url,
      workspaceId: AZURE_SIM.logAnalyticsWorkspaceId,
      retry,
    });
    const tables = await logs.query('SparkLoggingEvent_CL | take 1', {
      start: new Date(0),
      end: new Date(sim.state.now()),
    });
    assert.equal(tables[0]?.rows.length, 1);
    const asked = sim
      .requests({ service: 'identity' })
      .filter((r) => r.params.resource === 'https://api.loganalytics.io');
    assert.deepEqual(
      asked.map((r) => r.status),
      [500, 200],
    );
  });

  it('once the endpoint answers, the same chain gets a token and the call succeeds', async () => {
    sim.setFaults([]);
    const synapse = createSynapseClient({
      endpoint: sim.workspaceEndpoint(),
      credential: createAzureCredential(),
      retry,
    });
    const names = await synapse.listPipelineNames();
    assert.ok(names.includes('SalesPipeline'));
  });
});
