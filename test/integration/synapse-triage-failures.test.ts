// /triage of a Synapse pipeline when Azure says no: a token that cannot be had (the message names
// the credential chain and what failed, no secret), a 403 naming the Azure role to grant, Log
// Analytics refused (the report stands, says what is missing), and a workspace that does not
// answer. Its own file: the token failure must come before any token is cached in the process.
import '../support/azure.js';
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startSynapseWorld, type SynapseWorld } from '../support/synapse.js';
import { startTestMedic, type TestMedic } from '../support/medic.js';
import { freePort } from '../support/services.js';
import { sendSlashCommand } from '../support/slack-requests.js';
import type { FakeMessage } from '../support/fake-slack/types.js';
import { parseConfigText, parseEnv } from '../../src/config/index.js';
import { createProviders } from '../../src/providers/registry.js';
import type { Providers } from '../../src/providers/ports.js';
import { SALES_PIPELINE } from '../../sim/azure/scenarios.js';

let w: SynapseWorld;
let t: TestMedic;
let providers: Providers;

before(async () => {
  w = await startSynapseWorld();
  const dead = await freePort(); // nothing listens there
  const yaml = [
    w.azureYaml(),
    'jobs:',
    w.job(SALES_PIPELINE.name, { sparkPool: 'pool01' }),
    '  DeadPipeline:',
    '    provider: synapse',
    '    workspace: dead-ws',
    `    workspaceEndpoint: https://127.0.0.1:${dead}/synapse/dead-ws`,
  ].join('\n');
  const env = parseEnv({ ...w.env, LOG_LEVEL: 'silent' }, { requireSlack: false });
  const { config } = parseConfigText(yaml, 'dev');
  // The product's registry, with the Azure SDK pipeline's retries shortened for the test.
  providers = createProviders({
    env,
    jobs: config.jobs,
    azure: config.azure,
    azureRetry: { maxRetries: 1, retryDelayInMs: 10, maxRetryDelayInMs: 50 },
  });
  t = await startTestMedic({ yaml, env: w.env, start: { jobDeps: { providers } } });
});

after(async () => {
  await t?.stop();
  providers?.close();
  await w?.stop();
});

const text = (m: FakeMessage): string => JSON.stringify(m.blocks ?? []) + '\n' + (m.text ?? '');

async function report(job: string, channel: string, done: RegExp, timeoutMs = 60_000): Promise<string> {
  t.slack.addChannel({ id: channel, name: channel.toLowerCase(), members: ['U0ONCALL'] });
  const res = await sendSlashCommand(t.url, t.secret, { command: '/triage', text: job, channelId: channel });
  assert.equal(res.status, 200);
  const deadline = Date.now() + timeoutMs;
  let body = '';
  while (Date.now() < deadline) {
    body = t.slack.topLevel(channel).map(text).join('\n');
    if (done.test(body) && /triage took/.test(body)) return body;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no report matching ${done} in ${channel}: ${body}`);
}

/** Every text the bot sent to a channel (top-level, thread, updates), for secrets checks. */
function everythingSentTo(channel: string): string {
  return JSON.stringify(
    t.slack.calls
      .filter((c) => c.args.channel === channel || c.args.channel_id === channel)
      .map((c) => c.args),
  );
}

test('a token that cannot be had: the credential chain and what failed, no secret', async () => {
  w.sim.setFaults([
    {
      service: 'identity',
      error: 'BadRequest',
      status: 400,
      message: 'Unable to load the proper Managed Identity.',
    },
  ]);
  const body = await report(SALES_PIPELINE.name, 'C0NOTOKEN', /Access denied/);
  assert.match(
    body,
    /no Azure token for https:\/\/dev\.azuresynapse\.net\/\.default: DefaultAzureCredential failed at ManagedIdentityCredential: Unable to load the proper Managed Identity\./,
  );
  assert.match(body, /unavailable: EnvironmentCredential/);
  const sent = everythingSentTo('C0NOTOKEN');
  assert.ok(!sent.includes(w.sim.identityHeader), 'the identity header never reaches Slack');
  assert.ok(!/eyJ[\w-]+\.[\w-]+/.test(sent), 'no token reaches Slack');
  assert.equal(w.sim.requests({ service: 'synapse' }).length, 0, 'no token, no call to the workspace');
});

test('403: the report names the refused Synapse action and the Azure role that grants it', async () => {
  w.sim.setFaults([{ service: 'synapse', operation: 'QueryPipelineRuns', error: 'denied' }]);
  const body = await report(SALES_PIPELINE.name, 'C0DENIEDPIPE', /Access denied/);
  assert.match(body, /Synapse refused `Microsoft\.Synapse\/workspaces\/artifacts\/read`/);
  assert.match(body, /granted by the role Synapse Artifact User/);
  assert.match(body, /least-privilege Azure role assignments/);
});

test('Log Analytics refused: the report still stands and says what is missing, naming the role', async () => {
  w.sim.setFaults([{ service: 'loganalytics', error: 'denied' }]);
  const body = await report(SALES_PIPELINE.name, 'C0NOLA', /DEGRADED: SalesPipeline/);
  assert.match(
    body,
    /Missing: .*Log Analytics [0-9a-f-]+: access denied \(Microsoft\.OperationalInsights\/workspaces\/query\/read; role Log Analytics Reader\)/,
  );
  assert.match(body, /Probable causes/);
});

test('a workspace that does not answer: retried, then the report says so', async () => {
  w.sim.setFaults([]);
  const body = await report('DeadPipeline', 'C0DEADWS', /did not answer/, 90_000);
  assert.match(body, /Azure Synapse did not answer/);
  assert.match(body, /Synapse at 127\.0\.0\.1:\d+ does not answer \(ECONNREFUSED\)/);
  assert.match(body, /Tried 3 times/);
});
