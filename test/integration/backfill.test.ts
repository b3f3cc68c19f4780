// /backfill end to end on the simulator with real Redis and the fake Slack: signed command → modal
// → submission → snapshot (copy counts from the simulator) → staging run writing real Parquet →
// quality from footers → validation → four-eyes approval → promotion (BatchUpdatePartition or
// copy, with backup) → consumers; a quality failure never touches production; Abort; Rollback.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Simulator } from '../../sim/index.js';
import type { TestMedic } from '../support/medic.js';
import { sendSlashCommand } from '../support/slack-requests.js';
import { IncidentStore } from '../../src/store/incidents.js';
import { BackfillStore } from '../../src/store/backfills.js';
import { Timeline } from '../../src/store/timeline.js';
import { ChecklistStore } from '../../src/store/checklist-store.js';
import { RUNBOOK_CHECKLIST } from '../../src/domain/checklist.js';
import type { BackfillRecord } from '../../src/domain/backfill-plan.js';
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

test('happy path: snapshot once per object, staging Parquet checked, approval, partitions switched with backup, consumers re-run, checklist ticked', async () => {
  const channel = 'C0BF1';
  t.slack.addChannel({ id: channel, name: 'c0bf1', members: ['U0ONCALL', 'U0APPROVER'] });
  const incidents = new IncidentStore(t.medic.state, t.prefix);
  const { incident } = await incidents.openForChannel(channel, {
    title: 'MyJob degraded',
    job: 'MyJob',
    env: 'dev',
    commander: 'U0ONCALL',
  });
  const from = daysAgo(4);
  const to = daysAgo(3);
  const id = await startBackfill(channel, `MyJob --from ${from} --to ${to}`);
  const waiting = await waitStatus(id, ['awaiting-approval', 'failed']);
  assert.equal(waiting.status, 'awaiting-approval', waiting.failure);
  // The staging job runs production's script on the same engine: nothing to acknowledge.
  assert.equal(waiting.parity?.atParity, true, JSON.stringify(waiting.parity ?? waiting.parityProblem));
  // Snapshot: every input object of the window copied exactly once, under the snapshot prefix.
  const sources = [from, to].flatMap((d) =>
    Array.from({ length: 50 }, (_, i) => `events/dt=${d}/part-${String(i).padStart(5, '0')}.snappy.parquet`),
  );
  for (const k of sources) assert.equal(sim.state.s3.copyCount('lake-raw', k), 1, k);
  const snapCopies = sim.state.s3.copies.filter((c) => c.dstKey.includes(`-${id}/`));
  assert.equal(snapCopies.length, 100);
  const manifest = sim.state.s3
    .bucket('lake-raw')!
    .get(waiting.plan.snapshot.prefix.replace(/events\/$/, 'manifest.json'));
  assert.ok(manifest?.body, 'manifest.json beside the snapshot');
  assert.equal((JSON.parse(manifest.body.toString()) as { count: number }).count, 100);
  // Quality and validation ran on real footers, and nothing touched production yet.
  assert.ok(waiting.diff?.every((d) => d.ok));
  assert.ok(
    waiting.stats!.staging.rows > 0 && waiting.stats!.staging.rows === waiting.stats!.production.rows,
  );
  assert.equal(sim.requests({ service: 'glue', operation: 'BatchUpdatePartition' }).length, 0);
  const ranged = sim
    .requests({ service: 's3', operation: 'GetObject' })
    .filter((r) => String(r.params.key).includes(`/${id}/`));
  assert.ok(
    ranged.length > 0 && ranged.every((r) => typeof r.params.range === 'string'),
    'footers by ranged reads only',
  );
  const checklist = await new ChecklistStore(t.medic.state, t.prefix, RUNBOOK_CHECKLIST).get(incident.id);
  assert.equal(checklist.items.find((i) => i.id === 'backfill-staging')?.done, true);

  // Four-eyes: the requester cannot approve; the approver can.
  const approvalMsg = t.slack.topLevel(channel).find((m) => /Approve promoting backfill/.test(text(m)))!;
  assert.ok(approvalMsg);
  assert.doesNotMatch(text(approvalMsg), /Staging parity|"confirm"/);
  await click(channel, 'medic.backfill.approve', id, 'U0ONCALL', approvalMsg.ts);
  await waitFor(
    'four-eyes refusal',
    () => t.slack.ephemeralsFor('U0ONCALL', channel).find((e) => /four-eyes/.test(e.text ?? '')),
    60_000,
  );
  assert.equal((await store.get(id))!.status, 'awaiting-approval');
  await click(channel, 'medic.backfill.approve', id, 'U0APPROVER', approvalMsg.ts);
  const done = await waitStatus(id, ['succeeded', 'failed', 'rolled-back']);
  assert.equal(done.status, 'succeeded', done.failure);
  assert.equal(done.promoteMode, 'catalog');
  const parts = sim.state.lake.tablePartitions('lake', 'events');
  assert.equal(parts.get(from)!.Location, `s3://lake-staging/events/${id}/dt=${from}/`);
  assert.equal(
    parts.get(daysAgo(5))!.Location,
    `s3://lake-curated/events/dt=${daysAgo(5)}/`,
    'outside the window untouched',
  );
  // The replaced objects are kept under the backup prefix.
  const backup = sim.state.s3
    .bucket('lake-curated')!
    .storedObjects()
    .filter((o) => o.key.startsWith(done.plan.backup.prefix));
  assert.ok(backup.some((o) => o.key.endsWith(`dt=${from}/part-00000.snappy.parquet`)));
  assert.ok(done.consumerRuns?.DownstreamJob);
  assert.equal(
    sim.state.glue.findRun('DownstreamJob', done.consumerRuns.DownstreamJob)?.JobName,
    'DownstreamJob',
  );
  const msg = text(progressMessage(channel, done));
  assert.match(msg, /succeeded/);
  assert.match(msg, /medic\.backfill\.rollback/);
  assert.doesNotMatch(msg, /medic\.backfill\.abort/);
  const entries = await new Timeline(t.medic.state, t.prefix).list(incident.id);
  for (const s of [
    'Snapshot inputs',
    'Isolated run',
    'Quality suite',
    'Validate against baseline',
    'approved',
    'Promote',
    'Re-run consumers',
  ])
    assert.ok(
      entries.some((e) => e.kind === 'backfill' && e.text.includes(s)),
      `timeline: ${s}`,
    );
});

test('a quality failure stops before promotion and never touches production', async () => {
  const channel = 'C0BF2';
  const day = daysAgo(5);
  const prodBefore = sim.state.s3
    .bucket('lake-curated')!
    .storedObjects()
    .filter((o) => o.key.startsWith(`events/dt=${day}/`))
    .map((o) => `${o.key} ${o.etag}`);
  sim.state.lake.configureOutput('MyJob-staging', { dropColumn: 'amount' });
  sim.clearRequests();
  const copiesBefore = sim.state.s3.copies.length;
  try {
    const id = await startBackfill(channel, `MyJob --from ${day} --to ${day}`);
    const r = await waitStatus(id, ['failed', 'awaiting-approval', 'succeeded']);
    assert.equal(r.status, 'failed');
    assert.equal(r.steps.quality.state, 'failed');
    assert.match(r.failure ?? '', /amount/);
    // The record is written before the message is re-rendered from it: wait for the message.
    await waitFor(
      'the failure in the progress message',
      () => /column `amount`|amount/.test(text(progressMessage(channel, r))) || undefined,
      60_000,
    );
  } finally {
    sim.state.lake.configureOutput('MyJob-staging', { dropColumn: undefined });
  }
  assert.equal(sim.requests({ service: 'glue', operation: 'BatchUpdatePartition' }).length, 0);
  const touched = sim.state.s3.copies.slice(copiesBefore).filter((c) => c.dstBucket === 'lake-curated');
  assert.equal(touched.length, 0, 'no copy into production');
  assert.equal(sim.requests({ service: 's3', operation: 'DeleteObjects' }).length, 0);
  const prodAfter = sim.state.s3
    .bucket('lake-curated')!
    .storedObjects()
    .filter((o) => o.key.startsWith(`events/dt=${day}/`))
    .map((o) => `${o.key} ${o.etag}`);
  assert.deepEqual(prodAfter, prodBefore);
});

test('Abort during the staging run stops it cleanly; production untouched', async () => {
  const channel = 'C0BF3';
  sim.state.glue.configureRuns('MyJob-staging', { durationSec: 30_000 });
  try {
    const id = await startBackfill(channel, `MyJob --from ${daysAgo(2)} --to ${daysAgo(2)}`);
    const r = await waitFor(
      'staging run started',
      async () => {
        const x = await store.get(id);
        return x?.stagingRunId ? x : undefined;
      },
      60_000,
    );
    await click(channel, 'medic.backfill.abort', id, 'U0ONCALL', r.messageTs);
    const aborted = await waitStatus(id, ['aborted']);
    assert.equal(aborted.abortedBy, 'U0ONCALL');
    const run = await waitFor(
      'staging run stopped',
      () => {
        const x = sim.state.glue.findRun('MyJob-staging', r.stagingRunId!);
        return x?.stopRequestedAt !== undefined ? x : undefined;
      },
      60_000,
    );
    assert.ok(run);
    await waitFor(
      'message says aborted',
      () => /aborted/.test(text(progressMessage(channel, aborted))) || undefined,
      60_000,
    );
    assert.doesNotMatch(text(progressMessage(channel, aborted)), /medic\.backfill\.abort/);
    assert.equal(sim.requests({ service: 'glue', operation: 'BatchUpdatePartition' }).length, 0);
  } finally {
    sim.state.glue.configureRuns('MyJob-staging', { durationSec: 1250 });
  }
});

test('Rollback restores the exact previous objects (promotion by copy)', async () => {
  const channel = 'C0BF4';
  const day = daysAgo(1);
  const bucket = sim.state.s3.bucket('lake-curated')!;
  const snapshotOf = () =>
    bucket
      .storedObjects()
      .filter((o) => o.key.startsWith(`events/dt=${day}/`))
      .map((o) => ({ key: o.key, etag: o.etag, body: o.body.toString('base64') }));
  const before = snapshotOf();
  assert.ok(before.length >= 2);
  // Staging writes 0.5% more rows (within the tolerances), so promotion visibly changes production.
  sim.state.lake.configureOutput('MyJob-staging', { rowsFactor: 1.005 });
  const original = before;
  const id = await startBackfill(channel, `MyJobCopy --from ${day} --to ${day}`);
  const waiting = await waitStatus(id, ['awaiting-approval', 'failed']);
  assert.equal(waiting.status, 'awaiting-approval', waiting.failure);
  await click(channel, 'medic.backfill.approve', id, 'U0APPROVER');
  const done = await waitStatus(id, ['succeeded', 'failed', 'rolled-back']);
  assert.equal(done.status, 'succeeded', done.failure);
  assert.equal(done.promoteMode, 'copy');
  const promoted = snapshotOf();
  sim.state.lake.configureOutput('MyJob-staging', { rowsFactor: 1 });
  assert.notDeepEqual(promoted, original);
  assert.deepEqual(
    promoted.map((o) => o.key),
    original.map((o) => o.key),
  );
  await click(channel, 'medic.backfill.rollback', id, 'U0ONCALL', done.messageTs);
  const back = await waitStatus(id, ['rolled-back']);
  assert.equal(back.rolledBackBy, 'U0ONCALL');
  assert.deepEqual(snapshotOf(), original);
});

test('bad input never opens a modal: unknown job, reversed window, missing dates, unknown env', async () => {
  const modalsBefore = t.slack.callsTo('views.open').length;
  const res = await sendSlashCommand(t.url, t.secret, {
    command: '/backfill',
    text: 'NoSuchJob --from 2026-01-01 --to 2026-01-02',
    channelId: 'C0DATAOPS',
  });
  assert.match((res.body as { text: string }).text, /not in medic\.yml/);
  const res2 = await sendSlashCommand(t.url, t.secret, {
    command: '/backfill',
    text: 'MyJob --from 2026-01-05 --to 2026-01-02',
    channelId: 'C0DATAOPS',
  });
  assert.match((res2.body as { text: string }).text, /--from 2026-01-05 is after --to 2026-01-02/);
  for (const [text, expected] of [
    ['MyJob --from 2026-01-05', /both --from and --to are required/],
    ['MyJob --from 2026-01-01 --to 2026-01-02 --env qa', /--env must be one of dev, staging, prod/],
    ['--from 2026-01-01 --to 2026-01-02', /missing &lt;job&gt;/],
  ] as const) {
    const r = await sendSlashCommand(t.url, t.secret, { command: '/backfill', text, channelId: 'C0DATAOPS' });
    assert.match((r.body as { text: string }).text, expected);
    assert.match((r.body as { text: string }).text, /Nothing was started/);
  }
  assert.equal(t.slack.callsTo('views.open').length, modalsBefore, 'no modal opened');
});

test('a backfill whose staging run fails shows the failed-backfill runbook, and resumes after the cause is fixed, promoting once', async () => {
  const channel = 'C0BF9';
  const day = daysAgo(1);
  t.slack.addChannel({ id: channel, name: 'c0bf9', members: ['U0ONCALL', 'U0APPROVER'] });
  const { incident } = await new IncidentStore(t.medic.state, t.prefix).openForChannel(channel, {
    title: 'MyJob backfill',
    job: 'MyJob',
    env: 'dev',
    commander: 'U0ONCALL',
  });
  sim.state.glue.configureRuns('MyJob-staging', {
    outcome: 'FAILED',
    errorMessage: 'java.lang.OutOfMemoryError: Java heap space',
  });
  sim.clearRequests();
  try {
    const id = await startBackfill(channel, `MyJob --from ${day} --to ${day}`);
    const failed = await waitStatus(id, ['failed', 'awaiting-approval']);
    assert.equal(failed.status, 'failed');
    assert.equal(failed.steps['staging-run'].state, 'failed');
    const firstRun = failed.stagingRunId!;
    // The progress message carries the runbook: step, error, the staging run's triage, production.
    const msg = await waitFor(
      'runbook in the progress message',
      () => {
        const m = text(progressMessage(channel, failed));
        return /Runbook: Failed backfill/.test(m) ? m : undefined;
      },
      60_000,
    );
    assert.match(msg, /stopped at \*Isolated run\*/);
    assert.match(
      msg,
      /\*Error:\* staging run jr_\w+ ended FAILED: java\.lang\.OutOfMemoryError: Java heap space/,
    );
    assert.match(
      msg,
      new RegExp(
        `\\*Staging run triage:\\* \`${firstRun}\` FAILED after .* · \\*OutOfMemoryError: Java heap space\\*`,
      ),
    );
    assert.match(msg, /\*Production:\* untouched \(nothing was promoted\)/);
    assert.match(msg, /medic\.backfill\.resume/);
    assert.match(msg, /medic\.backfill\.abandon/);
    assert.doesNotMatch(msg, /medic\.backfill\.rollback/);
    // …and the incident carries the runbook, with what the record proves ticked.
    const checklists = new ChecklistStore(t.medic.state, t.prefix);
    const rb = await waitFor('failed-backfill runbook with its ticks', async () => {
      const list = await checklists.getRunbook(incident.id, 'failed-backfill');
      return list && list.items.filter((i) => i.done).length >= 2 ? list : undefined;
    });
    assert.deepEqual(
      rb.items.filter((i) => i.done).map((i) => i.id),
      ['failed-backfill:failure-located', 'failed-backfill:production-checked'],
    );

    // The cause is fixed; Resume runs the step again with a new staging run (the failed one is
    // not adopted), then the same four-eyes approval as a first promotion.
    sim.state.glue.configureRuns('MyJob-staging', { outcome: 'SUCCEEDED' });
    await click(channel, 'medic.backfill.resume', id, 'U0ONCALL', failed.messageTs);
    await waitFor(
      'the resume recorded',
      async () => ((await store.get(id))?.resumes?.length ?? 0) === 1,
      60_000,
    );
    const waiting = await waitStatus(id, ['awaiting-approval', 'failed']);
    assert.equal(waiting.status, 'awaiting-approval', waiting.failure);
    assert.notEqual(waiting.stagingRunId, firstRun);
    assert.deepEqual(waiting.failedStagingRunIds, [firstRun]);
    assert.deepEqual(
      waiting.resumes?.map((x) => [x.step, x.by]),
      [['staging-run', 'U0ONCALL']],
    );
    assert.equal(sim.requests({ service: 'glue', operation: 'BatchUpdatePartition' }).length, 0);
    const approvalMsg = await waitFor(
      'approval request',
      () => t.slack.topLevel(channel).find((m) => /Approve promoting backfill/.test(text(m))),
      60_000,
    );
    await click(channel, 'medic.backfill.approve', id, 'U0APPROVER', approvalMsg.ts);
    const done = await waitStatus(id, ['succeeded', 'failed', 'rolled-back']);
    assert.equal(done.status, 'succeeded', done.failure);
    assert.equal(
      sim.requests({ service: 'glue', operation: 'BatchUpdatePartition' }).length,
      1,
      'promoted once',
    );
    assert.equal(
      sim.state.lake.tablePartitions('lake', 'events').get(day)!.Location,
      `s3://lake-staging/events/${id}/dt=${day}/`,
    );
    const staged = sim.state.glue
      .runsOf('MyJob-staging')
      .filter((r) => r.Arguments['--output_path']?.includes(id));
    assert.equal(staged.length, 2, 'one failed run, one after the resume');
    const after = await waitFor('resumed ticked', async () => {
      const list = await checklists.getRunbook(incident.id, 'failed-backfill');
      return list?.items.find((i) => i.id === 'failed-backfill:resumed')?.done ? list : undefined;
    });
    assert.equal(after.items.filter((i) => i.done).length, 3);
    const entries = await new Timeline(t.medic.state, t.prefix).list(incident.id);
    assert.ok(entries.some((e) => e.text.startsWith('Runbook attached: Failed backfill')));
    assert.ok(
      entries.some((e) => e.kind === 'backfill' && /resumed from Isolated run by <@U0ONCALL>/.test(e.text)),
    );
    assert.ok(entries.some((e) => e.kind === 'backfill' && /Isolated run failed/.test(e.text)));
    assert.ok(entries.some((e) => e.kind === 'backfill' && /Promote/.test(e.text)));
    // A second Resume changes nothing: the backfill succeeded.
    await click(channel, 'medic.backfill.resume', id, 'U0ONCALL', failed.messageTs);
    await waitFor(
      'nothing to resume',
      () => t.slack.ephemeralsFor('U0ONCALL', channel).find((e) => /nothing to resume/.test(e.text ?? '')),
      60_000,
    );
    assert.equal(sim.requests({ service: 'glue', operation: 'BatchUpdatePartition' }).length, 1);
  } finally {
    sim.state.glue.configureRuns('MyJob-staging', { outcome: 'SUCCEEDED' });
  }
});

test('a staging job on another Glue version: the approval says so and Approve asks to acknowledge it', async () => {
  const channel = 'C0BF6';
  t.slack.addChannel({ id: channel, name: 'c0bf6', members: ['U0ONCALL', 'U0APPROVER'] });
  const incidents = new IncidentStore(t.medic.state, t.prefix);
  const { incident } = await incidents.openForChannel(channel, {
    title: 'MyJob degraded',
    job: 'MyJob',
    env: 'dev',
    commander: 'U0ONCALL',
  });
  const staging = sim.state.glue.jobs.get('MyJob-staging')!;
  staging.GlueVersion = '3.0';
  let id: string;
  let waiting: BackfillRecord;
  try {
    const day = daysAgo(5); // last in the file: the quality test before asserts this day untouched
    id = await startBackfill(channel, `MyJob --from ${day} --to ${day}`);
    waiting = await waitStatus(id, ['awaiting-approval', 'failed']);
  } finally {
    staging.GlueVersion = '4.0';
  }
  assert.equal(waiting.status, 'awaiting-approval', waiting.failure);
  assert.equal(waiting.parity?.needsAcknowledgement, true);
  assert.deepEqual(
    waiting.parity?.differences.map((d) => [d.aspect, d.prod, d.staging]),
    [['runtime', 'Glue 4.0', 'Glue 3.0']],
  );
  const approvalMsg = t.slack.topLevel(channel).find((m) => /Approve promoting backfill/.test(text(m)))!;
  assert.ok(approvalMsg);
  const blocks = JSON.stringify(approvalMsg.blocks);
  assert.match(blocks, /:warning: \*Staging parity:\* `MyJob-staging` differs from `MyJob`/);
  assert.match(blocks, /runtime: production `Glue 4\.0`, staging `Glue 3\.0`/);
  const approve = (
    approvalMsg.blocks as { elements?: { action_id?: string; confirm?: { confirm: { text: string } } }[] }[]
  )
    .flatMap((b) => b.elements ?? [])
    .find((e) => e.action_id === 'medic.backfill.approve');
  assert.equal(approve?.confirm?.confirm.text, 'Acknowledge and approve');
  await click(channel, 'medic.backfill.approve', id, 'U0APPROVER', approvalMsg.ts);
  const done = await waitStatus(id, ['succeeded', 'failed', 'rolled-back']);
  assert.equal(done.status, 'succeeded', done.failure);
  const entries = await new Timeline(t.medic.state, t.prefix).list(incident.id);
  assert.ok(
    entries.some((e) => /differs from MyJob in 1 way/.test(e.text)),
    'timeline: the parity difference, before the staging run',
  );
  assert.ok(
    entries.some((e) =>
      /promotion approved by <@U0APPROVER>, acknowledging that MyJob-staging differs from MyJob in runtime/.test(
        e.text,
      ),
    ),
    JSON.stringify(entries.map((e) => e.text)),
  );
});
