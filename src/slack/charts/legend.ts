// A one-or-more-row legend: a swatch drawn the way the chart draws that element, then its label.
// Items flow left to right and wrap, so a narrow chart gets two rows rather than clipped text.
import { fitText, textHeight, textWidth, type Raster, type Rgb } from './raster.js';
import { CHART_COLORS } from './theme.js';

export type SwatchKind = 'dot' | 'x' | 'ring' | 'box' | 'triangle' | 'line' | 'dash' | 'none';

export interface LegendItem {
  swatch: SwatchKind;
  color: Rgb;
  label: string;
}

export interface PlacedLegendItem extends LegendItem {
  x: number;
  y: number;
}

export interface LegendLayout {
  items: PlacedLegendItem[];
  /** First pixel row below the legend (equals `top` when there are no items). */
  bottom: number;
}

const swatchWidth = (s: number): number => 10 * s;

/** Place items from (`left`, `top`), wrapping before `right`; text scale `s`. */
export function layoutLegend(
  items: readonly LegendItem[],
  left: number,
  top: number,
  right: number,
  s: number,
): LegendLayout {
  const rowHeight = textHeight(s) + 3 * s;
  const gap = 10 * s;
  const placed: PlacedLegendItem[] = [];
  let x = left;
  let y = top;
  for (const item of items) {
    const swatch = item.swatch === 'none' ? 0 : swatchWidth(s) + 3 * s;
    const label = fitText(item.label, right - left - swatch, s);
    const w = swatch + textWidth(label, s);
    if (x > left && x + w > right) {
      x = left;
      y += rowHeight;
    }
    placed.push({ ...item, label, x, y });
    x += w + gap;
  }
  return { items: placed, bottom: placed.length === 0 ? top : y + rowHeight };
}

/** Draw one swatch centred vertically on the middle of the capitals of a text line at `y`. */
export function drawSwatch(r: Raster, kind: SwatchKind, color: Rgb, x: number, y: number, s: number): void {
  const w = swatchWidth(s);
  const cx = x + w / 2;
  const cy = y + 3.5 * s;
  switch (kind) {
    case 'dot':
      r.circle(cx, cy, 2.5 * s, color);
      break;
    case 'ring':
      r.circle(cx, cy, 2.5 * s, color, 1.5);
      break;
    case 'x':
      r.cross(cx, cy, 2.5 * s, color, 1.25 * s);
      break;
    case 'box':
      r.fillRect(x + s, y, w - 2 * s, 7 * s, color);
      break;
    case 'triangle':
      r.triangle(cx, cy - 3 * s, cx - 3 * s, cy + 2.5 * s, cx + 3 * s, cy + 2.5 * s, color);
      break;
    case 'line':
      r.hLine(x, x + w, cy, color, s);
      break;
    case 'dash':
      r.dashedHLine(x, x + w, cy, color, s, 3 * s, 2 * s);
      break;
    case 'none':
      break;
  }
}

export function drawLegend(r: Raster, layout: LegendLayout, s: number): void {
  for (const item of layout.items) {
    const swatch = item.swatch === 'none' ? 0 : swatchWidth(s) + 3 * s;
    drawSwatch(r, item.swatch, item.color, item.x, item.y, s);
    r.text(item.x + swatch, item.y, item.label, {
      color: item.swatch === 'none' ? CHART_COLORS.muted : CHART_COLORS.text,
      scale: s,
    });
  }
}
