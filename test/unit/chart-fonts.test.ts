// The production image's font path, without Docker. The image (node:24-bookworm-slim) has no system
// fonts, installs only `dependencies` (npm ci --omit=dev) and runs from another directory; the chart
// renderer never asks the machine for fonts, so the same code path runs here: these tests show that
// the text pixels come from the fonts shipped in npm packages and from nothing else.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join, relative } from 'node:path';
import { renderAsync } from '@resvg/resvg-js';
import { PNG } from 'pngjs';
import { durationsChartSpec } from '../../src/slack/charts/durations-chart.js';
import { FONT_MODULES, chartFontFiles, needsCjkFont, withCjkFamily } from '../../src/slack/charts/fonts.js';
import { chartSvg, resvgOptions, svgToPng } from '../../src/slack/charts/render.js';
import { CHART_FONT_FAMILY } from '../../src/slack/charts/theme.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const T0 = Date.UTC(2026, 10, 1, 2, 0);

const input = {
  title: 'pedidos_ñ á é ß 日本: Duración',
  runs: Array.from({ length: 12 }, (_, i) => ({
    id: `jr_${i}`,
    startedOn: new Date(T0 + i * 86_400_000),
    durationSec: 1200 + (i % 4) * 90,
    state: i === 7 ? 'FAILED' : 'SUCCEEDED',
    degraded: i >= 10,
  })),
  baselineSec: 1260,
  thresholdSec: 1638,
};

const pixels = (png: Buffer): Buffer => PNG.sync.read(png).data;
const stripText = (svg: string): string => svg.replace(/<text[^>]*>[\s\S]*?<\/text>/g, '');

test('the font packages are production dependencies, so the image (npm ci --omit=dev) has them', () => {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
    dependencies: Record<string, string>;
    devDependencies: Record<string, string>;
  };
  for (const spec of Object.values(FONT_MODULES)) {
    const name = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!;
    assert.ok(pkg.dependencies[name], `${name} is in dependencies`);
    assert.equal(pkg.devDependencies[name], undefined);
  }
  for (const name of ['@resvg/resvg-js', 'vega', 'vega-lite']) assert.ok(pkg.dependencies[name], name);
  // Resolved inside this checkout's node_modules, whatever the working directory.
  const files = chartFontFiles();
  for (const f of [...files.latin, ...files.cjk]) {
    assert.match(f, /\.ttf$/);
    assert.ok(!relative(realpathSync(join(root, 'node_modules')), realpathSync(f)).startsWith('..'), f);
  }
});

test('resvg is never given system fonts, only the shipped files', async () => {
  const { svg } = await chartSvg(durationsChartSpec(input));
  const opts = resvgOptions(svg);
  assert.equal(opts.font?.loadSystemFonts, false);
  assert.deepEqual(opts.font?.fontDirs, undefined);
  assert.equal(opts.font?.defaultFontFamily, CHART_FONT_FAMILY);
  const files = chartFontFiles();
  assert.deepEqual(opts.font?.fontFiles, [...files.latin, ...files.cjk]);
  // A chart with no CJK text does not load the 5 MB CJK faces.
  const latin = await chartSvg(durationsChartSpec({ ...input, title: 'orders: Duración' }));
  assert.equal(needsCjkFont(latin.svg), false);
  assert.deepEqual(resvgOptions(latin.svg).font?.fontFiles, files.latin);
});

test('with no fonts resvg silently draws no text; with the shipped fonts the text is there', async () => {
  const { svg } = await chartSvg(durationsChartSpec(input));
  const noFonts = await renderAsync(withCjkFamily(svg, CHART_FONT_FAMILY), {
    ...resvgOptions(svg),
    font: { loadSystemFonts: false, fontFiles: [] },
  });
  // No font: exactly the image of the same SVG with every <text> removed.
  const textless = pixels(await svgToPng(stripText(svg)));
  assert.ok(pixels(noFonts.asPng()).equals(textless), 'no font draws no text at all');
  // Our path draws it: thousands of pixels differ from the textless image.
  const drawn = pixels(await svgToPng(svg));
  let differing = 0;
  for (let i = 0; i < drawn.length; i += 4) if (drawn[i] !== textless[i]) differing++;
  assert.ok(differing > 2000, `text pixels: ${differing}`);
});

test('the same PNG from another process started in / with no HOME or font configuration, as in the image', async () => {
  const here = await svgToPng((await chartSvg(durationsChartSpec(input))).svg);
  const script = `
    import { renderDurationsChart } from ${JSON.stringify(join(root, 'src/slack/charts/index.ts'))};
    const input = ${JSON.stringify(input)};
    input.runs = input.runs.map((r) => ({ ...r, startedOn: new Date(r.startedOn) }));
    process.stdout.write((await renderDurationsChart(input)).toString('base64'));
  `;
  // tsx by its file URL: from / the bare name would not resolve.
  const tsx = import.meta.resolve('tsx');
  const res = spawnSync(process.execPath, ['--import', tsx, '--input-type=module', '-e', script], {
    cwd: '/',
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', NODE_PATH: '', HOME: '/nonexistent' },
    encoding: 'utf8',
    maxBuffer: 16 * 1024 * 1024,
  });
  assert.equal(res.status, 0, res.stderr);
  assert.ok(Buffer.from(res.stdout, 'base64').equals(here), 'identical bytes');
});
