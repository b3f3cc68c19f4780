// What the backfill listeners and the backfill processor share: the store, the approval store of
// backfills (the mitigations' ApprovalStore under its own key prefix: same Lua transition, same
// policy), the in-place progress message, and timeline entries.
import type { Redis } from 'ioredis';
import type { WebClient } from '@slack/web-api';
import type { Logger } from '../../logger.js';
import type { Timeline } from '../../store/timeline.js';
import { BackfillStore } from '../../store/backfills.js';
import { ApprovalStore } from '../../store/approvals.js';
import type { MitigationParams } from '../../domain/approval-policy.js';
import { renderBackfillProgress } from '../blocks/backfill-progress.js';
import { slackBlocks } from '../blocks/kit.js';
import type { BackfillRecord } from '../../domain/backfill-plan.js';

export function backfillStore(state: Redis, prefix: string): BackfillStore {
  return new BackfillStore(state, prefix);
}

/**
 * The four-eyes approvals of mitigations, reused for the backfill gate: the same store (its Lua
 * transition decides once) under `P:backfill:approval:<id>`, so the mitigation listeners never see
 * these requests. Its ids come from the same counter as every other approval's (one id space).
 * ApprovalRequest.params is typed for mitigations; a backfill request carries
 * `{ kind: 'backfill', backfillId }`, which its schema accepts (an object with a kind).
 */
export function backfillApprovals(state: Redis, prefix: string): ApprovalStore {
  return new ApprovalStore(state, `${prefix}:backfill`, prefix);
}

export function backfillApprovalParams(backfillId: string): MitigationParams {
  return { kind: 'backfill', backfillId } as unknown as MitigationParams;
}

export interface ProgressDeps {
  slack: WebClient;
  logger: Logger;
  timeline: Timeline;
  now: () => number;
}

/** Re-render the progress message from the record (never fails the caller). */
export async function refreshProgress(deps: ProgressDeps, r: BackfillRecord): Promise<void> {
  if (!r.messageTs) return;
  const msg = renderBackfillProgress(r, deps.now());
  try {
    await deps.slack.chat.update({
      channel: r.plan.channel,
      ts: r.messageTs,
      text: msg.text,
      blocks: slackBlocks(msg.blocks),
    });
  } catch (err) {
    deps.logger.warn({ err, backfillId: r.plan.id }, 'could not update the backfill progress message');
  }
}

/** One timeline entry per step event (deduplicated, so a retried step adds none). */
export async function backfillTimeline(
  deps: ProgressDeps,
  r: BackfillRecord,
  key: string,
  text: string,
  actor = 'medic',
): Promise<void> {
  if (!r.plan.incidentId) return;
  try {
    await deps.timeline.append(
      r.plan.incidentId,
      {
        at: deps.now(),
        kind: 'backfill',
        actor,
        job: r.plan.job,
        text: `Backfill ${r.plan.id} of ${r.plan.job}: ${text}`,
      },
      // After a Resume or a Retry promotion the steps run again: their entries are new ones.
      `backfill-${r.plan.id}-${key}${r.resumes?.length ? `-r${r.resumes.length}` : ''}${r.promoteRetries?.length ? `-p${r.promoteRetries.length}` : ''}`,
    );
  } catch (err) {
    deps.logger.warn({ err, backfillId: r.plan.id }, 'could not append to the timeline');
  }
}
