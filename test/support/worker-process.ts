// A bot process in the worker role, started as src/main.ts starts one (config from the
// environment, MEDIC_TEST_YAML as medic.yml, its shutdown handling), for tests and benches that
// need several worker processes on one Redis. MEDIC_TEST_MONITOR_MINUTE_MS compresses the monitor's
// minute (benches: everyMinutes 15 in seconds). Prints {"event":"ready"} once started.
import { parseEnv, parseConfigText } from '../../src/config/index.js';
import { startMedic } from '../../src/bootstrap.js';
import { createLogger } from '../../src/logger.js';
import { installShutdown } from '../../src/shutdown.js';

const env = parseEnv(process.env);
const file = parseConfigText(process.env.MEDIC_TEST_YAML ?? '', env.MEDIC_ENV);
const logger = createLogger({ level: env.LOG_LEVEL });
const minute = process.env.MEDIC_TEST_MONITOR_MINUTE_MS;
const medic = await startMedic(
  { env, medic: file.config, source: 'test' },
  { logger, ...(minute ? { timings: { monitorMinuteMs: Number(minute) } } : {}) },
);
installShutdown(medic, logger);
console.log(JSON.stringify({ event: 'ready', port: medic.port, pid: process.pid }));
