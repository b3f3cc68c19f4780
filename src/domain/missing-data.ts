// The missing-data runbook's analysis (pure: listing facts, runs and a clock in; a report out).
// Expected partitions come from the job's partitioning (`dt=YYYY-MM-DD` daily, `dt=YYYY-MM-DD/hour=HH`
// hourly; inferred from the listing when not configured). For the window: partitions absent,
// empty (no data objects, or zero rows by their Parquet footers), or much smaller than their
// neighbours; the freshness of the newest one; and the runs behind each problem date.

export const MAX_MISSING_WINDOW_DAYS = 366;
/** A partition under this share of its neighbours' median bytes is "much smaller". */
export const SMALL_SHARE = 0.2;
/** Neighbours needed for the size comparison. */
const MIN_NEIGHBOURS = 3;
const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

export class MissingDataError extends Error {
  override readonly name = 'MissingDataError';
}

/** A /missing target that is a storage location rather than a job name. */
export function isLocation(target: string): boolean {
  return /^<?(s3|https?|abfss|az):\/\//i.test(target);
}

export interface Partitioning {
  dateKey: string;
  hourKey?: string;
  granularity: 'daily' | 'hourly';
}

const SPEC = /^([A-Za-z_][A-Za-z0-9_]*)=YYYY-MM-DD(?:\/([A-Za-z_][A-Za-z0-9_]*)=HH)?$/;

export function parsePartitioning(spec: string): Partitioning {
  const m = SPEC.exec(spec);
  if (!m) throw new MissingDataError(`partitioning "${spec}" is not key=YYYY-MM-DD or key=YYYY-MM-DD/key=HH`);
  return m[2]
    ? { dateKey: m[1]!, hourKey: m[2], granularity: 'hourly' }
    : { dateKey: m[1]!, granularity: 'daily' };
}

export function describePartitioning(p: Partitioning): string {
  return p.hourKey ? `${p.dateKey}=YYYY-MM-DD/${p.hourKey}=HH` : `${p.dateKey}=YYYY-MM-DD`;
}

const KEY_PART =
  /(?:^|\/)([A-Za-z_][A-Za-z0-9_]*)=(\d{4}-\d{2}-\d{2})\/(?:([A-Za-z_][A-Za-z0-9_]*)=(\d{2})\/)?/;

/** The layout of keys relative to the location (`dt=2026-11-20/hour=05/part-0.parquet`); undefined when none. */
export function inferPartitioning(relativeKeys: readonly string[]): Partitioning | undefined {
  for (const k of relativeKeys) {
    const m = KEY_PART.exec(k);
    if (!m || m.index !== 0) continue;
    return m[3]
      ? { dateKey: m[1]!, hourKey: m[3], granularity: 'hourly' }
      : { dateKey: m[1]!, granularity: 'daily' };
  }
  return undefined;
}

/** The partition a relative key is in (`dt=2026-11-20/` or `dt=2026-11-20/hour=05/`), when it follows the layout. */
export function partitionOfKey(p: Partitioning, relativeKey: string): string | undefined {
  const m = KEY_PART.exec(relativeKey);
  if (!m || m.index !== 0 || m[1] !== p.dateKey) return undefined;
  if (!p.hourKey) return `${m[1]}=${m[2]}/`;
  if (m[3] !== p.hourKey || !m[4] || Number(m[4]) > 23) return undefined;
  return `${m[1]}=${m[2]}/${m[3]}=${m[4]}/`;
}

export function isoDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

function dayMs(date: string): number {
  const t = Date.parse(`${date}T00:00:00Z`);
  if (!Number.isFinite(t) || isoDay(t) !== date)
    throw new MissingDataError(`"${date}" is not a date (YYYY-MM-DD)`);
  return t;
}

/** The window's dates, checked: from ≤ to, at most 366 days. */
export function windowDays(from: string, to: string): string[] {
  const a = dayMs(from);
  const b = dayMs(to);
  if (a > b) throw new MissingDataError(`--from ${from} is after --to ${to}`);
  const days = Math.round((b - a) / DAY_MS) + 1;
  if (days > MAX_MISSING_WINDOW_DAYS)
    throw new MissingDataError(`the window is ${days} days; at most ${MAX_MISSING_WINDOW_DAYS} at once`);
  return Array.from({ length: days }, (_, i) => isoDay(a + i * DAY_MS));
}

/** The default window: the 7 days up to yesterday (UTC). */
export function defaultWindow(now: number): { from: string; to: string } {
  const today = dayMs(isoDay(now));
  return { from: isoDay(today - 7 * DAY_MS), to: isoDay(today - DAY_MS) };
}

export interface ExpectedPartition {
  /** Relative prefix: `dt=2026-11-20/` or `dt=2026-11-20/hour=05/`. */
  name: string;
  date: string;
  hour?: number;
  /** When the period it holds ends (epoch ms): it is due from then. */
  endsAt: number;
}

/** The window's expected partitions, oldest first; periods not over by `now` are not expected yet. */
export function expectedPartitions(
  p: Partitioning,
  from: string,
  to: string,
  now: number,
): ExpectedPartition[] {
  const out: ExpectedPartition[] = [];
  for (const date of windowDays(from, to)) {
    const start = dayMs(date);
    if (!p.hourKey) {
      if (start + DAY_MS <= now) out.push({ name: `${p.dateKey}=${date}/`, date, endsAt: start + DAY_MS });
      continue;
    }
    for (let h = 0; h < 24; h++) {
      const endsAt = start + (h + 1) * HOUR_MS;
      if (endsAt > now) break;
      out.push({
        name: `${p.dateKey}=${date}/${p.hourKey}=${String(h).padStart(2, '0')}/`,
        date,
        hour: h,
        endsAt,
      });
    }
  }
  return out;
}

export interface PartitionFacts {
  /** Data objects (markers such as `_SUCCESS` not counted). */
  objects: number;
  bytes: number;
  /** Rows by the Parquet footers, when they were read. */
  rows?: number;
}

export interface RunFacts {
  id: string;
  state: 'queued' | 'running' | 'succeeded' | 'failed' | 'timed-out' | 'cancelled';
  startedOn: Date;
  errorMessage?: string;
  parameters?: Record<string, string>;
}

export type DateVerdict = 'failed' | 'stopped' | 'running' | 'succeeded' | 'never started';

export interface ProblemDate {
  date: string;
  /** Its problem partitions: absent, empty or small. */
  partitions: { name: string; problem: 'absent' | 'empty' | 'small'; detail?: string }[];
  runs: RunFacts[];
  /** What the runs say: a failed run, none at all… (worst first). */
  verdict: DateVerdict;
  /** How the runs were matched to the date: by a parameter naming it, or by when they started. */
  matchedBy: 'parameter' | 'start time';
}

export interface FreshnessFacts {
  newest?: string;
  /** Hours since the newest partition's period ended. */
  ageHours?: number;
  limitHours: number;
  late: boolean;
  /** The first partition after the newest that is overdue (what the monitor alerts on once). */
  latePartition?: string;
}

export interface MissingReport {
  from: string;
  to: string;
  partitioning: Partitioning;
  inferred: boolean;
  expected: number;
  present: number;
  absent: string[];
  empty: { name: string; why: string }[];
  small: { name: string; bytes: number; medianBytes: number }[];
  problems: ProblemDate[];
  /** The smallest window covering every problem date (what "Backfill these dates" fills). */
  missingWindow?: { from: string; to: string };
  freshness?: FreshnessFacts;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  if (!s.length) return 0;
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

function runsFor(
  date: string,
  runs: readonly RunFacts[],
): { runs: RunFacts[]; matchedBy: 'parameter' | 'start time' } {
  const byParam = runs.filter((r) => Object.values(r.parameters ?? {}).some((v) => v.startsWith(date)));
  if (byParam.length) return { runs: byParam, matchedBy: 'parameter' };
  // No run names the date: the runs that started in the period after it closed (a daily job
  // processes yesterday), i.e. the runs that should have written it.
  const start = dayMs(date) + DAY_MS;
  const end = start + DAY_MS;
  const anyDated = runs.some((r) =>
    Object.values(r.parameters ?? {}).some((v) => /^\d{4}-\d{2}-\d{2}/.test(v)),
  );
  if (anyDated) return { runs: [], matchedBy: 'parameter' };
  return {
    runs: runs.filter((r) => r.startedOn.getTime() >= start && r.startedOn.getTime() < end),
    matchedBy: 'start time',
  };
}

function verdictOf(runs: readonly RunFacts[]): DateVerdict {
  if (runs.some((r) => r.state === 'failed' || r.state === 'timed-out')) return 'failed';
  if (runs.some((r) => r.state === 'running' || r.state === 'queued')) return 'running';
  if (runs.some((r) => r.state === 'succeeded')) return 'succeeded';
  if (runs.some((r) => r.state === 'cancelled')) return 'stopped';
  return 'never started';
}

export function analyseMissing(input: {
  partitioning: Partitioning;
  inferred: boolean;
  from: string;
  to: string;
  now: number;
  /** Facts of the partitions that exist (by relative name). */
  partitions: ReadonlyMap<string, PartitionFacts>;
  runs?: readonly RunFacts[];
  freshnessHours?: number;
  /** The newest partition found under the location at all (for freshness), when known. */
  newestPartition?: string;
}): MissingReport {
  const { partitioning: p, now } = input;
  const expected = expectedPartitions(p, input.from, input.to, now);
  const absent: string[] = [];
  const empty: { name: string; why: string }[] = [];
  const present: { name: string; bytes: number }[] = [];
  for (const e of expected) {
    const f = input.partitions.get(e.name);
    if (!f) absent.push(e.name);
    else if (f.objects === 0) empty.push({ name: e.name, why: 'no data objects' });
    else if (f.rows === 0) empty.push({ name: e.name, why: `0 rows in ${f.objects} Parquet file(s)` });
    else present.push({ name: e.name, bytes: f.bytes });
  }
  const small: { name: string; bytes: number; medianBytes: number }[] = [];
  if (present.length > MIN_NEIGHBOURS) {
    present.forEach((x, i) => {
      // Neighbours: up to 3 present partitions either side.
      const around = [...present.slice(Math.max(0, i - 3), i), ...present.slice(i + 1, i + 4)].map(
        (y) => y.bytes,
      );
      if (around.length < MIN_NEIGHBOURS) return;
      const med = median(around);
      if (med > 0 && x.bytes < SMALL_SHARE * med)
        small.push({ name: x.name, bytes: x.bytes, medianBytes: med });
    });
  }
  const problemByDate = new Map<string, ProblemDate['partitions']>();
  const add = (name: string, problem: 'absent' | 'empty' | 'small', detail?: string) => {
    const date = expected.find((e) => e.name === name)!.date;
    const list = problemByDate.get(date) ?? [];
    list.push({ name, problem, ...(detail ? { detail } : {}) });
    problemByDate.set(date, list);
  };
  for (const a of absent) add(a, 'absent');
  for (const e of empty) add(e.name, 'empty', e.why);
  for (const s of small) add(s.name, 'small');
  const problems: ProblemDate[] = [...problemByDate.entries()]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([date, partitions]) => {
      const m = runsFor(date, input.runs ?? []);
      return { date, partitions, runs: m.runs, verdict: verdictOf(m.runs), matchedBy: m.matchedBy };
    });
  const report: MissingReport = {
    from: input.from,
    to: input.to,
    partitioning: p,
    inferred: input.inferred,
    expected: expected.length,
    present: present.length + small.length,
    absent,
    empty,
    small,
    problems,
  };
  if (problems.length) report.missingWindow = { from: problems[0]!.date, to: problems.at(-1)!.date };
  if (input.freshnessHours !== undefined)
    report.freshness = freshness(p, input.newestPartition, now, input.freshnessHours);
  return report;
}

/** When a partition's period ends (epoch ms). */
export function partitionEndsAt(p: Partitioning, name: string): number | undefined {
  const m = KEY_PART.exec(name);
  if (!m || m.index !== 0) return undefined;
  const start = Date.parse(`${m[2]}T00:00:00Z`);
  if (!p.hourKey) return start + DAY_MS;
  return m[4] !== undefined ? start + (Number(m[4]) + 1) * HOUR_MS : undefined;
}

function nameAt(p: Partitioning, start: number): string {
  const date = isoDay(start);
  return p.hourKey
    ? `${p.dateKey}=${date}/${p.hourKey}=${String(new Date(start).getUTCHours()).padStart(2, '0')}/`
    : `${p.dateKey}=${date}/`;
}

/**
 * Freshness: the age of the newest partition (since its period ended) against the limit. Over it,
 * the partition after the newest is late: that is the one the monitor alerts on, once.
 */
export function freshness(
  p: Partitioning,
  newest: string | undefined,
  now: number,
  limitHours: number,
): FreshnessFacts {
  const endsAt = newest ? partitionEndsAt(p, newest) : undefined;
  if (!newest || endsAt === undefined) return { limitHours, late: true };
  const ageHours = (now - endsAt) / HOUR_MS;
  const late = ageHours > limitHours;
  return {
    newest,
    ageHours,
    limitHours,
    late,
    ...(late ? { latePartition: nameAt(p, endsAt) } : {}),
  };
}

/** The newest partition name among relative keys' partitions (ISO dates sort as text). */
export function newestOf(names: Iterable<string>): string | undefined {
  let best: string | undefined;
  for (const n of names) if (best === undefined || n > best) best = n;
  return best;
}
