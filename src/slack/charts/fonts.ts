// The fonts every chart is drawn with, shipped inside npm packages (dependencies, so they are in
// the production image) and loaded by path: resvg draws no text at all when it finds no font, and
// the image (node:*-slim) has no system fonts, so nothing is left to the machine's font set.
//   DejaVu Sans (Bitstream Vera licence + public domain): Latin, Greek, Cyrillic and more.
//   Noto Sans JP (SIL OFL 1.1): Japanese and the common CJK ideographs, the fallback for them.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

export const FONT_MODULES = {
  sans: 'dejavu-fonts-ttf/ttf/DejaVuSans.ttf',
  sansBold: 'dejavu-fonts-ttf/ttf/DejaVuSans-Bold.ttf',
  cjk: '@expo-google-fonts/noto-sans-jp/400Regular/NotoSansJP_400Regular.ttf',
  cjkBold: '@expo-google-fonts/noto-sans-jp/700Bold/NotoSansJP_700Bold.ttf',
} as const;

export class ChartFontError extends Error {
  override readonly name = 'ChartFontError';
  readonly code = 'CHART_FONT_MISSING';
}

export interface ChartFontFiles {
  /** Always loaded. */
  latin: string[];
  /** Loaded only when some text has CJK characters: 5 MB a face, and DejaVu covers everything else. */
  cjk: string[];
}

let resolved: ChartFontFiles | undefined;

function resolveFont(spec: string): string {
  let path: string;
  try {
    path = require.resolve(spec);
  } catch (cause) {
    throw new ChartFontError(`chart font ${spec} is not installed (npm ci installs it)`, { cause });
  }
  if (!existsSync(path)) throw new ChartFontError(`chart font ${path} is missing`);
  return path;
}

/** Paths of the font files, resolved from this module's own location (never the working directory). */
export function chartFontFiles(): ChartFontFiles {
  resolved ??= {
    latin: [resolveFont(FONT_MODULES.sans), resolveFont(FONT_MODULES.sansBold)],
    cjk: [resolveFont(FONT_MODULES.cjk), resolveFont(FONT_MODULES.cjkBold)],
  };
  return resolved;
}

// CJK radicals to Yi, Hangul, compatibility ideographs and forms, half/full-width forms, and the
// supplementary ideograph planes: what DejaVu Sans has no glyphs for and Noto Sans JP mostly has.
const CJK = /[\u2e80-\ua4cf\uac00-\ud7af\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef]|[\u{20000}-\u{3ffff}]/u;

export function needsCjkFont(text: string): boolean {
  return CJK.test(text);
}

export const CJK_FONT_FAMILY = 'Noto Sans JP';

/**
 * Vega's SVG with every `<text>` that has CJK characters asking for Noto Sans JP instead. resvg falls
 * back per text element, not per character, and to whichever face has the glyph whatever its weight;
 * naming the family keeps a bold title bold, and Noto Sans JP has the Latin letters too.
 */
export function withCjkFamily(svg: string, latinFamily: string): string {
  const from = `font-family="${latinFamily}"`;
  return svg.replace(/<text([^>]*)>([\s\S]*?)<\/text>/g, (element: string, attrs: string, body: string) =>
    needsCjkFont(body) && attrs.includes(from)
      ? `<text${attrs.replace(from, `font-family="${CJK_FONT_FAMILY}"`)}>${body}</text>`
      : element,
  );
}
