// Spark event logs as Spark 3.3 writes them (JsonProtocol: one {"Event": "SparkListener…"} object
// per line, field names and order as in Spark's own logs — compare test/fixtures/spark-events/
// local-1642039451826), generated from a small description of an application: its executors,
// and stages with task counts, times, bytes, spill, GC, skew and Python UDF plans. Deterministic:
// the same spec gives the same bytes. Lines are produced lazily (a generator), so a 1 GB log can be
// written to a file without holding it in memory.
import { hash01 } from './random.js';

export interface SparkStageSpec {
  /** Spark's stage name, the call site: e.g. "save at SpillJob.py:42". */
  name: string;
  tasks: number;
  /** Typical task time, ms. */
  taskMs: number;
  /** Spread of task times around taskMs, ± this fraction (default 0.1). */
  jitter?: number;
  /** The first `tasks` tasks (of the stage's indices 0…) take `factor` × taskMs. */
  skew?: { tasks: number; factor: number };
  /** Stage totals, spread evenly over the tasks (skewed tasks read `factor` × their share). */
  inputBytes?: number;
  outputBytes?: number;
  shuffleReadBytes?: number;
  shuffleWriteBytes?: number;
  memorySpilledBytes?: number;
  diskSpilledBytes?: number;
  /** JVM GC time ÷ executor run time of each task (default 0.01). */
  gcShare?: number;
  /** Tasks that fail once (ExceptionFailure) before a retry succeeds. */
  failedTasks?: number;
  /** The stage runs a SQL query whose plan evaluates a Python UDF with this operator. */
  python?: 'BatchEvalPython' | 'ArrowEvalPython';
  /** Peak Execution Memory of each task, bytes (default 64 MB when the stage spills, else 0). */
  peakExecutionMemoryBytes?: number;
  /** Pause before the stage is submitted, ms (driver-side work; executors idle). */
  gapBeforeMs?: number;
}

export interface SparkAppSpec {
  /** e.g. spark-application-1764500000000 (Glue's form: the driver's start, epoch ms). */
  appId: string;
  appName: string;
  /** Default 3.3.0-amzn-1 (Glue 4.0). */
  sparkVersion?: string;
  /** Epoch ms of the application start. */
  startedAt: number;
  executors: number;
  coresPerExecutor: number;
  /** spark.executor.memory, e.g. "10g". */
  executorMemory: string;
  /** More Spark properties, e.g. spark.glue.JOB_RUN_ID. */
  properties?: Record<string, string>;
  /** The driver's command line (System Properties sun.java.command). */
  javaCommand?: string;
  stages: SparkStageSpec[];
  /** Executors stay this long after the last stage before the application ends, ms (default 5 s). */
  tailMs?: number;
  /** Leave out the SparkListenerApplicationEnd (a run that died or still runs). */
  incomplete?: boolean;
  /** Seed of the deterministic jitter (default: appId). */
  seed?: string;
}

const MB = 1024 * 1024;
const EXECUTOR_START_MS = 8_000;
const STAGE_OVERHEAD_MS = 40;

/** Glue's application id for a driver started at `ms`. */
export function glueAppId(ms: number): string {
  return `spark-application-${Math.floor(ms)}`;
}

function accumulable(id: number, name: string, update: number | string, value: number | string, sql = false) {
  return {
    ID: id,
    Name: name,
    Update: update,
    Value: value,
    Internal: true,
    'Count Failed Values': true,
    ...(sql ? { Metadata: 'sql' } : {}),
  };
}

function rddInfo(stage: SparkStageSpec, rddId: number) {
  return [
    {
      'RDD ID': rddId,
      Name: 'MapPartitionsRDD',
      Scope: '{"id":"1","name":"WholeStageCodegen (1)"}',
      Callsite: stage.name,
      'Parent IDs': [],
      'Storage Level': { 'Use Disk': false, 'Use Memory': false, Deserialized: false, Replication: 1 },
      Barrier: false,
      DeterministicLevel: 'DETERMINATE',
      'Number of Partitions': stage.tasks,
      'Number of Cached Partitions': 0,
      'Memory Size': 0,
      'Disk Size': 0,
    },
  ];
}

function stageInfo(stage: SparkStageSpec, stageId: number, submitted?: number, completed?: number) {
  return {
    'Stage ID': stageId,
    'Stage Attempt ID': 0,
    'Stage Name': stage.name,
    'Number of Tasks': stage.tasks,
    'RDD Info': rddInfo(stage, stageId * 2 + 1),
    'Parent IDs': stageId > 0 ? [stageId - 1] : [],
    Details: `org.apache.spark.sql.Dataset.collect(Dataset.scala:3130)\n${stage.name}`,
    ...(submitted !== undefined ? { 'Submission Time': submitted } : {}),
    ...(completed !== undefined ? { 'Completion Time': completed } : {}),
    Accumulables: [],
    'Resource Profile Id': 0,
  };
}

/** A SQL plan whose root writes, with a Python node (and its Python metrics) when the stage has one. */
function planInfo(stage: SparkStageSpec, accBase: number) {
  const scan = {
    nodeName: 'Scan parquet ',
    simpleString: 'FileScan parquet [event_id#0L,user_id#1,amount#2L]',
    children: [],
    metadata: {},
    metrics: [{ name: 'number of files read', accumulatorId: accBase, metricType: 'sum' }],
  };
  const python = stage.python
    ? {
        nodeName: stage.python,
        simpleString: `${stage.python} [score(amount#2L)#10], [pythonUDF0#20]`,
        children: [scan],
        metadata: {},
        metrics: [
          { name: 'data sent to Python workers', accumulatorId: accBase + 1, metricType: 'size' },
          { name: 'data returned from Python workers', accumulatorId: accBase + 2, metricType: 'size' },
          { name: 'number of output rows', accumulatorId: accBase + 3, metricType: 'sum' },
        ],
      }
    : undefined;
  return {
    nodeName: 'Execute InsertIntoHadoopFsRelationCommand',
    simpleString: 'Execute InsertIntoHadoopFsRelationCommand s3://lake-curated/out, false, Parquet',
    children: [
      {
        nodeName: 'WholeStageCodegen (1)',
        simpleString: 'WholeStageCodegen (1)',
        children: [python ?? scan],
        metadata: {},
        metrics: [{ name: 'duration', accumulatorId: accBase + 4, metricType: 'timing' }],
      },
    ],
    metadata: {},
    metrics: [],
  };
}

function planText(stage: SparkStageSpec): string {
  const lines = ['== Physical Plan ==', 'Execute InsertIntoHadoopFsRelationCommand (4)', '+- * Project (3)'];
  if (stage.python) lines.push(`   +- ${stage.python} (2)`, '      +- Scan parquet  (1)');
  else lines.push('   +- Scan parquet  (1)');
  return `${lines.join('\n')}\n\n`;
}

interface TaskPlan {
  index: number;
  attempt: number;
  launch: number;
  finish: number;
  executor: string;
  host: string;
  failed: boolean;
  weight: number;
}

/** Lines of the log, without newlines; returns the application's end (epoch ms). */
export function* eventLogLines(spec: SparkAppSpec): Generator<string, number, undefined> {
  const seed = spec.seed ?? spec.appId;
  const version = spec.sparkVersion ?? '3.3.0-amzn-1';
  const j = (o: unknown) => JSON.stringify(o);
  const memoryMiB = Math.round(
    (/^(\d+)g$/i.test(spec.executorMemory) ? Number(spec.executorMemory.slice(0, -1)) * 1024 : 4096) || 4096,
  );
  yield j({ Event: 'SparkListenerLogStart', 'Spark Version': version });
  yield j({
    Event: 'SparkListenerResourceProfileAdded',
    'Resource Profile Id': 0,
    'Executor Resource Requests': {
      cores: { 'Resource Name': 'cores', Amount: spec.coresPerExecutor, 'Discovery Script': '', Vendor: '' },
      memory: { 'Resource Name': 'memory', Amount: memoryMiB, 'Discovery Script': '', Vendor: '' },
      offHeap: { 'Resource Name': 'offHeap', Amount: 0, 'Discovery Script': '', Vendor: '' },
    },
    'Task Resource Requests': { cpus: { 'Resource Name': 'cpus', Amount: 1.0 } },
  });
  const driverHost = '172.34.0.10';
  yield j({
    Event: 'SparkListenerBlockManagerAdded',
    'Block Manager ID': { 'Executor ID': 'driver', Host: driverHost, Port: 39_515 },
    'Maximum Memory': 5_788_366_848,
    Timestamp: spec.startedAt + 900,
    'Maximum Onheap Memory': 5_788_366_848,
    'Maximum Offheap Memory': 0,
  });
  const properties: Record<string, string> = {
    'spark.app.id': spec.appId,
    'spark.app.name': spec.appName,
    'spark.app.startTime': String(spec.startedAt),
    'spark.driver.host': driverHost,
    'spark.eventLog.enabled': 'true',
    'spark.executor.cores': String(spec.coresPerExecutor),
    'spark.executor.memory': spec.executorMemory,
    'spark.executor.instances': String(spec.executors),
    'spark.master': 'jes',
    'spark.sql.adaptive.enabled': 'true',
    'spark.submit.deployMode': 'client',
    ...spec.properties,
  };
  yield j({
    Event: 'SparkListenerEnvironmentUpdate',
    'JVM Information': {
      'Java Home': '/usr/lib/jvm/java-1.8.0-amazon-corretto.x86_64/jre',
      'Java Version': '1.8.0_392 (Amazon.com Inc.)',
      'Scala Version': 'version 2.12.15',
    },
    'Spark Properties': properties,
    'Hadoop Properties': { 'fs.s3.impl': 'com.amazon.ws.emr.hadoop.fs.EmrFileSystem' },
    'System Properties': {
      'java.io.tmpdir': '/tmp',
      'sun.java.command': spec.javaCommand ?? 'org.apache.spark.deploy.SparkSubmit',
      'user.timezone': 'UTC',
    },
    'Classpath Entries': { '/opt/amazon/spark/jars/spark-core_2.12-3.3.0-amzn-1.jar': 'System Classpath' },
  });
  yield j({
    Event: 'SparkListenerApplicationStart',
    'App Name': spec.appName,
    'App ID': spec.appId,
    Timestamp: spec.startedAt,
    User: 'spark',
  });

  // Executors come up a few seconds after the driver.
  const executors: { id: string; host: string; freeAt: number[] }[] = [];
  for (let e = 1; e <= spec.executors; e++) {
    const at = spec.startedAt + EXECUTOR_START_MS + e * 37;
    const host = `172.34.${Math.floor(e / 250) + 1}.${(e % 250) + 10}`;
    executors.push({ id: String(e), host, freeAt: Array.from({ length: spec.coresPerExecutor }, () => at) });
    yield j({
      Event: 'SparkListenerExecutorAdded',
      Timestamp: at,
      'Executor ID': String(e),
      'Executor Info': {
        Host: host,
        'Total Cores': spec.coresPerExecutor,
        'Log Urls': {},
        Attributes: {},
        Resources: {},
        'Resource Profile Id': 0,
      },
    });
    yield j({
      Event: 'SparkListenerBlockManagerAdded',
      'Block Manager ID': { 'Executor ID': String(e), Host: host, Port: 40_000 + e },
      'Maximum Memory': 5_788_366_848,
      Timestamp: at + 12,
      'Maximum Onheap Memory': 5_788_366_848,
      'Maximum Offheap Memory': 0,
    });
  }

  let clock = spec.startedAt + EXECUTOR_START_MS + spec.executors * 37 + 1_000;
  let taskId = 0;
  let accId = 1;
  for (let stageId = 0; stageId < spec.stages.length; stageId++) {
    const stage = spec.stages[stageId] as SparkStageSpec;
    clock += stage.gapBeforeMs ?? 0;
    // Every stage runs as a SQL query of its own (DataFrame jobs), one job each.
    const executionId = stageId;
    const planAcc = accId;
    accId += 5;
    {
      yield j({
        Event: 'org.apache.spark.sql.execution.ui.SparkListenerSQLExecutionStart',
        executionId,
        description: stage.name,
        details: `org.apache.spark.sql.DataFrameWriter.save(DataFrameWriter.scala:239)\n${stage.name}`,
        physicalPlanDescription: planText(stage),
        sparkPlanInfo: planInfo(stage, planAcc),
        time: clock,
        modifiedConfigs: {},
      });
    }
    const submitted = clock + 5;
    yield j({
      Event: 'SparkListenerJobStart',
      'Job ID': stageId,
      'Submission Time': clock,
      'Stage Infos': [stageInfo(stage, stageId)],
      'Stage IDs': [stageId],
      Properties: {
        'spark.rdd.scope': '{"id":"2","name":"collect"}',
        'spark.rdd.scope.noOverride': 'true',
        'spark.sql.execution.id': String(executionId),
        'spark.job.description': stage.name,
      },
    });
    yield j({
      Event: 'SparkListenerStageSubmitted',
      'Stage Info': stageInfo(stage, stageId, submitted),
      Properties: { 'resource.executor.cores': String(spec.coresPerExecutor) },
    });

    // Schedule: each task on the core that frees first (executors × cores slots).
    const slots: { ex: number; core: number }[] = [];
    for (let e = 0; e < executors.length; e++)
      for (let c = 0; c < spec.coresPerExecutor; c++) slots.push({ ex: e, core: c });
    const jitter = stage.jitter ?? 0.1;
    const skewTasks = stage.skew?.tasks ?? 0;
    const skewFactor = stage.skew?.factor ?? 1;
    const failures = stage.failedTasks ?? 0;
    const plans: TaskPlan[] = [];
    const normalWeight = stage.tasks - skewTasks + skewTasks * skewFactor;
    const queue: { index: number; attempt: number }[] = [];
    for (let i = 0; i < stage.tasks; i++) queue.push({ index: i, attempt: 0 });
    let failedSoFar = 0;
    for (let q = 0; q < queue.length; q++) {
      const { index, attempt } = queue[q] as { index: number; attempt: number };
      // Earliest free slot (linear scan is fine for the simulator's sizes; large logs use few executors).
      let best = 0;
      let bestAt = Infinity;
      for (let k = 0; k < slots.length; k++) {
        const sl = slots[k] as { ex: number; core: number };
        const at = (executors[sl.ex] as { freeAt: number[] }).freeAt[sl.core] as number;
        if (at < bestAt) {
          bestAt = at;
          best = k;
        }
      }
      const slot = slots[best] as { ex: number; core: number };
      const ex = executors[slot.ex] as { id: string; host: string; freeAt: number[] };
      const launch = Math.max(bestAt, submitted + 10);
      const weight = index < skewTasks ? skewFactor : 1;
      const noise = 1 + (hash01(`${seed}:${stageId}`, index * 7 + attempt) * 2 - 1) * jitter;
      const failed = attempt === 0 && failedSoFar < failures && index >= skewTasks && index % 3 === 1;
      const duration = Math.max(1, Math.round(stage.taskMs * weight * noise * (failed ? 0.3 : 1)));
      const finish = launch + duration;
      ex.freeAt[slot.core] = finish + 1;
      plans.push({ index, attempt, launch, finish, executor: ex.id, host: ex.host, failed, weight });
      if (failed) {
        failedSoFar++;
        queue.push({ index, attempt: 1 });
      }
    }

    // Events in time order: starts and ends.
    const events: { at: number; start: boolean; p: TaskPlan; tid: number }[] = [];
    for (const p of plans) {
      const tid = taskId++;
      events.push({ at: p.launch, start: true, p, tid }, { at: p.finish, start: false, p, tid });
    }
    events.sort((a, b) => a.at - b.at || Number(a.start) - Number(b.start) || a.tid - b.tid);
    const per = (total: number | undefined, w: number) => Math.round(((total ?? 0) * w) / normalWeight);
    const spills = (stage.memorySpilledBytes ?? 0) > 0;
    const peak = stage.peakExecutionMemoryBytes ?? (spills ? 64 * MB : 0);
    let last = submitted;
    for (const ev of events) {
      const p = ev.p;
      const info = (finish: number, accumulables: unknown[]) => ({
        'Task ID': ev.tid,
        Index: p.index,
        Attempt: p.attempt,
        'Partition ID': p.index,
        'Launch Time': p.launch,
        'Executor ID': p.executor,
        Host: p.host,
        Locality: stage.inputBytes ? 'NODE_LOCAL' : 'PROCESS_LOCAL',
        Speculative: false,
        'Getting Result Time': 0,
        'Finish Time': finish,
        Failed: ev.start ? false : p.failed,
        Killed: false,
        Accumulables: accumulables,
      });
      if (ev.start) {
        yield j({
          Event: 'SparkListenerTaskStart',
          'Stage ID': stageId,
          'Stage Attempt ID': 0,
          'Task Info': info(0, []),
        });
        continue;
      }
      last = Math.max(last, p.finish);
      const w = p.failed ? 0 : p.weight;
      const duration = p.finish - p.launch;
      const deser = Math.min(40, Math.floor(duration / 10));
      const run = Math.max(1, duration - deser - 2);
      const gc = Math.round(run * (stage.gcShare ?? 0.01));
      const input = per(stage.inputBytes, w);
      const shuffleRead = per(stage.shuffleReadBytes, w);
      const shuffleWrite = per(stage.shuffleWriteBytes, w);
      const output = per(stage.outputBytes, w);
      const memSpill = per(stage.memorySpilledBytes, w);
      const diskSpill = per(stage.diskSpilledBytes, w);
      const cpuNs = Math.round(run * 0.8 * 1e6);
      const acc = [
        accumulable(100_000 + 1, 'internal.metrics.executorDeserializeTime', deser, deser),
        accumulable(
          100_000 + 2,
          'internal.metrics.executorDeserializeCpuTime',
          deser * 900_000,
          deser * 900_000,
        ),
        accumulable(100_000 + 3, 'internal.metrics.executorRunTime', run, run),
        accumulable(100_000 + 4, 'internal.metrics.executorCpuTime', cpuNs, cpuNs),
        accumulable(100_000 + 5, 'internal.metrics.resultSize', 2_412, 2_412),
        accumulable(100_000 + 6, 'internal.metrics.jvmGCTime', gc, gc),
        accumulable(100_000 + 7, 'internal.metrics.resultSerializationTime', 1, 1),
        ...(memSpill
          ? [accumulable(100_000 + 8, 'internal.metrics.memoryBytesSpilled', memSpill, memSpill)]
          : []),
        ...(diskSpill
          ? [accumulable(100_000 + 9, 'internal.metrics.diskBytesSpilled', diskSpill, diskSpill)]
          : []),
        ...(input ? [accumulable(100_000 + 10, 'internal.metrics.input.bytesRead', input, input)] : []),
        accumulable(planAcc + 4, 'duration', String(run), String(run), true),
      ];
      yield j({
        Event: 'SparkListenerTaskEnd',
        'Stage ID': stageId,
        'Stage Attempt ID': 0,
        'Task Type': stage.shuffleWriteBytes ? 'ShuffleMapTask' : 'ResultTask',
        'Task End Reason': p.failed
          ? {
              Reason: 'ExceptionFailure',
              'Class Name': 'java.io.IOException',
              Description: 'Connection reset by peer',
              'Stack Trace': [],
              'Full Stack Trace': 'java.io.IOException: Connection reset by peer',
              'Accumulator Updates': [],
            }
          : { Reason: 'Success' },
        'Task Info': info(p.finish, acc),
        'Task Executor Metrics': {
          JVMHeapMemory: 2_147_483_648,
          JVMOffHeapMemory: 183_565_360,
          OnHeapExecutionMemory: peak,
          OffHeapExecutionMemory: 0,
          OnHeapStorageMemory: 18_842,
          OffHeapStorageMemory: 0,
          OnHeapUnifiedMemory: peak + 18_842,
          OffHeapUnifiedMemory: 0,
          DirectPoolMemory: 3_897,
          MappedPoolMemory: 0,
          ProcessTreeJVMVMemory: 0,
          ProcessTreeJVMRSSMemory: 0,
          ProcessTreePythonVMemory: 0,
          ProcessTreePythonRSSMemory: 0,
          ProcessTreeOtherVMemory: 0,
          ProcessTreeOtherRSSMemory: 0,
          MinorGCCount: 13,
          MinorGCTime: gc,
          MajorGCCount: 0,
          MajorGCTime: 0,
          TotalGCTime: gc,
        },
        'Task Metrics': {
          'Executor Deserialize Time': deser,
          'Executor Deserialize CPU Time': deser * 900_000,
          'Executor Run Time': run,
          'Executor CPU Time': cpuNs,
          'Peak Execution Memory': p.failed ? 0 : peak,
          'Result Size': 2_412,
          'JVM GC Time': gc,
          'Result Serialization Time': 1,
          'Memory Bytes Spilled': memSpill,
          'Disk Bytes Spilled': diskSpill,
          'Shuffle Read Metrics': {
            'Remote Blocks Fetched': shuffleRead ? 8 : 0,
            'Local Blocks Fetched': shuffleRead ? 2 : 0,
            'Fetch Wait Time': 0,
            'Remote Bytes Read': Math.round(shuffleRead * 0.8),
            'Remote Bytes Read To Disk': 0,
            'Local Bytes Read': shuffleRead - Math.round(shuffleRead * 0.8),
            'Total Records Read': Math.round(shuffleRead / 100),
          },
          'Shuffle Write Metrics': {
            'Shuffle Bytes Written': shuffleWrite,
            'Shuffle Write Time': shuffleWrite ? 32_402_787 : 0,
            'Shuffle Records Written': Math.round(shuffleWrite / 100),
          },
          'Input Metrics': { 'Bytes Read': input, 'Records Read': Math.round(input / 100) },
          'Output Metrics': { 'Bytes Written': output, 'Records Written': Math.round(output / 100) },
          'Updated Blocks': [],
        },
      });
    }
    const completed = last + STAGE_OVERHEAD_MS;
    yield j({
      Event: 'SparkListenerStageCompleted',
      'Stage Info': stageInfo(stage, stageId, submitted, completed),
    });
    yield j({
      Event: 'SparkListenerJobEnd',
      'Job ID': stageId,
      'Completion Time': completed + 2,
      'Job Result': { Result: 'JobSucceeded' },
    });
    yield j({
      Event: 'org.apache.spark.sql.execution.ui.SparkListenerSQLExecutionEnd',
      executionId,
      time: completed + 10,
    });
    clock = completed + 20;
    // Executors are free from the stage's end.
    for (const ex of executors) ex.freeAt = ex.freeAt.map(() => clock);
  }

  const end = clock + (spec.tailMs ?? 5_000);
  if (spec.incomplete) return clock;
  for (const ex of executors) {
    yield j({
      Event: 'SparkListenerExecutorRemoved',
      Timestamp: end - 50,
      'Executor ID': ex.id,
      'Removed Reason': 'Executor killed by driver.',
    });
  }
  yield j({ Event: 'SparkListenerApplicationEnd', Timestamp: end });
  return end;
}

/** The whole log as text (one line per event, each ending in a newline) and when it ends. */
export function eventLogText(spec: SparkAppSpec): { text: string; endedAt: number } {
  const parts: string[] = [];
  const gen = eventLogLines(spec);
  for (;;) {
    const r = gen.next();
    if (r.done) return { text: parts.join(''), endedAt: r.value };
    parts.push(`${r.value}\n`);
  }
}

/**
 * A rolled log (spark.eventLog.rolling.enabled): the lines cut into events_<n>_<appId> files of
 * about `maxFileBytes`, at line boundaries, under eventlog_v2_<appId>/, plus the appstatus marker.
 */
export function rolledEventLog(
  spec: SparkAppSpec,
  maxFileBytes: number,
): { files: { name: string; body: string }[]; endedAt: number } {
  const dir = `eventlog_v2_${spec.appId}/`;
  const files: { name: string; body: string }[] = [];
  let parts: string[] = [];
  let size = 0;
  const gen = eventLogLines(spec);
  for (;;) {
    const r = gen.next();
    if (r.done) {
      if (size > 0)
        files.push({ name: `${dir}events_${files.length + 1}_${spec.appId}`, body: parts.join('') });
      files.push({ name: `${dir}appstatus_${spec.appId}${spec.incomplete ? '.inprogress' : ''}`, body: '' });
      return { files, endedAt: r.value };
    }
    parts.push(`${r.value}\n`);
    size += r.value.length + 1;
    if (size >= maxFileBytes) {
      files.push({ name: `${dir}events_${files.length + 1}_${spec.appId}`, body: parts.join('') });
      parts = [];
      size = 0;
    }
  }
}
