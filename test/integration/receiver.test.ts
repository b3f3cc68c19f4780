// The front door through the real Bolt receiver: signed requests in, acks and queued jobs out.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { startTestMedic, type TestMedic } from '../support/medic.js';
import { sendSlashCommand, nowSec } from '../support/slack-requests.js';
import { freePort, redisUrl } from '../support/services.js';

let t: TestMedic;
let redis: Redis;
let triageQueue: Queue;

before(async () => {
  // No processors: jobs stay in the queue where the test can count them.
  t = await startTestMedic({ start: { processors: {} } });
  redis = new Redis(redisUrl(), { maxRetriesPerRequest: null });
  triageQueue = new Queue('triage', { connection: redis, prefix: t.prefix });
});

after(async () => {
  await triageQueue.close();
  redis.disconnect();
  await t.stop();
});

async function queuedTriageJobs(): Promise<number> {
  const counts = await triageQueue.getJobCounts('waiting', 'active', 'delayed', 'completed', 'failed');
  return Object.values(counts).reduce((a, b) => a + b, 0);
}

function ephemeralText(body: unknown): string {
  const b = body as { response_type?: string; text?: string };
  assert.equal(b.response_type, 'ephemeral', 'answers are ephemeral');
  return b.text ?? '';
}

test('the HTTP receiver listens on HOST only (127.0.0.1 here), with the health routes beside /slack/events', async () => {
  const port = Number(new URL(t.url).port);
  assert.equal((await fetch(`http://127.0.0.1:${port}/healthz`)).status, 200);
  const other = await fetch(`http://127.0.0.2:${port}/healthz`).then(
    () => 'answered',
    (err: Error) => String((err.cause as { code?: string } | undefined)?.code ?? err.message),
  );
  assert.equal(other, 'ECONNREFUSED');
});

test('signed /triage help → 200 with the usage, nothing queued', async () => {
  const res = await sendSlashCommand(t.url, t.secret, { command: '/triage', text: 'help' });
  assert.equal(res.status, 200);
  const text = ephemeralText(res.body);
  assert.match(text, /Usage:\*? `\/triage <job>/);
  assert.match(text, /--threshold PCT/);
  assert.equal(await queuedTriageJobs(), 0);
});

test('a bad signature is refused with 401', async () => {
  const res = await sendSlashCommand(
    t.url,
    t.secret,
    { command: '/triage', text: 'MyJob' },
    { signature: 'v0=' + '0'.repeat(64) },
  );
  assert.equal(res.status, 401);
  const other = await sendSlashCommand(t.url, 'not-the-secret', { command: '/triage', text: 'MyJob' });
  assert.equal(other.status, 401);
  assert.equal(await queuedTriageJobs(), 0);
});

test('a timestamp older than 5 minutes is refused with 401', async () => {
  const res = await sendSlashCommand(
    t.url,
    t.secret,
    { command: '/triage', text: 'MyJob' },
    { timestampSec: nowSec() - 6 * 60 },
  );
  assert.equal(res.status, 401);
  assert.equal(await queuedTriageJobs(), 0);
});

const invalid: [string, string, RegExp][] = [
  ['empty', '', /missing &lt;job&gt;/],
  ['only spaces', '   ', /missing &lt;job&gt;/],
  ['a job name over 255 characters', 'J'.repeat(256), /256 characters long; at most 255/],
  ['control characters', 'My\u0001Job', /control characters/],
  ['an unknown flag', 'MyJob --frobnicate 3', /unknown option --frobnicate/],
  ['non-numeric --runs', 'MyJob --runs many', /--runs needs a whole number/],
  ['--threshold 0', 'MyJob --threshold 0', /--threshold must be at least 1/],
  ['--threshold 1001', 'MyJob --threshold 1001', /--threshold must be at most 1000/],
  ['--threshold without a value', 'MyJob --threshold', /--threshold needs a value/],
  ['an unknown provider', 'MyJob --provider emr', /--provider must be one of glue, synapse/],
  ['an unterminated quote', 'MyJob --input "s3://a/b', /unterminated quote/],
  ['a bad --input', 'MyJob --input ftp://x/y', /--input must be an s3:\/\//],
  ['two job names', 'MyJob OtherJob', /unexpected argument "OtherJob"/],
  ['--input with an uppercase bucket', 'MyJob --input s3://UPPER/x', /--input: S3 bucket name "UPPER"/],
  ['--input with a too short bucket', 'MyJob --input s3://b/..', /--input: S3 bucket name "b"/],
  ['--input climbing with ..', 'MyJob --input s3://lake-raw/../x', /must not contain "\." or "\.\." path/],
];

for (const [what, text, expected] of invalid) {
  test(`/triage with ${what} → ephemeral error with the usage, no job`, async () => {
    const res = await sendSlashCommand(t.url, t.secret, { command: '/triage', text });
    assert.equal(res.status, 200);
    const answer = ephemeralText(res.body);
    assert.match(answer, expected);
    assert.match(answer, /Nothing was started/);
    assert.match(answer, /Usage:/);
    assert.equal(await queuedTriageJobs(), 0);
  });
}

test('user text echoed in an error is escaped for mrkdwn', async () => {
  const res = await sendSlashCommand(t.url, t.secret, { command: '/triage', text: 'MyJob --<!channel> 1' });
  const answer = ephemeralText(res.body);
  assert.ok(!answer.includes('<!channel>'), 'no raw mention survives');
  assert.match(answer, /&lt;!channel&gt;/);
});

test('a 10 kB argument is quoted cut to 200 characters, without bidi controls', async () => {
  const res = await sendSlashCommand(t.url, t.secret, {
    command: '/triage',
    text: `MyJob ${'\u202e'}${'y'.repeat(10_000)}`,
  });
  const answer = ephemeralText(res.body);
  assert.match(answer, /unexpected argument "y{199}…"/);
  assert.ok(!answer.includes('\u202e'), 'no bidi override echoed');
  assert.ok(answer.length < 2000, `a short answer (${answer.length} characters)`);
  assert.equal(await queuedTriageJobs(), 0);
});

for (const [window, expected] of [
  ['--from 0000-01-01 --to 0000-01-02', /--from 0000-01-01 is before 2000/],
  ['--from 2099-01-01 --to 2099-01-02', /--from 2099-01-01 is more than a year ahead/],
] as const) {
  test(`/backfill ${window} is refused at once`, async () => {
    const res = await sendSlashCommand(t.url, t.secret, { command: '/backfill', text: `MyJob ${window}` });
    const answer = ephemeralText(res.body);
    assert.match(answer, expected);
    assert.match(answer, /Nothing was started/);
  });
}

test('the same /triage MyJob twice in one channel → one job, the second told it is running', async () => {
  const first = await sendSlashCommand(t.url, t.secret, {
    command: '/triage',
    text: 'MyJob',
    channelId: 'C0DUPE',
  });
  const second = await sendSlashCommand(t.url, t.secret, {
    command: '/triage',
    text: 'MyJob --threshold 50',
    channelId: 'C0DUPE',
  });
  assert.match(ephemeralText(first.body), /Triage of `MyJob` queued/);
  assert.match(ephemeralText(second.body), /already running in this channel/);
  const jobs = await triageQueue.getJobs(['waiting', 'active', 'delayed']);
  const mine = jobs.filter(
    (j) => (j.data as { requester: { channelId: string } }).requester.channelId === 'C0DUPE',
  );
  assert.equal(mine.length, 1);
  assert.equal((mine[0]!.data as { job: string }).job, 'MyJob');
  // Another channel is another triage.
  await sendSlashCommand(t.url, t.secret, { command: '/triage', text: 'MyJob', channelId: 'C0OTHER' });
  assert.equal((await triageQueue.getJobs(['waiting'])).length, 2);
});

test('a valid /triage carries the flags and the requester, and no secrets, in the job', async () => {
  await sendSlashCommand(t.url, t.secret, {
    command: '/triage',
    text: 'SkewJob --runs 50 --threshold 45.5 --consecutive 2 --input "s3://lake-raw/skew/"',
    channelId: 'C0FLAGS',
    userId: 'U0ONCALL',
  });
  const jobs = await triageQueue.getJobs(['waiting']);
  const job = jobs.find(
    (j) => (j.data as { requester: { channelId: string } }).requester.channelId === 'C0FLAGS',
  );
  assert.ok(job, 'job queued');
  assert.equal(job.data.job, 'SkewJob');
  assert.equal(job.data.runs, 50);
  assert.equal(job.data.thresholdPct, 45.5);
  assert.equal(job.data.consecutiveRuns, 2);
  assert.equal(job.data.input, 's3://lake-raw/skew/');
  assert.deepEqual(job.data.requester, { userId: 'U0ONCALL', channelId: 'C0FLAGS', teamId: 'T0MEDIC' });
  const raw = JSON.stringify(job.data);
  assert.ok(!raw.includes('response') && !raw.includes('xoxb-'), 'no response_url or token in job data');
});

test('/healthz, /readyz and /metrics answer', async () => {
  const health = await fetch(`${t.url}/healthz`);
  assert.equal(health.status, 200);
  const ready = await fetch(`${t.url}/readyz`);
  assert.equal(ready.status, 200);
  assert.equal(((await ready.json()) as { redis: string }).redis, 'ok');
  const metrics = await (await fetch(`${t.url}/metrics`)).text();
  assert.match(metrics, /medic_commands_total\{command="triage",outcome="invalid"\} \d+/);
  assert.match(metrics, /medic_ack_latency_seconds_bucket/);
});

test('Redis down at a slash command → "the queue is unavailable, nothing was started"', async () => {
  const dead = `redis://127.0.0.1:${await freePort()}`;
  const down = await startTestMedic({ env: { REDIS_URL: dead, MEDIC_ROLE: 'web' } });
  try {
    const res = await sendSlashCommand(down.url, down.secret, { command: '/triage', text: 'MyJob' });
    assert.equal(res.status, 200);
    assert.match(ephemeralText(res.body), /The queue is unavailable, nothing was started/);
    const ready = await fetch(`${down.url}/readyz`);
    assert.equal(ready.status, 503);
    assert.equal(((await ready.json()) as { redis: string }).redis, 'unreachable');
  } finally {
    await down.stop().catch(() => {});
  }
});

test('a storage URL with a query string (a SAS token) is refused, never queued', async () => {
  const sas = 'https://acct.blob.core.windows.net/c/p?sv=2024&sig=SECRETSIG';
  const r1 = await sendSlashCommand(t.url, t.secret, {
    command: '/triage',
    text: `MyJob --input ${sas}`,
    channelId: 'C0SAS',
  });
  assert.match(ephemeralText(r1.body), /without a query string/);
  const r2 = await sendSlashCommand(t.url, t.secret, {
    command: '/smallfiles',
    text: sas,
    channelId: 'C0SAS',
  });
  assert.match(ephemeralText(r2.body), /without a query string/);
  const jobs = [
    ...(await triageQueue.getJobs(['waiting'])),
    ...(await t.medic.producers.queue('smallfiles').getJobs(['waiting', 'active', 'completed', 'failed'])),
  ];
  assert.ok(!jobs.some((j) => JSON.stringify(j.data).includes('SECRETSIG')));
  assert.equal((await t.medic.producers.queue('smallfiles').getJobCounts('waiting')).waiting, 0);
});
