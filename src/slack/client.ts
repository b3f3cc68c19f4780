// The Web API client used by workers (listeners get Bolt's). Retries with Slack's Retry-After are
// the WebClient's own; we count them and the errors for /metrics.
import { WebClient, WebClientEvent, LogLevel } from '@slack/web-api';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics.js';

/** Paces a channel's messages (a RequestBudget in Redis, shared by every worker). */
export interface ChannelPacer {
  acquire(scope: string): Promise<unknown>;
}

/** Methods that post into a channel, paced per channel (Slack: about one message a second). */
const PACED = new Set(['chat.postMessage', 'chat.update']);

export function createWebClient(opts: {
  token: string | undefined;
  slackApiUrl?: string;
  logger: Logger;
  metrics?: Metrics;
  /** Per-channel pacing of chat.postMessage / chat.update; none when unset. */
  pacer?: ChannelPacer;
}): WebClient {
  const client = new CountingWebClient(opts.metrics, opts.pacer, opts.token, {
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
  /** chat.update calls waiting for their channel's turn, by channel and ts: the newest wins. */
  private readonly waitingUpdates = new Map<string, PendingUpdate>();

  constructor(
    private readonly medicMetrics: Metrics | undefined,
    private readonly pacer: ChannelPacer | undefined,
    ...args: ConstructorParameters<typeof WebClient>
  ) {
    super(...args);
  }

  override async apiCall(...args: Parameters<WebClient['apiCall']>): ReturnType<WebClient['apiCall']> {
    const [method, options] = args;
    const channel = (options as { channel?: unknown } | undefined)?.channel;
    if (!this.pacer || !PACED.has(method) || typeof channel !== 'string') return await this.counted(...args);
    const ts = (options as { ts?: unknown }).ts;
    if (method === 'chat.update' && typeof ts === 'string')
      return await this.coalescedUpdate(channel, ts, args);
    await this.pacer.acquire(`slack:${channel}`);
    return await this.counted(...args);
  }

  /**
   * Updates of one message coalesce: while one waits for the channel's turn, a newer update of the
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
      await this.pacer!.acquire(`slack:${channel}`);
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
