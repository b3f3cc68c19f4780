// The bot's AWS infrastructure (infra/aws): every environment synthesizes offline with cdk-nag's
// AwsSolutions pack passing, the three environments are at parity (same resources, only the
// declared sizing differs), and the README's IAM policy is the synthesized one.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Stack, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { buildApp } from '../../infra/aws/app.js';
import { ENV_NAMES, SIZING_PROPERTIES, stackName, type EnvName } from '../../infra/aws/environments.js';
import { AwsSolutionsChecks } from '../../infra/aws/nag.js';
import { PERMISSIONS, README_VALUES } from '../../infra/aws/permissions.js';
import { FAILED_JOB_LINE, QUEUE_DEPTH_METRIC } from '../../infra/aws/medic-stack.js';
import { readSection, renderAwsIam } from '../../infra/docs.js';
import { templateParity, sizingDifferences, type Json } from '../../infra/parity.js';
import { Env } from '../../src/config/env.js';
import { createMetrics } from '../../src/metrics.js';
import { evaluate } from './cfn-eval.js';

type Template = {
  Resources: Record<string, { Type: string; Properties?: Record<string, unknown> }>;
} & Record<string, unknown>;
const templates = {} as Record<EnvName, Template>;

before(() => {
  // One app with the three stacks, synthesized as `npx cdk synth` would; a cdk-nag finding that
  // is not acknowledged makes synth() throw.
  const outdir = mkdtempSync(join(tmpdir(), 'medic-cdk-'));
  const { app } = buildApp({ outdir });
  const assembly = app.synth();
  for (const env of ENV_NAMES) templates[env] = assembly.getStackByName(stackName(env)).template as Template;
});

const byType = (t: Template, type: string) => Object.entries(t.Resources).filter(([, r]) => r.Type === type);

test('every environment synthesizes with the web and worker services, Valkey, the load balancer and alarms', () => {
  for (const env of ENV_NAMES) {
    const t = templates[env];
    assert.equal(byType(t, 'AWS::ECS::Service').length, 2, `${env}: web and worker services`);
    assert.equal(byType(t, 'AWS::ElastiCache::ReplicationGroup').length, 1);
    const listeners = byType(t, 'AWS::ElasticLoadBalancingV2::Listener').map(([, r]) => r.Properties!);
    assert.ok(
      listeners.some((l) => l.Protocol === 'HTTPS' && l.Port === 443),
      'an HTTPS listener',
    );
    const tg = byType(t, 'AWS::ElasticLoadBalancingV2::TargetGroup')[0]![1].Properties!;
    assert.equal(tg.HealthCheckPath, '/readyz');
    assert.ok(byType(t, 'AWS::CloudWatch::Alarm').length >= 4);
  }
});

test('prod Valkey is Multi-AZ with a replica, persistence by snapshots, TLS and AUTH; dev is one node', () => {
  const redis = (env: EnvName) =>
    byType(templates[env], 'AWS::ElastiCache::ReplicationGroup')[0]![1].Properties!;
  const prod = redis('prod');
  assert.equal(prod.MultiAZEnabled, true);
  assert.equal(prod.AutomaticFailoverEnabled, true);
  assert.ok((prod.NumCacheClusters as number) >= 2);
  assert.ok((prod.SnapshotRetentionLimit as number) > 0);
  assert.equal(prod.Engine, 'valkey');
  assert.equal(prod.TransitEncryptionEnabled, true);
  assert.ok(JSON.stringify(prod.AuthToken).includes('{{resolve:secretsmanager:'), 'AUTH from a secret');
  assert.equal(redis('dev').MultiAZEnabled, false);
  const params = byType(templates.prod, 'AWS::ElastiCache::ParameterGroup')[0]![1].Properties!;
  assert.deepEqual(params.Properties, { 'maxmemory-policy': 'noeviction' });
});

test('the containers get the Slack secrets from Secrets Manager and only variables the bot reads', () => {
  const known = new Set(Object.keys(Env.shape));
  for (const [, task] of byType(templates.prod, 'AWS::ECS::TaskDefinition')) {
    const bot = (
      task.Properties!.ContainerDefinitions as {
        Name: string;
        Environment?: { Name: string; Value: string }[];
        Secrets?: { Name: string }[];
      }[]
    ).find((c) => c.Name === 'bot')!;
    for (const v of bot.Environment ?? [])
      assert.ok(known.has(v.Name), `${v.Name} is read by src/config/env.ts`);
    assert.deepEqual((bot.Secrets ?? []).map((s) => s.Name).sort(), [
      'REDIS_URL',
      'SLACK_BOT_TOKEN',
      'SLACK_SIGNING_SECRET',
    ]);
    const text = JSON.stringify(task);
    assert.doesNotMatch(text, /xoxb-|xapp-/, 'no token in the template');
  }
});

test('workers scale on the queue-depth gauge the bot exports at /metrics', async () => {
  const metrics = createMetrics({ defaultMetrics: false });
  assert.match(await metrics.registry.metrics(), new RegExp(`# TYPE ${QUEUE_DEPTH_METRIC} gauge`));
  const policies = byType(templates.prod, 'AWS::ApplicationAutoScaling::ScalingPolicy');
  assert.ok(policies.length >= 1);
  const alarms = JSON.stringify(byType(templates.prod, 'AWS::CloudWatch::Alarm'));
  assert.ok(alarms.includes(QUEUE_DEPTH_METRIC), 'a scaling alarm on the queue-depth metric');
  const worker = byType(templates.prod, 'AWS::ECS::TaskDefinition').find(([id]) =>
    id.startsWith('WorkerTask'),
  )!;
  assert.ok(JSON.stringify(worker).includes(QUEUE_DEPTH_METRIC), 'the metrics sidecar publishes it');
});

test('the failed-jobs alarm counts the worker log line of a job with no attempts left', () => {
  const [, filter] = byType(templates.prod, 'AWS::Logs::MetricFilter')[0]!;
  assert.equal(
    filter.Properties!.FilterPattern,
    `{ ($.msg = "${FAILED_JOB_LINE.msg}") && ($.final IS TRUE) }`,
  );
  const alarms = byType(templates.prod, 'AWS::CloudWatch::Alarm').map(([, a]) => a.Properties!);
  assert.ok(alarms.some((a) => a.MetricName === 'FailedJobs'));
  // test/integration/failed-job-log.test.ts checks that the worker writes exactly this line.
});

test('dev, staging and prod are at parity: same resources, only declared sizing differs', () => {
  for (const other of ['staging', 'prod'] as const) {
    const diffs = templateParity(
      { name: 'dev', template: templates.dev as Json },
      { name: other, template: templates[other] as Json },
      SIZING_PROPERTIES,
    );
    assert.deepEqual(diffs, [], `dev vs ${other}:\n${diffs.map((d) => `${d.path}: ${d.detail}`).join('\n')}`);
    // The comparison is not vacuous: the environments do differ, in sizing only.
    const sizing = sizingDifferences(
      { name: 'dev', template: templates.dev as Json },
      { name: other, template: templates[other] as Json },
    );
    assert.ok(sizing.length > 0, `dev and ${other} differ in sizing`);
    if (other === 'prod')
      assert.ok(
        sizing.some((p) => p.endsWith('.Cpu')),
        'dev and prod differ in task CPU',
      );
  }
});

test('a deliberate parity break in a fixture is caught', () => {
  const base = { name: 'dev', template: templates.dev as Json };
  const clone = (): Template => JSON.parse(JSON.stringify(templates.prod)) as Template;
  const check = (t: Template) =>
    templateParity(base, { name: 'prod', template: t as Json }, SIZING_PROPERTIES);

  const noTls = clone();
  const [redisId, redis] = byType(noTls, 'AWS::ElastiCache::ReplicationGroup')[0]!;
  redis.Properties!.TransitEncryptionEnabled = false;
  assert.deepEqual(
    check(noTls).map((d) => d.path),
    [`Resources.${redisId}.Properties.TransitEncryptionEnabled`],
  );

  const extra = clone();
  extra.Resources.DebugBucket = { Type: 'AWS::S3::Bucket', Properties: {} };
  assert.deepEqual(
    check(extra).map((d) => d.detail),
    ['only in prod (AWS::S3::Bucket)'],
  );

  const retyped = clone();
  const [alarmId] = byType(retyped, 'AWS::CloudWatch::Alarm')[0]!;
  delete retyped.Resources[alarmId];
  assert.equal(check(retyped).length, 1, 'a resource missing in prod');

  const resized = clone();
  byType(resized, 'AWS::ECS::Service')[0]![1].Properties!.DesiredCount = 42;
  assert.deepEqual(check(resized), [], 'a sizing property may differ');

  const param = clone();
  (param.Parameters as Record<string, { Default?: string }>).GlueJobNamePattern!.Default = 'prod-*';
  assert.equal(check(param)[0]?.path, 'Parameters.GlueJobNamePattern.Default');
});

test('cdk-nag runs in the synthesis: an unacknowledged finding fails it', () => {
  const app = new App({ outdir: mkdtempSync(join(tmpdir(), 'medic-cdk-nag-')) });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  const stack = new Stack(app, 'Open', { env: { region: 'eu-west-1' } });
  const vpc = new ec2.Vpc(stack, 'Vpc', { natGateways: 0, maxAzs: 1 });
  new ec2.SecurityGroup(stack, 'Sg', { vpc }).addIngressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(22));
  assert.throws(() => app.synth(), /AwsSolutions-EC23|AwsSolutions-VPC7|Validation failed/);
});

test("the README's IAM policy is the synthesized task policy, and its section is up to date", () => {
  const readme = readFileSync('README.md', 'utf8');
  const section = readSection(readme, 'aws-iam');
  assert.ok(section, 'README.md has the generated aws-iam section');
  assert.equal(section, renderAwsIam(), 'README is stale: run npm run infra:docs');
  const json = /```json\n([\s\S]*?)\n```/.exec(section)![1]!;
  const documented = JSON.parse(json) as { Statement: Record<string, unknown>[] };

  for (const env of ENV_NAMES) {
    const [, policy] = byType(templates[env], 'AWS::IAM::Policy').find(([id]) =>
      id.startsWith('ProductPolicy'),
    )!;
    const synthesized = evaluate(policy.Properties!.PolicyDocument, README_VALUES) as {
      Statement: Record<string, unknown>[];
    };
    const norm = (s: Record<string, unknown>) => ({
      ...s,
      Action: [s.Action].flat(),
      Resource: [s.Resource].flat(),
    });
    assert.deepEqual(synthesized.Statement.map(norm), documented.Statement.map(norm), env);
  }
  assert.equal(documented.Statement.length, PERMISSIONS.length);
});
