// The failed-backfill runbook's moves on a record: Resume from the failed step, Abort of a failed
// backfill, whether production was touched.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  applyStep,
  buildPlan,
  mayRun,
  newRecord,
  type BackfillRecord,
} from '../../src/domain/backfill-plan.js';
import {
  abandonRecord,
  canAbandon,
  canResume,
  errorSignature,
  failedStep,
  productionState,
  resumeRecord,
} from '../../src/domain/backfill-resume.js';
import { renderBackfillProgress } from '../../src/slack/blocks/backfill-progress.js';

const NOW = Date.UTC(2026, 10, 27, 5, 6, 7);

function failedAtStaging(): BackfillRecord {
  const plan = buildPlan({
    id: 'bf-20261127-1',
    job: 'MyJob',
    provider: 'glue',
    env: 'prod',
    dryRun: false,
    from: '2026-11-20',
    to: '2026-11-20',
    input: { scheme: 's3', container: 'lake-raw', prefix: 'events/' },
    production: { scheme: 's3', container: 'lake-curated', prefix: 'events/' },
    stagingJob: 'MyJob-staging',
    stagingRoot: { scheme: 's3', container: 'lake-staging', prefix: 'events/' },
    consumers: [],
    smallFileBytes: 32 * 1024 * 1024,
    requester: 'U0ONCALL',
    channel: 'C0DATAOPS',
    now: NOW,
  });
  let r = newRecord(plan, NOW);
  r = applyStep(r, 'snapshot', { type: 'done', at: NOW });
  r = applyStep(r, 'staging-run', { type: 'start', at: NOW });
  r = { ...r, stagingRunId: 'jr_1' };
  r = applyStep(r, 'staging-run', { type: 'fail', at: NOW, error: 'OOM <b>' });
  return { ...r, stagingTriage: { runId: 'jr_1', state: 'FAILED', durationSec: 60, error: 'x' } };
}

test('resume: the failed step pending again, the failed run remembered, the figures dropped', () => {
  const r = failedAtStaging();
  assert.equal(failedStep(r), 'staging-run');
  assert.ok(canResume(r) && canAbandon(r));
  assert.deepEqual(productionState(r), { touched: false, text: 'untouched (nothing was promoted)' });
  const next = resumeRecord(r, 'U0ONCALL', NOW + 1);
  assert.equal(next.status, 'running');
  assert.equal(next.steps['staging-run'].state, 'pending');
  assert.equal(next.steps.snapshot.state, 'done');
  assert.equal(next.stagingRunId, undefined);
  assert.deepEqual(next.failedStagingRunIds, ['jr_1']);
  assert.equal(next.failure, undefined);
  assert.equal(next.stagingTriage, undefined);
  assert.ok(mayRun(next, 'staging-run'));
  assert.ok(!mayRun(next, 'approval'), 'approval still ahead');
  assert.throws(() => resumeRecord(next, 'U0ONCALL', NOW + 2), /cannot resume/);
});

test('resume of failed consumers: only the consumers whose run failed run again; promotion and approval stay done', () => {
  let r = failedAtStaging();
  r = { ...r, status: 'running', steps: { ...r.steps, 'staging-run': { state: 'done' } } };
  for (const s of ['quality', 'validate', 'approval', 'promote'] as const)
    r = applyStep(r, s, { type: 'done', at: NOW });
  r = { ...r, approvalId: 'apr-1', consumerRuns: { A: 'jr_a', B: 'jr_b' }, failedConsumerRunIds: ['jr_b'] };
  r = applyStep(r, 'consumers', { type: 'fail', at: NOW, error: 'B FAILED' });
  assert.equal(failedStep(r), 'consumers');
  const next = resumeRecord(r, 'U0ONCALL', NOW + 1);
  assert.deepEqual(next.consumerRuns, { A: 'jr_a' });
  assert.deepEqual(next.failedConsumerRunIds, ['jr_b']);
  assert.equal(next.approvalId, 'apr-1');
  assert.equal(next.steps.promote.state, 'done');
  assert.equal(next.steps.approval.state, 'done');
  assert.ok(mayRun(next, 'consumers'));
});

test('abort of a failed backfill: the later steps skipped, nothing promoted', () => {
  const a = abandonRecord(failedAtStaging(), 'U0SRE', NOW + 1);
  assert.equal(a.status, 'aborted');
  assert.equal(a.steps.promote.state, 'skipped');
  assert.ok(!canAbandon(a) && !canResume(a));
});

test('the progress message of a failed backfill is the runbook, escaped, with its three buttons', () => {
  const msg = JSON.stringify(renderBackfillProgress(failedAtStaging(), NOW).blocks);
  assert.match(msg, /Runbook: Failed backfill/);
  assert.match(msg, /OOM &lt;b&gt;/);
  assert.match(msg, /medic\.backfill\.resume/);
  assert.match(msg, /medic\.backfill\.abandon/);
  assert.doesNotMatch(msg, /medic\.backfill\.rollback|medic\.backfill\.abort"/);
  assert.equal(
    errorSignature('java.lang.OutOfMemoryError: Java heap space'),
    'OutOfMemoryError: Java heap space',
  );
});
