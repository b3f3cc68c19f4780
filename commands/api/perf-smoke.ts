// POST /api/v1/perf-smoke {job, sample, maxOverPct?} and GET /api/v1/perf-smoke/<id>: the CI
// step that runs the job's staging job on a representative sample and judges its time against the
// earlier smoke runs of that sample (the post-mortem's "perf-smoke en CI").
import { z } from 'zod';
import type { Deps } from '../../src/deps.js';
import { ApiError, type ApiEndpoint } from '../../src/http/api.js';
import { parseObjectUri, ObjectUriError } from '../../src/providers/object-uri.js';
import { PerfSmokeStore, type PerfSmokeRecord } from '../../src/store/perf-smoke.js';
import { stableId } from '../../src/queue/payloads.js';

const Body = z.object({
  job: z.string().min(1).max(255),
  sample: z.string().min(1).max(1024),
  maxOverPct: z.number().min(1).max(1000).optional(),
});

function answer(r: PerfSmokeRecord) {
  return {
    id: r.id,
    job: r.job,
    sample: r.sample,
    state: r.state,
    maxOverPct: r.maxOverPct,
    ...(r.runId ? { runId: r.runId } : {}),
    ...(r.result ? { result: r.result } : {}),
    ...(r.error ? { error: r.error } : {}),
  };
}

export function perfSmokeEndpoints(deps: Deps): ApiEndpoint[] {
  const store = () => new PerfSmokeStore(deps.state, deps.config.env.MEDIC_PREFIX);
  return [
    {
      method: 'POST',
      path: '/api/v1/perf-smoke',
      async handle({ caller, body }) {
        const parsed = Body.safeParse(body);
        if (!parsed.success) {
          const issue = parsed.error.issues[0]!;
          throw new ApiError(400, issue.message, issue.path.join('.') || '(body)');
        }
        const b = parsed.data;
        const jobCfg = deps.config.medic.jobs[b.job];
        if (!jobCfg) throw new ApiError(404, `no job ${b.job} in medic.yml`, 'job');
        if (!jobCfg.stagingJob || !jobCfg.output)
          throw new ApiError(
            400,
            `job ${b.job} needs stagingJob and output in medic.yml for a perf-smoke run`,
            'job',
          );
        try {
          parseObjectUri(b.sample);
        } catch (err) {
          if (err instanceof ObjectUriError) throw new ApiError(400, err.message, 'sample');
          throw err;
        }
        if (/[?#]/.test(b.sample))
          throw new ApiError(400, 'the sample must be a location without a query string', 'sample');
        const now = deps.now();
        const id = await store().newId(now);
        const record: PerfSmokeRecord = {
          id,
          job: b.job,
          stagingJob: jobCfg.stagingJob,
          sample: b.sample,
          maxOverPct:
            b.maxOverPct ??
            jobCfg.degradation?.thresholdPct ??
            deps.config.medic.defaults.degradation.thresholdPct,
          caller,
          createdAt: now,
          state: 'running',
        };
        await store().put(record);
        await deps.producers.enqueue(
          'perfsmoke',
          { smokeId: id, step: 'start', polls: 0 },
          { jobId: stableId('perfsmoke', id) },
        );
        deps.logger.info({ smokeId: id, caller, job: b.job }, 'perf-smoke requested');
        return { status: 202, body: answer(record) };
      },
    },
    {
      method: 'GET',
      path: '/api/v1/perf-smoke/:id',
      async handle({ params }) {
        const id = params.id ?? '';
        const r = /^smoke-\d{8}-\d{1,9}$/.test(id) ? await store().get(id) : undefined;
        if (!r) throw new ApiError(404, `no perf-smoke ${id}`, 'id');
        return { status: 200, body: answer(r) };
      },
    },
  ];
}
