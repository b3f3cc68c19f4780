// The missing-data report's buttons. "Backfill these dates" (medic.missing.backfill, value = job
// and window) opens the backfill modal prefilled with the missing window, as `/backfill` would;
// submitting it starts the usual safe backfill. "Investigate" on a freshness alert
// (medic.missing.investigate, value = job) queues the report `/missing <job>` would in that channel.
// ("Rerun upstream" is the mitigation request button: src/slack/actions/mitigation-request.ts.)
import type { App, BlockAction, ButtonAction } from '@slack/bolt';
import type { Deps } from '../../deps.js';
import { errorId } from '../../logger.js';
import { QueueUnavailableError } from '../../queue/producers.js';
import { MissingPayload, stableId } from '../../queue/payloads.js';
import { code } from '../mrkdwn.js';
import {
  decodeBackfillValue,
  MISSING_BACKFILL_ACTION_ID,
  MISSING_INVESTIGATE_ACTION_ID,
} from '../blocks/missing-report.js';
import { backfillModal } from '../views/backfill-modal.js';

export function registerMissingActions(app: App, deps: Deps): void {
  app.action<BlockAction<ButtonAction>>(
    { action_id: MISSING_BACKFILL_ACTION_ID },
    async ({ ack, body, action }) => {
      await ack();
      const channel = body.channel?.id ?? body.container?.channel_id;
      const user = body.user.id;
      const tell = (text: string) =>
        channel
          ? deps.slack.chat.postEphemeral({ channel, user, text }).catch(() => undefined)
          : Promise.resolve(undefined);
      try {
        const v = decodeBackfillValue(action.value);
        const jobCfg = v ? deps.config.medic.jobs[v.job] : undefined;
        if (!v || !channel || !jobCfg?.input || !jobCfg.output || !jobCfg.stagingJob) {
          await tell(
            ':warning: This job cannot be backfilled from here: it needs `input`, `output` and `stagingJob` in medic.yml.',
          );
          return;
        }
        // views.open first: the trigger lives 3 s; the incident lookup is one Redis read.
        const incident = await deps.incidents.forChannel(channel).catch(() => undefined);
        const view = backfillModal({
          ctx: {
            job: v.job,
            channel,
            env: deps.config.env.MEDIC_ENV,
            ...(incident ? { incidentId: incident.id } : {}),
          },
          job: jobCfg,
          from: v.from,
          to: v.to,
          dryRun: false,
        });
        await deps.slack.views.open({ trigger_id: body.trigger_id, view: view as never });
        if (incident)
          await deps.timeline.append(incident.id, {
            at: deps.now(),
            kind: 'command',
            actor: user,
            text: `Backfill these dates: ${v.job} ${v.from} → ${v.to} (backfill form opened)`,
          });
      } catch (err) {
        const id = errorId();
        deps.logger.error({ err, errorId: id, user, channel }, 'missing-data backfill button failed');
        await tell(
          `:warning: Could not open the backfill form (error id \`${id}\`). Click again, or use \`/backfill\`.`,
        );
      }
    },
  );

  app.action<BlockAction<ButtonAction>>(
    { action_id: MISSING_INVESTIGATE_ACTION_ID },
    async ({ ack, body, action }) => {
      await ack();
      const channel = body.channel?.id ?? body.container?.channel_id;
      const user = body.user.id;
      const parsed = MissingPayload.safeParse({
        target: action.value,
        requester: { userId: user, channelId: channel, ...(body.team?.id ? { teamId: body.team.id } : {}) },
        requestedAt: deps.now(),
      });
      if (!parsed.success || !channel || !deps.config.medic.jobs[parsed.data.target]) {
        deps.logger.warn({ user, channel }, 'investigate button with an invalid job or channel');
        return;
      }
      const job = parsed.data.target;
      const tell = (text: string) =>
        deps.slack.chat.postEphemeral({ channel, user, text }).catch(() => undefined);
      try {
        const res = await deps.producers.enqueue('missing', parsed.data, {
          dedupId: stableId('missing', channel, job, '', ''),
          dedupTtlMs: 30_000,
        });
        await tell(
          res.created
            ? `:mag: Looking for missing partitions of ${code(job)}; the report will show in this channel.`
            : `:hourglass_flowing_sand: A missing-data report of ${code(job)} is already being prepared here.`,
        );
      } catch (err) {
        if (!(err instanceof QueueUnavailableError)) throw err;
        deps.logger.error({ err, user }, 'could not enqueue the missing-data report');
        await tell(
          ':warning: The bot cannot reach its queue right now, so nothing was started. Try again in a minute.',
        );
      }
    },
  );
}
