// startSimulator: the programmatic entry point for tests, the sandbox and benchmarks.
import type { AddressInfo } from 'node:net';
import { SimClock } from './clock.js';
import { FaultInjector, type FaultRule } from './faults.js';
import { RequestLog, type RecordedRequest, type RequestFilter } from './requests.js';
import { seededRandom } from './random.js';
import { defaultScenarios, type Scenario } from './scenarios.js';
import { createSimServer } from './server.js';
import { SimState } from './state.js';
import { RateLimiter, type RateLimit } from './rate-limit.js';
import type { ServiceName } from './faults.js';
import { startAzureSimulator, type AzureSimulator, type AzureSimulatorOptions } from './azure/index.js';

export interface SimulatorOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  host?: string;
  /** Scenarios seeding the state, in order; default defaultScenarios(). */
  scenarios?: Scenario[];
  /** Simulated ms per real ms (runs started through StartJobRun progress this much faster). */
  speed?: number;
  /** Simulated start time (epoch ms); default the real now. */
  start?: number;
  /** Fault and latency rules from the start. */
  faults?: FaultRule[];
  /** Account rate limits (real time) per service: past them, ThrottlingException. */
  rateLimits?: Partial<Record<ServiceName, RateLimit>>;
  /** Seed of the fault injector's randomness; default 1. */
  seed?: number;
  /** Events FilterLogEvents examines per call; default 10,000. */
  logsScanLimit?: number;
  /** Also start the Azure side (HTTPS, its own port, same clock): `true` or its options. */
  azure?: boolean | Omit<AzureSimulatorOptions, 'clock' | 'speed' | 'start'>;
}

export interface Simulator {
  /** Base URL, e.g. http://127.0.0.1:4566 (the same for Glue, CloudWatch Logs and S3). */
  url: string;
  port: number;
  state: SimState;
  /** Requests answered so far, optionally filtered. */
  requests(filter?: RequestFilter): RecordedRequest[];
  clearRequests(): void;
  /** Replace every fault rule ([] clears them). */
  setFaults(rules: FaultRule[]): void;
  /** Set (or lift, with undefined) a service's account rate limit. */
  setRateLimit(service: ServiceName, limit: RateLimit | undefined): void;
  /** Rebuild the state from the scenarios; clear faults and recorded requests. */
  reset(): void;
  /** The environment variables that point the AWS SDK (and, when started, Azure clients) at this simulator. */
  env(): Record<string, string>;
  /** The Azure side, when started with `azure`. */
  azure?: AzureSimulator;
  stop(): Promise<void>;
}

export async function startSimulator(opts: SimulatorOptions = {}): Promise<Simulator> {
  const clock = new SimClock({
    ...(opts.speed !== undefined ? { speed: opts.speed } : {}),
    ...(opts.start !== undefined ? { start: opts.start } : {}),
  });
  const state = new SimState(clock);
  const scenarios = opts.scenarios ?? defaultScenarios();
  const seed = opts.seed ?? 1;
  const faults = new FaultInjector(seededRandom(seed), opts.faults ?? []);
  const requests = new RequestLog();
  const rateLimits = new RateLimiter(opts.rateLimits ?? {});
  const seedState = () => {
    state.clear();
    const now = state.now();
    for (const s of scenarios) s(state, now);
  };
  seedState();
  const reset = () => {
    seedState();
    faults.set([]);
    requests.clear();
    azure?.reset();
  };
  const server = createSimServer({
    state,
    faults,
    rateLimits,
    requests,
    logs: { ...(opts.logsScanLimit !== undefined ? { scanLimit: opts.logsScanLimit } : {}) },
    reset,
  });
  const host = opts.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}`;
  const azure = opts.azure
    ? await startAzureSimulator({ ...(opts.azure === true ? {} : opts.azure), host, clock }).catch(
        async (e: unknown) => {
          await new Promise<void>((r) => server.close(() => r()));
          throw e;
        },
      )
    : undefined;
  return {
    url,
    port,
    state,
    requests: (filter) => requests.list(filter),
    clearRequests: () => requests.clear(),
    setFaults: (rules) => faults.set(rules),
    setRateLimit: (service, limit) => rateLimits.set(service, limit),
    reset,
    env: () => ({ ...simulatorEnv(url), ...azure?.env() }),
    ...(azure ? { azure } : {}),
    stop: async () => {
      await azure?.stop();
      await new Promise<void>((resolve, reject) => {
        server.close((e) => (e ? reject(e) : resolve()));
        server.closeAllConnections();
      });
    },
  };
}

export function simulatorEnv(url: string, region = 'us-east-1'): Record<string, string> {
  return {
    AWS_ENDPOINT_URL_GLUE: url,
    AWS_ENDPOINT_URL_CLOUDWATCH_LOGS: url,
    AWS_ENDPOINT_URL_CLOUDWATCH: url,
    AWS_ENDPOINT_URL_S3: url,
    MEDIC_S3_FORCE_PATH_STYLE: 'true',
    AWS_REGION: region,
    AWS_ACCESS_KEY_ID: 'sim',
    AWS_SECRET_ACCESS_KEY: 'sim',
  };
}
