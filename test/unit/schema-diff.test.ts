import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  diffSchemas,
  isWidening,
  normaliseType,
  type ChangeClass,
  type Schema,
  type SchemaChangeKind,
} from '../../src/domain/schema-diff.js';

const base: Schema = {
  columns: [
    { name: 'event_id', type: 'string', nullable: false },
    { name: 'customer_id', type: 'int' },
    { name: 'amount', type: 'decimal(10,2)' },
    { name: 'ratio', type: 'float' },
    { name: 'attrs', type: 'struct<a:int,b:string>' },
  ],
  partitionKeys: [{ name: 'dt', type: 'string' }],
};

const withColumns = (columns: Schema['columns'], partitionKeys = base.partitionKeys): Schema => ({
  columns,
  partitionKeys,
});
const replace = (name: string, over: Partial<Schema['columns'][number]>) =>
  base.columns.map((c) => (c.name === name ? { ...c, ...over } : c));

const cases: [string, Schema, ChangeClass, SchemaChangeKind[]][] = [
  ['no change', base, 'compatible', []],
  [
    'type case and spaces do not count',
    withColumns(replace('amount', { type: 'DECIMAL(10, 2)' })),
    'compatible',
    [],
  ],
  [
    'added nullable column',
    withColumns([...base.columns, { name: 'channel', type: 'string' }]),
    'compatible',
    ['added'],
  ],
  [
    'added required column',
    withColumns([...base.columns, { name: 'channel', type: 'string', nullable: false }]),
    'needs-approval',
    ['added'],
  ],
  ['int → bigint', withColumns(replace('customer_id', { type: 'bigint' })), 'compatible', ['type-widened']],
  ['float → double', withColumns(replace('ratio', { type: 'double' })), 'compatible', ['type-widened']],
  [
    'decimal precision up',
    withColumns(replace('amount', { type: 'decimal(18,2)' })),
    'compatible',
    ['type-widened'],
  ],
  [
    'decimal scale change',
    withColumns(replace('amount', { type: 'decimal(18,4)' })),
    'breaking',
    ['type-changed'],
  ],
  [
    'bigint → int (narrowing)',
    withColumns(replace('customer_id', { type: 'smallint' })),
    'breaking',
    ['type-changed'],
  ],
  ['int → string', withColumns(replace('customer_id', { type: 'string' })), 'breaking', ['type-changed']],
  [
    'nested struct changed (opaque string)',
    withColumns(replace('attrs', { type: 'struct<a:int,b:string,c:int>' })),
    'breaking',
    ['type-changed'],
  ],
  ['made nullable', withColumns(replace('event_id', { nullable: true })), 'compatible', ['made-nullable']],
  ['made required', withColumns(replace('ratio', { nullable: false })), 'breaking', ['made-required']],
  ['removed column', withColumns(base.columns.filter((c) => c.name !== 'ratio')), 'breaking', ['removed']],
  ['renamed column', withColumns(replace('customer_id', { name: 'cust_id' })), 'breaking', ['renamed']],
  [
    'reordered',
    withColumns([base.columns[1]!, base.columns[0]!, ...base.columns.slice(2)]),
    'needs-approval',
    ['reordered'],
  ],
  [
    'partition key added',
    withColumns(base.columns, [...base.partitionKeys, { name: 'hour', type: 'string' }]),
    'breaking',
    ['partition-keys-changed'],
  ],
  [
    'combination: widening plus added nullable stays compatible',
    withColumns([...replace('customer_id', { type: 'bigint' }), { name: 'channel', type: 'string' }]),
    'compatible',
    ['added', 'type-widened'],
  ],
  [
    'combination: one breaking change makes the whole plan breaking',
    withColumns([...replace('customer_id', { type: 'bigint' }).filter((c) => c.name !== 'ratio')]),
    'breaking',
    ['removed', 'type-widened'],
  ],
];

for (const [name, proposed, expected, kinds] of cases) {
  test(`schema diff: ${name}`, () => {
    const d = diffSchemas(base, proposed);
    assert.equal(d.classification, expected);
    assert.deepEqual(d.changes.map((c) => c.kind).sort(), [...kinds].sort());
    for (const c of d.changes) assert.ok(c.summary.length > 0);
  });
}

test('a rename names both columns; a removal names the type', () => {
  const [renamed] = diffSchemas(base, withColumns(replace('customer_id', { name: 'cust_id' }))).changes;
  assert.equal(renamed?.from, 'customer_id');
  assert.equal(renamed?.to, 'cust_id');
  assert.match(renamed?.summary ?? '', /customer_id renamed to cust_id/);
  const [removed] = diffSchemas(base, withColumns(base.columns.slice(0, 4))).changes;
  assert.equal(removed?.summary, 'attrs (struct<a:int,b:string>) removed');
});

test('type widening follows Iceberg', () => {
  assert.equal(normaliseType(' Integer '), 'int');
  assert.equal(isWidening('int', 'bigint'), true);
  assert.equal(isWidening('bigint', 'int'), false);
  assert.equal(isWidening('float', 'double'), true);
  assert.equal(isWidening('double', 'float'), false);
  assert.equal(isWidening('decimal(9,2)', 'decimal(38,2)'), true);
  assert.equal(isWidening('decimal(9,2)', 'decimal(9,2)'), false);
  assert.equal(isWidening('int', 'double'), false, 'not a promotion Iceberg allows');
});

/** One compatible step: add a nullable column, or widen a widenable column. */
const compatibleStep = (s: Schema, pick: number, fresh: number): Schema => {
  const widen: Record<string, string> = {
    tinyint: 'smallint',
    smallint: 'int',
    int: 'bigint',
    float: 'double',
  };
  const i = pick % (s.columns.length + 1);
  if (i === s.columns.length)
    return { ...s, columns: [...s.columns, { name: `new_${fresh}`, type: 'string' }] };
  const c = s.columns[i]!;
  const to = widen[normaliseType(c.type)];
  const dec = /^decimal\((\d+),(\d+)\)$/.exec(normaliseType(c.type));
  const type = to ?? (dec ? `decimal(${Number(dec[1]) + 1},${dec[2]})` : undefined);
  if (!type) return { ...s, columns: [...s.columns, { name: `new_${fresh}`, type: 'int' }] };
  return { ...s, columns: s.columns.map((x, j) => (j === i ? { ...x, type } : x)) };
};

test('property: compatible ∘ compatible stays compatible', () => {
  fc.assert(
    fc.property(fc.array(fc.nat(100), { minLength: 1, maxLength: 8 }), (picks) => {
      let s = base;
      picks.forEach((p, k) => {
        const next = compatibleStep(s, p, k);
        assert.equal(diffSchemas(s, next).classification, 'compatible');
        s = next;
      });
      assert.equal(diffSchemas(base, s).classification, 'compatible');
    }),
  );
});

test('property: a removed column is always breaking, whatever else changed', () => {
  fc.assert(
    fc.property(fc.nat(base.columns.length - 1), fc.array(fc.nat(100), { maxLength: 4 }), (drop, picks) => {
      let s: Schema = { ...base, columns: base.columns.filter((_, i) => i !== drop) };
      picks.forEach((p, k) => (s = compatibleStep(s, p, k)));
      assert.equal(diffSchemas(base, s).classification, 'breaking');
    }),
  );
});
