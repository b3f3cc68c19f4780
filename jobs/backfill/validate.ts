// Step 4, validate: the staging figures against production within the plan's tolerances; ticks the
// incident checklist's "backfill staging" item.
import { baselineDiff, type BackfillRecord } from '../../src/domain/backfill-plan.js';
import { backfillTimeline } from '../../src/slack/actions/backfill-shared.js';
import { refreshChecklistMessage } from '../../src/slack/checklist-message.js';
import { StepFailure, finish, progressDeps, start, type Ctx } from './context.js';

export async function validate(ctx: Ctx, r0: BackfillRecord): Promise<string> {
  const r = await start(ctx, r0, 'validate');
  const p = r.plan;
  if (!r.stats) throw new StepFailure('no quality figures recorded');
  const diff = baselineDiff(r.stats.production, r.stats.staging, p.tolerances);
  await ctx.store.update(p.id, (cur) => ({ ...cur, diff }));
  const breaches = diff.filter((d) => !d.ok);
  if (breaches.length)
    throw new StepFailure(
      `tolerance breach: ${breaches.map((b) => `${b.metric} ${b.diff} (tolerance ${b.tolerance})`).join(', ')}`,
    );
  if (p.incidentId) {
    const changed = await ctx.deps.checklists.set(p.incidentId, 'backfill-staging', true, 'medic', {
      at: ctx.deps.now(),
      note: `backfill ${p.id}: staging run, quality checks and validation passed`,
      onlyIfUnset: true,
    });
    if (changed)
      await backfillTimeline(
        progressDeps(ctx),
        r,
        'checklist',
        'checklist: "Backfill staging ejecutado y checks verificados" ticked',
      );
    await refreshChecklistMessage(ctx.deps, p.incidentId).catch((err: unknown) =>
      ctx.log.warn({ err }, 'checklist refresh failed'),
    );
  }
  return finish(ctx, r, 'validate', `rows, files, bytes, small-file share and schema within tolerances`);
}
