// Colours and sizes shared by the charts. Colours are exported so tests can look for them in the
// decoded PNG; every role has its own colour, so finding one proves that element was drawn there.
import { hex, type Rgb } from './raster.js';

export const CHART_COLORS = {
  background: hex('#ffffff'),
  title: hex('#111827'),
  text: hex('#374151'),
  muted: hex('#6b7280'),
  grid: hex('#e5e7eb'),
  axis: hex('#9ca3af'),
  /** Successful runs, and the line joining them. */
  run: hex('#2563eb'),
  runLine: hex('#93b4f5'),
  /** Runs flagged degraded: the alert colour, shared with the threshold they crossed. */
  degraded: hex('#ea580c'),
  degradedBand: hex('#fff1e6'),
  failed: hex('#dc2626'),
  /** Stopped, expired or still running: no duration that says anything about performance. */
  other: hex('#9ca3af'),
  baseline: hex('#0f766e'),
  threshold: hex('#ea580c'),
  /** Histogram bars at or below the small-file threshold. */
  smallBar: hex('#ea580c'),
  bar: hex('#3b82f6'),
  thresholdMarker: hex('#7f1d1d'),
} as const satisfies Record<string, Rgb>;

export const DEFAULT_WIDTH = 800;
export const DEFAULT_HEIGHT = 400;
/** Charts are clamped to this size so a bad argument cannot allocate gigabytes. */
export const MAX_SIDE = 4000;
export const MIN_SIDE = 160;

/**
 * Text magnification for a chart size: 2 (10×14 pixel capitals) at 800×400, which stays legible
 * when Slack shows the image inline at about 90 %; it grows with bigger charts (3 at 1200×600, at
 * most 4) and falls back to 1 under about 560×280.
 */
export function textScaleFor(width: number, height: number): number {
  return Math.min(4, Math.max(1, Math.round(Math.min(width / 400, height / 200))));
}

/** A requested side clamped to what we draw: an integer in [MIN_SIDE, MAX_SIDE]. */
export function chartSide(requested: number | undefined, fallback: number): number {
  const v = requested === undefined || !Number.isFinite(requested) ? fallback : Math.round(requested);
  return Math.min(MAX_SIDE, Math.max(MIN_SIDE, v));
}

/** The rectangle data is drawn in, in pixels; `right` and `bottom` are exclusive edges. */
export interface PlotArea {
  left: number;
  top: number;
  right: number;
  bottom: number;
}
