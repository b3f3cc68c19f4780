// Performance signals in log lines (no event log needed): the signature table's performance rows
// on the lines Spark and the JVM really write, their figures summed per run, and the findings
// judged against the run's capacity at and around the thresholds.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { classifyLogs, sparkSizeToBytes, type LogEventInput } from '../../src/domain/log-signatures.js';
import { logPerformanceSignals, logSignalFindings, type RunCapacity } from '../../src/domain/spark/index.js';

const RUN = 'jr_0a1b2c3d4e5f';
const OTHER = 'jr_99887766';
let t = Date.parse('2026-11-26T02:00:00Z');
const ev = (message: string, stream = RUN): LogEventInput => ({ timestamp: (t += 1000), message, stream });
const GB = 1024 ** 3;
const MB = 1024 ** 2;

describe('performance rows of the signature table', () => {
  const cases: [line: string, id: string, figure: number][] = [
    [
      '26/11/27 02:14:03 INFO UnsafeExternalSorter: Thread 168 spilling sort data of 3.1 GB to disk (0 time so far)',
      'spill-to-disk',
      Math.round(3.1 * GB),
    ],
    [
      '26/11/27 02:14:03 INFO ShuffleExternalSorter: Thread 100 spilling sort data of 64.3 MB to disk (647  times so far)',
      'spill-to-disk',
      Math.round(64.3 * MB),
    ],
    [
      'INFO ExternalAppendOnlyMap: Thread 117 spilling in-memory map of 1.1 GB to disk (1 time so far)',
      'spill-to-disk',
      Math.round(1.1 * GB),
    ],
    [
      'INFO ExternalSorter: Thread 64 spilling in-memory map of 5.3 GB to disk (2 times so far)',
      'spill-to-disk',
      Math.round(5.3 * GB),
    ],
    // Spark 4 names the task and uses binary unit names.
    [
      'INFO UnsafeExternalSorter: Task 12 on Thread 168 spilling sort data of 3.1 GiB to disk (0 times so far)',
      'spill-to-disk',
      Math.round(3.1 * GB),
    ],
    [
      '20/03/13 20:58:18 INFO PythonUDFRunner: Times: total = 2270, boot = 351, init = 371, finish = 1548',
      'python-udf-times',
      2270,
    ],
    [
      'INFO ArrowPythonRunner: Times: total = 915, boot = -24, init = 40, finish = 899',
      'python-udf-times',
      915,
    ],
    [
      '2026-11-27T02:14:03.123+0000: [Full GC (Ergonomics) [PSYoungGen: 1048576K->0K(2097152K)] [ParOldGen: 6291456K->6270000K(6291456K)] 7340032K->6270000K(8388608K), [Metaspace: 98000K->98000K(1140736K)], 4.2103840 secs] [Times: user=15.10 sys=0.05, real=4.21 secs]',
      'full-gc',
      4210,
    ],
    [
      '[2026-11-27T02:14:03.123+0000][info][gc] GC(12) Pause Full (G1 Compaction Pause) 9800M->9600M(10240M) 4210.384ms',
      'full-gc',
      4210.384,
    ],
  ];
  for (const [line, id, figure] of cases) {
    it(`${id}: ${line.slice(0, 70)}…`, () => {
      const r = classifyLogs([ev(line)]);
      const sig = r.signatures[0];
      assert.equal(sig?.id, id);
      assert.equal(sig?.kind, 'performance');
      assert.equal(sig?.measured?.total, figure);
      assert.deepEqual(sig?.measured?.byRun, { [RUN]: figure });
    });
  }

  it('error lines keep their error signature (performance rows come last)', () => {
    const r = classifyLogs([
      ev('java.lang.OutOfMemoryError: GC overhead limit exceeded while spilling sort data of 1.0 GB to disk'),
    ]);
    assert.equal(r.signatures[0]?.id, 'gc-overhead');
    assert.equal(r.signatures[0]?.kind, 'error');
    assert.equal(r.signatures[0]?.measured, undefined);
  });

  it('ordinary INFO lines are not performance signals', () => {
    const r = classifyLogs([
      ev('INFO DAGScheduler: ResultStage 2 finished in 12.3 s'),
      ev(
        'INFO MemoryStore: Block broadcast_3 stored as values in memory (estimated size 24.0 KB, free 5.8 GB)',
      ),
    ]);
    assert.deepEqual(r.signatures, []);
  });

  it('sums per run and keeps the largest line', () => {
    const r = classifyLogs([
      ev('INFO UnsafeExternalSorter: Thread 1 spilling sort data of 1.0 GB to disk (0 time so far)'),
      ev('INFO UnsafeExternalSorter: Thread 2 spilling sort data of 2.0 GB to disk (0 time so far)'),
      ev('INFO UnsafeExternalSorter: Thread 3 spilling sort data of 512.0 MB to disk (0 time so far)', OTHER),
    ]);
    const sig = r.signatures.find((s) => s.id === 'spill-to-disk')!;
    assert.equal(sig.count, 3);
    assert.equal(sig.measured?.total, 3.5 * GB);
    assert.equal(sig.measured?.max, 2 * GB);
    assert.deepEqual(sig.measured?.byRun, { [OTHER]: 512 * MB, [RUN]: 3 * GB });
  });

  it('sizes as Spark prints them', () => {
    assert.equal(sparkSizeToBytes('512.0', 'B'), 512);
    assert.equal(sparkSizeToBytes('1.5', 'KB'), 1536);
    assert.equal(sparkSizeToBytes('2', 'TiB'), 2 * 1024 ** 4);
    assert.equal(sparkSizeToBytes('x', 'MB'), undefined);
  });
});

describe('findings from log lines against the run’s capacity', () => {
  const HOUR = 3_600_000;
  // 1 hour × 9 executors × 4 cores: 9 executor-hours, 36 core-hours.
  const capacity: RunCapacity[] = [
    {
      runId: RUN,
      executionMs: HOUR,
      executors: 9,
      coresPerExecutor: 4,
      properties: { 'spark.executor.memory': '10g', 'spark.executor.cores': '4' },
    },
  ];
  const lines = (n: number, line: string) => Array.from({ length: n }, () => ev(line));
  const findings = (events: LogEventInput[], cap = capacity) =>
    logSignalFindings(logPerformanceSignals(classifyLogs(events).signatures), cap);

  const gcCases: [pauseSecEach: number, count: number, want: string | undefined][] = [
    // 9 executor-hours = 32,400 s: 0.08 of it is 2,592 s.
    [2.592, 999, undefined],
    [2.592, 1000, 'low'],
    [3.24, 1000, 'severe'],
    [4.86, 1000, 'critical'],
  ];
  for (const [sec, n, want] of gcCases) {
    it(`full-GC pauses ${n} × ${sec} s of 9 executor-hours → ${want ?? 'no finding'}`, () => {
      const f = findings(
        lines(n, `[Full GC (Ergonomics) 7340032K->6270000K(8388608K), ${sec.toFixed(7)} secs]`),
      );
      const gc = f.find((x) => x.id === 'gc-pressure');
      assert.equal(gc?.severity, want);
      if (gc) {
        assert.equal(gc.source, 'logs');
        assert.equal(gc.recommendation.to, String(20 * GB));
        assert.match(gc.evidence[0]!, /lower bound/);
      }
    });
  }

  it('GC pauses under 5 minutes of executor time are not judged', () => {
    const f = findings(lines(10, '[Full GC (Ergonomics) 1K->1K(2K), 20.0000000 secs]'), [
      { runId: RUN, executionMs: 100_000, executors: 2, coresPerExecutor: 4 },
    ]);
    assert.equal(f.length, 0);
  });

  const pyCases: [totalMsEach: number, tasks: number, want: string | undefined][] = [
    // 36 core-hours = 129,600,000 ms; half is 64,800,000.
    [648_000, 99, undefined],
    [648_000, 100, 'moderate'],
    [1_036_800, 100, 'severe'],
  ];
  for (const [ms, n, want] of pyCases) {
    it(`PythonUDFRunner ${n} × ${ms} ms of 36 core-hours → ${want ?? 'no finding'}`, () => {
      const f = findings(
        lines(
          n,
          `INFO PythonUDFRunner: Times: total = ${ms}, boot = 300, init = 1200, finish = ${ms - 1500}`,
        ),
      );
      assert.equal(f.find((x) => x.id === 'python-udf')?.severity, want);
    });
  }

  it('spill: low without the input size, moderate from 10 % of the input', () => {
    const events = lines(
      10,
      'INFO UnsafeExternalSorter: Thread 1 spilling sort data of 1.0 GB to disk (0 time so far)',
    );
    const low = findings(events).find((x) => x.id === 'spill')!;
    assert.equal(low.severity, 'low');
    assert.equal(low.recommendation.action, 'more-partitions');
    assert.equal(low.recommendation.to, '400');
    assert.match(low.evidence[0]!, /spilled 10 GB to disk in 10 spills/);
    const at = findings(events, [{ ...capacity[0]!, inputBytes: 100 * GB }]).find((x) => x.id === 'spill')!;
    assert.equal(at.severity, 'moderate');
    const under = findings(events, [{ ...capacity[0]!, inputBytes: 100 * GB + 1 }]).find(
      (x) => x.id === 'spill',
    )!;
    assert.equal(under.severity, 'low');
  });
});
