// Worker bootstrap: one BullMQ Worker per queue with a processor, payloads parsed before the
// processor runs (a malformed job fails once, unrecoverably), metrics and logs on every outcome.
import { Worker, UnrecoverableError, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics.js';
import { QUEUE_CONCURRENCY, type QueueName } from './names.js';
import { PAYLOADS, type PayloadOf } from './payloads.js';

export type Processor<Q extends QueueName> = (
  job: Job<PayloadOf<Q>>,
  log: Logger,
  token?: string,
) => Promise<unknown>;

export type Processors = { [Q in QueueName]?: Processor<Q> };

export interface WorkerSet {
  workers: Worker[];
  /** True when every worker is running (for /readyz). */
  running(): boolean;
  close(): Promise<void>;
}

export function startWorkers(opts: {
  connection: Redis;
  prefix: string;
  processors: Processors;
  logger: Logger;
  metrics?: Metrics;
  concurrency?: Partial<Record<QueueName, number>>;
}): WorkerSet {
  const workers: Worker[] = [];
  for (const [name, processor] of Object.entries(opts.processors) as [QueueName, Processor<QueueName>][]) {
    if (!processor) continue;
    const worker = new Worker(
      name,
      async (job: Job, token?: string) => {
        const log = opts.logger.child({ queue: name, jobId: job.id, attempt: job.attemptsMade + 1 });
        const parsed = PAYLOADS[name].safeParse(job.data);
        if (!parsed.success) {
          log.error({ issues: parsed.error.issues }, 'malformed job payload');
          throw new UnrecoverableError(`malformed ${name} payload`);
        }
        const end = opts.metrics?.jobDuration.startTimer({ queue: name });
        try {
          const result = await processor(job as Job<never>, log, token);
          end?.({ outcome: 'completed' });
          return result;
        } catch (err) {
          end?.({ outcome: 'failed' });
          throw err;
        }
      },
      {
        connection: opts.connection,
        prefix: opts.prefix,
        concurrency: opts.concurrency?.[name] ?? QUEUE_CONCURRENCY[name],
      },
    );
    worker.on('error', (err) => opts.logger.error({ err, queue: name }, 'worker error'));
    worker.on('failed', (job, err) => {
      const final = !job || job.attemptsMade >= (job.opts.attempts ?? 1) || err instanceof UnrecoverableError;
      opts.metrics?.jobFailures.inc({ queue: name, final: String(final) });
      opts.logger.warn(
        { err, queue: name, jobId: job?.id, final },
        final ? 'job failed' : 'job attempt failed, will retry',
      );
    });
    opts.metrics?.workersRunning.set({ queue: name }, 1);
    workers.push(worker);
  }
  return {
    workers,
    running: () => workers.every((w) => w.isRunning()),
    async close() {
      // close() waits for active jobs to finish; a job that cannot finish goes back to waiting
      // when its lock expires, so nothing is lost.
      await Promise.all(workers.map((w) => w.close()));
      for (const w of workers) opts.metrics?.workersRunning.set({ queue: w.name }, 0);
    },
  };
}
