import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SmallFileAggregator } from '../../src/domain/small-files.js';
import type { SmallFileSummary } from '../../src/domain/small-file-summary.js';
import {
  compareLocations,
  compareNewestPartitions,
  compareScans,
  describeSummary,
  formatRatio,
  formatShare,
  listingCost,
  recommendCompaction,
} from '../../src/domain/small-file-compare.js';

const KB = 1024;
const MB = 1024 * KB;

/** A summary of `files` files of `size` bytes each under one prefix (plus optional extra partitions). */
function summaryOf(
  parts: { prefix: string; files: number; size: number }[],
  thresholdBytes?: number,
): SmallFileSummary {
  const agg = new SmallFileAggregator(thresholdBytes ? { thresholdBytes } : {});
  for (const p of parts)
    for (let i = 0; i < p.files; i++) agg.add({ key: `${p.prefix}part-${i}.parquet`, size: p.size });
  return agg.summary();
}

test('formatRatio and formatShare', () => {
  const ratios: [number, string][] = [
    [20.1, '20.1×'],
    [1.1, '1.1×'],
    [150.4, '150×'],
    [0.5, '0.5×'],
    [0.04, '0.04×'],
  ];
  for (const [r, s] of ratios) assert.equal(formatRatio(r), s);
  const shares: [number, string][] = [
    [0.961, '96%'],
    [0.004, '0.4%'],
    [0, '0%'],
    [1, '100%'],
  ];
  for (const [x, s] of shares) assert.equal(formatShare(x), s);
});

test('compareScans states growth in files against bytes plainly', () => {
  const cases: {
    name: string;
    prev: [number, number];
    cur: [number, number];
    headline: string;
    fragmenting: boolean;
  }[] = [
    {
      name: 'fragmenting',
      prev: [240, 4.2 * MB],
      cur: [4824, 210 * KB],
      headline: 'input grew 20.1× in files but only 1× in bytes (avg file 210 KB, was 4.2 MB)',
      fragmenting: true,
    },
    {
      name: 'both grew',
      prev: [100, 4 * MB],
      cur: [130, 4 * MB],
      headline: 'input grew 1.3× in files and 1.3× in bytes (avg file 4 MB, was 4 MB)',
      fragmenting: false,
    },
    {
      name: 'steady',
      prev: [100, 4 * MB],
      cur: [101, 4 * MB],
      headline: 'input held steady: 1× the files and 1× the bytes (avg file 4 MB, was 4 MB)',
      fragmenting: false,
    },
    {
      name: 'shrank',
      prev: [100, 4 * MB],
      cur: [50, 4 * MB],
      headline: 'input shrank to 0.5× in files and 0.5× in bytes (avg file 4 MB, was 4 MB)',
      fragmenting: false,
    },
    {
      name: 'files steady, bytes grew',
      prev: [100, 1 * MB],
      cur: [100, 2 * MB],
      headline: 'input held steady in files and grew 2× in bytes (avg file 2 MB, was 1 MB)',
      fragmenting: false,
    },
  ];
  for (const c of cases) {
    const prev = summaryOf([{ prefix: 't/', files: c.prev[0], size: c.prev[1] }]);
    const cur = summaryOf([{ prefix: 't/', files: c.cur[0], size: c.cur[1] }]);
    const cmp = compareScans(cur, prev);
    assert.equal(cmp.sentences[0], c.headline, c.name);
    assert.equal(cmp.fragmenting, c.fragmenting, c.name);
  }
});

test('compareScans: exact ratios and small-file shares', () => {
  const prev = summaryOf([
    { prefix: 'a/', files: 90, size: 64 * MB },
    { prefix: 'b/', files: 10, size: 1 * MB },
  ]);
  const cur = summaryOf([
    { prefix: 'a/', files: 90, size: 64 * MB },
    { prefix: 'b/', files: 910, size: 1 * MB },
  ]);
  const cmp = compareScans(cur, prev, { previousAt: '2026-11-20T06:00:00.000Z' });
  assert.equal(cmp.filesRatio, 10);
  assert.equal(cmp.bytesRatio, (90 * 64 + 910) / (90 * 64 + 10));
  assert.equal(cmp.current.smallFileShare, 0.91);
  assert.equal(cmp.previous.smallFileShare, 0.1);
  assert.ok(Math.abs(cmp.smallFileShareDelta - 81) < 1e-9);
  assert.match(
    cmp.sentences[0] ?? '',
    /^input grew 10× in files but only 1\.2× in bytes .* since the scan of 2026-11-20 06:00 UTC$/,
  );
  assert.equal(
    cmp.sentences[1],
    'small files (under 32 MB) are 91% of files (was 10%) and 14% of bytes (was 0.2%)',
  );
});

test('compareScans with no previous files, and with a different threshold', () => {
  const empty = summaryOf([]);
  const cur = summaryOf([{ prefix: 'a/', files: 3, size: MB }]);
  assert.equal(compareScans(cur, empty).sentences[0], 'input had no files before; now 3 files, 3 MB');
  const other = summaryOf([{ prefix: 'a/', files: 3, size: MB }], 64 * MB);
  assert.match(compareScans(cur, other).sentences.at(-1) ?? '', /64 MB threshold/);
});

test('compareLocations names both sides', () => {
  const a = summaryOf([{ prefix: 'a/', files: 400, size: 100 * KB }]);
  const b = summaryOf([{ prefix: 'b/', files: 20, size: 2 * MB }]);
  const cmp = compareLocations(a, b, { a: 's3://new/x/', b: 's3://old/x/' });
  assert.equal(
    cmp.sentences[0],
    's3://new/x/ grew 20× in files but only 1× in bytes (avg file 100 KB, s3://old/x/ 2 MB) compared with s3://old/x/',
  );
  assert.match(cmp.sentences[1] ?? '', /100% of files \(s3:\/\/old\/x\/ 100%\)/);
});

test('compareNewestPartitions: newest day against the median of the earlier days', () => {
  const parts = [];
  for (let d = 1; d <= 9; d++) parts.push({ prefix: `ev/dt=2026-11-0${d}/`, files: 10 + d, size: 40 * MB });
  parts.push({ prefix: 'ev/dt=2026-11-10/', files: 300, size: 1.5 * MB });
  const s = summaryOf(parts);
  const t = compareNewestPartitions(s);
  assert.ok(t);
  assert.equal(t.earlierDates, 9);
  assert.equal(t.median.files, 15);
  assert.equal(t.median.bytes, 15 * 40 * MB);
  assert.equal(t.newest[0]?.date, '2026-11-10');
  assert.equal(t.newest[0]?.filesRatio, 20);
  assert.equal(t.fragmenting, true);
  assert.equal(
    t.sentences[0],
    'partition 2026-11-10 grew 20× in files but only 0.8× in bytes against the median of the 9 earlier days ' +
      '(avg file 1.5 MB, median 40 MB): 300 files, 450 MB, 100% small (median 15 files, 600 MB, 0% small)',
  );
  // two newest against the rest; too little history gives undefined
  assert.equal(compareNewestPartitions(s, { newest: 2 })?.newest.length, 2);
  assert.equal(compareNewestPartitions(summaryOf(parts.slice(0, 3))), undefined);
  assert.equal(compareNewestPartitions(summaryOf([{ prefix: 'x/', files: 5, size: 1 }])), undefined);
});

test('recommendCompaction: the rule and its size per partition', () => {
  const cases: {
    name: string;
    parts: { prefix: string; files: number; size: number }[];
    warranted: boolean;
    reason: RegExp;
  }[] = [
    {
      name: 'many small files',
      parts: [
        { prefix: 'ev/dt=2026-11-20/', files: 4812, size: 210 * KB },
        { prefix: 'ev/dt=2026-11-19/', files: 50, size: 200 * MB },
      ],
      warranted: true,
      reason: /^compaction warranted: 4,812 of 4,862 files are small \(99%\)$/,
    },
    {
      name: 'share too low',
      parts: [
        { prefix: 'a/', files: 1000, size: 100 * KB },
        { prefix: 'b/', files: 1000, size: 100 * MB },
      ],
      warranted: false,
      reason: /not more than 50%/,
    },
    {
      name: 'too few small files',
      parts: [{ prefix: 'a/', files: 999, size: 100 * KB }],
      warranted: false,
      reason: /fewer than 1,000/,
    },
    { name: 'empty', parts: [], warranted: false, reason: /no data files/ },
  ];
  for (const c of cases) {
    const r = recommendCompaction(summaryOf(c.parts));
    assert.equal(r.warranted, c.warranted, c.name);
    assert.match(r.reason, c.reason, c.name);
    assert.match(r.rule, /more than 50% of files and at least 1,000/);
  }
  const r = recommendCompaction(summaryOf(cases[0]!.parts));
  assert.deepEqual(
    r.partitions.map((p) => p.sentence),
    ['ev/dt=2026-11-20/: 4,812 files (avg 210 KB) → about 2 files at the 512 MB target'],
  );
  assert.equal(r.partitions[0]?.targetFiles, 2);
  assert.equal(
    recommendCompaction(summaryOf(cases[0]!.parts), { targetFileBytes: 128 * MB }).partitions[0]?.targetFiles,
    8,
  );
});

test('listingCost: requests and dollars at $0.005 per 1,000', () => {
  const c = listingCost(1234, 1_000_000);
  assert.equal(c.usd, 0.00617);
  assert.equal(c.sequentialRequests, 1000);
  assert.equal(
    c.sentence,
    'the scan made 1,234 LIST requests (≈ $0.0062 at $0.005 per 1,000); a sequential listing needs at least 1,000',
  );
  assert.equal(listingCost(10_000_000, 1e10).sentence.includes('$50'), true);
  assert.equal(listingCost(1, 0).sequentialRequests, 1);
});

test('describeSummary', () => {
  const agg = new SmallFileAggregator();
  agg.add({ key: 'a/x.parquet', size: MB });
  agg.add({ key: 'a/y.parquet', size: 0 });
  agg.add({ key: 'a/_SUCCESS', size: 0 });
  assert.equal(
    describeSummary(agg.summary()),
    '3 objects, 1 MB: 2 of 2 data files are small (100%) under 32 MB, avg file 512 KB; 1 empty files; ' +
      '1 job leftovers (_temporary, _SUCCESS, .crc, markers)',
  );
});
