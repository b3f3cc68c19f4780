// The shared request budget (GCRA in Redis) on the Glue client: two processes' worth of clients —
// each its own Redis connection and its own SDK client — sharing one bucket stay under the
// account's rate, which the simulator enforces with ThrottlingException as Glue does.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { SCENARIOS, startSimulator } from '../../sim/index.js';
import { createProviders } from '../../src/providers/registry.js';
import { createRequestBudget } from '../../src/providers/request-budget.js';
import { Env } from '../../src/config/env.js';
import { dropPrefix, redisUrl, testPrefix } from '../support/services.js';

const { base, myJob, healthyJob } = SCENARIOS;
/** The account's limit in the simulator, and the budget the bot is configured with below it. */
const ACCOUNT = { requestsPerSecond: 20, burst: 10 };
const BUDGET = { ratePerSecond: 15, burst: 5 };
const CALLS_PER_CLIENT = 30;

async function setup(t: { after: (fn: () => Promise<void>) => void }, withBudget: boolean) {
  const sim = await startSimulator({ scenarios: [base, myJob, healthyJob], rateLimits: { glue: ACCOUNT } });
  // The SDK's default chain reads the credentials from the environment.
  const saved = { id: process.env.AWS_ACCESS_KEY_ID, secret: process.env.AWS_SECRET_ACCESS_KEY };
  process.env.AWS_ACCESS_KEY_ID = 'sim';
  process.env.AWS_SECRET_ACCESS_KEY = 'sim';
  const prefix = testPrefix('budget');
  const env = Env.parse({ ...sim.env(), REDIS_URL: redisUrl(), MEDIC_PREFIX: prefix });
  const redises = [new Redis(redisUrl()), new Redis(redisUrl())];
  // maxAttempts 1: a throttled call is not hidden by the SDK's retries.
  const budgets = redises.map((r) => createRequestBudget(r, prefix, BUDGET));
  const workers = budgets.map((b) =>
    createProviders({
      env,
      region: 'us-east-1',
      maxAttempts: 1,
      ...(withBudget ? { requestBudget: b } : {}),
    }),
  );
  t.after(async () => {
    for (const w of workers) w.close();
    await dropPrefix(prefix);
    await Promise.all(redises.map((r) => r.quit()));
    await sim.stop();
    for (const [k, v] of [
      ['AWS_ACCESS_KEY_ID', saved.id],
      ['AWS_SECRET_ACCESS_KEY', saved.secret],
    ] as const)
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
  });
  return { sim, workers, budgets };
}

/** Every client lists runs CALLS_PER_CLIENT times, all at once. */
async function storm(workers: ReturnType<typeof createProviders>[]) {
  return await Promise.allSettled(
    workers.flatMap((w) =>
      Array.from({ length: CALLS_PER_CLIENT }, (_, i) =>
        w.jobPlatform('glue').listRuns(i % 2 ? 'MyJob' : 'HealthyJob', { maxRuns: 5 }),
      ),
    ),
  );
}

test('two clients sharing one budget never exceed the account rate: no call is throttled', async (t) => {
  const { sim, workers, budgets } = await setup(t, true);
  const results = await storm(workers);
  const rejected = results.filter((r) => r.status === 'rejected');
  assert.deepEqual(rejected, []);
  const glue = sim.requests({ service: 'glue', operation: 'GetJobRuns' });
  assert.equal(glue.length, 2 * CALLS_PER_CLIENT);
  assert.deepEqual(
    glue.filter((r) => r.status !== 200).map((r) => r.error),
    [],
  );
  // Both clients had to wait for tokens (60 calls at 15/s with a burst of 5 cannot go at once).
  assert.ok(budgets.every((b) => b.stats().acquired === CALLS_PER_CLIENT && b.stats().waited > 0));
});

test('without the budget the same load is throttled by the account limit (the control)', async (t) => {
  const { sim, workers } = await setup(t, false);
  await storm(workers);
  const throttled = sim
    .requests({ service: 'glue', operation: 'GetJobRuns' })
    .filter((r) => r.error === 'ThrottlingException');
  assert.ok(throttled.length > 0, 'the simulator throttles a burst past its limit');
});

test('tryAcquire in Redis: takes a token only above the reserve, never waits, and leaves the reserve to acquire', async (t) => {
  const prefix = testPrefix('budget-try');
  const redises = [new Redis(redisUrl()), new Redis(redisUrl())];
  t.after(async () => {
    await dropPrefix(prefix);
    await Promise.all(redises.map((r) => r.quit()));
  });
  // Two processes' budgets on one bucket: 50 a minute, bursts of 8 (Slack's chat.update).
  const [a, b] = redises.map((r) => createRequestBudget(r, prefix, { ratePerSecond: 50 / 60, burst: 8 }));
  const taken = [];
  for (let i = 0; i < 6; i++)
    taken.push(await (i % 2 ? a! : b!).tryAcquire('slack-workspace:chat.update', 4));
  assert.deepEqual(taken, [true, true, true, true, false, false]);
  for (let i = 0; i < 4; i++) assert.equal(await (i % 2 ? a! : b!).acquire('slack-workspace:chat.update'), 0);
  assert.equal(
    await a!.tryAcquire('slack-workspace:chat.update'),
    false,
    'nothing left, not even without a reserve',
  );
});
