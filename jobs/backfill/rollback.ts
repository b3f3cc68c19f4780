// Rollback (the Rollback button, or a promotion that failed): production's partitions of the window
// put back as they were before promotion — the previous partition locations in the catalog, or the
// backed-up objects copied back for every day promotion had cleared.
import { listPrefixes } from '../../src/providers/snapshot.js';
import { partitionPrefix, type BackfillRecord } from '../../src/domain/backfill-plan.js';
import { backfillTimeline, refreshProgress } from '../../src/slack/actions/backfill-shared.js';
import { progressDeps, storeFor, type Ctx } from './context.js';
import { copyRecorded } from './resumable-copy.js';
import { clearedKey } from './promote.js';

export async function rollback(ctx: Ctx, r: BackfillRecord, actor: string, why: string): Promise<string> {
  const p = r.plan;
  if (r.status === 'rolled-back') return 'already rolled back';
  const promoted = r.promoted ?? [];
  const store = storeFor(ctx, p.production);
  if (r.promoteMode === 'catalog' && p.table) {
    const back = promoted.filter((x) => x.previous).map((x) => ({ values: [x.dt], location: x.previous }));
    if (back.length) {
      const failed = await ctx.catalog().setPartitionLocations(p.table.database, p.table.name, back);
      if (failed.length)
        throw new Error(`rollback of partitions failed: ${failed.map((f) => f.error).join('; ')}`);
    }
  } else {
    for (const dt of p.dates) {
      const prodPrefix = partitionPrefix(p.production, dt);
      const backupPrefix = `${p.backup.prefix}${prodPrefix}`;
      // A day is only changed once its backup is complete and it was cleared (promotion marks
      // that); a day never cleared still holds exactly its production objects: leave it alone.
      if (!(await ctx.deps.state.get(clearedKey(ctx, p.id, dt)))) continue;
      const backup = await listPrefixes(store, p.backup.container, [backupPrefix]);
      const current = await listPrefixes(store, p.production.container, [prodPrefix]);
      const keep = new Set(backup.map((b) => prodPrefix + b.key.slice(backupPrefix.length)));
      const extra = current.filter((c) => !keep.has(c.key));
      if (extra.length)
        await store.deleteObjects(
          p.production.container,
          extra.map((c) => c.key),
        );
      await copyRecorded(ctx.store, {
        setId: `${p.id}-rollback`,
        store,
        objects: backup,
        srcContainer: p.backup.container,
        dstContainer: p.production.container,
        dstKey: (k) => prodPrefix + k.slice(backupPrefix.length),
      });
    }
  }
  const now = ctx.deps.now();
  const next = await ctx.store.update(p.id, (cur) => ({
    ...cur,
    status: 'rolled-back',
    rolledBackBy: actor,
    failure: cur.failure ?? (actor === 'medic' ? why : undefined),
    steps: {
      ...cur.steps,
      promote: { ...cur.steps.promote, summary: `rolled back (${why})` },
      ...(cur.steps.consumers.state === 'pending'
        ? { consumers: { state: 'skipped' as const, finishedAt: now, summary: 'rolled back' } }
        : {}),
    },
    updatedAt: now,
  }));
  if (next) {
    await refreshProgress(progressDeps(ctx), next);
    await backfillTimeline(
      progressDeps(ctx),
      next,
      'rolled-back',
      `rolled back by ${actor === 'medic' ? 'medic' : `<@${actor}>`} (${why})`,
      actor,
    );
  }
  await ctx.store.release(p.job, p.id);
  return 'rolled back';
}
