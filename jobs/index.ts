// Queue processors, one file per queue, wired to their dependencies here.
import type { Deps } from '../src/deps.js';
import type { Processors } from '../src/queue/workers.js';
import { triageProcessor } from './triage.js';
import { smallFilesProcessor } from './smallfiles.js';
import { createEscalationProcessor } from './escalation.js';
import { createMitigationProcessor } from './mitigation.js';
import { createBackfillProcessor } from './backfill/index.js';
import { createMonitorProcessor } from './monitor.js';
import { createCostProcessor } from './cost.js';
import { schemaProcessor } from './schema.js';
import { perfSmokeProcessor } from './perf-smoke.js';
import { missingProcessor } from './missing.js';

/** Each processor module exports a factory taking Deps; the registry of queues is here. */
export function buildProcessors(deps: Deps): Processors {
  return {
    triage: triageProcessor(deps),
    smallfiles: smallFilesProcessor(deps),
    escalation: createEscalationProcessor(deps),
    mitigation: createMitigationProcessor(deps),
    backfill: createBackfillProcessor(deps),
    monitor: createMonitorProcessor(deps),
    cost: createCostProcessor(deps),
    schema: schemaProcessor(deps),
    perfsmoke: perfSmokeProcessor(deps),
    missing: missingProcessor(deps),
  };
}
