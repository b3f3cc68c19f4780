// Every Spark heuristic at and around its thresholds (thresholds.ts: Dr. Elephant, Spark AQE,
// Databricks, Sparklens), table-driven.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  SPARK_THRESHOLDS,
  evaluateApp,
  evaluateStage,
  severityOf,
  type Severity,
} from '../../src/domain/spark/index.js';
import { stage, summary } from '../support/spark-summaries.js';

const MB = 1024 ** 2;
const TB = 1024 ** 4;

describe('severityOf (ascending ladders, a value at a step has that step)', () => {
  const ladder = { low: 2, moderate: 4, severe: 8, critical: 16 };
  const cases: [number, Severity][] = [
    [0, 'none'],
    [1.999, 'none'],
    [2, 'low'],
    [3.999, 'low'],
    [4, 'moderate'],
    [7.999, 'moderate'],
    [8, 'severe'],
    [15.999, 'severe'],
    [16, 'critical'],
    [Infinity, 'critical'],
    [NaN, 'none'],
  ];
  for (const [v, want] of cases) it(`${v} → ${want}`, () => assert.equal(severityOf(v, ladder), want));
});

describe('task skew: max ÷ median, counted past 150 s and over 0.75 of the stage (Dr. Elephant)', () => {
  const cases: {
    name: string;
    max: number;
    median: number;
    durationMs?: number;
    count?: number;
    ratio: number;
    raw: Severity;
    counted: Severity;
  }[] = [
    {
      name: 'ratio 2 is low',
      max: 160_000,
      median: 80_000,
      durationMs: 170_000,
      ratio: 2,
      raw: 'low',
      counted: 'low',
    },
    {
      name: 'just under 2 is none',
      max: 159_999,
      median: 80_000,
      durationMs: 170_000,
      ratio: 1.9999875,
      raw: 'none',
      counted: 'none',
    },
    {
      name: 'ratio 4 is moderate',
      max: 200_000,
      median: 50_000,
      durationMs: 210_000,
      ratio: 4,
      raw: 'moderate',
      counted: 'moderate',
    },
    {
      name: 'ratio 8 is severe',
      max: 200_000,
      median: 25_000,
      durationMs: 210_000,
      ratio: 8,
      raw: 'severe',
      counted: 'severe',
    },
    {
      name: 'ratio 16 is critical',
      max: 320_000,
      median: 20_000,
      durationMs: 330_000,
      ratio: 16,
      raw: 'critical',
      counted: 'critical',
    },
    {
      name: 'a 150 s max is not over 150 s',
      max: 150_000,
      median: 10_000,
      durationMs: 160_000,
      ratio: 15,
      raw: 'severe',
      counted: 'none',
    },
    {
      name: 'a 150.001 s max is',
      max: 150_001,
      median: 10_000,
      durationMs: 160_000,
      ratio: 15.0001,
      raw: 'severe',
      counted: 'severe',
    },
    {
      name: 'max exactly 0.75 of the stage does not count',
      max: 300_000,
      median: 10_000,
      durationMs: 400_000,
      ratio: 30,
      raw: 'critical',
      counted: 'none',
    },
    {
      name: 'max just over 0.75 of the stage counts',
      max: 300_000,
      median: 10_000,
      durationMs: 399_999,
      ratio: 30,
      raw: 'critical',
      counted: 'critical',
    },
    {
      name: 'unknown stage duration: only the 150 s condition',
      max: 300_000,
      median: 10_000,
      ratio: 30,
      raw: 'critical',
      counted: 'critical',
    },
    {
      name: 'one task cannot be skewed',
      max: 300_000,
      median: 300_000,
      count: 1,
      durationMs: 310_000,
      ratio: 1,
      raw: 'none',
      counted: 'none',
    },
    {
      name: 'median 0 and a long max',
      max: 200_000,
      median: 0,
      durationMs: 210_000,
      ratio: Infinity,
      raw: 'critical',
      counted: 'critical',
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const e = evaluateStage(
        stage({
          taskMs: { max: c.max, median: c.median, p75: c.median, count: c.count ?? 10 },
          ...(c.durationMs !== undefined ? { durationMs: c.durationMs } : { durationMs: undefined }),
        }),
      );
      assert.equal(e.skew.ratio, c.ratio);
      assert.equal(e.skew.rawSeverity, c.raw);
      assert.equal(e.skew.severity, c.counted);
    });
  }

  const aqe: { name: string; median: number; max: number; want: boolean }[] = [
    { name: 'over 5× and over 256 MB: skewed', median: 100 * MB, max: 501 * MB, want: true },
    { name: 'exactly 5× is not over it', median: 100 * MB, max: 500 * MB, want: false },
    { name: '25× but 256 MB is not over 256 MB', median: 10 * MB, max: 256 * MB, want: false },
    { name: '25× and one byte over 256 MB', median: 10 * MB, max: 256 * MB + 1, want: true },
  ];
  for (const c of aqe) {
    it(`Spark AQE data skew on bytes read per task: ${c.name}`, () => {
      const e = evaluateStage(stage({ taskReadBytes: { median: c.median, max: c.max, count: 10 } }));
      assert.equal(e.skew.aqeDataSkew, c.want);
      assert.equal(e.skew.readRatio, c.max / c.median);
    });
  }

  for (const [max, want] of [
    [150, false],
    [151, true],
  ] as const) {
    it(`Databricks: max ${max} against p75 100 → ${want ? 'over' : 'not over'} 1.5 × p75`, () => {
      const e = evaluateStage(stage({ taskMs: { max, p75: 100, median: 90 } }));
      assert.equal(e.skew.overP75, want);
    });
  }
});

describe('spill: memory spilled ÷ bytes processed (Dr. Elephant), not past 3 TB', () => {
  const processed = 1000 * MB;
  const cases: { spill: number; processed?: number; want: Severity; raw?: Severity }[] = [
    { spill: 0, want: 'none' },
    { spill: 0.0099 * processed, want: 'none' },
    { spill: 0.01 * processed, want: 'low' },
    { spill: 0.1 * processed, want: 'moderate' },
    { spill: 0.0999 * processed, want: 'low' },
    { spill: 0.25 * processed, want: 'severe' },
    { spill: 0.5 * processed, want: 'critical' },
    { spill: 0.4999 * processed, want: 'severe' },
    { spill: 0.5 * 3 * TB, processed: 3 * TB, want: 'none', raw: 'critical' },
    { spill: 0.5 * (3 * TB - 1), processed: 3 * TB - 1, want: 'critical' },
  ];
  for (const c of cases) {
    const p = c.processed ?? processed;
    it(`${(c.spill / p).toFixed(4)} of ${p === processed ? '1000 MB' : `${p} B`} → ${c.want}`, () => {
      const e = evaluateStage(
        stage({ shuffleReadBytes: p, memorySpilledBytes: c.spill, diskSpilledBytes: c.spill / 2 }),
      );
      assert.equal(e.spill.severity, c.want);
      assert.equal(e.spill.rawSeverity, c.raw ?? c.want);
      assert.equal(e.spill.processedBytes, p);
      assert.equal(e.spill.diskBytes, c.spill / 2);
    });
  }

  it('bytes processed is the largest of input, output, shuffle read and shuffle write', () => {
    for (const field of ['inputBytes', 'outputBytes', 'shuffleReadBytes', 'shuffleWriteBytes'] as const) {
      const e = evaluateStage(
        stage({
          inputBytes: 10,
          outputBytes: 10,
          shuffleReadBytes: 10,
          shuffleWriteBytes: 10,
          [field]: 400 * MB,
          memorySpilledBytes: 40 * MB,
        }),
      );
      assert.equal(e.spill.processedBytes, 400 * MB, field);
      assert.equal(e.spill.severity, 'moderate', field);
    }
  });

  it('spill with nothing processed is critical', () => {
    assert.equal(evaluateStage(stage({ memorySpilledBytes: 1 })).spill.severity, 'critical');
  });
});

describe('GC ÷ executor run time, judged past 5 minutes of executor time (Dr. Elephant ExecutorGcHeuristic)', () => {
  const FIVE_MIN = 300_000;
  const cases: { run: number; gc: number; want: Severity; counted: boolean }[] = [
    { run: FIVE_MIN - 1, gc: (FIVE_MIN - 1) * 0.2, want: 'none', counted: false },
    { run: FIVE_MIN, gc: 0.0799 * FIVE_MIN, want: 'none', counted: true },
    { run: FIVE_MIN, gc: 0.08 * FIVE_MIN, want: 'low', counted: true },
    { run: FIVE_MIN, gc: 0.09 * FIVE_MIN, want: 'moderate', counted: true },
    { run: FIVE_MIN, gc: 0.1 * FIVE_MIN, want: 'severe', counted: true },
    { run: FIVE_MIN, gc: 0.1499 * FIVE_MIN, want: 'severe', counted: true },
    { run: FIVE_MIN, gc: 0.15 * FIVE_MIN, want: 'critical', counted: true },
  ];
  for (const c of cases) {
    it(`GC ${c.gc / c.run} of ${c.run} ms → ${c.want}${c.counted ? '' : ' (not judged)'}`, () => {
      const e = evaluateApp(summary([], { totals: { executorRunMs: c.run, gcMs: c.gc } }));
      assert.equal(e.gc.severity, c.want);
      assert.equal(e.gc.counted, c.counted);
    });
  }

  it('per stage, the ratio of sums', () => {
    const e = evaluateStage(stage({ executorRunMs: 100_000, gcMs: 9_000 }));
    assert.equal(e.gc.ratio, 0.09);
    assert.equal(e.gc.severity, 'moderate');
  });
});

describe('failed tasks ÷ tasks (Dr. Elephant 0.05/0.10/0.15/0.20)', () => {
  const cases: [number, number, Severity][] = [
    [0, 100, 'none'],
    [4, 100, 'none'],
    [5, 100, 'low'],
    [10, 100, 'moderate'],
    [15, 100, 'severe'],
    [20, 100, 'critical'],
    [19, 100, 'severe'],
  ];
  for (const [failed, tasks, want] of cases) {
    it(`${failed} of ${tasks} → ${want}`, () => {
      const e = evaluateStage(stage({ tasks: { ended: tasks, failed, succeeded: tasks - failed } }));
      assert.equal(e.failures.severity, want);
      assert.equal(e.failures.rate, failed / tasks);
      const a = evaluateApp(summary([], { totals: { tasks, failedTasks: failed } }));
      assert.equal(a.failures.severity, want);
    });
  }
});

describe('median task time (Dr. Elephant 2.5 / 5 / 10 / 15 min)', () => {
  const cases: [number, Severity][] = [
    [149_999, 'none'],
    [150_000, 'low'],
    [300_000, 'moderate'],
    [600_000, 'severe'],
    [899_999, 'severe'],
    [900_000, 'critical'],
  ];
  for (const [median, want] of cases)
    it(`${median} ms → ${want}`, () =>
      assert.equal(
        evaluateStage(stage({ taskMs: { median, max: median, p75: median } })).longTasks.severity,
        want,
      ));
});

describe('idle executors: wasted core-time (Sparklens), flagged from half the core-time and 1 core-hour', () => {
  const H = 3_600_000;
  const cases: { available: number; wasted: number; flagged: boolean }[] = [
    { available: 4 * H, wasted: 2 * H, flagged: true },
    { available: 4 * H, wasted: 2 * H - 1, flagged: false },
    { available: 1.9 * H, wasted: 0.99 * H, flagged: false },
    { available: 2 * H, wasted: 1 * H, flagged: true },
    { available: 0, wasted: 0, flagged: false },
  ];
  for (const c of cases) {
    it(`${c.wasted / H} of ${c.available / H} core-hours → ${c.flagged ? 'flagged' : 'not flagged'}`, () => {
      const e = evaluateApp(
        summary([], {
          executors: {
            availableCoreMs: c.available,
            wastedCoreMs: c.wasted,
            busyCoreMs: c.available - c.wasted,
          },
        }),
      );
      assert.equal(e.idle.flagged, c.flagged);
      assert.equal(e.idle.wastedCoreHours, c.wasted / H);
    });
  }
});

describe('Python UDF share of executor time (ours: from 0.5)', () => {
  const cases: { share: number; operators: string[]; metricMs?: number; flagged: boolean }[] = [
    { share: 0.5, operators: ['BatchEvalPython'], flagged: true },
    { share: 0.4999, operators: ['BatchEvalPython'], flagged: false },
    { share: 0.9, operators: [], flagged: false },
    // Python SQL metrics (Spark ≥ 4) measure the Python time itself and win over the stage share.
    { share: 0.9, operators: ['ArrowEvalPython'], metricMs: 20_000, flagged: false },
    { share: 0.4, operators: ['ArrowEvalPython'], metricMs: 60_000, flagged: true },
  ];
  for (const c of cases) {
    it(`stage share ${c.share}${c.metricMs !== undefined ? `, metrics ${c.metricMs / 100_000}` : ''}, operators [${c.operators}] → ${c.flagged}`, () => {
      const e = evaluateApp(
        summary([], {
          totals: { executorRunMs: 100_000 },
          python: {
            udfStageRunMs: c.share * 100_000,
            operators: c.operators,
            ...(c.metricMs !== undefined ? { metricMs: c.metricMs } : {}),
          },
        }),
      );
      assert.equal(e.python.flagged, c.flagged);
      assert.equal(e.python.share, c.share);
    });
  }
});

describe('the thresholds table', () => {
  it('names a source for every threshold', () => {
    for (const [name, entry] of Object.entries(SPARK_THRESHOLDS)) {
      assert.ok(entry.source.length > 3, name);
      assert.ok(entry.meaning.length > 3, name);
    }
  });
});
