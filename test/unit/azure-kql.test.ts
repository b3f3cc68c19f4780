// The simulator's small KQL interpreter: what it answers, and that it refuses the rest.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KqlError, runKql, type KqlTable } from '../../sim/azure/kql.js';
import { parseTimespan } from '../../sim/azure/log-analytics.js';

const NOW = Date.parse('2024-06-10T12:00:00Z');
const table = (): KqlTable => ({
  columns: [
    { name: 'TimeGenerated', type: 'datetime' },
    { name: 'Name', type: 'string' },
    { name: 'N', type: 'long' },
    { name: 'Props', type: 'dynamic' },
  ],
  rows: [
    { TimeGenerated: NOW - 3 * 86_400_000, Name: 'alpha job', N: 1, Props: { app: 'a1' } },
    { TimeGenerated: NOW - 2 * 86_400_000, Name: 'Beta', N: 5, Props: { app: 'a2' } },
    { TimeGenerated: NOW - 3_600_000, Name: 'gamma "q"', N: 9, Props: { app: 'a1' } },
  ],
});
const run = (q: string, w?: { start: number; end: number }) => runKql(q, { T: table }, NOW, w);

test('where / and / project / order by / take', () => {
  const r = run('T | where N >= 5 and Name != "x" | project Name, N | order by N asc | take 5');
  assert.deepEqual(
    r.columns.map((c) => c.name),
    ['Name', 'N'],
  );
  assert.deepEqual(r.rows, [
    ['Beta', 5],
    ['gamma "q"', 9],
  ]);
  assert.deepEqual(run('T | where Name == "gamma \\"q\\"" | project N').rows, [[9]]);
  assert.deepEqual(run('T | where Name has "job" | project N').rows, [[1]]);
  assert.deepEqual(run('T | where Name =~ "beta" | project N').rows, [[5]]);
  assert.deepEqual(run('T | where Name in ("Beta", "alpha job") | project N | order by N desc').rows, [
    [5],
    [1],
  ]);
  assert.deepEqual(run('T | where Props.app == "a1" | project N').rows, [[1], [9]]);
  assert.deepEqual(run('T | where TimeGenerated > ago(1d) | project N').rows, [[9]]);
  assert.deepEqual(
    run(
      'T | where TimeGenerated between (datetime(2024-06-07T00:00:00Z) .. datetime(2024-06-08T23:00:00Z)) | project N',
    ).rows,
    [[1], [5]],
  );
  assert.equal(run('T | take 1').rows.length, 1);
});

test('datetime cells come out as ISO strings, dynamic as JSON text', () => {
  const r = run('T | where N == 1');
  assert.equal(r.rows[0]![0], new Date(NOW - 3 * 86_400_000).toISOString());
  assert.equal(r.rows[0]![3], '{"app":"a1"}');
});

test('the request timespan limits TimeGenerated', () => {
  assert.deepEqual(run('T | project N', { start: NOW - 86_400_000, end: NOW }).rows, [[9]]);
  assert.deepEqual(parseTimespan('P1D', NOW), { start: NOW - 86_400_000, end: NOW });
  assert.deepEqual(parseTimespan('2024-06-01T00:00:00Z/2024-06-02T00:00:00Z', NOW), {
    start: Date.parse('2024-06-01T00:00:00Z'),
    end: Date.parse('2024-06-02T00:00:00Z'),
  });
  assert.deepEqual(parseTimespan('2024-06-01T00:00:00Z/PT1H', NOW), {
    start: Date.parse('2024-06-01T00:00:00Z'),
    end: Date.parse('2024-06-01T01:00:00Z'),
  });
  assert.equal(parseTimespan('yesterday', NOW), undefined);
});

test('what it does not understand is refused, never guessed', () => {
  const refuses = (q: string, kind: 'SyntaxError' | 'SemanticError') =>
    assert.throws(
      () => run(q),
      (e: unknown) => e instanceof KqlError && e.kind === kind,
      q,
    );
  refuses('T | summarize count() by Name', 'SyntaxError');
  refuses('T | where N > 1 or N < 0', 'SyntaxError');
  refuses('T | where Name matches regex "a"', 'SyntaxError');
  refuses('T | where', 'SyntaxError');
  refuses('Nope | take 1', 'SemanticError');
  refuses('T | where Missing == 1', 'SemanticError');
  refuses('T | project Missing', 'SemanticError');
});
