// The JobPlatform and LogSource ports' contract: what the core relies on from every adapter,
// whatever the platform. Each adapter runs this suite against its simulator (see
// job-platform-glue.test.ts); a new platform's adapter joins by giving a `PlatformFixture`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MITIGATION_KINDS, type MitigationParams } from '../../../src/domain/approval-policy.js';
import { RUN_STATES } from '../../../src/domain/run-record.js';
import {
  ProviderError,
  type JobPlatform,
  type LogSource,
  type PlannedAction,
  type ProviderErrorCode,
} from '../../../src/providers/ports.js';

export interface PlatformFixture {
  platform: JobPlatform;
  logs: LogSource;
  /** A job with at least 13 runs of history, some of them failed with error lines in their logs. */
  jobWithHistory: string;
  /** A job that accepts a new run now (no run of it in progress blocks another). */
  startableJob: string;
  /** Parameters startableJob's run should carry (round trip). */
  startParameters: Record<string, string>;
  /** Moves the platform's clock forward so a started run can finish. */
  advance(ms: number): void;
  /** How long a started run of startableJob takes, at most, in simulated ms. */
  runTakesMs: number;
  /** A log location that does not exist. */
  missingLogLocation: string;
  close(): Promise<void>;
}

async function rejectsWith(p: Promise<unknown>, code: ProviderErrorCode): Promise<ProviderError> {
  let caught: unknown;
  try {
    await p;
  } catch (e) {
    caught = e;
  }
  assert.ok(caught instanceof ProviderError, `expected a ProviderError, got ${String(caught)}`);
  assert.equal(caught.code, code, caught.message);
  return caught;
}

/** The params of every mitigation kind, for the planning checks. */
function everyKind(job: string, size: string): MitigationParams[] {
  return MITIGATION_KINDS.map((kind): MitigationParams => {
    switch (kind) {
      case 'compaction':
        return {
          kind,
          compactionJob: job,
          inputLocation: 's3://bucket/prefix/',
          targetFileBytes: 512 * 1024 ** 2,
        };
      case 'scale':
        return { kind, size, count: 4, persistent: false };
      case 'shuffle-tuning':
        return { kind, shufflePartitions: 400, skewJoin: true };
      case 'bookmark-reset':
        return { kind };
      case 'code-fix':
        return { kind, owner: 'U0OWNER', description: 'fix it' };
      case 'recovery-rerun':
        return { kind, runId: 'run-that-failed', step: 'Transform' };
    }
  });
}

export function jobPlatformContract(name: string, setup: () => Promise<PlatformFixture>): void {
  const withFixture = (title: string, body: (f: PlatformFixture) => Promise<void>) =>
    test(`${name} — ${title}`, async () => {
      const f = await setup();
      try {
        await body(f);
      } finally {
        await f.close();
      }
    });

  withFixture('says how its things are called', async ({ platform }) => {
    for (const [k, v] of Object.entries(platform.terms))
      if (k !== 'parameterPrefix') assert.ok(typeof v === 'string' && v.length > 0, `terms.${k}`);
    assert.ok(platform.perRunParameters instanceof Set);
  });

  withFixture(
    'getJob: parameters without a prefix, capacity in its unit; an unknown job is NOT_FOUND',
    async (f) => {
      const def = await f.platform.getJob(f.jobWithHistory);
      assert.equal(def.name, f.jobWithHistory);
      assert.equal(typeof def.parameters, 'object');
      const prefix = f.platform.terms.parameterPrefix;
      if (prefix) for (const k of Object.keys(def.parameters)) assert.ok(!k.startsWith(prefix), k);
      if (def.capacity) assert.ok(def.capacity.unit.length > 0);
      const e = await rejectsWith(f.platform.getJob(`${f.jobWithHistory}-does-not-exist`), 'NOT_FOUND');
      assert.match(e.message, new RegExp(`${f.jobWithHistory}-does-not-exist`));
      assert.ok((await f.platform.listJobNames()).includes(f.jobWithHistory));
    },
  );

  withFixture(
    'listRuns: newest first, neutral states, durations, costs and links; maxRuns and since respected',
    async (f) => {
      const runs = await f.platform.listRuns(f.jobWithHistory, { maxRuns: 100 });
      assert.ok(runs.length >= 13, `history: ${runs.length} runs`);
      for (let i = 1; i < runs.length; i++) assert.ok(runs[i - 1]!.startedOn >= runs[i]!.startedOn);
      for (const r of runs) {
        assert.ok(RUN_STATES.includes(r.state), r.state);
        assert.ok(r.platformState && r.platformState.length > 0);
        assert.ok(r.durationSec >= 0);
        assert.equal(r.jobName, f.jobWithHistory);
        assert.ok(r.links?.consoleUrl?.startsWith('https://'), 'a console link');
        assert.equal(typeof r.parameters, 'object');
        if (r.capacity?.units !== undefined)
          assert.ok(r.billing && r.billing.unitHourUsd > 0, 'a rate to cost it');
      }
      assert.ok(runs.some((r) => r.state === 'succeeded'));
      assert.equal((await f.platform.listRuns(f.jobWithHistory, { maxRuns: 5 })).length, 5);
      const since = runs[4]!.startedOn;
      const recent = await f.platform.listRuns(f.jobWithHistory, { maxRuns: 100, since });
      assert.deepEqual(
        recent.map((r) => r.id),
        runs.filter((r) => r.startedOn >= since).map((r) => r.id),
      );
      assert.deepEqual(await f.platform.listRuns(f.jobWithHistory, { maxRuns: 0 }), []);
    },
  );

  withFixture('getRun: the same run as listed; an unknown run is NOT_FOUND', async (f) => {
    const [newest] = await f.platform.listRuns(f.jobWithHistory, { maxRuns: 1 });
    const run = await f.platform.getRun(f.jobWithHistory, newest!.id);
    assert.equal(run.id, newest!.id);
    assert.equal(run.state, newest!.state);
    assert.equal(run.durationSec, newest!.durationSec);
    await rejectsWith(f.platform.getRun(f.jobWithHistory, 'run-that-does-not-exist'), 'NOT_FOUND');
  });

  withFixture(
    'startRun → getRun: parameters round trip, the run finishes; stopRun cancels another',
    async (f) => {
      const id = await f.platform.startRun(f.startableJob, { parameters: f.startParameters });
      const started = await f.platform.getRun(f.startableJob, id);
      assert.ok(['queued', 'running'].includes(started.state), started.state);
      for (const [k, v] of Object.entries(f.startParameters)) assert.equal(started.parameters[k], v, k);
      f.advance(f.runTakesMs);
      const done = await f.platform.getRun(f.startableJob, id);
      assert.equal(done.state, 'succeeded', done.platformState);
      assert.ok(done.completedOn instanceof Date);

      const other = await f.platform.startRun(f.startableJob);
      f.advance(60_000);
      await f.platform.stopRun(f.startableJob, other);
      f.advance(60_000);
      assert.equal((await f.platform.getRun(f.startableJob, other)).state, 'cancelled');
    },
  );

  withFixture(
    'mitigations: planned calls survive a JSON round trip (the approval store) and describe themselves',
    async (f) => {
      const size = f.platform.scaling?.defaultSize ?? 'default';
      for (const params of everyKind(f.startableJob, size)) {
        const planned = f.platform.planMitigation(f.startableJob, params);
        if (planned === undefined) continue; // this platform cannot do that kind
        if (params.kind === 'code-fix') assert.deepEqual(planned, [], 'a code fix calls nothing');
        for (const a of planned) {
          const back = JSON.parse(JSON.stringify(a)) as PlannedAction;
          assert.deepEqual(back, a, `${params.kind}: JSON-safe`);
          assert.ok(a.operation && a.description.includes(a.jobName), `${params.kind}: described`);
          assert.ok(a.effect === 'run' || a.effect === 'change');
        }
      }
      if (f.platform.scaling) {
        assert.ok(f.platform.scaling.sizes.includes(f.platform.scaling.defaultSize));
        assert.ok(f.platform.scaling.maxCount >= 1);
      }
      // A 'run' action replayed from its JSON starts a run the follower can read.
      const rerun = f.platform.planMitigation(f.startableJob, {
        kind: 'shuffle-tuning',
        shufflePartitions: 400,
        skewJoin: false,
      });
      const action = rerun?.find((a) => a.effect === 'run');
      if (action) {
        const out = await f.platform.execute(JSON.parse(JSON.stringify(action)) as PlannedAction);
        assert.ok(out.runId);
        assert.ok(['queued', 'running'].includes((await f.platform.getRun(action.jobName, out.runId)).state));
      }
    },
  );

  withFixture(
    'readRunLogs: every event of the runs asked for, problems per part, never a throw',
    async (f) => {
      const runs = await f.platform.listRuns(f.jobWithHistory, { maxRuns: 20 });
      const failed = runs.filter((r) => r.state === 'failed').slice(0, 2);
      assert.ok(failed.length > 0, 'the fixture job has failed runs');
      const seen = new Set<string>();
      let messages = 0;
      const read = await f.logs.readRunLogs(
        { job: f.jobWithHistory, runs: failed, maxEventsPerRun: 1000 },
        (e) => {
          seen.add(e.runId);
          if (e.message.length > 0) messages++;
          assert.ok(e.timestamp instanceof Date);
        },
      );
      assert.deepEqual(read.problems, []);
      assert.ok(read.events > 0 && read.events === messages);
      assert.ok([...seen].every((id) => failed.some((r) => r.id === id)));
      assert.ok(read.locations.length > 0);

      const missing = await f.logs.readRunLogs(
        { job: f.jobWithHistory, runs: failed, locations: [f.missingLogLocation], maxEventsPerRun: 10 },
        () => assert.fail('no events from a location that does not exist'),
      );
      assert.equal(missing.events, 0);
      assert.ok(missing.problems.some((p) => p.code === 'NOT_FOUND'));
    },
  );
}
