// What command and action listeners need. Built once in src/bootstrap.ts.
import type { Redis } from 'ioredis';
import type { WebClient } from '@slack/web-api';
import type { AppConfig } from '../src/config/index.js';
import type { Logger } from '../src/logger.js';
import type { Metrics } from '../src/metrics.js';
import type { Producers } from '../src/queue/producers.js';
import type { IncidentStore } from '../src/store/incidents.js';
import type { Timeline } from '../src/store/timeline.js';
import type { ChecklistStore } from '../src/store/checklist-store.js';

export interface CommandDeps {
  config: AppConfig;
  producers: Producers;
  logger: Logger;
  metrics: Metrics;
  /** Redis for state (store/). */
  state: Redis;
  /** Web API client with the bot token (the same as Bolt's app.client). */
  slack: WebClient;
  incidents: IncidentStore;
  timeline: Timeline;
  checklists: ChecklistStore;
  /** Clock, replaceable in tests. */
  now?: () => number;
}
