// medic.mitigation.retry: the Retry button of an approved mitigation that could not run (the
// approval message, src/slack/blocks/approval-request.ts). It re-executes the plan that was
// approved — never a new one — and only what did not take effect (src/domain/mitigation-retry.ts):
// a started run is followed again, a call that starts a run is made again only after the worker
// finds no run since the first attempt, a refused change is made again. Accepted only from the
// approval's own channel; two clicks at the same moment retry once (a compare-and-set on the
// stored execution); who clicked goes on the timeline and on the message.
import type { App, BlockAction, ButtonAction } from '@slack/bolt';
import type { Deps } from '../../deps.js';
import { errorId } from '../../logger.js';
import { isMitigationKind } from '../../domain/approval-policy.js';
import { mitigationRetry, type MitigationRetry } from '../../domain/mitigation-retry.js';
import type { Execution } from '../../store/approvals.js';
import { KIND_TITLE, MITIGATION_RETRY_ACTION } from '../blocks/approval-request.js';
import { approvalStore, ephemeral, otherChannelText, updateApprovalMessage } from './mitigation-shared.js';
import { isRedisUnavailable, REDIS_UNAVAILABLE } from '../../queue/unavailable.js';
import { code } from '../mrkdwn.js';

export type MitigationRetryOutcome = 'queued' | 'refused' | 'lost-race';

export function registerMitigationRetry(app: App, deps: Deps): void {
  app.action<BlockAction<ButtonAction>>(MITIGATION_RETRY_ACTION, async ({ ack, body, action }) => {
    await ack();
    const user = body.user.id;
    const channel = body.channel?.id ?? body.container?.channel_id;
    try {
      await retryMitigation(deps, action.value ?? '', user, channel);
    } catch (err) {
      const id = errorId();
      deps.logger.error({ err, errorId: id, user, approvalId: action.value }, 'mitigation retry failed');
      await ephemeral(
        deps,
        channel,
        user,
        isRedisUnavailable(err)
          ? REDIS_UNAVAILABLE
          : `:warning: The retry could not be started (error id \`${id}\`); nothing was started.`,
      );
    }
  });
}

const WHAT: Record<MitigationRetry, string> = {
  follow: 'following its run again; nothing is started',
  'check-then-run': 'looking for a run the first attempt may have started before calling again',
  'run-again': 'making the refused call again',
};

export async function retryMitigation(
  deps: Deps,
  approvalId: string,
  user: string,
  channel: string | undefined,
): Promise<MitigationRetryOutcome> {
  const store = approvalStore(deps);
  const a = approvalId ? await store.get(approvalId) : undefined;
  if (!a || !isMitigationKind(a.params.kind)) {
    await ephemeral(
      deps,
      channel,
      user,
      ':warning: This approval request is unknown or too old; nothing was run.',
    );
    return 'refused';
  }
  // Only from the approval's own channel (a click without a channel cannot prove where it came from).
  if (channel !== a.channel) {
    deps.logger.warn({ approvalId, user, channel, owner: a.channel }, 'a retry click from another channel');
    await ephemeral(deps, channel, user, otherChannelText(a, 'run'));
    return 'refused';
  }
  const how = mitigationRetry(a);
  if (!how) {
    await ephemeral(
      deps,
      channel,
      user,
      `:information_source: Approval ${code(a.id)} is ${a.state === 'approved' ? (a.execution?.state ?? 'starting') : a.state}; there is nothing to retry.`,
    );
    return 'refused';
  }
  const now = deps.now();
  let n = 0;
  const next = await store.changeExecution(a.id, (ex): Execution | undefined => {
    if (mitigationRetry({ ...a, execution: ex }) !== how) return undefined;
    const retries = [...(ex.retries ?? []), { by: user, at: now }];
    n = retries.length;
    if (how === 'follow') {
      const { error: _e, finishedAt: _f, ...rest } = ex;
      return { ...rest, state: 'running', polls: 0, retries };
    }
    return {
      state: 'starting',
      ...(ex.jobName ? { jobName: ex.jobName } : {}),
      // A refused call started nothing: this retry starts afresh, and a later look for "the run
      // it may have started" counts from now.
      startedAt: how === 'run-again' ? now : (ex.startedAt ?? now),
      ...(how === 'run-again' ? { afresh: true } : {}),
      polls: 0,
      retries,
    };
  });
  if (!next) {
    await ephemeral(
      deps,
      channel,
      user,
      `:hourglass_flowing_sand: Approval ${code(a.id)} is already being retried.`,
    );
    return 'lost-race';
  }
  // The message first: the worker, once queued, writes newer states after this one.
  try {
    await updateApprovalMessage(deps.slack, { ...a, execution: next });
  } catch (err) {
    deps.logger.warn({ err, approvalId: a.id }, 'could not update the approval message after a retry');
  }
  try {
    await deps.producers.enqueue(
      'mitigation',
      how === 'follow'
        ? { approvalId: a.id, step: 'poll', runId: next.runId!, polls: 0 }
        : { approvalId: a.id, step: 'start', polls: 0 },
      { jobId: `${a.id}-retry${n}` },
    );
  } catch (err) {
    // Put the execution back as it was, so the Retry button stays and says the truth.
    const back = await store.changeExecution(a.id, (ex) =>
      ex.retries?.length === n && a.execution ? a.execution : undefined,
    );
    if (back) await updateApprovalMessage(deps.slack, { ...a, execution: back }).catch(() => undefined);
    throw err;
  }
  if (a.incidentId)
    await deps.timeline.append(
      a.incidentId,
      {
        at: now,
        kind: 'mitigation-start',
        actor: user,
        job: a.job,
        text: `Retry ${n} of approval ${a.id} by <@${user}> (${KIND_TITLE[a.params.kind]} on ${a.job}): ${WHAT[how]}`,
      },
      `mitigation-retry-${a.id}-${n}`,
    );
  deps.logger.info({ approvalId: a.id, user, how, retry: n }, 'mitigation retried');
  await ephemeral(deps, channel, user, `:repeat: Retrying approval ${code(a.id)}: ${WHAT[how]}.`);
  return 'queued';
}
