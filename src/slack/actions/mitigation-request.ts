// medic.mitigation.request.<kind>: a mitigation button of the triage report. Ack, then open the
// modal at once — the trigger_id lives 3 seconds, so nothing slow (no Redis, no cloud) comes
// before views.open: everything the modal prefills travels in the button's value or the config.
import type { App, BlockAction, ButtonAction } from '@slack/bolt';
import type { Deps } from '../../deps.js';
import { errorId } from '../../logger.js';
import { isMitigationKind } from '../../domain/approval-policy.js';
import { REQUEST_ACTION_PREFIX, decodeRequestValue } from '../blocks/approval-request.js';
import { mitigationModal, modalContext } from '../views/mitigation-modal.js';
import { ephemeral } from './mitigation-shared.js';
import { jobProvider } from '../../config/index.js';
import { code } from '../mrkdwn.js';
import { isRedisUnavailable, REDIS_UNAVAILABLE } from '../../queue/unavailable.js';

export function registerMitigationRequest(app: App, deps: Deps): void {
  app.action<BlockAction<ButtonAction>>(/^medic\.mitigation\.request\./, async ({ ack, body, action }) => {
    await ack();
    const user = body.user.id;
    const channel = body.channel?.id;
    try {
      const kind = action.action_id.slice(REQUEST_ACTION_PREFIX.length);
      const value = decodeRequestValue(action.value);
      if (!isMitigationKind(kind) || !value || !channel) {
        await ephemeral(
          deps,
          channel,
          user,
          kind === 'backfill'
            ? ':construction: Controlled backfills run through `/backfill <job> --from DATE --to DATE`.'
            : ':warning: This button is not one Pipeline Medic can act on (it may come from an older report). Run `/triage` again.',
        );
        return;
      }
      const ctx = modalContext(kind, value, channel, deps.config.env.MEDIC_ENV);
      // The adapter is built without any call: it only says what the platform offers.
      const platform = deps.providers.jobPlatform(jobProvider(deps.config.medic, ctx.job, ctx.provider));
      if (kind === 'scale' && !platform.scaling) {
        await ephemeral(
          deps,
          channel,
          user,
          `:warning: ${platform.terms.platform} offers no scaling the bot can request for ${code(ctx.job)}.`,
        );
        return;
      }
      const view = mitigationModal(
        ctx,
        value,
        deps.config.medic,
        deps.config.env.MEDIC_ENV,
        platform,
        deps.config.medic.jobs[value.j]?.dataOwner,
      );
      await deps.slack.views.open({ trigger_id: body.trigger_id, view: view as never });
    } catch (err) {
      const id = errorId();
      deps.logger.error(
        { err, errorId: id, user, channel, action: action.action_id },
        'mitigation modal failed',
      );
      await ephemeral(
        deps,
        channel,
        user,
        isRedisUnavailable(err)
          ? REDIS_UNAVAILABLE
          : `:warning: Could not open the mitigation form (error id \`${id}\`). Click the button again; nothing was requested.`,
      );
    }
  });
}
