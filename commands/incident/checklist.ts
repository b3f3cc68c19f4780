// /incident checklist: brings the channel's live checklist message up to date (posting it if it
// was never posted) and points to it.
import type { Incident } from '../../src/store/incidents.js';
import { refreshChecklistMessage } from '../../src/slack/checklist-message.js';
import { escapeMrkdwn, link } from '../../src/slack/mrkdwn.js';
import { checklistProgress } from '../../src/domain/checklist.js';
import {
  afterAck,
  ephemeral,
  recordCommand,
  reply,
  type IncidentContext,
  type IncidentOutcome,
} from './shared.js';

export async function checklist(ctx: IncidentContext, incident: Incident): Promise<IncidentOutcome> {
  const { deps, ack } = ctx;
  await ack(ephemeral(`:ballot_box_with_check: Refreshing the checklist of *${escapeMrkdwn(incident.id)}*…`));
  await afterAck(ctx, 'checklist', async () => {
    await recordCommand(ctx, incident);
    await refreshChecklistMessage(deps, incident.id);
    const fresh = await deps.incidents.get(incident.id);
    const p = checklistProgress(await deps.checklists.get(incident.id));
    let where = '';
    if (fresh?.checklistTs) {
      const permalink = await deps.slack.chat
        .getPermalink({ channel: fresh.channel, message_ts: fresh.checklistTs })
        .then((r) => r.permalink)
        .catch(() => undefined);
      where = permalink ? ` ${link(permalink, 'Open the checklist')}.` : '';
    }
    await reply(ctx, `:ballot_box_with_check: ${p.done}/${p.total} done.${where}`);
  });
  return 'done';
}
