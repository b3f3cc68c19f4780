// Socket Mode (SLACK_APP_TOKEN set, as in production): the bot's Bolt SocketModeReceiver and the
// official @slack/socket-mode client connect to a local WebSocket server speaking Slack's envelope
// protocol (test/support/fake-slack/socket-mode.ts), reached through the fake Slack's
// apps.connections.open. The receiver's ack guard holds over the socket as over HTTP: a command is
// acked within Slack's 3 s with Redis stopped or frozen and says Redis is unavailable; an
// interaction no listener knows is acked and the user is told the button is out of date. The
// contract's HTTP endpoints (/healthz, /readyz, /metrics) are served in Socket Mode too, on
// PORT/HOST (HOST 127.0.0.1 here: nothing answers on another address).
// A redis-server of this test's own (its own port), stopped and frozen by the test.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestMedic, type TestMedic } from '../support/medic.js';
import { startRedisServer, type RedisServer } from '../support/redis-server.js';
import { FakeSlack } from '../support/fake-slack/index.js';
import { FakeSocketMode } from '../support/fake-slack/socket-mode.js';
import { blockActionPayload, slashCommandPayload } from '../support/slack-requests.js';
import { waitFor } from '../support/wait.js';
import { workerConnection } from '../../src/queue/connection.js';
import { connect } from 'node:net';
import type { Redis } from 'ioredis';

const APP_TOKEN = 'xapp-1-A0MEDIC-1234567890-socketmodetest';
/** Slack's deadline for an ack: the waits below fail past it. */
const SLACK_DEADLINE_MS = 3000;

const YAML = `
jobs:
  MyJob:
    input: s3://lake-raw/events/
    output: s3://lake-curated/events/
    stagingJob: MyJob-staging
`;

let redis: RedisServer;
let slack: FakeSlack;
let socket: FakeSocketMode;
let t: TestMedic;
/** A connection that waits for Redis forever (the workers' kind): what a listener must not await. */
let unbounded: Redis;
/** Lets the probes go at teardown whatever Redis does (a hung listener would keep the file alive). */
let releaseProbes: () => void = () => {};
const probesReleased = new Promise<void>((resolve) => (releaseProbes = resolve));
const hangOnRedis = () => Promise.race([unbounded.get('socket-probe'), probesReleased]);

/** Probes registered on the bot's own App (its guarded receiver): listeners that hang on Redis. */
const PROBE_COMMAND = '/socket-probe';
const PROBE_ACTION = 'socket_probe_v1';

before(async () => {
  redis = await startRedisServer();
  slack = await FakeSlack.start();
  socket = await FakeSocketMode.start();
  slack.socketMode = socket;
  // Socket Mode the way production picks it: SLACK_APP_TOKEN set (the signing secret is then unused).
  t = await startTestMedic({
    env: { REDIS_URL: redis.url, SLACK_APP_TOKEN: APP_TOKEN },
    slack,
    yaml: YAML,
    // No processors: nothing runs; the receiver and the queue are under test.
    start: { processors: {} },
  });
  unbounded = workerConnection(redis.url);
  unbounded.on('error', () => {});
  const app = t.medic.app!;
  app.command(PROBE_COMMAND, async ({ ack }) => {
    await hangOnRedis();
    await ack({ response_type: 'ephemeral', text: 'probe done' });
  });
  app.action(PROBE_ACTION, async ({ ack }) => {
    await hangOnRedis();
    await ack();
  });
});
after(async () => {
  releaseProbes();
  redis.resume();
  unbounded?.disconnect();
  await t?.stop().catch(() => {});
  await socket?.stop();
  await slack?.stop();
  await redis?.destroy();
});

test('the bot connects over Socket Mode with its app-level token', async () => {
  const open = slack.callsTo('apps.connections.open');
  assert.ok(open.length >= 1, 'apps.connections.open was called');
  assert.equal(open[0]!.token, APP_TOKEN);
  assert.equal(open[0]!.response.ok, true);
  assert.equal(socket.connections, 1);
});

/** Whether a TCP connection to host:port is accepted (HOST is honoured: other addresses refuse). */
function accepts(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const c = connect({ host, port });
    c.once('connect', () => {
      c.destroy();
      resolve(true);
    });
    c.once('error', () => resolve(false));
  });
}

test('Socket Mode serves /healthz, /readyz and /metrics on PORT/HOST', async () => {
  const health = await fetch(`${t.url}/healthz`);
  assert.equal(health.status, 200);
  assert.equal(((await health.json()) as { status: string }).status, 'ok');
  const ready = await fetch(`${t.url}/readyz`);
  assert.equal(ready.status, 200, await ready.text());
  const metrics = await fetch(`${t.url}/metrics`);
  assert.equal(metrics.status, 200);
  assert.match(await metrics.text(), /^# HELP /m);
  assert.equal((await fetch(`${t.url}/slack/events`, { method: 'POST' })).status, 404, 'no HTTP events');
  // Bound to HOST (127.0.0.1) and only there: the rest of the loopback network refuses.
  const port = Number(new URL(t.url).port);
  assert.equal(new URL(t.url).hostname, '127.0.0.1');
  assert.equal(await accepts('127.0.0.1', port), true);
  assert.equal(await accepts('127.0.0.2', port), false, 'not listening on every address');
});

test('an unknown action_id over the socket is acked and the user is told the button is out of date', async () => {
  const responseUrl = slack.newResponseUrl({ channelId: 'C0DATAOPS', userId: 'U0ONCALL' });
  const id = socket.send(
    'interactive',
    blockActionPayload({
      actionId: 'no_such_action_v0',
      value: 'x',
      userId: 'U0ONCALL',
      channelId: 'C0DATAOPS',
      responseUrl,
    }),
  );
  await socket.waitForAck(id, SLACK_DEADLINE_MS);
  const answer = await slack.waitForResponse(responseUrl);
  assert.match(String(answer.body.text ?? ''), /out of date/, JSON.stringify(answer.body));
});

test('an unknown slash command over the socket is acked with the out-of-date answer', async () => {
  const id = socket.send('slash_commands', slashCommandPayload({ command: '/nosuchcommand', text: '' }));
  const ack = await socket.waitForAck(id, SLACK_DEADLINE_MS);
  assert.match(String(ack.payload?.text ?? ''), /out of date/, JSON.stringify(ack.payload));
});

async function commandAck(command: string, text: string) {
  const id = socket.send('slash_commands', slashCommandPayload({ command, text }));
  return socket.waitForAck(id, SLACK_DEADLINE_MS);
}

test('Redis stopped: commands over the socket are acked within 3 s and say Redis is unavailable', async (tc) => {
  await redis.stop();
  try {
    await waitFor('the bot to see Redis gone', () => t.medic.state.status !== 'ready');
    // Not ready while Redis is gone, over the same Socket Mode HTTP server.
    const ready = await fetch(`${t.url}/readyz`);
    assert.equal(ready.status, 503, await ready.text());
    const took: string[] = [];
    for (const [command, text] of [
      ['/incident', 'declare MyJob is slow --job MyJob'],
      ['/incident', 'status'],
      ['/triage', 'MyJob'],
    ] as const) {
      const ack = await commandAck(command, text);
      took.push(`${command} ${text.split(' ')[0]}: ${Math.round(ack.at - ack.sentAt)} ms`);
      assert.equal(
        ack.payload?.response_type,
        'ephemeral',
        `${command} ${text}: ${JSON.stringify(ack.payload)}`,
      );
      assert.match(
        String(ack.payload?.text ?? ''),
        /unavailable/i,
        `${command} ${text}: ${JSON.stringify(ack.payload)}`,
      );
    }
    // A listener stuck on Redis (no ack of its own): the watchdog acks over the socket in time.
    const probe = await commandAck(PROBE_COMMAND, '');
    took.push(`${PROBE_COMMAND} (hung listener): ${Math.round(probe.at - probe.sentAt)} ms`);
    assert.match(String(probe.payload?.text ?? ''), /unavailable/i, JSON.stringify(probe.payload));
    const responseUrl = slack.newResponseUrl({ channelId: 'C0DATAOPS', userId: 'U0ONCALL' });
    const click = socket.send(
      'interactive',
      blockActionPayload({ actionId: PROBE_ACTION, userId: 'U0ONCALL', channelId: 'C0DATAOPS', responseUrl }),
    );
    const clickAck = await socket.waitForAck(click, SLACK_DEADLINE_MS);
    took.push(`${PROBE_ACTION} click (hung listener): ${Math.round(clickAck.at - clickAck.sentAt)} ms`);
    const told = await slack.waitForResponse(responseUrl);
    assert.match(String(told.body.text ?? ''), /unavailable/i, JSON.stringify(told.body));
    // For the record (not asserted: the 3 s bound on each wait above is the assertion).
    tc.diagnostic(`ack times with Redis stopped: ${took.join(', ')}`);
  } finally {
    // Up again even when an assertion failed: the later tests and the teardown need it.
    await redis.start();
  }
  await waitFor('the bot to reconnect to Redis', () => t.medic.state.status === 'ready');
  await waitFor('/readyz 200 again', async () => (await fetch(`${t.url}/readyz`)).status === 200);
});

test('Redis frozen (connections open, nothing answered): commands over the socket are still acked within 3 s', async (tc) => {
  await waitFor('the bot connected to Redis', () => t.medic.state.status === 'ready');
  redis.pause();
  try {
    const took: string[] = [];
    for (const [command, text] of [
      ['/incident', 'declare Hung --job MyJob'],
      ['/incident', 'status'],
      ['/triage', 'MyJob'],
    ] as const) {
      const ack = await commandAck(command, text);
      took.push(`${command} ${text.split(' ')[0]}: ${Math.round(ack.at - ack.sentAt)} ms`);
      assert.match(
        String(ack.payload?.text ?? ''),
        /unavailable/i,
        `${command} ${text}: ${JSON.stringify(ack.payload)}`,
      );
    }
    tc.diagnostic(`ack times with Redis frozen: ${took.join(', ')}`);
  } finally {
    redis.resume();
  }
});
