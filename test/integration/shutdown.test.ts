// SIGTERM while a job is active: the process waits for the job to finish, then exits 0; nothing
// is lost. Runs a real child process with the same shutdown code as src/main.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { dropPrefix, redisUrl, testPrefix } from '../support/services.js';

test('SIGTERM during an active job: the job finishes, the process exits 0, nothing is lost', async () => {
  const prefix = testPrefix('shutdown');
  const redis = new Redis(redisUrl(), { maxRetriesPerRequest: null });
  const queue = new Queue('triage', { connection: redis, prefix });
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/support/slow-worker-process.ts'], {
    env: {
      ...process.env,
      MEDIC_ROLE: 'worker',
      MEDIC_SANDBOX: 'true',
      MEDIC_PREFIX: prefix,
      REDIS_URL: redisUrl(),
      PORT: '0',
      HOST: '127.0.0.1',
      SLOW_MS: '1500',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const events: { event: string; jobId?: string }[] = [];
  const waiters: [string, () => void][] = [];
  createInterface({ input: child.stdout! }).on('line', (line) => {
    if (!line.startsWith('{"event"')) return;
    const e = JSON.parse(line) as { event: string };
    events.push(e);
    for (const [name, fn] of waiters) if (name === e.event) fn();
  });
  const waitEvent = (name: string) =>
    events.some((e) => e.event === name)
      ? Promise.resolve()
      : new Promise<void>((r) => waiters.push([name, r]));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  try {
    await waitEvent('ready');
    const job = await queue.add(
      'triage',
      { job: 'MyJob', requester: { userId: 'U0ONCALL', channelId: 'C0DATAOPS' }, requestedAt: Date.now() },
      { attempts: 3 },
    );
    await waitEvent('started');
    child.kill('SIGTERM');
    const code = await exited;
    assert.equal(code, 0, 'clean exit');
    const names = events.map((e) => e.event);
    assert.ok(names.indexOf('finished') > names.indexOf('started'), 'the active job finished before exit');
    const state = await queue.getJobState(job.id!);
    assert.equal(state, 'completed');
    const counts = await queue.getJobCounts('waiting', 'active', 'failed', 'completed');
    assert.deepEqual(counts, { waiting: 0, active: 0, failed: 0, completed: 1 });
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
    await queue.close();
    redis.disconnect();
    await dropPrefix(prefix);
  }
});
