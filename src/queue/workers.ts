// Worker bootstrap: one BullMQ Worker per queue with a processor, payloads parsed before the
// processor runs (a malformed job fails once, unrecoverably), metrics and logs on every outcome.
import {
  DelayedError,
  RateLimitError,
  UnrecoverableError,
  WaitingChildrenError,
  WaitingError,
  Worker,
  type Job,
} from 'bullmq';
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

/**
 * What a queue's work does with its Slack message when an attempt throws: `retrying` while
 * BullMQ has attempts left (say so), `failed` on the last one (a final state with Retry). A
 * processor that ends its message itself returns normally instead of throwing.
 */
export interface AttemptHooks {
  retrying?(job: Job, err: unknown, nextAttempt: number, attempts: number): Promise<void>;
  failed?(job: Job, err: unknown, attempts: number): Promise<void>;
  /**
   * BullMQ failed the job without running the processor (see isLostJob): its worker died mid-work
   * more often than BullMQ allows, so no attempt ever reached `failed`. The same final state is due.
   */
  lost?(job: Job, err: unknown): Promise<void>;
}

/**
 * A job BullMQ fails without calling the processor: one that stalled (its worker died or froze
 * holding it) more than `maxStalledCount` times is marked with a deferred failure and failed by the
 * next worker to fetch it ("job stalled more than allowable limit"); likewise past
 * `maxStartedAttempts`. No processor ran for that attempt, so the `failed` hook did not either.
 */
export function isLostJob(job: Job | undefined, err: unknown): boolean {
  if (!job || !(err instanceof UnrecoverableError)) return false;
  return (
    (job.deferredFailure !== undefined && err.message === job.deferredFailure) ||
    err.message === 'job started more than allowable limit'
  );
}

export type AttemptHookSet = Partial<Record<QueueName, AttemptHooks>>;

/** BullMQ's control-flow errors (a job re-queued delayed, waiting children…) are not failures. */
export function isControlFlowError(err: unknown): boolean {
  return (
    err instanceof DelayedError ||
    err instanceof WaitingChildrenError ||
    err instanceof WaitingError ||
    err instanceof RateLimitError
  );
}

/** True when this attempt is the job's last: no retry follows a throw. */
export function isLastAttempt(job: Job, err?: unknown): boolean {
  return err instanceof UnrecoverableError || job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
}

const FINAL_SHOWN = Symbol('medic.finalShown');

/**
 * A processor that put its message in its final state itself, then throws to fail the job (a scan
 * that found no bucket): the `failed` hook leaves that message alone.
 */
export function markFinalShown<E>(err: E): E {
  if (err && typeof err === 'object') (err as Record<symbol, unknown>)[FINAL_SHOWN] = true;
  return err;
}

export function isFinalShown(err: unknown): boolean {
  return Boolean(err && typeof err === 'object' && (err as Record<symbol, unknown>)[FINAL_SHOWN]);
}

/** A hook gets 15 s: it posts one Slack message, and must not hold the worker on a dead Slack. */
const HOOK_TIMEOUT_MS = 15_000;

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
  hooks?: AttemptHookSet;
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
          const hooks = opts.hooks?.[name];
          if (hooks && !isControlFlowError(err)) {
            const attempts = job.opts.attempts ?? 1;
            const hook = isLastAttempt(job, err)
              ? isFinalShown(err)
                ? undefined
                : hooks.failed?.(job, err, job.attemptsMade + 1)
              : hooks.retrying?.(job, err, job.attemptsMade + 2, attempts);
            let timer: NodeJS.Timeout | undefined;
            await Promise.race([
              Promise.resolve(hook).catch((e: unknown) =>
                log.warn({ err: e }, 'could not put the message in its failed or retrying state'),
              ),
              new Promise<void>((r) => (timer = setTimeout(r, HOOK_TIMEOUT_MS))),
            ]).finally(() => clearTimeout(timer));
          }
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
      const lost = opts.hooks?.[name]?.lost;
      if (job && lost && isLostJob(job, err)) {
        let timer: NodeJS.Timeout | undefined;
        void Promise.race([
          lost(job, err).catch((e: unknown) =>
            opts.logger.warn(
              { err: e, queue: name, jobId: job.id },
              'could not put a lost job’s message in its final state',
            ),
          ),
          new Promise<void>((r) => (timer = setTimeout(r, HOOK_TIMEOUT_MS))),
        ]).finally(() => clearTimeout(timer));
      }
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
