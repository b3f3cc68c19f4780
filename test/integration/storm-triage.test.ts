// A storm triaged from its group message (issue 19), end to end: real Redis and BullMQ, the Glue
// simulator through the official SDK, the real bot behind its signed receiver, and a fake Slack
// enforcing Slack's limits (chat.postMessage about one a second per channel, chat.update Tier 3 per
// workspace, chat.postEphemeral Tier 4). Several jobs degrade together → one group message; Triage
// now pressed on each of its rows at once → each row shows its verdict, each full report lands in
// the group message's thread, the channel gets no message per job, and Slack never answers 429.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { addJobHistory, startSimulator, HOUR, MINUTE, type Simulator } from '../../sim/index.js';
import { FakeSlack } from '../support/fake-slack/fake-slack.js';
import { startTestMedic, type TestMedic } from '../support/medic.js';
import { sendBlockAction } from '../support/slack-requests.js';
import { waitFor } from '../support/wait.js';
import type { FakeMessage } from '../support/fake-slack/types.js';
import { IncidentStore } from '../../src/store/incidents.js';
import { startMedic, type Medic } from '../../src/bootstrap.js';
import { createLogger } from '../../src/logger.js';
import { testConfig } from '../support/medic.js';

const CHANNEL = 'C0STORMTRI';
const JOBS = Array.from({ length: 4 }, (_, i) => `StormTriage${i + 1}`);

let sim: Simulator;
let slack: FakeSlack;
let t: TestMedic;
/** A second worker process's worth of bot (MEDIC_ROLE=worker) on the same Redis and prefix. */
let worker: Medic;
const YAML = `
monitor: { channel: ${CHANNEL}, jobs: [], groupWindowMinutes: 30 }
jobs:
${JOBS.map((j) => `  ${j}: {}`).join('\n')}
`;

before(async () => {
  sim = await startSimulator();
  for (const [k, v] of Object.entries(sim.env())) process.env[k] = v;
  for (const [i, job] of JOBS.entries())
    addJobHistory(sim.state, sim.state.now(), {
      job: { Name: job, WorkerType: 'G.1X', NumberOfWorkers: 5 },
      // Ten 10-minute runs, then three at 25 minutes since the outage began: DEGRADED, together.
      runs: [
        ...Array.from({ length: 10 }, () => ({ durationSec: 600 })),
        ...[1, 2, 3].map(() => ({ durationSec: 1500 })),
      ],
      intervalMs: HOUR,
      lastStartAgoMs: 40 * MINUTE + i * MINUTE,
      logs: () => ({ error: ['ERROR upstream: source table orders has no data for the last 2 hours'] }),
    });
  slack = await FakeSlack.start({
    channelRateLimit: { perSecond: 1, burst: 5 },
    methodRateLimits: {
      'chat.update': { perMinute: 50, burst: 10 },
      'chat.postEphemeral': { perMinute: 100, burst: 30 },
    },
  });
  slack.addChannel({ id: CHANNEL, name: 'storm-triage', members: ['U0ONCALL'] });
  t = await startTestMedic({ yaml: YAML, env: sim.env(), slack });
  const config = testConfig({
    yaml: YAML,
    env: { ...sim.env(), MEDIC_ROLE: 'worker' },
    slack,
    prefix: t.prefix,
  });
  worker = await startMedic(config, { logger: createLogger({ level: config.env.LOG_LEVEL }) });
});

after(async () => {
  await worker.close();
  await t.stop();
  await slack.stop();
  await sim.stop();
});

const rowOf = (group: FakeMessage, job: string) =>
  JSON.stringify(
    ((slack.message(CHANNEL, group.ts)?.blocks ?? []) as { block_id?: string }[]).find(
      (b) => b.block_id === `medic-group-${job}`,
    ) ?? {},
  );

test('a storm triaged from its group message: verdicts on the message, full reports in its thread, no message per job, no 429', async () => {
  const queue = t.medic.producers.queue('monitor');
  const added = await Promise.all(JOBS.map((job) => queue.add('monitor', { job })));
  for (const a of added)
    await waitFor(
      `${a.data.job} evaluated`,
      async () => ['completed', 'failed'].includes(await a.getState()),
      60_000,
    );
  const groupMessage = () => slack.topLevel(CHANNEL).find((m) => /jobs degraded within 30 min/.test(m.text));
  await waitFor(
    'the group message lists all four',
    () => /^4 jobs degraded/.test(groupMessage()?.text ?? ''),
    30_000,
  );
  const group = groupMessage()!;
  const topBefore = slack.topLevel(CHANNEL).map((m) => m.ts);
  assert.equal(topBefore.length, 2, 'the first job’s own alert and the group message');

  // The reports are held back until all four are ready (the test holds the group's drain lock, as
  // a worker waiting for the channel's token would): then they go together, in as few replies as
  // 50 blocks allow, each exactly once, whichever of the two workers ran its triage.
  const groupId = await t.medic.state.get(`${t.prefix}:monitor-group:${CHANNEL}`);
  assert.ok(groupId);
  const drainLock = `${t.prefix}:monitor-group:${groupId}:drain`;
  const outbox = `${t.prefix}:monitor-group:${groupId}:outbox`;
  await t.medic.state.set(drainLock, 'held by the test', 'PX', 120_000);

  // Triage now on every row of the group message at once, through the signed receiver.
  const clickedAt = slack.now();
  const clicks = await Promise.all(
    JOBS.map((job) =>
      sendBlockAction(t.url, t.secret, {
        actionId: 'medic.monitor.triage',
        value: job,
        blockId: `medic-group-${job}`,
        userId: 'U0ONCALL',
        channelId: CHANNEL,
        messageTs: group.ts,
      }),
    ),
  );
  assert.deepEqual(
    clicks.map((c) => c.status),
    JOBS.map(() => 200),
  );

  // Each row of the group message goes to its verdict and top cause…
  await waitFor(
    'every row shows its verdict',
    () => JOBS.every((job) => /triaged: \*DEGRADED\*/.test(rowOf(group, job))),
    90_000,
  );
  await waitFor(
    'all four reports ready in the outbox',
    async () => (await t.medic.state.hlen(outbox)) === 4,
    90_000,
  );
  assert.equal(
    slack.thread(CHANNEL, group.ts).filter((m) => /triage took/.test(JSON.stringify(m.blocks ?? []))).length,
    0,
    'nothing posted while the drain is held',
  );
  // Slack refuses the first reply (as it would a block it cannot take): its reports then go one
  // by one, then batched again — still each exactly once.
  slack.injectError('chat.postMessage', { error: 'invalid_blocks', times: 1 });
  await t.medic.state.del(drainLock);
  // …and each job's full report lands in the group message's thread, exactly once.
  const reportsOf = (job: string) =>
    slack
      .thread(CHANNEL, group.ts)
      .filter((m) => m.text.includes(job) && /triage took/.test(JSON.stringify(m.blocks ?? [])));
  await waitFor(
    'every full report in the thread',
    () => JOBS.every((job) => reportsOf(job).length === 1),
    90_000,
  );
  for (const job of JOBS) {
    const report = JSON.stringify(reportsOf(job)[0]!.blocks);
    assert.match(report, /DEGRADED/, `${job}: the report has its verdict`);
    assert.match(report, new RegExp(`${job}`), `${job}: the report names its job`);
  }
  await waitFor(
    'every row points at its report in the thread',
    () => JOBS.every((job) => /full report in the thread/.test(rowOf(group, job))),
    30_000,
  );
  // The incidents' checklists follow in the thread too, once every report is in.
  await waitFor(
    'a checklist per incident in the thread',
    () => slack.thread(CHANNEL, group.ts).filter((m) => /^Checklist of /.test(m.text)).length === JOBS.length,
    60_000,
  );
  const thread = slack.thread(CHANNEL, group.ts);
  const lastReport = Math.max(...JOBS.map((job) => thread.indexOf(reportsOf(job)[0]!)));
  const firstChecklist = thread.findIndex((m) => /^Checklist of /.test(m.text));
  assert.ok(firstChecklist > lastReport, 'the checklists come after every report');
  // Ready together, the four reports share replies (about 14 blocks each: three fit in 50).
  const replies = new Set(JOBS.map((job) => reportsOf(job)[0]!.ts));
  assert.ok(replies.size < JOBS.length, `${JOBS.length} reports in ${replies.size} replies`);
  for (const m of thread.filter((x) => replies.has(x.ts))) {
    assert.ok((m.blocks ?? []).length <= 50, 'within 50 blocks');
    const ids = (m.blocks as { block_id?: string }[]).flatMap((b) => (b.block_id ? [b.block_id] : []));
    assert.equal(new Set(ids).size, ids.length, 'block ids unique within the reply');
  }
  // The charts were deferred until every report was in; the details follow the charts.
  const charts = thread.filter((m) => m.files.length);
  assert.equal(charts.length, JOBS.length, 'one chart per job');
  assert.ok(thread.indexOf(charts[0]!) > lastReport, 'the first chart comes after the last report');
  const details = thread.findIndex((m) => /^Details of the triage of /.test(m.text));
  assert.ok(details < 0 || details > thread.indexOf(charts[charts.length - 1]!), 'details after the charts');
  assert.ok(
    JOBS.every((job) => thread.filter((m) => m.text.includes(`Details of the triage of ${job}`)).length <= 1),
    'each job’s details at most once',
  );
  const incidents = new IncidentStore(t.medic.state, t.prefix);
  for (const job of JOBS) {
    const incident = await incidents.forChannel(CHANNEL, job);
    assert.ok(incident, `${job}: its incident is open`);
    assert.equal(incident.threadTs, group.ts, `${job}: its incident lives in the storm thread`);
    assert.ok(
      thread.some((m) => m.ts === incident.checklistTs),
      `${job}: its checklist message is in the thread`,
    );
    assert.ok(
      thread.some((m) => m.ts === incident.reportTs),
      `${job}: its incident's report is the reply in the thread`,
    );
  }

  // Nothing per job in the channel itself: the same two top-level messages as before the clicks.
  assert.deepEqual(
    slack.topLevel(CHANNEL).map((m) => m.ts),
    topBefore,
  );
  assert.ok(
    slack
      .callsTo('chat.postMessage')
      .filter((c) => c.args.channel === CHANNEL && c.at >= clickedAt)
      .every((c) => c.args.thread_ts === group.ts),
    'every post after the clicks is a reply in the thread',
  );
  // The clicker heard, privately, where the verdicts and the reports go.
  const acks = slack.ephemeralsFor('U0ONCALL', CHANNEL).filter((e) => /storm message/.test(e.text));
  assert.equal(acks.length, JOBS.length);
  // Slack never had to say "too many".
  assert.deepEqual(
    slack.calls.filter((c) => c.status === 429).map((c) => c.method),
    [],
  );
});

test('a storm triage run again (a retry, or a second worker picking it up) posts nothing twice', async () => {
  const group = slack.topLevel(CHANNEL).find((m) => /jobs degraded within 30 min/.test(m.text))!;
  const queue = t.medic.producers.queue('triage');
  const done = (await queue.getJobs(['completed'])).find((j) => j.data.job === JOBS[0] && j.data.group);
  assert.ok(done, 'a storm triage of the first job completed');
  const before = slack.thread(CHANNEL, group.ts).map((m) => m.ts);
  const postsBefore = slack.callsTo('chat.postMessage').length;
  const uploadsBefore = slack.callsTo('files.completeUploadExternal').length;
  // The same triage (same job, same request time) once more, as BullMQ does after a stall.
  const again = await queue.add('triage', done.data);
  await waitFor('the second run completed', async () => (await again.getState()) === 'completed', 90_000);
  assert.equal((await queue.getJob(again.id!))?.returnvalue?.reportTs, done.returnvalue.reportTs);
  assert.deepEqual(
    slack.thread(CHANNEL, group.ts).map((m) => m.ts),
    before,
    'no reply added: report, chart, details and checklist each stay once',
  );
  assert.equal(slack.callsTo('chat.postMessage').length, postsBefore);
  assert.equal(slack.callsTo('files.completeUploadExternal').length, uploadsBefore);
});
