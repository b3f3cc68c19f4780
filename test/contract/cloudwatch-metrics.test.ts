// Contract: Glue job metrics through CloudWatch GetMetricData — the official @aws-sdk/client-cloudwatch
// against the simulator (AWS JSON 1.0, X-Amz-Target GraniteServiceVersion20100801.GetMetricData,
// awsQuery-compatible errors), and the MetricsSource adapter on top: series per run with the
// right sums, nothing for a job without --enable-metrics, observability metrics only where
// enabled, batches of at most 500 queries, pages merged, typed errors and retried throttling.
import { describe, it, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import {
  CloudWatchClient,
  GetMetricDataCommand,
  InvalidNextToken,
  InvalidParameterValueException,
  type MetricDataQuery,
} from '@aws-sdk/client-cloudwatch';
import { startSimulator, GCJOB, MYJOB, SPILLJOB, type GlueRun, type Simulator } from '../../sim/index.js';
import { awsEndpoint, parseEnv } from '../../src/config/env.js';
import { ProviderError, type RunWindow } from '../../src/providers/ports.js';
import {
  GLUE_METRICS,
  MAX_QUERIES_PER_CALL,
  createCloudWatchMetricsSource,
} from '../../src/providers/aws/cloudwatch-metrics.js';

const credentials = { accessKeyId: 'sim', secretAccessKey: 'sim' };

function windowOf(r: GlueRun): RunWindow {
  return {
    id: r.Id,
    startedOn: new Date(r.startedAt),
    completedOn: new Date(r.startedAt + r.startingMs + r.durationMs),
  };
}

function query(
  id: string,
  job: string,
  runId: string,
  metric: string,
  stat = 'Sum',
  type = 'count',
): MetricDataQuery {
  return {
    Id: id,
    MetricStat: {
      Metric: {
        Namespace: 'Glue',
        MetricName: metric,
        Dimensions: [
          { Name: 'JobName', Value: job },
          { Name: 'JobRunId', Value: runId },
          { Name: 'Type', Value: type },
        ],
      },
      Period: 60,
      Stat: stat,
    },
  };
}

describe('CloudWatch GetMetricData (official client against the simulator)', () => {
  let sim: Simulator;
  let cw: CloudWatchClient;
  before(async () => {
    sim = await startSimulator({});
    // The endpoint as the product resolves it: AWS_ENDPOINT_URL_CLOUDWATCH from the environment.
    const endpoint = awsEndpoint(parseEnv(sim.env(), { requireSlack: false }), 'cloudwatch');
    assert.equal(endpoint, sim.url);
    cw = new CloudWatchClient({ endpoint, region: 'us-east-1', credentials, maxAttempts: 3 });
  });
  after(() => sim.stop());
  beforeEach(() => {
    sim.setFaults([]);
    sim.clearRequests();
  });

  it('sums of 30-second deltas per minute add up to the run’s total; newest first by default', async () => {
    const run = sim.state.glue.runsOf(SPILLJOB.name)[0]!;
    const profile = sim.state.metrics.profileOf(run.Id)!;
    const w = windowOf(run);
    const out = await cw.send(
      new GetMetricDataCommand({
        MetricDataQueries: [query('bytes', SPILLJOB.name, run.Id, 'glue.driver.aggregate.bytesRead')],
        StartTime: w.startedOn,
        EndTime: new Date(w.completedOn!.getTime() + 120_000),
      }),
    );
    const r = out.MetricDataResults![0]!;
    assert.equal(r.StatusCode, 'Complete');
    const total = r.Values!.reduce((a, b) => a + b, 0);
    assert.ok(Math.abs(total - profile.counts!['glue.driver.aggregate.bytesRead']!) < 1, `${total}`);
    const ts = r.Timestamps!.map((d) => d.getTime());
    assert.deepEqual(
      ts,
      [...ts].sort((a, b) => b - a),
      'TimestampDescending',
    );
    assert.ok(
      ts.every((t) => t % 60_000 === 0),
      'aligned to the period',
    );
    assert.equal(sim.requests({ service: 'cloudwatch' })[0]!.operation, 'GetMetricData');
  });

  it('a job without --enable-metrics has no datapoints; a wrong dimension set matches nothing', async () => {
    const oom = sim.state.glue.runsOf('OomJob')[0]!;
    const my = sim.state.glue.runsOf(MYJOB.name)[0]!;
    const noType = query('notype', MYJOB.name, my.Id, 'glue.driver.aggregate.bytesRead');
    noType.MetricStat!.Metric!.Dimensions = noType.MetricStat!.Metric!.Dimensions!.slice(0, 2);
    const out = await cw.send(
      new GetMetricDataCommand({
        MetricDataQueries: [query('oom', 'OomJob', oom.Id, 'glue.driver.aggregate.bytesRead'), noType],
        StartTime: new Date(oom.startedAt - 86_400_000 * 30),
        EndTime: new Date(sim.state.now()),
      }),
    );
    assert.deepEqual(
      out.MetricDataResults!.map((r) => [r.Id, r.Values!.length]),
      [
        ['oom', 0],
        ['notype', 0],
      ],
    );
  });

  it('pages by MaxDatapoints with NextToken; the pages put together equal one answer', async () => {
    const run = sim.state.glue.runsOf(SPILLJOB.name)[0]!;
    const w = windowOf(run);
    const input = {
      MetricDataQueries: [
        query('a', SPILLJOB.name, run.Id, 'glue.driver.aggregate.bytesRead'),
        query('b', SPILLJOB.name, run.Id, 'glue.ALL.jvm.heap.usage', 'Maximum', 'gauge'),
      ],
      StartTime: w.startedOn,
      EndTime: new Date(w.completedOn!.getTime() + 120_000),
      ScanBy: 'TimestampAscending' as const,
    };
    const whole = await cw.send(new GetMetricDataCommand(input));
    const got = new Map<string, number[]>();
    let token: string | undefined;
    let pages = 0;
    do {
      const page = await cw.send(
        new GetMetricDataCommand({ ...input, MaxDatapoints: 7, ...(token ? { NextToken: token } : {}) }),
      );
      pages++;
      const n = page.MetricDataResults!.reduce((s, r) => s + r.Values!.length, 0);
      assert.ok(n <= 7);
      for (const r of page.MetricDataResults!) got.set(r.Id!, [...(got.get(r.Id!) ?? []), ...r.Values!]);
      token = page.NextToken;
    } while (token);
    assert.ok(pages > 3);
    for (const r of whole.MetricDataResults!) assert.deepEqual(got.get(r.Id!), r.Values, r.Id);
  });

  it('typed errors: over 500 queries, a bad NextToken', async () => {
    const run = sim.state.glue.runsOf(SPILLJOB.name)[0]!;
    const many = Array.from({ length: MAX_QUERIES_PER_CALL + 1 }, (_, i) =>
      query(`q${i}`, SPILLJOB.name, run.Id, 'glue.driver.aggregate.bytesRead'),
    );
    await assert.rejects(
      cw.send(
        new GetMetricDataCommand({ MetricDataQueries: many, StartTime: new Date(0), EndTime: new Date() }),
      ),
      (e: unknown) => e instanceof InvalidParameterValueException && /500/.test(e.message),
    );
    await assert.rejects(
      cw.send(
        new GetMetricDataCommand({
          MetricDataQueries: many.slice(0, 1),
          StartTime: new Date(0),
          EndTime: new Date(),
          NextToken: 'not-a-token',
        }),
      ),
      (e: unknown) => e instanceof InvalidNextToken,
    );
  });
});

describe('MetricsSource over GetMetricData (adapter)', () => {
  let sim: Simulator;
  before(async () => {
    sim = await startSimulator({});
  });
  after(() => sim.stop());
  beforeEach(() => {
    sim.setFaults([]);
    sim.clearRequests();
  });
  const source = (extra: Partial<Parameters<typeof createCloudWatchMetricsSource>[0]> = {}) =>
    createCloudWatchMetricsSource({
      endpoint: sim.url,
      region: 'us-east-1',
      credentials,
      maxAttempts: 3,
      now: () => sim.state.now(),
      ...extra,
    });

  it('series by neutral name for each run, in the order asked; totals agree with the run', async () => {
    const runs = sim.state.glue.runsOf(SPILLJOB.name).slice(0, 4);
    const out = await source().runMetrics(SPILLJOB.name, runs.map(windowOf));
    assert.deepEqual(
      out.map((r) => r.runId),
      runs.map((r) => r.Id),
    );
    for (const [i, r] of out.entries()) {
      const profile = sim.state.metrics.profileOf(runs[i]!.Id)!;
      const bytes = r.series.find((s) => s.name === 'bytesRead')!;
      assert.equal(bytes.unit, 'bytes');
      const sum = bytes.points.reduce((a, p) => a + p.value, 0);
      assert.ok(Math.abs(sum - profile.counts!['glue.driver.aggregate.bytesRead']!) < 1);
      const times = bytes.points.map((p) => p.at.getTime());
      assert.deepEqual(
        times,
        [...times].sort((a, b) => a - b),
        'oldest first',
      );
      const heap = r.series.find((s) => s.name === 'executorHeapUsage')!;
      assert.ok(heap.points.every((p) => p.value > 0 && p.value <= 1));
      // SpillJob has no observability metrics.
      assert.equal(
        r.series.find((s) => s.name === 'skewnessJob'),
        undefined,
      );
    }
    // The degraded run's executor heap is fuller than a baseline run's.
    const maxHeap = (k: number) =>
      Math.max(...out[k]!.series.find((s) => s.name === 'executorHeapUsage')!.points.map((p) => p.value));
    assert.ok(maxHeap(0) > maxHeap(3));
  });

  it('a run without metrics gives no series, not an error', async () => {
    const out = await source().runMetrics(
      'OomJob',
      sim.state.glue.runsOf('OomJob').slice(0, 2).map(windowOf),
    );
    assert.deepEqual(
      out.map((r) => r.series),
      [[], []],
    );
  });

  it('observability metrics where --enable-observability-metrics is on (GcJob)', async () => {
    const [r] = await source().runMetrics(GCJOB.name, [windowOf(sim.state.glue.runsOf(GCJOB.name)[0]!)]);
    const names = r!.series.map((s) => s.name);
    for (const n of ['skewnessJob', 'skewnessStage', 'workerUtilization', 'errors'] as const)
      assert.ok(names.includes(n), n);
    assert.ok(r!.series.find((s) => s.name === 'workerUtilization')!.points.every((p) => p.value >= 0.85));
  });

  it('batches at most 500 queries a call and pages through NextToken', async () => {
    // 60 hourly runs of a metrics-enabled job: more runs than one call can ask for.
    const now = sim.state.now();
    sim.state.glue.addJob(
      {
        Name: 'MetricsBatchJob',
        NumberOfWorkers: 3,
        WorkerType: 'G.1X',
        DefaultArguments: { '--enable-metrics': '' },
      },
      now,
    );
    for (let i = 0; i < 60; i++)
      sim.state.glue.addRun({
        JobName: 'MetricsBatchJob',
        startedAt: now - (i + 2) * 3_600_000,
        durationSec: 600 + i,
      });
    const runs = sim.state.glue.runsOf('MetricsBatchJob');
    assert.equal(runs.length, 60);
    const src = source({ pageDatapoints: 500 });
    const out = await src.runMetrics('MetricsBatchJob', runs.map(windowOf));
    const calls = sim.requests({ service: 'cloudwatch', operation: 'GetMetricData' });
    const perRun = Math.floor(MAX_QUERIES_PER_CALL / GLUE_METRICS.length);
    const sizes = calls.map((c) => (c.params.MetricDataQueries as unknown[]).length);
    assert.ok(
      sizes.every((n) => n <= MAX_QUERIES_PER_CALL),
      `${sizes}`,
    );
    const batches = new Set(calls.filter((c) => c.params.NextToken === undefined).map((c) => c.seq)).size;
    assert.equal(batches, Math.ceil(60 / perRun));
    assert.ok(
      calls.some((c) => c.params.NextToken !== undefined),
      'pages followed',
    );
    // Every run's series complete despite the paging: one point per minute of its execution.
    for (const [i, r] of out.entries()) {
      const run = runs[i]!;
      const bytes = r.series.find((s) => s.name === 'bytesRead')!;
      const sum = bytes.points.reduce((a, p) => a + p.value, 0);
      assert.ok(
        Math.abs(sum - sim.state.metrics.defaultProfile(run).counts!['glue.driver.aggregate.bytesRead']!) < 1,
      );
    }
    assert.equal(src.stats().calls, calls.length);
  });

  it('throttling is retried by the SDK and counted; access denied names the IAM action', async () => {
    const run = windowOf(sim.state.glue.runsOf(SPILLJOB.name)[0]!);
    sim.setFaults([{ service: 'cloudwatch', operation: 'GetMetricData', error: 'throttle', count: 1 }]);
    const src = source();
    const [r] = await src.runMetrics(SPILLJOB.name, [run]);
    assert.ok(r!.series.length > 0);
    assert.equal(src.stats().throttled, 1);
    assert.equal(src.stats().retries, 1);
    sim.setFaults([{ service: 'cloudwatch', operation: 'GetMetricData', error: 'denied' }]);
    await assert.rejects(
      source().runMetrics(SPILLJOB.name, [run]),
      (e: unknown) =>
        e instanceof ProviderError && e.code === 'ACCESS_DENIED' && e.action === 'cloudwatch:GetMetricData',
    );
  });
});
