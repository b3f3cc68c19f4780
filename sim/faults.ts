// Latency and fault injection. A rule matches requests by service, operation and resource (bucket
// or job), and adds latency and/or fails a share of them with a realistic error for that service.
import { z } from 'zod';
import { SimError } from './sim-error.js';

export const ServiceName = z.enum(['glue', 'logs', 's3', 'cloudwatch']);
export type ServiceName = z.infer<typeof ServiceName>;

/**
 * Error kinds with a per-service rendering: `throttle` is ThrottlingException (HTTP 400) for Glue
 * and CloudWatch Logs and `SlowDown` (HTTP 503) for S3; `denied` is AccessDeniedException /
 * `AccessDenied` (403); `internal` is InternalServiceException / InternalError (500). Any other
 * string is used as the error code as is, with `status` (default 400).
 */
export const FaultRule = z.object({
  service: ServiceName.optional(),
  /** Operation name as the SDK calls it, e.g. GetJobRuns, FilterLogEvents, ListObjectsV2. */
  operation: z.string().optional(),
  /** Only requests on this S3 bucket. */
  bucket: z.string().optional(),
  /** Only requests naming this Glue job (JobName) or log group (logGroupName). */
  resource: z.string().optional(),
  /** Only S3 requests on a key starting with this (a copy's destination key). */
  keyPrefix: z.string().optional(),
  /** Only S3 copies whose source (`bucket/key`, decoded, no leading slash) starts with this. */
  copySourcePrefix: z.string().optional(),
  error: z.string().optional(),
  status: z.number().int().min(400).max(599).optional(),
  message: z.string().optional(),
  /** Share of matching requests that fail, 0–1; default 1 when `error` is set. */
  rate: z.number().min(0).max(1).optional(),
  /** The rule applies to at most this many matching requests, then expires. */
  count: z.number().int().min(0).optional(),
  /** The first this many matching requests pass untouched (the rule applies from the next one). */
  skip: z.number().int().min(0).optional(),
  /** Added latency in ms: fixed, or uniformly random in [min, max]. */
  latencyMs: z
    .union([z.number().min(0), z.object({ min: z.number().min(0), max: z.number().min(0) })])
    .optional(),
});
export type FaultRule = z.infer<typeof FaultRule>;

export interface FaultTarget {
  service: ServiceName;
  operation: string;
  bucket?: string;
  resource?: string;
  key?: string;
  copySource?: string;
}

export interface FaultDecision {
  latencyMs: number;
  error?: SimError;
}

interface ActiveRule {
  rule: FaultRule;
  used: number;
  skipped: number;
}

export class FaultInjector {
  private rules: ActiveRule[] = [];
  private readonly random: () => number;

  constructor(random: () => number, rules: FaultRule[] = []) {
    this.random = random;
    this.set(rules);
  }

  /** Replace every rule. */
  set(rules: FaultRule[]): void {
    this.rules = rules.map((r) => ({ rule: FaultRule.parse(r), used: 0, skipped: 0 }));
  }

  add(rules: FaultRule[]): void {
    for (const r of rules) this.rules.push({ rule: FaultRule.parse(r), used: 0, skipped: 0 });
  }

  list(): FaultRule[] {
    return this.rules.map((r) => ({
      ...r.rule,
      ...(r.rule.count !== undefined ? { count: r.rule.count - r.used } : {}),
    }));
  }

  decide(target: FaultTarget): FaultDecision {
    let latencyMs = 0;
    let error: SimError | undefined;
    for (const active of this.rules) {
      const { rule } = active;
      if (!matches(rule, target)) continue;
      if (rule.skip !== undefined && active.skipped < rule.skip) {
        active.skipped++;
        continue;
      }
      if (rule.count !== undefined && active.used >= rule.count) continue;
      const fails = rule.error !== undefined && !error && this.random() < (rule.rate ?? 1);
      const delays = rule.latencyMs !== undefined;
      if (!fails && !delays) continue;
      active.used++;
      if (delays) latencyMs += pickLatency(rule.latencyMs!, this.random);
      if (fails) error = renderFault(rule, target);
    }
    return error ? { latencyMs, error } : { latencyMs };
  }
}

function matches(rule: FaultRule, t: FaultTarget): boolean {
  if (rule.service && rule.service !== t.service) return false;
  if (rule.operation && rule.operation !== t.operation) return false;
  if (rule.bucket && rule.bucket !== t.bucket) return false;
  if (rule.resource && rule.resource !== t.resource) return false;
  if (rule.keyPrefix !== undefined && !(t.key ?? '').startsWith(rule.keyPrefix)) return false;
  if (rule.copySourcePrefix !== undefined && !(t.copySource ?? '\0').startsWith(rule.copySourcePrefix))
    return false;
  return true;
}

function pickLatency(l: NonNullable<FaultRule['latencyMs']>, random: () => number): number {
  if (typeof l === 'number') return l;
  const lo = Math.min(l.min, l.max);
  return lo + random() * (Math.max(l.min, l.max) - lo);
}

function renderFault(rule: FaultRule, t: FaultTarget): SimError {
  const kind = rule.error!;
  const s3 = t.service === 's3';
  const msg = (fallback: string) => rule.message ?? fallback;
  // CloudWatch (metrics) keeps its awsQuery error codes under the JSON protocol.
  if (t.service === 'cloudwatch' && (kind === 'throttle' || kind === 'denied' || kind === 'internal')) {
    if (kind === 'throttle') return new SimError('Throttling', msg('Rate exceeded'), rule.status ?? 400);
    if (kind === 'denied')
      return new SimError(
        'AccessDenied',
        msg(`User: arn:aws:iam::123456789012:user/medic is not authorized to perform: ${actionName(t)}`),
        rule.status ?? 403,
      );
    return new SimError('InternalServiceError', msg('Internal service error'), rule.status ?? 500);
  }
  switch (kind) {
    case 'throttle':
      return s3
        ? new SimError('SlowDown', msg('Please reduce your request rate.'), rule.status ?? 503)
        : new SimError('ThrottlingException', msg('Rate exceeded'), rule.status ?? 400);
    case 'denied':
      return s3
        ? new SimError('AccessDenied', msg('Access Denied'), rule.status ?? 403)
        : new SimError(
            'AccessDeniedException',
            msg(`User: arn:aws:iam::123456789012:user/medic is not authorized to perform: ${actionName(t)}`),
            rule.status ?? 400,
          );
    case 'internal':
      return s3
        ? new SimError(
            'InternalError',
            msg('We encountered an internal error. Please try again.'),
            rule.status ?? 500,
          )
        : new SimError(
            t.service === 'glue' ? 'InternalServiceException' : 'ServiceUnavailableException',
            msg('Internal service error'),
            rule.status ?? 500,
          );
    default:
      return new SimError(kind, msg(`injected ${kind}`), rule.status ?? defaultStatus(kind, s3));
  }
}

function defaultStatus(code: string, s3: boolean): number {
  if (code === 'SlowDown' || code === 'ServiceUnavailable') return 503;
  if (s3 && code === 'AccessDenied') return 403;
  if (code === 'InternalError' || code === 'InternalServiceException') return 500;
  return 400;
}

function actionName(t: FaultTarget): string {
  const prefix =
    t.service === 'glue'
      ? 'glue'
      : t.service === 'logs'
        ? 'logs'
        : t.service === 'cloudwatch'
          ? 'cloudwatch'
          : 's3';
  return `${prefix}:${t.operation}`;
}
