import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { TaskTimeCollector, analyzeSkew, skewSeverity, summarizeTaskTimes } from '../../src/domain/skew.js';

test('Dr. Elephant severities at 2/4/8/16', () => {
  const cases: [number, string][] = [
    [1, 'none'],
    [1.99, 'none'],
    [2, 'low'],
    [4, 'moderate'],
    [7.9, 'moderate'],
    [8, 'severe'],
    [16, 'critical'],
    [Infinity, 'critical'],
  ];
  for (const [ratio, sev] of cases) assert.equal(skewSeverity(ratio), sev, String(ratio));
});

test('summarizeTaskTimes', () => {
  const s = summarizeTaskTimes('jr_1', '3.0', [10, 40, 20, 30]);
  assert.deepEqual(s, {
    runId: 'jr_1',
    stageId: '3.0',
    tasks: 4,
    maxMs: 40,
    medianMs: 25,
    p75Ms: 32.5,
    totalMs: 100,
    sampled: false,
  });
});

test('stages are flagged only when the max task is over 150 s and ≥ 4× the median', () => {
  const stage = (id: string, times: number[]) => summarizeTaskTimes('jr_1', id, times);
  const table: { name: string; times: number[]; flagged: boolean; severity: string; aqe: boolean }[] = [
    {
      name: 'uniform long stage',
      times: [200_000, 210_000, 190_000],
      flagged: false,
      severity: 'none',
      aqe: false,
    },
    {
      name: 'skewed but short',
      times: [1000, 1000, 1000, 50_000],
      flagged: false,
      severity: 'critical',
      aqe: true,
    },
    {
      name: 'one 412 s straggler',
      times: [...Array(99).fill(10_000), 412_000],
      flagged: true,
      severity: 'critical',
      aqe: true,
    },
    {
      name: '3× over 150 s: low only',
      times: [60_000, 60_000, 60_000, 180_000],
      flagged: false,
      severity: 'low',
      aqe: false,
    },
    {
      name: '5× AQE, moderate',
      times: [40_000, 40_000, 40_000, 200_000],
      flagged: true,
      severity: 'moderate',
      aqe: true,
    },
  ];
  for (const c of table) {
    const r = analyzeSkew([stage('1.0', c.times)]);
    const s = r.stages[0];
    assert.ok(s, c.name);
    assert.equal(s.flagged, c.flagged, c.name);
    assert.equal(s.severity, c.severity, c.name);
    assert.equal(s.aqeSkewed, c.aqe, c.name);
    assert.equal(r.skewed, c.flagged, c.name);
  }
});

test('analyzeSkew ranks flagged stages first and reports the worst', () => {
  const r = analyzeSkew([
    summarizeTaskTimes('jr_1', '1.0', [1000, 1000, 30_000]),
    summarizeTaskTimes('jr_1', '7.0', [...Array(9).fill(20_000), 400_000]),
    summarizeTaskTimes('jr_1', '9.0', [5]),
  ]);
  assert.equal(r.stages.length, 2, 'single-task stages are ignored');
  assert.equal(r.worst?.stageId, '7.0');
  assert.equal(r.worst?.ratio, 20);
  assert.equal(r.severity, 'critical');
  assert.deepEqual(
    r.flaggedStages.map((s) => s.stageId),
    ['7.0'],
  );
});

test("a platform skewness metric (Glue's): 0 below the factor, ratio ≈ (value + 1) × factor above", () => {
  assert.equal(
    analyzeSkew([], { skewnessMetric: { name: 'glue.driver.skewness.job', value: 0 } }).skewed,
    false,
  );
  const r = analyzeSkew([], { skewnessMetric: { name: 'glue.driver.skewness.job', value: 1 } });
  assert.equal(r.skewed, true);
  assert.equal(r.skewnessMetric?.estimatedRatio, 10);
  assert.equal(r.severity, 'severe');
  assert.equal(analyzeSkew([], {}).skewnessMetric, undefined);
});

test('TaskTimeCollector keeps exact count, max and total in bounded memory', () => {
  const c = new TaskTimeCollector({ maxSamplesPerStage: 100, maxStages: 2 });
  for (let i = 1; i <= 10_000; i++) c.add('jr_1', '1.0', i % 100 === 0 ? 500_000 : 1000 + (i % 7));
  c.add('jr_1', '2.0', 5);
  c.add('jr_2', '1.0', 5);
  const [s] = c.summaries();
  assert.ok(s);
  assert.equal(s.tasks, 10_000);
  assert.equal(s.maxMs, 500_000);
  assert.equal(s.sampled, true);
  assert.ok(s.medianMs >= 1000 && s.medianMs <= 1006, `median ${s.medianMs}`);
  assert.equal(c.droppedStages, 1);
  assert.equal(c.summaries().length, 2);
});

test('property: skew ratio is scale-free and ≥ 1', () => {
  fc.assert(
    fc.property(
      fc.array(fc.integer({ min: 1, max: 1_000_000 }), { minLength: 2, maxLength: 50 }),
      fc.integer({ min: 2, max: 100 }),
      (times, k) => {
        const a = analyzeSkew([summarizeTaskTimes('r', 's', times)], { minMaxTaskMs: 0 }).stages[0];
        const b = analyzeSkew(
          [
            summarizeTaskTimes(
              'r',
              's',
              times.map((t) => t * k),
            ),
          ],
          { minMaxTaskMs: 0 },
        ).stages[0];
        assert.ok(a && b);
        assert.ok(a.ratio >= 1);
        assert.ok(Math.abs(a.ratio - b.ratio) < 1e-9 * a.ratio);
        assert.equal(a.severity, b.severity);
      },
    ),
  );
});
