import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sharedCause, TOGETHER_MS, type GroupEntry } from '../../src/domain/alert-group.js';
import { renderAlertGroup } from '../../src/slack/blocks/alert-group.js';

const H = 3_600_000;
const entry = (job: string, since: number): GroupEntry => ({
  job,
  verdict: 'DEGRADED',
  size: '+100% over baseline',
  since,
  at: since + H,
});

test('sharedCause: the largest cluster of starts within an hour, when it is at least two and half the group', () => {
  const t0 = Date.UTC(2026, 11, 1, 2);
  assert.deepEqual(sharedCause([entry('A', t0), entry('B', t0 + 10 * 60_000), entry('C', t0 + 5 * H)]), {
    jobs: ['A', 'B'],
    from: t0,
    to: t0 + 10 * 60_000,
  });
  assert.equal(sharedCause([entry('A', t0), entry('B', t0 + 2 * H), entry('C', t0 + 4 * H)]), undefined);
  assert.equal(sharedCause([entry('A', t0)]), undefined, 'one job is no shared cause');
  assert.equal(sharedCause([entry('A', t0), entry('B', t0 + TOGETHER_MS + 1)]), undefined);
});

test('the group message escapes job names and gives each job its own Triage now', () => {
  const t0 = Date.UTC(2026, 11, 1, 2);
  const m = renderAlertGroup([entry('a<b>&c', t0), entry('*bold*', t0 + 60_000)], 30);
  const texts = JSON.stringify(m.blocks.map((b) => (b as { text?: unknown }).text));
  assert.ok(!texts.includes('a<b>') && texts.includes('a&lt;b&gt;&amp;c'), 'job names escaped');
  const json = JSON.stringify(m.blocks);
  assert.match(json, /Likely a shared cause/);
  const buttons = m.blocks.flatMap((b) =>
    (b as { accessory?: { value: string } }).accessory
      ? [(b as { accessory: { value: string } }).accessory.value]
      : [],
  );
  assert.deepEqual(buttons, ['a<b>&c', '*bold*']);
  assert.match(m.text, /^2 jobs degraded within 30 min/);
});
