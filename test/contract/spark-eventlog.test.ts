// Contract: the event-log reader against logs Apache Spark itself wrote (test/fixtures/spark-events,
// Apache Spark's own test fixtures: Spark 3.1.0 standalone, 3.1.1 on YARN, 3.3.0 local). The stage
// and task counts, task times, GC and spill figures are asserted twice: against the numbers the
// fixtures' README states (verified by hand) and against a naive oracle in this file that parses
// every line with JSON.parse and keeps every task. The reader is fed in chunks of several sizes
// (lines split anywhere), whole and split into a rolled eventlog_v2_ directory.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createReadStream, readFileSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  evaluateRun,
  groupEventLogs,
  readEventLog,
  sparkFindings,
  type EventLogSummary,
  type ReadChunks,
} from '../../src/domain/spark/index.js';

const DIR = fileURLToPath(new URL('../fixtures/spark-events/', import.meta.url));
const YARN = 'application_1628109047826_1317105';
const STANDALONE = 'app-20200706201101-0003';
const LOCAL = 'local-1642039451826';

interface OracleStage {
  tasks: number;
  succeeded: number;
  killed: number;
  failed: number;
  /** Successful tasks' Finish − Launch, sorted. */
  times: number[];
  runMs: number;
  gcMs: number;
  memSpill: number;
  diskSpill: number;
  shuffleRead: number;
  name: string;
}

/** Everything, the slow way: every line parsed, every task kept. */
function oracle(file: string): {
  stages: Map<number, OracleStage>;
  executorsAdded: number;
  executorsRemoved: number;
  jobs: number;
} {
  const stages = new Map<number, OracleStage>();
  let executorsAdded = 0;
  let executorsRemoved = 0;
  let jobs = 0;
  for (const line of readFileSync(DIR + file, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    const e = JSON.parse(line) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    if (e.Event === 'SparkListenerExecutorAdded' && e['Executor ID'] !== 'driver') executorsAdded++;
    if (e.Event === 'SparkListenerExecutorRemoved') executorsRemoved++;
    if (e.Event === 'SparkListenerJobStart') jobs++;
    if (e.Event === 'SparkListenerStageSubmitted') {
      const id = e['Stage Info']['Stage ID'] as number;
      const s = stages.get(id) ?? emptyStage();
      s.name = e['Stage Info']['Stage Name'];
      stages.set(id, s);
    }
    if (e.Event !== 'SparkListenerTaskEnd') continue;
    const id = e['Stage ID'] as number;
    const s = stages.get(id) ?? emptyStage();
    stages.set(id, s);
    const info = e['Task Info'];
    const m = e['Task Metrics'] ?? {};
    const reason = e['Task End Reason'].Reason as string;
    s.tasks++;
    if (reason === 'Success') {
      s.succeeded++;
      s.times.push(info['Finish Time'] - info['Launch Time']);
    } else if (reason === 'TaskKilled') s.killed++;
    else s.failed++;
    s.runMs += m['Executor Run Time'] ?? 0;
    s.gcMs += m['JVM GC Time'] ?? 0;
    s.memSpill += m['Memory Bytes Spilled'] ?? 0;
    s.diskSpill += m['Disk Bytes Spilled'] ?? 0;
    const sr = m['Shuffle Read Metrics'] ?? {};
    s.shuffleRead += (sr['Remote Bytes Read'] ?? 0) + (sr['Local Bytes Read'] ?? 0);
  }
  for (const s of stages.values()) s.times.sort((a, b) => a - b);
  return { stages, executorsAdded, executorsRemoved, jobs };
}

function emptyStage(): OracleStage {
  return {
    tasks: 0,
    succeeded: 0,
    killed: 0,
    failed: 0,
    times: [],
    runMs: 0,
    gcMs: 0,
    memSpill: 0,
    diskSpill: 0,
    shuffleRead: 0,
    name: '',
  };
}

/** Spark's median: the value at index min(floor(n / 2), n − 1) of the sorted values. */
function sparkMedian(sorted: number[]): number {
  return sorted[Math.min(Math.floor(sorted.length / 2), sorted.length - 1)] as number;
}

/** A file in chunks of `size` bytes (lines split at arbitrary places). */
function fileChunks(size: number): ReadChunks {
  return (key) => createReadStream(key, { highWaterMark: size });
}

async function read(file: string, chunk: number): Promise<EventLogSummary> {
  const size = statSync(DIR + file).size;
  return readEventLog({ files: [{ key: DIR + file, size, index: 0 }], inProgress: false }, fileChunks(chunk));
}

function assertMatchesOracle(summary: EventLogSummary, file: string): void {
  const o = oracle(file);
  assert.equal(summary.status, 'read');
  assert.equal(summary.read.badLines, 0, 'every line parses');
  assert.deepEqual(
    summary.stages.map((s) => s.stageId),
    [...o.stages.keys()].sort((a, b) => a - b),
  );
  for (const s of summary.stages) {
    const want = o.stages.get(s.stageId) as OracleStage;
    const where = `${file} stage ${s.stageId}`;
    assert.equal(s.name, want.name, where);
    assert.equal(s.tasks.ended, want.tasks, where);
    assert.equal(s.tasks.succeeded, want.succeeded, where);
    assert.equal(s.tasks.killed, want.killed, where);
    assert.equal(s.tasks.failed, want.failed, where);
    assert.equal(s.taskMs.count, want.times.length, where);
    assert.equal(s.taskMs.min, want.times[0], where);
    assert.equal(s.taskMs.max, want.times[want.times.length - 1], where);
    assert.equal(s.taskMs.median, sparkMedian(want.times), where);
    assert.equal(s.taskMs.exact, true, `${where}: small stages get exact quantiles`);
    assert.equal(s.executorRunMs, want.runMs, where);
    assert.equal(s.gcMs, want.gcMs, where);
    assert.equal(s.memorySpilledBytes, want.memSpill, where);
    assert.equal(s.diskSpilledBytes, want.diskSpill, where);
    assert.equal(s.shuffleReadBytes, want.shuffleRead, where);
  }
  assert.equal(summary.app.executors.added, o.executorsAdded);
  assert.equal(summary.app.executors.removed, o.executorsRemoved);
  assert.equal(summary.app.jobs.count, o.jobs);
}

describe('Spark event logs written by Spark (contract)', () => {
  for (const chunk of [7, 4096, 1 << 20]) {
    it(`${YARN} (Spark 3.1.1 on YARN), ${chunk}-byte chunks: 1 stage, 5 tasks, one killed speculative copy`, async () => {
      const s = await read(YARN, chunk);
      assertMatchesOracle(s, YARN);
      assert.equal(s.app.sparkVersion, '3.1.1.119');
      assert.equal(s.app.appId, YARN);
      assert.equal(s.stages.length, 1);
      const st = s.stages[0]!;
      assert.deepEqual(st.tasks, { ended: 5, succeeded: 4, failed: 0, killed: 1, speculative: 1 });
      assert.equal(st.taskMs.min, 2234);
      assert.equal(st.taskMs.max, 63773);
      assert.equal(st.taskMs.median, 5124);
      assert.equal(s.app.executors.added, 10);
      assert.equal(s.app.executors.removed, 6);
      assert.equal(s.app.totals.gcMs, 0);
      assert.equal(s.incomplete, false);
      const e = evaluateRun(s);
      // max ÷ median ≈ 12.4: severe by the ratio, but the longest task (64 s) is under Dr. Elephant's 150 s.
      assert.equal(Math.round(e.stages[0]!.skew.ratio * 100) / 100, 12.45);
      assert.equal(e.stages[0]!.skew.rawSeverity, 'severe');
      assert.equal(e.stages[0]!.skew.longEnough, false);
      assert.equal(e.stages[0]!.skew.dominatesStage, true, '63.8 s of a 64.2 s stage');
      assert.equal(e.stages[0]!.skew.severity, 'none');
    });
  }

  for (const chunk of [7, 65_536]) {
    it(`${STANDALONE} (Spark 3.1.0 standalone), ${chunk}-byte chunks: 3 stages × 16 tasks, GC ≈ 0.084 of run time`, async () => {
      const s = await read(STANDALONE, chunk);
      assertMatchesOracle(s, STANDALONE);
      assert.equal(s.stages.length, 3);
      assert.deepEqual(
        s.stages.map((x) => x.tasks.ended),
        [16, 16, 16],
      );
      assert.equal(s.app.totals.tasks, 48);
      assert.equal(s.app.totals.executorRunMs, 32_976);
      assert.equal(s.app.totals.gcMs, 2_754);
      assert.equal(s.app.totals.memorySpilledBytes, 0);
      assert.equal(s.app.totals.diskSpilledBytes, 0);
      const e = evaluateRun(s);
      assert.equal(Math.round(e.app.gc.ratio * 1000) / 1000, 0.084);
      // Over Dr. Elephant's 0.08, but 33 s of executor time is under its 5-minute floor.
      assert.equal(e.app.gc.counted, false);
      assert.equal(e.app.gc.severity, 'none');
      for (const st of e.stages) assert.equal(st.spill.severity, 'none');
    });
  }

  it(`${LOCAL} (Spark 3.3.0 local): 6 stages with tasks, 35 tasks, GC 88 ms of 1,929 ms`, async () => {
    const s = await read(LOCAL, 1000);
    assertMatchesOracle(s, LOCAL);
    assert.equal(s.stages.length, 6);
    assert.equal(s.app.totals.tasks, 35);
    assert.equal(s.app.totals.gcMs, 88);
    assert.equal(s.app.totals.executorRunMs, 1_929);
    assert.equal(s.app.properties['spark.app.id'], LOCAL);
    assert.equal(s.app.properties['spark.master'], 'local[*]');
    // Two SQL executions, none evaluating Python.
    assert.deepEqual(s.app.python.operators, []);
    assert.equal(s.stages.filter((x) => x.sqlExecutionId !== undefined).length, 6);
    const findings = sparkFindings(s, evaluateRun(s));
    assert.deepEqual(findings, [], 'a healthy 2-second local run has nothing to report');
  });

  it('a rolled log (eventlog_v2_<appId>/events_<n>_<appId>) reads the same as the single file, files in index order', async () => {
    const whole = readFileSync(DIR + STANDALONE);
    // Split at three line boundaries into events_1.._4 (listed out of order, with the appstatus marker).
    const cuts = [0];
    for (const frac of [0.2, 0.5, 0.8]) cuts.push(whole.indexOf(10, Math.floor(whole.length * frac)) + 1);
    cuts.push(whole.length);
    const prefix = `logs/eventlog_v2_${STANDALONE}/`;
    const ranges = new Map<string, [number, number]>();
    const listing = [3, 1, 4, 2].map((n) => {
      const key = `${prefix}events_${n}_${STANDALONE}`;
      ranges.set(key, [cuts[n - 1] as number, cuts[n] as number]);
      return { key, size: (cuts[n] as number) - (cuts[n - 1] as number) };
    });
    listing.push({ key: `${prefix}appstatus_${STANDALONE}`, size: 0 });
    const logs = groupEventLogs(listing);
    assert.equal(logs.length, 1, 'the appstatus marker is not a log');
    const log = logs[0]!;
    assert.equal(log.layout, 'rolled');
    assert.equal(log.appId, STANDALONE);
    assert.equal(log.totalBytes, whole.length);
    assert.deepEqual(
      log.files.map((f) => f.index),
      [1, 2, 3, 4],
    );
    const rolled = await readEventLog(log, (key) => {
      const [start, end] = ranges.get(key)!;
      return createReadStream(DIR + STANDALONE, { highWaterMark: 333, start, end: end - 1 });
    });
    assert.equal(rolled.read.files, 4);
    assertMatchesOracle(rolled, STANDALONE);
    const single = await read(STANDALONE, 4096);
    assert.deepEqual(rolled.stages, single.stages);
    assert.deepEqual(rolled.app, single.app);
  });
});
