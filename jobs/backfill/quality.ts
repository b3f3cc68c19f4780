// Step 3, quality: schema, rows, nulls and min/max of every column of the staging output against
// production, from Parquet footers only; optionally the platform's own data-quality engine too.
import { isActive } from '../../src/domain/run-record.js';
import {
  datasetStats,
  formatLoc,
  partitionPrefix,
  qualityCaveats,
  qualityFindings,
  type BackfillRecord,
  type Location,
} from '../../src/domain/backfill-plan.js';
import { listPrefixes } from '../../src/providers/snapshot.js';
import { dataFiles, readFacts } from '../../src/providers/backfill-footers.js';
import { StepFailure, finish, requeue, start, storeFor, type Ctx } from './context.js';

async function windowFacts(ctx: Ctx, loc: Location, dates: string[]) {
  const store = storeFor(ctx, loc);
  const objects = dataFiles(
    await listPrefixes(
      store,
      loc.container,
      dates.map((d) => partitionPrefix(loc, d)),
    ),
  );
  return readFacts(store, loc.container, objects);
}

export async function quality(ctx: Ctx, r0: BackfillRecord): Promise<string> {
  let r = await start(ctx, r0, 'quality', 'reading Parquet footers');
  const p = r.plan;
  if (!r.stats) {
    const [prodFacts, stagingFacts] = await Promise.all([
      windowFacts(ctx, p.production, p.dates),
      windowFacts(ctx, p.stagingOutput, p.dates),
    ]);
    const production = datasetStats(prodFacts, p.smallFileBytes);
    const staging = datasetStats(stagingFacts, p.smallFileBytes);
    r = (await ctx.store.update(p.id, (cur) => ({ ...cur, stats: { production, staging } }))) ?? r;
  }
  const { production, staging } = r.stats!;
  const findings = qualityFindings(production, staging, p.checks, p.tolerances);
  if (p.checks.dataQuality && p.table) {
    const dq = await dataQuality(ctx, r, Object.keys(production.schema), production.rows);
    findings.push(...dq);
  }
  if (findings.length) {
    await ctx.store.update(p.id, (cur) => ({ ...cur, qualityFindings: findings }));
    throw new StepFailure(`${findings.length} quality check(s) failed: ${findings.slice(0, 3).join('; ')}`);
  }
  const cols = Object.keys(staging.schema).length;
  const caveats = qualityCaveats(production, staging, p.checks);
  return finish(
    ctx,
    r,
    'quality',
    `schema (${cols} columns), ${staging.rows.toLocaleString('en-US')} rows, nulls and min/max of every column match production${p.checks.dataQuality && p.table ? ' · Glue Data Quality passed' : ''} (${staging.files} staging files, footers only)${caveats.length ? ` · ${caveats.join('; ')}` : ''}`,
  );
}

/** The platform's data-quality engine on the staging output: the failed rules (empty when all pass). */
async function dataQuality(
  ctx: Ctx,
  r: BackfillRecord,
  columns: string[],
  prodRows: number,
): Promise<string[]> {
  const p = r.plan;
  const dq = ctx.dataQuality();
  let runId = r.dqRunId;
  if (!runId) {
    const started = await dq.start({
      name: `medic-backfill-${p.id}`,
      database: p.table!.database,
      table: p.table!.name,
      columns,
      checks: p.checks,
      minRows: prodRows * (1 - p.tolerances.rowsPct / 100) - 1,
      runAsJob: p.stagingJob,
      location: formatLoc(p.stagingOutput),
    });
    await ctx.store.update(p.id, (cur) => (cur.dqRunId ? undefined : { ...cur, dqRunId: started }));
    runId = (await ctx.store.get(p.id))?.dqRunId ?? started;
  }
  const run = await dq.getRun(runId);
  if (isActive(run.state)) return requeue(ctx);
  if (run.state !== 'succeeded')
    return [`${dq.name} run ${runId} ended ${run.platformState}${run.error ? `: ${run.error}` : ''}`];
  const failed: string[] = [];
  for (const id of run.resultIds) {
    const res = await dq.getResult(id);
    for (const rule of res.rules)
      if (rule.result !== 'PASS')
        failed.push(`Data Quality: ${rule.name} → ${rule.result}${rule.message ? ` (${rule.message})` : ''}`);
  }
  return failed;
}
