// Colours and sizes shared by the charts. Every role has its own colour, so a test that finds one
// in the decoded PNG knows that element was drawn there.

export const CHART_COLORS = {
  background: '#ffffff',
  title: '#111827',
  text: '#374151',
  muted: '#6b7280',
  grid: '#e5e7eb',
  axis: '#9ca3af',
  /** Successful runs, and the line joining them. */
  run: '#2563eb',
  runLine: '#93b4f5',
  /** Runs flagged degraded: the alert colour, shared with the threshold they crossed. */
  degraded: '#ea580c',
  degradedBand: '#fff1e6',
  failed: '#dc2626',
  /** Stopped, expired or still running: no duration that says anything about performance. */
  other: '#9ca3af',
  baseline: '#0f766e',
  threshold: '#ea580c',
  /** Histogram bars at or below the small-file threshold. */
  smallBar: '#ea580c',
  bar: '#3b82f6',
  thresholdMarker: '#7f1d1d',
} as const;

export const DEFAULT_WIDTH = 800;
export const DEFAULT_HEIGHT = 400;
/** Charts are clamped to this size so a bad argument cannot allocate gigabytes. */
export const MAX_SIDE = 4000;
export const MIN_SIDE = 160;

/** The family every chart's text asks for; the renderer loads it (and a CJK fallback) from npm. */
export const CHART_FONT_FAMILY = 'DejaVu Sans';

/**
 * Font sizes for a chart size: 13 px labels and an 18 px title at 800×400, which stay legible when
 * Slack shows the image scaled down; they grow with bigger charts (at most ×2.5) and shrink on
 * small ones (at least ×0.7).
 */
export function fontSizesFor(width: number, height: number): { title: number; label: number } {
  const k = Math.min(2.5, Math.max(0.7, Math.min(width / DEFAULT_WIDTH, height / DEFAULT_HEIGHT)));
  return { title: Math.round(18 * k), label: Math.round(13 * k) };
}

/** A requested side clamped to what we draw: an integer in [MIN_SIDE, MAX_SIDE]. */
export function chartSide(requested: number | undefined, fallback: number): number {
  const v = requested === undefined || !Number.isFinite(requested) ? fallback : Math.round(requested);
  return Math.min(MAX_SIDE, Math.max(MIN_SIDE, v));
}

/** The look shared by both charts (Vega-Lite `config`). */
export function baseConfig(width: number, height: number): Record<string, unknown> {
  const fs = fontSizesFor(width, height);
  return {
    font: CHART_FONT_FAMILY,
    background: CHART_COLORS.background,
    padding: Math.round(fs.label * 0.8),
    view: { stroke: null },
    title: {
      fontSize: fs.title,
      fontWeight: 'bold',
      color: CHART_COLORS.title,
      anchor: 'start',
      subtitleFontSize: fs.label,
      subtitleColor: CHART_COLORS.muted,
      offset: Math.round(fs.label * 0.6),
    },
    axis: {
      labelFontSize: fs.label,
      titleFontSize: fs.label,
      labelColor: CHART_COLORS.muted,
      titleColor: CHART_COLORS.muted,
      titleFontWeight: 'normal',
      domainColor: CHART_COLORS.axis,
      tickColor: CHART_COLORS.axis,
      gridColor: CHART_COLORS.grid,
    },
    legend: {
      labelFontSize: fs.label,
      labelColor: CHART_COLORS.text,
      labelLimit: Math.round(width * 0.45),
      symbolSize: fs.label * fs.label * 0.6,
      orient: 'top',
      direction: 'horizontal',
      title: null,
      columnPadding: Math.round(fs.label * 1.2),
      offset: Math.round(fs.label * 0.4),
    },
    text: { fontSize: fs.label, font: CHART_FONT_FAMILY },
  };
}

/**
 * A text's width in pixels, estimated (Vega has no canvas to measure with on a server): DejaVu
 * Sans averages about 0.62 em a character, CJK ideographs are 1 em.
 */
export function approxTextWidth(text: string, fontSize: number): number {
  let em = 0;
  for (const ch of text) em += /[\u2e80-\ua4cf\uac00-\ud7af\uf900-\ufaff\uff00-\uffef]/u.test(ch) ? 1 : 0.62;
  return em * fontSize;
}

/** Symbol shapes as SVG paths in Vega's unit square ([-1, 1]²), filled. */
export const SHAPES = {
  dot: 'circle',
  /** Two diagonal bars: the failed runs' X. */
  cross: 'M-1,-0.6L-0.6,-1L1,0.6L0.6,1ZM0.6,-1L1,-0.6L-0.6,1L-1,0.6Z',
  /** A circle with a hole (the inner one runs the other way, so the non-zero rule leaves it empty). */
  ring: 'M-1,0A1,1,0,1,0,1,0A1,1,0,1,0,-1,0ZM-0.55,0A0.55,0.55,0,1,1,0.55,0A0.55,0.55,0,1,1,-0.55,0Z',
  triangle: 'triangle-up',
  /** A short thick line: the legend's swatch for runs drawn only as part of the line. */
  bar: 'M-1,-0.3L1,-0.3L1,0.3L-1,0.3Z',
  square: 'square',
} as const;
