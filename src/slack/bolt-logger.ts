// Bolt's Logger interface over pino, so Bolt's own messages carry our redaction and format.
import { LogLevel, type Logger as BoltLogger } from '@slack/logger';
import type { Logger } from '../logger.js';
import { redactSecrets } from '../domain/redact.js';

const TO_PINO: Record<LogLevel, string> = {
  [LogLevel.ERROR]: 'error',
  [LogLevel.WARN]: 'warn',
  [LogLevel.INFO]: 'info',
  [LogLevel.DEBUG]: 'debug',
};

export function boltLogger(base: Logger): BoltLogger {
  let log = base.child({ component: 'bolt' });
  // Bolt and the Socket Mode client log whole envelopes as strings at debug, where pino's path
  // redaction cannot reach: tokens and response_urls are redacted from the text itself.
  const fmt = (msg: unknown[]) =>
    redactSecrets(msg.map((m) => (typeof m === 'string' ? m : JSON.stringify(m))).join(' ')).replace(
      /https:\/\/hooks\.slack\.com\/[^\s"]+/g,
      '[redacted]',
    );
  return {
    debug: (...msg: unknown[]) => log.debug(fmt(msg)),
    info: (...msg: unknown[]) => log.info(fmt(msg)),
    warn: (...msg: unknown[]) => log.warn(fmt(msg)),
    error: (...msg: unknown[]) => {
      const err = msg.find((m) => m instanceof Error);
      log.error(err ? { err } : {}, fmt(msg.filter((m) => !(m instanceof Error))) || (err as Error)?.message);
    },
    // Our LOG_LEVEL decides; Bolt's setLevel calls are ignored on purpose.
    setLevel: () => {},
    getLevel: () =>
      (Object.entries(TO_PINO).find(([, v]) => v === log.level)?.[0] as LogLevel) ?? LogLevel.INFO,
    setName: (name: string) => {
      log = base.child({ component: name });
    },
  };
}
