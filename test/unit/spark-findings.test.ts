// Findings from Spark evidence: the fix ladders (partitions 200 → … → 4000, memory per executor
// 4 → 10 GB → the next size, cores 4 → 2), the recommendation each finding makes from the run's
// own settings, the boost the run-vs-baseline diff gives, and redaction of what came from the log.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  diffRuns,
  evaluateRun,
  nextExecutorCores,
  nextExecutorMemory,
  nextPartitions,
  parseSparkSize,
  settingsOf,
  sparkFindings,
} from '../../src/domain/spark/index.js';
import { stage, summary, type AppOverrides } from '../support/spark-summaries.js';

const MB = 1024 ** 2;
const GB = 1024 ** 3;

describe('ladders', () => {
  const partitions: [number, number | undefined][] = [
    [100, 200],
    [200, 400],
    [400, 800],
    [1600, 3200],
    [3000, 3200],
    [3200, 4000],
    [3999, 4000],
    [4000, undefined],
    [8000, undefined],
  ];
  for (const [from, to] of partitions)
    it(`shuffle partitions ${from} → ${to}`, () => assert.equal(nextPartitions(from), to));

  const memory: [number, number][] = [
    [1 * GB, 4 * GB],
    [4 * GB, 10 * GB],
    [5 * GB, 10 * GB],
    [10 * GB, 20 * GB],
    [20 * GB, 40 * GB],
  ];
  for (const [from, to] of memory)
    it(`memory per executor ${from / GB} GB → ${to / GB} GB`, () =>
      assert.equal(nextExecutorMemory(from), to));

  const cores: [number, number | undefined][] = [
    [8, 4],
    [4, 2],
    [3, 2],
    [2, undefined],
    [1, undefined],
  ];
  for (const [from, to] of cores)
    it(`cores per executor ${from} → ${to}`, () => assert.equal(nextExecutorCores(from), to));

  const sizes: [string, number | undefined][] = [
    ['10g', 10 * GB],
    ['4096m', 4 * GB],
    ['512', 512 * MB],
    ['1.5g', 1.5 * GB],
    ['10gb', 10 * GB],
    ['20G', 20 * GB],
    ['lots', undefined],
  ];
  for (const [text, bytes] of sizes)
    it(`Spark size "${text}"`, () => assert.equal(parseSparkSize(text), bytes));

  it('settings default to Spark’s own when the run does not set them', () => {
    const s = settingsOf({}, '3.3.0-amzn-1');
    assert.equal(s.partitions, 200);
    assert.equal(s.partitionsSet, false);
    assert.equal(s.aqe, true, 'AQE is on by default from Spark 3.2');
    assert.equal(settingsOf({}, '3.1.1').aqe, false);
    assert.equal(s.maxPartitionBytes, 128 * MB);
  });
});

const glueProps = {
  'spark.executor.memory': '10g',
  'spark.executor.cores': '4',
  'spark.glue.JOB_RUN_ID': 'jr_0123',
};

function findingsOf(
  stages: Parameters<typeof summary>[0],
  a: AppOverrides = {},
  base?: ReturnType<typeof summary>,
) {
  const s = summary(stages, { properties: glueProps, ...a });
  const diff = base ? diffRuns(s, base) : undefined;
  return sparkFindings(s, evaluateRun(s), diff);
}

describe('spill findings', () => {
  it('a shuffle stage spilling: more shuffle partitions first, then memory, then cores', () => {
    const [f, ...rest] = findingsOf([
      stage({ stageId: 3, shuffleReadBytes: 40 * GB, memorySpilledBytes: 12 * GB, diskSpilledBytes: 5 * GB }),
    ]);
    assert.equal(rest.length, 0);
    assert.equal(f?.id, 'spill');
    assert.equal(f?.severity, 'severe');
    assert.equal(f?.relatesTo, 'memory');
    assert.deepEqual(f?.stageIds, [3]);
    assert.equal(f?.recommendation.action, 'more-partitions');
    assert.equal(f?.recommendation.setting, 'spark.sql.shuffle.partitions');
    assert.equal(f?.recommendation.from, '200');
    assert.equal(f?.recommendation.to, '400');
    assert.deepEqual(
      f?.alternatives.map((a) => [a.action, a.from, a.to]),
      [
        ['more-memory-per-executor', String(10 * GB), String(20 * GB)],
        ['fewer-cores-per-executor', '4', '2'],
      ],
    );
    assert.equal(
      f?.evidence[0],
      'Stage 3 (save at Job.py:42) spilled 12 GB from memory (5 GB on disk): 0.3 of the 40 GB it processed (severe).',
    );
  });

  it('partitions already at 4000: memory per executor is the first step', () => {
    const [f] = findingsOf([stage({ shuffleReadBytes: 40 * GB, memorySpilledBytes: 12 * GB })], {
      properties: { ...glueProps, 'spark.sql.shuffle.partitions': '4000' },
    });
    assert.equal(f?.recommendation.action, 'more-memory-per-executor');
    assert.equal(
      f?.recommendation.text,
      'More memory per executor: 10 GB → 20 GB (the next larger executor size).',
    );
  });

  it('a stage reading input (no shuffle): smaller input splits', () => {
    const [f] = findingsOf([stage({ inputBytes: 40 * GB, memorySpilledBytes: 12 * GB })]);
    assert.equal(f?.recommendation.action, 'smaller-input-splits');
    assert.equal(f?.recommendation.setting, 'spark.sql.files.maxPartitionBytes');
    assert.equal(f?.recommendation.to, String(64 * MB));
  });

  it('spill under 0.01 of bytes processed is no finding', () => {
    assert.deepEqual(findingsOf([stage({ shuffleReadBytes: 100 * GB, memorySpilledBytes: 0.99 * GB })]), []);
  });
});

describe('GC findings', () => {
  it('GC over 0.08 past 5 minutes of executor time: more memory per executor, else fewer cores', () => {
    const [f] = findingsOf([stage({ executorRunMs: 3_600_000, gcMs: 540_000 })], {
      totals: { executorRunMs: 3_600_000, gcMs: 540_000 },
    });
    assert.equal(f?.id, 'gc-pressure');
    assert.equal(f?.severity, 'critical');
    assert.equal(f?.recommendation.action, 'more-memory-per-executor');
    assert.equal(f?.recommendation.to, String(20 * GB));
    assert.equal(f?.alternatives[0]?.action, 'fewer-cores-per-executor');
    assert.match(
      f?.evidence[0] ?? '',
      /^JVM GC took 15% of the executors' 1h 00m of task run time \(critical/,
    );
    assert.match(f?.evidence[1] ?? '', /^Stage 0 \(save at Job\.py:42\): GC 15% of its task run time\.$/);
  });

  it('the same ratio under 5 minutes of executor time is no finding', () => {
    assert.deepEqual(findingsOf([stage()], { totals: { executorRunMs: 299_000, gcMs: 100_000 } }), []);
  });

  it('without spark.executor.memory: at least the ladder’s first step', () => {
    const [f] = findingsOf([], { properties: {}, totals: { executorRunMs: 3_600_000, gcMs: 540_000 } });
    assert.equal(f?.recommendation.to, String(4 * GB));
    assert.equal(f?.recommendation.from, undefined);
  });
});

describe('skew findings', () => {
  const skewed = stage({
    stageId: 2,
    durationMs: 540_000,
    taskMs: { median: 4_000, max: 512_000, p75: 4_100, count: 200 },
    tasks: { ended: 200, succeeded: 200 },
  });
  it('Spark < 3.2 (AQE off by default): turn adaptive execution on', () => {
    const [f] = findingsOf([skewed], { sparkVersion: '3.1.1' });
    assert.equal(f?.id, 'task-skew');
    assert.equal(f?.severity, 'critical');
    assert.equal(f?.relatesTo, 'data-skew');
    assert.equal(f?.recommendation.action, 'skew-join');
    assert.equal(f?.recommendation.setting, 'spark.sql.adaptive.enabled');
    assert.equal(
      f?.evidence[0],
      "Stage 2 (save at Job.py:42): the longest of 200 tasks took 8m 32s, 128× the median of 4s, 95% of the stage's 9m 00s (critical).",
    );
  });
  it('AQE on and skew join on: salt the key', () => {
    const [f] = findingsOf([skewed], { sparkVersion: '3.3.0-amzn-1' });
    assert.equal(f?.recommendation.action, 'salt-skewed-key');
  });
  it('skew join switched off: switch it on', () => {
    const [f] = findingsOf([skewed], {
      properties: { ...glueProps, 'spark.sql.adaptive.skewJoin.enabled': 'false' },
    });
    assert.equal(f?.recommendation.setting, 'spark.sql.adaptive.skewJoin.enabled');
  });
  it('a skewed stage whose longest task is under 150 s is no finding', () => {
    assert.deepEqual(
      findingsOf([stage({ durationMs: 150_000, taskMs: { median: 1_000, max: 140_000 } })]),
      [],
    );
  });
});

describe('Python UDF findings', () => {
  const py = (operators: string[], sparkVersion: string) =>
    findingsOf([stage({ pythonUdf: true, executorRunMs: 90_000 })], {
      sparkVersion,
      totals: { executorRunMs: 100_000 },
      python: {
        operators,
        udfStageRunMs: 90_000,
        executions: [{ executionId: 4, description: 'save at UdfJob.py:31', operators }],
      },
    });
  it('row-at-a-time UDFs on Spark 3.5: through Arrow', () => {
    const [f] = py(['BatchEvalPython'], '3.5.4-amzn-0');
    assert.equal(f?.id, 'python-udf');
    assert.equal(f?.severity, 'severe');
    assert.equal(f?.recommendation.setting, 'spark.sql.execution.pythonUDF.arrow.enabled');
    assert.match(
      f?.evidence[0] ?? '',
      /^Stages that evaluate Python UDFs \(BatchEvalPython\) took 90% of the executors' task run time/,
    );
    assert.match(f?.evidence[1] ?? '', /SQL query 4: "save at UdfJob.py:31"/);
  });
  it('row-at-a-time UDFs on Spark 3.3: pandas UDFs, no setting', () => {
    const [f] = py(['BatchEvalPython'], '3.3.0-amzn-1');
    assert.equal(f?.recommendation.action, 'vectorize-udf');
    assert.equal(f?.recommendation.setting, undefined);
  });
  it('Arrow UDFs already: built-in functions', () => {
    const [f] = py(['ArrowEvalPython'], '3.3.0-amzn-1');
    assert.equal(f?.recommendation.action, 'native-functions');
  });
});

describe('idle executors', () => {
  it('recommends the executors the tasks kept busy, plus 25 %', () => {
    const H = 3_600_000;
    const [f] = findingsOf([], {
      durationMs: H,
      executors: {
        maxConcurrent: 10,
        maxConcurrentCores: 40,
        availableCoreMs: 40 * H,
        busyCoreMs: 8 * H,
        wastedCoreMs: 32 * H,
        idleExecutorMs: 5 * H,
      },
    });
    assert.equal(f?.id, 'idle-executors');
    assert.equal(f?.severity, 'severe');
    assert.equal(f?.recommendation.action, 'fewer-executors');
    assert.equal(f?.recommendation.from, '10');
    assert.equal(f?.recommendation.to, '3', '8 busy cores × 1.25 = 10 cores = 3 executors of 4');
    assert.equal(
      f?.evidence[0],
      'Executors offered 40 core-hours and tasks used 8: 32 core-hours (80%) ran no task.',
    );
  });
});

describe('findings and the diff', () => {
  it('the factor that grew the stage that grew most ranks its finding higher (first on a tie) and carries the diff', () => {
    const now = [
      stage({ stageId: 3, durationMs: 900_000, shuffleReadBytes: 40 * GB, memorySpilledBytes: 12 * GB }),
      stage({
        stageId: 4,
        order: 1,
        name: 'count at Job.py:50',
        durationMs: 400_000,
        taskMs: { median: 1_000, max: 320_000, p75: 1_000 },
      }),
    ];
    const before = summary([
      stage({ stageId: 3, durationMs: 300_000, shuffleReadBytes: 40 * GB }),
      stage({
        stageId: 4,
        order: 1,
        name: 'count at Job.py:50',
        durationMs: 400_000,
        taskMs: { median: 1_000, max: 320_000, p75: 1_000 },
      }),
    ]);
    const fs = findingsOf(now, {}, before);
    assert.deepEqual(
      fs.map((f) => [f.id, f.severity, f.explainsGrowth, f.score]),
      [
        ['spill', 'severe', true, 0.85],
        ['task-skew', 'critical', false, 0.85],
      ],
    );
    const spill = fs.find((f) => f.id === 'spill')!;
    assert.ok(spill.evidence.some((e) => /grew most against the baseline run: 5m 00s → 15m 00s/.test(e)));
    assert.ok(
      spill.evidence.some((e) => /It grew by spill \(spill 0 → 0\.3 of the bytes processed\)/.test(e)),
    );
  });

  it('evidence is redacted', () => {
    const [f] = findingsOf([
      stage({
        name: 'save at jdbc:postgresql://db/x?password=hunter2',
        shuffleReadBytes: 40 * GB,
        memorySpilledBytes: 12 * GB,
      }),
    ]);
    assert.ok(!f?.evidence.join(' ').includes('hunter2'));
  });
});
