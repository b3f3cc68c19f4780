// pino, object first and message second. Tokens and secrets never reach the log: known secret
// fields are redacted by path, and free text from clouds is redacted by the caller with
// domain/redact before it is logged.
import { pino, type Logger, type LoggerOptions } from 'pino';
import { randomBytes } from 'node:crypto';

export type { Logger } from 'pino';

export const REDACT_PATHS = [
  'token',
  '*.token',
  'botToken',
  '*.botToken',
  'appToken',
  '*.appToken',
  'signingSecret',
  '*.signingSecret',
  'clientSecret',
  '*.clientSecret',
  'routingKey',
  '*.routingKey',
  'connectionString',
  '*.connectionString',
  'password',
  '*.password',
  'authorization',
  '*.authorization',
  'headers.authorization',
  'req.headers.authorization',
  'headers["x-slack-signature"]',
  'response_url',
  '*.response_url',
  'responseUrl',
  '*.responseUrl',
  'SLACK_BOT_TOKEN',
  'SLACK_APP_TOKEN',
  'SLACK_SIGNING_SECRET',
  'AZURE_STORAGE_CONNECTION_STRING',
  'MEDIC_API_TOKENS',
  '*.MEDIC_API_TOKENS',
];

export function createLogger(
  opts: { level?: string; name?: string } = {},
  dest?: pino.DestinationStream,
): Logger {
  const options: LoggerOptions = {
    name: opts.name ?? 'medic',
    level: opts.level ?? 'info',
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    base: { pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  return dest ? pino(options, dest) : pino(options);
}

/** Short id shown to a user with an error and logged with it, so support can find the log line. */
export function errorId(): string {
  return 'E' + randomBytes(4).toString('hex').toUpperCase();
}
