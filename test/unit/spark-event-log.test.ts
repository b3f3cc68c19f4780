// The event-log reader's parts: line splitting over arbitrary chunks, the bounded quantile sketch
// and its error bound, executor busy spans, Spark's file naming (single, rolled, compressed,
// in progress), codec magic bytes, task end reasons, Python plans and metrics, the Glue run id,
// and finding a run's log among an event-log location's applications.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  EventLogAggregator,
  QuantileSketch,
  RELATIVE_ACCURACY,
  appIdStartTime,
  candidatesInWindow,
  codecFromMagic,
  groupEventLogs,
  locateRunEventLog,
  readEventLog,
  sparkEvidence,
  type ReadChunks,
} from '../../src/domain/spark/index.js';
import { IntervalSet } from '../../src/domain/spark/interval-set.js';
import { LineSplitter } from '../../src/domain/spark/line-splitter.js';
import { EXACT_LIMIT } from '../../src/domain/spark/quantile-sketch.js';
import { eventLogText, type SparkAppSpec } from '../../sim/spark-eventlog.js';

const GB = 1024 ** 3;

function chunksOf(buf: Buffer, size: number): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < buf.length; i += size) out.push(buf.subarray(i, i + size));
  return out;
}

function reader(files: Record<string, Buffer | string>, chunk = 4096, reads: string[] = []): ReadChunks {
  return async function* (key: string) {
    reads.push(key);
    const body = files[key];
    if (body === undefined) throw new Error(`no ${key}`);
    for (const c of chunksOf(Buffer.isBuffer(body) ? body : Buffer.from(body), chunk)) yield c;
  };
}

describe('LineSplitter', () => {
  const lines = [
    '{"Event":"SparkListenerTaskEnd","a":1}',
    '{"Event":"SparkListenerTaskStart","b":"' + 'x'.repeat(300) + '"}',
    '{"Event":"SparkListenerStageCompleted","c":"é ü"}',
    'not json',
    '{"Event":"SparkListenerTaskEnd","d":"' + 'y'.repeat(500) + '"}',
  ];
  const text = Buffer.from(`${lines.join('\n')}\n`);
  const want = (n: string) => n !== 'SparkListenerTaskStart';
  for (const size of [1, 2, 7, 64, 150, 1000, text.length]) {
    it(`${size}-byte chunks: every wanted line whole, unwanted ones skipped by name`, () => {
      const got: string[] = [];
      const s = new LineSplitter(want, (b, from, to) => got.push(b.toString('utf8', from, to)));
      for (const c of chunksOf(text, size)) s.push(c);
      s.end();
      assert.deepEqual(got, [lines[0], lines[2], lines[3], lines[4]]);
      assert.equal(s.stats.lines, 5);
      assert.equal(s.stats.skipped, 1);
      assert.equal(s.stats.bytes, text.length);
    });
  }
  it('CRLF, a last line without a newline, empty lines', () => {
    const got: string[] = [];
    const s = new LineSplitter(
      () => true,
      (b, f, t) => got.push(b.toString('utf8', f, t)),
    );
    s.push(Buffer.from('{"Event":"A"}\r\n\n{"Event":"B"}'));
    s.end();
    assert.deepEqual(got, ['{"Event":"A"}', '{"Event":"B"}']);
  });
  it('a line over the limit is dropped and counted, the next one read', () => {
    const got: string[] = [];
    const s = new LineSplitter(
      () => true,
      (b, f, t) => got.push(b.toString('utf8', f, t)),
      200,
    );
    const long = `{"Event":"SparkListenerTaskEnd","x":"${'z'.repeat(1000)}"}`;
    for (const c of chunksOf(Buffer.from(`${long}\n{"Event":"B"}\n`), 37)) s.push(c);
    s.end();
    assert.deepEqual(got, ['{"Event":"B"}']);
    assert.equal(s.stats.oversized, 1);
    assert.equal(s.stats.lines, 2);
  });
});

describe('QuantileSketch', () => {
  it(`exact up to ${EXACT_LIMIT} values, with Spark's rank rule`, () => {
    const s = new QuantileSketch();
    for (const v of [5, 1, 4, 2, 3, 6]) s.add(v);
    assert.equal(s.exact, true);
    assert.equal(s.quantile(0.5), 4, 'index floor(0.5 × 6) = 3 of [1..6]');
    assert.equal(s.quantile(0), 1);
    assert.equal(s.quantile(1), 6);
  });

  const distributions: [string, (i: number) => number][] = [
    ['uniform 1–10 s', (i) => 1000 + ((i * 7919) % 9000)],
    [
      'log-normal-ish spread over 4 decades',
      (i) => Math.round(10 * Math.exp(((i * 104729) % 10_000) / 1086)),
    ],
    ['mostly equal with a long tail', (i) => (i % 100 === 0 ? 500_000 : 4000 + (i % 13))],
    ['with zeros', (i) => (i % 10 === 0 ? 0 : i)],
  ];
  for (const [name, gen] of distributions) {
    it(`within ${RELATIVE_ACCURACY * 100} % of the exact value at the rank: ${name}`, () => {
      const n = 100_000;
      const s = new QuantileSketch();
      const all: number[] = [];
      for (let i = 0; i < n; i++) {
        const v = gen(i);
        s.add(v);
        all.push(v);
      }
      all.sort((a, b) => a - b);
      assert.equal(s.exact, false);
      assert.ok(s.bucketCount < 1200, `${s.bucketCount} buckets`);
      assert.equal(s.count, n);
      assert.equal(s.max, all[n - 1]);
      assert.equal(s.min, all[0]);
      for (const q of [0.01, 0.25, 0.5, 0.75, 0.9, 0.99]) {
        const exact = all[Math.min(Math.floor(q * n), n - 1)] as number;
        const est = s.quantile(q);
        if (exact === 0) assert.equal(est, 0);
        else
          assert.ok(Math.abs(est - exact) / exact <= RELATIVE_ACCURACY + 1e-12, `q=${q}: ${est} vs ${exact}`);
      }
    });
  }
  it('merging gives the quantiles of the union', () => {
    const a = new QuantileSketch();
    const b = new QuantileSketch();
    for (let i = 1; i <= 1000; i++) (i % 2 ? a : b).add(i);
    a.merge(b);
    assert.equal(a.count, 1000);
    assert.ok(Math.abs(a.quantile(0.5) - 501) / 501 <= RELATIVE_ACCURACY);
  });
});

describe('IntervalSet', () => {
  it('the union of overlapping and touching spans', () => {
    const s = new IntervalSet();
    s.add(10, 20);
    s.add(15, 30);
    s.add(40, 50);
    s.add(30, 35);
    s.add(0, 5);
    assert.equal(s.busyWithin(0, 100), 5 + 25 + 10);
    assert.equal(s.busyWithin(12, 45), 23 + 5);
    assert.equal(s.mergedGapMs, 0);
  });
  it('past its cap it merges the closest spans and says by how much', () => {
    const s = new IntervalSet(4);
    for (let i = 0; i < 10; i++) s.add(i * 100, i * 100 + 50 + (i === 3 ? 45 : 0));
    assert.equal(s.size, 4);
    const exactBusy = 10 * 50 + 45;
    const busy = s.busyWithin(0, 10_000);
    assert.equal(busy - exactBusy, s.mergedGapMs, 'over-estimate equals the merged gaps');
  });
});

describe('event-log names (Spark EventLogFileWriters)', () => {
  it('single files, rolled directories, codecs, attempts, in-progress logs; markers left out', () => {
    const t = new Date('2026-11-30T12:00:00Z');
    const logs = groupEventLogs([
      { key: 'p/spark-application-1764500000000', size: 10, lastModified: t },
      { key: 'p/spark-application-1764500000001.zstd', size: 10 },
      { key: 'p/application_1628109047826_1317105_1.lz4.inprogress', size: 10 },
      { key: 'p/local-1642039451826.inprogress', size: 10 },
      {
        key: 'p/eventlog_v2_spark-application-1764500000002/events_10_spark-application-1764500000002',
        size: 3,
      },
      {
        key: 'p/eventlog_v2_spark-application-1764500000002/events_2_spark-application-1764500000002',
        size: 2,
      },
      {
        key: 'p/eventlog_v2_spark-application-1764500000002/appstatus_spark-application-1764500000002.inprogress',
        size: 0,
      },
      {
        key: 'p/eventlog_v2_spark-application-1764500000002/events_9_spark-application-1764500000002',
        size: 1,
      },
      { key: 'p/eventlog_v2_app-20200706201101-0003/events_1_app-20200706201101-0003.snappy', size: 5 },
      { key: 'p/', size: 0 },
      { key: 'p/_SUCCESS', size: 0 },
      { key: 'p/readme.txt', size: 3 },
    ]);
    const summary = logs.map((l) => [
      l.appId,
      l.attemptId ?? '',
      l.layout,
      l.codec ?? '',
      l.inProgress,
      l.files.map((f) => f.index).join(','),
    ]);
    assert.deepEqual(summary, [
      ['spark-application-1764500000000', '', 'single', '', false, '0'],
      ['spark-application-1764500000001', '', 'single', 'zstd', false, '0'],
      ['application_1628109047826_1317105', '1', 'single', 'lz4', true, '0'],
      ['local-1642039451826', '', 'single', '', true, '0'],
      ['spark-application-1764500000002', '', 'rolled', '', false, '2,9,10'],
      ['app-20200706201101-0003', '', 'rolled', 'snappy', false, '1'],
    ]);
    assert.equal(logs[4]!.totalBytes, 6);
    assert.equal(logs[0]!.lastModified?.getTime(), t.getTime());
  });

  it('start times in application ids', () => {
    assert.equal(
      appIdStartTime('spark-application-1764500000000')?.toISOString(),
      '2025-11-30T10:53:20.000Z',
    );
    assert.equal(appIdStartTime('local-1642039451826')?.getTime(), 1642039451826);
    assert.equal(appIdStartTime('app-20200706201101-0003')?.toISOString(), '2020-07-06T20:11:01.000Z');
    assert.equal(
      appIdStartTime('application_1628109047826_1317105'),
      undefined,
      "YARN ids carry the RM's start",
    );
  });

  const magic: [string, number[], string | undefined][] = [
    ['lz4-java block', [...Buffer.from('LZ4Block')], 'lz4'],
    ['LZ4 frame', [0x04, 0x22, 0x4d, 0x18], 'lz4'],
    ['snappy-java stream', [0x82, ...Buffer.from('SNAPPY'), 0], 'snappy'],
    ['snappy framed', [0xff, 0x06, 0, 0, ...Buffer.from('sNaPpY')], 'snappy'],
    ['zstd', [0x28, 0xb5, 0x2f, 0xfd], 'zstd'],
    ['lzf chunk', [0x5a, 0x56, 0x00, 0x10], 'lzf'],
    ['gzip', [0x1f, 0x8b, 8], 'gzip'],
    ['JSON lines', [...Buffer.from('{"Event":"SparkListenerLogStart"')], undefined],
  ];
  for (const [name, bytes, codec] of magic)
    it(`magic bytes: ${name} → ${codec ?? 'plain'}`, () =>
      assert.equal(codecFromMagic(Uint8Array.from(bytes)), codec));
});

const APP: SparkAppSpec = {
  appId: 'spark-application-1764500000000',
  appName: 'UnitJob',
  startedAt: 1_764_500_000_000,
  executors: 2,
  coresPerExecutor: 2,
  executorMemory: '4g',
  properties: { 'spark.glue.JOB_RUN_ID': 'jr_unit', 'spark.glue.JOB_NAME': 'UnitJob' },
  stages: [
    {
      name: 'parquet at u.py:1',
      tasks: 8,
      taskMs: 2000,
      inputBytes: GB,
      shuffleWriteBytes: GB,
      failedTasks: 2,
    },
    { name: 'save at u.py:9', tasks: 4, taskMs: 3000, shuffleReadBytes: GB, python: 'ArrowEvalPython' },
  ],
};

describe('readEventLog', () => {
  it('a compressed log by its name is not read at all; by its first bytes, one chunk is', async () => {
    const reads: string[] = [];
    const byName = await readEventLog(
      { files: [{ key: 'a.zstd', size: 4, index: 0 }], codec: 'zstd', inProgress: false },
      reader({}, 4096, reads),
    );
    assert.equal(byName.status, 'compressed');
    assert.equal(byName.codec, 'zstd');
    assert.equal(byName.codecFrom, 'name');
    assert.deepEqual(reads, []);
    const body = Buffer.concat([Buffer.from([0x28, 0xb5, 0x2f, 0xfd]), Buffer.alloc(10_000)]);
    const byMagic = await readEventLog(
      { files: [{ key: 'b', size: body.length, index: 0 }], inProgress: false },
      reader({ b: body }),
    );
    assert.equal(byMagic.status, 'compressed');
    assert.equal(byMagic.codec, 'zstd');
    assert.equal(byMagic.codecFrom, 'magic');
    assert.equal(byMagic.read.bytes, 0);
  });

  it('task end reasons: failed, killed (TaskKilled, TaskCommitDenied), success', () => {
    const agg = new EventLogAggregator();
    const end = (reason: string, launch: number) =>
      agg.event({
        Event: 'SparkListenerTaskEnd',
        'Stage ID': 1,
        'Stage Attempt ID': 0,
        'Task End Reason': { Reason: reason },
        'Task Info': {
          'Launch Time': launch,
          'Finish Time': launch + 100,
          'Executor ID': '1',
          Speculative: false,
          Killed: false,
          Accumulables: [],
        },
        'Task Metrics': { 'Executor Run Time': 90, 'JVM GC Time': 5 },
      });
    for (const r of [
      'Success',
      'Success',
      'ExceptionFailure',
      'FetchFailed',
      'ExecutorLostFailure',
      'TaskKilled',
      'TaskCommitDenied',
      'Resubmitted',
    ])
      end(r, 1000);
    const s = agg.summary().stages[0]!;
    assert.deepEqual(s.tasks, { ended: 8, succeeded: 2, failed: 4, killed: 2, speculative: 0 });
    assert.equal(s.taskMs.count, 2, 'only successful attempts make the task-time distribution');
    assert.equal(s.executorRunMs, 8 * 90);
    assert.equal(agg.badLines, 0);
  });

  it('a line that does not fit the schema is counted, not thrown', () => {
    const agg = new EventLogAggregator();
    agg.event({ Event: 'SparkListenerTaskEnd', 'Stage ID': 'one' });
    agg.event({ nothing: true });
    agg.line(Buffer.from('{oops'), 0, 5);
    assert.equal(agg.badLines, 3);
  });

  it('Python operators from the plan tree, Arrow or not; stages of those queries flagged', async () => {
    const { text } = eventLogText(APP);
    const s = await readEventLog(
      { files: [{ key: 'x', size: text.length, index: 0 }], inProgress: false },
      reader({ x: text }, 777),
    );
    assert.deepEqual(s.app.python.operators, ['ArrowEvalPython']);
    assert.deepEqual(
      s.stages.map((x) => x.pythonUdf),
      [false, true],
    );
    assert.equal(s.app.python.udfStageRunMs, s.stages[1]!.executorRunMs);
    assert.equal(s.app.python.metricMs, undefined, 'Spark 3.3 has no Python timing metrics');
    assert.deepEqual(s.stages[0]!.tasks, { ended: 10, succeeded: 8, failed: 2, killed: 0, speculative: 0 });
    assert.equal(s.app.glueRunId, 'jr_unit');
    assert.equal(s.app.glueJobName, 'UnitJob');
    assert.equal(s.incomplete, false);
  });

  it('Python timing metrics (Spark 4\'s "time to run Python workers") are summed from the tasks\' accumulables', () => {
    const agg = new EventLogAggregator();
    agg.event({
      Event: 'org.apache.spark.sql.execution.ui.SparkListenerSQLExecutionStart',
      executionId: 7,
      description: 'd',
      physicalPlanDescription: '',
      sparkPlanInfo: {
        nodeName: 'WholeStageCodegen (1)',
        children: [
          {
            nodeName: 'BatchEvalPython',
            children: [],
            metrics: [
              { name: 'time to run Python workers', accumulatorId: 901, metricType: 'timing' },
              { name: 'time to execute Python code', accumulatorId: 902, metricType: 'nsTiming' },
              { name: 'data sent to Python workers', accumulatorId: 903, metricType: 'size' },
            ],
          },
        ],
      },
    });
    agg.event({
      Event: 'SparkListenerJobStart',
      'Job ID': 0,
      'Stage IDs': [3],
      Properties: { 'spark.sql.execution.id': '7' },
    });
    agg.event({
      Event: 'SparkListenerTaskEnd',
      'Stage ID': 3,
      'Task End Reason': { Reason: 'Success' },
      'Task Info': {
        'Launch Time': 1,
        'Finish Time': 5000,
        'Executor ID': '1',
        Accumulables: [
          { ID: 901, Update: '4000' },
          { ID: 902, Update: 2_000_000_000 },
          { ID: 903, Update: 123456 },
        ],
      },
      'Task Metrics': { 'Executor Run Time': 4900 },
    });
    const s = agg.summary();
    assert.equal(s.stages[0]!.pythonMetricMs, 4000 + 2000);
    assert.equal(s.app.python.metricMs, 6000);
  });

  it('the Glue run id from the driver command line when the property is missing', () => {
    const agg = new EventLogAggregator();
    const id = `jr_${'ab'.repeat(32)}`;
    agg.event({
      Event: 'SparkListenerEnvironmentUpdate',
      'Spark Properties': { 'spark.app.name': 'x' },
      'System Properties': { 'sun.java.command': `SparkSubmit script.py --JOB_RUN_ID ${id} --JOB_NAME x` },
    });
    assert.equal(agg.summary().app.glueRunId, id);
  });

  it('a log without its application end: incomplete, lifetimes end at the last event', async () => {
    const { text } = eventLogText({ ...APP, incomplete: true });
    const s = await readEventLog(
      { files: [{ key: 'x', size: 0, index: 0 }], inProgress: true },
      reader({ x: text }),
    );
    assert.equal(s.incomplete, true);
    assert.equal(s.inProgress, true);
    assert.ok((s.app.durationMs ?? 0) > 0);
  });

  it('headOnly stops after the environment and the application start', async () => {
    const { text } = eventLogText(APP);
    const got: number[] = [];
    const s = await readEventLog(
      { files: [{ key: 'x', size: 0, index: 0 }], inProgress: false },
      async function* () {
        for (const c of chunksOf(Buffer.from(text), 1024)) {
          got.push(c.length);
          yield c;
        }
      },
      { headOnly: true },
    );
    assert.equal(s.app.glueRunId, 'jr_unit');
    assert.equal(s.app.appId, APP.appId);
    assert.ok(got.length < 12, `${got.length} chunks of ${Math.ceil(text.length / 1024)}`);
    assert.equal(s.stages.length, 0);
  });
});

describe('finding a run’s log', () => {
  const H = 3_600_000;
  const start = APP.startedAt - 10_000;
  const logA = eventLogText(APP).text;
  const other = eventLogText({
    ...APP,
    appId: `spark-application-${APP.startedAt + 500}`,
    properties: { 'spark.glue.JOB_RUN_ID': 'jr_other' },
  }).text;
  const files: Record<string, string> = {
    [`p/spark-application-${APP.startedAt + 500}`]: other,
    [`p/${APP.appId}`]: logA,
    [`p/spark-application-${APP.startedAt - 48 * H}`]: other,
  };
  const listing = Object.entries(files).map(([key, body]) => ({ key, size: body.length }));

  it('by time window first (application id time), then by the run id in the properties', async () => {
    const candidates = groupEventLogs(listing);
    const inWindow = candidatesInWindow(candidates, {
      startedOn: new Date(start),
      completedOn: new Date(start + H),
    });
    assert.equal(inWindow.length, 2, 'the log of two days before is out');
    const reads: string[] = [];
    const r = await locateRunEventLog(
      candidates,
      { id: 'jr_unit', startedOn: new Date(start), completedOn: new Date(start + H) },
      reader(files, 4096, reads),
    );
    assert.equal(r.found?.log.appId, APP.appId);
    assert.equal(r.found?.matchedBy, 'run-id');
    assert.equal(r.inWindow, 2);
    assert.ok(r.headsRead <= 2);
  });

  it('a compressed log of the run’s time is named in the evidence', async () => {
    const ev = await sparkEvidence({
      listing: [{ key: `p/${APP.appId}.lz4`, size: 100 }],
      read: reader({}),
      run: { id: 'jr_unit', startedOn: new Date(start), completedOn: new Date(start + H) },
    });
    assert.equal(ev.run.notRead?.reason, 'compressed');
    assert.equal(ev.run.notRead?.codec, 'lz4');
    assert.match(ev.notes[0]!, /compressed with lz4/);
    assert.deepEqual(ev.findings, []);
  });

  it('no baseline given: the run is still evaluated, the note says so', async () => {
    const ev = await sparkEvidence({
      listing,
      read: reader(files),
      run: { id: 'jr_unit', startedOn: new Date(start), completedOn: new Date(start + H) },
    });
    assert.equal(ev.run.summary?.status, 'read');
    assert.equal(ev.diff, undefined);
    assert.deepEqual(ev.notes, ['no baseline run to compare the event log with']);
  });
});
