// Step 6, promote (after an approved request): production's partitions of the window are backed up
// and replaced by the staging output — by switching partition locations in the platform's catalog
// when every partition is catalogued, else by copy (back up, clear, copy in). What is replaced is
// recorded before it is replaced, so Rollback can always put it back.
import type { ObjectInfo } from '../../src/providers/ports.js';
import { listPrefixes } from '../../src/providers/snapshot.js';
import { dataFiles } from '../../src/providers/backfill-footers.js';
import {
  partitionPrefix,
  type BackfillRecord,
  type PromotedPartition,
} from '../../src/domain/backfill-plan.js';
import { backfillApprovals } from '../../src/slack/actions/backfill-shared.js';
import {
  StepFailure,
  event,
  finish,
  partitionUri,
  platformOf,
  start,
  storeFor,
  uri,
  type Ctx,
} from './context.js';
import { copyRecorded } from './resumable-copy.js';

/** Set once promotion has cleared a day of production (after its backup is complete). */
export function clearedKey(ctx: Ctx, backfillId: string, dt: string): string {
  return `${ctx.deps.config.env.MEDIC_PREFIX}:backfill-phase:${backfillId}-cleared-${dt}`;
}

/** Production's objects of one day, copied under the backup prefix; returns what was there. */
async function backupPartition(ctx: Ctx, r: BackfillRecord, dt: string): Promise<ObjectInfo[]> {
  const p = r.plan;
  const store = storeFor(ctx, p.production);
  const current = await listPrefixes(store, p.production.container, [partitionPrefix(p.production, dt)]);
  await copyRecorded(ctx.store, {
    setId: `${p.id}-backup`,
    store,
    objects: current,
    srcContainer: p.production.container,
    dstContainer: p.backup.container,
    dstKey: (k) => `${p.backup.prefix}${k}`,
  });
  return current;
}

/**
 * A Retry promotion starts from the state the rollback restored: the failed attempt's records of
 * what it copied into production (and what the rollback copied back) and its "cleared" markers
 * are dropped before anything is copied — kept, they would make this attempt skip staging files
 * the rollback removed, and keep a day from being cleared before its copy. The backup's record
 * stays: production holds exactly the backed-up objects again, so the backup is not made twice and
 * never overwritten. Done once per retry (recorded), before the first copy of the attempt.
 */
async function cleanStateForRetry(ctx: Ctx, r: BackfillRecord): Promise<BackfillRecord> {
  const n = r.promoteRetries?.length ?? 0;
  if (n === 0 || (r.promoteResetFor ?? 0) >= n) return r;
  const p = r.plan;
  await ctx.deps.state.del(
    ctx.store.copiedKey(`${p.id}-promote`),
    ctx.store.copiedKey(`${p.id}-rollback`),
    ...p.dates.map((dt) => clearedKey(ctx, p.id, dt)),
  );
  return (
    (await ctx.store.update(p.id, (cur) =>
      (cur.promoteResetFor ?? 0) >= n ? undefined : { ...cur, promoteResetFor: n },
    )) ?? r
  );
}

export async function promote(ctx: Ctx, r0: BackfillRecord): Promise<string> {
  let r = await start(ctx, r0, 'promote', 'backing up the window');
  const p = r.plan;
  const approvals = backfillApprovals(ctx.deps.state, ctx.deps.config.env.MEDIC_PREFIX);
  const a = r.approvalId ? await approvals.get(r.approvalId) : undefined;
  if (a?.state !== 'approved') throw new StepFailure('promotion needs an approved request');
  r = await cleanStateForRetry(ctx, r);
  if (r.steps.approval.state !== 'done')
    r =
      (await event(ctx, p.id, 'approval', {
        type: 'done',
        at: ctx.deps.now(),
        summary: `approved by <@${a.decidedBy ?? '?'}>`,
      })) ?? r;
  let mode = r.promoteMode;
  if (!mode) {
    let catalogued = false;
    // Without a catalog on the platform, promotion goes by copy.
    if (p.table && platformOf(ctx.deps, r).catalog) {
      const parts = await ctx.catalog().getPartitions(
        p.table.database,
        p.table.name,
        p.dates.map((d) => [d]),
      );
      catalogued = parts.length === p.dates.length;
    }
    mode = catalogued ? 'catalog' : 'copy';
    r =
      (await ctx.store.update(p.id, (cur) =>
        cur.promoteMode ? undefined : { ...cur, promoteMode: mode },
      )) ?? r;
    mode = r.promoteMode ?? mode;
  }
  const store = storeFor(ctx, p.production);
  if (mode === 'catalog') {
    const previous = await ctx.catalog().getPartitions(
      p.table!.database,
      p.table!.name,
      p.dates.map((d) => [d]),
    );
    const prevByDt = new Map(previous.map((x) => [x.values[0]!, x.location]));
    // Record what is replaced before replacing it (a retry keeps the first record).
    const promoted: PromotedPartition[] = p.dates.map((dt) => ({
      dt,
      previous: r.promoted?.find((x) => x.dt === dt)?.previous ?? prevByDt.get(dt) ?? '',
      now: partitionUri(p.stagingOutput, dt),
    }));
    r = (await ctx.store.update(p.id, (cur) => (cur.promoted ? undefined : { ...cur, promoted }))) ?? r;
    for (const dt of p.dates) await backupPartition(ctx, r, dt);
    const failed = await ctx.catalog().setPartitionLocations(
      p.table!.database,
      p.table!.name,
      r.promoted!.map((x) => ({ values: [x.dt], location: x.now })),
    );
    if (failed.length)
      throw new StepFailure(
        `BatchUpdatePartition failed for ${failed.map((f) => `${f.values.join('/')}: ${f.error}`).join('; ')}`,
      );
  } else {
    const promoted: PromotedPartition[] = r.promoted ?? [];
    for (const dt of p.dates) {
      const prodPrefix = partitionPrefix(p.production, dt);
      if (promoted.some((x) => x.dt === dt && x.now === 'done')) continue;
      // 1. keep what is there under the backup prefix (each copy recorded)
      const current = await backupPartition(ctx, r, dt);
      // 2. clear the partition (only objects the backup holds), 3. copy the staging files in
      const cleared = clearedKey(ctx, p.id, dt);
      if (!(await ctx.deps.state.get(cleared))) {
        await store.deleteObjects(
          p.production.container,
          current.map((o) => o.key),
        );
        await ctx.deps.state.set(cleared, '1', 'EX', 30 * 86_400);
      }
      const staged = dataFiles(
        await listPrefixes(storeFor(ctx, p.stagingOutput), p.stagingOutput.container, [
          partitionPrefix(p.stagingOutput, dt),
        ]),
      );
      await copyRecorded(ctx.store, {
        setId: `${p.id}-promote`,
        store,
        objects: staged,
        srcContainer: p.stagingOutput.container,
        dstContainer: p.production.container,
        dstKey: (k) => prodPrefix + k.slice(partitionPrefix(p.stagingOutput, dt).length),
      });
      promoted.push({ dt, previous: uri(p.backup, `${p.backup.prefix}${prodPrefix}`), now: 'done' });
      r = (await ctx.store.update(p.id, (cur) => ({ ...cur, promoted: [...promoted] }))) ?? r;
    }
  }
  const backupManifest = {
    backfillId: p.id,
    mode,
    partitions: r.promoted,
    at: new Date(ctx.deps.now()).toISOString(),
  };
  await store.putObject(
    p.backup.container,
    `${p.backup.prefix}backup.json`,
    JSON.stringify(backupManifest, null, 1),
  );
  return finish(
    ctx,
    r,
    'promote',
    mode === 'catalog'
      ? `${p.dates.length} partition(s) switched with BatchUpdatePartition; replaced objects kept under the backup prefix`
      : `${p.dates.length} partition(s) replaced by copy; previous objects kept under the backup prefix`,
    { link: uri(p.backup, p.backup.prefix) },
  );
}
