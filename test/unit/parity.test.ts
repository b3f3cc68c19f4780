import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compareDefinitions, parityLines, type ParityDefinition } from '../../src/domain/parity.js';

const prod: ParityDefinition = {
  name: 'MyJob',
  runtime: 'Glue 4.0',
  scriptLocation: 's3://scripts/MyJob.py',
  capacity: { shape: '10 × G.1X', units: 10, unit: 'DPU' },
  timeoutMinutes: 2880,
  parameters: {
    input_path: 's3://lake-raw/events/',
    output_path: 's3://lake-curated/events/',
    'job-bookmark-option': 'job-bookmark-enable',
    conf: 'spark.sql.shuffle.partitions=200',
  },
  connections: ['vpc-a'],
};
const staging: ParityDefinition = {
  ...prod,
  name: 'MyJob-staging',
  parameters: {
    ...prod.parameters,
    output_path: 's3://lake-staging/events/',
    'job-bookmark-option': 'job-bookmark-disable',
  },
};
const same = { sha256: 'a'.repeat(64), bytes: 100 };

test('at parity: locations and the bookmark option are the environment’s own, not differences', () => {
  const r = compareDefinitions(prod, staging, { prod: same, staging: same });
  assert.deepEqual(r.differences, []);
  assert.equal(r.atParity, true);
  assert.equal(r.needsAcknowledgement, false);
  assert.deepEqual(r.locations, ['job-bookmark-option', 'output_path']);
  assert.match(parityLines(r)[0]!, /MyJob-staging is at parity with MyJob/);
});

const cases: {
  name: string;
  change: Partial<ParityDefinition>;
  scripts?: Parameters<typeof compareDefinitions>[2];
  aspect: string;
  acknowledge: boolean;
}[] = [
  { name: 'runtime', change: { runtime: 'Glue 3.0' }, aspect: 'runtime', acknowledge: true },
  { name: 'runtime missing', change: { runtime: undefined }, aspect: 'runtime', acknowledge: true },
  {
    name: 'script content',
    change: {},
    scripts: { prod: same, staging: { sha256: 'b'.repeat(64), bytes: 101 } },
    aspect: 'script',
    acknowledge: true,
  },
  {
    name: 'script location, contents unreadable',
    change: { scriptLocation: 's3://scripts/other.py' },
    scripts: { prod: same, staging: { unreadable: 'denied' } },
    aspect: 'script',
    acknowledge: true,
  },
  {
    name: 'workers',
    change: { capacity: { shape: '10 × G.2X', units: 20, unit: 'DPU' } },
    aspect: 'capacity',
    acknowledge: false,
  },
  { name: 'timeout', change: { timeoutMinutes: 60 }, aspect: 'timeout', acknowledge: false },
  {
    name: 'a non-location argument',
    change: { parameters: { ...staging.parameters, conf: 'spark.sql.shuffle.partitions=400' } },
    aspect: 'parameter',
    acknowledge: false,
  },
  {
    name: 'an argument only staging has',
    change: {
      parameters: { ...staging.parameters, 'extra-py-files': 's3://scripts/lib.zip', debug: 'true' },
    },
    aspect: 'parameter',
    acknowledge: false,
  },
  { name: 'connections', change: { connections: [] }, aspect: 'connections', acknowledge: false },
];

for (const c of cases)
  test(`a difference of ${c.name} is named (${c.acknowledge ? 'must be acknowledged' : 'informational'})`, () => {
    const r = compareDefinitions(
      prod,
      { ...staging, ...c.change },
      c.scripts ?? { prod: same, staging: same },
    );
    assert.ok(r.differences.length >= 1, JSON.stringify(r));
    assert.ok(
      r.differences.every((d) => d.aspect === c.aspect),
      JSON.stringify(r.differences),
    );
    assert.equal(r.atParity, false);
    assert.equal(r.needsAcknowledgement, c.acknowledge);
    const lines = parityLines(r);
    assert.match(lines[0]!, /differs from MyJob/);
    assert.equal(lines.filter((l) => /: production .*; staging /.test(l)).length, r.differences.length);
  });

test('a location-valued argument only staging has is a difference, not a location (nothing to compare with)', () => {
  const r = compareDefinitions(prod, {
    ...staging,
    parameters: { ...staging.parameters, 'extra-py-files': 's3://scripts/lib.zip' },
  });
  assert.deepEqual(
    r.differences.map((d) => [d.what, d.prod, d.staging]),
    [['default argument --extra-py-files', '(none)', 's3://scripts/lib.zip']],
  );
});

test('scripts that could not be read are noted, and equal locations are not called a difference', () => {
  const r = compareDefinitions(prod, staging, { prod: { unreadable: 'could not be read (AccessDenied)' } });
  assert.equal(r.atParity, true);
  assert.deepEqual(r.notes, [
    'production script s3://scripts/MyJob.py not compared by content: could not be read (AccessDenied)',
    'staging script s3://scripts/MyJob.py not compared by content: not read',
  ]);
});
