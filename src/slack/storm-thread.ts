// The storm thread's outbox: several finished reports in ONE reply when they are ready together.
// Slack allows about one chat.postMessage a second per channel (thread replies count), so 20
// reports posted one by one take 15 s and more after the burst. Here a finished report goes into
// the group's outbox in Redis, and whoever holds the group's drain lock (any worker) waits for the
// channel's next token, then posts everything ready by then in one reply — as many whole reports
// as fit in Slack's limits for one message (50 blocks; the text at most 40,000 characters) — and
// records, for each report, the reply that carries it. Each report is posted once: its outbox
// key is its job and its triage's request time, so a retry or a second worker running the same
// triage finds it already posted (or still waiting) instead of adding it again.
//
//   <prefix>:monitor-group:<id>:outbox     key → entry (JSON), the reports waiting
//   <prefix>:monitor-group:<id>:posted     key → ts of the reply that carries it
//   <prefix>:monitor-group:<id>:failed     key → why Slack refused it (its triage then fails)
//   <prefix>:monitor-group:<id>:sending    the batch being posted (its keys), until recorded
//   <prefix>:monitor-group:<id>:drain      who drains now (a short lock)
import { randomUUID } from 'node:crypto';
import type { Deps } from '../deps.js';
import type { Logger } from '../logger.js';
import { divider, LIMITS, slackBlocks, type Block } from './blocks/kit.js';
import { awaitChannelTurn, prepaced } from './client.js';
import { readGroup } from './alert-group-message.js';
import { tryLock, type HeldLock } from '../store/redis-lock.js';

/** Slack truncates a message's text past 40,000 characters (chat.postMessage's `text`). */
export const MESSAGE_TEXT_LIMIT = 40_000;
const DRAIN_LOCK_MS = 30_000;
const POLL_MS = 50;
/** How long a reply with room left waits for more reports of the storm (its token taken). */
const HOLD_MS = 400;
const TTL_S = 7 * 86_400;

export interface ThreadEntry {
  /** Unique per report: the job and its triage's request time. */
  key: string;
  text: string;
  blocks: Block[];
  /** When it was ready (epoch ms): the order of the thread. */
  at: number;
}

function keys(prefix: string, id: string) {
  const g = `${prefix}:monitor-group:${id}`;
  return {
    outbox: `${g}:outbox`,
    posted: `${g}:posted`,
    failed: `${g}:failed`,
    sending: `${g}:sending`,
    drain: `${g}:drain`,
  };
}

/** Adds the entry unless it was posted already; returns the ts of its reply when it was. */
const ENQUEUE = `
local ts = redis.call('HGET', KEYS[2], ARGV[1])
if ts then return ts end
redis.call('HSETNX', KEYS[1], ARGV[1], ARGV[2])
redis.call('EXPIRE', KEYS[1], ARGV[3])
return false
`;

/**
 * The entries (oldest first) that go in one message: whole entries only, at most 50 blocks with a
 * divider between two, the texts joined within 40,000 characters. The first always goes (an entry
 * is within the limits by itself: its report was rendered for one message).
 */
export function packEntries(
  entries: readonly ThreadEntry[],
  limits: { blocks: number; text: number } = { blocks: LIMITS.blocksPerMessage, text: MESSAGE_TEXT_LIMIT },
): ThreadEntry[] {
  const out: ThreadEntry[] = [];
  let blocks = 0;
  let text = 0;
  for (const e of [...entries].sort((a, b) => a.at - b.at || a.key.localeCompare(b.key))) {
    const addBlocks = e.blocks.length + (out.length ? 1 : 0);
    const addText = e.text.length + (out.length ? 1 : 0);
    if (out.length && (blocks + addBlocks > limits.blocks || text + addText > limits.text)) break;
    out.push(e);
    blocks += addBlocks;
    text += addText;
  }
  return out;
}

/** One message of several entries: their blocks with a divider between, block ids kept unique. */
export function batchMessage(entries: readonly ThreadEntry[]): { text: string; blocks: Block[] } {
  const blocks: Block[] = [];
  entries.forEach((e, i) => {
    if (i) blocks.push(divider());
    for (const b of e.blocks)
      blocks.push(
        i && typeof b.block_id === 'string' ? { ...b, block_id: `${b.block_id}~${i}`.slice(0, 255) } : b,
      );
  });
  return {
    text: entries
      .map((e) => e.text)
      .join('\n')
      .slice(0, MESSAGE_TEXT_LIMIT),
    blocks,
  };
}

/** Puts an entry in the group's outbox unless posted already (then: the ts of its reply). */
export async function enqueueToThread(
  deps: Deps,
  groupId: string,
  entry: ThreadEntry,
): Promise<string | null> {
  const k = keys(deps.config.env.MEDIC_PREFIX, groupId);
  return (await deps.state.eval(
    ENQUEUE,
    2,
    k.outbox,
    k.posted,
    entry.key,
    JSON.stringify(entry),
    String(TTL_S),
  )) as string | null;
}

/**
 * Delivers one report into the group message's thread and returns the ts of the reply that
 * carries it (possibly with other reports), waiting while another worker posts it.
 */
export async function deliverToThread(
  deps: Deps,
  channel: string,
  group: { id: string; ts: string },
  entry: ThreadEntry,
  log: Logger,
  opts: { timeoutMs?: number } = {},
): Promise<string> {
  const k = keys(deps.config.env.MEDIC_PREFIX, group.id);
  const already = await enqueueToThread(deps, group.id, entry);
  if (already) return already;
  const deadline = Date.now() + (opts.timeoutMs ?? 120_000);
  for (;;) {
    const ts = await deps.state.hget(k.posted, entry.key);
    if (ts) return ts;
    const refused = await deps.state.hget(k.failed, entry.key);
    if (refused) {
      await deps.state.hdel(k.failed, entry.key);
      throw new Error(`Slack refused the report in the storm thread: ${refused}`);
    }
    if (Date.now() > deadline)
      throw new Error(`the report ${entry.key} was not posted in the thread in time`);
    const lock = await tryLock(deps.state, k.drain, DRAIN_LOCK_MS);
    if (lock) {
      try {
        await drain(deps, channel, group, k, lock, log);
      } finally {
        await lock.release();
      }
    } else await new Promise((r) => setTimeout(r, POLL_MS));
  }
}

/** Holding the drain lock: at each channel token, everything ready goes, in as few replies as fit. */
async function drain(
  deps: Deps,
  channel: string,
  group: { id: string; ts: string },
  k: ReturnType<typeof keys>,
  lock: HeldLock,
  log: Logger,
): Promise<void> {
  // A holder that died between posting a batch and recording it: that batch may be in the
  // thread already. Look there before posting it again.
  const sending = await deps.state.get(k.sending);
  if (sending) await recoverSending(deps, channel, group, k, JSON.parse(sending) as SendingBatch, log);
  /** After a reply Slack refused: the next one carries only the oldest entry. */
  let alone = false;
  for (;;) {
    if ((await deps.state.hlen(k.outbox)) === 0) return;
    // The token first, then the contents: whatever became ready while waiting goes too.
    await awaitChannelTurn(deps.slack, channel);
    const entries = alone
      ? Object.values(await deps.state.hgetall(k.outbox)).map((v) => JSON.parse(v) as ThreadEntry)
      : await readyBatch(deps, channel, group, k);
    if (!entries.length) return;
    const batch = alone ? packEntries(entries).slice(0, 1) : packEntries(entries);
    const id = randomUUID();
    const msg = batchMessage(batch);
    // The batch's id on its first block (a report's header, which has none of its own): how a
    // later holder recognises it in the thread.
    const batchBlockId = `medic-storm-batch-${id}`;
    const marked = [{ ...msg.blocks[0]!, block_id: batchBlockId }, ...msg.blocks.slice(1)];
    await deps.state.set(
      k.sending,
      JSON.stringify({ keys: batch.map((e) => e.key), blockId: batchBlockId, at: Date.now() }),
      'EX',
      TTL_S,
    );
    let res;
    try {
      res = await deps.slack.chat.postMessage(
        prepaced({
          channel,
          thread_ts: group.ts,
          text: msg.text,
          blocks: slackBlocks(marked),
          unfurl_links: false,
        }),
      );
    } catch (err) {
      await deps.state.del(k.sending);
      // Slack refused the reply (WebClient already retried 429s and outages). Several reports:
      // each goes alone from now on, so one bad report cannot hold back the others. One report:
      // it leaves the outbox and its triage fails (its retry adds the report again).
      if (batch.length > 1) {
        log.warn({ err, reports: batch.length }, 'a storm reply was refused: posting its reports one by one');
        alone = true;
        continue;
      }
      const message = err instanceof Error ? err.message : String(err);
      await deps.state
        .multi()
        .hdel(k.outbox, batch[0]!.key)
        .hset(k.failed, batch[0]!.key, message.slice(0, 300))
        .expire(k.failed, TTL_S)
        .exec();
      log.warn({ err, report: batch[0]!.key }, 'a storm report was refused by Slack');
      alone = false;
      continue;
    }
    alone = false;
    await record(
      deps,
      k,
      batch.map((e) => e.key),
      res.ts as string,
    );
    await lock.extend();
    log.info({ channel, group: group.id, reports: batch.length }, 'storm reports posted in the thread');
  }
}

/**
 * The ready entries, once the reply is full or no more reports are coming soon: a reply that still
 * has room waits up to HOLD_MS (its token taken) while other triages of the storm are still to
 * report, so one token carries as many reports as fit instead of one each.
 */
async function readyBatch(
  deps: Deps,
  channel: string,
  group: { id: string; ts: string },
  k: ReturnType<typeof keys>,
): Promise<ThreadEntry[]> {
  const until = Date.now() + HOLD_MS;
  for (;;) {
    const raw = await deps.state.hgetall(k.outbox);
    const entries = Object.values(raw).map((v) => JSON.parse(v) as ThreadEntry);
    if (!entries.length || Date.now() >= until) return entries;
    const packed = packEntries(entries);
    const used = packed.reduce((n, e) => n + e.blocks.length + 1, -1);
    const largest = Math.max(...entries.map((e) => e.blocks.length));
    if (packed.length < entries.length || used + largest + 1 > LIMITS.blocksPerMessage) return entries;
    // Reports still to come: rows triaging or done but not yet in the outbox or the thread.
    const rows = await readGroup(deps, channel, group.id);
    const coming = rows.filter((r) => r.triage && !r.triage.reported && !r.triage.settled).length;
    if (coming <= entries.length) return entries;
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}

interface SendingBatch {
  keys: string[];
  blockId: string;
  at: number;
}

async function record(deps: Deps, k: ReturnType<typeof keys>, done: string[], ts: string): Promise<void> {
  const m = deps.state.multi();
  for (const key of done) m.hset(k.posted, key, ts);
  await m
    .expire(k.posted, TTL_S)
    .hdel(k.outbox, ...done)
    .del(k.sending)
    .exec();
}

/** The batch a dead holder was posting: recorded when the thread shows it, else posted again. */
async function recoverSending(
  deps: Deps,
  channel: string,
  group: { id: string; ts: string },
  k: ReturnType<typeof keys>,
  s: SendingBatch,
  log: Logger,
): Promise<void> {
  const replies = await deps.slack.conversations
    .replies({ channel, ts: group.ts, oldest: String((s.at - 60_000) / 1000), limit: 200 })
    .catch((err: unknown) => {
      log.warn({ err }, 'could not read the storm thread');
      return undefined;
    });
  const found = replies?.messages?.find((m) =>
    (m.blocks ?? []).some((b) => (b as { block_id?: string }).block_id === s.blockId),
  );
  if (found?.ts) await record(deps, k, s.keys, found.ts);
  else await deps.state.del(k.sending);
}
