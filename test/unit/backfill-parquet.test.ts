// Parquet footers read with hyparquet from files written by the simulator's writer (hyparquet-writer):
// several row groups, every type the quality step compares, compressed and not. The expected
// statistics are computed here from the rows, independently of both libraries.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ParquetFooterError,
  compareStats,
  decimalText,
  formatStat,
  parseFooter,
  readParquetFooter,
  type ParquetColumnStats,
  type StatValue,
} from '../../src/domain/backfill-parquet.js';
import { writeParquet, type ParquetColumn } from '../../sim/parquet-writer.js';

const ROWS = 2_500;
const GROUP = 700; // → 4 row groups, the last one short

/** A deterministic pseudo-random sequence (mulberry32). */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const T0_MS = Date.UTC(2026, 10, 20);
const LONG = 'x'.repeat(80);

/** Rows whose extremes sit in different row groups, so a reader that merges wrongly gets them wrong. */
function columns(): ParquetColumn[] {
  const r = rng(17);
  const n = Array.from({ length: ROWS }, (_, i) => i);
  const nullIf = (i: number, every: number) => i % every === 3;
  return [
    {
      name: 'id',
      type: 'INT64',
      optional: false,
      // Beyond 2^53 and negative: bigint-exact or wrong.
      values: n.map((i) =>
        i === 2_100 ? -(2n ** 62n) : i === 900 ? 2n ** 62n + 7n : BigInt(i) * 1_000_003n,
      ),
    },
    {
      name: 'price',
      type: 'DOUBLE',
      optional: true,
      // 9.5 … 102.5: compared as strings, "10.25" < "9.5" and "102.5" < "12.25".
      values: n.map((i) =>
        nullIf(i, 11) ? null : i === 1_500 ? 9.5 : i === 2_400 ? 102.5 : 10 + (i % 9) * 0.25,
      ),
    },
    {
      name: 'ratio',
      type: 'FLOAT',
      optional: true,
      values: n.map((i) => (nullIf(i, 7) ? null : Math.fround((r() - 0.5) * 1e6))),
    },
    {
      name: 'ts_ms',
      type: 'TIMESTAMP_MILLIS',
      optional: true,
      values: n.map((i) => (nullIf(i, 13) ? null : BigInt(T0_MS + Math.floor(r() * 86_400_000)))),
    },
    {
      name: 'ts_us',
      type: 'TIMESTAMP_MICROS',
      optional: false,
      values: n.map(() => BigInt(T0_MS) * 1000n + BigInt(Math.floor(r() * 86_400_000_000))),
    },
    {
      name: 'amount',
      type: 'DECIMAL',
      precision: 12,
      scale: 2,
      optional: true,
      values: n.map((i) => (nullIf(i, 5) ? null : BigInt(Math.floor((r() - 0.3) * 10_000_000)))),
    },
    {
      name: 'wide',
      type: 'DECIMAL',
      precision: 30,
      scale: 4,
      optional: false,
      values: n.map(() => BigInt(Math.floor((r() - 0.5) * 2 ** 50))),
    },
    {
      name: 'day',
      type: 'DATE',
      optional: false,
      values: n.map((i) => 20_000 + ((i * 37) % 400)),
    },
    {
      name: 'label',
      type: 'BYTE_ARRAY',
      optional: true,
      values: n.map((i) =>
        nullIf(i, 17)
          ? null
          : ['año', 'straße', '日本', 'Zebra', 'éclair', 'apple', '\u{1F600}smile'][i % 7]! + (i % 50),
      ),
    },
  ];
}

/** Expected figures from the rows: what a correct reader must report. */
function expected(c: ParquetColumn): { nulls: number; min?: StatValue; max?: StatValue } {
  const present = c.values.filter((v) => v !== null);
  const nulls = c.values.length - present.length;
  const as = (v: (typeof present)[number]): StatValue => {
    switch (c.type) {
      case 'INT64':
      case 'INT32':
        return { kind: 'int', value: BigInt(v as bigint).toString() };
      case 'DOUBLE':
      case 'FLOAT':
        return { kind: 'float', value: v as number };
      case 'TIMESTAMP_MILLIS':
        return { kind: 'timestamp', value: (BigInt(v as bigint) * 1_000_000n).toString() };
      case 'TIMESTAMP_MICROS':
        return { kind: 'timestamp', value: (BigInt(v as bigint) * 1_000n).toString() };
      case 'DECIMAL':
        return { kind: 'decimal', value: decimalText(BigInt(v as bigint), c.scale ?? 0) };
      case 'DATE':
        return { kind: 'date', value: v as number };
      default:
        return { kind: 'string', value: String(v) };
    }
  };
  let min: StatValue | undefined;
  let max: StatValue | undefined;
  for (const v of present.map(as)) {
    if (!min || compareStats(v, min)! < 0) min = v;
    if (!max || compareStats(v, max)! > 0) max = v;
  }
  return { nulls, ...(min ? { min } : {}), ...(max ? { max } : {}) };
}

function byName(cols: ParquetColumnStats[], name: string): ParquetColumnStats {
  const c = cols.find((x) => x.name === name);
  assert.ok(c, name);
  return c;
}

for (const codec of ['SNAPPY', 'UNCOMPRESSED'] as const) {
  test(`several row groups (${codec}): each column's statistics equal those computed from the rows`, () => {
    const cols = columns();
    const file = writeParquet(cols, { rowGroupRows: GROUP, codec });
    const f = parseFooter(file);
    assert.equal(f.rows, ROWS);
    assert.equal(f.rowGroups, Math.ceil(ROWS / GROUP));
    for (const c of cols) {
      const got = byName(f.columns, c.name);
      const want = expected(c);
      assert.equal(got.nullCount, want.nulls, `${c.name} nulls`);
      assert.deepEqual(got.min, want.min, `${c.name} min`);
      assert.deepEqual(got.max, want.max, `${c.name} max`);
      assert.equal(got.minExact, true, `${c.name} min exact`);
      assert.equal(got.maxExact, true, `${c.name} max exact`);
      assert.equal(got.optional, c.optional);
    }
    assert.deepEqual(
      f.columns.map((c) => [c.name, c.type, c.physicalType, c.unit]),
      [
        ['id', 'int64', 'INT64', undefined],
        ['price', 'double', 'DOUBLE', undefined],
        ['ratio', 'float', 'FLOAT', undefined],
        ['ts_ms', 'timestamp', 'INT64', 'MILLIS'],
        ['ts_us', 'timestamp', 'INT64', 'MICROS'],
        ['amount', 'decimal(12,2)', 'INT64', undefined],
        ['wide', 'decimal(30,4)', 'FIXED_LEN_BYTE_ARRAY', undefined],
        ['day', 'date', 'INT32', undefined],
        ['label', 'string', 'BYTE_ARRAY', undefined],
      ],
    );
    // The DOUBLE: 9.5 and 102.5, not "10.25" / "12.25".
    assert.deepEqual(
      [byName(f.columns, 'price').min, byName(f.columns, 'price').max],
      [
        { kind: 'float', value: 9.5 },
        { kind: 'float', value: 102.5 },
      ],
    );
  });
}

test('compression changes the bytes, not the statistics', () => {
  const a = writeParquet(columns(), { rowGroupRows: GROUP, codec: 'SNAPPY' });
  const b = writeParquet(columns(), { rowGroupRows: GROUP, codec: 'UNCOMPRESSED' });
  assert.ok(a.length < b.length, `snappy ${a.length} < plain ${b.length}`);
  assert.deepEqual(parseFooter(a).columns, parseFooter(b).columns);
});

test('timestamps in millis and micros of the same instants compare equal; sub-millisecond is kept', () => {
  const instants = [T0_MS + 5, T0_MS + 86_399_999, T0_MS + 40_000];
  const f = parseFooter(
    writeParquet([
      { name: 'ms', type: 'TIMESTAMP_MILLIS', optional: false, values: instants.map(BigInt) },
      {
        name: 'us',
        type: 'TIMESTAMP_MICROS',
        optional: false,
        values: instants.map((t) => BigInt(t) * 1000n),
      },
      {
        name: 'fine',
        type: 'TIMESTAMP_MICROS',
        optional: false,
        values: instants.map((t) => BigInt(t) * 1000n + 123n),
      },
    ]),
  );
  const [ms, us, fine] = f.columns;
  assert.equal(compareStats(ms!.min!, us!.min!), 0);
  assert.equal(compareStats(ms!.max!, us!.max!), 0);
  assert.ok(compareStats(fine!.min!, us!.min!)! > 0);
  assert.equal(formatStat(ms!.min!), '2026-11-20T00:00:00.005Z');
  assert.equal(formatStat(fine!.min!), '2026-11-20T00:00:00.005123Z');
});

test('a column without statistics has unknown null count and bounds, not 0', () => {
  const f = parseFooter(
    writeParquet(
      [
        { name: 'id', type: 'INT64', optional: false, values: [1n, 2n, 3n, 4n] },
        {
          name: 'user',
          type: 'BYTE_ARRAY',
          optional: true,
          values: ['a', null, null, 'b'],
          noStatistics: true,
        },
      ],
      { rowGroupRows: 2 },
    ),
  );
  const user = byName(f.columns, 'user');
  assert.equal(user.nullCount, undefined);
  assert.equal(user.min, undefined);
  assert.equal(user.max, undefined);
  assert.equal(byName(f.columns, 'id').nullCount, 0);
});

test('string bounds longer than the writer keeps are truncated and marked inexact', () => {
  const values = [`b${LONG}`, `a${LONG}`, `c${LONG}`];
  const f = parseFooter(
    writeParquet([{ name: 's', type: 'BYTE_ARRAY', optional: false, values }], {
      statisticsTruncateLength: 16,
    }),
  );
  const s = byName(f.columns, 's');
  assert.equal(s.minExact, false);
  assert.equal(s.maxExact, false);
  // Still bounds: min ≤ every value ≤ max.
  for (const v of values) {
    assert.ok(compareStats(s.min!, { kind: 'string', value: v })! <= 0);
    assert.ok(compareStats(s.max!, { kind: 'string', value: v })! >= 0);
  }
});

test('ranged reads: one read of the initial size from the end, a second only for a longer footer', async () => {
  const file = writeParquet(columns(), { rowGroupRows: 100 }); // 25 row groups: a long footer
  const reads: [number, number][] = [];
  const buffer = {
    byteLength: file.length,
    slice: async (start: number, end = file.length) => {
      reads.push([start, end]);
      return file.buffer.slice(file.byteOffset + start, file.byteOffset + end) as ArrayBuffer;
    },
  };
  const footerLength = file.readUInt32LE(file.length - 8);
  assert.ok(footerLength > 4096 && footerLength + 8 < 64 * 1024, `footer ${footerLength} B`);
  const big = await readParquetFooter(buffer, 64 * 1024);
  assert.deepEqual(reads, [[Math.max(0, file.length - 64 * 1024), file.length]]);
  reads.length = 0;
  const small = await readParquetFooter(buffer, 4096);
  assert.equal(reads.length, 2);
  assert.deepEqual(reads[0], [file.length - 4096, file.length]);
  assert.equal(reads[1]![1], file.length - 4096);
  assert.deepEqual(small, big);
  assert.equal(big.rowGroups, 25);
});

test('not Parquet: a ParquetFooterError', async () => {
  assert.throws(() => parseFooter(Buffer.from('not parquet at all!')), ParquetFooterError);
  const bytes = Buffer.from('PAR1 then garbage that is not a footer xxxxxxxxxx');
  await assert.rejects(
    readParquetFooter(
      { byteLength: bytes.length, slice: async (s, e) => bytes.buffer.slice(s, e) as ArrayBuffer },
      65536,
    ),
    ParquetFooterError,
  );
});

test('a decimal beyond 2^53 unscaled cannot come back exactly through hyparquet: marked inexact', () => {
  const huge = 2n ** 70n + 12_345n;
  const f = parseFooter(
    writeParquet([
      { name: 'd', type: 'DECIMAL', precision: 38, scale: 2, optional: false, values: [huge, -huge, 5n] },
    ]),
  );
  const d = byName(f.columns, 'd');
  assert.equal(d.type, 'decimal(38,2)');
  assert.equal(d.minExact, false);
  assert.equal(d.maxExact, false);
  // Near the value still (within float precision), and the right sign.
  const max = Number(d.max!.value);
  assert.ok(Math.abs(max - Number(huge) / 100) / (Number(huge) / 100) < 1e-12, d.max!.value as string);
  assert.ok(Number(d.min!.value) < 0);
});
