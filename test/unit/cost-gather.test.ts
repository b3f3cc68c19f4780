// jobs/cost-gather.ts with a fake platform that has no tags capability (as a platform may lack it):
// /cost of a job still reports, its tags are "not available on <platform>", and /cost of a tag
// says the platform cannot search by tag.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gatherCost } from '../../jobs/cost-gather.js';
import { testConfig } from '../support/medic.js';
import { createLogger } from '../../src/logger.js';
import {
  ProviderError,
  emptyStats,
  type JobPlatform,
  type JobRun,
  type Providers,
} from '../../src/providers/ports.js';

const NOW = Date.UTC(2026, 10, 20, 12);

function runs(): JobRun[] {
  return Array.from({ length: 5 }, (_, i) => ({
    id: `r${i}`,
    jobName: 'Pipe',
    attempt: 0,
    parameters: {},
    state: 'succeeded',
    startedOn: new Date(NOW - (i + 1) * 86_400_000),
    durationSec: 1800,
    capacity: { unit: 'vCore', units: 16 },
    billing: { unitHourUsd: 0.15, rateName: 'Spark vCore-hour', minimumSec: 0 },
  }));
}

const unsupported = () => Promise.reject(new ProviderError('INVALID_INPUT', 'not in this fake'));

/** A platform with runs and no optional capability at all. */
const fake: JobPlatform = {
  provider: 'glue',
  terms: {
    platform: 'Fake Platform',
    cloud: 'Fake',
    short: 'Fake',
    job: 'fake job',
    runIdExample: 'r…',
    parameterPrefix: '',
    permissions: 'roles',
  },
  perRunParameters: new Set(),
  getJob: unsupported,
  listJobNames: () => Promise.resolve(['Pipe']),
  listRuns: (name) =>
    name === 'Pipe'
      ? Promise.resolve(runs())
      : Promise.reject(new ProviderError('NOT_FOUND', `${name} was not found`)),
  getRun: unsupported,
  startRun: unsupported,
  stopRun: unsupported,
  planMitigation: () => undefined,
  execute: unsupported,
};

const providers: Providers = {
  jobPlatform: () => fake,
  logSource: () => {
    throw new ProviderError('INVALID_INPUT', 'no logs');
  },
  metrics: () => undefined,
  objectStore: () => {
    throw new ProviderError('INVALID_INPUT', 'no store');
  },
  stats: emptyStats,
  close: () => {},
};

const deps = {
  config: testConfig({ yaml: 'costControls: { requiredTags: [owner] }\njobs: { Pipe: {} }' }),
  providers,
  logger: createLogger({ level: 'silent' }),
  now: () => NOW,
};

test('a platform without tags: the job is costed, its tags are "not available"', async () => {
  const out = await gatherCost(deps, { job: 'Pipe' }, 30);
  assert.ok(out.ok);
  // 16 vCores × 0.5 h × $0.15 = $1.20 a run, 5 runs.
  assert.ok(Math.abs(out.gathered.report.totalUsd - 6) < 1e-9);
  assert.equal(out.gathered.report.unit, 'vCore');
  assert.deepEqual(out.gathered.tags, {
    state: 'unavailable',
    reason: 'tags not available on Fake Platform',
  });
});

test('a platform without tags cannot be searched by tag, and says so', async () => {
  const out = await gatherCost(deps, { tag: { key: 'owner', value: 'x' } }, 30);
  assert.equal(out.ok, false);
  if (!out.ok) assert.equal(out.title, 'Tags not available on Fake Platform');
});

test('an unknown job: did you mean, from the platform’s job names', async () => {
  const out = await gatherCost(deps, { job: 'Pip' }, 30);
  assert.equal(out.ok, false);
  if (!out.ok) {
    assert.equal(out.title, 'No fake job named Pip');
    assert.deepEqual(out.suggestions, ['Pipe']);
  }
});
