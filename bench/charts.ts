// Benchmark of the chart renderer (issue 17): Vega-Lite → SVG → resvg against the hand-written
// rasteriser it replaced, side by side in one run. The old renderer is not in the tree: it is taken
// from git (`src/slack/charts` and `src/domain/format.ts` at --old, by `git archive`) into a
// temporary directory and imported from there. Each iteration renders every chart with both, in
// alternating order, so both see the same machine load. Prints a table. Results in bench/README.md.
//
//   npx tsx bench/charts.ts [--iterations 40] [--warmup 5] [--old 5129475]
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as current from '../src/slack/charts/index.js';
import { chartSvg, svgToPng } from '../src/slack/charts/render.js';
import type {
  DurationsChartInput,
  DurationsChartRun,
  SizeHistogramInput,
} from '../src/slack/charts/index.js';

function arg(name: string, dflt: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? (process.argv[i + 1] ?? dflt) : dflt;
}
const ITERATIONS = Number(arg('iterations', '40'));
const WARMUP = Number(arg('warmup', '5'));
const OLD = arg('old', '5129475');

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

interface Renderer {
  renderDurationsChart(input: DurationsChartInput): Buffer | Promise<Buffer>;
  renderSizeHistogram(input: SizeHistogramInput): Buffer | Promise<Buffer>;
}

/** The renderer of commit `rev`, extracted into a temporary directory that can import our packages. */
async function oldRenderer(rev: string): Promise<{ renderer: Renderer; dir: string; commit: string }> {
  const commit = execFileSync('git', ['-C', root, 'rev-parse', '--short', `${rev}^{commit}`], {
    encoding: 'utf8',
  }).trim();
  const dir = mkdtempSync(join(tmpdir(), 'medic-old-charts-'));
  const tar = execFileSync('git', [
    '-C',
    root,
    'archive',
    commit,
    'src/slack/charts',
    'src/domain/format.ts',
  ]);
  execFileSync('tar', ['-x', '-C', dir], { input: tar });
  // Its imports (pngjs) resolve through a link to our node_modules.
  symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'), 'dir');
  const renderer = (await import(pathToFileURL(join(dir, 'src/slack/charts/index.ts')).href)) as Renderer;
  return { renderer, dir, commit };
}

const T0 = Date.UTC(2026, 10, 1, 2, 0);
function runs(n: number): DurationsChartRun[] {
  return Array.from({ length: n }, (_, i) => {
    const failed = i % 11 === 9;
    const degraded = i >= n - 4 && !failed;
    const base = 21 * 60 + (((i * 37) % 11) - 5) * 30;
    return {
      id: `jr_${i}`,
      startedOn: new Date(T0 + i * 86_400_000),
      durationSec: failed ? 400 : degraded ? base * 1.55 : base,
      state: failed ? 'FAILED' : 'SUCCEEDED',
      degraded,
    };
  });
}
const histogram: SizeHistogramInput = {
  title: 'File sizes in s3://lake-raw/events/',
  buckets: Array.from({ length: 50 }, (_, i) => ({
    upperBytes: 2 ** i,
    count: i >= 8 && i <= 31 ? Math.round(5000 * Math.exp(-((i - 17) ** 2) / 12)) : 0,
  })),
  thresholdBytes: 32 * 1024 ** 2,
};

const cases: { name: string; draw: (r: Renderer) => Buffer | Promise<Buffer> }[] = [
  {
    name: 'durations, 24 runs (triage)',
    draw: (r) =>
      r.renderDurationsChart({
        title: 'MyJob: run durations',
        runs: runs(24),
        baselineSec: 1260,
        thresholdSec: 1638,
      }),
  },
  {
    name: 'durations, 200 runs',
    draw: (r) =>
      r.renderDurationsChart({
        title: 'MyJob: run durations',
        runs: runs(200),
        baselineSec: 1260,
        thresholdSec: 1638,
      }),
  },
  {
    name: 'durations, CJK title',
    draw: (r) =>
      r.renderDurationsChart({
        title: '日本の注文: duración',
        runs: runs(24),
        baselineSec: 1260,
        thresholdSec: 1638,
      }),
  },
  { name: 'size histogram (smallfiles)', draw: (r) => r.renderSizeHistogram(histogram) },
];

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const p90 = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length * 0.9)]!;

async function timed(f: () => Buffer | Promise<Buffer>): Promise<{ ms: number; bytes: number }> {
  const t = performance.now();
  const png = await f();
  return { ms: performance.now() - t, bytes: png.length };
}

const { renderer: old, dir, commit } = await oldRenderer(OLD);
try {
  console.log(
    `charts: ${ITERATIONS} iterations after ${WARMUP} warm-up; old = git ${commit}; ` +
      `${cpus().length} CPUs, ${Math.round(totalmem() / 1024 ** 3)} GiB, Node ${process.version}`,
  );
  const rows: string[][] = [];
  for (const c of cases) {
    const t = { old: [] as number[], now: [] as number[], svg: [] as number[], png: [] as number[] };
    let bytes = { old: 0, now: 0 };
    for (let i = 0; i < WARMUP + ITERATIONS; i++) {
      const pair =
        i % 2
          ? ([
              ['now', current],
              ['old', old],
            ] as const)
          : ([
              ['old', old],
              ['now', current],
            ] as const);
      for (const [which, r] of pair) {
        const res = await timed(() => c.draw(r));
        if (i >= WARMUP) t[which].push(res.ms);
        bytes = { ...bytes, [which]: res.bytes };
      }
    }
    // The new renderer's two stages, measured apart on the same input.
    const spec = c.name.startsWith('size')
      ? current.sizeHistogramSpec(histogram)
      : current.durationsChartSpec(
          c.name.includes('200')
            ? { title: 'MyJob: run durations', runs: runs(200), baselineSec: 1260, thresholdSec: 1638 }
            : {
                title: c.name.includes('CJK') ? '日本の注文: duración' : 'MyJob: run durations',
                runs: runs(24),
                baselineSec: 1260,
                thresholdSec: 1638,
              },
        );
    for (let i = 0; i < WARMUP + ITERATIONS; i++) {
      const a = performance.now();
      const { svg } = await chartSvg(spec);
      const b = performance.now();
      await svgToPng(svg);
      const e = performance.now();
      if (i >= WARMUP) {
        t.svg.push(b - a);
        t.png.push(e - b);
      }
    }
    rows.push([
      c.name,
      `${median(t.old).toFixed(1)} / ${p90(t.old).toFixed(1)}`,
      `${median(t.now).toFixed(1)} / ${p90(t.now).toFixed(1)}`,
      `${median(t.svg).toFixed(1)} + ${median(t.png).toFixed(1)}`,
      `${(median(t.now) / median(t.old)).toFixed(2)}×`,
      `${(bytes.old / 1024).toFixed(0)} / ${(bytes.now / 1024).toFixed(0)}`,
    ]);
  }
  const head = [
    'chart (800×400)',
    'old ms median / p90',
    'new ms median / p90',
    'new: spec→SVG + SVG→PNG',
    'new ÷ old',
    'PNG KiB old / new',
  ];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  console.log(line(head));
  console.log(`| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |`);
  for (const r of rows) console.log(line(r));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
