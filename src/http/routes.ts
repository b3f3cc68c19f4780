// GET /healthz (the process is alive), /readyz (Redis answers, the queue connections are ready
// and, where this process runs workers, they are running) and /metrics (Prometheus). Served beside /slack/events.
import type { CustomRoute } from '@slack/bolt';
import type { ServerResponse } from 'node:http';
import type { Metrics } from '../metrics.js';

export interface Readiness {
  /** Resolves true when Redis answers PING. */
  redis(): Promise<boolean>;
  /** True when the queues' own connections are ready (a reconnecting producer refuses jobs). */
  queue?: () => boolean;
  /** Undefined when this process runs no workers (role web). */
  workers?: () => boolean;
}

function send(res: ServerResponse, status: number, body: unknown, type = 'application/json'): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
  res.end(text);
}

export function healthRoutes(opts: {
  readiness: Readiness;
  metrics: Metrics;
  startedAt?: number;
}): CustomRoute[] {
  const startedAt = opts.startedAt ?? Date.now();
  return [
    {
      path: '/healthz',
      method: ['GET', 'HEAD'],
      handler: (_req, res) =>
        send(res, 200, { status: 'ok', uptimeSec: Math.round((Date.now() - startedAt) / 1000) }),
    },
    {
      path: '/readyz',
      method: ['GET', 'HEAD'],
      handler: (_req, res) => {
        const timeout = new Promise<boolean>((r) => setTimeout(() => r(false), 1000).unref());
        void Promise.race([opts.readiness.redis().catch(() => false), timeout]).then((redis) => {
          const workers = opts.readiness.workers ? opts.readiness.workers() : undefined;
          const queue = opts.readiness.queue ? opts.readiness.queue() : true;
          const ready = redis && queue && workers !== false;
          send(res, ready ? 200 : 503, {
            status: ready ? 'ready' : 'not ready',
            redis: redis ? 'ok' : 'unreachable',
            queue: queue ? 'ok' : 'unavailable',
            workers: workers === undefined ? 'none in this role' : workers ? 'running' : 'stopped',
          });
        });
      },
    },
    {
      path: '/metrics',
      method: ['GET'],
      handler: (_req, res) => {
        void opts.metrics.registry.metrics().then(
          (text) => send(res, 200, text, opts.metrics.registry.contentType),
          (err: Error) => send(res, 500, { error: err.message }),
        );
      },
    },
  ];
}
