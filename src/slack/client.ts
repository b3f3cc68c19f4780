// The Web API client used by workers (listeners get Bolt's). Retries with Slack's Retry-After are
// the WebClient's own; we count them and the errors for /metrics.
import { WebClient, WebClientEvent, LogLevel } from '@slack/web-api';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics.js';

/** Paces a channel's messages (a RequestBudget in Redis, shared by every worker). */
export interface ChannelPacer {
  acquire(scope: string): Promise<unknown>;
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
  /** chat.update calls waiting for their turn, by channel and ts: the newest wins. */
  private readonly waitingUpdates = new Map<string, PendingUpdate>();

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
      await this.pacer.acquire(`slack:${channel}`);
      return await this.counted(...args);
    }
    const ts = (options as { ts?: unknown }).ts;
    if (method === 'chat.update' && this.updatePacer && typeof ts === 'string')
      return await this.coalescedUpdate(channel, ts, args);
    return await this.counted(...args);
  }

  /**
   * Updates of one message coalesce: while one waits for its turn, a newer update of the
   * same message replaces it, and every caller gets the answer of the one that was sent.
   */
  private async coalescedUpdate(
    channel: string,
    ts: string,
    args: Parameters<WebClient['apiCall']>,
  ): ReturnType<WebClient['apiCall']> {
    const key = `${channel}\u0000${ts}`;
    const waiting = this.waitingUpdates.get(key);
    if (waiting) {
      waiting.args = args;
      return await new Promise((resolve, reject) => waiting.callers.push({ resolve, reject }));
    }
    const pending: PendingUpdate = { args, callers: [] };
    this.waitingUpdates.set(key, pending);
    try {
      await this.updatePacer!.acquire('slack-workspace:chat.update');
    } finally {
      this.waitingUpdates.delete(key);
    }
    try {
      const result = await this.counted(...pending.args);
      for (const c of pending.callers) c.resolve(result);
      return result;
    } catch (err) {
      for (const c of pending.callers) c.reject(err);
      throw err;
    }
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
interface PendingUpdate {
  args: Parameters<WebClient['apiCall']>;
  callers: { resolve: (r: ApiResult) => void; reject: (e: unknown) => void }[];
}
