// A worker-role bot process for bench/chaos.ts, started exactly as src/main.ts starts one (config
// from the environment, CHAOS_YAML as medic.yml), with the test timings so runs are followed fast.
// chaos.ts SIGKILLs it at random points and starts another.
import { parseEnv, parseConfigText } from '../src/config/index.js';
import { startMedic } from '../src/bootstrap.js';
import { createLogger } from '../src/logger.js';
import { installShutdown } from '../src/shutdown.js';

const env = parseEnv(process.env);
const file = parseConfigText(process.env.CHAOS_YAML ?? '', env.MEDIC_ENV, 'chaos medic.yml');
const logger = createLogger({ level: env.LOG_LEVEL });
const medic = await startMedic(
  { env, medic: file.config, source: 'chaos' },
  { logger, timings: { mitigationPollMs: 200, followPollMs: 500 } },
);
installShutdown(medic, logger);
console.log(JSON.stringify({ event: 'ready' }));
