// A promotion that fails ends rolled back with a Retry promotion button (issue 18, item 6), and a
// rollback that itself fails ends saying which partitions are in which state, with Retry rollback:
// through the signed receiver, on the simulator (S3 copies failed by fault rules), promotion by copy.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Simulator } from '../../sim/index.js';
import type { TestMedic } from '../support/medic.js';
import { BackfillStore } from '../../src/store/backfills.js';
import type { BackfillRecord } from '../../src/domain/backfill-plan.js';
import { IncidentStore } from '../../src/store/incidents.js';
import { Timeline } from '../../src/store/timeline.js';
import { waitFor } from '../support/wait.js';
import { backfillSteps, startBackfillSession } from '../support/backfill-session.js';

let sim: Simulator;
let t: TestMedic;
let store: BackfillStore;
let simStart: number;

before(async () => {
  ({ sim, t, store, simStart } = await startBackfillSession());
  // Staging writes 0.5% more rows (within the tolerances), so a promotion visibly changes production.
  sim.state.lake.configureOutput('MyJob-staging', { rowsFactor: 1.005 });
});

after(async () => {
  await t.stop();
  await sim.stop();
});

const { text, daysAgo, startBackfill, submitBackfill, waitStatus, progressMessage, click } = backfillSteps(
  () => ({
    sim,
    t,
    store,
    simStart,
  }),
);

type Obj = { key: string; etag: string; body: string };
const objects = (bucket: string, prefix: string): Obj[] =>
  sim.state.s3
    .bucket(bucket)!
    .storedObjects()
    .filter((o) => o.key.startsWith(prefix))
    .map((o) => ({ key: o.key, etag: o.etag, body: o.body.toString('base64') }))
    .sort((a, b) => a.key.localeCompare(b.key));
const prod = (day: string) => objects('lake-curated', `events/dt=${day}/`);

/** The staging output of a day as production holds it after a clean promotion (key → body). */
function stagedAsProduction(id: string, day: string): [string, string][] {
  const prefix = `events/${id}/dt=${day}/`;
  return objects('lake-staging', prefix)
    .filter((o) => !/(^|\/)(_SUCCESS|_committed|_started)/.test(o.key.slice(prefix.length)))
    .map((o): [string, string] => [`events/dt=${day}/${o.key.slice(prefix.length)}`, o.body])
    .sort((a, b) => a[0].localeCompare(b[0]));
}

/** A backfill started in `channel`, once it waits for its approval (asserted). */
async function awaitingApproval(channel: string, args: string) {
  const id = await startBackfill(channel, args);
  const waiting = await waitStatus(id, ['awaiting-approval', 'failed']);
  assert.equal(waiting.status, 'awaiting-approval', waiting.failure);
  return { id, waiting };
}

/** Where the catalog's `lake.events` partitions of these days point. */
const locations = (...days: string[]) =>
  days.map((d) => sim.state.lake.tablePartitions('lake', 'events').get(d)!.Location);

/** The backfill once its rollback has ended failed (its final state). */
const rollbackFailed = (id: string) =>
  waitFor(
    'the rollback ends in a final state',
    async () => {
      const r = await store.get(id);
      return r?.rollback && !r.rollback.ok ? r : undefined;
    },
    60_000,
  );

/** Its progress message once it says the rollback failed. */
const rollbackFailedMessage = (channel: string, r: BackfillRecord) =>
  waitFor(
    'the message says what is left where, with Retry rollback',
    () => {
      const m = text(progressMessage(channel, r));
      return /Rollback failed/.test(m) && m;
    },
    60_000,
  );

async function incidentIn(channel: string, job = 'MyJobCopy'): Promise<string> {
  t.slack.addChannel({ id: channel, name: channel.toLowerCase(), members: ['U0ONCALL', 'U0APPROVER'] });
  const { incident } = await new IncidentStore(t.medic.state, t.prefix).openForChannel(channel, {
    title: `${job} degraded`,
    job,
    env: 'dev',
    commander: 'U0ONCALL',
  });
  return incident.id;
}

test('a promotion that fails is rolled back and says what was; Retry promotion re-runs it from a clean state, once', async () => {
  const channel = 'C0BFRB1';
  const incidentId = await incidentIn(channel);
  const [d1, d2] = [daysAgo(2), daysAgo(1)];
  const original = { [d1]: prod(d1), [d2]: prod(d2) };
  assert.ok(original[d1]!.length >= 2 && original[d2]!.length >= 2);
  const { id } = await awaitingApproval(channel, `MyJobCopy --from ${d1} --to ${d2}`);
  // The second day's copies from staging fail once (refused: no SDK retry): day 1 was replaced,
  // day 2 was cleared and partly copied when the promotion failed.
  sim.setFaults([
    {
      service: 's3',
      operation: 'CopyObject',
      copySourcePrefix: `lake-staging/events/${id}/dt=${d2}/`,
      error: 'denied',
      count: 1,
    },
  ]);
  await click(channel, 'medic.backfill.approve', id, 'U0APPROVER');
  const back = await waitStatus(id, ['rolled-back', 'succeeded']);
  sim.setFaults([]);
  assert.equal(back.status, 'rolled-back', back.failure);
  assert.equal(back.steps.promote.state, 'failed');
  assert.deepEqual(prod(d1), original[d1], 'day 1 restored exactly');
  assert.deepEqual(prod(d2), original[d2], 'day 2 restored exactly');
  // The message says what was rolled back, day by day, and offers Retry promotion.
  const msg = await waitFor(
    'Retry promotion offered',
    () => {
      const m = text(progressMessage(channel, back));
      return /medic\.backfill\.retry-promotion/.test(m) && m;
    },
    60_000,
  );
  assert.match(msg, new RegExp(`dt=${d1}[^\\n]*restored`));
  assert.match(msg, new RegExp(`dt=${d2}[^\\n]*restored`));
  assert.doesNotMatch(msg, /medic\.backfill\.rollback"/);

  // Retry from another channel is refused; two clicks at once in its channel retry once.
  t.slack.addChannel({ id: 'C0BFRBX', name: 'c0bfrbx', members: ['U0ONCALL'] });
  await click('C0BFRBX', 'medic.backfill.retry-promotion', id, 'U0ONCALL');
  await waitFor(
    'other-channel refusal',
    () =>
      t.slack
        .ephemeralsFor('U0ONCALL', 'C0BFRBX')
        .find((e) => new RegExp(`belongs to another channel \\(<#${channel}>\\)`).test(e.text ?? '')),
    60_000,
  );
  assert.equal((await store.get(id))!.status, 'rolled-back');
  const copiesBefore = sim.state.s3.copies.length;
  await Promise.all([
    click(channel, 'medic.backfill.retry-promotion', id, 'U0ONCALL', back.messageTs),
    click(channel, 'medic.backfill.retry-promotion', id, 'U0ONCALL', back.messageTs),
  ]);
  const done = await waitStatus(id, ['succeeded', 'failed']);
  assert.equal(done.status, 'succeeded', done.failure);
  assert.equal(done.promoteRetries?.length, 1, 'two clicks retried once');
  // Production now holds exactly the staging output of each day: nothing skipped, nothing left over.
  for (const d of [d1, d2])
    assert.deepEqual(
      prod(d).map((o): [string, string] => [o.key, o.body]),
      stagedAsProduction(id, d),
      `day ${d} promoted whole`,
    );
  // Each staging object copied into production once by the retry; the backup still holds the
  // original objects (never overwritten by the retry's backup pass).
  const retryCopies = sim.state.s3.copies
    .slice(copiesBefore)
    .filter((c) => c.dstBucket === 'lake-curated' && c.dstKey.startsWith('events/dt='));
  const perKey = new Map<string, number>();
  for (const c of retryCopies) perKey.set(c.dstKey, (perKey.get(c.dstKey) ?? 0) + 1);
  assert.ok(
    [...perKey.values()].every((n) => n === 1),
    JSON.stringify([...perKey].filter(([, n]) => n > 1)),
  );
  assert.equal(perKey.size, stagedAsProduction(id, d1).length + stagedAsProduction(id, d2).length);
  for (const d of [d1, d2]) {
    const bp = `${done.plan.backup.prefix}events/dt=${d}/`;
    assert.deepEqual(
      objects('lake-curated', bp).map((o) => [o.key.slice(bp.length), o.body]),
      original[d]!.map((o) => [o.key.slice(`events/dt=${d}/`.length), o.body]),
    );
  }
  const entries = await new Timeline(t.medic.state, t.prefix).list(incidentId);
  assert.ok(entries.some((e) => /rolled back by medic/.test(e.text)));
  assert.ok(entries.some((e) => /Retry promotion 1 by <@U0ONCALL>/.test(e.text)));
  // The retried attempt's steps are on the timeline as entries of their own.
  assert.equal(entries.filter((e) => /: Promote started$/.test(e.text)).length, 2);
  assert.ok(entries.some((e) => /: Promote: 2 partition\(s\) replaced by copy/.test(e.text)));
  // A retried promotion that succeeded can be rolled back like any other.
  await waitFor(
    'Rollback offered after the retry',
    () => /medic\.backfill\.rollback/.test(text(progressMessage(channel, done))),
    60_000,
  );
});

test('a rollback that fails ends saying which partitions are in which state, with Retry rollback', async () => {
  const channel = 'C0BFRB2';
  await incidentIn(channel);
  const [d1, d2] = [daysAgo(4), daysAgo(3)];
  const original = { [d1]: prod(d1), [d2]: prod(d2) };
  const { id, waiting } = await awaitingApproval(channel, `MyJobCopy --from ${d1} --to ${d2}`);
  const backupOfD2 = `lake-curated/${waiting.plan.backup.prefix}events/dt=${d2}/`;
  // Day 2's promotion copies fail, and so do the rollback's copies of day 2 back from the backup.
  sim.setFaults([
    {
      service: 's3',
      operation: 'CopyObject',
      copySourcePrefix: `lake-staging/events/${id}/dt=${d2}/`,
      error: 'denied',
    },
    { service: 's3', operation: 'CopyObject', copySourcePrefix: backupOfD2, error: 'denied' },
  ]);
  await click(channel, 'medic.backfill.approve', id, 'U0APPROVER');
  const stuck = await rollbackFailed(id);
  assert.equal(stuck.status, 'failed');
  const byDay = Object.fromEntries(stuck.rollback!.partitions.map((p) => [p.dt, p.state]));
  assert.deepEqual(byDay, { [d1]: 'restored', [d2]: 'not-restored' });
  assert.deepEqual(prod(d1), original[d1], 'day 1 restored');
  const msg = await rollbackFailedMessage(channel, stuck);
  assert.doesNotMatch(msg, /Rolling back/);
  assert.match(msg, new RegExp(`dt=${d1}[^\\n]*restored`));
  assert.match(msg, new RegExp(`dt=${d2}[^\\n]*not restored[^\\n]*0 of ${original[d2]!.length}`));
  assert.match(msg, /medic\.backfill\.rollback/);
  assert.match(msg, /Retry rollback/);
  assert.doesNotMatch(msg, /medic\.backfill\.retry-promotion/);

  // Production is partly restored: no other backfill of the job starts on top of it, failed as it is.
  const top = t.slack.topLevel(channel).length;
  const warned = () =>
    t.slack
      .ephemeralsFor('U0ONCALL', channel)
      .filter((e) => /could not roll back its promotion/.test(e.text ?? ''));
  await submitBackfill(channel, `MyJobCopy --from ${d1} --to ${d2}`);
  const warning = await waitFor('the refusal of a second backfill', () => warned()[0], 60_000);
  assert.match(warning.text ?? '', new RegExp(`${id}.*Retry rollback.*nothing was started`));
  assert.equal(t.slack.topLevel(channel).length, top, 'no new progress message');
  assert.equal(await t.medic.state.get(`${t.prefix}:backfill-active:MyJobCopy`), id, 'the job still held');

  sim.setFaults([]);
  await click(channel, 'medic.backfill.rollback', id, 'U0ONCALL', stuck.messageTs);
  const back = await waitStatus(id, ['rolled-back']);
  assert.equal(back.rollback?.ok, true);
  assert.deepEqual(prod(d1), original[d1]);
  assert.deepEqual(prod(d2), original[d2], 'day 2 restored by the retried rollback');
  await waitFor(
    'Retry promotion offered once rolled back',
    () => /medic\.backfill\.retry-promotion/.test(text(progressMessage(channel, back))),
    60_000,
  );
});

test('promotion by BatchUpdatePartition that fails is rolled back; Retry promotion switches every partition', async () => {
  const channel = 'C0BFRB3';
  await incidentIn(channel);
  const [d1, d2] = [daysAgo(5), daysAgo(4)];
  const original = locations(d1, d2);
  const { id } = await awaitingApproval(channel, `MyJob --from ${d1} --to ${d2}`);
  // The switch is refused once (the promotion fails); the rollback's own switch back goes through.
  sim.setFaults([{ service: 'glue', operation: 'BatchUpdatePartition', error: 'denied', count: 1 }]);
  await click(channel, 'medic.backfill.approve', id, 'U0APPROVER');
  // (failed for a moment in between: the promotion failed, then its rollback ran)
  const back = await waitStatus(id, ['rolled-back', 'succeeded']);
  sim.setFaults([]);
  assert.equal(back.status, 'rolled-back', back.failure);
  assert.equal(back.promoteMode, 'catalog');
  assert.deepEqual(locations(d1, d2), original);
  await waitFor(
    'Retry promotion offered',
    () => /medic\.backfill\.retry-promotion/.test(text(progressMessage(channel, back))),
    60_000,
  );
  await click(channel, 'medic.backfill.retry-promotion', id, 'U0ONCALL', back.messageTs);
  const done = await waitStatus(id, ['succeeded', 'failed']);
  assert.equal(done.status, 'succeeded', done.failure);
  assert.deepEqual(locations(d1, d2), [
    `s3://lake-staging/events/${id}/dt=${d1}/`,
    `s3://lake-staging/events/${id}/dt=${d2}/`,
  ]);
  // What promotion replaced is the production location, not a half-switched one.
  assert.deepEqual(
    done.promoted?.map((x) => x.previous),
    original,
  );
});

test('a catalog switch refused from the start: the rollback reads the partitions back and finds nothing to restore', async () => {
  const channel = 'C0BFRB4';
  await incidentIn(channel);
  const [d1, d2] = [daysAgo(3), daysAgo(2)];
  const original = locations(d1, d2);
  const { id } = await awaitingApproval(channel, `MyJob --from ${d1} --to ${d2}`);
  // Every switch is refused: the promotion's, and the rollback's would be too.
  sim.setFaults([{ service: 'glue', operation: 'BatchUpdatePartition', error: 'denied' }]);
  const switches = () => sim.requests({ service: 'glue', operation: 'BatchUpdatePartition' }).length;
  const n0 = switches();
  await click(channel, 'medic.backfill.approve', id, 'U0APPROVER');
  const back = await waitStatus(id, ['rolled-back', 'succeeded']);
  const asked = switches() - n0;
  sim.setFaults([]);
  assert.equal(back.status, 'rolled-back', back.failure);
  assert.equal(back.rollback?.ok, true);
  assert.deepEqual(
    back.rollback!.partitions.map((p) => [p.dt, p.state]),
    [
      [d1, 'restored'],
      [d2, 'restored'],
    ],
  );
  assert.deepEqual(locations(d1, d2), original);
  assert.equal(asked, 1, 'the promotion asked for its switch; the rollback had nothing to switch back');
  await waitFor(
    'the job released',
    async () => (await t.medic.state.get(`${t.prefix}:backfill-active:MyJob`)) === null,
    60_000,
  );
});

test('a catalog promotion that fails after its switch, whose rollback switch is refused: the partitions are named not restored; Retry rollback, failing once with attempts left, restores them', async () => {
  const channel = 'C0BFRB5';
  const incidentId = await incidentIn(channel, 'MyJob');
  const [d1, d2] = [daysAgo(3), daysAgo(2)];
  const original = locations(d1, d2);
  const { id, waiting } = await awaitingApproval(channel, `MyJob --from ${d1} --to ${d2}`);
  sim.setFaults([
    // The promotion's switch goes through; writing its backup manifest after it is refused.
    {
      service: 's3',
      operation: 'PutObject',
      bucket: waiting.plan.backup.container,
      keyPrefix: `${waiting.plan.backup.prefix}backup.json`,
      error: 'denied',
    },
    // The rollback's switch back is refused.
    { service: 'glue', operation: 'BatchUpdatePartition', error: 'denied', skip: 1 },
  ]);
  await click(channel, 'medic.backfill.approve', id, 'U0APPROVER');
  const stuck = await rollbackFailed(id);
  assert.equal(stuck.status, 'failed');
  assert.equal(stuck.promoteMode, 'catalog');
  assert.deepEqual(
    stuck.rollback!.partitions.map((p) => [p.dt, p.state]),
    [
      [d1, 'not-restored'],
      [d2, 'not-restored'],
    ],
  );
  const staged = (dt: string) => `s3://lake-staging/events/${id}/dt=${dt}/`;
  assert.deepEqual(locations(d1, d2), [staged(d1), staged(d2)]);
  const msg = await rollbackFailedMessage(channel, stuck);
  assert.match(msg, new RegExp(`dt=${d1}[^\\n]*not restored`));
  assert.match(msg, new RegExp(`dt=${d2}[^\\n]*not restored`));
  assert.match(msg, /medic\.backfill\.rollback/);
  assert.doesNotMatch(msg, /medic\.backfill\.retry-promotion/);
  assert.equal(await t.medic.state.get(`${t.prefix}:backfill-active:MyJob`), id, 'the job still held');

  // Retry rollback: its job's first attempt meets a catalog error that may go away (500, more
  // of them than the SDK's own 5 attempts); the queue's next attempt restores both partitions.
  sim.setFaults([{ service: 'glue', operation: 'BatchUpdatePartition', error: 'internal', count: 5 }]);
  await click(channel, 'medic.backfill.rollback', id, 'U0ONCALL', stuck.messageTs);
  const back = await waitStatus(id, ['rolled-back']);
  sim.setFaults([]);
  assert.equal(back.rollback?.ok, true);
  assert.equal(back.rollback?.attempt, 3, "the promotion's rollback, then two attempts of the Retry");
  assert.deepEqual(locations(d1, d2), original);
  // The attempt that had one left did not end the backfill: no second "rollback failed".
  const entries = await new Timeline(t.medic.state, t.prefix).list(incidentId);
  assert.equal(
    entries.filter((e) => /rollback failed/.test(e.text)).length,
    1,
    JSON.stringify(entries.map((e) => e.text)),
  );
  assert.ok(
    entries.some((e) => /rolled back by <@U0ONCALL>/.test(e.text)),
    'the rollback that succeeded is on the timeline',
  );
  // Released once the rollback has recorded its end (just after the status changes).
  await waitFor(
    'the job released',
    async () => (await t.medic.state.get(`${t.prefix}:backfill-active:MyJob`)) === null,
    60_000,
  );
});
