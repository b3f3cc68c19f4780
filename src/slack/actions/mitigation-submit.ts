// medic.mitigation.submit: the mitigation modal was submitted. Field errors go back into the modal;
// otherwise it closes and the request becomes, in the incident channel, either
//   - an approval request (what will run, where, the exact API calls, who asked and why, the
//     approvers mentioned, Approve / Reject, the expiry), recorded in Redis with a delayed job that
//     marks it expired, or
//   - a dry run (dev, or the dry-run choice): the exact calls, none made, or
//   - a recorded code-fix follow-up (no cloud call).
// Every one goes on the incident timeline.
import type { App } from '@slack/bolt';
import { modalError, UNREADABLE_MODAL } from '../views/modal-error.js';
import type { Deps } from '../../deps.js';
import { errorId } from '../../logger.js';
import {
  approverPrincipals,
  executesDry,
  expiryFrom,
  submissionOutcome,
} from '../../domain/approval-policy.js';
import { jobProvider } from '../../config/index.js';
import type { JobPlatform } from '../../providers/ports.js';
import { KIND_TITLE, renderApproval, renderNotice } from '../blocks/approval-request.js';
import { slackBlocks } from '../blocks/kit.js';
import {
  MITIGATION_CALLBACK,
  ModalContext,
  readSubmission,
  type Submission,
} from '../views/mitigation-modal.js';
import { approvalStore, ephemeral } from './mitigation-shared.js';
import { stableId } from '../../queue/payloads.js';
import { code } from '../mrkdwn.js';
import { refreshChecklistMessage } from '../checklist-message.js';
import { estimateCostImpact } from './mitigation-cost.js';
import { startFollowUp } from '../../queue/follow-up.js';
import { isRedisUnavailable, REDIS_UNAVAILABLE } from '../../queue/unavailable.js';

export function registerMitigationSubmit(app: App, deps: Deps): void {
  app.view(MITIGATION_CALLBACK, async ({ ack, body, view }) => {
    const user = body.user.id;
    let ctx: ModalContext;
    try {
      ctx = ModalContext.parse(JSON.parse(view.private_metadata));
    } catch (err) {
      await ack(modalError(view, UNREADABLE_MODAL) as never);
      deps.logger.error({ err, user }, 'mitigation modal with unreadable metadata');
      return;
    }
    let platform: JobPlatform;
    try {
      platform = deps.providers.jobPlatform(jobProvider(deps.config.medic, ctx.job, ctx.provider));
    } catch (err) {
      await ack(
        modalError(
          view,
          `${ctx.job} runs on a platform this bot has no adapter for; nothing was started.`,
        ) as never,
      );
      deps.logger.error({ err, user, job: ctx.job }, 'mitigation for a job whose platform has no adapter');
      return;
    }
    const read = readSubmission(ctx, view.state.values as never, platform);
    if (!read.ok) {
      await ack({ response_action: 'errors', errors: read.errors });
      return;
    }
    await ack();
    try {
      await submitMitigation(deps, ctx, read.submission, user, platform);
    } catch (err) {
      const id = errorId();
      deps.logger.error(
        { err, errorId: id, user, channel: ctx.channel, job: ctx.job },
        'mitigation request failed',
      );
      await ephemeral(
        deps,
        ctx.channel,
        user,
        isRedisUnavailable(err)
          ? REDIS_UNAVAILABLE
          : `:warning: Your ${KIND_TITLE[ctx.kind].toLowerCase()} request for ${code(ctx.job)} could not be recorded (error id \`${id}\`); nothing will run. Try again.`,
      );
    }
  });
}

export async function submitMitigation(
  deps: Deps,
  ctx: ModalContext,
  s: Submission,
  user: string,
  platform: JobPlatform = deps.providers.jobPlatform(jobProvider(deps.config.medic, ctx.job, ctx.provider)),
): Promise<{ outcome: 'dry-run' | 'record' | 'approval' | 'unavailable'; approvalId?: string }> {
  const now = deps.now();
  const medicEnv = deps.config.env.MEDIC_ENV;
  const outcome = submissionOutcome({ dryRunChosen: s.dryRunChosen, kind: ctx.kind });
  const calls = platform.planMitigation(ctx.job, s.params);
  if (!calls) {
    await ephemeral(
      deps,
      ctx.channel,
      user,
      `:warning: ${KIND_TITLE[ctx.kind]} is not available on ${platform.terms.platform} for ${code(ctx.job)}; nothing was requested.`,
    );
    return { outcome: 'unavailable' };
  }
  const incident = ctx.incidentId
    ? await deps.incidents.get(ctx.incidentId)
    : await deps.incidents.forChannel(ctx.channel, ctx.job);
  const channel = incident?.channel ?? ctx.channel;
  const title = `${KIND_TITLE[ctx.kind]} on ${ctx.job} (${ctx.env})`;
  const callsText = calls.length ? calls.map((c) => c.description).join('; ') : 'no cloud call';
  // Shown before anyone approves: what it will cost (one bounded read of recent runs).
  const costImpact = await estimateCostImpact(deps, platform, ctx.job, s.params);

  if (outcome !== 'approval') {
    const msg = renderNotice({
      kind: outcome,
      job: ctx.job,
      env: ctx.env,
      params: s.params,
      calls,
      requester: user,
      reason: s.reason,
      ...(outcome === 'dry-run' ? { why: 'asked for' } : {}),
      ...(outcome === 'record'
        ? {
            follow: `The bot follows the next run of ${ctx.job} (for up to ${deps.config.medic.defaults.followNextRunHours} h) and posts its verdict against the baseline in this thread.`,
          }
        : {}),
      costImpact,
    });
    const posted = await deps.slack.chat.postMessage({
      channel,
      text: msg.text,
      blocks: slackBlocks(msg.blocks),
      unfurl_links: false,
    });
    if (outcome === 'record') {
      // A code fix shows on the job's next run: follow it like an approved mitigation.
      await startFollowUp(
        deps,
        {
          id: stableId('fix', incident?.id ?? channel, String(now)),
          job: ctx.job,
          provider: platform.provider,
          env: ctx.env,
          kind: s.params.kind,
          ...(incident ? { incidentId: incident.id } : {}),
          channel,
          ...(posted.ts ? { messageTs: posted.ts } : {}),
          since: now,
        },
        platform,
      ).catch((err: unknown) =>
        deps.logger.warn({ err, job: ctx.job }, 'could not start following the next run after a code fix'),
      );
    }
    if (incident) {
      await deps.timeline.append(incident.id, {
        at: now,
        kind: 'note',
        actor: user,
        job: ctx.job,
        text:
          outcome === 'dry-run'
            ? `Dry run of ${title}: ${callsText} (not made). Reason: ${s.reason}`
            : `Code fix follow-up recorded for ${ctx.job}: ${s.params.kind === 'code-fix' ? `owner <@${s.params.owner}>, ${s.params.description}` : ''}. Reason: ${s.reason}`,
      });
      if (outcome === 'record')
        await tickDecision(deps, incident.id, user, now, `code fix recorded for ${ctx.job}`, ctx.job);
    }
    return { outcome };
  }

  const store = approvalStore(deps);
  const cfg = deps.config.medic;
  const id = await store.newId(now);
  const approval = await store.create({
    id,
    ...(incident ? { incidentId: incident.id } : {}),
    channel,
    job: ctx.job,
    provider: platform.provider,
    env: ctx.env,
    ...(ctx.findingId ? { findingId: ctx.findingId } : {}),

    params: s.params,
    calls,
    requester: user,
    reason: s.reason,
    approvers: approverPrincipals(cfg.slack.approvers, cfg.jobs[ctx.job]?.approvers),
    createdAt: now,
    expiresAt: expiryFrom(now, cfg.defaults.approvalExpiryMinutes),
    dryRun: executesDry(medicEnv),
    costImpact,
  });
  const msg = renderApproval(approval);
  const res = await deps.slack.chat.postMessage({
    channel,
    text: msg.text,
    blocks: slackBlocks(msg.blocks),
    unfurl_links: false,
  });
  if (res.ts) await store.setMessageTs(id, res.ts);
  if (incident) {
    await deps.timeline.append(
      incident.id,
      {
        at: now,
        kind: 'approval-request',
        actor: user,
        job: ctx.job,
        text: `Approval ${id} requested: ${title} — ${callsText}. Reason: ${s.reason}`,
      },
      `approval-request-${id}`,
    );
  }
  // The expiry marks the message even when nobody clicks again; the processor checks the time.
  try {
    await deps.producers.enqueue(
      'mitigation',
      { approvalId: id, step: 'expire', polls: 0 },
      { jobId: stableId(id, 'expire'), delayMs: Math.max(1, approval.expiresAt - now) },
    );
  } catch (err) {
    deps.logger.warn(
      { err, approvalId: id },
      'could not schedule the expiry; it is still enforced on approval',
    );
  }
  return { outcome, approvalId: id };
}

/** An approved mitigation (or a recorded code fix) is the runbook's "Decisión" item. */
export async function tickDecision(
  deps: Pick<Deps, 'checklists' | 'timeline' | 'incidents' | 'slack' | 'logger'>,
  incidentId: string,
  user: string,
  at: number,
  note: string,
  job?: string,
): Promise<void> {
  if (!deps.checklists.has('decision')) return;
  const changed = await deps.checklists.set(incidentId, 'decision', true, user, {
    note,
    at,
    onlyIfUnset: true,
    ...(job ? { job } : {}),
  });
  if (!changed) return;
  await deps.timeline.append(incidentId, {
    at,
    kind: 'checklist',
    actor: user,
    ...(job ? { job } : {}),
    text: `Checklist ticked: ${deps.checklists.label('decision')} (${note})`,
  });
  const incident = await deps.incidents.get(incidentId);
  if (incident?.checklistTs) {
    await refreshChecklistMessage(deps, incidentId).catch((err: unknown) =>
      deps.logger.warn({ err, incidentId }, 'could not refresh the checklist message'),
    );
  }
}
