// Bolt's HTTPReceiver with three guarantees Slack's clock needs and Bolt leaves to the app:
//  - every request is acknowledged within Slack's 3 s, whatever Redis is doing: a watchdog acks
//    for a listener that has not yet (a command gets "Redis is unavailable" when it is, else "still
//    working", and its late answer is forwarded through the response_url);
//  - a request no listener acknowledged (an unknown action_id or callback_id, an empty actions
//    list, an unknown payload) gets a 200 and the user is told the button is out of date, instead
//    of Bolt's 404 after 3 s;
//  - a signed request dated more than 5 minutes in the future is refused (401), as a stale one is.
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  HTTPReceiver,
  type App,
  type HTTPReceiverOptions,
  type Receiver,
  type ReceiverEvent,
} from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import type { Logger } from '../logger.js';
import { REDIS_UNAVAILABLE } from '../queue/unavailable.js';

export const STALE_INTERACTION =
  ':information_source: That button or form is out of date (the bot does not know it any more), so nothing was done. Run the command again for a fresh one.';
export const STILL_WORKING =
  ':hourglass_flowing_sand: Still working on it; the answer will appear here in a moment.';

/** How far ahead of our clock a request's timestamp may be (Slack's rule for stale ones: 5 min). */
const MAX_FUTURE_SEC = 5 * 60;

export interface AckGuardOptions {
  logger: Logger;
  client: WebClient;
  /** True when Redis answers (the queue and state connections are ready). */
  redisReady: () => boolean;
  /** Bodies whose listener threw: the global error handler already told the user. */
  errored: WeakSet<object>;
  /** When the watchdog acks for a listener that has not (default 2,500 ms). */
  watchdogMs?: number;
}

type Body = Record<string, unknown> & {
  type?: string;
  command?: string;
  response_url?: string;
  response_urls?: { response_url?: string }[];
  user?: { id?: string };
  user_id?: string;
  channel?: { id?: string };
  channel_id?: string;
  container?: { channel_id?: string };
  view?: { blocks?: { type?: string; block_id?: string }[] };
};

function responseUrlOf(b: Body): string | undefined {
  const url = b.response_url ?? b.response_urls?.[0]?.response_url;
  return typeof url === 'string' && /^https?:\/\//.test(url) ? url : undefined;
}

function firstInputBlock(b: Body): string | undefined {
  const blocks = Array.isArray(b.view?.blocks) ? b.view.blocks : [];
  return blocks.find((x) => x?.type === 'input' && typeof x.block_id === 'string')?.block_id;
}

/** Answer the person who acted, ephemerally: through the response_url, else chat.postEphemeral. */
export async function tellUser(o: Pick<AckGuardOptions, 'logger' | 'client'>, b: Body, text: string) {
  const url = responseUrlOf(b);
  if (url) {
    try {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ response_type: 'ephemeral', replace_original: false, text }),
        signal: AbortSignal.timeout(5000),
      });
      if (res.ok) return;
    } catch (err) {
      o.logger.debug({ err }, 'response_url unusable');
    }
  }
  const user = b.user_id ?? b.user?.id;
  const channel = b.channel_id ?? b.channel?.id ?? b.container?.channel_id;
  if (typeof user !== 'string' || typeof channel !== 'string') return;
  await o.client.chat
    .postEphemeral({ channel, user, text })
    .catch((err: unknown) => o.logger.debug({ err }, 'could not tell the user'));
}

/**
 * Run Bolt's processing of one request with an ack that is idempotent, a watchdog that acks in
 * time, and an ack (and a "stale" notice) for requests nothing handled.
 */
export async function processGuarded(
  event: ReceiverEvent,
  process: (e: ReceiverEvent) => Promise<void>,
  o: AckGuardOptions,
): Promise<void> {
  const body = (event.body ?? {}) as Body;
  let acked = false;
  let watchdogSaid: 'working' | 'unavailable' | undefined;
  const isCommand = typeof body.command === 'string';
  const send = (response?: unknown) =>
    Promise.resolve(event.ack(response)).catch((err: unknown) =>
      o.logger.debug({ err }, 'ack could not be sent'),
    );

  const timer = setTimeout(() => {
    if (acked) return;
    acked = true;
    const down = !o.redisReady();
    watchdogSaid = down ? 'unavailable' : 'working';
    o.logger.warn({ type: body.type, command: body.command, redisDown: down }, 'listener slow to ack');
    if (isCommand) {
      void send({ response_type: 'ephemeral', text: down ? REDIS_UNAVAILABLE : STILL_WORKING });
      return;
    }
    const block = body.type === 'view_submission' && down ? firstInputBlock(body) : undefined;
    void send(block ? { response_action: 'errors', errors: { [block]: REDIS_UNAVAILABLE } } : undefined);
    if (down && !block) void tellUser(o, body, REDIS_UNAVAILABLE);
  }, o.watchdogMs ?? 2500);

  const ack = async (response?: unknown) => {
    if (!acked) {
      acked = true;
      clearTimeout(timer);
      await send(response);
      return;
    }
    // The watchdog answered already: a command's own answer still reaches its user.
    if (watchdogSaid === 'working' && isCommand && response) {
      const r = typeof response === 'string' ? { text: response } : (response as { text?: string });
      if (r.text) await tellUser(o, body, r.text);
    }
  };

  try {
    await process({ ...event, ack: ack as ReceiverEvent['ack'] });
  } finally {
    clearTimeout(timer);
    if (!acked) {
      // No listener acknowledged it: Bolt would answer 404 after 3 s.
      acked = true;
      const handledError = o.errored.has(event.body);
      if (isCommand) {
        await send(handledError ? undefined : { response_type: 'ephemeral', text: STALE_INTERACTION });
      } else if (body.type === 'view_submission') {
        const block = firstInputBlock(body);
        await send(block ? { response_action: 'errors', errors: { [block]: STALE_INTERACTION } } : undefined);
        if (!block && !handledError) await tellUser(o, body, STALE_INTERACTION);
      } else {
        await send();
        if (!handledError && body.type !== 'event_callback') await tellUser(o, body, STALE_INTERACTION);
      }
    }
  }
}

/** What a receiver hands Bolt's App: processEvent, guarded. */
function guardedApp(app: App, guard: Omit<AckGuardOptions, 'client'>): App {
  return {
    processEvent: (event: ReceiverEvent) =>
      processGuarded(event, (e) => app.processEvent(e), { ...guard, client: app.client }),
  } as unknown as App;
}

/** Any receiver (Socket Mode's) with the same guard: its init gets the guarded App. */
export function guardReceiver<R extends Receiver>(receiver: R, guard: Omit<AckGuardOptions, 'client'>): R {
  const init = receiver.init.bind(receiver);
  receiver.init = (app: App) => init(guardedApp(app, guard));
  return receiver;
}

export class MedicReceiver extends HTTPReceiver {
  constructor(
    opts: HTTPReceiverOptions,
    private readonly guard: Omit<AckGuardOptions, 'client'>,
  ) {
    super(opts);
    const endpoints = ([] as string[]).concat(
      typeof opts.endpoints === 'string' ? [opts.endpoints] : (opts.endpoints ?? ['/slack/events']),
    );
    const inner = this.requestListener;
    this.requestListener = (req: IncomingMessage, res: ServerResponse) => {
      const path = (req.url ?? '/').split('?')[0] ?? '/';
      if (req.method === 'POST' && endpoints.includes(path)) {
        const ts = Number(req.headers['x-slack-request-timestamp']);
        if (Number.isFinite(ts) && ts > Math.floor(Date.now() / 1000) + MAX_FUTURE_SEC) {
          this.guard.logger.warn({ ts }, 'request dated more than 5 minutes in the future refused');
          res.writeHead(401);
          res.end();
          req.resume();
          return;
        }
      }
      inner(req, res);
    };
  }

  override init(app: App): void {
    super.init(guardedApp(app, this.guard));
  }
}
