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
import type { LogEvent, LogQuery, LogSource } from '../ports.js';
import { instrumentClient, mapAwsError, type CallStats } from './errors.js';
import type { AwsAdapterOptions } from './glue-platform.js';

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

  const source: CloudWatchLogSource = {
    client,
    stats: () => ({ ...counters }),

    events(query) {
      const summary: LogScanSummary = { pages: 0, events: 0, emptyPages: 0 };
      return {
        summary,
        [Symbol.asyncIterator]: () => scan(query, summary),
      };
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
