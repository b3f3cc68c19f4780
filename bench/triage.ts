// Benchmark of /triage (issues 4 and 12), end to end through the real bot:
//   1. time from the signed slash command to the final report in (fake) Slack, side by side for
//      AWS Glue (the simulator, 40 ms per AWS call) and Azure Synapse (the Azure simulator over
//      HTTPS, 40 ms per Azure call; its input listed from the simulator's Blob service — ADLS Gen2
//      Path - List and List Blobs, 40 ms per request — `--blob sim`, the default, or from Azurite
//      behind a proxy adding 40 ms per request, `--blob azurite`, List Blobs only): a job
//      with 500 runs of history and 50,000 input objects in 30 partitions on each platform —
//      median of N runs each, the two platforms alternating, with the time per phase (the partition
//      cache emptied before each triage: every triage lists its whole input);
//   2. ack latency (p50/p99) of 200 concurrent /triage commands against a web-role bot.
//   3. (--partition-cache, on its own) the Glue triage side by side: every partition listed
//      (defaults.triagePartitionCache: false), the partition cache cold (emptied before each
//      triage), warm (a second triage of the same job within the hour) and with one partition
//      changed since; with --synapse the Synapse pipeline cold and warm too (with --blob azurite:
//      Azurite started and seeded, or an already seeded one at --azurite-port); with --before <commit> the bot of that
//      commit beside today's, triage by triage; and a triage of BenchJob right after the monitor's
//      alert on it (its input prewarm still running) and once that prewarm has finished. Each
//      triage has a channel of its own.
// Prints a table. Results are kept in bench/README.md.
//
//   npx tsx bench/triage.ts [--runs 5] [--latency 40] [--concurrent 200] [--blob sim|azurite]
//   npx tsx bench/triage.ts --partition-cache [--runs 5] [--latency 40] [--synapse [--blob sim|azurite] [--azurite-port N]] [--before <commit>]
// --blob sim: our code's cost with a fixed per-request latency (as the Glue row with the simulated
// S3); --blob azurite: bound by the emulator (its per-request cost grows with the blob count, and it
// has no Path - List, so the listing is List Blobs' XML).
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { spawn } from 'node:child_process';
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Queue } from 'bullmq';
import { monitorStateKey } from '../jobs/monitor.js';
import { prewarmDedupId } from '../jobs/prewarm.js';
import { Redis } from 'ioredis';
import { BlobServiceClient } from '@azure/storage-blob';
import {
  startSimulator,
  emptyScenarios,
  addJobHistory,
  dailyPartitions,
  type Scenario,
} from '../sim/index.js';
import { trustedSimulatorCa } from '../sim/azure/trust.js';
import { startAzureSimulator } from '../sim/azure/index.js';
import { AZURE_SIM, addPipelineHistory, azureBase, type AzureScenario } from '../sim/azure/scenarios.js';
import { seedSparseBlobs } from '../sim/azure/blob-seed.js';
import { FakeSlack } from '../test/support/fake-slack/fake-slack.js';
import { startTestMedic, type TestMedic } from '../test/support/medic.js';
import { sendSlashCommand } from '../test/support/slack-requests.js';
import { AZURITE_ACCOUNT, AZURITE_KEY, redisUrl, startAzurite } from '../test/support/services.js';

// The Azure simulator's CA must be trusted from the start: this re-runs the script trusting it.
const simCa = await trustedSimulatorCa();

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

const DAY = 86_400_000;
/** Where the partition-cache section's monitor posts BenchJob's alerts. */
const ALERT_CHANNEL = 'C0BENCHALERT';
const lake = (path: string) =>
  `abfss://${AZURE_SIM.container}@${AZURE_SIM.storageAccount}.dfs.core.windows.net/${path}`;

/** BenchJob's twin on Synapse: 500 pipeline runs 3 h apart, the last 3 slow with an OOM in their Spark log. */
const benchPipeline: AzureScenario = (state, now) => {
  state.addPipeline(AZURE_SIM.workspace, {
    name: 'BenchPipeline',
    parameters: {
      inputPath: { type: 'String', defaultValue: lake('bench/input/') },
      numExecutors: { type: 'Int', defaultValue: 10 },
    },
    activities: [
      {
        name: 'Transform',
        type: 'SparkJob',
        share: 9,
        typeProperties: {
          sparkJob: { referenceName: 'BenchEtl', type: 'SparkJobDefinitionReference' },
          sparkPool: { referenceName: AZURE_SIM.sparkPool, type: 'BigDataPoolReference' },
          executorSize: 'Medium',
          numExecutors: { value: '@pipeline().parameters.numExecutors', type: 'Expression' },
        },
      },
    ],
  });
  addPipelineHistory(
    state,
    now,
    AZURE_SIM.workspace,
    'BenchPipeline',
    Array.from({ length: 500 }, (_, i) =>
      i >= 497
        ? {
            durationSec: 1800,
            sparkLog: [
              'ERROR Executor: java.lang.OutOfMemoryError: Java heap space',
              'WARN TaskSetManager: Lost task 1.0',
            ],
          }
        : { durationSec: 1000 + (i % 7) * 10 },
    ),
    { intervalMs: 3 * 3600_000, lastStartAgoMs: 2 * 3600_000 },
  );
};

/** BenchPipeline's medic.yml. */
function synapseYaml(workspaceEndpoint: string): string {
  return [
    'azure:',
    `  logAnalyticsWorkspaceId: ${AZURE_SIM.logAnalyticsWorkspaceId}`,
    `  subscriptionId: ${AZURE_SIM.subscriptionId}`,
    `  resourceGroup: ${AZURE_SIM.resourceGroup}`,
    'jobs:',
    '  BenchPipeline:',
    '    provider: synapse',
    `    workspace: ${AZURE_SIM.workspace}`,
    `    workspaceEndpoint: ${workspaceEndpoint}`,
    `    sparkPool: ${AZURE_SIM.sparkPool}`,
    `    input: ${lake('bench/input/')}`,
  ].join('\n');
}

/** 50,000 blobs in 30 daily partitions, like BenchJob's S3 input. */
function benchBlobs(now: number): { name: string; size: number }[] {
  const out: { name: string; size: number }[] = [];
  for (let ago = 1; ago <= 30; ago++) {
    const dt = new Date(now - ago * DAY).toISOString().slice(0, 10);
    const count = ago === 1 ? 50_000 - 29 * 1_667 : 1_667;
    for (let k = 0; k < count; k++)
      out.push({
        name: `bench/input/dt=${dt}/part-${String(k).padStart(5, '0')}.snappy.parquet`,
        size: 4_000_000,
      });
  }
  return out;
}

/** An HTTP proxy in front of Azurite adding `ms` to every request (the simulators add theirs). */
async function latencyProxy(
  target: string,
  ms: number,
): Promise<{ url: string; requests: () => number; close(): Promise<void> }> {
  const t = new URL(target);
  let n = 0;
  const server: Server = createServer((req, res) => {
    n++;
    setTimeout(() => {
      const up = httpRequest(
        { host: t.hostname, port: t.port, method: req.method, path: req.url, headers: req.headers },
        (r) => {
          res.writeHead(r.statusCode ?? 502, r.headers);
          r.pipe(res);
        },
      );
      up.on('error', () => res.destroy());
      req.pipe(up);
    }, ms);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    requests: () => n,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

/** Where the Synapse row's Blob listing goes: `--blob sim` (default) or `--blob azurite`. */
const BLOB_MODE = (() => {
  const i = process.argv.indexOf('--blob');
  const v = i >= 0 ? process.argv[i + 1] : 'sim';
  if (v !== 'azurite' && v !== 'sim') throw new Error(`--blob takes azurite or sim, not ${v}`);
  return v;
})();

/**
 * The Blob service BenchPipeline's 50,000 input blobs are listed from, `LATENCY` ms per request:
 * `sim` — the Azure simulator's Blob service, which answers Path - List as an account with a
 * hierarchical namespace does (its fault rule adds the latency; seeded in memory in well under a
 * second), so the row measures our code with a fixed per-request cost, as the Glue
 * row does with the simulated S3; `azurite` — Azurite (started and seeded as sparse page blobs, or
 * an already seeded one at `azuritePort`) behind a proxy adding the latency, so the row is bound
 * by the emulator, whose per-request cost grows with the container's size.
 */
async function blobSide(
  azure: Awaited<ReturnType<typeof startAzureSimulator>>,
  azuritePort = 0,
): Promise<{ connectionString: string; requests: () => number; stop: () => Promise<void> }> {
  if (BLOB_MODE === 'sim') {
    const t0 = performance.now();
    azure.blobs.put(AZURE_SIM.storageAccount, AZURE_SIM.container, benchBlobs(azure.state.now()));
    console.error(`seeded 50,000 blobs in the simulator in ${Math.round(performance.now() - t0)} ms`);
    return {
      connectionString: azure.blobConnectionString(),
      requests: () => azure.requests({ service: 'blob' }).length,
      stop: async () => {},
    };
  }
  const azurite = azuritePort
    ? { url: `http://127.0.0.1:${azuritePort}/${AZURITE_ACCOUNT}`, stop: async () => {} }
    : await startAzurite();
  const conn = (url: string) =>
    `DefaultEndpointsProtocol=http;AccountName=${AZURITE_ACCOUNT};AccountKey=${AZURITE_KEY};BlobEndpoint=${url};`;
  if (!azuritePort) {
    const t0 = performance.now();
    await seedSparseBlobs(
      BlobServiceClient.fromConnectionString(conn(azurite.url)).getContainerClient(AZURE_SIM.container),
      benchBlobs(azure.state.now()),
      { concurrency: 32 },
    );
    console.error(`seeded 50,000 blobs in Azurite in ${Math.round((performance.now() - t0) / 1000)} s`);
  }
  const proxy = await latencyProxy(azurite.url, LATENCY);
  return {
    connectionString: conn(`${proxy.url}/${AZURITE_ACCOUNT}`),
    requests: () => proxy.requests(),
    stop: async () => {
      await proxy.close();
      await azurite.stop();
    },
  };
}

function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}
const median = (xs: number[]) =>
  pct(
    [...xs].sort((a, b) => a - b),
    50,
  );

/** One signed /triage in a new channel; the time to the final report and the job's phases. */
async function timeTriage(
  t: TestMedic,
  slack: FakeSlack,
  queue: Queue,
  job: string,
  channel: string,
): Promise<{ ms: number; phases: Record<string, number> }> {
  slack.addChannel({ id: channel, name: channel.toLowerCase(), members: ['U0ONCALL'] });
  const t0 = performance.now();
  await sendSlashCommand(t.url, t.secret, { command: '/triage', text: job, channelId: channel });
  for (;;) {
    const m = slack.topLevel(channel)[0];
    if (m && /triage took/.test(JSON.stringify(m.blocks))) break;
    await new Promise((r) => setTimeout(r, 5));
  }
  const ms = performance.now() - t0;
  for (;;) {
    const jobs = await queue.getJobs(['completed', 'active']);
    const found = jobs.find((j) => j.data.requester.channelId === channel);
    const done = found && (await queue.getJob(found.id!));
    if (done?.returnvalue)
      return { ms, phases: (done.returnvalue as { phasesMs?: Record<string, number> }).phasesMs ?? {} };
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** The bot of commit `rev` (its src/, jobs/ and test/support/), extracted to import beside ours. */
async function botAt(rev: string): Promise<{ start: typeof startTestMedic; commit: string; dir: string }> {
  const root = fileURLToPath(new URL('..', import.meta.url));
  const commit = execFileSync('git', ['-C', root, 'rev-parse', '--short', `${rev}^{commit}`], {
    encoding: 'utf8',
  }).trim();
  const dir = mkdtempSync(join(tmpdir(), 'medic-bench-before-'));
  const tar = execFileSync('git', ['-C', root, 'archive', commit], { maxBuffer: 256 * 2 ** 20 });
  execFileSync('tar', ['-x', '-C', dir], { input: tar });
  // Its packages resolve through a link to our node_modules (the same SDKs, one copy each).
  symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'), 'dir');
  const mod = (await import(pathToFileURL(join(dir, 'test/support/medic.ts')).href)) as {
    startTestMedic: typeof startTestMedic;
  };
  return { start: mod.startTestMedic, commit, dir };
}

/** Today's day partition of BenchJob's input (the simulator's clock). */
const newestPartition = (now: number) => `input/dt=${new Date(now - DAY).toISOString().slice(0, 10)}/`;

/**
 * Section 3: the partition cache on the bench jobs — Glue: every partition listed (cache off),
 * cache cold (emptied first), warm (the same job again) and one partition changed (an object
 * added to the newest partition since the last triage); Synapse (--synapse): cold and warm. With
 * `--before <commit>`, the bot of that commit runs beside today's, triage by triage, on the same
 * simulators, Slack and Redis. Every triage is sent in a channel of its own, so the Slack pacing
 * it meets (per channel, src/slack/client.ts) is that of its own messages, never of the
 * previous triage's.
 */
async function partitionCacheSection() {
  const beforeRev = (() => {
    const i = process.argv.indexOf('--before');
    return i >= 0 ? process.argv[i + 1] : undefined;
  })();
  const withSynapse = process.argv.includes('--synapse');
  const azuritePort = arg('azurite-port', 0);
  const before = beforeRev ? await botAt(beforeRev) : undefined;

  const sim = await startSimulator({ scenarios: [...emptyScenarios(), benchJob] });
  for (const [k, v] of Object.entries(sim.env())) process.env[k] = v;
  sim.setFaults([{ latencyMs: LATENCY }]);
  const slack = await FakeSlack.start();
  const redis = new Redis(redisUrl(), { maxRetriesPerRequest: null });
  type Bot = { t: TestMedic; q: Queue };
  const bot = async (start: typeof startTestMedic, o: Parameters<typeof startTestMedic>[0]): Promise<Bot> => {
    const t = await start({ slack, ...o });
    return { t, q: new Queue('triage', { connection: redis, prefix: t.prefix }) };
  };
  const bots: Bot[] = [];
  const add = async (b: Promise<Bot>) => {
    const x = await b;
    bots.push(x);
    return x;
  };
  const off = await add(
    bot(startTestMedic, { env: sim.env(), yaml: 'defaults: { triagePartitionCache: false }' }),
  );
  const on = await add(bot(startTestMedic, { env: sim.env() }));
  // A bot whose monitor alerts on BenchJob: its alert prewarms the input (jobs/prewarm.ts).
  const alerted = await add(
    bot(startTestMedic, {
      env: sim.env(),
      yaml: `monitor: { channel: ${ALERT_CHANNEL}, jobs: [], groupWindowMinutes: 0 }\njobs:\n  BenchJob: {}`,
    }),
  );
  slack.addChannel({ id: ALERT_CHANNEL, name: 'bench-alerts', members: ['U0ONCALL'] });
  const onBefore = before ? await add(bot(before.start, { env: sim.env() })) : undefined;

  // Synapse: the Azure simulator and Azurite (an already seeded one with --azurite-port) behind the proxy.
  let syn:
    | {
        azure: Awaited<ReturnType<typeof startAzureSimulator>>;
        blob: Awaited<ReturnType<typeof blobSide>>;
        stop: () => Promise<void>;
      }
    | undefined;
  let synNow: Bot | undefined;
  let synBefore: Bot | undefined;
  if (withSynapse) {
    const azure = await startAzureSimulator({ ca: simCa, scenarios: [azureBase, benchPipeline] });
    process.env.IDENTITY_ENDPOINT = azure.identityEndpoint;
    process.env.IDENTITY_HEADER = azure.identityHeader;
    const blob = await blobSide(azure, azuritePort);
    azure.setFaults([{ latencyMs: LATENCY }]);
    const env = { ...azure.env(), AZURE_STORAGE_CONNECTION_STRING: blob.connectionString };
    const yaml = synapseYaml(azure.workspaceEndpoint());
    synNow = await add(bot(startTestMedic, { env, yaml }));
    if (before) synBefore = await add(bot(before.start, { env, yaml }));
    syn = {
      azure,
      blob,
      stop: async () => {
        await blob.stop();
        await azure.stop();
      },
    };
  }

  const dropCache = async (b: Bot) => {
    const keys = await redis.keys(`${b.t.prefix}:partition-stats:*`);
    if (keys.length) await redis.del(...keys);
  };
  type Row = {
    label: string;
    totals: number[];
    ready: number[];
    volume: number[];
    listing: number[];
    requests: number[];
    slackCalls: number[];
    phases: Record<string, number[]>;
    source: string;
  };
  const rows: Row[] = [];
  const row = (label: string): Row => {
    const r: Row = {
      label,
      totals: [],
      ready: [],
      volume: [],
      listing: [],
      requests: [],
      slackCalls: [],
      phases: {},
      source: '',
    };
    rows.push(r);
    return r;
  };
  const glue = {
    off: row('Glue: every partition listed (cache off)'),
    ...(onBefore
      ? {
          beforeCold: row(`Glue: cache cold, before (${before!.commit})`),
          beforeWarm: row(`Glue: cache warm, before (${before!.commit})`),
          beforeChanged: row(`Glue: one partition changed, before (${before!.commit})`),
        }
      : {}),
    cold: row('Glue: cache cold (first triage)'),
    warm: row('Glue: cache warm (same job again)'),
    changed: row('Glue: one partition changed since (newest partition)'),
    alertNow: row('Glue: right after its alert (the prewarm still running)'),
    alertDone: row('Glue: after its alert’s prewarm finished'),
  };
  const synapse = syn
    ? {
        ...(synBefore
          ? {
              // Not its warm triage: that commit's checks of a Blob partition list one blob a
              // page (1,667 requests a partition here), which takes hours against Azurite.
              beforeCold: row(`Synapse: cache cold, before (${before!.commit})`),
            }
          : {}),
        cold: row('Synapse: cache cold (first triage)'),
        warm: row('Synapse: cache warm (same pipeline again)'),
      }
    : undefined;
  let channelNo = 0;
  const measure = async (r: Row, b: Bot, job: string, requests: () => number) => {
    const channel = `CPC${channelNo++}`;
    const n0 = requests();
    const x = await timeTriage(b.t, slack, b.q, job, channel);
    r.totals.push(x.ms);
    r.volume.push(x.phases.volume ?? NaN);
    r.listing.push(x.phases.volumeListing ?? NaN);
    for (const [k, v] of Object.entries(x.phases)) (r.phases[k] ??= []).push(v);
    r.requests.push(requests() - n0);
    const json = JSON.stringify(slack.topLevel(channel)[0]?.blocks ?? []);
    // "triage took 0.4 s": the report was complete then; the rest is its last post's wait and trip.
    const took = /triage took ([\d.]+) s/.exec(json)?.[1];
    r.ready.push(took ? Number(took) * 1000 : NaN);
    r.slackCalls.push(
      slack.calls.filter(
        (c) => (c.method === 'chat.postMessage' || c.method === 'chat.update') && c.args.channel === channel,
      ).length,
    );
    r.source = /[^"]*partitions listed[^"]*/.exec(json)?.[0] ?? r.source;
  };
  const s3 = () => sim.requests({ service: 's3' }).length;
  const blob = () => syn?.blob.requests() ?? 0;
  let added = 0;
  const change = () =>
    sim.state.s3.putObject(
      'lake-bench',
      `${newestPartition(sim.state.now())}part-late-${added++}.snappy.parquet`,
      Buffer.alloc(1000),
    );
  /**
   * A fresh alert on BenchJob from the `alerted` bot (its monitor memory, the prewarm's
   * deduplication and the partition cache emptied first): resolves once the alert is in Slack —
   * the prewarm is enqueued right after it — or, with `prewarmed`, once the prewarm has finished.
   */
  let alerts = 0;
  const alert = async (prewarmed: boolean) => {
    await dropCache(alerted);
    await redis.del(monitorStateKey(alerted.t.prefix, 'BenchJob'));
    const scans = new Queue('smallfiles', { connection: redis, prefix: alerted.t.prefix });
    await scans.removeDeduplicationKey(prewarmDedupId('s3://lake-bench/input/'));
    const before = slack.topLevel(ALERT_CHANNEL).length;
    const monitor = new Queue('monitor', { connection: redis, prefix: alerted.t.prefix });
    await monitor.add('monitor', { job: 'BenchJob' });
    while (slack.topLevel(ALERT_CHANNEL).length === before) await new Promise((r) => setTimeout(r, 5));
    alerts++;
    if (prewarmed)
      for (;;) {
        const done = (await scans.getJobs(['completed', 'failed'])).filter((j) => j.data.kind === 'prewarm');
        if (done.length >= alerts) break;
        await new Promise((r) => setTimeout(r, 20));
      }
    await scans.close();
    await monitor.close();
  };
  for (let i = 0; i < RUNS; i++) {
    await measure(glue.off, off, 'BenchJob', s3);
    if (onBefore && glue.beforeCold) {
      await dropCache(onBefore);
      await measure(glue.beforeCold, onBefore, 'BenchJob', s3);
      await measure(glue.beforeWarm!, onBefore, 'BenchJob', s3);
      change();
      await measure(glue.beforeChanged!, onBefore, 'BenchJob', s3);
    }
    await dropCache(on);
    await measure(glue.cold, on, 'BenchJob', s3);
    await measure(glue.warm, on, 'BenchJob', s3);
    change();
    await measure(glue.changed, on, 'BenchJob', s3);
    await alert(false);
    await measure(glue.alertNow, alerted, 'BenchJob', s3);
    await alert(true);
    await measure(glue.alertDone, alerted, 'BenchJob', s3);
    if (synapse && synNow) {
      if (synBefore && synapse.beforeCold) {
        await dropCache(synBefore);
        await measure(synapse.beforeCold, synBefore, 'BenchPipeline', blob);
      }
      await dropCache(synNow);
      await measure(synapse.cold, synNow, 'BenchPipeline', blob);
      await measure(synapse.warm, synNow, 'BenchPipeline', blob);
    }
    sim.clearRequests();
  }
  for (const b of bots) {
    await b.q.close();
    await b.t.stop();
  }
  redis.disconnect();
  await syn?.stop();
  await slack.stop();
  await sim.stop();
  if (before) rmSync(before.dir, { recursive: true, force: true });

  const f = (ms: number) => (Number.isFinite(ms) ? `${Math.round(ms).toLocaleString('en-US')} ms` : '–');
  console.log(
    `\n/triage partition cache — ${new Date().toISOString().slice(0, 10)}, ${cpus().length} cores, ${Math.round(totalmem() / 2 ** 30)} GiB, node ${process.version}, load average ${loadavg()
      .map((x) => x.toFixed(2))
      .join(' ')} at the end`,
  );
  console.log(
    `500 runs of history, 50,000 input objects in 30 daily partitions; ${LATENCY} ms per cloud call (Azurite: through a proxy adding it); ${RUNS} runs each, alternating; every triage in a channel of its own (a fresh Slack pacing bucket)\n`,
  );
  console.log(
    '| triage | slash command → final report (median) | min | max | report ready ("triage took", median) | volume phase (median) | of which listing (median) | listing requests | Slack posts+updates | vs. full listing |',
  );
  console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
  const base = median(glue.off.totals);
  for (const r of rows)
    console.log(
      `| ${r.label} | ${f(median(r.totals))} | ${f(Math.min(...r.totals))} | ${f(Math.max(...r.totals))} | ${f(median(r.ready))} | ${f(median(r.volume))} | ${f(median(r.listing))} | ${median(r.requests)} | ${median(r.slackCalls)} | ${r.label.startsWith('Glue') ? `×${(median(r.totals) / base).toFixed(2)}` : ''} |`,
    );
  console.log('');
  for (const r of rows) {
    console.log(
      `${r.label}: runs ${r.totals.map((x) => f(x)).join(', ')}; phases (median) ${Object.entries(r.phases)
        .map(([k, v]) => `${k} ${f(median(v))}`)
        .join(', ')}`,
    );
    if (r.source) console.log(`  source line: ${r.source.replace(/\\n/g, ' ')}`);
  }
  process.exit(0);
}

async function main() {
  if (process.argv.includes('--partition-cache')) return await partitionCacheSection();
  const sim = await startSimulator({ scenarios: [...emptyScenarios(), benchJob] });
  for (const [k, v] of Object.entries(sim.env())) process.env[k] = v;
  sim.setFaults([{ latencyMs: LATENCY }]);
  const slack = await FakeSlack.start();
  const t = await startTestMedic({ env: sim.env(), slack });
  const redis = new Redis(redisUrl(), { maxRetriesPerRequest: null });
  const queue = new Queue('triage', { connection: redis, prefix: t.prefix });

  // The Synapse side: the Azure simulator (HTTPS, managed identity), the Blob listing per --blob.
  const azure = await startAzureSimulator({ ca: simCa, scenarios: [azureBase, benchPipeline] });
  process.env.IDENTITY_ENDPOINT = azure.identityEndpoint;
  process.env.IDENTITY_HEADER = azure.identityHeader;
  const blob = await blobSide(azure);
  azure.setFaults([{ latencyMs: LATENCY }]);
  const ts = await startTestMedic({
    env: { ...azure.env(), AZURE_STORAGE_CONNECTION_STRING: blob.connectionString },
    yaml: synapseYaml(azure.workspaceEndpoint()),
    slack,
  });
  const squeue = new Queue('triage', { connection: redis, prefix: ts.prefix });

  // 1. Slash command → final report, the two platforms alternating.
  const rows = {
    glue: { totals: [] as number[], phases: {} as Record<string, number[]> },
    synapse: { totals: [] as number[], phases: {} as Record<string, number[]> },
  };
  const record = (row: (typeof rows)['glue'], r: { ms: number; phases: Record<string, number> }) => {
    row.totals.push(r.ms);
    for (const [k, v] of Object.entries(r.phases)) (row.phases[k] ??= []).push(v);
  };
  const azureCalls0 = () => azure.requests().filter((r) => r.service !== 'blob').length;
  const azureBefore = azureCalls0();
  // Every triage here lists its whole input: the partition cache (section 3) is emptied first.
  const cold = async (prefix: string) => {
    const keys = await redis.keys(`${prefix}:partition-stats:*`);
    if (keys.length) await redis.del(...keys);
  };
  for (let i = 0; i < RUNS; i++) {
    await cold(t.prefix);
    record(rows.glue, await timeTriage(t, slack, queue, 'BenchJob', `CBENCH${i}`));
    await cold(ts.prefix);
    record(rows.synapse, await timeTriage(ts, slack, squeue, 'BenchPipeline', `CBENCHSYN${i}`));
  }
  const awsCalls = sim.requests().length;
  const azureCalls = azureCalls0() - azureBefore;
  const blobCalls = blob.requests();
  await ts.stop();
  await squeue.close();
  await blob.stop();
  await azure.stop();
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
    `each job: 500 runs of history, 50,000 input objects in 30 partitions; ${LATENCY} ms per cloud call; ${RUNS} runs each, alternating\n`,
  );
  console.log('| platform | measure | median | min | max |');
  console.log('| --- | --- | --- | --- | --- |');
  for (const [name, row] of [
    ['AWS Glue', rows.glue],
    ['Azure Synapse', rows.synapse],
  ] as const) {
    console.log(
      `| ${name} | slash command → final report | ${f(median(row.totals))} | ${f(Math.min(...row.totals))} | ${f(Math.max(...row.totals))} |`,
    );
    for (const [k, v] of Object.entries(row.phases))
      console.log(
        `| ${name} | phase: ${k} | ${f(median(v))} | ${f(Math.min(...v))} | ${f(Math.max(...v))} |`,
      );
  }
  console.log(
    `\nper triage: ${Math.round(awsCalls / RUNS)} AWS requests (Glue); ${Math.round(azureCalls / RUNS)} Azure requests and ${Math.round(blobCalls / RUNS)} Blob requests (Synapse)\n`,
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
