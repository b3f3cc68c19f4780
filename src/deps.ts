// What listeners (commands, actions, events) and queue processors need: one typed dependency
// object, built once in src/bootstrap.ts. Tests build it with test/support/medic.ts.
import type { Redis } from 'ioredis';
import type { WebClient } from '@slack/web-api';
import type { AppConfig } from './config/index.js';
import type { Logger } from './logger.js';
import type { Metrics } from './metrics.js';
import type { Producers } from './queue/producers.js';
import type { Providers } from './providers/ports.js';
import type { IncidentStore } from './store/incidents.js';
import type { Timeline } from './store/timeline.js';
import type { ChecklistStore } from './store/checklist-store.js';

export interface Deps {
  config: AppConfig;
  logger: Logger;
  metrics: Metrics;
  producers: Producers;
  /** Redis for state (store/). */
  state: Redis;
  /** Web API client with the bot token (the same as Bolt's app.client in the web role). */
  slack: WebClient;
  /** Cloud adapters by platform (providers/registry.ts). */
  providers: Providers;
  incidents: IncidentStore;
  timeline: Timeline;
  checklists: ChecklistStore;
  /** Clock, replaceable in tests. */
  now: () => number;
}
