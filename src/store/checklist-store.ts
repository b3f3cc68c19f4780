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
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly items: readonly { id: string; text: string }[] = RUNBOOK_CHECKLIST,
  ) {}

  private key(incidentId: string) {
    return `${this.prefix}:checklist:${incidentId}`;
  }

  /** An item's label (its text), for timeline entries people read; the id when unknown. */
  label(itemId: string): string {
    return this.items.find((i) => i.id === itemId)?.text ?? itemId;
  }

  /** The configured items (ids and texts), in order. */
  itemDefs(): readonly { id: string; text: string }[] {
    return this.items;
  }

  has(itemId: string): boolean {
    return this.items.some((i) => i.id === itemId);
  }

  async get(incidentId: string): Promise<Checklist> {
    const raw = await this.redis.hgetall(this.key(incidentId));
    const list = createChecklist(this.items);
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
