// Attaching a standard runbook to an incident (src/domain/runbooks.ts): the flow that finds its
// case (a breaking schema change, missing partitions, a failed backfill) calls this. The runbook's
// checklist joins the live checklist message, the evidence it already has is ticked by the bot,
// and each step lands on the timeline (and so in the post-mortem).
import type { Deps } from '../deps.js';
import { refreshChecklistMessage } from './checklist-message.js';

export async function attachRunbook(
  deps: Pick<Deps, 'checklists' | 'timeline' | 'incidents' | 'slack' | 'logger' | 'now'>,
  incidentId: string,
  runbookId: string,
  opts: { reason: string; tick?: { item: string; note: string }[] },
): Promise<{ attached: boolean; ticked: string[] }> {
  const runbook = deps.checklists.runbook(runbookId);
  if (!runbook) {
    deps.logger.warn({ incidentId, runbookId }, 'unknown runbook; not attached');
    return { attached: false, ticked: [] };
  }
  const at = deps.now();
  const attached = await deps.checklists.attach(incidentId, runbookId, at);
  if (attached)
    await deps.timeline.append(incidentId, {
      at,
      kind: 'checklist',
      actor: 'medic',
      text: `Runbook attached: ${runbook.title} (${opts.reason})`,
    });
  const ticked: string[] = [];
  for (const t of opts.tick ?? []) {
    if (!(await deps.checklists.tickRunbookItem(incidentId, runbookId, t.item, { note: t.note, at })))
      continue;
    ticked.push(t.item);
    const label = runbook.items.find((i) => i.id === t.item)?.label ?? t.item;
    await deps.timeline.append(incidentId, {
      at,
      kind: 'checklist',
      actor: 'medic',
      text: `Checklist ticked (${runbook.title}): ${label} (${t.note})`,
    });
  }
  if (attached || ticked.length)
    await refreshChecklistMessage(deps, incidentId).catch((err: unknown) =>
      deps.logger.warn({ err, incidentId }, 'could not refresh the checklist message'),
    );
  return { attached, ticked };
}
