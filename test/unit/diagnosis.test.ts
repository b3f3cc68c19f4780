import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evaluateDegradation } from '../../src/domain/degradation.js';
import {
  MITIGATIONS,
  configChanges,
  confidenceOf,
  degradedWindowOf,
  diagnose,
  recoveryTarget,
  type DiagnosisEvidence,
  type Finding,
} from '../../src/domain/diagnosis.js';
import { classifyLogs } from '../../src/domain/log-signatures.js';
import type { RunRecord } from '../../src/domain/run-record.js';
import { glueRun, type GlueLikeRun, type GlueState } from '../support/runs.js';
import { analyzeSkew, summarizeTaskTimes } from '../../src/domain/skew.js';

const DAY = 86_400_000;
const T0 = Date.parse('2026-11-26T02:00:00Z');
const MiB = 1024 * 1024;

function runs(
  specs: (number | [GlueState, number])[],
  over: (i: number) => Partial<GlueLikeRun> = () => ({}),
): RunRecord[] {
  return specs.map((spec, i) => {
    const [state, sec] = typeof spec === 'number' ? (['SUCCEEDED', spec] as const) : spec;
    return glueRun({
      id: `jr_${String(i).padStart(3, '0')}`,
      state,
      startedOn: new Date(T0 - i * DAY),
      executionTimeSec: sec,
      workerType: 'G.1X',
      numberOfWorkers: 10,
      arguments: { '--input_path': 's3://lake-raw/events/', '--process_date': `2026-11-${26 - i}` },
      ...over(i),
    });
  });
}

const degradedRuns = runs([1800, 1750, 1700, 1200, 1200, 1200, 1200, 1200, 1200, 1200, 1200, 1200, 1200]);
const degraded = evaluateDegradation(degradedRuns, {
  thresholdPct: 30,
  consecutiveRuns: 3,
  baselineRuns: 10,
});
const healthy = evaluateDegradation(runs([1200, 1200, 1200, 1200, 1200, 1200, 1200, 1200]), {
  thresholdPct: 30,
  consecutiveRuns: 3,
  baselineRuns: 5,
});

const byId = (fs: Finding[], id: string): Finding | undefined => fs.find((f) => f.id === id);

test('no evidence, no findings', () => {
  assert.deepEqual(diagnose({}), []);
  assert.deepEqual(diagnose({ degradation: degraded }), []);
});

test('every finding names its runbook mitigation', () => {
  const kinds: Record<string, string> = {
    'job-changed': 'code-fix',
    'small-files': 'compaction',
    'volume-growth': 'scale',
    memory: 'scale',
    'data-skew': 'shuffle-tuning',
    'schema-drift': 'backfill',
    bookmarks: 'bookmark-reset',
    udf: 'code-fix',
    's3-throttling': 'compaction',
  };
  for (const [id, kind] of Object.entries(kinds)) {
    assert.equal(MITIGATIONS[id as keyof typeof MITIGATIONS].kind, kind, id);
  }
  assert.match(MITIGATIONS['small-files'].mitigation, /compaction/);
  assert.match(MITIGATIONS.memory.mitigation, /spark\.sql\.shuffle\.partitions/);
  assert.match(MITIGATIONS['data-skew'].mitigation, /salting/);
  assert.match(MITIGATIONS.udf.mitigation, /native DataFrame/);
  assert.match(MITIGATIONS['schema-drift'].mitigation, /Block deploys/);
  assert.match(MITIGATIONS.bookmarks.mitigation, /bookmark.*backfill/);
});

test('small files: the evidence sentence has the numbers', () => {
  const ev: DiagnosisEvidence = {
    degradation: degraded,
    volume: {
      scope: 'newest partition',
      baselineLabel: 'median of the 7 earlier ones',
      now: { files: 4812, bytes: 4812 * 215040, smallFiles: 4800 },
      baseline: { files: 4812 / 20.1, bytes: (4812 * 215040) / 1.1 },
    },
  };
  const [top] = diagnose(ev);
  assert.equal(top?.id, 'small-files');
  assert.equal(top?.confidence, 'high');
  assert.equal(
    top?.evidence[0],
    'The newest partition holds 4,812 files (20.1× the median of the 7 earlier ones) averaging 210 KB, while bytes grew 1.1×.',
  );
  assert.equal(top?.evidence[1], '99.8% of the files are under 32 MB (the small-file threshold).');
  assert.equal(top?.mitigationKind, 'compaction');
  assert.equal(byId(diagnose(ev), 'volume-growth'), undefined, 'bytes grew only 1.1×');
});

test('volume growth: bytes grew with duration', () => {
  const ev: DiagnosisEvidence = {
    degradation: degraded,
    volume: { now: { files: 300, bytes: 300 * 256 * MiB }, baseline: { files: 200, bytes: 200 * 256 * MiB } },
  };
  const f = diagnose(ev);
  assert.equal(f[0]?.id, 'volume-growth');
  assert.equal(f[0]?.confidence, 'high');
  assert.equal(
    f[0]?.evidence[0],
    'Bytes in the input grew 1.5× against the baseline (50 GB → 75 GB) while the median run duration grew 1.5× (20m 00s → 29m 10s).',
  );
  assert.equal(byId(f, 'small-files'), undefined, 'big files are not small files');
});

test('job changed inside the degraded window ranks first', () => {
  const modified = new Date(T0 - 3 * DAY + 3600_000); // after the last baseline run started, before the window
  const ev: DiagnosisEvidence = {
    degradation: degraded,
    jobLastModifiedOn: modified,
    signatures: classifyLogs([
      { timestamp: T0, message: 'java.lang.OutOfMemoryError: Java heap space', stream: 'jr_000' },
    ]).signatures,
  };
  const fs = diagnose(ev);
  assert.deepEqual(
    fs.map((f) => f.id),
    ['job-changed', 'memory'],
  );
  assert.equal(fs[0]?.confidence, 'high');
  assert.match(
    fs[0]?.evidence[0] ?? '',
    /last modified 2026-11-23T03:00:00Z, after the last normal run started \(2026-11-23T02:00:00Z\) and before the newest judged run \(2026-11-26T02:00:00Z\)/,
  );
  // Modified before the last normal run: not inside the window.
  assert.equal(
    byId(diagnose({ ...ev, jobLastModifiedOn: new Date(T0 - 10 * DAY) }), 'job-changed'),
    undefined,
  );
  // Modified after the newest run: could not have caused it.
  assert.equal(
    byId(diagnose({ ...ev, jobLastModifiedOn: new Date(T0 + 3600_000) }), 'job-changed'),
    undefined,
  );
  assert.deepEqual(degradedWindowOf({ degradation: degraded }), {
    start: new Date(T0 - 3 * DAY),
    end: new Date(T0),
  });
});

test('job changed, seen in the runs themselves: fewer workers, a new argument, secrets redacted', () => {
  const rs = runs([1800, 1750, 1700, ...Array(10).fill(1200)], (i): Partial<GlueLikeRun> =>
    i < 3
      ? {
          numberOfWorkers: 5,
          maxCapacity: 5,
          arguments: {
            '--input_path': 's3://lake-raw/events/',
            '--process_date': `d${i}`,
            '--db_password': 'hunter2',
            '--conf': 'spark.sql.shuffle.partitions=2000',
          },
        }
      : {
          maxCapacity: 10,
          arguments: {
            '--input_path': 's3://lake-raw/events/',
            '--process_date': `d${i}`,
            '--db_password': 'old',
          },
        },
  );
  const d = evaluateDegradation(rs, { thresholdPct: 30, consecutiveRuns: 3, baselineRuns: 10 });
  const changes = configChanges({ degradation: d, runs: rs, parameterPrefix: '--' });
  assert.deepEqual(changes, [
    'capacity 10 × G.1X → 5 × G.1X',
    'parameter --conf (unset) → spark.sql.shuffle.partitions=2000',
    'parameter --db_password changed (‹redacted›)',
  ]);
  const [top] = diagnose({ degradation: d, runs: rs });
  assert.equal(top?.id, 'job-changed');
  assert.ok(top && top.score > 0.85);
  assert.ok(top.evidence.every((s) => !s.includes('hunter2')));
});

test('schema drift from errors and from a table version inside the window', () => {
  const signatures = classifyLogs([
    {
      timestamp: T0,
      message: "AnalysisException: cannot resolve 'amount_usd' given input columns",
      stream: 'jr_000',
    },
    {
      timestamp: T0 + 1,
      message: "AnalysisException: cannot resolve 'amount_usd' given input columns",
      stream: 'jr_001',
    },
  ]).signatures;
  const fromErrors = byId(diagnose({ degradation: degraded, signatures }), 'schema-drift');
  assert.equal(fromErrors?.confidence, 'high');
  assert.match(
    fromErrors?.evidence[0] ?? '',
    /^"Cannot resolve column" logged 2 times in 2 runs \(jr_000, jr_001\), e\.g\. "AnalysisException: cannot resolve/,
  );
  const fromVersion = byId(
    diagnose({
      degradation: degraded,
      tableVersions: [
        {
          table: 'lake.events',
          versionId: '14',
          updateTime: new Date(T0 - 2 * DAY - 3600_000),
          changes: ['column price: int → double'],
        },
        { table: 'lake.events', versionId: '13', updateTime: new Date(T0 - 30 * DAY) },
      ],
    }),
    'schema-drift',
  );
  assert.equal(fromVersion?.evidence.length, 1);
  assert.equal(
    fromVersion?.evidence[0],
    'Table lake.events got version 14 at 2026-11-24T01:00:00Z, inside the degraded window (column price: int → double).',
  );
  assert.equal(fromVersion?.confidence, 'high');
});

test('data skew from task times and from the Glue metric', () => {
  const skew = analyzeSkew([summarizeTaskTimes('jr_000', '7.0', [...Array(199).fill(9800), 412_000])]);
  const f = byId(diagnose({ degradation: degraded, skew }), 'data-skew');
  assert.equal(f?.confidence, 'high');
  assert.equal(
    f?.evidence[0],
    'Stage 7.0 of run jr_000: the slowest of 200 tasks took 6m 52s, 42× the median of 10s (severity critical).',
  );
  assert.deepEqual(f?.runIds, ['jr_000']);
  const g = byId(
    diagnose({ skew: analyzeSkew([], { skewnessMetric: { name: 'glue.driver.skewness.job', value: 1 } }) }),
    'data-skew',
  );
  assert.equal(g?.confidence, 'medium');
  assert.match(
    g?.evidence[0] ?? '',
    /The platform reports glue\.driver\.skewness\.job = 1 \(max ÷ median task time ≈ 10×\)/,
  );
});

test('memory, UDF, S3 throttling and bookmarks from log signatures and metadata', () => {
  const log = (message: string, stream = 'jr_000') => ({ timestamp: T0, message, stream });
  const signatures = classifyLogs([
    log('ExecutorLostFailure Reason: Container killed by YARN for exceeding memory limits. token=abc123'),
    log('org.apache.spark.SparkException: Python worker exited unexpectedly (crashed)'),
    ...Array.from({ length: 12 }, () =>
      log('AmazonS3Exception: Please reduce your request rate. Status Code: 503; Error Code: SlowDown'),
    ),
    log('ERROR GlueContext: failed to commit job bookmark'),
  ]).signatures;
  const fs = diagnose({
    degradation: degraded,
    signatures,
    bookmark: { option: 'job-bookmark-enable', bookmarkRunId: 'jr_009', latestSuccessfulRunId: 'jr_000' },
  });
  const mem = byId(fs, 'memory');
  assert.equal(mem?.confidence, 'high');
  assert.ok(mem?.evidence[0]?.includes('token=‹redacted›'));
  assert.ok(!JSON.stringify(fs).includes('abc123'));
  assert.equal(byId(fs, 'udf')?.confidence, 'medium');
  assert.equal(byId(fs, 's3-throttling')?.score, 0.6);
  const bm = byId(fs, 'bookmarks');
  assert.equal(bm?.confidence, 'high');
  assert.equal(
    bm?.evidence[0],
    'The job bookmark points at run jr_009, not at the newest successful run jr_000.',
  );
  // Ranked by score.
  for (let i = 1; i < fs.length; i++) assert.ok((fs[i - 1] as Finding).score >= (fs[i] as Finding).score);
});

test('signatures only in runs that are not problematic weigh less', () => {
  const signatures = classifyLogs([
    { timestamp: T0, message: 'java.lang.OutOfMemoryError: Java heap space', stream: 'jr_012' },
  ]).signatures;
  const inProblem = classifyLogs([
    { timestamp: T0, message: 'java.lang.OutOfMemoryError: Java heap space', stream: 'jr_000' },
  ]).signatures;
  const a = byId(diagnose({ degradation: degraded, signatures }), 'memory');
  const b = byId(diagnose({ degradation: degraded, signatures: inProblem }), 'memory');
  assert.ok(a && b && a.score < b.score);
});

test('confidence thresholds and deterministic ranking', () => {
  assert.equal(confidenceOf(0.7), 'high');
  assert.equal(confidenceOf(0.45), 'medium');
  assert.equal(confidenceOf(0.44), 'low');
  const ev: DiagnosisEvidence = {
    degradation: healthy,
    volume: { now: { files: 1000, bytes: 1000 * MiB, smallFiles: 900 } },
  };
  const f = diagnose(ev);
  assert.deepEqual(diagnose(ev), f);
  assert.equal(f[0]?.id, 'small-files');
  assert.equal(f[0]?.confidence, 'medium');
  assert.equal(f[0]?.evidence[0], 'The input holds 1,000 files averaging 1 MB.');
});

test('Azure: a YARN exit-143 kill alone is soft memory evidence; ADLS ServerBusy is storage throttling', () => {
  const log = (message: string) => ({ timestamp: T0, message, stream: 'jr_000' });
  const soft = diagnose({
    degradation: degraded,
    signatures: classifyLogs([
      log('ERROR YarnScheduler: Lost executor 5 on vm-7d1e: Container killed on request. Exit code is 143.'),
    ]).signatures,
  });
  assert.equal(byId(soft, 'memory')?.score, 0.5, 'like a lost executor: no memory message');
  const hard = diagnose({
    degradation: degraded,
    signatures: classifyLogs([
      log('Container exited with a non-zero exit code 137. Killed by external signal'),
    ]).signatures,
  });
  assert.equal(byId(hard, 'memory')?.score, 0.8);
  const adls = diagnose({
    degradation: degraded,
    signatures: classifyLogs(
      Array.from({ length: 10 }, () =>
        log(
          'Operation failed: "The server is busy.", 503, GET, https://lake.dfs.core.windows.net/x, ServerBusy',
        ),
      ),
    ).signatures,
  });
  const t = byId(adls, 's3-throttling');
  assert.equal(t?.cause, 'Storage throttling (S3 / ADLS)');
  assert.match(t?.evidence[0] ?? '', /ADLS \/ Blob throttling/);
});

test('recoveryTarget: a FAILING job whose newest completed run failed, with the step it failed at', () => {
  const failing = runs([
    ['FAILED', 300],
    ['FAILED', 310],
    ['FAILED', 305],
    900,
    900,
    900,
    900,
    900,
    900,
    900,
    900,
    900,
    900,
  ]).map((r, i) => (i === 0 ? { ...r, failedStep: 'TransformOrders' } : r));
  const v = evaluateDegradation(failing, { thresholdPct: 30, consecutiveRuns: 3, baselineRuns: 10 });
  assert.equal(v.verdict, 'FAILING');
  assert.deepEqual(recoveryTarget(v, failing), { runId: 'jr_000', step: 'TransformOrders' });
  // Not FAILING, or the newest run succeeded: nothing to recover.
  assert.equal(recoveryTarget(degraded, degradedRuns), undefined);
  const recovered = runs([
    900,
    ['FAILED', 300],
    ['FAILED', 310],
    ['FAILED', 305],
    900,
    900,
    900,
    900,
    900,
    900,
    900,
    900,
    900,
  ]);
  const v2 = evaluateDegradation(recovered, { thresholdPct: 30, consecutiveRuns: 3, baselineRuns: 10 });
  assert.equal(recoveryTarget(v2, recovered), undefined);
  assert.equal(recoveryTarget(undefined, []), undefined);
});
