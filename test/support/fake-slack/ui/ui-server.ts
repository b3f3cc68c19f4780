// The sandbox page, served by the fake Slack itself (issue 8: one implementation, not two). The
// browser reads the workspace model (`GET /_ui/state`), follows its changes (`GET /_ui/events`,
// Server-Sent Events) and sends what a person does (`POST /_ui/…`). A person's command, click,
// modal submission or reaction becomes the signed HTTP request Slack would send to the app's
// Request URL, built by ../../slack-requests.ts; the app's ack is applied as Slack applies it.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  blockActionPayload,
  eventEnvelope,
  postSigned,
  reactionAddedEvent,
  appMentionEvent,
  slashCommandPayload,
  viewSubmissionPayload,
  type SlackHttpResponse,
  type SlackOption,
} from '../../slack-requests.js';
import { readBody } from '../http-body.js';
import { SlackApiError } from '../methods.js';
import { ephemeralJson, viewJson } from '../slack-json.js';
import type { FakeSlack } from '../fake-slack.js';
import type { FakeSlackChange, FakeView } from '../types.js';

/** Slack waits this long for an ack before it shows the person an error. */
export const ACK_TIMEOUT_MS = 3000;

const PUBLIC_DIR = join(dirname(fileURLToPath(import.meta.url)), 'public');
const STATIC_TYPES: Record<string, string> = {
  html: 'text/html; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
  svg: 'image/svg+xml',
};
/** Nothing may come from outside this server; message text can never become script. */
const CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
  "font-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

type Json = Record<string, unknown>;

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}

async function jsonBody(req: IncomingMessage): Promise<Json> {
  const raw = (await readBody(req, 1024 * 1024)).toString('utf8');
  if (raw === '') return {};
  const v = JSON.parse(raw) as unknown;
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw new Error('body must be a JSON object');
  return v as Json;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/** The part of a change the page needs to know what to refetch (never file bytes). */
function changeSummary(c: FakeSlackChange): Json {
  const out: Json = { type: c.type };
  if ('channel' in c) out.channel = typeof c.channel === 'string' ? c.channel : c.channel.id;
  if ('ts' in c) out.ts = c.ts;
  if ('user' in c && typeof c.user === 'string') out.user = c.user;
  if ('view' in c) out.user = c.view.user;
  return out;
}

/** The app's answer: JSON body when it is JSON. */
function ackBody(res: SlackHttpResponse): Json | undefined {
  return res.body && typeof res.body === 'object' ? (res.body as Json) : undefined;
}

export class SandboxUi {
  constructor(private readonly fake: FakeSlack) {}

  /** Handles `/` and `/_ui/…`; false when the path is not the page's. */
  async handle(req: IncomingMessage, res: ServerResponse, u: URL): Promise<boolean> {
    const path = u.pathname;
    if (req.method === 'GET' && (path === '/' || path === '/index.html')) {
      await this.serveStatic(res, 'index.html');
      return true;
    }
    if (!path.startsWith('/_ui/')) return false;
    const route = path.slice('/_ui/'.length);
    if (req.method === 'GET' && route.startsWith('static/')) {
      await this.serveStatic(res, route.slice('static/'.length));
      return true;
    }
    if (req.method === 'GET' && route === 'state') {
      sendJson(res, 200, this.state(u.searchParams.get('user') ?? 'U0ONCALL'));
      return true;
    }
    if (req.method === 'GET' && route === 'events') {
      this.stream(req, res);
      return true;
    }
    if (req.method !== 'POST') {
      sendJson(res, 405, { ok: false, error: 'method_not_allowed' });
      return true;
    }
    let body: Json;
    try {
      body = await jsonBody(req);
    } catch (err) {
      sendJson(res, 400, { ok: false, error: 'invalid_json', detail: (err as Error).message });
      return true;
    }
    const user = str(body.user);
    if (!user || !this.fake.users.has(user)) {
      sendJson(res, 400, { ok: false, error: 'user_not_found' });
      return true;
    }
    try {
      const answer =
        route === 'message'
          ? await this.message(user, body)
          : route === 'action'
            ? await this.action(user, body)
            : route === 'submit'
              ? await this.submit(user, body)
              : route === 'close'
                ? await this.close(user, body)
                : route === 'reaction'
                  ? await this.reaction(user, body)
                  : route === 'dismiss'
                    ? this.dismiss(user, body)
                    : undefined;
      if (answer === undefined) sendJson(res, 404, { ok: false, error: 'unknown_route' });
      else sendJson(res, 200, answer);
    } catch (err) {
      if (err instanceof SlackApiError) sendJson(res, 200, { ok: false, error: err.code });
      else throw err;
    }
    return true;
  }

  private async serveStatic(res: ServerResponse, name: string): Promise<void> {
    // A fixed folder and plain file names only: no path ever leaves public/.
    const m = /^([a-z0-9-]+)\.(html|js|css|svg)$/.exec(name);
    let bytes: Buffer | undefined;
    if (m) bytes = await readFile(join(PUBLIC_DIR, name)).catch(() => undefined);
    if (!m || !bytes) {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('not found');
      return;
    }
    res.writeHead(200, {
      'content-type': STATIC_TYPES[m[2]!]!,
      'content-security-policy': CSP,
      'x-content-type-options': 'nosniff',
      'cache-control': 'no-cache',
    });
    res.end(bytes);
  }

  /** The workspace as one person sees it: their ephemerals and their open modal. */
  state(user: string): Json {
    const { ephemerals: _e, views: _v, ...snapshot } = this.fake.snapshot();
    const modal = this.fake.openView(user);
    return {
      ...snapshot,
      me: user,
      commands: this.fake.appTarget?.commands ?? [],
      appConnected: this.fake.appTarget !== undefined,
      ephemerals: this.fake.ephemeralsFor(user).map((e) => ({ ...ephemeralJson(e), channel: e.channel })),
      modal:
        modal && !modal.closed
          ? { ...viewJson(modal), stack: this.fake.viewStacks.get(user)?.length ?? 1 }
          : null,
    };
  }

  private stream(req: IncomingMessage, res: ServerResponse): void {
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
    });
    res.write('retry: 1000\n\n');
    const onChange = (c: FakeSlackChange): void => {
      res.write(`data: ${JSON.stringify(changeSummary(c))}\n\n`);
    };
    const ping = setInterval(() => res.write(': ping\n\n'), 15_000);
    this.fake.on('change', onChange);
    req.on('close', () => {
      clearInterval(ping);
      this.fake.off('change', onChange);
    });
  }

  private target() {
    const t = this.fake.appTarget;
    if (!t) throw new SlackApiError('app_not_connected');
    return { base: t.requestUrl.replace(/\/slack\/events\/?$/, '').replace(/\/+$/, ''), ...t };
  }

  /** POST to the app like Slack: signed, and given up after 3 s like Slack gives up. */
  private async send(raw: string, contentType: string): Promise<SlackHttpResponse | { error: string }> {
    const t = this.target();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<{ error: string }>((resolve) => {
      timer = setTimeout(() => resolve({ error: 'operation_timeout' }), ACK_TIMEOUT_MS);
    });
    try {
      return await Promise.race([
        postSigned(t.base, t.signingSecret, raw, contentType).catch(() => ({ error: 'http_client_error' })),
        timeout,
      ]);
    } finally {
      clearTimeout(timer);
    }
  }

  private async sendInteraction(payload: Json): Promise<SlackHttpResponse | { error: string }> {
    return await this.send(
      new URLSearchParams({ payload: JSON.stringify(payload) }).toString(),
      'application/x-www-form-urlencoded',
    );
  }

  private async sendEvent(event: Json): Promise<void> {
    // Slack retries failed deliveries; the sandbox sends once and lets the app log any failure.
    await this.send(JSON.stringify(eventEnvelope(event)), 'application/json');
  }

  /** The composer: a slash command (sent to the app), or a plain message (posted as the person). */
  private async message(user: string, body: Json): Promise<Json> {
    const channel = str(body.channel);
    const text = typeof body.text === 'string' ? body.text.trim() : '';
    if (!channel || !this.fake.channels.has(channel)) throw new SlackApiError('channel_not_found');
    if (text === '') throw new SlackApiError('no_text');
    const threadTs = str(body.threadTs);
    const command = /^(\/[a-z0-9_-]+)(?:\s+([\s\S]*))?$/i.exec(text);
    if (command) return await this.slashCommand(user, channel, command[1]!.toLowerCase(), command[2] ?? '');
    const withMentions = this.linkMentions(text);
    const m = this.fake.postAsUser(channel, user, withMentions, threadTs);
    if (withMentions.includes(`<@${this.fake.botUserId}>`)) {
      await this.sendEvent(
        appMentionEvent({
          userId: user,
          channelId: channel,
          text: withMentions,
          ...(threadTs ? { threadTs } : {}),
        }),
      );
    }
    return { ok: true, ts: m.ts };
  }

  /** `@handle` → `<@U…>` / `<!subteam^S…>`, as Slack's composer does; `&<>` escaped. */
  private linkMentions(text: string): string {
    const escaped = text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
    return escaped.replace(/(^|\s)@([a-z0-9._-]+)/gi, (all, pre: string, handle: string) => {
      const h = handle.toLowerCase();
      const u = [...this.fake.users.values()].find((x) => x.name.toLowerCase() === h);
      if (u) return `${pre}<@${u.id}>`;
      const g = [...this.fake.usergroups.values()].find((x) => x.handle.toLowerCase() === h);
      if (g) return `${pre}<!subteam^${g.id}>`;
      if (h === 'here' || h === 'channel') return `${pre}<!${h}>`;
      return all;
    });
  }

  private async slashCommand(user: string, channel: string, command: string, text: string): Promise<Json> {
    const t = this.target();
    if (t.commands && !t.commands.includes(command)) {
      this.fake.postEphemeral({
        channel,
        user,
        text: `\`${command}\` is not a valid command. In Slack, all messages that start with the "/" character are interpreted as commands.`,
      });
      return { ok: false, error: 'unknown_command' };
    }
    const c = this.fake.channels.get(channel)!;
    const u = this.fake.users.get(user)!;
    const payload = slashCommandPayload({
      command,
      text,
      userId: user,
      userName: u.name,
      channelId: channel,
      channelName: c.isIm ? 'directmessage' : c.name,
      triggerId: this.fake.newTriggerId(user),
      responseUrl: this.fake.newResponseUrl({ channelId: channel, userId: user }),
    });
    const res = await this.send(new URLSearchParams(payload).toString(), 'application/x-www-form-urlencoded');
    if ('error' in res || res.status !== 200) {
      const error = 'error' in res ? res.error : `http_service_error`;
      this.fake.postEphemeral({ channel, user, text: `\`${command}\` failed with the error "${error}"` });
      return { ok: false, error };
    }
    const ack = ackBody(res);
    const ackText = ack ? (typeof ack.text === 'string' ? ack.text : '') : res.text;
    const blocks = ack && Array.isArray(ack.blocks) ? (ack.blocks as unknown[]) : undefined;
    if (ackText !== '' || blocks) {
      if (ack?.response_type === 'in_channel') {
        // Slack shows the command itself, then the app's answer, to everyone.
        this.fake.postAsUser(channel, user, `${command} ${text}`.trim());
        this.fake.postMessage({
          channel,
          text: ackText,
          blocks,
          user: this.fake.botUserId,
          botId: this.fake.botId,
        });
      } else {
        this.fake.postEphemeral({ channel, user, text: ackText, blocks });
      }
    }
    return { ok: true };
  }

  /** A click in a message or a modal: block_actions, with the response_url and trigger_id Slack gives. */
  private async action(user: string, body: Json): Promise<Json> {
    const a = (body.action ?? {}) as Json;
    const actionId = str(a.action_id);
    const blockId = str(a.block_id);
    const type = str(a.type) as 'button' | 'checkboxes' | 'static_select' | 'overflow' | 'radio_buttons';
    if (!actionId || !type) throw new SlackApiError('invalid_arguments');
    const state = (body.state ?? {}) as Record<string, Record<string, Json>>;
    const u = this.fake.users.get(user)!;
    const common = {
      actionId,
      ...(blockId ? { blockId } : {}),
      type,
      userId: user,
      userName: u.name,
      triggerId: this.fake.newTriggerId(user),
      state,
      ...(typeof a.value === 'string' ? { value: a.value } : {}),
      ...(a.text && typeof (a.text as Json).text === 'string'
        ? { text: (a.text as Json).text as string }
        : {}),
      ...(Array.isArray(a.selected_options) ? { selectedOptions: a.selected_options as SlackOption[] } : {}),
      ...(a.selected_option ? { selectedOption: a.selected_option as SlackOption } : {}),
    };
    let payload: Json;
    const viewId = str(body.viewId);
    if (viewId) {
      const v = this.ownView(user, viewId);
      payload = blockActionPayload({
        ...common,
        channelId: '',
        viewId,
        view: { ...viewJson(v), state: { values: state } },
      });
    } else {
      const channel = str(body.channel);
      const ts = str(body.messageTs);
      if (!channel || !ts) throw new SlackApiError('invalid_arguments');
      const ephemeral = body.ephemeral === true;
      if (
        ephemeral
          ? !this.fake.ephemeralsFor(user, channel).some((e) => e.ts === ts)
          : !this.fake.message(channel, ts)
      )
        throw new SlackApiError('message_not_found');
      const c = this.fake.channels.get(channel)!;
      payload = blockActionPayload({
        ...common,
        channelId: channel,
        channelName: c.isIm ? 'directmessage' : c.name,
        messageTs: ts,
        isEphemeral: ephemeral,
        ...(ephemeral ? {} : { message: this.fake.messageJson(channel, ts) }),
        responseUrl: this.fake.newResponseUrl({ channelId: channel, userId: user, messageTs: ts, ephemeral }),
      });
    }
    const res = await this.sendInteraction(payload);
    if ('error' in res) return { ok: false, error: res.error };
    return res.status === 200 ? { ok: true } : { ok: false, error: `http_${res.status}` };
  }

  private ownView(user: string, viewId: string): FakeView {
    const v = this.fake.views.get(viewId);
    if (!v || v.closed || (v.user !== undefined && v.user !== user))
      throw new SlackApiError('view_not_found');
    return v;
  }

  /** A modal's submit button: view_submission; the ack's response_action decides what happens. */
  private async submit(user: string, body: Json): Promise<Json> {
    const viewId = str(body.viewId);
    if (!viewId) throw new SlackApiError('invalid_arguments');
    const v = this.ownView(user, viewId);
    const values = (body.values ?? {}) as Record<string, Record<string, Json>>;
    const u = this.fake.users.get(user)!;
    const view = viewJson(v);
    const payload = viewSubmissionPayload({
      callbackId: String(view.callback_id ?? ''),
      userId: user,
      userName: u.name,
      values,
      triggerId: this.fake.newTriggerId(user),
    });
    payload.view = { ...view, state: { values } };
    const res = await this.sendInteraction(payload);
    if ('error' in res) return { ok: false, error: res.error };
    if (res.status !== 200) return { ok: false, error: `http_${res.status}` };
    const ack = ackBody(res);
    const action = ack?.response_action;
    if (action === 'errors') return { ok: true, errors: ack?.errors ?? {} };
    if (action === 'update' && ack?.view && typeof ack.view === 'object') {
      v.view = ack.view as Json;
      v.updates += 1;
      this.fake.changed({ type: 'view_updated', view: v });
      return { ok: true };
    }
    if (action === 'push' && ack?.view && typeof ack.view === 'object') {
      const id = this.fake.newId('V');
      const stack = this.fake.viewStacks.get(user) ?? [];
      const pushed: FakeView = {
        id,
        user,
        view: ack.view as Json,
        hash: v.hash,
        rootViewId: stack[0] ?? id,
        previousViewId: v.id,
        externalId: '',
        updates: 0,
        closed: false,
      };
      this.fake.views.set(id, pushed);
      stack.push(id);
      this.fake.viewStacks.set(user, stack);
      this.fake.changed({ type: 'view_pushed', view: pushed });
      return { ok: true };
    }
    // An empty ack (or `clear`) closes the modal.
    this.fake.closeViews(user);
    return { ok: true };
  }

  /** The modal's close button: Slack sends view_closed only when the app asked (notify_on_close). */
  private async close(user: string, body: Json): Promise<Json> {
    const viewId = str(body.viewId);
    const v = viewId ? this.fake.views.get(viewId) : undefined;
    const notify = v?.view.notify_on_close === true;
    this.fake.closeViews(user);
    if (v && notify) {
      const u = this.fake.users.get(user)!;
      await this.sendInteraction({
        type: 'view_closed',
        team: { id: this.fake.teamId },
        user: { id: user, username: u.name, name: u.name, team_id: this.fake.teamId },
        view: viewJson(v),
        is_cleared: false,
      });
    }
    return { ok: true };
  }

  /** "Dismiss message" on an ephemeral: gone for that person (Slack tells the app nothing). */
  private dismiss(user: string, body: Json): Json {
    const channel = str(body.channel);
    const ts = str(body.ts);
    if (!channel || !ts) throw new SlackApiError('invalid_arguments');
    this.fake.deleteEphemeral(channel, user, ts);
    return { ok: true };
  }

  /** A person's reaction: applied to the model, then the reaction_added event the app subscribes to. */
  private async reaction(user: string, body: Json): Promise<Json> {
    const channel = str(body.channel);
    const ts = str(body.ts);
    const name = str(body.name)?.replace(/^:|:$/g, '');
    if (!channel || !ts || !name) throw new SlackApiError('invalid_arguments');
    const m = this.fake.message(channel, ts);
    if (!m) throw new SlackApiError('message_not_found');
    if (body.remove === true) {
      this.fake.removeReaction(channel, ts, name, user);
      await this.sendEvent({
        ...reactionAddedEvent({
          userId: user,
          reaction: name,
          channelId: channel,
          messageTs: ts,
          itemUserId: m.user,
        }),
        type: 'reaction_removed',
      });
      return { ok: true };
    }
    this.fake.addReaction(channel, ts, name, user);
    await this.sendEvent(
      reactionAddedEvent({
        userId: user,
        reaction: name,
        channelId: channel,
        messageTs: ts,
        itemUserId: m.user,
      }),
    );
    return { ok: true };
  }
}
