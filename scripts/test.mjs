#!/usr/bin/env node
// `npm test`: the runbook's delivery pipeline stages in order — lint (format, lint, typecheck) →
// unit → infra (the bot's own infrastructure as code: synth, cdk-nag, parity) → contract →
// integration → e2e — naming each stage and stopping at the first that fails.
// It makes sure a Redis answers at REDIS_URL first, starting redis-server on a free port if not.
//
//   npm test                 every stage
//   npm test -- unit contract  only those stages, in pipeline order
import { spawn, spawnSync } from 'node:child_process';
import { readdirSync, statSync, existsSync, mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';

const STAGES = ['format', 'lint', 'typecheck', 'unit', 'infra', 'contract', 'integration', 'e2e'];
const wanted = process.argv.slice(2).filter((a) => !a.startsWith('-'));
for (const w of wanted) {
  if (!STAGES.includes(w)) {
    console.error(`unknown stage "${w}"; stages: ${STAGES.join(', ')}`);
    process.exit(2);
  }
}
const stages = wanted.length ? STAGES.filter((s) => wanted.includes(s)) : STAGES;

function findTests(dir) {
  if (!existsSync(dir)) return [];
  const out = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...findTests(p));
    else if (name.endsWith('.test.ts')) out.push(p);
  }
  return out.sort();
}

function run(cmd, args, env = process.env) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { stdio: 'inherit', env });
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

function ping(url) {
  const u = new URL(url);
  return new Promise((resolve) => {
    const s = createConnection({ host: u.hostname || '127.0.0.1', port: Number(u.port || 6379) });
    const t = setTimeout(() => {
      s.destroy();
      resolve(false);
    }, 1000);
    s.once('connect', () => s.write('PING\r\n'));
    s.once('data', (d) => {
      clearTimeout(t);
      s.destroy();
      resolve(d.toString().startsWith('+PONG'));
    });
    s.once('error', () => {
      clearTimeout(t);
      resolve(false);
    });
  });
}

function freePort() {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

async function ensureRedis() {
  const url = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  if (await ping(url)) return { url, stop: () => {} };
  const which = spawnSync('sh', ['-c', 'command -v redis-server']);
  if (which.status !== 0) {
    console.error(
      'no Redis answers at ' + url + ' and redis-server is not installed: apt-get install redis-server',
    );
    process.exit(1);
  }
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'medic-redis-'));
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir],
    { stdio: 'ignore' },
  );
  const started = `redis://127.0.0.1:${port}`;
  for (let i = 0; i < 100; i++) {
    if (await ping(started)) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  if (!(await ping(started))) {
    console.error('redis-server did not start');
    process.exit(1);
  }
  console.log(`started redis-server for the tests at ${started}`);
  return { url: started, stop: () => child.kill('SIGTERM') };
}

const bin = (name) => join('node_modules', '.bin', name);
let redis;
const started = Date.now();
for (const stage of stages) {
  console.log(`\n=== stage: ${stage} ===`);
  let code;
  if (stage === 'format') code = await run(bin('prettier'), ['--check', '--log-level', 'warn', '.']);
  else if (stage === 'lint') code = await run(bin('eslint'), ['.']);
  else if (stage === 'typecheck') code = await run(bin('tsc'), ['--noEmit', '-p', 'tsconfig.json']);
  else {
    const files = findTests(join('test', stage));
    if (!files.length) {
      console.log(`(no ${stage} tests)`);
      continue;
    }
    redis ??= await ensureRedis();
    const env = { ...process.env, REDIS_URL: redis.url, LOG_LEVEL: process.env.LOG_LEVEL ?? 'silent' };
    const concurrency = stage === 'unit' ? '2' : '1';
    // A hang guard, not a performance assertion: the e2e file is one long story (a browser, the
    // whole bot, the simulators) that takes 60–90 s alone and more than 120 s on a loaded machine.
    const timeoutMs = stage === 'e2e' ? 600_000 : 120_000;
    code = await run(
      process.execPath,
      [
        '--import',
        'tsx',
        '--test',
        `--test-concurrency=${concurrency}`,
        `--test-timeout=${timeoutMs}`,
        ...files,
      ],
      env,
    );
  }
  if (code !== 0) {
    console.error(`\n✗ stage ${stage} failed (exit ${code}); later stages not run`);
    redis?.stop();
    process.exit(code);
  }
  console.log(`✓ stage ${stage}`);
}
redis?.stop();
console.log(`\nall stages passed in ${((Date.now() - started) / 1000).toFixed(1)} s: ${stages.join(' → ')}`);
