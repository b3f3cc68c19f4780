// A small parser for the slash-command syntax of DESIGN.md: positional words, `--flag value`,
// `--flag=value`, quoted values ("…", '…' and the curly quotes Slack clients type), and `help`.
// Slack sends &, < and > as HTML entities; they are decoded here and re-escaped when echoed.

export type FlagType = 'string' | 'int' | 'number' | 'size' | 'date' | 'boolean';

export interface FlagSpec {
  type: FlagType;
  min?: number;
  max?: number;
  choices?: readonly string[];
  /** Shown in errors, e.g. "a number of runs". */
  what?: string;
}

export interface CommandSpec {
  name: string;
  usage: string;
  /** Names of the positional arguments, in order; the last may be 'rest' to take every word left. */
  positional: readonly string[];
  /** How many positionals are required. */
  required: number;
  flags: Readonly<Record<string, FlagSpec>>;
}

export type FlagValue = string | number | boolean;

export type Parsed =
  | { kind: 'help' }
  | { kind: 'ok'; positional: string[]; flags: Record<string, FlagValue> }
  | { kind: 'error'; message: string };

export function decodeSlackText(text: string): string {
  return text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

const QUOTES: Record<string, string> = { '"': '"', "'": "'", '“': '”', '‘': '’', '”': '”' };

/** Split into words, honouring quotes. Throws on an unterminated quote. */
export function tokenize(input: string): string[] {
  const out: string[] = [];
  let i = 0;
  const s = input;
  while (i < s.length) {
    while (i < s.length && /\s/.test(s[i]!)) i++;
    if (i >= s.length) break;
    let word = '';
    let quoted = false;
    while (i < s.length && !/\s/.test(s[i]!)) {
      const ch = s[i]!;
      const close = QUOTES[ch];
      if (close) {
        const end = s.indexOf(close, i + 1);
        if (end < 0) throw new Error(`unterminated quote ${ch}`);
        word += s.slice(i + 1, end);
        quoted = true;
        i = end + 1;
      } else {
        word += ch;
        i++;
      }
    }
    out.push(quoted ? word : word);
  }
  return out;
}

const SIZE_UNITS: Record<string, number> = {
  '': 1,
  b: 1,
  kb: 1e3,
  mb: 1e6,
  gb: 1e9,
  tb: 1e12,
  k: 1024,
  kib: 1024,
  mib: 1024 ** 2,
  gib: 1024 ** 3,
  tib: 1024 ** 4,
};

/** "32MiB", "32MB", "33554432", "1.5 GiB" → bytes. */
export function parseSize(text: string): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*$/.exec(text);
  if (!m) return undefined;
  const unit = SIZE_UNITS[m[2]!.toLowerCase()];
  if (unit === undefined) return undefined;
  const bytes = Math.round(Number(m[1]) * unit);
  return Number.isFinite(bytes) ? bytes : undefined;
}

/** YYYY-MM-DD (a real calendar date) → the same string. */
export function parseDate(text: string): string | undefined {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) return undefined;
  const d = new Date(text + 'T00:00:00Z');
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === text ? text : undefined;
}

// Control characters (C0, DEL, C1) are never valid in a name typed into Slack.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

export function hasControlChars(s: string): boolean {
  return CONTROL.test(s);
}

// Bidirectional overrides and isolates (and the invisible marks): echoed, they reorder what the
// reader sees around them ("Trojan source"), so they never go back into a message.
const BIDI = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/** How much of a user's argument an error reply quotes back. */
export const MAX_ECHO = 200;

/** A user's text as an answer quotes it: bidi controls removed, at most 200 characters ("…"). */
export function shown(text: string, max: number = MAX_ECHO): string {
  const clean = text.replace(BIDI, '');
  const chars = Array.from(clean);
  return chars.length <= max ? clean : chars.slice(0, max - 1).join('') + '…';
}

function convert(flag: string, spec: FlagSpec, raw: string): FlagValue | string[] {
  const what = spec.what ?? 'a value';
  const errs: string[] = [];
  let value: FlagValue;
  switch (spec.type) {
    case 'int':
    case 'number': {
      const n = /^-?\d+(\.\d+)?$/.test(raw) ? Number(raw) : NaN;
      if (!Number.isFinite(n) || (spec.type === 'int' && !Number.isInteger(n))) {
        return [
          `--${flag} needs ${spec.type === 'int' ? 'a whole number' : 'a number'} (${what}), got "${shown(raw)}"`,
        ];
      }
      value = n;
      break;
    }
    case 'size': {
      const n = parseSize(raw);
      if (n === undefined)
        return [`--${flag} needs a size like 32MiB, 32MB or 33554432, got "${shown(raw)}"`];
      value = n;
      break;
    }
    case 'date': {
      const d = parseDate(raw);
      if (!d) return [`--${flag} needs a date as YYYY-MM-DD, got "${shown(raw)}"`];
      value = d;
      break;
    }
    case 'boolean':
      value = true;
      break;
    default:
      if (hasControlChars(raw)) return [`--${flag} contains control characters`];
      value = raw;
  }
  if (typeof value === 'number') {
    if (spec.min !== undefined && value < spec.min)
      errs.push(`--${flag} must be at least ${spec.min}, got ${shown(raw)}`);
    if (spec.max !== undefined && value > spec.max)
      errs.push(`--${flag} must be at most ${spec.max}, got ${shown(raw)}`);
  }
  if (spec.choices && typeof value === 'string' && !spec.choices.includes(value)) {
    errs.push(`--${flag} must be one of ${spec.choices.join(', ')}, got "${shown(raw)}"`);
  }
  return errs.length ? errs : value;
}

export function parseCommand(spec: CommandSpec, rawText: string): Parsed {
  const text = decodeSlackText(rawText ?? '').trim();
  if (/^(help|-h|--help|\?)$/i.test(text)) return { kind: 'help' };
  let words: string[];
  try {
    words = tokenize(text);
  } catch (err) {
    return { kind: 'error', message: (err as Error).message };
  }
  const positional: string[] = [];
  const flags: Record<string, FlagValue> = {};
  const errors: string[] = [];
  const takesRest = spec.positional[spec.positional.length - 1] === 'rest';
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    if (w.startsWith('--') && w.length > 2) {
      const eq = w.indexOf('=');
      const name = (eq > 0 ? w.slice(2, eq) : w.slice(2)).toLowerCase();
      const fs = spec.flags[name];
      if (!fs) {
        errors.push(`unknown option --${shown(name, 60)}`);
        if (eq < 0 && words[i + 1] !== undefined && !words[i + 1]!.startsWith('--')) i++;
        continue;
      }
      if (name in flags) {
        errors.push(`--${shown(name, 60)} is given twice`);
      }
      let raw: string | undefined;
      if (fs.type === 'boolean') raw = eq > 0 ? w.slice(eq + 1) : 'true';
      else if (eq > 0) raw = w.slice(eq + 1);
      else {
        raw = words[i + 1];
        if (raw === undefined || (raw.startsWith('--') && raw.length > 2)) {
          errors.push(`--${shown(name, 60)} needs a value`);
          continue;
        }
        i++;
      }
      const v = convert(name, fs, raw);
      if (Array.isArray(v)) errors.push(...v);
      else flags[name] = v;
    } else {
      positional.push(w);
    }
  }
  if (takesRest && positional.length >= spec.positional.length) {
    const fixed = spec.positional.length - 1;
    const rest = positional.splice(fixed).join(' ');
    positional.push(rest);
  }
  if (positional.length < spec.required) {
    const missing = spec.positional.slice(positional.length, spec.required);
    errors.unshift(`missing ${missing.map((m) => `<${m}>`).join(' ')}`);
  } else if (positional.length > spec.positional.length) {
    errors.push(`unexpected argument "${shown(positional[spec.positional.length] ?? '')}"`);
  }
  for (const p of positional) {
    if (hasControlChars(p)) errors.push('arguments must not contain control characters');
  }
  if (errors.length) return { kind: 'error', message: [...new Set(errors)].join('; ') };
  return { kind: 'ok', positional, flags };
}
