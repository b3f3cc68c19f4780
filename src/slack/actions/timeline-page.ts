// medic.timeline.page / medic.timeline.newer: page the timeline message in place.
import type { App, BlockAction, ButtonAction } from '@slack/bolt';
import type { Deps } from '../../deps.js';
import { errorId } from '../../logger.js';
import {
  renderTimelinePage,
  TIMELINE_NEWER_ACTION_ID,
  TIMELINE_PAGE_ACTION_ID,
  TIMELINE_PAGE_SIZE,
} from '../blocks/incident.js';
import { namesForEntries } from '../user-names.js';
import { slackBlocks } from '../blocks/kit.js';

export function registerTimelinePage(app: App, deps: Deps): void {
  for (const actionId of [TIMELINE_PAGE_ACTION_ID, TIMELINE_NEWER_ACTION_ID]) {
    app.action<BlockAction>({ action_id: actionId }, async ({ ack, body }) => {
      await ack();
      try {
        const value = JSON.parse((body.actions[0] as ButtonAction).value ?? '{}') as {
          i?: string;
          p?: number;
        };
        const incident = value.i ? await deps.incidents.get(value.i) : undefined;
        const channel = body.channel?.id ?? body.container?.channel_id;
        const ts = body.message?.ts ?? body.container?.message_ts;
        if (!incident || !channel || !ts) return;
        const entries = await deps.timeline.list(incident.id);
        const names = await namesForEntries(deps.slack, entries);
        const page = renderTimelinePage(incident, entries, Number(value.p) || 0, TIMELINE_PAGE_SIZE, names);
        await deps.slack.chat.update({ channel, ts, text: page.text, blocks: slackBlocks(page.blocks) });
      } catch (err) {
        deps.logger.error({ err, errorId: errorId(), user: body.user.id }, 'timeline paging failed');
      }
    });
  }
}
