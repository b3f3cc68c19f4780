// /cost's figures (src/domain/cost-report.ts) and the cost impact of mitigations
// (src/domain/mitigation-cost.ts). Expected amounts are worked out by hand: DPU × hours × rate.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { costReport, windowStart, degradedRunsExtraCost } from '../../src/domain/cost-report.js';
import { mitigationCostImpact, medianRunCostUsd } from '../../src/domain/mitigation-cost.js';
import type { RunRecord, RunState } from '../../src/domain/run-record.js';
import type { MitigationParams } from '../../src/domain/approval-policy.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const utc = (s: string) => Date.parse(s);
const RULE = { thresholdPct: 30, consecutiveRuns: 3, baselineRuns: 10 };

let seq = 0;
function run(at: number, sec: number, o: { state?: RunState; dpu?: number; flex?: boolean } = {}): RunRecord {
  return {
    id: `jr_${++seq}`,
    state: o.state ?? 'succeeded',
    startedOn: new Date(at),
    durationSec: sec,
    capacity: {
      unit: 'DPU',
      units: o.dpu ?? 10,
      shape: `${o.dpu ?? 10} × G.1X`,
      size: 'G.1X',
      count: o.dpu ?? 10,
    },
    billing: { unitHourUsd: o.flex ? 0.29 : 0.44, rateName: o.flex ? 'Flex' : 'standard', minimumSec: 60 },
  };
}

function daily(
  first: string,
  n: number,
  sec: (i: number) => number,
  o: (i: number) => Parameters<typeof run>[2] = () => ({}),
) {
  return Array.from({ length: n }, (_, i) => run(utc(first) + i * DAY, sec(i), o(i)));
}

const close = (a: number | undefined, e: number, what: string) => {
  assert.ok(a !== undefined && Math.abs(a - e) < 1e-9, `${what}: ${a} ≠ ${e}`);
};

test('the window is the last N UTC days, today included', () => {
  const now = utc('2026-11-27T15:00:00Z');
  assert.equal(windowStart(now, 1), utc('2026-11-27T00:00:00Z'));
  assert.equal(windowStart(now, 30), utc('2026-10-29T00:00:00Z'));
});

test('a job over 10 days: total, DPU-hours, per day, failed share, cost per run and its trend', () => {
  const now = utc('2026-11-20T12:00:00Z');
  // 20 daily runs from Nov 1, 02:00; the window (10 days) holds Nov 11–20.
  // Nov 1–15: 1 h (10 DPU-h, $4.40); Nov 16–20: 2 h ($8.80); Nov 13 failed after 30 min ($2.20).
  const runs = daily(
    '2026-11-01T02:00:00Z',
    20,
    (i) => (i === 12 ? 1800 : i >= 15 ? 7200 : 3600),
    (i) => ({ state: i === 12 ? 'failed' : 'succeeded' }),
  );
  const r = costReport({ days: 10, now, jobs: [{ job: 'J', runs, rule: RULE }] });
  assert.equal(r.from, utc('2026-11-11T00:00:00Z'));
  assert.equal(r.runs, 10);
  const total = 4 * 4.4 + 2.2 + 5 * 8.8; // Nov 11, 12, 14, 15 + the failed 13th + Nov 16–20
  close(r.totalUsd, total, 'total');
  close(r.unitHours, 4 * 10 + 5 + 5 * 20, 'DPU-hours');
  assert.equal(r.unit, 'DPU');
  assert.equal(r.perDay.length, 10);
  assert.equal(r.perDay[0]!.day, '2026-11-11');
  close(r.perDay[2]!.usd, 2.2, 'Nov 13');
  close(r.perDay[2]!.failedUsd, 2.2, 'Nov 13 failed');
  close(
    r.perDay.reduce((s, d) => s + d.usd, 0),
    total,
    'days sum to the total',
  );
  assert.deepEqual(r.failed.runs, 1);
  close(r.failed.share, 2.2 / total, 'failed share');
  // Costs in order: 4.4 4.4 2.2 4.4 4.4 | 8.8 ×5 → median of all 10 = (4.4 + 8.8) / 2.
  close(r.costPerRun.medianUsd, 6.6, 'median');
  close(r.costPerRun.earlierMedianUsd, 4.4, 'older half');
  close(r.costPerRun.laterMedianUsd, 8.8, 'newer half');
  close(r.costPerRun.trendPct, 100, 'trend');
  assert.deepEqual(
    r.jobs.map((j) => [j.job, j.runs]),
    [['J', 10]],
  );
});

test("the degradation's extra cost: each slow run against the successful runs before it", () => {
  const now = utc('2026-11-20T12:00:00Z');
  // 15 runs of 1 h, then 5 of 2 h (100% over: degraded at a 30% threshold) — the first 5 of the
  // slow ones judged against the 10 runs of 1 h before them... until the slow runs become the
  // median of the last 10, which they never do within 5 runs.
  const runs = daily('2026-11-01T02:00:00Z', 20, (i) => (i >= 15 ? 7200 : 3600));
  const extra = degradedRunsExtraCost(runs, RULE, utc('2026-11-11T00:00:00Z'));
  assert.equal(extra.size, 5);
  for (const x of extra.values()) close(x.extraUsd, 4.4, 'each slow run cost one more hour');
  const r = costReport({ days: 10, now, jobs: [{ job: 'J', runs, rule: RULE }] });
  close(r.degradation.extraUsd, 5 * 4.4, 'extra');
  close(r.degradation.extraUnitHours, 5 * 10, 'extra DPU-hours');
  assert.equal(r.degradation.runs, 5);
  // Without enough history before it (5 runs, the rule needs 5 successful), nothing is judged.
  const young = daily('2026-11-15T02:00:00Z', 6, (i) => (i === 5 ? 7200 : 3600));
  assert.equal(degradedRunsExtraCost(young.slice(0, 5), RULE, 0).size, 0);
  assert.equal(degradedRunsExtraCost(young, RULE, 0).size, 1);
});

test('a tag: the jobs by cost with their share; in-progress and unknown runs apart', () => {
  const now = utc('2026-11-20T12:00:00Z');
  const big = daily(
    '2026-11-18T02:00:00Z',
    3,
    () => 3600,
    () => ({ dpu: 20 }),
  ); // $8.80 each
  const small = daily(
    '2026-11-18T03:00:00Z',
    3,
    () => 3600,
    (i) => ({ flex: true, state: i === 2 ? 'running' : 'succeeded' }),
  );
  const unknown = { ...run(utc('2026-11-19T04:00:00Z'), 3600), capacity: { unit: 'DPU' } } as RunRecord;
  const r = costReport({
    days: 30,
    now,
    jobs: [
      { job: 'Small', runs: [...small, unknown], rule: RULE },
      { job: 'Big', runs: big, rule: RULE },
      { job: 'Idle', runs: [], rule: RULE },
    ],
  });
  close(r.totalUsd, 3 * 8.8 + 2 * 2.9, 'total');
  assert.equal(r.runsInProgress, 1);
  assert.equal(r.runsWithoutCost, 1);
  assert.equal(r.runs, 6, 'completed runs, the unknown one included');
  assert.deepEqual(
    r.jobs.map((j) => j.job),
    ['Big', 'Small'],
  );
  close(r.jobs[0]!.share, 26.4 / 32.2, 'share');
  assert.equal(r.costPerRun.trendPct !== undefined, true);
});

test('a window with no runs: zeros, no median, every day present', () => {
  const r = costReport({
    days: 7,
    now: utc('2026-11-20T12:00:00Z'),
    jobs: [{ job: 'J', runs: [], rule: RULE }],
  });
  assert.equal(r.totalUsd, 0);
  assert.equal(r.costPerRun.medianUsd, undefined);
  assert.equal(r.perDay.length, 7);
  assert.equal(r.failed.share, 0);
});

// ---------------------------------------------------------------------------------------------
// Cost impact of a mitigation, shown on the approval request

const HISTORY = daily('2026-11-01T02:00:00Z', 14, (i) => (i >= 11 ? 7200 : 3600)); // 3 slow runs at the end

const IMPACTS: {
  name: string;
  params: MitigationParams;
  newUnits?: number;
  expectUsd?: number;
  text: RegExp;
}[] = [
  {
    name: 'a shuffle-tuning rerun costs the median run',
    params: { kind: 'shuffle-tuning', shufflePartitions: 400, skewJoin: false },
    expectUsd: 4.4,
    text: /One rerun: about \$4\.40 \(median cost of the last 14 runs of MyJob\)/,
  },
  {
    name: 'scaling to 20 × G.1X: 20 DPU × the 1 h baseline × $0.44',
    params: { kind: 'scale', size: 'G.1X', count: 20, persistent: false, fromSize: 'G.1X', fromCount: 10 },
    newUnits: 20,
    expectUsd: 8.8,
    text: /One rerun at 20 × G\.1X: about \$8\.80 a run \(20 DPU × 1h 00m baseline × \$0\.44\/DPU-h standard\); runs now cost \$4\.40 median at 10 × G\.1X/,
  },
  {
    name: 'a persistent scale also says what it adds a month at the job’s pace',
    params: { kind: 'scale', size: 'G.2X', count: 10, persistent: true, fromSize: 'G.1X', fromCount: 10 },
    newUnits: 20,
    expectUsd: 8.8,
    // +$4.40 a run, a run a day: 30 × $4.40
    text: /Every later run at 10 × G\.2X: about \$8\.80 a run .* About \+\$132\.00 a month at the job's pace \(a run every 24h 00m\)/,
  },
  {
    name: 'a scale the platform cannot size is unknown, never a guess',
    params: { kind: 'scale', size: 'X.9X', count: 3, persistent: false },
    text: /unknown — the platform does not say how much capacity 3 × X\.9X holds/,
  },
  {
    name: 'a recovery rerun costs at most a full run (the steps before it are skipped)',
    params: { kind: 'recovery-rerun', runId: 'run-1', step: 'LoadSales' },
    expectUsd: 4.4,
    text: /One rerun from LoadSales: at most about \$4\.40 \(median cost of the last 14 runs of MyJob; the steps before it are not run again\)/,
  },
  {
    name: 'a bookmark reset starts nothing',

    params: { kind: 'bookmark-reset' },
    text: /^No cost now: no run is started/,
  },
  {
    name: 'a code fix runs nothing',
    params: { kind: 'code-fix', owner: 'U0OWNER', description: 'fix the join' },
    text: /^No cost: nothing runs in the cloud/,
  },
];

for (const c of IMPACTS) {
  test(`cost impact: ${c.name}`, () => {
    const impact = mitigationCostImpact({
      job: 'MyJob',
      params: c.params,
      runs: HISTORY,
      rule: RULE,
      ...(c.newUnits !== undefined ? { newUnits: c.newUnits } : {}),
    });
    assert.match(impact.summary, c.text);
    if (c.expectUsd === undefined) assert.equal(impact.expectedUsd, undefined);
    else close(impact.expectedUsd, c.expectUsd, 'expected');
  });
}

test('cost impact: a compaction job with no runs, or runs that could not be read, is unknown with the reason', () => {
  const p: MitigationParams = {
    kind: 'compaction',
    compactionJob: 'C',
    inputLocation: 's3://b/p/',
    targetFileBytes: 1,
  };
  assert.match(
    mitigationCostImpact({ job: 'MyJob', params: p, runs: [], rule: RULE }).summary,
    /One run of C: unknown — no completed run with a known cost/,
  );
  assert.match(
    mitigationCostImpact({ job: 'MyJob', params: p, runs: [], rule: RULE, unreadable: 'Glue throttled' })
      .summary,
    /unknown — Glue throttled/,
  );
  const runs = daily(
    '2026-11-01T02:00:00Z',
    3,
    () => 1800,
    () => ({ dpu: 20 }),
  );
  const ok = mitigationCostImpact({ job: 'MyJob', params: p, runs, rule: RULE });
  close(ok.expectedUsd, 4.4, 'compaction');
  assert.equal(medianRunCostUsd([]), undefined);
});
