// The receiver's ack guard (src/slack/receiver.ts) on its own: a watchdog answers for a slow
// listener (Redis down: "unavailable"; else "still working", the late answer forwarded), a request
// nobody acknowledged gets its ack and an "out of date" notice, a second ack is harmless.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ReceiverEvent } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import { processGuarded, STALE_INTERACTION, STILL_WORKING } from '../../src/slack/receiver.js';
import { REDIS_UNAVAILABLE, isRedisUnavailable } from '../../src/queue/unavailable.js';
import { QueueUnavailableError } from '../../src/queue/producers.js';
import { createLogger } from '../../src/logger.js';

const logger = createLogger({ level: 'silent' });

function harness(body: Record<string, unknown>, redisUp = true) {
  const acks: unknown[] = [];
  const told: { channel: string; user: string; text: string }[] = [];
  let firstAck!: () => void;
  const acked = new Promise<void>((r) => (firstAck = r));
  const event = {
    body,
    ack: async (r?: unknown) => {
      acks.push(r);
      firstAck();
    },
  } as unknown as ReceiverEvent;
  const client = {
    chat: { postEphemeral: async (a: { channel: string; user: string; text: string }) => void told.push(a) },
  } as unknown as WebClient;
  const errored = new WeakSet<object>();
  const opts = { logger, client, redisReady: () => redisUp, errored, watchdogMs: 20 };
  return { event, acks, told, acked, errored, opts };
}

const command = { command: '/incident', user_id: 'U0ONCALL', channel_id: 'C0DATAOPS', text: 'status' };
const click = { type: 'block_actions', user: { id: 'U0ONCALL' }, channel: { id: 'C0DATAOPS' }, actions: [] };

test('a slow command with Redis down: the watchdog answers "unavailable" in time', async () => {
  const h = harness(command, false);
  let release!: () => void;
  const listener = new Promise<void>((r) => (release = r));
  const run = processGuarded(
    h.event,
    async (e) => {
      await listener;
      await e.ack({ text: 'late' });
    },
    h.opts,
  );
  await h.acked;
  assert.deepEqual(h.acks, [{ response_type: 'ephemeral', text: REDIS_UNAVAILABLE }]);
  release();
  await run;
  assert.equal(h.acks.length, 1, 'one HTTP answer');
  assert.equal(h.told.length, 0, 'the late answer is not repeated after "unavailable"');
});

test('a slow command with Redis up: "still working", then its own answer reaches the user', async () => {
  const h = harness(command, true);
  let release!: () => void;
  const listener = new Promise<void>((r) => (release = r));
  const run = processGuarded(
    h.event,
    async (e) => {
      await listener;
      await e.ack({ response_type: 'ephemeral', text: 'the real answer' });
    },
    h.opts,
  );
  await h.acked;
  assert.deepEqual(h.acks, [{ response_type: 'ephemeral', text: STILL_WORKING }]);
  release();
  await run;
  assert.deepEqual(
    h.told.map((x) => x.text),
    ['the real answer'],
  );
});

test('nothing acknowledged a click: ack, and the user is told it is out of date', async () => {
  const h = harness(click);
  await processGuarded(h.event, async () => {}, h.opts);
  assert.deepEqual(h.acks, [undefined]);
  assert.deepEqual(
    h.told.map((x) => x.text),
    [STALE_INTERACTION],
  );
});

test('a listener that threw (the error handler told the user): ack, no second notice', async () => {
  const h = harness(click);
  await processGuarded(h.event, async (e) => void h.errored.add(e.body), h.opts);
  assert.deepEqual(h.acks, [undefined]);
  assert.equal(h.told.length, 0);
});

test('an ack in time wins; a second ack is ignored, not thrown', async () => {
  const h = harness(click);
  await processGuarded(
    h.event,
    async (e) => {
      await e.ack();
      await e.ack('again');
    },
    h.opts,
  );
  assert.deepEqual(h.acks, [undefined]);
  assert.equal(h.told.length, 0);
});

test('isRedisUnavailable knows the errors Redis being down produces, and nothing else', () => {
  assert.ok(isRedisUnavailable(new Error('Command timed out')));
  assert.ok(isRedisUnavailable(Object.assign(new Error('x'), { name: 'MaxRetriesPerRequestError' })));
  assert.ok(isRedisUnavailable(new QueueUnavailableError('triage', new Error('down'))));
  assert.ok(
    isRedisUnavailable(new Error('wrapped', { cause: new Error('connect ECONNREFUSED 127.0.0.1:6379') })),
  );
  assert.ok(!isRedisUnavailable(new Error('Cannot read properties of undefined')));
  assert.ok(!isRedisUnavailable(undefined));
});
