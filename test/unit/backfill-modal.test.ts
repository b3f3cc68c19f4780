// The /backfill modal names the table promotion switches: outputTable (or table), never the
// schema-drift table alone (src/slack/views/backfill-modal.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { backfillModal } from '../../src/slack/views/backfill-modal.js';
import { parseConfigText } from '../../src/config/index.js';

const modalText = (job: string) => {
  const cfg = parseConfigText(
    `jobs:\n  J: { input: s3://lake/in/, output: s3://lake/out/, stagingJob: J-staging, ${job} }\n`,
    'dev',
  ).config;
  return JSON.stringify(
    backfillModal({
      ctx: { job: 'J', channel: 'C0OPS', env: 'dev' },
      job: cfg.jobs.J!,
      from: '2026-11-01',
      to: '2026-11-02',
      dryRun: false,
    }),
  );
};

test('schemaTable alone: promotion by copy, no Data Quality check offered', () => {
  const text = modalText('schemaTable: { database: raw, name: events_in }');
  assert.match(text, /promotion by copy/);
  assert.doesNotMatch(text, /raw\.events_in/);
  assert.doesNotMatch(text, /Glue Data Quality/);
});

test('outputTable (or table): promotion switches that table’s partitions, Data Quality offered', () => {
  for (const key of ['outputTable', 'table']) {
    const text = modalText(`${key}: { database: lake, name: events }`);
    assert.match(text, /lake\.events`? \(promotion switches partition locations\)/, key);
    assert.match(text, /Glue Data Quality/, key);
  }
});
