// Shared pieces of the Azure handlers: the error type, Azure's two error shapes, JSON answers and
// request bodies parsed with zod (a bad body is a 400 in the service's words, as Azure answers).
import type { IncomingHttpHeaders } from 'node:http';
import type { z } from 'zod';

export interface AzureResponse {
  status: number;
  headers: Record<string, string>;
  body?: string;
}

export interface AzureRequest {
  method: string;
  url: URL;
  headers: IncomingHttpHeaders;
  /** Raw body text ('' when none). */
  text: string;
}

/**
 * An error answer. `shape` chooses between the ARM-style envelope `{error: {code, message}}` (the
 * default) and the flat `{code, message}` some Synapse endpoints (Livy, Azure Monitor metrics) send.
 */
export class AzureSimError extends Error {
  override readonly name = 'AzureSimError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly opts: {
      flat?: boolean;
      headers?: Record<string, string>;
      target?: string;
      extra?: Record<string, unknown>;
    } = {},
  ) {
    super(message);
  }
}

export function json(status: number, value: unknown, headers: Record<string, string> = {}): AzureResponse {
  return {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
    body: JSON.stringify(value),
  };
}

export function renderError(e: AzureSimError, requestId: string): AzureResponse {
  const inner: Record<string, unknown> = {
    code: e.code,
    message: e.message,
    ...(e.opts.target ? { target: e.opts.target } : {}),
    ...e.opts.extra,
  };
  return json(e.status, e.opts.flat ? inner : { error: inner }, {
    'x-ms-error-code': e.code,
    ...e.opts.headers,
    'x-ms-request-id': requestId,
  });
}

/** The JSON body parsed with `schema`; a 400 (`code`) when it is not JSON or not valid. */
export function parseJsonBody<T>(
  req: AzureRequest,
  schema: z.ZodType<T>,
  code = 'BadRequest',
  flat = false,
): T {
  let raw: unknown;
  try {
    raw = req.text.length ? JSON.parse(req.text) : {};
  } catch {
    throw new AzureSimError(400, code, 'The request body is not valid JSON.', { flat });
  }
  const r = schema.safeParse(raw);
  if (!r.success) {
    const issue = r.error.issues[0];
    const where = issue?.path.length ? issue.path.join('.') : 'body';
    throw new AzureSimError(400, code, `The request is invalid: ${where}: ${issue?.message ?? 'invalid'}`, {
      flat,
    });
  }
  return r.data;
}

export function requireApiVersion(req: AzureRequest, versions: string[], flat = false): void {
  const v = req.url.searchParams.get('api-version');
  if (!v)
    throw new AzureSimError(
      400,
      'MissingApiVersionParameter',
      'The api-version query parameter (?api-version=) is required for all requests.',
      { flat },
    );
  if (!versions.includes(v))
    throw new AzureSimError(
      400,
      'InvalidApiVersionParameter',
      `The api-version '${v}' is invalid. The supported versions are '${versions.join("','")}'.`,
      { flat },
    );
}

export const iso = (ms: number) => new Date(ms).toISOString();
