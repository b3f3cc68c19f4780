// A worker killed (SIGKILL) in the middle of a snapshot, then a new worker: the flow resumes where
// it stopped and every object of the window is copied exactly once (the simulator counts copies).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { startSimulator, type Simulator } from '../../sim/index.js';
import { DAY } from '../../sim/scenarios.js';
import { FakeSlack } from '../support/fake-slack/index.js';
import { BOT_TOKEN, SIGNING_SECRET, testConfig } from '../support/medic.js';
import { dropPrefix, redisUrl, testPrefix } from '../support/services.js';
import { startMedic, type Medic } from '../../src/bootstrap.js';
import { createLogger } from '../../src/logger.js';
import { BackfillStore } from '../../src/store/backfills.js';
import { buildPlan, newRecord } from '../../src/domain/backfill-plan.js';
import { waitFor } from '../support/wait.js';

const YAML = `
slack:
  approvers: [U0APPROVER]
jobs:
  MyJob:
    input: s3://lake-raw/events/
    output: s3://lake-curated/events/
    stagingJob: MyJob-staging
    consumers: []
`;

let sim: Simulator;
let slack: FakeSlack;
const prefix = testPrefix('bfrestart');
let medic: Medic | undefined;
let child: ChildProcess | undefined;

before(async () => {
  sim = await startSimulator({ speed: 1000 });
  for (const [k, v] of Object.entries(sim.env())) process.env[k] = v;
  slack = await FakeSlack.start();
});

after(async () => {
  if (child && child.exitCode === null) child.kill('SIGKILL');
  await medic?.close();
  await slack.stop();
  await sim.stop();
  await dropPrefix(prefix);
});

test(
  'killed mid-snapshot and restarted: finishes with each object copied once',
  { timeout: 180_000 },
  async () => {
    const start = sim.state.now();
    const days = [12, 11, 10, 9, 8, 7].map((n) => new Date(start - n * DAY).toISOString().slice(0, 10));
    // Slow copies so the kill lands in the middle: 300 objects at 150 ms each.
    sim.setFaults([{ service: 's3', operation: 'CopyObject', latencyMs: 150 }]);
    const env = {
      ...process.env,
      ...sim.env(),
      MEDIC_ROLE: 'worker',
      MEDIC_PREFIX: prefix,
      REDIS_URL: redisUrl(),
      SLACK_BOT_TOKEN: BOT_TOKEN,
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_API_URL: slack.apiUrl,
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'silent',
      MEDIC_TEST_YAML: YAML,
    };
    child = spawn(process.execPath, ['--import', 'tsx', 'test/integration/backfill-worker.process.ts'], {
      env,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    await new Promise<void>((resolve) =>
      createInterface({ input: child!.stdout! }).on('line', (l) => {
        if (l.includes('"ready"')) resolve();
      }),
    );

    // The record and the first step, as the modal submission creates them.
    const config = testConfig({ env: sim.env(), yaml: YAML, slack, prefix });
    const web = await startMedic(
      { ...config, env: { ...config.env, MEDIC_ROLE: 'web' } },
      { logger: createLogger({ level: 'silent' }) },
    );
    const { Redis } = await import('ioredis');
    const redis = new Redis(redisUrl());
    const store = new BackfillStore(redis, prefix);
    const plan = buildPlan({
      id: 'bf-20260101-1',
      job: 'MyJob',
      provider: 'glue',
      env: 'dev',
      dryRun: true,
      from: days[0]!,
      to: days[days.length - 1]!,
      input: { scheme: 's3', container: 'lake-raw', prefix: 'events/' },
      production: { scheme: 's3', container: 'lake-curated', prefix: 'events/' },
      stagingJob: 'MyJob-staging',
      stagingRoot: { scheme: 's3', container: 'lake-staging', prefix: 'events/' },
      consumers: [],
      smallFileBytes: 32 * 1024 * 1024,
      requester: 'U0ONCALL',
      channel: 'C0DATAOPS',
      now: Date.now(),
    });
    assert.deepEqual(await store.create(newRecord(plan, Date.now())), { ok: true });
    await web.producers.enqueue(
      'backfill',
      { backfillId: plan.id, step: 'snapshot', polls: 0 },
      { jobId: `backfill-${plan.id}-snapshot` },
    );
    const snapCopies = () => sim.state.s3.copies.filter((c) => c.dstKey.startsWith(plan.snapshot.prefix));

    // Kill the worker once some — not all — objects are copied.
    await waitFor('40 copies', () => (snapCopies().length >= 40 ? true : undefined), 90_000);
    child.kill('SIGKILL');
    await new Promise((r) => child!.once('exit', r));
    const atKill = snapCopies().length;
    const recorded = await store.copiedCount(plan.id);
    assert.ok(atKill < 300, `killed mid-snapshot (${atKill} of 300 copied)`);
    assert.ok(recorded <= atKill);
    await web.close();

    // The dead worker's lock would expire after 30 s; drop it (as its expiry would) to keep the test short.
    await redis.del(`${prefix}:backfill:backfill-${plan.id}-snapshot:lock`);

    sim.setFaults([]);
    medic = await startMedic(
      { ...config, env: { ...config.env, MEDIC_ROLE: 'worker' } },
      {
        logger: createLogger({ level: 'silent' }),
        timings: { backfillPollMs: 200, backfillMaxPollMs: 1000 },
      },
    );
    const done = await waitFor(
      'the flow to go past the snapshot after the restart',
      async () => {
        const r = await store.get(plan.id);
        return r && r.steps['staging-run'].state === 'done' ? r : undefined;
      },
      150_000,
    );
    // (Production has Parquet for the last 5 days only, so this older window's quality step is not
    // the point here: the snapshot and the staging run after it are.)
    assert.equal(done.steps.snapshot.state, 'done');
    const sources = days.flatMap((d) =>
      Array.from(
        { length: 50 },
        (_, i) => `events/dt=${d}/part-${String(i).padStart(5, '0')}.snappy.parquet`,
      ),
    );
    // Each object once across the two workers: recorded copies are skipped, and copies that were in
    // flight at the kill are found at the destination (size + ETag) instead of being copied again.
    const counts = new Map<string, number>();
    for (const c of snapCopies()) counts.set(c.srcKey, (counts.get(c.srcKey) ?? 0) + 1);
    const twice = [...counts].filter(([, n]) => n > 1);
    for (const k of sources) assert.ok(counts.has(k), `copied: ${k}`);
    assert.equal(counts.size, 300);
    assert.deepEqual(twice, [], 'no object copied twice');
    assert.match(done.steps.snapshot.summary ?? '', /already done/);
    await redis.quit();
  },
);
