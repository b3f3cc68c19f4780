import { test } from 'node:test';
import assert from 'node:assert/strict';
import { judgeSmoke, SMOKE_BASELINE_RUNS, type SmokeRun } from '../../src/domain/perf-smoke.js';

const run = (i: number, durationSec: number, succeeded = true): SmokeRun => ({
  runId: `jr_${i}`,
  succeeded,
  durationSec,
  unitHours: durationSec / 360,
  costUsd: durationSec / 1000,
  at: i * 1000,
});

test('a first smoke run sets the baseline; a failed run fails whatever its time', () => {
  assert.equal(judgeSmoke([], run(1, 300), 30).verdict, 'baseline');
  assert.equal(judgeSmoke([run(1, 300)], run(2, 10, false), 30).verdict, 'failed');
  assert.equal(
    judgeSmoke([run(1, 300, false)], run(2, 300), 30).verdict,
    'baseline',
    'failed runs make no baseline',
  );
});

test('at and around the threshold: over the allowed % is degraded, at it passes', () => {
  const earlier = [run(1, 100), run(2, 100), run(3, 100)];
  const cases: [number, 'passed' | 'degraded'][] = [
    [100, 'passed'],
    [129, 'passed'],
    [130, 'passed'],
    [131, 'degraded'],
    [50, 'passed'],
  ];
  for (const [sec, verdict] of cases) {
    const r = judgeSmoke(earlier, run(9, sec), 30);
    assert.equal(r.verdict, verdict, `${sec} s`);
    assert.equal(r.baselineSec, 100);
    assert.equal(r.baselineRuns, 3);
  }
  assert.match(judgeSmoke(earlier, run(9, 140), 30).summary, /\+40\.0%, over the 30% allowed/);
});

test('the baseline is the median of the newest earlier successful runs, cost and usage beside it', () => {
  const earlier = Array.from({ length: 15 }, (_, i) => run(i, i < 5 ? 1000 : 100));
  const r = judgeSmoke(earlier, run(99, 120), 30);
  assert.equal(r.baselineRuns, SMOKE_BASELINE_RUNS);
  assert.equal(r.baselineSec, 100, 'the old slow runs are past the newest ten');
  assert.equal(r.baselineCostUsd, 0.1);
  assert.equal(r.costUsd, 0.12);
});
