// The run-vs-baseline diff: stage matching by name and order, the stage that grew most, and the
// factor that grew it, at and around each factor's threshold.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { describeDiff, diffRuns, matchStages, type GrowthFactor } from '../../src/domain/spark/index.js';
import { stage, summary, type StageOverrides } from '../support/spark-summaries.js';

const GB = 1024 ** 3;

describe('matchStages: by name, then by occurrence', () => {
  it('pairs the k-th stage of a name with the k-th of that name, whatever the ids', () => {
    const run = [
      stage({ stageId: 10, order: 0, name: 'A' }),
      stage({ stageId: 11, order: 1, name: 'B' }),
      stage({ stageId: 12, order: 2, name: 'A' }),
      stage({ stageId: 13, order: 3, name: 'C' }),
    ];
    const base = [
      stage({ stageId: 0, order: 0, name: 'A' }),
      stage({ stageId: 1, order: 1, name: 'A' }),
      stage({ stageId: 2, order: 2, name: 'B' }),
    ];
    const pairs = matchStages(run, base).map((p) => [p.run.stageId, p.base?.stageId, p.occurrence]);
    assert.deepEqual(pairs, [
      [10, 0, 0],
      [11, 2, 0],
      [12, 1, 1],
      [13, undefined, 0],
    ]);
  });
});

describe('diffRuns: the stage that grew most', () => {
  it('is the one with the largest absolute growth, not the largest ratio', () => {
    const d = diffRuns(
      summary([
        stage({ stageId: 0, name: 'X', durationMs: 40_000 }),
        stage({ stageId: 1, order: 1, name: 'Y', durationMs: 160_000 }),
      ]),
      summary([
        stage({ stageId: 0, name: 'X', durationMs: 10_000 }),
        stage({ stageId: 1, order: 1, name: 'Y', durationMs: 100_000 }),
      ]),
    );
    assert.equal(d.grewMost?.name, 'Y');
    assert.equal(d.grewMost?.growthMs, 60_000);
    assert.equal(d.grewMost?.durationRatio, 1.6);
    assert.deepEqual(
      d.stages.map((s) => s.name),
      ['Y', 'X'],
    );
    assert.equal(d.matched, 2);
  });

  it('a stage new in the run counts from 0; a stage gone from the run is listed', () => {
    const d = diffRuns(
      summary([
        stage({ stageId: 0, name: 'X', durationMs: 10_000 }),
        stage({ stageId: 1, order: 1, name: 'New', durationMs: 90_000 }),
      ]),
      summary([
        stage({ stageId: 0, name: 'X', durationMs: 10_000 }),
        stage({ stageId: 1, order: 1, name: 'Gone', durationMs: 5_000 }),
      ]),
    );
    assert.equal(d.grewMost?.name, 'New');
    assert.equal(d.grewMost?.baselineStageId, undefined);
    assert.equal(d.grewMost?.durationRatio, Infinity);
    assert.deepEqual(d.missingInRun, [{ name: 'Gone', stageId: 1, durationMs: 5_000 }]);
    assert.match(describeDiff(d)[0]!, /is new against the baseline run/);
  });

  it('nothing grew: no grewMost', () => {
    const d = diffRuns(summary([stage({ durationMs: 10_000 })]), summary([stage({ durationMs: 12_000 })]));
    assert.equal(d.grewMost, undefined);
    assert.deepEqual(describeDiff(d), ['No stage took longer than in the baseline run.']);
  });

  it('application durations', () => {
    const d = diffRuns(
      summary([stage()], { durationMs: 3_000_000 }),
      summary([stage()], { durationMs: 1_200_000 }),
    );
    assert.equal(d.durationRatio, 2.5);
  });
});

describe('diffRuns: which factor grew the stage, at and around each threshold', () => {
  const base: StageOverrides = {
    durationMs: 100_000,
    executorRunMs: 1_000_000,
    inputBytes: 1 * GB,
    shuffleReadBytes: 1 * GB,
    shuffleWriteBytes: 1 * GB,
    gcMs: 10_000,
    taskMs: { median: 10_000, max: 12_000, p75: 11_000 },
    tasks: { ended: 200, succeeded: 200 },
  };
  const cases: {
    name: string;
    run: StageOverrides;
    base?: StageOverrides;
    want: GrowthFactor | undefined;
  }[] = [
    { name: 'input 2× → input', run: { inputBytes: 2 * GB }, want: 'input' },
    { name: 'input 1.29× → nothing', run: { inputBytes: 1.29 * GB }, want: undefined },
    { name: 'input 1.3× → input', run: { inputBytes: 1.3 * GB }, want: 'input' },
    {
      name: 'shuffle 2× → shuffle',
      run: { shuffleReadBytes: 2 * GB, shuffleWriteBytes: 2 * GB },
      want: 'shuffle',
    },
    { name: 'tasks 200 → 400 → tasks', run: { tasks: { ended: 400, succeeded: 400 } }, want: 'tasks' },
    {
      name: 'spill 0 → 0.1 of processed (moderate) → spill',
      run: { memorySpilledBytes: 0.1 * GB },
      want: 'spill',
    },
    {
      name: 'spill 0 → 0.09 (under moderate) → nothing',
      run: { memorySpilledBytes: 0.09 * GB },
      want: undefined,
    },
    {
      name: 'spill 0.1 → 0.15 (grew only 1.5×) → nothing',
      base: { memorySpilledBytes: 0.1 * GB },
      run: { memorySpilledBytes: 0.15 * GB },
      want: undefined,
    },
    {
      name: 'spill 0.1 → 0.2 (doubled) → spill',
      base: { memorySpilledBytes: 0.1 * GB },
      run: { memorySpilledBytes: 0.2 * GB },
      want: 'spill',
    },
    { name: 'GC 1% → 8% of run time → gc', run: { gcMs: 80_000 }, want: 'gc' },
    { name: 'GC 1% → 7.9% → nothing (under low)', run: { gcMs: 79_000 }, want: undefined },
    { name: 'GC 6% → 8% (1.33×) → nothing', base: { gcMs: 60_000 }, run: { gcMs: 80_000 }, want: undefined },
    {
      name: 'skew 1.2 → 4 → skew',
      run: { taskMs: { median: 10_000, max: 40_000, p75: 11_000 } },
      want: 'skew',
    },
    {
      name: 'skew 1.2 → 3.9 → nothing',
      run: { taskMs: { median: 10_000, max: 39_000, p75: 11_000 } },
      want: undefined,
    },
    {
      name: 'skew 3 → 4 (1.33×) → nothing',
      base: { taskMs: { median: 10_000, max: 30_000, p75: 11_000 } },
      run: { taskMs: { median: 10_000, max: 40_000, p75: 11_000 } },
      want: undefined,
    },
    {
      name: 'input 2× and spill appearing at 0.3: spill grew more',
      run: { inputBytes: 2 * GB, memorySpilledBytes: 0.6 * GB },
      want: 'spill',
    },
    {
      name: 'a Python stage slower per byte, nothing else moved → python-udf',
      base: { pythonUdf: true },
      run: { pythonUdf: true, executorRunMs: 2_000_000 },
      want: 'python-udf',
    },
    {
      name: 'a Python stage 1.49× slower per byte → nothing',
      base: { pythonUdf: true },
      run: { pythonUdf: true, executorRunMs: 1_490_000 },
      want: undefined,
    },
    {
      name: 'a Python stage slower and input 2×: input first, Python only as the last resort',
      base: { pythonUdf: true },
      run: { pythonUdf: true, executorRunMs: 4_000_000, inputBytes: 2 * GB },
      want: 'input',
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const d = diffRuns(
        summary([stage({ ...base, ...c.run, durationMs: 300_000 })]),
        summary([stage({ ...base, ...c.base })]),
      );
      assert.equal(d.grewMost?.dominant, c.want);
      const text = describeDiff(d).join(' ');
      assert.match(text, /grew most against the baseline run: 1m 40s → 5m 00s \(\+3m 20s, 3×\)/);
      if (c.want === undefined) assert.match(text, /No single figure explains it/);
      else assert.match(text, /It grew by /);
    });
  }
});
