// The simulator's Parquet files (staging and production outputs, test fixtures), written by
// hyparquet-writer: row groups of `rowGroupRows` rows, Snappy (or no) compression, and per column
// chunk the statistics a reader of footers (the backfill quality step) relies on — null_count,
// min_value / max_value and their exactness flags.
import { parquetWriteBuffer } from 'hyparquet-writer';
import type { SchemaElement } from 'hyparquet';

export type ParquetType =
  /** A UTF-8 string (BYTE_ARRAY, logical type STRING). */
  | 'BYTE_ARRAY'
  | 'INT64'
  | 'INT32'
  | 'DOUBLE'
  | 'FLOAT'
  | 'BOOLEAN'
  /** INT64 milliseconds since the epoch (values: bigint, number or Date). */
  | 'TIMESTAMP_MILLIS'
  /** INT64 microseconds since the epoch (values: bigint or number, or Date). */
  | 'TIMESTAMP_MICROS'
  /** INT32 days since the epoch. */
  | 'DATE'
  /** DECIMAL(precision, scale) on INT32, INT64 or FIXED_LEN_BYTE_ARRAY by its precision; values are
   *  unscaled bigints. */
  | 'DECIMAL';

export type ParquetValue = bigint | number | string | boolean | Date | null;

export interface ParquetColumn {
  name: string;
  type: ParquetType;
  /** Optional columns may hold null; required ones may not. */
  optional: boolean;
  values: ParquetValue[];
  /** DECIMAL only. */
  precision?: number;
  scale?: number;
  /** Write no statistics for this column (a writer that leaves null counts out). */
  noStatistics?: boolean;
}

export interface ParquetWriteOptions {
  /** Rows per row group (default: all rows in one). */
  rowGroupRows?: number;
  codec?: 'SNAPPY' | 'UNCOMPRESSED';
  createdBy?: string;
  /** Longest string bound kept in statistics; longer ones are truncated and marked inexact (default 64). */
  statisticsTruncateLength?: number;
}

function schemaElement(c: ParquetColumn): SchemaElement {
  const repetition_type = c.optional ? 'OPTIONAL' : 'REQUIRED';
  const name = c.name;
  switch (c.type) {
    case 'BYTE_ARRAY':
      return {
        name,
        repetition_type,
        type: 'BYTE_ARRAY',
        converted_type: 'UTF8',
        logical_type: { type: 'STRING' },
      };
    case 'TIMESTAMP_MILLIS':
    case 'TIMESTAMP_MICROS': {
      const unit = c.type === 'TIMESTAMP_MILLIS' ? 'MILLIS' : 'MICROS';
      return {
        name,
        repetition_type,
        type: 'INT64',
        converted_type: c.type,
        logical_type: { type: 'TIMESTAMP', isAdjustedToUTC: true, unit },
      };
    }
    case 'DATE':
      return { name, repetition_type, type: 'INT32', converted_type: 'DATE', logical_type: { type: 'DATE' } };
    case 'DECIMAL': {
      const precision = c.precision ?? 18;
      const scale = c.scale ?? 0;
      const physical =
        precision <= 9
          ? { type: 'INT32' as const }
          : precision <= 18
            ? { type: 'INT64' as const }
            : {
                type: 'FIXED_LEN_BYTE_ARRAY' as const,
                type_length: Math.ceil((precision * Math.log2(10) + 1) / 8),
              };
      return {
        name,
        repetition_type,
        ...physical,
        converted_type: 'DECIMAL',
        precision,
        scale,
        logical_type: { type: 'DECIMAL', precision, scale },
      };
    }
    default:
      return { name, repetition_type, type: c.type };
  }
}

/** The values as hyparquet-writer takes them for the column's schema element. */
function columnValues(c: ParquetColumn): unknown[] {
  switch (c.type) {
    case 'INT64':
    case 'TIMESTAMP_MILLIS':
    case 'TIMESTAMP_MICROS':
      return c.values.map((v) =>
        v === null || v instanceof Date ? v : BigInt(v as number | bigint | string),
      );
    case 'INT32':
    case 'DATE':
      return c.values.map((v) => (v === null || v instanceof Date ? v : Number(v)));
    case 'DECIMAL':
      return c.values.map((v) => (v === null ? v : BigInt(v as number | bigint | string)));
    case 'BYTE_ARRAY':
      return c.values.map((v) => (v === null ? v : String(v)));
    default:
      return c.values;
  }
}

/** One Parquet file holding every column, in row groups of `rowGroupRows`. */
export function writeParquet(columns: ParquetColumn[], options: ParquetWriteOptions | string = {}): Buffer {
  const o: ParquetWriteOptions = typeof options === 'string' ? { createdBy: options } : options;
  const rows = columns[0]?.values.length ?? 0;
  if (columns.some((c) => c.values.length !== rows)) throw new Error('columns differ in length');
  for (const c of columns)
    if (!c.optional && c.values.some((v) => v === null))
      throw new Error(`required column ${c.name} has nulls`);
  const buffer = parquetWriteBuffer({
    schema: [{ name: 'schema', num_children: columns.length }, ...columns.map(schemaElement)],
    columnData: columns.map((c) => ({
      name: c.name,
      data: columnValues(c) as never,
      ...(c.noStatistics ? { statistics: false } : {}),
    })),
    rowGroupSize: Math.max(1, o.rowGroupRows ?? rows),
    codec: o.codec ?? 'SNAPPY',
    statisticsTruncateLength: o.statisticsTruncateLength ?? 64,
    createdBy: o.createdBy ?? 'pipeline-medic sim (hyparquet-writer)',
  });
  return Buffer.from(buffer);
}
