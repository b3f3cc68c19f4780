// Following a job's next run after a mitigation: the record and its first delayed look (the
// processor is jobs/follow-up.ts). Shared by the mitigation job (after an approved compaction,
// bookmark reset, persistent scale or recovery rerun) and the listener recording a code fix.
import type { Deps } from '../deps.js';
import type { MitigationKind } from '../domain/approval-policy.js';
import { FollowUpStore, type FollowUp } from '../store/followups.js';
import { stableId } from './payloads.js';
import type { JobPlatform } from '../providers/ports.js';

/**
 * The runs the platform already has when the follow-up starts: the next run is a newer one. The
 * platform's own times, not the bot's clock, so a skewed clock cannot pick an old run.
 */
async function watermark(
  platform: Pick<JobPlatform, 'listRuns'>,
  job: string,
  endedAt: Date | undefined,
): Promise<Pick<FollowUp, 'knownRunIds' | 'watermarkMs'>> {
  try {
    const runs = await platform.listRuns(job, { maxRuns: 20 });
    // The mitigation's run ended at `endedAt` (platform time): runs started after it are new, even
    // when the bot noticed its end later. Without it (a change, a recorded fix): what exists now.
    const known = endedAt ? runs.filter((r) => r.startedOn.getTime() < endedAt.getTime()) : runs;
    const mark = endedAt?.getTime() ?? runs[0]?.startedOn.getTime();
    return { knownRunIds: known.map((r) => r.id), ...(mark !== undefined ? { watermarkMs: mark } : {}) };
  } catch {
    // Unreadable now: the next run is the first started after `since`.
    return { knownRunIds: [] };
  }
}

export function followUpStore(deps: Pick<Deps, 'state' | 'config'>): FollowUpStore {
  return new FollowUpStore(deps.state, deps.config.env.MEDIC_PREFIX);
}

/** The BullMQ job id of a follow-up's looks. */
export function followJobId(followId: string): string {
  return stableId(followId, 'follow');
}

/** Mitigations whose effect shows only on the job's next run (the others are judged on their rerun). */
export function followsNextRun(kind: MitigationKind, persistent?: boolean): boolean {
  return (
    kind === 'compaction' ||
    kind === 'bookmark-reset' ||
    kind === 'code-fix' ||
    kind === 'recovery-rerun' ||
    (kind === 'scale' && persistent === true)
  );
}

/**
 * Record the follow-up (once: a retry keeps the first) and queue its first look. Idempotent: the
 * record is written NX and the job id is deterministic, so a retried caller follows once.
 */
export async function startFollowUp(
  deps: Pick<Deps, 'state' | 'config' | 'producers' | 'timings'>,
  f: Omit<FollowUp, 'state' | 'checks' | 'maxChecks' | 'knownRunIds'>,
  platform: Pick<JobPlatform, 'listRuns'>,
  /** When the mitigation's own run ended, on the platform's clock. */
  endedAt?: Date,
): Promise<FollowUp> {
  const store = followUpStore(deps);
  const created =
    (await store.get(f.id)) ??
    (await store.create({
      ...f,
      ...(await watermark(platform, f.job, endedAt)),
      state: 'waiting',
      checks: 0,
      maxChecks: deps.timings.followMaxChecks,
    }));
  await deps.producers.enqueue(
    'mitigation',
    { approvalId: created.id, step: 'follow', polls: 0 },
    { jobId: followJobId(created.id), delayMs: deps.timings.followPollMs },
  );
  return created;
}
