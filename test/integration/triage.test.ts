// /triage end to end for each simulator scenario: signed slash command → real Bolt receiver →
// BullMQ on the real Redis → triage worker → official AWS SDK clients against the simulator →
// report posted and updated in the fake Slack.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startSimulator, type Simulator } from '../../sim/index.js';
import { startTestMedic, type TestMedic } from '../support/medic.js';
import { sendSlashCommand } from '../support/slack-requests.js';
import type { FakeMessage } from '../support/fake-slack/types.js';
import { IncidentStore } from '../../src/store/incidents.js';
import { ChecklistStore } from '../../src/store/checklist-store.js';
import { Timeline } from '../../src/store/timeline.js';
import { waitFor } from '../support/wait.js';

const YAML = `
defaults:
  escalateAfterMinutes: 90
jobs:
  MyJob:
    input: s3://lake-raw/events/
    dataOwner: U0OWNER
  DriftJob:
    table: { database: lake, name: drift_events }
`;

let sim: Simulator;
let t: TestMedic;

before(async () => {
  sim = await startSimulator();
  for (const [k, v] of Object.entries(sim.env())) process.env[k] = v;
  t = await startTestMedic({ yaml: YAML, env: sim.env() });
});

after(async () => {
  await t.stop();
  await sim.stop();
});

function blocksText(m: FakeMessage): string {
  return JSON.stringify(m.blocks ?? []) + '\n' + (m.text ?? '');
}

/** Wait until the report in `channel` reaches its final state (it ends with the timing line). */
async function finalReport(channel: string, timeoutMs = 60_000): Promise<FakeMessage> {
  return waitFor(
    () =>
      `the final report in ${channel}; messages: ${t.slack.topLevel(channel).map(blocksText).join('\n---\n')}`,
    () => {
      const m = t.slack.topLevel(channel).find((x) => /triage took/.test(blocksText(x)));
      return m && !/Triaging/.test(blocksText(m)) ? m : undefined;
    },
    timeoutMs,
  );
}

async function triage(job: string, channel: string) {
  t.slack.addChannel({ id: channel, name: channel.toLowerCase(), members: ['U0ONCALL'] });
  const res = await sendSlashCommand(t.url, t.secret, { command: '/triage', text: job, channelId: channel });
  assert.equal(res.status, 200);
  const report = await finalReport(channel);
  return { report, text: blocksText(report) };
}

test('MyJob: DEGRADED, the 3 slow runs listed, small files the top finding, checklist ticked', async () => {
  const { report, text } = await triage('MyJob', 'C0MYJOB');
  assert.match(text, /DEGRADED: MyJob/);
  const runs = sim.state.glue.runsOf('MyJob');
  const newest = runs.slice(0, 3).map((r) => r.Id);
  for (const id of newest) assert.ok(text.includes(id), `problematic run ${id} listed`);
  assert.ok(!text.includes(runs[5]!.Id), 'a baseline run is not listed as problematic');
  const causes = text.indexOf('Probable causes');
  assert.ok(causes > 0);
  const firstCause = /\*1\. ([^*]+)\*/.exec(text.slice(causes))?.[1] ?? '';
  assert.match(firstCause, /small files/i);
  // Updated in place: one top-level report, several chat.update calls.
  // (The checklist message, posted under it, names the incident, not the report's verdict.)
  assert.equal(
    t.slack.topLevel('C0MYJOB').filter((m) => /(DEGRADED|Triaging).*MyJob/.test(blocksText(m))).length,
    1,
  );
  assert.ok(t.slack.callsTo('chat.update').some((c) => c.args.ts === report.ts));
  // Chart and details in the thread.
  await waitFor('details and chart in the thread', () => t.slack.thread('C0MYJOB', report.ts).length >= 2);
  await waitFor(
    'the report recorded on the incident',
    async () =>
      (await new IncidentStore(t.medic.state, t.prefix).forChannel('C0MYJOB'))?.latest !== undefined,
  );
  const thread = t.slack.thread('C0MYJOB', report.ts);
  assert.ok(thread.length >= 2, 'details and chart in the thread');
  assert.ok(thread[0]?.files?.length, 'the thread starts with the chart, before the run list');
  const files = [...t.slack.files.values()].filter((f) => f.name.endsWith('.png'));
  assert.ok(
    files.some((f) => f.bytes?.subarray(1, 4).toString() === 'PNG'),
    'a PNG chart was uploaded',
  );
  // The channel became the job's incident channel; the bot ticked what it has evidence for.
  const incidents = new IncidentStore(t.medic.state, t.prefix);
  const incident = await incidents.forChannel('C0MYJOB');
  assert.ok(incident, 'incident opened for the channel');
  assert.equal(incident.job, 'MyJob');
  assert.equal(incident.dataOwner, 'U0OWNER');
  assert.equal(incident.latest?.verdict, 'DEGRADED');
  // The bot ticks after the final report: wait for the ticks, then check exactly which.
  // MyJob runs with --enable-metrics: its job metrics (heap, shuffle) were read, so the Spark
  // review item is ticked too.
  const ticked = async () =>
    (await new ChecklistStore(t.medic.state, t.prefix).get(incident.id)).items
      .filter((i) => i.done)
      .map((i) => i.id)
      .sort();
  await waitFor('the bot ticks', async () => (await ticked()).length >= 3);
  assert.deepEqual(await ticked(), ['input-vs-baseline', 'run-ids-logs', 'spark-ui-gc-shuffle']);
  // The checklist message sits under the report, the two evidence items ticked by the bot. It is
  // brought up to date after the incident's summary is written: wait for it, not for the summary.
  await waitFor('the checklist message up to date', async () => {
    const ts = (await incidents.forChannel('C0MYJOB'))?.checklistTs;
    return ts !== undefined && /run_id/.test(JSON.stringify(t.slack.message('C0MYJOB', ts)?.blocks ?? []));
  });
  const checklistMsg = t.slack.message('C0MYJOB', (await incidents.forChannel('C0MYJOB'))?.checklistTs ?? '');
  assert.ok(checklistMsg, 'checklist message posted');
  assert.match(JSON.stringify(checklistMsg.blocks), /run_id/);
  // The escalation timer is set for the incident (delayed job on the escalation queue).
  const escalation = await t.medic.producers.queue('escalation').getJob(`escalation-${incident.id}`);
  assert.ok(escalation, 'escalation scheduled');
  assert.equal(await escalation.getState(), 'delayed');
  assert.ok(incident.latest?.metrics?.baselineSeconds, 'metrics kept for escalation');
  assert.ok(incident.latest?.links?.length, 'run links kept for escalation');
  const timeline = await new Timeline(t.medic.state, t.prefix).list(incident.id);
  const kinds = timeline.map((e) => e.kind);
  assert.ok(kinds.includes('command') && kinds.includes('report') && kinds.includes('finding'));
  assert.ok(timeline.some((e) => e.kind === 'finding' && /small files/i.test(e.text)));
});

test('OomJob: FAILING with the memory finding first', async () => {
  const { text } = await triage('OomJob', 'C0OOMJOB');
  assert.match(text, /FAILING: OomJob/);
  assert.match(text, /OutOfMemoryError|Container killed/);
  const causes = text.slice(text.indexOf('Probable causes'));
  assert.match(/\*1\. ([^*]+)\*/.exec(causes)?.[1] ?? '', /memory/i);
});

test('DriftJob: schema drift found from the errors and the new table version', async () => {
  const { text } = await triage('DriftJob', 'C0DRIFT');
  assert.match(text, /(FAILING|DEGRADED): DriftJob/);
  const causes = text.slice(text.indexOf('Probable causes'));
  assert.match(/\*1\. ([^*]+)\*/.exec(causes)?.[1] ?? '', /schema/i);
});

test('SkewJob: DEGRADED with data skew among the findings', async () => {
  const { text } = await triage('SkewJob', 'C0SKEW');
  assert.match(text, /DEGRADED: SkewJob/);
  assert.match(text.slice(text.indexOf('Probable causes')), /skew/i);
});

test('HealthyJob: HEALTHY, no problematic runs', async () => {
  const { text } = await triage('HealthyJob', 'C0HEALTHY');
  assert.match(text, /HEALTHY: HealthyJob/);
  assert.ok(!/Problematic runs/.test(text));
});

test('an unknown job says so and suggests close names', async () => {
  const { text } = await triage('MyJb', 'C0UNKNOWN');
  assert.match(text, /No Glue job named MyJb/);
  assert.match(text, /Did you mean .*MyJob/);
});
