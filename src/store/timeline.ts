// The incident timeline: append-only, one entry per event, each with actor and time.
import type { Redis } from 'ioredis';
import { z } from 'zod';

export const TimelineKind = z.enum([
  'command',
  'report',
  'finding',
  'checklist',
  'approval-request',
  'approval',
  'rejection',
  'mitigation-start',
  'mitigation-result',
  'escalation',
  'note',
  'pin',
  'status',
  'backfill',
]);
export type TimelineKind = z.infer<typeof TimelineKind>;

export const TimelineEntry = z.object({
  at: z.number(),
  kind: TimelineKind,
  /** Slack user id, or 'medic' for the bot. */
  actor: z.string(),
  text: z.string(),
  /** The job the entry is about, when it is about one (an incident may hold several jobs). */
  job: z.string().optional(),
  /** Permalink or run link, when there is one. */
  link: z.string().optional(),
});
export type TimelineEntry = z.infer<typeof TimelineEntry>;

export class Timeline {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  private key(id: string) {
    return `${this.prefix}:timeline:${id}`;
  }

  /**
   * Append an entry. With `dedupKey`, an entry with the same key is only ever added once (for
   * example the same message pinned twice). Returns false when it was a duplicate.
   */
  async append(incidentId: string, entry: TimelineEntry, dedupKey?: string): Promise<boolean> {
    const parsed = TimelineEntry.parse(entry);
    if (dedupKey) {
      const added = await this.redis.sadd(`${this.prefix}:timeline-keys:${incidentId}`, dedupKey);
      if (added === 0) return false;
    }
    await this.redis.rpush(this.key(incidentId), JSON.stringify(parsed));
    return true;
  }

  /** Entries in time order (ties keep insertion order). */
  async list(incidentId: string, start = 0, stop = -1): Promise<TimelineEntry[]> {
    const raw = await this.redis.lrange(this.key(incidentId), start, stop);
    return raw
      .map((r, i) => ({ e: TimelineEntry.parse(JSON.parse(r)), i }))
      .sort((a, b) => a.e.at - b.e.at || a.i - b.i)
      .map(({ e }) => e);
  }

  async count(incidentId: string): Promise<number> {
    return this.redis.llen(this.key(incidentId));
  }
}
