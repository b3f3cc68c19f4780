// Approvals of the runbook's quick mitigations (pure: no Slack, no Redis, no clock of its own).
// What a mitigation will do (the exact API calls), who may approve it (four-eyes, approvers from
// config, user groups resolved by the caller), when it expires, and whether a rerun recovered.
// StackStorm's Inquiries are the model: who may answer, an answer schema, a TTL.
import { formatBytes } from './format.js';

/** Mitigations a button can request (the runbook's backfill has its own workflow). */
export const MITIGATION_KINDS = [
  'compaction',
  'scale',
  'shuffle-tuning',
  'bookmark-reset',
  'code-fix',
  'recovery-rerun',
] as const;
export type MitigationKind = (typeof MITIGATION_KINDS)[number];

export function isMitigationKind(v: string): v is MitigationKind {
  return (MITIGATION_KINDS as readonly string[]).includes(v);
}

export type ApprovalState = 'pending' | 'approved' | 'rejected' | 'expired';

export type MitigationParams =
  | { kind: 'compaction'; compactionJob: string; inputLocation: string; targetFileBytes: number }
  | {
      kind: 'scale';
      /** Worker type / executor size, as the platform names it. */
      size: string;
      /** Workers / executors. */
      count: number;
      /** Change the job for every later run instead of one rerun with overrides. */
      persistent: boolean;
      fromSize?: string;
      fromCount?: number;
    }
  | { kind: 'shuffle-tuning'; shufflePartitions: number; skewJoin: boolean }
  | { kind: 'bookmark-reset'; runId?: string }
  | { kind: 'code-fix'; owner: string; description: string }
  | {
      /**
       * Rerun a failed run from the step it failed at, with that run's own parameters; the steps
       * before it are not run again (Synapse: createRun with referencePipelineRunId, isRecovery,
       * startActivityName). Platforms that cannot resume a run plan nothing for it.
       */
      kind: 'recovery-rerun';
      runId: string;
      /** The step (activity) to start from; absent: every step, in the failed run's group. */
      step?: string;
    };

/** Compaction's parameter names, as the compaction job reads them (without any platform prefix). */
export const COMPACTION_PARAMS = { input: 'input_path', targetSize: 'target_file_size' } as const;

/** The Spark settings of a shuffle/skew rerun, in order. */
export function shuffleSettings(p: { shufflePartitions: number; skewJoin: boolean }): [string, string][] {
  const s: [string, string][] = [['spark.sql.shuffle.partitions', String(p.shufflePartitions)]];
  if (p.skewJoin)
    s.push(['spark.sql.adaptive.enabled', 'true'], ['spark.sql.adaptive.skewJoin.enabled', 'true']);
  return s;
}

// ---------------------------------------------------------------------------------------------
// Who may approve

/** Job-level approvers when the job names some, else the global ones (both after the env overlay). */
export function approverPrincipals(global: readonly string[], job?: readonly string[]): string[] {
  return [...(job && job.length ? job : global)];
}

export function isUserGroup(principal: string): boolean {
  return principal.startsWith('S');
}

/** `<@U…>` for a user, `<!subteam^S…>` for a user group. */
export function mention(principal: string): string {
  return isUserGroup(principal) ? `<!subteam^${principal}>` : `<@${principal}>`;
}

/** The users the principals stand for, groups expanded (members the caller resolved). */
export function eligibleApprovers(
  principals: readonly string[],
  groupMembers: Readonly<Record<string, readonly string[]>>,
): string[] {
  const users = new Set<string>();
  for (const p of principals) {
    if (isUserGroup(p)) for (const u of groupMembers[p] ?? []) users.add(u);
    else users.add(p);
  }
  return [...users];
}

/** Four-eyes may be relaxed by config, and only ever in dev. */
export function selfApprovalAllowed(env: string, allowSelfApproval: boolean): boolean {
  return allowSelfApproval && env === 'dev';
}

/**
 * What a submitted request becomes: with the dry-run choice, the calls shown at once (nothing to
 * approve, nothing made); a code fix is recorded at once (no cloud call); everything else waits
 * for an approval — in every environment, so `prod` always needs one. In `dev` the approval flow
 * runs whole but the execution is dry (see executesDry).
 */
export function submissionOutcome(o: {
  dryRunChosen: boolean;
  kind: MitigationKind;
}): 'dry-run' | 'record' | 'approval' {
  if (o.kind === 'code-fix') return 'record';
  if (o.dryRunChosen) return 'dry-run';
  return 'approval';
}

/** In dev an approved mitigation shows its calls without making them. */
export function executesDry(medicEnv: string): boolean {
  return medicEnv === 'dev';
}

export function expiryFrom(createdAt: number, minutes: number): number {
  return createdAt + minutes * 60_000;
}

export function isExpired(expiresAt: number, now: number): boolean {
  return now >= expiresAt;
}

export interface DecisionContext {
  /** Who clicked. */
  actor: string;
  requester: string;
  /** Approver principals from config (users and user groups). */
  principals: readonly string[];
  /** Members of each user group among the principals. */
  groupMembers: Readonly<Record<string, readonly string[]>>;
  /** MEDIC_ENV of the bot. */
  env: string;
  allowSelfApproval: boolean;
  state: ApprovalState;
  expiresAt: number;
  now: number;
}

export type RefusalReason = 'not-pending' | 'expired' | 'four-eyes' | 'not-approver' | 'no-approvers';
export type Decision = { allowed: true } | { allowed: false; reason: RefusalReason };

/** May `actor` approve this request now? Order: state, expiry, configured approvers, four-eyes, membership. */
export function checkApproval(c: DecisionContext): Decision {
  if (c.state !== 'pending') return { allowed: false, reason: 'not-pending' };
  if (isExpired(c.expiresAt, c.now)) return { allowed: false, reason: 'expired' };
  const eligible = eligibleApprovers(c.principals, c.groupMembers);
  if (c.actor === c.requester && !selfApprovalAllowed(c.env, c.allowSelfApproval))
    return { allowed: false, reason: 'four-eyes' };
  if (!c.principals.length) return { allowed: false, reason: 'no-approvers' };
  if (!eligible.includes(c.actor)) return { allowed: false, reason: 'not-approver' };
  return { allowed: true };
}

/** May `actor` reject it? Any approver, and the requester (withdrawing their own request). */
export function checkRejection(c: DecisionContext): Decision {
  if (c.state !== 'pending') return { allowed: false, reason: 'not-pending' };
  if (isExpired(c.expiresAt, c.now)) return { allowed: false, reason: 'expired' };
  if (c.actor === c.requester) return { allowed: true };
  if (!c.principals.length) return { allowed: false, reason: 'no-approvers' };
  if (!eligibleApprovers(c.principals, c.groupMembers).includes(c.actor))
    return { allowed: false, reason: 'not-approver' };
  return { allowed: true };
}

/** Who may approve, as mentions (groups and their members), for messages. */
export function whoMayApprove(
  principals: readonly string[],
  groupMembers: Readonly<Record<string, readonly string[]>>,
  requester?: string,
): string {
  if (!principals.length)
    return 'nobody: no approvers are configured (`slack.approvers` or `jobs.<job>.approvers`)';
  const parts = principals.map((p) => {
    if (!isUserGroup(p)) return mention(p);
    const members = (groupMembers[p] ?? []).filter((u) => u !== requester);
    return members.length ? `${mention(p)} (${members.map(mention).join(', ')})` : mention(p);
  });
  return parts.join(', ');
}

// ---------------------------------------------------------------------------------------------
// Did it work?

export type RecoveryOutcome = 'recovered' | 'not-recovered' | 'suspicious';

/**
 * A run that took under this share of the baseline's time (or read under this share of the
 * baseline's input, when both are known) is implausible, not a recovery: it may have read nothing.
 */
export const SUSPICIOUS_SHARE = 0.5;

export interface RecoveryVerdict {
  /** True only for a plausible run within the threshold. */
  recovered: boolean;
  verdict: RecoveryOutcome;
  /** Duration against the baseline, in percent (negative = faster). */
  pctVsBaseline: number;
  /** Why a run is suspicious, in words. */
  suspiciousReason?: string;
}

/**
 * A run recovered when it succeeded within the degradation threshold over the baseline, and is
 * plausible: far below the baseline (under half its time, or much less input read when the bytes
 * are known) it is "suspicious — check its input and output", not a recovery.
 */
export function recoveryVerdict(
  durationSec: number,
  baselineSec: number,
  thresholdPct: number,
  input: { bytes?: number; baselineBytes?: number } = {},
): RecoveryVerdict {
  const pct = baselineSec > 0 ? ((durationSec - baselineSec) / baselineSec) * 100 : 0;
  const reasons: string[] = [];
  if (baselineSec > 0 && durationSec < baselineSec * SUSPICIOUS_SHARE)
    reasons.push(`it took under half the baseline's time`);
  if (
    input.bytes !== undefined &&
    input.baselineBytes !== undefined &&
    input.baselineBytes > 0 &&
    input.bytes < input.baselineBytes * SUSPICIOUS_SHARE
  )
    reasons.push(`it read ${formatBytes(input.bytes)} against a usual ${formatBytes(input.baselineBytes)}`);
  if (reasons.length)
    return {
      recovered: false,
      verdict: 'suspicious',
      pctVsBaseline: pct,
      suspiciousReason: `${reasons.join(' and ')}: check its input and output before calling it recovered`,
    };
  const recovered = pct <= thresholdPct;
  return { recovered, verdict: recovered ? 'recovered' : 'not-recovered', pctVsBaseline: pct };
}
