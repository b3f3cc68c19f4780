// The job platforms the bot knows, once. Config schemas, command specs, payloads and the registry
// all take their list from here; a new platform is one more name here and one case in registry.ts.
export const PROVIDER_NAMES = ['glue', 'synapse'] as const;
export type ProviderName = (typeof PROVIDER_NAMES)[number];
/** The platform of a job whose `jobs:` entry names none (the product began on Glue). */
export const DEFAULT_PROVIDER: ProviderName = 'glue';

export function isProviderName(v: string): v is ProviderName {
  return (PROVIDER_NAMES as readonly string[]).includes(v);
}
