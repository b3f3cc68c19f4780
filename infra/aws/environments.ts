// The three environments of the bot. They share one stack definition (medic-stack.ts); what may
// differ between them is declared here and nowhere else: the sizing below (the parity test lets
// exactly these template properties differ, see SIZING_PROPERTIES) and the environment's name.
// Which account resources the bot may touch, the certificate, the image and the Slack secret are
// stack parameters, so they never make two templates differ.

export const ENV_NAMES = ['dev', 'staging', 'prod'] as const;
export type EnvName = (typeof ENV_NAMES)[number];

export interface Sizing {
  web: { cpu: number; memoryMiB: number; tasks: number };
  worker: { cpu: number; memoryMiB: number; minTasks: number; maxTasks: number };
  redis: {
    nodeType: string;
    /** Nodes in the replication group: 1 primary + replicas. Two or more means Multi-AZ. */
    nodes: number;
    snapshotRetentionDays: number;
  };
  logRetentionDays: number;
}

export interface MedicEnvironment {
  name: EnvName;
  sizing: Sizing;
}

/**
 * The region every environment is synthesized for unless `-c region=…` says otherwise. It is fixed
 * at synth time because the ALB access-log bucket policy names the region's load-balancing account.
 */
export const DEFAULT_REGION = 'eu-west-1';

export const ENVIRONMENTS: Record<EnvName, MedicEnvironment> = {
  dev: {
    name: 'dev',
    sizing: {
      web: { cpu: 256, memoryMiB: 512, tasks: 1 },
      worker: { cpu: 512, memoryMiB: 1024, minTasks: 1, maxTasks: 2 },
      redis: { nodeType: 'cache.t4g.micro', nodes: 1, snapshotRetentionDays: 1 },
      logRetentionDays: 14,
    },
  },
  staging: {
    name: 'staging',
    sizing: {
      web: { cpu: 256, memoryMiB: 512, tasks: 2 },
      worker: { cpu: 512, memoryMiB: 1024, minTasks: 1, maxTasks: 4 },
      redis: { nodeType: 'cache.t4g.small', nodes: 2, snapshotRetentionDays: 3 },
      logRetentionDays: 30,
    },
  },
  prod: {
    name: 'prod',
    sizing: {
      web: { cpu: 512, memoryMiB: 1024, tasks: 2 },
      worker: { cpu: 1024, memoryMiB: 2048, minTasks: 2, maxTasks: 10 },
      redis: { nodeType: 'cache.m7g.large', nodes: 2, snapshotRetentionDays: 7 },
      logRetentionDays: 90,
    },
  },
};

/**
 * Template properties the sizing above reaches, by resource type: the only properties the parity
 * test allows to differ between environments (paths are dot-separated; `*` is any array item).
 */
export const SIZING_PROPERTIES: Record<string, string[]> = {
  'AWS::ECS::TaskDefinition': ['Cpu', 'Memory'],
  'AWS::ECS::Service': ['DesiredCount'],
  'AWS::ApplicationAutoScaling::ScalableTarget': ['MinCapacity', 'MaxCapacity'],
  'AWS::ElastiCache::ReplicationGroup': [
    'CacheNodeType',
    'NumCacheClusters',
    'MultiAZEnabled',
    'AutomaticFailoverEnabled',
    'SnapshotRetentionLimit',
  ],
  'AWS::Logs::LogGroup': ['RetentionInDays'],
  'AWS::S3::Bucket': ['LifecycleConfiguration.Rules.*.ExpirationInDays'],
};

/** Stack name of an environment (`MedicDev`, `MedicStaging`, `MedicProd`). */
export function stackName(env: EnvName): string {
  return `Medic${env[0]!.toUpperCase()}${env.slice(1)}`;
}
