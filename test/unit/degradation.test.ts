import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  DEFAULT_DEGRADATION_RULE,
  evaluateDegradation,
  isOverThreshold,
  median,
  resolveRule,
  type DegradationRule,
} from '../../src/domain/degradation.js';
import type { RunRecord } from '../../src/domain/run-record.js';
import { glueRun, type GlueState } from '../support/runs.js';
import type { JobRun } from '../../src/providers/ports.js';

const DAY = 86_400_000;
const T0 = Date.parse('2026-11-26T02:00:00Z');

/** Runs newest first from compact specs: a number is a SUCCEEDED run of that many seconds. */
function runs(...specs: (number | [GlueState, number?])[]): RunRecord[] {
  return specs.map((spec, i) => {
    const [state, sec] =
      typeof spec === 'number' ? (['SUCCEEDED', spec] as const) : [spec[0], spec[1] ?? 300];
    return glueRun({
      id: `jr_${String(i).padStart(3, '0')}`,
      jobName: 'MyJob',
      state,
      startedOn: new Date(T0 - i * DAY),
      executionTimeSec: sec,
      workerType: 'G.1X',
      numberOfWorkers: 10,
    });
  });
}

const rule: DegradationRule = { thresholdPct: 30, consecutiveRuns: 3, baselineRuns: 10 };
const ten = (sec: number): number[] => Array.from({ length: 10 }, () => sec);

test('median', () => {
  assert.equal(median([3, 1, 2]), 2);
  assert.equal(median([4, 1, 3, 2]), 2.5);
  assert.equal(median([7]), 7);
  assert.throws(() => median([]), RangeError);
});

test('the rule, table-driven', () => {
  const cases: {
    name: string;
    runs: RunRecord[];
    rule?: Partial<DegradationRule>;
    verdict: string;
    problematic?: string[];
    baseline?: number;
  }[] = [
    {
      name: 'all at baseline',
      runs: runs(1200, 1210, 1190, ...ten(1200)),
      verdict: 'HEALTHY',
      problematic: [],
      baseline: 1200,
    },
    {
      name: 'last 3 runs over 30%',
      runs: runs(1800, 1700, 1600, ...ten(1200)),
      verdict: 'DEGRADED',
      problematic: ['jr_000', 'jr_001', 'jr_002'],
      baseline: 1200,
    },
    {
      name: 'exactly 30% over is not more than 30%',
      runs: runs(1560, 1560, 1560, ...ten(1200)),
      verdict: 'HEALTHY',
      problematic: [],
    },
    {
      name: 'one second past the threshold',
      runs: runs(1561, 1561, 1561, ...ten(1200)),
      verdict: 'DEGRADED',
    },
    {
      name: 'only 2 of 3 over',
      runs: runs(1800, 1800, 1200, ...ten(1200)),
      verdict: 'HEALTHY',
      problematic: ['jr_000', 'jr_001'],
    },
    {
      name: '2 of 3 failed dominates',
      runs: runs(['FAILED'], ['TIMEOUT', 2880 * 60], 1200, ...ten(1200)),
      verdict: 'FAILING',
      problematic: ['jr_000', 'jr_001'],
    },
    {
      name: 'ERROR counts as a failure',
      runs: runs(['ERROR'], ['FAILED'], 1200, ...ten(1200)),
      verdict: 'FAILING',
    },
    {
      name: 'one failure inside a slow window does not break the streak',
      runs: runs(1800, ['FAILED', 90], 1800, ...ten(1200)),
      verdict: 'DEGRADED',
      problematic: ['jr_000', 'jr_001', 'jr_002'],
    },
    {
      name: 'in-progress runs are skipped, the window is the newest completed runs',
      runs: runs(['RUNNING', 10], ['STARTING', 0], 1800, 1800, 1800, ...ten(1200)),
      verdict: 'DEGRADED',
      problematic: ['jr_002', 'jr_003', 'jr_004'],
    },
    {
      name: 'stopped runs are skipped',
      runs: runs(['STOPPED', 30], 1800, 1800, 1800, ...ten(1200)),
      verdict: 'DEGRADED',
    },
    {
      name: 'failed runs in history are not baseline',
      runs: runs(1800, 1800, 1800, ['FAILED', 50], ['FAILED', 50], ...ten(1200)),
      verdict: 'DEGRADED',
      baseline: 1200,
    },
    { name: 'too few runs', runs: runs(1800, 1800, 1800, 1200, 1200), verdict: 'INSUFFICIENT_HISTORY' },
    { name: 'no runs', runs: [], verdict: 'INSUFFICIENT_HISTORY', problematic: [] },
    { name: 'a window that is not full', runs: runs(1800, 1800), verdict: 'INSUFFICIENT_HISTORY' },
    {
      name: 'a new job failing is FAILING, not insufficient',
      runs: runs(['FAILED'], ['FAILED']),
      verdict: 'FAILING',
    },
    {
      name: 'enough with minBaselineRuns 2',
      runs: runs(1800, 1800, 1800, 1200, 1200),
      rule: { minBaselineRuns: 2 },
      verdict: 'DEGRADED',
    },
    {
      name: 'N = 1',
      runs: runs(1800, ...ten(1200)),
      rule: { consecutiveRuns: 1 },
      verdict: 'DEGRADED',
      problematic: ['jr_000'],
    },
    {
      name: 'threshold 100%',
      runs: runs(1800, 1800, 1800, ...ten(1200)),
      rule: { thresholdPct: 100 },
      verdict: 'HEALTHY',
    },
    {
      name: 'baseline is the median of only the newest baselineRuns successes',
      runs: runs(1800, 1800, 1800, 1200, 1200, 1200, 100, 100, 100, 100),
      rule: { baselineRuns: 3 },
      verdict: 'DEGRADED',
      baseline: 1200,
    },
    {
      name: 'one outlier in history does not move the baseline',
      runs: runs(1800, 1800, 1800, 1200, 1200, 9000, 1200, 1200),
      verdict: 'DEGRADED',
      baseline: 1200,
    },
  ];
  for (const c of cases) {
    const v = evaluateDegradation(c.runs, { ...rule, ...c.rule });
    assert.equal(v.verdict, c.verdict, `${c.name}: ${v.summary}`);
    if (c.problematic) assert.deepEqual(v.problematicRunIds, c.problematic, c.name);
    if (c.baseline !== undefined) assert.equal(v.baselineDurationSec, c.baseline, c.name);
  }
});

test('DEGRADED says by how much, with per-run figures, cost and the extra cost', () => {
  const v = evaluateDegradation(runs(1800, 1680, 1560.5, ...ten(1200)), rule);
  assert.equal(v.verdict, 'DEGRADED');
  assert.deepEqual(v.degradedRuns, ['jr_000', 'jr_001', 'jr_002']);
  assert.equal(v.baselineRunIds.length, 10);
  assert.equal(v.thresholdDurationSec, 1560);
  assert.ok(v.overBaseline);
  assert.ok(Math.abs(v.overBaseline.minPct - 30.041666) < 1e-3);
  assert.equal(v.overBaseline.medianPct, 40);
  assert.equal(v.overBaseline.maxPct, 50);
  assert.equal(v.recentMedianDurationSec, 1680);
  assert.equal(v.durationRatio, 1.4);
  assert.match(
    v.summary,
    /^DEGRADED: each of the last 3 completed runs took more than 30% over the baseline of 20m 00s \(median of 10 successful runs\): 30%–50% \(median 40%\) over\.$/,
  );
  const first = v.runs[0];
  assert.ok(first);
  assert.equal(first.role, 'recent');
  assert.equal(first.overThreshold, true);
  assert.equal(first.pctOverBaseline, 50);
  assert.equal(first.unitHours, 5); // 10 × G.1X × 30 min
  assert.ok(Math.abs((first.costUsd ?? 0) - 2.2) < 1e-9);
  assert.equal(v.runs[3]?.role, 'baseline');
  assert.equal(v.usage.baselineMedian, 10 / 3);
  assert.equal(v.usage.recentMedian, (10 * 1680) / 3600);
  // Extra: (1800 + 1680 + 1560.5 − 3 × 1200) s × 10 DPU at $0.44.
  assert.ok(v.extraCost);
  assert.ok(Math.abs(v.extraCost.extraUsd - ((1440.5 * 10) / 3600) * 0.44) < 1e-9);
  assert.equal(v.windowStartedOn?.getTime(), T0 - 2 * DAY);
  assert.equal(v.lastBaselineRunStartedOn?.getTime(), T0 - 3 * DAY);
});

test('INSUFFICIENT_HISTORY says how many runs were found and how many are needed', () => {
  const v = evaluateDegradation(runs(['RUNNING'], 1800, 1800, 1800, 1200, 1200), rule);
  assert.equal(v.verdict, 'INSUFFICIENT_HISTORY');
  assert.equal(v.history.runsFound, 6);
  assert.equal(v.history.completedRunsFound, 5);
  assert.equal(v.history.successfulBaselineRunsFound, 2);
  assert.equal(v.history.baselineRunsNeeded, 5);
  assert.equal(v.history.completedRunsNeeded, 8);
  assert.match(
    v.summary,
    /found 5 completed runs \(2 successful runs before the last 3\); the rule needs at least 8/,
  );
  assert.match(v.summary, /1 run still in progress, not counted/);
  assert.deepEqual(v.inProgressRuns, ['jr_000']);
});

test('in-progress and stopped runs are reported, never judged', () => {
  const v = evaluateDegradation(
    runs(['RUNNING', 99999], ['WAITING', 0], 1200, ['STOPPED', 5], 1200, 1200, ...ten(1200)),
    rule,
  );
  assert.equal(v.verdict, 'HEALTHY');
  assert.deepEqual(v.inProgressRuns, ['jr_000', 'jr_001']);
  assert.deepEqual(v.stoppedRuns, ['jr_003']);
  assert.deepEqual(v.recentRunIds, ['jr_002', 'jr_004', 'jr_005']);
  const running = v.runs[0];
  assert.equal(running?.role, 'excluded');
  assert.equal(running?.overThreshold, false);
  assert.equal(running?.pctOverBaseline, undefined);
});

test('FAILING counts the failures and lists them', () => {
  const v = evaluateDegradation(
    runs(['FAILED', 60], ['TIMEOUT', 172800], ['FAILED', 60], ...ten(1200)),
    rule,
  );
  assert.equal(v.verdict, 'FAILING');
  assert.deepEqual(v.failedRuns, ['jr_000', 'jr_001', 'jr_002']);
  assert.deepEqual(v.failureShare, { failed: 3, considered: 3 });
  assert.match(v.summary, /^FAILING: 3 of the last 3 completed runs failed/);
});

test('input order does not matter: runs are re-sorted newest first', () => {
  const rs = runs(1800, 1700, 1600, ...ten(1200));
  const shuffled = [...rs].reverse();
  assert.deepEqual(evaluateDegradation(shuffled, rule), evaluateDegradation(rs, rule));
});

test('bad rules are rejected with a clear message', () => {
  assert.throws(() => resolveRule({ ...rule, consecutiveRuns: 0 }), /consecutiveRuns/);
  assert.throws(() => resolveRule({ ...rule, thresholdPct: -1 }), /thresholdPct/);
  assert.throws(() => resolveRule({ ...rule, baselineRuns: 1.5 }), /baselineRuns/);
  assert.throws(() => resolveRule({ ...rule, minBaselineRuns: 11 }), /minBaselineRuns/);
  assert.deepEqual(resolveRule(DEFAULT_DEGRADATION_RULE), {
    thresholdPct: 30,
    consecutiveRuns: 3,
    baselineRuns: 10,
    minBaselineRuns: 5,
  });
});

test('isOverThreshold is strict and exact on integers', () => {
  assert.equal(isOverThreshold(130, 100, 30), false);
  assert.equal(isOverThreshold(131, 100, 30), true);
  assert.equal(isOverThreshold(100, 100, 0), false);
});

// ---------------------------------------------------------------------------------------------
// Properties

const arbState = fc.constantFrom<GlueState>(
  'SUCCEEDED',
  'SUCCEEDED',
  'SUCCEEDED',
  'SUCCEEDED',
  'FAILED',
  'TIMEOUT',
  'RUNNING',
  'STOPPED',
);
const arbSpec = fc.tuple(arbState, fc.integer({ min: 1, max: 20_000 }));
const arbRuns = fc.array(arbSpec, { minLength: 0, maxLength: 30 }).map((specs) => runs(...specs));
const arbRule = fc.record({
  thresholdPct: fc.integer({ min: 0, max: 200 }),
  consecutiveRuns: fc.integer({ min: 1, max: 5 }),
  baselineRuns: fc.integer({ min: 1, max: 12 }),
});

test('property: scaling every duration by a constant never changes the verdict or the run ids', () => {
  fc.assert(
    fc.property(arbRuns, arbRule, fc.integer({ min: 2, max: 1000 }), (rs, r, k) => {
      const scaled = rs.map((x) => ({ ...x, durationSec: x.durationSec * k }));
      const a = evaluateDegradation(rs, r);
      const b = evaluateDegradation(scaled, r);
      assert.equal(b.verdict, a.verdict);
      assert.deepEqual(b.problematicRunIds, a.problematicRunIds);
      assert.deepEqual(b.degradedRuns, a.degradedRuns);
    }),
  );
});

test('property: when every recent run is within the threshold the job is never DEGRADED', () => {
  fc.assert(
    fc.property(
      arbRule,
      fc.integer({ min: 60, max: 10_000 }),
      fc.array(fc.integer({ min: 1, max: 10_000 }), { minLength: 0, maxLength: 15 }),
      fc.array(fc.integer({ min: 0, max: 1000 }), { minLength: 5, maxLength: 5 }),
      (r, base, history, fractions) => {
        // The baselineRuns successes right before the window are all `base`, so the baseline is exactly `base`.
        const baselineRuns = Array.from({ length: r.baselineRuns }, () => base);
        // Recent runs at most thresholdPct over: base × (1 + X/100 × f), f in [0, 1].
        const recent = fractions
          .slice(0, r.consecutiveRuns)
          .map((f) => Math.floor(base + (base * r.thresholdPct * f) / 100_000));
        const v = evaluateDegradation(runs(...recent, ...baselineRuns, ...history), r);
        assert.equal(v.baselineDurationSec, base);
        assert.notEqual(v.verdict, 'DEGRADED');
        assert.deepEqual(v.degradedRuns, []);
      },
    ),
  );
});

test('property: a random run set whose recent runs are all ≤ threshold is never DEGRADED', () => {
  fc.assert(
    fc.property(arbRuns, arbRule, (rs, r) => {
      const v = evaluateDegradation(rs, r);
      if (v.baselineDurationSec === undefined) return;
      // Clamp every recent successful run to the threshold and re-evaluate.
      const limit = Math.floor(v.thresholdDurationSec as number);
      const clamped = rs.map((x) =>
        v.recentRunIds.includes(x.id) ? { ...x, durationSec: Math.min(x.durationSec, limit) } : x,
      );
      assert.notEqual(evaluateDegradation(clamped, r).verdict, 'DEGRADED');
    }),
  );
});

test('property: adding a baseline-like successful run before all others never turns HEALTHY into DEGRADED', () => {
  fc.assert(
    fc.property(arbRuns, arbRule, (rs, r) => {
      const v = evaluateDegradation(rs, r);
      if (v.verdict !== 'HEALTHY' || v.baselineDurationSec === undefined) return;
      const oldest = rs.length;
      const extra = runs(...Array.from({ length: oldest + 1 }, () => v.baselineDurationSec as number))[
        oldest
      ] as RunRecord;
      const after = evaluateDegradation([...rs, extra], r);
      assert.equal(after.verdict, 'HEALTHY');
      assert.equal(after.baselineDurationSec, v.baselineDurationSec);
    }),
  );
});

test('property: deterministic, and every problematic run is in the window', () => {
  fc.assert(
    fc.property(arbRuns, arbRule, (rs, r) => {
      const a = evaluateDegradation(rs, r);
      assert.deepEqual(evaluateDegradation(rs, r), a);
      for (const id of a.problematicRunIds) assert.ok(a.recentRunIds.includes(id));
      for (const id of a.inProgressRuns)
        assert.ok(!a.recentRunIds.includes(id) && !a.baselineRunIds.includes(id));
      assert.ok(a.recentRunIds.length <= r.consecutiveRuns);
      assert.ok(a.baselineRunIds.length <= r.baselineRuns);
      if (a.verdict === 'DEGRADED') {
        assert.ok(a.degradedRuns.length > 0);
        assert.ok((a.overBaseline?.minPct ?? 0) > r.thresholdPct - 1e-9);
      }
      if (a.verdict === 'FAILING') assert.ok(a.failureShare.failed * 2 > r.consecutiveRuns);
    }),
  );
});

test('HEALTHY says how many recent runs were over and that all must be', () => {
  const v = evaluateDegradation(runs(1800, 1200, 1200, ...ten(1200)), rule);
  assert.equal(v.verdict, 'HEALTHY');
  assert.equal(
    v.summary,
    'HEALTHY: 1 of the last 3 completed runs was more than 30% over the baseline of 20m 00s (median of 10 successful runs); all 3 must be to count as degraded.',
  );
});

test('error messages in the per-run figures are redacted', () => {
  const rs = runs(['FAILED', 60], ['FAILED', 60], 1200, ...ten(1200));
  rs[0] = {
    ...(rs[0] as RunRecord),
    errorMessage: 'Could not connect to jdbc:postgresql://etl:hunter2@db:5432/lake',
  };
  const v = evaluateDegradation(rs, rule);
  assert.equal(v.runs[0]?.errorMessage, 'Could not connect to jdbc:postgresql://etl:‹redacted›@db:5432/lake');
  assert.equal(v.runs[1]?.errorMessage, undefined);
});

test('a JobRun[] from the provider port is accepted as is (structural compatibility, checked by tsc)', () => {
  const jobRuns: JobRun[] = runs(1800, 1800, 1800, ...ten(1200)).map((r) => ({
    ...r,
    jobName: 'MyJob',
    attempt: 0,
    parameters: {},
    previousRunId: 'jr_prev',
    links: { consoleUrl: 'https://example.test/run' },
  }));
  assert.equal(evaluateDegradation(jobRuns, rule).verdict, 'DEGRADED');
});
