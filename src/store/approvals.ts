// Approval requests of mitigations in Redis. The request itself never changes once written; its
// state moves pending → approved | rejected | expired exactly once, by a Lua script that checks the
// state and the expiry in the same step, so two Approve clicks at the same moment (on different
// web processes, or on one connection) give one winner. The execution's progress is written only
// by the mitigation job.
//
// Keys (P = prefix):
//   P:approval:<id>        hash: data (JSON request), state, expiresAt, decidedBy, decidedAt,
//                          messageTs, execution (JSON)
//   R:approval-seq:<day>   counter for ids, R = MEDIC_PREFIX whatever the store's own prefix: one
//                          id space for every kind of approval (mitigation, backfill promotion,
//                          schema plan), so two approvals never share an id
import type { Redis } from 'ioredis';
import { z } from 'zod';
import type { ApprovalState, MitigationParams } from '../domain/approval-policy.js';
import type { PlannedAction } from '../providers/ports.js';
import { PROVIDER_NAMES } from '../providers/names.js';

export const ApprovalRequest = z.object({
  id: z.string(),
  incidentId: z.string().optional(),
  channel: z.string(),
  job: z.string(),
  /** The job's platform, when the request named one (else the job's config). */
  provider: z.enum(PROVIDER_NAMES).optional(),
  /** Environment of the job (the triage's --env, else MEDIC_ENV). */
  env: z.string(),
  findingId: z.string().optional(),
  params: z.custom<MitigationParams>((v) => typeof v === 'object' && v !== null && 'kind' in v),
  calls: z.array(
    z.custom<PlannedAction>((v) => typeof v === 'object' && v !== null && 'operation' in v && 'request' in v),
  ),
  requester: z.string(),
  reason: z.string(),
  /** Approver principals from config when requested (users and groups). */
  approvers: z.array(z.string()),
  createdAt: z.number(),
  expiresAt: z.number(),
  /** Approved, it shows the calls without making them (the bot runs in dev). */
  dryRun: z.boolean().default(false),
  /** What it will cost, shown before approval (domain/mitigation-cost.ts). */
  costImpact: z
    .object({
      summary: z.string(),
      expectedUsd: z.number().optional(),
      currentPerRunUsd: z.number().optional(),
    })
    .optional(),
});
export type ApprovalRequest = z.infer<typeof ApprovalRequest>;

export const Execution = z.object({
  state: z.enum(['starting', 'running', 'succeeded', 'failed', 'error', 'dry-run']),
  jobName: z.string().optional(),
  runId: z.string().optional(),
  /** The platform's own run state, as last read. */

  runState: z.string().optional(),
  startedAt: z.number().optional(),
  finishedAt: z.number().optional(),
  durationSec: z.number().optional(),
  baselineSec: z.number().optional(),
  recovered: z.boolean().optional(),
  /** recovered | not-recovered | suspicious (far below the baseline: check its input and output). */
  verdict: z.enum(['recovered', 'not-recovered', 'suspicious']).optional(),
  suspiciousReason: z.string().optional(),
  pctVsBaseline: z.number().optional(),
  /** What went wrong, in words, with the vendor code and refused IAM action when known. */
  error: z.object({ code: z.string(), message: z.string(), action: z.string().optional() }).optional(),
  /** A one-line result, e.g. "bookmark reset to run jr_…". */
  note: z.string().optional(),
  /**
   * The platform refused the call (it answered with an error before changing anything: access
   * denied, concurrent runs, throttled…): a Retry may make it again.
   */
  notApplied: z.boolean().optional(),
  /**
   * A run of the job started since the first attempt that medic cannot tell from someone else's
   * (the platform carries no identity of the approval): neither adopted nor doubled; no Retry.
   */
  unidentifiedRunId: z.string().optional(),
  /**
   * A Retry of a call the platform refused: nothing of this approval was started, so the start
   * looks for no earlier run to adopt (set by the Retry, dropped once the call is made).
   */
  afresh: z.boolean().optional(),
  /** Retries of an execution that could not run (the approval message's Retry), oldest first. */
  retries: z.array(z.object({ by: z.string(), at: z.number() })).optional(),
  polls: z.number().default(0),
});
export type Execution = z.infer<typeof Execution>;

export interface Approval extends ApprovalRequest {
  state: ApprovalState;
  decidedBy?: string;
  decidedAt?: number;
  messageTs?: string;
  execution?: Execution;
}

export type TransitionResult =
  | { ok: true; approval: Approval }
  /** `state` is the state the request was already in ('expired' also when it expired just now). */
  | { ok: false; state: ApprovalState | 'missing' | 'not-yet'; approval?: Approval };

// KEYS[1] = approval hash; ARGV[1] = target state; ARGV[2] = actor; ARGV[3] = now (ms).
// Returns 'ok', 'expired' (it just expired: recorded as such), 'not-yet' (expire asked too early),
// 'missing', or the state it was already in.
const TRANSITION = `
local s = redis.call('HGET', KEYS[1], 'state')
if not s then return 'missing' end
if s ~= 'pending' then return s end
local exp = tonumber(redis.call('HGET', KEYS[1], 'expiresAt') or '0')
local now = tonumber(ARGV[3])
if ARGV[1] == 'expired' then
  if now < exp then return 'not-yet' end
  redis.call('HSET', KEYS[1], 'state', 'expired', 'decidedAt', ARGV[3])
  return 'ok'
end
if now >= exp then
  redis.call('HSET', KEYS[1], 'state', 'expired', 'decidedAt', ARGV[3])
  return 'expired'
end
redis.call('HSET', KEYS[1], 'state', ARGV[1], 'decidedBy', ARGV[2], 'decidedAt', ARGV[3])
return 'ok'`;

const REPLACE_EXECUTION = `
local cur = redis.call('HGET', KEYS[1], 'execution')
if not cur then return 0 end
if cur ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], 'execution', ARGV[2])
return 1`;

/** Records are kept a month after creation: long enough for the post-mortem. */
const TTL_SEC = 30 * 86_400;

export class ApprovalStore {
  /**
   * `prefix` is where this kind's records live; `idPrefix` (default: the same) is where the one
   * id counter of every kind lives, so stores under another prefix (backfills) still share it.
   */
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly idPrefix: string = prefix,
  ) {}

  private key(id: string): string {
    return `${this.prefix}:approval:${id}`;
  }

  /** A new id like `apr-20261127-4`: no ':' and not all digits, so it is a valid BullMQ job id. */
  async newId(now: number): Promise<string> {
    const day = new Date(now).toISOString().slice(0, 10).replace(/-/g, '');
    const n = await this.redis.incr(`${this.idPrefix}:approval-seq:${day}`);
    return `apr-${day}-${n}`;
  }

  async create(req: z.input<typeof ApprovalRequest>): Promise<Approval> {
    const parsed = ApprovalRequest.parse(req);
    const key = this.key(parsed.id);
    await this.redis
      .multi()
      .hset(key, 'data', JSON.stringify(parsed), 'state', 'pending', 'expiresAt', String(parsed.expiresAt))
      .expire(key, TTL_SEC)
      .exec();
    return { ...parsed, state: 'pending' };
  }

  async get(id: string): Promise<Approval | undefined> {
    const h = await this.redis.hgetall(this.key(id));
    if (!h.data || !h.state) return undefined;
    const req = ApprovalRequest.parse(JSON.parse(h.data));
    return {
      ...req,
      state: h.state as ApprovalState,
      ...(h.decidedBy ? { decidedBy: h.decidedBy } : {}),
      ...(h.decidedAt ? { decidedAt: Number(h.decidedAt) } : {}),
      ...(h.messageTs ? { messageTs: h.messageTs } : {}),
      ...(h.execution ? { execution: Execution.parse(JSON.parse(h.execution)) } : {}),
    };
  }

  /** pending → `to`, atomically; refused when it is not pending or (approve/reject) has expired. */
  async transition(
    id: string,
    to: 'approved' | 'rejected' | 'expired',
    actor: string,
    now: number,
  ): Promise<TransitionResult> {
    const res = (await this.redis.eval(TRANSITION, 1, this.key(id), to, actor, String(now))) as string;
    const approval = await this.get(id);
    if (res === 'ok' && approval) return { ok: true, approval };
    const state = res as ApprovalState | 'missing' | 'not-yet';
    return { ok: false, state, ...(approval ? { approval } : {}) };
  }

  async setMessageTs(id: string, ts: string): Promise<void> {
    await this.redis.hset(this.key(id), 'messageTs', ts);
  }

  /**
   * Read-modify-write of the execution as a compare-and-set on its stored JSON: `change` returns
   * the new execution or undefined to leave it. Two Retry clicks at the same moment: one wins
   * (the other gets undefined back).
   */
  async changeExecution(
    id: string,
    change: (ex: Execution) => Execution | undefined,
  ): Promise<Execution | undefined> {
    const raw = await this.redis.hget(this.key(id), 'execution');
    if (!raw) return undefined;
    const next = change(Execution.parse(JSON.parse(raw)));
    if (!next) return undefined;
    const body = JSON.stringify(Execution.parse(next));
    const ok = await this.redis.eval(REPLACE_EXECUTION, 1, this.key(id), raw, body);
    return ok === 1 ? next : undefined;
  }

  async setExecution(id: string, execution: Execution): Promise<void> {
    await this.redis.hset(this.key(id), 'execution', JSON.stringify(Execution.parse(execution)));
  }
}
