// LogSource over CloudWatch Logs: FilterLogEvents and DescribeLogStreams through the SDK paginators.
//
// FilterLogEvents searches in chunks: a page can be empty while a nextToken is still given, so the
// events generator keeps paging — but only for so many empty pages in a row, and says so when it
// gives up, so triage can report the logs as incomplete instead of hanging on a huge group.
import {
  CloudWatchLogsClient,
  paginateDescribeLogStreams,
  paginateFilterLogEvents,
  type FilterLogEventsCommandInput,
} from '@aws-sdk/client-cloudwatch-logs';
import { z } from 'zod';
import { ProviderError } from '../ports.js';
import type { CallStats, LogProblem, LogSource, RunLogRead } from '../ports.js';
import { instrumentClient, mapAwsError } from './errors.js';
import type { AwsAdapterOptions } from './glue-platform.js';

/** Where Glue writes a run's logs by default: stderr (Spark's log4j) and stdout, streams named by run id. */
export const DEFAULT_GLUE_LOG_GROUPS = ['/aws-glue/jobs/error', '/aws-glue/jobs/output'];
/** Log streams read at once by readRunLogs. */
const RUN_LOG_CONCURRENCY = 6;

export interface LogEvent {
  timestamp: Date;
  message: string;
  group: string;
  stream: string;
}

/** One FilterLogEvents search: a group, its streams by name or prefix, a time window. */
export interface LogQuery {
  group: string;
  streamNames?: string[];
  streamNamePrefix?: string;
  start: Date;
  end?: Date;
  filterPattern?: string;
  /** Stop after this many events. */
  maxEvents: number;
  signal?: AbortSignal;
}

/** FilterLogEvents' largest page. */
export const EVENTS_PAGE_SIZE = 10_000;
/** FilterLogEvents takes at most this many stream names a call. */
export const STREAM_NAMES_PER_CALL = 100;
/** DescribeLogStreams' largest page. */
const STREAMS_PAGE_SIZE = 50;
export const DEFAULT_MAX_EMPTY_PAGES = 50;
const DEFAULT_MAX_STREAMS = 1000;

/** How one `events()` scan went; final once the generator has finished. */
export interface LogScanSummary {
  /** FilterLogEvents calls made. */
  pages: number;
  /** Events yielded. */
  events: number;
  /** Pages that held no event while more were promised. */
  emptyPages: number;
  /**
   * Why the scan stopped before the service said there was nothing more: `maxEvents` (the query's
   * limit was reached) or `emptyPages` (too many empty pages in a row: the logs are incomplete).
   * Undefined when every matching event was read.
   */
  stoppedEarly?: 'maxEvents' | 'emptyPages';
}

/** The events of a query; `summary` fills in as it is iterated, and is also the generator's return value. */
export interface LogEventStream extends AsyncIterable<LogEvent> {
  readonly summary: LogScanSummary;
  [Symbol.asyncIterator](): AsyncGenerator<LogEvent, LogScanSummary, undefined>;
}

export interface CloudWatchLogSourceOptions extends AwsAdapterOptions {
  /** A ready client (its middleware stack gets the call counters); the other options are then ignored. */
  client?: CloudWatchLogsClient;
  /** Consecutive empty pages (with a nextToken) tolerated before a scan gives up; default 50. */
  maxEmptyPages?: number;
  /** Called when a scan ends, however it ends (also on errors and early `break`s). */
  onScanEnd?: (query: LogQuery, summary: LogScanSummary) => void;
}

export interface CloudWatchLogSource extends LogSource {
  readonly client: CloudWatchLogsClient;
  events(query: LogQuery): LogEventStream;
  /** Stream names of a group starting with a prefix. */
  streamNames(group: string, prefix: string, max?: number): Promise<string[]>;
  /** Calls, retries and throttled attempts since creation (a snapshot). */
  stats(): CallStats;
}

export function createCloudWatchLogsClient(opts: AwsAdapterOptions = {}): CloudWatchLogsClient {
  return new CloudWatchLogsClient({
    ...(opts.region ? { region: opts.region } : {}),
    ...(opts.endpoint ? { endpoint: opts.endpoint } : {}),
    ...(opts.credentials ? { credentials: opts.credentials } : {}),
    retryMode: 'standard',
    maxAttempts: opts.maxAttempts ?? 5,
  });
}

export const CloudWatchLogEvent = z.object({
  timestamp: z.number().finite(),
  message: z.string().optional().nullable(),
  logStreamName: z.string().optional().nullable(),
});
export type CloudWatchLogEvent = z.infer<typeof CloudWatchLogEvent>;

function cancelled(query: LogQuery, cause?: unknown): ProviderError {
  return new ProviderError('CANCELLED', `reading log group ${query.group} was cancelled`, { cause });
}

export function createCloudWatchLogSource(opts: CloudWatchLogSourceOptions = {}): CloudWatchLogSource {
  const client = opts.client ?? createCloudWatchLogsClient(opts);
  const counters = instrumentClient(client);
  const maxEmptyPages = Math.max(1, opts.maxEmptyPages ?? DEFAULT_MAX_EMPTY_PAGES);

  const logsError = (err: unknown, action: string, group: string) =>
    mapAwsError(err, { service: 'CloudWatch Logs', action, subject: `log group ${group}` });

  async function* scan(
    query: LogQuery,
    summary: LogScanSummary,
  ): AsyncGenerator<LogEvent, LogScanSummary, undefined> {
    const { signal } = query;
    try {
      if (query.streamNames !== undefined && query.streamNamePrefix !== undefined)
        throw new ProviderError(
          'INVALID_INPUT',
          'a log query takes stream names or a stream name prefix, not both',
        );
      if (query.maxEvents <= 0 || query.streamNames?.length === 0) return summary;
      // More than 100 stream names: one search per batch, in the order given.
      const batches: (string[] | undefined)[] = query.streamNames
        ? chunk(query.streamNames, STREAM_NAMES_PER_CALL)
        : [undefined];
      let empty = 0;
      for (const names of batches) {
        const input: FilterLogEventsCommandInput = {
          logGroupName: query.group,
          startTime: query.start.getTime(),
          limit: Math.min(EVENTS_PAGE_SIZE, query.maxEvents),
          ...(query.end ? { endTime: query.end.getTime() } : {}),
          ...(query.filterPattern ? { filterPattern: query.filterPattern } : {}),
          ...(names ? { logStreamNames: names } : {}),
          ...(query.streamNamePrefix ? { logStreamNamePrefix: query.streamNamePrefix } : {}),
        };
        if (signal?.aborted) throw cancelled(query, signal.reason);
        const pages = paginateFilterLogEvents({ client }, input, signal ? { abortSignal: signal } : {});
        for await (const page of pages) {
          summary.pages += 1;
          const list = page.events ?? [];
          if (list.length === 0 && page.nextToken) {
            summary.emptyPages += 1;
            if (++empty >= maxEmptyPages) {
              summary.stoppedEarly = 'emptyPages';
              return summary;
            }
          } else if (list.length > 0) empty = 0;
          for (const raw of list) {
            const e = CloudWatchLogEvent.safeParse(raw);
            if (!e.success) continue; // an event without a timestamp cannot be placed; skip it
            summary.events += 1;
            yield {
              timestamp: new Date(e.data.timestamp),
              message: e.data.message ?? '',
              group: query.group,
              stream: e.data.logStreamName ?? '',
            };
            if (summary.events >= query.maxEvents) {
              summary.stoppedEarly = 'maxEvents';
              return summary;
            }
            if (signal?.aborted) throw cancelled(query, signal.reason);
          }
        }
      }
      return summary;
    } catch (err) {
      if (signal?.aborted && !(err instanceof ProviderError && err.code === 'CANCELLED'))
        throw cancelled(query, err);
      throw logsError(err, 'logs:FilterLogEvents', query.group);
    } finally {
      opts.onScanEnd?.(query, summary);
    }
  }

  const events = (query: LogQuery): LogEventStream => {
    const summary: LogScanSummary = { pages: 0, events: 0, emptyPages: 0 };
    return {
      summary,
      [Symbol.asyncIterator]: () => scan(query, summary),
    };
  };

  const source: CloudWatchLogSource = {
    client,
    stats: () => ({ ...counters }),
    events,

    // The runbook's step 2: every event of each run's streams (named by run id; executors and job
    // insights add suffixes, so by prefix) in each group, from a minute before the run started to
    // five minutes after it ended — no filter pattern, so performance lines come too.
    async readRunLogs(req, onEvent) {
      const groups = req.locations?.length ? req.locations : DEFAULT_GLUE_LOG_GROUPS;
      let count = 0;
      let throttled = false;
      const streams = new Set<string>();
      const problems = new Map<string, LogProblem>();
      const tasks = req.runs.flatMap((run) =>
        groups.map((group) => async () => {
          try {
            for await (const e of events({
              group,
              streamNamePrefix: run.id,
              start: new Date(run.startedOn.getTime() - 60_000),
              ...(run.completedOn ? { end: new Date(run.completedOn.getTime() + 5 * 60_000) } : {}),
              maxEvents: req.maxEventsPerRun,
              ...(req.signal ? { signal: req.signal } : {}),
            })) {
              count++;
              streams.add(`${group}/${e.stream}`);
              onEvent({ runId: run.id, timestamp: e.timestamp, message: e.message, source: e.stream });
            }
          } catch (err) {
            if (!(err instanceof ProviderError)) throw err;
            if (err.code === 'THROTTLED') throttled = true;
            const message =
              err.code === 'ACCESS_DENIED'
                ? `access denied (${err.action ?? 'logs:FilterLogEvents'})`
                : err.code === 'NOT_FOUND'
                  ? `log group ${group} not found`
                  : err.message;
            problems.set(message, { code: err.code, message, ...(err.action ? { action: err.action } : {}) });
          }
        }),
      );
      await runLimited(tasks, RUN_LOG_CONCURRENCY);
      const read: RunLogRead = {
        events: count,
        sources: streams.size,
        locations: groups,
        problems: [...problems.values()],
        throttled,
      };
      return read;
    },

    async streamNames(group, prefix, max = DEFAULT_MAX_STREAMS) {
      const names: string[] = [];
      if (max <= 0) return names;
      try {
        pages: for await (const page of paginateDescribeLogStreams(
          { client, pageSize: Math.min(STREAMS_PAGE_SIZE, max) },
          // An empty prefix is not allowed by the API: leave it out to list every stream.
          { logGroupName: group, ...(prefix ? { logStreamNamePrefix: prefix } : {}) },
        )) {
          for (const s of page.logStreams ?? []) {
            if (!s.logStreamName) continue;
            names.push(s.logStreamName);
            if (names.length >= max) break pages;
          }
        }
      } catch (err) {
        throw logsError(err, 'logs:DescribeLogStreams', group);
      }
      return names;
    },
  };
  return source;
}

function chunk<T>(list: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size));
  return out;
}

/** Run async tasks with at most `limit` in flight. */
async function runLimited(thunks: (() => Promise<void>)[], limit: number): Promise<void> {
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, thunks.length) }, async () => {
    while (next < thunks.length) await thunks[next++]!();
  });
  await Promise.all(workers);
}
