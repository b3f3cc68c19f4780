// Shared by the Glue and CloudWatch Logs adapters: one mapping of AWS SDK v3 failures onto
// ProviderError, and the per-client counters that let triage say "data was slowed by throttling".
import type { ZodError } from 'zod';
import { ProviderError, addStats, emptyStats, type CallStats } from '../ports.js';

export { addStats, emptyStats, type CallStats };

/** Error codes AWS JSON services use for "slow down" (CloudWatch Logs also says LimitExceeded). */
const THROTTLE_CODES = new Set([
  'ThrottlingException',
  'Throttling',
  'TooManyRequestsException',
  'LimitExceededException',
  'RequestLimitExceeded',
  'RequestThrottled',
  'RequestThrottledException',
  'ThrottledException',
  'ProvisionedThroughputExceededException',
  'SlowDown',
]);
const NOT_FOUND_CODES = new Set(['EntityNotFoundException', 'ResourceNotFoundException']);
const DENIED_CODES = new Set([
  'AccessDeniedException',
  'AccessDenied',
  'UnauthorizedOperation',
  'UnrecognizedClientException',
  'InvalidSignatureException',
  'ExpiredTokenException',
  'InvalidClientTokenId',
  'MissingAuthenticationToken',
]);
const INVALID_CODES = new Set([
  'InvalidInputException',
  'InvalidParameterException',
  'InvalidParameterCombinationException',
  'InvalidParameterValueException',
  'ValidationException',
  'SerializationException',
  'MalformedQueryException',
  'InvalidOperationException',
]);
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

/** What an SDK error looks like, read defensively (network errors are plain Errors). */
export interface AwsErrorInfo {
  /** The AWS error code (`name` of a ServiceException) or the Node error code. */
  code: string;
  message: string;
  status: number | undefined;
  attempts: number | undefined;
}

export function awsErrorInfo(err: unknown): AwsErrorInfo {
  const e = (typeof err === 'object' && err !== null ? err : {}) as {
    name?: unknown;
    code?: unknown;
    message?: unknown;
    $metadata?: { httpStatusCode?: unknown; attempts?: unknown };
  };
  const nodeCode = typeof e.code === 'string' ? e.code : undefined;
  const name = typeof e.name === 'string' ? e.name : undefined;
  const code = nodeCode && NETWORK_CODES.has(nodeCode) ? nodeCode : (name ?? nodeCode ?? 'Error');
  const status = typeof e.$metadata?.httpStatusCode === 'number' ? e.$metadata.httpStatusCode : undefined;
  const attempts = typeof e.$metadata?.attempts === 'number' ? e.$metadata.attempts : undefined;
  const message = typeof e.message === 'string' ? e.message : String(err);
  return { code, message, status, attempts };
}

export function isThrottle(err: unknown): boolean {
  const { code, status } = awsErrorInfo(err);
  return THROTTLE_CODES.has(code) || status === 429;
}

export interface AwsErrorContext {
  /** 'Glue' or 'CloudWatch Logs', for messages. */
  service: string;
  /** The IAM action of the call, e.g. `glue:GetJobRuns`; named on ACCESS_DENIED. */
  action: string;
  /** What the call was about, e.g. `Glue job MyJob`; NOT_FOUND says "<subject> was not found". */
  subject: string;
  /** Message for CONCURRENT_RUNS. */
  concurrentRuns?: string;
}

/**
 * Maps an AWS SDK failure onto ProviderError (keeping it as `cause`):
 * EntityNotFound / ResourceNotFound → NOT_FOUND; AccessDenied and 403 → ACCESS_DENIED with the
 * IAM action; Throttling / TooManyRequests / LimitExceeded / 429 → THROTTLED (the SDK has already
 * retried with backoff); ConcurrentRunsExceeded → CONCURRENT_RUNS; InvalidInput / InvalidParameter
 * / Validation → INVALID_INPUT; aborts → CANCELLED; network errors and 5xx → UNAVAILABLE.
 */
export function mapAwsError(err: unknown, ctx: AwsErrorContext): ProviderError {
  if (err instanceof ProviderError) return err;
  const { code, message, status, attempts } = awsErrorInfo(err);
  const opts = { cause: err };
  if (code === 'AbortError' || code === 'CANCELLED')
    return new ProviderError('CANCELLED', `${ctx.action} was cancelled`, opts);
  if (NOT_FOUND_CODES.has(code) || status === 404)
    return new ProviderError('NOT_FOUND', `${ctx.subject} was not found`, opts);
  if (DENIED_CODES.has(code) || status === 403)
    return new ProviderError('ACCESS_DENIED', `access denied: ${ctx.action} (${ctx.subject})`, {
      ...opts,
      action: ctx.action,
    });
  if (THROTTLE_CODES.has(code) || status === 429) {
    const tries = attempts !== undefined ? ` after ${attempts} attempt${attempts === 1 ? '' : 's'}` : '';
    return new ProviderError(
      'THROTTLED',
      `${ctx.service} throttled ${ctx.action}${tries}; try again in a minute`,
      opts,
    );
  }
  if (code === 'ConcurrentRunsExceededException')
    return new ProviderError(
      'CONCURRENT_RUNS',
      ctx.concurrentRuns ?? `${ctx.subject} already runs as many times at once as it may`,
      opts,
    );
  if (INVALID_CODES.has(code))
    return new ProviderError('INVALID_INPUT', `${ctx.service} rejected ${ctx.action}: ${message}`, opts);
  if (NETWORK_CODES.has(code) || code === 'TimeoutError' || status === undefined || status >= 500)
    return new ProviderError(
      'UNAVAILABLE',
      `${ctx.service} is unavailable (${ctx.action}): ${code}${message && message !== code ? ` ${message}` : ''}`,
      opts,
    );
  // Any other 4xx is a request the service will not accept as it is: retrying will not help.
  return new ProviderError('INVALID_INPUT', `${ctx.service} rejected ${ctx.action}: ${code}: ${message}`, {
    ...opts,
    retryable: false,
  });
}

// ---------------------------------------------------------------------------------------------
// Call counters

/** Reads `$metadata` of a call's output or error into the counters (once per call). */
export function recordCall(stats: CallStats, metadata: unknown): void {
  const m = (typeof metadata === 'object' && metadata !== null ? metadata : {}) as {
    attempts?: unknown;
    totalRetryDelay?: unknown;
  };
  const attempts = typeof m.attempts === 'number' && m.attempts > 0 ? m.attempts : 1;
  stats.calls += 1;
  stats.attempts += attempts;
  stats.retries += attempts - 1;
  if (typeof m.totalRetryDelay === 'number') stats.retryDelayMs += m.totalRetryDelay;
}

/**
 * The minimal middleware stack surface both clients share. The two middlewares count calls
 * (initialize step, outside the SDK's retry loop) and throttled attempts (deserialize step, inside
 * it, after the response has been parsed into an error).
 */
interface CountingStack {
  add(
    middleware: (
      next: (args: unknown) => Promise<{ output: unknown }>,
    ) => (args: unknown) => Promise<{ output: unknown }>,
    options: { step: 'initialize' | 'deserialize'; priority?: 'high' | 'low' | 'normal'; name?: string },
  ): void;
}

let counterSeq = 0;

/** Installs the counters on a client's middleware stack; returns the live counters. */
export function instrumentClient(client: { middlewareStack: unknown }): CallStats {
  const stats = emptyStats();
  const stack = client.middlewareStack as CountingStack;
  const id = ++counterSeq;
  stack.add(
    (next) => async (args) => {
      try {
        const result = await next(args);
        recordCall(stats, (result.output as { $metadata?: unknown } | undefined)?.$metadata);
        return result;
      } catch (err) {
        recordCall(stats, (err as { $metadata?: unknown } | undefined)?.$metadata);
        throw err;
      }
    },
    { step: 'initialize', priority: 'high', name: `medicCallCounter${id}` },
  );
  stack.add(
    (next) => async (args) => {
      try {
        return await next(args);
      } catch (err) {
        if (isThrottle(err)) stats.throttled += 1;
        throw err;
      }
    },
    { step: 'deserialize', priority: 'high', name: `medicThrottleCounter${id}` },
  );
  return stats;
}

/** A Glue answer that does not have the shape we rely on (zod at the boundary). */
export function unreadable(what: string, error: ZodError): ProviderError {
  const issue = error.issues[0];
  const where = issue ? `${issue.path.join('.') || 'value'}: ${issue.message}` : 'unknown shape';
  return new ProviderError('UNAVAILABLE', `Glue returned ${what} that could not be read (${where})`, {
    cause: error,
    retryable: false,
  });
}
