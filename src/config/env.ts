// Environment variables (DESIGN.md "Environment"). The only place that reads process.env.
import { z } from 'zod';
import { ConfigError, describeIssues } from './errors.js';

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no', ''])
  .optional()
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const url = z.url({ message: 'must be a URL' });

export const Env = z.object({
  SLACK_BOT_TOKEN: z.string().startsWith('xoxb-', { message: 'must be a bot token (xoxb-…)' }).optional(),
  SLACK_SIGNING_SECRET: z.string().min(8, { message: 'is too short to be a signing secret' }).optional(),
  SLACK_APP_TOKEN: z
    .string()
    .startsWith('xapp-', { message: 'must be an app-level token (xapp-…)' })
    .optional(),
  SLACK_API_URL: url.optional(),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).default('0.0.0.0'),
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, { message: 'must start with redis:// or rediss://' })
    .default('redis://127.0.0.1:6379'),
  MEDIC_CONFIG: z.string().min(1).optional(),
  MEDIC_ENV: z.enum(['dev', 'staging', 'prod']).default('dev'),
  MEDIC_ROLE: z.enum(['all', 'web', 'worker']).default('all'),
  MEDIC_PREFIX: z
    .string()
    .regex(/^[a-zA-Z0-9_-]{1,64}$/, { message: 'must be 1–64 letters, digits, _ or -' })
    .default('medic'),
  MEDIC_SANDBOX: bool,
  MEDIC_S3_FORCE_PATH_STYLE: bool,
  AWS_REGION: z.string().min(1).optional(),
  AWS_ENDPOINT_URL: url.optional(),
  AWS_ENDPOINT_URL_GLUE: url.optional(),
  AWS_ENDPOINT_URL_CLOUDWATCH_LOGS: url.optional(),
  AWS_ENDPOINT_URL_CLOUDWATCH: url.optional(),
  AWS_ENDPOINT_URL_S3: url.optional(),
  AZURE_STORAGE_CONNECTION_STRING: z.string().min(1).optional(),
  /** Log Analytics query API base (emulators, sovereign clouds). */
  MEDIC_AZURE_LOGS_URL: url.default('https://api.loganalytics.io'),
  /** Azure Resource Manager base: metrics and the Spark pool resource. */
  MEDIC_AZURE_ARM_URL: url.default('https://management.azure.com'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** `label:token,…` for the CI API (/api/v1/…); the API is off when unset. */
  MEDIC_API_TOKENS: z
    .string()
    .transform((s, ctx) => {
      const tokens: { label: string; token: string }[] = [];
      for (const [i, part] of s.split(',').entries()) {
        const at = part.indexOf(':');
        const label = part.slice(0, at).trim();
        const token = part.slice(at + 1).trim();
        if (at < 1 || !/^[A-Za-z0-9_.-]{1,64}$/.test(label))
          ctx.addIssue({
            code: 'custom',
            message: `entry ${i + 1}: must be label:token (label of letters, digits, . _ -)`,
          });
        else if (token.length < 16)
          ctx.addIssue({
            code: 'custom',
            message: `entry ${i + 1} (${label}): the token must be at least 16 characters`,
          });
        else tokens.push({ label, token });
      }
      return tokens;
    })
    .optional(),
});
export type Env = z.infer<typeof Env>;

/** Environment variables with empty strings treated as unset, as shells often leave them. */
export function parseEnv(
  source: NodeJS.ProcessEnv = process.env,
  opts: { requireSlack?: boolean } = {},
): Env {
  const cleaned: Record<string, string> = {};
  for (const [k, v] of Object.entries(source)) if (v !== undefined && v !== '') cleaned[k] = v;
  const res = Env.safeParse(cleaned);
  // Requirements that depend on other variables are checked on the raw values, so they are
  // reported together with type errors rather than after them are fixed.
  const problems = [
    ...(res.success ? [] : describeIssues(res.error.issues)),
    ...(opts.requireSlack === false ? [] : requirementProblems(cleaned)),
  ];
  if (problems.length || !res.success) throw new ConfigError('environment variables', problems);
  return res.data;
}

function requirementProblems(raw: Record<string, string>): string[] {
  const sandbox = ['true', '1', 'yes'].includes(raw.MEDIC_SANDBOX ?? '');
  if (sandbox) return [];
  const problems: string[] = [];
  const role = raw.MEDIC_ROLE ?? 'all';
  if (!raw.SLACK_BOT_TOKEN) problems.push('SLACK_BOT_TOKEN: is required outside the sandbox');
  if (role !== 'worker' && !raw.SLACK_APP_TOKEN && !raw.SLACK_SIGNING_SECRET) {
    problems.push('SLACK_SIGNING_SECRET: is required in HTTP mode (SLACK_APP_TOKEN unset)');
  }
  return problems;
}

/** What `medic schema-plan` / `medic perf-smoke` need to reach a running bot's CI API. */
export const ApiClientEnv = z.object({
  MEDIC_URL: url,
  MEDIC_API_TOKEN: z.string().min(16, { message: 'must be one of the tokens in the bot’s MEDIC_API_TOKENS' }),
});
export type ApiClientEnv = z.infer<typeof ApiClientEnv>;

export function parseApiClientEnv(source: NodeJS.ProcessEnv): ApiClientEnv {
  const res = ApiClientEnv.safeParse({
    MEDIC_URL: source.MEDIC_URL,
    MEDIC_API_TOKEN: source.MEDIC_API_TOKEN,
  });
  if (!res.success) throw new ConfigError('environment variables', describeIssues(res.error.issues));
  return res.data;
}

/** The AWS endpoint for a service: the service-specific variable first, then the global one. */
export function awsEndpoint(env: Env, service: 'glue' | 'logs' | 's3' | 'cloudwatch'): string | undefined {
  const specific =
    service === 'glue'
      ? env.AWS_ENDPOINT_URL_GLUE
      : service === 'logs'
        ? env.AWS_ENDPOINT_URL_CLOUDWATCH_LOGS
        : service === 'cloudwatch'
          ? env.AWS_ENDPOINT_URL_CLOUDWATCH
          : env.AWS_ENDPOINT_URL_S3;
  return specific ?? env.AWS_ENDPOINT_URL;
}
