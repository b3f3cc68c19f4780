// Contract of the Slack test kit: the official WebClient against the fake Web API answers as
// Slack does, and the signed-request helpers pass Bolt's own verification and receiver.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { AddressInfo, Server } from 'node:net';
import { App, LogLevel, verifySlackRequest, type Logger } from '@slack/bolt';
import {
  ErrorCode,
  WebClient,
  WebClientEvent,
  type RetryOptions,
  type WebAPIPlatformError,
  type WebAPIRateLimitedError,
} from '@slack/web-api';
import { PNG } from 'pngjs';
import { FakeSlack, type FakeSlackChange } from '../support/fake-slack/index.js';
import {
  reactionAddedEvent,
  sendBlockAction,
  sendEvent,
  sendSlashCommand,
  sendUrlVerification,
  sendViewSubmission,
  option,
  signSlackRequest,
} from '../support/slack-requests.js';

const TOKEN = 'xoxb-test-token';
/** Like web-api's rapidRetryPolicy (not a named ESM export): no backoff on top of Retry-After. */
const RAPID_RETRIES: RetryOptions = { retries: 3, minTimeout: 0, maxTimeout: 1 };
/** WebClient logs Slack's error messages; the assertions check them instead. */
const SILENT: Logger = {
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: () => {},
  setLevel: () => {},
  getLevel: () => LogLevel.ERROR,
  setName: () => {},
};

function client(fake: FakeSlack, opts: ConstructorParameters<typeof WebClient>[1] = {}): WebClient {
  return new WebClient(TOKEN, {
    slackApiUrl: fake.apiUrl,
    logger: SILENT,
    retryConfig: RAPID_RETRIES,
    ...opts,
  });
}

/** The Slack error code of a rejected WebClient call. */
async function slackError(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    const e = err as WebAPIPlatformError;
    assert.equal(e.code, ErrorCode.PlatformError, `expected a platform error, got ${String(err)}`);
    return e.data.error;
  }
  assert.fail('the call succeeded but an error was expected');
}

async function withFake(fn: (fake: FakeSlack) => Promise<void>): Promise<void> {
  const fake = await FakeSlack.start({ port: 0 });
  try {
    await fn(fake);
  } finally {
    await fake.stop();
  }
}

test('the default seed matches the example config of DESIGN.md', async () => {
  await withFake(async (fake) => {
    assert.match(fake.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.equal(fake.apiUrl, `${fake.url}/api/`);
    for (const id of ['U0ONCALL', 'U0APPROVER', 'U0OWNER', 'U0SRE1', 'U0SRE2'])
      assert.ok(fake.users.has(id), id);
    assert.deepEqual(fake.usergroups.get('S0DATALEADS')?.users, ['U0APPROVER']);
    assert.equal(fake.channels.get('C0DATAOPS')?.name, 'data-ops');
    const auth = await client(fake).auth.test();
    assert.equal(auth.team_id, 'T0MEDIC');
    assert.equal(auth.user_id, 'U0MEDICBOT');
    assert.equal(auth.bot_id, 'B0MEDIC');
  });
});

test('chat.postMessage then chat.update: the message is replaced in place in the model', async () => {
  await withFake(async (fake) => {
    const changes: FakeSlackChange[] = [];
    fake.on('change', (c) => changes.push(c));
    const web = client(fake);
    const blocks = [{ type: 'section', text: { type: 'mrkdwn', text: '*Triage* of `MyJob` running…' } }];
    const posted = await web.chat.postMessage({ channel: 'C0DATAOPS', text: 'Triage of MyJob', blocks });
    assert.equal(posted.channel, 'C0DATAOPS');
    assert.match(posted.ts ?? '', /^\d{10}\.\d{6}$/);
    assert.equal(posted.message?.text, 'Triage of MyJob');
    assert.equal(posted.message?.bot_id, 'B0MEDIC');

    // Blocks arrive as values although WebClient sent them JSON-stringified in a form body.
    const call = await fake.waitFor('chat.postMessage');
    assert.deepEqual(call.args.blocks, blocks);
    assert.equal(call.token, TOKEN);

    const second = await web.chat.postMessage({ channel: 'C0DATAOPS', text: 'reply', thread_ts: posted.ts });
    assert.ok(Number(second.ts) > Number(posted.ts), 'ts increase');

    const done = [
      { type: 'section', text: { type: 'mrkdwn', text: '*Triage* of `MyJob`: 3 degraded runs' } },
    ];
    const updated = await web.chat.update({
      channel: 'C0DATAOPS',
      ts: posted.ts!,
      text: 'Triage done',
      blocks: done,
    });
    assert.equal(updated.ts, posted.ts);
    assert.equal(updated.text, 'Triage done');

    const m = fake.message('C0DATAOPS', posted.ts!);
    assert.ok(m);
    assert.equal(m.text, 'Triage done');
    assert.deepEqual(m.blocks, done);
    assert.equal(m.updates, 1);
    assert.equal(m.edited?.user, 'U0MEDICBOT');
    assert.equal(fake.topLevel('C0DATAOPS').length, 1, 'the update replaced, it did not add');
    assert.deepEqual(
      fake.thread('C0DATAOPS', posted.ts!).map((r) => r.text),
      ['reply'],
    );
    assert.deepEqual(
      changes.map((c) => c.type),
      ['message_posted', 'message_posted', 'message_updated'],
    );

    assert.equal(
      await slackError(web.chat.update({ channel: 'C0DATAOPS', ts: '1.000001', text: 'x' })),
      'message_not_found',
    );
    const human = fake.postAsUser('C0DATAOPS', 'U0ONCALL', 'hello bot');
    assert.equal(
      await slackError(web.chat.update({ channel: 'C0DATAOPS', ts: human.ts, text: 'x' })),
      'cant_update_message',
    );
    assert.equal(
      await slackError(web.chat.postMessage({ channel: 'C0NOPE', text: 'x' })),
      'channel_not_found',
    );
    assert.equal(await slackError(web.chat.postMessage({ channel: 'C0DATAOPS', text: '' })), 'no_text');

    await web.chat.delete({ channel: 'C0DATAOPS', ts: second.ts! });
    assert.equal(fake.message('C0DATAOPS', second.ts!), undefined);
  });
});

test('Block Kit limits: more than 50 blocks or an over-long section answers invalid_blocks', async () => {
  await withFake(async (fake) => {
    const web = client(fake);
    const divider = { type: 'divider' };
    assert.equal(
      await slackError(
        web.chat.postMessage({ channel: 'C0DATAOPS', text: 't', blocks: Array(51).fill(divider) }),
      ),
      'invalid_blocks',
    );
    const long = { type: 'section', text: { type: 'mrkdwn', text: 'x'.repeat(3001) } };
    assert.equal(
      await slackError(web.chat.postMessage({ channel: 'C0DATAOPS', text: 't', blocks: [long] })),
      'invalid_blocks',
    );
    await web.chat.postMessage({ channel: 'C0DATAOPS', text: 't', blocks: Array(50).fill(divider) });
    assert.equal(fake.topLevel('C0DATAOPS').length, 1);
  });
});

test('chat.postEphemeral is kept per user and only for channel members', async () => {
  await withFake(async (fake) => {
    const web = client(fake);
    const res = await web.chat.postEphemeral({
      channel: 'C0DATAOPS',
      user: 'U0ONCALL',
      text: 'Usage: /triage <job>',
    });
    assert.match(res.message_ts ?? '', /^\d+\.\d{6}$/);
    assert.deepEqual(
      fake.ephemeralsFor('U0ONCALL').map((e) => e.text),
      ['Usage: /triage <job>'],
    );
    assert.equal(fake.ephemeralsFor('U0APPROVER').length, 0);
    assert.equal(fake.topLevel('C0DATAOPS').length, 0, 'not a channel message');

    fake.addUser({ id: 'U0OUTSIDER', name: 'outsider' });
    assert.equal(
      await slackError(web.chat.postEphemeral({ channel: 'C0DATAOPS', user: 'U0OUTSIDER', text: 'x' })),
      'user_not_in_channel',
    );
  });
});

test('conversations.create validates names like Slack; the incident channel is set up', async () => {
  await withFake(async (fake) => {
    const web = client(fake);
    const create = (name: string): Promise<string> => slackError(web.conversations.create({ name }));
    assert.equal(await create(''), 'invalid_name_required');
    assert.equal(await create('Inc-MyJob'), 'invalid_name_specials');
    assert.equal(await create('inc myjob'), 'invalid_name_specials');
    assert.equal(await create('inc.myjob'), 'invalid_name_specials');
    assert.equal(await create('x'.repeat(81)), 'invalid_name_maxlength');
    assert.equal(await create('data-ops'), 'name_taken');

    const name = `inc-myjob-${'a'.repeat(80 - 'inc-myjob-'.length)}`;
    assert.equal(name.length, 80);
    const created = await web.conversations.create({ name });
    const id = created.channel?.id ?? assert.fail('no channel id');
    assert.match(id, /^C[A-Z0-9]+$/);
    assert.equal(created.channel?.name, name);
    assert.equal(await create(name), 'name_taken');

    await web.conversations.invite({ channel: id, users: 'U0ONCALL,U0OWNER' });
    assert.equal(
      await slackError(web.conversations.invite({ channel: id, users: 'U0ONCALL' })),
      'already_in_channel',
    );
    assert.equal(
      await slackError(web.conversations.invite({ channel: id, users: 'U0GHOST' })),
      'user_not_found',
    );
    await web.conversations.setTopic({ channel: id, topic: 'MyJob degraded: +80% duration' });
    const info = await web.conversations.info({ channel: id });
    assert.equal(info.channel?.topic?.value, 'MyJob degraded: +80% duration');
    assert.deepEqual(fake.channels.get(id)?.members, ['U0MEDICBOT', 'U0ONCALL', 'U0OWNER']);

    const msg = await web.chat.postMessage({ channel: id, text: 'Checklist' });
    const ts = msg.ts ?? assert.fail('no ts');
    await web.pins.add({ channel: id, timestamp: ts });
    assert.equal(await slackError(web.pins.add({ channel: id, timestamp: ts })), 'already_pinned');
    const bm = await web.bookmarks.add({
      channel_id: id,
      title: 'Runbook',
      type: 'link',
      link: 'https://wiki.example/runbook',
    });
    assert.equal(bm.bookmark?.title, 'Runbook');
    await web.reactions.add({ channel: id, timestamp: msg.ts!, name: 'pushpin' });
    fake.addReaction(id, msg.ts!, 'eyes', 'U0ONCALL');
    const reactions = await web.reactions.get({ channel: id, timestamp: msg.ts! });
    assert.deepEqual(
      reactions.message?.reactions?.map((r) => [r.name, r.users]),
      [
        ['pushpin', ['U0MEDICBOT']],
        ['eyes', ['U0ONCALL']],
      ],
    );
    const channel = fake.channels.get(id)!;
    assert.deepEqual(channel.pins, [msg.ts]);
    assert.equal(channel.bookmarks[0]?.link, 'https://wiki.example/runbook');

    const joined = await web.conversations.join({ channel: 'C0DATAOPS' });
    assert.equal(joined.warning, 'already_in_channel');
  });
});

test('users.info and usergroups.users.list answer from the workspace model', async () => {
  await withFake(async (fake) => {
    const web = client(fake);
    const oncall = await web.usergroups.users.list({ usergroup: 'S0ONCALL' });
    assert.deepEqual(oncall.users, ['U0SRE1', 'U0SRE2']);
    const leads = await web.usergroups.users.list({ usergroup: 'S0DATALEADS' });
    assert.deepEqual(leads.users, ['U0APPROVER']);
    assert.equal(await slackError(web.usergroups.users.list({ usergroup: 'S0NOPE' })), 'no_such_subteam');

    fake.addUsergroup({ id: 'S0NEW', handle: 'new', users: ['U0OWNER'] });
    assert.deepEqual((await web.usergroups.users.list({ usergroup: 'S0NEW' })).users, ['U0OWNER']);

    const owner = await web.users.info({ user: 'U0OWNER' });
    assert.equal(owner.user?.id, 'U0OWNER');
    assert.equal(owner.user?.is_bot, false);
    assert.equal((await web.users.info({ user: 'U0MEDICBOT' })).user?.is_bot, true);
    assert.equal(await slackError(web.users.info({ user: 'U0GHOST' })), 'user_not_found');
  });
});

test('files.uploadV2: the PNG bytes arrive intact and are shared in the thread', async () => {
  await withFake(async (fake) => {
    const web = client(fake);
    const png = new PNG({ width: 4, height: 3 });
    for (let i = 0; i < png.data.length; i += 4) png.data.set([200, i % 255, 40, 255], i);
    const bytes = PNG.sync.write(png);

    const parent = await web.chat.postMessage({ channel: 'C0DATAOPS', text: 'Triage of MyJob' });
    const res = await web.files.uploadV2({
      channel_id: 'C0DATAOPS',
      thread_ts: parent.ts ?? assert.fail('no ts'),
      file: bytes,
      filename: 'duration-trend.png',
      title: 'Duration trend',
      alt_text: 'Run duration against the baseline',
      initial_comment: 'Duration against the baseline',
    });
    assert.equal(res.ok, true);

    const getUrl = await fake.waitFor('files.getUploadURLExternal');
    assert.equal(getUrl.args.filename, 'duration-trend.png');
    assert.equal(Number(getUrl.args.length), bytes.length);
    const fileId = getUrl.response.file_id as string;
    const file = fake.files.get(fileId);
    assert.ok(file?.bytes);
    assert.ok(file.bytes.equals(bytes), 'bytes intact');
    assert.equal(file.mimetype, 'image/png');
    assert.equal(file.title, 'Duration trend');
    assert.equal(file.completed, true);
    const decoded = PNG.sync.read(file.bytes);
    assert.equal(decoded.width, 4);
    assert.equal(decoded.height, 3);

    const shared = fake.thread('C0DATAOPS', parent.ts!);
    assert.equal(shared.length, 1);
    assert.deepEqual(shared[0]?.files, [fileId]);
    assert.equal(shared[0]?.text, 'Duration against the baseline');
    assert.deepEqual(file.shares, [{ channel: 'C0DATAOPS', ts: shared[0]!.ts, threadTs: parent.ts }]);

    // The file is served where url_private points (the sandbox shows it inline).
    const complete = await fake.waitFor('files.completeUploadExternal');
    const urlPrivate = (complete.response.files as { url_private: string }[])[0]!.url_private;
    const served = Buffer.from(await (await fetch(urlPrivate)).arrayBuffer());
    assert.ok(served.equals(bytes));
  });
});

test('an injected 429 makes WebClient wait Retry-After, then retry and succeed', async () => {
  await withFake(async (fake) => {
    fake.inject429('chat.postMessage', { retryAfterSec: 1, times: 1 });
    const web = client(fake);
    const rateLimited: number[] = [];
    let callsWhenLimited = -1;
    web.on(WebClientEvent.RATE_LIMITED, (retrySec: number) => {
      rateLimited.push(retrySec);
      // WebClient has not retried yet when it announces the wait.
      callsWhenLimited = fake.callsTo('chat.postMessage').length;
    });
    const res = await web.chat.postMessage({ channel: 'C0DATAOPS', text: 'after the limit' });
    assert.equal(res.ok, true);
    assert.deepEqual(rateLimited, [1]);
    assert.equal(callsWhenLimited, 1);
    assert.deepEqual(
      fake.callsTo('chat.postMessage').map((c) => c.status),
      [429, 200],
    );
    const calls = fake.callsTo('chat.postMessage');
    assert.ok(calls[1]!.at >= calls[0]!.at, 'the retry came after the 429');
    assert.equal(fake.topLevel('C0DATAOPS').length, 1, 'posted once');
  });
});

test('with rejectRateLimitedCalls WebClient throws the rate-limit error instead of waiting', async () => {
  await withFake(async (fake) => {
    fake.inject429('conversations.create', { retryAfterSec: 7, times: 2 });
    const web = client(fake, { rejectRateLimitedCalls: true });
    await assert.rejects(web.conversations.create({ name: 'inc-myjob' }), (err: WebAPIRateLimitedError) => {
      assert.equal(err.code, ErrorCode.RateLimitedError);
      assert.equal(err.retryAfter, 7);
      return true;
    });
    assert.equal(fake.channelByName('inc-myjob'), undefined);
    // The second injected 429 is still pending; the third call goes through.
    await assert.rejects(web.conversations.create({ name: 'inc-myjob' }));
    await web.conversations.create({ name: 'inc-myjob' });
    assert.ok(fake.channelByName('inc-myjob'));
  });
});

test('response_url: recorded, applied like Slack, refused after 5 uses or 30 minutes', async () => {
  await withFake(async (fake) => {
    const web = client(fake);
    const original = await web.chat.postMessage({ channel: 'C0DATAOPS', text: 'Approve compaction?' });
    const url = fake.newResponseUrl({ channelId: 'C0DATAOPS', userId: 'U0APPROVER', messageTs: original.ts });
    assert.ok(url.startsWith(`${fake.url}/`));
    const post = (body: Record<string, unknown>): Promise<Response> =>
      fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });

    assert.equal((await post({ text: 'Only you can see this' })).status, 200);
    assert.deepEqual(
      fake.ephemeralsFor('U0APPROVER').map((e) => e.text),
      ['Only you can see this'],
    );
    await post({ response_type: 'in_channel', text: 'Approved by <@U0APPROVER>' });
    assert.equal(fake.lastMessage('C0DATAOPS')?.text, 'Approved by <@U0APPROVER>');
    await post({ replace_original: true, text: 'Compaction approved' });
    assert.equal(fake.message('C0DATAOPS', original.ts!)?.text, 'Compaction approved');
    await post({ delete_original: true });
    assert.equal(fake.message('C0DATAOPS', original.ts!), undefined);
    const gone = await post({ replace_original: true, text: 'fifth use, original gone' });
    assert.equal(gone.status, 404);
    assert.deepEqual(await gone.json(), { ok: false, error: 'message_not_found' });

    const sixth = await post({ text: 'sixth' });
    assert.equal(sixth.status, 404);
    assert.deepEqual(await sixth.json(), { ok: false, error: 'used_url' });
    assert.deepEqual(
      fake.responsesTo(url).map((r) => r.status),
      [200, 200, 200, 200, 404, 404],
    );
    assert.equal(fake.responses[0]?.body.text, 'Only you can see this');

    const late = fake.newResponseUrl();
    fake.advanceClock(30 * 60 * 1000 + 1);
    const expired = await fetch(late, { method: 'POST', body: JSON.stringify({ text: 'too late' }) });
    assert.equal(expired.status, 404);
    assert.equal(fake.responsesTo(late)[0]?.error, 'expired_url');
  });
});

test('tokens: none answers not_authed, a wrong one invalid_auth; unknown methods unknown_method', async () => {
  await withFake(async (fake) => {
    const anonymous = new WebClient(undefined, { slackApiUrl: fake.apiUrl, logLevel: LogLevel.ERROR });
    assert.equal(
      await slackError(anonymous.chat.postMessage({ channel: 'C0DATAOPS', text: 'x' })),
      'not_authed',
    );
    const wrong = new WebClient('not-a-slack-token', { slackApiUrl: fake.apiUrl, logLevel: LogLevel.ERROR });
    assert.equal(await slackError(wrong.auth.test()), 'invalid_auth');
    assert.equal(await slackError(client(fake).apiCall('medic.doesNotExist')), 'unknown_method');
    assert.equal(fake.topLevel('C0DATAOPS').length, 0);
    assert.deepEqual(
      fake.calls.map((c) => [c.method, c.token, c.response.error]),
      [
        ['chat.postMessage', undefined, 'not_authed'],
        ['auth.test', 'not-a-slack-token', 'invalid_auth'],
        ['medic.doesNotExist', TOKEN, 'unknown_method'],
      ],
    );
  });
  const strict = await FakeSlack.start({ tokens: ['xoxb-only-this'] });
  try {
    assert.equal(await slackError(client(strict).auth.test()), 'invalid_auth');
    assert.equal(
      (await new WebClient('xoxb-only-this', { slackApiUrl: strict.apiUrl }).auth.test()).ok,
      true,
    );
  } finally {
    await strict.stop();
  }
});

test('apps.connections.open: an app-level token gets a Socket Mode URL, and only it', async () => {
  await withFake(async (fake) => {
    const app = new WebClient('xapp-1-A0MEDIC-1-abc', { slackApiUrl: fake.apiUrl, logLevel: LogLevel.ERROR });
    assert.equal(await slackError(app.apps.connections.open({})), 'socket_mode_not_enabled');
    fake.socketMode = { newUrl: () => 'ws://127.0.0.1:9/link/?ticket=t1' };
    assert.equal((await app.apps.connections.open({})).url, 'ws://127.0.0.1:9/link/?ticket=t1');
    // A bot token cannot open connections; an app token can do nothing else.
    assert.equal(await slackError(client(fake).apps.connections.open({})), 'not_allowed_token_type');
    assert.equal(
      await slackError(app.chat.postMessage({ channel: 'C0DATAOPS', text: 'x' })),
      'not_allowed_token_type',
    );
    assert.equal(fake.topLevel('C0DATAOPS').length, 0);
  });
});

test('the fake also takes JSON bodies with a bearer token, as Slack does', async () => {
  await withFake(async (fake) => {
    const res = await fetch(`${fake.apiUrl}chat.postMessage`, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8', authorization: `Bearer ${TOKEN}` },
      body: JSON.stringify({ channel: 'C0DATAOPS', text: 'json', blocks: [{ type: 'divider' }] }),
    });
    const body = (await res.json()) as { ok: boolean; ts: string };
    assert.equal(body.ok, true);
    assert.deepEqual(fake.message('C0DATAOPS', body.ts)?.blocks, [{ type: 'divider' }]);
  });
});

test('views.open / push / update follow the user of the trigger_id; triggers expire after 3 s', async () => {
  await withFake(async (fake) => {
    const web = client(fake);
    const modal = (title: string): Parameters<WebClient['views']['open']>[0]['view'] => ({
      type: 'modal',
      callback_id: 'medic.backfill.submit',
      title: { type: 'plain_text', text: title },
      blocks: [{ type: 'section', text: { type: 'mrkdwn', text: title } }],
    });
    const opened = await web.views.open({
      trigger_id: fake.newTriggerId('U0ONCALL'),
      view: modal('Backfill'),
    });
    const viewId = opened.view!.id!;
    assert.equal(fake.openView('U0ONCALL')?.id, viewId);
    assert.equal(fake.openView('U0APPROVER'), undefined);

    await web.views.push({ trigger_id: fake.newTriggerId('U0ONCALL'), view: modal('Confirm') });
    assert.equal(fake.openView('U0ONCALL')?.previousViewId, viewId);

    const updated = await web.views.update({
      view_id: viewId,
      hash: opened.view!.hash,
      view: modal('Backfill (2)'),
    });
    assert.notEqual(updated.view?.hash, opened.view?.hash);
    assert.equal(fake.views.get(viewId)?.updates, 1);
    assert.equal(
      await slackError(web.views.update({ view_id: viewId, hash: opened.view!.hash, view: modal('stale') })),
      'hash_conflict',
    );

    const trigger = fake.newTriggerId('U0APPROVER');
    fake.advanceClock(3001);
    assert.equal(
      await slackError(web.views.open({ trigger_id: trigger, view: modal('late') })),
      'expired_trigger_id',
    );
  });
});

test('waitFor resolves on a future call and times out with the calls seen', async () => {
  await withFake(async (fake) => {
    const web = client(fake);
    const waiting = fake.waitFor('chat.postMessage', (c) => c.args.channel === 'C0DATAOPS');
    await web.auth.test();
    await web.chat.postMessage({ channel: 'C0DATAOPS', text: 'later' });
    const call = await waiting;
    assert.equal(call.args.text, 'later');
    await assert.rejects(
      fake.waitFor('views.open', undefined, 50),
      /no matching views\.open call within 50 ms/,
    );
    fake.reset();
    assert.equal(fake.calls.length, 0);
    assert.equal(fake.topLevel('C0DATAOPS').length, 0);
  });
});

test('injectError fails the next calls like Slack does (ok:false, or an HTTP error WebClient retries)', async () => {
  await withFake(async (fake) => {
    const web = client(fake);
    fake.injectError('chat.postMessage', { error: 'channel_not_found' });
    assert.equal(
      await slackError(web.chat.postMessage({ channel: 'C0DATAOPS', text: 'x' })),
      'channel_not_found',
    );
    await web.chat.postMessage({ channel: 'C0DATAOPS', text: 'y' });
    assert.equal(fake.topLevel('C0DATAOPS').length, 1);

    fake.injectError('chat.update', { status: 503, times: 2 });
    const ts = fake.lastMessage('C0DATAOPS')!.ts;
    await web.chat.update({ channel: 'C0DATAOPS', ts, text: 'z' });
    assert.deepEqual(
      fake.callsTo('chat.update').map((c) => c.status),
      [503, 503, 200],
    );
    assert.equal(fake.message('C0DATAOPS', ts)?.text, 'z');
  });
});

test('loseAnswer: the call is carried out, then answers ok:false; message metadata is checked and returned only with include_all_metadata', async () => {
  await withFake(async (fake) => {
    const web = client(fake);
    const parent = await web.chat.postMessage({ channel: 'C0DATAOPS', text: 'parent' });
    fake.loseAnswer('chat.postMessage', { error: 'internal_error' });
    const metadata = { event_type: 'medic_test', event_payload: { id: 'x' } };
    assert.equal(
      await slackError(
        web.chat.postMessage({ channel: 'C0DATAOPS', thread_ts: parent.ts!, text: 'reply', metadata }),
      ),
      'internal_error',
    );
    assert.equal(fake.thread('C0DATAOPS', parent.ts!).length, 1, 'posted although the answer said not');
    const plain = await web.conversations.replies({ channel: 'C0DATAOPS', ts: parent.ts! });
    assert.equal(plain.messages?.[1]?.metadata, undefined);
    const withMeta = await web.conversations.replies({
      channel: 'C0DATAOPS',
      ts: parent.ts!,
      include_all_metadata: true,
    });
    assert.deepEqual(withMeta.messages?.[1]?.metadata, metadata);
    assert.equal(
      await slackError(
        web.chat.postMessage({
          channel: 'C0DATAOPS',
          text: 'bad',
          metadata: { event_type: 'has space', event_payload: {} },
        }),
      ),
      'invalid_metadata_format',
    );
  });
});

test('direct messages: conversations.open and posting to a user id or a #name', async () => {
  await withFake(async (fake) => {
    const web = client(fake);
    const dm = await web.conversations.open({ users: 'U0OWNER' });
    const dmId = dm.channel?.id ?? assert.fail('no DM id');
    assert.match(dmId, /^D/);
    const posted = await web.chat.postMessage({ channel: 'U0OWNER', text: 'MyJob escalated to you' });
    assert.equal(posted.channel, dmId, 'the same DM');
    assert.equal(fake.lastMessage(dmId)?.text, 'MyJob escalated to you');
    const byName = await web.chat.postMessage({ channel: '#data-ops', text: 'by name' });
    assert.equal(byName.channel, 'C0DATAOPS');
  });
});

test('views.open refuses a modal Slack would refuse (title over 24 characters, too many blocks)', async () => {
  await withFake(async (fake) => {
    const web = client(fake);
    const longTitle = await slackError(
      web.views.open({
        trigger_id: fake.newTriggerId('U0ONCALL'),
        view: {
          type: 'modal',
          title: { type: 'plain_text', text: 'Request compaction of MyJob' },
          blocks: [],
        },
      }),
    );
    assert.equal(longTitle, 'invalid_arguments');
    const tooMany = await slackError(
      web.views.open({
        trigger_id: fake.newTriggerId('U0ONCALL'),
        view: {
          type: 'modal',
          title: { type: 'plain_text', text: 'Backfill' },
          blocks: Array(101).fill({ type: 'divider' }),
        },
      }),
    );
    assert.equal(tooMany, 'invalid_arguments');
    assert.equal(fake.openView('U0ONCALL'), undefined);
  });
});

test('snapshot() is plain JSON of the whole workspace', async () => {
  await withFake(async (fake) => {
    const web = client(fake);
    const posted = await web.chat.postMessage({ channel: 'C0DATAOPS', text: 'hello' });
    await web.chat.postEphemeral({ channel: 'C0DATAOPS', user: 'U0ONCALL', text: 'psst' });
    const snap = JSON.parse(JSON.stringify(fake.snapshot())) as ReturnType<FakeSlack['snapshot']>;
    const ops = snap.channels.find((c) => c.id === 'C0DATAOPS');
    assert.deepEqual(
      ops?.messages.map((m) => [m.ts, m.text]),
      [[posted.ts, 'hello']],
    );
    assert.deepEqual(
      snap.ephemerals.map((e) => [e.user, e.text]),
      [['U0ONCALL', 'psst']],
    );
    assert.ok(snap.users.some((u) => u.id === 'U0APPROVER'));
  });
});

// ---------------------------------------------------------------------------------------------
// Signed requests

const DOC_SECRET = '8f742231b10e8888abcd99yyyzzz85a5';
const DOC_TS = 1531420618;
const DOC_BODY =
  'token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c';

test("signSlackRequest reproduces Slack's documented example and passes Bolt's verifier", () => {
  const headers = signSlackRequest(DOC_SECRET, DOC_BODY, DOC_TS);
  assert.equal(
    headers['X-Slack-Signature'],
    'v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503',
  );
  assert.equal(headers['X-Slack-Request-Timestamp'], String(DOC_TS));

  const verify = (
    h: { 'X-Slack-Signature': string; 'X-Slack-Request-Timestamp': string },
    nowSec: number,
  ): void =>
    verifySlackRequest({
      signingSecret: DOC_SECRET,
      body: DOC_BODY,
      headers: {
        'x-slack-signature': h['X-Slack-Signature'],
        'x-slack-request-timestamp': Number(h['X-Slack-Request-Timestamp']),
      },
      nowMilliseconds: nowSec * 1000,
    });
  verify(headers, DOC_TS + 10);
  assert.throws(() => verify(headers, DOC_TS + 301), /stale/);
  assert.throws(
    () => verify(signSlackRequest('another-secret', DOC_BODY, DOC_TS), DOC_TS),
    /signature mismatch/,
  );
});

test('signed slash commands, actions, submissions and events reach a real Bolt receiver', async () => {
  const fake = await FakeSlack.start();
  const secret = 'test-signing-secret';
  const app = new App({
    token: TOKEN,
    signingSecret: secret,
    logLevel: LogLevel.ERROR,
    clientOptions: { slackApiUrl: fake.apiUrl, retryConfig: RAPID_RETRIES },
  });
  const seen: Record<string, unknown>[] = [];
  app.command('/triage', async ({ command, ack, respond, client: web }) => {
    await ack({ response_type: 'ephemeral', text: `Queued triage of ${command.text}` });
    seen.push({ ...command });
    await respond({ response_type: 'in_channel', text: `Triage of ${command.text} started` });
    await web.views.open({
      trigger_id: command.trigger_id,
      view: {
        type: 'modal',
        callback_id: 'medic.triage.options',
        title: { type: 'plain_text', text: 'Triage' },
        blocks: [],
      },
    });
  });
  app.action('medic.checklist.toggle', async ({ ack, body }) => {
    await ack();
    seen.push(body as unknown as Record<string, unknown>);
  });
  app.action('medic.mitigation.approve', async ({ ack, body, client: web }) => {
    await ack();
    const b = body as unknown as { channel: { id: string }; message: { ts: string } };
    await web.chat.update({ channel: b.channel.id, ts: b.message.ts, text: 'Approved' });
  });
  app.view('medic.backfill.submit', async ({ ack, view }) => {
    await ack({
      response_action: 'errors',
      errors: { dates: `bad range ${view.state.values.dates?.from?.value}` },
    });
  });
  app.event('reaction_added', async ({ event }) => {
    seen.push({ ...event });
  });
  const server = (await app.start(0)) as unknown as Server;
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  try {
    // Slash command: ack body, respond through the fake's response_url, views.open with its trigger.
    const responseUrl = fake.newResponseUrl({ channelId: 'C0DATAOPS', userId: 'U0ONCALL' });
    const res = await sendSlashCommand(base, secret, {
      command: '/triage',
      text: 'MyJob',
      responseUrl,
      triggerId: fake.newTriggerId('U0ONCALL'),
    });
    assert.equal(res.status, 200);
    assert.deepEqual(res.body, { response_type: 'ephemeral', text: 'Queued triage of MyJob' });
    await fake.waitFor('views.open');
    assert.equal(fake.openView('U0ONCALL')?.view.callback_id, 'medic.triage.options');
    const response = await fake.waitForResponse(responseUrl);
    assert.equal(response.body.text, 'Triage of MyJob started');
    assert.equal(fake.lastMessage('C0DATAOPS')?.text, 'Triage of MyJob started');
    const command = seen.shift() as Record<string, string>;
    assert.equal(command.user_id, 'U0ONCALL');
    assert.equal(command.channel_id, 'C0DATAOPS');
    assert.equal(command.team_id, 'T0MEDIC');

    // Bolt refuses a wrong signature, a missing one and a stale timestamp with 401.
    const bad = await sendSlashCommand(
      base,
      secret,
      { command: '/triage', text: 'MyJob' },
      { signature: 'v0=deadbeef' },
    );
    assert.equal(bad.status, 401);
    const unsigned = await sendSlashCommand(
      base,
      secret,
      { command: '/triage', text: 'MyJob' },
      { signature: '' },
    );
    assert.equal(unsigned.status, 401);
    const stale = await sendSlashCommand(
      base,
      secret,
      { command: '/triage', text: 'MyJob' },
      { timestampSec: Math.floor(Date.now() / 1000) - 301 },
    );
    assert.equal(stale.status, 401);
    assert.equal(seen.length, 0, 'no listener ran for refused requests');

    // Checkboxes: the action and the state carry the ticked options.
    const ticked = [option('Recent runs checked', 'runs'), option('Logs exported', 'logs')];
    const toggle = await sendBlockAction(base, secret, {
      actionId: 'medic.checklist.toggle',
      blockId: 'checklist',
      userId: 'U0ONCALL',
      channelId: 'C0DATAOPS',
      selectedOptions: ticked,
    });
    assert.equal(toggle.status, 200);
    const action = seen.shift() as {
      type: string;
      actions: { type: string; selected_options: unknown[] }[];
      state: { values: Record<string, Record<string, { selected_options: unknown[] }>> };
    };
    assert.equal(action.type, 'block_actions');
    assert.equal(action.actions[0]?.type, 'checkboxes');
    assert.deepEqual(action.actions[0]?.selected_options, ticked);
    assert.deepEqual(action.state.values.checklist?.['medic.checklist.toggle']?.selected_options, ticked);

    // Button on a real message of the fake: the listener updates it in place.
    const web = client(fake);
    const ask = await web.chat.postMessage({ channel: 'C0DATAOPS', text: 'Approve compaction?' });
    const approve = await sendBlockAction(base, secret, {
      actionId: 'medic.mitigation.approve',
      value: 'compaction',
      userId: 'U0APPROVER',
      channelId: 'C0DATAOPS',
      messageTs: ask.ts,
      message: fake.messageJson('C0DATAOPS', ask.ts!),
    });
    assert.equal(approve.status, 200);
    await fake.waitFor('chat.update', (c) => c.args.ts === ask.ts);
    assert.equal(fake.message('C0DATAOPS', ask.ts!)?.text, 'Approved');

    // View submission: the ack's response_action comes back in the HTTP answer.
    const submitted = await sendViewSubmission(base, secret, {
      callbackId: 'medic.backfill.submit',
      userId: 'U0ONCALL',
      values: { dates: { from: { type: 'plain_text_input', value: '2026-13-01' } } },
    });
    assert.equal(submitted.status, 200);
    assert.deepEqual(submitted.body, {
      response_action: 'errors',
      errors: { dates: 'bad range 2026-13-01' },
    });

    // Events API: url_verification handshake, then a reaction_added in its envelope.
    const challenge = await sendUrlVerification(base, secret, 'abc123');
    assert.deepEqual(challenge.body, { challenge: 'abc123' });
    const reaction = await sendEvent(
      base,
      secret,
      reactionAddedEvent({
        userId: 'U0ONCALL',
        reaction: 'pushpin',
        channelId: 'C0DATAOPS',
        messageTs: ask.ts!,
      }),
      { eventId: 'Ev0TEST1' },
    );
    assert.equal(reaction.status, 200);
    for (let i = 0; i < 100 && seen.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    const event = seen.shift() as { type: string; reaction: string; item: { ts: string } };
    assert.equal(event.type, 'reaction_added');
    assert.equal(event.reaction, 'pushpin');
    assert.equal(event.item.ts, ask.ts);
  } finally {
    await app.stop();
    await fake.stop();
  }
});
