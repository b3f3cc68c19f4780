// Registers interactive listeners (buttons, checkboxes, modals), grouped by surface; one file per
// listener. action_ids are medic.<area>.<verb>.
import type { App } from '@slack/bolt';
import type { CommandDeps } from '../../../commands/deps.js';

export function registerActions(app: App, deps: CommandDeps): void {
  // Buttons that only open links still send an action; ack them so Slack shows no error.
  app.action(/^medic\.link\./, async ({ ack }) => {
    await ack();
  });
  void deps;
}
