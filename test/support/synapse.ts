// The Azure side of an integration test: the simulator over HTTPS (its CA trusted by this process,
// see azure.ts: import this module first), Azurite holding the lake, and the medic.yml that points
// the Synapse jobs at both. One per process (MSAL caches the managed-identity endpoint).
import { BlobServiceClient } from '@azure/storage-blob';
import { startTrustedAzureSim } from './azure.js';
import { startAzurite, type AzuriteService } from './services.js';
import type { AzureSimulator, AzureSimulatorOptions } from '../../sim/azure/index.js';
import { AZURE_SIM, SALES_PIPELINE, salesInputBlobs } from '../../sim/azure/scenarios.js';
import { seedSparseBlobs } from '../../sim/azure/blob-seed.js';

export interface SynapseWorld {
  sim: AzureSimulator;
  azurite: AzuriteService;
  blobs: BlobServiceClient;
  /** The bot's environment: the simulator's variables and Azurite's connection string. */
  env: Record<string, string>;
  /**
   * The simulator's time the sales input was dated from (seedSalesInput): its partitions are days
   * before it. Read the simulator's clock later and, running fast, it may be a day on already.
   */
  seededAt: number;
  /** `jobs:` entries (YAML, two-space indented under `jobs:`) of Synapse jobs on the simulator. */
  job(name: string, extra?: Record<string, string>): string;
  /** The `azure:` section. */
  azureYaml(): string;
  stop(): Promise<void>;
}

export const lake = (path: string) =>
  `abfss://${AZURE_SIM.container}@${AZURE_SIM.storageAccount}.dfs.core.windows.net/${path}`;

export async function startSynapseWorld(
  opts: Omit<AzureSimulatorOptions, 'ca'> & { seedSalesInput?: boolean } = {},
): Promise<SynapseWorld> {
  const { seedSalesInput, ...simOpts } = opts;
  const sim = await startTrustedAzureSim(simOpts);
  const azurite = await startAzurite();
  const blobs = BlobServiceClient.fromConnectionString(azurite.connectionString);
  await blobs.getContainerClient(SALES_PIPELINE.container).createIfNotExists();
  const seededAt = sim.state.now();
  if (seedSalesInput)
    await seedSparseBlobs(blobs.getContainerClient(SALES_PIPELINE.container), salesInputBlobs(seededAt));
  return {
    seededAt,
    sim,
    azurite,
    blobs,
    env: { ...sim.env(), AZURE_STORAGE_CONNECTION_STRING: azurite.connectionString },
    job(name, extra = {}) {
      const lines = [
        `  ${name}:`,
        '    provider: synapse',
        `    workspace: ${AZURE_SIM.workspace}`,
        `    workspaceEndpoint: ${sim.workspaceEndpoint()}`,
        ...Object.entries(extra).map(([k, v]) => `    ${k}: ${v}`),
      ];
      return lines.join('\n');
    },
    azureYaml: () =>
      [
        'azure:',
        `  logAnalyticsWorkspaceId: ${AZURE_SIM.logAnalyticsWorkspaceId}`,
        `  subscriptionId: ${AZURE_SIM.subscriptionId}`,
        `  resourceGroup: ${AZURE_SIM.resourceGroup}`,
      ].join('\n'),
    async stop() {
      await azurite.stop();
      await sim.stop();
    },
  };
}
