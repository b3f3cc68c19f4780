import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SmallFileAggregator } from '../../src/domain/small-files.js';
import { fileFormat, leftoverKind, partitionDate, partitionOf } from '../../src/domain/small-file-keys.js';
import {
  histogramBucket,
  histogramBucketFloor,
  parseSmallFileSummary,
} from '../../src/domain/small-file-summary.js';

const MiB = 1024 * 1024;

test('partitionOf: last Hive segment, else the folder', () => {
  const cases: [string, string][] = [
    ['events/dt=2026-11-20/part-0.parquet', 'events/dt=2026-11-20/'],
    ['events/dt=2026-11-20/hour=05/part-0.parquet', 'events/dt=2026-11-20/hour=05/'],
    ['events/dt=2026-11-20/sub/dir/part-0.parquet', 'events/dt=2026-11-20/'],
    ['events/year=2026/month=11/day=20/x.orc', 'events/year=2026/month=11/day=20/'],
    ['raw/2026/11/20/x.json', 'raw/2026/11/20/'],
    ['file.csv', ''],
    ['a/b/', 'a/b/'],
    ['a/k=v/_temporary/0/x', 'a/k=v/'],
    ['a/=x/y', 'a/=x/'],
  ];
  for (const [key, expected] of cases) assert.equal(partitionOf(key), expected, key);
});

test('partitionDate: dt=, date=, compact and year/month/day layouts', () => {
  const cases: [string, { rank: string; day: string } | undefined][] = [
    ['events/dt=2026-11-20/', { rank: '2026-11-20', day: '2026-11-20' }],
    ['events/date=20261120/', { rank: '2026-11-20', day: '2026-11-20' }],
    ['events/dt=2026-11-20/hour=05/', { rank: '2026-11-20T05', day: '2026-11-20' }],
    ['events/year=2026/month=1/day=2/', { rank: '2026-01-02', day: '2026-01-02' }],
    ['events/year=2026/month=11/', { rank: '2026-11', day: '2026-11' }],
    ['events/year=2026/month=11/day=20/hour=7/', { rank: '2026-11-20T07', day: '2026-11-20' }],
    ['events/ts=2026-11-20T10:00:00/', { rank: '2026-11-20T10', day: '2026-11-20' }],
    ['events/country=US/', undefined],
    ['events/id=20261120/', undefined],
    ['events/2026/11/20/', undefined],
  ];
  for (const [p, expected] of cases) assert.deepEqual(partitionDate(p), expected, p);
});

test('fileFormat and leftoverKind', () => {
  const formats: [string, string][] = [
    ['a/part-00000-1b2c.snappy.parquet', 'parquet'],
    ['a/part-00000.c000.snappy.orc', 'orc'],
    ['a/x.avro', 'avro'],
    ['a/x.JSON', 'json'],
    ['a/x.json.gz', 'json.gz'],
    ['a/x.csv.bz2', 'csv.bz2'],
    ['a/part-0001.gz', 'gz'],
    ['a/x.1.gz', 'gz'],
    ['a/README', '(none)'],
    ['a/.hidden', '(none)'],
    ['a/x.weird ext', '(other)'],
  ];
  for (const [key, f] of formats) assert.equal(fileFormat(key), f, key);
  const leftovers: [string, string | undefined][] = [
    ['a/_temporary/0/task/part-0.parquet', 'temporary'],
    ['_temporary/x', 'temporary'],
    ['a/_SUCCESS', 'success'],
    ['a/.part-0.parquet.crc', 'crc'],
    ['a/_committed_123', 'commitMarkers'],
    ['a/_started_123', 'commitMarkers'],
    ['a/b_$folder$', 'folderSuffix'],
    ['a/part-0.parquet', undefined],
    ['a/SUCCESS', undefined],
  ];
  for (const [key, k] of leftovers) assert.equal(leftoverKind(key), k, key);
});

test('histogram buckets are log2 with 0 apart', () => {
  const cases: [number, number][] = [
    [0, 0],
    [1, 1],
    [2, 2],
    [3, 2],
    [4, 3],
    [1023, 10],
    [1024, 11],
    [32 * MiB - 1, 25],
    [32 * MiB, 26],
  ];
  for (const [size, b] of cases) {
    assert.equal(histogramBucket(size), b, String(size));
    if (size > 0) assert.ok(histogramBucketFloor(b) <= size && size < 2 * histogramBucketFloor(b));
  }
});

test('aggregator counts every kind of object exactly once', () => {
  const agg = new SmallFileAggregator();
  const t = new Date('2026-11-20T10:00:00Z');
  const objects = [
    { key: 'ev/', size: 0 }, // folder marker
    { key: 'ev/dt=2026-11-19/part-0.snappy.parquet', size: 200 * MiB, lastModified: t },
    { key: 'ev/dt=2026-11-19/part-1.snappy.parquet', size: 1 * MiB, lastModified: t },
    { key: 'ev/dt=2026-11-19/_SUCCESS', size: 0 },
    { key: 'ev/dt=2026-11-20/part-0.json.gz', size: 10, lastModified: new Date('2026-11-21T00:00:00Z') },
    { key: 'ev/dt=2026-11-20/empty.json', size: 0 },
    { key: 'ev/dt=2026-11-20/_temporary/0/part-9.parquet', size: 5 },
    { key: 'ev/dt=2026-11-20/.part-0.crc', size: 12 },
    { key: 'ev/other/x.csv', size: 32 * MiB }, // exactly at the threshold: not small
  ];
  for (const o of objects) agg.add(o);
  const s = agg.summary();
  assert.equal(s.objects, 9);
  assert.equal(s.objectBytes, 200 * MiB + 1 * MiB + 10 + 5 + 12 + 32 * MiB);
  assert.equal(s.folderMarkers, 1);
  assert.deepEqual(s.leftovers, {
    objects: 3,
    bytes: 17,
    temporary: 1,
    success: 1,
    crc: 1,
    commitMarkers: 0,
    folderSuffix: 0,
  });
  assert.equal(s.files, 5);
  assert.equal(s.bytes, 200 * MiB + 1 * MiB + 10 + 32 * MiB);
  assert.equal(s.smallFiles, 3);
  assert.equal(s.smallBytes, 1 * MiB + 10);
  assert.equal(s.zeroByteFiles, 1);
  assert.equal(
    s.sizeHistogram.reduce((a, b) => a + b, 0),
    s.files,
  );
  assert.deepEqual(
    s.formats.map((f) => [f.format, f.files]),
    [
      ['parquet', 2],
      ['csv', 1],
      ['json', 1],
      ['json.gz', 1],
    ],
  );
  assert.equal(s.partitionsSeen, 4); // ev/, 2 dates, ev/other/
  assert.equal(s.partitionStatsApproximate, false);
  assert.deepEqual(
    s.dateBuckets.map((d) => [d.date, d.files, d.smallFiles, d.partitions]),
    [
      ['2026-11-19', 2, 1, 1],
      ['2026-11-20', 2, 2, 1],
    ],
  );
  assert.equal(s.newestPartitions[0]?.partition, 'ev/dt=2026-11-20/');
  assert.equal(s.topPartitions[0]?.partition, 'ev/dt=2026-11-20/');
  assert.equal(s.topPartitions[0]?.leftovers, 2);
  assert.equal(s.oldestModified, t.toISOString());
  assert.equal(s.newestModified, '2026-11-21T00:00:00.000Z');
});

test('threshold is configurable', () => {
  const agg = new SmallFileAggregator({ thresholdBytes: 100 });
  for (const size of [99, 100, 101]) agg.add({ key: `p/${size}`, size });
  assert.equal(agg.summary().smallFiles, 1);
});

test('formats are bounded: distinct extensions beyond the limit go to (other)', () => {
  const agg = new SmallFileAggregator({ maxFormats: 5 });
  for (let i = 0; i < 100; i++) agg.add({ key: `p/x.e${i}`, size: 1 });
  const s = agg.summary();
  assert.equal(s.formats.length, 5);
  assert.equal(
    s.formats.reduce((a, f) => a + f.files, 0),
    100,
  );
  assert.equal(s.formats.find((f) => f.format === '(other)')?.files, 96);
});

test('top partitions by small files and newest partitions by date', () => {
  const agg = new SmallFileAggregator({ topPartitions: 3, newestPartitions: 2, activePartitions: 4 });
  // day d has d small files; day 5 also has big files
  for (let d = 1; d <= 9; d++) {
    for (let i = 0; i < d; i++) agg.add({ key: `t/dt=2026-11-0${d}/s-${i}.parquet`, size: 1000 });
  }
  agg.add({ key: 't/dt=2026-11-05/big.parquet', size: 100 * MiB });
  const s = agg.summary();
  assert.deepEqual(
    s.topPartitions.map((p) => [p.partition, p.smallFiles]),
    [
      ['t/dt=2026-11-09/', 9],
      ['t/dt=2026-11-08/', 8],
      ['t/dt=2026-11-07/', 7],
    ],
  );
  assert.deepEqual(
    s.newestPartitions.map((p) => p.partition),
    ['t/dt=2026-11-09/', 't/dt=2026-11-08/'],
  );
  assert.equal(s.dateBuckets.find((b) => b.date === '2026-11-05')?.files, 6);
});

test('a partition that comes back after being closed merges when it is still kept', () => {
  const agg = new SmallFileAggregator({ topPartitions: 5, newestPartitions: 0, activePartitions: 1 });
  agg.add({ key: 'a/k=1/x', size: 1 });
  agg.add({ key: 'a/k=2/x', size: 1 }); // closes k=1 (kept by the top 5)
  agg.add({ key: 'a/k=1/y', size: 1 }); // reopens it
  const s = agg.summary();
  assert.equal(s.topPartitions.find((p) => p.partition === 'a/k=1/')?.smallFiles, 2);
  assert.equal(s.partitionsSeen, 2);
  assert.equal(s.partitionStatsApproximate, false);
});

test('a dropped partition that comes back flags the partition stats as approximate', () => {
  const agg = new SmallFileAggregator({ topPartitions: 1, newestPartitions: 0, activePartitions: 1 });
  agg.add({ key: 'a/k=1/x', size: 1 });
  agg.add({ key: 'a/k=1/y', size: 1 });
  agg.add({ key: 'a/k=2/x', size: 1 }); // k=1 kept (2 small)
  agg.add({ key: 'a/k=3/x', size: 1 }); // k=2 dropped
  agg.add({ key: 'a/k=2/y', size: 1 }); // k=2 again
  const s = agg.summary();
  assert.equal(s.partitionStatsApproximate, true);
  assert.equal(s.files, 5); // totals stay exact
});

test('memory is bounded: 200,000 objects over 20,000 partitions retain at most N + M + K partitions', () => {
  const N = 20;
  const M = 10;
  const K = 60;
  const ACTIVE = 64;
  const agg = new SmallFileAggregator({
    topPartitions: N,
    newestPartitions: M,
    datePartitions: K,
    activePartitions: ACTIVE,
  });
  let maxRetained = 0;
  let n = 0;
  // 20,000 partitions: 200 days × 100 hourly/country sub-partitions, 10 objects each, interleaved
  // across 8 "listing tasks" the way a parallel scan delivers them.
  const partitions: string[] = [];
  for (let d = 0; d < 200; d++) {
    const day = new Date(Date.UTC(2026, 0, 1) + d * 86400000).toISOString().slice(0, 10);
    for (let c = 0; c < 100; c++) partitions.push(`lake/events/dt=${day}/country=c${c}/`);
  }
  for (let start = 0; start < partitions.length; start += 8) {
    for (let i = 0; i < 10; i++) {
      for (let t = 0; t < 8 && start + t < partitions.length; t++) {
        agg.add({ key: `${partitions[start + t]}part-${i}.parquet`, size: (i + 1) * 1000 });
        n++;
      }
    }
    const r = agg.retained();
    maxRetained = Math.max(maxRetained, r.active + r.kept + r.dateBuckets);
  }
  assert.equal(n, 200_000);
  assert.ok(maxRetained <= N + M + K + ACTIVE, `retained ${maxRetained} while scanning`);
  const s = agg.summary();
  const r = agg.retained();
  assert.equal(r.active, 0);
  assert.ok(r.kept + r.dateBuckets <= N + M + K, `retained ${JSON.stringify(r)} after the scan`);
  assert.equal(s.objects, 200_000);
  assert.equal(s.smallFiles, 200_000);
  assert.equal(s.partitionsSeen, 20_000);
  assert.equal(s.partitionStatsApproximate, false);
  assert.equal(s.topPartitions.length, N);
  assert.equal(s.newestPartitions.length, M);
  assert.equal(s.dateBuckets.length, K);
  // the K buckets are the most recent days, each complete
  assert.equal(s.dateBuckets.at(-1)?.date, '2026-07-19');
  assert.ok(s.dateBuckets.every((b) => b.files === 1000 && b.partitions === 100));
  assert.ok(s.newestPartitions.every((p) => p.partition.includes('dt=2026-07-19/')));
});

test('a summary survives JSON storage and is validated when read back', () => {
  const agg = new SmallFileAggregator();
  agg.add({ key: 'ev/dt=2026-11-20/a.parquet', size: 10, lastModified: new Date('2026-11-20T00:00:00Z') });
  agg.add({ key: 'ev/_SUCCESS', size: 0 });
  const s = agg.summary();
  assert.deepEqual(parseSmallFileSummary(JSON.parse(JSON.stringify(s))), s);
  assert.equal(parseSmallFileSummary({ objects: 1 }), undefined);
  assert.equal(parseSmallFileSummary('nope'), undefined);
});
