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
