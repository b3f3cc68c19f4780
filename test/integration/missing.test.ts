// /missing end to end on the simulator: signed command → receiver → queue → worker listing the
// job's output with the official S3 client, reading Parquet footers by ranged GETs, reading the
// job's runs, bookmark and upstream from Glue → the report in the channel, the missing-data runbook
// on the incident → "Backfill these dates" opens the backfill modal with the missing window.
// Bad input: an unpartitioned location, a window over 366 days, a URI with a SAS token.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startSimulator, emptyScenarios, type Simulator } from '../../sim/index.js';
import { writeParquet } from '../../sim/parquet-writer.js';
import { eventColumns } from '../../sim/lake-store.js';
import { startTestMedic, type TestMedic } from '../support/medic.js';
import { sendBlockAction, sendSlashCommand } from '../support/slack-requests.js';
import type { FakeMessage } from '../support/fake-slack/types.js';
import { IncidentStore } from '../../src/store/incidents.js';
import { Timeline } from '../../src/store/timeline.js';
import { ChecklistStore } from '../../src/store/checklist-store.js';
import { waitFor } from '../support/wait.js';
import type { MonitorOutcome } from '../../jobs/monitor.js';

const DAY = 86_400_000;
const YAML = `
slack:
  approvers: [U0APPROVER]
jobs:
  DailyJob:
    input: s3://lake-raw/daily-in/
    output: s3://lake-curated/daily/
    stagingJob: DailyJob-staging
    partitioning: dt=YYYY-MM-DD
    upstream: RawIngest
  FlatJob:
    output: s3://lake-curated/flat/
  HourlyJob:
    output: s3://lake-curated/hourly/
    partitioning: dt=YYYY-MM-DD/hour=HH
    freshnessHours: 2
  FreshJob:
    output: s3://lake-curated/fresh/
    freshnessHours: 30
monitor:
  channel: C0FRESH
  jobs: []
`;

let sim: Simulator;
let t: TestMedic;
const today = Date.parse(`${new Date().toISOString().slice(0, 10)}T00:00:00Z`);
/** The bot's clock, pinned at noon of `today`: the window and the ages never move under the test. */
const NOON = today + 12 * 3_600_000;
const day = (ago: number) => new Date(today - ago * DAY).toISOString().slice(0, 10);
/** The window: the 10 days up to yesterday; two absent (7 and 4 days ago) and one empty (5 days ago). */
const FROM = day(10);
const TO = day(1);
const ABSENT = [day(7), day(4)];
const EMPTY = day(5);
const failedRuns: Record<string, string> = {};

before(async () => {
  sim = await startSimulator({ scenarios: emptyScenarios() });
  for (const [k, v] of Object.entries(sim.env())) process.env[k] = v;
  const s = sim.state;
  s.glue.addJob({
    Name: 'DailyJob',
    WorkerType: 'G.1X',
    NumberOfWorkers: 4,
    DefaultArguments: { '--job-bookmark-option': 'job-bookmark-enable' },
  });
  s.glue.addJob({ Name: 'RawIngest', WorkerType: 'G.1X', NumberOfWorkers: 2 });
  s.glue.addRun({
    JobName: 'RawIngest',
    startedAt: today - DAY + 3_600_000,
    durationSec: 120,
    outcome: 'FAILED',
    errorMessage: 'vendor SFTP unreachable',
    Id: 'jr_rawingest_latest',
  });
  for (let ago = 10; ago >= 1; ago--) {
    const dt = day(ago);
    const absent = ABSENT.includes(dt);
    const run = s.glue.addRun({
      JobName: 'DailyJob',
      startedAt: today - (ago - 1) * DAY + 2 * 3_600_000,
      durationSec: 300,
      outcome: absent ? 'FAILED' : 'SUCCEEDED',
      ...(absent ? { errorMessage: `Input path s3://lake-raw/daily-in/dt=${dt}/ does not exist` } : {}),
      Arguments: { '--dt': dt },
      Id: `jr_daily_${dt.replace(/-/g, '')}`,
    });
    if (absent) {
      failedRuns[dt] = run.Id;
      continue;
    }
    const rows = dt === EMPTY ? 0 : 400 + ago;
    const files = dt === EMPTY ? 1 : 2;
    for (let f = 0; f < files; f++) {
      const body = writeParquet(eventColumns(dt, f, rows, { nullEvery: 20, dropColumn: undefined }));
      s.s3.putObject('lake-curated', `daily/dt=${dt}/part-${f}.snappy.parquet`, body);
    }
    s.s3.putObject('lake-curated', `daily/dt=${dt}/_SUCCESS`, '');
  }
  // FreshJob: partitions up to 3 days ago, so the one of 2 days ago is late (limit 30 h).
  s.glue.addJob({ Name: 'FreshJob', WorkerType: 'G.1X', NumberOfWorkers: 2 });
  for (let ago = 12; ago >= 1; ago--)
    s.glue.addRun({ JobName: 'FreshJob', startedAt: today - ago * DAY, durationSec: 600 });
  for (let ago = 10; ago >= 3; ago--) putFresh(day(ago));
  // HourlyJob: every hour of yesterday but 05, today's hours up to 08 (the bot's clock is noon).
  s.glue.addJob({ Name: 'HourlyJob' });
  for (const [ago, hours] of [
    [1, 24],
    [0, 9],
  ] as const)
    for (let h = 0; h < hours; h++) {
      if (ago === 1 && h === 5) continue;
      const hh = String(h).padStart(2, '0');
      s.s3.putObject('lake-curated', `hourly/dt=${day(ago)}/hour=${hh}/part-0.json`, 'x'.repeat(2000));
    }
  // A job missing from medic.yml: its location comes from its own --output_path.
  s.glue.addJob({ Name: 'AdHocJob', DefaultArguments: { '--output_path': 's3://lake-curated/daily/' } });
  // A location without date partitions.
  for (let i = 0; i < 3; i++) s.s3.putObject('lake-curated', `flat/part-${i}.parquet`, 'x'.repeat(100));
  t = await startTestMedic({ env: sim.env(), yaml: YAML, start: { jobDeps: { now: () => NOON } } });
});

after(async () => {
  await t.stop();
  await sim.stop();
});

function putFresh(dt: string): void {
  const body = writeParquet(eventColumns(dt, 0, 300, { nullEvery: 20, dropColumn: undefined }));
  sim.state.s3.putObject('lake-curated', `fresh/dt=${dt}/part-0.snappy.parquet`, body);
}

/** One monitor evaluation, enqueued as its scheduler does; the outcome once it finished. */
async function runMonitor(job: string): Promise<MonitorOutcome> {
  const queue = t.medic.producers.queue('monitor');
  const added = await queue.add('monitor', { job });
  const state = await waitFor(
    `the evaluation of ${job}`,
    async () => {
      const s = await added.getState();
      return s === 'completed' || s === 'failed' ? s : undefined;
    },
    30_000,
  );
  const done = await queue.getJob(added.id!);
  assert.equal(state, 'completed', done?.failedReason);
  return done!.returnvalue as MonitorOutcome;
}

const text = (m: FakeMessage | undefined) =>
  m ? JSON.stringify(m.blocks ?? []) + '\n' + (m.text ?? '') : '';

async function missing(channel: string, args: string) {
  t.slack.addChannel({ id: channel, name: channel.toLowerCase(), members: ['U0ONCALL', 'U0MEDICBOT'] });
  const res = await sendSlashCommand(t.url, t.secret, {
    command: '/missing',
    text: args,
    channelId: channel,
  });
  assert.equal(res.status, 200);
  return res.body as { text: string };
}

test('two missing and one empty partition: /missing names exactly those dates and the failed runs; Backfill these dates opens the modal with that window', async () => {
  const channel = 'C0MISS1';
  t.slack.addChannel({ id: channel, name: 'c0miss1', members: ['U0ONCALL', 'U0MEDICBOT'] });
  const incidents = new IncidentStore(t.medic.state, t.prefix);
  const { incident } = await incidents.openForChannel(channel, {
    title: 'DailyJob data missing',
    job: 'DailyJob',
    env: 'dev',
    commander: 'U0ONCALL',
  });
  const ack = await missing(channel, `DailyJob --from ${FROM} --to ${TO}`);
  assert.match(ack.text, /Looking for missing partitions/);
  const report = await waitFor(
    'missing-data report',
    () => t.slack.topLevel(channel).find((m) => /Missing data/.test(text(m))),
    60_000,
  );
  const body = text(report);
  // Exactly the three problem dates, in order, each as a bold date line.
  const dates = [...body.matchAll(/• \*(\d{4}-\d{2}-\d{2})\*/g)].map((m) => m[1]);
  assert.deepEqual(dates, [ABSENT[0], EMPTY, ABSENT[1]]);
  assert.match(body, /2 partitions absent, 1 empty, 0 much smaller/);
  assert.match(body, new RegExp(`dt=${EMPTY}\` empty \\(0 rows in 1 Parquet file\\(s\\)\\)`));
  for (const dt of ABSENT) {
    assert.match(body, new RegExp(`dt=${dt}\` absent`));
    assert.ok(body.includes(failedRuns[dt]!), `failed run of ${dt} named`);
  }
  // Only the failed runs behind the absent dates are named; the empty date's run succeeded.
  assert.equal([...body.matchAll(/jr_daily_\d{8}` FAILED/g)].length, 2);
  assert.match(body, new RegExp(`jr_daily_${EMPTY.replace(/-/g, '')}\` SUCCEEDED`));
  assert.match(body, /\*Bookmark\*: enabled/);
  assert.match(body, /\*Upstream\* `RawIngest`: latest run `jr_rawingest_latest` FAILED/);
  // Footers were read by ranged GETs only.
  const gets = sim.requests({ service: 's3', operation: 'GetObject' });
  assert.ok(gets.length > 0 && gets.every((r) => typeof r.params.range === 'string'));

  // The missing-data runbook joined the incident's checklist, with what the report proved.
  const checklists = new ChecklistStore(t.medic.state, t.prefix);
  const rb = await waitFor('missing-data runbook with its ticks', async () => {
    const list = await checklists.getRunbook(incident.id, 'missing-data');
    return list && list.items.filter((i) => i.done).length >= 3 ? list : undefined;
  });
  assert.deepEqual(
    rb.items.filter((i) => i.done).map((i) => i.id),
    ['missing-data:partitions-listed', 'missing-data:runs-checked', 'missing-data:upstream-checked'],
  );
  const entries = await new Timeline(t.medic.state, t.prefix).list(incident.id);
  assert.ok(entries.some((e) => e.text.startsWith('Runbook attached: Missing data')));
  assert.ok(entries.some((e) => /^\/missing DailyJob: 2 absent, 1 empty/.test(e.text)));
  const inc = await waitFor('checklist message', async () => (await incidents.get(incident.id))?.checklistTs);
  assert.match(text(t.slack.message(channel, inc)), /Runbook: Missing data/);

  // Backfill these dates → the backfill modal, prefilled with the missing window.
  const blocks = report.blocks as { type: string; elements?: { action_id: string; value?: string }[] }[];
  const buttons = blocks.flatMap((b) => b.elements ?? []);
  const backfill = buttons.find((e) => e.action_id === 'medic.missing.backfill');
  assert.ok(backfill, 'Backfill these dates button');
  assert.ok(
    buttons.some((e) => e.action_id === 'medic.mitigation.request.scale' && /RawIngest/.test(e.value ?? '')),
  );
  const opened = t.slack.callsTo('views.open').length;
  const res = await sendBlockAction(t.url, t.secret, {
    actionId: 'medic.missing.backfill',
    value: backfill.value!,
    userId: 'U0ONCALL',
    channelId: channel,
    messageTs: report.ts,
    triggerId: t.slack.newTriggerId('U0ONCALL'),
  });
  assert.equal(res.status, 200);
  const call = await waitFor('views.open', () => t.slack.callsTo('views.open')[opened], 30_000);
  const view = (typeof call.args.view === 'string' ? JSON.parse(call.args.view) : call.args.view) as {
    callback_id: string;
    private_metadata: string;
    blocks: { block_id?: string; element?: { initial_value?: string } }[];
  };
  assert.equal(view.callback_id, 'medic.backfill.submit');
  const initial = (id: string) => view.blocks.find((b) => b.block_id === id)?.element?.initial_value;
  assert.equal(initial('from'), ABSENT[0]);
  assert.equal(initial('to'), ABSENT[1]);
  assert.match(view.private_metadata, /DailyJob/);
  assert.match(view.private_metadata, new RegExp(incident.id));

  // Rerun upstream → the mitigation form for the upstream job (a rerun with its own workers),
  // whose submission goes through the usual approval.
  const rerun = buttons.find((e) => e.action_id === 'medic.mitigation.request.scale')!;
  const opened2 = t.slack.callsTo('views.open').length;
  await sendBlockAction(t.url, t.secret, {
    actionId: rerun.action_id,
    value: rerun.value!,
    userId: 'U0ONCALL',
    channelId: channel,
    messageTs: report.ts,
    triggerId: t.slack.newTriggerId('U0ONCALL'),
  });
  const call2 = await waitFor('mitigation views.open', () => t.slack.callsTo('views.open')[opened2], 30_000);
  const view2 = JSON.stringify(call2.args.view);
  assert.match(view2, /medic\.mitigation\.submit/);
  assert.match(view2, /RawIngest/);
  assert.match(view2, /Rerun once with these workers/);
});

test('an unpartitioned location says how to set partitioning', async () => {
  await missing('C0MISS2', 'FlatJob');
  const m = await waitFor('report', () => t.slack.topLevel('C0MISS2')[0], 60_000);
  assert.match(text(m), /no date partitions/);
  assert.match(text(m), /set `jobs\.FlatJob\.partitioning` in medic\.yml: `dt=YYYY-MM-DD` \(daily\)/);
});

test('a window over 366 days is refused', async () => {
  const ack = await missing('C0MISS3', `DailyJob --from 2024-01-01 --to 2025-01-02`);
  assert.match(ack.text, /the window is 368 days; at most 366 at once/);
  assert.equal(t.slack.topLevel('C0MISS3').length, 0);
});

test('a URI with a SAS token is refused as /smallfiles refuses it', async () => {
  const ack = await missing(
    'C0MISS4',
    'https://acct.blob.core.windows.net/c/daily/?sv=2022-11-02&sig=SECRETSIGNATURE',
  );
  assert.match(ack.text, /without a query string \(a SAS token is a credential/);
  assert.ok(!ack.text.includes('SECRETSIGNATURE'));
});

test('a late partition raises one freshness alert and one arrival note; Investigate runs /missing', async () => {
  t.slack.addChannel({ id: 'C0FRESH', name: 'data-alerts', members: ['U0ONCALL', 'U0MEDICBOT'] });
  // The alerts' channel is an incident's: they land on its timeline too.
  const { incident } = await new IncidentStore(t.medic.state, t.prefix).openForChannel('C0FRESH', {
    title: 'FreshJob late',
    job: 'FreshJob',
    env: 'dev',
    commander: 'U0ONCALL',
  });
  const late = `dt=${day(2)}`;
  const first = await runMonitor('FreshJob');
  assert.deepEqual(first.posted, ['freshness-alert']);
  const alerts = () =>
    t.slack.topLevel('C0FRESH').filter((m) => /^Missing data: FreshJob/.test(m.text ?? ''));
  const notes = () => t.slack.topLevel('C0FRESH').filter((m) => /^Arrived: FreshJob/.test(m.text ?? ''));
  assert.equal(alerts().length, 1);
  const alert = alerts()[0]!;
  assert.match(
    text(alert),
    new RegExp(
      `\`${late}\` is late; the newest, \`dt=${day(3)}\`, is \\d+\\.\\d h old \\(limit \`freshnessHours: 30\`\\)`,
    ),
  );
  // The same late partition on the next tick: nothing new.
  assert.deepEqual((await runMonitor('FreshJob')).posted, []);
  assert.equal(alerts().length, 1);

  // Investigate runs /missing for the job in the alert's channel.
  const investigate = (alert.blocks as { elements?: { action_id: string; value?: string }[] }[])
    .flatMap((b) => b.elements ?? [])
    .find((e) => e.action_id === 'medic.missing.investigate');
  assert.equal(investigate?.value, 'FreshJob');
  await sendBlockAction(t.url, t.secret, {
    actionId: 'medic.missing.investigate',
    value: 'FreshJob',
    userId: 'U0ONCALL',
    channelId: 'C0FRESH',
    messageTs: alert.ts,
  });
  const report = await waitFor(
    'the report Investigate asked for',
    () => t.slack.topLevel('C0FRESH').find((m) => /^Missing data of FreshJob/.test(m.text ?? '')),
    60_000,
  );
  assert.match(text(report), /\*Late\*: newest partition `dt=/);

  // The partitions arrive: one note, then silence.
  putFresh(day(2));
  putFresh(day(1));
  assert.deepEqual((await runMonitor('FreshJob')).posted, ['freshness-arrived']);
  assert.equal(notes().length, 1);
  assert.match(text(notes()[0]), new RegExp(`\`${late}\` has arrived; newest now \`dt=${day(1)}\``));
  assert.deepEqual((await runMonitor('FreshJob')).posted, []);
  assert.equal(alerts().length, 1);
  assert.equal(notes().length, 1);
  const entries = (await new Timeline(t.medic.state, t.prefix).list(incident.id)).map((e) => e.text);
  assert.equal(
    entries.filter((e) => e.startsWith(`Freshness: FreshJob partition ${late}/ is late`)).length,
    1,
  );
  assert.equal(entries.filter((e) => e.startsWith('Freshness: FreshJob partition arrived')).length, 1);
});

test('a job missing from medic.yml is read at its own --output_path; an unknown job says so', async () => {
  await missing('C0MISS5', `AdHocJob --from ${FROM} --to ${TO}`);
  const m = await waitFor('report', () => t.slack.topLevel('C0MISS5')[0], 60_000);
  assert.match(text(m), /`s3:\/\/lake-curated\/daily\/`/);
  assert.match(text(m), /2 partitions absent, 1 empty/);
  assert.match(text(m), /\(inferred from the listing/);
  assert.doesNotMatch(
    text(m),
    /medic\.missing\.backfill/,
    'no backfill without input, output and stagingJob',
  );
  await missing('C0MISS6', 'NoSuchJob');
  const u = await waitFor('unknown job', () => t.slack.topLevel('C0MISS6')[0], 60_000);
  assert.match(text(u), /NoSuchJob/);
  assert.match(text(u), /not found|NOT_FOUND|No job|not exist/i);
});

test('hourly partitions: the absent hours by date, and the overdue hour', async () => {
  await missing('C0MISS7', `HourlyJob --from ${day(1)} --to ${day(0)}`);
  const m = await waitFor('report', () => t.slack.topLevel('C0MISS7')[0], 60_000);
  const body = text(m);
  assert.match(body, /4 partitions absent, 0 empty, 0 much smaller than their neighbours, of 36 expected/);
  assert.deepEqual(
    [...body.matchAll(/• \*(\d{4}-\d{2}-\d{2})\*/g)].map((x) => x[1]),
    [day(1), day(0)],
  );
  assert.ok(body.includes(`\`dt=${day(1)}/hour=05\` absent`));
  for (const h of ['09', '10', '11']) assert.ok(body.includes(`\`dt=${day(0)}/hour=${h}\` absent`), h);
  assert.match(
    body,
    new RegExp(
      `\\*Late\\*: newest partition \`dt=${day(0)}/hour=08\` is 3\\.0 h old \\(limit 2 h\\); \`dt=${day(0)}/hour=09\` is overdue`,
    ),
  );
});
