// Parquet footers, read without a Parquet library: the footer is a Thrift-compact FileMetaData
// (parquet-format's parquet.thrift). What the backfill quality step needs from it: the schema, the
// row count, and per column the null count and min / max from the column-chunk statistics.
// Pure: the caller fetches the bytes with ranged reads (the tail of the file, never all of it).

export interface ParquetColumnStats {
  name: string;
  /** Physical type name (INT64, BYTE_ARRAY, …), with `/UTF8` when the converted type says so. */
  type: string;
  optional: boolean;
  nullCount: number;
  /** Decoded min / max: numbers as strings of digits (bigint-safe), byte arrays as UTF-8. */
  min?: string;
  max?: string;
}

export interface ParquetFooter {
  rows: number;
  columns: ParquetColumnStats[];
  createdBy?: string;
}

export class ParquetFooterError extends Error {
  override readonly name = 'ParquetFooterError';
  readonly code = 'BAD_PARQUET';
}

const PHYSICAL = [
  'BOOLEAN',
  'INT32',
  'INT64',
  'INT96',
  'FLOAT',
  'DOUBLE',
  'BYTE_ARRAY',
  'FIXED_LEN_BYTE_ARRAY',
];

type TValue = bigint | boolean | Buffer | TValue[] | TStruct | number;
type TStruct = Map<number, TValue>;

class CompactReader {
  pos = 0;
  constructor(private readonly buf: Buffer) {}

  private byte(): number {
    if (this.pos >= this.buf.length) throw new ParquetFooterError('footer ends early');
    return this.buf[this.pos++]!;
  }

  private varint(): bigint {
    let shift = 0n;
    let out = 0n;
    for (;;) {
      const b = this.byte();
      out |= BigInt(b & 0x7f) << shift;
      if (!(b & 0x80)) return out;
      shift += 7n;
      if (shift > 70n) throw new ParquetFooterError('varint too long');
    }
  }

  private zigzag(): bigint {
    const v = this.varint();
    return v & 1n ? -((v + 1n) >> 1n) : v >> 1n;
  }

  private value(type: number): TValue {
    switch (type) {
      case 1:
        return true;
      case 2:
        return false;
      case 3:
        return this.byte();
      case 4:
      case 5:
      case 6:
        return this.zigzag();
      case 7:
        this.pos += 8;
        return 0;
      case 8: {
        const n = Number(this.varint());
        if (this.pos + n > this.buf.length) throw new ParquetFooterError('binary past the end');
        const b = this.buf.subarray(this.pos, this.pos + n);
        this.pos += n;
        return b;
      }
      case 9:
      case 10: {
        const h = this.byte();
        let size = h >> 4;
        const elem = h & 0x0f;
        if (size === 15) size = Number(this.varint());
        const out: TValue[] = [];
        for (let i = 0; i < size; i++)
          out.push(elem === 1 || elem === 2 ? this.byte() === 1 : this.value(elem));
        return out;
      }
      case 12:
        return this.struct();
      default:
        throw new ParquetFooterError(`unsupported thrift type ${type}`);
    }
  }

  struct(): TStruct {
    const out: TStruct = new Map();
    let last = 0;
    for (;;) {
      const h = this.byte();
      if (h === 0) return out;
      const type = h & 0x0f;
      const delta = h >> 4;
      const id = delta ? last + delta : Number(this.zigzag());
      last = id;
      out.set(id, this.value(type));
    }
  }
}

const num = (v: TValue | undefined): number => (typeof v === 'bigint' ? Number(v) : 0);
const struct = (v: TValue | undefined): TStruct => (v instanceof Map ? v : new Map());
const list = (v: TValue | undefined): TValue[] => (Array.isArray(v) ? v : []);
const str = (v: TValue | undefined): string | undefined =>
  Buffer.isBuffer(v) ? v.toString('utf8') : undefined;

function decodeStat(type: string, v: TValue | undefined): string | undefined {
  if (!Buffer.isBuffer(v)) return undefined;
  if (type === 'INT64' && v.length === 8) return v.readBigInt64LE().toString();
  if (type === 'INT32' && v.length === 4) return String(v.readInt32LE());
  if (type === 'DOUBLE' && v.length === 8) return String(v.readDoubleLE());
  return v.toString('utf8');
}

/** Length of the footer from the last 8 bytes of a file (`<len LE32>PAR1`). */
export function footerLength(tail8: Buffer): number {
  if (tail8.length < 8 || tail8.subarray(tail8.length - 4).toString('latin1') !== 'PAR1')
    throw new ParquetFooterError('not a Parquet file (no PAR1 magic at the end)');
  return tail8.readUInt32LE(tail8.length - 8);
}

/**
 * Decode FileMetaData from the tail of a file (at least footer length + 8 bytes). Statistics of
 * several row groups are merged: null counts summed, min of mins, max of maxes.
 */
export function parseFooter(tail: Buffer): ParquetFooter {
  const len = footerLength(tail.subarray(tail.length - 8));
  if (len + 8 > tail.length)
    throw new ParquetFooterError(`need ${len + 8} bytes of tail, got ${tail.length}`);
  const meta = new CompactReader(tail.subarray(tail.length - 8 - len, tail.length - 8)).struct();
  const schema = list(meta.get(2)).map(struct);
  const leaves = schema.slice(1).filter((s) => !s.has(5) || num(s.get(5)) === 0);
  const columns: ParquetColumnStats[] = leaves.map((s) => {
    const physical = PHYSICAL[num(s.get(1))] ?? 'UNKNOWN';
    const converted = s.has(6) && num(s.get(6)) === 0 ? '/UTF8' : '';
    return {
      name: str(s.get(4)) ?? '?',
      type: physical + converted,
      optional: num(s.get(3)) === 1,
      nullCount: 0,
    };
  });
  for (const rg of list(meta.get(4)).map(struct)) {
    list(rg.get(1))
      .map(struct)
      .forEach((chunk, i) => {
        const col = columns[i];
        if (!col) return;
        const md = struct(chunk.get(3));
        const stats = struct(md.get(12));
        const physical = col.type.split('/')[0]!;
        col.nullCount += num(stats.get(3));
        const min = decodeStat(physical, stats.get(6) ?? stats.get(2));
        const max = decodeStat(physical, stats.get(5) ?? stats.get(1));
        const lt = (a: string, b: string) =>
          physical === 'INT64' || physical === 'INT32' ? BigInt(a) < BigInt(b) : a < b;
        if (min !== undefined && (col.min === undefined || lt(min, col.min))) col.min = min;
        if (max !== undefined && (col.max === undefined || lt(col.max, max))) col.max = max;
      });
  }
  const createdBy = str(meta.get(6));
  return { rows: num(meta.get(3)), columns, ...(createdBy ? { createdBy } : {}) };
}
