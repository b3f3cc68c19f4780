// A minimal Parquet writer for the simulator's staging and production outputs: one row group,
// uncompressed PLAIN data pages (v1), INT64 and BYTE_ARRAY (UTF8) columns, optional columns with
// RLE definition levels, and a Thrift-compact footer with per-column statistics (null_count,
// min_value, max_value) — what a reader of footers (the backfill quality step) relies on.
// No Parquet library is installed; the format is small enough to write by hand (parquet-format's
// parquet.thrift field ids are used throughout).

export type ParquetType = 'INT64' | 'BYTE_ARRAY';

export interface ParquetColumn {
  name: string;
  type: ParquetType;
  /** Optional columns may hold null; required ones may not. */
  optional: boolean;
  values: (bigint | number | string | null)[];
}

const TYPE_ID: Record<ParquetType, number> = { INT64: 2, BYTE_ARRAY: 6 };

// Thrift compact protocol type ids.
const T = { I32: 5, I64: 6, BINARY: 8, LIST: 9, STRUCT: 12 } as const;

class CompactWriter {
  private chunks: number[] = [];
  private last: number[] = [0];

  bytes(): Buffer {
    return Buffer.from(this.chunks);
  }

  private varint(n: bigint): void {
    let v = n;
    while (v >= 0x80n) {
      this.chunks.push(Number((v & 0x7fn) | 0x80n));
      v >>= 7n;
    }
    this.chunks.push(Number(v));
  }

  private zigzag(n: bigint): void {
    this.varint(n >= 0n ? n << 1n : (-n << 1n) - 1n);
  }

  private fieldHeader(id: number, type: number): void {
    const delta = id - this.last[this.last.length - 1]!;
    if (delta > 0 && delta <= 15) this.chunks.push((delta << 4) | type);
    else {
      this.chunks.push(type);
      this.zigzag(BigInt(id));
    }
    this.last[this.last.length - 1] = id;
  }

  i32(id: number, v: number): this {
    this.fieldHeader(id, T.I32);
    this.zigzag(BigInt(v));
    return this;
  }

  i64(id: number, v: number | bigint): this {
    this.fieldHeader(id, T.I64);
    this.zigzag(BigInt(v));
    return this;
  }

  binary(id: number, v: Buffer | string): this {
    this.fieldHeader(id, T.BINARY);
    const b = Buffer.isBuffer(v) ? v : Buffer.from(v, 'utf8');
    this.varint(BigInt(b.length));
    for (const x of b) this.chunks.push(x);
    return this;
  }

  struct(id: number, body: (w: CompactWriter) => void): this {
    this.fieldHeader(id, T.STRUCT);
    this.last.push(0);
    body(this);
    this.chunks.push(0);
    this.last.pop();
    return this;
  }

  private listHeader(size: number, elem: number): void {
    if (size < 15) this.chunks.push((size << 4) | elem);
    else {
      this.chunks.push(0xf0 | elem);
      this.varint(BigInt(size));
    }
  }

  listI32(id: number, items: number[]): this {
    this.fieldHeader(id, T.LIST);
    this.listHeader(items.length, T.I32);
    for (const v of items) this.zigzag(BigInt(v));
    return this;
  }

  listString(id: number, items: string[]): this {
    this.fieldHeader(id, T.LIST);
    this.listHeader(items.length, T.BINARY);
    for (const s of items) {
      const b = Buffer.from(s, 'utf8');
      this.varint(BigInt(b.length));
      for (const x of b) this.chunks.push(x);
    }
    return this;
  }

  listStruct(id: number, items: ((w: CompactWriter) => void)[]): this {
    this.fieldHeader(id, T.LIST);
    this.listHeader(items.length, T.STRUCT);
    for (const body of items) {
      this.last.push(0);
      body(this);
      this.chunks.push(0);
      this.last.pop();
    }
    return this;
  }

  /** Ends the top-level struct. */
  stop(): this {
    this.chunks.push(0);
    return this;
  }
}

function plainValue(type: ParquetType, v: bigint | number | string): Buffer {
  if (type === 'INT64') {
    const b = Buffer.alloc(8);
    b.writeBigInt64LE(BigInt(v));
    return b;
  }
  const s = Buffer.from(String(v), 'utf8');
  const len = Buffer.alloc(4);
  len.writeUInt32LE(s.length);
  return Buffer.concat([len, s]);
}

/** The statistics encoding of a value: INT64 little-endian, BYTE_ARRAY the raw bytes. */
function statValue(type: ParquetType, v: bigint | number | string): Buffer {
  return type === 'INT64' ? plainValue(type, v) : Buffer.from(String(v), 'utf8');
}

function uvarint(n: number): number[] {
  const out: number[] = [];
  let v = n;
  while (v >= 0x80) {
    out.push((v & 0x7f) | 0x80);
    v >>>= 7;
  }
  out.push(v);
  return out;
}

/** Definition levels (bit width 1) as RLE runs, prefixed by their byte length (data page v1). */
function definitionLevels(values: unknown[]): Buffer {
  const runs: number[] = [];
  let i = 0;
  while (i < values.length) {
    const def = values[i] === null ? 0 : 1;
    let j = i;
    while (j < values.length && (values[j] === null ? 0 : 1) === def) j++;
    runs.push(...uvarint((j - i) << 1), def);
    i = j;
  }
  const body = Buffer.from(runs);
  const len = Buffer.alloc(4);
  len.writeUInt32LE(body.length);
  return Buffer.concat([len, body]);
}

function compare(type: ParquetType, a: bigint | number | string, b: bigint | number | string): number {
  if (type === 'INT64') return BigInt(a) < BigInt(b) ? -1 : BigInt(a) > BigInt(b) ? 1 : 0;
  const x = Buffer.from(String(a));
  const y = Buffer.from(String(b));
  return Buffer.compare(x, y);
}

/** One Parquet file with a single row group holding every column. */
export function writeParquet(columns: ParquetColumn[], createdBy = 'pipeline-medic sim'): Buffer {
  const rows = columns[0]?.values.length ?? 0;
  if (columns.some((c) => c.values.length !== rows)) throw new Error('columns differ in length');
  const parts: Buffer[] = [Buffer.from('PAR1')];
  let offset = 4;
  const chunks: ((w: CompactWriter) => void)[] = [];
  let totalBytes = 0;
  for (const col of columns) {
    const present = col.values.filter((v): v is bigint | number | string => v !== null);
    if (!col.optional && present.length !== rows) throw new Error(`required column ${col.name} has nulls`);
    const data = Buffer.concat([
      ...(col.optional ? [definitionLevels(col.values)] : []),
      ...present.map((v) => plainValue(col.type, v)),
    ]);
    let min: bigint | number | string | undefined;
    let max: bigint | number | string | undefined;
    for (const v of present) {
      if (min === undefined || compare(col.type, v, min) < 0) min = v;
      if (max === undefined || compare(col.type, v, max) > 0) max = v;
    }
    const nulls = rows - present.length;
    const stats = (w: CompactWriter) => {
      w.i64(3, nulls);
      if (max !== undefined) w.binary(5, statValue(col.type, max));
      if (min !== undefined) w.binary(6, statValue(col.type, min));
    };
    const header = new CompactWriter()
      .i32(1, 0) // DATA_PAGE
      .i32(2, data.length)
      .i32(3, data.length)
      .struct(5, (w) => {
        w.i32(1, rows).i32(2, 0).i32(3, 3).i32(4, 3); // PLAIN values, RLE levels
      })
      .stop()
      .bytes();
    const pageOffset = offset;
    const size = header.length + data.length;
    parts.push(header, data);
    offset += size;
    totalBytes += size;
    chunks.push((w) => {
      w.i64(2, pageOffset).struct(3, (m) => {
        m.i32(1, TYPE_ID[col.type])
          .listI32(2, [0, 3])
          .listString(3, [col.name])
          .i32(4, 0) // UNCOMPRESSED
          .i64(5, rows)
          .i64(6, size)
          .i64(7, size)
          .i64(9, pageOffset)
          .struct(12, stats);
      });
    });
  }
  const footer = new CompactWriter()
    .i32(1, 1)
    .listStruct(2, [
      (w) => {
        w.binary(4, 'schema').i32(5, columns.length);
      },
      ...columns.map((c) => (w: CompactWriter) => {
        w.i32(1, TYPE_ID[c.type])
          .i32(3, c.optional ? 1 : 0)
          .binary(4, c.name);
        if (c.type === 'BYTE_ARRAY') w.i32(6, 0); // UTF8
      }),
    ])
    .i64(3, rows)
    .listStruct(4, [
      (w) => {
        w.listStruct(1, chunks).i64(2, totalBytes).i64(3, rows);
      },
    ])
    .binary(6, createdBy)
    .stop()
    .bytes();
  const len = Buffer.alloc(4);
  len.writeUInt32LE(footer.length);
  parts.push(footer, len, Buffer.from('PAR1'));
  return Buffer.concat(parts);
}
