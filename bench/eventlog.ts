// Reading a 1 GB Spark event log: time, MB/s and peak RSS of the streamed reader (domain/spark),
// against the I/O floor (the same file streamed and only split into lines).
//
//   npx tsx bench/eventlog.ts [--gb 1] [--runs 3] [--keep]
//
// The log is generated first, streamed to a temp file by the simulator's writer
// (sim/spark-eventlog.ts: Spark 3.3's own format; 10 executors × 4 cores, stages of 2,000 tasks
// with skew, spill, GC and a Python UDF plan among them). Each measurement runs in a fresh child
// process, so its peak RSS (process.resourceUsage().maxRSS) is its own; a child that loads the same
// modules and reads nothing gives the process's own floor. Every run must find every task, or the
// script fails.
import { spawnSync } from 'node:child_process';
import { createReadStream, createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventLogLines, type SparkAppSpec, type SparkStageSpec } from '../sim/spark-eventlog.js';
import { readEventLog } from '../src/domain/spark/index.js';

const GB = 1024 ** 3;
const MB = 1024 ** 2;
const CHUNK = 1 << 20;

function arg(name: string, dflt: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? (process.argv[i + 1] as string) : dflt;
}

function specFor(targetBytes: number): SparkAppSpec {
  // About 3 kB of TaskStart + TaskEnd per task (measured: 85 MB for 28,000 tasks), 2,000 tasks a stage.
  const stages = Math.max(1, Math.ceil(targetBytes / (3_050 * 2_000)));
  const list: SparkStageSpec[] = [];
  for (let i = 0; i < stages; i++) {
    const kind = i % 5;
    list.push({
      name: `stage at BenchJob.py:${10 + (i % 40)}`,
      tasks: 2_000,
      taskMs: 2_000 + (i % 7) * 500,
      inputBytes: kind === 0 ? 40 * GB : 0,
      shuffleReadBytes: kind === 0 ? 0 : 20 * GB,
      shuffleWriteBytes: 20 * GB,
      ...(kind === 1 ? { memorySpilledBytes: 8 * GB, diskSpilledBytes: 3 * GB } : {}),
      ...(kind === 2 ? { gcShare: 0.2 } : {}),
      ...(kind === 3 ? { skew: { tasks: 3, factor: 40 } } : {}),
      ...(kind === 4 ? { python: 'BatchEvalPython' as const } : {}),
    });
  }
  return {
    appId: 'spark-application-1764500000000',
    appName: 'BenchJob',
    startedAt: 1_764_500_000_000,
    executors: 10,
    coresPerExecutor: 4,
    executorMemory: '10g',
    properties: { 'spark.glue.JOB_RUN_ID': 'jr_bench' },
    stages: list,
  };
}

async function generate(file: string, targetBytes: number): Promise<{ tasks: number; ms: number }> {
  const t0 = performance.now();
  const spec = specFor(targetBytes);
  const out = createWriteStream(file);
  let buf: string[] = [];
  let size = 0;
  for (const line of eventLogLines(spec)) {
    buf.push(line, '\n');
    size += line.length + 1;
    if (size >= CHUNK) {
      if (!out.write(buf.join(''))) await once(out, 'drain');
      buf = [];
      size = 0;
    }
  }
  out.end(buf.join(''));
  await once(out, 'finish');
  return {
    tasks: spec.stages.reduce((n, s) => n + s.tasks + (s.failedTasks ?? 0), 0),
    ms: performance.now() - t0,
  };
}

// --- child modes ------------------------------------------------------------------------------

async function childRead(file: string): Promise<void> {
  const t0 = performance.now();
  const s = await readEventLog({ files: [{ key: file, size: 0, index: 0 }], inProgress: false }, (key) =>
    createReadStream(key, { highWaterMark: CHUNK }),
  );
  const ms = performance.now() - t0;
  console.log(
    JSON.stringify({
      ms,
      bytes: s.read.bytes,
      lines: s.read.lines,
      parsed: s.read.parsed,
      tasks: s.app.totals.tasks,
      stages: s.stages.length,
      bad: s.read.badLines,
      maxRssKb: process.resourceUsage().maxRSS,
    }),
  );
}

async function childLines(file: string): Promise<void> {
  const t0 = performance.now();
  let lines = 0;
  let bytes = 0;
  for await (const chunk of createReadStream(file, { highWaterMark: CHUNK })) {
    const b = chunk as Buffer;
    bytes += b.length;
    for (let i = b.indexOf(10); i >= 0; i = b.indexOf(10, i + 1)) lines++;
  }
  console.log(
    JSON.stringify({ ms: performance.now() - t0, bytes, lines, maxRssKb: process.resourceUsage().maxRSS }),
  );
}

function childIdle(): void {
  console.log(JSON.stringify({ ms: 0, maxRssKb: process.resourceUsage().maxRSS }));
}

interface ChildResult {
  ms: number;
  bytes?: number;
  lines?: number;
  tasks?: number;
  stages?: number;
  bad?: number;
  maxRssKb: number;
}

function child(mode: string, file: string): ChildResult {
  const res = spawnSync(process.execPath, ['--import', 'tsx', 'bench/eventlog.ts', `--${mode}`, file], {
    encoding: 'utf8',
    maxBuffer: 16 * MB,
  });
  if (res.status !== 0) throw new Error(`child ${mode} failed: ${res.stderr}`);
  const last = res.stdout.trim().split('\n').at(-1) as string;
  return JSON.parse(last) as ChildResult;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
};

async function main(): Promise<void> {
  for (const mode of ['read', 'lines', 'idle']) {
    const i = process.argv.indexOf(`--${mode}`);
    if (i >= 0) {
      const file = process.argv[i + 1] as string;
      if (mode === 'read') return childRead(file);
      if (mode === 'lines') return childLines(file);
      return childIdle();
    }
  }
  const gb = Number(arg('gb', '1'));
  const runs = Number(arg('runs', '3'));
  const dir = mkdtempSync(join(tmpdir(), 'medic-eventlog-'));
  const file = join(dir, 'spark-application-1764500000000');
  try {
    const gen = await generate(file, gb * GB);
    const size = statSync(file).size;
    console.log(
      `generated ${(size / MB).toFixed(0)} MB (${gen.tasks.toLocaleString('en')} tasks) in ${(gen.ms / 1000).toFixed(1)} s → ${file}`,
    );
    const reads: ChildResult[] = [];
    const floors: ChildResult[] = [];
    // Side by side in one run: reader, then the I/O floor, alternating.
    for (let r = 0; r < runs; r++) {
      const rd = child('read', file);
      if (rd.tasks !== gen.tasks || rd.bad !== 0)
        throw new Error(`reader found ${rd.tasks} tasks (${rd.bad} bad lines), want ${gen.tasks}`);
      reads.push(rd);
      floors.push(child('lines', file));
    }
    const idle = child('idle', file);
    const mbps = (r: ChildResult) => size / MB / (r.ms / 1000);
    const rows = [
      ['streamed reader (readEventLog)', reads],
      ['I/O floor: stream + count lines', floors],
    ] as const;
    console.log(
      `\nruns: reader ${reads.map((r) => (r.ms / 1000).toFixed(2)).join(', ')} s; floor ${floors.map((r) => (r.ms / 1000).toFixed(2)).join(', ')} s`,
    );
    console.log('\n| pass | median time (s) | MB/s | peak RSS (MB), median | ');
    console.log('| --- | --- | --- | --- |');
    for (const [name, list] of rows) {
      const t = median(list.map((r) => r.ms));
      console.log(
        `| ${name} | ${(t / 1000).toFixed(2)} | ${median(list.map(mbps)).toFixed(0)} | ${(median(list.map((r) => r.maxRssKb)) / 1024).toFixed(1)} |`,
      );
    }
    console.log(`| same process, nothing read | – | – | ${(idle.maxRssKb / 1024).toFixed(1)} |`);
    console.log(
      `\nreader ÷ floor time: ${(median(reads.map((r) => r.ms)) / median(floors.map((r) => r.ms))).toFixed(2)}×; stages ${reads[0]?.stages}, tasks ${reads[0]?.tasks?.toLocaleString('en')}`,
    );
  } finally {
    if (!process.argv.includes('--keep')) rmSync(dir, { recursive: true, force: true });
  }
}

await main();
