// Bolt app factory: HTTP mode (signing secret, one Request URL /slack/events) or Socket Mode
// (SLACK_APP_TOKEN). It only builds the App; listeners are registered by the caller, one file per
// listener (commands/ and src/slack/actions/), and transport stays Bolt's.
import { App, SocketModeReceiver, type CustomRoute, type CodedError, type Context } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import type { Env } from '../config/index.js';
import { errorId, type Logger } from '../logger.js';
import type { Metrics } from '../metrics.js';
import { boltLogger } from './bolt-logger.js';
import { instrumentWebClient } from './client.js';
import { MedicReceiver, guardReceiver } from './receiver.js';
import { isRedisUnavailable, REDIS_UNAVAILABLE } from '../queue/unavailable.js';

export type { App } from '@slack/bolt';

/** What Bolt passes an error handler with `extendedErrorHandler: true`. */
interface ErrorArgs {
  error: CodedError & { original?: unknown };
  context: Context;
  body: unknown;
}

export interface SlackAppOptions {
  env: Env;
  logger: Logger;
  metrics?: Metrics;
  customRoutes?: CustomRoute[];
  /** True when the queue and state connections to Redis are ready (default: always). */
  redisReady?: () => boolean;
  /** When the receiver acks for a listener that has not (tests shorten it; default 2,500 ms). */
  watchdogMs?: number;
}

export function createSlackApp(opts: SlackAppOptions): App {
  const { env } = opts;
  const clientOptions = {
    ...(env.SLACK_API_URL ? { slackApiUrl: env.SLACK_API_URL } : {}),
    // The workers' retry budget (about 15 s), not the WebClient default of 10 retries over 30
    // minutes: a listener's after-ack work that cannot reach Slack gives up and says so.
    retryConfig: { retries: 5, factor: 2, minTimeout: 500, maxTimeout: 30_000 },
  };
  const common = {
    token: env.SLACK_BOT_TOKEN,
    logger: boltLogger(opts.logger),
    clientOptions,
    customRoutes: opts.customRoutes ?? [],
    extendedErrorHandler: true as const,
  };
  // Bodies whose listener threw: the error handler told the user, the receiver need not.
  const errored = new WeakSet<object>();
  const guard = {
    logger: opts.logger,
    redisReady: opts.redisReady ?? (() => true),
    errored,
    ...(opts.watchdogMs !== undefined ? { watchdogMs: opts.watchdogMs } : {}),
  };
  const app = env.SLACK_APP_TOKEN
    ? new App({
        token: common.token,
        logger: common.logger,
        clientOptions,
        extendedErrorHandler: true,
        socketMode: true,
        // Socket Mode acks over the socket: the same guard (watchdog, unhandled requests).
        receiver: guardReceiver(
          new SocketModeReceiver({
            appToken: env.SLACK_APP_TOKEN,
            logger: common.logger,
            // No customRoutes here: given some, Bolt opens its own HTTP server on PORT (ignoring
            // HOST, and not returned by start()). In Socket Mode the bot serves /healthz, /readyz,
            // /metrics and the CI API itself, on PORT/HOST (src/bootstrap.ts, serveRoutes).
            // The connection call (apps.connections.open) goes where every Web API call goes
            // (SLACK_API_URL: GovSlack, a proxy, the tests' fake Slack), not to slack.com.
            installerOptions: { port: env.PORT, clientOptions },
          }),
          guard,
        ),
      })
    : new App({
        token: common.token,
        logger: common.logger,
        clientOptions,
        extendedErrorHandler: true,
        receiver: new MedicReceiver(
          {
            signingSecret: env.SLACK_SIGNING_SECRET ?? '',
            logger: common.logger,
            customRoutes: common.customRoutes,
            // Ack first, then work: Slack's 3 s clock starts when it sends the request.
            processBeforeResponse: false,
          },
          guard,
        ),
      });
  instrumentWebClient(app.client, opts.metrics);
  app.error(globalErrorHandler(opts.logger, app.client, errored));
  return app;
}

interface BodyWithUser {
  user_id?: string;
  channel_id?: string;
  user?: { id?: string };
  channel?: { id?: string };
  container?: { channel_id?: string };
}

/**
 * A listener that throws must not leave the user staring at nothing: they get an ephemeral
 * message with a short error id, and the same id is in the log.
 */
export function globalErrorHandler(logger: Logger, client: WebClient, errored?: WeakSet<object>) {
  return async ({ error, context, body }: ErrorArgs): Promise<void> => {
    const id = errorId();
    if (body && typeof body === 'object') errored?.add(body);
    const redisDown = isRedisUnavailable(error.original ?? error);
    const b = (body ?? {}) as BodyWithUser;
    const user = b.user_id ?? b.user?.id;
    const channel = b.channel_id ?? b.channel?.id ?? b.container?.channel_id;
    logger.error(
      { err: error.original ?? error, errorId: id, user, channel },
      'unhandled error in a listener',
    );
    if (!user || !channel) return;
    try {
      await client.chat.postEphemeral({
        ...(context?.botToken ? { token: context.botToken } : {}),
        channel,
        user,
        text: redisDown
          ? REDIS_UNAVAILABLE
          : `:warning: Something went wrong on our side and nothing more was done. Error id \`${id}\` — give it to whoever runs Pipeline Medic.`,
      });
    } catch (err) {
      logger.warn({ err, errorId: id }, 'could not tell the user about the error');
    }
  };
}
