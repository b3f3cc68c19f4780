// Runbook step 2, "Exportar logs y revisar errores claves": a table of log patterns → categories the
// diagnosis understands, counted per run, with a few redacted excerpts each. Streaming and bounded:
// a classifier keeps counters, at most MAX_EXCERPTS short excerpts per signature and a bounded task-time
// sample, never the lines themselves, so 100k-line logs cost the same memory as 1k.
//
// The same table holds performance signals (kind 'performance'): INFO lines a healthy run also
// writes, which say where the time went — sorters spilling to disk, Python UDF worker times, JVM
// full-GC pauses. Their rows carry a `measure` (bytes spilled, ms in Python, ms paused) summed per
// run, so a job that got slow without one error line still has evidence.
//
// Why ~560 lines: it is one table (the signatures, one row each, with their categories, filter
// patterns and measures) plus the classifier that reads it; splitting the table would hide rows.
import { redactSecrets } from './redact.js';
import { TaskTimeCollector, type StageTaskTimes, type TaskTimeCollectorOptions } from './skew.js';

export type SignatureCategory =
  | 'memory'
  | 'schema'
  | 's3-throttling'
  | 'python-udf'
  | 'bookmark'
  | 'exception'
  // Performance signals (kind 'performance'):
  | 'spill'
  | 'python-udf-time'
  | 'gc';

export type SignatureKind = 'error' | 'performance';

export interface SignatureMeasure {
  unit: 'bytes' | 'ms';
  /** The figure one matching line carries, from the pattern's groups; undefined when unreadable. */
  of: (match: RegExpExecArray) => number | undefined;
}

export interface SignaturePattern {
  /** Stable id, e.g. 'container-killed'; generic exceptions get 'exception:<Class>'. */
  id: string;
  category: SignatureCategory;
  label: string;
  /** Higher is worse; the report lists signatures by severity, then count. */
  severity: number;
  pattern: RegExp;
  /** 'error' (default) or 'performance': an INFO line that measures where time or memory went. */
  kind?: SignatureKind;
  measure?: SignatureMeasure;
}

const SIZE_UNITS: Record<string, number> = { B: 0, K: 1, M: 2, G: 3, T: 4, P: 5, E: 6 };

/** Spark's Utils.bytesToString output ("3.1 GB", "64.3 MiB", "512.0 B"): binary units either way. */
export function sparkSizeToBytes(value: string, unit: string): number | undefined {
  const n = Number(value);
  const pow = SIZE_UNITS[unit.charAt(0).toUpperCase()];
  if (!Number.isFinite(n) || pow === undefined) return undefined;
  return Math.round(n * 1024 ** pow);
}

/**
 * Checked in order; the first match wins, so specific patterns come before general ones (a
 * "ExecutorLostFailure … Container killed by YARN" line is a memory kill, not just a lost executor).
 */
export const SIGNATURE_PATTERNS: readonly SignaturePattern[] = [
  {
    id: 'container-killed',
    category: 'memory',
    label: 'Container killed for exceeding memory limits',
    severity: 50,
    pattern:
      /Container killed by YARN for exceeding (?:physical |virtual )?memory limits|Container killed on request\. Exit code is 137|exit(?:ed with)? (?:code|status)[:= ]*137\b|killed by the OOM killer/i,
  },
  {
    id: 'gc-overhead',
    category: 'memory',
    label: 'GC overhead limit exceeded',
    severity: 50,
    pattern: /GC overhead limit exceeded/i,
  },
  {
    id: 'heap-space',
    category: 'memory',
    label: 'OutOfMemoryError: Java heap space',
    severity: 50,
    pattern: /Java heap space/i,
  },
  {
    id: 'out-of-memory',
    category: 'memory',
    label: 'Out of memory',
    severity: 50,
    pattern:
      /OutOfMemoryError|\bMemoryError\b|\bout of memory\b|Cannot allocate memory|Unable to acquire \d+ bytes of memory|Not enough memory to build and broadcast/i,
  },
  {
    // YARN's SIGTERM (128 + 15): Synapse's Livy/YARN kills a container it preempts or that outgrew
    // its memory overhead. Softer evidence than a 137 kill: it does not say memory by itself.
    id: 'container-exit-143',
    category: 'memory',
    label: 'YARN container killed (exit code 143)',
    severity: 46,
    pattern:
      /Exit (?:code is|status:?) 143\b|exit(?:ed with)?(?: a non-zero exit)? (?:code|status)[:= ]*143\b/i,
  },
  {
    id: 'executor-lost',
    category: 'memory',
    label: 'Executor lost',
    severity: 45,
    pattern: /ExecutorLostFailure|Lost executor \d+|\bexecutor lost\b|Executor heartbeat timed out/i,
  },
  {
    id: 'cannot-resolve',
    category: 'schema',
    label: 'Cannot resolve column',
    severity: 48,
    pattern: /cannot resolve|UNRESOLVED_COLUMN|Column '[^']*' does not exist|cannot be resolved/i,
  },
  {
    id: 'schema-mismatch',
    category: 'schema',
    label: 'Schema mismatch',
    severity: 48,
    pattern:
      /schema mismatch|SchemaMismatch|does not match the (?:table |target )?schema|DELTA_SCHEMA_CHANGE|Found duplicate column/i,
  },
  {
    id: 'incompatible-types',
    category: 'schema',
    label: 'Parquet decoding / incompatible types',
    severity: 48,
    pattern:
      /ParquetDecodingException|SchemaColumnConvertNotSupportedException|Parquet column cannot be converted|incompatible (?:data )?types?|cannot be cast to|CANNOT_UP_CAST/i,
  },
  {
    id: 'analysis-exception',
    category: 'schema',
    label: 'AnalysisException',
    severity: 46,
    pattern: /AnalysisException/,
  },
  {
    // Azure Storage's throttling, as the ABFS driver and the Blob SDKs log it (before S3's pattern,
    // whose "Status Code: 503" would take an ADLS 503 too).
    id: 'adls-throttling',
    category: 's3-throttling',
    label: 'ADLS / Blob throttling (ServerBusy, egress or ingress limit)',
    severity: 40,
    pattern:
      /\bServerBusy\b|(?:Egress|Ingress) is over the account limit|The server is busy|Operation could not be completed within the specified time/i,
  },
  {
    id: 's3-slowdown',
    category: 's3-throttling',
    label: 'S3 SlowDown (503 throttling)',
    severity: 40,
    pattern: /\bSlowDown\b|Please reduce your request rate|503 Slow Down|Status Code: 503/i,
  },
  {
    // Synapse's Livy: the Spark session or batch behind a notebook or Spark-job activity died.
    id: 'livy-dead',
    category: 'exception',
    label: 'Livy session or batch died',
    severity: 35,
    pattern:
      /LIVY_JOB_STATE_DEAD|LIVY_JOB_TIMED_OUT|Livy session has failed|Livy (?:batch|session) \S+ (?:is )?dead\b/i,
  },
  {
    id: 'python-worker-exited',
    category: 'python-udf',
    label: 'Python worker exited unexpectedly',
    severity: 42,
    pattern:
      /Python worker exited unexpectedly|Python worker (?:failed|crashed)|worker exited unexpectedly \(crashed\)/i,
  },
  {
    id: 'python-exception',
    category: 'python-udf',
    label: 'PythonException in a UDF',
    severity: 42,
    pattern:
      /PythonException|An exception was thrown from the Python worker|An exception was thrown from a UDF/,
  },
  {
    id: 'bookmark-error',
    category: 'bookmark',
    label: 'Job bookmark errors',
    severity: 30,
    pattern:
      /bookmark\w*[^\n]*\b(?:error|fail\w*|exception|invalid|mismatch|cannot|unable|inconsistent|out of sync)\b|\b(?:error|fail\w*|exception|invalid|cannot|unable)\b[^\n]*bookmark/i,
  },
  {
    id: 'bookmark',
    category: 'bookmark',
    label: 'Job bookmark messages',
    severity: 10,
    pattern: /bookmark/i,
  },
  // Performance signals: last, so a line that is also an error keeps its error signature.
  {
    // Spark's sorters and spillable collections: "UnsafeExternalSorter: Thread 168 spilling sort data
    // of 3.1 GB to disk (0 time so far)", "ExternalAppendOnlyMap: Thread 117 spilling in-memory map
    // of 1.1 GB to disk (1 time so far)"; Spark 4 adds "Task N on" and binary unit names.
    id: 'spill-to-disk',
    category: 'spill',
    kind: 'performance',
    label: 'Spilling to disk (sorter / aggregation map)',
    severity: 5,
    pattern:
      /\b(?:UnsafeExternalSorter|ShuffleExternalSorter|ExternalSorter|ExternalAppendOnlyMap|Spillable\w*)\b[^\n]*?\bspilling [\w -]*?of (\d+(?:\.\d+)?) ?((?:[KMGTPE]i?)?B) to disk/,
    measure: { unit: 'bytes', of: (m) => sparkSizeToBytes(m[1] as string, m[2] as string) },
  },
  {
    // PythonRunner's per-task summary: "PythonUDFRunner: Times: total = 2270, boot = 351, init = 371,
    // finish = 1548" (ms; ArrowPythonRunner and PythonRunner write the same).
    id: 'python-udf-times',
    category: 'python-udf-time',
    kind: 'performance',
    label: 'Python worker time (PythonUDFRunner)',
    severity: 4,
    pattern: /\b\w*Python\w*Runner: Times: total = (\d+), boot = (-?\d+), init = (\d+), finish = (\d+)/,
    measure: { unit: 'ms', of: (m) => Number(m[1]) },
  },
  {
    // JVM full-GC pauses, JDK 8 ("[Full GC (Ergonomics) … , 4.2103840 secs]") and unified logging
    // ("[gc] GC(12) Pause Full (G1 Compaction Pause) 9800M->9600M(10240M) 4210.384ms").
    id: 'full-gc',
    category: 'gc',
    kind: 'performance',
    label: 'JVM full GC pauses',
    severity: 6,
    pattern:
      /\[Full GC \([^)]*\)[^\n]*?, (\d+(?:\.\d+)?) secs\]|\bPause Full \([^)]*\)[^\n]*? (\d+(?:\.\d+)?)ms\b/,
    measure: {
      unit: 'ms',
      of: (m) =>
        m[1] !== undefined ? Math.round(Number(m[1]) * 1000) : m[2] !== undefined ? Number(m[2]) : undefined,
    },
  },
];

/**
 * A CloudWatch Logs filter pattern (`?"phrase"` terms are ORed, matched case-sensitively) that
 * selects the lines the performance rows above and the task-time collector read: sorter spills,
 * Python worker times, full-GC pauses and TaskSetManager's finished tasks. A log scan capped at N
 * events from the run's start can miss them behind the first N lines of a long run; a second scan
 * with this pattern reads them wherever they are.
 */
export const PERFORMANCE_FILTER_PATTERN =
  '?"spilling sort data" ?"spilling in-memory map" ?"Times: total =" ?"[Full GC" ?"Pause Full" ?"Finished task"';

const GENERIC_EXCEPTION_SEVERITY = 20;
// A class name (optionally package-qualified) ending in Exception or Error. A bare "Exception" or
// "Error" only counts when qualified (java.lang.Exception), so the English word "Error" does not.
const EXCEPTION_CLASS =
  /(?<![\w$.])((?:[a-z_$][\w$]*\.)*)([A-Z][\w$]*?(?:Exception|Error)|Exception|Error)(?![\w$])/g;
const TASK_FINISHED = /Finished task (\S+) in stage (\S+) \(TID \d+\) in (\d+) ms/;
const RUN_ID_IN_STREAM = /jr_[0-9a-f]+/i;

export interface LogEventInput {
  timestamp: Date | number;
  message: string;
  stream: string;
  /** The run the event belongs to; else the run id in the stream name, else the stream name. */
  runId?: string;
}

export interface SignatureMeasured {
  unit: SignatureMeasure['unit'];
  /** Sum of the lines' figures. */
  total: number;
  /** Largest figure of one line. */
  max: number;
  /** Sum per run id (same runs as countByRun). */
  byRun: Record<string, number>;
}

export interface LogSignature {
  id: string;
  category: SignatureCategory;
  /** 'performance' signatures are INFO lines that measure time or memory, not errors. */
  kind: SignatureKind;
  label: string;
  severity: number;
  count: number;
  /** Events per run id. */
  countByRun: Record<string, number>;
  /** One to three distinct excerpts, redacted and at most EXCERPT_CHARS long. */
  excerpts: string[];
  firstSeen: Date;
  lastSeen: Date;
  /** Performance signatures: the figures their lines carry. */
  measured?: SignatureMeasured;
}

export interface LogClassification {
  /** By severity, then count, then label. */
  signatures: LogSignature[];
  /** Per run and stage, from Spark's "Finished task … in N ms" lines. */
  stageTaskTimes: StageTaskTimes[];
  linesScanned: number;
  linesMatched: number;
  /** Events of exception classes beyond MAX_SIGNATURES distinct ones (counted, not listed). */
  droppedSignatureEvents: number;
  droppedStages: number;
}

export const MAX_EXCERPTS = 3;
export const EXCERPT_CHARS = 240;
/** Distinct generic exception classes tracked. */
export const MAX_SIGNATURES = 200;
/** Run ids tracked per signature; further runs are summed under "(other runs)". */
export const MAX_RUNS_PER_SIGNATURE = 100;
/** Characters of a message searched; Glue folds whole stack traces into one event. */
const SEARCH_CHARS = 16_384;
const REDACT_WINDOW = 2_000;

// Exceptions that only wrap the real one (PySpark's Py4J bridge, Spark's job abort, Java reflection).
const WRAPPER_EXCEPTIONS = new Set([
  'Py4JJavaError',
  'Py4JError',
  'SparkException',
  'ExecutionException',
  'InvocationTargetException',
  'UndeclaredThrowableException',
]);

/**
 * The exception class a line is about: the deepest "Caused by:" when the trace has one, else the first
 * class that is not a mere wrapper, else the first class. A bare "Exception"/"Error" only counts when
 * package-qualified, so the English word "Error" is not a class.
 */
export function rootCauseClass(message: string): { cls: string; index: number } | undefined {
  let first: { cls: string; index: number } | undefined;
  let firstReal: { cls: string; index: number } | undefined;
  let causedBy: { cls: string; index: number } | undefined;
  for (const m of message.matchAll(EXCEPTION_CLASS)) {
    const pkg = m[1] ?? '';
    const cls = m[2] as string;
    if (pkg === '' && (cls === 'Exception' || cls === 'Error')) continue;
    const hit = { cls, index: m.index };
    first ??= hit;
    if (!WRAPPER_EXCEPTIONS.has(cls)) firstReal ??= hit;
    if (/Caused by:\s*$/.test(message.slice(Math.max(0, m.index - 20), m.index))) causedBy = hit;
  }
  return causedBy ?? firstReal ?? first;
}

export function runIdOf(event: Pick<LogEventInput, 'stream' | 'runId'>): string {
  return event.runId ?? event.stream.match(RUN_ID_IN_STREAM)?.[0] ?? event.stream;
}

/**
 * The matched line, redacted, cut to EXCERPT_CHARS around the match. Redaction runs on a window
 * wider than the excerpt and the excerpt is cut from its middle, so a secret split by the window's
 * edge never reaches the excerpt.
 */
export function excerptOf(message: string, matchIndex: number): string {
  const lineStart = message.lastIndexOf('\n', matchIndex) + 1;
  let lineEnd = message.indexOf('\n', matchIndex);
  if (lineEnd < 0) lineEnd = message.length;
  const winStart = Math.max(lineStart, matchIndex - REDACT_WINDOW / 2);
  const winEnd = Math.min(lineEnd, matchIndex + REDACT_WINDOW / 2);
  const before = message.slice(winStart, matchIndex);
  const after = message.slice(matchIndex, winEnd);
  // Redact both halves together, then find the match again by its offset from the start.
  const redacted = redactSecrets(before + after).replace(/\s+/g, ' ');
  const redactedBefore = redactSecrets(before).replace(/\s+/g, ' ');
  const center = Math.min(redactedBefore.length, redacted.length);
  const cutStart = winStart > lineStart ? 200 : 0;
  const cutEnd = winEnd < lineEnd ? redacted.length - 200 : redacted.length;
  let start = Math.max(cutStart, center - Math.floor(EXCERPT_CHARS / 3));
  const end = Math.min(cutEnd, start + EXCERPT_CHARS);
  start = Math.max(cutStart, Math.min(start, end - EXCERPT_CHARS));
  let text = redacted.slice(start, end).trim();
  if (start > 0) text = `…${text}`;
  if (end < redacted.length) text = `${text}…`;
  return text;
}

function normalizeForDedup(text: string): string {
  return text
    .replace(/\d+/g, '#')
    .replace(/jr_[0-9a-f#]+/gi, 'jr_')
    .toLowerCase();
}

interface Acc {
  sig: SignaturePattern;
  count: number;
  countByRun: Map<string, number>;
  measuredTotal: number;
  measuredMax: number;
  measuredByRun: Map<string, number>;
  excerpts: string[];
  excerptKeys: Set<string>;
  firstSeen: number;
  lastSeen: number;
}

/** Streaming classifier: feed events with add(), read the result at any time. */
export class LogClassifier {
  private readonly accs = new Map<string, Acc>();
  private readonly tasks: TaskTimeCollector;
  private linesScanned = 0;
  private linesMatched = 0;
  private droppedSignatureEvents = 0;

  constructor(opts: TaskTimeCollectorOptions = {}) {
    this.tasks = new TaskTimeCollector(opts);
  }

  add(event: LogEventInput): void {
    this.linesScanned++;
    const message =
      event.message.length > SEARCH_CHARS ? event.message.slice(0, SEARCH_CHARS) : event.message;
    const runId = runIdOf(event);
    const time = typeof event.timestamp === 'number' ? event.timestamp : event.timestamp.getTime();

    if (message.includes('Finished task')) {
      const m = TASK_FINISHED.exec(message);
      if (m) {
        this.tasks.add(runId, m[2] as string, Number(m[3]));
        return;
      }
    }

    for (const sig of SIGNATURE_PATTERNS) {
      const m = sig.pattern.exec(message);
      if (m) {
        this.record(sig, runId, time, message, m.index, sig.measure?.of(m));
        return;
      }
    }

    const found = rootCauseClass(message);
    if (!found) return;
    const id = `exception:${found.cls}`;
    if (!this.accs.has(id) && this.genericCount() >= MAX_SIGNATURES) {
      this.droppedSignatureEvents++;
      this.linesMatched++;
      return;
    }
    const sig = this.accs.get(id)?.sig ?? {
      id,
      category: 'exception' as const,
      label: found.cls,
      severity: GENERIC_EXCEPTION_SEVERITY,
      pattern: EXCEPTION_CLASS,
    };
    this.record(sig, runId, time, message, found.index);
  }

  private genericCount(): number {
    let n = 0;
    for (const a of this.accs.values()) if (a.sig.category === 'exception') n++;
    return n;
  }

  private record(
    sig: SignaturePattern,
    runId: string,
    time: number,
    message: string,
    index: number,
    measured?: number,
  ): void {
    this.linesMatched++;
    let acc = this.accs.get(sig.id);
    if (!acc) {
      acc = {
        sig,
        count: 0,
        countByRun: new Map(),
        measuredTotal: 0,
        measuredMax: 0,
        measuredByRun: new Map(),
        excerpts: [],
        excerptKeys: new Set(),
        firstSeen: time,
        lastSeen: time,
      };
      this.accs.set(sig.id, acc);
    }
    acc.count++;
    if (time < acc.firstSeen) acc.firstSeen = time;
    if (time > acc.lastSeen) acc.lastSeen = time;
    const runKey =
      acc.countByRun.has(runId) || acc.countByRun.size < MAX_RUNS_PER_SIGNATURE ? runId : '(other runs)';
    acc.countByRun.set(runKey, (acc.countByRun.get(runKey) ?? 0) + 1);
    if (measured !== undefined && Number.isFinite(measured)) {
      acc.measuredTotal += measured;
      if (measured > acc.measuredMax) acc.measuredMax = measured;
      acc.measuredByRun.set(runKey, (acc.measuredByRun.get(runKey) ?? 0) + measured);
    }
    if (acc.excerpts.length < MAX_EXCERPTS) {
      const excerpt = excerptOf(message, index);
      const key = normalizeForDedup(excerpt);
      if (excerpt !== '' && !acc.excerptKeys.has(key)) {
        acc.excerptKeys.add(key);
        acc.excerpts.push(excerpt);
      }
    }
  }

  result(): LogClassification {
    const byKey = (m: Map<string, number>) =>
      Object.fromEntries([...m.entries()].sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0)));
    const signatures: LogSignature[] = [...this.accs.values()].map((a) => ({
      id: a.sig.id,
      category: a.sig.category,
      kind: a.sig.kind ?? 'error',
      label: a.sig.label,
      severity: a.sig.severity,
      count: a.count,
      countByRun: Object.fromEntries(
        [...a.countByRun.entries()].sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0)),
      ),
      excerpts: [...a.excerpts],
      firstSeen: new Date(a.firstSeen),
      lastSeen: new Date(a.lastSeen),
      ...(a.sig.measure
        ? {
            measured: {
              unit: a.sig.measure.unit,
              total: a.measuredTotal,
              max: a.measuredMax,
              byRun: byKey(a.measuredByRun),
            },
          }
        : {}),
    }));
    signatures.sort((a, b) => b.severity - a.severity || b.count - a.count || a.label.localeCompare(b.label));
    return {
      signatures,
      stageTaskTimes: this.tasks.summaries(),
      linesScanned: this.linesScanned,
      linesMatched: this.linesMatched,
      droppedSignatureEvents: this.droppedSignatureEvents,
      droppedStages: this.tasks.droppedStages,
    };
  }
}

/** Classifies a batch (or any iterable, e.g. a generator over pages) of log events. */
export function classifyLogs(
  events: Iterable<LogEventInput>,
  opts: TaskTimeCollectorOptions = {},
): LogClassification {
  const classifier = new LogClassifier(opts);
  for (const event of events) classifier.add(event);
  return classifier.result();
}

/** Same as classifyLogs for an async source (e.g. the LogSource port's paged events). */
export async function classifyLogsAsync(
  events: AsyncIterable<LogEventInput>,
  opts: TaskTimeCollectorOptions = {},
): Promise<LogClassification> {
  const classifier = new LogClassifier(opts);
  for await (const event of events) classifier.add(event);
  return classifier.result();
}
