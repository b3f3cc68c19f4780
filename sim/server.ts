// The simulator's HTTP server: one port for Glue, CloudWatch Logs, CloudWatch metrics and S3 (told
// apart by the X-Amz-Target header; everything else is S3 path-style), plus the admin API under /_sim/.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { SimError } from './sim-error.js';
import { glueResource, handleGlue } from './glue.js';
import { handleLogs, logsResource, type LogsOptions } from './logs.js';
import { cloudWatchResource, handleCloudWatch } from './cloudwatch.js';
import { handleS3, newRequestId, parseS3Path, renderS3Error, s3Operation, type SimResponse } from './s3.js';
import { handleAdmin, type AdminContext } from './admin.js';
import { materializeOutputs } from './lake-store.js';
import type { FaultInjector, ServiceName } from './faults.js';
import type { RequestLog } from './requests.js';
import type { RateLimiter } from './rate-limit.js';
import type { SimState } from './state.js';

export interface ServerContext extends AdminContext {
  state: SimState;
  faults: FaultInjector;
  /** Account rate limits per service (ThrottlingException past them). */
  rateLimits?: RateLimiter;
  requests: RequestLog;
  logs: LogsOptions;
}

const JSON_TYPE = 'application/x-amz-json-1.1';
const MAX_BODY = 64 * 1024 * 1024;

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY)
      throw new SimError('EntityTooLarge', 'Your proposed upload exceeds the simulator limit', 400);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

function send(res: ServerResponse, r: SimResponse, requestId: string, method: string): void {
  const headers: Record<string, string> = {
    'x-amz-request-id': requestId,
    'x-amzn-requestid': requestId,
    ...r.headers,
  };
  if (r.body !== undefined && headers['content-length'] === undefined)
    headers['content-length'] = String(Buffer.byteLength(r.body));
  if (r.body === undefined && headers['content-length'] === undefined) headers['content-length'] = '0';
  res.writeHead(r.status, headers);
  if (method === 'HEAD' || r.body === undefined) res.end();
  else res.end(r.body);
}

function jsonError(err: SimError, service: 'glue' | 'logs' | 'cloudwatch'): SimResponse {
  if (service === 'cloudwatch') {
    // CloudWatch answers JSON 1.0 with its awsQuery code in x-amzn-query-error (awsQueryCompatible).
    const body = JSON.stringify({ __type: `com.amazonaws.cloudwatch#${err.code}`, message: err.message });
    return {
      status: err.status,
      headers: {
        'content-type': 'application/x-amz-json-1.0',
        'x-amzn-query-error': `${err.code};${err.status >= 500 ? 'Receiver' : 'Sender'}`,
      },
      body,
    };
  }
  // Glue's modeled errors carry `Message`, CloudWatch Logs' carry `message`.
  const body = JSON.stringify({
    __type: err.code,
    [service === 'glue' ? 'Message' : 'message']: err.message,
  });
  return { status: err.status, headers: { 'content-type': JSON_TYPE, 'x-amzn-errortype': err.code }, body };
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export function createSimServer(ctx: ServerContext): Server {
  return createServer((req, res) => {
    handle(ctx, req, res).catch((e: unknown) => {
      if (!res.headersSent) {
        res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(`simulator error: ${e instanceof Error ? e.message : String(e)}`);
      } else res.destroy();
    });
  });
}

async function handle(ctx: ServerContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const at = Date.now();
  const requestId = newRequestId();
  const method = req.method ?? 'GET';
  const url = new URL(req.url ?? '/', 'http://sim.local');
  const body = await readBody(req);

  if (url.pathname.startsWith('/_sim/') || url.pathname === '/_sim') {
    const r = await handleAdmin(ctx, method, url, body);
    send(res, r, requestId, method);
    return;
  }

  // Outputs of runs that succeeded by now appear before anything can observe the success.
  materializeOutputs(ctx.state);

  const target = req.headers['x-amz-target'];
  if (typeof target === 'string') {
    const dot = target.indexOf('.');
    const prefix = target.slice(0, dot);
    const operation = target.slice(dot + 1);
    const service: 'glue' | 'logs' | 'cloudwatch' | undefined =
      prefix === 'AWSGlue'
        ? 'glue'
        : prefix === 'Logs_20140328'
          ? 'logs'
          : prefix === 'GraniteServiceVersion20100801'
            ? 'cloudwatch'
            : undefined;
    let params: Record<string, unknown> = {};
    let response: SimResponse;
    let injected = false;
    let latencyMs = 0;
    try {
      if (!service) throw new SimError('UnknownOperationException', `Unknown target ${target}`);
      try {
        params = body.length ? (JSON.parse(body.toString('utf8')) as Record<string, unknown>) : {};
      } catch {
        throw new SimError('SerializationException', 'Malformed JSON body');
      }
      const resource =
        service === 'glue'
          ? glueResource(params)
          : service === 'logs'
            ? logsResource(params)
            : cloudWatchResource(params);
      if (ctx.rateLimits && !ctx.rateLimits.take(service))
        throw new SimError('ThrottlingException', 'Rate exceeded', 400);
      const decision = ctx.faults.decide({ service, operation, ...(resource ? { resource } : {}) });
      latencyMs = decision.latencyMs;
      if (decision.latencyMs > 0) await sleep(decision.latencyMs);
      if (decision.error) {
        injected = true;
        throw decision.error;
      }
      const out =
        service === 'glue'
          ? handleGlue(ctx.state, operation, params)
          : service === 'logs'
            ? handleLogs(ctx.state, operation, params, ctx.logs)
            : handleCloudWatch(ctx.state, operation, params);
      const type = service === 'cloudwatch' ? 'application/x-amz-json-1.0' : JSON_TYPE;
      response = { status: 200, headers: { 'content-type': type }, body: JSON.stringify(out) };
    } catch (e) {
      if (!(e instanceof SimError)) throw e;
      response = jsonError(e, service ?? 'glue');
    }
    ctx.requests.add({
      service: service ?? 'glue',
      operation,
      params,
      at,
      status: response.status,
      ...(response.status >= 300 ? { error: errorCodeOf(response) } : {}),
      ...(injected ? { injected } : {}),
      ...(latencyMs > 0 ? { latencyMs } : {}),
    });
    send(res, response, requestId, method);
    return;
  }

  // S3, path style.
  let operation = 'Unknown';
  let params: Record<string, unknown> = {};
  let response: SimResponse;
  let injected = false;
  let latencyMs = 0;
  let resource = url.pathname;
  try {
    const { bucket, key } = parseS3Path(url.pathname);
    resource = key ? `/${bucket}/${key}` : `/${bucket}`;
    operation = s3Operation(method, bucket, key, url.searchParams, req.headers);
    params = { bucket, ...(key ? { key } : {}), ...Object.fromEntries(url.searchParams) };
    if (req.headers.range) params.range = req.headers.range;
    if (req.headers['x-amz-copy-source']) params.copySource = req.headers['x-amz-copy-source'];
    if (method === 'PUT' || method === 'POST') params.bodyBytes = body.length;
    const service: ServiceName = 's3';
    if (ctx.rateLimits && !ctx.rateLimits.take(service))
      throw new SimError('SlowDown', 'Please reduce your request rate.', 503);
    const copySource = req.headers['x-amz-copy-source'];
    const decision = ctx.faults.decide({
      service,
      operation,
      ...(bucket ? { bucket } : {}),
      ...(key ? { key } : {}),
      ...(typeof copySource === 'string'
        ? { copySource: decodeURIComponent(copySource.split('?')[0]!).replace(/^\//, '') }
        : {}),
    });
    latencyMs = decision.latencyMs;
    if (decision.latencyMs > 0) await sleep(decision.latencyMs);
    if (decision.error) {
      injected = true;
      throw decision.error;
    }
    response = handleS3(ctx.state, operation, {
      method,
      bucket,
      key,
      query: url.searchParams,
      headers: req.headers,
      body,
    });
  } catch (e) {
    if (!(e instanceof SimError)) throw e;
    response = renderS3Error(e, resource, requestId);
  }
  ctx.requests.add({
    service: 's3',
    operation,
    params,
    at,
    status: response.status,
    ...(response.status >= 300 ? { error: errorCodeOf(response) } : {}),
    ...(injected ? { injected } : {}),
    ...(latencyMs > 0 ? { latencyMs } : {}),
  });
  send(res, response, requestId, method);
}

function errorCodeOf(r: SimResponse): string {
  const t = r.headers['x-amzn-errortype'];
  if (t) return t;
  const m = /<Code>([^<]*)<\/Code>/.exec(
    typeof r.body === 'string' ? r.body : (r.body?.toString('utf8') ?? ''),
  );
  return m?.[1] ?? String(r.status);
}
