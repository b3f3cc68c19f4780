import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { editDistance, suggestNames } from '../../src/domain/suggest.js';

const JOBS = [
  'MyJob',
  'MyJob-compaction',
  'MyJob-staging',
  'OomJob',
  'SkewJob',
  'DriftJob',
  'HealthyJob',
  'DownstreamJob',
  'orders-daily',
  'orders-hourly',
];

test('editDistance: insertions, deletions, substitutions and adjacent swaps cost one each', () => {
  const cases: [string, string, number][] = [
    ['', '', 0],
    ['', 'abc', 3],
    ['abc', '', 3],
    ['myjob', 'myjob', 0],
    ['myjb', 'myjob', 1], // insertion
    ['myjobb', 'myjob', 1], // deletion
    ['myjab', 'myjob', 1], // substitution
    ['myjbo', 'myjob', 1], // transposition
    ['ymjob', 'myjob', 1],
    ['kitten', 'sitting', 3],
    ['ca', 'abc', 3], // optimal string alignment, not full Damerau (which says 2)
  ];
  for (const [a, b, d] of cases) assert.equal(editDistance(a, b), d, `${a} → ${b}`);
});

test('editDistance is a symmetric distance bounded by the longer length', () => {
  fc.assert(
    fc.property(fc.string({ maxLength: 12 }), fc.string({ maxLength: 12 }), (a, b) => {
      const d = editDistance(a, b);
      assert.equal(d, editDistance(b, a));
      assert.ok(d >= Math.abs(a.length - b.length));
      assert.ok(d <= Math.max(a.length, b.length));
      assert.equal(d === 0, a === b);
    }),
  );
});

test('suggestNames: typos, case and prefixes, best first', () => {
  const cases: [string, string[]][] = [
    ['myjob', ['MyJob', 'MyJob-staging', 'MyJob-compaction']], // case only, then names starting with it
    ['MyJbo', ['MyJob']], // swapped letters
    ['MyJobb', ['MyJob']],
    ['oomjb', ['OomJob']],
    ['HealtyJob', ['HealthyJob']],
    ['skew', ['SkewJob']], // a prefix
    ['orders', ['orders-daily', 'orders-hourly']],
    ['hourly', ['orders-hourly']], // contained in a name
    ['DriftJbo', ['DriftJob']],
  ];
  for (const [wanted, expected] of cases) assert.deepEqual(suggestNames(wanted, JOBS), expected, wanted);
});

test('suggestNames leaves out names too far away', () => {
  assert.deepEqual(suggestNames('BillingExport', JOBS), []);
  assert.deepEqual(suggestNames('zz', JOBS), []);
  assert.deepEqual(suggestNames('   ', JOBS), []);
  assert.deepEqual(suggestNames('MyJob', []), []);
  // One or two letters do not match every name containing them.
  assert.deepEqual(suggestNames('o', JOBS), []);
});

test('suggestNames honours max, ignores duplicates and breaks ties by name', () => {
  assert.deepEqual(suggestNames('job', JOBS, 2).length, 2);
  assert.deepEqual(suggestNames('myjob', JOBS, 1), ['MyJob']);
  assert.deepEqual(suggestNames('myjob', JOBS, 0), []);
  assert.deepEqual(suggestNames('abcd', ['abce', 'abcf', 'abce']), ['abce', 'abcf']);
  // Same score and distance: shorter first, then alphabetical.
  assert.deepEqual(suggestNames('orders', ['orders-b', 'orders-a', 'orders-aa']), [
    'orders-a',
    'orders-b',
    'orders-aa',
  ]);
});

test('suggestNames: every suggestion is a candidate, at most max of them, never for an empty name', () => {
  fc.assert(
    fc.property(
      fc.string({ maxLength: 10 }),
      fc.array(fc.string({ maxLength: 12 }), { maxLength: 30 }),
      fc.integer({ min: 0, max: 5 }),
      (wanted, candidates, max) => {
        const out = suggestNames(wanted, candidates, max);
        assert.ok(out.length <= max);
        assert.equal(new Set(out).size, out.length);
        for (const n of out) assert.ok(candidates.includes(n));
        if (wanted.trim() === '') assert.deepEqual(out, []);
        // A candidate equal to what was typed (ignoring case) comes first.
        const exact = candidates.find((c) => c.toLowerCase() === wanted.trim().toLowerCase());
        if (exact !== undefined && wanted.trim() !== '' && max > 0)
          assert.equal(out[0]!.toLowerCase(), exact.toLowerCase());
      },
    ),
  );
});
