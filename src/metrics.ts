// Prometheus metrics (GET /metrics). One registry per process; label sets kept small.
import { Registry, Counter, Histogram, Gauge, collectDefaultMetrics } from 'prom-client';

export interface Metrics {
  registry: Registry;
  commands: Counter<'command' | 'outcome'>;
  ackLatency: Histogram<'command'>;
  jobDuration: Histogram<'queue' | 'outcome'>;
  jobFailures: Counter<'queue' | 'final'>;
  slackApiErrors: Counter<'method' | 'error'>;
  slackRateLimited: Counter<'method'>;
  workersRunning: Gauge<'queue'>;
  /** How late each scheduled monitor evaluation started, from its slot in the interval. */
  monitorLateness: Histogram;
  /** Jobs waiting to be picked up, per queue, read from Redis at each scrape (worker autoscaling). */
  queueWaiting: Gauge<'queue'>;
  /** Where queueWaiting reads from; set once the queues exist (bootstrap). */
  countWaiting(source: () => Promise<Record<string, number>>): void;
}

export function createMetrics(opts: { defaultMetrics?: boolean } = {}): Metrics {
  const registry = new Registry();
  let waitingSource: (() => Promise<Record<string, number>>) | undefined;
  if (opts.defaultMetrics ?? true) collectDefaultMetrics({ register: registry, prefix: 'medic_' });
  return {
    registry,
    commands: new Counter({
      name: 'medic_commands_total',
      help: 'Slash commands received, by command and outcome (queued, help, invalid, unavailable, error)',
      labelNames: ['command', 'outcome'],
      registers: [registry],
    }),
    ackLatency: new Histogram({
      name: 'medic_ack_latency_seconds',
      help: 'Time from a request reaching the receiver to its ack (Slack allows 3 s)',
      labelNames: ['command'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 3],
      registers: [registry],
    }),
    jobDuration: new Histogram({
      name: 'medic_job_duration_seconds',
      help: 'Queue job processing time by queue and outcome',
      labelNames: ['queue', 'outcome'],
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300],
      registers: [registry],
    }),
    jobFailures: new Counter({
      name: 'medic_job_failures_total',
      help: 'Failed job attempts by queue; final="true" when no attempts are left',
      labelNames: ['queue', 'final'],
      registers: [registry],
    }),
    slackApiErrors: new Counter({
      name: 'medic_slack_api_errors_total',
      help: 'Slack Web API calls that failed, by method and error',
      labelNames: ['method', 'error'],
      registers: [registry],
    }),
    slackRateLimited: new Counter({
      name: 'medic_slack_rate_limited_total',
      help: 'Slack Web API rate-limit waits (HTTP 429), by method',
      labelNames: ['method'],
      registers: [registry],
    }),
    monitorLateness: new Histogram({
      name: 'medic_monitor_evaluation_lateness_seconds',
      help: 'Time from when a monitor evaluation was due (its slot in monitor.everyMinutes) to when a worker started it',
      buckets: [0.05, 0.25, 1, 5, 15, 30, 60, 120, 300, 900],
      registers: [registry],
    }),
    workersRunning: new Gauge({
      name: 'medic_workers_running',
      help: '1 when the worker of a queue is running',
      labelNames: ['queue'],
      registers: [registry],
    }),
    queueWaiting: new Gauge({
      name: 'medic_queue_waiting_jobs',
      help: 'Jobs waiting for a worker (waiting + prioritized), per queue; what worker autoscaling follows',
      labelNames: ['queue'],
      registers: [registry],
      async collect() {
        if (!waitingSource) return;
        try {
          const counts = await waitingSource();
          for (const [queue, n] of Object.entries(counts)) this.set({ queue }, n);
        } catch {
          // Redis unreachable: no stale numbers for the autoscaler, the series is simply absent.
          this.reset();
        }
      },
    }),
    countWaiting(source) {
      waitingSource = source;
    },
  };
}
