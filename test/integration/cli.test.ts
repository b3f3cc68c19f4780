// `medic triage` and `medic smallfiles` from a terminal, as a real child process against the
// simulator (no Slack token, no Redis needed).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { startSimulator, type Simulator } from '../../sim/index.js';

let sim: Simulator;
before(async () => {
  sim = await startSimulator();
});
after(async () => {
  await sim.stop();
});

function medic(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
      env: { PATH: process.env.PATH, ...sim.env(), LOG_LEVEL: 'silent', MEDIC_PREFIX: 'cli-test' },
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
