// CloudWatch Logs over JSON 1.1 (`X-Amz-Target: Logs_20140328.<Op>`).
//
// FilterLogEvents scans a bounded number of events per call (`scanLimit`), as the service searches
// in chunks: a page can hold fewer events than `limit`, or none at all, while a nextToken is still
// given. Callers must keep paging until no token comes back.
import { SimError } from './sim-error.js';
import { decodeToken, encodeToken } from './paging.js';
import { matchesFilter, parseFilterPattern } from './filter-pattern.js';
import type { SimState } from './state.js';
import type { LogGroup, LogStream } from './logs-store.js';

type Params = Record<string, unknown>;

export interface LogsOptions {
  /** Events examined per FilterLogEvents call; default 10,000. */
  scanLimit?: number;
}

const PAGE_BYTES = 1_048_576;

function invalid(message: string): SimError {
  return new SimError('InvalidParameterException', message);
}

function requireGroup(state: SimState, p: Params): LogGroup {
  let name = p.logGroupName ?? p.logGroupIdentifier;
  if (typeof name !== 'string' || name === '') throw invalid('logGroupName is required');
  // logGroupIdentifier may be an ARN.
  const m = /^arn:aws[^:]*:logs:[^:]*:[^:]*:log-group:(.+?)(:\*)?$/.exec(name);
  if (m) name = m[1]!;
  const g = state.logs.group(name as string);
  if (!g) throw new SimError('ResourceNotFoundException', 'The specified log group does not exist.');
  return g;
}

function optInt(p: Params, name: string, min: number, max: number): number | undefined {
  const v = p[name];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    throw invalid(
      `1 validation error detected: Value '${String(v)}' at '${name}' failed to satisfy constraint: Member must have value between ${min} and ${max}`,
    );
  }
  return v;
}

interface FilterToken {
  /** Position in the merged, time-ordered event list of the query. */
  pos: number;
  /** Fingerprint of the query, so a token is not reused for another one. */
  q: string;
}
const isFilterToken = (v: unknown): v is FilterToken =>
  typeof v === 'object' &&
  v !== null &&
  typeof (v as FilterToken).pos === 'number' &&
  typeof (v as FilterToken).q === 'string';

interface Indexed {
  stream: LogStream;
  i: number;
}

function filterLogEvents(state: SimState, p: Params, opts: LogsOptions): unknown {
  const group = requireGroup(state, p);
  const names = p.logStreamNames;
  const prefix = p.logStreamNamePrefix;
  if (names !== undefined && prefix !== undefined) {
    throw invalid('logStreamNames and logStreamNamePrefix are mutually exclusive');
  }
  if (names !== undefined && (!Array.isArray(names) || names.length < 1 || names.length > 100)) {
    throw invalid('logStreamNames must hold 1 to 100 names');
  }
  const limit = optInt(p, 'limit', 1, 10_000) ?? 10_000;
  const startTime = optInt(p, 'startTime', 0, Number.MAX_SAFE_INTEGER);
  const endTime = optInt(p, 'endTime', 0, Number.MAX_SAFE_INTEGER);
  const fp = parseFilterPattern(typeof p.filterPattern === 'string' ? p.filterPattern : undefined);

  const streams = [...group.streams.values()]
    .filter((s) =>
      Array.isArray(names)
        ? names.includes(s.name)
        : typeof prefix === 'string'
          ? s.name.startsWith(prefix)
          : true,
    )
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));

  // Every event of the query in time order (ties by stream name), bounded by the time range.
  const merged: Indexed[] = [];
  for (const s of streams) {
    s.events.forEach((e, i) => {
      if (startTime !== undefined && e.timestamp < startTime) return;
      if (endTime !== undefined && e.timestamp > endTime) return;
      merged.push({ stream: s, i });
    });
  }
  merged.sort((a, b) => a.stream.events[a.i]!.timestamp - b.stream.events[b.i]!.timestamp);

  const q = JSON.stringify([group.name, names, prefix, startTime, endTime, p.filterPattern ?? '']);
  let pos = 0;
  if (p.nextToken !== undefined && p.nextToken !== null) {
    const t = decodeToken(String(p.nextToken), 'InvalidParameterException', isFilterToken);
    if (t.q !== q) throw invalid('The specified nextToken belongs to another query');
    pos = t.pos;
  }

  const scanLimit = Math.max(1, opts.scanLimit ?? 10_000);
  const events: Params[] = [];
  const searched = new Map<string, boolean>();
  let bytes = 0;
  let scanned = 0;
  while (pos < merged.length && scanned < scanLimit && events.length < limit) {
    const { stream, i } = merged[pos]!;
    const e = stream.events[i]!;
    if (matchesFilter(fp, e.message)) {
      const size = Buffer.byteLength(e.message) + 26;
      if (events.length > 0 && bytes + size > PAGE_BYTES) break;
      bytes += size;
      events.push({
        logStreamName: stream.name,
        timestamp: e.timestamp,
        message: e.message,
        ingestionTime: e.ingestionTime,
        eventId: `${e.timestamp}${String(i).padStart(8, '0')}${String(stream.name.length).padStart(4, '0')}`,
      });
    }
    searched.set(stream.name, i === stream.events.length - 1 || searched.get(stream.name) === true);
    pos++;
    scanned++;
  }
  const out: Params = {
    events,
    searchedLogStreams: [...searched.entries()].map(([logStreamName, searchedCompletely]) => ({
      logStreamName,
      searchedCompletely,
    })),
  };
  if (pos < merged.length) out.nextToken = encodeToken({ pos, q });
  return out;
}

interface OffsetToken {
  o: number;
}
const isOffsetToken = (v: unknown): v is OffsetToken =>
  typeof v === 'object' && v !== null && typeof (v as OffsetToken).o === 'number';

function describeLogStreams(state: SimState, p: Params): unknown {
  const group = requireGroup(state, p);
  const prefix = p.logStreamNamePrefix;
  const orderBy = p.orderBy ?? 'LogStreamName';
  if (orderBy !== 'LogStreamName' && orderBy !== 'LastEventTime')
    throw invalid('orderBy must be LogStreamName or LastEventTime');
  if (orderBy === 'LastEventTime' && prefix !== undefined) {
    throw invalid('Cannot order by LastEventTime with a logStreamNamePrefix.');
  }
  const limit = optInt(p, 'limit', 1, 50) ?? 50;
  const descending = p.descending === true;
  const lastTs = (s: LogStream) => s.events[s.events.length - 1]?.timestamp ?? 0;
  const list = [...group.streams.values()]
    .filter((s) => (typeof prefix === 'string' ? s.name.startsWith(prefix) : true))
    .sort((a, b) =>
      orderBy === 'LastEventTime'
        ? lastTs(a) - lastTs(b) || (a.name < b.name ? -1 : 1)
        : a.name < b.name
          ? -1
          : a.name > b.name
            ? 1
            : 0,
    );
  if (descending) list.reverse();
  const from =
    p.nextToken === undefined || p.nextToken === null
      ? 0
      : decodeToken(String(p.nextToken), 'InvalidParameterException', isOffsetToken).o;
  const page = list.slice(from, from + limit);
  const out: Params = {
    logStreams: page.map((s) => {
      const first = s.events[0];
      const last = s.events[s.events.length - 1];
      const stream: Params = {
        logStreamName: s.name,
        creationTime: s.creationTime,
        arn: `arn:aws:logs:us-east-1:123456789012:log-group:${group.name}:log-stream:${s.name}`,
        storedBytes: 0,
      };
      if (first) stream.firstEventTimestamp = first.timestamp;
      if (last) {
        stream.lastEventTimestamp = last.timestamp;
        stream.lastIngestionTime = last.ingestionTime;
      }
      return stream;
    }),
  };
  if (from + limit < list.length) out.nextToken = encodeToken({ o: from + limit });
  return out;
}

function describeLogGroups(state: SimState, p: Params): unknown {
  const prefix = p.logGroupNamePrefix;
  const limit = optInt(p, 'limit', 1, 50) ?? 50;
  const list = [...state.logs.groups.values()]
    .filter((g) => (typeof prefix === 'string' ? g.name.startsWith(prefix) : true))
    .sort((a, b) => (a.name < b.name ? -1 : 1));
  const from =
    p.nextToken === undefined || p.nextToken === null
      ? 0
      : decodeToken(String(p.nextToken), 'InvalidParameterException', isOffsetToken).o;
  const page = list.slice(from, from + limit);
  const out: Params = {
    logGroups: page.map((g) => ({
      logGroupName: g.name,
      creationTime: g.creationTime,
      arn: `arn:aws:logs:us-east-1:123456789012:log-group:${g.name}:*`,
      storedBytes: 0,
    })),
  };
  if (from + limit < list.length) out.nextToken = encodeToken({ o: from + limit });
  return out;
}

export const LOGS_OPERATIONS = ['FilterLogEvents', 'DescribeLogStreams', 'DescribeLogGroups'];

export function handleLogs(state: SimState, operation: string, params: Params, opts: LogsOptions): unknown {
  switch (operation) {
    case 'FilterLogEvents':
      return filterLogEvents(state, params, opts);
    case 'DescribeLogStreams':
      return describeLogStreams(state, params);
    case 'DescribeLogGroups':
      return describeLogGroups(state, params);
    default:
      throw new SimError(
        'UnknownOperationException',
        `The simulator does not implement Logs_20140328.${operation}`,
      );
  }
}

export function logsResource(params: Params): string | undefined {
  const v = params.logGroupName ?? params.logGroupIdentifier;
  return typeof v === 'string' ? v : undefined;
}
