// CloudWatch Logs filter patterns for unstructured events, the forms the bot uses: plain terms are
// ANDed, `?term` terms are ORed, "quoted phrases" match literally, `-term` excludes. Matching is
// case-sensitive. JSON (`{ $.x = … }`) and space-delimited (`[a, b]`) patterns are not simulated.
import { SimError } from './sim-error.js';

export interface FilterPattern {
  all: string[];
  any: string[];
  none: string[];
}

export function parseFilterPattern(pattern: string | undefined): FilterPattern {
  const fp: FilterPattern = { all: [], any: [], none: [] };
  const text = (pattern ?? '').trim();
  if (text === '') return fp;
  if (text.startsWith('{') || text.startsWith('[')) {
    throw new SimError(
      'InvalidParameterException',
      'The simulator supports term, ?term, -term and "phrase" filter patterns only',
    );
  }
  let i = 0;
  while (i < text.length) {
    while (text[i] === ' ' || text[i] === '\t') i++;
    if (i >= text.length) break;
    let mode: keyof FilterPattern = 'all';
    if (text[i] === '?') {
      mode = 'any';
      i++;
    } else if (text[i] === '-' && i + 1 < text.length && text[i + 1] !== ' ') {
      mode = 'none';
      i++;
    }
    let term: string;
    if (text[i] === '"') {
      const end = text.indexOf('"', i + 1);
      if (end < 0)
        throw new SimError('InvalidParameterException', 'Invalid filter pattern: unterminated quote');
      term = text.slice(i + 1, end);
      i = end + 1;
    } else {
      const start = i;
      while (i < text.length && text[i] !== ' ' && text[i] !== '\t') i++;
      term = text.slice(start, i);
    }
    if (term !== '') fp[mode].push(term);
  }
  return fp;
}

export function matchesFilter(fp: FilterPattern, message: string): boolean {
  for (const t of fp.none) if (message.includes(t)) return false;
  for (const t of fp.all) if (!message.includes(t)) return false;
  if (fp.any.length > 0 && !fp.any.some((t) => message.includes(t))) return false;
  return true;
}
