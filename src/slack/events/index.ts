// Registers Events API listeners; one file per listener.
import type { App } from '@slack/bolt';
import type { Deps } from '../../deps.js';
import { registerReactionAdded } from './reaction-added.js';

export function registerEvents(app: App, deps: Deps): void {
  registerReactionAdded(app, deps);
}
