// startAzureSimulator: the Azure side of the cloud simulator (Synapse data plane, Log Analytics,
// Azure Monitor metrics, ARM Spark pools and a managed-identity endpoint) on its own HTTPS port.
// sim/simulator.ts starts it beside the AWS side when asked (`azure: {…}`), sharing the clock.
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { SimClock } from '../clock.js';
import { seededRandom } from '../random.js';
import {
  AzureFaultInjector,
  AzureRequestLog,
  type AzureFaultRule,
  type AzureRecordedRequest,
  type AzureRequestFilter,
  type AzureServiceName,
} from './faults.js';
import { RateLimiter, type RateLimit } from '../rate-limit.js';
import { AZURE_SIM, defaultAzureScenarios, type AzureScenario } from './scenarios.js';
import { createAzureServer, IDENTITY_PATH, type AzureServerContext } from './server.js';
import { AzureState } from './state.js';
import { SimBlobStore } from './blob.js';
import { TokenIssuer } from './tokens.js';
import {
  CA_CERT_FILE,
  createCertificateAuthority,
  createServerCertificate,
  writeCaDir,
  type SimCertificateAuthority,
} from './tls.js';
import { trustedCaFromEnv } from './trust.js';

export interface AzureSimulatorOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  host?: string;
  /** Shared with the AWS side when started through startSimulator. */
  clock?: SimClock;
  speed?: number;
  start?: number;
  /**
   * The CA to sign the server certificate with. Default: the one this process trusts
   * (trustedSimulatorCa / MEDIC_SIM_CA_DIR), else a new one (then a client process must be
   * started with NODE_EXTRA_CA_CERTS = caFile).
   */
  ca?: SimCertificateAuthority;
  scenarios?: AzureScenario[];
  faults?: AzureFaultRule[];
  seed?: number;
  /** Runs a page of queryPipelineRuns / queryActivityruns holds; default 100. */
  pageSize?: number;
  /** Simulated ms a Spark pool PUT takes; default 60,000. */
  poolUpdateMs?: number;
  /** Awaited before each service answer is sent (see AzureServerContext.beforeSend; lake writers). */
  beforeSend?: () => Promise<void>;
  /** Request rate limits (real time) per service: past them, 429 TooManyRequests with Retry-After. */
  rateLimits?: Partial<Record<AzureServiceName, RateLimit>>;
  /** Storage accounts the Blob service (List Blobs) serves; default [AZURE_SIM.storageAccount]. */
  blobAccounts?: string[];
}

export interface AzureSimulator {
  /** https://127.0.0.1:PORT — Log Analytics (`/v1/…`) and ARM (`/subscriptions/…`) base URL. */
  url: string;
  port: number;
  /** PEM of the CA: pass it to client processes as NODE_EXTRA_CA_CERTS. */
  caFile: string;
  ca: SimCertificateAuthority;
  identityEndpoint: string;
  identityHeader: string;
  state: AzureState;
  /** The Blob service's store: put blobs straight into it (`blobs.put(account, container, [...])`). */
  blobs: SimBlobStore;
  /** `https://127.0.0.1:PORT/<account>`: a Blob account's endpoint. */
  blobUrl(account?: string): string;
  /** An AZURE_STORAGE_CONNECTION_STRING for the account (Shared Key, HTTPS). */
  blobConnectionString(account?: string): string;
  /** The workspace endpoint a job's `workspaceEndpoint` names: `${url}/synapse/${name}`. */
  workspaceEndpoint(name?: string): string;
  /** NODE_EXTRA_CA_CERTS, IDENTITY_ENDPOINT, IDENTITY_HEADER, MEDIC_AZURE_LOGS_URL, MEDIC_AZURE_ARM_URL. */
  env(): Record<string, string>;
  requests(filter?: AzureRequestFilter): AzureRecordedRequest[];
  clearRequests(): void;
  setFaults(rules: AzureFaultRule[]): void;
  addFaults(rules: AzureFaultRule[]): void;
  /** Rebuild the state from the scenarios; clear faults and requests. */
  reset(): void;
  /** Items a page of runs, activity runs and pipelines holds from now on (default 100). */
  setPageSize(n: number): void;
  /** Set (or lift, with undefined) a service's request rate limit. */
  setRateLimit(service: AzureServiceName, limit: RateLimit | undefined): void;
  /** Replaces what is awaited before each service answer is sent. */
  setBeforeSend(hook: (() => Promise<void>) | undefined): void;
  stop(): Promise<void>;
}

export async function startAzureSimulator(opts: AzureSimulatorOptions = {}): Promise<AzureSimulator> {
  const clock =
    opts.clock ??
    new SimClock({
      ...(opts.speed !== undefined ? { speed: opts.speed } : {}),
      ...(opts.start !== undefined ? { start: opts.start } : {}),
    });
  const trusted = opts.ca ? undefined : trustedCaFromEnv();
  const ca = opts.ca ?? trusted ?? (await createCertificateAuthority());
  // Reuse the trusted CA's file; otherwise write one the caller can hand to a child process.
  const ownDir = trusted && process.env.NODE_EXTRA_CA_CERTS ? undefined : writeCaDir(ca);
  const caFile = ownDir ? join(ownDir, CA_CERT_FILE) : process.env.NODE_EXTRA_CA_CERTS!;
  const cert = await createServerCertificate(ca);
  const state = new AzureState(clock, AZURE_SIM);
  if (opts.poolUpdateMs !== undefined) state.poolUpdateMs = opts.poolUpdateMs;
  const tokens = new TokenIssuer(AZURE_SIM.tenantId);
  state.principalId = tokens.principalId;
  const scenarios = opts.scenarios ?? defaultAzureScenarios();
  const faults = new AzureFaultInjector(seededRandom(opts.seed ?? 1), opts.faults ?? []);
  const requests = new AzureRequestLog();
  const seedState = () => {
    state.clear();
    const now = state.now();
    for (const s of scenarios) s(state, now);
  };
  seedState();
  const blobs = new SimBlobStore(() => state.now());
  for (const a of opts.blobAccounts ?? [AZURE_SIM.storageAccount]) blobs.addAccount(a);
  const rateLimits = new RateLimiter<AzureServiceName>(opts.rateLimits ?? {});
  const ctx: AzureServerContext = {
    state,
    blobs,
    faults,
    rateLimits,
    requests,
    tokens,
    identityHeader: randomBytes(16).toString('hex'),
    pageSize: opts.pageSize ?? 100,
    baseUrl: '',
    reset: () => {
      seedState();
      faults.set([]);
      requests.clear();
    },
    ...(opts.beforeSend ? { beforeSend: opts.beforeSend } : {}),
  };
  const server = createAzureServer(ctx, cert);
  const host = opts.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const url = `https://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}`;
  ctx.baseUrl = url;
  const identityEndpoint = `${url}${IDENTITY_PATH}`;
  return {
    url,
    port,
    caFile,
    ca,
    identityEndpoint,
    identityHeader: ctx.identityHeader,
    state,
    blobs,
    blobUrl: (account = AZURE_SIM.storageAccount) => `${url}/${account}`,
    blobConnectionString: (account = AZURE_SIM.storageAccount) => {
      const a = blobs.accounts.get(account);
      if (!a) throw new Error(`the Azure simulator serves no storage account ${account}`);
      return `DefaultEndpointsProtocol=https;AccountName=${account};AccountKey=${a.key};BlobEndpoint=${url}/${account};`;
    },
    workspaceEndpoint: (name = AZURE_SIM.workspace) => `${url}/synapse/${encodeURIComponent(name)}`,
    env: () => ({
      NODE_EXTRA_CA_CERTS: caFile,
      IDENTITY_ENDPOINT: identityEndpoint,
      IDENTITY_HEADER: ctx.identityHeader,
      MEDIC_AZURE_LOGS_URL: url,
      MEDIC_AZURE_ARM_URL: url,
    }),
    requests: (f) => requests.list(f),
    clearRequests: () => requests.clear(),
    setFaults: (rules) => faults.set(rules),
    addFaults: (rules) => faults.add(rules),
    reset: ctx.reset,
    setRateLimit: (service, limit) => rateLimits.set(service, limit),
    setPageSize: (n) => {
      ctx.pageSize = Math.max(1, Math.floor(n));
    },
    setBeforeSend: (hook) => {
      if (hook) ctx.beforeSend = hook;
      else delete ctx.beforeSend;
    },
    stop: () =>
      new Promise<void>((resolve, reject) => {
        server.close((e) => {
          if (ownDir) rmSync(ownDir, { recursive: true, force: true });
          if (e) reject(e);
          else resolve();
        });
        server.closeAllConnections();
      }),
  };
}
