// Vega-Lite spec → Vega → SVG → PNG. The one module that draws; the charts themselves are pure
// functions from data to a Vega-Lite spec.
import { renderAsync, type ResvgRenderOptions } from '@resvg/resvg-js';
import * as vega from 'vega';
import { View, Warn, logger, parse } from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { chartFontFiles, needsCjkFont, withCjkFamily } from './fonts.js';
import { CHART_COLORS, CHART_FONT_FAMILY, approxTextWidth } from './theme.js';

// Vega lays out titles, legends and axes with text widths. With no canvas on a server it guesses
// 0.8 em a character, which spaces the legend far apart; this estimate is tuned to DejaVu Sans (and
// CJK's 1 em). Vega calls a replaced `textMetrics.width` for every measurement (vl-convert does the
// same); it is not in vega's typings.
interface TextItem {
  fontSize?: number;
  fontWeight?: string | number;
}
const textMetrics = (vega as unknown as { textMetrics: { width: (item: TextItem, text: unknown) => number } })
  .textMetrics;
textMetrics.width = (item, text) => {
  const lines = Array.isArray(text) ? text.map(String) : [text == null ? '' : String(text)];
  const bold = item.fontWeight === 'bold' || Number(item.fontWeight) >= 600;
  return Math.max(0, ...lines.map((l) => approxTextWidth(l, item.fontSize ?? 11))) * (bold ? 1.1 : 1);
};

export interface ChartSvg {
  /** Text is `<text>` elements in the font family the theme names. */
  svg: string;
  /** What Vega-Lite and Vega warned about (a spec mistake, such as a dropped encoding); never printed. */
  warnings: string[];
}

/** The SVG Vega draws for a spec. */
export async function chartSvg(spec: TopLevelSpec): Promise<ChartSvg> {
  const warnings: string[] = [];
  const log = logger(Warn, 'warn', (_method, _level, args) => {
    warnings.push(args.map(String).join(' '));
  });
  const view = new View(parse(compile(spec, { logger: log }).spec), { renderer: 'none', logger: log });
  try {
    return { svg: await view.toSVG(), warnings };
  } finally {
    view.finalize();
  }
}

/** resvg's options: our fonts only, never the machine's (the production image has none). */
export function resvgOptions(svg: string): ResvgRenderOptions {
  const fonts = chartFontFiles();
  return {
    font: {
      loadSystemFonts: false,
      fontFiles: needsCjkFont(svg) ? [...fonts.latin, ...fonts.cjk] : fonts.latin,
      defaultFontFamily: CHART_FONT_FAMILY,
      sansSerifFamily: CHART_FONT_FAMILY,
    },
    fitTo: { mode: 'original' },
    background: CHART_COLORS.background,
    logLevel: 'off',
  };
}

/** Rasterise on libuv's thread pool, so a worker's event loop keeps serving while a chart draws. */
export async function svgToPng(svg: string): Promise<Buffer> {
  const image = await renderAsync(withCjkFamily(svg, CHART_FONT_FAMILY), resvgOptions(svg));
  return image.asPng();
}

export async function renderChart(spec: TopLevelSpec): Promise<ChartSvg & { png: Buffer }> {
  const drawn = await chartSvg(spec);
  return { ...drawn, png: await svgToPng(drawn.svg) };
}
