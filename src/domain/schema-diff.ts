// Schema changes and what they mean for the data's consumers (seed 5.2: "automatic migration plans
// for schema changes; manual approval for breaking changes"). Pure: two schemas in, classified
// changes out. Types are Hive/Glue catalog strings (`bigint`, `decimal(18,2)`,
// `struct<a:int,b:string>`); nested types are compared as opaque, normalised strings.
//
// Classification, after Iceberg's schema-evolution rules:
// - compatible: an added nullable column; widening int → bigint, float → double, decimal(P,S) →
//   decimal(P',S) with P' > P; a column made nullable.
// - needs-approval: an added required column (old writers cannot fill it); a reorder (positional
//   readers such as CSV or `SELECT *` into INSERT break silently); a comment-only change is not a change.
// - breaking: a removed or renamed column; narrowing or any other type change; a column made
//   required; any partition key change.

export interface SchemaColumn {
  name: string;
  type: string;
  /** Unknown nullability (the Glue catalog does not say) counts as nullable. */
  nullable?: boolean;
}

export interface Schema {
  columns: SchemaColumn[];
  partitionKeys: SchemaColumn[];
}

export type ChangeClass = 'compatible' | 'needs-approval' | 'breaking';

export type SchemaChangeKind =
  | 'added'
  | 'removed'
  | 'renamed'
  | 'type-widened'
  | 'type-changed'
  | 'made-nullable'
  | 'made-required'
  | 'reordered'
  | 'partition-keys-changed';

export interface SchemaChange {
  kind: SchemaChangeKind;
  class: ChangeClass;
  column?: string;
  /** For renames: the new name. */
  to?: string;
  from?: string;
  /** For type and nullability changes: the new type. */
  toType?: string;
  fromType?: string;
  /** One sentence for people. */
  summary: string;
}

export interface SchemaDiff {
  changes: SchemaChange[];
  /** The worst class among the changes; 'compatible' when there are none. */
  classification: ChangeClass;
}

const RANK: Record<ChangeClass, number> = { compatible: 0, 'needs-approval': 1, breaking: 2 };

export function worstClass(classes: readonly ChangeClass[]): ChangeClass {
  return classes.reduce<ChangeClass>((w, c) => (RANK[c] > RANK[w] ? c : w), 'compatible');
}

/** Lower case, no spaces, Glue's aliases folded: `INT` → `int`, `Decimal(18, 2)` → `decimal(18,2)`. */
export function normaliseType(type: string): string {
  const t = type.trim().toLowerCase().replace(/\s+/g, '');
  const aliases: Record<string, string> = {
    integer: 'int',
    long: 'bigint',
    short: 'smallint',
    byte: 'tinyint',
    real: 'float',
  };
  return aliases[t] ?? t;
}

const INTEGER_WIDTH: Record<string, number> = { tinyint: 1, smallint: 2, int: 3, bigint: 4 };

/** Iceberg's safe promotions (plus the smaller integer types into larger ones). */
export function isWidening(fromType: string, toType: string): boolean {
  const a = normaliseType(fromType);
  const b = normaliseType(toType);
  if (a === b) return false;
  if (a in INTEGER_WIDTH && b in INTEGER_WIDTH) return INTEGER_WIDTH[b]! > INTEGER_WIDTH[a]!;
  if (a === 'float' && b === 'double') return true;
  const da = /^decimal\((\d+),(\d+)\)$/.exec(a);
  const db = /^decimal\((\d+),(\d+)\)$/.exec(b);
  if (da && db) return da[2] === db[2] && Number(db[1]) > Number(da[1]);
  return false;
}

const nullable = (c: SchemaColumn) => c.nullable !== false;

function change(c: Omit<SchemaChange, 'summary'>, summary: string): SchemaChange {
  return { ...c, summary };
}

/**
 * What changed from `current` to `proposed`. A column removed and another added at the same
 * position with the same type is read as a rename (breaking: readers by name lose it).
 */
export function diffSchemas(current: Schema, proposed: Schema): SchemaDiff {
  const changes: SchemaChange[] = [];
  const before = new Map(current.columns.map((c, i) => [c.name.toLowerCase(), { c, i }]));
  const after = new Map(proposed.columns.map((c, i) => [c.name.toLowerCase(), { c, i }]));
  const removed = current.columns.filter((c) => !after.has(c.name.toLowerCase()));
  const added = proposed.columns.filter((c) => !before.has(c.name.toLowerCase()));

  // Renames: a removed and an added column at the same position with the same type.
  const renamedFrom = new Set<string>();
  const renamedTo = new Set<string>();
  for (const r of removed) {
    const pos = current.columns.indexOf(r);
    const candidate = proposed.columns[pos];
    if (
      candidate &&
      added.includes(candidate) &&
      !renamedTo.has(candidate.name) &&
      normaliseType(candidate.type) === normaliseType(r.type)
    ) {
      renamedFrom.add(r.name);
      renamedTo.add(candidate.name);
      changes.push(
        change(
          { kind: 'renamed', class: 'breaking', column: r.name, from: r.name, to: candidate.name },
          `${r.name} renamed to ${candidate.name}: readers by name lose ${r.name}`,
        ),
      );
    }
  }
  for (const r of removed)
    if (!renamedFrom.has(r.name))
      changes.push(
        change(
          { kind: 'removed', class: 'breaking', column: r.name, fromType: r.type },
          `${r.name} (${r.type}) removed`,
        ),
      );
  for (const a of added) {
    if (renamedTo.has(a.name)) continue;
    changes.push(
      nullable(a)
        ? change(
            { kind: 'added', class: 'compatible', column: a.name, toType: a.type },
            `${a.name} (${a.type}) added, nullable`,
          )
        : change(
            { kind: 'added', class: 'needs-approval', column: a.name, toType: a.type },
            `${a.name} (${a.type}) added as required: writers that do not fill it fail`,
          ),
    );
  }

  // Columns in both: type and nullability.
  for (const c of proposed.columns) {
    const old = before.get(c.name.toLowerCase())?.c;
    if (!old) continue;
    const from = normaliseType(old.type);
    const to = normaliseType(c.type);
    if (from !== to) {
      const widened = isWidening(from, to);
      changes.push(
        change(
          {
            kind: widened ? 'type-widened' : 'type-changed',
            class: widened ? 'compatible' : 'breaking',
            column: c.name,
            fromType: old.type,
            toType: c.type,
          },
          widened
            ? `${c.name} widened ${old.type} → ${c.type}`
            : `${c.name} changed type ${old.type} → ${c.type}: existing data does not read as the new type`,
        ),
      );
    }
    if (nullable(old) !== nullable(c))
      changes.push(
        nullable(c)
          ? change({ kind: 'made-nullable', class: 'compatible', column: c.name }, `${c.name} made nullable`)
          : change(
              { kind: 'made-required', class: 'breaking', column: c.name },
              `${c.name} made required: existing rows may hold nulls`,
            ),
      );
  }

  // Order of the columns both schemas keep.
  const keptBefore = current.columns.map((c) => c.name.toLowerCase()).filter((n) => after.has(n));
  const keptAfter = proposed.columns.map((c) => c.name.toLowerCase()).filter((n) => before.has(n));
  if (keptBefore.join(',') !== keptAfter.join(','))
    changes.push(
      change(
        { kind: 'reordered', class: 'needs-approval' },
        `columns reordered (${keptAfter.slice(0, 6).join(', ')}${keptAfter.length > 6 ? ', …' : ''}): positional readers break`,
      ),
    );

  const keys = (s: Schema) =>
    s.partitionKeys.map((k) => `${k.name.toLowerCase()}:${normaliseType(k.type)}`).join(',');
  if (keys(current) !== keys(proposed))
    changes.push(
      change(
        { kind: 'partition-keys-changed', class: 'breaking', from: keys(current), to: keys(proposed) },
        `partition keys changed (${current.partitionKeys.map((k) => k.name).join(', ') || 'none'} → ${proposed.partitionKeys.map((k) => k.name).join(', ') || 'none'}): every partition's layout changes`,
      ),
    );

  return { changes, classification: worstClass(changes.map((c) => c.class)) };
}
