// /incident timeline: the newest page of the timeline in the channel (40 entries a message, an
// "Older" button pages back) and the whole timeline as a Markdown file in its thread.
import type { Incident } from '../../src/store/incidents.js';
import { renderTimelinePage, TIMELINE_PAGE_SIZE } from '../../src/slack/blocks/incident.js';
import { namesForEntries } from '../../src/slack/user-names.js';
import { timelineMarkdown } from '../../src/domain/postmortem.js';
import { escapeMrkdwn } from '../../src/slack/mrkdwn.js';
import { afterAck, ephemeral, recordCommand, type IncidentContext, type IncidentOutcome } from './shared.js';
import { slackBlocks } from '../../src/slack/blocks/kit.js';

export async function timeline(ctx: IncidentContext, incident: Incident): Promise<IncidentOutcome> {
  const { deps, ack } = ctx;
  await ack(
    ephemeral(`:scroll: Posting the timeline of *${escapeMrkdwn(incident.id)}* and its Markdown export…`),
  );
  await afterAck(ctx, 'timeline', async () => {
    await recordCommand(ctx, incident);
    const entries = await deps.timeline.list(incident.id);
    const names = await namesForEntries(deps.slack, entries);
    const page = renderTimelinePage(incident, entries, 0, TIMELINE_PAGE_SIZE, names);
    const posted = await deps.slack.chat.postMessage({
      channel: incident.channel,
      text: page.text,
      blocks: slackBlocks(page.blocks),
    });
    await deps.slack.files.uploadV2({
      channel_id: incident.channel,
      thread_ts: posted.ts ?? '',
      filename: `timeline-${incident.id}.md`,
      title: `Timeline of ${incident.id}`,
      content: timelineMarkdown(incident, entries, names),
      snippet_type: 'markdown',
    });
  });
  return 'done';
}
