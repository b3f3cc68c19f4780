// Schema migration plans a CI pipeline asked for (POST /api/v1/schema-plans), in Redis. A plan's
// id comes from the approvals' id sequence (one id space for every approval kind); a plan that
// needs an approval has an approval record of the same id in the approvals store, and its state
// follows that record. Each plan is keyed by its fingerprint too (table + proposed schema), so the
// same proposal asked again gets the same plan, and an approved id never stands for another schema.
//
// Keys (P = prefix):
//   P:schema-plan:<id>          JSON record
//   P:schema-plan-fp:<sha256>   id of the newest plan with that fingerprint
//   P:schema-plan-job:<job>     sorted set: the job's plan ids by creation time
import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import { z } from 'zod';
import type { Schema } from '../domain/schema-diff.js';

const TTL_SEC = 90 * 86_400;

export const SchemaPlanRecord = z.object({
  id: z.string(),
  job: z.string().optional(),
  table: z.object({ database: z.string(), name: z.string() }),
  fingerprint: z.string(),
  classification: z.enum(['compatible', 'needs-approval', 'breaking']),
  /** The migration plan as computed (domain MigrationPlan). */
  plan: z.record(z.string(), z.unknown()),
  /** The exact catalog call, described. */
  catalogUpdate: z.string().optional(),
  requestedBy: z.string(),
  commit: z.string().optional(),
  /** The API token's label that asked. */
  caller: z.string(),
  createdAt: z.number(),
  /** Where the approval was asked (non-compatible plans). */
  channel: z.string().optional(),
});
export type SchemaPlanRecord = z.infer<typeof SchemaPlanRecord>;

/** A stable fingerprint of a proposal: the table and the proposed schema, key order ignored. */
export function schemaFingerprint(table: { database: string; name: string }, proposed: Schema): string {
  const canon = {
    t: `${table.database}.${table.name}`.toLowerCase(),
    c: proposed.columns.map((c) => [c.name, c.type.toLowerCase().replace(/\s+/g, ''), c.nullable !== false]),
    p: proposed.partitionKeys.map((c) => [c.name, c.type.toLowerCase().replace(/\s+/g, '')]),
  };
  return createHash('sha256').update(JSON.stringify(canon)).digest('hex');
}

export class SchemaPlanStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  private key(id: string): string {
    return `${this.prefix}:schema-plan:${id}`;
  }

  async create(r: SchemaPlanRecord): Promise<void> {
    const rec = SchemaPlanRecord.parse(r);
    const tx = this.redis
      .multi()
      .set(this.key(rec.id), JSON.stringify(rec), 'EX', TTL_SEC)
      .set(`${this.prefix}:schema-plan-fp:${rec.fingerprint}`, rec.id, 'EX', TTL_SEC);
    if (rec.job) {
      const byJob = `${this.prefix}:schema-plan-job:${rec.job}`;
      tx.zadd(byJob, rec.createdAt, rec.id).expire(byJob, TTL_SEC);
    }
    await tx.exec();
  }

  async get(id: string): Promise<SchemaPlanRecord | undefined> {
    const raw = await this.redis.get(this.key(id));
    return raw ? SchemaPlanRecord.parse(JSON.parse(raw)) : undefined;
  }

  async byFingerprint(fingerprint: string): Promise<SchemaPlanRecord | undefined> {
    const id = await this.redis.get(`${this.prefix}:schema-plan-fp:${fingerprint}`);
    return id ? this.get(id) : undefined;
  }
}
