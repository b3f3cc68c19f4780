// The triage thread starts with the chart, as Slack shows it: Slack shares an uploaded file
// asynchronously (the fake shares it 400 ms after files.completeUploadExternal answers), so a run
// list posted at once would land above it. The bot waits until files.info shows the share.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startSimulator, type Simulator } from '../../sim/index.js';
import { startTestMedic, type TestMedic } from '../support/medic.js';
import { FakeSlack } from '../support/fake-slack/fake-slack.js';
import { sendSlashCommand } from '../support/slack-requests.js';
import { waitFor } from '../support/wait.js';
import { Redis } from 'ioredis';
import { redisUrl } from '../support/services.js';

let sim: Simulator;
let slack: FakeSlack;
let t: TestMedic;

before(async () => {
  sim = await startSimulator();
  for (const [k, v] of Object.entries(sim.env())) process.env[k] = v;
  slack = await FakeSlack.start({ fileShareDelayMs: 400 });
  t = await startTestMedic({
    env: sim.env(),
    slack,
    yaml: 'jobs:\n  MyJob:\n    input: s3://lake-raw/events/\n',
  });
});

after(async () => {
  await t.stop();
  await slack.stop();
  await sim.stop();
});

test('the triage thread starts with the duration chart, before the run list', async () => {
  slack.addChannel({ id: 'C0ORDER', name: 'order', members: ['U0ONCALL'] });
  const res = await sendSlashCommand(t.url, t.secret, {
    command: '/triage',
    text: 'MyJob',
    channelId: 'C0ORDER',
  });
  assert.equal(res.status, 200);
  const report = await waitFor(
    'the final report',
    () => slack.topLevel('C0ORDER').find((m) => /triage took/.test(JSON.stringify(m.blocks ?? []))),
    60_000,
  );
  // Wait for the details (the run list), then look at the order of the thread.
  const thread = await waitFor(
    'the chart and the details in the thread',
    () => {
      const th = slack.thread('C0ORDER', report.ts);
      return th.some((m) => m.files.length) && th.some((m) => !m.files.length) ? th : undefined;
    },
    30_000,
  );
  assert.ok(
    thread[0]!.files.length,
    `the first reply is the chart: ${JSON.stringify(thread.map((m) => (m.files.length ? 'file' : (m.text ?? '').slice(0, 40))))}`,
  );
  assert.ok(slack.callsTo('files.info').length >= 1, 'the bot waited for the share');
});

test('with the workspace update bucket drained, the progress versions are skipped and the final report still lands, last, before the chart', async () => {
  slack.addChannel({ id: 'C0DRAIN', name: 'drain', members: ['U0ONCALL'] });
  // Other triages keep chat.update's bucket (50 a minute, bursts of 8) down to its last token:
  // the test holds its theoretical arrival time at "one token left" until the report is final.
  const redis = new Redis(redisUrl());
  const key = `${t.prefix}:budget:slack-workspace:chat.update`;
  const interval = 60_000 / 50;
  let draining = true;
  const drain = (async () => {
    while (draining) {
      const [s, us] = await redis.time();
      await redis.set(key, String(Number(s) * 1000 + Number(us) / 1000 + 7 * interval), 'PX', 60_000);
      await new Promise((r) => setTimeout(r, 50));
    }
  })();
  try {
    const res = await sendSlashCommand(t.url, t.secret, {
      command: '/triage',
      text: 'MyJob',
      channelId: 'C0DRAIN',
    });
    assert.equal(res.status, 200);
    const report = await waitFor(
      'the final report',
      () => slack.topLevel('C0DRAIN').find((m) => /triage took/.test(JSON.stringify(m.blocks ?? []))),
      60_000,
    );
    draining = false;
    await drain;
    const thread = await waitFor(
      'the chart and the details in the thread',
      () => {
        const th = slack.thread('C0DRAIN', report.ts);
        return th.some((m) => m.files.length) && th.some((m) => !m.files.length) ? th : undefined;
      },
      30_000,
    );
    assert.ok(thread[0]!.files.length, 'the chart is still the thread’s first reply');
    const updates = slack.calls
      .map((c, i) => ({ c, i }))
      .filter(({ c }) => c.method === 'chat.update' && c.args.ts === report.ts && c.status !== 429);
    // Only the final version was sent (every progress one found no token above the reserve).
    assert.equal(updates.length, 1, `updates sent: ${updates.length}`);
    assert.match(JSON.stringify(updates[0]!.c.args.blocks), /triage took/);
    const placeholder = slack.calls.findIndex(
      (c) => c.method === 'chat.postMessage' && c.args.channel === 'C0DRAIN',
    );
    const firstUpload = slack.calls.findIndex(
      (c, i) => i > placeholder && c.method === 'files.getUploadURLExternal',
    );
    assert.ok(firstUpload > updates[0]!.i, 'the final version went before the chart’s upload began');
    assert.match(JSON.stringify(slack.message('C0DRAIN', report.ts)?.blocks), /triage took/);
  } finally {
    draining = false;
    await drain;
    await redis.quit();
  }
});

test('a triage run again after its final report is up (the same job retried) never overwrites it', async () => {
  slack.addChannel({ id: 'C0AGAIN', name: 'again', members: ['U0ONCALL'] });
  await sendSlashCommand(t.url, t.secret, { command: '/triage', text: 'MyJob', channelId: 'C0AGAIN' });
  const report = await waitFor(
    'the final report',
    () => slack.topLevel('C0AGAIN').find((m) => /triage took/.test(JSON.stringify(m.blocks ?? []))),
    60_000,
  );
  const queue = t.medic.producers.queue('triage');
  const job = await waitFor(
    'the triage job completed',
    async () => {
      const jobs = await queue.getJobs(['completed']);
      return jobs.find((j) => j.data.requester?.channelId === 'C0AGAIN');
    },
    60_000,
  );
  const finishedOn = job.finishedOn;
  const callsBefore = slack.calls.length;
  // BullMQ runs the same job (same id, its data with the report's ts) once more.
  await job.retry('completed');
  await waitFor(
    'the second run completed',
    async () => {
      const again = await queue.getJob(job.id!);
      return again?.finishedOn && again.finishedOn !== finishedOn && (await again.getState()) === 'completed';
    },
    60_000,
  );
  const later = slack.calls.slice(callsBefore);
  assert.deepEqual(
    later.filter((c) => c.method === 'chat.update' && c.args.ts === report.ts).length,
    0,
    'neither a progress version nor a second final one was sent',
  );
  assert.equal(
    later.filter((c) => c.method === 'chat.postMessage' && c.args.channel === 'C0AGAIN').length,
    0,
  );
  assert.match(JSON.stringify(slack.message('C0AGAIN', report.ts)?.blocks), /triage took/);
});
