// Latency and fault injection for the Azure side, like sim/faults.ts for AWS: a rule matches
// requests by service, operation and resource (workspace, pipeline, Spark pool, Log Analytics
// workspace), adds latency and/or fails a share of them with the error that service really sends.
import { z } from 'zod';

export const AzureServiceName = z.enum(['identity', 'synapse', 'loganalytics', 'monitor', 'arm', 'blob']);
export type AzureServiceName = z.infer<typeof AzureServiceName>;

/**
 * `throttle`: 429 with Retry-After (`retryAfterSec`, default 1). `denied`: 403 in the service's
 * shape, naming the action the call needed (Synapse RBAC `Unauthorized`, ARM `AuthorizationFailed`,
 * Log Analytics `InsufficientAccessError`). `internal`: 500. `unavailable`: 503. `drop`: the
 * connection is closed without an answer. Any other string is the error code, with `status`
 * (default 400). `flat: true` renders `{code, message}` instead of `{error: {code, message}}`.
 */
export const AzureFaultRule = z.object({
  service: AzureServiceName.optional(),
  /** e.g. QueryPipelineRuns, CreateRun, GetSparkBatchJob, Query, ListMetrics, CreateOrUpdateBigDataPool, GetToken */
  operation: z.string().optional(),
  /** Synapse workspace, pipeline, Spark pool or Log Analytics workspace id the request names. */
  resource: z.string().optional(),
  error: z.string().optional(),
  status: z.number().int().min(400).max(599).optional(),
  message: z.string().optional(),
  flat: z.boolean().optional(),
  retryAfterSec: z.number().min(0).optional(),
  rate: z.number().min(0).max(1).optional(),
  count: z.number().int().min(0).optional(),
  latencyMs: z
    .union([z.number().min(0), z.object({ min: z.number().min(0), max: z.number().min(0) })])
    .optional(),
});
export type AzureFaultRule = z.infer<typeof AzureFaultRule>;

export interface AzureFaultTarget {
  service: AzureServiceName;
  operation: string;
  /** Every resource the request names (workspace and pipeline, say); a rule's `resource` matches any. */
  resources: string[];
}

export interface AzureFaultDecision {
  latencyMs: number;
  fault?: AzureFaultRule;
}

interface ActiveRule {
  rule: AzureFaultRule;
  used: number;
}

export class AzureFaultInjector {
  private rules: ActiveRule[] = [];

  constructor(
    private readonly random: () => number,
    rules: AzureFaultRule[] = [],
  ) {
    this.set(rules);
  }

  set(rules: AzureFaultRule[]): void {
    this.rules = rules.map((r) => ({ rule: AzureFaultRule.parse(r), used: 0 }));
  }

  add(rules: AzureFaultRule[]): void {
    for (const r of rules) this.rules.push({ rule: AzureFaultRule.parse(r), used: 0 });
  }

  list(): AzureFaultRule[] {
    return this.rules.map((r) => ({
      ...r.rule,
      ...(r.rule.count !== undefined ? { count: r.rule.count - r.used } : {}),
    }));
  }

  decide(t: AzureFaultTarget): AzureFaultDecision {
    let latencyMs = 0;
    let fault: AzureFaultRule | undefined;
    for (const active of this.rules) {
      const { rule } = active;
      if (rule.service && rule.service !== t.service) continue;
      if (rule.operation && rule.operation !== t.operation) continue;
      if (rule.resource && !t.resources.includes(rule.resource)) continue;
      if (rule.count !== undefined && active.used >= rule.count) continue;
      const fails = rule.error !== undefined && !fault && this.random() < (rule.rate ?? 1);
      const delays = rule.latencyMs !== undefined;
      if (!fails && !delays) continue;
      active.used++;
      if (delays) latencyMs += pick(rule.latencyMs!, this.random);
      if (fails) fault = rule;
    }
    return fault ? { latencyMs, fault } : { latencyMs };
  }
}

function pick(l: NonNullable<AzureFaultRule['latencyMs']>, random: () => number): number {
  if (typeof l === 'number') return l;
  const lo = Math.min(l.min, l.max);
  return lo + random() * (Math.max(l.min, l.max) - lo);
}

// ---------------------------------------------------------------------------------------------
// Requests answered, for assertions in tests and the sandbox page.

export interface AzureRecordedRequest {
  seq: number;
  service: AzureServiceName | 'unknown';
  operation: string;
  method: string;
  path: string;
  /** Query parameters and the JSON body, when there was one. */
  params: Record<string, unknown>;
  at: number;
  status: number;
  error?: string;
  injected?: boolean;
  latencyMs?: number;
}

export interface AzureRequestFilter {
  service?: string;
  operation?: string;
  since?: number;
}

export class AzureRequestLog {
  private entries: AzureRecordedRequest[] = [];
  private seq = 0;

  constructor(private readonly limit = 100_000) {}

  add(entry: Omit<AzureRecordedRequest, 'seq'>): AzureRecordedRequest {
    const rec = { seq: ++this.seq, ...entry };
    this.entries.push(rec);
    if (this.entries.length > this.limit) this.entries.splice(0, this.entries.length - this.limit);
    return rec;
  }

  list(f: AzureRequestFilter = {}): AzureRecordedRequest[] {
    return this.entries.filter(
      (r) =>
        (f.service === undefined || r.service === f.service) &&
        (f.operation === undefined || r.operation === f.operation) &&
        (f.since === undefined || r.seq > f.since),
    );
  }

  clear(): void {
    this.entries = [];
  }
}
