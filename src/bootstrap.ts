// Builds and starts the bot for a role: web (Bolt receiver + producers), worker (queue workers +
// health routes) or all. main.ts, the sandbox and the integration tests all start it this way,
// so they run the same code paths as production.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Redis } from 'ioredis';
import type { App } from '@slack/bolt';
import type { AppConfig } from './config/index.js';
import { createLogger, type Logger } from './logger.js';
import { createMetrics, type Metrics } from './metrics.js';
import { producerConnection, stateConnection, workerConnection } from './queue/connection.js';
import { Producers } from './queue/producers.js';
import { QUEUE_NAMES } from './queue/names.js';
import { startWorkers, type Processors, type WorkerSet } from './queue/workers.js';
import { createSlackApp } from './slack/app.js';
import { healthRoutes } from './http/routes.js';
import { serveRoutes } from './http/server.js';
import { apiRoutes } from './http/api.js';
import { schemaPlanEndpoints } from '../commands/api/schema-plans.js';
import { gateEndpoints } from '../commands/api/gates.js';
import { perfSmokeEndpoints } from '../commands/api/perf-smoke.js';
import { registerCommands } from '../commands/index.js';
import { registerActions } from './slack/actions/index.js';
import { buildProcessors } from '../jobs/index.js';
import { attemptHooks } from '../jobs/final-state.js';
import { timingsFrom, type Deps, type Timings } from './deps.js';
import { scheduleMonitors } from '../jobs/monitor.js';
import { createWebClient } from './slack/client.js';
import { createProviders } from './providers/registry.js';
import { configuredRequestBudgets, createRequestBudget } from './providers/request-budget.js';
import { IncidentStore } from './store/incidents.js';
import { Timeline } from './store/timeline.js';
import { ChecklistStore } from './store/checklist-store.js';
import { RUNBOOK_CHECKLIST, runbookChecklist } from './domain/checklist.js';
import { resolveRunbooks } from './domain/runbooks.js';
import type { Providers } from './providers/ports.js';

/** Messages per second per channel (Slack's chat.postMessage limit), with short bursts. */
const SLACK_CHANNEL_PACE = { ratePerSecond: 1, burst: 4 };
/** chat.update is Tier 3 (50+ a minute), per workspace: a little under it, short bursts. */
const SLACK_UPDATE_PACE = { ratePerSecond: 50 / 60, burst: 8 };

export interface Medic {
  config: AppConfig;
  logger: Logger;
  metrics: Metrics;
  producers: Producers;
  state: Redis;
  app: App | undefined;
  workers: WorkerSet | undefined;
  /** The port the HTTP listener got (useful with PORT=0). */
  port: number;
  url: string;
  close(): Promise<void>;
}

export interface StartOptions {
  logger?: Logger;
  metrics?: Metrics;
  /** Replace or add processors (tests). Defaults to jobs/. */
  processors?: Processors;
  /** Dependencies to use instead of the ones built here (tests inject providers, a clock). */
  jobDeps?: Partial<Deps>;
  /** Waits to use instead of those medic.yml's defaults give (tests shorten them). */
  timings?: Partial<Timings>;
}

export async function startMedic(config: AppConfig, opts: StartOptions = {}): Promise<Medic> {
  const { env } = config;
  const logger = opts.logger ?? createLogger({ level: env.LOG_LEVEL });
  const metrics = opts.metrics ?? createMetrics();
  const role = env.MEDIC_ROLE;
  const prefix = env.MEDIC_PREFIX;

  const producerRedis = producerConnection(env.REDIS_URL);
  const state = stateConnection(env.REDIS_URL);
  for (const r of [producerRedis, state])
    r.on('error', (err) => logger.debug({ err }, 'redis connection error'));
  const slack = createWebClient({
    token: env.SLACK_BOT_TOKEN,
    ...(env.SLACK_API_URL ? { slackApiUrl: env.SLACK_API_URL } : {}),
    logger,
    metrics,
    // Slack allows about one message a second per channel: every worker's posts in a channel share
    // one bucket in Redis, so a storm of alerts and reports never meets a 429 storm. Updates are
    // limited per workspace (Tier 3), not per channel: one bucket for all of them.
    pacer: createRequestBudget(state, prefix, SLACK_CHANNEL_PACE),
    updatePacer: createRequestBudget(state, prefix, SLACK_UPDATE_PACE),
  });
  // Providers a test injects are the test's to close; the ones built here are closed at shutdown.
  const ownProviders = opts.jobDeps?.providers === undefined;
  const providers: Providers =
    opts.jobDeps?.providers ??
    createProviders({
      env,
      ...(config.medic.region ? { region: config.medic.region } : {}),
      pricing: config.medic.defaults.pricing,
      jobs: config.medic.jobs,
      azure: config.medic.azure,
      ...budgetOption(
        configuredRequestBudgets(config.medic.monitor, (o) => createRequestBudget(state, prefix, o)),
      ),
    });
  const incidents = new IncidentStore(state, prefix);
  const timeline = new Timeline(state, prefix);
  const checklistItems = config.medic.checklist
    ? config.medic.checklist.map((text, i) => ({ id: RUNBOOK_CHECKLIST[i]?.id ?? `item-${i + 1}`, text }))
    : runbookChecklist(config.medic.checklistMcp);
  const runbooks = resolveRunbooks(config.medic.runbooks, config.medic.checklist);
  const checklists = new ChecklistStore(
    state,
    prefix,
    config.medic.runbooks.degradation?.items
      ? runbooks.degradation!.items.map((i) => ({ id: i.id, text: i.label }))
      : checklistItems,
    runbooks,
  );
  const now = opts.jobDeps?.now ?? Date.now;
  const timings = timingsFrom(config.medic.defaults, opts.timings);
  const producers = new Producers(producerRedis, prefix, 1500, (err, queue) =>
    logger.debug({ err, queue }, 'queue connection error'),
  );
  metrics.countWaiting(async () => {
    const counts = await Promise.all(
      QUEUE_NAMES.map(async (q) => {
        const c = await producers.queue(q).getJobCounts('waiting', 'prioritized');
        return [q, (c.waiting ?? 0) + (c.prioritized ?? 0)] as const;
      }),
    );
    return Object.fromEntries(counts);
  });

  const deps: Deps = {
    config,
    logger,
    metrics,
    producers,
    state,
    slack,
    providers,
    incidents,
    timeline,
    checklists,
    now,
    timings,
    ...opts.jobDeps,
  };

  let workerRedis: Redis | undefined;
  let workers: WorkerSet | undefined;
  if (role === 'worker' || role === 'all') {
    workerRedis = workerConnection(env.REDIS_URL);
    workerRedis.on('error', (err) => logger.warn({ err }, 'redis connection error (workers)'));
    const processors = opts.processors ?? buildProcessors(deps);
    workers = startWorkers({
      connection: workerRedis,
      prefix,
      processors,
      logger,
      metrics,
      hooks: attemptHooks(deps),
    });
    await scheduleMonitors({ config, producers, logger, timings });
  }

  // Ready means Redis answers AND the connections the queues use are up: a producer whose
  // connection is reconnecting refuses every enqueue, whatever PING on another one says.
  const queueReady = () =>
    producerRedis.status === 'ready' && (!workerRedis || workerRedis.status === 'ready');
  const routes = healthRoutes({
    metrics,
    readiness: {
      redis: async () => (await state.ping()) === 'PONG',
      queue: queueReady,
      ...(workers ? { workers: () => workers.running() } : {}),
    },
  });

  let app: App | undefined;
  let server: Server | undefined;
  if (role === 'web' || role === 'all') {
    // The CI API (/api/v1/…) is served beside /slack/events when MEDIC_API_TOKENS is set.
    const api = apiRoutes(
      [...schemaPlanEndpoints(deps), ...gateEndpoints(deps), ...perfSmokeEndpoints(deps)],
      {
        tokens: env.MEDIC_API_TOKENS ?? [],
        state,
        prefix,
        logger,
        now,
      },
    );
    app = createSlackApp({
      env,
      logger,
      metrics,
      customRoutes: [...routes, ...api],
      redisReady: () => producerRedis.status === 'ready' && state.status === 'ready',
    });
    // Listeners answer through Bolt's own client (the same token).
    const listenerDeps: Deps = { ...deps, slack: app.client };
    registerCommands(app, listenerDeps);
    registerActions(app, listenerDeps);
    const started = (await app.start({ port: env.PORT, host: env.HOST })) as unknown;
    server = started && typeof (started as Server).address === 'function' ? (started as Server) : undefined;
    // Socket Mode has no HTTP server of Bolt's: the contract's endpoints on PORT/HOST are ours.
    if (env.SLACK_APP_TOKEN) {
      try {
        server = await serveRoutes([...routes, ...api], env.PORT, env.HOST);
      } catch (err) {
        await app.stop().catch(() => undefined);
        throw err;
      }
    }
  } else {
    server = await serveRoutes(routes, env.PORT, env.HOST);
  }
  const port = server ? (server.address() as AddressInfo).port : env.PORT;
  const host = env.HOST === '0.0.0.0' ? '127.0.0.1' : env.HOST;
  logger.info({ role, port, prefix, config: config.source, env: env.MEDIC_ENV }, 'pipeline medic started');

  let closing: Promise<void> | undefined;
  return {
    config,
    logger,
    metrics,
    producers,
    state,
    app,
    workers,
    port,
    url: `http://${host}:${port}`,
    close() {
      // Order matters: stop taking requests, let active jobs finish, then queues, then Redis.
      closing ??= (async () => {
        if (app) await app.stop().catch((err: unknown) => logger.warn({ err }, 'stopping receiver'));
        // The worker's routes, or Socket Mode's (the HTTP receiver's server is the app's own).
        if (server && (!app || env.SLACK_APP_TOKEN)) await new Promise<void>((r) => server.close(() => r()));
        if (workers) await workers.close();
        await producers.close();
        if (ownProviders) providers.close();
        await Promise.all(
          [producerRedis, state, workerRedis].map((r) => r?.quit().catch(() => r.disconnect())),
        );
        logger.info('pipeline medic stopped');
      })();
      return closing;
    },
  };
}

function budgetOption<T>(b: T | undefined): { requestBudgets?: T } {
  return b ? { requestBudgets: b } : {};
}
