// The runbook's "Checklist rápida", in its own words, with pure state helpers. Every change records
// who and when, so two copies (say, a retried worker and a person clicking) merge without losing ticks.

export type ChecklistItemId =
  | 'run-ids-logs'
  | 'input-vs-baseline'
  | 'spark-ui-gc-shuffle'
  | 'decision'
  | 'backfill-staging'
  | 'postmortem-mcp';

/** The six items exactly as the runbook writes them (backticks included). */
export const RUNBOOK_CHECKLIST: readonly { id: ChecklistItemId; text: string }[] = Object.freeze([
  { id: 'run-ids-logs', text: '`run_id` y logs exportados' },
  { id: 'input-vs-baseline', text: 'Comparación de input-size y #files con baseline' },
  { id: 'spark-ui-gc-shuffle', text: 'Revisión Spark UI / GC / shuffle' },
  { id: 'decision', text: 'Decisión: scale / compact / repartition / code-fix' },
  { id: 'backfill-staging', text: 'Backfill staging ejecutado y checks verificados' },
  { id: 'postmortem-mcp', text: 'Post-mortem y actualización del MCP' },
]);

export interface ChecklistItem {
  /** One of ChecklistItemId for the runbook's items; any stable string for custom ones. */
  id: string;
  text: string;
  done: boolean;
  /** Who ticked it (Slack user id, or 'medic' when the bot did from evidence). */
  doneBy?: string;
  doneAt?: Date;
  /** Why it was ticked, e.g. "3 run ids and 2 log groups exported". */
  note?: string;
  /** The job whose evidence ticked it (the bot ticks from one job's triage). */
  job?: string;
  /** Last change, tick or untick: what merge compares. */
  updatedBy?: string;
  updatedAt?: Date;
}

export interface Checklist {
  items: ChecklistItem[];
}

export interface ChecklistChange {
  actor: string;
  at: Date;
  note?: string;
}

/** The runbook's checklist, nothing ticked. */
export function createChecklist(
  items: readonly { id: string; text: string }[] = RUNBOOK_CHECKLIST,
): Checklist {
  const seen = new Set<string>();
  for (const { id } of items) {
    if (seen.has(id)) throw new Error(`duplicate checklist item id "${id}"`);
    seen.add(id);
  }
  return { items: items.map(({ id, text }) => ({ id, text, done: false })) };
}

export class UnknownChecklistItemError extends Error {
  override readonly name = 'UnknownChecklistItemError';
  readonly code = 'UNKNOWN_CHECKLIST_ITEM';
  constructor(readonly itemId: string) {
    super(`no checklist item "${itemId}"`);
  }
}

function update(list: Checklist, id: string, fn: (item: ChecklistItem) => ChecklistItem): Checklist {
  let found = false;
  const items = list.items.map((item) => {
    if (item.id !== id) return item;
    found = true;
    return fn(item);
  });
  if (!found) throw new UnknownChecklistItemError(id);
  return { items };
}

/**
 * Ticks an item. Ticking a ticked item changes nothing: the first person (or the bot) to tick it keeps
 * the credit, and a retried job cannot move the time.
 */
export function tickItem(list: Checklist, id: string, change: ChecklistChange): Checklist {
  return update(list, id, (item) => {
    if (item.done) return item;
    const { note: _staleNote, ...rest } = item;
    return {
      ...rest,
      done: true,
      doneBy: change.actor,
      doneAt: change.at,
      ...(change.note !== undefined ? { note: change.note } : {}),
      updatedBy: change.actor,
      updatedAt: change.at,
    };
  });
}

/** Unticks an item; unticking an open item changes nothing. */
export function untickItem(list: Checklist, id: string, change: Omit<ChecklistChange, 'note'>): Checklist {
  return update(list, id, (item) => {
    if (!item.done) return item;
    return { id: item.id, text: item.text, done: false, updatedBy: change.actor, updatedAt: change.at };
  });
}

/** Ticks or unticks: what a checkbox action does. */
export function setItemDone(list: Checklist, id: string, done: boolean, change: ChecklistChange): Checklist {
  return done ? tickItem(list, id, change) : untickItem(list, id, change);
}

function newer(a: ChecklistItem, b: ChecklistItem): ChecklistItem {
  const ta = a.updatedAt?.getTime() ?? -Infinity;
  const tb = b.updatedAt?.getTime() ?? -Infinity;
  if (ta !== tb) return ta > tb ? a : b;
  // Same instant: a tick wins, so evidence is never lost to a race.
  if (a.done !== b.done) return a.done ? a : b;
  // Still equal: any fixed order keeps merge commutative.
  return sortKey(a) <= sortKey(b) ? a : b;
}

function sortKey(i: ChecklistItem): string {
  return JSON.stringify([i.updatedBy ?? '', i.doneBy ?? '', i.doneAt?.getTime() ?? 0, i.note ?? '', i.text]);
}

/**
 * Merges two copies item by item: the later change wins (a tick on a tie). Items only one copy has
 * are kept, in `a`'s order followed by `b`'s extras. Commutative on the resulting state.
 */
export function mergeChecklists(a: Checklist, b: Checklist): Checklist {
  const byIdB = new Map(b.items.map((i) => [i.id, i]));
  const idsA = new Set(a.items.map((i) => i.id));
  const items = a.items.map((ia) => {
    const ib = byIdB.get(ia.id);
    return ib ? newer(ia, ib) : ia;
  });
  for (const ib of b.items) if (!idsA.has(ib.id)) items.push(ib);
  return { items };
}

export function checklistProgress(list: Checklist): { done: number; total: number; complete: boolean } {
  const done = list.items.filter((i) => i.done).length;
  return { done, total: list.items.length, complete: done === list.items.length };
}

export function isItemDone(list: Checklist, id: string): boolean {
  return list.items.find((i) => i.id === id)?.done ?? false;
}

/** The bot's actor name on checklist changes. */
export const MEDIC_ACTOR = 'medic';

export interface TriageProgress {
  /** Problematic run ids were identified (runbook step 1). */
  runIdsListed: boolean;
  /** Their logs were exported and classified (step 2). */
  logsExported: boolean;
  /** Input size and file count were compared with the baseline (step 4). */
  volumeComparedWithBaseline: boolean;
  /** Short notes for the ticks, e.g. "3 runs, 2 log groups". */
  notes?: Partial<Record<'run-ids-logs' | 'input-vs-baseline', string>>;
}

/**
 * Ticks, as the bot, the items triage can prove it did. Only ticks, never unticks, and an item a
 * person ticked first keeps its credit, so re-running triage is harmless.
 */
export function tickFromTriage(list: Checklist, progress: TriageProgress, at: Date): Checklist {
  let out = list;
  const tick = (id: 'run-ids-logs' | 'input-vs-baseline'): void => {
    if (!out.items.some((i) => i.id === id)) return;
    const note = progress.notes?.[id];
    out = tickItem(out, id, { actor: MEDIC_ACTOR, at, ...(note !== undefined ? { note } : {}) });
  };
  if (progress.runIdsListed && progress.logsExported) tick('run-ids-logs');
  if (progress.volumeComparedWithBaseline) tick('input-vs-baseline');
  return out;
}
