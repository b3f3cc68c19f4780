// Step 7, consumers: the configured downstream jobs re-run on the promoted data (each run tagged
// with the backfill id, so a retry adopts it) and followed to the end.
import { redactSecrets } from '../../src/domain/redact.js';
import { isActive, stateLabel } from '../../src/domain/run-record.js';
import type { BackfillRecord } from '../../src/domain/backfill-plan.js';
import { backfillTimeline } from '../../src/slack/actions/backfill-shared.js';
import { StepFailure, event, finish, platformOf, progressDeps, requeue, start, type Ctx } from './context.js';

export async function consumers(ctx: Ctx, r0: BackfillRecord): Promise<string> {
  let r = await start(ctx, r0, 'consumers');
  const p = r.plan;
  if (!p.consumers.length) return finish(ctx, r, 'consumers', 'no consumers configured');
  const platform = platformOf(ctx.deps, r);
  for (const c of p.consumers) {
    if (r.consumerRuns?.[c]) continue;
    // Tagged with the backfill id, so a retry after a crash adopts the run instead of starting another.
    const recent = await platform.listRuns(c, { maxRuns: 50, since: new Date(p.createdAt - 60_000) });
    // A run that failed before a Resume is never adopted again (its consumer runs anew).
    const failedBefore = new Set(r.failedConsumerRunIds ?? []);
    const id =
      recent.find((x) => x.parameters.medic_backfill === p.id && !failedBefore.has(x.id))?.id ??
      (await platform.startRun(c, { parameters: { medic_backfill: p.id } }));
    r =
      (await ctx.store.update(p.id, (cur) =>
        cur.consumerRuns?.[c] ? undefined : { ...cur, consumerRuns: { ...cur.consumerRuns, [c]: id } },
      )) ?? r;
    await backfillTimeline(
      progressDeps(ctx),
      r,
      `consumer-${c}`,
      `consumer ${c} started (run ${r.consumerRuns?.[c] ?? id})`,
    );
  }
  const runs = await Promise.all(
    p.consumers.map(async (c) => [c, await platform.getRun(c, r.consumerRuns![c]!)] as const),
  );
  if (runs.some(([, run]) => isActive(run.state))) {
    if (r.steps.consumers.state !== 'waiting')
      await event(ctx, p.id, 'consumers', {
        type: 'wait',
        at: ctx.deps.now(),
        summary: `following ${runs.length} consumer run(s)`,
      });
    return requeue(ctx);
  }
  const bad = runs.filter(([, run]) => run.state !== 'succeeded');
  if (bad.length) {
    // Which runs failed, kept with the record: a Resume re-runs only these consumers and never
    // adopts these runs again; the consumers that succeeded are not run twice.
    const failedIds = bad.map(([, run]) => run.id);
    await ctx.store.update(p.id, (cur) =>
      failedIds.every((x) => cur.failedConsumerRunIds?.includes(x))
        ? undefined
        : {
            ...cur,
            failedConsumerRunIds: [
              ...(cur.failedConsumerRunIds ?? []),
              ...failedIds.filter((x) => !cur.failedConsumerRunIds?.includes(x)),
            ],
          },
    );
    throw new StepFailure(
      `${bad.map(([c, run]) => `${c} ${stateLabel(run)}${run.errorMessage ? ` (${redactSecrets(run.errorMessage)})` : ''}`).join(', ')}; the promoted data stays (Rollback is available)`,
    );
  }
  return finish(
    ctx,
    r,
    'consumers',
    runs.map(([c, run]) => `${c} ${stateLabel(run)} in ${run.durationSec} s`).join(', '),
  );
}
