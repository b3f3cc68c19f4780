// Benchmark of the small-file scanner (issue 3): on the simulator with 1,000,000 objects in 100
// partitions and a fixed latency per ListObjectsV2 request, our parallel scanner against a plain
// sequential ListObjectsV2 paginator (what `aws s3 ls --recursive` does), side by side; then the peak
// RSS of a scan of 1,000,000 objects against one of 10,000. The simulator and every scan run in
// their own child processes, so timings and max RSS are per process.
//
//   npx tsx bench/smallfiles.ts [--runs 3] [--latency 30] [--concurrency 32]
import { spawn } from 'node:child_process';
import { cpus, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { paginateListObjectsV2 } from '@aws-sdk/client-s3';
import { startSimulator, emptyScenarios, bigLake, BIG_LAKE } from '../sim/index.js';
import { createS3Client, S3ObjectStore } from '../src/providers/aws/s3-object-store.js';
import { scanLocation } from '../src/providers/scanner.js';
import { SmallFileAggregator } from '../src/domain/small-files.js';
import { formatInt, formatNumber } from '../src/domain/format.js';

const SELF = fileURLToPath(import.meta.url);
const SMALL = { bucket: 'lake-bench-10k', prefix: 'events/', partitions: 100, perPartition: 100 };
/** For the latency-dominated comparison: 100,000 objects at AWS-like latency per page. */
const MEDIUM = { bucket: 'lake-bench-100k', prefix: 'events/', partitions: 100, perPartition: 1000 };
const SLOW_LATENCY_MS = 300;

function arg(name: string, dflt: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
}

interface ScanReport {
  mode: 'parallel' | 'sequential';
  objects: number;
  bytes: number;
  smallFiles: number;
  requests: number;
  durationMs: number;
  maxRssMB: number;
  /** CPU time of the scanning process per LIST request. */
  cpuMsPerRequest: number;
}

// ---------------------------------------------------------------------------------------------
// child roles

async function simChild(latencyMs: number): Promise<void> {
  const sim = await startSimulator({
    scenarios: [
      ...emptyScenarios(),
      bigLake,
      (state, now) => {
        for (const lake of [SMALL, MEDIUM])
          state.s3.addKeySpace(lake.bucket, {
            prefix: lake.prefix,
            partitions: Array.from({ length: lake.partitions }, (_, d) => ({
              name: `dt=${new Date(now - (lake.partitions - d) * 86_400_000).toISOString().slice(0, 10)}`,
              count: lake.perPartition,
              avgSize: 8_000_000,
              lastModified: now,
            })),
          });
      },
    ],
    faults: [
      { service: 's3', operation: 'ListObjectsV2', bucket: BIG_LAKE.bucket, latencyMs },
      { service: 's3', operation: 'ListObjectsV2', bucket: SMALL.bucket, latencyMs },
      { service: 's3', operation: 'ListObjectsV2', bucket: MEDIUM.bucket, latencyMs: SLOW_LATENCY_MS },
    ],
  });
  process.stdout.write(JSON.stringify({ url: sim.url }) + '\n');
  process.on('SIGTERM', () => void sim.stop().then(() => process.exit(0)));
}

async function scanChild(url: string, bucket: string, prefix: string, mode: string, concurrency: number) {
  const client = createS3Client({
    region: 'us-east-1',
    endpoint: url,
    forcePathStyle: true,
    credentials: { accessKeyId: 'sim', secretAccessKey: 'sim' },
  });
  const started = performance.now();
  const cpu0 = process.cpuUsage();
  let report: Omit<ScanReport, 'durationMs' | 'maxRssMB' | 'cpuMsPerRequest'>;
  if (mode === 'parallel') {
    const r = await scanLocation(
      new S3ObjectStore(client),
      { scheme: 's3', container: bucket, prefix },
      { concurrency },
    );
    report = {
      mode: 'parallel',
      objects: r.summary.objects,
      bytes: r.summary.objectBytes,
      smallFiles: r.summary.smallFiles,
      requests: r.requests,
    };
  } else {
    // the baseline: one page after the other, 1,000 keys each, into the same aggregator
    const agg = new SmallFileAggregator();
    let requests = 0;
    for await (const page of paginateListObjectsV2(
      { client, pageSize: 1000 },
      { Bucket: bucket, Prefix: prefix },
    )) {
      requests++;
      for (const o of page.Contents ?? [])
        agg.add({
          key: o.Key ?? '',
          size: o.Size ?? 0,
          ...(o.LastModified ? { lastModified: o.LastModified } : {}),
        });
    }
    const s = agg.summary();
    report = {
      mode: 'sequential',
      objects: s.objects,
      bytes: s.objectBytes,
      smallFiles: s.smallFiles,
      requests,
    };
  }
  const durationMs = performance.now() - started;
  const cpu = process.cpuUsage(cpu0);
  client.destroy();
  const maxRssMB = process.resourceUsage().maxRSS / 1024;
  const cpuMsPerRequest = (cpu.user + cpu.system) / 1000 / report.requests;
  process.stdout.write(JSON.stringify({ ...report, durationMs, maxRssMB, cpuMsPerRequest }) + '\n');
}

// ---------------------------------------------------------------------------------------------
// orchestration

function child(args: string[]): { proc: ReturnType<typeof spawn>; firstLine: Promise<string> } {
  const proc = spawn(process.execPath, ['--import', 'tsx', SELF, ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const firstLine = new Promise<string>((resolve, reject) => {
    let buf = '';
    proc.stdout!.on('data', (d: Buffer) => {
      buf += d.toString();
      const nl = buf.indexOf('\n');
      if (nl >= 0) resolve(buf.slice(0, nl));
    });
    proc.once('exit', (code) => reject(new Error(`child ${args[0]} exited ${code} before answering`)));
  });
  return { proc, firstLine };
}

async function runScan(
  url: string,
  bucket: string,
  prefix: string,
  mode: string,
  concurrency: number,
): Promise<ScanReport> {
  const { firstLine } = child(['scan-child', url, bucket, prefix, mode, String(concurrency)]);
  return JSON.parse(await firstLine) as ScanReport;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) => `| ${r.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  return [
    line(rows[0]!),
    `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`,
    ...rows.slice(1).map(line),
  ].join('\n');
}

async function main(): Promise<void> {
  const runs = arg('runs', 3);
  const latency = arg('latency', 30);
  const concurrency = arg('concurrency', 32);
  const sim = child(['sim-child', String(latency)]);
  const { url } = JSON.parse(await sim.firstLine) as { url: string };
  console.log(
    `simulator at ${url}: ${formatInt(BIG_LAKE.partitions * BIG_LAKE.perPartition)} objects in ${BIG_LAKE.partitions} partitions, ${latency} ms per ListObjectsV2; ${runs} runs each; ${cpus().length} CPUs, ${formatNumber(totalmem() / 2 ** 30, 1)} GiB`,
  );
  try {
    const seq: ScanReport[] = [];
    const par: ScanReport[] = [];
    for (let i = 0; i < runs; i++) {
      par.push(await runScan(url, BIG_LAKE.bucket, BIG_LAKE.prefix, 'parallel', concurrency));
      seq.push(await runScan(url, BIG_LAKE.bucket, BIG_LAKE.prefix, 'sequential', concurrency));
      console.log(
        `run ${i + 1}: scanner ${formatNumber(par.at(-1)!.durationMs / 1000, 2)} s, sequential ${formatNumber(seq.at(-1)!.durationMs / 1000, 2)} s`,
      );
    }
    for (const r of [...seq, ...par])
      if (r.objects !== seq[0]!.objects || r.bytes !== seq[0]!.bytes || r.smallFiles !== seq[0]!.smallFiles)
        throw new Error(`scans disagree: ${JSON.stringify(r)} vs ${JSON.stringify(seq[0])}`);
    const tSeq = median(seq.map((r) => r.durationMs));
    const tPar = median(par.map((r) => r.durationMs));
    const cpu = (rs: ScanReport[]) => formatNumber(median(rs.map((r) => r.cpuMsPerRequest)), 1);
    console.log(
      '\n' +
        table([
          [
            'listing',
            'objects',
            'LIST requests',
            `median of ${runs} (s)`,
            'client CPU ms/request',
            'speed-up',
          ],
          [
            'sequential ListObjectsV2 paginator',
            formatInt(seq[0]!.objects),
            formatInt(seq[0]!.requests),
            formatNumber(tSeq / 1000, 2),
            cpu(seq),
            '1×',
          ],
          [
            `scanLocation, concurrency ${concurrency}`,
            formatInt(par[0]!.objects),
            formatInt(median(par.map((r) => r.requests))),
            formatNumber(tPar / 1000, 2),
            cpu(par),
            `${formatNumber(tSeq / tPar, 1)}×`,
          ],
        ]),
    );

    // The same comparison where the latency of a request dominates its CPU cost, as on AWS (~0.3 s a page).
    const slowPar = await runScan(url, MEDIUM.bucket, MEDIUM.prefix, 'parallel', concurrency);
    const slowSeq = await runScan(url, MEDIUM.bucket, MEDIUM.prefix, 'sequential', concurrency);
    if (slowPar.objects !== slowSeq.objects || slowPar.bytes !== slowSeq.bytes)
      throw new Error('slow scans disagree');
    console.log(
      '\n' +
        table([
          [`listing at ${SLOW_LATENCY_MS} ms a request`, 'objects', 'LIST requests', 'time (s)', 'speed-up'],
          [
            'sequential ListObjectsV2 paginator',
            formatInt(slowSeq.objects),
            formatInt(slowSeq.requests),
            formatNumber(slowSeq.durationMs / 1000, 2),
            '1×',
          ],
          [
            `scanLocation, concurrency ${concurrency}`,
            formatInt(slowPar.objects),
            formatInt(slowPar.requests),
            formatNumber(slowPar.durationMs / 1000, 2),
            `${formatNumber(slowSeq.durationMs / slowPar.durationMs, 1)}×`,
          ],
        ]),
    );

    const small = await runScan(url, SMALL.bucket, SMALL.prefix, 'parallel', concurrency);
    const big = par.map((r) => r.maxRssMB);
    console.log(
      '\n' +
        table([
          ['scan (own process)', 'objects', 'peak RSS (MB)'],
          ['scanLocation', formatInt(small.objects), formatNumber(small.maxRssMB, 1)],
          ['scanLocation', formatInt(par[0]!.objects), `${formatNumber(median(big), 1)} (median of ${runs})`],
          ['difference', '', formatNumber(median(big) - small.maxRssMB, 1)],
          [
            'sequential paginator',
            formatInt(seq[0]!.objects),
            formatNumber(median(seq.map((r) => r.maxRssMB)), 1),
          ],
        ]),
    );
  } finally {
    sim.proc.kill('SIGTERM');
  }
}

const role = process.argv[2];
if (role === 'sim-child') await simChild(Number(process.argv[3] ?? 30));
else if (role === 'scan-child')
  await scanChild(
    process.argv[3]!,
    process.argv[4]!,
    process.argv[5]!,
    process.argv[6]!,
    Number(process.argv[7] ?? 32),
  );
else await main();
