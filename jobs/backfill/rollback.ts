// Rollback (the Rollback button, or a promotion that failed): production's partitions of the window
// put back as they were before promotion — the previous partition locations in the catalog, or the
// backed-up objects copied back for every day promotion had cleared. Day by day, so one day that
// cannot be restored does not keep the others from being restored; the outcome of each day is
// recorded (`rollback` on the record) and shown. A rollback that fails on its last attempt ends
// there: status failed, the message says which prefixes are in which state, and Retry rollback
// runs it again (the copies it made are recorded, so a retry copies only what is still missing).
import { listPrefixes } from '../../src/providers/snapshot.js';
import {
  partitionPrefix,
  type BackfillRecord,
  type RollbackPartition,
  type RollbackReport,
} from '../../src/domain/backfill-plan.js';
import { backfillTimeline, refreshProgress } from '../../src/slack/actions/backfill-shared.js';
import { redactSecrets } from '../../src/domain/redact.js';
import { ProviderError } from '../../src/providers/ports.js';
import { progressDeps, storeFor, uri, type Ctx } from './context.js';
import { copyRecorded } from './resumable-copy.js';
import { clearedKey } from './promote.js';

const messageOf = (err: unknown) =>
  redactSecrets(err instanceof Error ? err.message : String(err)).slice(0, 300);

/** What went wrong so far; retryable while every error may go away by itself. */
class Failures {
  readonly errors: string[] = [];
  retryable = true;
  fail(message: string, err?: unknown): void {
    this.errors.push(message);
    if (!(err instanceof ProviderError) || !err.retryable) this.retryable = false;
  }
}

/** The rollback thrown by a step job that has attempts left (BullMQ retries it). */
class RollbackIncomplete extends Error {
  override readonly name = 'RollbackIncomplete';
}

async function restoreByCopy(ctx: Ctx, r: BackfillRecord, acc: Failures): Promise<RollbackPartition[]> {
  const p = r.plan;
  const store = storeFor(ctx, p.production);
  const out: RollbackPartition[] = [];
  for (const dt of p.dates) {
    const prodPrefix = partitionPrefix(p.production, dt);
    const backupPrefix = `${p.backup.prefix}${prodPrefix}`;
    // A day is only changed once its backup is complete and it was cleared (promotion marks
    // that); a day never cleared still holds exactly its production objects: leave it alone.
    if (!(await ctx.deps.state.get(clearedKey(ctx, p.id, dt)))) {
      out.push({ dt, state: 'untouched', detail: 'never cleared: its objects are as they were' });
      continue;
    }
    let backup: Awaited<ReturnType<typeof listPrefixes>> | undefined;
    try {
      backup = await listPrefixes(store, p.backup.container, [backupPrefix]);
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
      out.push({ dt, state: 'restored', detail: `${backup.length} object(s) back from the backup` });
    } catch (err) {
      acc.fail(`dt=${dt}: ${messageOf(err)}`, err);
      out.push(await dayState(ctx, r, dt, backup));
    }
  }
  return out;
}

/** What a day that could not be restored holds now, read again (or 'unknown' when unreadable). */
async function dayState(
  ctx: Ctx,
  r: BackfillRecord,
  dt: string,
  known: Awaited<ReturnType<typeof listPrefixes>> | undefined,
): Promise<RollbackPartition> {
  const p = r.plan;
  const store = storeFor(ctx, p.production);
  const prodPrefix = partitionPrefix(p.production, dt);
  const backupPrefix = `${p.backup.prefix}${prodPrefix}`;
  const where = uri(p.backup, backupPrefix);
  try {
    const backup = known ?? (await listPrefixes(store, p.backup.container, [backupPrefix]));
    const current = await listPrefixes(store, p.production.container, [prodPrefix]);
    const want = new Set(backup.map((b) => prodPrefix + b.key.slice(backupPrefix.length)));
    const back = current.filter((c) => want.has(c.key)).length;
    const extra = current.length - back;
    return {
      dt,
      state: 'not-restored',
      detail: `not restored: ${back} of ${backup.length} backed-up object(s) back, ${extra} promoted object(s) still there; the backup is intact at ${where}`,
    };
  } catch (err) {
    return {
      dt,
      state: 'unknown',
      detail: `could not be read (${messageOf(err)}); the backup is at ${where}`,
    };
  }
}

async function restoreCatalog(ctx: Ctx, r: BackfillRecord, acc: Failures): Promise<RollbackPartition[]> {
  const p = r.plan;
  const promoted = r.promoted ?? [];
  const back = promoted.filter((x) => x.previous);
  const out: RollbackPartition[] = p.dates
    .filter((dt) => !back.some((x) => x.dt === dt))
    .map((dt) => ({ dt, state: 'untouched' as const, detail: 'its location was never switched' }));
  if (!back.length) return out;
  const db = p.table!.database;
  const table = p.table!.name;
  /** Where each partition points now, or undefined when the catalog cannot say. */
  const locations = async (): Promise<Map<string, string> | undefined> => {
    try {
      const parts = await ctx.catalog().getPartitions(
        db,
        table,
        back.map((x) => [x.dt]),
      );
      return new Map(parts.map((x) => [x.values[0]!, x.location]));
    } catch {
      return undefined;
    }
  };
  // A partition already at its production location (the promotion's switch never happened, or a
  // rollback before this one set it back) needs nothing.
  const atProduction = (x: (typeof back)[number]): RollbackPartition => ({
    dt: x.dt,
    state: 'restored',
    detail: `points at ${x.previous}, its production location`,
  });
  const before = await locations();
  const todo = back.filter((x) => before?.get(x.dt) !== x.previous);
  for (const x of back) if (before?.get(x.dt) === x.previous) out.push(atProduction(x));
  if (!todo.length) return out.sort((a, b) => a.dt.localeCompare(b.dt));
  try {
    const failed = await ctx.catalog().setPartitionLocations(
      db,
      table,
      todo.map((x) => ({ values: [x.dt], location: x.previous })),
    );
    const byDt = new Map(failed.map((f) => [f.values[0], f.error]));
    for (const x of todo) {
      const e = byDt.get(x.dt);
      if (e) acc.fail(`dt=${x.dt}: ${e}`);
      out.push(
        e
          ? { dt: x.dt, state: 'not-restored', detail: `not restored: still points at ${x.now} (${e})` }
          : { dt: x.dt, state: 'restored', detail: `location set back to ${x.previous}` },
      );
    }
  } catch (err) {
    acc.fail(messageOf(err), err);
    // The call failed as a whole: read back where each partition points, to say which is which.
    const after = await locations();
    for (const x of todo) {
      const at = after?.get(x.dt);
      out.push(
        at === x.previous
          ? atProduction(x)
          : at === x.now
            ? { dt: x.dt, state: 'not-restored', detail: `not restored: still points at ${x.now}` }
            : {
                dt: x.dt,
                state: 'unknown',
                detail: at
                  ? `points at ${at}, neither its production location nor the staging output`
                  : `the catalog call failed: it points at ${x.previous} (restored) or ${x.now} (promoted)`,
              },
      );
    }
  }
  return out.sort((a, b) => a.dt.localeCompare(b.dt));
}

/**
 * `final`: no attempt follows this one (a promotion's own rollback, or a rollback job's last
 * attempt); a failure then ends the backfill in its final state instead of throwing.
 */
export async function rollback(
  ctx: Ctx,
  r: BackfillRecord,
  actor: string,
  why: string,
  opts: { final: boolean } = { final: true },
): Promise<string> {
  const p = r.plan;
  if (r.status === 'rolled-back') return 'already rolled back';
  const attempt = (r.rollback?.attempt ?? 0) + 1;
  const acc = new Failures();
  const { errors } = acc;
  const partitions =
    r.promoteMode === 'catalog' && p.table
      ? await restoreCatalog(ctx, r, acc)
      : await restoreByCopy(ctx, r, acc);
  const now = ctx.deps.now();
  const report: RollbackReport = { at: now, by: actor, ok: errors.length === 0, attempt, partitions };
  if (errors.length) {
    report.error = errors.join('; ').slice(0, 1000);
    const retrying = !opts.final && acc.retryable;
    if (retrying) report.retrying = true;
    const next = await ctx.store.update(p.id, (cur) => ({
      ...cur,
      status: 'failed',
      rollback: report,
      failure: cur.failure ?? `rollback failed: ${report.error}`,
      updatedAt: now,
    }));
    if (next) {
      await refreshProgress(progressDeps(ctx), next);
      if (!retrying)
        await backfillTimeline(
          progressDeps(ctx),
          next,
          `rollback-failed-${attempt}`,
          `rollback failed (${why}): ${partitions.map((x) => `dt=${x.dt} ${x.state}`).join(', ')}`,
          actor,
        );
    }
    if (retrying) throw new RollbackIncomplete(`rollback incomplete: ${report.error}`);
    return 'rollback failed';
  }
  const next = await ctx.store.update(p.id, (cur) => ({
    ...cur,
    status: 'rolled-back',
    rolledBackBy: actor,
    rollback: report,
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
      `rolled back by ${actor === 'medic' ? 'medic' : `<@${actor}>`} (${why}): ${partitions.map((x) => `dt=${x.dt} ${x.state}`).join(', ')}`,
      actor,
    );
  }
  await ctx.store.release(p.job, p.id);
  return 'rolled back';
}
