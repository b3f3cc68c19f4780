// medic.backfill.submit: the /backfill modal was submitted. Field errors go back into the modal;
// otherwise it closes, the plan is built (the staging job's --output_path read from Glue), the
// record created (one backfill at a time per job), the progress message posted in the channel,
// the request put on the incident timeline, and the first step (snapshot) enqueued.
import { outputTableOf } from '../../config/index.js';
import { code } from '../mrkdwn.js';
import type { App } from '@slack/bolt';
import { modalError, UNREADABLE_MODAL } from '../views/modal-error.js';
import type { Deps } from '../../deps.js';
import { errorId } from '../../logger.js';
import { parseObjectUri } from '../../providers/object-uri.js';
import { buildPlan, newRecord, withSlash, type Location } from '../../domain/backfill-plan.js';
import {
  BACKFILL_CALLBACK,
  BackfillModalContext,
  readBackfillSubmission,
  type BackfillSubmission,
} from '../views/backfill-modal.js';
import { renderBackfillProgress } from '../blocks/backfill-progress.js';
import { slackBlocks } from '../blocks/kit.js';
import { backfillStore, backfillTimeline } from './backfill-shared.js';
import { ephemeral } from './mitigation-shared.js';
import { isRedisUnavailable, REDIS_UNAVAILABLE } from '../../queue/unavailable.js';

export function registerBackfillSubmit(app: App, deps: Deps): void {
  app.view(BACKFILL_CALLBACK, async ({ ack, body, view }) => {
    const user = body.user.id;
    let ctx: BackfillModalContext;
    try {
      ctx = BackfillModalContext.parse(JSON.parse(view.private_metadata));
    } catch (err) {
      await ack(modalError(view, UNREADABLE_MODAL) as never);
      deps.logger.error({ err, user }, 'backfill modal with unreadable metadata');
      return;
    }
    const read = readBackfillSubmission(view.state.values as never, deps.now());
    if (!read.ok) {
      await ack({ response_action: 'errors', errors: read.errors });
      return;
    }
    await ack();
    try {
      await submitBackfill(deps, ctx, read.submission, user);
    } catch (err) {
      const id = errorId();
      deps.logger.error({ err, errorId: id, user, job: ctx.job }, 'backfill request failed');
      await ephemeral(
        deps,
        ctx.channel,
        user,
        isRedisUnavailable(err)
          ? REDIS_UNAVAILABLE
          : `:warning: The backfill of ${code(ctx.job)} could not be started (error id \`${id}\`); nothing was copied. Try again.`,
      );
    }
  });
}

function location(uri: string): Location {
  const l = parseObjectUri(uri);
  return { ...l, prefix: withSlash(l.prefix) };
}

export async function submitBackfill(
  deps: Deps,
  ctx: BackfillModalContext,
  s: BackfillSubmission,
  user: string,
): Promise<string | undefined> {
  const jobCfg = deps.config.medic.jobs[ctx.job];
  if (!jobCfg?.input || !jobCfg.output || !jobCfg.stagingJob) {
    await ephemeral(
      deps,
      ctx.channel,
      user,
      `:warning: ${code(ctx.job)} needs input, output and stagingJob in medic.yml.`,
    );
    return undefined;
  }
  const now = deps.now();
  const input = location(jobCfg.input);
  const production = location(jobCfg.output);
  // The staging job's own output location; without one, a staging area beside production.
  let stagingRoot: Location = { ...production, prefix: `_backfill/staging/${ctx.job}/` };
  try {
    const def = await deps.providers.jobPlatform(jobCfg.provider).getJob(jobCfg.stagingJob);
    if (def.outputLocation) stagingRoot = location(def.outputLocation);
  } catch (err) {
    deps.logger.warn(
      { err, job: jobCfg.stagingJob },
      'staging job unreadable; staging output beside production',
    );
  }
  const incident = await deps.incidents.forChannel(ctx.channel, ctx.job);
  const store = backfillStore(deps.state, deps.config.env.MEDIC_PREFIX);
  const id = await store.newId(now);
  const plan = buildPlan({
    id,
    job: ctx.job,
    provider: jobCfg.provider,
    env: ctx.env,
    dryRun: s.dryRun,
    from: s.from,
    to: s.to,
    input,
    production,
    stagingJob: jobCfg.stagingJob,
    stagingRoot,
    ...(outputTableOf(jobCfg) ? { table: outputTableOf(jobCfg)! } : {}),
    consumers: s.consumers,
    checks: s.checks,
    tolerances: s.tolerances,
    smallFileBytes: deps.config.medic.defaults.smallFileBytes,
    requester: user,
    channel: ctx.channel,
    ...(incident ? { incidentId: incident.id } : {}),
    now,
  });
  const record = newRecord(plan, now);
  const created = await store.create(record);
  if (!created.ok) {
    await ephemeral(
      deps,
      ctx.channel,
      user,
      created.rollbackUnfinished
        ? `:warning: ${code(ctx.job)}'s backfill \`${created.activeId}\` could not roll back its promotion: production is partly restored (its message says what is where). Press *Retry rollback* there first; nothing was started.`
        : `:information_source: ${code(ctx.job)} already has a backfill in progress (\`${created.activeId}\`); one at a time.`,
    );
    return undefined;
  }
  const msg = renderBackfillProgress(record, now);
  const posted = await deps.slack.chat.postMessage({
    channel: ctx.channel,
    text: msg.text,
    blocks: slackBlocks(msg.blocks),
  });
  const withTs =
    (await store.update(id, (r) => ({ ...r, ...(posted.ts ? { messageTs: posted.ts } : {}) }))) ?? record;
  await backfillTimeline(
    { slack: deps.slack, logger: deps.logger, timeline: deps.timeline, now: () => deps.now() },
    withTs,
    'requested',
    `requested by <@${user}> for ${s.from} → ${s.to}${s.dryRun ? ' (dry run)' : ''}`,
    user,
  );
  await deps.producers.enqueue(
    'backfill',
    { backfillId: id, step: 'snapshot', polls: 0 },
    { jobId: `backfill-${id}-snapshot` },
  );
  return id;
}
