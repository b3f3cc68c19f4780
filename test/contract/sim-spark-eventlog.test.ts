// Contract: the simulator's Spark event logs are Spark's format — every field the simulator writes
// exists, with the same JSON type, in the logs Spark 3.3 itself wrote (test/fixtures/spark-events/
// local-1642039451826) — and the scenarios' logs are found and read through the official S3 client
// the way triage will: listed under the job's --spark-event-logs-path by time window, matched by
// the run id in their Spark properties, read with ranged GETs.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  eventLogText,
  startSimulator,
  GCJOB,
  SPARK_UI,
  SPILLJOB,
  UDFJOB,
  LOGGED_RUNS,
  type GlueRun,
  type Simulator,
} from '../../sim/index.js';
import { createS3Client, S3ObjectStore } from '../../src/providers/aws/s3-object-store.js';
import { eventLogReader, listEventLogs } from '../../src/providers/spark-event-logs.js';
import { readEventLog, sparkEvidence, type RunRef } from '../../src/domain/spark/index.js';
import { createCloudWatchLogSource } from '../../src/providers/aws/cloudwatch-logs.js';
import { LogClassifier, PERFORMANCE_FILTER_PATTERN } from '../../src/domain/log-signatures.js';
import { ERROR_LOG_GROUP } from '../../sim/index.js';

const REAL = fileURLToPath(new URL('../fixtures/spark-events/local-1642039451826', import.meta.url));
const GB = 1024 ** 3;

type Shape = { type: string; fields?: Map<string, Shape>; items?: Shape };

/** The union of field names and JSON types of every object of one event type. */
function shapeOf(v: unknown, into?: Shape): Shape {
  const type = Array.isArray(v) ? 'array' : v === null ? 'null' : typeof v;
  const s: Shape = into ?? { type };
  if (type === 'object') {
    s.fields ??= new Map();
    for (const [k, x] of Object.entries(v as Record<string, unknown>))
      s.fields.set(k, shapeOf(x, s.fields.get(k)));
  }
  if (type === 'array') for (const x of v as unknown[]) s.items = shapeOf(x, s.items);
  return s;
}

/** Fields of `sim` that `real` lacks or types differently (free-form maps are not compared). */
function extraFields(sim: Shape, real: Shape, path: string, out: string[]): void {
  const free =
    /(Spark|Hadoop|System) Properties|Classpath Entries|JVM Information|Properties$|Log Urls|Attributes|Resources|modifiedConfigs|metadata$/;
  if (free.test(path)) return;
  // Numbers may be written as strings by Spark in accumulables ("Update": "12" or 12).
  if (sim.type !== real.type && !(path.endsWith('.Update') || path.endsWith('.Value'))) {
    out.push(`${path}: ${sim.type} vs Spark's ${real.type}`);
    return;
  }
  for (const [k, s] of sim.fields ?? []) {
    const r = real.fields?.get(k);
    if (!r) out.push(`${path}.${k}`);
    else extraFields(s, r, `${path}.${k}`, out);
  }
  if (sim.items && real.items) extraFields(sim.items, real.items, `${path}[]`, out);
}

function shapesByEvent(text: string): Map<string, Shape> {
  const m = new Map<string, Shape>();
  for (const line of text.split('\n')) {
    if (!line) continue;
    const e = JSON.parse(line) as { Event: string };
    m.set(e.Event, shapeOf(e, m.get(e.Event)));
  }
  return m;
}

describe('the simulator writes Spark’s own event-log format', () => {
  it('every event type and field it writes is in a log Spark 3.3 wrote', () => {
    const real = shapesByEvent(readFileSync(REAL, 'utf8'));
    const { text } = eventLogText({
      appId: 'spark-application-1764500000000',
      appName: 'ShapeCheck',
      startedAt: 1_764_500_000_000,
      executors: 2,
      coresPerExecutor: 2,
      executorMemory: '4g',
      stages: [
        {
          name: 'parquet at x.py:1',
          tasks: 6,
          taskMs: 1000,
          inputBytes: GB,
          shuffleWriteBytes: GB,
          failedTasks: 1,
        },
        {
          name: 'save at x.py:2',
          tasks: 4,
          taskMs: 2000,
          shuffleReadBytes: GB,
          memorySpilledBytes: GB / 4,
          python: 'BatchEvalPython',
        },
      ],
    });
    const sim = shapesByEvent(text);
    // Events the Spark 3.3 sample has no instance of are checked against the 3.1 samples below.
    const notInSample = ['SparkListenerExecutorRemoved'];
    const extra: string[] = [];
    for (const [event, shape] of sim) {
      if (notInSample.includes(event)) continue;
      const r = real.get(event);
      if (!r) extra.push(`event ${event}`);
      else extraFields(shape, r, event, extra);
    }
    // Failure reasons are not in the sample (every task succeeded): their fields are Spark's
    // ExceptionFailure as JsonProtocol writes it.
    const allowed =
      /Task End Reason\.(Class Name|Description|Stack Trace|Full Stack Trace|Accumulator Updates)$/;
    assert.deepEqual(
      extra.filter((f) => !allowed.test(f)),
      [],
    );
    const yarn = shapesByEvent(
      readFileSync(
        fileURLToPath(new URL('../fixtures/spark-events/application_1628109047826_1317105', import.meta.url)),
        'utf8',
      ),
    );
    const removed: string[] = [];
    extraFields(
      sim.get('SparkListenerExecutorRemoved')!,
      yarn.get('SparkListenerExecutorRemoved')!,
      'ExecutorRemoved',
      removed,
    );
    assert.deepEqual(removed, []);
  });
});

describe('scenario event logs through S3 (official client)', () => {
  let sim: Simulator;
  let store: S3ObjectStore;
  before(async () => {
    sim = await startSimulator({});
    store = new S3ObjectStore(
      createS3Client({
        endpoint: sim.url,
        region: 'us-east-1',
        forcePathStyle: true,
        credentials: { accessKeyId: 'sim', secretAccessKey: 'sim' },
      }),
    );
  });
  after(() => sim.stop());

  const ref = (r: GlueRun): RunRef => ({
    id: r.Id,
    startedOn: new Date(r.startedAt),
    completedOn: new Date(r.startedAt + r.startingMs + r.durationMs),
  });

  async function evidence(job: string) {
    const runs = sim.state.glue.runsOf(job); // newest first
    const run = ref(runs[0]!);
    const baselines = runs.slice(3, LOGGED_RUNS).map(ref);
    const from = new Date(baselines.at(-1)!.startedOn.getTime() - 10 * 60_000);
    const listing = await listEventLogs(
      store,
      { container: SPARK_UI.bucket, prefix: SPARK_UI.prefix },
      { window: { from, to: run.completedOn! } },
    );
    sim.clearRequests();
    const ev = await sparkEvidence({
      listing,
      read: eventLogReader(store, SPARK_UI.bucket, listing, { chunkBytes: 256 * 1024 }),
      run,
      baselines,
      now: new Date(sim.state.now()),
    });
    return { ev, runs, listing };
  }

  it('the jobs carry --enable-spark-ui and --spark-event-logs-path', () => {
    for (const job of [SPILLJOB.name, UDFJOB.name, GCJOB.name, 'SkewJob', 'HealthyJob']) {
      const args = sim.state.glue.jobs.get(job)!.DefaultArguments;
      assert.equal(args['--enable-spark-ui'], 'true', job);
      assert.equal(args['--spark-event-logs-path'], SPARK_UI.path, job);
    }
  });

  it('SpillJob: its log found by run id, read in ranged GETs; spill named as the growth', async () => {
    const { ev, runs } = await evidence(SPILLJOB.name);
    assert.equal(ev.run.log?.matchedBy, 'run-id');
    assert.equal(ev.run.summary?.app.glueRunId, runs[0]!.Id);
    assert.equal(ev.baseline?.runId, runs[3]!.Id);
    assert.ok(
      sim
        .requests({ service: 's3', operation: 'GetObject' })
        .every((r) => typeof r.params.range === 'string'),
      'every read is ranged',
    );
    assert.equal(ev.diff?.grewMost?.name, SPILLJOB.spillStage);
    assert.equal(ev.diff?.grewMost?.dominant, 'spill');
    const top = ev.findings[0]!;
    assert.equal(top.id, 'spill');
    assert.equal(top.explainsGrowth, true);
    assert.equal(top.recommendation.setting, 'spark.sql.shuffle.partitions');
    assert.equal(top.recommendation.to, '400');
    assert.deepEqual(ev.notes, []);
  });

  it('UdfJob: the Python UDF stage (BatchEvalPython) is the growth', async () => {
    const { ev } = await evidence(UDFJOB.name);
    assert.deepEqual(ev.run.summary?.app.python.operators, ['BatchEvalPython']);
    assert.equal(ev.diff?.grewMost?.name, UDFJOB.udfStage);
    assert.equal(ev.diff?.grewMost?.dominant, 'python-udf');
    assert.equal(ev.findings[0]?.id, 'python-udf');
    assert.equal(ev.findings[0]?.explainsGrowth, true);
  });

  it('GcJob: a rolled log; GC is the growth; more memory per executor', async () => {
    const { ev } = await evidence(GCJOB.name);
    assert.equal(ev.run.log?.layout, 'rolled');
    assert.ok((ev.run.log?.files ?? 0) >= 2);
    assert.equal(ev.diff?.grewMost?.dominant, 'gc');
    assert.equal(ev.findings[0]?.id, 'gc-pressure');
    assert.equal(ev.findings[0]?.recommendation.to, String(20 * GB));
  });

  it('SkewJob: the skewed stage of its TaskSetManager lines', async () => {
    const { ev } = await evidence('SkewJob');
    assert.equal(ev.diff?.grewMost?.name, 'save at SkewJob.py:40');
    assert.equal(ev.diff?.grewMost?.dominant, 'skew');
    assert.equal(ev.findings[0]?.id, 'task-skew');
    assert.equal(ev.findings[0]?.severity, 'critical');
  });

  it('HealthyJob: read, nothing found', async () => {
    const { ev } = await evidence('HealthyJob');
    assert.equal(ev.run.summary?.status, 'read');
    assert.deepEqual(ev.findings, []);
  });

  it('a run older than the logged ones: no log, said so, nothing thrown', async () => {
    const old = ref(sim.state.glue.runsOf(SPILLJOB.name).at(-1)!);
    const listing = await listEventLogs(store, { container: SPARK_UI.bucket, prefix: SPARK_UI.prefix });
    const ev = await sparkEvidence({
      listing,
      read: eventLogReader(store, SPARK_UI.bucket, listing),
      run: old,
    });
    assert.equal(ev.run.notRead?.reason, 'not-found');
    assert.deepEqual(ev.findings, []);
    assert.equal(ev.notes.length, 1);
  });

  it('a head read stops early: only the first chunk of a log is fetched to check its run id', async () => {
    const listing = await listEventLogs(store, { container: SPARK_UI.bucket, prefix: SPARK_UI.prefix });
    const single = listing.find((l) => /sparkHistoryLogs\/spark-application-\d+$/.test(l.key))!;
    sim.clearRequests();
    const head = await readEventLog(
      { files: [{ key: single.key, size: single.size, index: 0 }], inProgress: false },
      eventLogReader(store, SPARK_UI.bucket, listing, { chunkBytes: 64 * 1024 }),
      { headOnly: true },
    );
    assert.ok(head.app.glueRunId?.startsWith('jr_'));
    assert.equal(sim.requests({ service: 's3', operation: 'GetObject' }).length, 1);
  });

  it('PERFORMANCE_FILTER_PATTERN selects exactly the performance and task-time lines (FilterLogEvents)', async () => {
    const logs = createCloudWatchLogSource({
      endpoint: sim.url,
      region: 'us-east-1',
      credentials: { accessKeyId: 'sim', secretAccessKey: 'sim' },
    });
    const cases: [string, string, number][] = [
      [SPILLJOB.name, 'spill-to-disk', 72 * 3],
      [UDFJOB.name, 'python-udf-times', 72],
      [GCJOB.name, 'full-gc', 9 * 60],
    ];
    for (const [job, id, perfLines] of cases) {
      const run = sim.state.glue.runsOf(job)[0]!;
      const stream = sim.state.logs.group(ERROR_LOG_GROUP)!.streams.get(run.Id)!;
      const finished = stream.events.filter((e) =>
        e.message.includes('TaskSetManager: Finished task'),
      ).length;
      const classifier = new LogClassifier();
      let n = 0;
      for await (const e of logs.events({
        group: ERROR_LOG_GROUP,
        streamNames: [run.Id],
        start: new Date(run.startedAt),
        filterPattern: PERFORMANCE_FILTER_PATTERN,
        maxEvents: 100_000,
      })) {
        n++;
        classifier.add({ timestamp: e.timestamp, message: e.message, stream: e.stream });
      }
      const r = classifier.result();
      assert.equal(n, perfLines + finished, job);
      assert.deepEqual(
        r.signatures.map((x) => [x.id, x.count]),
        [[id, perfLines]],
        job,
      );
      assert.equal(
        r.stageTaskTimes.reduce((a, x) => a + x.tasks, 0),
        finished,
        job,
      );
      assert.ok(stream.events.length > n, `${job}: other lines are left out`);
    }
  });
});
