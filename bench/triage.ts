// Benchmark of /triage (issue 4), end to end through the real bot:
//   1. time from the signed slash command to the final report in (fake) Slack, on the simulator
//      with 40 ms per AWS call, for a job with 500 runs of history and 50,000 input objects in
//      30 partitions — median of N runs, with the time per phase;
//   2. ack latency (p50/p99) of 200 concurrent /triage commands against a web-role bot.
// Prints a table. Results are kept in bench/README.md.
//
//   npx tsx bench/triage.ts [--runs 5] [--latency 40] [--concurrent 200]
import { cpus, totalmem } from 'node:os';
import { spawn } from 'node:child_process';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import {
  startSimulator,
  emptyScenarios,
  addJobHistory,
  dailyPartitions,
  type Scenario,
} from '../sim/index.js';
import { FakeSlack } from '../test/support/fake-slack/fake-slack.js';
import { startTestMedic } from '../test/support/medic.js';
import { sendSlashCommand } from '../test/support/slack-requests.js';
import { redisUrl } from '../test/support/services.js';

function arg(name: string, dflt: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
}

const RUNS = arg('runs', 5);
const LATENCY = arg('latency', 40);
const CONCURRENT = arg('concurrent', 200);

const benchJob: Scenario = (state, now) => {
  state.s3.addKeySpace('lake-bench', {
    prefix: 'input/',
    partitions: dailyPartitions(now, 30, (ago) => ({
      count: ago === 1 ? 50_000 - 29 * 1_667 : 1_667,
      avgSize: 4_000_000,
    })),
  });
  addJobHistory(state, now, {
    job: {
      Name: 'BenchJob',
      WorkerType: 'G.2X',
      NumberOfWorkers: 10,
      GlueVersion: '4.0',
      DefaultArguments: { '--input_path': 's3://lake-bench/input/' },
    },
    intervalMs: 3 * 3600_000,
    runs: Array.from({ length: 500 }, (_, i) => ({ durationSec: i >= 497 ? 1800 : 1000 + (i % 7) * 10 })),
    logs: (run, i) =>
      i >= 497
        ? {
            error: [
              `ERROR Executor: java.lang.OutOfMemoryError: Java heap space in ${run.Id}`,
              'WARN TaskSetManager: Lost task 1.0',
            ],
          }
        : {},
  });
};

function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}
const median = (xs: number[]) =>
  pct(
    [...xs].sort((a, b) => a - b),
    50,
  );

async function main() {
  const sim = await startSimulator({ scenarios: [...emptyScenarios(), benchJob] });
  for (const [k, v] of Object.entries(sim.env())) process.env[k] = v;
  sim.setFaults([{ latencyMs: LATENCY }]);
  const slack = await FakeSlack.start();
  const t = await startTestMedic({ env: sim.env(), slack });
  const redis = new Redis(redisUrl(), { maxRetriesPerRequest: null });
  const queue = new Queue('triage', { connection: redis, prefix: t.prefix });

  // 1. Slash command → final report.
  const totals: number[] = [];
  const phases: Record<string, number[]> = {};
  for (let i = 0; i < RUNS; i++) {
    const channel = `CBENCH${i}`;
    slack.addChannel({ id: channel, name: `bench-${i}`, members: ['U0ONCALL'] });
    const t0 = performance.now();
    await sendSlashCommand(t.url, t.secret, { command: '/triage', text: 'BenchJob', channelId: channel });
    for (;;) {
      const m = slack.topLevel(channel)[0];
      if (m && /triage took/.test(JSON.stringify(m.blocks))) break;
      await new Promise((r) => setTimeout(r, 5));
    }
    totals.push(performance.now() - t0);
    const jobs = await queue.getJobs(['completed', 'active']);
    const job = jobs.find((j) => j.data.requester.channelId === channel);
    for (;;) {
      const done = job && (await queue.getJob(job.id!));
      if (done?.returnvalue) {
        for (const [k, v] of Object.entries(
          (done.returnvalue as { phasesMs: Record<string, number> }).phasesMs ?? {},
        ))
          (phases[k] ??= []).push(v);
        break;
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  }
  const awsCalls = sim.requests().length;
  await t.stop();

  // 2. Ack latency of concurrent commands (web role: nothing is processed, only acked).
  const web = await startTestMedic({ env: { ...sim.env(), MEDIC_ROLE: 'web' }, slack });
  // Async spawn: the bot under test runs in this process and must keep serving.
  const load = await new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, [
      '--import',
      'tsx',
      'bench/ack-load.ts',
      web.url,
      web.secret,
      String(CONCURRENT),
    ]);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('exit', (status) => resolve({ status, stdout, stderr }));
  });
  if (load.status !== 0) throw new Error(`load generator failed: ${load.stderr.slice(-2000)}`);
  const { latencies: acks, failures } = JSON.parse(load.stdout) as { latencies: number[]; failures: number };
  if (failures) throw new Error(`${failures} of ${CONCURRENT} commands were not queued`);
  // Server side: from the receiver's first middleware to the ack, from the bot's own histogram.
  const hist = await web.medic.metrics.ackLatency.get();
  const buckets = hist.values.filter(
    (v) => v.metricName?.endsWith('_bucket') && v.labels.command === 'triage',
  );
  await web.stop();
  await queue.close();
  redis.disconnect();
  await slack.stop();
  await sim.stop();

  acks.sort((a, b) => a - b);
  const f = (ms: number) => `${Math.round(ms).toLocaleString('en-US')} ms`;
  console.log(
    `\n/triage benchmark — ${new Date().toISOString().slice(0, 10)}, ${cpus().length} cores, ${Math.round(totalmem() / 2 ** 30)} GiB, node ${process.version}`,
  );
  console.log(
    `job: 500 runs of history, 50,000 input objects in 30 partitions; ${LATENCY} ms per AWS call; ${RUNS} runs\n`,
  );
  console.log('| measure | median | min | max |');
  console.log('| --- | --- | --- | --- |');
  console.log(
    `| slash command → final report | ${f(median(totals))} | ${f(Math.min(...totals))} | ${f(Math.max(...totals))} |`,
  );
  for (const [k, v] of Object.entries(phases))
    console.log(`| phase: ${k} | ${f(median(v))} | ${f(Math.min(...v))} | ${f(Math.max(...v))} |`);
  console.log(
    `\nAWS requests over the ${RUNS} triages: ${awsCalls.toLocaleString('en-US')} (${Math.round(awsCalls / RUNS)} per triage)\n`,
  );
  console.log(`| ${CONCURRENT} concurrent /triage acks | p50 | p99 | max |`);
  console.log('| --- | --- | --- | --- |');
  console.log(
    `| ack latency, client side (separate process) | ${f(pct(acks, 50))} | ${f(pct(acks, 99))} | ${f(acks[acks.length - 1]!)} |`,
  );
  const total = Math.max(...buckets.map((b) => b.value));
  const le = (q: number) =>
    (buckets.find((b) => b.value >= q * total)?.labels as { le?: string } | undefined)?.le;
  console.log(
    `| ack latency, server side (receiver → ack, histogram bucket) | ≤ ${Number(le(0.5)) * 1000} ms | ≤ ${Number(le(0.99)) * 1000} ms | ${total} acks |`,
  );
  process.exit(0);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
