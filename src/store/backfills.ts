// Backfills in Redis. The record (plan + step states) is one JSON value changed only through
// `update`, an optimistic WATCH/MULTI loop, so a step job and an Abort click on another process
// never overwrite each other. Work inside a step is recorded as it completes:
//
//   P:backfill:<id>               the record (JSON)
//   P:backfill-copied:<set>       hash: source key → ETag of its copy (one entry per object copied;
//                                 written right after the copy returns, so a restart skips it); one
//                                 set per copy: <id> (snapshot), <id>-backup, <id>-promote, <id>-rollback
//   P:backfill-uploads:<set>      hash: source key → multipart upload id in flight (aborted on resume)
//   P:backfill-active:<job>       the id of the job's backfill in progress (one at a time per job)
//   P:backfill-seq:<day>          counter for ids
import type { Redis } from 'ioredis';
import { holdsJob, rollbackUnfinished, type BackfillRecord } from '../domain/backfill-plan.js';

/** Kept for a month: long enough for the post-mortem. */
const TTL_SEC = 30 * 86_400;

export class BackfillConflictError extends Error {
  override readonly name = 'BackfillConflictError';
  readonly code = 'CONFLICT';
}

/** Set KEYS[1] to ARGV[2] (with a TTL of ARGV[3] s) only if it still holds ARGV[1]. */
const CAS_SCRIPT = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[2], 'EX', ARGV[3])
return 1`;

export class BackfillStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  private key(id: string): string {
    return `${this.prefix}:backfill:${id}`;
  }

  copiedKey(id: string): string {
    return `${this.prefix}:backfill-copied:${id}`;
  }

  /** `bf-20261127-3`: no ':' and not all digits, so `backfill-<id>-<step>` is a valid job id. */
  async newId(now: number): Promise<string> {
    const day = new Date(now).toISOString().slice(0, 10).replace(/-/g, '');
    const n = await this.redis.incr(`${this.prefix}:backfill-seq:${day}`);
    return `bf-${day}-${n}`;
  }

  /** Creates the record and claims the job; false when the job already has a backfill in progress. */
  async create(
    r: BackfillRecord,
  ): Promise<{ ok: true } | { ok: false; activeId: string; rollbackUnfinished?: true }> {
    const active = `${this.prefix}:backfill-active:${r.plan.job}`;
    const claimed = await this.redis.set(active, r.plan.id, 'EX', TTL_SEC, 'NX');
    if (claimed !== 'OK') {
      const other = (await this.redis.get(active)) ?? '?';
      const rec = other !== '?' ? await this.get(other) : undefined;
      if (rec && holdsJob(rec))
        return {
          ok: false,
          activeId: other,
          ...(rollbackUnfinished(rec) ? { rollbackUnfinished: true as const } : {}),
        };
      await this.redis.set(active, r.plan.id, 'EX', TTL_SEC);
    }
    await this.redis.set(this.key(r.plan.id), JSON.stringify(r), 'EX', TTL_SEC);
    return { ok: true };
  }

  /**
   * Claims the job again for a resumed backfill; false (with the other id) when another backfill
   * of the job started meanwhile.
   */
  async reclaim(job: string, id: string): Promise<{ ok: true } | { ok: false; activeId: string }> {
    const active = `${this.prefix}:backfill-active:${job}`;
    if ((await this.redis.set(active, id, 'EX', TTL_SEC, 'NX')) === 'OK') return { ok: true };
    const other = (await this.redis.get(active)) ?? '?';
    if (other === id) return { ok: true };
    const rec = other !== '?' ? await this.get(other) : undefined;
    if (rec && holdsJob(rec)) return { ok: false, activeId: other };
    await this.redis.set(active, id, 'EX', TTL_SEC);
    return { ok: true };
  }

  /** Frees the job for a next backfill (the flow ended). */
  async release(job: string, id: string): Promise<void> {
    const active = `${this.prefix}:backfill-active:${job}`;
    if ((await this.redis.get(active)) === id) await this.redis.del(active);
  }

  async get(id: string): Promise<BackfillRecord | undefined> {
    const raw = await this.redis.get(this.key(id));
    return raw ? (JSON.parse(raw) as BackfillRecord) : undefined;
  }

  /**
   * Read-modify-write as a compare-and-set on the stored JSON: `change` returns the new record,
   * or undefined to leave it; retried when another writer got there first (`change` must be
   * pure). Not WATCH/MULTI: every caller shares one Redis connection, where one caller's EXEC
   * or UNWATCH drops the others' watches and an update could be lost (see IncidentStore).
   */
  async update(
    id: string,
    change: (r: BackfillRecord) => BackfillRecord | undefined,
  ): Promise<BackfillRecord | undefined> {
    const key = this.key(id);
    for (let attempt = 0; attempt < 50; attempt++) {
      const raw = await this.redis.get(key);
      if (!raw) return undefined;
      const cur = JSON.parse(raw) as BackfillRecord;
      const next = change(cur);
      if (!next) return cur;
      const ok = await this.redis.eval(CAS_SCRIPT, 1, key, raw, JSON.stringify(next), TTL_SEC);
      if (ok === 1) return next;
    }
    throw new BackfillConflictError(`backfill ${id} is changing too often to update`);
  }

  // Snapshot progress ----------------------------------------------------------------------

  async copied(id: string): Promise<Map<string, string>> {
    return new Map(Object.entries(await this.redis.hgetall(this.copiedKey(id))));
  }

  async markCopied(id: string, srcKey: string, etag: string): Promise<void> {
    await this.redis
      .multi()
      .hset(this.copiedKey(id), srcKey, etag)
      .expire(this.copiedKey(id), TTL_SEC)
      .exec();
  }

  async copiedCount(id: string): Promise<number> {
    return this.redis.hlen(this.copiedKey(id));
  }

  async setUpload(id: string, srcKey: string, uploadId: string | undefined): Promise<void> {
    const k = `${this.prefix}:backfill-uploads:${id}`;
    if (uploadId) await this.redis.multi().hset(k, srcKey, uploadId).expire(k, TTL_SEC).exec();
    else await this.redis.hdel(k, srcKey);
  }

  async uploads(id: string): Promise<Map<string, string>> {
    return new Map(Object.entries(await this.redis.hgetall(`${this.prefix}:backfill-uploads:${id}`)));
  }
}
