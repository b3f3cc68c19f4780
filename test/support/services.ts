// Starters for the real services the suite needs. Each test file starts what it uses on a free
// loopback port and stops it afterwards; Redis is shared (scripts/test.mjs makes sure one answers
// at REDIS_URL) and every test isolates itself with its own key prefix.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

export async function freePort(): Promise<number> {
  return await new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

export function redisUrl(): string {
  return process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
}

/** A unique key prefix for one test, so tests never see each other's keys or queues. */
export function testPrefix(name = 't'): string {
  return `test-${name.replace(/[^a-zA-Z0-9]/g, '')}-${randomBytes(4).toString('hex')}`;
}

/** Delete every key of a prefix (queues and state). */
export async function dropPrefix(prefix: string): Promise<void> {
  const r = new Redis(redisUrl(), { maxRetriesPerRequest: 1 });
  try {
    let cursor = '0';
    do {
      const [next, keys] = await r.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length) await r.del(...keys);
    } while (cursor !== '0');
  } finally {
    r.disconnect();
  }
}

export interface Service {
  url: string;
  port: number;
  stop(): Promise<void>;
}

async function waitForPort(
  port: number,
  child: ChildProcess,
  what: string,
  timeoutMs = 20000,
): Promise<void> {
  const { connect } = await import('node:net');
  const deadline = Date.now() + timeoutMs;
  let exited = false;
  child.once('exit', () => (exited = true));
  while (Date.now() < deadline) {
    if (exited) throw new Error(`${what} exited before listening on ${port}`);
    const ok = await new Promise<boolean>((res) => {
      const s = connect(port, '127.0.0.1');
      s.once('connect', () => {
        s.destroy();
        res(true);
      });
      s.once('error', () => res(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what} did not listen on ${port} within ${timeoutMs} ms`);
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  await new Promise<void>((resolve) => {
    const t = setTimeout(() => {
      child.kill('SIGKILL');
    }, 3000);
    child.once('exit', () => {
      clearTimeout(t);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/**
 * s3rver 3.7 in its own process. It must run under --openssl-legacy-provider or its continuation
 * tokens fail with HTTP 500. Buckets listed are created empty.
 */
export async function startS3rver(buckets: string[] = []): Promise<Service> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 's3rver-'));
  const script = `
    const S3rver = require('s3rver');
    new S3rver({ port: ${port}, address: '127.0.0.1', directory: ${JSON.stringify(dir)}, silent: true,
      configureBuckets: ${JSON.stringify(buckets.map((name) => ({ name })))} }).run().then(() => {}, (e) => { console.error(e); process.exit(1); });
  `;
  const child = spawn(process.execPath, ['--openssl-legacy-provider', '-e', script], {
    cwd: root,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  await waitForPort(port, child, 's3rver');
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    async stop() {
      await stopChild(child);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Azurite's well-known development account. */
export const AZURITE_ACCOUNT = 'devstoreaccount1';
export const AZURITE_KEY =
  'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

export interface AzuriteService extends Service {
  connectionString: string;
}

/** Azurite's blob service, in memory, in its own process. */
export async function startAzurite(): Promise<AzuriteService> {
  const port = await freePort();
  const bin = join(root, 'node_modules', 'azurite', 'dist', 'src', 'blob', 'main.js');
  const child = spawn(
    process.execPath,
    [
      bin,
      '--blobHost',
      '127.0.0.1',
      '--blobPort',
      String(port),
      '--inMemoryPersistence',
      '--skipApiVersionCheck',
      '--disableTelemetry',
      '--silent',
    ],
    { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] },
  );
  await waitForPort(port, child, 'azurite-blob');
  const url = `http://127.0.0.1:${port}/${AZURITE_ACCOUNT}`;
  return {
    url,
    port,
    connectionString: `DefaultEndpointsProtocol=http;AccountName=${AZURITE_ACCOUNT};AccountKey=${AZURITE_KEY};BlobEndpoint=${url};`,
    stop: () => stopChild(child),
  };
}
