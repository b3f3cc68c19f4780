// Process entry: read and validate configuration (exit 1 listing every problem), start the role
// given by MEDIC_ROLE, and shut down gracefully on SIGTERM/SIGINT.
import { loadConfig, ConfigError } from './config/index.js';
import { createLogger } from './logger.js';
import { startMedic } from './bootstrap.js';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(`pipeline medic: ${err.message}`);
      process.exit(1);
    }
    throw err;
  }
  const logger = createLogger({ level: config.env.LOG_LEVEL });
  const medic = await startMedic(config, { logger });

  let signals = 0;
  const shutdown = (signal: string) => {
    signals++;
    if (signals > 1) {
      logger.warn({ signal }, 'second signal: exiting without waiting for active jobs');
      process.exit(1);
    }
    logger.info({ signal }, 'shutting down: receiver, then workers (waiting for active jobs), queues, Redis');
    const force = setTimeout(() => {
      logger.error('shutdown took longer than 60 s; exiting');
      process.exit(1);
    }, 60_000);
    force.unref();
    medic.close().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error({ err }, 'error during shutdown');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

main().catch((err: unknown) => {
  console.error('pipeline medic failed to start:', err);
  process.exit(1);
});
