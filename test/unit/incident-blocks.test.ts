// Incident channel names and messages: valid whatever the input, within Block Kit's limits.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { incidentChannelName, channelSlug } from '../../commands/incident/declare.js';
import {
  renderEscalation,
  renderIncidentSummary,
  renderTimelinePage,
  channelTopic,
  TIMELINE_PAGE_ACTION_ID,
  TIMELINE_NEWER_ACTION_ID,
} from '../../src/slack/blocks/incident.js';
import { createChecklist } from '../../src/domain/checklist.js';
import { Incident } from '../../src/store/incidents.js';
import type { TimelineEntry } from '../../src/store/timeline.js';
import { validateBlocks } from '../support/fake-slack/block-kit-limits.js';

const at = Date.parse('2026-11-27T05:00:00Z');

test('incident channel names are inc-YYYYMMDD-<job>-<n>', () => {
  assert.equal(incidentChannelName(at, 'MyJob', 1), 'inc-20261127-myjob-1');
  assert.equal(incidentChannelName(at, 'Sales ETL / Daily (EU)', 12), 'inc-20261127-sales-etl-daily-eu-12');
  assert.equal(incidentChannelName(at, 'Ünïcödé_job', 2), 'inc-20261127-unicode_job-2');
  assert.equal(incidentChannelName(at, '日本語', 1), 'inc-20261127-incident-1');
  assert.equal(channelSlug('--A--B--'), 'a-b');
});

test('any job name gives a valid Slack channel name of at most 80 characters', () => {
  fc.assert(
    fc.property(fc.string({ maxLength: 300 }), fc.integer({ min: 1, max: 999 }), (job, n) => {
      const name = incidentChannelName(at, job, n);
      assert.ok(name.length <= 80, name);
      assert.match(name, /^inc-20261127-[a-z0-9_-]+-\d+$/);
      assert.ok(!/--/.test(name.slice('inc-20261127-'.length)), name);
    }),
  );
});

const incident = Incident.parse({
  id: 'INC-20261127-1',
  title: 'MyJob <!channel> & slower',
  job: 'My<Job>',
  env: 'prod',
  channel: 'C0INC',
  severity: 'sev2',
  status: 'investigating',
  commander: 'U0ONCALL',
  dataOwner: 'U0OWNER',
  oncallSre: 'S0ONCALL',
  openedAt: at,
  latest: {
    verdict: 'DEGRADED',
    summary: 'x'.repeat(5000),
    findings: Array.from({ length: 20 }, (_, i) => ({
      id: `f${i}`,
      cause: `cause <${i}>`,
      confidence: 'high',
    })),
    problematicRunIds: Array.from({ length: 200 }, (_, i) => `jr_${i}`),
    at,
    signatures: Array.from({ length: 20 }, (_, i) => ({
      category: `sig ${i}`,
      count: i,
      excerpt: 'y'.repeat(3000),
    })),
    links: [{ label: 'log <stream>', url: 'https://console.aws.amazon.com/x?a=1&b=<2>' }],
  },
});

const many: TimelineEntry[] = Array.from({ length: 500 }, (_, i) => ({
  at: at + i * 1000,
  kind: 'note',
  actor: i % 2 ? 'U0SRE1' : 'medic',
  text: `${'z'.repeat(400)} <!here> ${i}`,
}));

test('summary, escalation and timeline pages stay within Block Kit limits and escape everything', () => {
  const summary = renderIncidentSummary(incident, { checklist: createChecklist() });
  const channelEsc = renderEscalation(
    { incident, reason: 'timer', openMinutes: 95, timeline: many, checklist: createChecklist() },
    'channel',
  );
  const ownerEsc = renderEscalation(
    {
      incident,
      reason: 'manual',
      requestedBy: 'U0SRE1',
      openMinutes: 5,
      timeline: [],
      checklist: createChecklist(),
    },
    'owner',
  );
  const page = renderTimelinePage(incident, many, 0);
  for (const m of [summary, channelEsc, ownerEsc, page]) {
    assert.deepEqual(validateBlocks(m.blocks, 'message'), []);
    // Headers are plain_text, where Slack renders no mentions or links; everything else is mrkdwn.
    const json = JSON.stringify(m.blocks.filter((b) => b.type !== 'header'));
    assert.ok(!json.includes('<!channel>'));
    assert.ok(!json.includes('<!here>'));
    assert.ok(!json.includes('<Job>'));
  }
  assert.match(JSON.stringify(channelEsc.blocks), /<!subteam\^S0ONCALL> <@U0OWNER>/);
  assert.match(JSON.stringify(channelEsc.blocks), /open for 1h 35m/);
  assert.match(JSON.stringify(ownerEsc.blocks), /escalated by <@U0SRE1>/);
  assert.ok(channelTopic(incident).length <= 250);
});

test('timeline pages: 40 entries a page, newest page first, Older and Newer buttons', () => {
  const newest = renderTimelinePage(incident, many, 0);
  const json = JSON.stringify(newest.blocks);
  assert.match(json, /Entries 461–500 of 500 \(page 13 of 13\)/);
  assert.ok(json.includes(TIMELINE_PAGE_ACTION_ID));
  assert.ok(!json.includes(TIMELINE_NEWER_ACTION_ID));
  const oldest = renderTimelinePage(incident, many, 12);
  assert.match(JSON.stringify(oldest.blocks), /Entries 1–20 of 500 \(page 1 of 13\)/);
  assert.ok(!JSON.stringify(oldest.blocks).includes(`"${TIMELINE_PAGE_ACTION_ID}"`));
  assert.ok(JSON.stringify(oldest.blocks).includes(TIMELINE_NEWER_ACTION_ID));
  const past = renderTimelinePage(incident, many, 99);
  assert.match(JSON.stringify(past.blocks), /page 1 of 13/);
  // People are named, not mentioned: a page listing 40 entries must not ping everyone on it.
  assert.ok(!json.includes('<@U0SRE1>'));
  assert.ok(json.includes('U0SRE1 · _note_'));
  const named = renderTimelinePage(
    incident,
    [{ at, kind: 'pin', actor: 'U0SRE1', text: 'Pinned message from <@U0SRE2> in <#C0INC>' }],
    0,
    40,
    new Map([
      ['U0SRE1', 'sre one'],
      ['U0SRE2', 'sre two'],
    ]),
  );
  assert.match(JSON.stringify(named.blocks), /@sre one · _pin_ · Pinned message from @sre two in <#C0INC>/);
  const empty = renderTimelinePage(incident, [], 0);
  assert.match(JSON.stringify(empty.blocks), /No entries yet/);
});

test('the channel topic escapes what the user typed: no mention survives', () => {
  const topic = channelTopic({ ...incident, title: '<!channel> wake up', job: '<@U0BOSS>' });
  assert.ok(!topic.includes('<!channel>') && !topic.includes('<@U0BOSS>'), topic);
  assert.match(topic, /&lt;!channel&gt; wake up · job &lt;@U0BOSS&gt;/);
});
