// The scheduled monitor end to end: real Redis and BullMQ, the Glue simulator through the official
// SDK, the real bot against a fake Slack.
//
// How the monitor is run here: the flow tests enqueue a 'monitor' job directly on the bot's own
// queue (exactly what a job scheduler enqueues when it fires) and wait for it to finish, so they
// never wait for the schedule. Their config sets `monitor.jobs: []` so no scheduler fires by itself
// in the middle of them; the last tests start the bot with schedulers and check those.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  addJobHistory,
  startSimulator,
  HOUR,
  MINUTE,
  type GlueRun,
  type Simulator,
} from '../../sim/index.js';
import { startTestMedic, testConfig, type TestMedic } from '../support/medic.js';
import { sendBlockAction } from '../support/slack-requests.js';
import { dropPrefix, testPrefix } from '../support/services.js';
import type { FakeMessage } from '../support/fake-slack/types.js';
import { startMedic } from '../../src/bootstrap.js';
import { createLogger } from '../../src/logger.js';
import { evaluateDegradation } from '../../src/domain/degradation.js';
import { glueRun } from '../support/runs.js';
import type { RunRecord } from '../../src/domain/run-record.js';
import { formatUnitHours, formatPct, formatPctChange } from '../../src/domain/format.js';
import type { MonitorMemory } from '../../src/domain/monitor.js';
import { monitorOffsetMs, monitorStateKey } from '../../jobs/monitor.js';
import { INCREMENTAL_PAGE } from '../../jobs/monitor-runs.js';
import type { MonitorOutcome } from '../../jobs/monitor.js';
import { waitFor } from '../support/wait.js';
import { partitionStatsKey } from '../../jobs/partition-cache.js';
import { parseObjectUri } from '../../src/providers/object-uri.js';

const CHANNEL = 'C0MONITOR';
const YAML = `
monitor:
  channel: ${CHANNEL}
  jobs: []
  groupWindowMinutes: 0 # one alert per job here; the storm test groups them
jobs:
  MyJob: { input: s3://lake-raw/events/ }
  HealthyJob: {}
  OomJob: {}
  CostlyJob: { budgetUsdPerRun: 2 }
`;

let sim: Simulator;
let t: TestMedic;

before(async () => {
  sim = await startSimulator();
  for (const [k, v] of Object.entries(sim.env())) process.env[k] = v;
  // 40 DPUs × 10 min = 6.67 DPU-h = $2.93 a run at $0.44: over its $2 budget, never degraded.
  addJobHistory(sim.state, sim.state.now(), {
    job: { Name: 'CostlyJob', WorkerType: 'G.2X', NumberOfWorkers: 20 },
    runs: Array.from({ length: 12 }, () => ({ durationSec: 600 })),
    lastStartAgoMs: 20 * HOUR,
  });
  t = await startTestMedic({ yaml: YAML, env: sim.env() });
  t.slack.addChannel({ id: CHANNEL, name: 'data-alerts', members: ['U0ONCALL'] });
});

after(async () => {
  await t.stop();
  await sim.stop();
});

function textOf(m: FakeMessage): string {
  return JSON.stringify(m.blocks ?? []) + '\n' + (m.text ?? '');
}

/** Enqueue one evaluation, as a scheduler does, and wait for it to finish. */
async function runMonitor(job: string): Promise<MonitorOutcome> {
  const queue = t.medic.producers.queue('monitor');
  const added = await queue.add('monitor', { job });
  let state = '';
  await waitFor(
    `the evaluation of ${job} to finish`,
    async () => {
      state = await added.getState();
      return state === 'completed' || state === 'failed';
    },
    30_000,
  );
  const done = await queue.getJob(added.id!);
  assert.equal(state, 'completed', `monitor ${job} failed: ${done?.failedReason}`);
  return done!.returnvalue as MonitorOutcome;
}

/** Top-level messages in the alert channel whose notification text names the job. */
function posts(job: string, kind: RegExp = /./): FakeMessage[] {
  return t.slack
    .topLevel(CHANNEL)
    .filter((m) => (m.text ?? '').includes(`${job} `) || (m.text ?? '').endsWith(job))
    .filter((m) => kind.test(m.text ?? ''));
}

async function memory(job: string): Promise<MonitorMemory | undefined> {
  const raw = await t.medic.state.get(monitorStateKey(t.prefix, job));
  return raw ? (JSON.parse(raw) as MonitorMemory) : undefined;
}

/** What the SDK adapter reads from the simulator, as the domain sees it. */
function records(runs: GlueRun[]): RunRecord[] {
  const now = sim.state.now();
  return runs
    .filter((r) => r.startedAt + r.startingMs + r.durationMs <= now)
    .map((r) =>
      glueRun({
        id: r.Id,
        state: r.outcome,
        startedOn: new Date(r.startedAt),
        executionTimeSec: Math.round(r.durationMs / 1000),
        ...(r.WorkerType ? { workerType: r.WorkerType } : {}),
        ...(r.NumberOfWorkers ? { numberOfWorkers: r.NumberOfWorkers } : {}),
      }),
    );
}

function addRun(job: string, agoMs: number, durationSec: number): GlueRun {
  return sim.state.glue.addRun({ JobName: job, startedAt: sim.state.now() - agoMs, durationSec });
}

let myJobAlert: MonitorOutcome | undefined;

test('MyJob (DEGRADED): one alert with the numbers, the run links and Triage now; the next run says nothing', async () => {
  const outcome = await runMonitor('MyJob');
  myJobAlert = outcome;
  assert.deepEqual(outcome.posted, ['alert']);
  assert.equal(outcome.verdict, 'DEGRADED');
  const alerts = posts('MyJob', /^DEGRADED/);
  assert.equal(alerts.length, 1);
  const text = textOf(alerts[0]!);

  const expected = evaluateDegradation(records(sim.state.glue.runsOf('MyJob')).slice(0, 18), {
    thresholdPct: 30,
    consecutiveRuns: 3,
    baselineRuns: 10,
  });
  assert.equal(expected.verdict, 'DEGRADED');
  assert.ok(text.includes(expected.summary), 'the rule summary');
  const o = expected.overBaseline!;
  assert.ok(text.includes(`${formatPctChange(o.medianPct, 0)} over baseline`), 'size in the headline');
  assert.ok(
    text.includes(
      `${formatPct(o.minPct, 0)}–${formatPct(o.maxPct, 0)} (median ${formatPct(o.medianPct, 0)})`,
    ),
    '% over baseline',
  );
  assert.ok(
    text.includes(
      `${formatUnitHours(expected.usage.recentMedian!, 'DPU')} (baseline ${formatUnitHours(expected.usage.baselineMedian!, 'DPU')})`,
    ),
    'DPU-hours per run against the baseline',
  );
  const newest = sim.state.glue.runsOf('MyJob').slice(0, 3);
  assert.deepEqual(
    expected.problematicRunIds,
    newest.map((r) => r.Id),
  );
  for (const r of newest)
    assert.ok(
      text.includes(`gluestudio/home?region=us-east-1#/job/MyJob/run/${r.Id}|${r.Id}>`),
      `run ${r.Id} linked to the Glue console`,
    );
  const blocks = (alerts[0]!.blocks ?? []) as {
    type: string;
    elements?: { action_id: string; value?: string }[];
  }[];
  const buttons = blocks.filter((b) => b.type === 'actions').flatMap((b) => b.elements ?? []);
  assert.deepEqual(
    buttons.map((b) => [b.action_id, b.value]),
    [['medic.monitor.triage', 'MyJob']],
  );

  // An hour later, nothing new: no second alert. And the second evaluation reads only what may
  // have changed (one small page from the newest known run); the window comes from Redis.
  sim.clearRequests();
  const again = await runMonitor('MyJob');
  assert.deepEqual(again.posted, []);
  assert.deepEqual(
    sim.requests({ service: 'glue', operation: 'GetJobRuns' }).map((r) => r.params.MaxResults),
    [INCREMENTAL_PAGE],
  );
  assert.equal(posts('MyJob').length, 1);
  assert.equal((await memory('MyJob'))?.alert?.verdict, 'DEGRADED');
});

test('MyJob’s alert prewarmed its input: the partitions are in the cache, the baseline scan untouched, nothing posted', async () => {
  assert.equal(myJobAlert?.prewarm, true, 'the alert enqueued the prewarm');
  const queue = t.medic.producers.queue('smallfiles');
  let prewarm: Awaited<ReturnType<typeof queue.getJobs>>[number] | undefined;
  await waitFor(
    'the prewarm of MyJob’s input to finish',
    async () => {
      const jobs = await queue.getJobs(['completed', 'failed']);
      prewarm = jobs.find((j) => j.data.kind === 'prewarm' && j.data.job === 'MyJob');
      return prewarm !== undefined;
    },
    60_000,
  );
  assert.equal(prewarm!.failedReason, undefined, `the prewarm failed: ${prewarm!.failedReason}`);
  assert.equal(prewarm!.data.uri, 's3://lake-raw/events/');
  const outcome = prewarm!.returnvalue as { partitions?: number; relisted?: number };
  assert.ok((outcome.partitions ?? 0) > 1, JSON.stringify(outcome));
  assert.equal(outcome.relisted, outcome.partitions, 'a cold cache: every partition listed once');
  const stored = await t.medic.state.hkeys(
    partitionStatsKey(
      t.prefix,
      parseObjectUri('s3://lake-raw/events/'),
      t.medic.config.medic.defaults.smallFileBytes,
    ),
  );
  assert.equal(stored.length, outcome.partitions, stored.join(', '));
  // Only the partition cache: the location's previous scan (the baseline /smallfiles and triage
  // compare against) is not replaced by the prewarm's.
  assert.deepEqual(await t.medic.state.keys(`${t.prefix}:scan-baseline:*`), []);
  // Nothing posted: the only message so far is MyJob's alert (the prewarm has no message of its own).
  assert.deepEqual(
    t.slack.callsTo('chat.postMessage').map((c) => c.args.channel),
    [CHANNEL],
    'one post: the alert',
  );
  assert.equal(posts('MyJob', /^DEGRADED/).length, 1);
  assert.equal(t.slack.callsTo('chat.update').length, 0, 'no scan progress either');
});

test('MyJob: a new degraded run brings a new alert naming it', async () => {
  const run = addRun('MyJob', 10 * HOUR, 2160);
  const outcome = await runMonitor('MyJob');
  assert.deepEqual(outcome.posted, ['alert']);
  const alerts = posts('MyJob', /^DEGRADED/);
  assert.equal(alerts.length, 2);
  const text = textOf(alerts[1]!);
  assert.match(text, /new problematic run/);
  assert.ok(text.includes(`${run.Id}|${run.Id}> *new*`), 'the new run is marked');
  assert.deepEqual((await runMonitor('MyJob')).posted, [], 'and only once');
});

test('MyJob recovering: one "recovered" note, then silence', async () => {
  for (const ago of [8, 6, 4]) addRun('MyJob', ago * HOUR, 1200);
  const outcome = await runMonitor('MyJob');
  assert.equal(outcome.verdict, 'HEALTHY');
  assert.deepEqual(outcome.posted, ['recovered']);
  const notes = posts('MyJob', /^Recovered/);
  assert.equal(notes.length, 1);
  assert.match(textOf(notes[0]!), /Recovered: MyJob\* is HEALTHY again \(was DEGRADED\)/);
  assert.equal((await memory('MyJob'))?.alert, undefined);
  assert.deepEqual((await runMonitor('MyJob')).posted, []);
  assert.equal(posts('MyJob').length, 3, 'two alerts and one note in all');
});

test('HealthyJob: evaluated, remembered, never posted', async () => {
  const outcome = await runMonitor('HealthyJob');
  assert.equal(outcome.verdict, 'HEALTHY');
  assert.deepEqual(outcome.posted, []);
  assert.equal(posts('HealthyJob').length, 0);
  assert.equal((await memory('HealthyJob'))?.verdict, 'HEALTHY');
});

test('OomJob (FAILING): one alert listing the failed runs', async () => {
  assert.deepEqual((await runMonitor('OomJob')).posted, ['alert']);
  const alerts = posts('OomJob', /^FAILING/);
  assert.equal(alerts.length, 1);
  const text = textOf(alerts[0]!);
  assert.match(text, /3 of the last 3 runs failed/);
  for (const r of sim.state.glue.runsOf('OomJob').slice(0, 3)) assert.ok(text.includes(r.Id));
  assert.deepEqual((await runMonitor('OomJob')).posted, []);
});

test('CostlyJob over its budget: one alert per run, with cost, budget, DPU-hours and the run link', async () => {
  const newest = sim.state.glue.runsOf('CostlyJob')[0]!;
  const outcome = await runMonitor('CostlyJob');
  assert.equal(outcome.verdict, 'HEALTHY');
  assert.deepEqual(outcome.posted, ['budget']);
  let alerts = posts('CostlyJob', /^Budget exceeded/);
  assert.equal(alerts.length, 1);
  const text = textOf(alerts[0]!);
  assert.match(alerts[0]!.text ?? '', /Budget exceeded: CostlyJob run cost \$2\.93, budget \$2\.00/);
  assert.match(text, /6\.67 DPU-h/);
  assert.ok(text.includes(`/job/CostlyJob/run/${newest.Id}|${newest.Id}>`), 'the run linked');

  assert.deepEqual((await runMonitor('CostlyJob')).posted, [], 'the same run is not alerted twice');
  // A run still going has no final cost: nothing yet.
  const next = sim.state.glue.addRun({
    JobName: 'CostlyJob',
    startedAt: sim.state.now() - MINUTE,
    durationSec: 3600,
  });
  assert.deepEqual((await runMonitor('CostlyJob')).posted, []);

  // An hour later it has finished, over the budget (the evaluation reads it again: it was open).
  sim.state.clock.advance(HOUR);
  assert.deepEqual((await runMonitor('CostlyJob')).posted, ['budget']);
  alerts = posts('CostlyJob', /^Budget exceeded/);
  assert.equal(alerts.length, 2);
  assert.ok(textOf(alerts[1]!).includes(next.Id));
  assert.deepEqual((await memory('CostlyJob'))?.budgetAlertedRunIds, [newest.Id, next.Id]);
});

test('Triage now: enqueues exactly one triage for the channel, as /triage does, and says so', async () => {
  const alert = posts('MyJob', /^DEGRADED/)[0]!;
  const click = () =>
    sendBlockAction(t.url, t.secret, {
      actionId: 'medic.monitor.triage',
      value: 'MyJob',
      blockId: 'medic-monitor-actions',
      userId: 'U0ONCALL',
      channelId: CHANNEL,
      messageTs: alert.ts,
    });
  const ephemerals = () => t.slack.callsTo('chat.postEphemeral').filter((c) => c.args.channel === CHANNEL);
  assert.equal((await click()).status, 200);
  await waitFor('the first click answered', () => ephemerals().length === 1, 30_000);
  assert.match(String(ephemerals()[0]!.args.text), /Triage of `MyJob` queued/);
  assert.equal((await click()).status, 200);
  await waitFor('the second click answered', () => ephemerals().length === 2, 30_000);
  assert.match(String(ephemerals()[1]!.args.text), /already running/);

  const triage = t.medic.producers.queue('triage');
  const jobs = await triage.getJobs(['waiting', 'active', 'completed', 'failed', 'delayed', 'prioritized']);
  const mine = jobs.filter((j) => j.data.job === 'MyJob' && j.data.requester.channelId === CHANNEL);
  assert.equal(mine.length, 1, 'one triage job for two clicks');
  assert.equal(mine[0]!.data.requester.userId, 'U0ONCALL');
  // The triage it started reports in the alert channel, like /triage MyJob there.
  await waitFor(
    'the triage report in the alert channel',
    () => t.slack.topLevel(CHANNEL).some((m) => /triage took/.test(textOf(m))),
    60_000,
  );
  // The alert's prewarm gathered the input's partitions: the triage read them from the cache.
  const report = [...t.slack.topLevel(CHANNEL)].reverse().find((m) => /triage took/.test(textOf(m)))!;
  const thread = t.slack.thread(CHANNEL, report.ts).map(textOf).join('\n');
  assert.match(`${textOf(report)}\n${thread}`, /partitions listed, \d+ unchanged from the cache/);
});

test('schedulers: one per monitored job at start, removed when its job leaves the config', async () => {
  const prefix = testPrefix('monsched');
  const logger = createLogger({ level: 'silent' });
  const env = { ...sim.env(), MEDIC_ROLE: 'worker' };
  t.slack.addChannel({ id: 'C0SCHED', name: 'sched-alerts', members: ['U0ONCALL'] });
  const both = `
monitor: { channel: C0SCHED, everyMinutes: 30 }
jobs:
  MyJob: {}
  HealthyJob: {}
  SynJob: { provider: synapse }
`;
  // A monitor "minute" of 200 ms: everyMinutes 30 is a 6 s interval here.
  const minute = 200;
  const every = 30 * minute;
  const first = await startMedic(testConfig({ yaml: both, env, slack: t.slack, prefix }), {
    logger,
    timings: { monitorMinuteMs: minute },
  });
  try {
    const schedulers = await first.producers.queue('monitor').getJobSchedulers(0, -1);
    assert.deepEqual(
      schedulers.map((s) => [s.key, s.every, s.template?.data]).sort(),
      [
        ['monitor-HealthyJob', every, { job: 'HealthyJob' }],
        ['monitor-MyJob', every, { job: 'MyJob' }],
        ['monitor-SynJob', every, { job: 'SynJob' }],
      ],
      'every job of jobs: by default, whatever its platform',
    );
    // Spread over the interval: each job's slot is its own stable offset within everyMinutes.
    for (const s of schedulers) {
      const job = s.key.replace(/^monitor-/, '');
      const offset = monitorOffsetMs(job, every);
      assert.ok(offset >= 0 && offset < every);
      assert.equal(((s.next ?? NaN) % every) - offset, 0, `${s.key} runs at its offset`);
    }
    assert.equal(new Set(schedulers.map((s) => s.next! % every)).size, 3, 'three jobs, three slots');
    // Each job is evaluated by the schedule at its slot, within the (short) interval.
    await waitFor(
      'both jobs evaluated by the schedule',
      async () => {
        const keys = ['MyJob', 'HealthyJob'].map((job) => monitorStateKey(prefix, job));
        return (await first.state.exists(...keys)) === 2;
      },
      30_000,
    );
    // /metrics says how late each scheduled evaluation started.
    const text = await (await fetch(`${first.url}/metrics`)).text();
    const count = /^medic_monitor_evaluation_lateness_seconds_count (\d+)/m.exec(text);
    assert.ok(count && Number(count[1]) >= 2, `lateness observed:\n${text.slice(0, 300)}`);
  } finally {
    await first.close();
  }
  const onlyMyJob = `
monitor: { channel: C0SCHED, everyMinutes: 30, jobs: [MyJob] }
jobs:
  MyJob: {}
  HealthyJob: {}
`;
  const second = await startMedic(testConfig({ yaml: onlyMyJob, env, slack: t.slack, prefix }), {
    logger,
    timings: { monitorMinuteMs: minute },
  });
  try {
    const keys = (await second.producers.queue('monitor').getJobSchedulers(0, -1)).map((s) => s.key);
    assert.deepEqual(keys, ['monitor-MyJob']);
  } finally {
    await second.close();
  }
  const third = await startMedic(testConfig({ yaml: 'jobs: { MyJob: {} }', env, slack: t.slack, prefix }), {
    logger,
  });
  try {
    assert.equal(await third.producers.queue('monitor').getJobSchedulersCount(), 0, 'no monitor section');
  } finally {
    await third.close();
    await dropPrefix(prefix);
  }
});

test('a storm: six jobs degrading together are one alert and one group message with the shared-cause hint', async () => {
  const STORM = 'C0STORM';
  const jobs = Array.from({ length: 6 }, (_, i) => `StormJob${i + 1}`);
  for (const [i, job] of jobs.entries())
    addJobHistory(sim.state, sim.state.now(), {
      job: { Name: job },
      // Ten 10-minute baseline runs, then three at 20 minutes: DEGRADED, begun within minutes of each other.
      runs: [
        ...Array.from({ length: 10 }, () => ({ durationSec: 600 })),
        ...[1, 2, 3].map(() => ({ durationSec: 1200 })),
      ],
      intervalMs: HOUR,
      lastStartAgoMs: 40 * MINUTE + i * MINUTE,
    });
  const yaml = `
monitor: { channel: ${STORM}, jobs: [], groupWindowMinutes: 30 }
jobs:
${jobs.map((j) => `  ${j}: {}`).join('\n')}
`;
  const storm = await startTestMedic({ yaml, env: sim.env(), slack: t.slack });
  t.slack.addChannel({ id: STORM, name: 'storm-alerts', members: ['U0ONCALL'] });
  try {
    // All six evaluated at once, as their scheduler slots (or two workers) would have them.
    const queue = storm.medic.producers.queue('monitor');
    const added = await Promise.all(jobs.map((job) => queue.add('monitor', { job })));
    const outcomes = await Promise.all(
      added.map(async (a) => {
        await waitFor(
          `${a.data.job} evaluated`,
          async () => ['completed', 'failed'].includes(await a.getState()),
          60_000,
        );
        const done = await queue.getJob(a.id!);
        assert.equal(await done!.getState(), 'completed', done?.failedReason);
        return done!.returnvalue as MonitorOutcome;
      }),
    );
    const kinds = outcomes.map((o) => o.posted.join(',')).sort();
    assert.deepEqual(kinds, ['alert', 'grouped', 'grouped', 'grouped', 'grouped', 'grouped']);
    const first = outcomes.find((o) => o.posted.includes('alert'))!.job;
    const top = t.slack.topLevel(STORM);
    assert.equal(top.length, 2, 'the first job’s own alert and one group message');
    assert.equal(top.filter((m) => new RegExp(`^DEGRADED.*${first}`).test(m.text)).length, 1);
    // Its final state lists all six, each with its Triage now button, and the shared-cause hint.
    const groupMessage = () =>
      t.slack.topLevel(STORM).find((m) => /jobs degraded within 30 min/.test(m.text));
    await waitFor(
      'the group message lists all six',
      () => /^6 jobs degraded/.test(groupMessage()?.text ?? ''),
      30_000,
    );
    const group = groupMessage()!;
    const text = textOf(group);
    for (const job of jobs) assert.ok(text.includes(`\`${job}\``), `${job} listed`);
    assert.match(
      text,
      /Likely a shared cause:\*? the degradations of all 6 jobs began within \d+ min of each other/,
    );
    const buttons = ((group.blocks ?? []) as { accessory?: { action_id: string; value: string } }[]).flatMap(
      (b) => (b.accessory ? [b.accessory] : []),
    );
    assert.deepEqual(
      buttons.map((b) => [b.action_id, b.value]).sort(),
      jobs.map((j) => ['medic.monitor.triage', j]).sort(),
    );
    // A job already in the storm that is evaluated again says nothing new.
    assert.deepEqual((await runMonitorOn(storm, jobs[0]!)).posted, []);
  } finally {
    await storm.stop();
  }
});

async function runMonitorOn(m: TestMedic, job: string): Promise<MonitorOutcome> {
  const queue = m.medic.producers.queue('monitor');
  const added = await queue.add('monitor', { job });
  await waitFor(
    `${job} evaluated`,
    async () => ['completed', 'failed'].includes(await added.getState()),
    30_000,
  );
  return (await queue.getJob(added.id!))!.returnvalue as MonitorOutcome;
}
