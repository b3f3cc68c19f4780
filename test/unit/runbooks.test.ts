import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BUILTIN_RUNBOOKS, resolveRunbooks, storedItemId } from '../../src/domain/runbooks.js';
import { RUNBOOK_CHECKLIST } from '../../src/domain/checklist.js';
import { parseConfigText } from '../../src/config/file.js';
import { ConfigError } from '../../src/config/errors.js';
import {
  renderChecklist,
  incidentIdOfBlock,
  runbookOfBlock,
  checklistBlockId,
} from '../../src/slack/blocks/checklist.js';
import { createChecklist } from '../../src/domain/checklist.js';

test('the degradation runbook is the runbook checklist, same ids and Spanish', () => {
  assert.deepEqual(
    BUILTIN_RUNBOOKS.degradation.items.map((i) => [i.id, i.label]),
    RUNBOOK_CHECKLIST.map((i) => [i.id, i.text]),
  );
  assert.equal(BUILTIN_RUNBOOKS.degradation.title, 'Checklist rápida');
  assert.deepEqual(Object.keys(resolveRunbooks()), [
    'degradation',
    'missing-data',
    'schema-drift',
    'failed-backfill',
  ]);
});

test('medic.yml overrides a built-in by position (ids kept) and adds custom runbooks', () => {
  const books = resolveRunbooks({
    'missing-data': { title: 'Datos faltantes', items: [{ label: 'Particiones listadas' }] },
    vendor: { title: 'Vendor', items: [{ label: 'Call the vendor!' }, { id: 'x', label: 'Reload' }] },
  });
  assert.equal(books['missing-data']!.title, 'Datos faltantes');
  assert.deepEqual(
    books['missing-data']!.items.map((i) => i.id),
    ['partitions-listed'],
  );
  assert.equal(books['missing-data']!.items[0]!.evidence, '/missing report');
  assert.deepEqual(
    books.vendor!.items.map((i) => i.id),
    ['call-the-vendor', 'x'],
  );
  assert.equal(storedItemId('vendor', 'x'), 'vendor:x');
  assert.equal(storedItemId('degradation', 'decision'), 'decision');
});

test('the older checklist: list relabels the degradation items and keeps their ids', () => {
  const books = resolveRunbooks({}, ['uno', 'dos']);
  assert.deepEqual(
    books.degradation!.items.map((i) => [i.id, i.label]),
    [
      ['run-ids-logs', 'uno'],
      ['input-vs-baseline', 'dos'],
    ],
  );
});

test('bad runbook definitions are reported by path, all at once', () => {
  const yaml = [
    'runbooks:',
    '  missing-data:',
    '    items: [{ label: a }, { label: b }, { evidence: x }]',
    '  mine:',
    '    items: [{ id: a, label: x }, { id: a, label: y }]',
    '  Bad_Id: { title: t, items: [{ label: l }] }',
  ].join('\n');
  assert.throws(
    () => parseConfigText(yaml, 'dev'),
    (err: unknown) => {
      assert.ok(err instanceof ConfigError);
      assert.ok(err.problems.includes('runbooks.missing-data.items[2].label: required'), err.message);
      assert.ok(err.problems.includes('runbooks.mine.title: required'), err.message);
      assert.ok(err.problems.includes('runbooks.mine.items[1].id: duplicate item id "a"'), err.message);
      assert.ok(
        err.problems.some((p) => p.startsWith('runbooks.Bad_Id')),
        err.message,
      );
      return true;
    },
  );
});

test('the live message: degradation first as before, then each further runbook in its own block', () => {
  const plain = renderChecklist({ incidentId: 'INC-1', checklist: createChecklist() });
  const more = renderChecklist({
    incidentId: 'INC-1',
    checklist: createChecklist(),
    more: [
      {
        runbookId: 'missing-data',
        title: 'Missing data',
        checklist: createChecklist([{ id: 'missing-data:a', text: 'A' }]),
      },
    ],
  });
  assert.deepEqual(more.blocks.slice(0, 2), plain.blocks.slice(0, 2));
  assert.equal(more.blocks[3]!.block_id, checklistBlockId('INC-1', 'missing-data'));
  assert.equal(incidentIdOfBlock('medic-checklist-INC-1~missing-data'), 'INC-1');
  assert.equal(runbookOfBlock('medic-checklist-INC-1~missing-data'), 'missing-data');
  assert.equal(runbookOfBlock('medic-checklist-INC-1'), undefined);
  assert.match(more.text, /0\/6 done · Missing data 0\/1/);
});
