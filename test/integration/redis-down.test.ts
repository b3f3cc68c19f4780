// Redis stopped under a running bot: every slash command and every click is answered within
// Slack's 3 s with "unavailable" (never Bolt's 404, never a generic error), /readyz says 503 with
// the queue unavailable, /backfill opens no modal; once Redis is back, work is queued again.
// A redis-server of this test's own (its own port), stopped and started by the test.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestMedic, type TestMedic } from '../support/medic.js';
import { startRedisServer, type RedisServer } from '../support/redis-server.js';
import { sendBlockAction, sendSlashCommand } from '../support/slack-requests.js';
import { waitFor } from '../support/wait.js';
import { MONITOR_TRIAGE_ACTION_ID } from '../../src/slack/blocks/monitor-alert.js';
import { CHECKLIST_ACTION_ID } from '../../src/slack/blocks/checklist.js';
import { RETRY_ACTION_ID } from '../../src/slack/blocks/retry.js';

let redis: RedisServer;
let t: TestMedic;

const YAML = `
jobs:
  MyJob:
    input: s3://lake-raw/events/
    output: s3://lake-curated/events/
    stagingJob: MyJob-staging
`;

before(async () => {
  redis = await startRedisServer();
  // No processors: nothing runs; the queue alone is under test.
  t = await startTestMedic({ env: { REDIS_URL: redis.url }, yaml: YAML, start: { processors: {} } });
});
after(async () => {
  redis.resume();
  await t.stop().catch(() => {});
  await redis.destroy();
});

async function readyz(): Promise<{ status: number; body: Record<string, string> }> {
  const res = await fetch(`${t.url}/readyz`, { signal: AbortSignal.timeout(3000) });
  return { status: res.status, body: (await res.json()) as Record<string, string> };
}

const COMMANDS: [string, string][] = [
  ['/triage', 'MyJob'],
  ['/smallfiles', 's3://lake-raw/events/'],
  ['/incident', 'status'],
  ['/incident', 'status mitigating'],
  ['/incident', 'declare MyJob is slow --job MyJob'],
  ['/incident', 'note looking at the logs'],
  ['/incident', 'timeline'],
  ['/incident', 'checklist'],
  ['/incident', 'escalate'],
  ['/incident', 'resolve --cause skew'],
  ['/incident', 'postmortem'],
  ['/backfill', 'MyJob --from 2026-11-01 --to 2026-11-02'],
  ['/cost', 'MyJob'],
  ['/schema', 'MyJob'],
];

test('Redis stopped: every command and click is answered within 3 s and says it is unavailable', async (tc) => {
  const took: string[] = [];
  assert.equal((await readyz()).status, 200);
  await redis.stop();
  const down = await waitFor('/readyz to say 503', async () => {
    const r = await readyz();
    return r.status === 503 ? r : undefined;
  });
  assert.equal(down.body.queue, 'unavailable');

  for (const [command, text] of COMMANDS) {
    // The per-request timeout is Slack's deadline: a later answer fails the fetch.
    const started = performance.now();
    const res = await sendSlashCommand(
      t.url,
      t.secret,
      { command, text, channelId: 'C0DATAOPS', userId: 'U0ONCALL' },
      { timeoutMs: 3000 },
    );
    took.push(`${command} ${text.split(' ')[0]}: ${Math.round(performance.now() - started)} ms`);
    assert.equal(res.status, 200, `${command} ${text}`);
    const answer = res.body as { response_type?: string; text?: string };
    assert.equal(answer.response_type, 'ephemeral', `${command} ${text}: ${res.text}`);
    assert.match(answer.text ?? '', /unavailable/i, `${command} ${text}: ${answer.text}`);
  }
  assert.equal(t.slack.callsTo('views.open').length, 0, '/backfill opened no modal');
  // For the record (not asserted: the 3 s deadline above is the assertion).
  tc.diagnostic(`answer times with Redis down: ${took.join(', ')}`);

  const clicks = [
    { actionId: MONITOR_TRIAGE_ACTION_ID, value: 'MyJob' },
    {
      actionId: CHECKLIST_ACTION_ID,
      value: 'run-ids-logs',
      type: 'checkboxes' as const,
      selectedOptions: [],
    },
    { actionId: RETRY_ACTION_ID, value: JSON.stringify({ q: 'triage', id: 'triage-1' }) },
  ];
  for (const c of clicks) {
    const before = t.slack.ephemeralsFor('U0ONCALL', 'C0DATAOPS').length;
    const res = await sendBlockAction(
      t.url,
      t.secret,
      { ...c, userId: 'U0ONCALL', channelId: 'C0DATAOPS' },
      { timeoutMs: 3000 },
    );
    assert.equal(res.status, 200, c.actionId);
    const told = await waitFor(`an answer to ${c.actionId}`, () =>
      t.slack
        .ephemeralsFor('U0ONCALL', 'C0DATAOPS')
        .slice(before)
        .find((e) => e.text),
    );
    assert.match(told.text ?? '', /unavailable|cannot reach its queue/i, `${c.actionId}: ${told.text}`);
  }

  // Back up: ready again, and a command queues work.
  await redis.start();
  await waitFor('/readyz to say 200', async () => (await readyz()).status === 200);
  const res = await sendSlashCommand(
    t.url,
    t.secret,
    { command: '/triage', text: 'MyJob' },
    { timeoutMs: 3000 },
  );
  assert.match((res.body as { text?: string }).text ?? '', /Triage of `MyJob` queued/);
  assert.equal(await t.medic.producers.queue('triage').getWaitingCount(), 1);
});

test('Redis hung (the process frozen, connections open): answers still come within 3 s', async (tc) => {
  assert.equal((await readyz()).status, 200);
  redis.pause();
  try {
    const took: string[] = [];
    for (const [command, text] of [
      ['/triage', 'MyJob'],
      ['/incident', 'status'],
      ['/incident', 'declare Hung --job MyJob'],
      ['/smallfiles', 's3://lake-raw/events/'],
    ] as const) {
      const started = performance.now();
      const res = await sendSlashCommand(
        t.url,
        t.secret,
        { command, text, channelId: 'C0DATAOPS', userId: 'U0ONCALL' },
        { timeoutMs: 3000 },
      );
      took.push(`${command} ${text.split(' ')[0]}: ${Math.round(performance.now() - started)} ms`);
      assert.equal(res.status, 200);
      assert.match(
        (res.body as { text?: string }).text ?? '',
        /unavailable/i,
        `${command} ${text}: ${res.text}`,
      );
    }
    const ready = await readyz();
    assert.equal(ready.status, 503);
    assert.equal(ready.body.redis, 'unreachable');
    tc.diagnostic(`answer times with Redis frozen: ${took.join(', ')}`);
  } finally {
    redis.resume();
  }
  await waitFor('/readyz to say 200 again', async () => (await readyz()).status === 200);
});
