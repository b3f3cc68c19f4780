// Registers Events API listeners; one file per listener.
import type { App } from '@slack/bolt';
import type { CommandDeps } from '../../../commands/deps.js';
import { registerReactionAdded } from './reaction-added.js';

export function registerEvents(app: App, deps: CommandDeps): void {
  registerReactionAdded(app, deps);
}
