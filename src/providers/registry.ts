// The one place that knows which adapter serves which provider name. Core code (jobs/, commands/)
// asks for a port by name and never imports a vendor SDK; a new cloud is one more case here.
// Adapters are created on first use and cached, so every caller shares one client per service
// (and its connection pool and retry quota).
import type { Env } from '../config/env.js';
import { awsEndpoint } from '../config/env.js';
import { ProviderError } from './ports.js';
import type { JobPlatform, LogSource, ObjectLocation, ObjectStore, ProviderName } from './ports.js';
import { createGluePlatform } from './aws/glue-platform.js';
import { createCloudWatchLogSource } from './aws/cloudwatch-logs.js';
import { createS3Client, S3ObjectStore } from './aws/s3-object-store.js';
import { BlobObjectStore, createBlobServiceClient } from './azure/blob-object-store.js';
import { addStats, emptyStats, type CallStats } from './aws/errors.js';

export type { CallStats } from './aws/errors.js';

export interface ProvidersOptions {
  env: Env;
  /** Region of the environment overlay (medic.yml); else AWS_REGION; else us-east-1. */
  region?: string;
  /** SDK attempts per call (default 5). */
  maxAttempts?: number;
}

/** A port instance that counts its calls, retries and throttled attempts. */
export interface Instrumented {
  stats(): CallStats;
}

/** Structurally the ProviderSet of ports.ts, plus call counters. */
export interface Providers {
  jobPlatform(name: ProviderName): JobPlatform;
  logSource(name: ProviderName): LogSource;
  /** 's3' (endpoint and path style from the environment) or 'azure-blob' (connection string). */
  objectStore(scheme: ObjectLocation['scheme']): ObjectStore;
  /**
   * Calls, retries and throttled attempts of every adapter created so far, summed. Take one
   * before and one after a piece of work: a grown `throttled` means the data was slowed by
   * throttling.
   */
  stats(): CallStats;
  /** Closes the AWS clients' connection pools (shutdown); adapters asked for later are new ones. */
  close(): void;
}

function notYet(what: string): ProviderError {
  return new ProviderError('INVALID_INPUT', `${what} support is not available yet`, { retryable: false });
}

export function createProviders(opts: ProvidersOptions): Providers {
  const { env } = opts;
  const region = opts.region ?? env.AWS_REGION ?? 'us-east-1';
  const maxAttempts = opts.maxAttempts ?? 5;
  type Adapter = Partial<Instrumented> & { client?: { destroy(): void } };
  const platforms = new Map<ProviderName, JobPlatform & Adapter>();
  const logSources = new Map<ProviderName, LogSource & Adapter>();
  const stores = new Map<ObjectLocation['scheme'], ObjectStore & Adapter>();

  const endpoint = (service: 'glue' | 'logs' | 's3') => {
    const url = awsEndpoint(env, service);
    return url ? { endpoint: url } : {};
  };

  function jobPlatform(name: ProviderName): JobPlatform {
    let p = platforms.get(name);
    if (!p) {
      switch (name) {
        case 'glue':
          p = createGluePlatform({ region, maxAttempts, ...endpoint('glue') });
          break;
        case 'synapse':
          throw notYet('Synapse');
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
        case 'glue':
          s = createCloudWatchLogSource({ region, maxAttempts, ...endpoint('logs') });
          break;
        case 'synapse':
          throw notYet('Synapse');
        default:
          throw unknownProvider(name);
      }
      logSources.set(name, s);
    }
    return s;
  }

  function objectStore(scheme: ObjectLocation['scheme']): ObjectStore {
    let s = stores.get(scheme);
    if (!s) {
      switch (scheme) {
        case 's3':
          s = new S3ObjectStore(
            createS3Client({
              region,
              ...endpoint('s3'),
              forcePathStyle: env.MEDIC_S3_FORCE_PATH_STYLE,
            }),
          );
          break;
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
          s = lazyStore(
            'azure-blob',
            async () => new BlobObjectStore(await createBlobServiceClient({ connectionString })),
          );
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
    objectStore,
    stats() {
      const total = emptyStats();
      for (const a of [...platforms.values(), ...logSources.values()])
        if (a.stats) addStats(total, a.stats());
      return total;
    },
    close() {
      for (const a of [...platforms.values(), ...logSources.values(), ...stores.values()])
        a.client?.destroy();
      platforms.clear();
      logSources.clear();
      stores.clear();
    },
  };
}

/** An ObjectStore whose adapter is built on first use (the Blob client factory is async). */
function lazyStore(scheme: ObjectLocation['scheme'], make: () => Promise<ObjectStore>): ObjectStore {
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
    copyObject: async (src, dst) => (await store()).copyObject(src, dst),
    deleteObjects: async (container, keys) => (await store()).deleteObjects(container, keys),
  };
}

function unknownProvider(name: never): ProviderError {
  return new ProviderError('INVALID_INPUT', `unknown provider ${String(name)}`, { retryable: false });
}
