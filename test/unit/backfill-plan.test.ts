// The pure backfill step machine, statistics comparison, copy planning and Parquet footers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  BACKFILL_STEPS,
  BackfillPlanError,
  StepTransitionError,
  abortRecord,
  applyStep,
  baselineDiff,
  buildPlan,
  canAbort,
  canRollback,
  datasetStats,
  mayRun,
  newRecord,
  nextStep,
  qualityCaveats,
  qualityFindings,
  snapshotKey,
  windowDates,
  DEFAULT_TOLERANCES,
  type BackfillRecord,
  type DatasetStats,
  type FileFacts,
} from '../../src/domain/backfill-plan.js';
import { AdaptiveLimit } from '../../src/providers/snapshot.js';
import { COPY_OBJECT_MAX_BYTES, partRanges } from '../../src/providers/aws/s3-object-store.js';
import { dqdlRuleset } from '../../src/providers/aws/glue-data-quality.js';
import { parseFooter, ParquetFooterError } from '../../src/domain/backfill-parquet.js';
import { writeParquet, type ParquetColumn } from '../../sim/parquet-writer.js';
import { verifySnapshot } from '../../src/providers/snapshot.js';

const NOW = Date.UTC(2026, 10, 27, 5, 6, 7);

function plan() {
  return buildPlan({
    id: 'bf-20261127-1',
    job: 'MyJob',
    provider: 'glue',
    env: 'prod',
    dryRun: false,
    from: '2026-11-20',
    to: '2026-11-22',
    input: { scheme: 's3', container: 'lake-raw', prefix: 'events/' },
    production: { scheme: 's3', container: 'lake-curated', prefix: 'events/' },
    stagingJob: 'MyJob-staging',
    stagingRoot: { scheme: 's3', container: 'lake-staging', prefix: 'events/' },
    consumers: ['DownstreamJob'],
    smallFileBytes: 32 * 1024 * 1024,
    requester: 'U0ONCALL',
    channel: 'C0DATAOPS',
    now: NOW,
  });
}

test('window dates: inclusive, validated, bounded', () => {
  assert.deepEqual(windowDates('2026-02-27', '2026-03-01'), ['2026-02-27', '2026-02-28', '2026-03-01']);
  assert.throws(() => windowDates('2026-03-02', '2026-03-01'), BackfillPlanError);
  assert.throws(() => windowDates('2026-01-01', '2026-03-01'), /at most 31/);
  assert.throws(() => windowDates('yesterday', '2026-03-01'), BackfillPlanError);
});

test('plan: partitions, timestamped snapshot, staging output and arguments, backup', () => {
  const p = plan();
  assert.deepEqual(p.inputPartitions, [
    'events/dt=2026-11-20/',
    'events/dt=2026-11-21/',
    'events/dt=2026-11-22/',
  ]);
  assert.equal(p.snapshot.prefix, '_backfill/snapshots/MyJob/20261127T050607Z-bf-20261127-1/events/');
  assert.equal(
    snapshotKey(p, 'events/dt=2026-11-20/a.parquet'),
    `${p.snapshot.prefix}dt=2026-11-20/a.parquet`,
  );
  assert.equal(p.stagingParameters.input_path, `s3://lake-raw/${p.snapshot.prefix}`);
  assert.equal(p.stagingParameters.output_path, 's3://lake-staging/events/bf-20261127-1/');
  assert.equal(p.stagingParameters.backfill_from, '2026-11-20');
  assert.equal(p.backup.prefix, '_backfill/backups/MyJob/bf-20261127-1/');
  assert.deepEqual(p.tolerances, DEFAULT_TOLERANCES);
});

function through(r: BackfillRecord, upTo: number): BackfillRecord {
  let cur = r;
  for (const s of BACKFILL_STEPS.slice(0, upTo))
    cur = applyStep(cur, s, { type: 'done', at: NOW, summary: s });
  return cur;
}

test('steps run in order, once; the last done step succeeds the backfill', () => {
  const r = newRecord(plan(), NOW);
  assert.ok(mayRun(r, 'snapshot'));
  assert.ok(!mayRun(r, 'quality'));
  assert.throws(() => applyStep(r, 'quality', { type: 'start', at: NOW }), StepTransitionError);
  const afterSnap = applyStep(r, 'snapshot', { type: 'done', at: NOW + 5, summary: 'ok' });
  assert.equal(afterSnap.steps.snapshot.state, 'done');
  assert.equal(afterSnap.steps.snapshot.finishedAt, NOW + 5);
  assert.throws(() => applyStep(afterSnap, 'snapshot', { type: 'done', at: NOW }), /already done/);
  assert.equal(nextStep('snapshot'), 'staging-run');
  assert.equal(nextStep('consumers'), undefined);
  const waiting = applyStep(through(r, 4), 'approval', { type: 'wait', at: NOW });
  assert.equal(waiting.status, 'awaiting-approval');
  const all = through(r, BACKFILL_STEPS.length);
  assert.equal(all.status, 'succeeded');
});

test('a failure ends the backfill and names the step', () => {
  const r = applyStep(through(newRecord(plan(), NOW), 2), 'quality', {
    type: 'fail',
    at: NOW,
    error: 'rows off',
  });
  assert.equal(r.status, 'failed');
  assert.equal(r.failure, 'Quality suite: rows off');
  assert.ok(!mayRun(r, 'validate'));
});

test('Abort until promotion; Rollback only after it', () => {
  const r = through(newRecord(plan(), NOW), 4);
  assert.ok(canAbort(r));
  const a = abortRecord(r, 'U0ONCALL', NOW);
  assert.equal(a.status, 'aborted');
  assert.equal(a.steps.promote.state, 'skipped');
  assert.equal(a.steps.snapshot.state, 'done');
  assert.ok(!canAbort(a));
  const promoting = applyStep(through(newRecord(plan(), NOW), 5), 'promote', { type: 'start', at: NOW });
  assert.ok(!canAbort(promoting));
  assert.throws(() => abortRecord(promoting, 'U0ONCALL', NOW), StepTransitionError);
  const promoted = {
    ...through(newRecord(plan(), NOW), 6),
    promoted: [{ dt: '2026-11-20', previous: 'a', now: 'b' }],
  };
  assert.ok(canRollback(promoted));
  assert.ok(!canRollback({ ...promoted, status: 'rolled-back' }));
});

const footer = (rows: number, nulls: number, min: string, max: string, extra = false) =>
  parseFooter(
    writeParquet([
      {
        name: 'id',
        type: 'INT64',
        optional: false,
        values: Array.from(
          { length: rows },
          (_, i) => BigInt(min) + BigInt(i === rows - 1 ? BigInt(max) - BigInt(min) : 0),
        ),
      },
      {
        name: 'user',
        type: 'BYTE_ARRAY',
        optional: true,
        values: Array.from({ length: rows }, (_, i) => (i < nulls ? null : `u${i}`)),
      },
      ...(extra
        ? [
            {
              name: 'extra',
              type: 'INT64' as const,
              optional: false,
              values: Array.from({ length: rows }, () => 1n),
            },
          ]
        : []),
    ]),
  );

test('Parquet footers: schema, rows, null counts, min/max; a bad file says so', () => {
  const f = footer(10, 3, '5', '900');
  assert.equal(f.rows, 10);
  assert.deepEqual(
    f.columns.map((c) => [c.name, c.type, c.optional, c.nullCount, c.min, c.max]),
    [
      ['id', 'int64', false, 0, { kind: 'int', value: '5' }, { kind: 'int', value: '900' }],
      ['user', 'string', true, 3, { kind: 'string', value: 'u3' }, { kind: 'string', value: 'u9' }],
    ],
  );
  assert.throws(() => parseFooter(Buffer.from('not parquet!')), ParquetFooterError);
});

test('quality and the baseline diff: equal data passes; drift is named', () => {
  const files = (rows: number, nulls: number, max: string, extra = false): FileFacts[] => [
    { key: 'a.parquet', size: 1000, footer: footer(rows, nulls, '1', max, extra) },
    { key: 'b.parquet', size: 1100, footer: footer(rows, nulls, '1', max, extra) },
  ];
  const checks = { schema: true, rowCounts: true, nulls: true, minMax: true, dataQuality: false };
  const prod = datasetStats(files(100, 5, '1000'), 32 * 1024 * 1024);
  assert.equal(prod.rows, 200);
  assert.equal(prod.smallFiles, 2);
  assert.deepEqual(qualityFindings(prod, prod, checks, DEFAULT_TOLERANCES), []);
  assert.ok(baselineDiff(prod, prod, DEFAULT_TOLERANCES).every((d) => d.ok));
  const drift = datasetStats(files(80, 30, '99999', true), 32 * 1024 * 1024);
  const findings = qualityFindings(prod, drift, checks, DEFAULT_TOLERANCES);
  assert.ok(findings.some((f) => /column `extra` is new/.test(f)));
  assert.ok(findings.some((f) => /^rows: 160 in staging against 200/.test(f)));
  assert.ok(findings.some((f) => /nulls: `user`/.test(f)));
  assert.ok(findings.some((f) => /range: `id`/.test(f)));
  const diff = baselineDiff(prod, drift, DEFAULT_TOLERANCES);
  assert.deepEqual(
    diff.filter((d) => !d.ok).map((d) => d.metric),
    ['rows', 'schema'],
  );
  assert.equal(diff[0]!.diff, '-20.0%');
});

const CHECKS = { schema: true, rowCounts: true, nulls: true, minMax: true, dataQuality: false };
const MiB32 = 32 * 1024 * 1024;

/** Files of a day of events with a timestamp column in `unit`, shifted by `shiftMs`. */
function eventFiles(
  unit: 'TIMESTAMP_MILLIS' | 'TIMESTAMP_MICROS',
  opts: { shiftMs?: number; noNulls?: boolean } = {},
) {
  const t0 = Date.UTC(2026, 10, 20);
  return [0, 1].map((f): FileFacts => {
    const rows = 300;
    const cols: ParquetColumn[] = [
      {
        name: 'id',
        type: 'INT64',
        optional: false,
        values: Array.from({ length: rows }, (_, i) => BigInt(f * rows + i)),
      },
      {
        name: 'user',
        type: 'BYTE_ARRAY',
        optional: true,
        values: Array.from({ length: rows }, (_, i) => (i % 10 === 0 ? null : `u${i}`)),
        ...(opts.noNulls ? { noStatistics: true } : {}),
      },
      {
        name: 'at',
        type: unit,
        optional: false,
        values: Array.from({ length: rows }, (_, i) => {
          const ms = t0 + (opts.shiftMs ?? 0) + (f * rows + i) * 60_000;
          return unit === 'TIMESTAMP_MILLIS' ? BigInt(ms) : BigInt(ms) * 1000n;
        }),
      },
    ];
    const body = writeParquet(cols, { rowGroupRows: 128 });
    return { key: `f${f}.parquet`, size: body.length, footer: parseFooter(body) };
  });
}

test('a null count a footer does not give is unknown: not compared, not 0, and said', () => {
  const prod = datasetStats(eventFiles('TIMESTAMP_MICROS', { noNulls: true }), MiB32);
  const staging = datasetStats(eventFiles('TIMESTAMP_MICROS'), MiB32);
  assert.equal(prod.columns.user!.nulls, undefined);
  assert.equal(staging.columns.user!.nulls, 60);
  assert.equal(prod.columns.user!.min, undefined, 'no bound from a footer without statistics');
  // Counted as 0 it would be a 10-point drift; unknown, it is not compared.
  assert.deepEqual(qualityFindings(prod, staging, CHECKS, DEFAULT_TOLERANCES), []);
  assert.deepEqual(qualityCaveats(prod, staging, CHECKS), [
    'null counts unknown (a footer has none) for `user`',
  ]);
  // Known on both sides, the same drift is a finding.
  const fewer = datasetStats(
    eventFiles('TIMESTAMP_MICROS').map((f) => ({
      ...f,
      footer: {
        ...f.footer!,
        columns: f.footer!.columns.map((c) => (c.name === 'user' ? { ...c, nullCount: 0 } : c)),
      },
    })),
    MiB32,
  );
  assert.ok(
    qualityFindings(fewer, staging, CHECKS, DEFAULT_TOLERANCES).some((x) => /^nulls: `user`/.test(x)),
  );
});

test('timestamps compare with their units normalised: millis in production, micros in staging', () => {
  const prod = datasetStats(eventFiles('TIMESTAMP_MILLIS'), MiB32);
  const same = datasetStats(eventFiles('TIMESTAMP_MICROS'), MiB32);
  assert.equal(prod.schema.at, 'timestamp');
  assert.equal(same.schema.at, 'timestamp');
  assert.deepEqual(prod.columns.at!.min, same.columns.at!.min);
  assert.deepEqual(qualityFindings(prod, same, CHECKS, DEFAULT_TOLERANCES), []);
  assert.deepEqual(qualityCaveats(prod, same, CHECKS), []);
  // A day later in staging: outside production's range, said in readable times.
  const later = datasetStats(eventFiles('TIMESTAMP_MICROS', { shiftMs: 86_400_000 }), MiB32);
  const findings = qualityFindings(prod, later, CHECKS, DEFAULT_TOLERANCES);
  assert.deepEqual(findings, [
    'range: `at` spans 2026-11-21T00:00:00.000Z…2026-11-21T09:59:00.000Z in staging against 2026-11-20T00:00:00.000Z…2026-11-20T09:59:00.000Z in production',
  ]);
});

test('a bound that is not exact never makes a range finding, and is said', () => {
  const prod = datasetStats(eventFiles('TIMESTAMP_MILLIS'), MiB32);
  const later = datasetStats(eventFiles('TIMESTAMP_MILLIS', { shiftMs: 86_400_000 }), MiB32);
  later.columns.at = { ...later.columns.at!, maxExact: false, minExact: false };
  assert.deepEqual(qualityFindings(prod, later, CHECKS, DEFAULT_TOLERANCES), []);
  assert.deepEqual(qualityCaveats(prod, later, CHECKS), [
    'ranges not fully checked (bounds missing or not exact) for `at`',
  ]);
  // Figures stored before typed statistics (plain strings), as read back from Redis, are not compared.
  const legacy: DatasetStats = JSON.parse(
    JSON.stringify({ ...prod, columns: { ...prod.columns, at: { nulls: 0, min: '1', max: '9' } } }),
  );
  assert.deepEqual(qualityFindings(legacy, later, CHECKS, DEFAULT_TOLERANCES), []);
});

test("the Glue Data Quality adapter's DQDL from the plan's checks", () => {
  assert.equal(
    dqdlRuleset(
      ['id'],
      { schema: true, rowCounts: true, nulls: true, minMax: true, dataQuality: true, primaryKey: 'id' },
      99.5,
    ),
    'Rules = [ RowCount > 99, ColumnExists "id", IsComplete "id", IsPrimaryKey "id" ]',
  );
});

test('multipart part ranges tile the object; CopyObject limit is 5 GiB', () => {
  assert.equal(COPY_OBJECT_MAX_BYTES, 5 * 1024 ** 3);
  const size = 6 * 1024 ** 3 + 17;
  const parts = partRanges(size);
  assert.equal(parts[0]!.start, 0);
  assert.equal(parts[parts.length - 1]!.end, size - 1);
  for (let i = 1; i < parts.length; i++) assert.equal(parts[i]!.start, parts[i - 1]!.end + 1);
  assert.ok(parts.length <= 10_000);
  assert.ok(partRanges(5 * 1024 ** 4).length <= 10_000);
});

test('adaptive limit: grows while clean, halves once per burst of throttles', () => {
  const l = new AdaptiveLimit(8, 1, 64);
  for (let i = 0; i < 8; i++) l.onSuccess();
  assert.equal(l.limit, 16);
  for (let i = 0; i < 100; i++) l.onSuccess();
  assert.equal(l.limit, 64);
  l.onThrottle();
  assert.equal(l.limit, 32);
  l.onThrottle();
  l.onThrottle();
  assert.equal(l.limit, 32, 'one burst, one decrease');
  for (let i = 0; i < 32; i++) l.onSuccess();
  assert.equal(l.limit, 33, 'additive after the first throttle');
  l.onSuccess();
  l.onThrottle();
  assert.equal(l.limit, 16);
});

test('snapshot verification: count, sizes and ETags', () => {
  const src = [
    { key: 'events/a', size: 10, etag: '"a"' },
    { key: 'events/b', size: 20, etag: '"b"' },
  ];
  const dst = (k: string) => `snap/${k}`;
  const ok = verifySnapshot(
    src,
    src.map((s) => ({ ...s, key: dst(s.key) })),
    dst,
    new Map(),
  );
  assert.deepEqual(ok, { ok: true, count: 2, bytes: 30, problems: [] });
  const bad = verifySnapshot(src, [{ key: 'snap/events/a', size: 11, etag: '"x"' }], dst, new Map());
  assert.equal(bad.ok, false);
  assert.ok(bad.problems.some((p) => p.startsWith('missing: events/b')));
  assert.ok(bad.problems.some((p) => p.startsWith('size differs')));
  assert.ok(bad.problems.some((p) => p.startsWith('ETag differs')));
  const multipart = verifySnapshot(
    [src[0]!],
    [{ key: 'snap/events/a', size: 10, etag: '"m-2"' }],
    dst,
    new Map([['events/a', '"m-2"']]),
  );
  assert.ok(multipart.ok, 'a multipart copy is checked against the ETag it returned');
});

test('a backfill window before 2000 or more than a year ahead is refused', async () => {
  const { windowRangeProblem } = await import('../../src/domain/backfill-window.js');
  const now = Date.parse('2026-12-01T00:00:00Z');
  assert.equal(windowRangeProblem('2026-11-01', '2026-11-02', now), undefined);
  assert.equal(windowRangeProblem('2000-01-01', '2027-12-01', now), undefined);
  assert.equal(windowRangeProblem('0000-01-01', '0000-01-02', now), '--from 0000-01-01 is before 2000');
  assert.equal(windowRangeProblem('1999-12-31', '2026-01-01', now), '--from 1999-12-31 is before 2000');
  assert.equal(
    windowRangeProblem('2026-11-01', '2099-01-02', now),
    '--to 2099-01-02 is more than a year ahead',
  );
});

test('the window of a set of runs: the days they should have written (named date, else the day before they started)', async () => {
  const { runsWindow } = await import('../../src/domain/backfill-window.js');
  assert.equal(runsWindow([]), undefined);
  // Daily runs started at 18:00 write the day before; unsorted input.
  assert.deepEqual(
    runsWindow([
      { startedOn: new Date('2026-11-29T18:00:00Z') },
      { startedOn: new Date('2026-11-27T18:00:00Z') },
      { startedOn: new Date('2026-11-28T18:00:00Z'), parameters: { '--input_path': 's3://b/x/' } },
    ]),
    { from: '2026-11-26', to: '2026-11-28' },
  );
  // A run whose parameters name its date writes that date, whenever it started.
  assert.deepEqual(
    runsWindow([{ startedOn: new Date('2026-11-30T01:00:00Z'), parameters: { '--dt': '2026-11-20' } }]),
    { from: '2026-11-20', to: '2026-11-20' },
  );
});
