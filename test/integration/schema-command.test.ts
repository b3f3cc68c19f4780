// /schema (issue 14): the schema-drift report through the signed receiver — the catalog's own
// change (DriftJob's table: a renamed column and a widened decimal), the data's drift the catalog
// has not seen (Parquet footers of the newest partitions, walking back to where it started), the
// migration plan with its backfill window, and bad input.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startSimulator, type Simulator } from '../../sim/index.js';
import { writeParquet } from '../../sim/parquet-writer.js';
import { startTestMedic, type TestMedic } from '../support/medic.js';
import { sendBlockAction, sendSlashCommand } from '../support/slack-requests.js';
import { waitFor } from '../support/wait.js';
import { IncidentStore } from '../../src/store/incidents.js';
import { ChecklistStore } from '../../src/store/checklist-store.js';
import { Timeline } from '../../src/store/timeline.js';

const YAML = `
jobs:
  DriftJob:
    table: { database: lake, name: drift_events }
    consumers: [Reporting]
  EventsJob:
    table: { database: lake, name: events }
    input: s3://lake-curated/events/
    output: s3://lake-curated/events/
    stagingJob: MyJob-staging
    consumers: [Billing]
  NoTableJob: {}
`;

let sim: Simulator;
let t: TestMedic;

before(async () => {
  sim = await startSimulator();
  for (const [k, v] of Object.entries(sim.env())) process.env[k] = v;
  t = await startTestMedic({ yaml: YAML, env: sim.env() });
});

after(async () => {
  await t.stop();
  await sim.stop();
});

async function schema(args: string, channel: string): Promise<string> {
  t.slack.addChannel({ id: channel, name: channel.toLowerCase(), members: ['U0ONCALL'] });
  const res = await sendSlashCommand(t.url, t.secret, { command: '/schema', text: args, channelId: channel });
  assert.equal(res.status, 200);
  const call = await t.slack.waitFor('chat.postMessage', (c) => c.args.channel === channel, 30_000);
  return JSON.stringify(call.args.blocks) + '\n' + String(call.args.text);
}

test("DriftJob: the catalog's change — a rename and a type change, both breaking — with the plan", async () => {
  const report = await schema('DriftJob', 'C0SCHEMA1');
  assert.match(report, /Schema drift in lake\.drift_events: BREAKING/);
  assert.match(report, /customer_id renamed to cust_id/);
  assert.match(report, /amount changed type double → decimal\(18,2\)/);
  assert.match(report, /Readers of customer_id break/);
  assert.match(report, /Consumers affected/);
  assert.match(report, /Reporting/);
  assert.match(report, /\/backfill DriftJob --from \d{4}-\d{2}-\d{2} --to \d{4}-\d{2}-\d{2}/);
});

test('in an incident channel, a breaking change attaches the schema-drift runbook to the incident', async () => {
  const channel = 'C0SCHEMA9';
  t.slack.addChannel({ id: channel, name: 'c0schema9', members: ['U0ONCALL', 'U0MEDICBOT'] });
  const incidents = new IncidentStore(t.medic.state, t.prefix);
  const { incident } = await incidents.openForChannel(channel, {
    title: 'DriftJob failing',
    job: 'DriftJob',
    env: 'dev',
    commander: 'U0ONCALL',
  });
  assert.match(await schema('DriftJob', channel), /BREAKING/);
  const checklists = new ChecklistStore(t.medic.state, t.prefix);
  const rb = await waitFor(
    'schema-drift runbook with its ticks',
    async () => {
      const list = await checklists.getRunbook(incident.id, 'schema-drift');
      return list && list.items.filter((i) => i.done).length >= 1 ? list : undefined;
    },
    30_000,
  );
  assert.deepEqual(
    rb.items.filter((i) => i.done).map((i) => i.id),
    ['schema-drift:versions-compared'],
  );
  const ts = await waitFor('checklist message', async () => (await incidents.get(incident.id))?.checklistTs);
  assert.match(JSON.stringify(t.slack.message(channel, ts)?.blocks), /Runbook: Schema drift/);
  const entries = await new Timeline(t.medic.state, t.prefix).list(incident.id);
  assert.ok(
    entries.some((e) =>
      /^Runbook attached: Schema drift \(\/schema DriftJob found a breaking change/.test(e.text),
    ),
  );
});

test('EventsJob: a column the newest data has and the catalog lacks, found in the Parquet footers', async () => {
  const report = await schema('EventsJob', 'C0SCHEMA2');
  assert.match(report, /Newest data against the catalog/);
  assert.match(report, /event_time \(timestamp\) added, nullable/);
  assert.match(report, /Schema drift in lake\.events: compatible/);
});

test('a partition written with another type for a column: breaking, drift since that day only', async () => {
  const today = new Date(sim.state.now()).toISOString().slice(0, 10);
  const rows = 10;
  const body = writeParquet([
    {
      name: 'event_id',
      type: 'INT64',
      optional: false,
      values: Array.from({ length: rows }, (_, i) => BigInt(i)),
    },
    { name: 'user_id', type: 'BYTE_ARRAY', optional: true, values: Array.from({ length: rows }, () => 'u') },
    {
      name: 'amount',
      type: 'BYTE_ARRAY',
      optional: false,
      values: Array.from({ length: rows }, () => '12.50'),
    },
    {
      name: 'event_type',
      type: 'BYTE_ARRAY',
      optional: false,
      values: Array.from({ length: rows }, () => 'buy'),
    },
    {
      name: 'event_time',
      type: 'TIMESTAMP_MICROS',
      optional: false,
      values: Array.from({ length: rows }, () => BigInt(sim.state.now()) * 1000n),
    },
  ]);
  sim.state.s3.putObject('lake-curated', `events/dt=${today}/part-00000.snappy.parquet`, body);
  const report = await schema('EventsJob', 'C0SCHEMA3');
  assert.match(report, /BREAKING/);
  assert.match(report, /amount changed type bigint → string/);
  assert.match(report, new RegExp(`written this way since \`${today}\``));
  assert.match(report, new RegExp(`/backfill EventsJob --from ${today} --to ${today}`));
  // The plan's window as a button: the backfill modal opens prefilled with it.
  const value = JSON.stringify({ j: 'EventsJob', f: today, t: today });
  assert.ok(report.includes(JSON.stringify(value)), 'the Backfill this window button carries the window');
  assert.match(report, /Backfill this window/);
  const triggerId = t.slack.newTriggerId('U0ONCALL');
  const res = await sendBlockAction(t.url, t.secret, {
    actionId: 'medic.missing.backfill',
    value,
    userId: 'U0ONCALL',
    channelId: 'C0SCHEMA3',
    triggerId,
  });
  assert.equal(res.status, 200);
  const call = await t.slack.waitFor('views.open', (c) => c.args.trigger_id === triggerId, 30_000);
  const view = (typeof call.args.view === 'string' ? JSON.parse(call.args.view) : call.args.view) as {
    callback_id: string;
    blocks: { block_id?: string; element?: { initial_value?: string } }[];
  };
  assert.equal(view.callback_id, 'medic.backfill.submit');
  // The window's two dates, prefilled.
  assert.deepEqual(
    view.blocks.filter((b) => b.element?.initial_value === today).map((b) => b.block_id),
    ['from', 'to'],
  );
});

test('bad input: unknown target and a job without a table answer with the usage; nothing queued wrongly', async () => {
  t.slack.addChannel({ id: 'C0SCHEMA4', name: 'c0schema4', members: ['U0ONCALL'] });
  const unknown = await sendSlashCommand(t.url, t.secret, {
    command: '/schema',
    text: 'NoSuchThing',
    channelId: 'C0SCHEMA4',
  });
  assert.match(unknown.text, /neither a job of medic\.yml nor database\.table/);
  const badDate = await sendSlashCommand(t.url, t.secret, {
    command: '/schema',
    text: 'DriftJob --since yesterday',
    channelId: 'C0SCHEMA4',
  });
  assert.match(badDate.text, /Usage/);
  const noTable = await schema('NoTableJob', 'C0SCHEMA4');
  assert.match(noTable, /has no table: set jobs\.NoTableJob\.schemaTable \(or table\)/);
});
