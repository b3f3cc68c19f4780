// Benchmark of the backfill snapshot (issue 7): 10,000 objects on the simulator with a fixed
// latency per S3 request, copied server-side three ways, side by side:
//   - our snapshot: copyObjects with its default adaptive limit (32, growing to 50 while clean —
//     the SDK HTTP agent's 50 sockets);
//   - a fixed concurrency of 10 (what `aws s3 cp --recursive` runs by default);
//   - sequential copies, one after the other.
// The simulator runs in its own child process. Every run copies to a fresh prefix and must end
// with all 10,000 objects there, each copied once, or the script fails. Median of --runs runs.
//
//   npx tsx bench/backfill-snapshot.ts [--runs 3] [--latency 30] [--objects 10000] [--skip-sequential]
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { startSimulator, emptyScenarios } from '../sim/index.js';
import { createS3Client, S3ObjectStore } from '../src/providers/aws/s3-object-store.js';
import { copyObjects, listPrefixes, verifySnapshot } from '../src/providers/snapshot.js';

const SELF = fileURLToPath(import.meta.url);
const BUCKET = 'bench-src';
const DST = 'bench-dst';

function arg(name: string, dflt: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
}

async function simChild(latencyMs: number, objects: number): Promise<void> {
  const partitions = 100;
  const sim = await startSimulator({
    scenarios: [
      ...emptyScenarios(),
      (state, now) => {
        state.s3.createBucket(DST);
        state.s3.addKeySpace(BUCKET, {
          prefix: 'events/',
          partitions: Array.from({ length: partitions }, (_, d) => ({
            name: `dt=${new Date(now - (partitions - d) * 86_400_000).toISOString().slice(0, 10)}`,
            count: Math.ceil(objects / partitions),
            avgSize: 8_000_000,
            lastModified: now,
          })),
        });
      },
    ],
    faults: [{ service: 's3', latencyMs }],
  });
  process.stdout.write(JSON.stringify({ url: sim.url }) + '\n');
  process.on('message', (m) => {
    if (m === 'copies') process.send?.(sim.state.s3.copies.length);
  });
}

async function startSimProcess(
  latency: number,
  objects: number,
): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', SELF, '--sim-child', '--latency', String(latency), '--objects', String(objects)],
    {
      stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
    },
  );
  const url = await new Promise<string>((resolve) =>
    createInterface({ input: child.stdout! }).on('line', (l) => {
      if (l.startsWith('{"url"')) resolve((JSON.parse(l) as { url: string }).url);
    }),
  );
  return { url, child };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function main(): Promise<void> {
  const runs = arg('runs', 3);
  const latency = arg('latency', 30);
  const objects = arg('objects', 10_000);
  const { url, child } = await startSimProcess(latency, objects);
  const store = new S3ObjectStore(
    createS3Client({
      endpoint: url,
      forcePathStyle: true,
      region: 'us-east-1',
      credentials: { accessKeyId: 'b', secretAccessKey: 'b' },
    }),
  );
  const copiesInSim = () =>
    new Promise<number>((resolve) => {
      child.once('message', (n) => resolve(n as number));
      child.send('copies');
    });
  const sources = (await listPrefixes(store, BUCKET, ['events/'])).slice(0, objects);
  const modes: { name: string; fixed?: number }[] = [
    { name: 'our snapshot (adaptive 32 → 50)' },
    { name: 'fixed concurrency 10 (aws s3 cp)', fixed: 10 },
    ...(process.argv.includes('--skip-sequential') ? [] : [{ name: 'sequential copies', fixed: 1 }]),
  ];
  const results: { name: string; times: number[]; peak: number; throttles: number }[] = [];
  let n = 0;
  for (const mode of modes) {
    const times: number[] = [];
    let peak = 0;
    let throttles = 0;
    for (let r = 0; r < runs; r++) {
      const prefix = `run-${++n}/`;
      const before = await copiesInSim();
      const done = new Map<string, string>();
      const t0 = performance.now();
      const res = await copyObjects({
        store,
        objects: sources,
        srcContainer: BUCKET,
        dstContainer: DST,
        dstKey: (k) => prefix + k,
        done: new Set(),
        onCopied: async (k, e) => {
          done.set(k, e);
        },
        ...(mode.fixed ? { fixedConcurrency: mode.fixed } : {}),
      });
      const ms = performance.now() - t0;
      const copies = await listPrefixes(store, DST, [prefix]);
      const v = verifySnapshot(sources, copies, (k) => prefix + k, done);
      const copied = (await copiesInSim()) - before;
      if (!v.ok || copied !== sources.length)
        throw new Error(
          `${mode.name} run ${r + 1}: ${copied} copies for ${sources.length} objects; ${v.problems.slice(0, 3).join('; ')}`,
        );
      times.push(ms);
      peak = Math.max(peak, res.peakConcurrency);
      throttles += res.throttles;
      console.error(
        `${mode.name} run ${r + 1}: ${(ms / 1000).toFixed(2)} s (peak ${res.peakConcurrency} in flight)`,
      );
    }
    results.push({ name: mode.name, times, peak, throttles });
  }
  const ours = median(results[0]!.times);
  const fixed10 = median(results[1]!.times);
  console.log(
    `\n${sources.length.toLocaleString('en-US')} objects, ${latency} ms a request, median of ${runs} runs\n`,
  );
  console.log('| copies | runs (s) | median (s) | peak in flight | time ÷ ours |');
  console.log('| --- | --- | --- | --- | --- |');
  for (const r of results)
    console.log(
      `| ${r.name} | ${r.times.map((t) => (t / 1000).toFixed(2)).join(', ')} | ${(median(r.times) / 1000).toFixed(2)} | ${r.peak} | ${(median(r.times) / ours).toFixed(1)}× |`,
    );
  console.log(`\nours vs fixed 10: ${(fixed10 / ours).toFixed(1)}× faster (goal ≥ 3×)`);
  store.client.destroy();
  child.kill();
}

if (process.argv.includes('--sim-child')) await simChild(arg('latency', 30), arg('objects', 10_000));
else await main();
