// Contract: the official Glue client against the simulator (JSON 1.1 over X-Amz-Target), covering
// paging, run progression over simulated time, each error as the SDK's typed exception, and
// throttling retried by the SDK.
import { describe, it, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import {
  AccessDeniedException,
  BatchStopJobRunCommand,
  ConcurrentRunsExceededException,
  EntityNotFoundException,
  GetJobBookmarkCommand,
  GetJobCommand,
  GetJobRunCommand,
  GetJobRunsCommand,
  GetJobsCommand,
  GetTableCommand,
  GetTableVersionsCommand,
  GlueClient,
  InvalidInputException,
  ResetJobBookmarkCommand,
  StartJobRunCommand,
  ThrottlingException,
  UpdateJobCommand,
  paginateGetJobRuns,
  type JobRun,
} from '@aws-sdk/client-glue';
import {
  startSimulator,
  MYJOB,
  DRIFTJOB,
  OOMJOB,
  OOM_ERROR_MESSAGE,
  type Simulator,
} from '../../sim/index.js';

function client(sim: Simulator, maxAttempts = 3): GlueClient {
  return new GlueClient({
    endpoint: sim.url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'sim', secretAccessKey: 'sim' },
    maxAttempts,
  });
}

async function allRuns(
  glue: GlueClient,
  jobName: string,
  pageSize: number,
): Promise<{ runs: JobRun[]; pages: number }> {
  const runs: JobRun[] = [];
  let pages = 0;
  for await (const page of paginateGetJobRuns({ client: glue, pageSize }, { JobName: jobName })) {
    pages++;
    runs.push(...(page.JobRuns ?? []));
  }
  return { runs, pages };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
};

describe('Glue contract (simulator)', () => {
  let sim: Simulator;
  let glue: GlueClient;

  beforeEach(async () => {
    sim = await startSimulator({ port: 0 });
    glue = client(sim);
  });
  afterEach(async () => {
    glue.destroy();
    await sim.stop();
  });

  it('GetJob returns the definition with its input path, dates as Date', async () => {
    const { Job } = await glue.send(new GetJobCommand({ JobName: 'MyJob' }));
    assert.equal(Job?.Name, 'MyJob');
    assert.equal(Job?.WorkerType, 'G.1X');
    assert.equal(Job?.NumberOfWorkers, 10);
    assert.equal(Job?.DefaultArguments?.['--input_path'], 's3://lake-raw/events/');
    assert.ok(Job?.CreatedOn instanceof Date);
    assert.ok(Job.CreatedOn.getTime() < Date.now());
  });

  it('GetJobs lists every job across pages (name suggestions)', async () => {
    const names: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const page = await glue.send(
        new GetJobsCommand({ MaxResults: 3, ...(token ? { NextToken: token } : {}) }),
      );
      names.push(...(page.Jobs ?? []).map((j) => j.Name!));
      token = page.NextToken;
      pages++;
    } while (token);
    assert.ok(pages > 1);
    for (const n of [
      'MyJob',
      'MyJob-compaction',
      'MyJob-staging',
      'OomJob',
      'SkewJob',
      'DriftJob',
      'HealthyJob',
    ]) {
      assert.ok(names.includes(n), `${n} listed`);
    }
    assert.equal(new Set(names).size, names.length);
  });

  it('paginateGetJobRuns pages through every run, newest first, no duplicates', async () => {
    const { runs, pages } = await allRuns(glue, 'MyJob', 5);
    assert.equal(runs.length, MYJOB.runs);
    assert.equal(pages, Math.ceil(MYJOB.runs / 5));
    assert.equal(new Set(runs.map((r) => r.Id)).size, runs.length);
    for (let i = 1; i < runs.length; i++) {
      assert.ok(runs[i - 1]!.StartedOn!.getTime() >= runs[i]!.StartedOn!.getTime(), 'newest first');
    }
    const sent = sim.requests({ service: 'glue', operation: 'GetJobRuns' });
    assert.ok(sent.every((r) => r.params.MaxResults === 5));
    assert.ok(sent.slice(1).every((r) => typeof r.params.NextToken === 'string'));
    // The JobRun fields the bot relies on.
    const r = runs[0]!;
    assert.equal(r.JobName, 'MyJob');
    assert.equal(r.JobRunState, 'SUCCEEDED');
    assert.equal(r.WorkerType, 'G.1X');
    assert.equal(r.NumberOfWorkers, 10);
    assert.ok(r.CompletedOn instanceof Date && r.CompletedOn > r.StartedOn!);
    assert.equal(typeof r.ExecutionTime, 'number');
  });

  it('MyJob: the last 3 runs are about 80% over a stable baseline', async () => {
    const { runs } = await allRuns(glue, 'MyJob', 200);
    const times = runs.map((r) => r.ExecutionTime!);
    const degraded = times.slice(0, 3);
    const baseline = times.slice(3);
    const base = median(baseline);
    assert.ok(Math.abs(base - MYJOB.baselineSec) < 60);
    for (const t of degraded) assert.ok(t / base > 1.7 && t / base < 1.9, `${t} vs ${base}`);
    for (const t of baseline) assert.ok(Math.abs(t / base - 1) < 0.1, 'baseline is stable');
  });

  it('OomJob: recent runs FAILED with a memory error message', async () => {
    const { JobRuns } = await glue.send(new GetJobRunsCommand({ JobName: OOMJOB.name, MaxResults: 5 }));
    const states = JobRuns!.map((r) => r.JobRunState);
    assert.deepEqual(states, ['FAILED', 'FAILED', 'FAILED', 'SUCCEEDED', 'SUCCEEDED']);
    assert.equal(JobRuns![0]!.ErrorMessage, OOM_ERROR_MESSAGE);
    assert.match(JobRuns![0]!.ErrorMessage!, /OutOfMemoryError|memory limits/);
  });

  it('MaxResults outside 1–200 is an InvalidInputException', async () => {
    for (const MaxResults of [0, 201]) {
      await assert.rejects(
        glue.send(new GetJobRunsCommand({ JobName: 'MyJob', MaxResults })),
        (e: unknown) => {
          assert.ok(e instanceof InvalidInputException, String(e));
          assert.equal(e.$metadata.httpStatusCode, 400);
          return true;
        },
      );
    }
    const ok = await glue.send(new GetJobRunsCommand({ JobName: 'MyJob', MaxResults: 200 }));
    assert.equal(ok.JobRuns?.length, MYJOB.runs);
    assert.equal(ok.NextToken, undefined);
  });

  it('a tampered NextToken is an InvalidInputException', async () => {
    await assert.rejects(
      glue.send(new GetJobRunsCommand({ JobName: 'MyJob', NextToken: 'not-a-token' })),
      (e: unknown) => e instanceof InvalidInputException,
    );
  });

  it('unknown job, run and table are EntityNotFoundException', async () => {
    const cases = [
      glue.send(new GetJobCommand({ JobName: 'NoSuchJob' })),
      glue.send(new GetJobRunsCommand({ JobName: 'NoSuchJob' })),
      glue.send(new GetJobRunCommand({ JobName: 'MyJob', RunId: 'jr_nope' })),
      glue.send(new StartJobRunCommand({ JobName: 'NoSuchJob' })),
      glue.send(new GetTableCommand({ DatabaseName: 'lake', Name: 'no_table' })),
      glue.send(new GetTableCommand({ DatabaseName: 'no_db', Name: 'drift_events' })),
    ];
    for (const c of cases) {
      await assert.rejects(c, (e: unknown) => {
        assert.ok(e instanceof EntityNotFoundException, String(e));
        assert.ok(e.message.length > 0);
        return true;
      });
    }
  });

  it('AccessDeniedException surfaces typed when injected for an operation', async () => {
    sim.setFaults([{ service: 'glue', operation: 'GetJobRuns', error: 'denied' }]);
    try {
      await assert.rejects(glue.send(new GetJobRunsCommand({ JobName: 'MyJob' })), (e: unknown) => {
        assert.ok(e instanceof AccessDeniedException, String(e));
        assert.match(e.message, /glue:GetJobRuns/);
        return true;
      });
      // Other operations are unaffected.
      await glue.send(new GetJobCommand({ JobName: 'MyJob' }));
    } finally {
      sim.setFaults([]);
    }
  });

  it('throttling is retried by the SDK; the simulator sees the retries', async () => {
    const sim2 = await startSimulator({ port: 0, seed: 7 });
    const g = client(sim2, 10);
    try {
      sim2.setFaults([{ service: 'glue', operation: 'GetJobRuns', error: 'throttle', rate: 0.4 }]);
      const { runs, pages } = await allRuns(g, 'MyJob', 8);
      assert.equal(runs.length, MYJOB.runs);
      const seen = sim2.requests({ service: 'glue', operation: 'GetJobRuns' });
      const throttled = seen.filter((r) => r.error === 'ThrottlingException');
      const ok = seen.filter((r) => r.status === 200);
      assert.ok(throttled.length > 0, 'some calls were throttled');
      assert.ok(throttled.every((r) => r.status === 400 && r.injected === true));
      assert.equal(ok.length, pages, 'one successful call per page');
      assert.equal(seen.length, ok.length + throttled.length);
    } finally {
      g.destroy();
      await sim2.stop();
    }
  });

  it('latency rules delay matching calls (fixed or random) without failing them', async () => {
    sim.setFaults([
      { service: 'glue', operation: 'GetJob', latencyMs: { min: 5, max: 15 } },
      { service: 'glue', operation: 'GetJob', resource: 'OomJob', latencyMs: 20 },
    ]);
    await glue.send(new GetJobCommand({ JobName: 'MyJob' }));
    await glue.send(new GetJobCommand({ JobName: 'OomJob' }));
    await glue.send(new GetJobsCommand({}));
    const [my, oom] = sim.requests({ operation: 'GetJob' });
    assert.equal(my!.status, 200);
    assert.ok(my!.latencyMs! >= 5 && my!.latencyMs! <= 15);
    assert.ok(oom!.latencyMs! >= 25 && oom!.latencyMs! <= 35, 'latencies of matching rules add up');
    assert.equal(sim.requests({ operation: 'GetJobs' })[0]!.latencyMs, undefined);
  });

  it('ThrottlingException surfaces typed once retries are exhausted', async () => {
    const g = client(sim, 2);
    sim.setFaults([{ service: 'glue', operation: 'GetJob', error: 'throttle' }]);
    sim.clearRequests();
    try {
      await assert.rejects(g.send(new GetJobCommand({ JobName: 'MyJob' })), (e: unknown) => {
        assert.ok(e instanceof ThrottlingException, String(e));
        return true;
      });
      assert.equal(sim.requests({ operation: 'GetJob' }).length, 2, 'first try and one retry');
    } finally {
      sim.setFaults([]);
      g.destroy();
    }
  });

  it('StartJobRun progresses STARTING → RUNNING → SUCCEEDED over simulated time', async () => {
    const { JobRunId } = await glue.send(
      new StartJobRunCommand({ JobName: 'MyJob-compaction', Arguments: { '--partition': 'dt=2026-11-26' } }),
    );
    assert.match(JobRunId!, /^jr_[0-9a-f]{64}$/);
    const get = async () =>
      (await glue.send(new GetJobRunCommand({ JobName: 'MyJob-compaction', RunId: JobRunId! }))).JobRun!;
    let run = await get();
    assert.equal(run.JobRunState, 'STARTING');
    assert.deepEqual(run.Arguments, { '--partition': 'dt=2026-11-26' });
    sim.state.clock.advance(60_000);
    run = await get();
    assert.equal(run.JobRunState, 'RUNNING');
    assert.equal(run.CompletedOn, undefined);
    sim.state.clock.advance(480_000);
    run = await get();
    assert.equal(run.JobRunState, 'SUCCEEDED');
    assert.equal(run.ExecutionTime, 480);
    assert.ok(run.CompletedOn instanceof Date);
    // It is the newest run of the job.
    const { JobRuns } = await glue.send(
      new GetJobRunsCommand({ JobName: 'MyJob-compaction', MaxResults: 1 }),
    );
    assert.equal(JobRuns![0]!.Id, JobRunId);
  });

  it('configured outcome: a run can FAIL with the configured message, fast under a speed factor', async () => {
    const fast = await startSimulator({ port: 0, speed: 1_000_000 });
    const g = client(fast);
    try {
      fast.state.glue.configureRuns('MyJob-staging', {
        durationSec: 60,
        outcome: 'FAILED',
        errorMessage: 'boom',
      });
      const { JobRunId } = await g.send(new StartJobRunCommand({ JobName: 'MyJob-staging' }));
      let state: string | undefined;
      for (let i = 0; i < 100 && state !== 'FAILED'; i++) {
        const { JobRun } = await g.send(new GetJobRunCommand({ JobName: 'MyJob-staging', RunId: JobRunId! }));
        state = JobRun!.JobRunState;
        if (state === 'FAILED') assert.equal(JobRun!.ErrorMessage, 'boom');
        else await new Promise((r) => setTimeout(r, 5));
      }
      assert.equal(state, 'FAILED');
    } finally {
      g.destroy();
      await fast.stop();
    }
  });

  it('a second concurrent run is ConcurrentRunsExceededException; BatchStopJobRun stops the first', async () => {
    const { JobRunId } = await glue.send(new StartJobRunCommand({ JobName: 'MyJob' }));
    await assert.rejects(glue.send(new StartJobRunCommand({ JobName: 'MyJob' })), (e: unknown) => {
      assert.ok(e instanceof ConcurrentRunsExceededException, String(e));
      return true;
    });
    const stop = await glue.send(
      new BatchStopJobRunCommand({ JobName: 'MyJob', JobRunIds: [JobRunId!, 'jr_missing'] }),
    );
    assert.deepEqual(stop.SuccessfulSubmissions, [{ JobName: 'MyJob', JobRunId }]);
    assert.equal(stop.Errors?.[0]?.JobRunId, 'jr_missing');
    assert.equal(stop.Errors?.[0]?.ErrorDetail?.ErrorCode, 'EntityNotFoundException');
    const get = async () =>
      (await glue.send(new GetJobRunCommand({ JobName: 'MyJob', RunId: JobRunId! }))).JobRun!;
    assert.equal((await get()).JobRunState, 'STOPPING');
    sim.state.clock.advance(10_000);
    assert.equal((await get()).JobRunState, 'STOPPED');
    // Stopped, so a new run may start.
    const again = await glue.send(new StartJobRunCommand({ JobName: 'MyJob' }));
    await glue.send(new BatchStopJobRunCommand({ JobName: 'MyJob', JobRunIds: [again.JobRunId!] }));
  });

  it('StartJobRun overrides: Flex needs G.1X/G.2X, workers are per run', async () => {
    await assert.rejects(
      glue.send(
        new StartJobRunCommand({ JobName: 'MyJob-compaction', ExecutionClass: 'FLEX', WorkerType: 'G.4X' }),
      ),
      (e: unknown) => e instanceof InvalidInputException,
    );
    sim.state.clock.advance(3_600_000);
    const { JobRunId } = await glue.send(
      new StartJobRunCommand({
        JobName: 'MyJob-compaction',
        WorkerType: 'G.2X',
        NumberOfWorkers: 4,
        ExecutionClass: 'FLEX',
      }),
    );
    sim.state.clock.advance(3_600_000);
    const { JobRun } = await glue.send(
      new GetJobRunCommand({ JobName: 'MyJob-compaction', RunId: JobRunId! }),
    );
    assert.equal(JobRun?.NumberOfWorkers, 4);
    assert.equal(JobRun?.ExecutionClass, 'FLEX');
    assert.equal(JobRun?.DPUSeconds, 8 * 480, 'Flex runs report DPUSeconds');
  });

  it('UpdateJob replaces the definition (omitted fields reset, as on AWS)', async () => {
    const { Job } = await glue.send(new GetJobCommand({ JobName: 'HealthyJob' }));
    await glue.send(
      new UpdateJobCommand({
        JobName: 'HealthyJob',
        JobUpdate: {
          Role: Job!.Role!,
          Command: Job!.Command!,
          DefaultArguments: Job!.DefaultArguments!,
          WorkerType: 'G.2X',
          NumberOfWorkers: 4,
          GlueVersion: Job!.GlueVersion!,
        },
      }),
    );
    const after1 = (await glue.send(new GetJobCommand({ JobName: 'HealthyJob' }))).Job!;
    assert.equal(after1.WorkerType, 'G.2X');
    assert.equal(after1.NumberOfWorkers, 4);
    assert.equal(after1.DefaultArguments?.['--input_path'], 's3://lake-raw/metrics/');
    await glue.send(
      new UpdateJobCommand({ JobName: 'HealthyJob', JobUpdate: { NumberOfWorkers: 3, WorkerType: 'G.1X' } }),
    );
    const after2 = (await glue.send(new GetJobCommand({ JobName: 'HealthyJob' }))).Job!;
    assert.deepEqual(after2.DefaultArguments, {}, 'arguments not in JobUpdate are removed');
    await assert.rejects(
      glue.send(new UpdateJobCommand({ JobName: 'Nope', JobUpdate: {} })),
      (e: unknown) => e instanceof EntityNotFoundException,
    );
  });

  it('GetJobBookmark / ResetJobBookmark', async () => {
    const { JobBookmarkEntry: bm } = await glue.send(new GetJobBookmarkCommand({ JobName: 'MyJob' }));
    assert.equal(bm?.JobName, 'MyJob');
    assert.ok((bm?.Run ?? 0) >= MYJOB.runs);
    const { JobRuns } = await glue.send(new GetJobRunsCommand({ JobName: 'MyJob', MaxResults: 200 }));
    const succeeded = JobRuns!.filter((r) => r.JobRunState === 'SUCCEEDED');
    assert.equal(bm?.RunId, succeeded[0]!.Id);
    assert.equal(bm?.PreviousRunId, succeeded[1]!.Id);
    const reset = await glue.send(new ResetJobBookmarkCommand({ JobName: 'MyJob' }));
    assert.equal(reset.JobBookmarkEntry?.Run, 0);
    assert.equal(reset.JobBookmarkEntry?.RunId, undefined);
    await assert.rejects(
      glue.send(new GetJobBookmarkCommand({ JobName: 'SkewJob' })),
      (e: unknown) => e instanceof EntityNotFoundException,
      'no bookmark for a job without bookmarks',
    );
  });

  it('GetTable and GetTableVersions: DriftJob’s table changed inside the degraded window', async () => {
    const { Table } = await glue.send(
      new GetTableCommand({ DatabaseName: DRIFTJOB.database, Name: DRIFTJOB.table }),
    );
    assert.equal(Table?.VersionId, '2');
    assert.ok(Table?.StorageDescriptor?.Columns?.some((c) => c.Name === 'cust_id'));
    const versions = [];
    let token: string | undefined;
    do {
      const page = await glue.send(
        new GetTableVersionsCommand({
          DatabaseName: 'lake',
          TableName: 'drift_events',
          MaxResults: 1,
          ...(token ? { NextToken: token } : {}),
        }),
      );
      versions.push(...page.TableVersions!);
      token = page.NextToken;
    } while (token);
    assert.deepEqual(
      versions.map((v) => v.VersionId),
      ['2', '1'],
    );
    assert.ok(versions[1]!.Table?.StorageDescriptor?.Columns?.some((c) => c.Name === 'customer_id'));
    const { JobRuns } = await glue.send(new GetJobRunsCommand({ JobName: 'DriftJob', MaxResults: 4 }));
    const firstFailed = JobRuns![2]!;
    const lastGood = JobRuns![3]!;
    assert.equal(firstFailed.JobRunState, 'FAILED');
    assert.match(firstFailed.ErrorMessage!, /AnalysisException.*cannot resolve column/);
    const changed = Table!.UpdateTime!.getTime();
    assert.ok(changed > lastGood.CompletedOn!.getTime() && changed < firstFailed.StartedOn!.getTime());
    await assert.rejects(
      glue.send(
        new GetTableVersionsCommand({ DatabaseName: 'lake', TableName: 'drift_events', MaxResults: 101 }),
      ),
      (e: unknown) => e instanceof InvalidInputException,
    );
  });
});
