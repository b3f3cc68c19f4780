// What command listeners need. Built once in src/bootstrap.ts.
import type { Redis } from 'ioredis';
import type { AppConfig } from '../src/config/index.js';
import type { Logger } from '../src/logger.js';
import type { Metrics } from '../src/metrics.js';
import type { Producers } from '../src/queue/producers.js';

export interface CommandDeps {
  config: AppConfig;
  producers: Producers;
  logger: Logger;
  metrics: Metrics;
  /** Redis for state (store/). */
  state: Redis;
  /** Clock, replaceable in tests. */
  now?: () => number;
}
