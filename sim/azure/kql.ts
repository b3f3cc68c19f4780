// A small, honest subset of KQL — what the Synapse adapter sends — over in-memory tables:
//   Table [| where COND (and COND)*] [| project COL, …] [| order by COL [asc|desc]] [| take N]
// COND is `COL OP VALUE` with ==, !=, =~, <, <=, >, >=, has, contains, startswith, !has,
// !contains, `COL in (V, …)`, `COL !in (V, …)` or `COL between (V .. V)`; COL may be a dynamic
// member (`Properties.applicationId`); VALUE is a string, number, true/false, datetime(…), ago(…)
// or now(). Anything else is refused with the same 400 shape Log Analytics uses, never guessed.

export type KqlType = 'string' | 'datetime' | 'dynamic' | 'long' | 'int' | 'real' | 'bool' | 'guid';

export interface KqlColumn {
  name: string;
  type: KqlType;
}

export interface KqlTable {
  columns: KqlColumn[];
  /** Row objects; datetime values are epoch ms, dynamic values objects. */
  rows: Record<string, unknown>[];
}

export class KqlError extends Error {
  override readonly name = 'KqlError';
  constructor(
    readonly kind: 'SyntaxError' | 'SemanticError',
    message: string,
  ) {
    super(message);
  }
}

type Token = { t: 'str' | 'num' | 'id' | 'op' | 'timespan'; v: string; pos: number };

const OPS = ['==', '!=', '=~', '>=', '<=', '..', '|', '(', ')', ',', '>', '<', '.', '!', '-'];

function tokenize(q: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < q.length) {
    const c = q[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (c === '"' || c === "'") {
      let j = i + 1;
      let s = '';
      while (j < q.length && q[j] !== c) {
        if (q[j] === '\\' && j + 1 < q.length) {
          s += q[j + 1];
          j += 2;
        } else s += q[j++];
      }
      if (j >= q.length)
        throw new KqlError(
          'SyntaxError',
          `Query could not be parsed at '${q.slice(i, i + 10)}' on line [1,${i}]`,
        );
      out.push({ t: 'str', v: s, pos: i });
      i = j + 1;
      continue;
    }
    if (q.startsWith('datetime(', i)) {
      const close = q.indexOf(')', i);
      if (close < 0)
        throw new KqlError('SyntaxError', `Query could not be parsed at 'datetime(' on line [1,${i}]`);
      out.push({ t: 'id', v: 'datetime', pos: i }, { t: 'op', v: '(', pos: i + 8 });
      out.push({ t: 'str', v: q.slice(i + 9, close).trim(), pos: i + 9 }, { t: 'op', v: ')', pos: close });
      i = close + 1;
      continue;
    }
    const ts = /^(\d+(?:\.\d+)?)(d|h|m|s|ms)\b/.exec(q.slice(i));
    if (ts) {
      out.push({ t: 'timespan', v: ts[0], pos: i });
      i += ts[0].length;
      continue;
    }
    const num = /^\d+(?:\.\d+)?/.exec(q.slice(i));
    if (num) {
      out.push({ t: 'num', v: num[0], pos: i });
      i += num[0].length;
      continue;
    }
    const id = /^[A-Za-z_][A-Za-z0-9_]*/.exec(q.slice(i));
    if (id) {
      out.push({ t: 'id', v: id[0], pos: i });
      i += id[0].length;
      continue;
    }
    const op = OPS.find((o) => q.startsWith(o, i));
    if (!op) throw new KqlError('SyntaxError', `Query could not be parsed at '${c}' on line [1,${i}]`);
    out.push({ t: 'op', v: op, pos: i });
    i += op.length;
  }
  return out;
}

type Value = string | number | boolean | null;
interface Cond {
  path: string[];
  op: string;
  values: Value[];
}
interface Query {
  table: string;
  where: Cond[];
  project?: string[];
  order?: { col: string; desc: boolean };
  take?: number;
}

const TIMESPAN_MS: Record<string, number> = { d: 86_400_000, h: 3_600_000, m: 60_000, s: 1000, ms: 1 };

class Parser {
  private i = 0;
  constructor(
    private readonly toks: Token[],
    private readonly now: number,
  ) {}

  private peek(): Token | undefined {
    return this.toks[this.i];
  }
  private next(): Token {
    const t = this.toks[this.i++];
    if (!t) throw new KqlError('SyntaxError', 'Query could not be parsed: unexpected end of query');
    return t;
  }
  private fail(t: Token | undefined): never {
    throw new KqlError(
      'SyntaxError',
      t
        ? `Query could not be parsed at '${t.v}' on line [1,${t.pos}]`
        : 'Query could not be parsed: unexpected end of query',
    );
  }
  private expect(v: string): void {
    const t = this.next();
    if (t.v !== v) this.fail(t);
  }
  private isWord(t: Token | undefined, w: string): boolean {
    return t?.t === 'id' && t.v === w;
  }

  parse(): Query {
    const first = this.next();
    if (first.t !== 'id') this.fail(first);
    const q: Query = { table: first.v, where: [] };
    while (this.peek()) {
      this.expect('|');
      const op = this.next();
      if (op.t !== 'id') this.fail(op);
      if (op.v === 'where') {
        q.where.push(this.cond());
        while (this.isWord(this.peek(), 'and')) {
          this.i++;
          q.where.push(this.cond());
        }
      } else if (op.v === 'project') {
        q.project = [this.ident()];
        while (this.peek()?.v === ',') {
          this.i++;
          q.project.push(this.ident());
        }
      } else if (op.v === 'take' || op.v === 'limit') {
        const n = this.next();
        if (n.t !== 'num') this.fail(n);
        q.take = Math.floor(Number(n.v));
      } else if ((op.v === 'order' || op.v === 'sort') && this.isWord(this.peek(), 'by')) {
        this.i++;
        const col = this.ident();
        let desc = true; // KQL's default
        if (this.isWord(this.peek(), 'asc') || this.isWord(this.peek(), 'desc'))
          desc = this.next().v === 'desc';
        q.order = { col, desc };
      } else {
        throw new KqlError(
          'SyntaxError',
          `The simulator does not support the '${op.v}' operator (line [1,${op.pos}])`,
        );
      }
    }
    return q;
  }

  private ident(): string {
    const t = this.next();
    if (t.t !== 'id') this.fail(t);
    return t.v;
  }

  private cond(): Cond {
    const path = [this.ident()];
    while (this.peek()?.v === '.') {
      this.i++;
      path.push(this.ident());
    }
    let t = this.next();
    let op = t.v;
    if (t.v === '!') {
      t = this.next();
      if (t.t !== 'id' || !['has', 'contains', 'in', 'startswith'].includes(t.v)) this.fail(t);
      op = `!${t.v}`;
    } else if (t.t === 'id') {
      if (!['has', 'contains', 'startswith', 'in', 'between'].includes(t.v)) this.fail(t);
    } else if (!['==', '!=', '=~', '>', '>=', '<', '<='].includes(t.v)) this.fail(t);
    if (op === 'in' || op === '!in') {
      this.expect('(');
      const values = [this.value()];
      while (this.peek()?.v === ',') {
        this.i++;
        values.push(this.value());
      }
      this.expect(')');
      return { path, op, values };
    }
    if (op === 'between') {
      this.expect('(');
      const lo = this.value();
      this.expect('..');
      const hi = this.value();
      this.expect(')');
      return { path, op, values: [lo, hi] };
    }
    return { path, op, values: [this.value()] };
  }

  private value(): Value {
    const t = this.next();
    if (t.t === 'str') return t.v;
    if (t.t === 'num') return Number(t.v);
    if (t.v === '-') {
      const n = this.next();
      if (n.t !== 'num') this.fail(n);
      return -Number(n.v);
    }
    if (t.t === 'id') {
      if (t.v === 'true' || t.v === 'false') return t.v === 'true';
      if (t.v === 'now') {
        this.expect('(');
        this.expect(')');
        return this.now;
      }
      if (t.v === 'ago') {
        this.expect('(');
        const span = this.next();
        if (span.t !== 'timespan') this.fail(span);
        this.expect(')');
        const m = /^(\d+(?:\.\d+)?)(d|h|m|s|ms)$/.exec(span.v)!;
        return this.now - Number(m[1]) * TIMESPAN_MS[m[2]!]!;
      }
      if (t.v === 'datetime') {
        this.expect('(');
        const raw = this.next();
        this.expect(')');
        const ms = Date.parse(raw.v);
        if (Number.isNaN(ms)) this.fail(t);
        return ms;
      }
    }
    return this.fail(t);
  }
}

function lookup(row: Record<string, unknown>, path: string[]): unknown {
  let v: unknown = row[path[0]!];
  for (const p of path.slice(1)) {
    if (typeof v === 'string') {
      try {
        v = JSON.parse(v);
      } catch {
        return undefined;
      }
    }
    v = v && typeof v === 'object' ? (v as Record<string, unknown>)[p] : undefined;
  }
  return v;
}

function compare(a: unknown, b: Value): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  const x = String(a ?? '');
  const y = String(b ?? '');
  return x < y ? -1 : x > y ? 1 : 0;
}

function test(c: Cond, row: Record<string, unknown>): boolean {
  const v = lookup(row, c.path);
  const s = String(v ?? '');
  const first = c.values[0] ?? null;
  const fs = String(first ?? '');
  const hasTerm = (text: string, term: string) =>
    new RegExp(`(^|[^A-Za-z0-9])${term.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}($|[^A-Za-z0-9])`, 'i').test(
      text,
    );
  switch (c.op) {
    case '==':
      return v !== undefined && v !== null && compare(v, first) === 0;
    case '!=':
      return compare(v, first) !== 0;
    case '=~':
      return s.toLowerCase() === fs.toLowerCase();
    case '>':
      return v !== null && v !== undefined && compare(v, first) > 0;
    case '>=':
      return v !== null && v !== undefined && compare(v, first) >= 0;
    case '<':
      return v !== null && v !== undefined && compare(v, first) < 0;
    case '<=':
      return v !== null && v !== undefined && compare(v, first) <= 0;
    case 'has':
      return hasTerm(s, fs);
    case '!has':
      return !hasTerm(s, fs);
    case 'contains':
      return s.toLowerCase().includes(fs.toLowerCase());
    case '!contains':
      return !s.toLowerCase().includes(fs.toLowerCase());
    case 'startswith':
      return s.toLowerCase().startsWith(fs.toLowerCase());
    case '!startswith':
      return !s.toLowerCase().startsWith(fs.toLowerCase());
    case 'in':
      return c.values.some((x) => compare(v, x) === 0);
    case '!in':
      return !c.values.some((x) => compare(v, x) === 0);
    case 'between':
      return v !== null && v !== undefined && compare(v, c.values[0]!) >= 0 && compare(v, c.values[1]!) <= 0;
    default:
      return false;
  }
}

/** Largest result the API returns without truncation. */
export const MAX_ROWS = 30_000;

export interface KqlResult {
  columns: KqlColumn[];
  rows: unknown[][];
}

/**
 * Runs `query` against `tables`; `window` (epoch ms) is the request's timespan, applied to
 * TimeGenerated as Log Analytics does.
 */
export function runKql(
  query: string,
  tables: Record<string, () => KqlTable>,
  now: number,
  window?: { start: number; end: number },
): KqlResult {
  const q = new Parser(tokenize(query), now).parse();
  const make = tables[q.table];
  if (!make)
    throw new KqlError(
      'SemanticError',
      `'${q.table}': Failed to resolve table or column expression named '${q.table}'`,
    );
  const table = make();
  const known = new Set(table.columns.map((c) => c.name));
  for (const c of q.where)
    if (!known.has(c.path[0]!))
      throw new KqlError(
        'SemanticError',
        `'where' operator: Failed to resolve column or scalar expression named '${c.path[0]}'`,
      );
  for (const p of q.project ?? [])
    if (!known.has(p))
      throw new KqlError(
        'SemanticError',
        `'project' operator: Failed to resolve scalar expression named '${p}'`,
      );
  if (q.order && !known.has(q.order.col))
    throw new KqlError(
      'SemanticError',
      `'order' operator: Failed to resolve scalar expression named '${q.order.col}'`,
    );
  let rows = table.rows;
  if (window && known.has('TimeGenerated'))
    rows = rows.filter((r) => {
      const t = r.TimeGenerated as number;
      return t >= window.start && t <= window.end;
    });
  rows = rows.filter((r) => q.where.every((c) => test(c, r)));
  if (q.order) {
    const { col, desc } = q.order;
    rows = [...rows].sort((a, b) => (desc ? -1 : 1) * compare(a[col], (b[col] ?? null) as Value));
  }
  rows = rows.slice(0, Math.min(q.take ?? MAX_ROWS, MAX_ROWS));
  const columns = q.project ? q.project.map((p) => table.columns.find((c) => c.name === p)!) : table.columns;
  return {
    columns,
    rows: rows.map((r) =>
      columns.map((c) => {
        const v = r[c.name];
        if (v === undefined || v === null) return null;
        if (c.type === 'datetime') return new Date(v as number).toISOString();
        if (c.type === 'dynamic') return typeof v === 'string' ? v : JSON.stringify(v);
        return v;
      }),
    ),
  };
}
