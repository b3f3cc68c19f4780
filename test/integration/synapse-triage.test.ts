// /triage of Synapse pipelines end to end: signed slash command → real Bolt receiver → BullMQ on
// the real Redis → triage worker → the Synapse adapter over HTTPS against the Azure simulator
// (pipeline runs, activity errors, Spark logs in Log Analytics) and the Blob adapter against
// Azurite (the input's small files) → report posted and updated in the fake Slack.
import '../support/azure.js';
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startSynapseWorld, lake, type SynapseWorld } from '../support/synapse.js';
import { startTestMedic, type TestMedic } from '../support/medic.js';
import { sendSlashCommand } from '../support/slack-requests.js';
import type { FakeMessage } from '../support/fake-slack/types.js';
import { IncidentStore } from '../../src/store/incidents.js';
import { ChecklistStore } from '../../src/store/checklist-store.js';
import { Timeline } from '../../src/store/timeline.js';
import {
  AZURE_SIM,
  DRIFT_PIPELINE,
  HEALTHY_PIPELINE,
  OOM_PIPELINE,
  SALES_PIPELINE,
  SKEW_PIPELINE,
} from '../../sim/azure/scenarios.js';
import { guidFrom } from '../../sim/azure/state.js';
import type { MonitorOutcome } from '../../jobs/monitor.js';

let w: SynapseWorld;
let t: TestMedic;
const ALERTS = 'C0SYNALERTS';

before(async () => {
  w = await startSynapseWorld({ seedSalesInput: true });
  const yaml = [
    // The monitor's flow is tested by enqueueing its job (as a scheduler does): no schedule here.
    'monitor:',
    `  channel: ${ALERTS}`,
    '  jobs: []',
    // Cost controls: the pool's Azure tags carry cost-center and owner, not team.
    'costControls:',
    '  requiredTags: [cost-center, team]',
    w.azureYaml(),
    'jobs:',
    w.job(SALES_PIPELINE.name, {
      budgetUsdPerRun: '2',
      sparkPool: AZURE_SIM.sparkPool,
      input: SALES_PIPELINE.input,
      output: SALES_PIPELINE.output,
      dataOwner: 'U0OWNER',
      compactionJob: SALES_PIPELINE.compactionPipeline,
    }),
    w.job(OOM_PIPELINE.name, { input: OOM_PIPELINE.input }),
    w.job(SKEW_PIPELINE.name),
    w.job(DRIFT_PIPELINE.name),
    w.job(HEALTHY_PIPELINE.name),
  ].join('\n');
  t = await startTestMedic({ yaml, env: w.env });
});

after(async () => {
  await t?.stop();
  await w?.stop();
});

const text = (m: FakeMessage): string => JSON.stringify(m.blocks ?? []) + '\n' + (m.text ?? '');

async function finalReport(channel: string, timeoutMs = 60_000): Promise<FakeMessage> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const m = t.slack.topLevel(channel).find((x) => /triage took/.test(text(x)));
    if (m && !/Triaging/.test(text(m))) return m;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no final report in ${channel}: ${t.slack.topLevel(channel).map(text).join('\n---\n')}`);
}

async function waitUntil(cond: () => boolean | Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function triage(job: string, channel: string) {
  t.slack.addChannel({ id: channel, name: channel.toLowerCase(), members: ['U0ONCALL'] });
  const res = await sendSlashCommand(t.url, t.secret, { command: '/triage', text: job, channelId: channel });
  assert.equal(res.status, 200);
  const report = await finalReport(channel);
  return { report, body: text(report) };
}

/** The value of the first button with this action_id in a message. */
function buttonValue(m: FakeMessage, actionId: string): string | undefined {
  for (const b of (m.blocks ?? []) as {
    type?: string;
    elements?: { action_id?: string; value?: string }[];
  }[])
    if (b.type === 'actions') {
      const el = b.elements?.find((e) => e.action_id === actionId);
      if (el) return el.value;
    }
  return undefined;
}

const firstCause = (body: string) =>
  /\*1\. ([^*]+)\*/.exec(body.slice(body.indexOf('Probable causes')))?.[1] ?? '';
const studio = (runId: string) => `https://ms.web.azuresynapse.net/en/monitoring/pipelineruns/${runId}`;
const runIds = (name: string, n: number, last: number) =>
  Array.from({ length: n }, (_, k) => guidFrom(`${name}#${last - 1 - k}`));

test('SalesPipeline: DEGRADED, the 3 slow runs linked to Synapse Studio, small files first, vCore cost, checklist ticked', async () => {
  const { report, body } = await triage(SALES_PIPELINE.name, 'C0SALES');
  assert.match(body, /DEGRADED: SalesPipeline/);
  for (const id of runIds(SALES_PIPELINE.name, 3, SALES_PIPELINE.runs)) {
    assert.ok(body.includes(id), `problematic run ${id} listed`);
    assert.ok(body.includes(studio(id)), `run ${id} linked to Synapse Studio`);
  }
  assert.ok(!body.includes(guidFrom(`${SALES_PIPELINE.name}#10`)), 'a baseline run is not problematic');
  assert.match(firstCause(body), /small files/i);
  assert.match(body, /vCore-hours \/ run/);
  assert.match(body, /Cost \/ run/);
  assert.match(body, /Azure Synapse · workspace contoso-ws/);
  assert.match(body, /Input volume and small files/);
  // Required tags, read from the Spark pool's Azure resource tags, with the command that adds them.
  assert.match(body, /SalesPipeline lacks required tag\* `team`/);
  assert.match(
    body,
    /az resource tag --is-incremental --ids \/subscriptions\/[^ ]+\/bigDataPools\/[^ ]+ --tags team=VALUE/,
  );
  // The compaction button, whose request runs the compaction pipeline.
  assert.match(body, /medic\.mitigation\.request\.compaction/);
  await waitUntil(
    async () =>
      (await new IncidentStore(t.medic.state, t.prefix).forChannel('C0SALES'))?.latest !== undefined,
  );
  const incident = (await new IncidentStore(t.medic.state, t.prefix).forChannel('C0SALES'))!;
  assert.equal(incident.provider, 'synapse');
  assert.equal(incident.dataOwner, 'U0OWNER');
  assert.equal(incident.latest?.verdict, 'DEGRADED');
  assert.ok(incident.latest?.links?.some((l) => l.url.startsWith(studio(''))));
  const checklist = await new ChecklistStore(t.medic.state, t.prefix).get(incident.id);
  assert.deepEqual(
    checklist.items
      .filter((i) => i.done)
      .map((i) => i.id)
      .sort(),
    ['input-vs-baseline', 'run-ids-logs'],
  );
  const timeline = await new Timeline(t.medic.state, t.prefix).list(incident.id);
  assert.ok(timeline.some((e) => e.kind === 'finding' && /small files/i.test(e.text)));
  // Chart and details in the thread.
  await waitUntil(() => t.slack.thread('C0SALES', report.ts).length >= 2);
});

test('OomPipeline: FAILING, memory first from the YARN kills, and a rerun from the failed step offered', async () => {
  const { report, body } = await triage(OOM_PIPELINE.name, 'C0OOMPIPE');
  assert.match(body, /FAILING: OomPipeline/);
  assert.match(firstCause(body), /memory/i);
  assert.match(body, /Container killed for exceeding memory limits/);
  for (const id of runIds(OOM_PIPELINE.name, 3, OOM_PIPELINE.runs)) assert.ok(body.includes(studio(id)));
  const raw = buttonValue(report, 'medic.mitigation.request.recovery-rerun');
  assert.ok(raw, `a recovery rerun button: ${body.slice(body.indexOf('medic-mitigations'))}`);
  const value = JSON.parse(raw) as Record<string, unknown>;
  assert.equal(value.r, guidFrom(`${OOM_PIPELINE.name}#${OOM_PIPELINE.runs - 1}`));
  assert.equal(value.a, OOM_PIPELINE.activity);
  assert.equal(value.p, 'synapse');
  assert.match(body, /medic\.mitigation\.request\.scale/);
});

test('SkewPipeline: DEGRADED with data skew among the findings', async () => {
  const { body } = await triage(SKEW_PIPELINE.name, 'C0SKEWPIPE');
  assert.match(body, /DEGRADED: SkewPipeline/);
  assert.match(body.slice(body.indexOf('Probable causes')), /skew/i);
  for (const id of runIds(SKEW_PIPELINE.name, 3, SKEW_PIPELINE.runs)) assert.ok(body.includes(id));
});

test('DriftPipeline: FAILING with schema drift first (AnalysisException)', async () => {
  const { body } = await triage(DRIFT_PIPELINE.name, 'C0DRIFTPIPE');
  assert.match(body, /FAILING: DriftPipeline/);
  assert.match(firstCause(body), /schema/i);
  assert.match(body, /Cannot resolve column/);
});

test('HealthyPipeline: HEALTHY, no problematic runs', async () => {
  const { body } = await triage(HEALTHY_PIPELINE.name, 'C0HEALTHYPIPE');
  assert.match(body, /HEALTHY: HealthyPipeline/);
  assert.ok(!/Problematic runs/.test(body));
  assert.ok(!/recovery-rerun/.test(body));
});

test('an unknown pipeline says so and suggests close names', async () => {
  // Not in jobs:, so named a Synapse pipeline by the flag; looked up in the one workspace configured.
  const { body } = await triage('SalesPipelin --provider synapse', 'C0UNKNOWNPIPE');
  assert.match(body, /No Synapse pipeline named SalesPipelin/);
  assert.match(body, /Did you mean .*SalesPipeline/);
  assert.match(body, /does not exist in workspace contoso-ws/);
});

test('--input overrides where the volume is read (abfss:// of another prefix: listed, none there)', async () => {
  const { body } = await triage(
    `${HEALTHY_PIPELINE.name} --input ${lake('raw/nothing-here/')}`,
    'C0INPUTPIPE',
  );
  assert.match(body, /HEALTHY: HealthyPipeline/);
  assert.match(body, /nothing-here/);
});

/** One monitor evaluation, enqueued as its scheduler would, waited for. */
async function runMonitor(job: string): Promise<MonitorOutcome> {
  const queue = t.medic.producers.queue('monitor');
  const added = await queue.add('monitor', { job });
  let state = '';
  await waitUntil(async () => {
    state = await added.getState();
    return state === 'completed' || state === 'failed';
  }, 30_000);
  const done = await queue.getJob(added.id!);
  assert.equal(state, 'completed', `monitor ${job} failed: ${done?.failedReason}`);
  return done!.returnvalue as MonitorOutcome;
}

test('the monitor alerts a degraded Synapse pipeline once (Studio links, vCore-hours) and its budget breach', async () => {
  t.slack.addChannel({ id: ALERTS, name: 'syn-alerts', members: ['U0ONCALL'] });
  const first = await runMonitor(SALES_PIPELINE.name);
  assert.equal(first.verdict, 'DEGRADED');
  assert.deepEqual(first.posted, ['alert', 'budget']);
  const posted = t.slack.topLevel(ALERTS).map(text);
  const alert = posted.find((b) => /DEGRADED/.test(b) && /SalesPipeline/.test(b));
  assert.ok(alert, posted.join('\n---\n'));
  for (const id of runIds(SALES_PIPELINE.name, 3, SALES_PIPELINE.runs)) assert.ok(alert.includes(studio(id)));
  assert.match(alert, /vCore-h/);
  assert.match(alert, /medic\.monitor\.triage/);
  const budget = posted.find((b) => /budget/i.test(b));
  assert.ok(budget && /\$2\.00/.test(budget), budget);
  // The same degradation an hour later: nothing new to say.
  assert.deepEqual((await runMonitor(SALES_PIPELINE.name)).posted, []);
  const healthy = await runMonitor(HEALTHY_PIPELINE.name);
  assert.equal(healthy.verdict, 'HEALTHY');
  assert.deepEqual(healthy.posted, []);
});
