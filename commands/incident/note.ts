// /incident note <text>: a free-text entry on the timeline, by whoever wrote it.
import type { Incident } from '../../src/store/incidents.js';
import { escapeMrkdwn } from '../../src/slack/mrkdwn.js';
import { ephemeral, type IncidentContext, type IncidentOutcome } from './shared.js';

const MAX_NOTE = 3000;

export async function note(ctx: IncidentContext, incident: Incident): Promise<IncidentOutcome> {
  const { deps, command, ack } = ctx;
  const text = ctx.rest.trim();
  if (!text) {
    await ack(
      ephemeral(
        ':warning: `/incident note` needs the text of the note, e.g. `/incident note restarted with G.2X workers`.',
      ),
    );
    return 'invalid';
  }
  if (text.length > MAX_NOTE) {
    await ack(
      ephemeral(
        `:warning: The note is ${text.length} characters long; at most ${MAX_NOTE}. Nothing was added.`,
      ),
    );
    return 'invalid';
  }
  await deps.timeline.append(incident.id, { at: deps.now(), kind: 'note', actor: command.user_id, text });
  await ack(ephemeral(`:memo: Added to the timeline of *${escapeMrkdwn(incident.id)}*.`));
  return 'done';
}
