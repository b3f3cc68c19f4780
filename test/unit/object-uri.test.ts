import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseObjectUri, formatLocation, ObjectUriError } from '../../src/providers/object-uri.js';
import type { ObjectLocation } from '../../src/providers/ports.js';

const valid: [string, ObjectLocation][] = [
  ['s3://lake-raw/events/', { scheme: 's3', container: 'lake-raw', prefix: 'events/' }],
  ['s3://lake-raw', { scheme: 's3', container: 'lake-raw', prefix: '' }],
  ['s3://lake-raw/', { scheme: 's3', container: 'lake-raw', prefix: '' }],
  ['s3a://lake.raw/a/dt=2026-11-20/', { scheme: 's3', container: 'lake.raw', prefix: 'a/dt=2026-11-20/' }],
  // s3:// paths are literal, as the AWS CLI treats them
  ['s3://b-1/a%20b/c+d', { scheme: 's3', container: 'b-1', prefix: 'a%20b/c+d' }],
  ['  <s3://lake-raw/x/>  ', { scheme: 's3', container: 'lake-raw', prefix: 'x/' }],
  [
    'https://acct01.blob.core.windows.net/raw/events/dt=2026-11-20/',
    { scheme: 'azure-blob', account: 'acct01', container: 'raw', prefix: 'events/dt=2026-11-20/' },
  ],
  [
    'https://acct01.blob.core.windows.net/raw/my%20folder/%C3%A9t%C3%A9',
    { scheme: 'azure-blob', account: 'acct01', container: 'raw', prefix: 'my folder/été' },
  ],
  [
    'https://acct01.blob.core.windows.net/raw',
    { scheme: 'azure-blob', account: 'acct01', container: 'raw', prefix: '' },
  ],
  [
    'abfss://raw@acct01.dfs.core.windows.net/events/x',
    { scheme: 'azure-blob', account: 'acct01', container: 'raw', prefix: 'events/x' },
  ],
  [
    'wasbs://raw@acct01.blob.core.windows.net/events/',
    { scheme: 'azure-blob', account: 'acct01', container: 'raw', prefix: 'events/' },
  ],
  [
    'az://acct01/raw/events/',
    { scheme: 'azure-blob', account: 'acct01', container: 'raw', prefix: 'events/' },
  ],
  [
    'http://127.0.0.1:10000/devstoreaccount1/raw/p/',
    { scheme: 'azure-blob', account: 'devstoreaccount1', container: 'raw', prefix: 'p/' },
  ],
  [
    '<https://acct01.blob.core.windows.net/raw/x|label>',
    { scheme: 'azure-blob', account: 'acct01', container: 'raw', prefix: 'x' },
  ],
];

for (const [uri, expected] of valid) {
  test(`parseObjectUri(${JSON.stringify(uri)})`, () => {
    assert.deepEqual(parseObjectUri(uri), expected);
  });
}

const invalid: [string, string][] = [
  ['', 'EMPTY_URI'],
  ['   ', 'EMPTY_URI'],
  ['lake-raw/events', 'MALFORMED_URI'],
  ['gs://bucket/x', 'UNSUPPORTED_SCHEME'],
  ['ftp://host/x', 'UNSUPPORTED_SCHEME'],
  ['https://example.com/x/y', 'UNSUPPORTED_SCHEME'],
  ['s3://', 'MISSING_CONTAINER'],
  ['s3:///prefix', 'MISSING_CONTAINER'],
  ['s3://ab/x', 'INVALID_BUCKET'],
  ['s3://My-Bucket/x', 'INVALID_BUCKET'],
  ['s3://bucket_name/x', 'INVALID_BUCKET'],
  ['s3://-bucket/x', 'INVALID_BUCKET'],
  ['s3://bucket-/x', 'INVALID_BUCKET'],
  ['s3://my..bucket/x', 'INVALID_BUCKET'],
  ['s3://192.168.5.4/x', 'INVALID_BUCKET'],
  ['s3://xn--bucket/x', 'INVALID_BUCKET'],
  ['s3://bucket-s3alias/x', 'INVALID_BUCKET'],
  ['s3://' + 'a'.repeat(64) + '/x', 'INVALID_BUCKET'],
  ['https://acct01.blob.core.windows.net/', 'MISSING_CONTAINER'],
  ['https://acct01.blob.core.windows.net', 'MISSING_CONTAINER'],
  ['az://acct01', 'MISSING_CONTAINER'],
  ['az://acct01/', 'MISSING_CONTAINER'],
  ['abfss://acct01.dfs.core.windows.net/x', 'MISSING_CONTAINER'],
  ['abfss://raw@example.com/x', 'MALFORMED_URI'],
  ['az://acct01/Raw/x', 'INVALID_CONTAINER'],
  ['az://acct01/a--b/x', 'INVALID_CONTAINER'],
  ['az://ACCT/raw/x', 'INVALID_ACCOUNT'],
  ['az://a/raw/x', 'INVALID_ACCOUNT'],
  ['https://acct01.blob.core.windows.net/raw/%E0%A4%A', 'MALFORMED_URI'],
];

for (const [uri, code] of invalid) {
  test(`parseObjectUri(${JSON.stringify(uri)}) fails with ${code}`, () => {
    assert.throws(
      () => parseObjectUri(uri),
      (e: unknown) => {
        assert.ok(e instanceof ObjectUriError);
        assert.equal(e.name, 'ObjectUriError');
        assert.equal(e.code, code);
        assert.ok(e.message.length > 10);
        return true;
      },
    );
  });
}

test('formatLocation renders each scheme', () => {
  assert.equal(formatLocation({ scheme: 's3', container: 'lake', prefix: 'a/b/' }), 's3://lake/a/b/');
  const az: ObjectLocation = {
    scheme: 'azure-blob',
    account: 'acct01',
    container: 'raw',
    prefix: 'my folder/x',
  };
  assert.equal(formatLocation(az), 'https://acct01.blob.core.windows.net/raw/my%20folder/x');
  assert.equal(formatLocation(az, { azure: 'az' }), 'az://acct01/raw/my folder/x');
});

test('formatLocation round-trips through parseObjectUri for any prefix', () => {
  const prefix = fc
    .oneof(
      fc.string({ unit: 'grapheme', maxLength: 30 }),
      fc.constantFrom('./x', 'a/../b', 'x ', 'a//b', '%41+'),
    )
    .map((s) => s.replace(/^\/+/, ''));
  fc.assert(
    fc.property(prefix, fc.constantFrom<'https' | 'az'>('https', 'az'), (p, style) => {
      const az: ObjectLocation = { scheme: 'azure-blob', account: 'acct01', container: 'raw', prefix: p };
      assert.deepEqual(parseObjectUri(formatLocation(az, { azure: 'https' })), az);
      // the parser trims pasted input, so literal s3:// and az:// paths cannot end in whitespace
      if (p !== p.trimEnd()) return;
      const s3: ObjectLocation = { scheme: 's3', container: 'lake-raw', prefix: p };
      assert.deepEqual(parseObjectUri(formatLocation(s3)), s3);
      assert.deepEqual(parseObjectUri(formatLocation(az, { azure: style })), az);
    }),
  );
});
