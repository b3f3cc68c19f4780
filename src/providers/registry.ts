// The one place that knows which adapter serves which provider name, and the only module that
// imports providers/aws/** and providers/azure/** (an ESLint rule keeps it so). Core code (jobs/,
// commands/, src/slack/) asks for a port by name; a new platform is one more case here.
// Adapters are created on first use and cached, so every caller shares one client per service
// (and its connection pool and retry quota).
import type { Env } from '../config/env.js';
import { awsEndpoint } from '../config/env.js';
import { ProviderError, addStats, emptyStats } from './ports.js';
import type {
  CallStats,
  JobPlatform,
  LogSource,
  MetricsSource,
  ObjectScheme,
  ObjectStore,
  ProviderName,
  Providers,
} from './ports.js';
import { createGluePlatform } from './aws/glue-platform.js';
import type { GluePricing } from './aws/glue-capacity.js';
import { createCloudWatchLogSource } from './aws/cloudwatch-logs.js';
import { createCloudWatchMetricsSource } from './aws/cloudwatch-metrics.js';
import { createS3Client, S3ObjectStore } from './aws/s3-object-store.js';
import { BlobObjectStore, budgetBlobClient, createBlobServiceClient } from './azure/blob-object-store.js';
import type { TokenCredential } from '@azure/core-auth';
import { createAzureCredential } from './azure/azure-credential.js';
import { createSynapsePlatform, type SynapsePlatform } from './azure/synapse-platform.js';
import type { SynapseJobSettings } from './azure/synapse-jobs.js';
import type { SynapsePricing } from './azure/synapse-capacity.js';
import { createSynapseLogSource } from './azure/synapse-logs.js';
import { createSynapseMetricsSource } from './azure/synapse-metrics.js';
import { createLogAnalyticsClient, type LogAnalyticsClient } from './azure/log-analytics-client.js';
import { createMonitorMetricsClient } from './azure/monitor-metrics-client.js';
import type { AzureRetryOptions } from './azure/azure-rest.js';
import { applyRequestBudget } from './aws/budget-middleware.js';
import type { BudgetService, RequestBudget, RequestBudgets } from './request-budget.js';

export interface ProvidersOptions {
  env: Env;
  /** Region of the environment overlay (medic.yml); else AWS_REGION; else us-east-1. */
  region?: string;
  /** Rates runs are costed at (medic.yml defaults.pricing). */
  pricing?: GluePricing;
  /** SDK attempts per call (default 5). */
  maxAttempts?: number;
  /** Retries of the Azure clients (default: the SDK pipeline's 3, from 1 s); tests shorten them. */
  azureRetry?: AzureRetryOptions;
  /** medic.yml `jobs:`: where each Synapse job's pipeline is (workspace, pipeline, sparkPool). */
  jobs?: Readonly<Record<string, SynapseJobSettings>>;
  /** medic.yml `azure:`: Log Analytics workspace, subscription and resource group, pricing. */
  /**
   * The request budget shared through Redis (medic.yml monitor.maxRequestsPerSecond): every cloud
   * call of this process — the monitor's, triage's, the CLI's — waits for a token of its API's
   * bucket for its account, instead of being throttled: `glue:<region>`, `s3:<region>`,
   * `logs:<region>`, `cloudwatch:<region>` (one Redis prefix serves one AWS account),
   * `synapse:<workspace>`, `loganalytics:<workspace id>`, `arm:<subscription>`, `blob:<storage
   * account>`. This budget
   * serves every API without one of its own in `requestBudgets`.
   */
  requestBudget?: RequestBudget;
  /** Per-API budgets (medic.yml monitor.requestBudgets, with the default filled in). */
  requestBudgets?: RequestBudgets;
  azure?: {
    logAnalyticsWorkspaceId?: string | undefined;
    subscriptionId?: string | undefined;
    resourceGroup?: string | undefined;
    pricing?: SynapsePricing | undefined;
  };
}

/** What the registry keeps of an adapter: its counters and its client, to close at shutdown. */
type Adapter = { stats?(): CallStats; client?: { destroy(): void } };

export function createProviders(opts: ProvidersOptions): Providers {
  const { env } = opts;
  const region = opts.region ?? env.AWS_REGION ?? 'us-east-1';
  const maxAttempts = opts.maxAttempts ?? 5;
  const platforms = new Map<ProviderName, JobPlatform & Adapter>();
  const logSources = new Map<ProviderName, LogSource & Adapter>();
  const stores = new Map<ObjectScheme, ObjectStore & Adapter>();
  const metricSources = new Map<ProviderName, MetricsSource & Adapter>();

  const azure = opts.azure ?? {};
  // One DefaultAzureCredential for every Azure client of the process (MSAL caches its tokens).
  let credential: TokenCredential | undefined;
  const azureCredential = () => (credential ??= createAzureCredential());
  const logAnalytics = new Map<string, LogAnalyticsClient>();
  const synapse = (): SynapsePlatform => jobPlatform('synapse') as SynapsePlatform;

  /** The token wait of one API's bucket for one account, or undefined when it is not budgeted. */
  const budgetFor = (service: BudgetService, account: string) => {
    const b = opts.requestBudgets ? opts.requestBudgets[service] : opts.requestBudget;
    return b ? () => b.acquire(`${service}:${account}`) : undefined;
  };
  const budgetAws = (client: { middlewareStack: unknown }, service: BudgetService) => {
    const acquire = budgetFor(service, region);
    if (acquire) applyRequestBudget(client, acquire);
  };
  const azureBudget = (service: BudgetService, account: string) => {
    const acquire = budgetFor(service, account);
    return acquire ? { budget: acquire } : {};
  };

  const endpoint = (service: 'glue' | 'logs' | 's3' | 'cloudwatch') => {
    const url = awsEndpoint(env, service);
    return url ? { endpoint: url } : {};
  };

  function jobPlatform(name: ProviderName): JobPlatform {
    let p = platforms.get(name);
    if (!p) {
      switch (name) {
        case 'glue': {
          const glue = createGluePlatform({
            region,
            maxAttempts,
            ...endpoint('glue'),
            ...(opts.pricing ? { pricing: opts.pricing } : {}),
          });
          budgetAws(glue.client, 'glue');
          p = glue;
          break;
        }
        case 'synapse':
          p = createSynapsePlatform({
            credential: azureCredential(),
            ...(opts.jobs ? { jobs: opts.jobs } : {}),
            azure: {
              ...(azure.subscriptionId ? { subscriptionId: azure.subscriptionId } : {}),
              ...(azure.resourceGroup ? { resourceGroup: azure.resourceGroup } : {}),
              ...(azure.pricing ? { pricing: azure.pricing } : {}),
            },
            armUrl: env.MEDIC_AZURE_ARM_URL,
            ...(opts.azureRetry ? { retry: opts.azureRetry } : {}),
            budget: (service, account) => budgetFor(service, account),
          });
          break;
        default:
          throw unknownProvider(name);
      }
      platforms.set(name, p);
    }
    return p;
  }

  function logSource(name: ProviderName): LogSource {
    let s = logSources.get(name);
    if (!s) {
      switch (name) {
        case 'glue': {
          const logs = createCloudWatchLogSource({ region, maxAttempts, ...endpoint('logs') });
          budgetAws(logs.client, 'logs');
          s = logs;
          break;
        }
        case 'synapse': {
          const platform = synapse();
          s = createSynapseLogSource({
            resolve: (job) => platform.resolve(job),
            clientFor: (t) => platform.clientFor(t.job),
            logAnalytics: (workspaceId) => {
              let c = logAnalytics.get(workspaceId);
              if (!c) {
                c = createLogAnalyticsClient({
                  credential: azureCredential(),
                  endpoint: env.MEDIC_AZURE_LOGS_URL,
                  workspaceId,
                  ...(opts.azureRetry ? { retry: opts.azureRetry } : {}),
                  ...azureBudget('loganalytics', workspaceId),
                });
                logAnalytics.set(workspaceId, c);
              }
              return c;
            },
            ...(azure.logAnalyticsWorkspaceId
              ? { logAnalyticsWorkspaceId: azure.logAnalyticsWorkspaceId }
              : {}),
          });
          break;
        }
        default:
          throw unknownProvider(name);
      }
      logSources.set(name, s);
    }
    return s;
  }

  function metrics(name: ProviderName): MetricsSource | undefined {
    const cached = metricSources.get(name);
    if (cached) return cached;
    let m: (MetricsSource & Adapter) | undefined;
    switch (name) {
      case 'glue': {
        const cw = createCloudWatchMetricsSource({ region, maxAttempts, ...endpoint('cloudwatch') });
        budgetAws(cw.client, 'cloudwatch');
        m = cw;
        break;
      }
      case 'synapse': {
        // Azure Monitor addresses a pool by its ARM id: without them there is nothing to ask.
        if (!azure.subscriptionId || !azure.resourceGroup) return undefined;
        const platform = synapse();
        m = createSynapseMetricsSource({
          resolve: (job) => platform.resolve(job),
          definition: (job) => platform.definition(job),
          metrics: createMonitorMetricsClient({
            credential: azureCredential(),
            armUrl: env.MEDIC_AZURE_ARM_URL,
            subscriptionId: azure.subscriptionId,
            resourceGroup: azure.resourceGroup,
            ...(opts.azureRetry ? { retry: opts.azureRetry } : {}),
            // Azure Monitor's metrics API is served (and metered) by ARM: the subscription's bucket.
            ...azureBudget('arm', azure.subscriptionId),
          }),
        });
        break;
      }
      default:
        throw unknownProvider(name);
    }
    metricSources.set(name, m);
    return m;
  }

  function objectStore(scheme: ObjectScheme): ObjectStore {
    let s = stores.get(scheme);
    if (!s) {
      switch (scheme) {
        case 's3': {
          const client = createS3Client({
            region,
            ...endpoint('s3'),
            forcePathStyle: env.MEDIC_S3_FORCE_PATH_STYLE,
          });
          budgetAws(client, 's3');
          s = new S3ObjectStore(client);
          break;
        }
        case 'azure-blob': {
          const connectionString = env.AZURE_STORAGE_CONNECTION_STRING;
          // Without a connection string the account comes from each location's URL, which this
          // by-scheme lookup does not see.
          if (!connectionString)
            throw new ProviderError(
              'INVALID_INPUT',
              'Azure Blob access needs AZURE_STORAGE_CONNECTION_STRING to be set',
              { retryable: false },
            );
          s = lazyStore('azure-blob', async () => {
            const client = await createBlobServiceClient({ connectionString });
            // One bucket per storage account (monitor.requestBudgets.blob).
            const acquire = budgetFor('blob', client.accountName);
            if (acquire) budgetBlobClient(client, acquire);
            return new BlobObjectStore(client);
          });
          break;
        }
        default:
          throw unknownProvider(scheme);
      }
      stores.set(scheme, s);
    }
    return s;
  }

  return {
    jobPlatform,
    logSource,
    metrics,
    objectStore,
    stats() {
      const total = emptyStats();
      for (const a of [...platforms.values(), ...logSources.values(), ...metricSources.values()])
        if (a.stats) addStats(total, a.stats());
      return total;
    },
    close() {
      for (const a of [
        ...platforms.values(),
        ...logSources.values(),
        ...stores.values(),
        ...metricSources.values(),
      ])
        a.client?.destroy();
      metricSources.clear();
      platforms.clear();
      logSources.clear();
      stores.clear();
      logAnalytics.clear();
    },
  };
}

/** An ObjectStore whose adapter is built on first use (the Blob client factory is async). */
function lazyStore(scheme: ObjectScheme, make: () => Promise<ObjectStore>): ObjectStore {
  let pending: Promise<ObjectStore> | undefined;
  const store = () => {
    pending ??= make().catch((err: unknown) => {
      pending = undefined; // let a later call try again
      throw err;
    });
    return pending;
  };
  return {
    scheme,
    listPage: async (req) => (await store()).listPage(req),
    getObject: async (container, key, range) => (await store()).getObject(container, key, range),
    putObject: async (container, key, body) => (await store()).putObject(container, key, body),
    copy: async (src, dst, size, hooks) => (await store()).copy(src, dst, size, hooks),
    deleteObjects: async (container, keys) => (await store()).deleteObjects(container, keys),
  };
}

function unknownProvider(name: never): ProviderError {
  return new ProviderError('INVALID_INPUT', `unknown provider ${String(name)}`, { retryable: false });
}
