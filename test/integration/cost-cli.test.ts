// `medic cost` from a terminal, as a real child process against the simulator (no Slack, no Redis):
// the same figures as /cost, JSON for spreadsheets, and its input errors.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DPU_PER_WORKER, runSnapshot, startSimulator, type Simulator } from '../../sim/index.js';

let sim: Simulator;
let config: string;
before(async () => {
  sim = await startSimulator();
  config = join(mkdtempSync(join(tmpdir(), 'medic-cost-cli-')), 'medic.yml');
  writeFileSync(
    config,
    'jobs:\n  MyJob: {}\n  HealthyJob: {}\ncostControls:\n  requiredTags: [cost-center, owner]\n  budgets: [{ job: HealthyJob, monthlyUsd: 50 }]\n',
  );
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

test('medic cost HealthyJob --json: the total is the sum of its runs’ costs, with every day', async () => {
  const r = await medic(['cost', 'HealthyJob', '--days', '30', '--json']);
  assert.equal(r.code, 0, r.stderr);
  const g = JSON.parse(r.stdout) as {
    report: { totalUsd: number; runs: number; from: number; perDay: { day: string; usd: number }[] };
    budget: { monthlyUsd: number };
    tags: { state: string; tags: Record<string, string>; missing: string[] };
  };
  const now = sim.state.now();
  const runs = sim.state.glue
    .runsOf('HealthyJob')
    .filter((x) => x.startedAt >= g.report.from && runSnapshot(x, now).completedAt !== undefined);
  const expected = runs.reduce(
    (s, x) =>
      s +
      ((DPU_PER_WORKER[x.WorkerType!]! *
        x.NumberOfWorkers! *
        Math.max(runSnapshot(x, now).executionTimeSec, 60)) /
        3600) *
        0.44,
    0,
  );
  assert.equal(g.report.runs, runs.length);
  assert.ok(Math.abs(g.report.totalUsd - expected) < 0.005, `${g.report.totalUsd} ≠ ${expected}`);
  assert.equal(g.report.perDay.length, 30);
  assert.equal(g.budget.monthlyUsd, 50);
  assert.deepEqual(g.tags.missing, []);
});

test('medic cost of a tag prints the jobs by cost; a job lacking a tag gets the command', async () => {
  const r = await medic(['cost', 'cost-center=growth', '--days', '7']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /Cost of cost-center=growth, last 7 days/);
  assert.match(r.stdout, /Jobs tagged cost-center=growth \(\d+\), by cost:\n {2}MyJob /);
  const d = await medic(['cost', 'DownstreamJob']);
  assert.equal(d.code, 0, d.stderr);
  assert.match(
    d.stdout,
    /missing tags {2}owner; add with:\n {4}aws glue tag-resource .*--tags-to-add owner=VALUE/,
  );
});

test('medic cost: --days 0 and --days 4000 exit 2 with the usage; unknown job or tag exit 1 with suggestions', async () => {
  for (const [days, problem] of [
    ['0', /--days must be at least 1/],
    ['4000', /--days must be at most 366/],
  ] as const) {
    const r = await medic(['cost', 'MyJob', '--days', days]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, problem);
    assert.match(r.stderr, /Usage:/);
  }
  const job = await medic(['cost', 'HealthJob']);
  assert.equal(job.code, 1);
  assert.match(job.stderr, /No Glue job named HealthJob.*Did you mean HealthyJob/);
  const tag = await medic(['cost', 'cost-centre=growth']);
  assert.equal(tag.code, 1);
  assert.match(tag.stderr, /No job is tagged cost-centre=growth.*Did you mean cost-center=growth/);
});
