// Benchmark of the monitor at scale (issue 19): 2,000 Glue jobs monitored every 15 minutes —
// compressed in time — by one worker process, against the simulator enforcing a Glue-like account
// rate limit (ThrottlingException past it), with the bot's shared request budget below that limit.
// Measures: every job evaluated exactly once per interval, throttled calls, evaluation lateness
// (slot → a worker takes it) p50/p95/max, the worker's peak RSS, Redis memory per monitored job.
//
//   npx tsx bench/monitor-scale.ts [--jobs 2000] [--minute-ms 5000] [--account-rps 50] [--budget-rps 40]
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { QueueEvents } from 'bullmq';
import { Redis } from 'ioredis';
import { startSimulator, emptyScenarios, addJobHistory } from '../sim/index.js';
import { FakeSlack } from '../test/support/fake-slack/fake-slack.js';
import { BOT_TOKEN, SIGNING_SECRET } from '../test/support/medic.js';
import { dropPrefix, redisUrl, testPrefix } from '../test/support/services.js';

function arg(name: string, dflt: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
}
const JOBS = arg('jobs', 2000);
const MINUTE_MS = arg('minute-ms', 5000);
const ACCOUNT_RPS = arg('account-rps', 50);
const BUDGET_RPS = arg('budget-rps', 40);
const EVERY_MINUTES = 15;
const EVERY = EVERY_MINUTES * MINUTE_MS;
const INTERVALS = 2;

const names = Array.from({ length: JOBS }, (_, i) => `ScaleJob${String(i + 1).padStart(4, '0')}`);

function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

async function main() {
  const sim = await startSimulator({
    scenarios: [
      ...emptyScenarios(),
      (state, now) => {
        for (const name of names)
          addJobHistory(state, now, {
            job: { Name: name, WorkerType: 'G.1X', NumberOfWorkers: 2 },
            runs: Array.from({ length: 15 }, (_, i) => ({ durationSec: 600 + (i % 5) * 10 })),
          });
      },
    ],
    rateLimits: { glue: { requestsPerSecond: ACCOUNT_RPS, burst: ACCOUNT_RPS } },
  });
  const slack = await FakeSlack.start();
  const prefix = testPrefix('monscale');
  const redis = new Redis(redisUrl(), { maxRetriesPerRequest: null });
  const yaml = [
    'monitor:',
    '  channel: C0SCALE',
    `  everyMinutes: ${EVERY_MINUTES}`,
    `  maxRequestsPerSecond: ${BUDGET_RPS}`,
    '  requestBurst: 10',
    'jobs:',
    ...names.map((n) => `  ${n}: {}`),
  ].join('\n');

  // Every activation of a monitor job: its slot (from the scheduler's job id) and when it started.
  const events = new QueueEvents('monitor', { connection: redis.duplicate(), prefix });
  await events.waitUntilReady();
  const activations: { job: string; due: number; at: number }[] = [];
  let failed = 0;
  events.on('active', ({ jobId }) => {
    const m = /^repeat:monitor-(.+):(\d+)$/.exec(jobId);
    if (m) activations.push({ job: m[1]!, due: Number(m[2]), at: Date.now() });
  });
  events.on('failed', () => failed++);

  const memBefore = await usedMemory(redis);
  const started = Date.now();
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/support/worker-process.ts'], {
    env: {
      ...process.env,
      ...sim.env(),
      SLACK_BOT_TOKEN: BOT_TOKEN,
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_API_URL: slack.apiUrl,
      REDIS_URL: redisUrl(),
      MEDIC_PREFIX: prefix,
      MEDIC_ROLE: 'worker',
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      MEDIC_TEST_YAML: yaml,
      MEDIC_TEST_MONITOR_MINUTE_MS: String(MINUTE_MS),
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      if (d.toString().includes('"ready"')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`worker exited ${code}`)));
  });
  // Whole intervals only: from the first interval boundary after the schedule was set.
  const windowStart = Math.ceil(Date.now() / EVERY) * EVERY;
  const windowEnd = windowStart + INTERVALS * EVERY;
  let peakRss = 0;
  const rssTimer = setInterval(() => (peakRss = Math.max(peakRss, rssOf(child.pid!))), 500);
  console.error(
    `worker up in ${Date.now() - started} ms; measuring ${INTERVALS} intervals of ${EVERY / 1000} s from ${new Date(windowStart).toISOString()}`,
  );
  await new Promise((r) => setTimeout(r, windowEnd - Date.now() + Math.min(15_000, EVERY)));
  clearInterval(rssTimer);
  peakRss = Math.max(peakRss, hwmOf(child.pid!));

  // Redis at rest after two intervals: what the monitor keeps per job.
  const memAfter = await usedMemory(redis);
  const sample = names.slice(0, 50);
  let perJobKeys = 0;
  for (const job of sample)
    for (const key of [`${prefix}:monitor:${job}`, `${prefix}:monitor-runs:${job}`])
      perJobKeys += Number((await redis.call('MEMORY', 'USAGE', key)) ?? 0);

  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));
  await events.close();

  const inWindow = activations.filter((a) => a.due >= windowStart && a.due < windowEnd);
  const perJob = new Map<string, Set<number>>();
  for (const a of inWindow) {
    const s = perJob.get(a.job) ?? new Set<number>();
    s.add(a.due);
    perJob.set(a.job, s);
  }
  const exactly = names.filter((n) => perJob.get(n)?.size === INTERVALS).length;
  const activationsPerSlot =
    inWindow.length /
    Math.max(
      1,
      [...perJob.values()].reduce((n, s) => n + s.size, 0),
    );
  const lateness = inWindow.map((a) => a.at - a.due).sort((a, b) => a - b);
  const glue = sim.requests({ service: 'glue' });
  const throttled = glue.filter((r) => r.error === 'ThrottlingException').length;
  const getRuns = glue.filter((r) => r.operation === 'GetJobRuns');
  const pages = new Map<number, number>();
  for (const r of getRuns)
    pages.set(Number(r.params.MaxResults), (pages.get(Number(r.params.MaxResults)) ?? 0) + 1);

  await dropPrefix(prefix);
  redis.disconnect();
  await slack.stop();
  await sim.stop();

  const f = (ms: number) => `${Math.round(ms).toLocaleString('en-US')} ms`;
  console.log(
    `\nmonitor-scale benchmark — ${new Date().toISOString().slice(0, 10)}, ${cpus().length} cores, ${Math.round(totalmem() / 2 ** 30)} GiB, node ${process.version}`,
  );
  console.log(
    `${JOBS} Glue jobs, everyMinutes ${EVERY_MINUTES} with a ${MINUTE_MS} ms minute (interval ${EVERY / 1000} s), one worker process; simulator account limit ${ACCOUNT_RPS} req/s (ThrottlingException past it), bot budget monitor.maxRequestsPerSecond ${BUDGET_RPS}, requestBurst 10\n`,
  );
  console.log('| measure | value |');
  console.log('| --- | --- |');
  console.log(`| jobs evaluated exactly once in each of ${INTERVALS} intervals | ${exactly} of ${JOBS} |`);
  console.log(`| activations per slot (1 = no duplicates) | ${activationsPerSlot.toFixed(3)} |`);
  console.log(`| failed evaluations | ${failed} |`);
  console.log(
    `| throttled Glue calls (ThrottlingException from the simulator) | ${throttled} of ${glue.length} |`,
  );
  console.log(
    `| GetJobRuns calls by page size | ${[...pages.entries()]
      .sort((a, b) => a[0] - b[0])
      .map(([size, n]) => `${n} × ${size}`)
      .join(', ')} |`,
  );
  console.log(
    `| evaluation lateness (slot → active) p50 / p95 / max | ${f(pct(lateness, 50))} / ${f(pct(lateness, 95))} / ${f(lateness[lateness.length - 1] ?? NaN)} |`,
  );
  console.log(`| worker peak RSS (VmHWM, node + tsx) | ${(peakRss / 1024).toFixed(0)} MiB |`);
  console.log(
    `| Redis: monitor state + runs cache per job (MEMORY USAGE, mean of 50) | ${Math.round(perJobKeys / sample.length).toLocaleString('en-US')} B |`,
  );
  console.log(
    `| Redis: used_memory growth per monitored job (schedulers, jobs, state) | ${Math.round((memAfter - memBefore) / JOBS).toLocaleString('en-US')} B |`,
  );
  process.exit(0);
}

async function usedMemory(redis: Redis): Promise<number> {
  const info = await redis.info('memory');
  return Number(/used_memory:(\d+)/.exec(info)?.[1] ?? 0);
}

/** Current RSS of a process in KiB. */
function rssOf(pid: number): number {
  return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
}
/** Peak RSS of a process in KiB. */
function hwmOf(pid: number): number {
  return Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
