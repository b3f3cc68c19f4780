// The Retry button every kind of work ends with when its last attempt failed, and the
// "retrying, attempt 2 of 3" note shown while BullMQ still retries. The button's value names the
// queue and the failed job only; the click (src/slack/actions/job-retry.ts) reads the job's own
// data from the queue and checks it belongs to the channel clicked in, so a forged value can
// re-run nothing but work that was already asked for in that channel.
import { QUEUE_NAMES, type QueueName } from '../../queue/names.js';
import { actions, button, context, header, section, type Block } from './kit.js';
import { escapeMrkdwn } from '../mrkdwn.js';

export const RETRY_ACTION_ID = 'medic.job.retry';
export const RETRY_BLOCK_ID = 'medic-job-retry';

export interface RetryTarget {
  queue: QueueName;
  jobId: string;
}

export function encodeRetryValue(t: RetryTarget): string {
  return JSON.stringify({ q: t.queue, id: t.jobId });
}

export function decodeRetryValue(value: string | undefined): RetryTarget | undefined {
  if (!value || value.length > 500) return undefined;
  try {
    const v = JSON.parse(value) as { q?: unknown; id?: unknown };
    if (typeof v.q !== 'string' || !(QUEUE_NAMES as readonly string[]).includes(v.q)) return undefined;
    if (typeof v.id !== 'string' || !/^[A-Za-z0-9._-]{1,300}$/.test(v.id)) return undefined;
    return { queue: v.q as QueueName, jobId: v.id };
  } catch {
    return undefined;
  }
}

export function retryActions(t: RetryTarget): Block {
  return actions(
    [button({ text: 'Retry', actionId: RETRY_ACTION_ID, value: encodeRetryValue(t), style: 'primary' })],
    RETRY_BLOCK_ID,
  );
}

/** "retrying, attempt 2 of 3" while BullMQ has attempts left (attempt = the one coming next). */
export function retryingNote(nextAttempt: number, attempts: number, reason: string): string {
  return `:hourglass_flowing_sand: ${escapeMrkdwn(reason)}; retrying, attempt ${nextAttempt} of ${attempts}.`;
}

/**
 * A message's final state when its work failed for good: what failed, what it got, Retry.
 * `title` is plain text (escaped here for the fallback); `lines` are mrkdwn the caller escaped.
 */
export function renderJobFailure(opts: {
  title: string;
  lines: string[];
  target?: RetryTarget;
  attempts: number;
}): { text: string; blocks: Block[] } {
  const blocks: Block[] = [
    header(opts.title.slice(0, 150)),
    section(opts.lines.join('\n') || ' '),
    context(
      `Tried ${opts.attempts} time${opts.attempts === 1 ? '' : 's'}; nothing more will happen on its own.${opts.target ? ' *Retry* runs the same work again.' : ''}`,
    ),
  ];
  if (opts.target) blocks.push(retryActions(opts.target));
  return { text: `:x: ${escapeMrkdwn(opts.title)}`, blocks };
}
