// /cost's input (commands/cost.ts), the costControls config, and the cost messages in Block Kit
// (src/slack/blocks/cost-report.ts): escaping of cloud text, Slack's limits, the approval's cost line.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validateCost } from '../../commands/cost.js';
import { parseConfigText } from '../../src/config/file.js';
import { ConfigError } from '../../src/config/errors.js';
import {
  missingTagsText,
  renderBudgetPeriodAlert,
  renderCostFailure,
  renderCostReport,
  renderTagsNotice,
  type CostReportView,
} from '../../src/slack/blocks/cost-report.js';
import { costImpactText } from '../../src/slack/blocks/approval-request.js';
import { costReport } from '../../src/domain/cost-report.js';
import { budgetStatus } from '../../src/domain/budget.js';
import type { RunRecord } from '../../src/domain/run-record.js';

test('validateCost: a job, a tag, the default window, and what is refused', () => {
  assert.deepEqual(validateCost('MyJob'), { ok: true, request: { subject: { job: 'MyJob' }, days: 30 } });
  assert.deepEqual(validateCost('cost-center=growth --days 7'), {
    ok: true,
    request: { subject: { tag: { key: 'cost-center', value: 'growth' } }, days: 7 },
  });
  assert.deepEqual(validateCost('MyJob --days 366'), {
    ok: true,
    request: { subject: { job: 'MyJob' }, days: 366 },
  });
  for (const [text, problem] of [
    ['MyJob --days 0', /at least 1/],
    ['MyJob --days 4000', /at most 366/],
    ['MyJob --days 1.5', /whole number/],
    ['=growth', /no tag key/],
    ['team=', /no tag value/],
    ['', /missing <subject>/],
    ['a b', /unexpected argument/],
    [`${'J'.repeat(256)}`, /at most 255/],
  ] as const) {
    const v = validateCost(text);
    assert.equal(v.ok, false, text);
    if (!v.ok) assert.match(v.problem ?? '', problem, text);
  }
  assert.deepEqual(validateCost('help'), { ok: false, help: true });
});

test('costControls in medic.yml: defaults, budgets per job or tag, and every bad key named', () => {
  assert.deepEqual(parseConfigText('', 'dev').config.costControls, { requiredTags: [], budgets: [] });
  const ok = parseConfigText(
    'costControls:\n  requiredTags: [cost-center, owner]\n  budgets: [{ job: MyJob, monthlyUsd: 400 }, { tag: cost-center=growth, monthlyUsd: 2500, channel: C0GROWTH }]\n',
    'dev',
  ).config.costControls;
  assert.equal(ok.budgets.length, 2);
  assert.throws(
    () =>
      parseConfigText(
        'costControls:\n  budgets: [{ tag: growth, monthlyUsd: 1 }, { job: J, monthlyUsd: 0 }, { job: J, tag: a=b, monthlyUsd: 1 }]\n',
        'dev',
      ),
    (e: unknown) => {
      assert.ok(e instanceof ConfigError);
      assert.match(e.message, /costControls\.budgets\.0/);
      assert.match(e.message, /costControls\.budgets\.1/);
      assert.match(e.message, /costControls\.budgets\.2/);
      return true;
    },
  );
});

const NASTY = 'Job<@U123>&`x`';

function run(i: number): RunRecord {
  return {
    id: `jr_${i}`,
    state: i % 5 === 0 ? 'failed' : 'succeeded',
    startedOn: new Date(Date.UTC(2026, 10, 1 + i, 2)),
    durationSec: 3600,
    capacity: { unit: 'DPU', units: 10 },
    billing: { unitHourUsd: 0.44, rateName: 'standard', minimumSec: 60 },
  };
}

function view(kind: 'job' | 'tag'): CostReportView {
  const now = Date.UTC(2026, 10, 20, 12);
  const jobs = Array.from({ length: 30 }, (_, j) => ({
    job: `${NASTY}-${j}`,
    runs: Array.from({ length: 19 }, (_, i) => run(i)),
    rule: { thresholdPct: 30, consecutiveRuns: 3, baselineRuns: 10 },
  }));
  return {
    label: kind === 'job' ? NASTY : `team=${NASTY}`,
    kind,
    days: 30,
    report: costReport({ days: 30, now, jobs: kind === 'job' ? jobs.slice(0, 1) : jobs }),
    tags: {
      state: 'read',
      tags: { owner: '<!channel>' },
      missing: ['cost-center'],
      command: 'aws glue tag-resource ```x``` <y>',
    },
    month: budgetStatus(100, jobs, now),
    budget: { label: NASTY, monthlyUsd: 100 },
    platforms: ['AWS Glue'],
    notes: ['a <note> & more'],
    jobsRead: jobs.length,
  };
}

/** Every mrkdwn text of a message. */
function texts(blocks: Record<string, unknown>[]): string[] {
  const out: string[] = [];
  const walk = (v: unknown) => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      if (o.type === 'mrkdwn' && typeof o.text === 'string') out.push(o.text);
      Object.values(o).forEach(walk);
    }
  };
  walk(blocks);
  return out;
}

for (const kind of ['job', 'tag'] as const) {
  test(`the /cost report of a ${kind}: cloud and user text escaped, within Slack's limits`, () => {
    const m = renderCostReport(view(kind));
    assert.ok(m.blocks.length <= 50);
    const all = texts(m.blocks).join('\n');
    assert.ok(!all.includes('<@U123>') && !all.includes('<!channel>') && !all.includes('<note>'), all);
    assert.ok(all.includes('&lt;!channel&gt;'));
    assert.ok(
      !/```[^`]*```[^`]*```/.test(all.replace(/```aws[\s\S]*?```/, '')),
      'the command cannot close its fence',
    );
    for (const b of m.blocks) {
      const fields = (b as { fields?: unknown[] }).fields;
      if (fields) assert.ok(fields.length <= 10);
    }
    if (kind === 'tag') assert.match(all, /Top jobs/);
    assert.match(all, /Budget \$100\.00/);
    assert.ok(m.text.length <= 300 && !m.text.includes('<@'));
  });
}

test('missing tags: the command in a fence that cannot be closed early; nothing when nothing is missing', () => {
  const t = missingTagsText('J', { state: 'read', tags: {}, missing: ['owner'], command: 'aws ``` x' });
  assert.ok(t);
  assert.equal(t.match(/```/g)?.length, 2);
  assert.equal(missingTagsText('J', { state: 'read', tags: { owner: 'x' }, missing: [] }), undefined);
  assert.equal(
    missingTagsText('J', { state: 'unavailable', reason: 'tags not available on Azure Synapse' }),
    undefined,
  );
  const notice = renderTagsNotice(NASTY, {
    state: 'read',
    tags: {},
    missing: ['owner'],
    command: 'aws glue tag-resource',
  });
  assert.ok(!JSON.stringify(notice.blocks).includes('<@U123>'));
});

test('budget alerts and failures escape names and say what they are', () => {
  const now = Date.UTC(2026, 10, 20, 12);
  const status = budgetStatus(10, [{ job: NASTY, runs: Array.from({ length: 19 }, (_, i) => run(i)) }], now);
  for (const alert of ['forecast', 'actual'] as const) {
    const m = renderBudgetPeriodAlert({ label: NASTY, kind: 'job', monthlyUsd: 10, alert, status });
    const all = texts(m.blocks).join('\n');
    assert.ok(!all.includes('<@U123>'), all);
    assert.match(m.text, alert === 'actual' ? /^Monthly budget spent/ : /^Budget forecast crossed/);
    assert.match(all, /Jobs that moved most/);
  }
  const f = renderCostFailure('No Glue job named <x>', ['Glue answered that it does not exist.'], ['MyJob']);
  // mrkdwn escaped; the header is plain_text, which Slack shows as typed.
  assert.ok(!texts(f.blocks).join('\n').includes('<x>'));
  assert.match(JSON.stringify(f.blocks), /Did you mean `MyJob`/);
  assert.equal(
    costImpactText({ summary: 'One run of <C>: about $1.00' }),
    '*Cost impact*\nOne run of &lt;C&gt;: about $1.00',
  );
});
