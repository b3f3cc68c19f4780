// An incident belongs to its job(s) (issue 18, part A), end to end: signed slash commands and
// block actions → the real Bolt receiver → BullMQ on the real Redis → the triage worker against
// the Glue simulator → the fake Slack. Two jobs triaged in one channel give two incidents and two
// post-mortems; a typo or a healthy job opens none (and pages nobody); approvals of different
// kinds never share an id, and an Approve click from another channel is refused.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startSimulator, type Simulator } from '../../sim/index.js';
import { startTestMedic, type TestMedic } from '../support/medic.js';
import { sendBlockAction, sendSlashCommand, sendViewSubmission } from '../support/slack-requests.js';
import type { FakeMessage } from '../support/fake-slack/types.js';
import { IncidentStore, jobsOf } from '../../src/store/incidents.js';
import { Timeline } from '../../src/store/timeline.js';
import { ApprovalStore } from '../../src/store/approvals.js';
import { backfillApprovals } from '../../src/slack/actions/backfill-shared.js';
import { escalationJobId } from '../../src/queue/escalation.js';
import { waitFor } from '../support/wait.js';

const YAML = `
defaults:
  escalateAfterMinutes: 90
slack:
  approvers: [U0APPROVER]
jobs:
  MyJob:
    input: s3://lake-raw/events/
    compactionJob: MyJob-compaction
    dataOwner: U0OWNER
`;

let sim: Simulator;
let t: TestMedic;
let incidents: IncidentStore;
let timeline: Timeline;

before(async () => {
  sim = await startSimulator();
  for (const [k, v] of Object.entries(sim.env())) process.env[k] = v;
  t = await startTestMedic({ yaml: YAML, env: sim.env() });
  incidents = new IncidentStore(t.medic.state, t.prefix);
  timeline = new Timeline(t.medic.state, t.prefix);
});

after(async () => {
  await t.stop();
  await sim.stop();
});

const json = (m: FakeMessage | undefined): string => JSON.stringify(m?.blocks ?? []) + '\n' + (m?.text ?? '');

type Element = { action_id?: string; value?: string; text?: { text?: string } };

function buttons(blocks: unknown): Element[] {
  return ((blocks ?? []) as { type?: string; elements?: Element[] }[])
    .filter((b) => b.type === 'actions')
    .flatMap((b) => b.elements ?? []);
}

function addChannel(id: string): void {
  t.slack.addChannel({ id, name: id.toLowerCase(), members: ['U0ONCALL', 'U0APPROVER', 'U0SRE1'] });
}

async function slash(command: string, text: string, channelId: string, userId = 'U0ONCALL') {
  const responseUrl = t.slack.newResponseUrl({ channelId, userId });
  const res = await sendSlashCommand(t.url, t.secret, { command, text, channelId, userId, responseUrl });
  assert.equal(res.status, 200);
  return { ack: res.body as { text?: string; blocks?: unknown[] }, responseUrl };
}

/** The job's final report in the channel (it ends with the timing line). */
async function finalReport(channel: string, job: string): Promise<FakeMessage> {
  return waitFor(
    () => `the final report of ${job} in ${channel}: ${t.slack.topLevel(channel).map(json).join('\n---\n')}`,
    () =>
      t.slack
        .topLevel(channel)
        .find((m) => json(m).includes(job) && /triage took/.test(json(m)) && !/Triaging/.test(json(m))),
    60_000,
  );
}

/** The triage job of `job` in `channel` once BullMQ has it completed: nothing of it runs after. */
async function triageCompleted(channel: string, job: string): Promise<void> {
  const q = t.medic.producers.queue('triage');
  await waitFor(`the triage of ${job} in ${channel} completed`, async () =>
    (await q.getJobs(['completed'])).some(
      (j) =>
        (j.data as { job?: string }).job === job &&
        (j.data as { requester?: { channelId?: string } }).requester?.channelId === channel,
    ),
  );
}

async function delayedEscalations(): Promise<string[]> {
  const jobs = await t.medic.producers.queue('escalation').getJobs(['delayed', 'waiting', 'active']);
  return jobs.map((j) => j.id ?? '').sort();
}

test('two jobs triaged in one channel: two incidents, two post-mortems, each of its own job only', async () => {
  const C = 'C0TWOJOBS';
  addChannel(C);
  await slash('/triage', 'MyJob', C);
  await finalReport(C, 'MyJob');
  await triageCompleted(C, 'MyJob');
  const [first] = await incidents.openInChannel(C);
  assert.ok(first, 'MyJob (DEGRADED) opened an incident');
  assert.deepEqual(jobsOf(first), ['MyJob']);

  // Another job here: the bot asks instead of taking MyJob's incident over.
  const { ack, responseUrl } = await slash('/triage', 'SkewJob', C);
  assert.match(ack.text ?? '', new RegExp(`open incident, \\*${first.id}\\*`));
  const choice = buttons(ack.blocks);
  assert.deepEqual(
    choice.map((b) => b.text?.text),
    [`Add to ${first.id}`, 'Open a new incident'],
  );
  // Nothing was queued yet.
  assert.ok(!t.slack.topLevel(C).some((m) => json(m).includes('SkewJob')));
  assert.equal((await incidents.inChannel(C)).length, 1);

  const openNew = choice.find((b) => b.action_id === 'medic.incident.triage-new')!;
  const click = await sendBlockAction(t.url, t.secret, {
    actionId: openNew.action_id!,
    value: openNew.value!,
    userId: 'U0ONCALL',
    channelId: C,
    isEphemeral: true,
    responseUrl,
  });
  assert.equal(click.status, 200);
  const answer = await t.slack.waitForResponse(responseUrl, 10_000);
  assert.match(JSON.stringify(answer.body), /Triage of `SkewJob` queued/);
  await finalReport(C, 'SkewJob');
  await triageCompleted(C, 'SkewJob');

  const open = await incidents.openInChannel(C);
  assert.equal(open.length, 2, 'two open incidents in the channel');
  const myInc = open.find((i) => i.job === 'MyJob')!;
  const skewInc = open.find((i) => i.job === 'SkewJob')!;
  assert.ok(myInc && skewInc && myInc.id !== skewInc.id);
  assert.deepEqual(jobsOf(myInc), ['MyJob']);
  assert.deepEqual(jobsOf(skewInc), ['SkewJob']);
  assert.equal(myInc.latestByJob?.MyJob?.verdict, 'DEGRADED');
  assert.equal(skewInc.latestByJob?.SkewJob?.verdict, 'DEGRADED');
  // Every triage entry names its job; no entry of one job is on the other's timeline.
  for (const [inc, own, other] of [
    [myInc, 'MyJob', 'SkewJob'],
    [skewInc, 'SkewJob', 'MyJob'],
  ] as const) {
    const entries = await timeline.list(inc.id);
    assert.ok(entries.some((e) => e.kind === 'report' && e.job === own));
    assert.ok(!entries.some((e) => e.job === other || e.text.includes(other)), `${inc.id} has no ${other}`);
    for (const e of entries.filter((x) => x.actor === 'medic')) assert.equal(e.job, own, e.text);
    // Checklist items by their label, not their id.
    assert.ok(!entries.some((e) => /run-ids-logs|input-vs-baseline/.test(e.text)));
  }
  assert.ok((await escalationJobs()).includes(escalationJobId(skewInc.id)));

  // /incident with two open incidents asks which one.
  const which = await slash('/incident', 'postmortem', C);
  assert.match(which.ack.text ?? '', /2 open incidents/);
  assert.ok(which.ack.text?.includes(`--incident ${myInc.id}`));
  assert.ok(which.ack.text?.includes(`--incident ${skewInc.id}`));

  for (const [inc, own, other] of [
    [myInc, 'MyJob', 'SkewJob'],
    [skewInc, 'SkewJob', 'MyJob'],
  ] as const) {
    const { ack: pmAck } = await slash('/incident', `postmortem --incident ${inc.id}`, C);
    assert.match(pmAck.text ?? '', new RegExp(`post-mortem of \\*${inc.id}\\*`));
    const file = await waitFor(`the post-mortem of ${inc.id}`, () =>
      [...t.slack.files.values()].find((f) => f.name === `postmortem-${inc.id}.md` && f.bytes),
    );
    const md = file.bytes!.toString('utf8');
    assert.ok(md.includes(`- Job: ${own}`), `${inc.id} names ${own}`);
    assert.ok(!md.includes(other), `the post-mortem of ${inc.id} never names ${other}`);
    assert.match(md, /Verdict: DEGRADED: each of the last/);
    assert.ok(!/DEGRADED — DEGRADED|DEGRADED: DEGRADED/.test(md), 'the verdict said once');
    assert.ok(!md.includes('No triage findings were recorded'));
    assert.ok(!md.includes('U0ONCALL'), 'people by name');
    assert.match(md, /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ · oncall · /);
  }
});

async function escalationJobs(): Promise<string[]> {
  return await delayedEscalations();
}

test('"Add to INC-…": the second job joins the incident, each entry naming its job', async () => {
  const C = 'C0ADDJOB';
  addChannel(C);
  await slash('/triage', 'MyJob', C);
  await finalReport(C, 'MyJob');
  await triageCompleted(C, 'MyJob');
  const [inc] = await incidents.openInChannel(C);
  assert.ok(inc);
  const { ack, responseUrl } = await slash('/triage', 'SkewJob', C);
  const add = buttons(ack.blocks).find((b) => b.text?.text === `Add to ${inc.id}`)!;
  await sendBlockAction(t.url, t.secret, {
    actionId: add.action_id!,
    value: add.value!,
    userId: 'U0ONCALL',
    channelId: C,
    isEphemeral: true,
    responseUrl,
  });
  assert.match(JSON.stringify((await t.slack.waitForResponse(responseUrl, 10_000)).body), /part of \*INC-/);
  const report = await finalReport(C, 'SkewJob');
  await triageCompleted(C, 'SkewJob');
  assert.ok(json(report).includes(`Part of *${inc.id}*`));
  const all = await incidents.inChannel(C);
  assert.equal(all.length, 1);
  assert.deepEqual(jobsOf(all[0]!), ['MyJob', 'SkewJob']);
  const entries = await timeline.list(inc.id);
  assert.ok(
    entries.some((e) => e.kind === 'status' && e.job === 'SkewJob' && /SkewJob added to/.test(e.text)),
  );
  for (const e of entries.filter((x) => x.actor === 'medic'))
    assert.ok(e.job && e.text.includes(e.job), `entry names its job: ${e.text}`);
  // One open incident: /incident needs no --incident; the post-mortem has each job's own verdict.
  const { ack: pm } = await slash('/incident', 'postmortem', C);
  assert.match(pm.text ?? '', new RegExp(`post-mortem of \\*${inc.id}\\*`));
  const file = await waitFor('the post-mortem', () =>
    [...t.slack.files.values()].find((f) => f.name === `postmortem-${inc.id}.md` && f.bytes),
  );
  const md = file.bytes!.toString('utf8');
  assert.match(md, /- Job: MyJob[^\n]*\n {2}- Verdict: DEGRADED/);
  assert.match(md, /- Job: SkewJob[^\n]*\n {2}- Verdict: DEGRADED/);
});

test('"Triage now" on a monitor alert in a channel holding another job\'s incident asks like /triage, and "Add to" joins it', async () => {
  const C = 'C0MONASK';
  addChannel(C);
  await slash('/triage', 'MyJob', C);
  await finalReport(C, 'MyJob');
  await triageCompleted(C, 'MyJob');
  const [inc] = await incidents.openInChannel(C);
  assert.ok(inc);
  const res = await sendBlockAction(t.url, t.secret, {
    actionId: 'medic.monitor.triage',
    value: 'SkewJob',
    userId: 'U0SRE1',
    channelId: C,
  });
  assert.equal(res.status, 200);
  const question = await waitFor('the question to U0SRE1', () =>
    t.slack.ephemeralsFor('U0SRE1', C).find((e) => /open incident/.test(e.text ?? '')),
  );
  assert.ok(question.text.includes(inc.id));
  const choice = buttons(question.blocks);
  assert.deepEqual(
    choice.map((b) => b.text?.text),
    [`Add to ${inc.id}`, 'Open a new incident'],
  );
  // Nothing was queued: no triage of SkewJob until the question is answered.
  const queued = await t.medic.producers
    .queue('triage')
    .getJobs(['waiting', 'active', 'completed', 'delayed']);
  assert.ok(
    !queued.some(
      (j) =>
        (j.data as { job?: string }).job === 'SkewJob' &&
        (j.data as { requester?: { channelId?: string } }).requester?.channelId === C,
    ),
  );
  const add = choice.find((b) => b.action_id === 'medic.incident.triage-add')!;
  await sendBlockAction(t.url, t.secret, {
    actionId: add.action_id!,
    value: add.value!,
    userId: 'U0SRE1',
    channelId: C,
    isEphemeral: true,
  });
  const report = await finalReport(C, 'SkewJob');
  await triageCompleted(C, 'SkewJob');
  assert.ok(json(report).includes(`Part of *${inc.id}*`));
  const all = await incidents.inChannel(C);
  assert.equal(all.length, 1, 'the alert took nothing over and opened nothing apart');
  assert.deepEqual(jobsOf(all[0]!), ['MyJob', 'SkewJob']);
});

test('a typo opens no incident and starts no escalation timer', async () => {
  const C = 'C0TYPO';
  addChannel(C);
  const timersBefore = await delayedEscalations();
  await slash('/triage', 'NoSuchJobX', C);
  const report = await waitFor('the unknown-job report', () =>
    t.slack.topLevel(C).find((m) => /No Glue job named NoSuchJobX/.test(json(m))),
  );
  assert.ok(report);
  await triageCompleted(C, 'NoSuchJobX');
  assert.deepEqual(await incidents.inChannel(C), []);
  assert.deepEqual(await incidents.openForJob('NoSuchJobX'), []);
  assert.deepEqual(await delayedEscalations(), timersBefore);
  assert.ok(!t.slack.topLevel(C).some((m) => /INC-/.test(json(m))), 'no incident named in the channel');
});

test('a HEALTHY verdict opens no incident; the report offers "Declare anyway", which opens one', async () => {
  const C = 'C0HEALTHYJ';
  addChannel(C);
  const timersBefore = await delayedEscalations();
  await slash('/triage', 'HealthyJob', C);
  const report = await finalReport(C, 'HealthyJob');
  await triageCompleted(C, 'HealthyJob');
  assert.match(json(report), /No incident was opened: the verdict is HEALTHY/);
  assert.deepEqual(await incidents.inChannel(C), []);
  assert.deepEqual(await delayedEscalations(), timersBefore);

  const declare = buttons(report.blocks).find((b) => b.action_id === 'medic.incident.declare-anyway');
  assert.ok(declare?.value, 'a Declare anyway button');
  const responseUrl = t.slack.newResponseUrl({ channelId: C, userId: 'U0SRE1' });
  await sendBlockAction(t.url, t.secret, {
    actionId: declare.action_id!,
    value: declare.value,
    userId: 'U0SRE1',
    channelId: C,
    messageTs: report.ts,
    message: t.slack.messageJson(C, report.ts),
    responseUrl,
  });
  await t.slack.waitForResponse(responseUrl, 10_000);
  const opened = await waitFor('the declared incident', async () => (await incidents.openInChannel(C))[0]);
  assert.deepEqual(jobsOf(opened), ['HealthyJob']);
  assert.equal(opened.commander, 'U0SRE1');
  assert.equal(opened.latestByJob?.HealthyJob?.verdict, 'HEALTHY');
  const entries = await timeline.list(opened.id);
  assert.ok(entries.some((e) => e.kind === 'status' && /declared anyway/.test(e.text)));
  assert.ok(entries.some((e) => e.kind === 'report' && e.job === 'HealthyJob'));
  await waitFor('its escalation timer', async () =>
    (await delayedEscalations()).includes(escalationJobId(opened.id)),
  );
  // The report no longer offers it.
  await waitFor('the report updated', () => /declared \*INC-/.test(json(t.slack.message(C, report.ts))));
});

test('two approvals of different kinds in one incident get different ids; a click from another channel is refused', async () => {
  const C = 'C0APPROVALS';
  const OTHER = 'C0ELSEWHERE';
  addChannel(C);
  addChannel(OTHER);
  const { incident } = await incidents.openForChannel(C, {
    title: 'MyJob degradation',
    job: 'MyJob',
    provider: 'glue',
    env: 'dev',
    commander: 'U0ONCALL',
  });
  // A compaction, requested through the report's button and its modal.
  const value = JSON.stringify({ i: incident.id, j: 'MyJob', e: 'dev', f: 'small-files' });
  const triggerId = t.slack.newTriggerId('U0ONCALL');
  await sendBlockAction(t.url, t.secret, {
    actionId: 'medic.mitigation.request.compaction',
    value,
    userId: 'U0ONCALL',
    channelId: C,
    triggerId,
  });
  const opened = await t.slack.waitFor('views.open', (c) => c.args.trigger_id === triggerId);
  const view = opened.args.view as {
    callback_id: string;
    private_metadata: string;
    blocks: { type: string; block_id?: string; element?: Record<string, unknown> }[];
  };
  const values: Record<string, Record<string, Record<string, unknown>>> = {};
  for (const b of view.blocks) {
    if (b.type !== 'input' || !b.element) continue;
    const el = b.element;
    const v =
      el.type === 'plain_text_input'
        ? { type: el.type, value: b.block_id === 'reason' ? 'small files' : (el.initial_value ?? null) }
        : el.type === 'checkboxes'
          ? { type: el.type, selected_options: el.initial_options ?? [] }
          : { type: el.type, selected_option: el.initial_option ?? null };
    values[b.block_id!] = { [el.action_id as string]: v };
  }
  const sub = await sendViewSubmission(t.url, t.secret, {
    callbackId: view.callback_id,
    userId: 'U0ONCALL',
    values,
    privateMetadata: view.private_metadata,
  });
  assert.equal(sub.text, '', `the modal closes: ${sub.text}`);
  const message = await waitFor('the approval request', () =>
    t.slack
      .topLevel(C)
      .find((m) => buttons(m.blocks).some((b) => b.action_id === 'medic.mitigation.approve')),
  );
  const compactionId = buttons(message.blocks).find(
    (b) => b.action_id === 'medic.mitigation.approve',
  )!.value!;
  // A backfill promotion's approval takes its id where the backfill step takes it (another store
  // prefix, the same counter): before, both were apr-<day>-1.
  const promotionId = await backfillApprovals(t.medic.state, t.prefix).newId(Date.now());
  assert.match(compactionId, /^apr-\d{8}-\d+$/);
  assert.match(promotionId, /^apr-\d{8}-\d+$/);
  assert.notEqual(compactionId, promotionId);
  const next = await new ApprovalStore(t.medic.state, t.prefix).newId(Date.now());
  assert.ok(![compactionId, promotionId].includes(next));

  // Approve, clicked with this approval's id from another channel: refused, still pending.
  const elsewhere = t.slack.newResponseUrl({ channelId: OTHER, userId: 'U0APPROVER' });
  await sendBlockAction(t.url, t.secret, {
    actionId: 'medic.mitigation.approve',
    value: compactionId,
    userId: 'U0APPROVER',
    channelId: OTHER,
    responseUrl: elsewhere,
  });
  const refusal = await t.slack.waitFor(
    'chat.postEphemeral',
    (c) => c.args.channel === OTHER && c.args.user === 'U0APPROVER',
  );
  assert.match(String(refusal.args.text), new RegExp(`${compactionId}\` belongs to <#${C}>`));
  assert.equal((await new ApprovalStore(t.medic.state, t.prefix).get(compactionId))?.state, 'pending');
  assert.equal(await t.medic.producers.queue('mitigation').getJob(compactionId), undefined);
});

test('the store: triages of one job starting at once share one incident; another job gets its own', async () => {
  const C = 'C0RACE';
  const init = (job: string) => ({ title: `${job} degradation`, job, env: 'dev', commander: 'U0ONCALL' });
  const same = await Promise.all(
    Array.from({ length: 8 }, () => incidents.openForChannel(C, init('RaceJob'))),
  );
  assert.equal(new Set(same.map((r) => r.incident.id)).size, 1);
  assert.equal(same.filter((r) => r.created).length, 1);
  const other = await incidents.openForChannel(C, init('OtherJob'));
  assert.ok(other.created);
  assert.notEqual(other.incident.id, same[0]!.incident.id);
  assert.equal((await incidents.openInChannel(C)).length, 2);
  assert.equal((await incidents.forChannel(C, 'OtherJob'))?.id, other.incident.id);
  // Resolved, the job's next triage opens a new incident.
  await incidents.update(other.incident.id, (i) => ({ ...i, status: 'resolved' }));
  const again = await incidents.openForChannel(C, init('OtherJob'));
  assert.ok(again.created);
  assert.notEqual(again.incident.id, other.incident.id);
});
