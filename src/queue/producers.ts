// Producers: the only way work gets onto a queue. Adding fails fast (no offline queue, bounded
// wait) so a slash command can tell the user at once that nothing was started.
import { randomUUID } from 'node:crypto';
import { Queue, type JobsOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import { QUEUE_NAMES, type QueueName } from './names.js';
import { PAYLOADS, type PayloadOf } from './payloads.js';

export const DEFAULT_JOB_OPTIONS: JobsOptions = {
  attempts: 3,
  backoff: { type: 'exponential', delay: 2000 },
  removeOnComplete: { count: 1000, age: 7 * 24 * 3600 },
  removeOnFail: { count: 5000, age: 30 * 24 * 3600 },
};

/** Redis did not take the job: nothing was enqueued (or we cannot be sure it was). */
export class QueueUnavailableError extends Error {
  override readonly name = 'QueueUnavailableError';
  readonly code = 'QUEUE_UNAVAILABLE';
  constructor(queue: string, cause: unknown) {
    super(`queue ${queue} is unavailable`, { cause });
  }
}

export interface EnqueueResult {
  jobId: string;
  /** false when an identical job (same deduplication id) was already queued or running. */
  created: boolean;
}

export class Producers {
  private readonly queues = new Map<QueueName, Queue>();

  constructor(
    private readonly connection: Redis,
    private readonly prefix: string,
    private readonly addTimeoutMs = 1500,
    onError: (err: Error, queue: QueueName) => void = () => {},
  ) {
    for (const name of QUEUE_NAMES) {
      const queue = new Queue(name, { connection, prefix, defaultJobOptions: DEFAULT_JOB_OPTIONS });
      // Without a listener BullMQ prints connection errors to stderr; ours go to the log.
      queue.on('error', (err) => onError(err, name));
      this.queues.set(name, queue);
    }
  }

  /** True when the queues' connection is up (an enqueue now can succeed). */
  ready(): boolean {
    return this.connection.status === 'ready';
  }

  queue(name: QueueName): Queue {
    const q = this.queues.get(name);
    if (!q) throw new Error(`unknown queue ${name}`);
    return q;
  }

  /**
   * Validate and enqueue. `dedupId` + `dedupTtlMs` make repeated requests one job (a double
   * submit or Slack's retry); `jobId` makes the job itself idempotent.
   */
  async enqueue<Q extends QueueName>(
    name: Q,
    data: PayloadOf<Q>,
    opts: {
      jobId?: string;
      dedupId?: string;
      dedupTtlMs?: number;
      delayMs?: number;
      /** BullMQ priority (1 is the highest; jobs without one go before every prioritized job). */
      priority?: number;
    } = {},
  ): Promise<EnqueueResult> {
    const payload = PAYLOADS[name].parse(data);
    const queue = this.queue(name);
    if (this.connection.status !== 'ready') {
      // With no offline queue, a connection that is not ready cannot take the job.
      throw new QueueUnavailableError(name, new Error(`redis connection is ${this.connection.status}`));
    }
    const jobOpts: JobsOptions = {};
    // With a deduplication id, give the job an id of our own: BullMQ answers a taken
    // deduplication id with the existing job's id, so "created" is one comparison, with no
    // extra round trip in the ack path (and no race between a check and the add).
    if (opts.jobId) jobOpts.jobId = opts.jobId;
    else if (opts.dedupId) jobOpts.jobId = `${name}-${randomUUID()}`;
    if (opts.delayMs) jobOpts.delay = opts.delayMs;
    if (opts.priority) jobOpts.priority = opts.priority;
    if (opts.dedupId) jobOpts.deduplication = { id: opts.dedupId, ttl: opts.dedupTtlMs ?? 60_000 };
    let timer: NodeJS.Timeout | undefined;
    try {
      const work = queue.add(name, payload, jobOpts).then((job) => ({
        jobId: job.id ?? '',
        created: !opts.dedupId || job.id === jobOpts.jobId,
      }));
      return await Promise.race([
        work,
        new Promise<never>((_, reject) => {
          timer = setTimeout(
            () => reject(new Error(`no answer from redis in ${this.addTimeoutMs} ms`)),
            this.addTimeoutMs,
          );
        }),
      ]);
    } catch (err) {
      throw new QueueUnavailableError(name, err);
    } finally {
      if (timer) clearTimeout(timer);
    }
  }

  async close(): Promise<void> {
    await Promise.all([...this.queues.values()].map((q) => q.close()));
  }
}
