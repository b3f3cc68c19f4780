// One stack definition for the bot on AWS, instantiated per environment (app.ts): the web role
// (Bolt receiver) behind an HTTPS load balancer, the worker role as its own Fargate service scaled
// on queue depth, ElastiCache (Valkey) for BullMQ and the bot's state, Slack secrets from Secrets
// Manager, logs and alarms in CloudWatch, and a task role whose policy is permissions.ts.
//
// Nothing here looks anything up in an account: the template synthesizes offline, and what is
// account-specific (certificate, image, Slack secret, which Glue jobs and buckets) is a parameter.
import {
  CfnOutput,
  CfnParameter,
  Duration,
  Fn,
  RemovalPolicy,
  Stack,
  Validations,
  type StackProps,
} from 'aws-cdk-lib';
import * as appscaling from 'aws-cdk-lib/aws-applicationautoscaling';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cw_actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elasticache from 'aws-cdk-lib/aws-elasticache';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sns from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import { QUEUE_NAMES } from '../../src/queue/names.js';
import type { MedicEnvironment } from './environments.js';
import { PERMISSIONS, SCOPES, type Resource, type ScopeName } from './permissions.js';

export interface MedicStackProps extends StackProps {
  environment: MedicEnvironment;
}

/** The port the bot listens on in both roles (PORT); /healthz, /readyz and /metrics are served there. */
const PORT = 3000;
const REDIS_PORT = 6380; // not the default 6379 (AwsSolutions-AEC5)
/** Namespace of the bot's own CloudWatch metrics (queue depth from /metrics, failed jobs from logs). */
export const metricNamespace = (envName: string): string => `PipelineMedic/${envName}`;
/** The worker's log line for a job with no attempts left (src/queue/workers.ts): the failed-jobs alarm counts it. */
export const FAILED_JOB_LINE = { msg: 'job failed', final: true } as const;
/** The Prometheus gauge the worker autoscaling follows (src/metrics.ts). */
export const QUEUE_DEPTH_METRIC = 'medic_queue_waiting_jobs';

export class MedicStack extends Stack {
  readonly taskPolicy: iam.Policy;

  constructor(scope: Construct, id: string, props: MedicStackProps) {
    super(scope, id, props);
    const env = props.environment;
    const { sizing } = env;

    // ---- parameters: what differs by account, never by environment kind ----------------------
    const certificateArn = new CfnParameter(this, 'CertificateArn', {
      type: 'String',
      description: "ACM certificate for the load balancer's HTTPS listener (the host of Slack's Request URL)",
      allowedPattern: '^arn:aws[a-z-]*:acm:.+',
    });
    const image = new CfnParameter(this, 'ContainerImage', {
      type: 'String',
      description:
        'Image of the bot with your medic.yml in it, e.g. ACCOUNT.dkr.ecr.REGION.amazonaws.com/pipeline-medic:TAG',
      minLength: 1,
    });
    const slackSecretArn = new CfnParameter(this, 'SlackSecretArn', {
      type: 'String',
      description:
        'Secrets Manager secret (complete ARN) holding {"SLACK_BOT_TOKEN": "xoxb-…", "SLACK_SIGNING_SECRET": "…"}',
      allowedPattern: '^arn:aws[a-z-]*:secretsmanager:.+',
    });
    const agentImage = new CfnParameter(this, 'MetricsAgentImage', {
      type: 'String',
      description: 'CloudWatch agent image of the /metrics sidecar (pin a version tag in production)',
      default: 'public.ecr.aws/cloudwatch-agent/cloudwatch-agent:latest',
    });
    const scopes = Object.fromEntries(
      Object.entries(SCOPES).map(([name, s]) => [
        name,
        new CfnParameter(this, name, {
          type: s.type,
          description: s.description,
          ...('default' in s ? { default: s.default } : {}),
        }),
      ]),
    ) as Record<ScopeName, CfnParameter>;

    // ---- network ------------------------------------------------------------------------------
    const vpc = new ec2.Vpc(this, 'Vpc', {
      maxAzs: 2,
      natGateways: 2, // one per AZ: an AZ outage does not cut the bot off Slack and the AWS APIs
      subnetConfiguration: [
        { name: 'public', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 24 },
        { name: 'app', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS, cidrMask: 24 },
        { name: 'data', subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 24 },
      ],
    });
    const flowLogGroup = this.logGroup('FlowLogs', `/medic/${env.name}/vpc-flow`, sizing.logRetentionDays);
    vpc.addFlowLog('FlowLog', { destination: ec2.FlowLogDestination.toCloudWatchLogs(flowLogGroup) });

    const albSg = new ec2.SecurityGroup(this, 'LoadBalancerSg', {
      vpc,
      description: 'HTTPS from Slack (the Internet)',
      allowAllOutbound: false,
    });
    albSg.addIngressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(443), 'Slack Request URL');
    albSg.addIngressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(80), 'redirect to HTTPS');
    const webSg = new ec2.SecurityGroup(this, 'WebSg', { vpc, description: 'web role tasks' });
    const workerSg = new ec2.SecurityGroup(this, 'WorkerSg', { vpc, description: 'worker role tasks' });
    // Rules between groups are their own resources with ids of ours: the ids CDK derives name
    // the stack, so they would differ between environments (parity).
    const rule = (id: string, from: ec2.SecurityGroup, to: ec2.SecurityGroup, port: number, why: string) => {
      new ec2.CfnSecurityGroupIngress(this, `${id}In`, {
        groupId: to.securityGroupId,
        sourceSecurityGroupId: from.securityGroupId,
        ipProtocol: 'tcp',
        fromPort: port,
        toPort: port,
        description: why,
      });
      new ec2.CfnSecurityGroupEgress(this, `${id}Out`, {
        groupId: from.securityGroupId,
        destinationSecurityGroupId: to.securityGroupId,
        ipProtocol: 'tcp',
        fromPort: port,
        toPort: port,
        description: why,
      });
    };
    rule('AlbToWeb', albSg, webSg, PORT, 'load balancer to the bot');
    // The load balancer and the web service see their groups as immutable, so registering the
    // targets adds no second (CDK-named) copy of the rule above.
    const fixed = (id: string, sg: ec2.SecurityGroup) =>
      ec2.SecurityGroup.fromSecurityGroupId(this, id, sg.securityGroupId, { mutable: false });
    const redisSg = new ec2.SecurityGroup(this, 'RedisSg', {
      vpc,
      description: 'Valkey: only the bot',
      allowAllOutbound: false,
    });
    rule('WebToRedis', webSg, redisSg, REDIS_PORT, 'web role to Valkey');
    rule('WorkerToRedis', workerSg, redisSg, REDIS_PORT, 'worker role to Valkey');

    // ---- Redis (Valkey): queues, incidents, timers ---------------------------------------------
    const redisAuth = new secretsmanager.Secret(this, 'RedisAuth', {
      description: 'AUTH token of the Valkey replication group',
      generateSecretString: { passwordLength: 64, excludePunctuation: true },
    });
    const params = new elasticache.CfnParameterGroup(this, 'RedisParams', {
      cacheParameterGroupFamily: 'valkey8',
      description: 'BullMQ needs noeviction: an evicted key is a lost job or timer',
      properties: { 'maxmemory-policy': 'noeviction' },
    });
    const subnets = new elasticache.CfnSubnetGroup(this, 'RedisSubnets', {
      description: 'isolated subnets of the bot',
      subnetIds: vpc.isolatedSubnets.map((s) => s.subnetId),
    });
    const multiAz = sizing.redis.nodes > 1;
    const redis = new elasticache.CfnReplicationGroup(this, 'Redis', {
      replicationGroupDescription: `Pipeline Medic ${env.name}`,
      engine: 'valkey',
      engineVersion: '8.0',
      cacheNodeType: sizing.redis.nodeType,
      numCacheClusters: sizing.redis.nodes,
      multiAzEnabled: multiAz,
      automaticFailoverEnabled: multiAz,
      cacheParameterGroupName: params.ref,
      cacheSubnetGroupName: subnets.ref,
      securityGroupIds: [redisSg.securityGroupId],
      port: REDIS_PORT,
      transitEncryptionEnabled: true,
      atRestEncryptionEnabled: true,
      authToken: redisAuth.secretValue.unsafeUnwrap(), // a dynamic reference, resolved by CloudFormation
      // ElastiCache offers no AOF on current engines: durability is the replica in another AZ
      // (where nodes > 1) plus a daily snapshot kept SnapshotRetentionLimit days.
      snapshotRetentionLimit: sizing.redis.snapshotRetentionDays,
      snapshotWindow: '03:00-04:00',
      preferredMaintenanceWindow: 'sun:04:30-sun:05:30',
    });
    // The bot reads one REDIS_URL; compose it from the endpoint and the token, still as a secret.
    const redisUrl = new secretsmanager.CfnSecret(this, 'RedisUrl', {
      description: 'REDIS_URL of the bot (rediss://:token@host:port)',
      secretString: Fn.join('', [
        'rediss://:',
        redisAuth.secretValue.unsafeUnwrap(),
        '@',
        redis.attrPrimaryEndPointAddress,
        ':',
        redis.attrPrimaryEndPointPort,
      ]),
    });
    const redisUrlSecret = secretsmanager.Secret.fromSecretCompleteArn(this, 'RedisUrlRef', redisUrl.ref);
    const slackSecret = secretsmanager.Secret.fromSecretCompleteArn(
      this,
      'SlackSecret',
      slackSecretArn.valueAsString,
    );

    // ---- the task role: permissions.ts, nothing else of the product's ---------------------------
    // A list parameter with a suffix: "a,b" → ["a/*", "b/*"] (Split of a Join: CloudFormation has
    // no map over a list, and a Join delimiter must be a literal, so the ARNs come whole).
    const resourceArns = (r: Exclude<Resource, string>): string[] =>
      r.suffix
        ? Fn.split(',', Fn.join('', [Fn.join(`${r.suffix},`, scopes[r.each].valueAsList), r.suffix]))
        : scopes[r.each].valueAsList;
    const taskRole = new iam.Role(this, 'TaskRole', {
      assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com'),
      description: 'Pipeline Medic: what the bot calls on Glue, CloudWatch Logs and S3',
    });
    this.taskPolicy = new iam.Policy(this, 'ProductPolicy', {
      statements: PERMISSIONS.map(
        (p) =>
          new iam.PolicyStatement({
            sid: p.sid,
            actions: p.actions,
            resources: p.resources.flatMap((r) =>
              typeof r === 'string' ? [r.includes('${') ? Fn.sub(r) : r] : resourceArns(r),
            ),
            ...(p.conditions ? { conditions: p.conditions } : {}),
          }),
      ),
    });
    taskRole.attachInlinePolicy(this.taskPolicy);

    // ---- ECS ----------------------------------------------------------------------------------
    const cluster = new ecs.Cluster(this, 'Cluster', {
      vpc,
      containerInsightsV2: ecs.ContainerInsights.ENABLED,
    });
    const common = {
      MEDIC_ENV: env.name,
      MEDIC_CONFIG: '/app/medic.yml',
      PORT: String(PORT),
      LOG_LEVEL: 'info',
    };
    const secrets = {
      SLACK_BOT_TOKEN: ecs.Secret.fromSecretsManager(slackSecret, 'SLACK_BOT_TOKEN'),
      SLACK_SIGNING_SECRET: ecs.Secret.fromSecretsManager(slackSecret, 'SLACK_SIGNING_SECRET'),
      REDIS_URL: ecs.Secret.fromSecretsManager(redisUrlSecret),
    };
    const readyz = {
      // /readyz: Redis answers and, in the worker role, the workers run (src/http/routes.ts).
      command: [
        'CMD',
        'node',
        '-e',
        `fetch('http://127.0.0.1:${PORT}/readyz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))`,
      ],
      interval: Duration.seconds(30),
      timeout: Duration.seconds(5),
      retries: 3,
      startPeriod: Duration.seconds(30),
    };

    const webLogs = this.logGroup('WebLogs', `/medic/${env.name}/web`, sizing.logRetentionDays);
    const webTask = new ecs.FargateTaskDefinition(this, 'WebTask', {
      family: `medic-${env.name}-web`,
      cpu: sizing.web.cpu,
      memoryLimitMiB: sizing.web.memoryMiB,
      taskRole,
      runtimePlatform: { cpuArchitecture: ecs.CpuArchitecture.X86_64 },
    });
    webTask.addContainer('bot', {
      image: ecs.ContainerImage.fromRegistry(image.valueAsString),
      environment: { ...common, MEDIC_ROLE: 'web' },
      secrets,
      portMappings: [{ containerPort: PORT }],
      logging: ecs.LogDrivers.awsLogs({ logGroup: webLogs, streamPrefix: 'web' }),
      healthCheck: readyz,
      readonlyRootFilesystem: true,
    });
    const web = new ecs.FargateService(this, 'WebService', {
      cluster,
      taskDefinition: webTask,
      desiredCount: sizing.web.tasks,
      securityGroups: [fixed('WebSgRef', webSg)],
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
      circuitBreaker: { rollback: true },
      minHealthyPercent: 100,
      maxHealthyPercent: 200,
    });

    const workerLogs = this.logGroup('WorkerLogs', `/medic/${env.name}/worker`, sizing.logRetentionDays);
    const metricsLogs = this.logGroup('MetricsLogs', `/medic/${env.name}/metrics`, sizing.logRetentionDays);
    const workerTask = new ecs.FargateTaskDefinition(this, 'WorkerTask', {
      family: `medic-${env.name}-worker`,
      cpu: sizing.worker.cpu,
      memoryLimitMiB: sizing.worker.memoryMiB,
      taskRole,
      runtimePlatform: { cpuArchitecture: ecs.CpuArchitecture.X86_64 },
    });
    workerTask.addContainer('bot', {
      image: ecs.ContainerImage.fromRegistry(image.valueAsString),
      environment: { ...common, MEDIC_ROLE: 'worker' },
      secrets,
      logging: ecs.LogDrivers.awsLogs({ logGroup: workerLogs, streamPrefix: 'worker' }),
      healthCheck: readyz,
      readonlyRootFilesystem: true,
      // SIGTERM lets active jobs finish (src/shutdown.ts); give them time before SIGKILL.
      stopTimeout: Duration.seconds(120),
    });
    // Queue depth: the CloudWatch agent scrapes the worker's /metrics and publishes the
    // medic_queue_waiting_jobs gauge (per queue) as a CloudWatch metric in embedded metric format.
    workerTask.addContainer('metrics', {
      image: ecs.ContainerImage.fromRegistry(agentImage.valueAsString),
      essential: false,
      memoryReservationMiB: 64,
      environment: {
        PROMETHEUS_CONFIG_CONTENT: prometheusConfig(),
        CW_CONFIG_CONTENT: JSON.stringify(cloudwatchAgentConfig(env.name, metricsLogs.logGroupName)),
      },
      logging: ecs.LogDrivers.awsLogs({ logGroup: workerLogs, streamPrefix: 'cwagent' }),
    });
    metricsLogs.grantWrite(taskRole);
    const worker = new ecs.FargateService(this, 'WorkerService', {
      cluster,
      taskDefinition: workerTask,
      desiredCount: sizing.worker.minTasks,
      securityGroups: [workerSg],
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
      circuitBreaker: { rollback: true },
      minHealthyPercent: 100,
      maxHealthyPercent: 200,
    });

    // Worker autoscaling on queue depth: jobs waiting in every queue, summed. Each worker task
    // reports the same Redis-wide numbers, so per queue the maximum over tasks is taken.
    const perQueue = Object.fromEntries(
      QUEUE_NAMES.map((q, i) => [
        `q${i}`,
        new cloudwatch.Metric({
          namespace: metricNamespace(env.name),
          metricName: QUEUE_DEPTH_METRIC,
          dimensionsMap: { queue: q },
          statistic: 'Maximum',
          period: Duration.minutes(1),
        }),
      ]),
    );
    const queueDepth = new cloudwatch.MathExpression({
      expression: Object.keys(perQueue)
        .map((k) => `FILL(${k}, 0)`)
        .join(' + '),
      usingMetrics: perQueue,
      label: 'jobs waiting (all queues)',
      period: Duration.minutes(1),
    });
    const scaling = worker.autoScaleTaskCount({
      minCapacity: sizing.worker.minTasks,
      maxCapacity: sizing.worker.maxTasks,
    });
    scaling.scaleOnMetric('QueueDepth', {
      metric: queueDepth,
      adjustmentType: appscaling.AdjustmentType.CHANGE_IN_CAPACITY,
      scalingSteps: [
        { upper: 0, change: -1 }, // nothing waiting: one task fewer (not below minTasks)
        { lower: 20, change: +1 },
        { lower: 100, change: +3 },
      ],
      evaluationPeriods: 3,
      cooldown: Duration.minutes(3),
    });
    // Name the step policies ourselves (CDK derives names from the stack name: parity).
    for (const cfn of worker.node.findAll().filter((c) => c instanceof appscaling.CfnScalingPolicy)) {
      const side = cfn.node.scope?.node.id.replace(/Policy$/, '') ?? cfn.node.id;
      (cfn as appscaling.CfnScalingPolicy).policyName = `medic-${env.name}-worker-${side}`;
    }

    // ---- load balancer: Slack's Request URL https://HOST/slack/events ---------------------------
    const accessLogs = new s3.Bucket(this, 'AccessLogs', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      lifecycleRules: [{ expiration: Duration.days(sizing.logRetentionDays) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const alb = new elbv2.ApplicationLoadBalancer(this, 'LoadBalancer', {
      vpc,
      internetFacing: true,
      securityGroup: fixed('LoadBalancerSgRef', albSg),
      dropInvalidHeaderFields: true,
    });
    alb.logAccessLogs(accessLogs, 'alb');
    alb.addListener('Http', {
      port: 80,
      open: false,
      defaultAction: elbv2.ListenerAction.redirect({ protocol: 'HTTPS', port: '443', permanent: true }),
    });
    const https = alb.addListener('Https', {
      port: 443,
      open: false,
      certificates: [elbv2.ListenerCertificate.fromArn(certificateArn.valueAsString)],
      sslPolicy: elbv2.SslPolicy.RECOMMENDED_TLS,
    });
    const target = https.addTargets('Web', {
      port: PORT,
      protocol: elbv2.ApplicationProtocol.HTTP,
      targets: [web],
      deregistrationDelay: Duration.seconds(30),
      healthCheck: {
        path: '/readyz',
        healthyHttpCodes: '200',
        interval: Duration.seconds(15),
        timeout: Duration.seconds(5),
        healthyThresholdCount: 2,
        unhealthyThresholdCount: 3,
      },
    });

    // ---- alarms -----------------------------------------------------------------------------
    const topic = new sns.Topic(this, 'Alarms', {
      displayName: `Pipeline Medic ${env.name} alarms`,
      masterKey: kms.Alias.fromAliasName(this, 'SnsKey', 'alias/aws/sns'),
      enforceSSL: true,
    });
    const alarm = (a: cloudwatch.Alarm): void => {
      a.addAlarmAction(new cw_actions.SnsAction(topic));
      a.addOkAction(new cw_actions.SnsAction(topic));
    };
    alarm(
      target.metrics
        .unhealthyHostCount({ period: Duration.minutes(1), statistic: 'Maximum' })
        .createAlarm(this, 'WebNotReady', {
          alarmDescription: 'A web task answers /readyz with 503 or not at all (Redis unreachable?)',
          threshold: 1,
          comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
          evaluationPeriods: 3,
          treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        }),
    );
    alarm(
      target.metrics
        .healthyHostCount({ period: Duration.minutes(1), statistic: 'Minimum' })
        .createAlarm(this, 'WebDown', {
          alarmDescription: "No web task passes /readyz: Slack's requests are failing",
          threshold: 1,
          comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
          evaluationPeriods: 2,
          treatMissingData: cloudwatch.TreatMissingData.BREACHING,
        }),
    );
    alarm(
      new cloudwatch.Metric({
        namespace: 'ECS/ContainerInsights',
        metricName: 'RunningTaskCount',
        dimensionsMap: { ClusterName: cluster.clusterName, ServiceName: worker.serviceName },
        statistic: 'Minimum',
        period: Duration.minutes(1),
      }).createAlarm(this, 'WorkersDown', {
        alarmDescription: 'No worker task is running (their /readyz health check keeps failing?)',
        threshold: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
        evaluationPeriods: 3,
        treatMissingData: cloudwatch.TreatMissingData.BREACHING,
      }),
    );
    // Failed jobs: the worker logs {"msg":"job failed", "final": true, "queue": …} when a job has
    // no attempts left (src/queue/workers.ts); a metric filter counts them.
    const failedJobs = new logs.MetricFilter(this, 'FailedJobsFilter', {
      logGroup: workerLogs,
      filterPattern: logs.FilterPattern.all(
        logs.FilterPattern.stringValue('$.msg', '=', FAILED_JOB_LINE.msg),
        logs.FilterPattern.booleanValue('$.final', FAILED_JOB_LINE.final),
      ),
      metricNamespace: metricNamespace(env.name),
      metricName: 'FailedJobs',
      metricValue: '1',
    });
    alarm(
      failedJobs.metric({ statistic: 'Sum', period: Duration.minutes(5) }).createAlarm(this, 'JobsFailing', {
        alarmDescription: 'A queue job failed with no attempts left (see the worker log group)',
        threshold: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }),
    );

    new CfnOutput(this, 'LoadBalancerDns', {
      value: alb.loadBalancerDnsName,
      description: 'point your HTTPS host (the certificate name) here with a CNAME or alias record',
    });
    new CfnOutput(this, 'AlarmTopicArn', { value: topic.topicArn, description: 'subscribe on-call to it' });

    this.suppressions({
      redisAuth,
      redisUrl,
      redis,
      multiAz,
      albSg,
      tasks: [webTask, workerTask],
      accessLogs,
      resourceOf: (r) => (typeof r === 'string' ? r : this.resolve(resourceArns(r))),
    });
  }

  private logGroup(id: string, name: string, days: number): logs.LogGroup {
    return new logs.LogGroup(this, id, {
      logGroupName: name,
      retention: days as logs.RetentionDays,
      removalPolicy: RemovalPolicy.RETAIN,
    });
  }

  /** cdk-nag findings accepted, each with its reason (cdk-nag 3: CDK's own acknowledgements). */
  private suppressions(c: {
    redisAuth: Construct;
    redisUrl: Construct;
    redis: Construct;
    multiAz: boolean;
    albSg: Construct;
    tasks: Construct[];
    accessLogs: Construct;
    resourceOf: (r: Resource) => unknown;
  }): void {
    const ack = (scope: Construct, id: string, reason: string): void =>
      Validations.of(scope).acknowledge({ id: `AwsSolutions::AwsSolutions-${id}`, reason });
    ack(
      c.redisAuth,
      'SMG4',
      'The Valkey AUTH token changes only by redeploying with a new secret version; ElastiCache offers no rotation Lambda for it.',
    );
    ack(
      c.redisUrl,
      'SMG4',
      'REDIS_URL is composed from the AUTH token secret and the endpoint; it changes with them.',
    );
    if (!c.multiAz)
      ack(
        c.redis,
        'AEC4',
        'Sizing of this environment: one node. Staging and prod run a replica in a second AZ (environments.ts).',
      );
    ack(
      c.albSg,
      'EC23',
      "Slack calls the Request URL from the Internet (443, and 80 only to redirect); Bolt verifies every request's signature.",
    );
    for (const t of c.tasks)
      ack(
        t,
        'ECS2',
        'Only non-secret settings (MEDIC_ROLE, MEDIC_ENV, PORT, …) are plain environment variables; the Slack secrets and REDIS_URL come from Secrets Manager.',
      );
    ack(c.accessLogs, 'S1', 'This bucket is the load balancer access-log sink itself.');
    // One acknowledgement per wildcard resource of the product policy, with the reason from
    // permissions.ts (several statements can share a resource: their reasons are joined).
    const reasons = new Map<string, string[]>();
    for (const p of PERMISSIONS) {
      for (const r of p.resources) {
        const rendered = c.resourceOf(r);
        const text = typeof rendered === 'string' ? rendered : JSON.stringify(rendered);
        if (!text.includes('*')) continue;
        if (!p.wildcard) throw new Error(`permissions.ts: ${p.sid} has a wildcard resource and no reason`);
        const id = `IAM5[Resource::${text.replace(/\$\{([^}]+)\}/g, '<$1>')}]`;
        reasons.set(id, [...(reasons.get(id) ?? []), `${p.sid}: ${p.wildcard}`]);
      }
    }
    for (const [id, why] of reasons) ack(this.taskPolicy, id, why.join('; '));
    Validations.of(this).acknowledge({
      id: 'CloudFormation-Validate::W2509',
      reason: 'SlackSecretArn is the ARN of the secret, not the secret: nothing to hide.',
    });
  }
}

/** Prometheus scrape configuration of the CloudWatch agent sidecar: the worker's own /metrics. */
export function prometheusConfig(): string {
  return [
    'global:',
    '  scrape_interval: 30s',
    '  scrape_timeout: 10s',
    'scrape_configs:',
    '  - job_name: medic',
    '    metrics_path: /metrics',
    '    static_configs:',
    `      - targets: ['127.0.0.1:${PORT}']`,
    '',
  ].join('\n');
}

/** CloudWatch agent configuration: the queue-depth gauge becomes a metric, one per queue. */
export function cloudwatchAgentConfig(envName: string, logGroupName: string): unknown {
  return {
    agent: { debug: false },
    logs: {
      metrics_collected: {
        prometheus: {
          log_group_name: logGroupName,
          prometheus_config_path: 'env:PROMETHEUS_CONFIG_CONTENT',
          emf_processor: {
            metric_namespace: metricNamespace(envName),
            metric_declaration: [
              {
                source_labels: ['job'],
                label_matcher: '^medic$',
                dimensions: [['queue']],
                metric_selectors: [`^${QUEUE_DEPTH_METRIC}$`],
              },
            ],
          },
        },
      },
      force_flush_interval: 5,
    },
  };
}
