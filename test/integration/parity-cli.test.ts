// `medic parity` as a real child process against the simulator: a job's staging definition
// against production's, read with the official Glue and S3 clients — a pair at parity, a pair
// that differs in worker type and script content, and the input errors.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSimulator, type Simulator } from '../../sim/index.js';
import type { ParityReport } from '../../src/domain/parity.js';

let sim: Simulator;
let config: string;
before(async () => {
  sim = await startSimulator();
  const now = sim.state.now();
  // A staging twin that has drifted: bigger workers, and a script edited in place in staging.
  sim.state.glue.addJob(
    {
      Name: 'MyJob-staging-old',
      WorkerType: 'G.2X',
      NumberOfWorkers: 10,
      Command: { Name: 'glueetl', ScriptLocation: 's3://aws-glue-scripts/staging/MyJob.py' },
      DefaultArguments: { ...sim.state.glue.jobs.get('MyJob')!.DefaultArguments },
    },
    now,
  );
  sim.state.s3.putObject(
    'aws-glue-scripts',
    'staging/MyJob.py',
    '# MyJob.py\nimport sys\nprint("hotfix")\n',
    {
      lastModified: now,
    },
  );
  config = join(mkdtempSync(join(tmpdir(), 'medic-parity-cli-')), 'medic.yml');
  writeFileSync(config, 'jobs:\n  MyJob:\n    stagingJob: MyJob-staging\n  HealthyJob: {}\n');
});
after(async () => {
  await sim.stop();
});

function medic(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
      env: { PATH: process.env.PATH, ...sim.env(), LOG_LEVEL: 'silent', MEDIC_CONFIG: config },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

test('medic parity MyJob: the configured staging job runs the same script on the same engine → exit 0', async () => {
  const r = await medic(['parity', 'MyJob', '--json']);
  assert.equal(r.code, 0, r.stderr);
  const report = JSON.parse(r.stdout) as ParityReport;
  assert.equal(report.prodJob, 'MyJob');
  assert.equal(report.stagingJob, 'MyJob-staging');
  assert.deepEqual(report.differences, []);
  assert.equal(report.atParity, true);
  // The output location and the bookmark option are the environment's own, named as such.
  assert.deepEqual(report.locations.sort(), ['job-bookmark-option', 'output_path']);
  assert.deepEqual(report.notes, []);

  const text = await medic(['parity', 'MyJob']);
  assert.equal(text.code, 0);
  assert.match(text.stdout, /MyJob-staging is at parity with MyJob/);
});

test('medic parity MyJob --staging MyJob-staging-old: worker type and script content differ → exit 3', async () => {
  const r = await medic(['parity', 'MyJob', '--staging', 'MyJob-staging-old', '--json']);
  assert.equal(r.code, 3, r.stderr);
  const report = JSON.parse(r.stdout) as ParityReport;
  const by = Object.fromEntries(report.differences.map((d) => [d.aspect, d]));
  assert.deepEqual(Object.keys(by).sort(), ['capacity', 'script']);
  assert.equal(by.capacity!.prod, '10 × G.1X');
  assert.equal(by.capacity!.staging, '10 × G.2X');
  assert.equal(by.capacity!.acknowledge, false);
  assert.equal(by.script!.what, 'script content');
  assert.match(by.script!.prod, /^s3:\/\/aws-glue-scripts\/MyJob\.py, sha256 [0-9a-f]{12}…/);
  assert.match(by.script!.staging, /^s3:\/\/aws-glue-scripts\/staging\/MyJob\.py, sha256 /);
  assert.equal(by.script!.acknowledge, true);
  assert.equal(report.needsAcknowledgement, true);

  const text = await medic(['parity', 'MyJob', '--staging', 'MyJob-staging-old']);
  assert.equal(text.code, 3);
  assert.match(text.stdout, /differs from MyJob in 2 ways \(runtime or script/);
  assert.match(text.stdout, /workers: production 10 × G\.1X; staging 10 × G\.2X/);
});

test('medic parity: a job without a staging job, an unknown job and bad usage are refused', async () => {
  const none = await medic(['parity', 'HealthyJob']);
  assert.equal(none.code, 2);
  assert.match(none.stderr, /HealthyJob has no staging job: set jobs\.HealthyJob\.stagingJob/);
  const unknown = await medic(['parity', 'MyJob', '--staging', 'NoSuchJob']);
  assert.equal(unknown.code, 1);
  assert.match(unknown.stderr, /NoSuchJob/);
  const usage = await medic(['parity']);
  assert.equal(usage.code, 2);
  assert.match(usage.stderr, /Usage: medic parity <job>/);
  const bad = await medic(['parity', 'MyJob', '--staging']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--staging needs a job name/);
});
