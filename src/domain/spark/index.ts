// Spark evidence for a triage: find the problematic run's event log and a baseline run's under an
// event-log location, read both streamed, evaluate them with the field's heuristics, diff them,
// and turn the result into findings. Pure: the listing and a chunk reader come from the caller
// (the platform's object store), nothing here does I/O of its own.
import {
  candidatesInWindow,
  groupEventLogs,
  type EventLogCandidate,
  type EventLogCodec,
  type EventLogListingEntry,
} from './event-log-files.js';
import { readEventLog, type EventLogSummary, type ReadChunks, type ReadOptions } from './event-log-reader.js';
import { diffRuns, type RunDiff } from './diff.js';
import { evaluateRun, type RunEvaluation } from './heuristics.js';
import { sparkFindings, type SparkFinding } from './findings.js';
import { SPARK_THRESHOLDS, type SparkThresholds } from './thresholds.js';

export * from './event-log-files.js';
export * from './event-log-reader.js';
export * from './heuristics.js';
export * from './diff.js';
export * from './findings.js';
export * from './thresholds.js';
export * from './log-signals.js';
export { QuantileSketch, RELATIVE_ACCURACY } from './quantile-sketch.js';

export interface RunRef {
  id: string;
  startedOn: Date;
  completedOn?: Date;
}

export interface LocatedEventLog {
  log: EventLogCandidate;
  /** 'run-id': the log's spark.glue.JOB_RUN_ID is the run's id; 'time-window': the only log of its time, without a run id to check. */
  matchedBy: 'run-id' | 'time-window';
  /** The head read (through the EnvironmentUpdate): application id, properties. */
  head: EventLogSummary;
}

export interface LocateResult {
  found?: LocatedEventLog;
  /** Logs whose time fits the run. */
  inWindow: number;
  /** Heads read to check run ids. */
  headsRead: number;
  /** Logs in the window that could not be read because they are compressed. */
  compressed: { appId: string; codec: EventLogCodec }[];
}

export interface LocateOptions {
  /** Heads read at most (nearest in time first); default 12. */
  maxHeads?: number;
  now?: Date;
  signal?: AbortSignal;
}

/**
 * The log of a run among the applications of an event-log location: the candidates whose time
 * fits the run (application id time or last write), nearest first, are opened up to their
 * EnvironmentUpdate and the one whose Spark properties carry the run id (spark.glue.JOB_RUN_ID)
 * wins. A log without any run id is accepted only when it is the one candidate of its window.
 */
export async function locateRunEventLog(
  candidates: readonly EventLogCandidate[],
  run: RunRef,
  read: ReadChunks,
  opts: LocateOptions = {},
): Promise<LocateResult> {
  const inWindow = candidatesInWindow(candidates, run, opts.now ? { now: opts.now } : {});
  const maxHeads = opts.maxHeads ?? 12;
  const compressed: LocateResult['compressed'] = [];
  const withoutRunId: LocatedEventLog[] = [];
  let headsRead = 0;
  for (const log of inWindow) {
    if (log.codec) {
      compressed.push({ appId: log.appId, codec: log.codec });
      continue;
    }
    if (headsRead >= maxHeads) break;
    headsRead++;
    const head = await readEventLog(log, read, {
      headOnly: true,
      ...(opts.signal ? { signal: opts.signal } : {}),
    });
    if (head.status === 'compressed' && head.codec) {
      compressed.push({ appId: log.appId, codec: head.codec });
      continue;
    }
    const runId = head.app.glueRunId;
    if (runId === run.id)
      return { found: { log, matchedBy: 'run-id', head }, inWindow: inWindow.length, headsRead, compressed };
    if (runId === undefined && head.status === 'read')
      withoutRunId.push({ log, matchedBy: 'time-window', head });
  }
  const only = withoutRunId.length === 1 && inWindow.length === 1 ? withoutRunId[0] : undefined;
  return { ...(only ? { found: only } : {}), inWindow: inWindow.length, headsRead, compressed };
}

export interface SparkRunEvidence {
  runId: string;
  /** Where its log was found. */
  log?: {
    appId: string;
    layout: EventLogCandidate['layout'];
    files: number;
    bytes: number;
    matchedBy: LocatedEventLog['matchedBy'];
    inProgress: boolean;
  };
  summary?: EventLogSummary;
  evaluation?: RunEvaluation;
  /** Why there is no summary. */
  notRead?: { reason: 'not-found' | 'compressed' | 'empty'; codec?: EventLogCodec; detail: string };
}

export interface SparkEvidence {
  run: SparkRunEvidence;
  baseline?: SparkRunEvidence;
  diff?: RunDiff;
  findings: SparkFinding[];
  /** What could not be read or matched, in the report's words. */
  notes: string[];
}

export interface SparkEvidenceInput {
  /** Every object under the event-log location (e.g. the --spark-event-logs-path prefix). */
  listing: readonly EventLogListingEntry[];
  read: ReadChunks;
  /** The problematic run. */
  run: RunRef;
  /** Baseline runs to try, preferred first (e.g. the newest normal runs); the first found is used. */
  baselines?: readonly RunRef[];
  now?: Date;
  signal?: AbortSignal;
  thresholds?: SparkThresholds;
  readOptions?: Omit<ReadOptions, 'headOnly' | 'signal'>;
}

async function evidenceFor(
  candidates: readonly EventLogCandidate[],
  run: RunRef,
  input: SparkEvidenceInput,
  t: SparkThresholds,
): Promise<SparkRunEvidence> {
  const located = await locateRunEventLog(candidates, run, input.read, {
    ...(input.now ? { now: input.now } : {}),
    ...(input.signal ? { signal: input.signal } : {}),
  });
  if (!located.found) {
    if (located.compressed.length > 0) {
      const c = located.compressed[0] as { appId: string; codec: EventLogCodec };
      return {
        runId: run.id,
        notRead: {
          reason: 'compressed',
          codec: c.codec,
          detail: `the event log ${c.appId} is compressed with ${c.codec} (spark.eventLog.compress): not read`,
        },
      };
    }
    return {
      runId: run.id,
      notRead: {
        reason: 'not-found',
        detail:
          located.inWindow === 0
            ? `no event log of run ${run.id}'s time under the event-log path`
            : `none of the ${located.inWindow} event logs of run ${run.id}'s time carries its run id`,
      },
    };
  }
  const { log, matchedBy } = located.found;
  const summary = await readEventLog(log, input.read, {
    ...(input.readOptions ?? {}),
    ...(input.signal ? { signal: input.signal } : {}),
  });
  const where = {
    appId: log.appId,
    layout: log.layout,
    files: log.files.length,
    bytes: log.totalBytes,
    matchedBy,
    inProgress: log.inProgress,
  };
  if (summary.status !== 'read') {
    return {
      runId: run.id,
      log: where,
      summary,
      notRead:
        summary.status === 'compressed'
          ? {
              reason: 'compressed',
              ...(summary.codec ? { codec: summary.codec } : {}),
              detail: `the event log ${log.appId} is compressed with ${summary.codec ?? 'an unknown codec'}: not read`,
            }
          : { reason: 'empty', detail: `the event log ${log.appId} holds no events` },
    };
  }
  return { runId: run.id, log: where, summary, evaluation: evaluateRun(summary, t) };
}

/**
 * Everything triage needs from Spark event logs for one problematic run: its log found and read,
 * a baseline run's log (the first of `baselines` that has one), the diff of the two, and ranked
 * findings. Never throws for missing or unreadable logs: `notes` says what was missing.
 */
export async function sparkEvidence(input: SparkEvidenceInput): Promise<SparkEvidence> {
  const t = input.thresholds ?? SPARK_THRESHOLDS;
  const candidates = groupEventLogs(input.listing);
  const notes: string[] = [];
  const run = await evidenceFor(candidates, input.run, input, t);
  if (run.notRead) notes.push(run.notRead.detail);
  let baseline: SparkRunEvidence | undefined;
  if (run.summary && run.evaluation) {
    for (const b of input.baselines ?? []) {
      const e = await evidenceFor(candidates, b, input, t);
      if (e.summary && e.evaluation) {
        baseline = e;
        break;
      }
      baseline ??= e;
    }
    if (baseline?.notRead) notes.push(`baseline: ${baseline.notRead.detail}`);
    if ((input.baselines ?? []).length === 0) notes.push('no baseline run to compare the event log with');
  }
  const diff =
    run.summary && baseline?.summary && baseline.evaluation
      ? diffRuns(run.summary, baseline.summary, t)
      : undefined;
  const findings =
    run.summary && run.evaluation ? sparkFindings(run.summary, run.evaluation, diff, { thresholds: t }) : [];
  if (run.summary?.incomplete)
    notes.push(
      `the event log of run ${input.run.id} has no application end (still running, or the driver died)`,
    );
  return { run, ...(baseline ? { baseline } : {}), ...(diff ? { diff } : {}), findings, notes };
}
