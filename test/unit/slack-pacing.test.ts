// The Slack client's pacing follows Slack's documented limits: chat.postMessage (thread replies
// too) takes a token from its channel's bucket; chat.update from one workspace-wide bucket (Tier
// 3, not per channel); other methods (chat.postEphemeral, Tier 4) are not paced.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createWebClient } from '../../src/slack/client.js';
import { createLogger } from '../../src/logger.js';
import { FakeSlack } from '../support/fake-slack/fake-slack.js';
import { BOT_TOKEN } from '../support/medic.js';

test('posts are paced per channel, updates per workspace, ephemerals not at all', async () => {
  const slack = await FakeSlack.start();
  slack.addChannel({ id: 'C0PACE1', name: 'pace-1', members: ['U0ONCALL'] });
  slack.addChannel({ id: 'C0PACE2', name: 'pace-2', members: ['U0ONCALL'] });
  const posts: string[] = [];
  const updates: string[] = [];
  const client = createWebClient({
    token: BOT_TOKEN,
    slackApiUrl: slack.apiUrl,
    logger: createLogger({ level: 'silent' }),
    pacer: { acquire: async (scope) => posts.push(scope) },
    updatePacer: { acquire: async (scope) => updates.push(scope) },
  });
  try {
    const a = await client.chat.postMessage({ channel: 'C0PACE1', text: 'a' });
    await client.chat.postMessage({ channel: 'C0PACE1', text: 'reply', thread_ts: a.ts! });
    const b = await client.chat.postMessage({ channel: 'C0PACE2', text: 'b' });
    await client.chat.update({ channel: 'C0PACE1', ts: a.ts!, text: 'a2' });
    await client.chat.update({ channel: 'C0PACE2', ts: b.ts!, text: 'b2' });
    await client.chat.postEphemeral({ channel: 'C0PACE1', user: 'U0ONCALL', text: 'only you' });
    assert.deepEqual(posts, ['slack:C0PACE1', 'slack:C0PACE1', 'slack:C0PACE2']);
    assert.deepEqual(updates, ['slack-workspace:chat.update', 'slack-workspace:chat.update']);
  } finally {
    await slack.stop();
  }
});

test('the fake Slack limits chat.postMessage per channel and chat.update per workspace, as configured', async () => {
  const slack = await FakeSlack.start({
    channelRateLimit: { perSecond: 1, burst: 2 },
    methodRateLimits: { 'chat.update': { perMinute: 50, burst: 3 } },
  });
  slack.addChannel({ id: 'C0LIM1', name: 'lim-1', members: [] });
  slack.addChannel({ id: 'C0LIM2', name: 'lim-2', members: [] });
  const call = async (method: string, args: Record<string, unknown>) => {
    const res = await fetch(`${slack.apiUrl}${method}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${BOT_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify(args),
    });
    return { status: res.status, body: (await res.json()) as { ts?: string } };
  };
  try {
    const a = await call('chat.postMessage', { channel: 'C0LIM1', text: 'a' });
    assert.equal(
      (await call('chat.postMessage', { channel: 'C0LIM1', text: 'b', thread_ts: a.body.ts })).status,
      200,
    );
    assert.equal(
      (await call('chat.postMessage', { channel: 'C0LIM1', text: 'c' })).status,
      429,
      'the channel’s burst is spent',
    );
    assert.equal(
      (await call('chat.postMessage', { channel: 'C0LIM2', text: 'd' })).status,
      200,
      'another channel is not',
    );
    // Updates are not limited per channel: three go in one channel whose posts are exhausted.
    for (let i = 0; i < 3; i++)
      assert.equal(
        (await call('chat.update', { channel: 'C0LIM1', ts: a.body.ts, text: `a${i}` })).status,
        200,
      );
    assert.equal(
      (await call('chat.update', { channel: 'C0LIM2', ts: a.body.ts, text: 'x' })).status,
      429,
      'the workspace’s update burst is spent, whatever the channel',
    );
  } finally {
    await slack.stop();
  }
});
