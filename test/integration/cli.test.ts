// `medic triage` and `medic smallfiles` from a terminal, as a real child process against the
// simulator (no Slack token, no Redis needed — except to share a configured request budget).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { startSimulator, type Simulator } from '../../sim/index.js';
import { dropPrefix, redisUrl, testPrefix } from '../support/services.js';

let sim: Simulator;
before(async () => {
  sim = await startSimulator();
});
after(async () => {
  await sim.stop();
});

function medic(
  args: string[],
  extraEnv: Record<string, string> = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
      env: {
        PATH: process.env.PATH,
        ...sim.env(),
        LOG_LEVEL: 'silent',
        MEDIC_PREFIX: 'cli-test',
        ...extraEnv,
      },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

test('medic triage MyJob prints the verdict, the problematic runs and the causes', async () => {
  const r = await medic(['triage', 'MyJob', '--input', 's3://lake-raw/events/']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /DEGRADED: MyJob/);
  for (const run of sim.state.glue.runsOf('MyJob').slice(0, 3)) assert.ok(r.stdout.includes(run.Id));
  assert.match(r.stdout, /Probable causes, ranked:\n {2}1\. .*small files/i);
});

test('medic triage --json gives the report model', async () => {
  const r = await medic(['triage', 'OomJob', '--json']);
  assert.equal(r.code, 0, r.stderr);
  const model = JSON.parse(r.stdout) as {
    verdict: { verdict: string };
    findings: { id: string }[];
    phasesMs: object;
  };
  assert.equal(model.verdict.verdict, 'FAILING');
  assert.equal(model.findings[0]?.id, 'memory');
  assert.ok('runs' in model.phasesMs);
});

test('an unknown job exits 1 with suggestions; bad flags exit 2 with the usage', async () => {
  const r = await medic(['triage', 'HealthJob']);
  assert.equal(r.code, 1);
  assert.match(r.stdout, /No Glue job named HealthJob/);
  assert.match(r.stdout, /HealthyJob/);
  const bad = await medic(['triage', 'MyJob', '--threshold', 'lots']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--threshold needs a number/);
  assert.match(bad.stderr, /Usage:/);
});

test('medic smallfiles prints the figures; --json parses', async () => {
  const r = await medic(['smallfiles', 's3://lake-raw/events/']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /files {9}2,450/);
  assert.match(r.stdout, /compaction warranted/);
  const j = await medic(['smallfiles', 's3://lake-raw/events/', '--json', '--threshold', '1MiB']);
  const result = JSON.parse(j.stdout) as {
    scan: { summary: { files: number; smallFiles: number; thresholdBytes: number } };
  };
  assert.equal(result.scan.summary.files, 2450);
  assert.equal(result.scan.summary.thresholdBytes, 1024 * 1024);
  assert.equal(result.scan.summary.smallFiles, 1000, 'only the newest partition has files under 1 MiB');
  const missing = await medic(['smallfiles', 's3://no-such-bucket/']);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /not found|does not exist/i);
});

/** A medic.yml whose request budget is 0.1 request/s (one token = 10 s) with a burst of 1,000. */
function budgetConfig(): string {
  const dir = mkdtempSync(join(tmpdir(), 'medic-cli-budget-'));
  const file = join(dir, 'medic.yml');
  writeFileSync(
    file,
    // S3 at the shared rate would get S3_SHARED_FLOOR: its own entry holds it to 0.1/s.
    'jobs: {}\nmonitor:\n  channel: C0ALERTS\n  maxRequestsPerSecond: 0.1\n  requestBurst: 1000\n  requestBudgets:\n    s3: { maxRequestsPerSecond: 0.1, requestBurst: 1000 }\n',
  );
  return file;
}

test("with a request budget and REDIS_URL the CLI's S3 calls take the bot's tokens in Redis", async (t) => {
  const prefix = testPrefix('cli-budget');
  const redis = new Redis(redisUrl());
  t.after(async () => {
    await dropPrefix(prefix);
    await redis.quit();
  });
  sim.clearRequests();
  const r = await medic(['smallfiles', 's3://lake-raw/events/'], {
    MEDIC_CONFIG: budgetConfig(),
    REDIS_URL: redisUrl(),
    MEDIC_PREFIX: prefix,
  });
  assert.equal(r.code, 0, r.stderr);
  assert.doesNotMatch(r.stderr, /request budget/);
  const calls = sim.requests({ service: 's3' }).length;
  assert.ok(calls > 0);
  // The bucket's theoretical arrival time moved one 10 s interval per call the CLI made.
  const tat = Number(await redis.get(`${prefix}:budget:s3:us-east-1`));
  const [sec, usec] = await redis.time();
  const ahead = tat - (Number(sec) * 1000 + Number(usec) / 1000);
  assert.equal(Math.ceil(ahead / 10_000), calls);
});

test('without REDIS_URL (or with Redis down) the CLI keeps the budget on its own and says so', async () => {
  const config = budgetConfig();
  const none = await medic(['smallfiles', 's3://lake-raw/events/'], { MEDIC_CONFIG: config });
  assert.equal(none.code, 0, none.stderr);
  assert.match(
    none.stderr,
    /REDIS_URL is not set: this command keeps the configured request budget on its own/,
  );
  assert.match(none.stdout, /files {9}2,450/);
  const down = await medic(['smallfiles', 's3://lake-raw/events/'], {
    MEDIC_CONFIG: config,
    REDIS_URL: 'redis://127.0.0.1:1',
  });
  assert.equal(down.code, 0, down.stderr);
  assert.match(down.stderr, /the shared request budget in Redis is unavailable .*keeps it on its own/);
  assert.match(down.stdout, /files {9}2,450/);
});
