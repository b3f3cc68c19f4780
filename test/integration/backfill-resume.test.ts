// Resuming a failed backfill through the signed receiver on the simulator: a step that fails in
// its own work resumes from that step (the finished steps are not run again) and promotion still
// waits for the four-eyes approval; consumers that failed after promotion re-run alone, with a new
// run (the failed one is never adopted again) and no second promotion. Beside backfill.test.ts
// (same configuration) so neither file nears the runner's per-file time-out.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Simulator } from '../../sim/index.js';
import type { TestMedic } from '../support/medic.js';
import type { BackfillStore } from '../../src/store/backfills.js';
import { waitFor } from '../support/wait.js';
import { backfillSteps, startBackfillSession } from '../support/backfill-session.js';

let sim: Simulator;
let t: TestMedic;
let store: BackfillStore;
let simStart: number;

before(async () => {
  ({ sim, t, store, simStart } = await startBackfillSession());
});

after(async () => {
  await t.stop();
  await sim.stop();
});

const { text, daysAgo, startBackfill, waitStatus, progressMessage, click } = backfillSteps(() => ({
  sim,
  t,
  store,
  simStart,
}));

test('a step that fails in its own work (the quality step refused its reads) resumes from that step and still waits for the four-eyes approval before promoting', async () => {
  const channel = 'C0BFR1';
  const day = daysAgo(2);
  t.slack.addChannel({ id: channel, name: 'c0bfr1', members: ['U0ONCALL', 'U0APPROVER'] });
  sim.clearRequests();
  // The quality step cannot list the staging output: it fails in its own code (the staging run
  // itself succeeded), after snapshot and staging run are done.
  sim.setFaults([{ service: 's3', operation: 'ListObjectsV2', bucket: 'lake-staging', error: 'denied' }]);
  let id = '';
  try {
    id = await startBackfill(channel, `MyJob --from ${day} --to ${day}`);
    const failed = await waitStatus(id, ['failed', 'awaiting-approval']);
    assert.equal(failed.status, 'failed');
    assert.equal(failed.steps.quality.state, 'failed');
    assert.equal(failed.steps.snapshot.state, 'done');
    assert.equal(failed.steps['staging-run'].state, 'done');
    assert.equal(failed.approvalId, undefined, 'no approval was asked for');
    await waitFor(
      'Resume in the progress message',
      () => /medic\.backfill\.resume/.test(text(progressMessage(channel, failed))) || undefined,
      60_000,
    );
    const stagingRun = failed.stagingRunId;
    const copies = sim.state.s3.copies.length;
    sim.setFaults([]);
    await click(channel, 'medic.backfill.resume', id, 'U0ONCALL', failed.messageTs);
    await waitFor('the resume recorded', async () => ((await store.get(id))?.resumes?.length ?? 0) === 1);
    // The finished steps are not run again; the approval is asked for as the first time.
    const waiting = await waitStatus(id, ['awaiting-approval', 'failed']);
    assert.equal(waiting.status, 'awaiting-approval', waiting.failure);
    assert.equal(waiting.stagingRunId, stagingRun, 'the staging run is not repeated');
    assert.equal(sim.state.s3.copies.length, copies, 'the snapshot is not copied again');
    assert.equal(
      sim.state.glue.runsOf('MyJob-staging').filter((r) => r.Arguments['--output_path']?.includes(id)).length,
      1,
    );
    assert.equal(sim.requests({ service: 'glue', operation: 'BatchUpdatePartition' }).length, 0);
    const approvalMsg = await waitFor(
      'approval request',
      () => t.slack.topLevel(channel).find((m) => /Approve promoting backfill/.test(text(m))),
      60_000,
    );
    // The requester cannot approve their own backfill: still waiting, nothing promoted.
    await click(channel, 'medic.backfill.approve', id, 'U0ONCALL', approvalMsg.ts);
    await waitFor(
      'four-eyes refusal',
      () => t.slack.ephemeralsFor('U0ONCALL', channel).find((e) => /four-eyes/.test(e.text ?? '')),
      60_000,
    );
    assert.equal((await store.get(id))?.status, 'awaiting-approval');
    assert.equal(sim.requests({ service: 'glue', operation: 'BatchUpdatePartition' }).length, 0);
    await click(channel, 'medic.backfill.approve', id, 'U0APPROVER', approvalMsg.ts);
    const done = await waitStatus(id, ['succeeded', 'failed', 'rolled-back']);
    assert.equal(done.status, 'succeeded', done.failure);
    assert.equal(sim.requests({ service: 'glue', operation: 'BatchUpdatePartition' }).length, 1);
    assert.deepEqual(
      done.resumes?.map((x) => [x.step, x.by]),
      [['quality', 'U0ONCALL']],
    );
  } finally {
    sim.setFaults([]);
  }
});

test('consumers that failed after promotion: Resume re-runs only the consumers (a new run, the failed one not adopted), with no second promotion', async () => {
  const channel = 'C0BFR2';
  const day = daysAgo(3);
  t.slack.addChannel({ id: channel, name: 'c0bfr2', members: ['U0ONCALL', 'U0APPROVER'] });
  sim.clearRequests();
  sim.state.glue.configureRuns('DownstreamJob', { outcome: 'FAILED', errorMessage: 'downstream broke' });
  try {
    const id = await startBackfill(channel, `MyJob --from ${day} --to ${day}`);
    const waiting = await waitStatus(id, ['awaiting-approval', 'failed']);
    assert.equal(waiting.status, 'awaiting-approval', waiting.failure);
    const approvalMsg = await waitFor(
      'approval request',
      () => t.slack.topLevel(channel).find((m) => /Approve promoting backfill/.test(text(m))),
      60_000,
    );
    await click(channel, 'medic.backfill.approve', id, 'U0APPROVER', approvalMsg.ts);
    const failed = await waitStatus(id, ['failed', 'succeeded', 'rolled-back']);
    assert.equal(failed.status, 'failed');
    assert.equal(failed.steps.consumers.state, 'failed');
    assert.equal(failed.steps.promote.state, 'done');
    const firstRun = failed.consumerRuns!.DownstreamJob!;
    assert.deepEqual(failed.failedConsumerRunIds, [firstRun]);
    await waitFor(
      'Resume in the progress message',
      () => /medic\.backfill\.resume/.test(text(progressMessage(channel, failed))) || undefined,
      60_000,
    );
    sim.state.glue.configureRuns('DownstreamJob', { outcome: 'SUCCEEDED' });
    await click(channel, 'medic.backfill.resume', id, 'U0ONCALL', failed.messageTs);
    await waitFor('the resume recorded', async () => ((await store.get(id))?.resumes?.length ?? 0) === 1);
    const done = await waitStatus(id, ['succeeded', 'failed', 'rolled-back']);
    assert.equal(done.status, 'succeeded', done.failure);
    assert.notEqual(done.consumerRuns?.DownstreamJob, firstRun, 'the failed run is not adopted again');
    assert.equal(
      sim.state.glue.runsOf('DownstreamJob').filter((r) => r.Arguments['--medic_backfill'] === id).length,
      2,
      'one failed run, one after the resume',
    );
    assert.equal(
      sim.requests({ service: 'glue', operation: 'BatchUpdatePartition' }).length,
      1,
      'promoted once',
    );
    assert.equal(
      t.slack.topLevel(channel).filter((m) => /Approve promoting backfill/.test(text(m))).length,
      1,
      'no second approval: promotion is behind it',
    );
  } finally {
    sim.state.glue.configureRuns('DownstreamJob', { outcome: 'SUCCEEDED' });
  }
});
