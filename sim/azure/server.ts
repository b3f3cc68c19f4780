// The Azure side's HTTPS server: one port for the managed-identity endpoint, the Synapse data plane
// of every simulated workspace (under /synapse/{workspace}), Log Analytics (/v1/workspaces/…),
// ARM and Azure Monitor (/subscriptions/…), and its admin API under /_sim/azure/. Every service
// request is checked for a bearer token issued by the identity endpoint for that service's
// audience, passes through fault injection, and is recorded.
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import { armRoute } from './arm.js';
import {
  blobErrorResponse,
  blobRoute,
  BlobServiceError,
  checkSharedKey,
  dfsErrorResponse,
  type SimBlobStore,
} from './blob.js';
import { handleAzureAdmin } from './admin.js';
import { AzureSimError, json, renderError, type AzureRequest, type AzureResponse } from './http.js';
import { handleLogQuery } from './log-analytics.js';
import { synapseRoute } from './synapse.js';
import { AUDIENCES, type AudienceService, type TokenIssuer } from './tokens.js';
import type { AzureFaultInjector, AzureFaultRule, AzureRequestLog, AzureServiceName } from './faults.js';
import type { AzureState } from './state.js';
import type { SimServerCertificate } from './tls.js';
import type { RateLimiter } from '../rate-limit.js';

export interface AzureServerContext {
  state: AzureState;
  /** The Blob service's accounts and containers (List Blobs, Shared Key auth). */
  blobs: SimBlobStore;
  faults: AzureFaultInjector;
  /** Request rate limits per service (real time): past them, 429 with Retry-After. */
  rateLimits?: RateLimiter<AzureServiceName>;
  requests: AzureRequestLog;
  tokens: TokenIssuer;
  /** Secret the identity endpoint expects in X-IDENTITY-HEADER. */
  identityHeader: string;
  pageSize: number;
  /** Filled in once listening: https://127.0.0.1:PORT */
  baseUrl: string;
  reset(): void;
  /**
   * Awaited after a service request's answer is computed and before it is sent: what a run that
   * answer shows finished has done outside the simulator (a staging pipeline's output written to
   * Azurite) is there by the time the client reads it.
   */
  beforeSend?: () => Promise<void>;
}

export const IDENTITY_PATH = '/msi/token';
const MAX_BODY = 8 * 1024 * 1024;

/** The Synapse RBAC action each data-plane call needs (named in a 403). */
export const SYNAPSE_ACTIONS: Record<string, string> = {
  QueryPipelineRuns: 'Microsoft.Synapse/workspaces/artifacts/read',
  GetPipelineRun: 'Microsoft.Synapse/workspaces/artifacts/read',
  ListPipelines: 'Microsoft.Synapse/workspaces/artifacts/read',
  GetPipeline: 'Microsoft.Synapse/workspaces/artifacts/read',
  GetNotebook: 'Microsoft.Synapse/workspaces/artifacts/read',
  GetSparkJobDefinition: 'Microsoft.Synapse/workspaces/artifacts/read',
  GetBigDataPool: 'Microsoft.Synapse/workspaces/artifacts/read',
  QueryActivityRuns: 'Microsoft.Synapse/workspaces/pipelines/viewOutputs/action',
  CreateRun: 'Microsoft.Synapse/workspaces/integrationRuntimes/useCompute/action',
  CancelPipelineRun: 'Microsoft.Synapse/workspaces/integrationRuntimes/useCompute/action',
  ListSparkBatchJobs: 'Microsoft.Synapse/workspaces/bigDataPools/viewLogs/action',
  GetSparkBatchJob: 'Microsoft.Synapse/workspaces/bigDataPools/viewLogs/action',
  GetSparkJobList: 'Microsoft.Synapse/workspaces/bigDataPools/viewLogs/action',
};

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY)
      throw new AzureSimError(413, 'RequestEntityTooLarge', 'The request body is too large.');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

interface Routed {
  service: AzureServiceName;
  operation: string;
  resources: string[];
  audience?: AudienceService;
  /** For 403s. */
  action?: string;
  scope?: string;
  /** Checked instead of a bearer token (the Blob service's Shared Key). */
  authorize?: (req: AzureRequest) => void;
  handle(req: AzureRequest): AzureResponse;
}

function route(ctx: AzureServerContext, req: AzureRequest): Routed | undefined {
  const path = req.url.pathname;
  if (path === IDENTITY_PATH && req.method === 'GET')
    return { service: 'identity', operation: 'GetToken', resources: [], handle: (r) => issueToken(ctx, r) };
  const segs = path.split('/').filter(Boolean).map(decodeURIComponent);
  if (segs[0] === 'synapse') {
    const r = synapseRoute(req.method, segs.slice(1));
    if (!r) return undefined;
    const baseUrl = `${ctx.baseUrl}/synapse/${encodeURIComponent(r.workspace)}`;
    return {
      service: 'synapse',
      operation: r.operation,
      resources: r.resources,
      audience: 'synapse',
      action: SYNAPSE_ACTIONS[r.operation],
      scope: `workspaces/${r.workspace}/*`,
      handle: (q) => r.handle(ctx.state, q, { pageSize: ctx.pageSize, baseUrl }),
    };
  }
  if (
    segs[0] === 'v1' &&
    segs[1] === 'workspaces' &&
    segs[2] &&
    segs[3] === 'query' &&
    segs.length === 4 &&
    req.method === 'POST'
  ) {
    const id = segs[2];
    return {
      service: 'loganalytics',
      operation: 'Query',
      resources: [id],
      audience: 'loganalytics',
      handle: (q) => handleLogQuery(ctx.state, id, q),
    };
  }
  if (segs[0] === 'subscriptions') {
    const r = armRoute(req.method, path, ctx.state);
    if (!r) return undefined;
    return {
      service: r.service,
      operation: r.operation,
      resources: r.resources,
      audience: 'arm',
      action: r.action,
      scope: r.scope,
      handle: (q) => r.handle(ctx.state, q, ctx.baseUrl),
    };
  }
  const blob = blobRoute(ctx.blobs, req.method, segs, req.url);
  if (blob)
    return {
      service: 'blob',
      operation: blob.operation,
      resources: blob.resources,
      action: 'Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read',
      authorize: (q) => checkSharedKey(q, blob.account),
      handle: blob.handle,
    };
  return undefined;
}

function issueToken(ctx: AzureServerContext, req: AzureRequest): AzureResponse {
  const q = req.url.searchParams;
  const correlationId = randomUUID();
  if (req.headers['x-identity-header'] !== ctx.identityHeader)
    return json(401, {
      statusCode: 401,
      message: 'The X-IDENTITY-HEADER header is missing or does not match IDENTITY_HEADER.',
      correlationId,
    });
  if (q.get('api-version') !== '2019-08-01')
    return json(400, {
      statusCode: 400,
      message: `Unsupported api-version '${q.get('api-version') ?? ''}'; use 2019-08-01.`,
      correlationId,
    });
  const resource = q.get('resource');
  if (!resource)
    return json(400, { statusCode: 400, message: 'The resource parameter is required.', correlationId });
  const { token, expiresOn } = ctx.tokens.issue(resource);
  return json(200, {
    access_token: token,
    expires_on: String(expiresOn),
    resource,
    token_type: 'Bearer',
    client_id: ctx.tokens.clientId,
  });
}

function unauthenticated(
  service: AudienceService,
  reason: string,
  audience: string | undefined,
  tenant: string,
): AzureSimError {
  const headers = {
    'www-authenticate': `Bearer authorization_uri="https://login.microsoftonline.com/${tenant}", error="invalid_token"`,
  };
  if (service === 'arm') {
    if (reason === 'missing')
      return new AzureSimError(
        401,
        'AuthenticationFailed',
        "Authentication failed. The 'Authorization' header is missing.",
        { headers },
      );
    if (reason === 'audience')
      return new AzureSimError(
        401,
        'InvalidAuthenticationTokenAudience',
        `The access token has been obtained for wrong audience or resource '${audience}'. It should exactly match with one of the allowed audiences 'https://management.core.windows.net/','https://management.core.windows.net','https://management.azure.com/','https://management.azure.com'.`,
        { headers },
      );
    return new AzureSimError(
      401,
      reason === 'expired' ? 'ExpiredAuthenticationToken' : 'InvalidAuthenticationToken',
      'The access token is invalid.',
      { headers },
    );
  }
  if (service === 'loganalytics') {
    if (reason === 'missing')
      return new AzureSimError(401, 'AuthorizationRequiredError', 'Valid authentication was not provided', {
        headers,
      });
    return new AzureSimError(
      401,
      'InvalidTokenError',
      `The provided authentication is not valid for this resource${reason === 'audience' ? ` (token audience '${audience}')` : ''}`,
      { headers },
    );
  }
  // The Synapse data plane answers 401s in the flat shape.
  if (reason === 'audience')
    return new AzureSimError(
      401,
      'InvalidTokenAuthenticationAudience',
      `Token Authentication failed with SecurityTokenInvalidAudienceException - IDX10214: Audience validation failed. Audiences: '${audience}'. Did not match: validationParameters.ValidAudience: '${AUDIENCES.synapse}'.`,
      { flat: true, headers },
    );
  return new AzureSimError(
    401,
    'AuthenticationFailed',
    reason === 'missing'
      ? 'Authorization header is missing.'
      : `Token Authentication failed - ${reason} token.`,
    { flat: true, headers },
  );
}

function injected(ctx: AzureServerContext, r: Routed, rule: AzureFaultRule): AzureSimError {
  const kind = rule.error!;
  if (r.service === 'blob') {
    // Azure Storage's own codes (rendered as XML by the caller).
    const [status, code, message] =
      kind === 'throttle'
        ? [503, 'ServerBusy', 'The server is busy.']
        : kind === 'denied'
          ? [
              403,
              'AuthorizationPermissionMismatch',
              'This request is not authorized to perform this operation using this permission.',
            ]
          : kind === 'internal'
            ? [500, 'InternalError', 'The server encountered an internal error. Please retry the request.']
            : kind === 'unavailable'
              ? [
                  503,
                  'ServerBusy',
                  'The server is currently unable to receive requests. Please retry your request.',
                ]
              : [400, kind, `injected ${kind}`];
    return new AzureSimError(rule.status ?? status, code, rule.message ?? message, {
      headers: kind === 'throttle' ? { 'retry-after': String(rule.retryAfterSec ?? 1) } : {},
    });
  }
  const flat = rule.flat ?? false;
  const msg = (fallback: string) => rule.message ?? fallback;
  const oid = ctx.tokens.principalId;
  switch (kind) {
    case 'throttle': {
      const sec = rule.retryAfterSec ?? 1;
      const code =
        r.service === 'loganalytics'
          ? 'ThrottledError'
          : r.service === 'identity'
            ? 'TooManyRequests'
            : 'TooManyRequests';
      return new AzureSimError(
        rule.status ?? 429,
        code,
        msg(`Rate limit is exceeded. Try again in ${sec} seconds.`),
        { flat, headers: { 'retry-after': String(sec) } },
      );
    }
    case 'denied':
      if (r.service === 'synapse')
        return new AzureSimError(
          rule.status ?? 403,
          'Unauthorized',
          msg(
            `The principal '${oid}' does not have the required Synapse RBAC permission to perform this action. Required permission: Action: ${r.action}, Scope: ${r.scope}.`,
          ),
          { flat },
        );
      if (r.service === 'loganalytics')
        return new AzureSimError(
          rule.status ?? 403,
          'InsufficientAccessError',
          msg('The provided credentials have insufficient access to perform the requested operation'),
          { flat },
        );
      return new AzureSimError(
        rule.status ?? 403,
        'AuthorizationFailed',
        msg(
          `The client '${ctx.tokens.clientId}' with object id '${oid}' does not have authorization to perform action '${r.action}' over scope '${r.scope}' or the scope is invalid. If access was recently granted, please refresh your credentials.`,
        ),
        { flat },
      );
    case 'internal':
      return new AzureSimError(
        rule.status ?? 500,
        'InternalServerError',
        msg('An internal server error occurred. Please retry.'),
        { flat },
      );
    case 'unavailable':
      return new AzureSimError(
        rule.status ?? 503,
        'ServiceUnavailable',
        msg('The service is temporarily unavailable.'),
        { flat, headers: { 'retry-after': String(rule.retryAfterSec ?? 1) } },
      );
    default:
      return new AzureSimError(rule.status ?? 400, kind, msg(`injected ${kind}`), { flat });
  }
}

function send(
  res: ServerResponse,
  r: AzureResponse,
  requestId: string,
  clientRequestId: string | undefined,
): void {
  const headers: Record<string, string> = {
    'x-ms-request-id': requestId,
    'x-ms-correlation-request-id': requestId,
    ...(clientRequestId ? { 'x-ms-client-request-id': clientRequestId } : {}),
    ...r.headers,
    'content-length': String(Buffer.byteLength(r.body ?? '')),
  };
  res.writeHead(r.status, headers);
  res.end(r.body ?? '');
}

export function createAzureServer(ctx: AzureServerContext, cert: SimServerCertificate): Server {
  return createServer({ key: cert.keyPem, cert: cert.certPem }, (req, res) => {
    handle(ctx, req, res).catch((e: unknown) => {
      if (!res.headersSent) {
        res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(`simulator error: ${e instanceof Error ? e.message : String(e)}`);
      } else res.destroy();
    });
  });
}

async function handle(ctx: AzureServerContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const at = Date.now();
  const requestId = randomUUID();
  const method = req.method ?? 'GET';
  const url = new URL(req.url ?? '/', ctx.baseUrl || 'https://127.0.0.1');
  const clientRequestId =
    typeof req.headers['x-ms-client-request-id'] === 'string'
      ? req.headers['x-ms-client-request-id']
      : undefined;
  let text: string;
  try {
    text = await readBody(req);
  } catch (e) {
    if (e instanceof AzureSimError) return send(res, renderError(e, requestId), requestId, clientRequestId);
    throw e;
  }
  const request: AzureRequest = { method, url, headers: req.headers, text };
  if (url.pathname.startsWith('/_sim/azure/') || url.pathname === '/_sim/azure') {
    send(res, handleAzureAdmin(ctx, method, url, text), requestId, clientRequestId);
    return;
  }
  const r = route(ctx, request);
  const params: Record<string, unknown> = Object.fromEntries(url.searchParams);
  if (text) {
    try {
      params.body = JSON.parse(text) as unknown;
    } catch {
      params.body = text.slice(0, 200);
    }
  }
  if (!r) {
    const e = new AzureSimError(404, 'NotFound', `No simulated Azure API answers ${method} ${url.pathname}.`);
    const out = renderError(e, requestId);
    ctx.requests.add({
      service: 'unknown',
      operation: 'Unknown',
      method,
      path: url.pathname,
      params,
      at,
      status: out.status,
      error: e.code,
    });
    return send(res, out, requestId, clientRequestId);
  }
  let response: AzureResponse;
  let isInjected = false;
  let latencyMs = 0;
  try {
    // The service's request limit first, as the real front doors throttle before anything else.
    if (r.service !== 'identity' && ctx.rateLimits && !ctx.rateLimits.take(r.service))
      throw injected(ctx, r, { error: 'throttle', retryAfterSec: 1 });
    const decision = ctx.faults.decide({
      service: r.service,
      operation: r.operation,
      resources: r.resources,
    });
    latencyMs = decision.latencyMs;
    if (latencyMs > 0) await sleep(latencyMs);
    if (decision.fault?.error === 'drop') {
      ctx.requests.add({
        service: r.service,
        operation: r.operation,
        method,
        path: url.pathname,
        params,
        at,
        status: 0,
        error: 'dropped',
        injected: true,
      });
      req.socket.destroy();
      return;
    }
    if (decision.fault) {
      isInjected = true;
      if (r.service === 'identity') {
        const status =
          decision.fault.status ??
          (decision.fault.error === 'throttle' ? 429 : decision.fault.error === 'denied' ? 403 : 500);
        throw new AzureSimError(
          status,
          decision.fault.error!,
          decision.fault.message ?? 'An unexpected error occurred while fetching the AAD Token.',
          { flat: true },
        );
      }
      throw injected(ctx, r, decision.fault);
    }
    r.authorize?.(request);
    if (r.audience) {
      const check = ctx.tokens.check(req.headers.authorization, r.audience);
      if (!check.ok) throw unauthenticated(r.audience, check.reason, check.audience, ctx.state.tenantId);
    }
    response = r.handle(request);
  } catch (e) {
    const storageError = r.operation === 'ListPaths' ? dfsErrorResponse : blobErrorResponse;
    if (e instanceof BlobServiceError) response = storageError(e.status, e.code, e.message, requestId);
    else if (!(e instanceof AzureSimError)) throw e;
    else if (r.service === 'blob') {
      response = storageError(e.status, e.code, e.message, requestId);
      Object.assign(response.headers, e.opts.headers);
    } else
      response =
        r.service === 'identity'
          ? json(
              e.status,
              { statusCode: e.status, message: e.message, correlationId: requestId },
              e.opts.headers,
            )
          : renderError(e, requestId);
  }
  ctx.requests.add({
    service: r.service,
    operation: r.operation,
    method,
    path: url.pathname,
    params,
    at,
    status: response.status,
    ...(response.status >= 400
      ? { error: response.headers['x-ms-error-code'] ?? String(response.status) }
      : {}),
    ...(isInjected ? { injected: true } : {}),
    ...(latencyMs > 0 ? { latencyMs } : {}),
  });
  if (ctx.beforeSend && r.service !== 'identity' && r.service !== 'blob') await ctx.beforeSend();
  send(res, response, requestId, clientRequestId);
}
