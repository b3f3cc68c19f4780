// The whole simulated cloud: one clock and the three stores. Scenarios fill it; reset() empties it
// in place so references handed out earlier stay valid.
import { SimClock } from './clock.js';
import { GlueStore } from './glue-store.js';
import { LogsStore } from './logs-store.js';
import { S3Store } from './s3-store.js';
import { LakeStore } from './lake-store.js';
import { MetricsStore } from './metrics-store.js';

export class SimState {
  readonly clock: SimClock;
  readonly glue = new GlueStore();
  readonly logs = new LogsStore();
  readonly s3 = new S3Store();
  /** Multipart uploads, catalog partitions, staging outputs, Data Quality (the backfill flow). */
  readonly lake = new LakeStore();
  /** Glue job metrics served through CloudWatch GetMetricData (per-run profiles). */
  readonly metrics = new MetricsStore();

  constructor(clock: SimClock) {
    this.clock = clock;
  }

  /** Simulated epoch ms. */
  now(): number {
    return this.clock.now();
  }

  clear(): void {
    this.glue.clear();
    this.logs.clear();
    this.s3.clear();
    this.lake.clear();
    this.metrics.clear();
  }
}
