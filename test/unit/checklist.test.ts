import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  RUNBOOK_CHECKLIST,
  UnknownChecklistItemError,
  checklistProgress,
  createChecklist,
  isItemDone,
  mergeChecklists,
  setItemDone,
  tickFromTriage,
  tickItem,
  untickItem,
  type Checklist,
} from '../../src/domain/checklist.js';

const at = (min: number): Date => new Date(Date.UTC(2026, 10, 26, 2, min));

test('the six items in the runbook words, with stable ids', () => {
  assert.deepEqual(
    createChecklist().items.map((i) => [i.id, i.text, i.done]),
    [
      ['run-ids-logs', '`run_id` y logs exportados', false],
      ['input-vs-baseline', 'Comparación de input-size y #files con baseline', false],
      ['spark-ui-gc-shuffle', 'Revisión Spark UI / GC / shuffle', false],
      ['decision', 'Decisión: scale / compact / repartition / code-fix', false],
      ['backfill-staging', 'Backfill staging ejecutado y checks verificados', false],
      ['postmortem-mcp', 'Post-mortem y actualización del MCP', false],
    ],
  );
  assert.equal(RUNBOOK_CHECKLIST.length, 6);
  assert.throws(
    () =>
      createChecklist([
        { id: 'a', text: 'x' },
        { id: 'a', text: 'y' },
      ]),
    /duplicate/,
  );
});

test('tick and untick record actor and time; ticking twice keeps the first', () => {
  const c0 = createChecklist();
  const c1 = tickItem(c0, 'run-ids-logs', { actor: 'medic', at: at(1), note: '3 run ids' });
  assert.equal(isItemDone(c0, 'run-ids-logs'), false, 'pure: the input is not changed');
  const item = c1.items[0];
  assert.deepEqual(item, {
    id: 'run-ids-logs',
    text: '`run_id` y logs exportados',
    done: true,
    doneBy: 'medic',
    doneAt: at(1),
    note: '3 run ids',
    updatedBy: 'medic',
    updatedAt: at(1),
  });
  const c2 = tickItem(c1, 'run-ids-logs', { actor: 'U1', at: at(5) });
  assert.deepEqual(c2.items[0], item);
  const c3 = untickItem(c2, 'run-ids-logs', { actor: 'U1', at: at(6) });
  assert.deepEqual(c3.items[0], {
    id: 'run-ids-logs',
    text: '`run_id` y logs exportados',
    done: false,
    updatedBy: 'U1',
    updatedAt: at(6),
  });
  assert.deepEqual(untickItem(c0, 'decision', { actor: 'U1', at: at(7) }), c0);
  assert.equal(isItemDone(setItemDone(c0, 'decision', true, { actor: 'U2', at: at(8) }), 'decision'), true);
  assert.deepEqual(checklistProgress(c1), { done: 1, total: 6, complete: false });
  assert.throws(() => tickItem(c0, 'nope', { actor: 'U1', at: at(1) }), UnknownChecklistItemError);
});

test('merge: the later change wins, a tick wins a tie, extras are kept', () => {
  const base = createChecklist();
  const bot = tickItem(base, 'input-vs-baseline', { actor: 'medic', at: at(10) });
  const human = untickItem(
    tickItem(base, 'input-vs-baseline', { actor: 'U1', at: at(5) }),
    'input-vs-baseline',
    {
      actor: 'U1',
      at: at(20),
    },
  );
  assert.equal(isItemDone(mergeChecklists(bot, human), 'input-vs-baseline'), false);
  assert.equal(isItemDone(mergeChecklists(human, bot), 'input-vs-baseline'), false);
  const tie = untickItem(tickItem(base, 'decision', { actor: 'U1', at: at(1) }), 'decision', {
    actor: 'U1',
    at: at(3),
  });
  const tick = tickItem(base, 'decision', { actor: 'U2', at: at(3) });
  assert.equal(isItemDone(mergeChecklists(tie, tick), 'decision'), true);
  const extra: Checklist = {
    items: [...base.items, { id: 'custom', text: 'Avisar a consumidores', done: false }],
  };
  assert.deepEqual(
    mergeChecklists(base, extra).items.map((i) => i.id),
    [...RUNBOOK_CHECKLIST.map((i) => i.id), 'custom'],
  );
});

test('property: merge is commutative on state and idempotent', () => {
  const ids = RUNBOOK_CHECKLIST.map((i) => i.id);
  const arbOps = fc.array(
    fc.record({
      id: fc.constantFrom(...ids),
      done: fc.boolean(),
      actor: fc.constantFrom('medic', 'U1', 'U2'),
      min: fc.integer({ min: 0, max: 30 }),
    }),
    { maxLength: 12 },
  );
  const apply = (ops: { id: string; done: boolean; actor: string; min: number }[]): Checklist =>
    ops.reduce(
      (c, op) => setItemDone(c, op.id, op.done, { actor: op.actor, at: at(op.min) }),
      createChecklist(),
    );
  fc.assert(
    fc.property(arbOps, arbOps, (x, y) => {
      const a = apply(x);
      const b = apply(y);
      assert.deepEqual(mergeChecklists(a, b), mergeChecklists(b, a));
      assert.deepEqual(mergeChecklists(a, a), a);
    }),
  );
});

test('tickFromTriage ticks only what triage proved, as the bot, and never moves a tick', () => {
  const c0 = createChecklist();
  const partial = tickFromTriage(
    c0,
    { runIdsListed: true, logsExported: false, volumeComparedWithBaseline: false },
    at(1),
  );
  assert.deepEqual(partial, c0, 'run ids without logs is not the item');
  const c1 = tickFromTriage(
    c0,
    {
      runIdsListed: true,
      logsExported: true,
      volumeComparedWithBaseline: true,
      notes: { 'run-ids-logs': '3 runs' },
    },
    at(2),
  );
  assert.equal(c1.items[0]?.doneBy, 'medic');
  assert.equal(c1.items[0]?.note, '3 runs');
  assert.equal(isItemDone(c1, 'input-vs-baseline'), true);
  assert.deepEqual(checklistProgress(c1), { done: 2, total: 6, complete: false });
  const byHuman = tickItem(c0, 'input-vs-baseline', { actor: 'U1', at: at(0) });
  const c2 = tickFromTriage(
    byHuman,
    { runIdsListed: false, logsExported: false, volumeComparedWithBaseline: true },
    at(3),
  );
  assert.equal(c2.items[1]?.doneBy, 'U1');
  assert.deepEqual(
    tickFromTriage(c1, { runIdsListed: true, logsExported: true, volumeComparedWithBaseline: true }, at(9)),
    c1,
  );
});
