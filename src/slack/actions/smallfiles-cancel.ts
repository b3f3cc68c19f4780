// Cancel button of a running /smallfiles scan: sets a flag the scanning worker polls (it may run
// in another process), so the scan stops and its message says who cancelled it.
import type { App } from '@slack/bolt';
import type { Deps } from '../../deps.js';
import { requestScanCancel } from '../../queue/smallfiles-cancel.js';

export function registerSmallFilesCancel(app: App, deps: Deps): void {
  app.action('medic.smallfiles.cancel', async ({ ack, body, action }) => {
    await ack();
    const jobId = (action as { value?: string }).value;
    if (!jobId || !/^[A-Za-z0-9._-]{1,200}$/.test(jobId)) return;
    await requestScanCancel(deps.state, deps.config.env.MEDIC_PREFIX, jobId, body.user.id);
  });
}
