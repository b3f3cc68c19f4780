// The live checklist message of an incident: posted once in the incident channel (its ts kept in
// the incident's checklistTs), then updated in place. Always rendered from Redis.
//
// Concurrency: two refreshes (two clicks, or a click and the triage job ticking) may read the
// state at different moments and their chat.update calls may land in any order. Each refresh
// therefore re-reads the state after its update and renders again until what it rendered is
// what is stored: the last update to land is then always one rendered after the last write.
import type { WebClient } from '@slack/web-api';
import type { Logger } from '../logger.js';
import type { IncidentStore } from '../store/incidents.js';
import type { ChecklistStore, RunbookChecklist } from '../store/checklist-store.js';
import type { Checklist } from '../domain/checklist.js';
import { renderChecklist } from './blocks/checklist.js';
import { slackBlocks } from './blocks/kit.js';

export interface ChecklistMessageDeps {
  slack: WebClient;
  incidents: IncidentStore;
  checklists: ChecklistStore;
  logger: Logger;
}

const MAX_ROUNDS = 5;
const POST_CLAIM_MS = 15_000;

function stateKey(all: RunbookChecklist[]): string {
  return JSON.stringify(all.map((r) => [r.runbook.id, itemsKey(r.checklist)]));
}

/** The message of an incident's runbooks: the degradation checklist, then each further runbook. */
function render(incidentId: string, title: string | undefined, all: RunbookChecklist[]) {
  const [first, ...more] = all;
  return renderChecklist({
    incidentId,
    ...(title !== undefined ? { title } : {}),
    checklist: first!.checklist,
    more: more.map((r) => ({ runbookId: r.runbook.id, title: r.runbook.title, checklist: r.checklist })),
  });
}

function itemsKey(list: Checklist): unknown {
  return list.items.map((i) => [
    i.id,
    i.done,
    i.doneBy ?? '',
    i.doneAt?.getTime() ?? 0,
    i.updatedBy ?? '',
    i.updatedAt?.getTime() ?? 0,
    i.note ?? '',
  ]);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits (briefly) for another process that is posting the first checklist message to store its ts. */
async function waitForChecklistTs(
  deps: ChecklistMessageDeps,
  incidentId: string,
): Promise<string | undefined> {
  for (let i = 0; i < 50; i++) {
    await sleep(100);
    const inc = await deps.incidents.get(incidentId);
    if (inc?.checklistTs) return inc.checklistTs;
  }
  return undefined;
}

export async function refreshChecklistMessage(
  deps: { slack: WebClient; incidents: IncidentStore; checklists: ChecklistStore; logger: Logger },
  incidentId: string,
): Promise<void> {
  const incident = await deps.incidents.get(incidentId);
  if (!incident) {
    deps.logger.warn({ incidentId }, 'checklist refresh for an unknown incident');
    return;
  }
  let ts = incident.checklistTs;
  let rendered: string | undefined;
  if (!ts) {
    const claim = `checklist-post-${incidentId}`;
    if (await deps.incidents.claim(claim, POST_CLAIM_MS)) {
      try {
        const list = await deps.checklists.getAll(incidentId);
        const msg = render(incidentId, incident.title, list);
        const res = await deps.slack.chat.postMessage({
          channel: incident.channel,
          ...(incident.threadTs ? { thread_ts: incident.threadTs } : {}),
          text: msg.text,
          blocks: slackBlocks(msg.blocks),
        });
        ts = res.ts;
        rendered = stateKey(list);
        if (ts) {
          const posted = ts;
          await deps.incidents.update(incidentId, (i) =>
            i.checklistTs ? undefined : { ...i, checklistTs: posted },
          );
        }
      } finally {
        await deps.incidents.release(claim);
      }
    } else {
      ts = await waitForChecklistTs(deps, incidentId);
    }
    if (!ts) {
      deps.logger.warn({ incidentId }, 'checklist message not posted yet; skipping this refresh');
      return;
    }
  }
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const list = await deps.checklists.getAll(incidentId);
    const key = stateKey(list);
    if (key === rendered) return;
    const msg = render(incidentId, incident.title, list);
    await deps.slack.chat.update({
      channel: incident.channel,
      ts,
      text: msg.text,
      blocks: slackBlocks(msg.blocks),
    });
    rendered = key;
  }
  deps.logger.warn(
    { incidentId },
    'checklist kept changing while it was being rendered; the next click renders it again',
  );
}
