// Approvals of the runbook's quick mitigations (pure: no Slack, no Redis, no clock of its own).
// What a mitigation will do (the exact API calls), who may approve it (four-eyes, approvers from
// config, user groups resolved by the caller), when it expires, and whether a rerun recovered.
// StackStorm's Inquiries are the model: who may answer, an answer schema, a TTL.

/** Mitigations a button can request (the runbook's backfill has its own workflow). */
export const MITIGATION_KINDS = [
  'compaction',
  'scale',
  'shuffle-tuning',
  'bookmark-reset',
  'code-fix',
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
      workerType: string;
      numberOfWorkers: number;
      /** UpdateJob (every later run) instead of one rerun with overrides. */
      persistent: boolean;
      fromWorkerType?: string;
      fromWorkers?: number;
    }
  | { kind: 'shuffle-tuning'; shufflePartitions: number; skewJoin: boolean }
  | { kind: 'bookmark-reset'; runId?: string }
  | { kind: 'code-fix'; owner: string; description: string };

export type PlannedCall =
  | {
      action: 'glue:StartJobRun';
      jobName: string;
      arguments?: Record<string, string>;
      workerType?: string;
      numberOfWorkers?: number;
    }
  | { action: 'glue:UpdateJob'; jobName: string; workerType: string; numberOfWorkers: number }
  | { action: 'glue:ResetJobBookmark'; jobName: string; runId?: string };

/** Compaction's argument names, as the compaction job reads them. */
export const COMPACTION_ARGS = { input: '--input_path', targetSize: '--target_file_size' } as const;

/**
 * Glue takes one value per argument key, so several Spark settings go into the single `--conf`
 * argument joined by ` --conf ` (the documented workaround: `a=1 --conf b=2`).
 */
export function sparkConfArgument(settings: readonly (readonly [string, string])[]): string {
  return settings.map(([k, v]) => `${k}=${v}`).join(' --conf ');
}

export function shuffleSettings(p: { shufflePartitions: number; skewJoin: boolean }): [string, string][] {
  const s: [string, string][] = [['spark.sql.shuffle.partitions', String(p.shufflePartitions)]];
  if (p.skewJoin)
    s.push(['spark.sql.adaptive.enabled', 'true'], ['spark.sql.adaptive.skewJoin.enabled', 'true']);
  return s;
}

/** The exact calls a mitigation makes, in order (none for a code fix: it records a follow-up). */
export function planMitigation(job: string, p: MitigationParams): PlannedCall[] {
  switch (p.kind) {
    case 'compaction':
      return [
        {
          action: 'glue:StartJobRun',
          jobName: p.compactionJob,
          arguments: {
            [COMPACTION_ARGS.input]: p.inputLocation,
            [COMPACTION_ARGS.targetSize]: String(p.targetFileBytes),
          },
        },
      ];
    case 'scale':
      return p.persistent
        ? [
            {
              action: 'glue:UpdateJob',
              jobName: job,
              workerType: p.workerType,
              numberOfWorkers: p.numberOfWorkers,
            },
          ]
        : [
            {
              action: 'glue:StartJobRun',
              jobName: job,
              workerType: p.workerType,
              numberOfWorkers: p.numberOfWorkers,
            },
          ];
    case 'shuffle-tuning':
      return [
        {
          action: 'glue:StartJobRun',
          jobName: job,
          arguments: { '--conf': sparkConfArgument(shuffleSettings(p)) },
        },
      ];
    case 'bookmark-reset':
      return [{ action: 'glue:ResetJobBookmark', jobName: job, ...(p.runId ? { runId: p.runId } : {}) }];
    case 'code-fix':
      return [];
  }
}

/** `glue:StartJobRun JobName=X Arguments={--a=1, --b=2} WorkerType=G.2X NumberOfWorkers=20`. */
export function describeCall(c: PlannedCall): string {
  const parts: string[] = [c.action, `JobName=${c.jobName}`];
  if (c.action === 'glue:StartJobRun') {
    if (c.arguments && Object.keys(c.arguments).length)
      parts.push(
        `Arguments={${Object.entries(c.arguments)
          .map(([k, v]) => `${k}=${v}`)
          .join(', ')}}`,
      );
    if (c.workerType) parts.push(`WorkerType=${c.workerType}`);
    if (c.numberOfWorkers !== undefined) parts.push(`NumberOfWorkers=${c.numberOfWorkers}`);
  } else if (c.action === 'glue:UpdateJob') {
    parts.push(
      `JobUpdate={WorkerType=${c.workerType}, NumberOfWorkers=${c.numberOfWorkers}, …every other field kept}`,
    );
  } else if (c.runId) {
    parts.push(`RunId=${c.runId}`);
  }
  return parts.join(' ');
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

export interface RecoveryVerdict {
  recovered: boolean;
  /** Duration against the baseline, in percent (negative = faster). */
  pctVsBaseline: number;
}

/** A rerun recovered when it succeeded within the degradation threshold over the baseline. */
export function recoveryVerdict(
  durationSec: number,
  baselineSec: number,
  thresholdPct: number,
): RecoveryVerdict {
  const pct = baselineSec > 0 ? ((durationSec - baselineSec) / baselineSec) * 100 : 0;
  return { recovered: pct <= thresholdPct, pctVsBaseline: pct };
}
