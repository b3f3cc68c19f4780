// Admin API under /_sim/ (JSON), for the sandbox page, benchmarks and tests in other processes:
//   GET  /_sim/requests[?service=&operation=&since=]   recorded requests
//   DELETE /_sim/requests                               forget them
//   GET  /_sim/faults · POST /_sim/faults {rules, mode?: 'replace'|'add'}
//   POST /_sim/reset                                    state rebuilt from the scenarios, faults and requests cleared
//   GET  /_sim/state                                    a summary of jobs, log groups, buckets, clock
//   POST /_sim/clock {advanceMs?, speed?}               move simulated time
//   POST /_sim/runs {job, durationSec?, outcome?, errorMessage?, startingSec?, executionSec?}   behaviour of new runs
//   POST /_sim/next-run {job, after, delaySec?, durationSec, executionSec?, outcome?}   once the next run of
//                       `after` ends, `job` runs by itself (its next scheduled run), reporting executionSec
import { z } from 'zod';
import { FaultRule, type FaultInjector } from './faults.js';
import { runSnapshot } from './glue-store.js';
import type { RequestLog } from './requests.js';
import type { SimState } from './state.js';
import type { SimResponse } from './s3.js';

export interface AdminContext {
  state: SimState;
  faults: FaultInjector;
  requests: RequestLog;
  reset(): void;
}

const FaultsBody = z.object({
  rules: z.array(FaultRule),
  mode: z.enum(['replace', 'add']).default('replace'),
});
const ClockBody = z.object({ advanceMs: z.number().min(0).optional(), speed: z.number().min(0).optional() });
const RunsBody = z.object({
  job: z.string(),
  durationSec: z.number().min(0).optional(),
  startingSec: z.number().min(0).optional(),
  outcome: z.enum(['SUCCEEDED', 'FAILED', 'TIMEOUT', 'ERROR']).optional(),
  errorMessage: z.string().optional(),
  executionSec: z.number().min(0).optional(),
});
const NextRunBody = z.object({
  job: z.string(),
  after: z.string(),
  delaySec: z.number().min(0).default(5),
  durationSec: z.number().min(0),
  executionSec: z.number().min(0).optional(),
  outcome: z.enum(['SUCCEEDED', 'FAILED', 'TIMEOUT', 'ERROR']).optional(),
});

// A sandbox page served from another origin may call the admin API from the browser.
const CORS = {
  'access-control-allow-origin': '*',
  'access-control-allow-methods': 'GET, POST, DELETE, OPTIONS',
  'access-control-allow-headers': 'content-type',
};

function json(status: number, value: unknown): SimResponse {
  return { status, headers: { 'content-type': 'application/json', ...CORS }, body: JSON.stringify(value) };
}

function parseBody<T>(schema: z.ZodType<T>, body: Buffer): T | SimResponse {
  let raw: unknown;
  try {
    raw = body.length ? JSON.parse(body.toString('utf8')) : {};
  } catch {
    return json(400, { error: 'body is not JSON' });
  }
  const r = schema.safeParse(raw);
  if (!r.success) return json(400, { error: 'invalid body', issues: r.error.issues });
  return r.data;
}

const isResponse = (v: unknown): v is SimResponse =>
  typeof v === 'object' && v !== null && 'status' in v && 'headers' in v;

export function stateSummary(state: SimState, faults: FaultInjector): unknown {
  const now = state.now();
  return {
    clock: { now, nowIso: new Date(now).toISOString(), speed: state.clock.speed },
    jobs: [...state.glue.jobs.values()].map((j) => {
      const runs = state.glue.runsOf(j.Name);
      return {
        name: j.Name,
        workerType: j.WorkerType,
        numberOfWorkers: j.NumberOfWorkers,
        inputPath: j.DefaultArguments['--input_path'],
        runs: runs.length,
        latestRun: runs[0] ? { id: runs[0].Id, state: runSnapshot(runs[0], now).state } : undefined,
        behaviour: j.behaviour,
      };
    }),
    tables: [...state.glue.tables.values()].map((t) => ({
      database: t.DatabaseName,
      name: t.Name,
      versions: t.versions.length,
    })),
    logGroups: [...state.logs.groups.values()].map((g) => ({
      name: g.name,
      streams: g.streams.size,
      events: [...g.streams.values()].reduce((n, s) => n + s.events.length, 0),
    })),
    buckets: [...state.s3.buckets.values()].map((b) => ({
      name: b.name,
      storedObjects: b.storedObjects().length,
      syntheticObjects: b.keyspaces.reduce((n, k) => n + k.total, 0),
      keyspaces: b.keyspaces.map((k) => ({
        prefix: k.prefix,
        objects: k.total,
        bytes: k.totalBytes,
        partitions: k.partitions.length,
      })),
    })),
    copies: state.s3.copies.length,
    faults: faults.list(),
  };
}

export async function handleAdmin(
  ctx: AdminContext,
  method: string,
  url: URL,
  body: Buffer,
): Promise<SimResponse> {
  const path = url.pathname.replace(/\/+$/, '');
  if (method === 'OPTIONS') return { status: 204, headers: CORS };
  if (path === '/_sim/requests' && method === 'GET') {
    const since = url.searchParams.get('since');
    return json(
      200,
      ctx.requests.list({
        ...(url.searchParams.get('service') ? { service: url.searchParams.get('service')! } : {}),
        ...(url.searchParams.get('operation') ? { operation: url.searchParams.get('operation')! } : {}),
        ...(since !== null ? { since: Number(since) } : {}),
      }),
    );
  }
  if (path === '/_sim/requests' && method === 'DELETE') {
    ctx.requests.clear();
    return json(200, { ok: true });
  }
  if (path === '/_sim/faults' && method === 'GET') return json(200, { rules: ctx.faults.list() });
  if (path === '/_sim/faults' && method === 'POST') {
    const b = parseBody(FaultsBody, body);
    if (isResponse(b)) return b;
    if (b.mode === 'add') ctx.faults.add(b.rules);
    else ctx.faults.set(b.rules);
    return json(200, { rules: ctx.faults.list() });
  }
  if (path === '/_sim/reset' && method === 'POST') {
    ctx.reset();
    return json(200, { ok: true });
  }
  if (path === '/_sim/state' && method === 'GET') return json(200, stateSummary(ctx.state, ctx.faults));
  if (path === '/_sim/clock' && method === 'POST') {
    const b = parseBody(ClockBody, body);
    if (isResponse(b)) return b;
    if (b.speed !== undefined) ctx.state.clock.speed = b.speed;
    if (b.advanceMs !== undefined) ctx.state.clock.advance(b.advanceMs);
    return json(200, { now: ctx.state.now(), speed: ctx.state.clock.speed });
  }
  if (path === '/_sim/runs' && method === 'POST') {
    const b = parseBody(RunsBody, body);
    if (isResponse(b)) return b;
    if (!ctx.state.glue.jobs.has(b.job)) return json(404, { error: `no job ${b.job}` });
    const { job, ...behaviour } = b;
    ctx.state.glue.configureRuns(job, behaviour);
    return json(200, { job, behaviour: ctx.state.glue.jobs.get(job)!.behaviour });
  }
  if (path === '/_sim/next-run' && method === 'POST') {
    const b = parseBody(NextRunBody, body);
    if (isResponse(b)) return b;
    for (const j of [b.job, b.after])
      if (!ctx.state.glue.jobs.has(j)) return json(404, { error: `no job ${j}` });
    const { outcome, executionSec, ...rest } = b;
    ctx.state.glue.scheduleNextRun({
      ...rest,
      ...(outcome ? { outcome } : {}),
      ...(executionSec !== undefined ? { executionSec } : {}),
    });
    return json(200, { scheduled: b });
  }
  return json(404, { error: `no admin route ${method} ${path}` });
}
