// The credential every Azure client uses: DefaultAzureCredential (@azure/identity 4.13, the last
// line for Node 20): environment service principal, workload identity, managed identity
// (IDENTITY_ENDPOINT/IDENTITY_HEADER on App Service and Container Apps, IMDS elsewhere), then the
// developer tools. The product has no other way to authenticate; emulators serve a managed-identity
// endpoint. Failures are turned into messages by azure-errors.ts (describeCredentialFailure).
import { DefaultAzureCredential } from '@azure/identity';
import type { TokenCredential } from '@azure/core-auth';

/** Token scopes of the services the bot calls. */
export const AZURE_SCOPES = {
  synapse: 'https://dev.azuresynapse.net/.default',
  logAnalytics: 'https://api.loganalytics.io/.default',
  arm: 'https://management.azure.com/.default',
} as const;

/** One credential for every client of a process (MSAL caches tokens per credential). */
export function createAzureCredential(): TokenCredential {
  return new DefaultAzureCredential();
}
