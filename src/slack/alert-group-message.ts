// The storm message and its store: alert grouping for the monitor (a storm: an upstream outage
// degrading many jobs at once). The first job to become DEGRADED/FAILING in a channel opens a
// group for monitor.groupWindowMinutes and gets its usual alert; every further job within the
// window joins the group instead of posting its own alert, and one group message lists them all
// (posted when the second job joins, then updated). Triages started from the group message report
// on it too (jobs/triage.ts): each row goes queued → triaging… → verdict and top cause, and a job
// that recovers stays listed, marked healthy again. Used by the monitor (jobs/monitor.ts), the
// Triage now button and the triage processor. All of it lives in Redis, so jobs evaluated by
// different workers join the same group:
//
//   <prefix>:monitor-group:<channel>             the open group's id (expires with the window)
//   <prefix>:monitor-group:<id>:jobs             its entries, in arrival order
//   <prefix>:monitor-group:<id>:ts               the group message's ts, once posted
//   <prefix>:monitor-group:<id>:status           triage:<job> → GroupTriage, recovered:<job> → ms
//   <prefix>:monitor-group:<id>:version          bumped by every change
//   <prefix>:monitor-group:<id>:render           who is rendering it now (a short lock)
//   <prefix>:monitor-group-ts:<channel>:<ts>     the group of a posted group message
//
// Updates are coalesced: one process at a time renders a group, and renders again while changes
// arrive faster than it can update (chat.update is paced by the Slack client), so 20 jobs arriving
// or 20 triages finishing at once cost a few updates, not 20 or 40.
import { randomUUID } from 'node:crypto';
import type { Deps } from '../deps.js';
import type { Logger } from '../logger.js';
import { groupRows, type GroupEntry, type GroupRow, type GroupTriage } from '../domain/alert-group.js';
import { renderAlertGroup } from './blocks/alert-group.js';
import { slackBlocks } from './blocks/kit.js';
import { tryLock } from '../store/redis-lock.js';

const RENDER_LOCK_MS = 30_000;

/** KEYS[1] the status hash, ARGV[1] the row's field, ARGV[2] the change (JSON). Returns the row. */
const MERGE_TRIAGE = `
local rank = { queued = 0, triaging = 1, done = 2, failed = 2 }
local c = cjson.decode(ARGV[2])
local prev = redis.call('HGET', KEYS[1], ARGV[1])
local nxt = c
if prev then
  local p = cjson.decode(prev)
  local pa, ca = tonumber(p.requestedAt) or 0, tonumber(c.requestedAt) or 0
  if ca < pa then return prev end
  if ca == pa then
    nxt = p
    for key, v in pairs(c) do
      if not (key == 'state' and (rank[v] or 0) < (rank[p.state] or 0)) then nxt[key] = v end
    end
  end
end
if not nxt.state then nxt.state = 'queued' end
local out = cjson.encode(nxt)
redis.call('HSET', KEYS[1], ARGV[1], out)
return out
`;
/** Changes arriving this close together are one update. */
const COALESCE_MS = 150;
/** A group's data outlives its window: triages are started from its message long after. */
const MIN_TTL_MS = 24 * 3_600_000;

export type GroupJoin = { kind: 'first' } | { kind: 'joined'; size: number };

function keys(prefix: string, channel: string, id = '') {
  const g = `${prefix}:monitor-group:${id}`;
  return {
    open: `${prefix}:monitor-group:${channel}`,
    jobs: `${g}:jobs`,
    ts: `${g}:ts`,
    status: `${g}:status`,
    version: `${g}:version`,
    render: `${g}:render`,
    byTs: (ts: string) => `${prefix}:monitor-group-ts:${channel}:${ts}`,
  };
}

function windowMinutes(deps: Deps): number {
  return deps.config.medic.monitor?.groupWindowMinutes ?? 0;
}

function ttlMs(deps: Deps): number {
  return Math.max(2 * windowMinutes(deps) * 60_000, MIN_TTL_MS);
}

/**
 * Adds a job that just became DEGRADED/FAILING to its channel's group. `first`: no group was open,
 * the caller posts the job's own alert as usual; `joined`: the group message now lists it.
 */
export async function joinAlertGroup(
  deps: Deps,
  channel: string,
  entry: GroupEntry,
  windowMinutes: number,
  log: Logger,
): Promise<GroupJoin> {
  const prefix = deps.config.env.MEDIC_PREFIX;
  const windowMs = windowMinutes * 60_000;
  const candidate = randomUUID();
  const k0 = keys(prefix, channel);
  // Opens a group unless one is open; either way the group's id comes back.
  const id = (await deps.state.eval(
    "local ok = redis.call('set', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) if ok then return ARGV[1] end return redis.call('get', KEYS[1])",
    1,
    k0.open,
    candidate,
    String(windowMs),
  )) as string;
  const k = keys(prefix, channel, id);
  const size = await deps.state.rpush(k.jobs, JSON.stringify(entry));
  await touch(deps, k);
  if (size === 1) return { kind: 'first' };
  await renderGroup(deps, channel, id, log);
  return { kind: 'joined', size };
}

async function touch(deps: Deps, k: ReturnType<typeof keys>): Promise<void> {
  const ttl = ttlMs(deps);
  await deps.state
    .multi()
    .incr(k.version)
    .pexpire(k.version, ttl)
    .pexpire(k.jobs, ttl)
    .pexpire(k.status, ttl)
    .exec();
}

/** The group whose message is `ts` in `channel`, when it is one (and still known). */
export async function groupOfMessage(deps: Deps, channel: string, ts: string): Promise<string | undefined> {
  const k0 = keys(deps.config.env.MEDIC_PREFIX, channel);
  const id = await deps.state.get(k0.byTs(ts));
  if (!id) return undefined;
  return (await deps.state.llen(keys(deps.config.env.MEDIC_PREFIX, channel, id).jobs)) > 1 ? id : undefined;
}

/** The group's rows as its message shows them. */
export async function readGroup(deps: Deps, channel: string, id: string): Promise<GroupRow[]> {
  const k = keys(deps.config.env.MEDIC_PREFIX, channel, id);
  const [raw, status] = await Promise.all([deps.state.lrange(k.jobs, 0, -1), deps.state.hgetall(k.status)]);
  const triage = new Map<string, GroupTriage>();
  const recovered = new Map<string, number>();
  for (const [f, v] of Object.entries(status)) {
    if (f.startsWith('triage:')) triage.set(f.slice(7), JSON.parse(v) as GroupTriage);
    else if (f.startsWith('recovered:')) recovered.set(f.slice(10), Number(v));
  }
  return groupRows(
    raw.map((r) => JSON.parse(r) as GroupEntry),
    triage,
    recovered,
  );
}

/**
 * Records where a job's triage started from the group message is (merged into what is stored),
 * then renders the group — in the background unless `wait`, so a triage never waits for the
 * group message's turn.
 */
export async function setGroupTriage(
  deps: Deps,
  channel: string,
  id: string,
  job: string,
  change: Partial<GroupTriage>,
  log: Logger,
  opts: { render?: boolean; wait?: boolean } = {},
): Promise<GroupTriage> {
  const k = keys(deps.config.env.MEDIC_PREFIX, channel, id);
  // One atomic merge: a click's "queued" landing late, or a stalled job run twice, never takes a
  // row of the same triage (same requestedAt) back from its verdict; a newer triage replaces it.
  const next = JSON.parse(
    (await deps.state.eval(
      MERGE_TRIAGE,
      1,
      k.status,
      `triage:${job}`,
      JSON.stringify({ ...change, at: deps.now() }),
    )) as string,
  ) as GroupTriage;
  await touch(deps, k);
  if (opts.render !== false) {
    const r = renderGroup(deps, channel, id, log).catch((err: unknown) =>
      log.warn({ err, channel, group: id }, 'could not update the group message'),
    );
    if (opts.wait) await r;
  }
  return next;
}

/**
 * A job listed in its channel's open group is healthy again: its row stays, marked so (a row
 * dropped would read as "never degraded"). False when the job is in no open group there.
 */
export async function markRecovered(
  deps: Deps,
  channel: string,
  job: string,
  at: number,
  log: Logger,
): Promise<boolean> {
  const prefix = deps.config.env.MEDIC_PREFIX;
  const id = await deps.state.get(keys(prefix, channel).open);
  if (!id) return false;
  const k = keys(prefix, channel, id);
  const raw = await deps.state.lrange(k.jobs, 0, -1);
  if (raw.length < 2 || !raw.some((r) => (JSON.parse(r) as GroupEntry).job === job)) return false;
  await deps.state.hset(k.status, `recovered:${job}`, String(at));
  await touch(deps, k);
  await renderGroup(deps, channel, id, log);
  return true;
}

/** Renders the group until what was posted is what is stored; one renderer at a time. */
async function renderGroup(deps: Deps, channel: string, id: string, log: Logger): Promise<void> {
  const k = keys(deps.config.env.MEDIC_PREFIX, channel, id);
  let rendered = '';
  for (;;) {
    const lock = await tryLock(deps.state, k.render, RENDER_LOCK_MS);
    if (!lock) return; // the holder renders ours too
    try {
      for (;;) {
        if (rendered) await new Promise((r) => setTimeout(r, COALESCE_MS));
        const version = (await deps.state.get(k.version)) ?? '0';
        if (version === rendered) break;
        const rows = await readGroup(deps, channel, id);
        if (rows.length < 2) {
          rendered = version; // a group of one is its job's own alert
          break;
        }
        const m = renderAlertGroup(rows, windowMinutes(deps));
        const ts = await deps.state.get(k.ts);
        if (ts) {
          await deps.slack.chat.update({ channel, ts, text: m.text, blocks: slackBlocks(m.blocks) });
        } else {
          const res = await deps.slack.chat.postMessage({
            channel,
            text: m.text,
            blocks: slackBlocks(m.blocks),
            unfurl_links: false,
          });
          if (res.ts)
            await deps.state
              .multi()
              .set(k.ts, res.ts, 'PX', ttlMs(deps))
              .set(k.byTs(res.ts), id, 'PX', ttlMs(deps))
              .exec();
        }
        rendered = version;
        // Keep the lock while rendering. One that expired meanwhile: stop, and look again below.
        if (!(await lock.extend())) break;
        log.info({ channel, group: id, jobs: rows.length }, 'alert group rendered');
      }
    } finally {
      await lock.release();
    }
    // A change made between the last look and the release found the lock taken: look again.
    if (((await deps.state.get(k.version)) ?? '0') === rendered) return;
  }
}
