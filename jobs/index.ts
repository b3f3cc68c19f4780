// Queue processors, one file per queue. Wired to their dependencies here.
import type { Redis } from 'ioredis';
import type { AppConfig } from '../src/config/index.js';
import type { Logger } from '../src/logger.js';
import type { Metrics } from '../src/metrics.js';
import type { Producers } from '../src/queue/producers.js';
import type { Processors } from '../src/queue/workers.js';

export interface JobDeps {
  config: AppConfig;
  logger: Logger;
  metrics: Metrics;
  producers: Producers;
  state: Redis;
}

export function buildProcessors(deps: JobDeps): Processors {
  void deps;
  return {};
}
