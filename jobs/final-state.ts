// Work never stays "Triaging…": when a job's last attempt throws, its Slack message is put in a
// final state (what failed, how often it was tried, a Retry button). While BullMQ still retries,
// the processors that own a message say so themselves ("retrying, attempt 2 of 3"). Processors that end their message
// themselves (a triage whose platform kept throttling, a scan, a backfill step) return normally
// and never reach these hooks; these are for everything else that throws (a bug, Redis or Slack
// failing mid-work), and for a job BullMQ fails without running it after its workers died on it
// too often (`lost`: src/queue/workers.ts isLostJob).
import type { Job } from 'bullmq';
import type { Deps } from '../src/deps.js';
import type { QueueName } from '../src/queue/names.js';
import type { AttemptHookSet } from '../src/queue/workers.js';
import { messageOf, type JobData } from '../src/queue/job-message.js';
import { renderJobFailure } from '../src/slack/blocks/retry.js';
import { slackBlocks } from '../src/slack/blocks/kit.js';
import { escapeMrkdwn } from '../src/slack/mrkdwn.js';
import { redactSecrets } from '../src/domain/redact.js';
import { settleLostStormTriage } from './triage.js';

function reasonOf(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  return redactSecrets(msg).slice(0, 300);
}

/** Post the final state: replace the job's own message, or reply in the thread of the one it updates. */
async function showFailure(deps: Deps, queue: QueueName, job: Job, err: unknown, attempts: number) {
  const m = await messageOf(deps, queue, job.data as JobData);
  if (!m) return;
  if (queue === 'monitor') {
    // A scheduled evaluation that keeps failing says so once an hour, not every few minutes.
    const key = `${deps.config.env.MEDIC_PREFIX}:monitor-failed-notice:${String((job.data as JobData).job)}`;
    if ((await deps.state.set(key, '1', 'EX', 3600, 'NX')) !== 'OK') return;
  }
  const msg = renderJobFailure({
    title: `${m.plain} could not finish`,
    lines: [
      `${m.what} failed: ${escapeMrkdwn(reasonOf(err))}`,
      ...(m.own ? [] : ['What was done before the failure stays done and is shown above.']),
    ],
    target: { queue, jobId: String(job.id) },
    attempts,
  });
  if (m.own && m.ts) {
    await deps.slack.chat.update({
      channel: m.channel,
      ts: m.ts,
      text: msg.text,
      blocks: slackBlocks(msg.blocks),
    });
    return;
  }
  await deps.slack.chat.postMessage({
    channel: m.channel,
    ...(m.ts ? { thread_ts: m.ts } : {}),
    text: msg.text,
    blocks: slackBlocks(msg.blocks),
    unfurl_links: false,
  });
}

const KINDS: QueueName[] = ['triage', 'smallfiles', 'cost', 'schema', 'mitigation', 'backfill', 'monitor'];

export function attemptHooks(deps: Deps): AttemptHookSet {
  const hooks: AttemptHookSet = {};
  for (const q of KINDS) {
    hooks[q] = {
      failed: (job, err, attempts) => showFailure(deps, q, job, err, attempts),
      // Failed by BullMQ after its workers died on it (src/queue/workers.ts isLostJob): no attempt
      // reached `failed`. A storm triage's row is settled too, so the checklists are not held back.
      lost: async (job, err) => {
        const why = new Error(
          `the workers running it stopped (died or froze) before it finished, more often than the queue allows (BullMQ: ${err instanceof Error ? err.message : String(err)})`,
        );
        if (q === 'triage') await settleLostStormTriage(deps, job, why);
        await showFailure(deps, q, job, why, Math.max(1, job.attemptsStarted ?? job.attemptsMade));
      },
    };
  }
  return hooks;
}
