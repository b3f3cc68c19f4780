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
  // `/incident checklist <runbook>` attaches a standard or medic.yml runbook to the incident.
  const runbookId = ctx.rest.trim();
  if (runbookId && !deps.checklists.runbook(runbookId)) {
    await ack(
      ephemeral(
        `:warning: No runbook \`${runbookId.replace(/[`<>&]/g, '').slice(0, 40)}\`; the runbooks are ${deps.checklists
          .runbookIds()
          .map((id) => `\`${id}\``)
          .join(', ')} (medic.yml \`runbooks:\` adds more).`,
      ),
    );
    return 'invalid';
  }
  await ack(ephemeral(`:ballot_box_with_check: Refreshing the checklist of *${escapeMrkdwn(incident.id)}*…`));
  await afterAck(ctx, 'checklist', async () => {
    await recordCommand(ctx, incident);
    if (runbookId && (await deps.checklists.attach(incident.id, runbookId, deps.now())))
      await deps.timeline.append(incident.id, {
        at: deps.now(),
        kind: 'checklist',
        actor: ctx.command.user_id,
        text: `Runbook attached: ${deps.checklists.runbook(runbookId)!.title}`,
      });
    await refreshChecklistMessage(deps, incident.id);
    const fresh = await deps.incidents.get(incident.id);
    const all = await deps.checklists.getAll(incident.id);
    let where = '';
    if (fresh?.checklistTs) {
      const permalink = await deps.slack.chat
        .getPermalink({ channel: fresh.channel, message_ts: fresh.checklistTs })
        .then((r) => r.permalink)
        .catch(() => undefined);
      where = permalink ? ` ${link(permalink, 'Open the checklist')}.` : '';
    }
    // One line per runbook the incident carries; the first is the runbook's own "Checklist rápida".
    const lines = all.map(({ runbook, checklist }, i) => {
      const p = checklistProgress(checklist);
      return i === 0
        ? `:ballot_box_with_check: ${p.done}/${p.total} done.${where}`
        : `• Runbook *${escapeMrkdwn(runbook.title)}*: ${p.done}/${p.total} done`;
    });
    await reply(ctx, lines.join('\n'));
  });
  return 'done';
}
