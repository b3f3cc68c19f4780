// The line the AWS failed-jobs alarm counts (infra/aws: a CloudWatch metric filter on
// {"msg":"job failed","final":true}) is the line a real worker writes when a job has no attempts
// left — and a retried attempt does not write it.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { Queue, UnrecoverableError } from 'bullmq';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { startWorkers } from '../../src/queue/workers.js';
import { FAILED_JOB_LINE } from '../../infra/aws/medic-stack.js';
import { dropPrefix, redisUrl, testPrefix } from '../support/services.js';

const prefix = testPrefix('failedlog');
const connection = new Redis(redisUrl(), { maxRetriesPerRequest: null });
const producer = new Redis(redisUrl(), { maxRetriesPerRequest: null });

after(async () => {
  connection.disconnect();
  producer.disconnect();
  await dropPrefix(prefix);
});

test('a job with no attempts left logs {"msg":"job failed","final":true}; a retried attempt does not', async () => {
  const stream = new PassThrough();
  const lines: Record<string, unknown>[] = [];
  let seen: () => void = () => {};
  const finalSeen = new Promise<void>((r) => (seen = r));
  stream.on('data', (chunk: Buffer) => {
    for (const text of chunk.toString().split('\n').filter(Boolean)) {
      const line = JSON.parse(text) as Record<string, unknown>;
      lines.push(line);
      if (line.final === true) seen();
    }
  });
  const logger = pino({ level: 'info' }, stream);
  const workers = startWorkers({
    connection,
    prefix,
    logger,
    processors: {
      escalation: async (job) => {
        if (job.attemptsMade === 0) throw new Error('first attempt fails, retried');
        throw new UnrecoverableError('second attempt fails for good');
      },
    },
  });
  const queue = new Queue('escalation', { connection: producer, prefix });
  await queue.add(
    'escalation',
    { incidentId: 'inc-20260101-x-1', reason: 'manual' },
    { attempts: 3, backoff: 0 },
  );
  await finalSeen;
  await workers.close();
  await queue.close();

  const failures = lines.filter(
    (l) => l.queue === 'escalation' && typeof l.msg === 'string' && /failed/.test(l.msg),
  );
  const counted = failures.filter((l) => l.msg === FAILED_JOB_LINE.msg && l.final === FAILED_JOB_LINE.final);
  assert.equal(counted.length, 1, JSON.stringify(failures));
  assert.ok(
    failures.some((l) => l.final === false && l.msg !== FAILED_JOB_LINE.msg),
    'the retried attempt is logged differently',
  );
});
