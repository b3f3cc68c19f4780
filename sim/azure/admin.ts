// Admin API of the Azure side, under /_sim/azure/ (JSON, no token needed), for the sandbox page,
// benchmarks and tests in other processes:
//   GET  /_sim/azure/requests[?service=&operation=&since=]   · DELETE /_sim/azure/requests
//   GET  /_sim/azure/faults · POST /_sim/azure/faults {rules, mode?: 'replace'|'add'}
//   POST /_sim/azure/reset                                   scenarios rebuilt, faults and requests cleared
//   GET  /_sim/azure/state                                   workspaces, pipelines, runs, pools, clock
//   POST /_sim/azure/clock {advanceMs?, speed?}
//   POST /_sim/azure/runs {workspace?, pipeline, queuedSec?, durationSec?, outcome?, errorMessage?, …}
import { z } from 'zod';
import { AzureFaultRule } from './faults.js';
import { json, type AzureResponse } from './http.js';
import { runView } from './state.js';
import type { AzureServerContext } from './server.js';

const FaultsBody = z.object({
  rules: z.array(AzureFaultRule),
  mode: z.enum(['replace', 'add']).default('replace'),
});
const ClockBody = z.object({ advanceMs: z.number().min(0).optional(), speed: z.number().min(0).optional() });
const RunsBody = z.object({
  workspace: z.string().optional(),
  pipeline: z.string(),
  queuedSec: z.number().min(0).optional(),
  durationSec: z.number().min(0).optional(),
  outcome: z.enum(['Succeeded', 'Failed']).optional(),
  failedActivity: z.string().optional(),
  errorCode: z.string().optional(),
  errorMessage: z.string().optional(),
  failureType: z.enum(['UserError', 'SystemError']).optional(),
  sparkLog: z.array(z.string()).optional(),
});

const CORS = {
  'access-control-allow-origin': '*',
  'access-control-allow-methods': 'GET, POST, DELETE, OPTIONS',
  'access-control-allow-headers': 'content-type',
};

function parse<T>(schema: z.ZodType<T>, text: string): T | AzureResponse {
  let raw: unknown;
  try {
    raw = text ? JSON.parse(text) : {};
  } catch {
    return json(400, { error: 'body is not JSON' }, CORS);
  }
  const r = schema.safeParse(raw);
  return r.success ? r.data : json(400, { error: 'invalid body', issues: r.error.issues }, CORS);
}

const isResponse = (v: unknown): v is AzureResponse =>
  typeof v === 'object' && v !== null && 'status' in v && 'headers' in v;

export function azureStateSummary(ctx: AzureServerContext): unknown {
  const { state } = ctx;
  const now = state.now();
  return {
    clock: { now, nowIso: new Date(now).toISOString(), speed: state.clock.speed },
    subscriptionId: state.subscriptionId,
    resourceGroup: state.resourceGroup,
    tokensIssued: ctx.tokens.issued,
    workspaces: [...state.workspaces.values()].map((w) => ({
      name: w.name,
      endpoint: `${ctx.baseUrl}/synapse/${w.name}`,
      pools: [...w.pools.values()].map((p) => ({ name: p.name, properties: p.properties })),
      pipelines: [...w.pipelines.values()].map((p) => {
        const runs = state.runsOf(w.name, p.name);
        const last = runs[runs.length - 1];
        return {
          name: p.name,
          runs: runs.length,
          latestRun: last ? { runId: last.runId, status: runView(last, now).status } : undefined,
          behaviour: p.behaviour,
        };
      }),
      sparkApplications: w.apps.length,
    })),
    logAnalytics: [...state.logAnalytics.values()].map((l) => ({
      id: l.id,
      synapseWorkspaces: l.synapseWorkspaces,
      sparkLogRows: l.sparkLog.length,
    })),
    faults: ctx.faults.list(),
  };
}

export function handleAzureAdmin(
  ctx: AzureServerContext,
  method: string,
  url: URL,
  text: string,
): AzureResponse {
  const path = url.pathname.replace(/\/+$/, '');
  if (method === 'OPTIONS') return { status: 204, headers: CORS };
  if (path === '/_sim/azure/requests' && method === 'GET') {
    const since = url.searchParams.get('since');
    return json(
      200,
      ctx.requests.list({
        ...(url.searchParams.get('service') ? { service: url.searchParams.get('service')! } : {}),
        ...(url.searchParams.get('operation') ? { operation: url.searchParams.get('operation')! } : {}),
        ...(since !== null ? { since: Number(since) } : {}),
      }),
      CORS,
    );
  }
  if (path === '/_sim/azure/requests' && method === 'DELETE') {
    ctx.requests.clear();
    return json(200, { ok: true }, CORS);
  }
  if (path === '/_sim/azure/faults' && method === 'GET') return json(200, { rules: ctx.faults.list() }, CORS);
  if (path === '/_sim/azure/faults' && method === 'POST') {
    const b = parse(FaultsBody, text);
    if (isResponse(b)) return b;
    if (b.mode === 'add') ctx.faults.add(b.rules);
    else ctx.faults.set(b.rules);
    return json(200, { rules: ctx.faults.list() }, CORS);
  }
  if (path === '/_sim/azure/reset' && method === 'POST') {
    ctx.reset();
    return json(200, { ok: true }, CORS);
  }
  if (path === '/_sim/azure/state' && method === 'GET') return json(200, azureStateSummary(ctx), CORS);
  if (path === '/_sim/azure/clock' && method === 'POST') {
    const b = parse(ClockBody, text);
    if (isResponse(b)) return b;
    if (b.speed !== undefined) ctx.state.clock.speed = b.speed;
    if (b.advanceMs !== undefined) ctx.state.clock.advance(b.advanceMs);
    return json(200, { now: ctx.state.now(), speed: ctx.state.clock.speed }, CORS);
  }
  if (path === '/_sim/azure/runs' && method === 'POST') {
    const b = parse(RunsBody, text);
    if (isResponse(b)) return b;
    const { workspace, pipeline, ...behaviour } = b;
    const ws = workspace ?? [...ctx.state.workspaces.keys()][0];
    if (!ws || !ctx.state.workspaces.get(ws)?.pipelines.has(pipeline))
      return json(404, { error: `no pipeline ${pipeline} in ${ws ?? '(no workspace)'}` }, CORS);
    ctx.state.configureRuns(ws, pipeline, behaviour);
    return json(
      200,
      { workspace: ws, pipeline, behaviour: ctx.state.workspace(ws).pipelines.get(pipeline)!.behaviour },
      CORS,
    );
  }
  return json(404, { error: `no admin route ${method} ${path}` }, CORS);
}
