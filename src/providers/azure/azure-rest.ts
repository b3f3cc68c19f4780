// A thin JSON client on @azure/core-rest-pipeline — the Azure SDKs' own pipeline: retries with
// backoff (429/503 honouring Retry-After, 5xx, network errors), the bearer-token policy (which
// refuses http:// URLs), x-ms-client-request-id on every request — with every answer parsed by zod
// and every failure mapped onto ProviderError (azure-errors.ts). Each Synapse, Monitor and ARM
// client is a few typed functions over `send`.
import {
  bearerTokenAuthenticationPolicy,
  createDefaultHttpClient,
  createHttpHeaders,
  createPipelineFromOptions,
  createPipelineRequest,
  type HttpClient,
  type Pipeline,
  type PipelinePolicy,
} from '@azure/core-rest-pipeline';
import type { TokenCredential } from '@azure/core-auth';
import type { z } from 'zod';
import { ProviderError } from '../ports.js';
import { mapAzureResponse, mapAzureThrown, type AzureCall } from './azure-errors.js';

export interface AzureRetryOptions {
  /** Retries after the first attempt (default 3). */
  maxRetries?: number;
  /** First backoff delay, ms (default 1000; doubles each retry, with jitter). */
  retryDelayInMs?: number;
  maxRetryDelayInMs?: number;
}

/** Waits for a token of the shared request budget (src/providers/request-budget.ts). */
export type AcquireToken = () => Promise<unknown>;

export interface AzureClientOptions {
  credential: TokenCredential;
  retry?: AzureRetryOptions;
  /** The request budget of this client's API and account: every attempt waits for a token. */
  budget?: AcquireToken;
  /** Replaces the default Node HTTP client (tests, proxies). */
  httpClient?: HttpClient;
}

/** Counters of one client since it was created (the shape of the AWS adapters' CallStats). */
export interface AzureCallStats {
  calls: number;
  attempts: number;
  retries: number;
  throttled: number;
  retryDelayMs: number;
}

export interface SendRequest<T> {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Absolute URL, query included. */
  url: string;
  body?: unknown;
  schema: z.ZodType<T>;
  call: AzureCall;
  signal?: AbortSignal;
  /** Status codes that are answers, not failures (default: 200–299). */
  ok?: (status: number) => boolean;
}

export interface SendResult<T> {
  status: number;
  headers: Record<string, string>;
  data: T;
}

/** Appends `path` to a base URL that may itself have a path (an emulator's workspace endpoint). */
export function joinUrl(base: string, path: string, query: Record<string, string | undefined> = {}): string {
  const u = new URL(base.replace(/\/+$/, '') + (path.startsWith('/') ? path : `/${path}`));
  for (const [k, v] of Object.entries(query)) if (v !== undefined) u.searchParams.set(k, v);
  return u.toString();
}

export function emptyAzureStats(): AzureCallStats {
  return { calls: 0, attempts: 0, retries: 0, throttled: 0, retryDelayMs: 0 };
}

/**
 * Counts every HTTP attempt and the throttled ones; added in the Retry phase, after the
 * pipeline's retry policies, so it runs inside their loop.
 */
export function attemptCounterPolicy(c: AzureCallStats): PipelinePolicy {
  const seen = new WeakMap<object, number>();
  return {
    name: 'medicAttemptCounter',
    sendRequest: async (request, next) => {
      const last = seen.get(request);
      if (last !== undefined) {
        c.retries += 1;
        c.retryDelayMs += Math.max(0, Date.now() - last);
      }
      c.attempts += 1;
      try {
        const res = await next(request);
        if (res.status === 429 || (res.status === 503 && res.headers.get('retry-after'))) c.throttled += 1;
        return res;
      } finally {
        seen.set(request, Date.now());
      }
    },
  };
}

export const REQUEST_BUDGET_POLICY = 'medicRequestBudget';

/**
 * The shared request budget on an Azure pipeline: every attempt — the first and each retry the
 * pipeline's retry policy makes after a 429/503 — waits for a token before it is sent. Added in
 * the Retry phase after the retry policies (addRequestBudget), so it runs inside their loop.
 */
export function requestBudgetPolicy(acquire: AcquireToken): PipelinePolicy {
  return {
    name: REQUEST_BUDGET_POLICY,
    sendRequest: async (request, next) => {
      await acquire();
      return await next(request);
    },
  };
}

/** The name createPipelineFromOptions gives its retry policy (not exported by the package's index). */
const DEFAULT_RETRY_POLICY = 'defaultRetryPolicy';

/** Places requestBudgetPolicy after the pipeline's retry policy (see requestBudgetPolicy). */
export function addRequestBudget(pipeline: Pipeline, acquire: AcquireToken | undefined): void {
  if (!acquire) return;
  pipeline.addPolicy(requestBudgetPolicy(acquire), { phase: 'Retry', afterPolicies: [DEFAULT_RETRY_POLICY] });
}

export class AzureRestClient {
  readonly pipeline: Pipeline;
  private readonly httpClient: HttpClient;
  readonly scope: string;
  readonly counters: AzureCallStats = emptyAzureStats();

  constructor(opts: AzureClientOptions & { scope: string }) {
    this.scope = opts.scope;
    this.httpClient = opts.httpClient ?? createDefaultHttpClient();
    this.pipeline = createPipelineFromOptions({
      retryOptions: {
        maxRetries: opts.retry?.maxRetries ?? 3,
        retryDelayInMs: opts.retry?.retryDelayInMs ?? 1000,
        maxRetryDelayInMs: opts.retry?.maxRetryDelayInMs ?? 30_000,
      },
      userAgentOptions: { userAgentPrefix: 'pipeline-medic' },
    });
    this.pipeline.addPolicy(
      bearerTokenAuthenticationPolicy({ credential: opts.credential, scopes: opts.scope }),
    );
    addRequestBudget(this.pipeline, opts.budget);
    this.pipeline.addPolicy(attemptCounterPolicy(this.counters), { phase: 'Retry' });
  }

  stats(): AzureCallStats {
    return { ...this.counters };
  }

  async send<T>(req: SendRequest<T>): Promise<SendResult<T>> {
    const host = new URL(req.url).host;
    const request = createPipelineRequest({
      url: req.url,
      method: req.method,
      headers: createHttpHeaders({
        accept: 'application/json',
        ...(req.body !== undefined ? { 'content-type': 'application/json' } : {}),
      }),
      ...(req.body !== undefined ? { body: JSON.stringify(req.body) } : {}),
      ...(req.signal ? { abortSignal: req.signal } : {}),
    });
    this.counters.calls += 1;
    const before = this.counters.retries;
    let response;
    try {
      response = await this.pipeline.sendRequest(this.httpClient, request);
    } catch (err) {
      if (req.signal?.aborted)
        throw new ProviderError('CANCELLED', `${req.call.service} ${req.call.operation} was cancelled`, {
          cause: err,
        });
      throw mapAzureThrown(err, req.call, { scope: this.scope, host });
    }
    const text = response.bodyAsText ?? '';
    let body: unknown = undefined;
    if (text) {
      try {
        body = JSON.parse(text);
      } catch {
        body = text;
      }
    }
    const ok = req.ok ?? ((s: number) => s >= 200 && s < 300);
    if (!ok(response.status))
      throw mapAzureResponse(
        { status: response.status, body, retries: this.counters.retries - before },
        req.call,
      );
    const parsed = req.schema.safeParse(body ?? {});
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new ProviderError(
        'UNAVAILABLE',
        `${req.call.service} ${req.call.operation} answered in an unexpected shape (${issue?.path.join('.') || 'body'}: ${issue?.message ?? 'invalid'})`,
        { cause: parsed.error, retryable: false },
      );
    }
    return { status: response.status, headers: response.headers.toJSON(), data: parsed.data };
  }
}
