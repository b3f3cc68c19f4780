// Mitigations behind approvals: the triage report's buttons, the modal, Approve / Reject, Retry.
import type { App } from '@slack/bolt';
import type { Deps } from '../../deps.js';
import { registerMitigationRequest } from './mitigation-request.js';
import { registerMitigationSubmit } from './mitigation-submit.js';
import { registerMitigationDecision } from './mitigation-decision.js';
import { registerFollowUpActions } from './follow-up.js';
import { registerMitigationRetry } from './mitigation-retry.js';

export function registerMitigationActions(app: App, deps: Deps): void {
  registerMitigationRequest(app, deps);
  registerMitigationSubmit(app, deps);
  registerMitigationDecision(app, deps);
  registerFollowUpActions(app, deps);
  registerMitigationRetry(app, deps);
}
