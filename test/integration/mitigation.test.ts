// Mitigations behind approvals, end to end: signed button clicks and modal submissions → the real
// Bolt receiver → Redis (approval records, BullMQ) → the mitigation worker → the official Glue SDK
// client against the simulator, which records every AWS request we assert on.
//
// Time: the bot's clock is injectable (start.jobDeps.now reaches both the listeners and the
// workers); the expiry test moves it 61 minutes ahead instead of waiting. Runs are fast because
// the simulator runs at 1000× and the mitigation job polls GetJobRun every 100 ms here.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startSimulator, type Simulator } from '../../sim/index.js';
import { startTestMedic, type TestMedic } from '../support/medic.js';
import { sendBlockAction, sendSlashCommand, sendViewSubmission } from '../support/slack-requests.js';
import type { FakeMessage } from '../support/fake-slack/types.js';
import { IncidentStore } from '../../src/store/incidents.js';
import { Timeline, type TimelineEntry } from '../../src/store/timeline.js';
import { ChecklistStore } from '../../src/store/checklist-store.js';
import { ApprovalStore, type Approval } from '../../src/store/approvals.js';
import { encodeRequestValue } from '../../src/slack/blocks/approval-request.js';
import { stableId } from '../../src/queue/payloads.js';
import { waitFor } from '../support/wait.js';
import {
  approvalRequest,
  buttonValue,
  openIncidentFor,
  prefilled,
  type ModalView,
} from '../support/approvals.js';
import { FollowUpStore, type FollowUp } from '../../src/store/followups.js';

const YAML = `
slack:
  approvers: [S0DATALEADS]
jobs:
  MyJob:
    input: s3://lake-raw/events/
    compactionJob: MyJob-compaction
    dataOwner: U0OWNER
  OomJob:
    approvers: [U0APPROVER, U0SRE2]
`;

const REQUESTER = 'U0ONCALL';
const APPROVER = 'U0APPROVER';

let sim: Simulator;
let t: TestMedic;
let skewMs = 0;
const clock = (): number => Date.now() + skewMs;

before(async () => {
  sim = await startSimulator({ speed: 1000 });
  for (const [k, v] of Object.entries(sim.env())) process.env[k] = v;
  t = await startTestMedic({
    yaml: YAML,
    env: { ...sim.env(), MEDIC_ENV: 'staging' },
    start: { jobDeps: { now: clock }, timings: { mitigationPollMs: 100, followPollMs: 100 } },
  });
});

after(async () => {
  await t.stop();
  await sim.stop();
});

// ---------------------------------------------------------------------------------------------
// helpers

const json = (m: FakeMessage | undefined): string => JSON.stringify(m?.blocks ?? []) + '\n' + (m?.text ?? '');

const approvals = () => new ApprovalStore(t.medic.state, t.prefix);
const timeline = () => new Timeline(t.medic.state, t.prefix);

const incidentFor = (channel: string, job: string): Promise<string> =>
  openIncidentFor(t, channel, job, [REQUESTER, APPROVER, 'U0SRE1', 'U0SRE2']);

type View = ModalView;

async function openModal(kind: string, value: string, channel: string, user = REQUESTER): Promise<View> {
  const triggerId = t.slack.newTriggerId(user);
  const res = await sendBlockAction(t.url, t.secret, {
    actionId: `medic.mitigation.request.${kind}`,
    value,
    userId: user,
    channelId: channel,
    triggerId,
  });
  assert.equal(res.status, 200);
  const call = await t.slack.waitFor('views.open', (c) => c.args.trigger_id === triggerId);
  assert.equal(call.response?.ok, true, `views.open answered ${JSON.stringify(call.response)}`);
  return call.args.view as View;
}

function initialOf(view: View, blockId: string): unknown {
  const b = view.blocks.find((x) => x.block_id === blockId);
  const el = b?.element as Record<string, unknown> | undefined;
  return el?.initial_value ?? el?.initial_option ?? el?.initial_options ?? el?.initial_user;
}

let seq = 0;

/** Button → modal → submit; returns the posted approval message and its approval id. */
async function request(
  kind: string,
  opts: {
    job: string;
    channel: string;
    incidentId?: string;
    value?: Record<string, unknown>;
    change?: Record<string, Record<string, unknown>>;
    user?: string;
  },
): Promise<{ message: FakeMessage; approvalId: string; reason: string; view: View }> {
  const reason = `reason-${++seq}: the runbook says so`;
  const value =
    typeof opts.value?.raw === 'string'
      ? opts.value.raw
      : encodeRequestValue({
          j: opts.job,
          e: 'staging',
          ...(opts.incidentId ? { i: opts.incidentId } : {}),
          ...opts.value,
        });
  const view = await openModal(kind, value, opts.channel, opts.user);
  const values = prefilled(view, { reason: { value: reason }, ...opts.change });
  const res = await sendViewSubmission(t.url, t.secret, {
    callbackId: view.callback_id,
    userId: opts.user ?? REQUESTER,
    values,
    privateMetadata: view.private_metadata,
  });
  assert.equal(res.status, 200);
  assert.equal(res.text, '', `the modal closes (no field errors): ${res.text}`);
  const { message, approvalId } = await approvalRequest(t.slack, opts.channel, reason, {
    what: `the message for ${kind}`,
  });
  return { message, approvalId: approvalId ?? '', reason, view };
}

async function click(
  verb: 'approve' | 'reject',
  approvalId: string,
  user: string,
  channel: string,
  ts: string,
) {
  const res = await sendBlockAction(t.url, t.secret, {
    actionId: `medic.mitigation.${verb}`,
    value: approvalId,
    userId: user,
    channelId: channel,
    messageTs: ts,
  });
  assert.equal(res.status, 200);
}

const followUps = () => new FollowUpStore(t.medic.state, t.prefix);

async function followUpIn(id: string, states: FollowUp['state'][]): Promise<FollowUp> {
  return await waitFor(`follow-up ${id} in ${states.join('/')}`, async () => {
    const f = await followUps().get(id);
    return f && states.includes(f.state) ? f : undefined;
  });
}

/** The job's next (scheduled) run, starting now on the simulator's clock. */
function nextScheduledRun(job: string, durationSec: number): string {
  return sim.state.glue.addRun({
    JobName: job,
    startedAt: sim.state.now(),
    durationSec,
    startingSec: 5,
    TriggerName: 'nightly',
  }).Id;
}

async function finalExecution(id: string): Promise<Approval> {
  return await waitFor(`approval ${id} to finish`, async () => {
    const a = await approvals().get(id);
    return a?.execution && ['succeeded', 'failed', 'error', 'dry-run'].includes(a.execution.state)
      ? a
      : undefined;
  });
}

/** Waits for an entry on the incident's timeline (the bot writes it after the Slack message it follows). */
async function onTimeline(incidentId: string, what: string, pred: (e: TimelineEntry) => boolean) {
  return waitFor(`${what} on the timeline of ${incidentId}`, async () =>
    (await timeline().list(incidentId)).find(pred),
  );
}

/**
 * Glue calls that change something (a run, a job, a bookmark). Reads are not "made" by a dry run:
 * the approval's cost impact reads the job's newest runs (src/slack/actions/mitigation-cost.ts).
 */
function changingCalls(): number {
  return sim.requests({ service: 'glue' }).filter((r) => !/^(Get|List|BatchGet)/.test(r.operation)).length;
}

function mutations(op: 'StartJobRun' | 'UpdateJob' | 'ResetJobBookmark', job?: string) {
  return sim.requests({ service: 'glue', operation: op }).filter((r) => !job || r.params.JobName === job);
}

/** The value of the first button with this action_id in a message. */
function hasButtons(m: FakeMessage | undefined): boolean {
  return /medic\.mitigation\.(approve|reject)/.test(json(m));
}

async function ephemeralFor(user: string, channel: string, pattern: RegExp) {
  return await waitFor(`an ephemeral for ${user} matching ${pattern}`, () =>
    t.slack.ephemeralsFor(user, channel).find((e) => pattern.test(e.text)),
  );
}

// ---------------------------------------------------------------------------------------------

const C_MAIN = 'C0MITMAIN';
let main: { message: FakeMessage; approvalId: string; reason: string } | undefined;
let mainIncident = '';

test('triage report offers the mitigations; compaction opens prefilled and posts an approval request', async () => {
  t.slack.addChannel({ id: C_MAIN, name: 'mit-main', members: [REQUESTER, APPROVER, 'U0SRE1'] });
  const res = await sendSlashCommand(t.url, t.secret, {
    command: '/triage',
    text: 'MyJob',
    channelId: C_MAIN,
  });
  assert.equal(res.status, 200);
  const report = await waitFor(
    () =>
      `the final triage report with buttons (messages: ${t.slack
        .topLevel(C_MAIN)
        .map((m) => json(m).slice(0, 3000))
        .join(' | ')})`,
    () =>
      t.slack
        .topLevel(C_MAIN)
        .find((m) => /triage took/.test(json(m)) && /medic\.mitigation\.request/.test(json(m))),
    60_000,
  );
  const raw = buttonValue(report, 'medic.mitigation.request.compaction');
  assert.ok(raw, 'a compaction button');
  const value = JSON.parse(raw) as Record<string, unknown>;
  assert.equal(value.j, 'MyJob');
  assert.equal(value.f, 'small-files');
  assert.ok(typeof value.i === 'string' && value.i.startsWith('INC-'));
  mainIncident = value.i as string;
  assert.ok(!/medic\.mitigation\.request\.backfill/.test(json(report)), 'backfill has its own workflow');

  const req = await request('compaction', { job: 'MyJob', channel: C_MAIN, value: { raw } });
  main = req;
  assert.equal(initialOf(req.view, 'compaction_job'), 'MyJob-compaction');
  assert.equal(initialOf(req.view, 'input_location'), 's3://lake-raw/events/');
  assert.equal(initialOf(req.view, 'target_mb'), '512');

  const text = json(req.message);
  assert.ok(
    text.includes(
      'glue:StartJobRun JobName=MyJob-compaction Arguments={--input_path=s3://lake-raw/events/, --target_file_size=536870912}',
    ),
    text,
  );
  // The one argument the bot adds to the call shown, said before anyone approves.
  assert.ok(text.includes(`--medic-approval-id=${req.approvalId}`), text);
  assert.match(text, /<!subteam\^S0DATALEADS>/);
  assert.match(text, /<@U0ONCALL>/);
  assert.match(text, /staging/);
  assert.match(text, /Expires/);
  assert.match(text, /Approve and run/, 'a confirm dialog on Approve');
  assert.ok(hasButtons(req.message));
  assert.equal(mutations('StartJobRun').length, 0, 'nothing runs before an approval');
  await onTimeline(
    mainIncident,
    'the approval request',
    (e) => e.kind === 'approval-request' && e.text.includes(req.approvalId),
  );
});

test('four-eyes: the requester cannot approve their own request', async () => {
  assert.ok(main);
  await click('approve', main.approvalId, REQUESTER, C_MAIN, main.message.ts);
  const e = await ephemeralFor(REQUESTER, C_MAIN, /four-eyes/);
  assert.match(e.text, /<@U0APPROVER>/, 'names who may approve');
  assert.equal((await approvals().get(main.approvalId))?.state, 'pending');
  assert.equal(mutations('StartJobRun').length, 0);
});

test('a non-approver is refused, told who may approve, and the attempt is on the timeline', async () => {
  assert.ok(main);
  await click('approve', main.approvalId, 'U0SRE1', C_MAIN, main.message.ts);
  const e = await ephemeralFor('U0SRE1', C_MAIN, /not among the approvers/);
  assert.match(e.text, /<!subteam\^S0DATALEADS> \(<@U0APPROVER>\)/);
  await onTimeline(
    mainIncident,
    'the refused attempt',
    (x) => x.actor === 'U0SRE1' && /refused \(not-approver\)/.test(x.text),
  );
  assert.equal(mutations('StartJobRun').length, 0);
});

test('two concurrent Approve clicks start exactly one run, followed to SUCCEEDED', async () => {
  assert.ok(main);
  const m = main;
  await Promise.all([
    click('approve', m.approvalId, APPROVER, C_MAIN, m.message.ts),
    click('approve', m.approvalId, APPROVER, C_MAIN, m.message.ts),
  ]);
  const a = await finalExecution(m.approvalId);
  assert.equal(a.state, 'approved');
  assert.equal(a.decidedBy, APPROVER);
  assert.equal(a.execution?.state, 'succeeded');
  const starts = mutations('StartJobRun');
  assert.equal(starts.length, 1, 'one StartJobRun');
  // The approved call, and the approval's id on the run (so a retry can tell this run from another).
  assert.deepEqual(starts[0]!.params, {
    JobName: 'MyJob-compaction',
    Arguments: {
      '--input_path': 's3://lake-raw/events/',
      '--target_file_size': '536870912',
      '--medic-approval-id': m.approvalId,
    },
  });
  assert.ok(sim.requests({ service: 'glue', operation: 'GetJobRun' }).length >= 1, 'the run was followed');
  await ephemeralFor(APPROVER, C_MAIN, /already approved by <@U0APPROVER>/);
  const msg = await waitFor('the final message', () => {
    const x = t.slack.message(C_MAIN, m.message.ts);
    return x && /succeeded/.test(json(x)) ? x : undefined;
  });
  assert.ok(!hasButtons(msg), 'buttons removed');
  assert.match(json(msg), /Approved by <@U0APPROVER>/);
  assert.match(json(msg), new RegExp(a.execution!.runId!));
  for (const k of ['approval-request', 'approval', 'mitigation-start', 'mitigation-result'] as const)
    await onTimeline(mainIncident, k, (e) => e.kind === k);
  const checklist = await new ChecklistStore(t.medic.state, t.prefix).get(mainIncident);
  const decision = checklist.items.find((i) => i.id === 'decision');
  assert.equal(decision?.done, true);
  assert.equal(decision?.doneBy, APPROVER);
  const incident = await new IncidentStore(t.medic.state, t.prefix).get(mainIncident);
  assert.equal(incident?.status, 'mitigating');
});

test("the compaction is followed to MyJob's next run: the verdict against the baseline, then Resolve resolves the incident", async () => {
  assert.ok(main);
  const m = main;
  const a = await approvals().get(m.approvalId);
  assert.match(a?.execution?.note ?? '', /follows the next run of MyJob/);
  // The bot waits for the next run (delayed looks on a deterministic job id, no worker held).
  const waiting = await followUpIn(m.approvalId, ['waiting']);
  assert.equal(waiting.messageTs, m.message.ts);
  const look = await t.medic.producers.queue('mitigation').getJob(`${m.approvalId}-follow`);
  assert.ok(look, 'the follow-up job has its deterministic id');
  await waitFor('the approval message says it follows the next run', () =>
    /Following the next run of `MyJob`/.test(json(t.slack.message(C_MAIN, m.message.ts))) ? true : undefined,
  );

  const runId = nextScheduledRun('MyJob', 1150);
  const f = await followUpIn(m.approvalId, ['recovered', 'not-recovered', 'suspicious', 'failed', 'gave-up']);
  assert.equal(f.state, 'recovered');
  assert.equal(f.runId, runId);
  assert.equal(f.durationSec, 1150);
  assert.ok(f.baselineSec && f.baselineSec > 1100 && f.baselineSec < 1400, `baseline ${f.baselineSec}`);
  const reply = await waitFor('the verdict in the approval thread', () =>
    t.slack.thread(C_MAIN, m.message.ts).find((x) => /Recovered/.test(json(x))),
  );
  assert.match(json(reply), new RegExp(`run \`${runId}\` of \`MyJob\`: 19m 10s against a baseline of`));
  assert.equal(buttonValue(reply, 'medic.followup.monitoring'), m.approvalId);
  assert.equal(buttonValue(reply, 'medic.followup.resolve'), m.approvalId);
  await waitFor('the approval message shows the verdict', () =>
    /:large_green_circle: \*Recovered\* on run/.test(json(t.slack.message(C_MAIN, m.message.ts)))
      ? true
      : undefined,
  );
  await onTimeline(
    mainIncident,
    'the verdict',
    (e) =>
      e.kind === 'mitigation-result' &&
      e.text.startsWith('Next run of MyJob after approval') &&
      e.text.includes('recovered'),
  );

  t.slack.addChannel({ id: 'C0MITOTHER', name: 'mit-other', members: [APPROVER] });
  // A click from another channel is refused; from its own, Resolve resolves the incident.
  const stale = await sendBlockAction(t.url, t.secret, {
    actionId: 'medic.followup.resolve',
    value: m.approvalId,
    userId: APPROVER,
    channelId: 'C0MITOTHER',
  });
  assert.equal(stale.status, 200);
  await ephemeralFor(APPROVER, 'C0MITOTHER', /not for this channel/);
  const res = await sendBlockAction(t.url, t.secret, {
    actionId: 'medic.followup.resolve',
    value: m.approvalId,
    userId: APPROVER,
    channelId: C_MAIN,
    messageTs: reply.ts,
  });
  assert.equal(res.status, 200);
  const incidents = new IncidentStore(t.medic.state, t.prefix);
  const resolved = await waitFor('the incident resolved', async () => {
    const i = await incidents.get(mainIncident);
    return i?.status === 'resolved' ? i : undefined;
  });
  assert.ok(resolved.resolvedAt);
  await onTimeline(
    mainIncident,
    'the resolution',
    (e) => e.kind === 'status' && /→ resolved from the recovery verdict of MyJob/.test(e.text),
  );
  const closed = await waitFor('the verdict without its buttons', () => {
    const x = t.slack.message(C_MAIN, reply.ts);
    return x && /resolved `INC-/.test(json(x)) ? x : undefined;
  });
  assert.ok(!/medic\.followup\./.test(json(closed)), 'buttons gone');
});

test('scale: a rerun with WorkerType / NumberOfWorkers overrides, followed to FAILED', async () => {
  const channel = 'C0MITOOM';
  const incidentId = await incidentFor(channel, 'OomJob');
  sim.state.glue.configureRuns('OomJob', {
    durationSec: 300,
    outcome: 'FAILED',
    errorMessage: 'java.lang.OutOfMemoryError: Java heap space',
  });
  const req = await request('scale', {
    job: 'OomJob',
    channel,
    incidentId,
    value: { w: 5, t: 'G.1X', f: 'memory' },
  });
  assert.equal(initialOf(req.view, 'workers'), '10', 'workers N → 2N');
  assert.match(json(req.message), /glue:StartJobRun JobName=OomJob WorkerType=G\.1X NumberOfWorkers=10/);
  assert.match(json(req.message), /<@U0APPROVER>, <@U0SRE2>/, 'job-level approvers');
  await click('approve', req.approvalId, 'U0SRE2', channel, req.message.ts);
  const a = await finalExecution(req.approvalId);
  assert.equal(a.execution?.state, 'failed');
  assert.equal(a.execution?.runState, 'FAILED');
  const starts = mutations('StartJobRun', 'OomJob');
  assert.equal(starts.length, 1);
  assert.deepEqual(starts[0]!.params, {
    JobName: 'OomJob',
    WorkerType: 'G.1X',
    NumberOfWorkers: 10,
    Arguments: { '--medic-approval-id': req.approvalId },
  });
  const msg = await waitFor('the failed message', () => {
    const x = t.slack.message(channel, req.message.ts);
    return x && /failed/.test(json(x)) ? x : undefined;
  });
  assert.match(json(msg), /OutOfMemoryError/);
  assert.ok(!hasButtons(msg));
  await onTimeline(
    incidentId,
    'the failed result',
    (e) => e.kind === 'mitigation-result' && /failed/.test(e.text),
  );
});

test('scale, persistent variant: one UpdateJob carrying the job over with the new workers', async () => {
  const channel = 'C0MITPERS';
  const incidentId = await incidentFor(channel, 'DownstreamJob');
  const req = await request('scale', {
    job: 'DownstreamJob',
    channel,
    incidentId,
    value: { w: 2, t: 'G.1X' },
    change: {
      worker_type: { selected_option: { text: { type: 'plain_text', text: 'G.2X' }, value: 'G.2X' } },
      scale_mode: {
        selected_option: { text: { type: 'plain_text', text: 'persistent' }, value: 'persistent' },
      },
    },
  });
  assert.match(json(req.message), /Persistent change \(UpdateJob\)/);
  assert.match(
    json(req.message),
    /glue:UpdateJob JobName=DownstreamJob JobUpdate=\{WorkerType=G\.2X, NumberOfWorkers=4/,
  );
  await click('approve', req.approvalId, APPROVER, channel, req.message.ts);
  const a = await finalExecution(req.approvalId);
  assert.equal(a.execution?.state, 'succeeded');
  const updates = mutations('UpdateJob', 'DownstreamJob');
  assert.equal(updates.length, 1);
  const upd = updates[0]!.params.JobUpdate as Record<string, unknown>;
  assert.equal(upd.WorkerType, 'G.2X');
  assert.equal(upd.NumberOfWorkers, 4);
  assert.ok(upd.Role && upd.Command, 'the rest of the job is carried over');
  assert.equal(mutations('StartJobRun', 'DownstreamJob').length, 0, 'no rerun');
  assert.equal(sim.state.glue.jobs.get('DownstreamJob')?.NumberOfWorkers, 4);
});

test('shuffle / skew tuning: a rerun with every setting in one --conf argument; recovered against the baseline', async () => {
  const channel = 'C0MITSKEW';
  const incidentId = await incidentFor(channel, 'SkewJob');
  sim.state.glue.configureRuns('SkewJob', { durationSec: 1700, outcome: 'SUCCEEDED' });
  const req = await request('shuffle-tuning', {
    job: 'SkewJob',
    channel,
    incidentId,
    value: { f: 'data-skew' },
  });
  assert.equal(initialOf(req.view, 'shuffle_partitions'), '400');
  await click('approve', req.approvalId, APPROVER, channel, req.message.ts);
  const a = await finalExecution(req.approvalId);
  assert.equal(a.execution?.state, 'succeeded');
  const starts = mutations('StartJobRun', 'SkewJob');
  assert.equal(starts.length, 1);
  assert.deepEqual(starts[0]!.params, {
    JobName: 'SkewJob',
    Arguments: {
      '--conf':
        'spark.sql.shuffle.partitions=400 --conf spark.sql.adaptive.enabled=true --conf spark.sql.adaptive.skewJoin.enabled=true',
      '--medic-approval-id': req.approvalId,
    },
  });
  assert.equal(a.execution?.recovered, true);
  assert.ok(a.execution?.baselineSec && a.execution.baselineSec > 1700);
  const msg = await waitFor('the recovered message', () => {
    const x = t.slack.message(channel, req.message.ts);
    return x && /Recovered/.test(json(x)) ? x : undefined;
  });
  assert.ok(!hasButtons(msg));
});

test('bookmark reset to a run id: one ResetJobBookmark', async () => {
  const channel = 'C0MITBOOK';
  const incidentId = await incidentFor(channel, 'MyJob');
  const runId = sim.state.glue.runsOf('MyJob')[4]!.Id;
  const req = await request('bookmark-reset', {
    job: 'MyJob',
    channel,
    incidentId,
    value: { r: runId, f: 'bookmarks' },
  });
  assert.equal(initialOf(req.view, 'run_id'), runId);
  assert.ok(json(req.message).includes(`glue:ResetJobBookmark JobName=MyJob RunId=${runId}`));
  await click('approve', req.approvalId, APPROVER, channel, req.message.ts);
  const a = await finalExecution(req.approvalId);
  assert.equal(a.execution?.state, 'succeeded');
  const resets = mutations('ResetJobBookmark', 'MyJob');
  assert.equal(resets.length, 1);
  assert.deepEqual(resets[0]!.params, { JobName: 'MyJob', RunId: runId });
  // The reset shows on the next run: one at −97% of the baseline is suspicious, not a recovery.
  await followUpIn(req.approvalId, ['waiting']);
  const next = nextScheduledRun('MyJob', 36);
  const f = await followUpIn(req.approvalId, [
    'recovered',
    'not-recovered',
    'suspicious',
    'failed',
    'gave-up',
  ]);
  assert.equal(f.state, 'suspicious');
  assert.equal(f.runId, next);
  assert.ok(
    f.pctVsBaseline !== undefined && f.pctVsBaseline < -96 && f.pctVsBaseline > -98,
    `${f.pctVsBaseline}`,
  );
  const reply = await waitFor('the suspicious verdict in the thread', () =>
    t.slack.thread(channel, req.message.ts).find((x) => /Suspicious/.test(json(x))),
  );
  assert.match(json(reply), /check its input and output/);
  assert.match(json(reply), /\(-97%\)/);
  assert.ok(!/Recovered/.test(json(reply)));
  assert.ok(!/medic\.followup\./.test(json(reply)), 'no Resolve on a suspicious run');
  await onTimeline(incidentId, 'the suspicious verdict', (e) =>
    /suspicious, check its input and output/.test(e.text),
  );
});

test('code fix: a follow-up with an owner is recorded, no AWS call, decision ticked', async () => {
  const channel = 'C0MITCODE';
  const incidentId = await incidentFor(channel, 'MyJob');
  const before = changingCalls();
  const req = await request('code-fix', {
    job: 'MyJob',
    channel,
    incidentId,
    change: { description: { value: 'Rewrite the <parse_udf> as native DataFrame ops' } },
  });
  const text = json(req.message);
  assert.match(text, /Follow-up recorded/);
  assert.match(text, /<@U0OWNER>/, 'owner prefilled with the data owner');
  assert.match(text, /&lt;parse_udf&gt;/, 'user text escaped');
  assert.ok(!hasButtons(req.message));
  assert.equal(changingCalls(), before, 'no AWS call that changes anything');
  await onTimeline(incidentId, 'the follow-up', (e) => /Code fix follow-up recorded/.test(e.text));
  // The decision is ticked right after the note.
  await waitFor('the decision ticked', async () => {
    const checklist = await new ChecklistStore(t.medic.state, t.prefix).get(incidentId);
    return checklist.items.find((i) => i.id === 'decision')?.done;
  });
});

test('dry run: the exact calls are shown and none is made', async () => {
  const channel = 'C0MITDRY';
  const incidentId = await incidentFor(channel, 'OomJob');
  const before = changingCalls();
  const req = await request('scale', {
    job: 'OomJob',
    channel,
    incidentId,
    value: { w: 5, t: 'G.1X' },
    change: {
      dry_run: { selected_options: [{ text: { type: 'plain_text', text: 'Dry run' }, value: 'yes' }] },
    },
  });
  const text = json(req.message);
  assert.match(text, /Dry run/);
  assert.match(text, /glue:StartJobRun JobName=OomJob WorkerType=G\.1X NumberOfWorkers=10/);
  assert.ok(!hasButtons(req.message));
  assert.equal(changingCalls(), before, 'no AWS call that changes anything');
});

test('an expired request cannot be approved and shows as expired', async () => {
  const channel = 'C0MITEXP';
  const incidentId = await incidentFor(channel, 'HealthyJob');
  const req = await request('scale', { job: 'HealthyJob', channel, incidentId, value: { w: 2, t: 'G.1X' } });
  skewMs = 61 * 60_000; // past the default 60-minute expiry
  try {
    await click('approve', req.approvalId, APPROVER, channel, req.message.ts);
    await ephemeralFor(APPROVER, channel, /expired/);
  } finally {
    skewMs = 0;
  }
  const a = await approvals().get(req.approvalId);
  assert.equal(a?.state, 'expired');
  const msg = await waitFor('the expired message', () => {
    const x = t.slack.message(channel, req.message.ts);
    return x && /Expired/.test(json(x)) ? x : undefined;
  });
  assert.ok(!hasButtons(msg));
  // Approving again (even with the clock back) is refused: expiry is final. The refusal is the
  // click's answer; once it is there, the click is done, and no execution job exists (its id is
  // the approval id) and nothing ran.
  const answered = t.slack.ephemeralsFor(APPROVER, channel).filter((e) => /expired/.test(e.text)).length;
  await click('approve', req.approvalId, APPROVER, channel, req.message.ts);
  await waitFor(
    'the second refusal',
    () => t.slack.ephemeralsFor(APPROVER, channel).filter((e) => /expired/.test(e.text)).length > answered,
  );
  assert.equal(await t.medic.producers.queue('mitigation').getJob(req.approvalId), undefined);
  assert.equal((await approvals().get(req.approvalId))?.state, 'expired');
  assert.equal(mutations('StartJobRun', 'HealthyJob').length, 0);
  await onTimeline(incidentId, 'the expiry', (e) => /expired/.test(e.text));
});

test('a rejected request runs nothing and says who rejected it', async () => {
  const channel = 'C0MITREJ';
  const incidentId = await incidentFor(channel, 'HealthyJob');
  const req = await request('scale', { job: 'HealthyJob', channel, incidentId, value: { w: 2, t: 'G.1X' } });
  await click('reject', req.approvalId, APPROVER, channel, req.message.ts);
  const msg = await waitFor('the rejected message', () => {
    const x = t.slack.message(channel, req.message.ts);
    return x && /Rejected by <@U0APPROVER>/.test(json(x)) ? x : undefined;
  });
  assert.ok(!hasButtons(msg));
  assert.equal((await approvals().get(req.approvalId))?.state, 'rejected');
  await onTimeline(incidentId, 'the rejection', (e) => e.kind === 'rejection');
  assert.equal(mutations('StartJobRun', 'HealthyJob').length, 0);
});

test('ConcurrentRunsExceededException is shown clearly', async () => {
  const channel = 'C0MITCONC';
  const incidentId = await incidentFor(channel, 'HealthyJob');
  // A run already in progress, and HealthyJob allows one at a time.
  sim.state.glue.addRun({ JobName: 'HealthyJob', startedAt: sim.state.now(), durationSec: 1_000_000 });
  const req = await request('scale', { job: 'HealthyJob', channel, incidentId, value: { w: 2, t: 'G.1X' } });
  await click('approve', req.approvalId, APPROVER, channel, req.message.ts);
  const a = await finalExecution(req.approvalId);
  assert.equal(a.execution?.state, 'error');
  assert.equal(a.execution?.error?.code, 'ConcurrentRunsExceededException');
  const msg = await waitFor('the error in the message', () => {
    const x = t.slack.message(channel, req.message.ts);
    return x && /ConcurrentRunsExceededException/.test(json(x)) ? x : undefined;
  });
  assert.match(json(msg), /could not run/);
  assert.ok(!hasButtons(msg));
  assert.equal(mutations('StartJobRun', 'HealthyJob').length, 1, 'tried once, not retried');
});

test('AccessDenied names the IAM action', async () => {
  const channel = 'C0MITDENY';
  const incidentId = await incidentFor(channel, 'DriftJob');
  sim.setFaults([{ service: 'glue', operation: 'StartJobRun', resource: 'DriftJob', error: 'denied' }]);
  try {
    const req = await request('shuffle-tuning', { job: 'DriftJob', channel, incidentId });
    await click('approve', req.approvalId, APPROVER, channel, req.message.ts);
    const a = await finalExecution(req.approvalId);
    assert.equal(a.execution?.state, 'error');
    assert.equal(a.execution?.error?.action, 'glue:StartJobRun');
    const msg = await waitFor('the access error in the message', () => {
      const x = t.slack.message(channel, req.message.ts);
      return x && /Access denied/.test(json(x)) ? x : undefined;
    });
    assert.match(json(msg), /glue:StartJobRun/);
    assert.match(json(msg), /lacks `glue:StartJobRun`/);
    await onTimeline(
      incidentId,
      'the access error',
      (e) => e.kind === 'mitigation-result' && /glue:StartJobRun/.test(e.text),
    );
  } finally {
    sim.setFaults([]);
  }
});

test('the delayed expiry job marks an unanswered request expired and removes its buttons', async () => {
  const channel = 'C0MITTTL';
  const incidentId = await incidentFor(channel, 'HealthyJob');
  const req = await request('scale', { job: 'HealthyJob', channel, incidentId, value: { w: 2, t: 'G.1X' } });
  // The expiry job is queued right after the message is posted: wait for it, by its id.
  const timer = await waitFor('an expiry job was scheduled', () =>
    t.medic.producers.queue('mitigation').getJob(stableId(req.approvalId, 'expire')),
  );
  assert.equal(timer.opts.delay, 60 * 60_000, 'at the default 60 minutes');
  assert.equal(await timer.getState(), 'delayed');
  // Instead of waiting an hour: move the bot's clock past the expiry and let the job run now.
  skewMs = 61 * 60_000;
  try {
    await timer.promote();
    const msg = await waitFor('the expired message', () => {
      const x = t.slack.message(channel, req.message.ts);
      return x && /Expired/.test(json(x)) ? x : undefined;
    });
    assert.ok(!hasButtons(msg));
  } finally {
    skewMs = 0;
  }
  assert.equal((await approvals().get(req.approvalId))?.state, 'expired');
  await onTimeline(incidentId, 'the expiry note', (e) => /expired without a decision/.test(e.text));
});

test('in dev the whole flow runs, self-approval may be allowed, and nothing is called', async () => {
  const dev = await startTestMedic({
    yaml: YAML.replace(
      'slack:\n  approvers: [S0DATALEADS]',
      'slack:\n  approvers: [S0DATALEADS, U0ONCALL]\n  allowSelfApproval: true',
    ),
    env: { ...sim.env(), MEDIC_ENV: 'dev' },
  });
  try {
    const channel = 'C0MITDEV';
    dev.slack.addChannel({ id: channel, name: 'mit-dev', members: [REQUESTER, APPROVER] });
    const { incident } = await new IncidentStore(dev.medic.state, dev.prefix).openForChannel(channel, {
      title: 'MyJob degradation',
      job: 'MyJob',
      provider: 'glue',
      env: 'dev',
      commander: REQUESTER,
    });
    const before = changingCalls();
    const triggerId = dev.slack.newTriggerId(REQUESTER);
    await sendBlockAction(dev.url, dev.secret, {
      actionId: 'medic.mitigation.request.scale',
      value: encodeRequestValue({ j: 'MyJob', i: incident.id, w: 10, t: 'G.1X' }),
      userId: REQUESTER,
      channelId: channel,
      triggerId,
    });
    const view = (await dev.slack.waitFor('views.open', (c) => c.args.trigger_id === triggerId)).args
      .view as View;
    assert.ok(!view.blocks.some((b) => b.block_id === 'dry_run'), 'no choice: dev is always dry');
    await sendViewSubmission(dev.url, dev.secret, {
      callbackId: view.callback_id,
      userId: REQUESTER,
      values: prefilled(view, { reason: { value: 'dev rehearsal' } }),
      privateMetadata: view.private_metadata,
    });
    const message = await waitFor('the dev approval request', () =>
      dev.slack.topLevel(channel).find((m) => json(m).includes('dev rehearsal')),
    );
    assert.match(json(message), /Dry run: the bot runs in `dev`/);
    const approvalId = buttonValue(message, 'medic.mitigation.approve') ?? '';
    // allowSelfApproval is honoured in dev: the requester approves their own request.
    await sendBlockAction(dev.url, dev.secret, {
      actionId: 'medic.mitigation.approve',
      value: approvalId,
      userId: REQUESTER,
      channelId: channel,
      messageTs: message.ts,
    });
    const final = await waitFor(
      () =>
        `the dry-run result: ${JSON.stringify(dev.slack.ephemeralsFor())} ${json(dev.slack.message(channel, message.ts))}`,
      () => {
        const x = dev.slack.message(channel, message.ts);
        return x && /dry run: the bot runs in/.test(json(x)) ? x : undefined;
      },
    );
    assert.ok(!hasButtons(final));
    assert.match(json(final), /Approved by <@U0ONCALL>/);
    assert.equal(changingCalls(), before, 'no AWS call that changes anything');
  } finally {
    await dev.stop();
  }
});
