// Process entry: read and validate configuration (exit 1 listing every problem), start the role
// given by MEDIC_ROLE, and shut down gracefully on SIGTERM/SIGINT (src/shutdown.ts).
import { loadConfig, ConfigError } from './config/index.js';
import { createLogger } from './logger.js';
import { startMedic } from './bootstrap.js';
import { installShutdown } from './shutdown.js';

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

  installShutdown(medic, logger);
}

main().catch((err: unknown) => {
  console.error('pipeline medic failed to start:', err);
  process.exit(1);
});
