// The Web API client used by workers (listeners get Bolt's). Retries with Slack's Retry-After are
// the WebClient's own; we count them and the errors for /metrics.
import { WebClient, WebClientEvent, LogLevel } from '@slack/web-api';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics.js';

export function createWebClient(opts: {
  token: string | undefined;
  slackApiUrl?: string;
  logger: Logger;
  metrics?: Metrics;
}): WebClient {
  const client = new CountingWebClient(opts.metrics, opts.token, {
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
  constructor(
    private readonly medicMetrics: Metrics | undefined,
    ...args: ConstructorParameters<typeof WebClient>
  ) {
    super(...args);
  }

  override async apiCall(...args: Parameters<WebClient['apiCall']>): ReturnType<WebClient['apiCall']> {
    try {
      return await super.apiCall(...args);
    } catch (err) {
      countSlackError(this.medicMetrics, args[0], err);
      throw err;
    }
  }
}
