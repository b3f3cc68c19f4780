import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import {
  parseConfigText,
  parseEnv,
  loadConfig,
  ConfigError,
  degradationFor,
  outputTableOf,
  schemaTableOf,
} from '../../src/config/index.js';

const DESIGN_EXAMPLE = `
defaults:
  degradation: { thresholdPct: 30, consecutiveRuns: 3, baselineRuns: 10 }
  smallFileBytes: 33554432
  escalateAfterMinutes: 90
  pricing: { glueDpuHourUsd: 0.44, glueFlexDpuHourUsd: 0.29 }
slack:
  approvers: [U0APPROVER, S0DATALEADS]
  oncallSre: S0ONCALL
environments:
  staging: { region: eu-west-1 }
  prod:    { region: eu-west-1 }
jobs:
  MyJob:
    provider: glue
    input: s3://lake-raw/events/
    output: s3://lake-curated/events/
    dataOwner: U0OWNER
    logGroups: [/aws-glue/jobs/error, /aws-glue/jobs/output]
    compactionJob: MyJob-compaction
    stagingJob: MyJob-staging
    consumers: [DownstreamJob]
`;

test('the DESIGN.md example parses, with defaults filled in', () => {
  const { config } = parseConfigText(DESIGN_EXAMPLE, 'dev');
  assert.equal(config.defaults.smallFileBytes, 33554432);
  assert.deepEqual(config.slack.approvers, ['U0APPROVER', 'S0DATALEADS']);
  assert.equal(config.jobs.MyJob?.compactionJob, 'MyJob-compaction');
  assert.equal(config.defaults.approvalExpiryMinutes, 60);
  assert.equal(config.region, undefined, 'dev has no overlay');
});

test('the environment overlay is applied for the chosen environment only', () => {
  const text = `
defaults: { escalateAfterMinutes: 90 }
environments:
  dev: { region: us-east-1, defaults: { escalateAfterMinutes: 5 }, slack: { oncallSre: S0DEV } }
  prod: { region: eu-west-1, defaults: { escalateAfterMinutes: 60 }, slack: { oncallSre: S0PROD } }
`;
  assert.equal(parseConfigText(text, 'dev').config.defaults.escalateAfterMinutes, 5);
  const prod = parseConfigText(text, 'prod');
  assert.equal(prod.config.defaults.escalateAfterMinutes, 60);
  assert.equal(prod.config.region, 'eu-west-1');
  assert.equal(prod.config.slack.oncallSre, 'S0PROD');
  assert.equal(parseConfigText(text, 'staging').config.defaults.escalateAfterMinutes, 90);
});

test('overlays that do not carry the same keys stop the start, naming each key and where it is missing', () => {
  const text = `
environments:
  dev: { defaults: { escalateAfterMinutes: 5 } }
  staging: { region: eu-west-1, defaults: { escalateAfterMinutes: 60 } }
  prod: { region: eu-west-1, defaults: { escalateAfterMinutes: 60 }, slack: { oncallSre: S0PROD } }
`;
  for (const env of ['dev', 'staging', 'prod']) {
    const err = (() => {
      try {
        parseConfigText(text, env, 'medic.yml');
      } catch (e) {
        return e as ConfigError;
      }
      return undefined;
    })();
    assert.ok(err instanceof ConfigError, `${env}: refused`);
    assert.deepEqual(err.problems, [
      'environments: region is set for staging, prod but not for dev (every overlay must carry the same keys; give each environment its own value)',
      'environments: slack.oncallSre is set for prod but not for dev, staging (every overlay must carry the same keys; give each environment its own value)',
    ]);
  }
});

test('every invalid key is reported at once, by path', () => {
  const text = `
defaults:
  degradation: { thresholdPct: 0, consecutiveRuns: 2.5 }
  smallFileBytes: -1
  typo: 3
slack:
  approvers: [not-an-id]
jobs:
  MyJob:
    provider: emr
    input: ftp://x
environments:
  qa: {}
`;
  assert.throws(
    () => parseConfigText(text, 'dev'),
    (err: unknown) => {
      assert.ok(err instanceof ConfigError);
      const joined = err.problems.join('\n');
      for (const path of [
        'defaults.degradation.thresholdPct',
        'defaults.degradation.consecutiveRuns',
        'defaults.smallFileBytes',
        'defaults',
        'slack.approvers.0',
        'jobs.MyJob.provider',
        'jobs.MyJob.input',
        'environments.qa',
      ]) {
        assert.ok(
          err.problems.some((p) => p.startsWith(path + ':')),
          `${path} reported in:\n${joined}`,
        );
      }
      assert.match(joined, /typo/);
      return true;
    },
  );
});

test('YAML syntax errors name the line', () => {
  assert.throws(() => parseConfigText('jobs:\n  a: [1, 2\n', 'dev'), /not valid YAML/);
});

test('per-job degradation overrides the defaults', () => {
  const { config } = parseConfigText('jobs:\n  A:\n    degradation: { thresholdPct: 50 }\n', 'dev');
  assert.deepEqual(degradationFor(config, 'A'), { thresholdPct: 50, consecutiveRuns: 3, baselineRuns: 10 });
  assert.deepEqual(degradationFor(config, 'Unknown'), {
    thresholdPct: 30,
    consecutiveRuns: 3,
    baselineRuns: 10,
  });
});

test('environment variables: defaults, requirements by mode, and all problems together', () => {
  const env = parseEnv({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: 'abcdefgh12' });
  assert.equal(env.PORT, 3000);
  assert.equal(env.HOST, '0.0.0.0');
  assert.equal(env.REDIS_URL, 'redis://127.0.0.1:6379');
  assert.equal(env.MEDIC_ENV, 'dev');
  assert.equal(env.MEDIC_ROLE, 'all');
  assert.equal(env.MEDIC_PREFIX, 'medic');
  assert.equal(env.MEDIC_S3_FORCE_PATH_STYLE, false);
  // Socket Mode needs no signing secret.
  assert.doesNotThrow(() => parseEnv({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_APP_TOKEN: 'xapp-1' }));
  // The sandbox needs no Slack credentials.
  assert.doesNotThrow(() => parseEnv({ MEDIC_SANDBOX: 'true' }));
  assert.throws(
    () => parseEnv({ PORT: 'abc', MEDIC_ROLE: 'both', REDIS_URL: 'localhost:6379' }),
    (err: unknown) => {
      assert.ok(err instanceof ConfigError);
      for (const key of ['PORT', 'MEDIC_ROLE', 'REDIS_URL', 'SLACK_BOT_TOKEN', 'SLACK_SIGNING_SECRET']) {
        assert.ok(
          err.problems.some((p) => p.startsWith(key + ':')),
          `${key} reported`,
        );
      }
      return true;
    },
  );
});

test('MEDIC_CONFIG is read, and a missing file is a clear error', () => {
  const dir = mkdtempSync(join(tmpdir(), 'medic-cfg-'));
  const file = join(dir, 'medic.yml');
  writeFileSync(file, DESIGN_EXAMPLE);
  const base = { SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: 'abcdefgh12' };
  const cfg = loadConfig({ ...base, MEDIC_CONFIG: file, MEDIC_ENV: 'prod' });
  assert.equal(cfg.medic.region, 'eu-west-1');
  assert.equal(cfg.source, file);
  assert.throws(() => loadConfig({ ...base, MEDIC_CONFIG: join(dir, 'nope.yml') }), /cannot be read: ENOENT/);
});

test('medic.example.yml is valid in every environment', () => {
  const text = readFileSync('medic.example.yml', 'utf8');
  for (const env of ['dev', 'staging', 'prod']) assert.doesNotThrow(() => parseConfigText(text, env));
});

test('the process exits 1 listing every problem when the configuration is invalid', () => {
  const res = spawnSync(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    env: { PATH: process.env.PATH, PORT: 'x', MEDIC_ENV: 'qa' },
    encoding: 'utf8',
  });
  assert.equal(res.status, 1);
  assert.match(res.stderr, /PORT/);
  assert.match(res.stderr, /MEDIC_ENV/);
  assert.match(res.stderr, /SLACK_BOT_TOKEN/);
});

test('Synapse jobs and azure:, with list prices as defaults; bad values named by path', () => {
  const { config } = parseConfigText(
    `
jobs:
  SalesPipeline:
    provider: synapse
    workspace: contoso-ws
    pipeline: SalesPipeline
    sparkPool: pool01
    input: abfss://lake@contosolake.dfs.core.windows.net/raw/sales/
  Emulated:
    provider: synapse
    workspaceEndpoint: https://127.0.0.1:8443/synapse/contoso-ws
azure:
  logAnalyticsWorkspaceId: 6f1c0d3a-0000-4000-8000-00000000a11a
  subscriptionId: 00000000-0000-0000-0000-000000000000
  resourceGroup: rg-data
`,
    'dev',
  );
  assert.equal(config.jobs.SalesPipeline?.workspace, 'contoso-ws');
  assert.equal(config.jobs.Emulated?.workspaceEndpoint, 'https://127.0.0.1:8443/synapse/contoso-ws');
  assert.deepEqual(config.azure.pricing, { sparkVCoreHourUsd: 0.143, pipelineActivityRunUsd: 0.001 });
  assert.deepEqual(parseConfigText('', 'dev').config.azure, {
    pricing: { sparkVCoreHourUsd: 0.143, pipelineActivityRunUsd: 0.001 },
  });
  assert.throws(
    () =>
      parseConfigText(
        `
jobs:
  X: { provider: synapse, workspace: Contoso_WS, workspaceEndpoint: 'http://x.dev.azuresynapse.net' }
azure: { subscriptionId: not-a-guid, pricing: { sparkVCoreHourUsd: 0 } }
`,
        'dev',
      ),
    (e: unknown) => {
      const m = (e as ConfigError).message;
      return (
        e instanceof ConfigError &&
        /jobs\.X\.workspace/.test(m) &&
        /jobs\.X\.workspaceEndpoint/.test(m) &&
        /azure\.subscriptionId/.test(m) &&
        /azure\.pricing\.sparkVCoreHourUsd/.test(m)
      );
    },
  );
});

test('the monitor request budget: a positive rate, a whole burst, and no burst without a rate', () => {
  const base = `jobs: {}\nmonitor:\n  channel: C0ALERTS\n`;
  const { config } = parseConfigText(`${base}  maxRequestsPerSecond: 2.5\n  requestBurst: 5\n`, 'dev');
  assert.equal(config.monitor?.maxRequestsPerSecond, 2.5);
  assert.equal(config.monitor?.requestBurst, 5);
  assert.throws(
    () => parseConfigText(`${base}  maxRequestsPerSecond: 0\n  requestBurst: 1.5\n`, 'dev'),
    (err: unknown) => {
      assert.ok(err instanceof ConfigError);
      assert.ok(
        err.problems.some((p) => p.startsWith('monitor.maxRequestsPerSecond:')),
        err.problems.join('\n'),
      );
      assert.ok(
        err.problems.some((p) => p.startsWith('monitor.requestBurst:')),
        err.problems.join('\n'),
      );
      return true;
    },
  );
  assert.throws(() => parseConfigText(`${base}  requestBurst: 3\n`, 'dev'), /monitor\.requestBurst: .*needs/);
});

test('one table per use: schemaTable for drift, outputTable for promotion, table the fallback of both', () => {
  const one = (job: string) => parseConfigText(`jobs:\n  J: ${job}\n`, 'dev').config.jobs.J;
  const lake = { database: 'lake', name: 'events' };
  const raw = { database: 'raw', name: 'events_in' };
  // `table` alone: both uses, as before.
  const both = one('{ table: { database: lake, name: events } }');
  assert.deepEqual(schemaTableOf(both), lake);
  assert.deepEqual(outputTableOf(both), lake);
  // Drift on the input table only: promotion must not switch the input's partitions.
  const drift = one('{ schemaTable: { database: raw, name: events_in } }');
  assert.deepEqual(schemaTableOf(drift), raw);
  assert.equal(outputTableOf(drift), undefined, 'promotion by copy');
  const split = one(
    '{ table: { database: lake, name: events }, schemaTable: { database: raw, name: events_in } }',
  );
  assert.deepEqual(schemaTableOf(split), raw);
  assert.deepEqual(outputTableOf(split), lake);
  assert.throws(
    () =>
      one(
        '{ table: { database: lake, name: events }, schemaTable: { database: raw, name: a }, outputTable: { database: lake, name: b } }',
      ),
    /jobs\.J\.table: table is unused/,
  );
});
