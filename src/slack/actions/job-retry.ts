// medic.job.retry: the Retry button of a message whose work failed for good (jobs/final-state.ts,
// a triage that kept being throttled). It re-enqueues the same work: the failed job's own data,
// read from the queue (the button carries only the queue and the job id), so the retry updates
// the same message. The job must belong to the channel the click came from; two clicks within a
// minute are one retry.
import type { App, BlockAction, ButtonAction } from '@slack/bolt';
import type { Deps } from '../../deps.js';
import { errorId } from '../../logger.js';
import { QueueUnavailableError } from '../../queue/producers.js';
import { stableId, type PayloadOf } from '../../queue/payloads.js';
import { RETRY_ACTION_ID, decodeRetryValue } from '../blocks/retry.js';
import { messageOf } from '../../queue/job-message.js';
import { ephemeral } from './mitigation-shared.js';
import { isRedisUnavailable, REDIS_UNAVAILABLE } from '../../queue/unavailable.js';

export type RetryOutcome = 'queued' | 'duplicate' | 'running' | 'stale' | 'unavailable';

export const STALE_RETRY =
  ':information_source: This Retry button is out of date (the work it would repeat is gone or belongs elsewhere); nothing was started. Run the command again instead.';

export function registerJobRetry(app: App, deps: Deps): void {
  app.action<BlockAction>({ action_id: RETRY_ACTION_ID }, async ({ ack, body }) => {
    await ack();
    const channel = body.channel?.id ?? body.container?.channel_id;
    try {
      await handleRetry(deps, body, channel);
    } catch (err) {
      const id = errorId();
      deps.logger.error({ err, errorId: id, user: body.user.id }, 'retry button failed');
      await ephemeral(
        deps,
        channel,
        body.user.id,
        isRedisUnavailable(err)
          ? REDIS_UNAVAILABLE
          : `:warning: The retry could not be started (error id \`${id}\`); nothing was started.`,
      );
    }
  });
}

export async function handleRetry(
  deps: Deps,
  body: BlockAction,
  channel: string | undefined,
): Promise<RetryOutcome> {
  const user = body.user.id;
  const target = decodeRetryValue((body.actions?.[0] as ButtonAction | undefined)?.value);
  const tell = (text: string) => ephemeral(deps, channel, user, text);
  if (!target || !channel) {
    await tell(STALE_RETRY);
    return 'stale';
  }
  const queue = deps.producers.queue(target.queue);
  const job = await queue.getJob(target.jobId);
  const where = job ? await messageOf(deps, target.queue, job.data as Record<string, unknown>) : undefined;
  if (!job || !where || where.channel !== channel) {
    await tell(STALE_RETRY);
    return 'stale';
  }
  const state = await job.getState();
  if (state === 'active' || state === 'waiting' || state === 'delayed' || state === 'prioritized') {
    await tell(`:hourglass_flowing_sand: ${where.what} is already running; its message will update.`);
    return 'running';
  }
  try {
    const res = await deps.producers.enqueue(target.queue, job.data as PayloadOf<typeof target.queue>, {
      dedupId: stableId('retry', target.queue, target.jobId),
      dedupTtlMs: 60_000,
    });
    deps.logger.info({ queue: target.queue, from: target.jobId, to: res.jobId, user }, 'work retried');
    await tell(
      res.created
        ? `:repeat: ${where.what} is running again; its message will update.`
        : `:hourglass_flowing_sand: ${where.what} was just retried; its message will update.`,
    );
    return res.created ? 'queued' : 'duplicate';
  } catch (err) {
    if (!(err instanceof QueueUnavailableError)) throw err;
    await tell(REDIS_UNAVAILABLE);
    return 'unavailable';
  }
}
