// Starts the real bot (src/bootstrap.ts: Bolt receiver on a free port, BullMQ on the real Redis)
// against a fake Slack, with its own key prefix so tests never share queues or state.
import { parseEnv, parseConfigText, type AppConfig } from '../../src/config/index.js';
import { startMedic, type Medic, type StartOptions } from '../../src/bootstrap.js';
import { createLogger } from '../../src/logger.js';
import { FakeSlack } from './fake-slack/fake-slack.js';
import { dropPrefix, redisUrl, testPrefix } from './services.js';

export const SIGNING_SECRET = 'test-signing-secret-0123456789abcdef';
export const BOT_TOKEN = 'xoxb-test-0000-medic';

export interface TestMedic {
  medic: Medic;
  slack: FakeSlack;
  prefix: string;
  secret: string;
  url: string;
  stop(): Promise<void>;
}

export function testConfig(opts: {
  env?: Record<string, string>;
  yaml?: string;
  slack?: FakeSlack;
  prefix?: string;
}): AppConfig {
  const env = parseEnv({
    SLACK_BOT_TOKEN: BOT_TOKEN,
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    ...(opts.slack ? { SLACK_API_URL: opts.slack.apiUrl } : {}),
    PORT: '0',
    HOST: '127.0.0.1',
    REDIS_URL: redisUrl(),
    MEDIC_PREFIX: opts.prefix ?? testPrefix(),
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'silent',
    ...opts.env,
  });
  const file = parseConfigText(opts.yaml ?? '', env.MEDIC_ENV, 'test medic.yml');
  return { env, medic: file.config, source: file.source };
}

export async function startTestMedic(
  opts: { env?: Record<string, string>; yaml?: string; start?: StartOptions; slack?: FakeSlack } = {},
): Promise<TestMedic> {
  const slack = opts.slack ?? (await FakeSlack.start());
  const prefix = testPrefix();
  const config = testConfig({ ...opts, slack, prefix });
  const logger = createLogger({ level: config.env.LOG_LEVEL });
  const medic = await startMedic(config, { logger, ...opts.start });
  return {
    medic,
    slack,
    prefix,
    secret: SIGNING_SECRET,
    url: medic.url,
    async stop() {
      await medic.close();
      if (!opts.slack) await slack.stop();
      await dropPrefix(prefix);
    },
  };
}
