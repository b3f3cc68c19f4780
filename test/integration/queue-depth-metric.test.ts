// /metrics reports the jobs waiting in each queue, read from Redis at scrape time: the gauge the
// AWS worker service scales on (infra/aws) — waiting and prioritized count, delayed timers do not.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { startTestMedic, type TestMedic } from '../support/medic.js';
import { redisUrl } from '../support/services.js';

let t: TestMedic;
let redis: Redis;
let triage: Queue;
let monitor: Queue;

before(async () => {
  // No processors: what is added stays waiting.
  t = await startTestMedic({ start: { processors: {} } });
  redis = new Redis(redisUrl(), { maxRetriesPerRequest: null });
  triage = new Queue('triage', { connection: redis, prefix: t.prefix });
  monitor = new Queue('monitor', { connection: redis, prefix: t.prefix });
});

after(async () => {
  await triage.close();
  await monitor.close();
  redis.disconnect();
  await t.stop();
});

const waiting = (text: string, queue: string): number | undefined => {
  const m = new RegExp(`^medic_queue_waiting_jobs\\{queue="${queue}"\\} (\\d+)$`, 'm').exec(text);
  return m ? Number(m[1]) : undefined;
};

test('medic_queue_waiting_jobs counts waiting and prioritized jobs per queue, not delayed ones', async () => {
  const before = await (await fetch(`${t.url}/metrics`)).text();
  assert.equal(waiting(before, 'triage'), 0);
  assert.equal(waiting(before, 'backfill'), 0);

  await triage.add('triage', { n: 1 });
  await triage.add('triage', { n: 2 });
  await triage.add('triage', { n: 3 }, { priority: 5 });
  await triage.add('triage', { n: 4 }, { delay: 3_600_000 });
  await monitor.add('monitor', { n: 1 });

  const text = await (await fetch(`${t.url}/metrics`)).text();
  assert.equal(waiting(text, 'triage'), 3);
  assert.equal(waiting(text, 'monitor'), 1);
  assert.equal(waiting(text, 'escalation'), 0);
});
