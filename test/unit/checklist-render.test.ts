// The live checklist's pure parts: rendering within Block Kit's limits, and what a click changes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  renderChecklist,
  checklistBlockId,
  incidentIdOfBlock,
  tickedInMessage,
  CHECKLIST_ACTION_ID,
} from '../../src/slack/blocks/checklist.js';
import { itemsChangedByClick } from '../../src/slack/actions/checklist-toggle.js';
import {
  createChecklist,
  tickItem,
  untickItem,
  RUNBOOK_CHECKLIST,
  runbookChecklist,
} from '../../src/domain/checklist.js';
import { validateBlocks } from '../support/fake-slack/block-kit-limits.js';

type Checkboxes = {
  type: string;
  action_id: string;
  options: { text: { type: string; text: string }; value: string; description?: { text: string } }[];
  initial_options?: { value: string }[];
};

function checkboxes(blocks: Record<string, unknown>[]): Checkboxes {
  const actions = blocks.find((b) => b.type === 'actions') as { elements: Checkboxes[]; block_id: string };
  return actions.elements[0]!;
}

const at = new Date('2026-11-24T13:05:00Z');

test('the runbook checklist renders as one checkboxes block, in the runbook words, nothing ticked', () => {
  const { blocks, text } = renderChecklist({ incidentId: 'INC-20261124-1', checklist: createChecklist() });
  assert.deepEqual(validateBlocks(blocks, 'message'), []);
  const cb = checkboxes(blocks);
  assert.equal(cb.action_id, CHECKLIST_ACTION_ID);
  assert.deepEqual(
    cb.options.map((o) => o.value),
    RUNBOOK_CHECKLIST.map((i) => i.id),
  );
  assert.equal(cb.options[0]!.text.type, 'mrkdwn');
  assert.equal(cb.options[0]!.text.text, '`run_id` y logs exportados');
  assert.equal(cb.initial_options, undefined);
  assert.match(text, /0\/6/);
});

test('ticked items are initial options with who and when beside them', () => {
  let list = tickItem(createChecklist(), 'run-ids-logs', { actor: 'medic', at, note: '3 run ids' });
  list = tickItem(list, 'decision', { actor: 'U0SRE1', at });
  list = untickItem(tickItem(list, 'backfill-staging', { actor: 'U0SRE2', at }), 'backfill-staging', {
    actor: 'U0SRE2',
    at,
  });
  const { blocks } = renderChecklist({ incidentId: 'INC-1', checklist: list });
  const cb = checkboxes(blocks);
  assert.deepEqual(
    cb.initial_options?.map((o) => o.value),
    ['run-ids-logs', 'decision'],
  );
  const desc = new Map(cb.options.map((o) => [o.value, o.description?.text]));
  assert.equal(desc.get('run-ids-logs'), 'ticked by Pipeline Medic');
  assert.equal(desc.get('decision'), 'ticked by <@U0SRE1>');
  assert.equal(desc.get('backfill-staging'), 'unticked by <@U0SRE2>');
  assert.equal(desc.get('input-vs-baseline'), undefined);
  assert.match(JSON.stringify(blocks), /2\/6/);
  // When, in the reader's zone, and the evidence in lines under the checkboxes.
  const sec = at.getTime() / 1000;
  const lines = JSON.stringify(blocks);
  assert.ok(
    lines.includes(
      `*\`run_id\` y logs exportados* — Pipeline Medic <!date^${sec}^{date_short_pretty} {time}|2026-11-24T13:05:00Z>: 3 run ids`,
    ),
    lines,
  );
  assert.ok(lines.includes(`unticked by <@U0SRE2> <!date^${sec}^`));
});

test('checklist evidence is never cut off mid-word, and the MCP item says what the MCP is', () => {
  const note = Array.from({ length: 40 }, (_, i) => `run jr_${i}abcdef read in full`).join(', ');
  const list = tickItem(createChecklist(), 'run-ids-logs', { actor: 'medic', at, note });
  const { blocks } = renderChecklist({ incidentId: 'INC-1', checklist: list });
  assert.deepEqual(validateBlocks(blocks, 'message'), []);
  const text = JSON.stringify(blocks);
  assert.ok(text.includes(note), 'the whole evidence, not the 75 characters of a checkbox description');
  const long = tickItem(createChecklist(), 'decision', { actor: 'medic', at, note: 'word '.repeat(400) });
  const cut = JSON.stringify(renderChecklist({ incidentId: 'INC-1', checklist: long }).blocks);
  assert.match(cut, /word…/, 'a very long note ends at a word');
  const items = runbookChecklist();
  assert.equal(items.at(-1)!.text, 'Post-mortem y actualización del MCP (RCA: causa, corrección, cambios)');
  assert.ok(items.at(-1)!.text.length <= 75);
  assert.equal(
    runbookChecklist('Confluence › RCA').at(-1)!.text,
    'Post-mortem y actualización del MCP (Confluence › RCA)',
  );
  assert.equal(items[0]!.text, RUNBOOK_CHECKLIST[0]!.text, 'the rest in the runbook words');
});

test('custom items are escaped, cut to 75 characters and at most 10 are shown', () => {
  const items = Array.from({ length: 12 }, (_, i) => ({
    id: `item-${i + 1}`,
    text: `<!channel> & ${'x'.repeat(100)}`,
  }));
  const { blocks } = renderChecklist({ incidentId: 'INC-1', checklist: createChecklist(items) });
  assert.deepEqual(validateBlocks(blocks, 'message'), []);
  const cb = checkboxes(blocks);
  assert.equal(cb.options.length, 10);
  for (const o of cb.options) {
    assert.ok(o.text.text.length <= 75);
    assert.ok(!o.text.text.includes('<!channel>'));
    assert.ok(o.text.text.startsWith('&lt;!channel&gt; &amp; '));
  }
});

test('block ids carry the incident id; the message tells what the clicker saw', () => {
  assert.equal(incidentIdOfBlock(checklistBlockId('INC-20261124-7')), 'INC-20261124-7');
  assert.equal(incidentIdOfBlock('something-else'), undefined);
  assert.equal(incidentIdOfBlock(undefined), undefined);
  const list = tickItem(createChecklist(), 'decision', { actor: 'U0SRE1', at });
  const { blocks } = renderChecklist({ incidentId: 'INC-9', checklist: list });
  assert.deepEqual([...(tickedInMessage({ blocks }, 'INC-9') ?? [])], ['decision']);
  assert.equal(tickedInMessage({ blocks }, 'INC-other'), undefined);
  assert.equal(tickedInMessage(undefined, 'INC-9'), undefined);
});

const ids = RUNBOOK_CHECKLIST.map((i) => i.id);
const set = (...xs: string[]) => new Set(xs);

test('a click applies only the item its user changed', () => {
  // A saw nothing ticked and ticked run-ids-logs; B's tick of decision is already stored.
  assert.deepEqual(itemsChangedByClick(ids, set(), set('run-ids-logs'), set('decision')), {
    tick: ['run-ids-logs'],
    untick: [],
  });
  // An untick is an item the user saw ticked and is now not.
  assert.deepEqual(
    itemsChangedByClick(
      ids,
      set('decision', 'run-ids-logs'),
      set('decision'),
      set('decision', 'run-ids-logs'),
    ),
    {
      tick: [],
      untick: ['run-ids-logs'],
    },
  );
  // A stale message that did not show an item ticked never unticks it.
  assert.deepEqual(
    itemsChangedByClick(ids, set(), set('spark-ui-gc-shuffle'), set('decision', 'run-ids-logs')),
    {
      tick: ['spark-ui-gc-shuffle'],
      untick: [],
    },
  );
  // Ticking what someone else already ticked, or unticking what is already unticked, changes nothing.
  assert.deepEqual(itemsChangedByClick(ids, set(), set('decision'), set('decision')), {
    tick: [],
    untick: [],
  });
  assert.deepEqual(itemsChangedByClick(ids, set('decision'), set(), set()), { tick: [], untick: [] });
  // Unknown values in the payload are ignored.
  assert.deepEqual(itemsChangedByClick(ids, set(), set('not-an-item'), set()), { tick: [], untick: [] });
});
