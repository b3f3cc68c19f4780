// The post-mortem draft and the timeline export: pure Markdown from the incident, every timeline
// entry and the checklist.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  draftPostmortem,
  suggestPreventiveChanges,
  timelineLine,
  timelineMarkdown,
  type PostmortemIncident,
  type PostmortemTimelineEntry,
} from '../../src/domain/postmortem.js';
import { createChecklist, tickItem } from '../../src/domain/checklist.js';

const opened = Date.parse('2026-11-24T13:00:00Z');
const incident: PostmortemIncident = {
  id: 'INC-20261124-1',
  title: 'MyJob 3x slower',
  job: 'MyJob',
  provider: 'glue',
  env: 'prod',
  severity: 'sev2',
  status: 'resolved',
  commander: 'U0ONCALL',
  dataOwner: 'U0OWNER',
  openedAt: opened,
  mitigatedAt: opened + 45 * 60_000,
  resolvedAt: opened + 130 * 60_000,
  cause: 'small files in the input partition (48,000 files under 32 MiB)',
  channelName: 'inc-20261124-myjob-1',
  latest: {
    verdict: 'DEGRADED',
    summary: 'last 3 runs 212% over the baseline',
    findings: [
      { id: 'small-files', cause: 'Small files in the input', confidence: 'high' },
      { id: 'memory', cause: 'Executor memory pressure (GC)', confidence: 'medium' },
    ],
    problematicRunIds: ['jr_0123', 'jr_4567'],
    metrics: {
      baselineSeconds: 840,
      recentSeconds: [2620],
      costPerRunUsd: 3.21,
      baselineCostPerRunUsd: 1.03,
      extraCostUsd: 6.54,
      failedRuns: 1,
      lateRuns: 3,
    },
  },
};

const entries: PostmortemTimelineEntry[] = [
  { at: opened + 60_000, kind: 'command', actor: 'U0ONCALL', text: '/triage MyJob' },
  { at: opened, kind: 'status', actor: 'U0ONCALL', text: 'Incident declared' },
  { at: opened + 120_000, kind: 'finding', actor: 'medic', text: 'Small files in the input (high)' },
  {
    at: opened + 600_000,
    kind: 'pin',
    actor: 'U0SRE1',
    text: 'Pinned message: "GC at 40% | stage *7* <b>"',
    link: 'https://x.slack.com/archives/C1/p1700000000000100',
  },
  {
    at: opened + 30 * 60_000,
    kind: 'mitigation-result',
    actor: 'medic',
    text: 'Compaction run jr_c1 succeeded',
  },
  { at: opened + 130 * 60_000, kind: 'status', actor: 'U0SRE1', text: 'Status mitigating → resolved' },
];

test('the draft has every section of the runbook and every timeline entry, in time order', () => {
  const checklist = tickItem(createChecklist(), 'postmortem-mcp', {
    actor: 'U0SRE1',
    at: new Date(opened + 131 * 60_000),
  });
  const names = new Map([
    ['U0ONCALL', 'Olga Oncall'],
    ['U0SRE1', 'Sam Sre'],
    ['U0OWNER', 'Owen Owner'],
  ]);
  const md = draftPostmortem({ incident, timeline: entries, checklist, now: opened + 131 * 60_000, names });
  for (const h of [
    '## Summary',
    '## Impact',
    '## Timeline (6 entries)',
    '## Root cause',
    '## Correction applied',
    '## Preventive changes (suggested)',
    '## Final checklist',
  ])
    assert.ok(md.includes(h), h);
  const lines = entries.map((e) => timelineLine(e, names));
  let last = -1;
  for (const e of [...entries].sort((a, b) => a.at - b.at)) {
    const i = md.indexOf(timelineLine(e, names));
    assert.ok(i > last, `entry in order: ${e.text}`);
    last = i;
  }
  assert.equal(lines.length, 6);
  assert.match(md, /Time to mitigate: 45m 00s; time to resolve: 2h 10m/);
  assert.match(md, /Extra cost of the degradation: \$6\.54/);
  assert.match(md, /Failed runs: 1/);
  assert.match(md, /Late runs \(over the baseline threshold\): 3/);
  assert.match(md, /`jr_0123`, `jr_4567`/);
  assert.match(md, /Cause stated by the resolver: small files in the input partition/);
  assert.match(md, /1\. Small files in the input \(confidence high\)/);
  assert.match(md, /Compaction run jr\\_c1 succeeded/);
  // People by name, instants in ISO 8601 with their zone, the verdict said once.
  assert.match(md, /- \[x\] Post-mortem y actualización del MCP — Sam Sre, 2026-11-24T15:11:00Z/);
  assert.match(md, /Commander: Olga Oncall; Data Owner: Owen Owner/);
  assert.match(md, /- 2026-11-24T13:10:00Z · Sam Sre · pin · /);
  assert.ok(!/U0(ONCALL|SRE1|OWNER)/.test(md), 'no Slack user id in the draft');
  assert.ok(!/ UTC\b/.test(md), 'one time format: ISO 8601');
  assert.match(md, /Verdict: DEGRADED: last 3 runs/);
  assert.match(md, /- \[ \] Backfill staging ejecutado y checks verificados/);
});

test('text from users cannot break the Markdown', () => {
  const line = timelineLine(entries[3]!);
  assert.ok(line.startsWith('- 2026-11-24T13:10:00Z · U0SRE1 · pin · '), line);
  assert.ok(line.includes('\\|'));
  assert.ok(line.includes('\\*7\\*'));
  assert.ok(line.includes('\\<b\\>'));
  assert.ok(line.endsWith('([link](https://x.slack.com/archives/C1/p1700000000000100))'));
  const multi = timelineLine({ at: opened, kind: 'note', actor: 'U1', text: 'first\n# not a heading' });
  assert.ok(!multi.includes('\n'));
  assert.ok(multi.includes('\\# not a heading'));
});

test('preventive changes follow the cause, and always include a CI perf-smoke test and alert thresholds', () => {
  const small = suggestPreventiveChanges(incident);
  assert.ok(small.some((s) => /Schedule compaction/.test(s)));
  assert.ok(small.some((s) => /Limit small files/.test(s)));
  assert.ok(small.some((s) => /partitioning/.test(s)));
  assert.ok(
    small.some((s) => /Right-size workers/.test(s)),
    'the GC finding adds memory advice',
  );
  // A performance cause: the exact gate command for the job, ready to paste.
  assert.ok(
    small.some((s) => s.includes(`medic perf-smoke --job ${incident.job} --sample`)),
    small.join('\n'),
  );
  assert.ok(small.some((s) => /alert thresholds/.test(s)));
  const schema = suggestPreventiveChanges({
    ...incident,
    cause: 'schema drift in the source',
    latest: undefined,
  });
  assert.ok(schema.some((s) => /schema changes/.test(s)));
  assert.ok(!schema.some((s) => /compaction/i.test(s)));
  const none = suggestPreventiveChanges({ ...incident, cause: undefined, latest: undefined });
  assert.equal(none.length, 2);
  assert.ok(
    none.some((s) => /perf-smoke test in CI/.test(s)),
    'without a cause: the general advice',
  );
});

test('an incident with no triage and no entries still drafts, saying what to fill in', () => {
  const md = draftPostmortem({
    incident: {
      ...incident,
      latest: undefined,
      cause: undefined,
      mitigatedAt: undefined,
      resolvedAt: undefined,
      status: 'investigating',
    },
    timeline: [],
    checklist: createChecklist(),
    now: opened,
  });
  assert.match(md, /No triage of this job was recorded in this incident/);
  assert.match(md, /not given/);
  assert.match(md, /No mitigation was recorded/);
  assert.match(md, /Time to mitigate: not mitigated yet; time to resolve: not resolved yet/);
  assert.match(md, /## Timeline \(0 entries\)/);
});

test('the timeline export lists every entry, oldest first', () => {
  const md = timelineMarkdown(incident, entries);
  assert.ok(md.startsWith('# Timeline of INC-20261124-1: MyJob 3x slower'));
  const lines = md.split('\n').filter((l) => l.startsWith('- '));
  assert.equal(lines.length, entries.length);
  assert.match(lines[0]!, /Incident declared/);
  assert.match(lines.at(-1)!, /resolved/);
});

test('an incident of two jobs: each job with its own verdict and findings; the verdict said once', () => {
  const skew = {
    job: 'SkewJob',
    verdict: 'DEGRADED',
    summary: 'DEGRADED: each of the last 3 completed runs took more than 30% over the baseline',
    findings: [{ id: 'skew', cause: 'Data skew on customer_id', confidence: 'high' }],
    problematicRunIds: ['jr_skew1'],
  };
  const my = { ...incident.latest!, job: 'MyJob' };
  const md = draftPostmortem({
    incident: {
      ...incident,
      jobs: ['MyJob', 'SkewJob'],
      latest: skew,
      latestByJob: { MyJob: my, SkewJob: skew },
    },
    timeline: [
      {
        at: opened,
        kind: 'report',
        actor: 'medic',
        job: 'SkewJob',
        text: 'Triage report of SkewJob: DEGRADED',
      },
    ],
    checklist: createChecklist(),
    now: opened,
  });
  assert.match(
    md,
    /- Job: MyJob \(glue\)[^\n]*\n {2}- Verdict: DEGRADED: last 3 runs 212% over the baseline/,
  );
  assert.match(md, /- Job: SkewJob \(glue\)[^\n]*\n {2}- Verdict: DEGRADED: each of the last 3/);
  assert.ok(!md.includes('DEGRADED — DEGRADED'));
  assert.ok(!md.includes('DEGRADED: DEGRADED'));
  assert.match(md, /SkewJob: Data skew on customer\\_id \(confidence high\)/);
  assert.match(md, /MyJob: Small files in the input \(confidence high\)/);
  assert.match(md, /· SkewJob · report · /, 'a timeline line names its job');
  assert.match(md, /medic perf-smoke --job SkewJob/);
  assert.match(md, /medic perf-smoke --job MyJob/);
});

test("a record's latest triage of another job is not this job's verdict", () => {
  const md = draftPostmortem({
    incident: { ...incident, latest: { ...incident.latest!, job: 'HealthyJob', verdict: 'HEALTHY' } },
    timeline: [],
    checklist: createChecklist(),
    now: opened,
  });
  assert.ok(!md.includes('HEALTHY'));
  assert.match(md, /No triage of this job was recorded/);
});
