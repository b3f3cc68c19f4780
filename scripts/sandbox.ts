// `npm run sandbox`: the whole bot on one machine, no Slack app or AWS account needed (issue 8).
// On loopback it starts Redis (or uses the one at REDIS_URL), the cloud simulator, the fake Slack
// with its Slack-like page, and the real bot (web + worker) wired to both; then prints the URL.
// Every command and click on the page reaches the bot as a signed request to /slack/events, so
// the sandbox runs the production receiver, listeners, queues and workers.
//
//   npm run sandbox             page on http://127.0.0.1:3000 (SANDBOX_PORT to change; busy → free port)
//   LOG_LEVEL=info npm run sandbox   more of the bot's log
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Redis } from 'ioredis';
import { parse as parseYaml } from 'yaml';
import pretty from 'pino-pretty';
import { parseConfigText, parseEnv, type AppConfig } from '../src/config/index.js';
import { startMedic, type Medic } from '../src/bootstrap.js';
import { runsWindow } from '../src/domain/backfill-window.js';
import { createLogger, type Logger } from '../src/logger.js';
import { startSimulator, type Simulator } from '../sim/index.js';
import { trustedCaFromEnv, trustedSimulatorCa } from '../sim/azure/trust.js';
import { AZURE_SIM, SALES_PIPELINE, salesInputBlobs } from '../sim/azure/scenarios.js';
import { seedSparseBlobsAt } from '../sim/azure/blob-seed.js';
import { FakeSlack } from '../test/support/fake-slack/index.js';
import { startAzurite } from '../test/support/services.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
export const SANDBOX_CONFIG = join(root, 'sandbox', 'medic.yml');

export interface SandboxOptions {
  /** Port of the page (the fake Slack); 0 = a free one. Default 3000, or a free one when busy. */
  port?: number;
  /** Redis to use when it answers; else redis-server is started on a free port. */
  redisUrl?: string;
  /** The bot's log level (default `warn`). */
  logLevel?: string;
  logger?: Logger;
  /** Simulated seconds a compaction run of MyJob takes (default 20: it finishes while you watch). */
  compactionSec?: number;
  /**
   * The medic.yml overlay. Default `staging`: approved mitigations run (against the simulator);
   * in `dev` the bot only shows the calls it would make.
   */
  medicEnv?: 'dev' | 'staging' | 'prod';
}

export interface Sandbox {
  /** The page to open. */
  url: string;
  slack: FakeSlack;
  sim: Simulator;
  medic: Medic;
  redisUrl: string;
  stop(): Promise<void>;
}

export class SandboxError extends Error {
  override readonly name = 'SandboxError';
}

function ping(url: string): Promise<boolean> {
  const u = new URL(url);
  return new Promise((resolve) => {
    const s = createConnection({ host: u.hostname || '127.0.0.1', port: Number(u.port || 6379) });
    const t = setTimeout(() => {
      s.destroy();
      resolve(false);
    }, 1000);
    s.once('connect', () =>
      s.write(u.password ? `AUTH ${decodeURIComponent(u.password)}\r\nPING\r\n` : 'PING\r\n'),
    );
    s.once('data', (d) => {
      clearTimeout(t);
      s.destroy();
      resolve(/\+PONG|\+OK/.test(d.toString()));
    });
    s.once('error', () => {
      clearTimeout(t);
      resolve(false);
    });
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** The Redis at `url` when it answers; else a throwaway redis-server on a free loopback port. */
async function ensureRedis(url: string): Promise<{ url: string; child?: ChildProcess; dir?: string }> {
  if (await ping(url)) return { url };
  if (spawnSync('sh', ['-c', 'command -v redis-server']).status !== 0) {
    throw new SandboxError(
      `No Redis answers at ${url} and redis-server is not installed.\n` +
        `Install it (Debian/Ubuntu: sudo apt-get install -y redis-server; macOS: brew install redis) ` +
        `or set REDIS_URL to a Redis you can use, then run npm run sandbox again.`,
    );
  }
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'medic-sandbox-redis-'));
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir],
    { stdio: 'ignore' },
  );
  const started = `redis://127.0.0.1:${port}`;
  for (let i = 0; i < 100 && !(await ping(started)); i++) await new Promise((r) => setTimeout(r, 100));
  if (!(await ping(started))) {
    child.kill('SIGTERM');
    throw new SandboxError(`redis-server did not start on port ${port}`);
  }
  return { url: started, child, dir };
}

/** Just under the median ExecutionTime of a job's older successful runs (its baseline), seconds. */
function usualExecutionSec(sim: Simulator, job: string): number | undefined {
  const secs = sim.state.glue
    .runsOf(job)
    .filter((r) => r.outcome === 'SUCCEEDED')
    .slice(3, 13)
    .map((r) => r.durationMs / 1000)
    .sort((a, b) => a - b);
  const median = secs[Math.floor(secs.length / 2)];
  return median !== undefined ? Math.round(median * 0.95) : undefined;
}

async function dropPrefix(url: string, prefix: string): Promise<void> {
  const r = new Redis(url, { maxRetriesPerRequest: 1, lazyConnect: true });
  try {
    await r.connect();
    let cursor = '0';
    do {
      const [next, keys] = await r.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length) await r.del(...keys);
    } while (cursor !== '0');
  } catch {
    // Best effort: a Redis that went away has nothing left to clean.
  } finally {
    r.disconnect();
  }
}

/** The slash commands the app declares in manifest.yml. */
function manifestCommands(): string[] {
  try {
    const doc = parseYaml(readFileSync(join(root, 'manifest.yml'), 'utf8')) as {
      features?: { slash_commands?: { command?: string }[] };
    };
    const cmds = (doc.features?.slash_commands ?? []).map((c) => c.command).filter((c): c is string => !!c);
    if (cmds.length) return cmds;
  } catch {
    // fall through to the DESIGN.md list
  }
  return ['/triage', '/smallfiles', '/incident', '/backfill'];
}

async function startFakeSlack(port: number | undefined): Promise<FakeSlack> {
  if (port !== undefined) return await FakeSlack.start({ port });
  try {
    return await FakeSlack.start({ port: 3000 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw err;
    return await FakeSlack.start({ port: 0 });
  }
}

export async function startSandbox(opts: SandboxOptions = {}): Promise<Sandbox> {
  const logLevel = opts.logLevel ?? 'warn';
  // Readable lines in the terminal (the sandbox is for people, not log collectors).
  const logger =
    opts.logger ??
    createLogger(
      { level: logLevel, name: 'medic' },
      pretty({ colorize: process.stdout.isTTY, ignore: 'pid,hostname', translateTime: 'HH:MM:ss' }),
    );
  const stops: (() => Promise<void> | void)[] = [];
  const stopAll = async () => {
    for (const s of stops.reverse()) await Promise.resolve(s()).catch(() => {});
    stops.length = 0;
  };
  try {
    const redis = await ensureRedis(opts.redisUrl ?? 'redis://127.0.0.1:6379');
    if (redis.child) {
      const { child, dir } = redis;
      stops.push(async () => {
        await new Promise<void>((resolve) => {
          if (child.exitCode !== null) return resolve();
          child.once('exit', () => resolve());
          child.kill('SIGTERM');
        });
        if (dir) rmSync(dir, { recursive: true, force: true });
      });
    }

    // The Azure side serves HTTPS with the simulator's CA, which this process must trust from its
    // start (main() calls trustedSimulatorCa(); tests import test/support/azure.js).
    const ca = trustedCaFromEnv();
    if (!ca)
      throw new SandboxError(
        "The sandbox's process does not trust the Azure simulator's CA: call trustedSimulatorCa() " +
          '(sim/azure/trust.ts) before startSandbox, as `npm run sandbox` does.',
      );
    const sim = await startSimulator({ port: 0, azure: { ca } });
    stops.push(() => sim.stop());
    const azure = sim.azure!;
    // DefaultAzureCredential's managed identity: the simulator's endpoint (read from the environment).
    process.env.IDENTITY_ENDPOINT = azure.identityEndpoint;
    process.env.IDENTITY_HEADER = azure.identityHeader;
    // The Synapse job's lake: Azurite, seeded with SalesPipeline's input (sparse blobs, seconds).
    const azurite = await startAzurite();
    stops.push(() => azurite.stop());
    await seedSparseBlobsAt(
      azurite.connectionString,
      SALES_PIPELINE.container,
      salesInputBlobs(azure.state.now()),
    );
    for (const [pipeline, durationSec] of [
      [SALES_PIPELINE.name, 25],
      [SALES_PIPELINE.compactionPipeline, opts.compactionSec ?? 20],
      [SALES_PIPELINE.stagingPipeline, 30],
      [SALES_PIPELINE.consumer, 20],
    ] as const)
      azure.state.configureRuns(AZURE_SIM.workspace, pipeline, {
        queuedSec: 3,
        durationSec,
        outcome: 'Succeeded',
        errorMessage: undefined,
      });
    // Runs started from the sandbox finish while you watch (real ones take minutes) and succeed,
    // as if the mitigation worked, so a rerun gets its verdict against the baseline.
    sim.state.glue.configureRuns('MyJob-compaction', {
      durationSec: opts.compactionSec ?? 20,
      startingSec: 3,
    });
    sim.state.glue.configureRuns('MyJob-staging', { durationSec: 30, startingSec: 3 });
    sim.state.glue.configureRuns('DriftJob-staging', { durationSec: 30, startingSec: 3 });
    for (const job of ['MyJob', 'OomJob', 'SkewJob', 'DriftJob', 'HealthyJob', 'DownstreamJob']) {
      // They finish in 25 s but report a plausible ExecutionTime (just under the job's usual one):
      // a 25 s run against a 20-minute baseline is suspicious, not a recovery.
      const usual = usualExecutionSec(sim, job);
      sim.state.glue.configureRuns(job, {
        durationSec: 25,
        startingSec: 3,
        outcome: 'SUCCEEDED',
        errorMessage: undefined,
        ...(usual !== undefined ? { executionSec: usual } : {}),
      });
    }
    // Every compaction of MyJob is followed by MyJob's next scheduled run, 5 s after it: the bot
    // follows it and posts the recovery verdict against the baseline on the approval.
    const myJobUsual = usualExecutionSec(sim, 'MyJob');
    sim.state.glue.scheduleNextRun({
      job: 'MyJob',
      after: 'MyJob-compaction',
      delaySec: 5,
      durationSec: 20,
      ...(myJobUsual !== undefined ? { executionSec: myJobUsual } : {}),
      TriggerName: 'nightly',
      repeat: true,
    });

    const slack = await startFakeSlack(opts.port);
    stops.push(() => slack.stop());
    // A second channel, where `/incident declare` can open a new incident channel.
    slack.addChannel({
      id: 'C0GENERAL',
      name: 'general',
      topic: 'Everything else',
      members: ['U0ONCALL', 'U0APPROVER', 'U0OWNER', 'U0SRE1', 'U0SRE2', slack.botUserId],
    });

    // The AWS SDK's default chain reads credentials from the environment: point it at the
    // simulator's, so nothing real is ever sent (the endpoints are the simulator anyway).
    const awsEnv = sim.env();
    for (const k of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_REGION']) process.env[k] = awsEnv[k];
    delete process.env.AWS_SESSION_TOKEN;
    delete process.env.AWS_PROFILE;

    const prefix = `sandbox-${randomBytes(3).toString('hex')}`;
    const signingSecret = randomBytes(16).toString('hex');
    const env = parseEnv({
      MEDIC_SANDBOX: 'true',
      SLACK_BOT_TOKEN: 'xoxb-sandbox-0000',
      SLACK_SIGNING_SECRET: signingSecret,
      SLACK_API_URL: slack.apiUrl,
      PORT: '0',
      HOST: '127.0.0.1',
      REDIS_URL: redis.url,
      MEDIC_PREFIX: prefix,
      MEDIC_ENV: opts.medicEnv ?? 'staging',
      MEDIC_ROLE: 'all',
      MEDIC_CONFIG: SANDBOX_CONFIG,
      LOG_LEVEL: logLevel,
      ...awsEnv,
      AZURE_STORAGE_CONNECTION_STRING: azurite.connectionString,
    });
    const file = parseConfigText(readFileSync(SANDBOX_CONFIG, 'utf8'), env.MEDIC_ENV, 'sandbox/medic.yml');
    // The Synapse jobs' workspace is the simulator's, on a port known only now.
    for (const job of Object.values(file.config.jobs))
      if (job.provider === 'synapse' && job.workspace === AZURE_SIM.workspace)
        job.workspaceEndpoint = azure.workspaceEndpoint(AZURE_SIM.workspace);
    const config: AppConfig = {
      env,
      medic: file.config,
      source: file.source,
    };
    // The job's next run after a mitigation is looked for every 2 s here (production: 5 min).
    const medic = await startMedic(config, { logger, timings: { followPollMs: 2000 } });
    stops.push(() => dropPrefix(redis.url, prefix));
    stops.push(() => medic.close());

    slack.connectApp({
      requestUrl: `${medic.url}/slack/events`,
      signingSecret,
      commands: manifestCommands(),
    });
    return { url: `${slack.url}/`, slack, sim, medic, redisUrl: redis.url, stop: stopAll };
  } catch (err) {
    await stopAll();
    throw err;
  }
}

/** A backfill window of MyJob the simulator has input and production output for (the last 5 days). */
export function backfillWindow(sim: Simulator): { from: string; to: string } {
  const day = (ago: number) => new Date(sim.state.now() - ago * 86_400_000).toISOString().slice(0, 10);
  return { from: day(3), to: day(2) };
}

/**
 * The backfill windows the first message lists, one per job of the sandbox that can be backfilled:
 * MyJob's above, and DriftJob's — the days its failed runs should have written, which its triage
 * report's Controlled backfill button offers (the same rule, src/domain/backfill-window.ts).
 */
export function backfillWindows(sim: Simulator): { job: string; from: string; to: string; note: string }[] {
  const out = [{ job: 'MyJob', ...backfillWindow(sim), note: 'a window with input and production output' }];
  const drift = runsWindow(
    sim.state.glue
      .runsOf('DriftJob')
      .filter((r) => r.outcome === 'FAILED')
      .map((r) => ({ startedOn: new Date(r.startedAt), parameters: r.Arguments })),
  );
  if (drift)
    out.push({ job: 'DriftJob', ...drift, note: 'the days of its failed runs (its report offers it)' });
  return out;
}

/** What the terminal shows once the sandbox runs: the URL, the jobs to try and the backfill windows. */
export function welcomeText(sandbox: Pick<Sandbox, 'url' | 'sim' | 'redisUrl' | 'medic'>): string {
  return [
    '',
    '  Pipeline Medic sandbox is running: the real bot, a fake Slack, a simulated AWS and Azure.',
    '',
    `  Open  ${sandbox.url}`,
    '',
    '  In #data-ops try the jobs of the simulated clouds:',
    '    /triage MyJob          DEGRADED: small files; Run compaction → approve → its next run gets a verdict',
    '    /triage OomJob         FAILING: executor out of memory; Scale workers',
    '    /triage SkewJob        DEGRADED: data skew; Tune shuffle / skew',
    '    /triage DriftJob       FAILING: a renamed column after a catalog change; Controlled backfill',
    '    /triage HealthyJob     HEALTHY: no incident',
    '    /triage SalesPipeline  the Azure Synapse pipeline',
    ...backfillWindows(sandbox.sim).map(
      (w) => `    /backfill ${w.job} --from ${w.from} --to ${w.to}   ${w.note}`,
    ),
    '  "Acting as" (top left) switches between the requester and the approver.',
    '',
    `  Redis ${sandbox.redisUrl} · bot ${sandbox.medic.url} · simulator ${sandbox.sim.url}`,
    '  Ctrl-C stops everything.',
    '',
  ].join('\n');
}

async function main(): Promise<void> {
  // The Azure simulator's HTTPS CA, trusted from the process's start: this re-runs the script
  // once with NODE_EXTRA_CA_CERTS set (Node reads it only at start).
  await trustedSimulatorCa();
  const port = process.env.SANDBOX_PORT ? Number(process.env.SANDBOX_PORT) : undefined;
  let sandbox: Sandbox;
  try {
    sandbox = await startSandbox({
      ...(port !== undefined ? { port } : {}),
      redisUrl: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
      logLevel: process.env.LOG_LEVEL ?? 'warn',
      ...(process.env.SANDBOX_ENV ? { medicEnv: process.env.SANDBOX_ENV as 'dev' | 'staging' | 'prod' } : {}),
    });
  } catch (err) {
    console.error(err instanceof SandboxError ? err.message : err);
    process.exit(1);
  }
  console.log(welcomeText(sandbox));
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${signal}: stopping the sandbox…`);
    const force = setTimeout(() => process.exit(1), 15_000);
    force.unref();
    sandbox.stop().then(
      () => {
        console.log('sandbox stopped');
        process.exit(0);
      },
      (err: unknown) => {
        console.error(err);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
