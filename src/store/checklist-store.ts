// Checklist state per incident. Each item is its own hash field, written with HSET, so two
// people ticking different items at the same moment both count; the message is always
// re-rendered from this state, never from a click's payload.
import type { Redis } from 'ioredis';
import {
  createChecklist,
  RUNBOOK_CHECKLIST,
  type Checklist,
  type ChecklistItem,
} from '../domain/checklist.js';
import {
  DEFAULT_RUNBOOK,
  resolveRunbooks,
  storedItemId,
  type RunbookDefinition,
} from '../domain/runbooks.js';

/** One runbook of an incident with its state (item ids as stored: `runbook:item` beyond the first). */
export interface RunbookChecklist {
  runbook: RunbookDefinition;
  checklist: Checklist;
}

interface StoredItem {
  done: boolean;
  by: string;
  at: number;
  note?: string;
  /** The job whose evidence ticked it, when one did. */
  job?: string;
}

// KEYS[1] = checklist hash; ARGV[1] = item id; ARGV[2] = new state. Returns the previous state.
const GETSET_FIELD = `
local old = redis.call('HGET', KEYS[1], ARGV[1])
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
return old`;

export class ChecklistStore {
  private readonly runbooks: Record<string, RunbookDefinition>;

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly items: readonly { id: string; text: string }[] = RUNBOOK_CHECKLIST,
    /** The runbooks in effect (medic.yml `runbooks:` over the built-ins); `items` stays the degradation one's. */
    runbooks?: Record<string, RunbookDefinition>,
  ) {
    this.runbooks = runbooks ?? resolveRunbooks();
  }

  private key(incidentId: string) {
    return `${this.prefix}:checklist:${incidentId}`;
  }

  // Sorted set: runbook id → when it was first attached, so the message lists them in that order.
  private runbooksKey(incidentId: string) {
    return `${this.prefix}:runbooks:${incidentId}`;
  }

  /** Every runbook id in effect (built-in and medic.yml), in definition order. */
  runbookIds(): string[] {
    return Object.keys(this.runbooks);
  }

  /** A runbook definition by id (undefined for an unknown one). */
  runbook(id: string): RunbookDefinition | undefined {
    return this.runbooks[id];
  }

  /**
   * Attaches a runbook to an incident (its checklist joins the live message). Returns true when
   * it was not attached before, so callers write the timeline once.
   */
  async attach(incidentId: string, runbookId: string, at = Date.now()): Promise<boolean> {
    if (runbookId === DEFAULT_RUNBOOK) return false;
    if (!this.runbooks[runbookId]) throw new Error(`unknown runbook "${runbookId}"`);
    return (await this.redis.zadd(this.runbooksKey(incidentId), 'NX', String(at), runbookId)) === 1;
  }

  /** The incident's runbooks: the degradation one first (every incident has it), then the attached ones. */
  async runbooksOf(incidentId: string): Promise<string[]> {
    const attached = await this.redis.zrange(this.runbooksKey(incidentId), '0', '-1');
    return [DEFAULT_RUNBOOK, ...attached.filter((id) => id !== DEFAULT_RUNBOOK && this.runbooks[id])];
  }

  /** Every runbook of the incident with its state, in order. */
  async getAll(incidentId: string): Promise<RunbookChecklist[]> {
    const ids = await this.runbooksOf(incidentId);
    const raw = await this.redis.hgetall(this.key(incidentId));
    return ids.map((id) => {
      const def = this.runbooks[id]!;
      const items =
        id === DEFAULT_RUNBOOK
          ? this.items
          : def.items.map((i) => ({ id: storedItemId(id, i.id), text: i.label }));
      const runbook =
        id === DEFAULT_RUNBOOK
          ? {
              ...def,
              items: this.items.map((i, n) => ({
                id: i.id,
                label: i.text,
                evidence: def.items[n]?.evidence ?? 'manual',
              })),
            }
          : def;
      return { runbook, checklist: this.withState(items, raw) };
    });
  }

  /** One runbook's state for an incident (the degradation one is get()). */
  async getRunbook(incidentId: string, runbookId: string): Promise<Checklist | undefined> {
    return (await this.getAll(incidentId)).find((r) => r.runbook.id === runbookId)?.checklist;
  }

  /**
   * Ticks, as the bot, an item of an attached runbook (attaching it when it is not yet); true when
   * it changed. Never overrides what a person set.
   */
  async tickRunbookItem(
    incidentId: string,
    runbookId: string,
    itemId: string,
    opts: { note?: string; at?: number } = {},
  ): Promise<boolean> {
    const def = this.runbooks[runbookId];
    if (!def?.items.some((i) => i.id === itemId)) return false;
    await this.attach(incidentId, runbookId, opts.at);
    return this.set(incidentId, storedItemId(runbookId, itemId), true, 'medic', {
      ...opts,
      onlyIfUnset: true,
    });
  }

  private withState(items: readonly { id: string; text: string }[], raw: Record<string, string>): Checklist {
    const list = createChecklist(items);
    return {
      items: list.items.map((item): ChecklistItem => {
        const s = raw[item.id] ? (JSON.parse(raw[item.id]!) as StoredItem) : undefined;
        if (!s) return item;
        return {
          ...item,
          done: s.done,
          ...(s.done ? { doneBy: s.by, doneAt: new Date(s.at) } : {}),
          ...(s.note ? { note: s.note } : {}),
          ...(s.job ? { job: s.job } : {}),
          updatedBy: s.by,
          updatedAt: new Date(s.at),
        };
      }),
    };
  }

  /** The configured items (ids and texts), in order. */
  /** An item's label (its text), for timeline entries people read; the id when unknown. */
  label(itemId: string): string {
    const own = this.items.find((i) => i.id === itemId)?.text;
    if (own) return own;
    // A further runbook's item is stored as `<runbook>:<item>`.
    const [rb, item] = itemId.split(':', 2);
    return (item && this.runbooks[rb!]?.items.find((i) => i.id === item)?.label) ?? itemId;
  }

  itemDefs(): readonly { id: string; text: string }[] {
    return this.items;
  }

  /** A degradation item id, or `runbook:item` of another runbook. */
  has(itemId: string): boolean {
    if (this.items.some((i) => i.id === itemId)) return true;
    const at = itemId.indexOf(':');
    if (at < 0) return false;
    const rb = this.runbooks[itemId.slice(0, at)];
    return (
      rb !== undefined && rb.id !== DEFAULT_RUNBOOK && rb.items.some((i) => i.id === itemId.slice(at + 1))
    );
  }

  /** The degradation runbook's checklist (the "Checklist rápida"), as always. */
  async get(incidentId: string): Promise<Checklist> {
    return this.withState(this.items, await this.redis.hgetall(this.key(incidentId)));
  }

  /**
   * Set one item. Returns true when the state changed (so callers add a timeline entry only
   * for real changes). `onlyIfUnset` is for the bot: it never unticks or re-ticks what a person set.
   */
  async set(
    incidentId: string,
    itemId: string,
    done: boolean,
    by: string,
    opts: { note?: string; at?: number; onlyIfUnset?: boolean; job?: string } = {},
  ): Promise<boolean> {
    if (!this.has(itemId)) throw new Error(`unknown checklist item "${itemId}"`);
    const value: StoredItem = {
      done,
      by,
      at: opts.at ?? Date.now(),
      ...(opts.note ? { note: opts.note } : {}),
      ...(opts.job ? { job: opts.job } : {}),
    };
    const key = this.key(incidentId);
    if (opts.onlyIfUnset) return (await this.redis.hsetnx(key, itemId, JSON.stringify(value))) === 1;
    // Read the old state and write the new one in one step, so two clicks on the same item at
    // once report one change, not two.
    const before = (await this.redis.eval(GETSET_FIELD, 1, key, itemId, JSON.stringify(value))) as
      string | null;
    const wasDone = before ? (JSON.parse(before) as StoredItem).done : false;
    return wasDone !== done;
  }
}
