// The ARM template of the bot on Azure, built as data so its role assignments come from
// roles.ts; `npm run infra:docs` writes it to infra/azure/azuredeploy.json (the file you deploy)
// and test/infra checks the file is what this builds. Container Apps run the web role (external
// HTTPS ingress: Slack's Request URL) and the worker role (no ingress, KEDA scaling on the BullMQ
// wait lists); Azure Cache for Redis holds queues and state; a user-assigned identity carries the
// roles; the Slack secrets are Key Vault references.
import { QUEUE_NAMES } from '../../src/queue/names.js';
import { ROLE_ASSIGNMENTS, type AzureRoleAssignment } from './roles.js';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

const PORT = 3000;
const API = {
  identity: '2023-01-31',
  logs: '2022-10-01',
  apps: '2024-03-01',
  redis: '2024-03-01',
  storage: '2023-01-01',
  roles: '2022-04-01',
  deployments: '2022-09-01',
};

const p = (name: string) => `parameters('${name}')`;
const v = (name: string) => `variables('${name}')`;

/** Parameters that carry the environment's sizing: the only ones the parameter files may vary. */
export const SIZING_PARAMETERS = [
  'webCpu',
  'webMemory',
  'webMinReplicas',
  'webMaxReplicas',
  'workerCpu',
  'workerMemory',
  'workerMinReplicas',
  'workerMaxReplicas',
  'redisSkuName',
  'redisSkuFamily',
  'redisCapacity',
  'logRetentionDays',
] as const;

function parameters(): Record<string, Json> {
  const sizing = (type: string, description: string, extra: Record<string, Json> = {}): Json => ({
    type,
    ...extra,
    metadata: { description, sizing: true },
  });
  return {
    environmentName: {
      type: 'string',
      allowedValues: ['dev', 'staging', 'prod'],
      metadata: { description: 'MEDIC_ENV of the bot and part of every resource name' },
    },
    location: {
      type: 'string',
      defaultValue: '[resourceGroup().location]',
      metadata: { description: 'Region of the bot (default: the resource group’s)' },
    },
    containerImage: {
      type: 'string',
      metadata: {
        description:
          'Image of the bot with your medic.yml in it, e.g. REGISTRY.azurecr.io/pipeline-medic:TAG',
      },
    },
    containerRegistryName: {
      type: 'string',
      metadata: { description: 'Azure Container Registry (in this resource group) the image is pulled from' },
    },
    keyVaultName: {
      type: 'string',
      metadata: { description: 'Key Vault (RBAC mode, in this resource group) holding the Slack secrets' },
    },
    slackBotTokenSecretName: {
      type: 'string',
      defaultValue: 'slack-bot-token',
      metadata: { description: 'Key Vault secret with SLACK_BOT_TOKEN (xoxb-…)' },
    },
    slackSigningSecretSecretName: {
      type: 'string',
      defaultValue: 'slack-signing-secret',
      metadata: { description: 'Key Vault secret with SLACK_SIGNING_SECRET' },
    },
    dataResourceGroup: {
      type: 'string',
      metadata: { description: 'Resource group of the data platform (Synapse, the lake, Log Analytics)' },
    },
    lakeStorageAccountName: {
      type: 'string',
      metadata: { description: 'Storage account of the lake (Blob / ADLS Gen2)' },
    },
    logAnalyticsWorkspaceName: {
      type: 'string',
      metadata: { description: 'Log Analytics workspace that receives the Synapse diagnostics' },
    },
    synapseWorkspaceName: { type: 'string', metadata: { description: 'Synapse workspace' } },
    sparkPoolName: { type: 'string', metadata: { description: 'Spark pool the bot may scale' } },
    webCpu: sizing('string', 'vCPU of a web replica (Container Apps: 0.25, 0.5, 1, …)'),
    webMemory: sizing('string', 'Memory of a web replica (2 GiB per vCPU: 0.5Gi, 1Gi, …)'),
    webMinReplicas: sizing('int', 'Web replicas at least', { minValue: 1 }),
    webMaxReplicas: sizing('int', 'Web replicas at most', { minValue: 1 }),
    workerCpu: sizing('string', 'vCPU of a worker replica'),
    workerMemory: sizing('string', 'Memory of a worker replica'),
    workerMinReplicas: sizing('int', 'Worker replicas at least', { minValue: 1 }),
    workerMaxReplicas: sizing('int', 'Worker replicas at most (scaled on the queues’ wait lists)', {
      minValue: 1,
    }),
    redisSkuName: sizing('string', 'Azure Cache for Redis SKU; Premium adds AOF persistence', {
      allowedValues: ['Basic', 'Standard', 'Premium'],
    }),
    redisSkuFamily: sizing('string', 'C for Basic and Standard, P for Premium', {
      allowedValues: ['C', 'P'],
    }),
    redisCapacity: sizing('int', 'Cache size within the SKU (C0–C6, P1–P5)', { minValue: 0, maxValue: 6 }),
    logRetentionDays: sizing('int', 'Days the bot’s logs are kept', { minValue: 30, maxValue: 730 }),
  };
}

function variables(): Record<string, Json> {
  return {
    prefix: `[format('medic-{0}', ${p('environmentName')})]`,
    identityName: `[format('medic-{0}-identity', ${p('environmentName')})]`,
    logsName: `[format('medic-{0}-logs', ${p('environmentName')})]`,
    environmentAppName: `[format('medic-{0}-apps', ${p('environmentName')})]`,
    redisName: `[format('medic-{0}-{1}', ${p('environmentName')}, uniqueString(resourceGroup().id))]`,
    aofStorageName: `[format('medicaof{0}', uniqueString(resourceGroup().id, ${p('environmentName')}))]`,
    keyVaultSecretsUri: `[format('https://{0}{1}/secrets/', ${p('keyVaultName')}, environment().suffixes.keyvaultDns)]`,
    redisBaseConfig: { 'maxmemory-policy': 'noeviction' },
  };
}

const identityId = `resourceId('Microsoft.ManagedIdentity/userAssignedIdentities', ${v('identityName')})`;
const redisId = `resourceId('Microsoft.Cache/redis', ${v('redisName')})`;

const scopeId = (r: AzureRoleAssignment) =>
  `resourceId('${r.scope.type}', ${r.scope.nameParams.map(p).join(', ')})`;

/**
 * The role assignment resource of one list entry. Its name is a guid of the scope, `seed` (a value
 * known when the deployment starts: names cannot wait for reference()) and the role.
 */
function roleAssignment(r: AzureRoleAssignment, principal: string, seed: string): Json {
  const scope = `[${scopeId(r)}]`;
  return {
    type: 'Microsoft.Authorization/roleAssignments',
    apiVersion: API.roles,
    name: `[guid(${scopeId(r)}, ${seed}, '${r.roleDefinitionId}')]`,
    scope,
    properties: {
      roleDefinitionId: `[subscriptionResourceId('Microsoft.Authorization/roleDefinitions', '${r.roleDefinitionId}')]`,
      principalId: `[${principal}]`,
      principalType: 'ServicePrincipal',
      description: `Pipeline Medic: ${r.feature}`,
    },
  };
}

function containerApp(role: 'web' | 'worker'): Json {
  const secrets: Json[] = [
    {
      name: 'slack-bot-token',
      keyVaultUrl: `[concat(${v('keyVaultSecretsUri')}, ${p('slackBotTokenSecretName')})]`,
      identity: `[${identityId}]`,
    },
    {
      name: 'slack-signing-secret',
      keyVaultUrl: `[concat(${v('keyVaultSecretsUri')}, ${p('slackSigningSecretSecretName')})]`,
      identity: `[${identityId}]`,
    },
    {
      name: 'redis-url',
      value: `[format('rediss://:{0}@{1}:{2}', listKeys(${redisId}, '${API.redis}').primaryKey, reference(${redisId}, '${API.redis}').hostName, reference(${redisId}, '${API.redis}').sslPort)]`,
    },
    { name: 'redis-password', value: `[listKeys(${redisId}, '${API.redis}').primaryKey]` },
  ];
  const env: Json[] = [
    { name: 'MEDIC_ROLE', value: role },
    { name: 'MEDIC_ENV', value: `[${p('environmentName')}]` },
    { name: 'MEDIC_CONFIG', value: '/app/medic.yml' },
    { name: 'PORT', value: String(PORT) },
    { name: 'LOG_LEVEL', value: 'info' },
    // DefaultAzureCredential picks the user-assigned identity by its client id.
    { name: 'AZURE_CLIENT_ID', value: `[reference(${identityId}, '${API.identity}').clientId]` },
    { name: 'SLACK_BOT_TOKEN', secretRef: 'slack-bot-token' },
    { name: 'SLACK_SIGNING_SECRET', secretRef: 'slack-signing-secret' },
    { name: 'REDIS_URL', secretRef: 'redis-url' },
  ];
  const rules: Json[] =
    role === 'web'
      ? [{ name: 'http', http: { metadata: { concurrentRequests: '50' } } }]
      : QUEUE_NAMES.map((q) => ({
          // KEDA's redis scaler on the BullMQ wait list of each queue (MEDIC_PREFIX 'medic').
          name: `queue-${q}`,
          custom: {
            type: 'redis',
            metadata: {
              address: `[format('{0}:{1}', reference(${redisId}, '${API.redis}').hostName, reference(${redisId}, '${API.redis}').sslPort)]`,
              listName: `medic:${q}:wait`,
              listLength: '20',
              enableTLS: 'true',
            },
            auth: [{ secretRef: 'redis-password', triggerParameter: 'password' }],
          },
        }));
  return {
    type: 'Microsoft.App/containerApps',
    apiVersion: API.apps,
    name: `[format('medic-{0}-${role}', ${p('environmentName')})]`,
    location: `[${p('location')}]`,
    identity: { type: 'UserAssigned', userAssignedIdentities: { [`[${identityId}]`]: {} } },
    dependsOn: [
      `[resourceId('Microsoft.App/managedEnvironments', ${v('environmentAppName')})]`,
      `[${redisId}]`,
      // The identity must hold its Key Vault and registry roles before the app reads and pulls.
      ...ROLE_ASSIGNMENTS.filter(
        (r): r is AzureRoleAssignment => r.kind === 'azure' && r.scope.resourceGroup === 'bot',
      ).map(
        (r) =>
          `[extensionResourceId(${scopeId(r)}, 'Microsoft.Authorization/roleAssignments', guid(${scopeId(r)}, ${identityId}, '${r.roleDefinitionId}'))]`,
      ),
    ],
    properties: {
      managedEnvironmentId: `[resourceId('Microsoft.App/managedEnvironments', ${v('environmentAppName')})]`,
      configuration: {
        activeRevisionsMode: 'Single',
        secrets,
        registries: [
          {
            server: `[format('{0}{1}', ${p('containerRegistryName')}, environment().suffixes.acrLoginServer)]`,
            identity: `[${identityId}]`,
          },
        ],
        ...(role === 'web'
          ? {
              ingress: {
                external: true,
                targetPort: PORT,
                transport: 'auto',
                allowInsecure: false,
              },
            }
          : {}),
      },
      template: {
        containers: [
          {
            name: 'bot',
            image: `[${p('containerImage')}]`,
            resources: { cpu: `[json(${p(`${role}Cpu`)})]`, memory: `[${p(`${role}Memory`)}]` },
            env,
            probes: [
              { type: 'Liveness', httpGet: { path: '/healthz', port: PORT }, periodSeconds: 30 },
              // /readyz: Redis answers and, in the worker role, the workers run.
              {
                type: 'Readiness',
                httpGet: { path: '/readyz', port: PORT },
                periodSeconds: 15,
                failureThreshold: 3,
              },
            ],
          },
        ],
        scale: {
          minReplicas: `[${p(`${role}MinReplicas`)}]`,
          maxReplicas: `[${p(`${role}MaxReplicas`)}]`,
          rules,
        },
      },
    },
  };
}

export function buildTemplate(): Json {
  const principal = `reference(${identityId}, '${API.identity}').principalId`;
  const azureRoles = ROLE_ASSIGNMENTS.filter((r): r is AzureRoleAssignment => r.kind === 'azure');
  const dataRoles = azureRoles.filter((r) => r.scope.resourceGroup === 'data');
  const dataParams = [...new Set(dataRoles.flatMap((r) => r.scope.nameParams))];
  // Role assignments on the data platform's resources live in its resource group: a nested
  // deployment there, given the principal and the names it needs.
  const dataDeployment: Json = {
    type: 'Microsoft.Resources/deployments',
    apiVersion: API.deployments,
    name: `[format('medic-{0}-data-roles', ${p('environmentName')})]`,
    resourceGroup: `[${p('dataResourceGroup')}]`,
    dependsOn: [`[${identityId}]`],
    properties: {
      mode: 'Incremental',
      expressionEvaluationOptions: { scope: 'inner' },
      parameters: {
        principalId: { value: `[${principal}]` },
        ...Object.fromEntries(dataParams.map((n) => [n, { value: `[${p(n)}]` }])),
      },
      template: {
        $schema: 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#',
        contentVersion: '1.0.0.0',
        parameters: {
          principalId: { type: 'string' },
          ...Object.fromEntries(dataParams.map((n) => [n, { type: 'string' }])),
        },
        resources: dataRoles.map((r) => roleAssignment(r, p('principalId'), p('principalId'))),
      },
    },
  };
  return {
    $schema: 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#',
    contentVersion: '1.0.0.0',
    metadata: {
      description:
        'Pipeline Medic on Azure. Generated by infra/azure/template.ts (npm run infra:docs): edit that, not this file.',
    },
    parameters: parameters(),
    variables: variables(),
    resources: [
      {
        type: 'Microsoft.ManagedIdentity/userAssignedIdentities',
        apiVersion: API.identity,
        name: `[${v('identityName')}]`,
        location: `[${p('location')}]`,
      },
      {
        type: 'Microsoft.OperationalInsights/workspaces',
        apiVersion: API.logs,
        name: `[${v('logsName')}]`,
        location: `[${p('location')}]`,
        properties: { sku: { name: 'PerGB2018' }, retentionInDays: `[${p('logRetentionDays')}]` },
      },
      {
        type: 'Microsoft.App/managedEnvironments',
        apiVersion: API.apps,
        name: `[${v('environmentAppName')}]`,
        location: `[${p('location')}]`,
        dependsOn: [`[resourceId('Microsoft.OperationalInsights/workspaces', ${v('logsName')})]`],
        properties: {
          appLogsConfiguration: {
            destination: 'log-analytics',
            logAnalyticsConfiguration: {
              customerId: `[reference(resourceId('Microsoft.OperationalInsights/workspaces', ${v('logsName')}), '${API.logs}').customerId]`,
              sharedKey: `[listKeys(resourceId('Microsoft.OperationalInsights/workspaces', ${v('logsName')}), '${API.logs}').primarySharedKey]`,
            },
          },
        },
      },
      {
        // Holds Redis's AOF files where the SKU is Premium; present in every environment so
        // the three deployments have the same resources.
        type: 'Microsoft.Storage/storageAccounts',
        apiVersion: API.storage,
        name: `[${v('aofStorageName')}]`,
        location: `[${p('location')}]`,
        sku: { name: 'Standard_LRS' },
        kind: 'StorageV2',
        properties: {
          minimumTlsVersion: 'TLS1_2',
          allowBlobPublicAccess: false,
          supportsHttpsTrafficOnly: true,
        },
      },
      {
        type: 'Microsoft.Cache/redis',
        apiVersion: API.redis,
        name: `[${v('redisName')}]`,
        location: `[${p('location')}]`,
        dependsOn: [`[resourceId('Microsoft.Storage/storageAccounts', ${v('aofStorageName')})]`],
        properties: {
          sku: {
            name: `[${p('redisSkuName')}]`,
            family: `[${p('redisSkuFamily')}]`,
            capacity: `[${p('redisCapacity')}]`,
          },
          enableNonSslPort: false,
          minimumTlsVersion: '1.2',
          publicNetworkAccess: 'Enabled',
          // BullMQ needs noeviction; Premium adds AOF persistence to the storage account above.
          redisConfiguration: `[if(equals(${p('redisSkuName')}, 'Premium'), union(${v('redisBaseConfig')}, createObject('aof-backup-enabled', 'true', 'aof-storage-connection-string-0', format('DefaultEndpointsProtocol=https;AccountName={0};AccountKey={1};EndpointSuffix={2}', ${v('aofStorageName')}, listKeys(resourceId('Microsoft.Storage/storageAccounts', ${v('aofStorageName')}), '${API.storage}').keys[0].value, environment().suffixes.storage))), ${v('redisBaseConfig')})]`,
        },
      },
      ...azureRoles
        .filter((r) => r.scope.resourceGroup === 'bot')
        .map((r) => ({
          ...(roleAssignment(r, principal, identityId) as Record<string, Json>),
          dependsOn: [`[${identityId}]`],
        })),
      dataDeployment,
      containerApp('web'),
      containerApp('worker'),
    ],
    outputs: {
      slackRequestUrl: {
        type: 'string',
        value: `[format('https://{0}/slack/events', reference(resourceId('Microsoft.App/containerApps', format('medic-{0}-web', ${p('environmentName')})), '${API.apps}').configuration.ingress.fqdn)]`,
      },
      identityPrincipalId: { type: 'string', value: `[${principal}]` },
      identityClientId: { type: 'string', value: `[reference(${identityId}, '${API.identity}').clientId]` },
    },
  };
}

/** azuredeploy.json as written to the repository. */
export function templateText(): string {
  return JSON.stringify(buildTemplate(), null, 2) + '\n';
}
