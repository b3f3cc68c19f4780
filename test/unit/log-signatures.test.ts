import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  EXCERPT_CHARS,
  LogClassifier,
  MAX_EXCERPTS,
  classifyLogs,
  classifyLogsAsync,
  excerptOf,
  rootCauseClass,
  runIdOf,
  type LogEventInput,
} from '../../src/domain/log-signatures.js';
import { REDACTED } from '../../src/domain/redact.js';

const RUN_A = 'jr_0a1b2c3d4e5f';
const RUN_B = 'jr_ffee00112233';
let t = Date.parse('2026-11-26T02:00:00Z');
const ev = (message: string, stream = RUN_A): LogEventInput => ({
  timestamp: new Date((t += 1000)),
  message,
  stream,
});

test('each line lands in the right category and signature, table-driven', () => {
  const cases: [string, string, string][] = [
    [
      'ExecutorLostFailure (executor 3 exited caused by one of the running tasks) Reason: Container killed by YARN for exceeding memory limits. 5.5 GB of 5.5 GB physical memory used.',
      'memory',
      'container-killed',
    ],
    ['Container killed on request. Exit code is 137', 'memory', 'container-killed'],
    ['java.lang.OutOfMemoryError: GC overhead limit exceeded', 'memory', 'gc-overhead'],
    ['java.lang.OutOfMemoryError: Java heap space', 'memory', 'heap-space'],
    [
      'org.apache.spark.memory.SparkOutOfMemoryError: Unable to acquire 65536 bytes of memory, got 0',
      'memory',
      'out-of-memory',
    ],
    ['ERROR YarnScheduler: Lost executor 7 on 172.35.1.9: worker lost', 'memory', 'executor-lost'],
    [
      "pyspark.sql.utils.AnalysisException: cannot resolve 'customer_idx' given input columns",
      'schema',
      'cannot-resolve',
    ],
    [
      '[UNRESOLVED_COLUMN.WITH_SUGGESTION] A column or function parameter with name `amount_usd` cannot be resolved.',
      'schema',
      'cannot-resolve',
    ],
    [
      'org.apache.spark.sql.AnalysisException: Table or view not found: lake.events',
      'schema',
      'analysis-exception',
    ],
    [
      'Caused by: org.apache.parquet.io.ParquetDecodingException: Can not read value at 0 in block -1 in file s3://lake/x.parquet',
      'schema',
      'incompatible-types',
    ],
    [
      'Parquet column cannot be converted in file s3://lake/events/part-1.parquet. Column: [price], Expected: double, Found: INT32',
      'schema',
      'incompatible-types',
    ],
    ['Schema mismatch detected when writing to the Delta table', 'schema', 'schema-mismatch'],
    [
      'com.amazonaws.services.s3.model.AmazonS3Exception: Please reduce your request rate. (Service: Amazon S3; Status Code: 503; Error Code: SlowDown)',
      's3-throttling',
      's3-slowdown',
    ],
    [
      'org.apache.spark.SparkException: Python worker exited unexpectedly (crashed)',
      'python-udf',
      'python-worker-exited',
    ],
    [
      'pyspark.errors.exceptions.captured.PythonException: An exception was thrown from the Python worker.',
      'python-udf',
      'python-exception',
    ],
    [
      'ERROR GlueContext: Failed to update job bookmark for transformation_ctx datasource0',
      'bookmark',
      'bookmark-error',
    ],
    [
      'INFO JobBookmark: Job bookmark is enabled, skipping 1,204 already processed files',
      'bookmark',
      'bookmark',
    ],
    [
      'java.io.FileNotFoundException: No such file or directory: s3://lake/tmp/x',
      'exception',
      'exception:FileNotFoundException',
    ],
    // Azure Synapse (Livy / YARN, ADLS Gen2)
    [
      'Lost task 12.3 in stage 4.0: ExecutorLostFailure (executor 3 exited caused by one of the running tasks) Reason: Container killed by YARN for exceeding memory limits. 30.2 GB of 30 GB physical memory used. Container exited with a non-zero exit code 137. Killed by external signal',
      'memory',
      'container-killed',
    ],
    [
      'WARN YarnAllocator: Container marked as failed: container_1700000000000_0001_01_000004 on host: vm-3f2a1b0c. Exit status: 137. Diagnostics: Killed by external signal.',
      'memory',
      'container-killed',
    ],
    [
      'ERROR YarnScheduler: Lost executor 5 on vm-7d1e2c3b: Container from a bad node: container_1700000000000_0001_01_000006 on host: vm-7d1e2c3b. Exit status: 143. Diagnostics: Container killed on request. Exit code is 143.',
      'memory',
      'container-exit-143',
    ],
    [
      'Container exited with a non-zero exit code 143. Killed by external signal',
      'memory',
      'container-exit-143',
    ],
    [
      'Livy session has failed. Session state: Dead. Error code: LIVY_JOB_STATE_DEAD. [(my.Main) Application application_1700_0001 failed 1 times]',
      'exception',
      'livy-dead',
    ],
    [
      'Operation failed: "The server is busy.", 503, HEAD, https://contosolake.dfs.core.windows.net/lake/raw/sales/dt=2026-11-26?upn=false&action=getStatus&timeout=90, ServerBusy',
      's3-throttling',
      'adls-throttling',
    ],
    [
      'org.apache.hadoop.fs.azurebfs.contracts.exceptions.AbfsRestOperationException: Operation failed: "Egress is over the account limit.", 503, GET, https://contosolake.dfs.core.windows.net/lake/raw/x.parquet, ServerBusy',
      's3-throttling',
      'adls-throttling',
    ],
    [
      "org.apache.spark.sql.AnalysisException: cannot resolve column 'customer_id' given input columns: [event_id, cust_id, amount, dt]",
      'schema',
      'cannot-resolve',
    ],
    ["Traceback: KeyError: 'customer'", 'exception', 'exception:KeyError'],
    ['java.lang.Exception: boom', 'exception', 'exception:Exception'],
  ];
  for (const [line, category, id] of cases) {
    const r = classifyLogs([ev(line)]);
    assert.equal(r.signatures.length, 1, line);
    assert.equal(r.signatures[0]?.category, category, line);
    assert.equal(r.signatures[0]?.id, id, line);
  }
});

test('ordinary lines match nothing', () => {
  const lines = [
    'INFO SparkContext: Running Spark version 3.3.0-amzn-1',
    'INFO DAGScheduler: Job 3 finished: save at NativeMethodAccessorImpl.java:0, took 12.4 s',
    'WARN Error rate is nominal',
    'INFO Processed 1,204,000 records',
  ];
  const r = classifyLogs(lines.map((l) => ev(l)));
  assert.deepEqual(r.signatures, []);
  assert.equal(r.linesScanned, 4);
  assert.equal(r.linesMatched, 0);
});

test('counts per run, 1–3 distinct redacted excerpts, sorted by severity then count', () => {
  const events: LogEventInput[] = [];
  for (let i = 0; i < 5; i++) events.push(ev(`java.io.IOException: connection reset #${i}`, `${RUN_A}`));
  events.push(ev('java.lang.OutOfMemoryError: Java heap space', `${RUN_B}-driver`));
  events.push(ev('java.lang.OutOfMemoryError: Java heap space', `${RUN_A}_g-1234`));
  events.push(ev('java.lang.OutOfMemoryError: Java heap space (password=hunter2)', RUN_A));
  events.push(ev('java.lang.OutOfMemoryError: Java heap space at jdbc:postgresql://etl:pw@db:5432/x', RUN_A));
  events.push(ev('java.lang.OutOfMemoryError: Java heap space again', RUN_A));
  const r = classifyLogs(events);
  assert.deepEqual(
    r.signatures.map((s) => [s.id, s.count]),
    [
      ['heap-space', 5],
      ['exception:IOException', 5],
    ],
  );
  const heap = r.signatures[0];
  assert.ok(heap);
  assert.deepEqual(heap.countByRun, { [RUN_A]: 4, [RUN_B]: 1 });
  assert.ok(heap.excerpts.length >= 1 && heap.excerpts.length <= MAX_EXCERPTS);
  assert.equal(heap.excerpts.length, 3);
  assert.ok(heap.excerpts.some((e) => e.includes(`password=${REDACTED}`)));
  assert.ok(heap.excerpts.every((e) => !e.includes('hunter2') && !e.includes(':pw@')));
  // The IOException lines differ only in a number: one excerpt.
  assert.equal(r.signatures[1]?.excerpts.length, 1);
  assert.ok(heap.firstSeen.getTime() <= heap.lastSeen.getTime());
});

test('task timing lines feed per-stage task times and are not signatures', () => {
  const lines = [
    'INFO TaskSetManager: Finished task 0.0 in stage 7.0 (TID 100) in 1000 ms on 10.0.0.1 (executor 1) (1/3)',
    'INFO TaskSetManager: Finished task 1.0 in stage 7.0 (TID 101) in 3000 ms on 10.0.0.1 (executor 1) (2/3)',
    'INFO TaskSetManager: Finished task 2.0 in stage 7.0 (TID 102) in 412000 ms on 10.0.0.2 (executor 2) (3/3)',
    'INFO TaskSetManager: Finished task 0.0 in stage 8.0 (TID 103) in 50 ms on 10.0.0.2 (executor 2) (1/1)',
  ];
  const r = classifyLogs([...lines.map((l) => ev(l, RUN_A)), ev(lines[0] as string, RUN_B)]);
  assert.deepEqual(r.signatures, []);
  const s7 = r.stageTaskTimes.find((s) => s.runId === RUN_A && s.stageId === '7.0');
  assert.ok(s7);
  assert.equal(s7.tasks, 3);
  assert.equal(s7.maxMs, 412000);
  assert.equal(s7.medianMs, 3000);
  assert.equal(r.stageTaskTimes.length, 3, 'stages are kept apart per run');
});

test('excerpts are trimmed to a sane length around the match, on the matching line', () => {
  const long = `${'x'.repeat(5000)} java.lang.OutOfMemoryError: Java heap space ${'y'.repeat(5000)}`;
  const multi =
    'Traceback (most recent call last):\n  File "job.py", line 3\nValueError: bad literal\n  more';
  const e1 = excerptOf(long, long.indexOf('Java heap'));
  assert.ok(e1.length <= EXCERPT_CHARS + 2, String(e1.length));
  assert.ok(e1.includes('Java heap space'));
  assert.ok(e1.startsWith('…') && e1.endsWith('…'));
  assert.equal(excerptOf(multi, multi.indexOf('ValueError')), 'ValueError: bad literal');
  assert.equal(runIdOf({ stream: `${RUN_A}-job-insights-rca-driver` }), RUN_A);
  assert.equal(runIdOf({ stream: 'other', runId: 'jr_x' }), 'jr_x');
  assert.equal(runIdOf({ stream: 'other' }), 'other');
});

test('100k lines are classified with bounded state', () => {
  const c = new LogClassifier();
  let n = 0;
  for (let i = 0; i < 100_000; i++) {
    const run = i % 2 === 0 ? RUN_A : RUN_B;
    const kind = i % 10;
    const message =
      kind === 0
        ? `ERROR Executor: Exception in task ${i}.0 in stage 3.0: java.lang.OutOfMemoryError: Java heap space`
        : kind === 1
          ? `com.example.Custom${Math.floor(i / 10) % 500}Exception: failure ${i}`
          : `INFO TaskSetManager: Finished task ${i}.0 in stage ${i % 5}.0 (TID ${i}) in ${1000 + (i % 97)} ms on host (executor 1) (${i}/100000)`;
    c.add({ timestamp: i, message, stream: run });
    n++;
  }
  const r = c.result();
  assert.equal(r.linesScanned, n);
  const heap = r.signatures.find((s) => s.id === 'heap-space');
  assert.equal(heap?.count, 10_000);
  assert.equal(heap?.excerpts.length, 1);
  // 500 distinct custom exception classes: 200 kept, the rest counted as dropped.
  assert.equal(r.signatures.filter((s) => s.category === 'exception').length, 200);
  assert.equal(r.droppedSignatureEvents, 10_000 - 200 * 20);
  assert.equal(r.stageTaskTimes.length, 8); // 4 stages in each of the 2 runs
  assert.equal(
    r.stageTaskTimes.reduce((s, x) => s + x.tasks, 0),
    80_000,
  );
  assert.ok(r.stageTaskTimes.every((s) => s.sampled));
});

test('generic exceptions are grouped by their root cause, not by the wrapper', () => {
  const trace = [
    'py4j.protocol.Py4JJavaError: An error occurred while calling o91.save.',
    ': org.apache.spark.SparkException: Job aborted.',
    '\tat org.apache.spark.sql.execution.datasources.FileFormatWriter$.write(FileFormatWriter.scala:231)',
    'Caused by: java.io.IOException: Stream closed',
    'Caused by: java.net.SocketTimeoutException: Read timed out',
  ].join('\n');
  assert.equal(rootCauseClass(trace)?.cls, 'SocketTimeoutException');
  assert.equal(
    rootCauseClass('py4j.protocol.Py4JJavaError: x\n: java.lang.IllegalStateException: y')?.cls,
    'IllegalStateException',
  );
  assert.equal(rootCauseClass('org.apache.spark.SparkException: Job aborted.')?.cls, 'SparkException');
  assert.equal(rootCauseClass('Error: nothing qualified here'), undefined);
  const r = classifyLogs([ev(trace)]);
  assert.equal(r.signatures[0]?.id, 'exception:SocketTimeoutException');
  assert.equal(r.signatures[0]?.excerpts[0], 'Caused by: java.net.SocketTimeoutException: Read timed out');
});

test('classifyLogsAsync gives the same result as classifyLogs', async () => {
  const events = [ev('java.lang.OutOfMemoryError: Java heap space'), ev('INFO nothing'), ev('KeyError: x')];
  async function* source() {
    for (const e of events) yield e;
  }
  assert.deepEqual(await classifyLogsAsync(source()), classifyLogs(events));
});
