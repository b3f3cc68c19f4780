// Alert grouping for the monitor (a storm: an upstream outage degrading many jobs at once). The
// first job to become DEGRADED/FAILING in a channel opens a group for monitor.groupWindowMinutes
// and gets its usual alert; every further job within the window joins the group instead of
// posting its own alert, and one group message lists them all (posted when the second job joins,
// then updated). All of it lives in Redis, so jobs evaluated by different workers join the same
// group:
//
//   <prefix>:monitor-group:<channel>           the open group's id (expires with the window)
//   <prefix>:monitor-group:<id>:jobs           its entries, in arrival order
//   <prefix>:monitor-group:<id>:ts             the group message's ts, once posted
//   <prefix>:monitor-group:<id>:render         who is rendering it now (a short lock)
//
// Updates are coalesced: one evaluation at a time renders a group; it renders again while entries
// arrive faster than it can post (Slack allows about one message a second per channel, which the
// Slack client paces), so 20 jobs arriving at once cost a few updates, not 20.
import { randomUUID } from 'node:crypto';
import type { Deps } from '../src/deps.js';
import type { Logger } from '../src/logger.js';
import type { GroupEntry } from '../src/domain/alert-group.js';
import { renderAlertGroup } from '../src/slack/blocks/alert-group.js';
import { slackBlocks } from '../src/slack/blocks/kit.js';

const RENDER_LOCK_MS = 30_000;

export type GroupJoin = { kind: 'first' } | { kind: 'joined'; size: number };

function keys(prefix: string, channel: string, id?: string) {
  const g = `${prefix}:monitor-group:${id ?? ''}`;
  return {
    open: `${prefix}:monitor-group:${channel}`,
    jobs: `${g}:jobs`,
    ts: `${g}:ts`,
    render: `${g}:render`,
  };
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
  await deps.state.pexpire(k.jobs, 2 * windowMs);
  if (size === 1) return { kind: 'first' };
  await renderGroup(deps, channel, id, windowMinutes, 2 * windowMs, log);
  return { kind: 'joined', size };
}

/** Renders the group until what was posted is what is stored; one renderer at a time. */
async function renderGroup(
  deps: Deps,
  channel: string,
  id: string,
  windowMinutes: number,
  ttlMs: number,
  log: Logger,
): Promise<void> {
  const k = keys(deps.config.env.MEDIC_PREFIX, channel, id);
  const token = randomUUID();
  for (;;) {
    if ((await deps.state.set(k.render, token, 'PX', RENDER_LOCK_MS, 'NX')) !== 'OK') return; // the holder renders ours too
    let rendered = 0;
    try {
      for (;;) {
        const raw = await deps.state.lrange(k.jobs, 0, -1);
        if (raw.length === rendered) break;
        const entries = raw.map((r) => JSON.parse(r) as GroupEntry);
        const m = renderAlertGroup(entries, windowMinutes);
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
          if (res.ts) await deps.state.set(k.ts, res.ts, 'PX', ttlMs);
        }
        rendered = raw.length;
        log.info({ channel, group: id, jobs: rendered }, 'alert group rendered');
      }
    } finally {
      await deps.state.eval(
        "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0",
        1,
        k.render,
        token,
      );
    }
    // An entry pushed between the last look and the release found the lock taken: look again.
    if ((await deps.state.llen(k.jobs)) === rendered) return;
  }
}
