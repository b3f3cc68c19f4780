// Cost controls end to end: signed slash commands, button clicks and modal submissions → the real
// Bolt receiver → BullMQ on the real Redis → the cost, triage, monitor and mitigation workers → the
// official Glue SDK client against the simulator → messages in the fake Slack.
//
// Time: the simulator starts on a fixed mid-month instant and the bot's clock is the simulator's
// (start.jobDeps.now), so month-to-date and forecast figures do not depend on the day the suite
// runs. Expected amounts are computed here from the simulator's own runs (workers × DPU per worker
// × max(ExecutionTime, 60 s) × the standard rate), not with the bot's code.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  DPU_PER_WORKER,
  SCENARIO_TAGS,
  SIM_ACCOUNT,
  UNTAGGED_JOB,
  runSnapshot,
  startSimulator,
  type GlueRun,
  type Simulator,
} from '../../sim/index.js';
import { startTestMedic, testConfig, type TestMedic } from '../support/medic.js';
import { dropPrefix, testPrefix } from '../support/services.js';
import { startMedic } from '../../src/bootstrap.js';
import { createLogger } from '../../src/logger.js';
import { BUDGET_SCHEDULER_ID } from '../../jobs/cost-budgets.js';
import { sendBlockAction, sendSlashCommand, sendViewSubmission } from '../support/slack-requests.js';
import type { FakeMessage } from '../support/fake-slack/types.js';
import { encodeRequestValue } from '../../src/slack/blocks/approval-request.js';
import type { BudgetCheckOutcome } from '../../jobs/cost-budgets.js';
import type { CostReportOutcome } from '../../jobs/cost.js';
import type { MonitorOutcome } from '../../jobs/monitor.js';

const START = Date.UTC(2026, 10, 15, 12, 0, 0); // 2026-11-15 12:00 UTC
const MONTH_START = Date.UTC(2026, 10, 1);
const DAY = 86_400_000;
const RATE = 0.44;
const ALERTS = 'C0COSTALERTS';
const YAML = `
monitor:
  channel: ${ALERTS}
  jobs: []
costControls:
  requiredTags: [cost-center, owner]
  budgets:
    - { job: MyJob, monthlyUsd: 40 }
    - { job: HealthyJob, monthlyUsd: 1 }
    - { tag: cost-center=growth, monthlyUsd: 100000 }
jobs:
  MyJob: { input: s3://lake-raw/events/, compactionJob: MyJob-compaction }
  HealthyJob: {}
  ${UNTAGGED_JOB}: {}
`;

let sim: Simulator;
let t: TestMedic;

before(async () => {
  sim = await startSimulator({ start: START });
  for (const [k, v] of Object.entries(sim.env())) process.env[k] = v;
  t = await startTestMedic({
    yaml: YAML,
    env: sim.env(),
    start: { jobDeps: { now: () => sim.state.now() } },
  });
  t.slack.addChannel({ id: ALERTS, name: 'cost-alerts', members: ['U0ONCALL'] });
});

after(async () => {
  await t.stop();
  await sim.stop();
});

const json = (m: FakeMessage | undefined): string => JSON.stringify(m?.blocks ?? []) + '\n' + (m?.text ?? '');

async function waitUntil<T>(
  get: () => T | undefined | false | Promise<T | undefined | false>,
  what: string,
  ms = 30_000,
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await get();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A run's cost as Glue bills it: workers × DPU per worker × max(ExecutionTime, 60 s) at $0.44/DPU-h. */
function simRunCost(r: GlueRun): number {
  const snap = runSnapshot(r, sim.state.now());
  const dpu = (DPU_PER_WORKER[r.WorkerType!] ?? NaN) * r.NumberOfWorkers!;
  return (dpu * Math.max(snap.executionTimeSec, 60) * RATE) / 3600;
}

/** Completed runs of a job started at or after `from`. */
function simRuns(job: string, from: number): GlueRun[] {
  const now = sim.state.now();
  return sim.state.glue
    .runsOf(job)
    .filter(
      (r) => r.startedAt >= from && r.startedAt <= now && runSnapshot(r, now).completedAt !== undefined,
    );
}

const cents = (usd: number) => `$${usd.toFixed(2).replace(/\B(?=(\d{3})+(?!\d))/g, ',')}`;

function ephemeralText(body: unknown): string {
  return (body as { text?: string }).text ?? '';
}

/** /cost in a channel; waits for the finished job and returns its outcome and final message. */
async function cost(
  text: string,
  channel: string,
): Promise<{ outcome: CostReportOutcome; message: FakeMessage }> {
  t.slack.addChannel({ id: channel, name: channel.toLowerCase(), members: ['U0ONCALL'] });
  const queue = t.medic.producers.queue('cost');
  const before = new Set(
    (await queue.getJobs(['completed', 'failed', 'active', 'waiting'])).map((j) => j.id),
  );
  const res = await sendSlashCommand(t.url, t.secret, { command: '/cost', text, channelId: channel });
  assert.equal(res.status, 200);
  assert.match(ephemeralText(res.body), /queued/);
  const job = await waitUntil(async () => {
    const jobs = await queue.getJobs(['completed', 'failed']);
    return jobs.find((j) => !before.has(j.id) && j.data.kind === 'report');
  }, `the /cost ${text} job`);
  assert.equal(await job.getState(), 'completed', job.failedReason);
  const outcome = job.returnvalue as CostReportOutcome;
  const message = t.slack.message(channel, outcome.reportTs)!;
  return { outcome, message };
}

/** One run of a queue's processor, as a scheduler would enqueue it. */
async function tick<T>(queueName: 'monitor' | 'cost', data: Record<string, unknown>): Promise<T> {
  const queue = t.medic.producers.queue(queueName);
  const added = await queue.add(queueName, data as never);
  const state = await waitUntil(
    async () => {
      const s = await added.getState();
      return s === 'completed' || s === 'failed' ? s : undefined;
    },
    `${queueName} ${JSON.stringify(data)}`,
  );
  const done = await queue.getJob(added.id!);
  assert.equal(state, 'completed', done?.failedReason);
  return done!.returnvalue as T;
}

// ---------------------------------------------------------------------------------------------

test('/cost MyJob: the total is the sum of its runs’ costs to the cent; the chart goes in the thread', async () => {
  const { outcome, message } = await cost('MyJob', 'C0COSTJOB');
  // The window: the last 30 UTC days, today included.
  const from = Math.floor(START / DAY) * DAY - 29 * DAY;
  const runs = simRuns('MyJob', from);
  const expected = runs.reduce((s, r) => s + simRunCost(r), 0);
  assert.ok(runs.length >= 20, `${runs.length} runs in the window`);
  assert.equal(outcome.runs, runs.length);
  assert.ok(Math.abs(outcome.totalUsd! - expected) < 0.005, `${outcome.totalUsd} ≠ ${expected}`);
  const text = json(message);
  assert.ok(text.includes(`*${cents(expected)}* over ${runs.length} runs`), text);
  assert.match(text, /DPU-h/);
  // Degraded runs: the last 3 of MyJob took 80% longer than the baseline.
  assert.match(text, /Extra cost of degraded runs\*\\n\$[\d.,]+ over 3 runs/);
  assert.match(text, /Budget \$40\.00/);
  for (const [k, v] of Object.entries(SCENARIO_TAGS.MyJob!))
    assert.ok(text.includes(`${k}=${v}`), `tag ${k}`);
  const chart = await waitUntil(
    () =>
      [...t.slack.files.values()].find(
        (f) => f.name === 'MyJob-cost-per-day.png' && f.shares.some((s) => s.threadTs === outcome.reportTs),
      ),
    'the chart in the report thread',
  );
  assert.equal(chart.bytes?.subarray(1, 4).toString(), 'PNG');
});

test('/cost cost-center=growth: every tagged job, the top jobs, the total to the cent', async () => {
  const { outcome, message } = await cost('cost-center=growth --days 7', 'C0COSTTAG');
  const from = Math.floor(START / DAY) * DAY - 6 * DAY;
  const tagged = Object.entries(SCENARIO_TAGS)
    .filter(([name, tags]) => tags['cost-center'] === 'growth' && sim.state.glue.jobs.has(name))
    .map(([name]) => name);
  const expected = tagged.flatMap((j) => simRuns(j, from)).reduce((s, r) => s + simRunCost(r), 0);
  assert.ok(Math.abs(outcome.totalUsd! - expected) < 0.005, `${outcome.totalUsd} ≠ ${expected}`);
  const text = json(message);
  assert.match(text, /Top jobs/);
  assert.ok(text.indexOf('`MyJob`') < text.indexOf('`HealthyJob`'), 'MyJob costs most');
  assert.ok(
    text.includes(`${tagged.length} jobs* tagged`) || text.includes(`${tagged.length} jobs tagged`),
    text,
  );
});

test('bad input: --days 0 and --days 4000 refused at once, nothing enqueued; unknown job and tag get suggestions', async () => {
  const channel = 'C0COSTBAD';
  t.slack.addChannel({ id: channel, name: 'cost-bad', members: ['U0ONCALL'] });
  const queue = t.medic.producers.queue('cost');
  const count = async () => Object.values(await queue.getJobCounts()).reduce((a, b) => a + b, 0);
  const jobsBefore = await count();
  for (const [text, problem] of [
    ['MyJob --days 0', /--days must be at least 1, got 0/],
    ['MyJob --days 4000', /--days must be at most 366, got 4000/],
    ['=growth', /has no tag key/],
    ['', /missing &lt;subject&gt;/],
  ] as const) {
    const res = await sendSlashCommand(t.url, t.secret, { command: '/cost', text, channelId: channel });
    assert.equal(res.status, 200);
    assert.match(ephemeralText(res.body), problem);
    assert.match(ephemeralText(res.body), /Nothing was started/);
  }
  assert.equal(await count(), jobsBefore, 'nothing enqueued');

  const job = await cost('MyJb', channel);
  assert.equal(job.outcome.ok, false);
  assert.match(json(job.message), /No Glue job named MyJb/);
  assert.match(json(job.message), /Did you mean `MyJob`/);
  const tag = await cost('cost-center=grwth', channel);
  assert.equal(tag.outcome.ok, false);
  assert.match(json(tag.message), /No job is tagged cost-center=grwth/);
  assert.match(json(tag.message), /Did you mean `cost-center=growth`/);
});

test(`an untagged job (${UNTAGGED_JOB}) is named in its triage report with the exact tag command`, async () => {
  const channel = 'C0COSTDRIFT';
  t.slack.addChannel({ id: channel, name: 'cost-drift', members: ['U0ONCALL'] });
  const res = await sendSlashCommand(t.url, t.secret, {
    command: '/triage',
    text: UNTAGGED_JOB,
    channelId: channel,
  });
  assert.equal(res.status, 200);
  const triageQueue = t.medic.producers.queue('triage');
  await waitUntil(
    async () =>
      (await triageQueue.getJobs(['completed'])).some((j) => j.data.requester?.channelId === channel),
    'the triage job to finish',
    60_000,
  );
  const report = t.slack.topLevel(channel).find((m) => /triage took/.test(json(m)));
  const text = json(report);
  assert.match(text, new RegExp(`${UNTAGGED_JOB} lacks required tags\\* \`cost-center\`, \`owner\``));
  assert.ok(
    text.includes(
      `aws glue tag-resource --region us-east-1 --resource-arn arn:aws:glue:us-east-1:${SIM_ACCOUNT}:job/${UNTAGGED_JOB} --tags-to-add cost-center=VALUE,owner=VALUE`,
    ),
    text,
  );
  // Said by the report, so the monitor does not say it again.
  const m = await tick<MonitorOutcome>('monitor', { job: UNTAGGED_JOB });
  assert.ok(!m.posted.includes('tags'), JSON.stringify(m));
  assert.equal(
    t.slack.topLevel(ALERTS).filter((x) => (x.text ?? '').startsWith(`${UNTAGGED_JOB} lacks`)).length,
    0,
  );
});

test('the monitor names a job lacking a tag once, and again only when what is missing changes', async () => {
  const said = () => t.slack.topLevel(ALERTS).filter((x) => (x.text ?? '').startsWith('DownstreamJob lacks'));
  const first = await tick<MonitorOutcome>('monitor', { job: 'DownstreamJob' });
  assert.ok(first.posted.includes('tags'));
  assert.equal(said().length, 1);
  assert.match(json(said()[0]), /`owner`/);
  assert.match(json(said()[0]), /--tags-to-add owner=VALUE/);
  const second = await tick<MonitorOutcome>('monitor', { job: 'DownstreamJob' });
  assert.ok(!second.posted.includes('tags'));
  assert.equal(said().length, 1, 'not again on the next tick');
  // Its cost-center tag removed too: news again.
  sim.state.glue.jobs.get('DownstreamJob')!.Tags = {};
  const third = await tick<MonitorOutcome>('monitor', { job: 'DownstreamJob' });
  assert.ok(third.posted.includes('tags'));
  assert.equal(said().length, 2);
});

test('budgets: the forecast alert fires once and not again on the next tick; 100% of actual alerts once', async () => {
  const alerts = (re: RegExp) => t.slack.topLevel(ALERTS).filter((m) => re.test(m.text ?? ''));
  const first = await tick<BudgetCheckOutcome>('cost', { kind: 'budgets' });
  const byId = Object.fromEntries(first.evaluated.map((e) => [e.id, e]));
  // MyJob: month to date to the cent, from the simulator's November runs.
  const mtd = simRuns('MyJob', MONTH_START).reduce((s, r) => s + simRunCost(r), 0);
  assert.ok(
    Math.abs(byId['job=MyJob']!.monthToDateUsd - mtd) < 0.005,
    `${byId['job=MyJob']!.monthToDateUsd} ≠ ${mtd}`,
  );
  assert.ok(mtd < 40 && byId['job=MyJob']!.forecastUsd > 40, JSON.stringify(byId['job=MyJob']));
  assert.equal(byId['job=MyJob']!.posted, 'forecast');
  // HealthyJob has spent more than its $1 this month already: the 100% alert (standing for both).
  assert.equal(byId['job=HealthyJob']!.posted, 'actual');
  assert.equal(byId['tag=cost-center=growth']!.posted, undefined);
  assert.ok(byId['tag=cost-center=growth']!.monthToDateUsd > mtd, 'the tag sums its jobs');

  const forecast = alerts(/^Budget forecast crossed: MyJob/);
  assert.equal(forecast.length, 1);
  assert.match(json(forecast[0]), /Jobs that moved most/);
  assert.match(json(forecast[0]), new RegExp(`${cents(mtd).replace(/[$.]/g, '\\$&')} spent so far`));
  assert.equal(alerts(/^Monthly budget spent: HealthyJob/).length, 1);

  const second = await tick<BudgetCheckOutcome>('cost', { kind: 'budgets' });
  assert.deepEqual(
    second.evaluated.map((e) => e.posted),
    [undefined, undefined, undefined],
    'nothing again on the next tick',
  );
  assert.equal(alerts(/^Budget forecast crossed: MyJob/).length, 1);
  assert.equal(alerts(/^Monthly budget spent/).length, 1);
});

test('a scale mitigation shows its cost per run at the new size before approval', async () => {
  const channel = 'C0COSTMIT';
  t.slack.addChannel({ id: channel, name: 'cost-mit', members: ['U0ONCALL'] });
  const triggerId = t.slack.newTriggerId('U0ONCALL');
  const res = await sendBlockAction(t.url, t.secret, {
    actionId: 'medic.mitigation.request.scale',
    value: encodeRequestValue({ j: 'HealthyJob', e: 'staging', w: 2, t: 'G.1X' }),
    userId: 'U0ONCALL',
    channelId: channel,
    triggerId,
  });
  assert.equal(res.status, 200);
  const call = await t.slack.waitFor('views.open', (c) => c.args.trigger_id === triggerId);
  const view = call.args.view as {
    callback_id: string;
    private_metadata: string;
    blocks: Record<string, unknown>[];
  };
  // Submit what the modal prefilled (workers 2 → 4), with a reason.
  const values: Record<string, Record<string, Record<string, unknown>>> = {};
  for (const b of view.blocks) {
    if (b.type !== 'input') continue;
    const el = b.element as Record<string, unknown>;
    const v =
      el.type === 'plain_text_input'
        ? {
            type: el.type,
            value: b.block_id === 'reason' ? 'cost test' : ((el.initial_value as string) ?? null),
          }
        : el.type === 'checkboxes'
          ? { type: el.type, selected_options: el.initial_options ?? [] }
          : { type: el.type, selected_option: el.initial_option ?? null };
    values[b.block_id as string] = { [el.action_id as string]: v };
  }
  const workers = Number((values.workers?.workers_input as { value: string }).value);
  assert.equal(workers, 4);
  const sub = await sendViewSubmission(t.url, t.secret, {
    callbackId: view.callback_id,
    userId: 'U0ONCALL',
    values,
    privateMetadata: view.private_metadata,
  });
  assert.equal(sub.status, 200);
  assert.equal(sub.text, '');
  const message = await waitUntil(
    () => t.slack.topLevel(channel).find((m) => /Cost impact/.test(json(m))),
    'the approval request with its cost impact',
  );
  // The baseline: the median duration of the 10 successful runs before the newest 3.
  const now = sim.state.now();
  const done = sim.state.glue
    .runsOf('HealthyJob')
    .filter((r) => runSnapshot(r, now).completedAt !== undefined);
  const base = done
    .slice(3, 13)
    .map((r) => runSnapshot(r, now).executionTimeSec)
    .sort((a, b) => a - b);
  const baselineSec = (base[4]! + base[5]!) / 2;
  const perRun = (4 * 1 * baselineSec * RATE) / 3600;
  assert.ok(
    json(message).includes(`One rerun at 4 × G.1X: about ${cents(perRun)} a run (4 DPU ×`),
    json(message),
  );
  assert.match(json(message), /medic\.mitigation\.approve/, 'still waiting for approval');
});

test('the budget check is scheduled with the monitor, runs by itself, and goes when budgets do', async () => {
  const prefix = testPrefix('costsched');
  const logger = createLogger({ level: 'silent' });
  const env = { ...sim.env(), MEDIC_ROLE: 'worker' };
  const jobDeps = { now: () => sim.state.now() };
  const withBudget = `
monitor: { channel: ${ALERTS}, everyMinutes: 30, jobs: [HealthyJob] }
costControls: { budgets: [{ job: HealthyJob, monthlyUsd: 1, channel: C0COSTSCHED }] }
`;
  t.slack.addChannel({ id: 'C0COSTSCHED', name: 'cost-sched', members: ['U0ONCALL'] });
  const first = await startMedic(testConfig({ yaml: withBudget, env, slack: t.slack, prefix }), {
    logger,
    jobDeps,
  });
  try {
    const schedulers = await first.producers.queue('cost').getJobSchedulers(0, -1);
    assert.deepEqual(
      schedulers.map((s) => [s.key, s.every, s.template?.data]),
      [[BUDGET_SCHEDULER_ID, 30 * 60_000, { kind: 'budgets' }]],
    );
    // An `every` scheduler's first run is at once: HealthyJob is over its $1, in the budget's channel.
    await waitUntil(
      () =>
        t.slack.topLevel('C0COSTSCHED').find((m) => /^Monthly budget spent: HealthyJob/.test(m.text ?? '')),
      'the scheduled budget alert',
    );
  } finally {
    await first.close();
  }
  const noBudget = `monitor: { channel: ${ALERTS}, everyMinutes: 30, jobs: [HealthyJob] }`;
  const second = await startMedic(testConfig({ yaml: noBudget, env, slack: t.slack, prefix }), {
    logger,
    jobDeps,
  });
  try {
    assert.equal(await second.producers.queue('cost').getJobSchedulersCount(), 0);
  } finally {
    await second.close();
    await dropPrefix(prefix);
  }
});
