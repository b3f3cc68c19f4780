// Every request the simulator answered, for assertions in tests and for the sandbox page.
import type { ServiceName } from './faults.js';

export interface RecordedRequest {
  /** Sequence number, from 1. */
  seq: number;
  service: ServiceName | 'admin';
  operation: string;
  params: Record<string, unknown>;
  /** Real epoch ms when the request arrived. */
  at: number;
  status: number;
  /** Error code when the answer was an error. */
  error?: string;
  /** True when the error came from fault injection. */
  injected?: boolean;
  /** Latency added by fault injection, in ms. */
  latencyMs?: number;
}

export interface RequestFilter {
  service?: string;
  operation?: string;
  /** Only requests with seq greater than this. */
  since?: number;
}

export class RequestLog {
  private entries: RecordedRequest[] = [];
  private seq = 0;
  /** Oldest entries are dropped past this many. */
  private readonly limit: number;

  constructor(limit = 100_000) {
    this.limit = limit;
  }

  add(entry: Omit<RecordedRequest, 'seq'>): RecordedRequest {
    const rec = { seq: ++this.seq, ...entry };
    this.entries.push(rec);
    if (this.entries.length > this.limit) this.entries.splice(0, this.entries.length - this.limit);
    return rec;
  }

  list(filter: RequestFilter = {}): RecordedRequest[] {
    return this.entries.filter(
      (r) =>
        (filter.service === undefined || r.service === filter.service) &&
        (filter.operation === undefined || r.operation === filter.operation) &&
        (filter.since === undefined || r.seq > filter.since),
    );
  }

  clear(): void {
    this.entries = [];
  }
}
