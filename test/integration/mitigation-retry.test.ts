// Work on a mitigation that is done again, through the signed receiver against the simulator.
// Retry of an approved mitigation that could not run: the approved plan is made again only when
// the platform shows it did not take effect (no run since the first attempt, or a change the
// platform refused), a started run is followed again instead, the click is accepted only from the
// approval's own channel, and who clicked is on the timeline. The follow-up's verdict re-run after
// a failure between posting and recording it: posted exactly once.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startSimulator, type Simulator } from '../../sim/index.js';
import { startTestMedic, type TestMedic } from '../support/medic.js';
import { sendBlockAction, sendViewSubmission } from '../support/slack-requests.js';
import type { FakeMessage } from '../support/fake-slack/types.js';
import { Timeline } from '../../src/store/timeline.js';
import { ApprovalStore, type Approval } from '../../src/store/approvals.js';
import { encodeRequestValue } from '../../src/slack/blocks/approval-request.js';
import { waitFor } from '../support/wait.js';
import { messageText, openIncidentFor, prefilled, type ModalView } from '../support/approvals.js';
import { FollowUpStore, type FollowUp } from '../../src/store/followups.js';

const YAML = `
slack:
  approvers: [S0DATALEADS]
jobs:
  MyJob:
    input: s3://lake-raw/events/
    compactionJob: MyJob-compaction
`;

const REQUESTER = 'U0ONCALL';
const APPROVER = 'U0APPROVER';

let sim: Simulator;
let t: TestMedic;

before(async () => {
  sim = await startSimulator({ speed: 1000 });
  for (const [k, v] of Object.entries(sim.env())) process.env[k] = v;
  t = await startTestMedic({
    yaml: YAML,
    env: { ...sim.env(), MEDIC_ENV: 'staging' },
    start: { timings: { mitigationPollMs: 100, followPollMs: 100 } },
  });
});

after(async () => {
  await t.stop();
  await sim.stop();
});

const json = messageText;
const approvals = () => new ApprovalStore(t.medic.state, t.prefix);

const incidentFor = (channel: string, job: string): Promise<string> =>
  openIncidentFor(t, channel, job, [REQUESTER, APPROVER, 'U0SRE1']);

let seq = 0;

/** Button → modal → submit → Approve by someone else; returns the approval id and message ts. */
async function approved(
  kind: string,
  job: string,
  channel: string,
  incidentId: string,
  value: Record<string, unknown> = {},
): Promise<{ id: string; ts: string }> {
  const reason = `retry-reason-${++seq}`;
  const triggerId = t.slack.newTriggerId(REQUESTER);
  const res = await sendBlockAction(t.url, t.secret, {
    actionId: `medic.mitigation.request.${kind}`,
    value: encodeRequestValue({ j: job, e: 'staging', i: incidentId, ...value }),
    userId: REQUESTER,
    channelId: channel,
    triggerId,
  });
  assert.equal(res.status, 200);
  const open = await t.slack.waitFor('views.open', (c) => c.args.trigger_id === triggerId);
  const view = open.args.view as ModalView;
  const sub = await sendViewSubmission(t.url, t.secret, {
    callbackId: view.callback_id,
    userId: REQUESTER,
    values: prefilled(view, { reason: { value: reason } }),
    privateMetadata: view.private_metadata,
  });
  assert.equal(sub.status, 200);
  assert.equal(sub.text, '', `the modal closes: ${sub.text}`);
  const message = await waitFor(`the approval request for ${kind}`, () =>
    t.slack.topLevel(channel).find((m) => json(m).includes(reason)),
  );
  const id = /apr-\d{8}-\d+/.exec(json(message))![0];
  await clickAs('medic.mitigation.approve', id, APPROVER, channel, message.ts);
  return { id, ts: message.ts };
}

async function clickAs(actionId: string, value: string, user: string, channel: string, ts: string) {
  const res = await sendBlockAction(t.url, t.secret, {
    actionId,
    value,
    userId: user,
    channelId: channel,
    messageTs: ts,
  });
  assert.equal(res.status, 200);
}

async function executionIn(id: string, states: string[], retries = 0): Promise<Approval> {
  return await waitFor(`approval ${id} in ${states.join('/')} after ${retries} retries`, async () => {
    const a = await approvals().get(id);
    return a?.execution &&
      states.includes(a.execution.state) &&
      (a.execution.retries?.length ?? 0) === retries
      ? a
      : undefined;
  });
}

const mutations = (op: string, job: string) =>
  sim.requests({ service: 'glue', operation: op }).filter((r) => r.params.JobName === job);

async function messageMatching(channel: string, ts: string, pattern: RegExp): Promise<string> {
  return await waitFor(`the approval message matching ${pattern}`, () => {
    const m = json(t.slack.message(channel, ts));
    return pattern.test(m) ? m : undefined;
  });
}

async function ephemeralFor(user: string, channel: string, pattern: RegExp) {
  return await waitFor(`an ephemeral for ${user} matching ${pattern}`, () =>
    t.slack.ephemeralsFor(user, channel).find((e) => pattern.test(e.text)),
  );
}

test('a run that could not start (access denied once): Retry from another channel is refused; in its channel, with no run on the platform, it starts one and follows it', async () => {
  const channel = 'C0RETRY1';
  const incidentId = await incidentFor(channel, 'HealthyJob');
  sim.setFaults([
    { service: 'glue', operation: 'StartJobRun', resource: 'HealthyJob', error: 'denied', count: 1 },
  ]);
  try {
    const req = await approved('scale', 'HealthyJob', channel, incidentId, { w: 2, t: 'G.1X' });
    const failed = await executionIn(req.id, ['error']);
    assert.equal(failed.execution?.error?.action, 'glue:StartJobRun');
    const msg = await messageMatching(channel, req.ts, /medic\.mitigation\.retry/);
    assert.match(msg, /could not run/);
    assert.equal(mutations('StartJobRun', 'HealthyJob').length, 1);

    // A click carrying this approval from another channel starts nothing.
    t.slack.addChannel({ id: 'C0RETRYX', name: 'c0retryx', members: ['U0SRE1'] });
    await clickAs('medic.mitigation.retry', req.id, 'U0SRE1', 'C0RETRYX', req.ts);
    await ephemeralFor('U0SRE1', 'C0RETRYX', /belongs to <#C0RETRY1>/);
    assert.equal((await approvals().get(req.id))?.execution?.state, 'error');
    assert.equal(mutations('StartJobRun', 'HealthyJob').length, 1);

    // In its own channel: no run of HealthyJob since the first attempt, so the call is made again.
    await clickAs('medic.mitigation.retry', req.id, 'U0SRE1', channel, req.ts);
    const done = await executionIn(req.id, ['succeeded', 'failed'], 1);
    assert.equal(done.execution?.retries?.[0]?.by, 'U0SRE1');
    assert.ok(done.execution?.runId);
    const starts = mutations('StartJobRun', 'HealthyJob');
    assert.equal(starts.length, 2, 'the refused call, then one call on Retry');
    assert.deepEqual(starts[1]!.params, starts[0]!.params, 'the approved call, unchanged');
    const final = await messageMatching(channel, req.ts, /Retried 1 time\(s\), last by <@U0SRE1>/);
    assert.doesNotMatch(final, /medic\.mitigation\.retry/);
    const entries = await waitFor('the retry and its result on the timeline', async () => {
      const list = await new Timeline(t.medic.state, t.prefix).list(incidentId);
      return list.filter((e) => e.kind === 'mitigation-result').length >= 2 ? list : undefined;
    });
    const retry = entries.find((e) => /^Retry 1 of approval/.test(e.text));
    assert.ok(retry, JSON.stringify(entries.map((e) => e.text)));
    assert.equal(retry.actor, 'U0SRE1');
    assert.match(retry.text, /by <@U0SRE1>/);
    assert.equal(retry.job, 'HealthyJob');

    // A second click: nothing left to retry, nothing started.
    await clickAs('medic.mitigation.retry', req.id, 'U0SRE1', channel, req.ts);
    await ephemeralFor('U0SRE1', channel, /nothing to retry/);
    assert.equal(mutations('StartJobRun', 'HealthyJob').length, 2);
  } finally {
    sim.setFaults([]);
  }
});

test('Retry adopts only the run carrying its approval id: another run of the same minute is not adopted', async () => {
  const channel = 'C0RETRY2';
  const incidentId = await incidentFor(channel, 'SkewJob');
  // StartJobRun answers 500 on every attempt: not a refusal — the run may have started, its answer
  // lost — so the Retry looks for the run first (a refused call would start afresh).
  sim.setFaults([
    { service: 'glue', operation: 'StartJobRun', resource: 'SkewJob', error: 'internal', count: 100 },
  ]);
  try {
    const req = await approved('shuffle-tuning', 'SkewJob', channel, incidentId);
    const failed = await executionIn(req.id, ['error']);
    assert.notEqual(failed.execution?.notApplied, true, JSON.stringify(failed.execution));
    await messageMatching(channel, req.ts, /medic\.mitigation\.retry/);
    sim.setFaults([]);
    // The start call carried the approval's id as a run argument.
    const [call] = mutations('StartJobRun', 'SkewJob');
    assert.equal((call!.params.Arguments as Record<string, string>)['--medic-approval-id'], req.id);
    // Someone else starts SkewJob in the same minute; and the run the call started (its answer
    // lost), carrying the approval id, is on the platform too — the other one is the newest.
    const ours = sim.state.glue.addRun({
      JobName: 'SkewJob',
      startedAt: sim.state.now(),
      durationSec: 60,
      Arguments: { '--medic-approval-id': req.id },
    }).Id;
    const theirs = sim.state.glue.addRun({
      JobName: 'SkewJob',
      startedAt: sim.state.now() + 1000,
      durationSec: 60,
    }).Id;
    const starts = mutations('StartJobRun', 'SkewJob').length;
    await clickAs('medic.mitigation.retry', req.id, APPROVER, channel, req.ts);
    const done = await executionIn(req.id, ['succeeded', 'failed'], 1);
    assert.equal(done.execution?.runId, ours, `the approval's run is adopted, not ${theirs}`);
    assert.equal(mutations('StartJobRun', 'SkewJob').length, starts, 'no StartJobRun by the Retry');
    const list = await new Timeline(t.medic.state, t.prefix).list(incidentId);
    assert.ok(list.some((e) => e.text.includes(`Run ${ours} of SkewJob found`)));
  } finally {
    sim.setFaults([]);
  }
});

test("only someone else's run since the first attempt: Retry does not adopt it and starts the approved run", async () => {
  const channel = 'C0RETRY5';
  const incidentId = await incidentFor(channel, 'SkewJob');
  sim.setFaults([
    { service: 'glue', operation: 'StartJobRun', resource: 'SkewJob', error: 'denied', count: 1 },
  ]);
  try {
    const starts0 = mutations('StartJobRun', 'SkewJob').length;
    const req = await approved('shuffle-tuning', 'SkewJob', channel, incidentId);
    await executionIn(req.id, ['error']);
    await messageMatching(channel, req.ts, /medic\.mitigation\.retry/);
    // Another run of the job (another approval's), of the same minute, already over.
    const theirs = sim.state.glue.addRun({
      JobName: 'SkewJob',
      startedAt: sim.state.now() - 5000,
      durationSec: 1,
      Arguments: { '--medic-approval-id': 'apr-20200101-1' },
    }).Id;
    await clickAs('medic.mitigation.retry', req.id, APPROVER, channel, req.ts);
    const done = await executionIn(req.id, ['succeeded', 'failed'], 1);
    assert.ok(done.execution?.runId);
    assert.notEqual(done.execution.runId, theirs, "someone else's run is never adopted");
    const starts = mutations('StartJobRun', 'SkewJob').slice(starts0);
    assert.equal(starts.length, 2, 'the refused call, then the approved call again');
    assert.equal((starts[1]!.params.Arguments as Record<string, string>)['--medic-approval-id'], req.id);
  } finally {
    sim.setFaults([]);
  }
});

test('following a started run failed (GetJobRun denied): Retry follows the same run again, starting nothing', async () => {
  const channel = 'C0RETRY3';
  const incidentId = await incidentFor(channel, 'OomJob');
  sim.setFaults([{ service: 'glue', operation: 'GetJobRun', resource: 'OomJob', error: 'denied', count: 1 }]);
  try {
    const req = await approved('scale', 'OomJob', channel, incidentId, { w: 4, t: 'G.2X' });
    const failed = await executionIn(req.id, ['error']);
    assert.ok(failed.execution?.runId, 'the run was started and recorded');
    const msg = await messageMatching(channel, req.ts, /medic\.mitigation\.retry/);
    assert.match(msg, /Retry follows run/);
    await clickAs('medic.mitigation.retry', req.id, 'U0SRE1', channel, req.ts);
    const done = await executionIn(req.id, ['succeeded', 'failed'], 1);
    assert.equal(done.execution?.runId, failed.execution?.runId);
    assert.equal(mutations('StartJobRun', 'OomJob').length, 1);
  } finally {
    sim.setFaults([]);
  }
});

test('a change the platform refused (ResetJobBookmark denied): Retry makes it again, once', async () => {
  const channel = 'C0RETRY4';
  const incidentId = await incidentFor(channel, 'MyJob');
  const runId = sim.state.glue.runsOf('MyJob')[4]!.Id;
  sim.setFaults([
    { service: 'glue', operation: 'ResetJobBookmark', resource: 'MyJob', error: 'denied', count: 1 },
  ]);
  try {
    const req = await approved('bookmark-reset', 'MyJob', channel, incidentId, { r: runId, f: 'bookmarks' });
    const failed = await executionIn(req.id, ['error']);
    assert.equal(failed.execution?.notApplied, true);
    await messageMatching(channel, req.ts, /medic\.mitigation\.retry/);
    await clickAs('medic.mitigation.retry', req.id, 'U0SRE1', channel, req.ts);
    await executionIn(req.id, ['succeeded'], 1);
    assert.equal(mutations('ResetJobBookmark', 'MyJob').length, 2, 'the refused call, then one on Retry');
  } finally {
    sim.setFaults([]);
  }
});

// ---------------------------------------------------------------------------------------------
// The follow-up's verdict, exactly once

async function followUpWhere(id: string, what: string, pred: (f: FollowUp) => boolean): Promise<FollowUp> {
  return await waitFor(`follow-up ${id} ${what}`, async () => {
    const f = await new FollowUpStore(t.medic.state, t.prefix).get(id);
    return f && pred(f) ? f : undefined;
  });
}

const isVerdict = (m: FakeMessage) =>
  (m.metadata as { event_type?: string } | undefined)?.event_type === 'medic_followup_verdict';

async function verdictOnce(channel: string, job: string, fail: () => void): Promise<void> {
  const incidentId = await incidentFor(channel, job);
  const runId = sim.state.glue.runsOf(job)[2]!.Id;
  const req = await approved('bookmark-reset', job, channel, incidentId, { r: runId, f: 'bookmarks' });
  await executionIn(req.id, ['succeeded']);
  await followUpWhere(req.id, 'waiting', (f) => f.state === 'waiting');
  const postsBefore = t.slack.callsTo('chat.postMessage').length;
  fail();
  sim.state.glue.addRun({
    JobName: job,
    startedAt: sim.state.now(),
    durationSec: 600,
    TriggerName: 'nightly',
  });
  const f = await followUpWhere(req.id, 'with its reply recorded', (x) => Boolean(x.replyTs));
  // Every reply in the approval's thread is the verdict's (by text, whatever carries metadata).
  const thread = t.slack.thread(channel, req.ts);
  assert.equal(
    thread.filter((m) => (m.text ?? '').endsWith(`: ${job}`)).length,
    1,
    `one verdict in the thread: ${JSON.stringify(thread.map((m) => m.text))}`,
  );
  const verdicts = thread.filter(isVerdict);
  assert.equal(verdicts.length, 1, 'the verdict carries its metadata');
  assert.equal(f.replyTs, verdicts[0]!.ts);
  const posts = t.slack
    .callsTo('chat.postMessage')
    .slice(postsBefore)
    .filter((c) => c.args.thread_ts === req.ts);
  assert.equal(posts[0]?.response?.ok, false, 'the first post failed');
  // The timeline has the verdict once too (its own dedup key).
  const entries = await new Timeline(t.medic.state, t.prefix).list(incidentId);
  assert.equal(entries.filter((e) => e.text.startsWith(`Next run of ${job} after approval`)).length, 1);
}

test('a verdict posted whose answer was lost (the crash window between posting and recording it) is found by its metadata on the re-run, not posted twice', async () => {
  await verdictOnce('C0FOLLOW1', 'SkewJob', () => t.slack.loseAnswer('chat.postMessage'));
});

test('a verdict whose post never reached Slack is posted on the re-run, once', async () => {
  await verdictOnce('C0FOLLOW2', 'OomJob', () => t.slack.injectError('chat.postMessage'));
});
