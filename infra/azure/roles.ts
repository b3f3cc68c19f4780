// The one list of what the bot's managed identity may do on Azure, with the feature that needs
// each role. The ARM template's role assignments (template.ts → azuredeploy.json) and the
// README's "Azure roles" section (including the Synapse RBAC commands, which ARM cannot deploy)
// are generated from it.

/** A resource a role is scoped to, named by template parameters. */
export interface RoleScope {
  type: string;
  /** Template parameters that name it, outermost first (a Spark pool: workspace, pool). */
  nameParams: string[];
  /** `bot`: the bot's resource group; `data`: the data platform's (parameter dataResourceGroup). */
  resourceGroup: 'bot' | 'data';
}

export interface AzureRoleAssignment {
  kind: 'azure';
  role: string;
  /** Built-in role definition id (the same in every tenant). */
  roleDefinitionId: string;
  scope: RoleScope;
  feature: string;
}

/** Synapse RBAC (data plane): assigned in the workspace, not by ARM. */
export interface SynapseRoleAssignment {
  kind: 'synapse';
  role: string;
  /** `workspace`, or an item of the workspace (`credential` WorkspaceSystemIdentity). */
  item?: { type: 'credential' | 'bigDataPool'; name: string };
  feature: string;
}

export type RoleAssignment = AzureRoleAssignment | SynapseRoleAssignment;

export const ROLE_ASSIGNMENTS: RoleAssignment[] = [
  {
    kind: 'azure',
    role: 'Storage Blob Data Contributor',
    roleDefinitionId: 'ba92f5b4-2d11-453d-a403-e96b0029c9fe',
    scope: {
      type: 'Microsoft.Storage/storageAccounts',
      nameParams: ['lakeStorageAccountName'],
      resourceGroup: 'data',
    },
    feature:
      '/smallfiles listing, /backfill snapshots, checks, promotion and Rollback on the lake (Blob adapter)',
  },
  {
    kind: 'azure',
    role: 'Log Analytics Reader',
    roleDefinitionId: '73c42c96-874c-492b-b04d-ab87d138a893',
    scope: {
      type: 'Microsoft.OperationalInsights/workspaces',
      nameParams: ['logAnalyticsWorkspaceName'],
      resourceGroup: 'data',
    },
    feature: 'Synapse run history and error signatures (Log Analytics queries)',
  },
  {
    kind: 'azure',
    role: 'Monitoring Reader',
    roleDefinitionId: '43d0d8ad-25c7-4714-9337-8ba259a9fe05',
    scope: {
      type: 'Microsoft.Synapse/workspaces',
      nameParams: ['synapseWorkspaceName'],
      resourceGroup: 'data',
    },
    feature: 'Azure Monitor metrics of the workspace and its Spark pools (pipeline runs, allocated cores)',
  },
  {
    kind: 'azure',
    role: 'Contributor',
    roleDefinitionId: 'b24988ac-6180-42a0-ab88-20f7382dd24c',
    scope: {
      type: 'Microsoft.Synapse/workspaces/bigDataPools',
      nameParams: ['synapseWorkspaceName', 'sparkPoolName'],
      resourceGroup: 'data',
    },
    feature:
      'Scale the Spark pool (the scale-workers mitigation: PUT of the bigDataPools resource) and read its tags (cost controls), on that pool only',
  },
  {
    kind: 'azure',
    role: 'Key Vault Secrets User',
    roleDefinitionId: '4633458b-17de-408a-b874-0445c86b69e6',
    scope: { type: 'Microsoft.KeyVault/vaults', nameParams: ['keyVaultName'], resourceGroup: 'bot' },
    feature: 'The Slack secrets, read by Container Apps as Key Vault references',
  },
  {
    kind: 'azure',
    role: 'AcrPull',
    roleDefinitionId: '7f951dda-4ed3-4680-a7ca-43fe172d538d',
    scope: {
      type: 'Microsoft.ContainerRegistry/registries',
      nameParams: ['containerRegistryName'],
      resourceGroup: 'bot',
    },
    feature: "Pull the bot's image",
  },
  {
    kind: 'synapse',
    role: 'Synapse Artifact User',
    feature: '/triage of a Synapse pipeline: read pipeline and activity definitions',
  },
  {
    kind: 'synapse',
    role: 'Synapse Compute Operator',
    feature: 'Follow and cancel pipeline runs and Spark jobs (mitigations, /backfill Abort)',
  },
  {
    kind: 'synapse',
    role: 'Synapse Credential User',
    item: { type: 'credential', name: 'WorkspaceSystemIdentity' },
    feature: 'Run pipelines that use the workspace identity (reruns, /backfill staging runs, consumers)',
  },
];
