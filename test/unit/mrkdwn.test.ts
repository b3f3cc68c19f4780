import { test } from 'node:test';
import assert from 'node:assert/strict';
import { escapeMrkdwn, code, truncate } from '../../src/slack/mrkdwn.js';

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
