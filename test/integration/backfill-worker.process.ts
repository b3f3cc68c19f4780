// A bot process in the worker role, for the backfill restart test: started exactly as src/main.ts
// starts a worker (config from the environment, MEDIC_TEST_YAML as medic.yml), killed with SIGKILL
// in the middle of a snapshot.
import { parseEnv, parseConfigText } from '../../src/config/index.js';
import { startMedic } from '../../src/bootstrap.js';
import { createLogger } from '../../src/logger.js';

const env = parseEnv(process.env);
const file = parseConfigText(process.env.MEDIC_TEST_YAML ?? '', env.MEDIC_ENV);
const logger = createLogger({ level: env.LOG_LEVEL });
const medic = await startMedic({ env, medic: file.config, source: 'test' }, { logger });
console.log(JSON.stringify({ event: 'ready', port: medic.port }));
