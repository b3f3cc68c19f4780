// The runbook's "Checklist rápida" as a live checkboxes block. Pure: checklist state in, blocks out.
// Who ticked each item is shown beside it (the option's description, 75 characters); when and the
// evidence, whole, in lines under the checkboxes. The block_id
// carries the incident id so a click finds its incident whatever channel the message is in.
import type { Checklist, ChecklistItem } from '../../domain/checklist.js';
import { checklistProgress } from '../../domain/checklist.js';
import { escapeMrkdwn, slackDate, truncate } from '../mrkdwn.js';
import { chunkLines, context, LIMITS, section, type Block } from './kit.js';

export const CHECKLIST_ACTION_ID = 'medic.checklist.toggle';
const BLOCK_PREFIX = 'medic-checklist-';

export function checklistBlockId(incidentId: string): string {
  return `${BLOCK_PREFIX}${incidentId}`.slice(0, 255);
}

/** The incident id of a checklist block_id, or undefined when it is not one of ours. */
export function incidentIdOfBlock(blockId: string | undefined): string | undefined {
  return blockId?.startsWith(BLOCK_PREFIX) ? blockId.slice(BLOCK_PREFIX.length) || undefined : undefined;
}

function by(actor: string): string {
  return actor === 'medic' ? 'Pipeline Medic' : `<@${actor}>`;
}

/**
 * Beside an item (a checkbox description holds 75 characters): who ticked or unticked it. When
 * and why go in the evidence lines under the checkboxes, where they are never cut off.
 */
export function whoWhen(item: ChecklistItem): string | undefined {
  if (item.done && item.doneBy) return `ticked by ${by(item.doneBy)}`;
  if (!item.done && item.updatedBy && item.updatedAt) return `unticked by ${by(item.updatedBy)}`;
  return undefined;
}

/** Cut at a word boundary, never inside a word (or an escaped entity). */
function cutAtWord(text: string, max: number): string {
  if (text.length <= max) return text;
  const head = text.slice(0, max - 1);
  const space = head.lastIndexOf(' ');
  return `${(space > max / 2 ? head.slice(0, space) : head).replace(/&[a-z]*$/, '')}…`;
}

/** One line per ticked (or unticked) item: who, when (in the reader's zone) and the evidence, whole. */
export function evidenceLines(list: Checklist): string[] {
  const out: string[] = [];
  for (const item of list.items) {
    const label = cutAtWord(escapeMrkdwn(item.text), 200);
    if (item.done && item.doneBy) {
      const when = item.doneAt ? ` ${slackDate(item.doneAt.getTime())}` : '';
      // Which job's evidence ticked it, when an incident holds several jobs.
      const job = item.job && !item.note?.includes(item.job) ? `${escapeMrkdwn(item.job)}: ` : '';
      const note = item.note ? `: ${job}${cutAtWord(escapeMrkdwn(item.note), 1200)}` : '';
      out.push(`:white_check_mark: *${label}* — ${by(item.doneBy)}${when}${note}`);
    } else if (!item.done && item.updatedBy && item.updatedAt) {
      out.push(
        `:white_large_square: *${label}* — unticked by ${by(item.updatedBy)} ${slackDate(item.updatedAt.getTime())}`,
      );
    }
  }
  return out;
}

export interface ChecklistView {
  incidentId: string;
  title?: string;
  checklist: Checklist;
}

/** The checklist message: a heading with progress, then one checkboxes block of at most 10 items. */
export function renderChecklist(view: ChecklistView): { text: string; blocks: Block[] } {
  const items = view.checklist.items.slice(0, LIMITS.checkboxOptions);
  const { done, total } = checklistProgress({ items });
  const options = items.map((item) => {
    const desc = whoWhen(item);
    return {
      // Item texts are the runbook's own (with `code`) or the team's config: mrkdwn, escaped.
      text: { type: 'mrkdwn', text: truncate(escapeMrkdwn(item.text), LIMITS.optionText) },
      value: item.id.slice(0, 150),
      ...(desc ? { description: { type: 'mrkdwn', text: desc } } : {}),
    };
  });
  const ticked = options.filter((_, i) => items[i]!.done);
  const heading = `:ballot_box_with_check: *Checklist rápida* — ${escapeMrkdwn(view.incidentId)}${
    view.title ? ` · ${escapeMrkdwn(view.title)}` : ''
  } — *${done}/${total}*`;
  const blocks: Block[] = [
    section(heading),
    {
      type: 'actions',
      block_id: checklistBlockId(view.incidentId),
      elements: [
        {
          type: 'checkboxes',
          action_id: CHECKLIST_ACTION_ID,
          options,
          ...(ticked.length ? { initial_options: ticked } : {}),
        },
      ],
    },
    ...chunkLines(evidenceLines({ items }))
      .slice(0, 5)
      .map((c) => section(c)),
    context('Anyone in the channel can tick or untick; the bot ticks items itself when it has the evidence.'),
  ];
  return { text: `Checklist of ${view.incidentId}: ${done}/${total} done`, blocks };
}

/** The item ids shown ticked in a checklist message as Slack sends it back (what the clicker saw). */
export function tickedInMessage(message: unknown, incidentId: string): Set<string> | undefined {
  const blocks = (message as { blocks?: unknown[] } | undefined)?.blocks;
  if (!Array.isArray(blocks)) return undefined;
  const blockId = checklistBlockId(incidentId);
  for (const b of blocks as { block_id?: string; elements?: unknown[] }[]) {
    if (b.block_id !== blockId || !Array.isArray(b.elements)) continue;
    for (const el of b.elements as { action_id?: string; initial_options?: { value?: string }[] }[]) {
      if (el.action_id !== CHECKLIST_ACTION_ID) continue;
      return new Set((el.initial_options ?? []).map((o) => o.value ?? '').filter(Boolean));
    }
  }
  return undefined;
}
