// Packing a storm's ready reports into one thread reply (src/slack/storm-thread.ts): whole reports
// only, oldest first, within Slack's 50 blocks (a divider between two) and 40,000 characters of
// text; block ids stay unique within the reply.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  batchMessage,
  MESSAGE_TEXT_LIMIT,
  packEntries,
  type ThreadEntry,
} from '../../src/slack/storm-thread.js';

const entry = (key: string, at: number, blocks: number, text = key): ThreadEntry => ({
  key,
  at,
  text,
  blocks: Array.from({ length: blocks }, (_, i) => ({
    type: 'section',
    ...(i === blocks - 1 ? { block_id: 'medic-mitigations' } : {}),
  })),
});

test('reports ready together share a reply while 50 blocks allow, oldest first', () => {
  const ready = [entry('c', 3, 14), entry('a', 1, 14), entry('b', 2, 14), entry('d', 4, 14)];
  const first = packEntries(ready);
  // 14 + 1 + 14 + 1 + 14 = 44; a fourth would make 59.
  assert.deepEqual(
    first.map((e) => e.key),
    ['a', 'b', 'c'],
  );
  const m = batchMessage(first);
  assert.equal(m.blocks.length, 44);
  assert.equal(m.blocks.filter((b) => b.type === 'divider').length, 2);
  const ids = m.blocks.flatMap((b) => (typeof b.block_id === 'string' ? [b.block_id] : []));
  assert.deepEqual(ids, ['medic-mitigations', 'medic-mitigations~1', 'medic-mitigations~2']);
  assert.equal(m.text, 'a\nb\nc');
  // Exactly 50 fits: 24 + 1 + 25.
  assert.equal(packEntries([entry('x', 1, 24), entry('y', 2, 25)]).length, 2);
  assert.equal(packEntries([entry('x', 1, 24), entry('y', 2, 26)]).length, 1);
});

test('the text limit holds too, and one report alone always goes', () => {
  const long = 'x'.repeat(25_000);
  const packed = packEntries([entry('a', 1, 3, long), entry('b', 2, 3, long)]);
  assert.deepEqual(
    packed.map((e) => e.key),
    ['a'],
  );
  assert.equal(packEntries([entry('big', 1, 50)]).length, 1);
  assert.ok(
    batchMessage([entry('a', 1, 1, 'y'.repeat(MESSAGE_TEXT_LIMIT + 5))]).text.length <= MESSAGE_TEXT_LIMIT,
  );
  assert.deepEqual(packEntries([]), []);
});
