// CloudWatch (metrics) over the protocol the current @aws-sdk/client-cloudwatch speaks: AWS JSON 1.0
// with `X-Amz-Target: GraniteServiceVersion20100801.<Op>` and the awsQuery-compatible error header
// (`x-amzn-query-error: <Code>;Sender`), timestamps as epoch seconds. Only GetMetricData, for the
// Glue namespace (metrics-store.ts).
//
// GetMetricData: at most 500 queries a call; each MetricStat's datapoints are aggregated into
// Period buckets (aligned to the epoch) with its Stat; results are newest first unless ScanBy is
// TimestampAscending; a call returns at most MaxDatapoints (default 100,800) datapoints over all
// its results, marking cut results PartialData and giving a NextToken for the rest.
import { SimError } from './sim-error.js';
import type { SimState } from './state.js';
import type { Datapoint } from './metrics-store.js';

type Params = Record<string, unknown>;

export const MAX_QUERIES = 500;
const DEFAULT_MAX_DATAPOINTS = 100_800;
const ID = /^[a-z][a-zA-Z0-9_]*$/;

function invalid(message: string): SimError {
  return new SimError('InvalidParameterValue', message);
}

interface Query {
  id: string;
  label?: string;
  returnData: boolean;
  namespace: string;
  metricName: string;
  dimensions: Record<string, string>;
  period: number;
  stat: string;
}

function parseQuery(raw: unknown, i: number): Query {
  if (typeof raw !== 'object' || raw === null)
    throw invalid(`MetricDataQueries.member.${i + 1} is not an object`);
  const q = raw as Params;
  const id = q.Id;
  if (typeof id !== 'string' || !ID.test(id))
    throw invalid(`The value ${String(id)} for parameter MetricDataQueries.member.${i + 1}.Id is not valid.`);
  if (q.Expression !== undefined)
    throw invalid('Metric math expressions are not supported by the simulator; use MetricStat.');
  const ms = q.MetricStat as Params | undefined;
  const metric = ms?.Metric as Params | undefined;
  if (!ms || !metric || typeof metric.MetricName !== 'string')
    throw invalid(`MetricDataQueries.member.${i + 1} needs a MetricStat with a Metric`);
  const period = ms.Period;
  if (typeof period !== 'number' || !Number.isInteger(period) || period <= 0)
    throw invalid(
      `The parameter MetricDataQueries.member.${i + 1}.MetricStat.Period must be a positive integer.`,
    );
  const stat = ms.Stat;
  if (typeof stat !== 'string' || !['Sum', 'Average', 'Maximum', 'Minimum', 'SampleCount'].includes(stat))
    throw invalid(
      `The simulator supports the statistics Sum, Average, Maximum, Minimum and SampleCount, not ${String(stat)}.`,
    );
  const dimensions: Record<string, string> = {};
  for (const d of (metric.Dimensions as unknown[] | undefined) ?? []) {
    const dim = d as Params;
    if (typeof dim.Name !== 'string' || typeof dim.Value !== 'string')
      throw invalid('Dimensions need Name and Value');
    dimensions[dim.Name] = dim.Value;
  }
  return {
    id,
    ...(typeof q.Label === 'string' ? { label: q.Label } : {}),
    returnData: q.ReturnData !== false,
    namespace: typeof metric.Namespace === 'string' ? metric.Namespace : '',
    metricName: metric.MetricName,
    dimensions,
    period,
    stat,
  };
}

function aggregate(
  points: Datapoint[],
  periodSec: number,
  stat: string,
  startMs: number,
  endMs: number,
): Datapoint[] {
  const buckets = new Map<number, number[]>();
  const p = periodSec * 1000;
  for (const pt of points) {
    if (pt.at < startMs || pt.at >= endMs) continue;
    const b = Math.floor(pt.at / p) * p;
    const list = buckets.get(b) ?? [];
    list.push(pt.value);
    buckets.set(b, list);
  }
  const out: Datapoint[] = [];
  for (const [at, values] of buckets) {
    let value: number;
    switch (stat) {
      case 'Sum':
        value = values.reduce((a, b) => a + b, 0);
        break;
      case 'Average':
        value = values.reduce((a, b) => a + b, 0) / values.length;
        break;
      case 'Maximum':
        value = Math.max(...values);
        break;
      case 'Minimum':
        value = Math.min(...values);
        break;
      default:
        value = values.length;
    }
    out.push({ at, value });
  }
  return out.sort((a, b) => a.at - b.at);
}

function seriesFor(state: SimState, q: Query): Datapoint[] {
  if (q.namespace !== 'Glue') return [];
  const jobName = q.dimensions.JobName;
  const runId = q.dimensions.JobRunId;
  if (!jobName || !runId) return [];
  const job = state.glue.jobs.get(jobName);
  if (!job) return [];
  const runs =
    runId === 'ALL' ? state.glue.runsOf(jobName) : state.glue.runsOf(jobName).filter((r) => r.Id === runId);
  const now = state.now();
  const points: Datapoint[] = [];
  for (const run of runs)
    points.push(
      ...state.metrics.runSeries(job, run, { metricName: q.metricName, dimensions: q.dimensions }, now),
    );
  return points;
}

export function handleCloudWatch(state: SimState, operation: string, p: Params): unknown {
  if (operation !== 'GetMetricData')
    throw new SimError(
      'UnknownOperationException',
      `The simulator does not implement CloudWatch ${operation}`,
    );
  const raw = p.MetricDataQueries;
  if (!Array.isArray(raw) || raw.length === 0) throw invalid('The parameter MetricDataQueries is required.');
  if (raw.length > MAX_QUERIES)
    throw invalid(`The collection MetricDataQueries must not have a size greater than ${MAX_QUERIES}.`);
  const queries = raw.map(parseQuery);
  const ids = new Set<string>();
  for (const q of queries) {
    if (ids.has(q.id)) throw invalid(`The value ${q.id} for MetricDataQueries Id is used more than once.`);
    ids.add(q.id);
  }
  if (typeof p.StartTime !== 'number' || typeof p.EndTime !== 'number')
    throw invalid('The parameters StartTime and EndTime are required.');
  const startMs = p.StartTime * 1000;
  const endMs = p.EndTime * 1000;
  if (endMs <= startMs) throw invalid('The parameter StartTime must be less than the parameter EndTime.');
  const max = p.MaxDatapoints === undefined ? DEFAULT_MAX_DATAPOINTS : p.MaxDatapoints;
  if (typeof max !== 'number' || !Number.isInteger(max) || max < 1)
    throw invalid('MaxDatapoints must be a positive integer.');
  const ascending = p.ScanBy === 'TimestampAscending';
  let skip = 0;
  if (p.NextToken !== undefined) {
    const decoded =
      typeof p.NextToken === 'string'
        ? /^gmd1:(\d+)$/.exec(Buffer.from(p.NextToken, 'base64url').toString('utf8'))
        : null;
    if (!decoded) throw new SimError('InvalidNextToken', 'The service returned an invalid NextToken.');
    skip = Number(decoded[1]);
  }

  const results = queries
    .filter((q) => q.returnData)
    .map((q) => {
      const points = aggregate(seriesFor(state, q), q.period, q.stat, startMs, endMs);
      if (!ascending) points.reverse();
      return { q, points };
    });
  // One page: skip what earlier pages returned, then take up to `max` datapoints in query order.
  let toSkip = skip;
  let budget = max;
  let taken = 0;
  let more = false;
  const page = results.map(({ q, points }) => {
    const from = Math.min(points.length, toSkip);
    toSkip -= from;
    const n = Math.min(points.length - from, budget);
    budget -= n;
    taken += n;
    const slice = points.slice(from, from + n);
    const partial = from + n < points.length;
    if (partial) more = true;
    return {
      Id: q.id,
      Label: q.label ?? q.metricName,
      Timestamps: slice.map((pt) => pt.at / 1000),
      Values: slice.map((pt) => pt.value),
      StatusCode: partial ? 'PartialData' : 'Complete',
      Messages: [],
    };
  });
  return {
    MetricDataResults: page,
    ...(more ? { NextToken: Buffer.from(`gmd1:${skip + taken}`, 'utf8').toString('base64url') } : {}),
    Messages: [],
  };
}

/** The job a GetMetricData call is about (its first query's JobName), for fault rules. */
export function cloudWatchResource(p: Params): string | undefined {
  const q = Array.isArray(p.MetricDataQueries) ? (p.MetricDataQueries[0] as Params | undefined) : undefined;
  const dims = ((q?.MetricStat as Params | undefined)?.Metric as Params | undefined)?.Dimensions;
  if (!Array.isArray(dims)) return undefined;
  const job = dims.find((d) => (d as Params).Name === 'JobName') as Params | undefined;
  return typeof job?.Value === 'string' ? job.Value : undefined;
}
