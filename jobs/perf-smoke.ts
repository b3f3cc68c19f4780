// The perf-smoke processor: a run of the job's staging job on a representative sample, isolated
// (it moves no bookmark), followed without holding a worker, then judged against the earlier
// smoke runs of the same sample (domain/perf-smoke). The run is tagged with the smoke id, so a
// worker that dies after starting it adopts it instead of starting a second one.
import { DelayedError, UnrecoverableError, type Job } from 'bullmq';
import type { Deps } from '../src/deps.js';
import type { Logger } from '../src/logger.js';
import { PerfSmokePayload } from '../src/queue/payloads.js';
import { jobProvider } from '../src/config/index.js';
import { ProviderError, type JobRun } from '../src/providers/ports.js';
import { isActive } from '../src/domain/run-record.js';
import { runCost } from '../src/domain/cost.js';
import { judgeSmoke, type SmokeRun } from '../src/domain/perf-smoke.js';
import { PerfSmokeStore, type PerfSmokeRecord } from '../src/store/perf-smoke.js';

/** The parameter that tags a smoke run with its id. */
export const SMOKE_PARAMETER = 'medic_perf_smoke';

export function perfSmokeProcessor(deps: Deps) {
  return async (job: Job, log: Logger, token?: string) => {
    const p = PerfSmokePayload.parse(job.data);
    const store = new PerfSmokeStore(deps.state, deps.config.env.MEDIC_PREFIX);
    const r = await store.get(p.smokeId);
    if (!r) throw new UnrecoverableError(`perf-smoke ${p.smokeId} is unknown`);
    if (r.state !== 'running') return { state: r.state };
    const platform = deps.providers.jobPlatform(jobProvider(deps.config.medic, r.job));
    const later = async (polls: number): Promise<never> => {
      await job.updateData({ ...p, step: 'poll', polls });
      await job.moveToDelayed(Date.now() + deps.timings.mitigationPollMs, token);
      throw new DelayedError();
    };
    try {
      let runId = r.runId;
      if (!runId) {
        const recent = await platform.listRuns(r.stagingJob, {
          maxRuns: 20,
          since: new Date(r.createdAt - 60_000),
        });
        runId =
          recent.find((x) => x.parameters[SMOKE_PARAMETER] === r.id)?.id ??
          (await platform.startRun(r.stagingJob, {
            parameters: {
              input_path: r.sample,
              output_path: scratchOutput(deps, r),
              [SMOKE_PARAMETER]: r.id,
            },
            isolated: true,
          }));
        await store.put({ ...r, runId });
        log.info({ smokeId: r.id, runId }, 'perf-smoke run started');
        return later(0);
      }
      const run: JobRun = await platform.getRun(r.stagingJob, runId);
      if (isActive(run.state)) {
        if (p.polls + 1 >= deps.timings.mitigationMaxPolls) {
          await store.put({
            ...r,
            state: 'error',
            error: `run ${runId} still ${run.platformState} after ${p.polls + 1} checks`,
          });
          return { state: 'error' };
        }
        return later(p.polls + 1);
      }
      const cost = runCost(run);
      const smoke: SmokeRun = {
        runId,
        succeeded: run.state === 'succeeded',
        durationSec: run.durationSec,
        ...(cost.unitHours !== undefined ? { unitHours: cost.unitHours } : {}),
        ...(cost.costUsd !== undefined ? { costUsd: cost.costUsd } : {}),
        at: run.startedOn.getTime(),
      };
      const result = judgeSmoke(await store.history(r.job, r.sample), smoke, r.maxOverPct);
      await store.finish(r, smoke, result);
      log.info({ smokeId: r.id, runId, verdict: result.verdict }, 'perf-smoke judged');
      return { state: result.verdict };
    } catch (err) {
      if (err instanceof DelayedError) throw err;
      if (err instanceof ProviderError && !err.retryable) {
        await store.put({ ...r, state: 'error', error: err.message });
        return { state: 'error' };
      }
      throw err;
    }
  };
}

/**
 * Where the smoke run writes: a folder of its own under the job's output whose name starts with
 * `_`, which Spark and Hive readers skip (like the backfill's `_backfill/`), never over the data.
 */
export function scratchOutput(deps: Deps, r: PerfSmokeRecord): string {
  const out = deps.config.medic.jobs[r.job]?.output ?? '';
  return `${out.endsWith('/') ? out : `${out}/`}_perf-smoke/${r.id}/`;
}
