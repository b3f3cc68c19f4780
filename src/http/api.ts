// The CI API's transport (/api/v1/…, DESIGN.md's contract): bearer tokens from MEDIC_API_TOKENS
// compared in constant time, a request budget per token shared through Redis by every web process,
// bodies of at most 1 MB, JSON in and out, errors as {error, path?}. Handlers (commands/api/) get
// the caller's token label and the parsed body; they never see the token.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CustomRoute } from '@slack/bolt';
import type { Redis } from 'ioredis';
import type { Logger } from '../logger.js';

export const MAX_BODY_BYTES = 1024 * 1024;

export interface ApiToken {
  label: string;
  token: string;
}

/** What a handler answers: a status and a JSON body. */
export interface ApiResponse {
  status: number;
  body: unknown;
}

export interface ApiRequest {
  /** The label of the token the caller presented (for audit entries). */
  caller: string;
  params: Record<string, string>;
  /** Parsed JSON body (undefined for GET). */
  body: unknown;
}

export interface ApiEndpoint {
  method: 'GET' | 'POST';
  /** Bolt's path syntax: `/api/v1/schema-plans/:id`. */
  path: string;
  handle(req: ApiRequest): Promise<ApiResponse>;
}

export interface ApiOptions {
  tokens: readonly ApiToken[];
  state: Redis;
  prefix: string;
  logger: Logger;
  /** Requests per token per minute (default 120). */
  perMinute?: number;
  now?: () => number;
}

/** A typed refusal a handler throws: becomes `{error, path?}` with its status. */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly status: number,
    message: string,
    readonly path?: string,
  ) {
    super(message);
  }
}

const digest = (s: string) => createHash('sha256').update(s).digest();

/** The label of the token in an `Authorization: Bearer …` header, compared in constant time. */
export function authenticate(header: string | undefined, tokens: readonly ApiToken[]): string | undefined {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  if (!m) return undefined;
  const presented = digest(m[1]!);
  let found: string | undefined;
  // Every token is compared, so the time taken does not say which one (or whether one) matched.
  for (const t of tokens) if (timingSafeEqual(presented, digest(t.token)) && !found) found = t.label;
  return found;
}

function send(res: ServerResponse, r: ApiResponse, extra: Record<string, string> = {}): void {
  res.writeHead(r.status, { 'content-type': 'application/json', 'cache-control': 'no-store', ...extra });
  res.end(JSON.stringify(r.body));
}

/** The body, at most `limit` bytes; undefined when it is longer (the caller answers 413). */
async function readBody(req: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limit) return undefined;
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) return undefined;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/** Bolt custom routes for the endpoints; none when no token is configured (the API is off). */
export function apiRoutes(endpoints: readonly ApiEndpoint[], o: ApiOptions): CustomRoute[] {
  if (!o.tokens.length) return [];
  const perMinute = o.perMinute ?? 120;
  const now = o.now ?? Date.now;
  const overBudget = async (label: string): Promise<number | undefined> => {
    const minute = Math.floor(now() / 60_000);
    const key = `${o.prefix}:api-rate:${label}:${minute}`;
    const [[, count]] = (await o.state.multi().incr(key).expire(key, 120).exec()) as [[null, number]];
    return count > perMinute ? 60 - Math.floor((now() / 1000) % 60) : undefined;
  };
  return endpoints.map((e) => ({
    path: e.path,
    method: [e.method],
    handler: (req, res) => {
      void (async () => {
        const caller = authenticate(req.headers.authorization, o.tokens);
        if (!caller)
          return send(
            res,
            { status: 401, body: { error: 'a valid Authorization: Bearer token is required' } },
            {
              'www-authenticate': 'Bearer',
            },
          );
        const retryAfter = await overBudget(caller);
        if (retryAfter !== undefined)
          return send(
            res,
            { status: 429, body: { error: `more than ${perMinute} requests a minute for this token` } },
            { 'retry-after': String(retryAfter) },
          );
        let body: unknown;
        if (e.method === 'POST') {
          const raw = await readBody(req, MAX_BODY_BYTES);
          if (!raw) return send(res, { status: 413, body: { error: 'the body is larger than 1 MB' } });
          try {
            body = JSON.parse(raw.toString('utf8') || 'null');
          } catch {
            return send(res, { status: 400, body: { error: 'the body is not JSON' } });
          }
        }
        const params = (req as IncomingMessage & { params?: Record<string, string> }).params ?? {};
        send(res, await e.handle({ caller, params, body }));
      })().catch((err: unknown) => {
        if (err instanceof ApiError) {
          send(res, {
            status: err.status,
            body: { error: err.message, ...(err.path ? { path: err.path } : {}) },
          });
          return;
        }
        o.logger.error({ err, path: e.path }, 'API request failed');
        if (!res.headersSent)
          send(res, { status: 500, body: { error: 'internal error; see the bot’s log' } });
      });
    },
  }));
}
