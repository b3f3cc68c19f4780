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

/** Separates the incident id from a further runbook's id in a block_id (`medic-checklist-INC-1~missing-data`). */
const RUNBOOK_SEP = '~';

export function checklistBlockId(incidentId: string, runbookId?: string): string {
  return `${BLOCK_PREFIX}${incidentId}${runbookId ? RUNBOOK_SEP + runbookId : ''}`.slice(0, 255);
}

/** The incident id of a checklist block_id, or undefined when it is not one of ours. */
export function incidentIdOfBlock(blockId: string | undefined): string | undefined {
  if (!blockId?.startsWith(BLOCK_PREFIX)) return undefined;
  return blockId.slice(BLOCK_PREFIX.length).split(RUNBOOK_SEP)[0] || undefined;
}

/** The runbook of a checklist block_id: undefined for the degradation checklist (the first block). */
export function runbookOfBlock(blockId: string | undefined): string | undefined {
  if (!blockId?.startsWith(BLOCK_PREFIX)) return undefined;
  const at = blockId.indexOf(RUNBOOK_SEP, BLOCK_PREFIX.length);
  return at < 0 ? undefined : blockId.slice(at + 1) || undefined;
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
  /** Further runbooks the incident carries (missing data, schema drift, failed backfill, custom). */
  more?: { runbookId: string; title: string; checklist: Checklist }[];
}

function checkboxOptions(items: ChecklistItem[]) {
  return items.map((item) => {
    const desc = whoWhen(item);
    return {
      // Item texts are the runbook's own (with `code`) or the team's config: mrkdwn, escaped.
      text: { type: 'mrkdwn', text: truncate(escapeMrkdwn(item.text), LIMITS.optionText) },
      value: item.id.slice(0, 150),
      ...(desc ? { description: { type: 'mrkdwn', text: desc } } : {}),
    };
  });
}

function checkboxesBlock(blockId: string, items: ChecklistItem[]): Block {
  const options = checkboxOptions(items);
  const ticked = options.filter((_, i) => items[i]!.done);
  return {
    type: 'actions',
    block_id: blockId,
    elements: [
      {
        type: 'checkboxes',
        action_id: CHECKLIST_ACTION_ID,
        options,
        ...(ticked.length ? { initial_options: ticked } : {}),
      },
    ],
  };
}

/**
 * The checklist message: a heading with progress, then one checkboxes block of at most 10 items;
 * then the same for each further runbook the incident carries.
 */
export function renderChecklist(view: ChecklistView): { text: string; blocks: Block[] } {
  const items = view.checklist.items.slice(0, LIMITS.checkboxOptions);
  const { done, total } = checklistProgress({ items });
  const heading = `:ballot_box_with_check: *Checklist rápida* — ${escapeMrkdwn(view.incidentId)}${
    view.title ? ` · ${escapeMrkdwn(view.title)}` : ''
  } — *${done}/${total}*`;
  const blocks: Block[] = [
    section(heading),
    checkboxesBlock(checklistBlockId(view.incidentId), items),
    ...chunkLines(evidenceLines({ items }))
      .slice(0, 5)
      .map((c) => section(c)),
  ];
  const summary = [`${done}/${total} done`];
  for (const rb of view.more ?? []) {
    const rbItems = rb.checklist.items.slice(0, LIMITS.checkboxOptions);
    const p = checklistProgress({ items: rbItems });
    blocks.push(
      section(`:clipboard: *Runbook: ${escapeMrkdwn(rb.title)}* — *${p.done}/${p.total}*`),
      checkboxesBlock(checklistBlockId(view.incidentId, rb.runbookId), rbItems),
      ...chunkLines(evidenceLines({ items: rbItems }))
        .slice(0, 2)
        .map((c) => section(c)),
    );
    summary.push(`${rb.title} ${p.done}/${p.total}`);
  }
  blocks.push(
    context('Anyone in the channel can tick or untick; the bot ticks items itself when it has the evidence.'),
  );
  return { text: `Checklist of ${view.incidentId}: ${summary.join(' · ')}`, blocks };
}

/** The item ids shown ticked in a checklist message as Slack sends it back (what the clicker saw). */
export function tickedInMessage(
  message: unknown,
  incidentId: string,
  runbookId?: string,
): Set<string> | undefined {
  const blocks = (message as { blocks?: unknown[] } | undefined)?.blocks;
  if (!Array.isArray(blocks)) return undefined;
  const blockId = checklistBlockId(incidentId, runbookId);
  for (const b of blocks as { block_id?: string; elements?: unknown[] }[]) {
    if (b.block_id !== blockId || !Array.isArray(b.elements)) continue;
    for (const el of b.elements as { action_id?: string; initial_options?: { value?: string }[] }[]) {
      if (el.action_id !== CHECKLIST_ACTION_ID) continue;
      return new Set((el.initial_options ?? []).map((o) => o.value ?? '').filter(Boolean));
    }
  }
  return undefined;
}
