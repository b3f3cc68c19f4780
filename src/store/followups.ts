// Follow-ups of a mitigation whose effect shows only on the job's next run (a compaction, a
// bookmark reset, a recorded code fix, a partial recovery rerun). The mitigation job writes one
// when the mitigation is done; the `follow` step of the mitigation queue (a delayed job with a
// deterministic id, re-queued delayed between looks, never holding a worker) watches for the
// job's first run started after it and records the verdict against the baseline here, once.
//
// Keys (P = prefix):
//   P:followup:<id>   string: JSON FollowUp (the id is the approval's, or `fix-…` for a code fix)
import type { Redis } from 'ioredis';
import { z } from 'zod';
import { PROVIDER_NAMES } from '../providers/names.js';
import { MITIGATION_KINDS } from '../domain/approval-policy.js';

export const FollowUp = z.object({
  id: z.string().min(1),
  job: z.string().min(1),
  provider: z.enum(PROVIDER_NAMES).optional(),
  env: z.string().optional(),
  kind: z.enum(MITIGATION_KINDS),
  incidentId: z.string().optional(),
  approvalId: z.string().optional(),
  channel: z.string(),
  /** The approval (or recorded fix) message: its thread gets the verdict. */
  messageTs: z.string().optional(),
  /** Runs started at or after this (epoch ms) count as the next run. */
  since: z.number(),
  /** The mitigation's own run, never the "next run" (a recovery rerun of the same job). */
  excludeRunId: z.string().optional(),
  /** Runs the platform had when the follow-up began, and the newest one's start (platform time). */
  knownRunIds: z.array(z.string()).default([]),
  watermarkMs: z.number().optional(),
  /** Looks so far, and the last one allowed (the horizon). */
  checks: z.number().int().min(0).default(0),
  maxChecks: z.number().int().min(1),
  state: z.enum(['waiting', 'running', 'recovered', 'not-recovered', 'suspicious', 'failed', 'gave-up']),
  runId: z.string().optional(),
  runState: z.string().optional(),
  durationSec: z.number().optional(),
  baselineSec: z.number().optional(),
  pctVsBaseline: z.number().optional(),
  /** Why the run is suspicious, or how it failed, in words (cloud text redacted). */
  detail: z.string().optional(),
  /** The thread reply with the verdict (posted once). */
  replyTs: z.string().optional(),
  /** Who moved the incident on from the verdict's buttons, and to what. */
  closedBy: z.string().optional(),
  closedAs: z.enum(['monitoring', 'resolved']).optional(),
});
export type FollowUp = z.infer<typeof FollowUp>;

export const FINAL_FOLLOW_STATES: readonly FollowUp['state'][] = [
  'recovered',
  'not-recovered',
  'suspicious',
  'failed',
  'gave-up',
];

const TTL_SEC = 30 * 86_400;

export class FollowUpStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  private key(id: string): string {
    return `${this.prefix}:followup:${id}`;
  }

  /** Written once: a retry of the step that creates it keeps the first. */
  async create(f: z.input<typeof FollowUp>): Promise<FollowUp> {
    const parsed = FollowUp.parse(f);
    await this.redis.set(this.key(parsed.id), JSON.stringify(parsed), 'EX', TTL_SEC, 'NX');
    return (await this.get(parsed.id)) ?? parsed;
  }

  async get(id: string): Promise<FollowUp | undefined> {
    const raw = await this.redis.get(this.key(id));
    if (!raw) return undefined;
    const r = FollowUp.safeParse(JSON.parse(raw));
    return r.success ? r.data : undefined;
  }

  async put(f: FollowUp): Promise<void> {
    await this.redis.set(this.key(f.id), JSON.stringify(FollowUp.parse(f)), 'EX', TTL_SEC);
  }
}
