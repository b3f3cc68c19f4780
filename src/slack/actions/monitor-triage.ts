// "Triage now" on a monitor alert (medic.monitor.triage, value = job): enqueues the same triage
// `/triage <job>` would in that channel, with the same deduplication id, so a click and a slash
// command (or two clicks) within 60 s are one triage. The clicker gets an ephemeral answer. When
// the channel holds another job's open incident it asks first, as /triage does ("Add to INC-…" /
// "Open a new incident", src/slack/actions/incident-choice.ts): the alert never takes it over.
// Pressed on a storm's group message, the triage reports there instead (its row, then the full
// report in the thread): see jobs/triage.ts. Its row says "queued" from the next render on.
import type { App, BlockAction, ButtonAction } from '@slack/bolt';
import type { Deps } from '../../deps.js';
import { errorId } from '../../logger.js';
import { QueueUnavailableError } from '../../queue/producers.js';
import { stableId, TriagePayload } from '../../queue/payloads.js';
import { code } from '../mrkdwn.js';
import { MONITOR_TRIAGE_ACTION_ID } from '../blocks/monitor-alert.js';
import { renderTriageQuestion } from '../blocks/incident-choice.js';
import { slackBlocks } from '../blocks/kit.js';
import { otherJobsIncidents, saveTriageAsk } from './incident-choice.js';
import { groupOfMessage, setGroupTriage } from '../alert-group-message.js';

export type MonitorTriageOutcome = 'queued' | 'duplicate' | 'invalid' | 'unavailable' | 'asked';

export function registerMonitorTriage(app: App, deps: Deps): void {
  app.action<BlockAction>({ action_id: MONITOR_TRIAGE_ACTION_ID }, async ({ ack, body }) => {
    await ack();
    try {
      await handleMonitorTriage(deps, body);
    } catch (err) {
      deps.logger.error({ err, errorId: errorId(), user: body.user.id }, 'monitor triage button failed');
    }
  });
}

export async function handleMonitorTriage(deps: Deps, body: BlockAction): Promise<MonitorTriageOutcome> {
  const job = (body.actions[0] as ButtonAction | undefined)?.value ?? '';
  const channel = body.channel?.id ?? body.container?.channel_id;
  const user = body.user.id;
  const messageTs = body.message?.ts ?? body.container?.message_ts;
  const groupId =
    channel && typeof messageTs === 'string' ? await stormGroupOf(deps, channel, messageTs) : undefined;
  const parsed = TriagePayload.safeParse({
    job,
    requester: { userId: user, channelId: channel, ...(body.team?.id ? { teamId: body.team.id } : {}) },
    requestedAt: deps.now(),
    ...(groupId && typeof messageTs === 'string' ? { group: { id: groupId, ts: messageTs } } : {}),
  });
  if (!parsed.success || !channel) {
    deps.logger.warn({ user, channel }, 'monitor triage button with an invalid job or channel');
    return 'invalid';
  }
  const tell = (text: string) =>
    deps.slack.chat
      .postEphemeral({ channel, user, text })
      .catch((err: unknown) => deps.logger.warn({ err, channel, user }, 'ephemeral answer failed'));
  const payload = parsed.data;
  // Another job's incident is open here: never take it over, ask. Not on a storm's group message:
  // its jobs' incidents are the storm's own (one per degraded job, checklists in its thread), and
  // 20 clicks must not become 19 questions.
  const others = payload.group ? [] : await otherJobsIncidents(deps, channel, job);
  if (others.length) {
    try {
      const askId = await saveTriageAsk(deps, payload);
      const q = renderTriageQuestion(job, others, askId);
      await deps.slack.chat.postEphemeral({ channel, user, text: q.text, blocks: slackBlocks(q.blocks) });
      return 'asked';
    } catch (err) {
      deps.logger.warn({ err, channel }, 'could not ask about the incident; triaging apart');
      payload.incident = { mode: 'new' };
    }
  }
  try {
    const res = await deps.producers.enqueue('triage', payload, {
      dedupId: stableId('triage', channel, job),
      dedupTtlMs: 60_000,
    });
    // The listener's Slack client is not the paced one: the worker that starts it renders the row.
    if (res.created && parsed.data.group)
      await setGroupTriage(
        deps,
        channel,
        parsed.data.group.id,
        job,
        { state: 'queued', requestedAt: parsed.data.requestedAt },
        deps.logger,
        {
          render: false,
        },
      ).catch((err: unknown) => deps.logger.warn({ err }, 'could not mark the group row queued'));
    await tell(
      parsed.data.group
        ? res.created
          ? `:mag: Triage of ${code(job)} queued; its verdict will show on its row of the storm message, and the full report in that message's thread.`
          : `:hourglass_flowing_sand: A triage of ${code(job)} is already running; its verdict will show on the storm message and its report in the thread.`
        : res.created
          ? `:mag: Triage of ${code(job)} queued; the report will appear in this channel in a few seconds.`
          : `:hourglass_flowing_sand: A triage of ${code(job)} is already running in this channel; its report will appear here.`,
    );
    return res.created ? 'queued' : 'duplicate';
  } catch (err) {
    if (!(err instanceof QueueUnavailableError)) throw err;
    deps.logger.error({ err, user }, 'could not enqueue triage from the monitor');
    await tell(
      ':warning: The bot cannot reach its queue right now, so nothing was started. Try again in a minute.',
    );
    return 'unavailable';
  }
}

/**
 * The storm group whose message this click came from, if any. Never in the way of the answer: with
 * Redis not ready or not answering the click is treated as one on a job's own alert, and the
 * enqueue that follows tells the user the queue is unavailable.
 */
async function stormGroupOf(deps: Deps, channel: string, messageTs: string): Promise<string | undefined> {
  if (deps.state.status !== 'ready') return undefined;
  try {
    return await groupOfMessage(deps, channel, messageTs);
  } catch (err) {
    deps.logger.warn({ err, channel }, 'could not tell whether the click came from a storm message');
    return undefined;
  }
}
