import { test } from 'node:test';
import assert from 'node:assert/strict';
import { groupRows, sharedCause, TOGETHER_MS, type GroupEntry } from '../../src/domain/alert-group.js';
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

test('a job that recovers stays on the group message, marked healthy; degrading again is still one row', () => {
  const t0 = Date.UTC(2026, 11, 1, 2);
  const a = entry('A', t0);
  const b = entry('B', t0 + 60_000);
  const recovered = new Map([['A', a.at + 10 * 60_000]]);
  const rows = groupRows([a, b], new Map(), recovered);
  assert.deepEqual(
    rows.map((r) => [r.job, r.recoveredAt]),
    [
      ['A', a.at + 10 * 60_000],
      ['B', undefined],
    ],
  );
  const m = renderAlertGroup(rows, 30);
  const json = JSON.stringify(m.blocks);
  assert.match(json, /`A`.*healthy again at/, 'the recovered job is still listed, marked so');
  assert.match(m.text, /^2 jobs degraded/);
  // A later alert of A (degraded again) is the same row, not recovered any more, never twice.
  const again = { ...a, at: a.at + 20 * 60_000 };
  const rows2 = groupRows([a, b, again], new Map(), recovered);
  assert.deepEqual(
    rows2.map((r) => [r.job, r.recoveredAt]),
    [
      ['A', undefined],
      ['B', undefined],
    ],
  );
});

test('the group message is the storm dashboard: queued, triaging, verdict and top cause per row', () => {
  const t0 = Date.UTC(2026, 11, 1, 2);
  const rows = groupRows(
    [entry('A', t0), entry('B', t0), entry('C', t0), entry('D', t0)],
    new Map([
      ['A', { state: 'queued' as const, at: t0 }],
      ['B', { state: 'triaging' as const, at: t0 }],
      [
        'C',
        {
          state: 'done' as const,
          verdict: 'DEGRADED',
          cause: 'Input <growth> (high)',
          reported: true,
          at: t0,
        },
      ],
      ['D', { state: 'failed' as const, cause: 'Glue did not answer', at: t0 }],
    ]),
  );
  const m = renderAlertGroup(rows, 30);
  const row = (job: string) =>
    JSON.stringify(m.blocks.find((b) => (b as { block_id?: string }).block_id === `medic-group-${job}`));
  assert.match(row('A'), /triage queued/);
  assert.match(row('B'), /triaging…/);
  assert.match(row('C'), /triaged: \*DEGRADED\* — Input &lt;growth&gt; \(high\) · full report in the thread/);
  assert.match(row('D'), /triage could not finish: Glue did not answer/);
  assert.match(
    JSON.stringify(m.blocks),
    /1 triaged \(1 DEGRADED\) · 1 could not finish · 1 triaging · 1 queued — 1 full report in the thread/,
  );
});

test('more than 40 jobs: 40 rows, then every other job counted ("and N more"), within Slack\'s limits', () => {
  const t0 = Date.UTC(2026, 11, 1, 2);
  const jobs = Array.from({ length: 400 }, (_, i) =>
    entry(`a-rather-long-job-name-of-the-platform-${i}`, t0),
  );
  const m = renderAlertGroup(groupRows(jobs), 30);
  assert.ok(m.blocks.length <= 50, `${m.blocks.length} blocks`);
  const buttons = m.blocks.filter((b) => (b as { accessory?: unknown }).accessory);
  assert.equal(buttons.length, 40);
  const more = JSON.stringify(m.blocks.find((b) => /…and \d+ more/.test(JSON.stringify(b))));
  assert.match(more, /…and 360 more: .* and \d+ more/);
  const named = (more.match(/a-rather-long-job-name/g) ?? []).length;
  const unnamed = Number(/ and (\d+) more"/.exec(more)?.[1]);
  assert.equal(named + unnamed, 360, 'every job beyond the 40 is named or counted');
  for (const b of m.blocks) {
    const t = (b as { text?: { text: string } }).text?.text ?? '';
    assert.ok(t.length <= 3000, 'a section within 3,000 characters');
  }
  assert.ok(m.text.length <= 3000);
  assert.match(m.text, /^400 jobs degraded within 30 min: .* and \d+ more$/);
});
