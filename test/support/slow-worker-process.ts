// A bot process (role worker) whose triage processor takes SLOW_MS, for the SIGTERM test. It
// starts exactly as src/main.ts does, with the same shutdown handling; only the processor differs.
import { parseEnv, parseConfigText } from '../../src/config/index.js';
import { startMedic } from '../../src/bootstrap.js';
import { createLogger } from '../../src/logger.js';
import { installShutdown } from '../../src/shutdown.js';

const env = parseEnv(process.env);
const file = parseConfigText('', env.MEDIC_ENV);
const logger = createLogger({ level: 'info' });
const slowMs = Number(process.env.SLOW_MS ?? 1500);
const medic = await startMedic(
  { env, medic: file.config, source: 'test' },
  {
    logger,
    processors: {
      triage: async (job) => {
        console.log(JSON.stringify({ event: 'started', jobId: job.id }));
        await new Promise((r) => setTimeout(r, slowMs));
        await job.updateProgress(100);
        console.log(JSON.stringify({ event: 'finished', jobId: job.id }));
        return { finishedAt: Date.now() };
      },
    },
  },
);
installShutdown(medic, logger);
console.log(JSON.stringify({ event: 'ready', port: medic.port }));
