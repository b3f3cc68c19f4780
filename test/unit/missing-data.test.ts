import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  analyseMissing,
  expectedPartitions,
  freshness,
  inferPartitioning,
  parsePartitioning,
  partitionOfKey,
  windowDays,
  type PartitionFacts,
} from '../../src/domain/missing-data.js';

const NOW = Date.parse('2026-11-21T12:00:00Z');
const daily = parsePartitioning('dt=YYYY-MM-DD');
const hourly = parsePartitioning('dt=YYYY-MM-DD/hour=HH');

test('partitioning: parsed, inferred from keys, keys mapped to partitions', () => {
  assert.deepEqual(hourly, { dateKey: 'dt', hourKey: 'hour', granularity: 'hourly' });
  assert.deepEqual(inferPartitioning(['_SUCCESS', 'dt=2026-11-20/part-0.parquet']), daily);
  assert.deepEqual(inferPartitioning(['dt=2026-11-20/hour=05/p.parquet']), hourly);
  assert.equal(inferPartitioning(['part-0.parquet', 'x/y']), undefined);
  assert.equal(partitionOfKey(hourly, 'dt=2026-11-20/hour=05/p'), 'dt=2026-11-20/hour=05/');
  assert.equal(partitionOfKey(hourly, 'dt=2026-11-20/hour=25/p'), undefined);
});

test('windows: at most 366 days, dates checked; periods not over are not expected', () => {
  assert.equal(windowDays('2025-01-01', '2026-01-01').length, 366);
  assert.throws(() => windowDays('2025-01-01', '2026-01-02'), /367 days; at most 366/);
  assert.throws(() => windowDays('2026-02-30', '2026-03-01'), /not a date/);
  assert.equal(expectedPartitions(daily, '2026-11-19', '2026-11-21', NOW).length, 2);
  assert.equal(expectedPartitions(hourly, '2026-11-21', '2026-11-21', NOW).length, 12);
});

test('absent, empty and much smaller partitions; runs matched by the date parameter', () => {
  const parts = new Map<string, PartitionFacts>();
  for (let d = 10; d <= 20; d++) parts.set(`dt=2026-11-${d}/`, { objects: 2, bytes: 1000, rows: 10 });
  parts.delete('dt=2026-11-12/');
  parts.set('dt=2026-11-14/', { objects: 0, bytes: 0 });
  parts.set('dt=2026-11-15/', { objects: 1, bytes: 100, rows: 0 });
  parts.set('dt=2026-11-17/', { objects: 1, bytes: 50, rows: 3 });
  const run = (dt: string, state: 'failed' | 'succeeded') => ({
    id: `r-${dt}`,
    state,
    startedOn: new Date(`${dt}T23:00:00Z`),
    parameters: { dt },
  });
  const r = analyseMissing({
    partitioning: daily,
    inferred: false,
    from: '2026-11-10',
    to: '2026-11-20',
    now: NOW,
    partitions: parts,
    runs: [run('2026-11-12', 'failed'), run('2026-11-15', 'succeeded'), run('2026-11-16', 'succeeded')],
  });
  assert.deepEqual(r.absent, ['dt=2026-11-12/']);
  assert.deepEqual(
    r.empty.map((e) => e.name),
    ['dt=2026-11-14/', 'dt=2026-11-15/'],
  );
  assert.deepEqual(
    r.small.map((e) => e.name),
    ['dt=2026-11-17/'],
  );
  assert.deepEqual(
    r.problems.map((p) => [p.date, p.verdict]),
    [
      ['2026-11-12', 'failed'],
      ['2026-11-14', 'never started'],
      ['2026-11-15', 'succeeded'],
      ['2026-11-17', 'never started'],
    ],
  );
  assert.deepEqual(r.missingWindow, { from: '2026-11-12', to: '2026-11-17' });
});

test('freshness: the age of the newest partition against the limit, and the partition that is late', () => {
  const fresh = freshness(daily, 'dt=2026-11-20/', NOW, 30);
  assert.equal(fresh.ageHours, 12);
  assert.equal(fresh.late, false);
  const late = freshness(daily, 'dt=2026-11-19/', NOW, 30);
  assert.equal(late.late, true);
  assert.equal(late.latePartition, 'dt=2026-11-20/');
  assert.equal(freshness(hourly, 'dt=2026-11-21/hour=08/', NOW, 2).latePartition, 'dt=2026-11-21/hour=09/');
  assert.equal(freshness(daily, undefined, NOW, 30).late, true);
});
