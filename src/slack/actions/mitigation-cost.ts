// The cost impact of a requested mitigation, computed in the submit path before the approval
// request is posted (runbook 5.4: estimate the cost per run). One bounded call: the newest runs of
// what will run (one GetJobRuns page); a failure to read them leaves the impact "unknown", with
// the reason, and never blocks the request.
import type { Deps } from '../../deps.js';
import { degradationFor } from '../../config/index.js';
import { ProviderError, type JobPlatform } from '../../providers/ports.js';
import type { MitigationParams } from '../../domain/approval-policy.js';
import { mitigationCostImpact, type CostImpact } from '../../domain/mitigation-cost.js';

/** Runs read for the estimate: one page, enough for a baseline (10) and a window (3). */
export const COST_IMPACT_RUNS = 20;

export async function estimateCostImpact(
  deps: Pick<Deps, 'config' | 'logger'>,
  platform: JobPlatform,
  job: string,
  params: MitigationParams,
): Promise<CostImpact> {
  const target = params.kind === 'compaction' ? params.compactionJob : job;
  const newUnits =
    params.kind === 'scale' ? platform.scaling?.unitsOf?.(params.size, params.count) : undefined;
  const base = {
    job,
    params,
    rule: degradationFor(deps.config.medic, target),
    ...(newUnits !== undefined ? { newUnits } : {}),
  };
  if (params.kind === 'code-fix') return mitigationCostImpact({ ...base, runs: [] });
  try {
    const runs = await platform.listRuns(target, { maxRuns: COST_IMPACT_RUNS });
    return mitigationCostImpact({ ...base, runs });
  } catch (err) {
    if (!(err instanceof ProviderError)) throw err;
    deps.logger.warn({ err, job: target }, 'cost impact: runs could not be read');
    return mitigationCostImpact({
      ...base,
      runs: [],
      unreadable: `the runs of ${target} could not be read (${err.message})`,
    });
  }
}
