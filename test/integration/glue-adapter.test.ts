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
import type { MitigationParams } from '../../src/domain/approval-policy.js';
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

/** Makes a mitigation's one Glue call through the port, as an approved request would. */
async function mitigate(glue: GluePlatform, job: string, params: MitigationParams) {
  const [action] = glue.planMitigation(job, params) ?? [];
  assert.ok(action, `a ${params.kind} plans a call`);
  return glue.execute(action);
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
  assert.deepEqual(job.capacity, {
    unit: 'DPU',
    units: 10,
    shape: '10 × G.1X',
    size: 'G.1X',
    count: 10,
    executors: 9,
    coresPerExecutor: 4,
    runtime: 'Glue 4.0',
    tier: 'STANDARD',
  });
  assert.equal(job.timeoutMinutes, 2880);
  assert.equal(job.parameters.input_path, MYJOB.input, 'parameters are named without the -- prefix');
  assert.equal(job.inputLocation, MYJOB.input, 'the input location from --input_path');
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
  assert.equal(failed.state, 'failed');
  assert.equal(failed.platformState, 'FAILED');
  assert.match(failed.errorMessage ?? '', /OutOfMemoryError/);
  assert.equal(failed.attempt, 0);
  assert.equal(failed.triggerName, 'OomJob-daily');
  assert.deepEqual(failed.capacity, {
    unit: 'DPU',
    units: 5,
    shape: '5 × G.1X',
    size: 'G.1X',
    count: 5,
    executors: 4,
    coresPerExecutor: 4,
    runtime: 'Glue 4.0',
    tier: 'STANDARD',
  });
  assert.equal(failed.billing?.unitHourUsd, 0.44, 'the standard DPU-hour rate');
  assert.equal(failed.billing?.minimumSec, 60);
  assert.equal(failed.billing?.measuredUnitSeconds, undefined, 'DPUSeconds only for Flex runs');
  assert.deepEqual(failed.parameters, {});
  // Links into the consoles, for the run's own log group (/aws-glue/jobs → its error group).
  assert.match(failed.links?.consoleUrl ?? '', /gluestudio\/home\?region=us-east-1#\/job\/OomJob\/run\/jr_/);
  assert.match(
    failed.links?.logsUrl ?? '',
    /log-group\/\$252Faws-glue\$252Fjobs\$252Ferror\/log-events\/jr_/,
  );
  const raw = expected[0]!;
  assert.equal(failed.startedOn.getTime(), raw.startedAt);
  assert.equal(failed.durationSec, raw.durationMs / 1000);
  assert.equal(
    failed.completedOn?.getTime(),
    raw.startedAt + raw.startingMs + raw.durationMs,
    'completed = started + starting + execution',
  );
  assert.equal(runs.at(-1)!.state, 'succeeded');
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
  assert.equal(run?.capacity?.tier, 'FLEX');
  assert.equal(run?.billing?.rateName, 'Flex');
  assert.equal(run?.billing?.unitHourUsd, 0.29);
  assert.equal(run?.billing?.measuredUnitSeconds, 2 * 900, '2 G.1X workers × 900 s');
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
  assert.equal(run.state, 'failed');
  assert.equal(run.platformState, 'FAILED');
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

test('startRun → getRun round trip: parameters become --arguments; isolated runs leave bookmarks alone', async (t) => {
  const { sim, glue } = await withGlue(t);
  const id = await glue.startRun('MyJob-staging', {
    parameters: { dt: '2026-11-20', output_path: 's3://lake-staging/events/' },
    isolated: true,
  });
  assert.match(id, /^jr_/);
  const [call] = sim.requests({ operation: 'StartJobRun' });
  assert.deepEqual(call?.params, {
    JobName: 'MyJob-staging',
    Arguments: {
      '--dt': '2026-11-20',
      '--output_path': 's3://lake-staging/events/',
      '--job-bookmark-option': 'job-bookmark-disable',
    },
  });

  const started = await glue.getRun('MyJob-staging', id);
  assert.equal(started.id, id);
  assert.equal(started.state, 'queued');
  assert.equal(started.platformState, 'STARTING');
  assert.equal(started.completedOn, undefined);
  assert.deepEqual(started.parameters, {
    dt: '2026-11-20',
    output_path: 's3://lake-staging/events/',
    'job-bookmark-option': 'job-bookmark-disable',
  });

  // The staging job runs 1,250 s after 10 s of starting: move simulated time past its end.
  sim.state.clock.advance(1_300_000);
  const done = await glue.getRun('MyJob-staging', id);
  assert.equal(done.state, 'succeeded');
  assert.equal(done.durationSec, 1250);
  assert.ok(done.completedOn instanceof Date);
  const [newest] = await glue.listRuns('MyJob-staging', { maxRuns: 1 });
  assert.equal(newest?.id, id);

  // Defaults: no parameters sends only the job name.
  sim.clearRequests();
  await glue.startRun('MyJob-staging');
  assert.deepEqual(sim.requests({ operation: 'StartJobRun' })[0]?.params, { JobName: 'MyJob-staging' });
});

test('a scale rerun is StartJobRun with worker overrides; Flex runs report DPUSeconds', async (t) => {
  const { sim, glue } = await withGlue(t);
  const out = await mitigate(glue, 'MyJob-staging', {
    kind: 'scale',
    size: 'G.2X',
    count: 4,
    persistent: false,
  });
  assert.match(out.runId ?? '', /^jr_/);
  assert.deepEqual(sim.requests({ operation: 'StartJobRun' })[0]?.params, {
    JobName: 'MyJob-staging',
    WorkerType: 'G.2X',
    NumberOfWorkers: 4,
  });
  const started = await glue.getRun('MyJob-staging', out.runId!);
  assert.equal(started.capacity?.shape, '4 × G.2X');
  assert.equal(started.capacity?.units, 8);
});

test('stopRun stops a running run and surfaces per-run errors of BatchStopJobRun', async (t) => {
  const { sim, glue } = await withGlue(t);
  const id = await glue.startRun('MyJob');
  sim.state.clock.advance(60_000);
  assert.equal((await glue.getRun('MyJob', id)).platformState, 'RUNNING');
  await glue.stopRun('MyJob', id);
  assert.deepEqual(sim.requests({ operation: 'BatchStopJobRun' })[0]?.params, {
    JobName: 'MyJob',
    JobRunIds: [id],
  });
  const stopping = await glue.getRun('MyJob', id);
  assert.equal(stopping.platformState, 'STOPPING');
  assert.equal(stopping.state, 'running', 'still in progress while it stops');
  sim.state.clock.advance(10_000);
  const stopped = await glue.getRun('MyJob', id);
  assert.equal(stopped.platformState, 'STOPPED');
  assert.equal(stopped.state, 'cancelled');

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
  await rejectsWith(
    mitigate(glue, 'HealthyJob', { kind: 'scale', size: 'G.3X', count: 2, persistent: false }),
    'INVALID_INPUT',
    (e) => assert.match(e.message, /^Glue rejected glue:StartJobRun: .*G\.3X/),
  );
  await rejectsWith(
    mitigate(glue, 'HealthyJob', { kind: 'scale', size: 'G.1X', count: 5000, persistent: false }),
    'INVALID_INPUT',
  );
  await rejectsWith(glue.startRun('NoSuchJob'), 'NOT_FOUND', (e) =>
    assert.equal(e.message, 'Glue job NoSuchJob was not found'),
  );
});

// ---------------------------------------------------------------------------------------------
// UpdateJob and bookmarks

test('a persistent scale is UpdateJob carrying the whole definition over, changing only the size', async (t) => {
  const { sim, glue } = await withGlue(t);
  const original = structuredClone(sim.state.glue.jobs.get('MyJob')!);
  const scale = { kind: 'scale', size: 'G.2X', count: 20, persistent: true } as const;
  assert.deepEqual(await mitigate(glue, 'MyJob', scale), {}, 'a change, no run to follow');

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
  assert.equal(after.capacity?.shape, '20 × G.2X');
  assert.equal(after.capacity?.runtime, 'Glue 4.0', 'not reset to the default');
  assert.equal(after.timeoutMinutes, 2880);
  assert.deepEqual(
    Object.fromEntries(Object.entries(after.parameters).map(([k, v]) => [`--${k}`, v])),
    original.DefaultArguments,
  );
  assert.ok(after.lastModifiedOn! > new Date(original.LastModifiedOn));
  assert.equal(sim.state.glue.jobs.get('MyJob')!.ExecutionProperty.MaxConcurrentRuns, 1);
  const ops = sim.requests({ service: 'glue' }).map((r) => r.operation);
  assert.deepEqual(ops.slice(0, 2), ['GetJob', 'UpdateJob'], 'read, then write');

  await rejectsWith(mitigate(glue, 'NoSuchJob', { ...scale, count: 2 }), 'NOT_FOUND', (e) =>
    assert.equal(e.message, 'Glue job NoSuchJob was not found'),
  );
  await rejectsWith(mitigate(glue, 'MyJob', { ...scale, size: 'G.3X' }), 'INVALID_INPUT');
});

test('bookmarks: the setting from the definition, the position, and a reset with and without a run id', async (t) => {
  const { sim, glue } = await withGlue(t);
  const bookmarks = glue.bookmarks!;
  assert.deepEqual(bookmarks.setting(await glue.getJob('MyJob')), {
    option: 'job-bookmark-enable',
    enabled: true,
  });
  const runs = sim.state.glue.runsOf('MyJob');
  assert.deepEqual(await bookmarks.position('MyJob'), { runId: runs[0]!.Id }, 'the newest successful run');

  // A job without bookmarks: undefined, not an error. An unknown job is still NOT_FOUND.
  assert.equal(await bookmarks.position('SkewJob'), undefined);
  await rejectsWith(bookmarks.position('NoSuchJob'), 'NOT_FOUND', (e) =>
    assert.equal(e.message, 'Glue job NoSuchJob was not found'),
  );

  assert.deepEqual(await mitigate(glue, 'MyJob', { kind: 'bookmark-reset' }), {});
  assert.deepEqual(sim.requests({ operation: 'ResetJobBookmark' })[0]?.params, { JobName: 'MyJob' });
  assert.deepEqual(await bookmarks.position('MyJob'), {}, 'nothing processed since the reset');

  // Reset to a run: the runs started before it count again.
  const target = runs[5]!;
  sim.clearRequests();
  await mitigate(glue, 'MyJob', { kind: 'bookmark-reset', runId: target.Id });
  assert.deepEqual(sim.requests({ operation: 'ResetJobBookmark' })[0]?.params, {
    JobName: 'MyJob',
    RunId: target.Id,
  });
  assert.equal(
    (await bookmarks.position('MyJob'))?.runId,
    runs[6]!.Id,
    'the newest run started before the target',
  );

  await rejectsWith(mitigate(glue, 'MyJob', { kind: 'bookmark-reset', runId: 'jr_nope' }), 'NOT_FOUND', (e) =>
    assert.equal(e.message, 'Glue job run jr_nope of MyJob was not found'),
  );
  await rejectsWith(mitigate(glue, 'NoSuchJob', { kind: 'bookmark-reset' }), 'NOT_FOUND', (e) =>
    assert.equal(e.message, 'Glue job NoSuchJob was not found'),
  );
});

// ---------------------------------------------------------------------------------------------
// Catalog

test('getTableVersions: newest first, with columns and partition keys', async (t) => {
  const { sim, glue } = await withGlue(t);
  const versions = await glue.catalog!.tableVersions(DRIFTJOB.database, DRIFTJOB.table);
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

  const newestOnly = await glue.catalog!.tableVersions(DRIFTJOB.database, DRIFTJOB.table, 1);
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
  const wide = await glue.catalog!.tableVersions('lake', 'wide', 1000);
  assert.equal(wide.length, 250);
  assert.equal(wide[0]!.versionId, '250');
  assert.equal(wide.at(-1)!.versionId, '1');
  const calls = sim.requests({ operation: 'GetTableVersions' });
  assert.equal(calls.length, 3);
  assert.ok(calls.every((c) => c.params.MaxResults === 100));

  await rejectsWith(glue.catalog!.tableVersions('lake', 'nope'), 'NOT_FOUND', (e) =>
    assert.equal(e.message, 'Glue table lake.nope was not found'),
  );
  await rejectsWith(glue.catalog!.tableVersions('nodb', 'nope'), 'NOT_FOUND', (e) =>
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
    [
      'UpdateJob',
      () => mitigate(glue, 'MyJob', { kind: 'scale', size: 'G.1X', count: 12, persistent: true }),
    ],
    ['GetJobBookmark', () => glue.bookmarks!.position('MyJob')],
    ['ResetJobBookmark', () => mitigate(glue, 'MyJob', { kind: 'bookmark-reset' })],
    ['GetTableVersions', () => glue.catalog!.tableVersions(DRIFTJOB.database, DRIFTJOB.table)],
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
  assert.equal((await glue.getJob('MyJob')).capacity?.count, 10, 'nothing was changed');

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
    state: 'running',
    platformState: 'RUNNING',
    startedOn: started,
    durationSec: 0,
    parameters: { a: '1' },
    capacity: { unit: 'DPU' },
    billing: {
      unitHourUsd: 0.44,
      rateName: 'standard',
      minimumSec: 60,
      unknownReason: 'no worker type, worker count or MaxCapacity on the run',
    },
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
  const [newest] = sim.state.glue.runsOf('MyJob');
  const read = await logs.readRunLogs(
    {
      job: 'MyJob',
      runs: [{ id: newest!.Id, startedOn: new Date(newest!.startedAt) }],
      locations: ['/aws-glue/jobs/output'],
      maxEventsPerRun: 100,
    },
    () => {},
  );
  assert.deepEqual(read.problems, []);
  assert.deepEqual(read.locations, ['/aws-glue/jobs/output']);

  const s3 = providers.objectStore('s3');
  assert.equal(providers.objectStore('s3'), s3);
  const page = await s3.listPage({ container: 'lake-raw', prefix: 'events/', delimiter: '/', maxKeys: 5 });
  assert.equal(page.prefixes.length, 5, 'path-style requests reached the simulator');

  // Region override (the environment overlay of medic.yml) wins over AWS_REGION.
  const overlay = createProviders({ env, region: 'ap-south-1' });
  assert.equal(await (overlay.jobPlatform('glue') as GluePlatform).client.config.region(), 'ap-south-1');

  // Synapse: one platform for the process (no call to build it); a job without a workspace is
  // refused when used, naming the key to set; no metrics without subscription and resource group.
  const synapse = providers.jobPlatform('synapse');
  assert.equal(synapse.provider, 'synapse');
  assert.equal(providers.jobPlatform('synapse'), synapse);
  await assert.rejects(
    synapse.listRuns('NoWorkspace', { maxRuns: 5 }),
    (e: unknown) =>
      e instanceof ProviderError &&
      e.code === 'INVALID_INPUT' &&
      /jobs\.NoWorkspace\.workspace/.test(e.message),
  );
  const synapseLogs = await providers
    .logSource('synapse')
    .readRunLogs({ job: 'NoWorkspace', runs: [], maxEventsPerRun: 10 }, () => {});
  assert.ok(
    synapseLogs.problems.some((p) => p.code === 'INVALID_INPUT'),
    'a problem, not a throw',
  );
  assert.equal(providers.metrics('synapse'), undefined);
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

  // Counters of every adapter, summed: 1 GetJob + 1 FilterLogEvents + the region check's none.

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

test('catalog.planSchemaUpdate: the exact UpdateTable input, every other field of the table carried over', async (t) => {
  const { sim, glue } = await withGlue(t);
  const proposed = {
    columns: [
      { name: 'event_id', type: 'string' },
      { name: 'cust_id', type: 'string' },
      { name: 'amount', type: 'decimal(18,2)' },
      { name: 'channel', type: 'string' },
    ],
    partitionKeys: [{ name: 'dt', type: 'string' }],
  };
  const action = await glue.catalog!.planSchemaUpdate(DRIFTJOB.database, DRIFTJOB.table, proposed);
  assert.equal(action.operation, 'glue:UpdateTable');
  assert.equal(action.effect, 'change');
  const request = action.request as { DatabaseName: string; TableInput: Record<string, unknown> };
  assert.equal(request.DatabaseName, DRIFTJOB.database);
  const input = request.TableInput as {
    Name: string;
    StorageDescriptor: { Columns: { Name: string; Type: string }[]; Location?: string };
    PartitionKeys: { Name: string; Type: string }[];
  };
  assert.equal(input.Name, DRIFTJOB.table);
  assert.deepEqual(
    input.StorageDescriptor.Columns.map((c) => c.Name),
    ['event_id', 'cust_id', 'amount', 'channel'],
  );
  assert.equal(input.StorageDescriptor.Location, DRIFTJOB.input, 'the location is carried over');
  assert.deepEqual(input.PartitionKeys, [{ Name: 'dt', Type: 'string' }]);
  assert.ok(action.description.startsWith(`glue:UpdateTable DatabaseName=${DRIFTJOB.database} TableInput=`));
  assert.deepEqual(
    sim.requests({ service: 'glue' }).map((r) => r.operation),
    ['GetTable'],
    'planning reads; it changes nothing',
  );
  await rejectsWith(glue.catalog!.planSchemaUpdate('lake', 'nope', proposed), 'NOT_FOUND');
});

test('a next run scheduled after a compaction: not listed before it starts, then its chosen ExecutionTime', async (t) => {
  const { sim, glue } = await withGlue(t);
  const res = await fetch(`${sim.url}/_sim/next-run`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      job: 'MyJob',
      after: 'MyJob-compaction',
      delaySec: 5,
      durationSec: 20,
      executionSec: 1150,
    }),
  });
  assert.equal(res.status, 200);
  const before = (await glue.listRuns('MyJob', { maxRuns: 50 })).map((r) => r.id);
  sim.state.glue.configureRuns('MyJob-compaction', { durationSec: 30, startingSec: 0 });
  await mitigate(glue, 'MyJob', {
    kind: 'compaction',
    compactionJob: 'MyJob-compaction',
    inputLocation: 's3://lake-raw/events/',
    targetFileBytes: 512 * 2 ** 20,
  });
  // Scheduled for the compaction's end + 5 s: not there yet.
  assert.deepEqual(
    (await glue.listRuns('MyJob', { maxRuns: 50 })).map((r) => r.id),
    before,
  );
  sim.state.clock.advance(36_000);
  const started = await glue.listRuns('MyJob', { maxRuns: 50 });
  assert.equal(started.length, before.length + 1);
  assert.equal(started[0]!.state, 'running');
  assert.equal(started[0]!.triggerName, 'nightly');
  sim.state.clock.advance(30_000);
  const done = await glue.getRun('MyJob', started[0]!.id);
  assert.equal(done.state, 'succeeded');
  assert.equal(done.durationSec, 1150, 'the ExecutionTime chosen, not the 20 s it took');
});
