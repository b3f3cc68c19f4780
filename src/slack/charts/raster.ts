// A tiny RGBA raster for server-side charts: no browser, no canvas, no native binaries — only pngjs to
// encode. Coordinates are in pixels with (0, 0) the top-left corner; pixel (x, y) covers the square
// [x, x+1) × [y, y+1), so its centre is (x + 0.5, y + 0.5). Everything is plain arithmetic on the
// input, so the same drawing calls always give the same bytes.
import { PNG } from 'pngjs';
import { GLYPH_ADVANCE, GLYPH_HEIGHT, GLYPH_WIDTH, glyphFor, toFontText } from './font.js';

export interface Rgb {
  readonly r: number;
  readonly g: number;
  readonly b: number;
}

/** `#2563eb` → { r: 37, g: 99, b: 235 }. */
export function hex(color: string): Rgb {
  const m = /^#?([0-9a-f]{6})$/i.exec(color);
  if (!m?.[1]) throw new Error(`not a #rrggbb colour: ${color}`);
  const n = parseInt(m[1], 16);
  return { r: (n >> 16) & 255, g: (n >> 8) & 255, b: n & 255 };
}

export type TextAlign = 'left' | 'center' | 'right';

export interface TextOptions {
  color: Rgb;
  /** Integer magnification of the 5×9 font; 2 is legible at Slack's inline image size. */
  scale?: number;
  align?: TextAlign;
  /** Strikes each glyph twice, one pixel apart: a cheap bold for titles. */
  bold?: boolean;
  /** Turned 90° counter-clockwise, reading bottom to top (a y-axis label); `x`, `y` are then its centre. */
  vertical?: boolean;
}

export interface LineOptions {
  /** Stroke width in pixels. */
  width?: number;
  /** Coverage-based anti-aliasing (default); `false` gives a plain Bresenham line of square stamps. */
  antialias?: boolean;
  opacity?: number;
}

export interface DashOptions extends LineOptions {
  dash?: number;
  gap?: number;
}

/** Width in pixels of a single line of text at `scale` (no trailing spacing column). */
export function textWidth(text: string, scale = 1): number {
  const n = [...toFontText(text)].length;
  return n === 0 ? 0 : (n * GLYPH_ADVANCE - (GLYPH_ADVANCE - GLYPH_WIDTH)) * scale;
}

/** Height in pixels of a line of text including descenders. */
export function textHeight(scale = 1): number {
  return GLYPH_HEIGHT * scale;
}

/** Cut `text` with a trailing `...` so it fits in `maxWidth` pixels. */
export function fitText(text: string, maxWidth: number, scale = 1): string {
  if (textWidth(text, scale) <= maxWidth) return text;
  const chars = [...toFontText(text)];
  while (chars.length > 0 && textWidth(chars.join('') + '...', scale) > maxWidth) chars.pop();
  return chars.length === 0 ? '' : chars.join('') + '...';
}

const clamp01 = (v: number): number => (v < 0 ? 0 : v > 1 ? 1 : v);

function distanceToSegment(px: number, py: number, x0: number, y0: number, x1: number, y1: number): number {
  const dx = x1 - x0;
  const dy = y1 - y0;
  const len2 = dx * dx + dy * dy;
  let t = len2 === 0 ? 0 : ((px - x0) * dx + (py - y0) * dy) / len2;
  t = t < 0 ? 0 : t > 1 ? 1 : t;
  const ex = px - (x0 + t * dx);
  const ey = py - (y0 + t * dy);
  return Math.sqrt(ex * ex + ey * ey);
}

export class Raster {
  readonly width: number;
  readonly height: number;
  /** RGBA, row-major, always opaque: charts are drawn on a solid background. */
  readonly data: Uint8Array;

  constructor(width: number, height: number, background: Rgb) {
    if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
      throw new RangeError(`raster size must be positive integers, got ${width}×${height}`);
    }
    this.width = width;
    this.height = height;
    this.data = new Uint8Array(width * height * 4);
    for (let i = 0; i < this.data.length; i += 4) {
      this.data[i] = background.r;
      this.data[i + 1] = background.g;
      this.data[i + 2] = background.b;
      this.data[i + 3] = 255;
    }
  }

  /** Paint one pixel, `alpha` ∈ [0, 1] over what is there; outside the raster is ignored. */
  blend(x: number, y: number, color: Rgb, alpha = 1): void {
    if (x < 0 || y < 0 || x >= this.width || y >= this.height || !(alpha > 0)) return;
    const i = ((y | 0) * this.width + (x | 0)) * 4;
    if (alpha >= 1) {
      this.data[i] = color.r;
      this.data[i + 1] = color.g;
      this.data[i + 2] = color.b;
      return;
    }
    const d = this.data;
    d[i] = Math.round((d[i] ?? 0) + (color.r - (d[i] ?? 0)) * alpha);
    d[i + 1] = Math.round((d[i + 1] ?? 0) + (color.g - (d[i + 1] ?? 0)) * alpha);
    d[i + 2] = Math.round((d[i + 2] ?? 0) + (color.b - (d[i + 2] ?? 0)) * alpha);
  }

  /** The colour of a pixel (for tests and for picking a readable label colour). */
  pixel(x: number, y: number): Rgb {
    const i = (y * this.width + x) * 4;
    return { r: this.data[i] ?? 0, g: this.data[i + 1] ?? 0, b: this.data[i + 2] ?? 0 };
  }

  /** Fill the pixels whose centres lie in the rectangle; edges are rounded to whole pixels. */
  fillRect(x: number, y: number, w: number, h: number, color: Rgb, opacity = 1): void {
    const x0 = Math.max(0, Math.round(x));
    const y0 = Math.max(0, Math.round(y));
    const x1 = Math.min(this.width, Math.round(x + w));
    const y1 = Math.min(this.height, Math.round(y + h));
    for (let py = y0; py < y1; py++) for (let px = x0; px < x1; px++) this.blend(px, py, color, opacity);
  }

  /** A crisp horizontal line `thickness` pixels tall centred on `y` (reference lines, grid, axes). */
  hLine(x0: number, x1: number, y: number, color: Rgb, thickness = 1, opacity = 1): void {
    const top = Math.round(y - thickness / 2);
    this.fillRect(Math.min(x0, x1), top, Math.abs(x1 - x0), thickness, color, opacity);
  }

  /** A crisp vertical line `thickness` pixels wide centred on `x`. */
  vLine(x: number, y0: number, y1: number, color: Rgb, thickness = 1, opacity = 1): void {
    const left = Math.round(x - thickness / 2);
    this.fillRect(left, Math.min(y0, y1), thickness, Math.abs(y1 - y0), color, opacity);
  }

  /** A crisp dashed horizontal line; dashes start at `x0` so the pattern is stable. */
  dashedHLine(x0: number, x1: number, y: number, color: Rgb, thickness = 1, dash = 8, gap = 5): void {
    const lo = Math.min(x0, x1);
    const hi = Math.max(x0, x1);
    for (let x = lo; x < hi; x += dash + gap) this.hLine(x, Math.min(x + dash, hi), y, color, thickness);
  }

  /** A crisp dashed vertical line; dashes start at `y0`. */
  dashedVLine(x: number, y0: number, y1: number, color: Rgb, thickness = 1, dash = 8, gap = 5): void {
    const lo = Math.min(y0, y1);
    const hi = Math.max(y0, y1);
    for (let y = lo; y < hi; y += dash + gap) this.vLine(x, y, Math.min(y + dash, hi), color, thickness);
  }

  /** A straight line of any slope, anti-aliased by default, with round caps. */
  line(x0: number, y0: number, x1: number, y1: number, color: Rgb, options: LineOptions = {}): void {
    const width = options.width ?? 1;
    const opacity = options.opacity ?? 1;
    if (options.antialias === false) {
      this.bresenham(x0, y0, x1, y1, color, Math.max(1, Math.round(width)), opacity);
      return;
    }
    const reach = width / 2 + 1;
    const minX = Math.max(0, Math.floor(Math.min(x0, x1) - reach));
    const maxX = Math.min(this.width - 1, Math.ceil(Math.max(x0, x1) + reach));
    const minY = Math.max(0, Math.floor(Math.min(y0, y1) - reach));
    const maxY = Math.min(this.height - 1, Math.ceil(Math.max(y0, y1) + reach));
    for (let py = minY; py <= maxY; py++) {
      for (let px = minX; px <= maxX; px++) {
        const d = distanceToSegment(px + 0.5, py + 0.5, x0, y0, x1, y1);
        const coverage = clamp01(width / 2 + 0.5 - d);
        if (coverage > 0) this.blend(px, py, color, coverage * opacity);
      }
    }
  }

  /** Bresenham's line, stamping a `thickness`-pixel square at each step. */
  private bresenham(
    x0: number,
    y0: number,
    x1: number,
    y1: number,
    color: Rgb,
    thickness: number,
    opacity: number,
  ): void {
    let x = Math.floor(x0);
    let y = Math.floor(y0);
    const xe = Math.floor(x1);
    const ye = Math.floor(y1);
    const dx = Math.abs(xe - x);
    const dy = -Math.abs(ye - y);
    const sx = x < xe ? 1 : -1;
    const sy = y < ye ? 1 : -1;
    const half = Math.floor((thickness - 1) / 2);
    // Stamps overlap along the line; painting through a set keeps translucent strokes even.
    const painted = new Set<number>();
    let err = dx + dy;
    for (;;) {
      for (let oy = 0; oy < thickness; oy++) {
        for (let ox = 0; ox < thickness; ox++) {
          const px = x - half + ox;
          const py = y - half + oy;
          const key = py * this.width + px;
          if (px < 0 || py < 0 || px >= this.width || py >= this.height || painted.has(key)) continue;
          painted.add(key);
          this.blend(px, py, color, opacity);
        }
      }
      if (x === xe && y === ye) break;
      const e2 = 2 * err;
      if (e2 >= dy) {
        err += dy;
        x += sx;
      }
      if (e2 <= dx) {
        err += dx;
        y += sy;
      }
    }
  }

  /** A dashed line of any slope: `dash` pixels drawn, `gap` skipped, measured along the line. */
  dashedLine(x0: number, y0: number, x1: number, y1: number, color: Rgb, options: DashOptions = {}): void {
    const dash = options.dash ?? 8;
    const gap = options.gap ?? 5;
    const len = Math.hypot(x1 - x0, y1 - y0);
    if (len === 0) return;
    const ux = (x1 - x0) / len;
    const uy = (y1 - y0) / len;
    for (let s = 0; s < len; s += dash + gap) {
      const e = Math.min(s + dash, len);
      this.line(x0 + ux * s, y0 + uy * s, x0 + ux * e, y0 + uy * e, color, options);
    }
  }

  /** A polyline through the points, anti-aliased. */
  polyline(points: readonly { x: number; y: number }[], color: Rgb, options: LineOptions = {}): void {
    for (let i = 1; i < points.length; i++) {
      const a = points[i - 1];
      const b = points[i];
      if (a && b) this.line(a.x, a.y, b.x, b.y, color, options);
    }
  }

  /** A filled disc, or a ring of `ringWidth` when given, with anti-aliased edges. */
  circle(cx: number, cy: number, radius: number, color: Rgb, ringWidth?: number): void {
    const reach = radius + (ringWidth ?? 0) / 2 + 1;
    for (let py = Math.floor(cy - reach); py <= Math.ceil(cy + reach); py++) {
      for (let px = Math.floor(cx - reach); px <= Math.ceil(cx + reach); px++) {
        const d = Math.hypot(px + 0.5 - cx, py + 0.5 - cy);
        const coverage =
          ringWidth === undefined
            ? clamp01(radius + 0.5 - d)
            : clamp01(ringWidth / 2 + 0.5 - Math.abs(d - radius));
        if (coverage > 0) this.blend(px, py, color, coverage);
      }
    }
  }

  /** An X marker whose arms reach `size` pixels from the centre. */
  cross(cx: number, cy: number, size: number, color: Rgb, width = 2): void {
    this.line(cx - size, cy - size, cx + size, cy + size, color, { width });
    this.line(cx - size, cy + size, cx + size, cy - size, color, { width });
  }

  /** A filled triangle, anti-aliased by 4×4 supersampling. */
  triangle(ax: number, ay: number, bx: number, by: number, cx: number, cy: number, color: Rgb): void {
    const area = (bx - ax) * (cy - ay) - (by - ay) * (cx - ax);
    if (area === 0) return;
    const inside = (x: number, y: number): boolean => {
      const w0 = (bx - ax) * (y - ay) - (by - ay) * (x - ax);
      const w1 = (cx - bx) * (y - by) - (cy - by) * (x - bx);
      const w2 = (ax - cx) * (y - cy) - (ay - cy) * (x - cx);
      return area > 0 ? w0 >= 0 && w1 >= 0 && w2 >= 0 : w0 <= 0 && w1 <= 0 && w2 <= 0;
    };
    const minX = Math.floor(Math.min(ax, bx, cx));
    const maxX = Math.ceil(Math.max(ax, bx, cx));
    const minY = Math.floor(Math.min(ay, by, cy));
    const maxY = Math.ceil(Math.max(ay, by, cy));
    for (let py = minY; py <= maxY; py++) {
      for (let px = minX; px <= maxX; px++) {
        let hits = 0;
        for (let sy = 0; sy < 4; sy++)
          for (let sx = 0; sx < 4; sx++) if (inside(px + (sx + 0.5) / 4, py + (sy + 0.5) / 4)) hits++;
        if (hits > 0) this.blend(px, py, color, hits / 16);
      }
    }
  }

  /**
   * Draw one line of text; `y` is the top of the capitals (descenders hang below `y + 7·scale`).
   * Returns the drawn width in pixels.
   */
  text(x: number, y: number, text: string, options: TextOptions): number {
    const scale = Math.max(1, Math.round(options.scale ?? 1));
    const chars = [...toFontText(text)];
    const width = textWidth(text, scale);
    const align = options.align ?? 'left';
    if (options.vertical) {
      // Centred on (x, y): the text runs upwards, its capitals' tops facing left.
      const left = Math.round(x - (GLYPH_HEIGHT * scale) / 2);
      const bottom = Math.round(y + width / 2);
      chars.forEach((ch, i) => {
        const glyph = glyphFor(ch);
        for (let row = 0; row < GLYPH_HEIGHT; row++) {
          for (let col = 0; col < GLYPH_WIDTH; col++) {
            if (!glyph[row]?.[col]) continue;
            // (col, row) turns into (row, -col): x grows with the row, y shrinks with the column.
            const px = left + row * scale;
            const py = bottom - (i * GLYPH_ADVANCE + col + 1) * scale;
            this.fillRect(px, py, scale, scale, options.color);
          }
        }
      });
      return width;
    }
    const left = Math.round(align === 'left' ? x : align === 'center' ? x - width / 2 : x - width);
    const top = Math.round(y);
    chars.forEach((ch, i) => {
      const glyph = glyphFor(ch);
      const gx = left + i * GLYPH_ADVANCE * scale;
      for (let row = 0; row < GLYPH_HEIGHT; row++) {
        for (let col = 0; col < GLYPH_WIDTH; col++) {
          if (!glyph[row]?.[col]) continue;
          const px = gx + col * scale;
          const py = top + row * scale;
          this.fillRect(px, py, scale, scale, options.color);
          if (options.bold) this.fillRect(px + 1, py, scale, scale, options.color);
        }
      }
    });
    return width + (options.bold ? 1 : 0);
  }

  /**
   * Encode as an 8-bit RGB PNG (no alpha channel: the chart is opaque, and the file is smaller).
   * One fixed filter (Paeth) instead of pngjs's try-all-five per row: a third of the time for the
   * same size on flat chart graphics.
   */
  toPng(): Buffer {
    const png = new PNG({ width: this.width, height: this.height });
    png.data = Buffer.from(this.data.buffer, this.data.byteOffset, this.data.byteLength);
    return PNG.sync.write(png, {
      colorType: 2,
      inputColorType: 6,
      inputHasAlpha: true,
      filterType: 4,
      deflateLevel: 6,
    });
  }
}
