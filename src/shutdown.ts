// Graceful shutdown on SIGTERM/SIGINT: receiver, then workers (waiting for active jobs), then
// queues, then Redis. A second signal exits at once; a shutdown stuck past the grace period too.
import type { Logger } from './logger.js';

export function installShutdown(
  target: { close(): Promise<void> },
  logger: Logger,
  opts: { graceMs?: number; exit?: (code: number) => void } = {},
): void {
  const exit = opts.exit ?? ((code: number) => process.exit(code));
  let signals = 0;
  const shutdown = (signal: string) => {
    signals++;
    if (signals > 1) {
      logger.warn({ signal }, 'second signal: exiting without waiting for active jobs');
      exit(1);
      return;
    }
    logger.info({ signal }, 'shutting down: receiver, then workers (waiting for active jobs), queues, Redis');
    const force = setTimeout(() => {
      logger.error({ graceMs: opts.graceMs ?? 60_000 }, 'shutdown took too long; exiting');
      exit(1);
    }, opts.graceMs ?? 60_000);
    force.unref();
    target.close().then(
      () => exit(0),
      (err: unknown) => {
        logger.error({ err }, 'error during shutdown');
        exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}
