// The request budget on Azure pipelines (requestBudgetPolicy in src/providers/azure/azure-rest.ts):
// placed after the retry policy, so every attempt — the first and each retry after a 429/503 —
// waits for a token before it is sent; and which rate each cloud API gets from medic.yml
// (budgetRates), the in-memory budget of a CLI without Redis, and the config's names.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  createHttpHeaders,
  type HttpClient,
  type PipelineRequest,
  type PipelineResponse,
} from '@azure/core-rest-pipeline';
import type { TokenCredential } from '@azure/core-auth';
import { LogsQueryClient } from '@azure/monitor-query-logs';
import { z } from 'zod';
import {
  addRequestBudget,
  AzureRestClient,
  REQUEST_BUDGET_POLICY,
} from '../../src/providers/azure/azure-rest.js';
import {
  budgetRates,
  S3_SHARED_FLOOR,
  BLOB_SHARED_FLOOR,
  createLocalRequestBudget,
} from '../../src/providers/request-budget.js';
import { parseConfigText } from '../../src/config/file.js';

const credential: TokenCredential = {
  getToken: async () => ({ token: 'token', expiresOnTimestamp: Date.now() + 3_600_000 }),
};

/** An HTTP client answering the given statuses in turn, logging each send into `log`. */
function scripted(statuses: number[], log: string[]): HttpClient {
  let i = 0;
  return {
    sendRequest: async (request: PipelineRequest): Promise<PipelineResponse> => {
      const status = statuses[Math.min(i++, statuses.length - 1)]!;
      log.push(`send ${status}`);
      return {
        request,
        status,
        headers: createHttpHeaders(status === 200 ? {} : { 'retry-after': '0' }),
        bodyAsText:
          status === 200 ? '{"ok":true}' : '{"error":{"code":"TooManyRequests","message":"slow down"}}',
      };
    },
  };
}

const call = {
  service: 'Synapse',
  operation: 'getPipeline',
  subject: 'pipeline P',
  action: 'Microsoft.Synapse/workspaces/artifacts/read',
  role: 'Synapse Artifact User',
};
const FAST = { maxRetries: 3, retryDelayInMs: 1, maxRetryDelayInMs: 2 };

test('every attempt takes a token before it is sent: the first and each retry after 429 and 503', async () => {
  const log: string[] = [];
  const client = new AzureRestClient({
    credential,
    scope: 'https://dev.azuresynapse.net/.default',
    retry: FAST,
    httpClient: scripted([429, 503, 200], log),
    budget: async () => {
      log.push('token');
    },
  });
  const res = await client.send({
    method: 'GET',
    url: 'https://ws.dev.azuresynapse.net/pipelines/P?api-version=2020-12-01',
    schema: z.object({ ok: z.boolean() }),
    call,
  });
  assert.equal(res.data.ok, true);
  assert.deepEqual(log, ['token', 'send 429', 'token', 'send 503', 'token', 'send 200']);
  assert.equal(client.stats().attempts, 3);
});

test('the policy sits after the retry policy in the Retry phase (inside its loop)', () => {
  const client = new AzureRestClient({ credential, scope: 's/.default', budget: async () => {} });
  const names = client.pipeline.getOrderedPolicies().map((p) => p.name);
  assert.ok(names.indexOf('defaultRetryPolicy') >= 0, names.join(', '));
  assert.ok(names.indexOf(REQUEST_BUDGET_POLICY) > names.indexOf('defaultRetryPolicy'), names.join(', '));
  // Without a budget there is no policy at all.
  const plain = new AzureRestClient({ credential, scope: 's/.default' });
  assert.ok(!plain.pipeline.getOrderedPolicies().some((p) => p.name === REQUEST_BUDGET_POLICY));
});

test("on the Log Analytics SDK's own pipeline the policy also follows its retry policy", () => {
  const sdk = new LogsQueryClient(credential, { endpoint: 'https://api.loganalytics.io/v1' });
  addRequestBudget(sdk.pipeline, async () => {});
  const names = sdk.pipeline.getOrderedPolicies().map((p) => p.name);
  assert.ok(names.indexOf('defaultRetryPolicy') >= 0, names.join(', '));
  assert.ok(names.indexOf(REQUEST_BUDGET_POLICY) > names.indexOf('defaultRetryPolicy'), names.join(', '));
});

test('a request waits for its token: nothing is sent until the budget lets it go', async () => {
  const log: string[] = [];
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const client = new AzureRestClient({
    credential,
    scope: 's/.default',
    httpClient: scripted([200], log),
    budget: () => gate,
  });
  const pending = client.send({
    method: 'GET',
    url: 'https://ws.dev.azuresynapse.net/pipelines/P',
    schema: z.object({ ok: z.boolean() }),
    call,
  });
  // Give the pipeline every chance to send: the token is not there, so it must not.
  for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
  assert.deepEqual(log, []);
  release();
  await pending;
  assert.deepEqual(log, ['send 200']);
});

test('budgetRates: the default for every API, one API overridden (rate and burst together) or left out', () => {
  assert.deepEqual(budgetRates(undefined), {});
  assert.deepEqual(budgetRates({}), {});
  const all = budgetRates({ maxRequestsPerSecond: 10, requestBurst: 4 });
  assert.deepEqual(Object.keys(all).sort(), [
    'arm',
    'blob',
    'cloudwatch',
    'glue',
    'loganalytics',
    'logs',
    's3',
    'synapse',
  ]);
  assert.deepEqual(all.glue, { ratePerSecond: 10, burst: 4 });
  // S3 at the shared rate gets at least its floor (a tenth of S3's documented 3,500 writes a second
  // per prefix); a higher shared rate stays; its own entry is taken as it is (below).
  assert.deepEqual(all.s3, S3_SHARED_FLOOR);
  // Blob likewise (a tenth of Azure's documented 20,000 requests a second per storage account).
  assert.deepEqual(all.blob, BLOB_SHARED_FLOOR);
  assert.deepEqual(
    budgetRates({ maxRequestsPerSecond: 10, requestBudgets: { blob: { maxRequestsPerSecond: 50 } } }).blob,
    { ratePerSecond: 50, burst: 50 },
    'its own entry as it is',
  );
  assert.deepEqual(budgetRates({ maxRequestsPerSecond: 1000, requestBurst: 50 }).s3, {
    ratePerSecond: 1000,
    burst: 100,
  });
  const mixed = budgetRates({
    maxRequestsPerSecond: 2.5,
    requestBudgets: {
      s3: { maxRequestsPerSecond: 100 },
      arm: false,
      synapse: { maxRequestsPerSecond: 8, requestBurst: 2 },
    },
  });
  assert.deepEqual(mixed.glue, { ratePerSecond: 2.5, burst: 2 }); // default burst: the rate, floored
  assert.deepEqual(mixed.s3, { ratePerSecond: 100, burst: 100 });
  assert.deepEqual(mixed.synapse, { ratePerSecond: 8, burst: 2 });
  assert.equal(mixed.arm, undefined);
  // Only one API budgeted, no default.
  assert.deepEqual(budgetRates({ requestBudgets: { glue: { maxRequestsPerSecond: 5 } } }), {
    glue: { ratePerSecond: 5, burst: 5 },
  });
});

test('the in-memory budget (a CLI without Redis): the burst goes at once, the next request waits its interval', async () => {
  const b = createLocalRequestBudget({ ratePerSecond: 50, burst: 3 });
  const waits = [];
  for (let i = 0; i < 4; i++) waits.push(await b.acquire('s3:us-east-1'));
  assert.deepEqual(waits.slice(0, 3), [0, 0, 0]);
  assert.ok(waits[3]! > 0 && waits[3]! <= 20, `waited ${waits[3]} ms`);
  // Another bucket is not held up by this one.
  assert.equal(await b.acquire('glue:us-east-1'), 0);
  assert.deepEqual(b.stats().acquired, 5);
});

test('medic.yml monitor.requestBudgets: the API names, a rate each or false; unknown names refused', () => {
  const base = `jobs: {}\nmonitor:\n  channel: C0ALERTS\n  maxRequestsPerSecond: 5\n`;
  const { config } = parseConfigText(
    `${base}  requestBudgets:\n    s3: { maxRequestsPerSecond: 200, requestBurst: 50 }\n    arm: false\n`,
    'dev',
  );
  assert.deepEqual(config.monitor?.requestBudgets, {
    s3: { maxRequestsPerSecond: 200, requestBurst: 50 },
    arm: false,
  });
  assert.throws(
    () => parseConfigText(`${base}  requestBudgets:\n    dynamodb: { maxRequestsPerSecond: 1 }\n`, 'dev'),
    /monitor\.requestBudgets/,
  );
  assert.throws(
    () => parseConfigText(`${base}  requestBudgets:\n    glue: { requestBurst: 3 }\n`, 'dev'),
    /monitor\.requestBudgets\.glue/,
  );
});
