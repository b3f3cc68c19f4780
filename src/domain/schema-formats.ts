// Schemas as a CI job sends them, read into the one Schema shape the diff takes: Glue's
// StorageDescriptor (`{Columns: [{Name, Type}], PartitionKeys: [...]}`, DESIGN.md's API contract),
// an Avro record schema, or a JSON Schema object — the formats Glue Schema Registry keeps. Pure;
// every problem is reported with the path of the field that has it.
import type { Schema, SchemaColumn } from './schema-diff.js';

export class SchemaFormatError extends Error {
  override readonly name = 'SchemaFormatError';
  readonly code = 'BAD_SCHEMA';
  constructor(
    readonly path: string,
    message: string,
  ) {
    super(`${path}: ${message}`);
  }
}

type Json = unknown;
const isObject = (v: Json): v is Record<string, Json> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function columnsOf(v: Json, path: string): SchemaColumn[] {
  if (!Array.isArray(v)) throw new SchemaFormatError(path, 'must be a list of {Name, Type}');
  const seen = new Set<string>();
  return v.map((c, i) => {
    const p = `${path}[${i}]`;
    if (!isObject(c)) throw new SchemaFormatError(p, 'must be an object with Name and Type');
    const name = c.Name ?? c.name;
    const type = c.Type ?? c.type;
    if (typeof name !== 'string' || !name.trim())
      throw new SchemaFormatError(`${p}.Name`, 'must be a non-empty string');
    if (typeof type !== 'string' || !type.trim())
      throw new SchemaFormatError(`${p}.Type`, 'must be a non-empty string');
    if (name.length > 255) throw new SchemaFormatError(`${p}.Name`, 'is longer than 255 characters');
    if (seen.has(name.toLowerCase())) throw new SchemaFormatError(`${p}.Name`, `${name} appears twice`);
    seen.add(name.toLowerCase());
    const nullable = c.Nullable ?? c.nullable;
    return { name, type, ...(typeof nullable === 'boolean' ? { nullable } : {}) };
  });
}

/** Glue's StorageDescriptor shape: {Columns, PartitionKeys?}. */
export function fromGlueColumns(v: Json, path = 'proposed'): Schema {
  if (!isObject(v)) throw new SchemaFormatError(path, 'must be an object with Columns');
  if (v.Columns === undefined) throw new SchemaFormatError(`${path}.Columns`, 'is required');
  return {
    columns: columnsOf(v.Columns, `${path}.Columns`),
    partitionKeys: v.PartitionKeys === undefined ? [] : columnsOf(v.PartitionKeys, `${path}.PartitionKeys`),
  };
}

const AVRO_PRIMITIVE: Record<string, string> = {
  boolean: 'boolean',
  int: 'int',
  long: 'bigint',
  float: 'float',
  double: 'double',
  bytes: 'binary',
  string: 'string',
};

/** An Avro type as a Hive/Glue type string (records become structs, logical types their Glue type). */
function avroType(t: Json, path: string): { type: string; nullable: boolean } {
  if (typeof t === 'string') {
    const p = AVRO_PRIMITIVE[t];
    if (!p) throw new SchemaFormatError(path, `unknown Avro type ${t}`);
    return { type: p, nullable: false };
  }
  if (Array.isArray(t)) {
    const nonNull = t.filter((x) => x !== 'null');
    if (nonNull.length !== 1)
      throw new SchemaFormatError(path, 'only unions of null and one type are supported');
    return { type: avroType(nonNull[0], path).type, nullable: t.length > nonNull.length };
  }
  if (!isObject(t)) throw new SchemaFormatError(path, 'must be an Avro type');
  const logical = t.logicalType;
  if (logical === 'decimal')
    return { type: `decimal(${Number(t.precision)},${Number(t.scale ?? 0)})`, nullable: false };
  if (logical === 'date') return { type: 'date', nullable: false };
  if (logical === 'timestamp-millis' || logical === 'timestamp-micros')
    return { type: 'timestamp', nullable: false };
  switch (t.type) {
    case 'record': {
      const fields = avroFields(t.fields, `${path}.fields`);
      return { type: `struct<${fields.map((f) => `${f.name}:${f.type}`).join(',')}>`, nullable: false };
    }
    case 'array':
      return { type: `array<${avroType(t.items, `${path}.items`).type}>`, nullable: false };
    case 'map':
      return { type: `map<string,${avroType(t.values, `${path}.values`).type}>`, nullable: false };
    case 'enum':
      return { type: 'string', nullable: false };
    default:
      return avroType(t.type, `${path}.type`);
  }
}

function avroFields(v: Json, path: string): SchemaColumn[] {
  if (!Array.isArray(v)) throw new SchemaFormatError(path, 'must be a list of fields');
  return v.map((f, i) => {
    const p = `${path}[${i}]`;
    if (!isObject(f) || typeof f.name !== 'string')
      throw new SchemaFormatError(`${p}.name`, 'must be a string');
    const { type, nullable } = avroType(f.type, `${p}.type`);
    return { name: f.name, type, nullable };
  });
}

/** An Avro record schema (as in Glue Schema Registry). Partition keys are not part of Avro. */
export function fromAvro(v: Json, path = 'proposed'): Schema {
  if (!isObject(v) || v.type !== 'record') throw new SchemaFormatError(path, 'must be an Avro record schema');
  return { columns: avroFields(v.fields, `${path}.fields`), partitionKeys: [] };
}

function jsonSchemaType(v: Json, path: string): string {
  if (!isObject(v)) throw new SchemaFormatError(path, 'must be a JSON Schema');
  const types = Array.isArray(v.type) ? v.type.filter((t) => t !== 'null') : [v.type];
  const t = types[0];
  switch (t) {
    case 'integer':
      return 'bigint';
    case 'number':
      return 'double';
    case 'boolean':
      return 'boolean';
    case 'string':
      return v.format === 'date' ? 'date' : v.format === 'date-time' ? 'timestamp' : 'string';
    case 'array':
      return `array<${jsonSchemaType(v.items, `${path}.items`)}>`;
    case 'object': {
      const props = isObject(v.properties) ? Object.entries(v.properties) : [];
      return `struct<${props.map(([k, p]) => `${k}:${jsonSchemaType(p, `${path}.properties.${k}`)}`).join(',')}>`;
    }
    default:
      throw new SchemaFormatError(`${path}.type`, `unsupported JSON Schema type ${String(t)}`);
  }
}

/** A JSON Schema object: its properties are the columns, `required` ones not nullable. */
export function fromJsonSchema(v: Json, path = 'proposed'): Schema {
  if (!isObject(v) || !isObject(v.properties))
    throw new SchemaFormatError(`${path}.properties`, 'must be an object');
  const required = new Set(Array.isArray(v.required) ? v.required.filter((x) => typeof x === 'string') : []);
  return {
    columns: Object.entries(v.properties).map(([name, p]) => ({
      name,
      type: jsonSchemaType(p, `${path}.properties.${name}`),
      nullable: !required.has(name) || (isObject(p) && Array.isArray(p.type) && p.type.includes('null')),
    })),
    partitionKeys: [],
  };
}

/** Whichever of the three shapes the value is. */
export function readProposedSchema(v: Json, path = 'proposed'): Schema {
  if (isObject(v) && v.Columns !== undefined) return fromGlueColumns(v, path);
  if (isObject(v) && v.type === 'record') return fromAvro(v, path);
  if (isObject(v) && v.properties !== undefined) return fromJsonSchema(v, path);
  throw new SchemaFormatError(
    path,
    'must be a Glue StorageDescriptor ({Columns, PartitionKeys}), an Avro record or a JSON Schema object',
  );
}

/** Parquet logical types (the footer reader's names) as Hive/Glue catalog types. */
const PARQUET_TO_CATALOG: Record<string, string> = {
  int8: 'tinyint',
  int16: 'smallint',
  int32: 'int',
  int64: 'bigint',
  uint8: 'smallint',
  uint16: 'int',
  uint32: 'bigint',
  uint64: 'bigint',
  float: 'float',
  double: 'double',
  boolean: 'boolean',
  string: 'string',
  json: 'string',
  enum: 'string',
  uuid: 'string',
  date: 'date',
  timestamp: 'timestamp',
  binary: 'binary',
};

/**
 * A Parquet footer's columns as a catalog schema (partition columns are in the path, not the
 * file). Nullability is left unknown: a file's REQUIRED says what one writer wrote, not what the
 * table promises, and the catalog does not say either.
 */
export function fromParquetColumns(columns: readonly { name: string; type: string }[]): Schema {
  return {
    columns: columns
      // Nested leaves come dotted ("geo.lat"); their top-level struct is opaque to the diff.
      .filter((c) => !c.name.includes('.'))
      .map((c) => ({
        name: c.name,
        type: /^decimal\(/.test(c.type)
          ? c.type
          : (PARQUET_TO_CATALOG[c.type.toLowerCase()] ?? c.type.toLowerCase()),
      })),
    partitionKeys: [],
  };
}
