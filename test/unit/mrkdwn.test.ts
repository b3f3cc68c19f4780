import { test } from 'node:test';
import assert from 'node:assert/strict';
import { escapeMrkdwn, code, slackDatesIn, truncate } from '../../src/slack/mrkdwn.js';
import { timelineLine } from '../../src/domain/postmortem.js';

test('escapeMrkdwn escapes the three control characters and nothing else', () => {
  assert.equal(escapeMrkdwn('a < b && c > d'), 'a &lt; b &amp;&amp; c &gt; d');
  assert.equal(escapeMrkdwn('<!channel> <@U123>'), '&lt;!channel&gt; &lt;@U123&gt;');
  assert.equal(escapeMrkdwn('*bold* _it_ `c`'), '*bold* _it_ `c`');
});

test('code() keeps untrusted text inside one span', () => {
  assert.equal(code('x`<y>'), "`x'&lt;y&gt;`");
});

test('truncate cuts on character boundaries and marks the cut', () => {
  assert.equal(truncate('abcdef', 4), 'abc…');
  assert.equal(truncate('abc', 4), 'abc');
});

test('slackDatesIn: ISO 8601 instants of domain texts become date tokens; nothing else changes', () => {
  const at = Date.parse('2026-11-23T03:00:00Z') / 1000;
  assert.equal(
    slackDatesIn('modified 2026-11-23T03:00:00Z, day 2026-11-23, ts 1700000000.000100'),
    `modified <!date^${at}^{date_short_pretty} {time}|2026-11-23T03:00:00Z>, day 2026-11-23, ts 1700000000.000100`,
  );
  assert.equal(slackDatesIn('2026-13-45T99:99Z'), '2026-13-45T99:99Z', 'not an instant: left as is');
});

test('a finding names its instants in ISO 8601 with zone: a token in messages, ISO in the post-mortem', () => {
  // As src/domain/diagnosis/changes.ts writes it (test/unit/diagnosis.test.ts checks the domain side).
  const text =
    'The job definition was last modified 2026-11-23T03:00:00Z, after the last normal run started (2026-11-23T02:00:00Z).';
  assert.match(text, /last modified 2026-11-23T03:00:00Z/);
  assert.ok(!/UTC/.test(text));
  assert.match(
    slackDatesIn(escapeMrkdwn(text)),
    /last modified <!date\^\d+\^\{date_short_pretty\} \{time\}\|2026-11-23T03:00:00Z>/,
  );
  const line = timelineLine({
    at: Date.parse('2026-11-26T03:00:00Z'),
    kind: 'finding',
    actor: 'medic',
    text,
  });
  assert.match(line, /last modified 2026-11-23T03:00:00Z/);
  assert.ok(!line.includes('<!date'), 'no Slack token in the export');
});
