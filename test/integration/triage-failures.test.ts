// /triage when things go wrong: access denied, throttling, unreachable logs, and a job attempt
// that dies after posting — the retry updates the same message.
import { test, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { startSimulator, type Simulator } from '../../sim/index.js';
import { startTestMedic, type TestMedic } from '../support/medic.js';
import { sendSlashCommand } from '../support/slack-requests.js';
import type { FakeMessage } from '../support/fake-slack/types.js';
import { waitFor } from '../support/wait.js';

let sim: Simulator;
let t: TestMedic;

before(async () => {
  sim = await startSimulator();
  for (const [k, v] of Object.entries(sim.env())) process.env[k] = v;
  t = await startTestMedic({ env: sim.env(), yaml: 'jobs:\n  MyJob:\n    input: s3://lake-raw/events/\n' });
});
afterEach(() => sim.setFaults([]));
after(async () => {
  await t.stop();
  await sim.stop();
});

const text = (m: FakeMessage) => JSON.stringify(m.blocks ?? []) + '\n' + (m.text ?? '');

async function triage(job: string, channel: string, done: RegExp = /triage took/): Promise<string> {
  t.slack.addChannel({ id: channel, name: channel.toLowerCase(), members: ['U0ONCALL'] });
  await sendSlashCommand(t.url, t.secret, { command: '/triage', text: job, channelId: channel });
  const m = await waitFor(
    () => `the final report in ${channel}: ${t.slack.topLevel(channel).map(text).join('\n')}`,
    () => t.slack.topLevel(channel).find((x) => done.test(text(x))),
    60_000,
  );
  return text(m);
}

test('access denied to the runs names the IAM action to grant', async () => {
  sim.setFaults([{ service: 'glue', operation: 'GetJobRuns', error: 'denied' }]);
  const body = await triage('MyJob', 'C0DENIED', /Access denied/);
  assert.match(body, /glue:GetJobRuns/);
  assert.match(body, /least-privilege IAM policy/);
});

test('logs unreachable: the report is still posted and says what is missing', async () => {
  sim.setFaults([{ service: 'logs', error: 'denied' }]);
  const body = await triage('MyJob', 'C0NOLOGS');
  assert.match(body, /DEGRADED: MyJob/);
  assert.match(body, /Missing: .*access denied \(logs:FilterLogEvents\)/);
  // Findings still come from the rest of the evidence.
  assert.match(body, /Probable causes/);
});

test('throttling is retried and the report says data was slowed', async () => {
  sim.setFaults([{ service: 'glue', operation: 'GetJobRuns', error: 'throttle', count: 2 }]);
  const body = await triage('MyJob', 'C0THROTTLE');
  assert.match(body, /DEGRADED: MyJob/);
  assert.match(body, /throttled some requests; data was slowed, not lost/);
  const attempts = sim.requests({ service: 'glue', operation: 'GetJobRuns' }).length;
  assert.ok(attempts >= 3, `GetJobRuns retried (${attempts} requests)`);
});

test('a job attempt that fails after posting: the retry updates the same message, never a second report', async () => {
  // The first chat.update after the report is posted fails: the attempt throws, BullMQ retries it.
  t.slack.injectError('chat.update', { error: 'internal_error', times: 1 });
  const body = await triage('HealthyJob', 'C0RETRY');
  assert.match(body, /HEALTHY: HealthyJob/);
  const reports = t.slack
    .topLevel('C0RETRY')
    .filter((m) => /HealthyJob/.test(text(m)) && !/checklist/i.test(text(m)));
  assert.equal(reports.length, 1, 'one report message');
  const failedUpdates = t.slack.calls.filter((c) => c.method === 'chat.update' && c.response?.ok === false);
  assert.ok(failedUpdates.length >= 1, 'the injected failure happened');
  // …and /metrics counted it as a Slack API error of that method.
  const metrics = await t.medic.metrics.registry.metrics();
  assert.match(metrics, /medic_slack_api_errors_total\{method="chat\.update",error="internal_error"\} [1-9]/);
});

test('a job name that tries to ping the channel is shown, never sent as a mention', async () => {
  const channel = 'C0FORGE';
  t.slack.addChannel({ id: channel, name: 'c0forge', members: ['U0ONCALL'] });
  // Slack sends what the user typed entity-encoded.
  await sendSlashCommand(t.url, t.secret, {
    command: '/triage',
    text: '&lt;!channel&gt;',
    channelId: channel,
  });
  const body = await waitFor(
    'the "no such job" answer',
    () => {
      const all = t.slack.topLevel(channel).map(text).join('\n');
      return /No Glue job named/.test(all) ? all : undefined;
    },
    60_000,
  );
  assert.match(body, /No Glue job named/);
  // Every mrkdwn string and the top-level text (plain_text never renders mentions).
  const mrkdwn: string[] = [];
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      if (o.type === 'mrkdwn' && typeof o.text === 'string') mrkdwn.push(o.text);
      Object.values(o).forEach(walk);
    }
  };
  const calls = t.slack.calls.filter(
    (c) => ['chat.postMessage', 'chat.update'].includes(c.method) && c.args.channel === channel,
  );
  assert.ok(calls.length > 0);
  for (const c of calls) {
    mrkdwn.push(String(c.args.text ?? ''));
    walk(typeof c.args.blocks === 'string' ? JSON.parse(c.args.blocks) : c.args.blocks);
  }
  for (const s of mrkdwn) assert.ok(!s.includes('<!channel>'), `no raw mention in ${s.slice(0, 200)}`);
});
