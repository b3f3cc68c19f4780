// Queue processors, one file per queue, wired to their dependencies here.
import type { Redis } from 'ioredis';
import type { WebClient } from '@slack/web-api';
import type { AppConfig } from '../src/config/index.js';
import type { Logger } from '../src/logger.js';
import type { Metrics } from '../src/metrics.js';
import type { Producers } from '../src/queue/producers.js';
import type { Processors } from '../src/queue/workers.js';
import type { ProviderSet } from '../src/providers/ports.js';
import type { IncidentStore } from '../src/store/incidents.js';
import type { Timeline } from '../src/store/timeline.js';
import type { ChecklistStore } from '../src/store/checklist-store.js';
import { triageProcessor } from './triage.js';
import { smallFilesProcessor } from './smallfiles.js';
import { createEscalationProcessor } from './escalation.js';
import { createMitigationProcessor } from './mitigation.js';
import { createBackfillProcessor } from './backfill.js';
import { createMonitorProcessor } from './monitor.js';

export interface JobDeps {
  config: AppConfig;
  logger: Logger;
  metrics: Metrics;
  producers: Producers;
  /** Redis for state. */
  state: Redis;
  slack: WebClient;
  providers: ProviderSet;
  incidents: IncidentStore;
  timeline: Timeline;
  checklists: ChecklistStore;
  now: () => number;
}

/** Each processor module exports a factory taking JobDeps; the registry of queues is here. */
export function buildProcessors(deps: JobDeps): Processors {
  return {
    triage: triageProcessor(deps),
    smallfiles: smallFilesProcessor(deps),
    escalation: createEscalationProcessor(deps),
    mitigation: createMitigationProcessor(deps),
    backfill: createBackfillProcessor(deps),
    monitor: createMonitorProcessor(deps),
  };
}
