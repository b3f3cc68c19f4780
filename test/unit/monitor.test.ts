// The monitor's pure decisions (src/domain/monitor.ts), its messages, and its medic.yml keys.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  budgetBreach,
  nextMemory,
  shouldAlert,
  withBudgetAlerted,
  type MonitorMemory,
} from '../../src/domain/monitor.js';
import { evaluateDegradation, type RunFigures } from '../../src/domain/degradation.js';
import type { RunRecord } from '../../src/domain/run-record.js';
import { glueRun, type GlueState } from '../support/runs.js';
import { glueRunUrl } from '../../src/providers/aws/console-links.js';
import { ConfigError, parseConfigText } from '../../src/config/index.js';
import { monitorChannelFor, monitoredJobs } from '../../src/config/file.js';
import {
  MONITOR_TRIAGE_ACTION_ID,
  renderBudgetAlert,
  renderMonitorAlert,
  renderMonitorRecovered,
} from '../../src/slack/blocks/monitor-alert.js';
import { handleMonitorTriage } from '../../src/slack/actions/monitor-triage.js';
import type { Deps } from '../../src/deps.js';
import type { BlockAction } from '@slack/bolt';

const NOW = 1_000_000_000;
const v = (verdict: 'DEGRADED' | 'FAILING' | 'HEALTHY' | 'INSUFFICIENT_HISTORY', ids: string[] = []) => ({
  verdict,
  problematicRunIds: ids,
});

function afterActing(previous: MonitorMemory | undefined, current: ReturnType<typeof v>): MonitorMemory {
  return nextMemory(previous, current, shouldAlert(previous, current), NOW);
}

test('shouldAlert: first DEGRADED or FAILING verdict alerts, with every problematic run new', () => {
  assert.deepEqual(shouldAlert(undefined, v('DEGRADED', ['a', 'b', 'c'])), {
    kind: 'alert',
    verdict: 'DEGRADED',
    reason: 'became',
    newRunIds: ['a', 'b', 'c'],
  });
  const healthy = afterActing(undefined, v('HEALTHY'));
  assert.equal(shouldAlert(healthy, v('FAILING', ['x'])).kind, 'alert');
  const insufficient = afterActing(undefined, v('INSUFFICIENT_HISTORY'));
  assert.equal(shouldAlert(insufficient, v('DEGRADED', ['x'])).kind, 'alert');
});

test('shouldAlert: the same degradation an hour later says nothing; a new problematic run alerts again', () => {
  const alerted = afterActing(undefined, v('DEGRADED', ['a', 'b', 'c']));
  assert.deepEqual(shouldAlert(alerted, v('DEGRADED', ['a', 'b', 'c'])), { kind: 'none' });
  // The window slid: 'd' is new, 'c' left it.
  assert.deepEqual(shouldAlert(alerted, v('DEGRADED', ['d', 'a', 'b'])), {
    kind: 'alert',
    verdict: 'DEGRADED',
    reason: 'new-runs',
    newRunIds: ['d'],
  });
  // DEGRADED → FAILING comes with failed runs nobody was told about.
  const failing = shouldAlert(alerted, v('FAILING', ['e', 'a']));
  assert.equal(failing.kind, 'alert');
  assert.deepEqual(failing.kind === 'alert' ? failing.newRunIds : [], ['e']);
});

test('shouldAlert: a run told once is not news when it re-enters the window', () => {
  let m = afterActing(undefined, v('DEGRADED', ['a', 'b', 'c']));
  m = afterActing(m, v('DEGRADED', ['d', 'a', 'b']));
  assert.deepEqual(m.alert?.problematicRunIds, ['a', 'b', 'c', 'd']);
  assert.deepEqual(shouldAlert(m, v('DEGRADED', ['c', 'd'])), { kind: 'none' });
});

test('shouldAlert: HEALTHY after an alert is "recovered" once; INSUFFICIENT_HISTORY keeps the alert standing', () => {
  const alerted = afterActing(undefined, v('FAILING', ['a', 'b']));
  assert.deepEqual(shouldAlert(alerted, v('INSUFFICIENT_HISTORY')), { kind: 'none' });
  const unsure = afterActing(alerted, v('INSUFFICIENT_HISTORY'));
  assert.ok(unsure.alert, 'still alerted');
  assert.deepEqual(shouldAlert(unsure, v('FAILING', ['a', 'b'])), { kind: 'none' });
  assert.deepEqual(shouldAlert(unsure, v('HEALTHY')), { kind: 'recovered', previous: 'FAILING' });
  const recovered = afterActing(unsure, v('HEALTHY'));
  assert.equal(recovered.alert, undefined);
  assert.deepEqual(shouldAlert(recovered, v('HEALTHY')), { kind: 'none' });
  assert.deepEqual(shouldAlert(undefined, v('HEALTHY')), { kind: 'none' }, 'no note without an alert');
  // After recovering, the same runs degrading again is a new alert.
  assert.equal(shouldAlert(recovered, v('DEGRADED', ['a'])).kind, 'alert');
});

test('nextMemory keeps budget-alerted runs; withBudgetAlerted adds one, bounded, without duplicates', () => {
  let m = afterActing(undefined, v('HEALTHY'));
  m = withBudgetAlerted(m, 'r1');
  m = withBudgetAlerted(m, 'r1');
  assert.deepEqual(m.budgetAlertedRunIds, ['r1']);
  m = afterActing(m, v('DEGRADED', ['x']));
  assert.deepEqual(m.budgetAlertedRunIds, ['r1']);
  for (let i = 0; i < 80; i++) m = withBudgetAlerted(m, `r${i + 2}`);
  assert.equal(m.budgetAlertedRunIds.length, 50);
  assert.equal(m.budgetAlertedRunIds.at(-1), 'r81');
});

function figures(
  id: string,
  startedMin: number,
  costUsd: number | undefined,
  stateClass: RunFigures['stateClass'] = 'succeeded',
): RunFigures {
  return {
    id,
    state: stateClass === 'succeeded' ? 'succeeded' : stateClass === 'failed' ? 'failed' : 'running',
    stateLabel: stateClass === 'succeeded' ? 'SUCCEEDED' : stateClass === 'failed' ? 'FAILED' : 'RUNNING',
    stateClass,
    role: 'recent',
    startedOn: new Date(startedMin * 60_000),
    durationSec: 600,
    unitHours: costUsd === undefined ? undefined : costUsd / 0.44,
    costUsd,
    costBasis: 'capacity',
    pctOverBaseline: undefined,
    overThreshold: false,
    links: { consoleUrl: glueRunUrl('us-east-1', 'MyJob', id) },
  };
}

test('budgetBreach: the newest completed run over budget, once per run', () => {
  const runs = [
    figures('old', 1, 9),
    figures('new', 3, 2.5),
    figures('running', 5, undefined, 'in-progress'),
  ];
  assert.equal(budgetBreach(runs, undefined, []), undefined, 'no budget, no alert');
  const b = budgetBreach(runs, 2, []);
  assert.equal(b?.run.id, 'new', 'the run in progress is skipped; the older expensive run is not newest');
  assert.equal(b?.overUsd, 0.5);
  assert.equal(budgetBreach(runs, 2, ['new']), undefined, 'already alerted');
  assert.equal(budgetBreach(runs, 2.5, []), undefined, 'exactly the budget is within it');
  assert.equal(budgetBreach([figures('f', 1, 3, 'failed')], 2, [])?.run.id, 'f', 'failed runs cost too');
  assert.equal(budgetBreach([figures('u', 1, undefined)], 2, []), undefined, 'unknown cost');
});

function run(i: number, durationSec: number, state: GlueState = 'SUCCEEDED'): RunRecord {
  const startedOn = new Date(Date.UTC(2026, 10, 1) + i * 86_400_000);
  return glueRun(
    {
      id: `jr_${String(i).padStart(2, '0')}`,
      jobName: 'Job<&>',
      state,
      startedOn,
      completedOn: new Date(startedOn.getTime() + durationSec * 1000),
      executionTimeSec: durationSec,
      workerType: 'G.1X',
      numberOfWorkers: 10,
    },
    { region: 'eu-west-1' },
  );
}

test('renderMonitorAlert: numbers, run links to the Glue console, the Triage now button, text escaped', () => {
  const runs = [
    ...Array.from({ length: 10 }, (_, i) => run(i, 1200)),
    run(10, 2160),
    run(11, 2160),
    run(12, 2160),
  ];
  const verdict = evaluateDegradation(runs, { thresholdPct: 30, consecutiveRuns: 3, baselineRuns: 10 });
  assert.equal(verdict.verdict, 'DEGRADED');
  const m = renderMonitorAlert({
    job: 'Job<&>',
    verdict: verdict as typeof verdict & { verdict: 'DEGRADED' },
    newRunIds: verdict.problematicRunIds,
    reason: 'became',
    everyMinutes: 60,
  });
  const json = JSON.stringify(m.blocks);
  assert.match(json, /DEGRADED: Job&lt;&amp;&gt;/);
  assert.ok(
    !JSON.stringify(m.blocks.filter((b) => b.type !== 'actions')).includes('Job<&>'),
    'job name escaped in mrkdwn (the button value is plain text)',
  );
  assert.match(json, /\+80% over baseline/);
  assert.match(json, /6\.00 DPU-h/);
  assert.match(json, /baseline 3\.33 DPU-h/);
  assert.match(json, /Cost \/ run\*\\n\$2\.64 \(baseline \$1\.47\)/);
  for (const id of ['jr_10', 'jr_11', 'jr_12'])
    assert.ok(json.includes(`/job/Job%3C%26%3E/run/${id}|${id}>`), `run ${id} linked`);
  const button = (m.blocks.find((b) => b.type === 'actions') as { elements: Record<string, unknown>[] })
    .elements[0]!;
  assert.equal(button.action_id, MONITOR_TRIAGE_ACTION_ID);
  assert.equal(button.value, 'Job<&>');
  // The notification text is mrkdwn too: the job name is escaped there as everywhere.
  assert.match(m.text, /^DEGRADED: Job&lt;&amp;&gt; — \+80% over baseline$/);

  const note = renderMonitorRecovered({ job: 'J', previous: 'DEGRADED', verdict });
  assert.match(note.text, /Recovered: J is HEALTHY again \(was DEGRADED\)/);
});

test('renderBudgetAlert: cost, budget, DPU-hours and the run link', () => {
  const r = figures('jr_x', 1, 2.64);
  const m = renderBudgetAlert({
    job: 'MyJob',
    breach: { run: r, budgetUsd: 2, overUsd: 0.64 },
    unit: 'DPU',
  });
  const json = JSON.stringify(m.blocks);
  assert.match(json, /\$2\.64/);
  assert.match(json, /\$2\.00 budget/);
  assert.match(json, /\+32%/);
  assert.match(json, /6\.00 DPU-h/);
  assert.match(json, /gluestudio.*\/run\/jr_x\|jr_x>/);
  assert.match(m.text, /Budget exceeded: MyJob run cost \$2\.64, budget \$2\.00/);
});

test('config: monitor section, per-job budget and channel; defaults and validation', () => {
  const { config } = parseConfigText(
    `
monitor: { channel: C0ALERTS }
jobs:
  MyJob: { budgetUsdPerRun: 2.5, monitorChannel: G0PRIVATE }
  Other: {}
  Syn: { provider: synapse }
`,
    'dev',
  );
  assert.equal(config.monitor?.everyMinutes, 60);
  assert.deepEqual(
    monitoredJobs(config),
    ['MyJob', 'Other', 'Syn'],
    'every configured job by default, whatever its platform',
  );
  assert.equal(monitorChannelFor(config, 'MyJob'), 'G0PRIVATE');
  assert.equal(monitorChannelFor(config, 'Other'), 'C0ALERTS');
  assert.equal(monitorChannelFor(config, 'Unlisted'), 'C0ALERTS');
  assert.equal(config.jobs.MyJob?.budgetUsdPerRun, 2.5);

  const none = parseConfigText('jobs: { MyJob: {} }', 'dev').config;
  assert.deepEqual(monitoredJobs(none), [], 'no monitor section, nothing scheduled');
  assert.equal(monitorChannelFor(none, 'MyJob'), undefined);

  const listed = parseConfigText('monitor: { channel: C0ALERTS, everyMinutes: 15, jobs: [A, A, B] }', 'dev');
  assert.deepEqual(monitoredJobs(listed.config), ['A', 'B']);

  assert.throws(
    () =>
      parseConfigText(
        `
monitor: { channel: U0NOTACHANNEL, everyMinutes: 1, jobs: [Syn] }
jobs:
  Syn: { provider: synapse }
  Bad: { budgetUsdPerRun: -1, monitorChannel: general }
`,
        'dev',
      ),
    (err: unknown) => {
      assert.ok(err instanceof ConfigError);
      const text = err.message;
      assert.match(text, /monitor\.channel: must be a Slack channel id/);
      assert.match(text, /monitor\.everyMinutes/);
      assert.match(text, /jobs\.Bad\.budgetUsdPerRun/);
      assert.match(text, /jobs\.Bad\.monitorChannel: must be a Slack channel id/);
      return true;
    },
  );
  // Every platform is monitored: a Synapse job in monitor.jobs is valid.
  assert.deepEqual(
    monitoredJobs(
      parseConfigText('monitor: { channel: C0A, jobs: [Syn] }\njobs: { Syn: { provider: synapse } }', 'dev')
        .config,
    ),
    ['Syn'],
  );
});

test('Triage now handler: enqueues /triage with its dedup id; a bad value or no channel enqueues nothing', async () => {
  const enqueued: unknown[][] = [];
  const ephemeral: string[] = [];
  const deps = {
    producers: {
      enqueue: async (...args: unknown[]) => {
        enqueued.push(args);
        return { jobId: 'j1', created: enqueued.length === 1 };
      },
    },
    slack: {
      chat: {
        postEphemeral: async (a: { text: string }) => {
          ephemeral.push(a.text);
          return { ok: true };
        },
      },
    },
    logger: { warn: () => {}, error: () => {} },
    now: () => 42,
    // No other job's incident is open in the channel, so the handler does not ask first.
    state: { status: 'ready' },
    incidents: { openInChannel: async () => [] },
  } as unknown as Deps;
  const body = (value: string | undefined, channel?: string) =>
    ({
      user: { id: 'U0ONCALL' },
      team: { id: 'T0MEDIC' },
      ...(channel ? { channel: { id: channel } } : {}),
      actions: [{ type: 'button', action_id: MONITOR_TRIAGE_ACTION_ID, value }],
    }) as unknown as BlockAction;

  assert.equal(await handleMonitorTriage(deps, body('My Job', 'C0ALERTS')), 'queued');
  assert.deepEqual(enqueued[0], [
    'triage',
    {
      job: 'My Job',
      requester: { userId: 'U0ONCALL', channelId: 'C0ALERTS', teamId: 'T0MEDIC' },
      requestedAt: 42,
    },
    { dedupId: 'triage-C0ALERTS-My_20Job', dedupTtlMs: 60_000 },
  ]);
  assert.equal(await handleMonitorTriage(deps, body('My Job', 'C0ALERTS')), 'duplicate');
  assert.match(ephemeral[1]!, /already running/);
  assert.equal(await handleMonitorTriage(deps, body('', 'C0ALERTS')), 'invalid');
  assert.equal(await handleMonitorTriage(deps, body('x'.repeat(256), 'C0ALERTS')), 'invalid');
  assert.equal(await handleMonitorTriage(deps, body('MyJob')), 'invalid');
  assert.equal(enqueued.length, 2);
});
