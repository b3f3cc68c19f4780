// The escalation timer survives a restart of both the bot and Redis: it is a delayed BullMQ job in
// a Redis that persists (append-only file), so stopping everything between opening the incident
// and the escalation time still escalates, exactly once.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { FakeSlack } from '../support/fake-slack/fake-slack.js';
import { testConfig } from '../support/medic.js';
import { sendSlashCommand } from '../support/slack-requests.js';
import { testPrefix } from '../support/services.js';
import { startRedisServer, type RedisServer } from '../support/redis-server.js';
import { startMedic, type Medic } from '../../src/bootstrap.js';
import { createLogger } from '../../src/logger.js';
import { IncidentStore } from '../../src/store/incidents.js';
import { Timeline } from '../../src/store/timeline.js';
import { escalationJobId } from '../../src/queue/escalation.js';
import { waitFor } from '../support/wait.js';

const YAML = `
slack:
  oncallSre: S0ONCALL
jobs:
  FastJob:
    dataOwner: U0OWNER
    escalateAfterMinutes: 5
`;

let redisServer: RedisServer;
let fake: FakeSlack;

before(async () => {
  redisServer = await startRedisServer({ appendonly: true });
  fake = await FakeSlack.start();
});

after(async () => {
  await fake.stop();
  await redisServer.destroy();
});

test('an escalation timer survives stopping the bot and Redis, and fires exactly once', async () => {
  const prefix = testPrefix('restart');
  const config = testConfig({ env: { REDIS_URL: redisServer.url }, yaml: YAML, slack: fake, prefix });
  const logger = createLogger({ level: 'silent' });
  // One escalation "minute" = 1 s: FastJob escalates 5 s after it opens (room for a slow machine to stop everything first).
  const start = () => startMedic(config, { logger, timings: { escalationMinuteMs: 1000 } });

  let medic: Medic = await start();
  const responseUrl = fake.newResponseUrl({ channelId: 'C0DATAOPS', userId: 'U0ONCALL' });
  const res = await sendSlashCommand(medic.url, config.env.SLACK_SIGNING_SECRET!, {
    command: '/incident',
    text: 'declare FastJob runs 3x slower --job FastJob',
    responseUrl,
  });
  assert.equal(res.status, 200);
  await fake.waitForResponse(responseUrl, 15_000);

  let redis = new Redis(redisServer.url, { maxRetriesPerRequest: null });
  let incidents = new IncidentStore(redis, prefix);
  const channel = [...fake.channels.values()].find(
    (c) => c.name.startsWith('inc-') && c.name.includes('fastjob'),
  );
  assert.ok(channel, 'incident channel created');
  const incident = await incidents.forChannel(channel.id);
  assert.ok(incident);
  let queue = new Queue('escalation', { connection: redis, prefix });
  assert.equal(await (await queue.getJob(escalationJobId(incident.id)))?.getState(), 'delayed');
  const escalations = () =>
    fake
      .callsTo('chat.postMessage')
      .filter((c) => c.args.channel === channel.id && /^Escalation:/.test(String(c.args.text)));
  assert.equal(escalations().length, 0, 'not escalated before the restart');

  // Everything goes down: the bot, then Redis (a clean shutdown syncs the append-only file).
  await queue.close();
  redis.disconnect();
  await medic.close();
  await redisServer.stop();
  assert.equal(escalations().length, 0, 'not escalated while stopping');

  await redisServer.start();
  medic = await start();
  try {
    redis = new Redis(redisServer.url, { maxRetriesPerRequest: null });
    incidents = new IncidentStore(redis, prefix);
    queue = new Queue('escalation', { connection: redis, prefix });
    await waitFor('the escalation after the restart', () => escalations().length >= 1);
    // Wait until the job is finished and recorded, then make sure nothing else was sent.
    await waitFor('the escalation job completed', async () => {
      const job = await queue.getJob(escalationJobId(incident.id));
      return (await job?.getState()) === 'completed';
    });
    await waitFor('the escalation recorded', async () =>
      Boolean((await incidents.get(incident.id))?.escalation?.doneAt),
    );
    assert.equal(escalations().length, 1);
    const dms = fake
      .callsTo('chat.postMessage')
      .filter(
        (c) => /^D/.test(String(c.args.channel)) && JSON.stringify(c.args.blocks).includes(incident.id),
      );
    assert.equal(dms.length, 1, 'one DM to the Data Owner');
    const entries = await new Timeline(redis, prefix).list(incident.id);
    assert.equal(entries.filter((e) => e.kind === 'escalation').length, 1);
    assert.equal((await incidents.get(incident.id))?.escalations, 1);
  } finally {
    await queue.close();
    redis.disconnect();
    await medic.close();
  }
});
