// What listeners (commands, actions, events) and queue processors need: one typed dependency
// object, built once in src/bootstrap.ts. Tests build it with test/support/medic.ts.
import type { Redis } from 'ioredis';
import type { WebClient } from '@slack/web-api';
import type { AppConfig, MedicConfig } from './config/index.js';
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
  /** How long the bot waits between looks at things that take time. */
  timings: Timings;
}

/**
 * The bot's waits. Production values come from medic.yml `defaults` where an operator would tune
 * them (how often a followed cloud run is looked at); tests shorten the rest (startMedic's
 * `timings`), so nothing is a module global that one test changes for every other.
 */
export interface Timings {
  /** The length of the minute `escalateAfterMinutes` counts, ms: 60 000 (tests: 1000). */
  escalationMinuteMs: number;
  /** The length of the minute `monitor.everyMinutes` counts, ms: 60 000 (tests, benches: less). */
  monitorMinuteMs: number;
  /** Between two looks at a mitigation's run, ms (`defaults.runPollSeconds`). */
  mitigationPollMs: number;
  /** A mitigation's run is looked at this many times at most (`defaults.followRunHours`). */
  mitigationMaxPolls: number;
  /** Between two looks for a job's next run after a mitigation, ms (5 min; tests shorten it). */
  followPollMs: number;
  /** Looks for the next run at most (`defaults.followNextRunHours`). */
  followMaxChecks: number;
  /** The first wait on a backfill's cloud run, ms; each next one is ×1.5, up to backfillMaxPollMs. */
  backfillPollMs: number;
  /** The longest wait between two looks at a backfill's cloud run, ms (`defaults.runPollSeconds`). */
  backfillMaxPollMs: number;
}

/** The timings `defaults` asks for, with a caller's (a test's) overrides. */
export function timingsFrom(
  defaults: Pick<MedicConfig['defaults'], 'runPollSeconds' | 'followRunHours'> &
    Partial<Pick<MedicConfig['defaults'], 'followNextRunHours'>>,
  overrides: Partial<Timings> = {},
): Timings {
  const pollMs = defaults.runPollSeconds * 1000;
  const followPollMs = overrides.followPollMs ?? 5 * 60_000;
  return {
    followPollMs,
    followMaxChecks: Math.max(1, Math.ceil(((defaults.followNextRunHours ?? 36) * 3_600_000) / followPollMs)),
    escalationMinuteMs: 60_000,
    monitorMinuteMs: 60_000,
    mitigationPollMs: pollMs,
    mitigationMaxPolls: Math.ceil((defaults.followRunHours * 3_600_000) / pollMs),
    backfillPollMs: 1000,
    backfillMaxPollMs: pollMs,
    ...overrides,
  };
}
