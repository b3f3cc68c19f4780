// /backfill <job> --from DATE --to DATE [--env E] [--dry-run]: the runbook's safe backfill. The
// command validates, acks at once, and opens the plan modal (views.open within the trigger's 3 s:
// nothing slow comes before it — the plan is built from config alone). Submitting the modal
// (src/slack/actions/backfill-submit.ts) starts the flow.
import type { SlashCommand } from '@slack/bolt';
import { parseCommand, shown } from './args.js';
import { BACKFILL } from './specs.js';
import { invalidReply, unavailableReply, usageReply, type Ack } from './reply.js';
import type { Deps } from '../src/deps.js';
import { BackfillPlanError, windowDates } from '../src/domain/backfill-plan.js';
import { backfillModal } from '../src/slack/views/backfill-modal.js';
import { windowRangeProblem } from '../src/domain/backfill-window.js';

export async function handleBackfill(deps: Deps, command: SlashCommand, ack: Ack): Promise<string> {
  const parsed = parseCommand(BACKFILL, command.text);
  if (parsed.kind === 'help') {
    await ack(usageReply(BACKFILL));
    return 'help';
  }
  if (parsed.kind === 'error') {
    await ack(invalidReply(BACKFILL, parsed.message));
    return 'invalid';
  }
  const { from, to, env } = parsed.flags as { from?: string; to?: string; env?: string };
  const dryRun = Boolean((parsed.flags as Record<string, unknown>)['dry-run']);
  if (!from || !to) {
    await ack(invalidReply(BACKFILL, 'both --from and --to are required'));
    return 'invalid';
  }
  const range = windowRangeProblem(from, to, deps.now());
  if (range) {
    await ack(invalidReply(BACKFILL, range));
    return 'invalid';
  }
  try {
    windowDates(from, to);
  } catch (err) {
    if (!(err instanceof BackfillPlanError)) throw err;
    await ack(invalidReply(BACKFILL, err.message));
    return 'invalid';
  }
  const job = parsed.positional[0] ?? '';
  const jobCfg = deps.config.medic.jobs[job];
  const missing = !jobCfg
    ? ['the job is not in medic.yml `jobs:`']
    : [
        ...(!jobCfg.input ? ['`input`'] : []),
        ...(!jobCfg.output ? ['`output`'] : []),
        ...(!jobCfg.stagingJob ? ['`stagingJob`'] : []),
      ];
  if (missing.length) {
    await ack(
      invalidReply(
        BACKFILL,
        `a backfill of \`${shown(job.replace(/[`<>&]/g, ''), 100)}\` needs ${missing.join(', ')}${jobCfg ? ` under jobs.${job}` : ''}`,
      ),
    );
    return 'invalid';
  }
  // Submitting the modal starts the flow through Redis: with Redis down, opening it would only
  // lead to a form that cannot start anything.
  if (!deps.producers.ready()) {
    await ack(unavailableReply(BACKFILL));
    return 'unavailable';
  }
  await ack();
  // views.open must come within the trigger's 3 s: the incident link is not worth waiting for.
  const incident = await Promise.race([
    deps.incidents.forChannel(command.channel_id, job).catch(() => undefined),
    new Promise<undefined>((r) => setTimeout(() => r(undefined), 800).unref()),
  ]);
  const view = backfillModal({
    ctx: {
      job,
      channel: command.channel_id,
      env: env ?? deps.config.env.MEDIC_ENV,
      ...(incident ? { incidentId: incident.id } : {}),
    },
    job: jobCfg!,
    from,
    to,
    dryRun,
  });
  await deps.slack.views.open({ trigger_id: command.trigger_id, view: view as never });
  return 'modal';
}
