// A dedicated redis-server for tests that need to stop and restart Redis itself (persistence):
// its own free port and temp directory; with `appendonly`, every write goes to the append-only
// file (fsync always), so a stop and a start on the same directory keep everything.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { freePort } from './services.js';

export interface RedisServer {
  url: string;
  port: number;
  dir: string;
  /** Stop the server (SHUTDOWN, which syncs the append-only file), keeping its directory. */
  stop(): Promise<void>;
  /** Start it again on the same port and directory. */
  start(): Promise<void>;
  /** Stop it and delete its directory. */
  destroy(): Promise<void>;
  /** Freeze the process (SIGSTOP): connections stay open, nothing is answered. */
  pause(): void;
  /** Let a paused server run again (SIGCONT). */
  resume(): void;
}

async function waitForPing(url: string, child: ChildProcess, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exited = false;
  child.once('exit', () => (exited = true));
  while (Date.now() < deadline) {
    if (exited) throw new Error(`redis-server exited before answering at ${url}`);
    const r = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    r.on('error', () => {});
    try {
      await r.connect();
      if ((await r.ping()) === 'PONG') {
        // Loading the append-only file answers LOADING until done; PING is fine, but make sure.
        await r.get('medic-test-ready');
        return;
      }
    } catch {
      // not yet
    } finally {
      r.disconnect();
    }
    await new Promise((res) => setTimeout(res, 50));
  }
  throw new Error(`redis-server did not answer at ${url} within ${timeoutMs} ms`);
}

export async function startRedisServer(opts: { appendonly?: boolean } = {}): Promise<RedisServer> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'medic-redis-'));
  const url = `redis://127.0.0.1:${port}`;
  let child: ChildProcess | undefined;

  const args = [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--dir',
    dir,
    '--save',
    '',
    '--appendonly',
    opts.appendonly ? 'yes' : 'no',
    '--appendfsync',
    'always',
    '--protected-mode',
    'no',
  ];

  async function start(): Promise<void> {
    const c = spawn('redis-server', args, { cwd: dir, stdio: ['ignore', 'ignore', 'inherit'] });
    child = c;
    await waitForPing(url, c);
  }

  async function stop(): Promise<void> {
    const c = child;
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      const t = setTimeout(() => c.kill('SIGKILL'), 5000);
      c.once('exit', () => {
        clearTimeout(t);
        resolve();
      });
      // SIGTERM makes redis-server shut down cleanly (and fsync the append-only file).
      c.kill('SIGTERM');
    });
    child = undefined;
  }

  await start();
  return {
    url,
    port,
    dir,
    stop,
    start,
    pause: () => void child?.kill('SIGSTOP'),
    resume: () => void child?.kill('SIGCONT'),
    async destroy() {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
