// Registers interactive listeners (buttons, checkboxes, modals), grouped by surface; one file per
// listener. action_ids are medic.<area>.<verb>.
import type { App } from '@slack/bolt';
import type { Deps } from '../../deps.js';
import { registerChecklistToggle } from './checklist-toggle.js';
import { registerTimelinePage } from './timeline-page.js';
import { registerEvents } from '../events/index.js';
import { registerMitigationActions } from './mitigation.js';
import { registerSmallFilesCancel } from './smallfiles-cancel.js';
import { registerBackfillActions } from './backfill.js';
import { registerMonitorTriage } from './monitor-triage.js';
import { registerSchemaPlanActions } from './schema-plan.js';
import { registerMissingActions } from './missing.js';
import { registerIncidentChoice } from './incident-choice.js';
import { registerJobRetry } from './job-retry.js';

export function registerActions(app: App, deps: Deps): void {
  // Buttons that only open links still send an action; ack them so Slack shows no error.
  app.action(/^medic\.link\./, async ({ ack }) => {
    await ack();
  });
  registerChecklistToggle(app, deps);
  registerTimelinePage(app, deps);
  registerMitigationActions(app, deps);
  registerSmallFilesCancel(app, deps);
  registerBackfillActions(app, deps);
  registerMonitorTriage(app, deps);
  registerSchemaPlanActions(app, deps);
  registerMissingActions(app, deps);
  registerIncidentChoice(app, deps);
  registerJobRetry(app, deps);
  // Events (reaction_added) share the one Request URL; registered here so bootstrap stays as is.
  registerEvents(app, deps);
}
