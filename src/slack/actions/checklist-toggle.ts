// medic.checklist.toggle: someone ticked or unticked an item of the live checklist. Only the item
// this person changed is applied — the difference between what their message showed and what they
// clicked — written per item in Redis, so two people ticking different items at the same moment
// both count. The message is then re-rendered from Redis, never from the click's payload.
import type { App, BlockAction, CheckboxesAction } from '@slack/bolt';
import type { Deps } from '../../deps.js';
import { errorId } from '../../logger.js';
import {
  CHECKLIST_ACTION_ID,
  incidentIdOfBlock,
  runbookOfBlock,
  tickedInMessage,
} from '../blocks/checklist.js';
import { refreshChecklistMessage } from '../checklist-message.js';
import { refreshIncidentSummary } from '../incident-summary.js';
import { jobsOf } from '../../store/incidents.js';
import { isRedisUnavailable, REDIS_UNAVAILABLE } from '../../queue/unavailable.js';

export interface ChecklistChangeResult {
  incidentId: string;
  ticked: string[];
  unticked: string[];
}

/**
 * What a click changes: for each item, what the clicker saw (the message's ticked options) against
 * what they sent; applied only where the stored state differs, so a stale message never unticks
 * an item someone else ticked meanwhile.
 */
export function itemsChangedByClick(
  itemIds: readonly string[],
  seen: ReadonlySet<string>,
  selected: ReadonlySet<string>,
  storedDone: ReadonlySet<string>,
): { tick: string[]; untick: string[] } {
  const tick: string[] = [];
  const untick: string[] = [];
  for (const id of itemIds) {
    const was = seen.has(id);
    const now = selected.has(id);
    if (was === now) continue;
    if (now && !storedDone.has(id)) tick.push(id);
    if (!now && storedDone.has(id)) untick.push(id);
  }
  return { tick, untick };
}

export async function applyChecklistClick(
  deps: Deps,
  body: BlockAction,
): Promise<ChecklistChangeResult | undefined> {
  const action = body.actions[0] as CheckboxesAction;
  const incidentId =
    incidentIdOfBlock(action.block_id) ??
    (body.channel?.id ? (await deps.incidents.forChannel(body.channel.id))?.id : undefined);
  if (!incidentId) return undefined;
  const user = body.user.id;
  const now = deps.now();
  // A person's tick is about the incident's job when it has one job (several: about all of them).
  const jobs = jobsOf((await deps.incidents.get(incidentId)) ?? {});
  const job = jobs.length === 1 ? jobs[0] : undefined;
  // A further runbook's block (missing data, failed backfill…) carries its id after the incident's.
  const runbookId = runbookOfBlock(action.block_id);
  const list = runbookId
    ? ((await deps.checklists.getRunbook(incidentId, runbookId)) ?? { items: [] })
    : await deps.checklists.get(incidentId);
  const storedDone = new Set(list.items.filter((i) => i.done).map((i) => i.id));
  const selected = new Set((action.selected_options ?? []).map((o) => o.value ?? ''));
  // Without the message (Slack always sends it for a message's checkboxes) the stored state
  // stands in for what the user saw.
  const seen = tickedInMessage(body.message, incidentId, runbookId) ?? storedDone;
  const { tick, untick } = itemsChangedByClick(
    list.items.map((i) => i.id),
    seen,
    selected,
    storedDone,
  );
  const textOf = (id: string) => list.items.find((i) => i.id === id)?.text ?? id;
  const ticked: string[] = [];
  const unticked: string[] = [];
  for (const id of tick) {
    if (await deps.checklists.set(incidentId, id, true, user, { at: now, ...(job ? { job } : {}) }))
      ticked.push(id);
  }
  for (const id of untick) {
    if (await deps.checklists.set(incidentId, id, false, user, { at: now, ...(job ? { job } : {}) }))
      unticked.push(id);
  }
  for (const id of ticked)
    await deps.timeline.append(incidentId, {
      at: now,
      kind: 'checklist',
      actor: user,
      ...(job ? { job } : {}),
      text: `Checklist ticked: ${textOf(id)}`,
    });
  for (const id of unticked)
    await deps.timeline.append(incidentId, {
      at: now,
      kind: 'checklist',
      actor: user,
      ...(job ? { job } : {}),
      text: `Checklist unticked: ${textOf(id)}`,
    });
  await refreshChecklistMessage(deps, incidentId);
  if (ticked.length || unticked.length) await refreshIncidentSummary(deps, incidentId);
  return { incidentId, ticked, unticked };
}

export function registerChecklistToggle(app: App, deps: Deps): void {
  app.action<BlockAction>({ action_id: CHECKLIST_ACTION_ID }, async ({ ack, body }) => {
    await ack();
    try {
      await applyChecklistClick(deps, body);
    } catch (err) {
      const id = errorId();
      deps.logger.error(
        { err, errorId: id, user: body.user.id, channel: body.channel?.id },
        'checklist click failed',
      );
      if (body.channel?.id)
        await deps.slack.chat
          .postEphemeral({
            channel: body.channel.id,
            user: body.user.id,
            text: isRedisUnavailable(err)
              ? REDIS_UNAVAILABLE
              : `:warning: Your checklist change could not be saved; error id \`${id}\`. Try again.`,
          })
          .catch(() => undefined);
    }
  });
}
