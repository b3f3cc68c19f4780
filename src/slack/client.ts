// The Web API client used by workers (listeners get Bolt's). Retries with Slack's Retry-After are
// the WebClient's own; we count them and the errors for /metrics.
import { WebClient, WebClientEvent, LogLevel } from '@slack/web-api';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics.js';

/** Paces a channel's messages (a RequestBudget in Redis, shared by every worker). */
export interface ChannelPacer {
  acquire(scope: string): Promise<unknown>;
  /** A token now or none (never waits), keeping `reserve` for acquire; absent: progress waits too. */
  tryAcquire?(scope: string, reserve?: number): Promise<boolean>;
}

/**
 * chat.update tokens a progress version may never take: what the final versions have at once
 * even when progress updates have drained the rest of the workspace bucket (burst 8).
 */
export const FINAL_UPDATE_RESERVE = 4;

const progressArgs = new WeakSet<object>();

/**
 * Marks a chat.update as a progress version of its message (anything before the final one):
 * droppable. It goes only when the workspace's update bucket has a token at once (beyond the
 * finals' reserve) and no must-send version of the same message is waiting or in flight;
 * otherwise it is skipped (answer `{ ok: true, skipped: true }`) — the next version carries the
 * whole message. An unmarked update is a must-send version: it waits for the first token, is
 * never overwritten by a later progress version, and the newest one waiting wins.
 */
export function progressUpdate<T extends object>(args: T): T {
  progressArgs.add(args);
  return args;
}

const prepacedArgs = new WeakSet<object>();

/**
 * Marks a chat.postMessage whose channel token the caller already took (awaitChannelTurn): the
 * client sends it without taking another. For a caller that decides what to post only once its
 * turn has come (the storm thread's outbox posts whatever is ready by then).
 */
export function prepaced<T extends object>(args: T): T {
  prepacedArgs.add(args);
  return args;
}

/** Waits for the channel's next chat.postMessage token (none to wait for without a pacer). */
export async function awaitChannelTurn(client: WebClient, channel: string): Promise<void> {
  if (client instanceof CountingWebClient) await client.channelTurn(channel);
}

// Slack's limits, as its docs give them: chat.postMessage is in the "special" tier, about one
// message a second per channel (short bursts allowed) — thread replies post into their channel
// and count too; chat.update is Tier 3 (50+ a minute), counted per workspace, not per channel.
// So posts are paced per channel, and updates share one workspace-wide bucket of their own.

export function createWebClient(opts: {
  token: string | undefined;
  slackApiUrl?: string;
  logger: Logger;
  metrics?: Metrics;
  /** Per-channel pacing of chat.postMessage; none when unset. */
  pacer?: ChannelPacer;
  /** Workspace-wide pacing of chat.update (Tier 3); none when unset. */
  updatePacer?: ChannelPacer;
}): WebClient {
  const client = new CountingWebClient(opts.metrics, opts.pacer, opts.updatePacer, opts.token, {
    ...(opts.slackApiUrl ? { slackApiUrl: opts.slackApiUrl } : {}),
    logLevel: LogLevel.ERROR,
    retryConfig: { retries: 5, factor: 2, minTimeout: 500, maxTimeout: 30_000 },
  });
  instrumentWebClient(client, opts.metrics);
  return client;
}

export function instrumentWebClient(client: WebClient, metrics?: Metrics): void {
  if (!metrics) return;
  client.on(WebClientEvent.RATE_LIMITED, (_retryAfter: number, { url }: { url: string }) => {
    metrics.slackRateLimited.inc({ method: url.replace(/^.*\//, '') });
  });
}

/** Count a failed Web API call by method and Slack error code. */
export function countSlackError(metrics: Metrics | undefined, method: string, err: unknown): void {
  const code =
    (err as { data?: { error?: string }; code?: string })?.data?.error ?? (err as { code?: string })?.code;
  metrics?.slackApiErrors.inc({ method, error: code ?? 'unknown' });
}

/**
 * Counts every failed Web API call by method for /metrics. WebClient binds its methods to
 * apiCall when it is constructed, so the count lives in an override, not a wrapper set later.
 * (Bolt builds its own client for listeners; the workers, which make most calls, use this one.)
 */
class CountingWebClient extends WebClient {
  /** The update of each message (channel and ts) in flight, and the newest one waiting behind it. */
  private readonly messageUpdates = new Map<string, MessageUpdates>();

  constructor(
    private readonly medicMetrics: Metrics | undefined,
    private readonly pacer: ChannelPacer | undefined,
    private readonly updatePacer: ChannelPacer | undefined,
    ...args: ConstructorParameters<typeof WebClient>
  ) {
    super(...args);
  }

  override async apiCall(...args: Parameters<WebClient['apiCall']>): ReturnType<WebClient['apiCall']> {
    const [method, options] = args;
    const channel = (options as { channel?: unknown } | undefined)?.channel;
    if (typeof channel !== 'string') return await this.counted(...args);
    if (method === 'chat.postMessage' && this.pacer) {
      if (!prepacedArgs.has(options as object)) await this.pacer.acquire(`slack:${channel}`);
      return await this.counted(...args);
    }
    const ts = (options as { ts?: unknown }).ts;
    if (method === 'chat.update' && this.updatePacer && typeof ts === 'string')
      return await this.coalescedUpdate(channel, ts, args);

    return await this.counted(...args);
  }

  /** The channel's next chat.postMessage token (prepaced). */
  async channelTurn(channel: string): Promise<void> {
    await this.pacer?.acquire(`slack:${channel}`);
  }

  /**
   * Updates of one message go one at a time, in order. While one is in flight (or waits for its
   * token) a newer version waits behind it, replacing any version already waiting (every caller
   * gets the answer of the one sent). A progress version (progressUpdate) never waits for a
   * token and never replaces or follows a must-send version still to land: it is skipped.
   */
  private async coalescedUpdate(
    channel: string,
    ts: string,
    args: Parameters<WebClient['apiCall']>,
  ): ReturnType<WebClient['apiCall']> {
    const key = `${channel}\u0000${ts}`;
    const droppable = progressArgs.has(args[1] as object);
    const state = this.messageUpdates.get(key);
    if (state) {
      if (droppable && (state.mustSendInFlight || (state.next && !state.next.droppable)))
        return skipped(channel, ts);
      return await new Promise((resolve, reject) => {
        const next = state.next ?? { args, droppable, callers: [] };
        next.args = args;
        next.droppable = droppable;
        next.callers.push({ resolve, reject });
        state.next = next;
      });
    }
    const own: MessageUpdates = { mustSendInFlight: !droppable };
    this.messageUpdates.set(key, own);
    return await new Promise((resolve, reject) => {
      void this.drainUpdates(key, own, { args, droppable, callers: [{ resolve, reject }] });
    });
  }

  /** Sends the message's versions one after the other until none waits; each caller gets its answer. */
  private async drainUpdates(key: string, own: MessageUpdates, first: PendingUpdate): Promise<void> {
    let current = first;
    try {
      for (;;) {
        own.mustSendInFlight = !current.droppable;
        try {
          const result = await this.sendUpdate(current);
          for (const c of current.callers) c.resolve(result);
        } catch (err) {
          for (const c of current.callers) c.reject(err);
        }
        if (!own.next) break;
        current = own.next;
        own.next = undefined;
      }
    } finally {
      this.messageUpdates.delete(key);
    }
  }

  /** One version: a progress one only with a token at once, a must-send one at the first token. */
  private async sendUpdate(u: PendingUpdate): Promise<ApiResult> {
    const pacer = this.updatePacer!;
    if (u.droppable && pacer.tryAcquire) {
      if (!(await pacer.tryAcquire(UPDATE_SCOPE, FINAL_UPDATE_RESERVE))) {
        const o = u.args[1] as { channel: string; ts: string };
        return skipped(o.channel, o.ts);
      }
    } else await pacer.acquire(UPDATE_SCOPE);
    return await this.counted(...u.args);
  }

  private async counted(...args: Parameters<WebClient['apiCall']>): ReturnType<WebClient['apiCall']> {
    try {
      return await super.apiCall(...args);
    } catch (err) {
      countSlackError(this.medicMetrics, args[0], err);
      throw err;
    }
  }
}

type ApiResult = Awaited<ReturnType<WebClient['apiCall']>>;
const UPDATE_SCOPE = 'slack-workspace:chat.update';

interface MessageUpdates {
  /** The version being sent (or waiting for its token) must land: no progress may follow it. */
  mustSendInFlight: boolean;
  next?: PendingUpdate;
}

interface PendingUpdate {
  args: Parameters<WebClient['apiCall']>;
  droppable: boolean;
  callers: { resolve: (r: ApiResult) => void; reject: (e: unknown) => void }[];
}

/** The answer to a progress version that was not sent. */
function skipped(channel: string, ts: string): ApiResult {
  return { ok: true, skipped: true, channel, ts } as ApiResult;
}
