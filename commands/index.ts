// Registers every slash command; one file per command.
import type { App } from '@slack/bolt';
import type { Deps } from '../src/deps.js';
import { registerCommand } from './listener.js';
import { handleTriage } from './triage.js';
import { handleSmallFiles } from './smallfiles.js';
import { handleIncident } from './incident.js';
import { handleBackfill } from './backfill.js';
import { handleCost } from './cost.js';
import { handleSchema } from './schema.js';
import { handleMissing } from './missing.js';

export function registerCommands(app: App, deps: Deps): void {
  // Stamp arrival before any listener runs, for the ack-latency histogram.
  app.use(async ({ context, next }) => {
    context.receivedAt = Date.now();
    await next();
  });
  registerCommand(app, deps, '/triage', handleTriage);
  registerCommand(app, deps, '/smallfiles', handleSmallFiles);
  registerCommand(app, deps, '/incident', handleIncident);
  registerCommand(app, deps, '/backfill', handleBackfill);
  registerCommand(app, deps, '/cost', handleCost);
  registerCommand(app, deps, '/schema', handleSchema);
  registerCommand(app, deps, '/missing', handleMissing);
}
