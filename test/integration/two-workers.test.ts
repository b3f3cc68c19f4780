// Two bot processes on one Redis (issue 19: Redis is the only shared state). Both run the Slack
// receiver and every worker (MEDIC_ROLE=all), as two replicas behind one load balancer would:
// a monitor tick, a triage asked of both at once and an approval clicked on both at once each
// happen exactly once.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { QueueEvents } from 'bullmq';
import { Redis } from 'ioredis';
import { startSimulator, type Simulator } from '../../sim/index.js';
import { FakeSlack } from '../support/fake-slack/fake-slack.js';
import type { FakeMessage } from '../support/fake-slack/types.js';
import { BOT_TOKEN, SIGNING_SECRET } from '../support/medic.js';
import { sendBlockAction, sendSlashCommand, sendViewSubmission } from '../support/slack-requests.js';
import { dropPrefix, redisUrl, testPrefix } from '../support/services.js';
import { waitFor } from '../support/wait.js';
import { approvalRequest, buttonValue, prefilled } from '../support/approvals.js';

const ALERTS = 'C0TWOALERTS';
const ROOM = 'C0TWOROOM';
const REQUESTER = 'U0ONCALL';
const APPROVER = 'U0APPROVER';
/** A monitor minute of 400 ms: everyMinutes 5 is a 2 s interval. */
const MINUTE_MS = 400;
const YAML = `
slack:
  approvers: [U0APPROVER]
monitor: { channel: ${ALERTS}, everyMinutes: 5, jobs: [MyJob], groupWindowMinutes: 0 }
jobs:
  MyJob:
    input: s3://lake-raw/events/
    compactionJob: MyJob-compaction
`;

let sim: Simulator;
let slack: FakeSlack;
let redis: Redis;
const listeners: QueueEvents[] = [];
const connections: Redis[] = [];
const prefix = testPrefix('two');
const bots: { child: ChildProcess; url: string }[] = [];
/** Every activation of a job, by queue and job id, across both processes. */
const activations = new Map<string, number>();

async function startBot(): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/support/worker-process.ts'], {
    env: {
      ...process.env,
      ...sim.env(),
      SLACK_BOT_TOKEN: BOT_TOKEN,
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_API_URL: slack.apiUrl,
      REDIS_URL: redisUrl(),
      MEDIC_PREFIX: prefix,
      MEDIC_ROLE: 'all',
      MEDIC_ENV: 'staging',
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      MEDIC_TEST_YAML: YAML,
      MEDIC_TEST_MONITOR_MINUTE_MS: String(MINUTE_MS),
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return await new Promise((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => {
      const m = /"event":"ready","port":(\d+)/.exec(d.toString());
      if (m) resolve({ child, url: `http://127.0.0.1:${m[1]}` });
    });
    child.once('exit', (code) => reject(new Error(`bot process exited ${code}`)));
  });
}

before(async () => {
  sim = await startSimulator({ speed: 1000 });
  slack = await FakeSlack.start();
  for (const id of [ALERTS, ROOM])
    slack.addChannel({ id, name: id.toLowerCase(), members: [REQUESTER, APPROVER] });
  redis = new Redis(redisUrl(), { maxRetriesPerRequest: null });
  for (const queue of ['monitor', 'triage', 'mitigation']) {
    const connection = redis.duplicate();
    connections.push(connection);
    const e = new QueueEvents(queue, { connection, prefix });
    e.on('active', ({ jobId }) => {
      const k = `${queue}:${jobId}`;
      activations.set(k, (activations.get(k) ?? 0) + 1);
    });
    await e.waitUntilReady();
    listeners.push(e);
  }
  bots.push(...(await Promise.all([startBot(), startBot()])));
});

after(async () => {
  for (const b of bots) {
    b.child.kill('SIGTERM');
    // A process that does not stop within its grace is killed (the test is over either way).
    setTimeout(() => b.child.kill('SIGKILL'), 15_000).unref();
  }
  await Promise.all(
    bots.map((b) => new Promise((r) => (b.child.exitCode !== null ? r(null) : b.child.once('exit', r)))),
  );
  await Promise.all(listeners.map((e) => e.close()));
  for (const c of connections) c.disconnect();
  await dropPrefix(prefix);
  redis.disconnect();
  await slack.stop();
  await sim.stop();
});

const json = (m: FakeMessage | undefined): string => JSON.stringify(m?.blocks ?? []) + '\n' + (m?.text ?? '');
const of = (queue: string) => [...activations.entries()].filter(([k]) => k.startsWith(`${queue}:`));

test('a monitor tick is evaluated once, by one of the two processes, and alerts once', async () => {
  // Three scheduler slots of MyJob, each activated exactly once across both processes.
  await waitFor(
    'three monitor ticks',
    () => of('monitor').filter(([k]) => k.includes(':repeat:monitor-MyJob:')).length >= 3,
    60_000,
  );
  const ticks = of('monitor').filter(([k]) => k.includes(':repeat:monitor-MyJob:'));
  assert.ok(
    ticks.every(([, n]) => n === 1),
    `each tick once: ${JSON.stringify(ticks)}`,
  );
  // MyJob is DEGRADED: one alert, not one per process or per tick.
  const alerts = slack.topLevel(ALERTS).filter((m) => /^DEGRADED/.test(m.text) && m.text.includes('MyJob'));
  assert.equal(alerts.length, 1);
});

test('/triage sent to both processes at once: one triage, one report', async () => {
  const before = sim
    .requests({ service: 'glue', operation: 'GetJob' })
    .filter((r) => r.params.JobName === 'MyJob').length;
  const res = await Promise.all(
    bots.map((b) =>
      sendSlashCommand(b.url, SIGNING_SECRET, {
        command: '/triage',
        text: 'MyJob',
        channelId: ROOM,
        userId: REQUESTER,
      }),
    ),
  );
  assert.ok(res.every((r) => r.status === 200));
  const report = await waitFor(
    'the triage report',
    () => slack.topLevel(ROOM).find((m) => /triage took/.test(json(m))),
    60_000,
  );
  assert.ok(report);
  assert.equal(slack.topLevel(ROOM).filter((m) => /MyJob/.test(m.text) && /triage/i.test(json(m))).length, 1);
  const triages = of('triage');
  assert.equal(triages.length, 1, `one triage job: ${JSON.stringify(triages)}`);
  assert.equal(triages[0]![1], 1, 'activated once');
  const gets = sim
    .requests({ service: 'glue', operation: 'GetJob' })
    .filter((r) => r.params.JobName === 'MyJob').length;
  assert.equal(gets - before, 1, 'the job was read by one triage only');
});

test('an approval clicked on both processes at once runs the mitigation exactly once', async () => {
  const report = slack.topLevel(ROOM).find((m) => /triage took/.test(json(m)))!;
  const raw = buttonValue(report, 'medic.mitigation.request.compaction');
  assert.ok(raw, 'a compaction button on the report');
  const triggerId = slack.newTriggerId(REQUESTER);
  await sendBlockAction(bots[0]!.url, SIGNING_SECRET, {
    actionId: 'medic.mitigation.request.compaction',
    value: raw,
    userId: REQUESTER,
    channelId: ROOM,
    triggerId,
  });
  const open = await slack.waitFor('views.open', (c) => c.args.trigger_id === triggerId);
  const view = open.args.view as {
    callback_id: string;
    private_metadata: string;
    blocks: Record<string, unknown>[];
  };
  const reason = 'two-workers: small files';
  const sub = await sendViewSubmission(bots[1]!.url, SIGNING_SECRET, {
    callbackId: view.callback_id,
    userId: REQUESTER,
    values: prefilled(view, { reason: { value: reason } }),
    privateMetadata: view.private_metadata,
  });
  assert.equal(sub.text, '', `the modal closes: ${sub.text}`);
  const { message: request, approvalId } = await approvalRequest(slack, ROOM, reason);
  assert.ok(approvalId);
  await Promise.all(
    bots.map((b) =>
      sendBlockAction(b.url, SIGNING_SECRET, {
        actionId: 'medic.mitigation.approve',
        value: approvalId,
        userId: APPROVER,
        channelId: ROOM,
        messageTs: request.ts,
      }),
    ),
  );
  await waitFor(
    'the compaction run started',
    () =>
      sim
        .requests({ service: 'glue', operation: 'StartJobRun' })
        .some((r) => r.params.JobName === 'MyJob-compaction'),
    60_000,
  );
  await waitFor('the mitigation job done', () => of('mitigation').length >= 1, 30_000);
  const starts = sim
    .requests({ service: 'glue', operation: 'StartJobRun' })
    .filter((r) => r.params.JobName === 'MyJob-compaction');
  assert.equal(starts.length, 1, 'one StartJobRun for two clicks on two processes');
  assert.ok(
    of('mitigation').every(([, n]) => n === 1),
    `each mitigation job once: ${JSON.stringify(of('mitigation'))}`,
  );
});
