// Perf-smoke runs in Redis: one record per request (POST /api/v1/perf-smoke or `medic
// perf-smoke`), and per job and sample the history of finished smoke runs — the baseline the next
// one is judged against.
//
// Keys (P = prefix):
//   P:perf-smoke:<id>                    JSON record
//   P:perf-smoke-seq:<yyyymmdd>          counter for ids
//   P:perf-smoke-history:<job>:<sha>     list of JSON SmokeRun, newest first (at most 50)
import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import { z } from 'zod';
import type { SmokeResult, SmokeRun } from '../domain/perf-smoke.js';

const TTL_SEC = 90 * 86_400;
const HISTORY = 50;

export const PerfSmokeRecord = z.object({
  id: z.string(),
  job: z.string(),
  /** The job the smoke run is a run of (jobs.<job>.stagingJob). */
  stagingJob: z.string(),
  sample: z.string(),
  maxOverPct: z.number(),
  caller: z.string(),
  createdAt: z.number(),
  state: z.enum(['running', 'baseline', 'passed', 'degraded', 'failed', 'error']),
  runId: z.string().optional(),
  result: z.record(z.string(), z.unknown()).optional(),
  error: z.string().optional(),
});
export type PerfSmokeRecord = z.infer<typeof PerfSmokeRecord>;

export class PerfSmokeStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  private key(id: string): string {
    return `${this.prefix}:perf-smoke:${id}`;
  }

  private historyKey(job: string, sample: string): string {
    const sha = createHash('sha256').update(sample).digest('hex').slice(0, 32);
    return `${this.prefix}:perf-smoke-history:${job}:${sha}`;
  }

  async newId(now: number): Promise<string> {
    const day = new Date(now).toISOString().slice(0, 10).replace(/-/g, '');
    const n = await this.redis.incr(`${this.prefix}:perf-smoke-seq:${day}`);
    return `smoke-${day}-${n}`;
  }

  async put(r: PerfSmokeRecord): Promise<void> {
    await this.redis.set(this.key(r.id), JSON.stringify(PerfSmokeRecord.parse(r)), 'EX', TTL_SEC);
  }

  async get(id: string): Promise<PerfSmokeRecord | undefined> {
    const raw = await this.redis.get(this.key(id));
    return raw ? PerfSmokeRecord.parse(JSON.parse(raw)) : undefined;
  }

  async history(job: string, sample: string): Promise<SmokeRun[]> {
    const raw = await this.redis.lrange(this.historyKey(job, sample), 0, HISTORY - 1);
    return raw.map((x) => JSON.parse(x) as SmokeRun);
  }

  /** Records a finished smoke run once (a retried step finds it there). */
  async finish(r: PerfSmokeRecord, run: SmokeRun, result: SmokeResult): Promise<void> {
    const key = this.historyKey(r.job, r.sample);
    const known = (await this.history(r.job, r.sample)).some((x) => x.runId === run.runId);
    const tx = this.redis.multi();
    if (!known)
      tx.lpush(key, JSON.stringify(run))
        .ltrim(key, 0, HISTORY - 1)
        .expire(key, 365 * 86_400);
    tx.set(
      this.key(r.id),
      JSON.stringify(PerfSmokeRecord.parse({ ...r, state: result.verdict, result })),
      'EX',
      TTL_SEC,
    );
    await tx.exec();
  }
}
