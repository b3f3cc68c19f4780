// Parquet footers through hyparquet: what the backfill quality step needs from a file — the schema
// with logical types, the row count, and per column the null count and typed min / max from the
// column-chunk statistics, merged across row groups. Pure: the caller supplies ranged reads (the
// tail of the file, never all of it) through an AsyncBuffer.
//
// Decisions worth knowing:
// - A statistic the footer does not give is unknown, never 0: a missing null count makes the
//   column's null count unknown, a row group with values but no min makes the min unknown.
// - min_value / max_value (Parquet 2) are used when present; the deprecated min / max only where
//   their signed order is the type's order (signed integers, floats, booleans), never for strings,
//   unsigned integers or decimals in bytes, whose deprecated bounds were compared as signed bytes.
// - is_min_value_exact / is_max_value_exact are kept: a truncated string bound is a bound, not a
//   value. A decimal too large to come back exactly from hyparquet's number is marked inexact too.
// - Timestamps are nanoseconds since the epoch whatever their unit, so millis and micros compare.
// - Values are JSON (digits for 64-bit integers): the figures are stored with the backfill record.
import {
  parquetMetadata,
  parquetMetadataAsync,
  type AsyncBuffer,
  type FileMetaData,
  type SchemaElement,
} from 'hyparquet';

/** A typed statistic, JSON-safe. */
export type StatValue =
  | { kind: 'int'; value: string }
  | { kind: 'float'; value: number }
  /** The exact decimal text, e.g. "-12.50" (scale digits after the point). */
  | { kind: 'decimal'; value: string }
  /** Nanoseconds since 1970-01-01T00:00:00Z, whatever the stored unit. */
  | { kind: 'timestamp'; value: string }
  /** Days since 1970-01-01. */
  | { kind: 'date'; value: number }
  | { kind: 'string'; value: string }
  | { kind: 'boolean'; value: boolean }
  /** Lower-case hex of the bytes. */
  | { kind: 'binary'; value: string };

export type StatKind = StatValue['kind'];

export interface ParquetColumnStats {
  /** Dotted path for nested columns. */
  name: string;
  /** Logical type: int64, int32, uint64, double, float, decimal(10,2), timestamp, date, string, … */
  type: string;
  /** Physical type: INT64, BYTE_ARRAY, … */
  physicalType: string;
  /** Stored unit of a timestamp (the value is normalised to nanoseconds). */
  unit?: 'MILLIS' | 'MICROS' | 'NANOS';
  optional: boolean;
  /** Summed over row groups; undefined when a row group does not say. */
  nullCount?: number;
  min?: StatValue;
  max?: StatValue;
  /** false: a bound only (the actual min is ≥ it, or for an inexact decimal, near it). */
  minExact?: boolean;
  maxExact?: boolean;
}

export interface ParquetFooter {
  rows: number;
  rowGroups: number;
  columns: ParquetColumnStats[];
  createdBy?: string;
}

export class ParquetFooterError extends Error {
  override readonly name = 'ParquetFooterError';
  readonly code = 'BAD_PARQUET';
}

// hyparquet turns statistics into JS values with these; ours keep what it would lose (sub-millisecond
// timestamps, the raw bytes of byte arrays, which are strings only for string logical types).
const PARSERS = {
  timestampFromMilliseconds: (v: bigint) => BigInt(v) * 1_000_000n,
  timestampFromMicroseconds: (v: bigint) => BigInt(v) * 1_000n,
  timestampFromNanoseconds: (v: bigint) => BigInt(v),
  dateFromDays: (days: number) => days,
  stringFromBytes: (bytes: Uint8Array) => bytes && Uint8Array.from(bytes),
};

const utf8 = new TextDecoder();
const hex = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');

interface ColumnKind {
  type: string;
  kind: StatKind;
  unit?: 'MILLIS' | 'MICROS' | 'NANOS';
  scale?: number;
  /** Whether the deprecated min / max (signed order) may be used. */
  legacyOrder: boolean;
  /** No usable statistics (INT96: undefined order). */
  noStats?: boolean;
}

function columnKind(e: SchemaElement): ColumnKind {
  const lt = e.logical_type;
  const ct = e.converted_type;
  const physical = e.type ?? 'UNKNOWN';
  if (lt?.type === 'DECIMAL' || ct === 'DECIMAL') {
    const scale = (lt?.type === 'DECIMAL' ? lt.scale : e.scale) ?? 0;
    const precision = (lt?.type === 'DECIMAL' ? lt.precision : e.precision) ?? 0;
    return {
      type: `decimal(${precision},${scale})`,
      kind: 'decimal',
      scale,
      legacyOrder: physical.startsWith('INT'),
    };
  }
  if (lt?.type === 'TIMESTAMP' || ct === 'TIMESTAMP_MILLIS' || ct === 'TIMESTAMP_MICROS') {
    const unit = lt?.type === 'TIMESTAMP' ? lt.unit : ct === 'TIMESTAMP_MICROS' ? 'MICROS' : 'MILLIS';
    return { type: 'timestamp', kind: 'timestamp', unit, legacyOrder: true };
  }
  if (physical === 'INT96')
    return { type: 'timestamp(int96)', kind: 'binary', legacyOrder: false, noStats: true };
  if (lt?.type === 'DATE' || ct === 'DATE') return { type: 'date', kind: 'date', legacyOrder: true };
  if (
    lt?.type === 'STRING' ||
    lt?.type === 'ENUM' ||
    lt?.type === 'JSON' ||
    ct === 'UTF8' ||
    ct === 'ENUM' ||
    ct === 'JSON'
  )
    return { type: 'string', kind: 'string', legacyOrder: false };
  if (lt?.type === 'UUID') return { type: 'uuid', kind: 'string', legacyOrder: false };
  if (lt?.type === 'FLOAT16') return { type: 'float16', kind: 'float', legacyOrder: false };
  if (lt?.type === 'TIME' || ct === 'TIME_MILLIS' || ct === 'TIME_MICROS')
    return { type: 'time', kind: 'int', legacyOrder: true };
  const unsigned = ct?.startsWith('UINT_') || (lt?.type === 'INTEGER' && !lt.isSigned);
  switch (physical) {
    case 'INT32':
    case 'INT64': {
      const bits = lt?.type === 'INTEGER' ? lt.bitWidth : physical === 'INT32' ? 32 : 64;
      return { type: `${unsigned ? 'uint' : 'int'}${bits}`, kind: 'int', legacyOrder: !unsigned };
    }
    case 'FLOAT':
      return { type: 'float', kind: 'float', legacyOrder: true };
    case 'DOUBLE':
      return { type: 'double', kind: 'float', legacyOrder: true };
    case 'BOOLEAN':
      return { type: 'boolean', kind: 'boolean', legacyOrder: true };
    default:
      return { type: 'binary', kind: 'binary', legacyOrder: false };
  }
}

/** Decimal text of an unscaled integer. */
export function decimalText(unscaled: bigint, scale: number): string {
  if (scale <= 0) return (unscaled * 10n ** BigInt(-scale)).toString();
  const neg = unscaled < 0n;
  const digits = (neg ? -unscaled : unscaled).toString().padStart(scale + 1, '0');
  return `${neg ? '-' : ''}${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
}

/** Big-endian two's complement (BYTE_ARRAY / FIXED_LEN_BYTE_ARRAY decimals). */
function signedBigEndian(bytes: Uint8Array): bigint {
  let v = 0n;
  for (const b of bytes) v = (v << 8n) | BigInt(b);
  const bits = BigInt(bytes.length * 8);
  return bytes.length && v >= 1n << (bits - 1n) ? v - (1n << bits) : v;
}

/** A hyparquet statistic as ours, or undefined (unknown) with whether the conversion was exact. */
function toStat(raw: unknown, k: ColumnKind): { value: StatValue; lossless: boolean } | undefined {
  if (raw === undefined || raw === null || k.noStats) return undefined;
  switch (k.kind) {
    case 'int':
      if (typeof raw === 'bigint' || (typeof raw === 'number' && Number.isInteger(raw)))
        return { value: { kind: 'int', value: BigInt(raw).toString() }, lossless: true };
      return undefined;
    case 'float':
      return typeof raw === 'number' && !Number.isNaN(raw)
        ? { value: { kind: 'float', value: raw }, lossless: true }
        : undefined;
    case 'timestamp':
      return typeof raw === 'bigint'
        ? { value: { kind: 'timestamp', value: raw.toString() }, lossless: true }
        : undefined;
    case 'date':
      return typeof raw === 'number' ? { value: { kind: 'date', value: raw }, lossless: true } : undefined;
    case 'string':
      if (raw instanceof Uint8Array)
        return { value: { kind: 'string', value: utf8.decode(raw) }, lossless: true };
      return typeof raw === 'string' ? { value: { kind: 'string', value: raw }, lossless: true } : undefined;
    case 'boolean':
      return typeof raw === 'boolean'
        ? { value: { kind: 'boolean', value: raw }, lossless: true }
        : undefined;
    case 'binary':
      return raw instanceof Uint8Array
        ? { value: { kind: 'binary', value: hex(raw) }, lossless: true }
        : undefined;
    case 'decimal': {
      const scale = k.scale ?? 0;
      // hyparquet hands BYTE_ARRAY decimals over as bytes (our stringFromBytes), the others as a number.
      if (raw instanceof Uint8Array)
        return {
          value: { kind: 'decimal', value: decimalText(signedBigEndian(raw), scale) },
          lossless: true,
        };
      if (typeof raw !== 'number' || !Number.isFinite(raw)) return undefined;
      const unscaled = Math.round(raw * 10 ** scale);
      return {
        value: { kind: 'decimal', value: decimalText(BigInt(unscaled), scale) },
        lossless: Number.isSafeInteger(unscaled),
      };
    }
  }
}

/** Unicode code point order = the unsigned byte order of UTF-8, which Parquet's bounds use. */
function compareCodePoints(a: string, b: string): number {
  const x = [...a];
  const y = [...b];
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const d = x[i]!.codePointAt(0)! - y[i]!.codePointAt(0)!;
    if (d) return d;
  }
  return x.length - y.length;
}

/** Digits after the point of a decimal text. */
export const decimalScale = (text: string): number => (text.split('.')[1] ?? '').length;

/** A decimal text as an integer at `scale` fractional digits (scale ≥ the text's own). */
export function unscaledAt(text: string, scale: number): bigint {
  const [whole = '0', frac = ''] = text.split('.');
  const neg = whole.startsWith('-');
  const digits = BigInt(`${whole.replace('-', '')}${frac.padEnd(scale, '0')}` || '0');
  return neg ? -digits : digits;
}

/** Order of two statistics of the same kind (negative: a < b); undefined for different kinds. */
export function compareStats(a: StatValue, b: StatValue): number | undefined {
  if (a.kind !== b.kind) return undefined;
  switch (a.kind) {
    case 'int':
    case 'timestamp': {
      const x = BigInt(a.value);
      const y = BigInt(b.value as string);
      return x < y ? -1 : x > y ? 1 : 0;
    }
    case 'decimal': {
      const scale = Math.max(decimalScale(a.value), decimalScale(b.value as string));
      const x = unscaledAt(a.value, scale);
      const y = unscaledAt(b.value as string, scale);
      return x < y ? -1 : x > y ? 1 : 0;
    }
    case 'float':
    case 'date':
      return a.value - (b.value as number);
    case 'string':
      return compareCodePoints(a.value, b.value as string);
    case 'binary':
      return a.value < (b.value as string) ? -1 : a.value > (b.value as string) ? 1 : 0;
    case 'boolean':
      return Number(a.value) - Number(b.value as boolean);
  }
}

const pad = (v: number, n = 2): string => String(v).padStart(n, '0');

/** A statistic for a message: ISO time for timestamps (to the nanosecond when it has them), dates. */
export function formatStat(v: StatValue): string {
  switch (v.kind) {
    case 'timestamp': {
      const ns = BigInt(v.value);
      const ms = ns / 1_000_000n - (ns % 1_000_000n < 0n ? 1n : 0n);
      const sub = ns - ms * 1_000_000n;
      const iso = new Date(Number(ms)).toISOString();
      return sub === 0n ? iso : `${iso.slice(0, -1)}${pad(Number(sub), 6).replace(/0+$/, '')}Z`;
    }
    case 'date':
      return new Date(v.value * 86_400_000).toISOString().slice(0, 10);
    case 'string':
      return JSON.stringify(v.value);
    default:
      return String(v.value);
  }
}

/** Is this a statistic of ours (records stored before typed statistics hold plain strings)? */
export function isStatValue(v: unknown): v is StatValue {
  return typeof v === 'object' && v !== null && typeof (v as { kind?: unknown }).kind === 'string';
}

interface Bound {
  value: StatValue;
  exact: boolean;
}

/** The smaller (or larger) of two bounds; equal values are exact when either is. */
function pick(cur: Bound | undefined, next: Bound, want: 'min' | 'max'): Bound {
  if (!cur) return next;
  const c = compareStats(next.value, cur.value) ?? 0;
  if (c === 0) return { value: cur.value, exact: cur.exact || next.exact };
  return (want === 'min' ? c < 0 : c > 0) ? next : cur;
}

/**
 * The footer from hyparquet's metadata: per leaf column, statistics merged across row groups —
 * null counts summed (unknown if any row group lacks one), the min of the mins and the max of the
 * maxes (unknown if any row group that has values lacks one).
 */
export function footerFromMetadata(meta: FileMetaData): ParquetFooter {
  // Leaves in schema order, with their dotted paths (the order of each row group's column chunks).
  const leaves: { element: SchemaElement; path: string[]; optional: boolean }[] = [];
  let i = 1;
  const walk = (count: number, prefix: string[], optional: boolean): void => {
    for (let n = 0; n < count && i < meta.schema.length; n++) {
      const e = meta.schema[i++]!;
      const path = [...prefix, e.name];
      const opt = optional || e.repetition_type !== 'REQUIRED';
      if (e.num_children) walk(e.num_children, path, opt);
      else leaves.push({ element: e, path, optional: opt });
    }
  };
  walk(meta.schema[0]?.num_children ?? meta.schema.length - 1, [], false);

  const columns = leaves.map(({ element, path, optional }, index) => {
    const k = columnKind(element);
    let nullCount: number | undefined = 0;
    let min: Bound | undefined;
    let max: Bound | undefined;
    let minUnknown = false;
    let maxUnknown = false;
    for (const rg of meta.row_groups) {
      const md = rg.columns[index]?.meta_data;
      const s = md?.statistics;
      const nulls = s?.null_count;
      nullCount = nullCount === undefined || nulls === undefined ? undefined : nullCount + Number(nulls);
      const values = md
        ? Number(md.num_values) - (nulls === undefined ? 0 : Number(nulls))
        : Number(rg.num_rows);
      const hasValues = nulls === undefined || values > 0;
      const lo = toStat(s?.min_value ?? (k.legacyOrder ? s?.min : undefined), k);
      const hi = toStat(s?.max_value ?? (k.legacyOrder ? s?.max : undefined), k);
      const loExact = s?.min_value !== undefined ? s.is_min_value_exact !== false : true;
      const hiExact = s?.max_value !== undefined ? s.is_max_value_exact !== false : true;
      if (lo) min = pick(min, { value: lo.value, exact: loExact && lo.lossless }, 'min');
      else if (hasValues) minUnknown = true;
      if (hi) max = pick(max, { value: hi.value, exact: hiExact && hi.lossless }, 'max');
      else if (hasValues) maxUnknown = true;
    }
    const col: ParquetColumnStats = {
      name: path.join('.'),
      type: k.type,
      physicalType: element.type ?? 'UNKNOWN',
      ...(k.unit ? { unit: k.unit } : {}),
      optional,
      ...(nullCount !== undefined ? { nullCount } : {}),
      ...(min && !minUnknown ? { min: min.value, minExact: min.exact } : {}),
      ...(max && !maxUnknown ? { max: max.value, maxExact: max.exact } : {}),
    };
    return col;
  });
  return {
    rows: Number(meta.num_rows),
    rowGroups: meta.row_groups.length,
    columns,
    ...(meta.created_by ? { createdBy: meta.created_by } : {}),
  };
}

/** The footer of a file read through ranged reads: one read of `initialFetchSize` from the end, a
 *  second only when the footer is longer. */
export async function readParquetFooter(file: AsyncBuffer, initialFetchSize: number): Promise<ParquetFooter> {
  let meta: FileMetaData;
  try {
    meta = await parquetMetadataAsync(file, { parsers: PARSERS, initialFetchSize, geoparquet: false });
  } catch (err) {
    throw new ParquetFooterError(`not a readable Parquet footer: ${(err as Error).message}`, { cause: err });
  }
  return footerFromMetadata(meta);
}

/** The footer of a whole file (or its tail) in memory. */
export function parseFooter(bytes: Uint8Array): ParquetFooter {
  try {
    return footerFromMetadata(parquetMetadata(bytes, { parsers: PARSERS, geoparquet: false }));
  } catch (err) {
    throw new ParquetFooterError(`not a readable Parquet footer: ${(err as Error).message}`, { cause: err });
  }
}
