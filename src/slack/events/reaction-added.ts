// :pushpin: on any message in an incident channel puts that message on the timeline: at the
// message's own time, with its permalink. The same message pinned twice (or the event delivered
// twice by Slack's retries) is one entry: the dedup key is channel + ts.
import type { App } from '@slack/bolt';
import type { Deps } from '../../deps.js';
import { truncate } from '../mrkdwn.js';
import { decodeSlackText } from '../../../commands/args.js';

export const PIN_REACTIONS = new Set(['pushpin', 'round_pushpin']);

export interface PinEvent {
  user: string;
  reaction: string;
  item: { type: string; channel?: string; ts?: string };
  item_user?: string;
}

/** Returns true when a timeline entry was added. */
export async function recordPin(deps: Deps, event: PinEvent): Promise<boolean> {
  if (!PIN_REACTIONS.has(event.reaction) || event.item.type !== 'message') return false;
  const { channel, ts } = event.item;
  if (!channel || !ts) return false;
  // The incident whose report, checklist or summary was pinned; else the channel's only open one
  // (with several open and nothing to tell them apart, the pin is not put on any).
  const open = await deps.incidents.openInChannel(channel);
  const incident =
    open.find((i) => [i.reportTs, i.checklistTs, i.summaryTs].includes(ts)) ??
    (open.length === 1 ? open[0] : undefined);
  if (!incident) return false;
  const [permalink, text] = await Promise.all([
    deps.slack.chat
      .getPermalink({ channel, message_ts: ts })
      .then((r) => r.permalink)
      .catch(() => undefined),
    deps.slack.conversations
      .replies({ channel, ts, limit: 1, inclusive: true })
      .then((r) => r.messages?.find((m) => m.ts === ts)?.text)
      .catch(() => undefined),
  ]);
  const author = event.item_user ? `<@${event.item_user}>` : 'a message';
  // Message text is Slack mrkdwn already (entities encoded); decode so the timeline escapes it once.
  const quoted = text ? `: "${truncate(decodeSlackText(text).replace(/\s+/g, ' '), 300)}"` : '';
  return await deps.timeline.append(
    incident.id,
    {
      at: Math.round(Number(ts) * 1000),
      kind: 'pin',
      actor: event.user,
      text: `Pinned message from ${author}${quoted}`,
      ...(permalink ? { link: permalink } : {}),
    },
    `pin-${channel}-${ts}`,
  );
}

export function registerReactionAdded(app: App, deps: Deps): void {
  app.event('reaction_added', async ({ event }) => {
    try {
      const e = event as unknown as PinEvent;
      const added = await recordPin(deps, e);
      deps.logger.debug({ channel: e.item?.channel, ts: e.item?.ts, added }, 'reaction handled');
    } catch (err) {
      deps.logger.error(
        { err, channel: (event as unknown as PinEvent).item?.channel },
        'recording a :pushpin: failed',
      );
    }
  });
}
