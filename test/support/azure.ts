// Azure side of the simulator for tests in this process. Importing this module makes the process
// trust the simulator's CA: the first time, trustedSimulatorCa() re-runs the test file with
// NODE_EXTRA_CA_CERTS set (Node reads it only at start), so import it before anything talks TLS.
// MSAL caches the managed-identity source (IDENTITY_ENDPOINT + IDENTITY_HEADER) once per process:
// start one Azure simulator per test file and point the identity variables at it once.
import { trustedSimulatorCa } from '../../sim/azure/trust.js';
import {
  startAzureSimulator,
  type AzureSimulator,
  type AzureSimulatorOptions,
} from '../../sim/azure/index.js';

export const simCa = await trustedSimulatorCa();

/** Starts the Azure simulator with the trusted CA and exports its managed-identity variables. */
export async function startTrustedAzureSim(
  opts: Omit<AzureSimulatorOptions, 'ca'> = {},
): Promise<AzureSimulator> {
  const sim = await startAzureSimulator({ ...opts, ca: simCa });
  // DefaultAzureCredential's documented managed-identity chain (App Service / Container Apps protocol).
  process.env.IDENTITY_ENDPOINT = sim.identityEndpoint;
  process.env.IDENTITY_HEADER = sim.identityHeader;
  return sim;
}
