import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  approverPrincipals,
  checkApproval,
  checkRejection,
  eligibleApprovers,
  executesDry,
  expiryFrom,
  mention,
  recoveryVerdict,
  submissionOutcome,
  whoMayApprove,
  type DecisionContext,
  type MitigationParams,
  type RefusalReason,
} from '../../src/domain/approval-policy.js';
import { planGlueMitigation, sparkConfArgument } from '../../src/providers/aws/glue-mitigations.js';

const NOW = Date.UTC(2026, 10, 27, 3, 0);
const base: DecisionContext = {
  actor: 'U0APPROVER',
  requester: 'U0ONCALL',
  principals: ['S0DATALEADS'],
  groupMembers: { S0DATALEADS: ['U0APPROVER', 'U0ONCALL'] },
  env: 'prod',
  allowSelfApproval: false,
  state: 'pending',
  expiresAt: NOW + 60_000,
  now: NOW,
};

const approvalCases: [string, Partial<DecisionContext>, true | RefusalReason][] = [
  ['an approver in a group approves', {}, true],
  ['an approver named directly approves', { principals: ['U0APPROVER'], groupMembers: {} }, true],
  ['four-eyes: the requester, though in the group', { actor: 'U0ONCALL' }, 'four-eyes'],
  [
    'four-eyes holds in prod even when self-approval is allowed',
    { actor: 'U0ONCALL', allowSelfApproval: true },
    'four-eyes',
  ],
  [
    'four-eyes holds in staging even when self-approval is allowed',
    { actor: 'U0ONCALL', env: 'staging', allowSelfApproval: true },
    'four-eyes',
  ],
  [
    'self-approval only in dev, only when allowed',
    { actor: 'U0ONCALL', env: 'dev', allowSelfApproval: true },
    true,
  ],
  ['dev without the setting keeps four-eyes', { actor: 'U0ONCALL', env: 'dev' }, 'four-eyes'],
  ['someone outside the approvers', { actor: 'U0SRE1' }, 'not-approver'],
  ['a group that could not be resolved has no members', { groupMembers: {} }, 'not-approver'],
  ['no approvers configured', { principals: [], groupMembers: {} }, 'no-approvers'],
  ['expired at the exact expiry', { now: NOW + 60_000 }, 'expired'],
  ['expired beats everything but state', { now: NOW + 120_000, actor: 'U0SRE1' }, 'expired'],
  ['already approved', { state: 'approved' }, 'not-pending'],
  ['already rejected', { state: 'rejected' }, 'not-pending'],
  ['already expired', { state: 'expired' }, 'not-pending'],
];

for (const [name, over, expected] of approvalCases) {
  test(`checkApproval: ${name}`, () => {
    const d = checkApproval({ ...base, ...over });
    assert.deepEqual(d, expected === true ? { allowed: true } : { allowed: false, reason: expected });
  });
}

const rejectionCases: [string, Partial<DecisionContext>, true | RefusalReason][] = [
  ['an approver rejects', {}, true],
  ['the requester withdraws their own request', { actor: 'U0ONCALL', principals: [] }, true],
  ['someone else may not', { actor: 'U0SRE1' }, 'not-approver'],
  ['not after expiry', { now: NOW + 60_000 }, 'expired'],
  ['not once decided', { state: 'approved' }, 'not-pending'],
];

for (const [name, over, expected] of rejectionCases) {
  test(`checkRejection: ${name}`, () => {
    const d = checkRejection({ ...base, ...over });
    assert.deepEqual(d, expected === true ? { allowed: true } : { allowed: false, reason: expected });
  });
}

test('approvers: the job-level list replaces the global one; an empty job list does not', () => {
  assert.deepEqual(approverPrincipals(['S0DATALEADS'], ['U0A']), ['U0A']);
  assert.deepEqual(approverPrincipals(['S0DATALEADS'], []), ['S0DATALEADS']);
  assert.deepEqual(approverPrincipals(['S0DATALEADS']), ['S0DATALEADS']);
});

test('mentions, eligible users and who may approve', () => {
  assert.equal(mention('U0A'), '<@U0A>');
  assert.equal(mention('W0A'), '<@W0A>');
  assert.equal(mention('S0G'), '<!subteam^S0G>');
  assert.deepEqual(eligibleApprovers(['U0A', 'S0G', 'S0X'], { S0G: ['U0B', 'U0A'] }).sort(), ['U0A', 'U0B']);
  assert.equal(
    whoMayApprove(['U0A', 'S0G'], { S0G: ['U0B', 'U0REQ'] }, 'U0REQ'),
    '<@U0A>, <!subteam^S0G> (<@U0B>)',
  );
  assert.match(whoMayApprove([], {}), /no approvers are configured/);
});

const outcomeCases: [string, { dryRunChosen: boolean; kind: MitigationParams['kind'] }, string][] = [
  ['a change needs an approval', { dryRunChosen: false, kind: 'scale' }, 'approval'],
  ['the dry-run choice shows the calls at once', { dryRunChosen: true, kind: 'bookmark-reset' }, 'dry-run'],
  ['a code fix is recorded (no cloud call)', { dryRunChosen: false, kind: 'code-fix' }, 'record'],
];

for (const [name, input, expected] of outcomeCases) {
  test(`submissionOutcome: ${name}`, () => assert.equal(submissionOutcome(input), expected));
}

test('only dev executes dry; prod and staging make the calls once approved', () => {
  assert.equal(executesDry('dev'), true);
  assert.equal(executesDry('staging'), false);
  assert.equal(executesDry('prod'), false);
});

const planCases: [string, MitigationParams, string[]][] = [
  [
    'compaction: the configured compaction job with input and target size',
    {
      kind: 'compaction',
      compactionJob: 'MyJob-compaction',
      inputLocation: 's3://lake-raw/events/',
      targetFileBytes: 536870912,
    },
    [
      'glue:StartJobRun JobName=MyJob-compaction Arguments={--input_path=s3://lake-raw/events/, --target_file_size=536870912}',
    ],
  ],
  [
    'scale: a rerun with overrides',
    { kind: 'scale', size: 'G.2X', count: 20, persistent: false },
    ['glue:StartJobRun JobName=MyJob WorkerType=G.2X NumberOfWorkers=20'],
  ],
  [
    'scale, persistent: UpdateJob',
    { kind: 'scale', size: 'G.2X', count: 20, persistent: true },
    ['glue:UpdateJob JobName=MyJob JobUpdate={WorkerType=G.2X, NumberOfWorkers=20, …every other field kept}'],
  ],
  [
    'shuffle tuning: one --conf holding every setting',
    { kind: 'shuffle-tuning', shufflePartitions: 400, skewJoin: true },
    [
      'glue:StartJobRun JobName=MyJob Arguments={--conf=spark.sql.shuffle.partitions=400 --conf spark.sql.adaptive.enabled=true --conf spark.sql.adaptive.skewJoin.enabled=true}',
    ],
  ],
  [
    'shuffle tuning without skew join',
    { kind: 'shuffle-tuning', shufflePartitions: 300, skewJoin: false },
    ['glue:StartJobRun JobName=MyJob Arguments={--conf=spark.sql.shuffle.partitions=300}'],
  ],
  ['bookmark reset', { kind: 'bookmark-reset' }, ['glue:ResetJobBookmark JobName=MyJob']],
  [
    'bookmark reset to a run',
    { kind: 'bookmark-reset', runId: 'jr_1' },
    ['glue:ResetJobBookmark JobName=MyJob RunId=jr_1'],
  ],
  ['code fix: no call', { kind: 'code-fix', owner: 'U0OWNER', description: 'x' }, []],
];

for (const [name, params, expected] of planCases) {
  test(`the Glue adapter plans ${name}`, () =>
    assert.deepEqual(
      planGlueMitigation('MyJob', params)?.map((c) => c.description),
      expected,
    ));
}

test('the Glue adapter plans no recovery rerun: Glue cannot resume a run from its failed step', () => {
  assert.equal(planGlueMitigation('MyJob', { kind: 'recovery-rerun', runId: 'jr_1', step: 'x' }), undefined);
});

test('sparkConfArgument joins settings the way Glue takes several in one --conf', () => {
  assert.equal(sparkConfArgument([['a', '1']]), 'a=1');
  assert.equal(
    sparkConfArgument([
      ['a', '1'],
      ['b', '2'],
    ]),
    'a=1 --conf b=2',
  );
});

test('expiry and recovery', () => {
  assert.equal(expiryFrom(NOW, 60), NOW + 3_600_000);
  assert.deepEqual(recoveryVerdict(1200, 1200, 30), {
    recovered: true,
    verdict: 'recovered',
    pctVsBaseline: 0,
  });
  assert.equal(recoveryVerdict(1560, 1200, 30).recovered, true, 'exactly at the threshold');
  assert.equal(recoveryVerdict(1561, 1200, 30).recovered, false);
  assert.equal(Math.round(recoveryVerdict(600, 1200, 30).pctVsBaseline), -50);
  assert.equal(recoveryVerdict(600, 1200, 30).verdict, 'recovered', 'exactly half is still plausible');
});

test('an implausible run is suspicious, not a recovery: under half the baseline, or much less input read', () => {
  // The report from issue 18: 25 s against a baseline of 14m 55s (−97%).
  const fast = recoveryVerdict(25, 895, 50);
  assert.equal(fast.verdict, 'suspicious');
  assert.equal(fast.recovered, false);
  assert.equal(Math.round(fast.pctVsBaseline), -97);
  assert.match(fast.suspiciousReason ?? '', /under half the baseline's time: check its input and output/);
  assert.equal(recoveryVerdict(599, 1200, 30).verdict, 'suspicious');
  // A plausible duration that read a tenth of the usual input.
  const little = recoveryVerdict(1100, 1200, 30, { bytes: 10 * 2 ** 30, baselineBytes: 100 * 2 ** 30 });
  assert.equal(little.verdict, 'suspicious');
  assert.match(little.suspiciousReason ?? '', /it read 10 GB against a usual 100 GB/);
  assert.equal(recoveryVerdict(1100, 1200, 30, { bytes: 90, baselineBytes: 100 }).verdict, 'recovered');
  assert.equal(recoveryVerdict(1700, 1200, 30).verdict, 'not-recovered');
});
