// /triage of jobs that got slow without an error line (issue 13): the cause comes from the Spark
// event logs of the problematic run against a baseline run, the job metrics and the performance
// lines of the logs — spill, Python UDF time, GC pressure — each named right in the report; the
// "Revisión Spark UI / GC / shuffle" item ticks itself; a job with none of them degrades gracefully.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { GCJOB, SPILLJOB, UDFJOB, startSimulator, type Simulator } from '../../sim/index.js';
import { startTestMedic, type TestMedic } from '../support/medic.js';
import { sendSlashCommand } from '../support/slack-requests.js';
import type { FakeMessage } from '../support/fake-slack/types.js';
import { IncidentStore } from '../../src/store/incidents.js';
import { ChecklistStore } from '../../src/store/checklist-store.js';

let sim: Simulator;
let t: TestMedic;

before(async () => {
  sim = await startSimulator();
  for (const [k, v] of Object.entries(sim.env())) process.env[k] = v;
  t = await startTestMedic({ env: sim.env() });
});

after(async () => {
  await t.stop();
  await sim.stop();
});

function blocksText(m: FakeMessage): string {
  return JSON.stringify(m.blocks ?? []) + '\n' + (m.text ?? '');
}

async function finalReport(channel: string, timeoutMs = 60_000): Promise<FakeMessage> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const m = t.slack.topLevel(channel).find((x) => /triage took/.test(blocksText(x)));
    if (m) return m;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no final report in ${channel}`);
}

async function triage(job: string, channel: string) {
  t.slack.addChannel({ id: channel, name: channel.toLowerCase(), members: ['U0ONCALL'] });
  const res = await sendSlashCommand(t.url, t.secret, { command: '/triage', text: job, channelId: channel });
  assert.equal(res.status, 200);
  const report = await finalReport(channel);
  return { report, text: blocksText(report) };
}

/** The ranked causes, in order, as the report shows them. */
function causes(text: string): string[] {
  return [...text.matchAll(/\*(\d+)\. ([^*]+)\* _\(/g)].map((m) => m[2]!);
}

/** The checklist item is ticked after the final report: wait for that state, at most 20 s. */
async function sparkItemTicked(channel: string): Promise<boolean> {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    const incident = await new IncidentStore(t.medic.state, t.prefix).forChannel(channel);
    if (incident) {
      const list = await new ChecklistStore(t.medic.state, t.prefix).get(incident.id);
      if (list.items.find((i) => i.id === 'spark-ui-gc-shuffle')?.done) return true;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}

test('SpillJob: no error line, the event log shows the spill; more shuffle partitions, concretely', async () => {
  const { text } = await triage(SPILLJOB.name, 'C0SPILL');
  assert.match(text, /DEGRADED: SpillJob/);
  assert.equal(causes(text)[0], 'Memory / GC / OOM', causes(text).join(' | '));
  assert.match(text, /Spark event log: .*spill/i);
  assert.match(text, /spark\.sql\.shuffle\.partitions/);
  assert.match(text, /\*Spark event logs\*/, 'the run-vs-baseline diff is shown');
  assert.match(text, /grew/i);
  assert.ok(await sparkItemTicked('C0SPILL'), 'Revisión Spark UI / GC / shuffle ticked');
});

test('UdfJob: the time went into Python UDFs; the report says to rewrite them natively', async () => {
  const { text } = await triage(UDFJOB.name, 'C0UDF');
  assert.match(text, /DEGRADED: UdfJob/);
  assert.equal(causes(text)[0], 'Inefficient Python UDFs', causes(text).join(' | '));
  assert.match(text, /Python/);
  assert.ok(await sparkItemTicked('C0UDF'));
});

test('GcJob: GC pressure from the rolled event log; more memory per executor', async () => {
  const { text } = await triage(GCJOB.name, 'C0GC');
  assert.match(text, /DEGRADED: GcJob/);
  assert.equal(causes(text)[0], 'Memory / GC / OOM', causes(text).join(' | '));
  assert.match(text, /Spark event log: .*GC/);
  assert.match(text, /\*Job metrics\*/, 'GcJob runs with metrics on: they are shown against the baseline');
  assert.ok(await sparkItemTicked('C0GC'));
});

test('a job without event logs or metrics: the report says how to turn metrics on, nothing fails', async () => {
  const { text } = await triage('OomJob', 'C0PLAIN');
  assert.match(text, /FAILING: OomJob/);
  assert.match(text, /--enable-metrics true/);
  assert.doesNotMatch(text, /\*Spark event logs\*/);
  assert.equal(causes(text)[0], 'Memory / GC / OOM');
});
