// The shared request budget beyond Glue: S3 listings (AWS middleware after the SDK's retry) and
// Synapse data-plane calls (an @azure/core-rest-pipeline policy after the retry policy) of two
// processes' worth of clients — each its own Redis connection and its own SDK client — share
// one bucket per API and account and stay under the limit the simulator enforces (S3: 503
// SlowDown; Synapse: 429 with Retry-After). The controls run the same load without a budget.
//
// MSAL caches the managed-identity endpoint once per process: one Azure simulator for the file.
import '../support/azure.js';
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { startTrustedAzureSim } from '../support/azure.js';
import type { AzureSimulator } from '../../sim/azure/index.js';
import { AZURE_SIM, SALES_PIPELINE } from '../../sim/azure/scenarios.js';
import { SCENARIOS, startSimulator } from '../../sim/index.js';
import { createProviders } from '../../src/providers/registry.js';
import { createRequestBudget, type RequestBudget } from '../../src/providers/request-budget.js';
import { Env } from '../../src/config/env.js';
import { dropPrefix, redisUrl, testPrefix } from '../support/services.js';

/** The API's limit in the simulator, and the budget the bot is configured with below it. */
const LIMIT = { requestsPerSecond: 20, burst: 10 };
const BUDGET = { ratePerSecond: 15, burst: 5 };
const CALLS_PER_CLIENT = 30;
const FAST_RETRY = { maxRetries: 3, retryDelayInMs: 10, maxRetryDelayInMs: 50 };

type After = { after: (fn: () => Promise<void>) => void };

/** Two processes' worth of budgets: each its own Redis connection, one prefix (one account). */
function budgets(t: After, prefix: string): RequestBudget[] {
  const redises = [new Redis(redisUrl()), new Redis(redisUrl())];
  t.after(async () => {
    await dropPrefix(prefix);
    await Promise.all(redises.map((r) => r.quit()));
  });
  return redises.map((r) => createRequestBudget(r, prefix, BUDGET));
}

async function s3World(t: After, withBudget: boolean) {
  const sim = await startSimulator({ scenarios: [SCENARIOS.base], rateLimits: { s3: LIMIT } });
  const saved = { id: process.env.AWS_ACCESS_KEY_ID, secret: process.env.AWS_SECRET_ACCESS_KEY };
  process.env.AWS_ACCESS_KEY_ID = 'sim';
  process.env.AWS_SECRET_ACCESS_KEY = 'sim';
  const prefix = testPrefix('budget-s3');
  const env = Env.parse({ ...sim.env(), REDIS_URL: redisUrl(), MEDIC_PREFIX: prefix });
  const bs = budgets(t, prefix);
  const workers = bs.map((b) =>
    createProviders({ env, region: 'us-east-1', ...(withBudget ? { requestBudget: b } : {}) }),
  );
  t.after(async () => {
    for (const w of workers) w.close();
    await sim.stop();
    for (const [k, v] of [
      ['AWS_ACCESS_KEY_ID', saved.id],
      ['AWS_SECRET_ACCESS_KEY', saved.secret],
    ] as const)
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
  });
  const storm = () =>
    Promise.allSettled(
      workers.flatMap((w) =>
        Array.from({ length: CALLS_PER_CLIENT }, () =>
          w.objectStore('s3').listPage({ container: 'lake-raw', prefix: '' }),
        ),
      ),
    );
  const throttled = () =>
    sim.requests({ service: 's3', operation: 'ListObjectsV2' }).filter((r) => r.error === 'SlowDown');
  return { sim, budgets: bs, storm, throttled };
}

test('S3: two clients sharing one budget wait for tokens and are never throttled', async (t) => {
  const { sim, budgets: bs, storm, throttled } = await s3World(t, true);
  const results = await storm();
  assert.deepEqual(
    results.filter((r) => r.status === 'rejected'),
    [],
  );
  assert.equal(sim.requests({ service: 's3', operation: 'ListObjectsV2' }).length, 2 * CALLS_PER_CLIENT);
  assert.deepEqual(throttled(), []);
  assert.ok(bs.every((b) => b.stats().acquired === CALLS_PER_CLIENT && b.stats().waited > 0));
});

test('S3: without the budget the same load meets SlowDown (the control)', async (t) => {
  const { storm, throttled } = await s3World(t, false);
  await storm();
  assert.ok(throttled().length > 0, 'the simulator throttles a burst past its limit');
});

let azure: AzureSimulator | undefined;
after(async () => {
  await azure?.stop();
});

async function synapseWorld(t: After, withBudget: boolean) {
  azure ??= await startTrustedAzureSim({ speed: 0 });
  azure.reset();
  azure.setRateLimit('synapse', LIMIT);
  const sim = azure;
  t.after(async () => {
    sim.setRateLimit('synapse', undefined);
  });
  const prefix = testPrefix('budget-syn');
  const env = Env.parse({ ...sim.env(), REDIS_URL: redisUrl(), MEDIC_PREFIX: prefix });
  const bs = budgets(t, prefix);
  const job = {
    provider: 'synapse',
    workspace: AZURE_SIM.workspace,
    workspaceEndpoint: sim.workspaceEndpoint(),
  };
  const workers = bs.map((b) =>
    createProviders({
      env,
      jobs: { [SALES_PIPELINE.name]: job },
      azureRetry: FAST_RETRY,
      ...(withBudget ? { requestBudget: b } : {}),
    }),
  );
  t.after(async () => {
    for (const w of workers) w.close();
  });
  // The token of the managed identity first, so the storm is of data-plane calls only.
  await Promise.all(
    workers.map((w) => w.jobPlatform('synapse').listRuns(SALES_PIPELINE.name, { maxRuns: 1 })),
  );
  sim.setRateLimit('synapse', LIMIT); // a full bucket again
  sim.clearRequests();
  const before = bs.map((b) => b.stats().acquired);
  const storm = () =>
    Promise.allSettled(
      workers.flatMap((w) =>
        Array.from({ length: CALLS_PER_CLIENT }, () =>
          w.jobPlatform('synapse').listRuns(SALES_PIPELINE.name, { maxRuns: 5 }),
        ),
      ),
    );
  const synapseRequests = () => sim.requests({ service: 'synapse' });
  const throttled = () => synapseRequests().filter((r) => r.status === 429);
  return { budgets: bs, before, storm, synapseRequests, throttled };
}

test('Synapse: two clients sharing one budget per workspace wait for tokens and get no 429', async (t) => {
  const { budgets: bs, before, storm, synapseRequests, throttled } = await synapseWorld(t, true);
  const results = await storm();
  assert.deepEqual(
    results.filter((r) => r.status === 'rejected'),
    [],
  );
  assert.deepEqual(throttled(), []);
  // Every data-plane request took a token, and both clients had to wait for some.
  const taken = bs.reduce((n, b, i) => n + b.stats().acquired - before[i]!, 0);
  assert.equal(taken, synapseRequests().length);
  assert.ok(synapseRequests().length >= 2 * CALLS_PER_CLIENT);
  assert.ok(bs.every((b) => b.stats().waited > 0));
});

test('Synapse: without the budget the same load meets 429 TooManyRequests (the control)', async (t) => {
  const { storm, throttled } = await synapseWorld(t, false);
  await storm();
  assert.ok(throttled().length > 0, 'the simulator throttles a burst past its limit');
});
