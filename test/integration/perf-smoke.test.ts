// The perf-smoke gate (issue 14) through the real bot: `medic perf-smoke` asks the CI API for a
// staging run on a sample, the worker follows it on the simulator and judges it against the
// earlier smoke runs of that sample — the first sets the baseline (exit 0), one within the
// threshold passes (0), a slower one is degraded (5) with the figures printed; bad input exits 2.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { startSimulator, type Simulator } from '../../sim/index.js';
import { startTestMedic, type TestMedic } from '../support/medic.js';

const TOKEN = 'ci-token-perf-0123456789';
const SAMPLE = 's3://lake-raw/events/dt=2026-11-20/';
const YAML = `
jobs:
  MyJob:
    stagingJob: MyJob-staging
    input: s3://lake-raw/events/
    output: s3://lake-curated/events/
  NoStaging: { output: s3://lake-curated/x/ }
`;

let sim: Simulator;
let t: TestMedic;

before(async () => {
  sim = await startSimulator({ speed: 1000 });
  for (const [k, v] of Object.entries(sim.env())) process.env[k] = v;
  t = await startTestMedic({
    yaml: YAML,
    env: { ...sim.env(), MEDIC_API_TOKENS: `ci:${TOKEN}` },
    start: { timings: { mitigationPollMs: 100 } },
  });
});

after(async () => {
  await t?.stop();
  await sim?.stop();
});

function smoke(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'perf-smoke', ...args], {
      env: { PATH: process.env.PATH, MEDIC_URL: t.url, MEDIC_API_TOKEN: TOKEN, LOG_LEVEL: 'silent' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

const args = (over = '30%') => [
  '--job',
  'MyJob',
  '--sample',
  SAMPLE,
  '--max-over',
  over,
  '--wait',
  '120s',
  '--poll',
  '1s',
];

test('a first smoke run sets the baseline, the same time passes, a slower one is degraded (exit 5)', async () => {
  sim.state.glue.configureRuns('MyJob-staging', { durationSec: 600, outcome: 'SUCCEEDED' });
  const first = await smoke(args());
  assert.equal(first.code, 0, first.stderr + first.stdout);
  assert.match(first.stdout, /sets the baseline/);
  const started = sim.requests({ operation: 'StartJobRun' }).at(-1)!.params as {
    JobName: string;
    Arguments: Record<string, string>;
  };
  assert.equal(started.JobName, 'MyJob-staging');
  assert.equal(started.Arguments['--input_path'], SAMPLE, 'the run reads the sample');
  assert.match(started.Arguments['--output_path'] ?? '', /^s3:\/\/lake-curated\/events\/_perf-smoke\/smoke-/);
  assert.equal(
    started.Arguments['--job-bookmark-option'],
    'job-bookmark-disable',
    'isolated: no bookmark moves',
  );

  const same = await smoke(args());
  assert.equal(same.code, 0, same.stderr + same.stdout);
  assert.match(same.stdout, /within the 30% allowed/);

  sim.state.glue.configureRuns('MyJob-staging', { durationSec: 900 });
  const slow = await smoke(args());
  assert.equal(slow.code, 5, slow.stderr + slow.stdout);
  assert.match(slow.stdout, /\+50\.0%, over the 30% allowed/);
  assert.match(slow.stdout, /DEGRADED/);
  assert.match(slow.stdout, /cost \$\d+\.\d\d against \$\d+\.\d\d/);
});

test('a failed smoke run exits 1; bad input exits 2 and starts nothing', async () => {
  sim.state.glue.configureRuns('MyJob-staging', { durationSec: 60, outcome: 'FAILED' });
  const failed = await smoke(args());
  assert.equal(failed.code, 1, failed.stderr + failed.stdout);
  sim.state.glue.configureRuns('MyJob-staging', { outcome: 'SUCCEEDED' });
  const before = sim.requests({ operation: 'StartJobRun' }).length;
  const noJob = await smoke(['--job', 'Nope', '--sample', SAMPLE]);
  assert.equal(noJob.code, 2);
  assert.match(noJob.stderr, /no job Nope/);
  const noStaging = await smoke(['--job', 'NoStaging', '--sample', SAMPLE]);
  assert.equal(noStaging.code, 2);
  assert.match(noStaging.stderr, /needs stagingJob and output/);
  const badSample = await smoke(['--job', 'MyJob', '--sample', 'ftp://x/y']);
  assert.equal(badSample.code, 2);
  const badOver = await smoke(['--job', 'MyJob', '--sample', SAMPLE, '--max-over', 'lots']);
  assert.equal(badOver.code, 2);
  assert.equal(sim.requests({ operation: 'StartJobRun' }).length, before, 'nothing started for bad input');
});
