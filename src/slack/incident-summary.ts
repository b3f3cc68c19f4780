// The pinned incident summary: updated in place whenever the incident changes (status, escalation,
// resolution), always rendered from the stored record.
import type { WebClient } from '@slack/web-api';
import type { Logger } from '../logger.js';
import type { IncidentStore } from '../store/incidents.js';
import type { ChecklistStore } from '../store/checklist-store.js';
import { renderIncidentSummary } from './blocks/incident.js';
import { slackBlocks } from './blocks/kit.js';

export async function refreshIncidentSummary(
  deps: { slack: WebClient; incidents: IncidentStore; checklists: ChecklistStore; logger: Logger },
  incidentId: string,
): Promise<void> {
  const incident = await deps.incidents.get(incidentId);
  if (!incident?.summaryTs) return;
  const checklist = await deps.checklists.get(incidentId);
  const msg = renderIncidentSummary(incident, { checklist });
  try {
    await deps.slack.chat.update({
      channel: incident.channel,
      ts: incident.summaryTs,
      text: msg.text,
      blocks: slackBlocks(msg.blocks),
    });
  } catch (err) {
    deps.logger.warn({ err, incidentId }, 'could not update the incident summary');
  }
}
