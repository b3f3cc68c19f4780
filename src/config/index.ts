// One place that reads configuration: environment variables plus medic.yml with its overlay.
import { parseEnv, type Env } from './env.js';
import { loadConfigFile, type MedicConfig } from './file.js';
import { ConfigError } from './errors.js';

export { ConfigError } from './errors.js';
export { awsEndpoint, parseApiClientEnv, parseEnv, type ApiClientEnv, type Env } from './env.js';
export {
  parseConfigText,
  loadConfigFile,
  environmentParity,
  degradationFor,
  jobProvider,
  schemaTableOf,
  outputTableOf,
  type MedicConfig,
  type JobConfig,
  type Degradation,
  type Pricing,
  type AzureConfig,
  type AzurePricing,
} from './file.js';

export interface AppConfig {
  env: Env;
  medic: MedicConfig;
  source: string;
}

/** Read and validate everything; problems of both sources are reported together. */
export function loadConfig(
  source: NodeJS.ProcessEnv = process.env,
  opts: { requireSlack?: boolean } = {},
): AppConfig {
  const problems: string[] = [];
  let env: Env | undefined;
  try {
    env = parseEnv(source, opts);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    problems.push(...err.problems.map((p) => `environment variable ${p}`));
  }
  const medicEnv = env?.MEDIC_ENV ?? 'dev';
  let file: ReturnType<typeof loadConfigFile> | undefined;
  try {
    file = loadConfigFile(env?.MEDIC_CONFIG ?? source.MEDIC_CONFIG, medicEnv);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    problems.push(...err.problems.map((p) => `${err.source} ${p}`));
  }
  if (problems.length || !env || !file) throw new ConfigError('environment and medic.yml', problems);
  return { env, medic: file.config, source: file.source };
}
