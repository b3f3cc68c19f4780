// Where Spark's event logs are and what they are called (Spark's EventLogFileWriters):
//
// - one file per application: `<appId>[_<attemptId>][.<codec>][.inprogress]`
// - rolled (spark.eventLog.rolling.enabled): a directory
//   `eventlog_v2_<appId>[_<attemptId>]/` holding `events_<n>_<appId>[_<attemptId>][.<codec>]`
//   (n = 1, 2, … in the order written) and an empty `appstatus_<appId>[.inprogress]` marker.
//
// The codec suffix is one of Spark's short codec names (lz4, lzf, snappy, zstd). A compressed log
// is not read: the report names its codec. Magic bytes catch a compressed file without a suffix.
// Glue names its applications `spark-application-<epoch ms>` (the driver's start time), which
// gives a first time filter before any log is opened.

export type EventLogCodec = 'lz4' | 'lzf' | 'snappy' | 'zstd' | 'gzip';

export const SPARK_CODECS: readonly EventLogCodec[] = ['lz4', 'lzf', 'snappy', 'zstd'];

export interface EventLogListingEntry {
  /** Full object key (or path) of the file. */
  key: string;
  size: number;
  lastModified?: Date;
}

export interface EventLogFile {
  key: string;
  size: number;
  lastModified?: Date;
  /** Rolled logs: the file's index n in events_<n>_…; single files: 0. */
  index: number;
}

export interface EventLogCandidate {
  appId: string;
  attemptId?: string;
  layout: 'single' | 'rolled';
  /** In reading order. */
  files: EventLogFile[];
  /** From the file name's suffix; undefined for plain JSON lines. */
  codec?: EventLogCodec;
  /** `.inprogress`: the application was still running (or died) when the log was last written. */
  inProgress: boolean;
  totalBytes: number;
  /** Newest lastModified of its files. */
  lastModified?: Date;
  /** Start time encoded in the application id, when the id carries one. */
  appStartedAt?: Date;
}

const ROLLED_DIR = /(?:^|\/)eventlog_v2_([^/]+)\/([^/]+)$/;
const ROLLED_FILE = /^events_(\d+)_(.+)$/;
const CODEC_SUFFIX = /\.(lz4|lzf|snappy|zstd|gz)$/;

function stripSuffixes(name: string): { base: string; codec?: EventLogCodec; inProgress: boolean } {
  let base = name;
  let inProgress = false;
  if (base.endsWith('.inprogress')) {
    inProgress = true;
    base = base.slice(0, -'.inprogress'.length);
  }
  const m = CODEC_SUFFIX.exec(base);
  if (m) {
    base = base.slice(0, m.index);
    return { base, codec: m[1] === 'gz' ? 'gzip' : (m[1] as EventLogCodec), inProgress };
  }
  return { base, inProgress };
}

/** `<appId>[_<attemptId>]`: YARN ids end in _<number> themselves, so only a short trailing number is an attempt. */
export function splitAttempt(name: string): { appId: string; attemptId?: string } {
  // application_1628109047826_1317105 is an app id; application_1628109047826_1317105_1 has attempt 1.
  const yarn = /^(application_\d+_\d+)(?:_(\d+))?$/.exec(name);
  if (yarn) return yarn[2] ? { appId: yarn[1] as string, attemptId: yarn[2] } : { appId: yarn[1] as string };
  return { appId: name };
}

/**
 * The start time an application id encodes: Glue / Kubernetes `spark-application-<ms>`, local
 * `local-<ms>`, standalone `app-YYYYMMDDHHMMSS-NNNN` (UTC assumed). YARN ids carry the resource
 * manager's start, not the application's: none.
 */
export function appIdStartTime(appId: string): Date | undefined {
  const ms = /^(?:spark-application|local)-(\d{12,14})$/.exec(appId);
  if (ms) return new Date(Number(ms[1]));
  const standalone = /^app-(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})-\d+$/.exec(appId);
  if (standalone) {
    const [, y, mo, d, h, mi, s] = standalone.map(Number) as number[];
    return new Date(Date.UTC(y as number, (mo as number) - 1, d, h, mi, s));
  }
  return undefined;
}

/**
 * Groups a listing of an event-log location (e.g. every object under `--spark-event-logs-path`)
 * into applications, each with its files in reading order. Keys that are not event logs
 * (appstatus markers, `_SUCCESS`, folders) are left out.
 */
export function groupEventLogs(listing: readonly EventLogListingEntry[]): EventLogCandidate[] {
  const rolled = new Map<string, EventLogCandidate>();
  const out: EventLogCandidate[] = [];
  for (const entry of listing) {
    if (entry.key.endsWith('/') || entry.size < 0) continue;
    const dir = ROLLED_DIR.exec(entry.key);
    if (dir) {
      const dirName = dir[1] as string;
      const fileName = dir[2] as string;
      const f = ROLLED_FILE.exec(fileName);
      if (!f) continue; // appstatus_… marker or anything else in the directory
      const dirKey = entry.key.slice(0, entry.key.length - fileName.length);
      const { codec, inProgress } = stripSuffixes(fileName);
      let c = rolled.get(dirKey);
      if (!c) {
        const { appId, attemptId } = splitAttempt(dirName);
        const started = appIdStartTime(appId);
        c = {
          appId,
          ...(attemptId ? { attemptId } : {}),
          layout: 'rolled',
          files: [],
          inProgress: false,
          totalBytes: 0,
          ...(started ? { appStartedAt: started } : {}),
        };
        rolled.set(dirKey, c);
        out.push(c);
      }
      c.files.push({
        key: entry.key,
        size: entry.size,
        index: Number(f[1]),
        ...(entry.lastModified ? { lastModified: entry.lastModified } : {}),
      });
      if (codec) c.codec = codec;
      if (inProgress) c.inProgress = true;
      continue;
    }
    const name = entry.key.slice(entry.key.lastIndexOf('/') + 1);
    if (!isSingleLogName(name)) continue;
    const { base, codec, inProgress } = stripSuffixes(name);
    const { appId, attemptId } = splitAttempt(base);
    const started = appIdStartTime(appId);
    out.push({
      appId,
      ...(attemptId ? { attemptId } : {}),
      layout: 'single',
      files: [
        {
          key: entry.key,
          size: entry.size,
          index: 0,
          ...(entry.lastModified ? { lastModified: entry.lastModified } : {}),
        },
      ],
      ...(codec ? { codec } : {}),
      inProgress,
      totalBytes: entry.size,
      ...(entry.lastModified ? { lastModified: entry.lastModified } : {}),
      ...(started ? { appStartedAt: started } : {}),
    });
  }
  for (const c of rolled.values()) {
    c.files.sort((a, b) => a.index - b.index);
    c.totalBytes = c.files.reduce((n, f) => n + f.size, 0);
    const newest = Math.max(...c.files.map((f) => f.lastModified?.getTime() ?? -Infinity));
    if (Number.isFinite(newest)) c.lastModified = new Date(newest);
  }
  return out;
}

/** File names Spark gives single-file logs; everything else in the folder is not one. */
function isSingleLogName(name: string): boolean {
  if (name === '' || name.startsWith('.') || name.startsWith('_')) return false;
  if (name.startsWith('appstatus_') || name.startsWith('events_')) return false;
  const { base } = stripSuffixes(name);
  return (
    /^(?:spark-application-\d+|local-\d+|app-\d{14}-\d+|application_\d+_\d+|[A-Za-z0-9][\w.-]*)$/.test(
      base,
    ) && !/\.(json|txt|log|py|md|csv|parquet|crc)$/i.test(base)
  );
}

/**
 * The codec of a file from its first bytes, or undefined for plain text. Spark's codecs write:
 * lz4-java's LZ4BlockOutputStream "LZ4Block" (the LZ4 frame magic 04 22 4D 18 is also checked),
 * compress-lzf chunks "ZV", snappy-java's SnappyOutputStream "\x82SNAPPY\0" (framed "\xff\x06\0\0sNaPpY"),
 * zstd frames 28 B5 2F FD; gzip 1F 8B is not a Spark codec but is named too.
 */
export function codecFromMagic(head: Uint8Array): EventLogCodec | undefined {
  const starts = (bytes: readonly number[]) =>
    head.length >= bytes.length && bytes.every((b, i) => head[i] === b);
  const ascii = (s: string) => [...s].map((c) => c.charCodeAt(0));
  if (starts(ascii('LZ4Block')) || starts([0x04, 0x22, 0x4d, 0x18])) return 'lz4';
  if (starts([0x82, ...ascii('SNAPPY'), 0x00]) || starts([0xff, 0x06, 0x00, 0x00, ...ascii('sNaPpY')]))
    return 'snappy';
  if (starts([0x28, 0xb5, 0x2f, 0xfd])) return 'zstd';
  if (starts([0x1f, 0x8b])) return 'gzip';
  if (starts(ascii('ZV')) && head.length >= 3 && (head[2] === 0 || head[2] === 1)) return 'lzf';
  return undefined;
}

export interface RunTimeWindow {
  startedOn: Date;
  completedOn?: Date;
}

export interface WindowOptions {
  /** Slack before the run's start; default 5 minutes (clock skew, queueing before the driver starts). */
  beforeMs?: number;
  /** Slack after the run's end; default 15 minutes (Glue copies logs every 30 s, the last copy lands after the end). */
  afterMs?: number;
  /** End when the run has none (still running); default the latest file's time. */
  now?: Date;
}

/**
 * The applications whose logs could belong to a run, nearest to its start first: by the start
 * time in the application id when there is one (it must fall inside the run), else by the log's
 * last write (it must fall after the run started and not long after it ended).
 */
export function candidatesInWindow(
  candidates: readonly EventLogCandidate[],
  run: RunTimeWindow,
  opts: WindowOptions = {},
): EventLogCandidate[] {
  const before = opts.beforeMs ?? 5 * 60_000;
  const after = opts.afterMs ?? 15 * 60_000;
  const start = run.startedOn.getTime();
  const end = run.completedOn?.getTime() ?? opts.now?.getTime() ?? Infinity;
  const scored: { c: EventLogCandidate; distance: number }[] = [];
  for (const c of candidates) {
    if (c.appStartedAt) {
      const t = c.appStartedAt.getTime();
      if (t >= start - before && t <= end) scored.push({ c, distance: Math.abs(t - start) });
    } else if (c.lastModified) {
      const t = c.lastModified.getTime();
      if (t >= start - before && t <= end + after) scored.push({ c, distance: Math.abs(t - end) });
    }
  }
  return scored.sort((a, b) => a.distance - b.distance).map((s) => s.c);
}
