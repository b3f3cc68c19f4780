import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  SchemaFormatError,
  fromAvro,
  fromGlueColumns,
  fromJsonSchema,
  readProposedSchema,
} from '../../src/domain/schema-formats.js';
import { planMigration } from '../../src/domain/schema-plan.js';
import type { Schema } from '../../src/domain/schema-diff.js';

const current: Schema = {
  columns: [
    { name: 'event_id', type: 'string' },
    { name: 'customer_id', type: 'int' },
    { name: 'amount', type: 'decimal(10,2)' },
  ],
  partitionKeys: [{ name: 'dt', type: 'string' }],
};

test('Glue StorageDescriptor columns, as the CI API takes them', () => {
  const s = fromGlueColumns({
    Columns: [
      { Name: 'event_id', Type: 'string' },
      { Name: 'amount', Type: 'decimal(18,2)' },
    ],
    PartitionKeys: [{ Name: 'dt', Type: 'string' }],
  });
  assert.deepEqual(s, {
    columns: [
      { name: 'event_id', type: 'string' },
      { name: 'amount', type: 'decimal(18,2)' },
    ],
    partitionKeys: [{ name: 'dt', type: 'string' }],
  });
});

test('malformed schemas are refused with the path of the problem', () => {
  const cases: [unknown, RegExp][] = [
    [{}, /^proposed: must be a Glue StorageDescriptor/],
    [{ Columns: undefined, PartitionKeys: [] }, /^proposed: must be a Glue StorageDescriptor/],
    [{ Columns: 'x' }, /^proposed\.Columns: must be a list/],
    [{ Columns: [{ Name: 'a' }] }, /^proposed\.Columns\[0\]\.Type: must be a non-empty string/],
    [{ Columns: [{ Name: '', Type: 'int' }] }, /^proposed\.Columns\[0\]\.Name/],
    [
      {
        Columns: [
          { Name: 'a', Type: 'int' },
          { Name: 'A', Type: 'int' },
        ],
      },
      /^proposed\.Columns\[1\]\.Name: A appears twice/,
    ],
    [{ Columns: [], PartitionKeys: [{ Type: 'string' }] }, /^proposed\.PartitionKeys\[0\]\.Name/],
    [42, /^proposed: must be a Glue StorageDescriptor/],
    [
      { type: 'record', fields: [{ name: 'x', type: 'uuidish' }] },
      /^proposed\.fields\[0\]\.type: unknown Avro type/,
    ],
  ];
  for (const [input, message] of cases) {
    assert.throws(
      () => readProposedSchema(input),
      (e: unknown) => e instanceof SchemaFormatError && message.test(e.message),
      JSON.stringify(input),
    );
  }
});

test('an Avro record (Glue Schema Registry): unions with null are nullable, logical types mapped', () => {
  const s = fromAvro({
    type: 'record',
    name: 'Event',
    fields: [
      { name: 'event_id', type: 'string' },
      { name: 'customer_id', type: ['null', 'long'] },
      { name: 'amount', type: { type: 'bytes', logicalType: 'decimal', precision: 18, scale: 2 } },
      { name: 'at', type: { type: 'long', logicalType: 'timestamp-micros' } },
      { name: 'tags', type: { type: 'array', items: 'string' } },
      { name: 'geo', type: { type: 'record', name: 'Geo', fields: [{ name: 'lat', type: 'double' }] } },
    ],
  });
  assert.deepEqual(
    s.columns.map((c) => [c.name, c.type, c.nullable]),
    [
      ['event_id', 'string', false],
      ['customer_id', 'bigint', true],
      ['amount', 'decimal(18,2)', false],
      ['at', 'timestamp', false],
      ['tags', 'array<string>', false],
      ['geo', 'struct<lat:double>', false],
    ],
  );
});

test('a JSON Schema: required properties are not nullable', () => {
  const s = fromJsonSchema({
    type: 'object',
    required: ['event_id'],
    properties: {
      event_id: { type: 'string' },
      amount: { type: 'number' },
      day: { type: 'string', format: 'date' },
    },
  });
  assert.deepEqual(s.columns, [
    { name: 'event_id', type: 'string', nullable: false },
    { name: 'amount', type: 'double', nullable: true },
    { name: 'day', type: 'date', nullable: true },
  ]);
});

test('plan: compatible changes need no approval and no backfill', () => {
  const plan = planMigration(
    current,
    {
      ...current,
      columns: [
        ...current.columns.map((c) => (c.name === 'customer_id' ? { ...c, type: 'bigint' } : c)),
        { name: 'channel', type: 'string' },
      ],
    },
    { consumers: ['Reporting'], driftSince: '2026-11-25', today: '2026-12-01' },
  );
  assert.equal(plan.classification, 'compatible');
  assert.equal(plan.needsApproval, false);
  assert.equal(plan.risk, 'low');
  assert.equal(plan.backfillWindow, undefined);
  assert.deepEqual(plan.consumersAffected, []);
  assert.equal(plan.steps.length, 2);
});

test('plan: a rename is breaking, needs approval, names the consumers and the backfill window', () => {
  const plan = planMigration(
    current,
    {
      ...current,
      columns: current.columns.map((c) => (c.name === 'customer_id' ? { ...c, name: 'cust_id' } : c)),
    },
    { consumers: ['Reporting', 'Billing'], driftSince: '2026-11-25', today: '2026-12-01' },
  );
  assert.equal(plan.classification, 'breaking');
  assert.equal(plan.needsApproval, true);
  assert.equal(plan.risk, 'high');
  assert.deepEqual(plan.backfillWindow, { from: '2026-11-25', to: '2026-12-01' });
  assert.deepEqual(plan.consumersAffected, ['Reporting', 'Billing']);
  assert.match(plan.steps[0]!.action, /Readers of customer_id break.*Consumers to check: Reporting, Billing/);
});

test('plan: a required column added needs approval, medium risk; without a known drift day no window', () => {
  const plan = planMigration(
    current,
    { ...current, columns: [...current.columns, { name: 'region', type: 'string', nullable: false }] },
    { consumers: [], today: '2026-12-01' },
  );
  assert.equal(plan.classification, 'needs-approval');
  assert.equal(plan.risk, 'medium');
  assert.equal(plan.steps[0]!.backfill, true);
  assert.equal(plan.backfillWindow, undefined);
});

test('a StorageDescriptor without Columns is refused with its path', () => {
  assert.throws(
    () => fromGlueColumns({ PartitionKeys: [] }),
    (e: unknown) => e instanceof SchemaFormatError && e.path === 'proposed.Columns',
  );
});
