// The Glue adapter (and the provider registry) against the cloud simulator, through the official
// SDK client: paging, the `since` cut-off, run round trips, bookmarks, UpdateJob's carried-over
// definition, table versions, and every vendor error mapped onto its ProviderError code.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  DAY,
  DRIFTJOB,
  HOUR,
  MYJOB,
  OOMJOB,
  SCENARIOS,
  startSimulator,
  type FaultRule,
  type Simulator,
} from '../../sim/index.js';
import {
  createGluePlatform,
  jobUpdateFrom,
  toJobRun,
  type GluePlatform,
} from '../../src/providers/aws/glue-platform.js';
import { createProviders } from '../../src/providers/registry.js';
import { ProviderError, type ProviderErrorCode } from '../../src/providers/ports.js';
import { Env } from '../../src/config/env.js';
import { suggestNames } from '../../src/domain/suggest.js';

const CREDENTIALS = { accessKeyId: 'sim', secretAccessKey: 'sim' };
const { base, myJob, oomJob, skewJob, driftJob, healthyJob, scripts } = SCENARIOS;

interface Fixture {
  sim: Simulator;
  glue: GluePlatform;
}

/** A simulator of its own (without the big lake, which these tests do not need) and an adapter on it. */
async function withGlue(
  t: { after: (fn: () => Promise<void>) => void },
  opts: { maxAttempts?: number; faults?: FaultRule[] } = {},
): Promise<Fixture> {
  const sim = await startSimulator({
    scenarios: [base, myJob, oomJob, skewJob, driftJob, healthyJob, scripts],
    ...(opts.faults ? { faults: opts.faults } : {}),
  });
  const glue = createGluePlatform({
    region: 'us-east-1',
    endpoint: sim.url,
    credentials: CREDENTIALS,
    maxAttempts: opts.maxAttempts ?? 5,
  });
  t.after(async () => {
    glue.client.destroy();
    await sim.stop().catch(() => {}); // a test may have stopped it already
  });
  return { sim, glue };
}

async function rejectsWith(
  p: Promise<unknown>,
  code: ProviderErrorCode,
  check: (e: ProviderError) => void = () => {},
): Promise<ProviderError> {
  let caught: unknown;
  try {
    await p;
  } catch (e) {
    caught = e;
  }
  assert.ok(caught instanceof ProviderError, `expected a ProviderError, got ${String(caught)}`);
  assert.equal(caught.code, code, caught.message);
  assert.ok(caught.cause !== undefined, 'the vendor error is kept as cause');
  check(caught);
  return caught;
}

/** A job with `count` hourly runs, the newest started an hour ago. */
function addLongHistory(sim: Simulator, name: string, count: number): { ids: string[]; starts: number[] } {
  const now = sim.state.now();
  sim.state.glue.addJob({ Name: name, WorkerType: 'G.1X', NumberOfWorkers: 2 }, now);
  const ids: string[] = [];
  const starts: number[] = [];
  for (let i = 0; i < count; i++) {
    const startedAt = now - (i + 1) * HOUR;
    const run = sim.state.glue.addRun({
      JobName: name,
      Id: `jr_${name}_${String(i).padStart(4, '0')}`,
      startedAt,
      durationSec: 600 + i,
    });
    ids.push(run.Id);
    starts.push(startedAt);
  }
  return { ids, starts };
}

// ---------------------------------------------------------------------------------------------
// Reading jobs and runs

test('getJob maps the definition', async (t) => {
  const { glue } = await withGlue(t);
  const job = await glue.getJob('MyJob');
  assert.equal(job.name, 'MyJob');
  assert.equal(job.workerType, 'G.1X');
  assert.equal(job.numberOfWorkers, 10);
  assert.equal(job.glueVersion, '4.0');
  assert.equal(job.executionClass, 'STANDARD');
  assert.equal(job.timeoutMinutes, 2880);
  assert.equal(job.defaultArguments['--input_path'], MYJOB.input);
  assert.ok(job.lastModifiedOn instanceof Date);
  assert.ok(job.createdOn instanceof Date && job.createdOn < job.lastModifiedOn);
});

test('listRuns maps every run field, newest first', async (t) => {
  const { sim, glue } = await withGlue(t);
  const runs = await glue.listRuns('OomJob', { maxRuns: 100 });
  assert.equal(runs.length, OOMJOB.runs);
  const expected = sim.state.glue.runsOf('OomJob');
  assert.deepEqual(
    runs.map((r) => r.id),
    expected.map((r) => r.Id),
  );
  for (let i = 1; i < runs.length; i++) assert.ok(runs[i - 1]!.startedOn >= runs[i]!.startedOn);
  const failed = runs[0]!;
  assert.equal(failed.jobName, 'OomJob');
  assert.equal(failed.state, 'FAILED');
  assert.match(failed.errorMessage ?? '', /OutOfMemoryError/);
  assert.equal(failed.attempt, 0);
  assert.equal(failed.triggerName, 'OomJob-daily');
  assert.equal(failed.workerType, 'G.1X');
  assert.equal(failed.numberOfWorkers, 5);
  assert.equal(failed.maxCapacity, 5);
  assert.equal(failed.executionClass, 'STANDARD');
  assert.equal(failed.glueVersion, '4.0');
  assert.equal(failed.logGroupName, '/aws-glue/jobs');
  assert.deepEqual(failed.arguments, {});
  assert.equal(failed.dpuSeconds, undefined, 'DPUSeconds only for Flex runs');
  const raw = expected[0]!;
  assert.equal(failed.startedOn.getTime(), raw.startedAt);
  assert.equal(failed.executionTimeSec, raw.durationMs / 1000);
  assert.equal(
    failed.completedOn?.getTime(),
    raw.startedAt + raw.startingMs + raw.durationMs,
    'completed = started + starting + execution',
  );
  assert.equal(runs.at(-1)!.state, 'SUCCEEDED');
  assert.equal(runs.at(-1)!.errorMessage, undefined);
});

test('listRuns reports DPUSeconds of Flex runs', async (t) => {
  const { sim, glue } = await withGlue(t);
  const now = sim.state.now();
  sim.state.glue.addRun({
    JobName: 'HealthyJob',
    Id: 'jr_flex',
    startedAt: now - 2 * HOUR,
    durationSec: 900,
    ExecutionClass: 'FLEX',
  });
  const [run] = await glue.listRuns('HealthyJob', { maxRuns: 1 });
  assert.equal(run?.id, 'jr_flex');
  assert.equal(run?.executionClass, 'FLEX');
  assert.equal(run?.dpuSeconds, 2 * 900, '2 G.1X workers × 900 s');
});

test('listRuns pages past 200 runs with the largest page size', async (t) => {
  const { sim, glue } = await withGlue(t);
  const { ids } = addLongHistory(sim, 'LongHistoryJob', 450);
  const before = sim.requests({ operation: 'GetJobRuns' }).length;

  const all = await glue.listRuns('LongHistoryJob', { maxRuns: 1000 });
  assert.equal(all.length, 450);
  assert.deepEqual(
    all.map((r) => r.id),
    ids,
  );
  assert.equal(new Set(all.map((r) => r.id)).size, 450);
  const calls = sim.requests({ operation: 'GetJobRuns' }).slice(before);
  assert.equal(calls.length, 3, '200 + 200 + 50');
  assert.deepEqual(
    calls.map((c) => c.params.MaxResults),
    [200, 200, 200],
  );
  assert.equal(calls[0]!.params.NextToken, undefined);
  assert.ok(typeof calls[1]!.params.NextToken === 'string' && typeof calls[2]!.params.NextToken === 'string');

  // maxRuns stops the paging: 250 runs need two pages, no third request.
  sim.clearRequests();
  const some = await glue.listRuns('LongHistoryJob', { maxRuns: 250 });
  assert.equal(some.length, 250);
  assert.deepEqual(
    some.map((r) => r.id),
    ids.slice(0, 250),
  );
  assert.equal(sim.requests({ operation: 'GetJobRuns' }).length, 2);

  // A small maxRuns asks for a small page.
  sim.clearRequests();
  assert.equal((await glue.listRuns('LongHistoryJob', { maxRuns: 7 })).length, 7);
  const small = sim.requests({ operation: 'GetJobRuns' });
  assert.equal(small.length, 1);
  assert.equal(small[0]!.params.MaxResults, 7);
});

test('listRuns stops at runs older than `since`, without fetching further pages', async (t) => {
  const { sim, glue } = await withGlue(t);
  const { ids, starts } = addLongHistory(sim, 'LongHistoryJob', 450);
  // Cut between run 229 and run 230 (0 = newest): the second page holds the boundary.
  const since = new Date(starts[229]! - 1);
  sim.clearRequests();
  const runs = await glue.listRuns('LongHistoryJob', { maxRuns: 1000, since });
  assert.equal(runs.length, 230);
  assert.deepEqual(
    runs.map((r) => r.id),
    ids.slice(0, 230),
  );
  assert.ok(runs.every((r) => r.startedOn >= since));
  assert.equal(sim.requests({ operation: 'GetJobRuns' }).length, 2, 'the third page is never asked for');

  // A run started exactly at `since` is kept.
  const exact = await glue.listRuns('LongHistoryJob', { maxRuns: 1000, since: new Date(starts[9]!) });
  assert.equal(exact.length, 10);

  // The scenario's daily history: 10.5 days back holds the 11 newest of MyJob's runs.
  const daily = await glue.listRuns('MyJob', {
    maxRuns: 100,
    since: new Date(sim.state.now() - 10 * DAY - 23 * HOUR),
  });
  assert.equal(daily.length, 11);
  // maxRuns wins when it is reached first.
  assert.equal((await glue.listRuns('MyJob', { maxRuns: 3, since: new Date(0) })).length, 3);
});

test('getRun reads one run; an unknown run or job is NOT_FOUND, said precisely', async (t) => {
  const { sim, glue } = await withGlue(t);
  const newest = sim.state.glue.runsOf('DriftJob')[0]!;
  const run = await glue.getRun('DriftJob', newest.Id);
  assert.equal(run.id, newest.Id);
  assert.equal(run.state, 'FAILED');
  await rejectsWith(glue.getRun('DriftJob', 'jr_missing'), 'NOT_FOUND', (e) => {
    assert.equal(e.message, 'Glue job run jr_missing of DriftJob was not found');
    assert.equal(e.retryable, false);
  });
  await rejectsWith(glue.getRun('NoSuchJob', 'jr_missing'), 'NOT_FOUND', (e) =>
    assert.equal(e.message, 'Glue job NoSuchJob was not found'),
  );
});

test('listJobNames pages through GetJobs and feeds "did you mean"', async (t) => {
  const { sim, glue } = await withGlue(t);
  const names = await glue.listJobNames();
  for (const n of ['MyJob', 'OomJob', 'SkewJob', 'DriftJob', 'HealthyJob', 'MyJob-compaction'])
    assert.ok(names.includes(n), n);
  assert.deepEqual(names, [...names].sort());
  assert.deepEqual(suggestNames('myjb', names), ['MyJob']);
  assert.deepEqual(suggestNames('myjob', names), ['MyJob', 'MyJob-staging', 'MyJob-compaction']);

  const now = sim.state.now();
  for (let i = 0; i < 1005; i++) sim.state.glue.addJob({ Name: `bulk-${String(i).padStart(4, '0')}` }, now);
  sim.clearRequests();
  const many = await glue.listJobNames();
  assert.equal(many.length, names.length + 1005);
  const calls = sim.requests({ operation: 'GetJobs' });
  assert.equal(calls.length, 2);
  assert.equal(calls[0]!.params.MaxResults, 1000);
});

// ---------------------------------------------------------------------------------------------
// Runs: start, read back, stop

test('startRun → getRun round trip with per-run overrides', async (t) => {
  const { sim, glue } = await withGlue(t);
  const id = await glue.startRun('MyJob-staging', {
    arguments: { '--dt': '2026-11-20', '--output_path': 's3://lake-staging/events/' },
    workerType: 'G.2X',
    numberOfWorkers: 4,
    timeoutMinutes: 60,
    executionClass: 'FLEX',
  });
  assert.match(id, /^jr_/);
  const [call] = sim.requests({ operation: 'StartJobRun' });
  assert.deepEqual(call?.params, {
    JobName: 'MyJob-staging',
    Arguments: { '--dt': '2026-11-20', '--output_path': 's3://lake-staging/events/' },
    WorkerType: 'G.2X',
    NumberOfWorkers: 4,
    Timeout: 60,
    ExecutionClass: 'FLEX',
  });

  const started = await glue.getRun('MyJob-staging', id);
  assert.equal(started.id, id);
  assert.equal(started.state, 'STARTING');
  assert.equal(started.workerType, 'G.2X');
  assert.equal(started.numberOfWorkers, 4);
  assert.equal(started.executionClass, 'FLEX');
  assert.equal(started.completedOn, undefined);
  assert.deepEqual(started.arguments, { '--dt': '2026-11-20', '--output_path': 's3://lake-staging/events/' });

  // The staging job runs 1,250 s after 10 s of starting: move simulated time past its end.
  sim.state.clock.advance(1_300_000);
  const done = await glue.getRun('MyJob-staging', id);
  assert.equal(done.state, 'SUCCEEDED');
  assert.equal(done.executionTimeSec, 1250);
  assert.ok(done.completedOn instanceof Date);
  assert.equal(done.dpuSeconds, 4 * 2 * 1250, 'Flex runs report DPUSeconds: 4 G.2X workers');
  const [newest] = await glue.listRuns('MyJob-staging', { maxRuns: 1 });
  assert.equal(newest?.id, id);

  // Defaults: no overrides sends only the job name.
  sim.clearRequests();
  await glue.startRun('MyJob-staging');
  assert.deepEqual(sim.requests({ operation: 'StartJobRun' })[0]?.params, { JobName: 'MyJob-staging' });
});

test('stopRun stops a running run and surfaces per-run errors of BatchStopJobRun', async (t) => {
  const { sim, glue } = await withGlue(t);
  const id = await glue.startRun('MyJob');
  sim.state.clock.advance(60_000);
  assert.equal((await glue.getRun('MyJob', id)).state, 'RUNNING');
  await glue.stopRun('MyJob', id);
  assert.deepEqual(sim.requests({ operation: 'BatchStopJobRun' })[0]?.params, {
    JobName: 'MyJob',
    JobRunIds: [id],
  });
  assert.equal((await glue.getRun('MyJob', id)).state, 'STOPPING');
  sim.state.clock.advance(10_000);
  assert.equal((await glue.getRun('MyJob', id)).state, 'STOPPED');

  // BatchStopJobRun answers 200 with the failures listed per run.
  await rejectsWith(glue.stopRun('MyJob', id), 'INVALID_INPUT', (e) =>
    assert.match(e.message, new RegExp(`could not stop run ${id} of MyJob: .*STOPPED`)),
  );
  await rejectsWith(glue.stopRun('MyJob', 'jr_nope'), 'NOT_FOUND', (e) =>
    assert.equal(e.message, 'Glue job run jr_nope of MyJob was not found'),
  );
  await rejectsWith(glue.stopRun('NoSuchJob', 'jr_nope'), 'NOT_FOUND', (e) =>
    assert.equal(e.message, 'Glue job NoSuchJob was not found'),
  );
});

test('a second run of a job allowing one is CONCURRENT_RUNS; bad overrides are INVALID_INPUT', async (t) => {
  const { glue } = await withGlue(t);
  await glue.startRun('MyJob');
  await rejectsWith(glue.startRun('MyJob'), 'CONCURRENT_RUNS', (e) => {
    assert.match(e.message, /MyJob/);
    assert.equal(e.retryable, false);
  });
  await rejectsWith(glue.startRun('HealthyJob', { workerType: 'G.3X' }), 'INVALID_INPUT', (e) =>
    assert.match(e.message, /^Glue rejected glue:StartJobRun: .*G\.3X/),
  );
  await rejectsWith(glue.startRun('HealthyJob', { numberOfWorkers: 5000 }), 'INVALID_INPUT');
  await rejectsWith(glue.startRun('NoSuchJob'), 'NOT_FOUND', (e) =>
    assert.equal(e.message, 'Glue job NoSuchJob was not found'),
  );
});

// ---------------------------------------------------------------------------------------------
// UpdateJob and bookmarks

test('updateJob carries the whole definition over and changes only what was asked', async (t) => {
  const { sim, glue } = await withGlue(t);
  const original = structuredClone(sim.state.glue.jobs.get('MyJob')!);
  await glue.updateJob('MyJob', { workerType: 'G.2X', numberOfWorkers: 20 });

  const [call] = sim.requests({ operation: 'UpdateJob' });
  assert.ok(call);
  assert.equal(call.params.JobName, 'MyJob');
  const update = call.params.JobUpdate as Record<string, unknown>;
  // UpdateJob replaces the definition: Role and Command must be sent again.
  assert.equal(update.Role, original.Role);
  assert.deepEqual(update.Command, original.Command);
  assert.deepEqual(update.DefaultArguments, original.DefaultArguments);
  assert.deepEqual(update.ExecutionProperty, original.ExecutionProperty);
  assert.equal(update.GlueVersion, original.GlueVersion);
  assert.equal(update.Timeout, original.Timeout);
  assert.equal(update.MaxRetries, original.MaxRetries);
  assert.equal(update.Description, original.Description);
  assert.equal(update.ExecutionClass, original.ExecutionClass);
  assert.equal(update.WorkerType, 'G.2X');
  assert.equal(update.NumberOfWorkers, 20);
  assert.equal(update.MaxCapacity, undefined, 'MaxCapacity may not go with a worker type');
  assert.equal(update.AllocatedCapacity, undefined, 'deprecated');
  assert.ok(!('CreatedOn' in update) && !('LastModifiedOn' in update) && !('Name' in update));

  const after = await glue.getJob('MyJob');
  assert.equal(after.workerType, 'G.2X');
  assert.equal(after.numberOfWorkers, 20);
  assert.equal(after.glueVersion, '4.0', 'not reset to the default');
  assert.equal(after.timeoutMinutes, 2880);
  assert.deepEqual(after.defaultArguments, original.DefaultArguments);
  assert.ok(after.lastModifiedOn! > new Date(original.LastModifiedOn));
  assert.equal(sim.state.glue.jobs.get('MyJob')!.ExecutionProperty.MaxConcurrentRuns, 1);

  // Arguments are merged: the named one changes, the rest stays.
  sim.clearRequests();
  await glue.updateJob('MyJob-staging', {
    defaultArguments: { '--conf': 'spark.sql.shuffle.partitions=400', '--input_path': 's3://x/' },
  });
  const staging = await glue.getJob('MyJob-staging');
  assert.equal(staging.defaultArguments['--conf'], 'spark.sql.shuffle.partitions=400');
  assert.equal(staging.defaultArguments['--input_path'], 's3://x/');
  assert.equal(staging.defaultArguments['--job-bookmark-option'], 'job-bookmark-disable');
  assert.equal(staging.workerType, 'G.1X');
  assert.equal(staging.numberOfWorkers, 10);
  assert.equal(sim.state.glue.jobs.get('MyJob-staging')!.ExecutionProperty.MaxConcurrentRuns, 3);
  const ops = sim.requests({ service: 'glue' }).map((r) => r.operation);
  assert.deepEqual(ops.slice(0, 2), ['GetJob', 'UpdateJob'], 'read, then write');

  await rejectsWith(glue.updateJob('NoSuchJob', { numberOfWorkers: 2 }), 'NOT_FOUND', (e) =>
    assert.equal(e.message, 'Glue job NoSuchJob was not found'),
  );
  await rejectsWith(glue.updateJob('MyJob', { workerType: 'G.3X' }), 'INVALID_INPUT');
});

test('getBookmark and resetBookmark, with and without a run id', async (t) => {
  const { sim, glue } = await withGlue(t);
  const runs = sim.state.glue.runsOf('MyJob');
  const bm = await glue.getBookmark('MyJob');
  assert.equal(bm?.jobName, 'MyJob');
  assert.equal(bm?.runId, runs[0]!.Id, 'the newest successful run');
  assert.equal(bm?.previousRunId, runs[1]!.Id);
  assert.equal(bm?.attempt, 0);
  assert.match(bm?.bookmark ?? '', /BookmarkState/);

  // A job without bookmarks: undefined, not an error. An unknown job is still NOT_FOUND.
  assert.equal(await glue.getBookmark('SkewJob'), undefined);
  await rejectsWith(glue.getBookmark('NoSuchJob'), 'NOT_FOUND', (e) =>
    assert.equal(e.message, 'Glue job NoSuchJob was not found'),
  );

  const reset = await glue.resetBookmark('MyJob');
  assert.equal(reset?.jobName, 'MyJob');
  assert.equal(reset?.runId, undefined, 'nothing processed since the reset');
  assert.deepEqual(sim.requests({ operation: 'ResetJobBookmark' })[0]?.params, { JobName: 'MyJob' });

  // Reset to a run: the runs started before it count again.
  const target = runs[5]!;
  sim.clearRequests();
  const toRun = await glue.resetBookmark('MyJob', target.Id);
  assert.deepEqual(sim.requests({ operation: 'ResetJobBookmark' })[0]?.params, {
    JobName: 'MyJob',
    RunId: target.Id,
  });
  assert.equal(toRun?.runId, runs[6]!.Id, 'the newest run started before the target');
  assert.equal((await glue.getBookmark('MyJob'))?.runId, runs[6]!.Id);

  await rejectsWith(glue.resetBookmark('MyJob', 'jr_nope'), 'NOT_FOUND', (e) =>
    assert.equal(e.message, 'Glue job run jr_nope of MyJob was not found'),
  );
  await rejectsWith(glue.resetBookmark('NoSuchJob'), 'NOT_FOUND', (e) =>
    assert.equal(e.message, 'Glue job NoSuchJob was not found'),
  );
});

// ---------------------------------------------------------------------------------------------
// Catalog

test('getTableVersions: newest first, with columns and partition keys', async (t) => {
  const { sim, glue } = await withGlue(t);
  const versions = await glue.getTableVersions(DRIFTJOB.database, DRIFTJOB.table);
  assert.deepEqual(
    versions.map((v) => v.versionId),
    ['2', '1'],
  );
  const [v2, v1] = versions;
  assert.deepEqual(v2?.columns, [
    { name: 'event_id', type: 'string' },
    { name: 'cust_id', type: 'string' },
    { name: 'amount', type: 'decimal(18,2)' },
  ]);
  assert.deepEqual(
    v1?.columns.map((c) => c.name),
    ['event_id', 'customer_id', 'amount'],
  );
  assert.deepEqual(v2?.partitionKeys, [{ name: 'dt', type: 'string' }]);
  assert.equal(v2?.location, DRIFTJOB.input);
  const table = sim.state.glue.table(DRIFTJOB.database, DRIFTJOB.table)!;
  assert.equal(v2?.updateTime?.getTime(), table.versions[1]!.updateTime);
  assert.ok(v2!.updateTime! > v1!.updateTime!);

  const newestOnly = await glue.getTableVersions(DRIFTJOB.database, DRIFTJOB.table, 1);
  assert.deepEqual(
    newestOnly.map((v) => v.versionId),
    ['2'],
  );

  // Pages of 100 past the first.
  const now = sim.state.now();
  sim.state.glue.addTable({
    DatabaseName: 'lake',
    Name: 'wide',
    CreateTime: now - 300 * DAY,
    versions: Array.from({ length: 250 }, (_, i) => ({
      VersionId: String(i + 1),
      updateTime: now - (300 - i) * DAY,
      columns: [{ Name: `c${i}`, Type: 'int' }],
      location: 's3://lake-raw/wide/',
      partitionKeys: [],
      parameters: {},
    })),
  });
  sim.clearRequests();
  const wide = await glue.getTableVersions('lake', 'wide', 1000);
  assert.equal(wide.length, 250);
  assert.equal(wide[0]!.versionId, '250');
  assert.equal(wide.at(-1)!.versionId, '1');
  const calls = sim.requests({ operation: 'GetTableVersions' });
  assert.equal(calls.length, 3);
  assert.ok(calls.every((c) => c.params.MaxResults === 100));

  await rejectsWith(glue.getTableVersions('lake', 'nope'), 'NOT_FOUND', (e) =>
    assert.equal(e.message, 'Glue table lake.nope was not found'),
  );
  await rejectsWith(glue.getTableVersions('nodb', 'nope'), 'NOT_FOUND', (e) =>
    assert.equal(e.message, 'Glue database nodb was not found'),
  );
});

// ---------------------------------------------------------------------------------------------
// Errors, retries and throttling

test('AccessDenied names the refused IAM action of every call', async (t) => {
  const { sim, glue } = await withGlue(t);
  const runId = sim.state.glue.runsOf('MyJob')[0]!.Id;
  const calls: [string, () => Promise<unknown>][] = [
    ['GetJob', () => glue.getJob('MyJob')],
    ['GetJobs', () => glue.listJobNames()],
    ['GetJobRuns', () => glue.listRuns('MyJob', { maxRuns: 5 })],
    ['GetJobRun', () => glue.getRun('MyJob', runId)],
    ['StartJobRun', () => glue.startRun('MyJob')],
    ['BatchStopJobRun', () => glue.stopRun('MyJob', runId)],
    ['UpdateJob', () => glue.updateJob('MyJob', { numberOfWorkers: 12 })],
    ['GetJobBookmark', () => glue.getBookmark('MyJob')],
    ['ResetJobBookmark', () => glue.resetBookmark('MyJob')],
    ['GetTableVersions', () => glue.getTableVersions(DRIFTJOB.database, DRIFTJOB.table)],
  ];
  for (const [operation, call] of calls) {
    sim.setFaults([{ service: 'glue', operation, error: 'denied' }]);
    await rejectsWith(call(), 'ACCESS_DENIED', (e) => {
      assert.equal(e.action, `glue:${operation}`);
      assert.ok(e.message.startsWith(`access denied: glue:${operation}`), e.message);
      assert.equal(e.retryable, false);
    });
  }
  // UpdateJob was refused after its GetJob went through: the action named is the write.
  sim.setFaults([]);
  assert.equal((await glue.getJob('MyJob')).numberOfWorkers, 10, 'nothing was changed');
  // A plain 403 without an AWS error code is access denied too.
  sim.setFaults([{ service: 'glue', operation: 'GetJob', error: 'Forbidden', status: 403 }]);
  await rejectsWith(glue.getJob('MyJob'), 'ACCESS_DENIED', (e) => assert.equal(e.action, 'glue:GetJob'));
});

test('throttling is retried by the SDK with backoff and counted', async (t) => {
  const { sim, glue } = await withGlue(t, { maxAttempts: 5 });
  sim.setFaults([{ service: 'glue', operation: 'GetJobRuns', error: 'throttle', count: 2 }]);
  const runs = await glue.listRuns('MyJob', { maxRuns: 5 });
  assert.equal(runs.length, 5);
  const calls = sim.requests({ operation: 'GetJobRuns' });
  assert.deepEqual(
    calls.map((c) => c.error ?? 'ok'),
    ['ThrottlingException', 'ThrottlingException', 'ok'],
  );
  const stats = glue.stats();
  assert.equal(stats.calls, 1);
  assert.equal(stats.attempts, 3);
  assert.equal(stats.retries, 2);
  assert.equal(stats.throttled, 2);
  assert.ok(stats.retryDelayMs > 0, 'the SDK backed off between attempts');

  // Calls that go through at once add a call and an attempt, nothing else.
  await glue.getJob('MyJob');
  assert.deepEqual(
    { ...glue.stats(), retryDelayMs: 0 },
    { calls: 2, attempts: 4, retries: 2, throttled: 2, retryDelayMs: 0 },
  );
  // stats() is a snapshot, not the live counters.
  const snap = glue.stats();
  snap.calls = 99;
  assert.equal(glue.stats().calls, 2);
});

test('throttling beyond the SDK retries is THROTTLED, retryable, after maxAttempts attempts', async (t) => {
  const { sim, glue } = await withGlue(t, { maxAttempts: 2 });
  sim.setFaults([{ service: 'glue', operation: 'GetJobRuns', error: 'throttle' }]);
  await rejectsWith(glue.listRuns('MyJob', { maxRuns: 5 }), 'THROTTLED', (e) => {
    assert.equal(e.retryable, true);
    assert.match(e.message, /^Glue throttled glue:GetJobRuns after 2 attempts/);
  });
  assert.equal(sim.requests({ operation: 'GetJobRuns' }).length, 2);
  assert.equal(glue.stats().throttled, 2);
  // TooManyRequestsException is throttling too (and so is a bare 429).
  sim.setFaults([{ service: 'glue', operation: 'GetJob', error: 'TooManyRequestsException' }]);
  await rejectsWith(glue.getJob('MyJob'), 'THROTTLED');
  sim.setFaults([{ service: 'glue', operation: 'GetJob', error: 'SomethingNew', status: 429 }]);
  await rejectsWith(glue.getJob('MyJob'), 'THROTTLED');
});

test('server errors and a dead endpoint are UNAVAILABLE; validation errors INVALID_INPUT', async (t) => {
  const { sim, glue } = await withGlue(t, { maxAttempts: 2 });
  sim.setFaults([{ service: 'glue', operation: 'GetJob', error: 'internal' }]);
  await rejectsWith(glue.getJob('MyJob'), 'UNAVAILABLE', (e) => {
    assert.equal(e.retryable, true);
    assert.match(e.message, /^Glue is unavailable \(glue:GetJob\)/);
  });
  assert.equal(sim.requests({ operation: 'GetJob' }).length, 2, '5xx is retried by the SDK');

  sim.setFaults([{ service: 'glue', operation: 'GetJob', error: 'ValidationException' }]);
  await rejectsWith(glue.getJob('MyJob'), 'INVALID_INPUT', (e) => assert.equal(e.retryable, false));
  sim.setFaults([{ service: 'glue', operation: 'GetJob', error: 'InvalidInputException' }]);
  await rejectsWith(glue.getJob('MyJob'), 'INVALID_INPUT');
  sim.setFaults([{ service: 'glue', operation: 'GetJob', error: 'EntityNotFoundException' }]);
  await rejectsWith(glue.getJob('MyJob'), 'NOT_FOUND');
  sim.setFaults([{ service: 'glue', operation: 'StartJobRun', error: 'ConcurrentRunsExceededException' }]);
  await rejectsWith(glue.startRun('HealthyJob'), 'CONCURRENT_RUNS');

  // Nothing listening: a network error.
  await sim.stop();
  await rejectsWith(glue.getJob('MyJob'), 'UNAVAILABLE', (e) => {
    assert.equal(e.retryable, true);
    assert.match(e.message, /ECONNREFUSED/);
  });
});

// ---------------------------------------------------------------------------------------------
// The boundary, without the simulator: what the SDK's loose types would let through

test('runs Glue sends in an unexpected shape are refused plainly; unknown enum values dropped', () => {
  const started = new Date('2026-11-20T02:00:00Z');
  assert.throws(
    () => toJobRun('MyJob', { Id: 'jr_1', JobRunState: 'PAUSED', StartedOn: started }),
    (e: unknown) =>
      e instanceof ProviderError &&
      e.code === 'UNAVAILABLE' &&
      !e.retryable &&
      /a run of job MyJob that could not be read \(JobRunState/.test(e.message),
  );
  assert.throws(() => toJobRun('MyJob', { Id: 'jr_1', JobRunState: 'RUNNING' }), ProviderError);
  const run = toJobRun('MyJob', {
    Id: 'jr_1',
    JobRunState: 'RUNNING',
    StartedOn: started,
    ExecutionClass: 'TURBO',
    Arguments: { '--a': '1' },
  });
  assert.deepEqual(run, {
    id: 'jr_1',
    jobName: 'MyJob',
    attempt: 0,
    state: 'RUNNING',
    startedOn: started,
    executionTimeSec: 0,
    arguments: { '--a': '1' },
  });
});

test('jobUpdateFrom keeps MaxCapacity only for jobs not sized by workers', () => {
  const shell = jobUpdateFrom({
    Name: 'shell',
    Role: 'r',
    Command: { Name: 'pythonshell', ScriptLocation: 's3://b/k.py' },
    MaxCapacity: 0.0625,
    AllocatedCapacity: 0,
    CreatedOn: new Date(),
  });
  assert.deepEqual(shell, {
    Role: 'r',
    Command: { Name: 'pythonshell', ScriptLocation: 's3://b/k.py' },
    MaxCapacity: 0.0625,
  });
  const etl = jobUpdateFrom({
    Name: 'etl',
    Role: 'r',
    WorkerType: 'G.1X',
    NumberOfWorkers: 2,
    MaxCapacity: 2,
  });
  assert.deepEqual(etl, { Role: 'r', WorkerType: 'G.1X', NumberOfWorkers: 2 });
});

// ---------------------------------------------------------------------------------------------
// The registry

test('the registry picks adapters by name, caches them, and points them at the environment', async (t) => {
  const sim = await startSimulator({ scenarios: [base, myJob, scripts] });
  // The registry uses the SDK's default credential chain, as in production.
  const saved = { id: process.env.AWS_ACCESS_KEY_ID, secret: process.env.AWS_SECRET_ACCESS_KEY };
  process.env.AWS_ACCESS_KEY_ID = 'sim';
  process.env.AWS_SECRET_ACCESS_KEY = 'sim';
  t.after(async () => {
    if (saved.id === undefined) delete process.env.AWS_ACCESS_KEY_ID;
    else process.env.AWS_ACCESS_KEY_ID = saved.id;
    if (saved.secret === undefined) delete process.env.AWS_SECRET_ACCESS_KEY;
    else process.env.AWS_SECRET_ACCESS_KEY = saved.secret;
    await sim.stop();
  });
  const env = Env.parse({ ...sim.env(), AWS_REGION: 'eu-west-1' });
  const providers = createProviders({ env });

  const glue = providers.jobPlatform('glue');
  assert.equal(glue.provider, 'glue');
  assert.equal(providers.jobPlatform('glue'), glue, 'cached');
  assert.equal((await glue.getJob('MyJob')).name, 'MyJob');
  assert.equal(await (glue as GluePlatform).client.config.region(), 'eu-west-1');

  const logs = providers.logSource('glue');
  assert.equal(providers.logSource('glue'), logs);
  const names = await logs.streamNames('/aws-glue/jobs/output', 'jr_', 3);
  assert.equal(names.length, 3);

  const s3 = providers.objectStore('s3');
  assert.equal(providers.objectStore('s3'), s3);
  const page = await s3.listPage({ container: 'lake-raw', prefix: 'events/', delimiter: '/', maxKeys: 5 });
  assert.equal(page.prefixes.length, 5, 'path-style requests reached the simulator');

  // Region override (the environment overlay of medic.yml) wins over AWS_REGION.
  const overlay = createProviders({ env, region: 'ap-south-1' });
  assert.equal(await (overlay.jobPlatform('glue') as GluePlatform).client.config.region(), 'ap-south-1');

  assert.throws(
    () => providers.jobPlatform('synapse'),
    (e: unknown) =>
      e instanceof ProviderError &&
      e.code === 'INVALID_INPUT' &&
      e.message === 'Synapse support is not available yet',
  );
  assert.throws(
    () => providers.logSource('synapse'),
    (e: unknown) => e instanceof ProviderError && e.code === 'INVALID_INPUT',
  );
  // Blob needs a connection string; with one the adapter is there (built on first use).
  assert.throws(
    () => providers.objectStore('azure-blob'),
    (e: unknown) => e instanceof ProviderError && /AZURE_STORAGE_CONNECTION_STRING/.test(e.message),
  );
  const withBlob = createProviders({
    env: Env.parse({
      ...sim.env(),
      AZURE_STORAGE_CONNECTION_STRING:
        'DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;BlobEndpoint=http://127.0.0.1:9/devstoreaccount1;',
    }),
  });
  assert.equal(withBlob.objectStore('azure-blob').scheme, 'azure-blob');

  // Counters of every adapter, summed: 1 GetJob + 1 DescribeLogStreams + the region check's none.
  sim.setFaults([{ service: 'glue', operation: 'GetJob', error: 'throttle', count: 1 }]);
  await glue.getJob('MyJob');
  const stats = providers.stats();
  assert.equal(stats.calls, 3);
  assert.equal(stats.throttled, 1);
  assert.equal(stats.retries, 1);
  // close() releases every client; a later request builds fresh adapters.
  providers.close();
  overlay.close();
  assert.notEqual(providers.jobPlatform('glue'), glue);
  assert.equal(providers.stats().calls, 0);
  providers.close();
});
