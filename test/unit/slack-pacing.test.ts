// The Slack client's pacing follows Slack's documented limits: chat.postMessage (thread replies
// too) takes a token from its channel's bucket; chat.update from one workspace-wide bucket (Tier
// 3, not per channel); other methods (chat.postEphemeral, Tier 4) are not paced.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createWebClient, FINAL_UPDATE_RESERVE, progressUpdate } from '../../src/slack/client.js';
import { createLocalRequestBudget } from '../../src/providers/request-budget.js';
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

/** A pacer whose tokens the test hands out: tryAcquire answers `free`, acquire waits for release(). */
function gatedPacer() {
  const waiting: (() => void)[] = [];
  const pacer = {
    free: false,
    tried: 0,
    acquire: () => new Promise<void>((resolve) => waiting.push(resolve)),
    tryAcquire: async () => {
      pacer.tried += 1;
      return pacer.free;
    },
    waiting: () => waiting.length,
    release: () => waiting.shift()?.(),
  };
  return pacer;
}

async function until(what: string, ok: () => boolean): Promise<void> {
  for (let i = 0; i < 2000 && !ok(); i++) await new Promise((r) => setTimeout(r, 5));
  assert.ok(ok(), what);
}

async function updatesSetup() {
  const slack = await FakeSlack.start();
  slack.addChannel({ id: 'C0DROP', name: 'drop', members: ['U0ONCALL'] });
  const pacer = gatedPacer();
  const client = createWebClient({
    token: BOT_TOKEN,
    slackApiUrl: slack.apiUrl,
    logger: createLogger({ level: 'silent' }),
    updatePacer: pacer,
  });
  const { ts } = await client.chat.postMessage({ channel: 'C0DROP', text: 'placeholder' });
  const sent = () => slack.calls.filter((c) => c.method === 'chat.update').map((c) => c.args.text);
  return { slack, pacer, client, ts: ts!, sent };
}

test('a progress update without a token at once is skipped, never queued; the final one waits for the first token', async () => {
  const { slack, pacer, client, ts, sent } = await updatesSetup();
  try {
    const skipped = await client.chat.update(progressUpdate({ channel: 'C0DROP', ts, text: 'progress 1' }));
    assert.equal((skipped as { skipped?: boolean }).skipped, true);
    assert.equal(pacer.waiting(), 0, 'a progress version never waits for a token');
    const final = client.chat.update({ channel: 'C0DROP', ts, text: 'final' });
    await until('the final version waits for its token', () => pacer.waiting() === 1);
    // A token now free: still, no progress version may go while the final one is to land.
    pacer.free = true;
    const late = await client.chat.update(progressUpdate({ channel: 'C0DROP', ts, text: 'progress 2' }));
    assert.equal((late as { skipped?: boolean }).skipped, true);
    pacer.release();
    assert.equal((await final).ok, true);
    assert.deepEqual(sent(), ['final']);
    assert.equal(slack.message('C0DROP', ts)?.text, 'final');
  } finally {
    await slack.stop();
  }
});

test('a progress update with a token goes; a final one arriving meanwhile lands after it, and progress after the final is dropped', async () => {
  const { slack, pacer, client, ts, sent } = await updatesSetup();
  try {
    pacer.free = true;
    // The progress version is in flight (its token taken), the final one arrives, then more progress.
    const progress = client.chat.update(progressUpdate({ channel: 'C0DROP', ts, text: 'progress 1' }));
    const final = client.chat.update({ channel: 'C0DROP', ts, text: 'final' });
    const after = client.chat.update(progressUpdate({ channel: 'C0DROP', ts, text: 'progress 2' }));
    assert.equal(((await after) as { skipped?: boolean }).skipped, true);
    await until('the final version waits for its token', () => pacer.waiting() === 1);
    assert.equal((await progress).ok, true);
    pacer.release();
    await final;
    assert.deepEqual(sent(), ['progress 1', 'final']);
    assert.equal(slack.message('C0DROP', ts)?.text, 'final');
    // Two progress versions waiting behind one in flight: the newest wins, the older is never sent.
    const t2 = (await client.chat.postMessage({ channel: 'C0DROP', text: 'second' })).ts!;
    const a = client.chat.update(progressUpdate({ channel: 'C0DROP', ts: t2, text: 'p1' }));
    const b = client.chat.update(progressUpdate({ channel: 'C0DROP', ts: t2, text: 'p2' }));
    const c = client.chat.update(progressUpdate({ channel: 'C0DROP', ts: t2, text: 'p3' }));
    await Promise.all([a, b, c]);
    assert.deepEqual(sent().slice(2), ['p1', 'p3']);
  } finally {
    await slack.stop();
  }
});

test('a final update whose send fails is not replaced by a progress one waiting; the next final still goes', async () => {
  const { slack, pacer, client, ts, sent } = await updatesSetup();
  try {
    pacer.free = true;
    slack.injectError('chat.update', { error: 'internal_error', times: 1 });
    const final = client.chat.update({ channel: 'C0DROP', ts, text: 'final' });
    const late = client.chat.update(progressUpdate({ channel: 'C0DROP', ts, text: 'progress' }));
    assert.equal(((await late) as { skipped?: boolean }).skipped, true);
    await until('the final version waits for its token', () => pacer.waiting() === 1);
    pacer.release();
    await assert.rejects(final);
    const again = client.chat.update({ channel: 'C0DROP', ts, text: 'final again' });
    await until('the retry waits for its token', () => pacer.waiting() === 1);
    pacer.release();
    await again;
    assert.equal(slack.message('C0DROP', ts)?.text, 'final again');
    assert.ok(!sent().includes('progress'));
  } finally {
    await slack.stop();
  }
});

test('the update bucket keeps its reserve for the final versions: progress takes only what is above it', async () => {
  const b = createLocalRequestBudget({ ratePerSecond: 50 / 60, burst: 8 });
  const taken = [];
  for (let i = 0; i < 6; i++) taken.push(await b.tryAcquire('w', FINAL_UPDATE_RESERVE));
  assert.deepEqual(taken, [true, true, true, true, false, false]);
  // The reserve: the next four final versions go at once.
  for (let i = 0; i < FINAL_UPDATE_RESERVE; i++) assert.equal(await b.acquire('w'), 0);
  assert.equal(await b.tryAcquire('w', 0), false, 'the bucket is empty now');
});
