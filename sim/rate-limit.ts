// A Glue-like account rate limit: a token bucket per service on the real clock (AWS and Azure
// meter requests in real time, whatever speed the simulated clock runs at). A request past it is
// answered as that service throttles — ThrottlingException (Glue, CloudWatch), SlowDown (S3), 429
// with Retry-After (Synapse, Log Analytics, ARM and Azure Monitor) — and never reaches the handler.
import type { ServiceName } from './faults.js';

export interface RateLimit {
  /** Sustained requests per second. */
  requestsPerSecond: number;
  /** Bucket size (default: requestsPerSecond, at least 1). */
  burst?: number;
}

export class RateLimiter<S extends string = ServiceName> {
  private readonly buckets = new Map<S, { limit: RateLimit; tokens: number; at: number }>();

  constructor(limits: Partial<Record<S, RateLimit>> = {}) {
    for (const [service, limit] of Object.entries(limits) as [S, RateLimit][]) this.set(service, limit);
  }

  /** Sets (or, with undefined, lifts) the limit of a service; the bucket starts full. */
  set(service: S, limit: RateLimit | undefined): void {
    if (!limit) {
      this.buckets.delete(service);
      return;
    }
    this.buckets.set(service, { limit, tokens: burstOf(limit), at: performance.now() });
  }

  /** True when the request may go (a token taken); false when it is throttled. */
  take(service: S): boolean {
    const b = this.buckets.get(service);
    if (!b) return true;
    const now = performance.now();
    b.tokens = Math.min(burstOf(b.limit), b.tokens + ((now - b.at) / 1000) * b.limit.requestsPerSecond);
    b.at = now;
    if (b.tokens < 1) return false;
    b.tokens -= 1;
    return true;
  }
}

function burstOf(l: RateLimit): number {
  return Math.max(1, l.burst ?? Math.floor(l.requestsPerSecond));
}
