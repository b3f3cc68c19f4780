// Work never stays "Triaging…": a platform that keeps throttling ends the report in a final state
// with a Retry button (and says "retrying, attempt 2 of 3" while BullMQ retries); Retry, once the
// throttling stops, triages the same job into the same message. Everything through the signed
// receiver, the real workers and Redis, and the AWS SDK against the simulator.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startSimulator, type Simulator } from '../../sim/index.js';
import { startTestMedic, type TestMedic } from '../support/medic.js';
import { sendBlockAction, sendSlashCommand } from '../support/slack-requests.js';
import type { FakeMessage } from '../support/fake-slack/types.js';
import { waitFor } from '../support/wait.js';
import { RETRY_ACTION_ID } from '../../src/slack/blocks/retry.js';

let sim: Simulator;
let t: TestMedic;

before(async () => {
  sim = await startSimulator();
  for (const [k, v] of Object.entries(sim.env())) process.env[k] = v;
  t = await startTestMedic({
    env: sim.env(),
    yaml: 'jobs:\n  MyJob:\n    input: s3://lake-raw/events/\n  DriftJob:\n    table: { database: lake, name: drift_events }\n',
  });
});
after(async () => {
  await t.stop();
  await sim.stop();
});

const text = (m: FakeMessage) => JSON.stringify(m.blocks ?? []) + '\n' + (m.text ?? '');

function retryButton(m: FakeMessage): { value: string; blockId: string } | undefined {
  for (const b of (m.blocks ?? []) as { type?: string; block_id?: string; elements?: unknown[] }[]) {
    if (b.type !== 'actions') continue;
    for (const e of (b.elements ?? []) as { action_id?: string; value?: string }[])
      if (e.action_id === RETRY_ACTION_ID && e.value) return { value: e.value, blockId: b.block_id ?? '' };
  }
  return undefined;
}

test('persistent throttling ends the report with Retry; Retry triages once it stops', async () => {
  const channel = 'C0THROTTLED';
  t.slack.addChannel({ id: channel, name: 'throttled', members: ['U0ONCALL'] });
  sim.setFaults([{ service: 'glue', operation: 'GetJobRuns', error: 'throttle' }]);
  await sendSlashCommand(t.url, t.secret, { command: '/triage', text: 'MyJob', channelId: channel });
  const report = await waitFor(
    () => `a final report with Retry in ${channel}: ${t.slack.topLevel(channel).map(text).join('\n')}`,
    () => t.slack.topLevel(channel).find((m) => retryButton(m)),
    110_000,
  );
  const body = text(report);
  assert.match(body, /did not answer/);
  assert.match(body, /throttled/);
  assert.match(body, /Tried 3 times/);
  assert.doesNotMatch(body, /Triaging/);
  assert.equal(t.slack.topLevel(channel).filter((m) => /MyJob/.test(text(m))).length, 1, 'one report');
  // While it retried, the same message said so.
  const notes = t.slack
    .callsTo('chat.update')
    .filter((c) => c.args.channel === channel && c.args.ts === report.ts)
    .map((c) => JSON.stringify(c.args.blocks));
  assert.ok(
    notes.some((b) => /retrying, attempt 2 of 3/.test(b)),
    'attempt 2 of 3 was shown',
  );
  assert.ok(
    notes.some((b) => /retrying, attempt 3 of 3/.test(b)),
    'attempt 3 of 3 was shown',
  );

  // The platform answers again: Retry re-runs the same triage into the same message.
  sim.setFaults([]);
  const button = retryButton(report)!;
  const res = await sendBlockAction(t.url, t.secret, {
    actionId: RETRY_ACTION_ID,
    value: button.value,
    blockId: button.blockId,
    userId: 'U0ONCALL',
    channelId: channel,
    messageTs: report.ts,
    message: t.slack.messageJson(channel, report.ts),
  });
  assert.equal(res.status, 200);
  const done = await waitFor(
    () => `the retried report: ${text(t.slack.message(channel, report.ts)!)}`,
    () => {
      const m = t.slack.message(channel, report.ts);
      return m && /DEGRADED: MyJob/.test(text(m)) && /triage took/.test(text(m)) ? m : undefined;
    },
    60_000,
  );
  assert.equal(retryButton(done), undefined, 'no Retry on a finished report');
  assert.equal(t.slack.topLevel(channel).filter((m) => /DEGRADED: MyJob/.test(text(m))).length, 1);
  const told = t.slack.ephemeralsFor('U0ONCALL', channel).map((e) => e.text ?? '');
  assert.ok(
    told.some((x) => /running again/.test(x)),
    told.join('\n'),
  );
});

test('a Retry button for a job that is gone starts nothing', async () => {
  const queue = t.medic.producers.queue('triage');
  const ids = async () => [
    ...new Set(
      (await queue.getJobs(['waiting', 'active', 'delayed', 'completed', 'failed'])).map((j) => j.id).sort(),
    ),
  ];
  const before = await ids();
  const res = await sendBlockAction(t.url, t.secret, {
    actionId: RETRY_ACTION_ID,
    value: JSON.stringify({ q: 'triage', id: 'no-such-job' }),
    userId: 'U0ONCALL',
    channelId: 'C0DATAOPS',
  });
  assert.equal(res.status, 200);
  // The answer comes after the decision not to enqueue: once it is there, no job was added.
  await waitFor('the stale answer', () =>
    t.slack.ephemeralsFor('U0ONCALL', 'C0DATAOPS').find((e) => /out of date/.test(e.text ?? '')),
  );
  assert.deepEqual(await ids(), before);
});

test('any job kind that fails on its last attempt ends in a final message with Retry (a schema check)', async () => {
  const channel = 'C0SCHEMAFAIL';
  t.slack.addChannel({ id: channel, name: 'schemafail', members: ['U0ONCALL'] });
  // The processor has no final state of its own for this: the worker's last-attempt hook posts it.
  sim.setFaults([{ service: 'glue', operation: 'GetTableVersions', error: 'throttle' }]);
  await sendSlashCommand(t.url, t.secret, { command: '/schema', text: 'DriftJob', channelId: channel });
  const failed = await waitFor(
    () => `a final message with Retry in ${channel}: ${t.slack.topLevel(channel).map(text).join('\n')}`,
    () => t.slack.topLevel(channel).find((m) => retryButton(m)),
    110_000,
  );
  assert.match(text(failed), /Schema check could not finish/);
  assert.match(text(failed), /throttled/);
  assert.match(text(failed), /Tried 3 times/);

  sim.setFaults([]);
  const button = retryButton(failed)!;
  await sendBlockAction(t.url, t.secret, {
    actionId: RETRY_ACTION_ID,
    value: button.value,
    blockId: button.blockId,
    userId: 'U0ONCALL',
    channelId: channel,
    messageTs: failed.ts,
  });
  await waitFor(
    () => `the schema report after Retry: ${t.slack.topLevel(channel).map(text).join('\n')}`,
    () => t.slack.topLevel(channel).find((m) => /Schema drift in lake\.drift_events/.test(text(m))),
    60_000,
  );
  // The same Retry from another channel starts nothing: its answer says so, and the queue holds
  // no new job once that answer is there.
  const before = await t.medic.producers.queue('schema').getJobCounts('waiting', 'active', 'completed');
  const stale = () =>
    t.slack.ephemeralsFor('U0ONCALL', 'C0DATAOPS').filter((e) => /out of date/.test(e.text ?? '')).length;
  const staleBefore = stale();
  await sendBlockAction(t.url, t.secret, {
    actionId: RETRY_ACTION_ID,
    value: button.value,
    userId: 'U0ONCALL',
    channelId: 'C0DATAOPS',
  });
  await waitFor('the stale answer in the other channel', () => stale() > staleBefore);
  assert.deepEqual(
    await t.medic.producers.queue('schema').getJobCounts('waiting', 'active', 'completed'),
    before,
  );
});

test('a job BullMQ fails without running it (its workers died on it past the stall limit) ends in a final message with Retry', async () => {
  const channel = 'C0LOSTJOB';
  t.slack.addChannel({ id: channel, name: 'lostjob', members: ['U0ONCALL'] });
  const queue = t.medic.producers.queue('triage');
  // What BullMQ's stalled check leaves on a job whose workers died holding it more often than
  // maxStalledCount allows (moveStalledJobsToWait: the deferred failure `defa`, the job back in
  // wait): the next worker to fetch it fails it without calling the processor.
  await queue.pause();
  const { jobId } = await t.medic.producers.enqueue('triage', {
    job: 'MyJob',
    requester: { userId: 'U0ONCALL', channelId: channel },
    requestedAt: Date.now(),
  });
  await t.medic.state.hset(`${t.prefix}:triage:${jobId}`, 'defa', 'job stalled more than allowable limit');
  await queue.resume();
  const failed = await waitFor(
    () => `a final message with Retry in ${channel}: ${t.slack.topLevel(channel).map(text).join('\n')}`,
    () => t.slack.topLevel(channel).find((m) => retryButton(m)),
    60_000,
  );
  assert.match(text(failed), /Triage of MyJob could not finish/);
  assert.match(text(failed), /workers running it stopped .*stalled more than allowable limit/);
  assert.equal(await (await queue.getJob(jobId))?.getState(), 'failed');
  assert.equal(t.slack.topLevel(channel).length, 1, 'one message: the processor never ran');
});
