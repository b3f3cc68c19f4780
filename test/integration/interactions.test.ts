// Interactions nothing handles are acknowledged (200, never Bolt's 404 after 3 s) and the user is
// told the button is out of date; a modal the bot cannot read answers with an error in the modal;
// a request dated in the future is refused like a stale one. Through the signed receiver.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestMedic, type TestMedic } from '../support/medic.js';
import {
  nowSec,
  postSigned,
  sendBlockAction,
  sendInteraction,
  sendSlashCommand,
  sendViewSubmission,
  blockActionPayload,
} from '../support/slack-requests.js';
import { BACKFILL_CALLBACK } from '../../src/slack/views/backfill-modal.js';
import { MITIGATION_CALLBACK } from '../../src/slack/views/mitigation-modal.js';

let t: TestMedic;

before(async () => {
  t = await startTestMedic({ start: { processors: {} } });
});
after(async () => {
  await t.stop();
});

// Slack's deadline: an answer after 3 s is a failure whatever its status.
const SLACK_DEADLINE = { timeoutMs: 3000 };
const input = [{ type: 'input', block_id: 'window', element: { type: 'plain_text_input' } }];

test('an unknown action_id → 200 and an ephemeral "out of date" through the response_url', async () => {
  const responseUrl = t.slack.newResponseUrl({ channelId: 'C0DATAOPS', userId: 'U0ONCALL' });
  const res = await sendBlockAction(
    t.url,
    t.secret,
    { actionId: 'medic.nothing.here', value: 'x', userId: 'U0ONCALL', channelId: 'C0DATAOPS', responseUrl },
    SLACK_DEADLINE,
  );
  assert.equal(res.status, 200);
  const answer = await t.slack.waitForResponse(responseUrl);
  assert.equal(answer.body.response_type, 'ephemeral');
  assert.equal(answer.body.replace_original, false);
  assert.match(String(answer.body.text), /out of date/);
});

test('an empty actions list → 200, told through postEphemeral when there is no response_url', async () => {
  const payload = blockActionPayload({ actionId: 'medic.x', userId: 'U0ONCALL', channelId: 'C0DATAOPS' });
  payload.actions = [];
  delete payload.response_url;
  const res = await sendInteraction(t.url, t.secret, payload, SLACK_DEADLINE);
  assert.equal(res.status, 200);
  await t.slack.waitFor('chat.postEphemeral', (c) => /out of date/.test(String(c.args.text ?? '')));
});

test('a 1 MB payload of an unknown kind → 200', async () => {
  const res = await sendInteraction(
    t.url,
    t.secret,
    { type: 'something_new', blob: 'x'.repeat(1024 * 1024) },
    SLACK_DEADLINE,
  );
  assert.equal(res.status, 200);
});

test('an unknown callback_id → the error shows in the modal', async () => {
  const res = await sendViewSubmission(
    t.url,
    t.secret,
    { callbackId: 'medic.gone.submit', userId: 'U0ONCALL', values: {}, blocks: input },
    SLACK_DEADLINE,
  );
  assert.equal(res.status, 200);
  const body = res.body as { response_action?: string; errors?: Record<string, string> };
  assert.equal(body.response_action, 'errors');
  assert.match(body.errors?.window ?? '', /out of date/);
});

for (const callbackId of [BACKFILL_CALLBACK, MITIGATION_CALLBACK]) {
  test(`${callbackId} with unreadable private_metadata → an error in the modal, not a silent close`, async () => {
    const res = await sendViewSubmission(
      t.url,
      t.secret,
      { callbackId, userId: 'U0ONCALL', values: {}, privateMetadata: '{not json', blocks: input },
      SLACK_DEADLINE,
    );
    assert.equal(res.status, 200);
    const body = res.body as { response_action?: string; errors?: Record<string, string> };
    assert.equal(body.response_action, 'errors');
    assert.match(body.errors?.window ?? '', /out of date or was changed, so nothing was started/);
    // Without an input block to hang the error on, the modal is replaced by one that says it.
    const bare = await sendViewSubmission(
      t.url,
      t.secret,
      { callbackId, userId: 'U0ONCALL', values: {}, privateMetadata: '' },
      SLACK_DEADLINE,
    );
    const b = bare.body as { response_action?: string; view?: { blocks?: unknown[] } };
    assert.equal(b.response_action, 'update');
    assert.match(JSON.stringify(b.view?.blocks), /nothing was started/);
  });
}

test('a request dated more than 5 minutes in the future is refused with 401', async () => {
  const future = await sendSlashCommand(
    t.url,
    t.secret,
    { command: '/triage', text: 'help' },
    { timestampSec: nowSec() + 6 * 60 },
  );
  assert.equal(future.status, 401);
  // Within the window, it is answered.
  const near = await sendSlashCommand(
    t.url,
    t.secret,
    { command: '/triage', text: 'help' },
    { timestampSec: nowSec() + 60 },
  );
  assert.equal(near.status, 200);
  // …and a future timestamp with a bad signature is refused the same way (nothing is parsed).
  const raw = 'command=%2Ftriage&text=help';
  const forged = await postSigned(t.url, t.secret, raw, 'application/x-www-form-urlencoded', {
    timestampSec: nowSec() + 3600,
    signature: 'v0=00',
  });
  assert.equal(forged.status, 401);
});
