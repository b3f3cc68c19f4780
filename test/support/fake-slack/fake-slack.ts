// A fake Slack Web API server (node:http) with a small workspace model. The official WebClient
// reaches it through `slackApiUrl` (`fake.apiUrl`); every call is recorded for assertions, and
// every model change is emitted as a `change` event (the sandbox page streams those).
//
//   const fake = await FakeSlack.start();
//   const client = new WebClient('xoxb-test', { slackApiUrl: fake.apiUrl });
//   …
//   await fake.waitFor('chat.postMessage', (c) => c.args.channel === 'C0DATAOPS');
//   await fake.stop();
import { EventEmitter } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { parseArgs, readBody } from './http-body.js';
import { METHODS, SlackApiError, type MethodContext } from './methods.js';
import { BOT_ID, BOT_USER_ID, DEFAULT_CHANNELS, DEFAULT_USERGROUPS, DEFAULT_USERS, TEAM_ID } from './seed.js';
import { fileJson, messageJson } from './slack-json.js';
import { SandboxUi } from './ui/ui-server.js';
import type {
  FakeChannel,
  FakeChannelSeed,
  FakeEphemeral,
  FakeFile,
  FakeMessage,
  FakeSlackChange,
  FakeSlackOptions,
  FakeSlackSnapshot,
  FakeUser,
  FakeUserSeed,
  FakeUsergroup,
  FakeUsergroupSeed,
  FakeView,
  RecordedCall,
  RecordedResponse,
  ResponseUrlContext,
  SlackAppTarget,
} from './types.js';

/** Slack: a response_url works 5 times within 30 minutes. */
export const RESPONSE_URL_MAX_USES = 5;
export const RESPONSE_URL_TTL_MS = 30 * 60 * 1000;

interface ResponseUrlState {
  id: string;
  ctx: Required<Omit<ResponseUrlContext, 'messageTs'>> & { messageTs?: string };
  created: number;
  uses: number;
}

interface FakeSlackEvents {
  change: [FakeSlackChange];
  call: [RecordedCall];
  response: [RecordedResponse];
}

export class FakeSlack extends EventEmitter<FakeSlackEvents> {
  /** Base URL, no trailing slash, e.g. `http://127.0.0.1:41234`. */
  readonly url: string;
  /** What WebClient's `slackApiUrl` (and `SLACK_API_URL`) takes: `${url}/api/`. */
  readonly apiUrl: string;
  /**
   * Socket Mode: where `apps.connections.open` (called with an app-level `xapp-` token) sends the
   * app, e.g. a `FakeSocketMode` (./socket-mode.ts, kept out of index.ts: it needs `ws`). Unset:
   * that method answers `socket_mode_not_enabled`.
   */
  socketMode?: { newUrl(): string };
  readonly teamId = TEAM_ID;
  readonly botUserId = BOT_USER_ID;
  readonly botId = BOT_ID;

  /** Every Web API call, in arrival order (also those answered with an error or a 429). */
  readonly calls: RecordedCall[] = [];
  /** Every POST to a response_url. */
  readonly responses: RecordedResponse[] = [];

  readonly users = new Map<string, FakeUser>();
  readonly usergroups = new Map<string, FakeUsergroup>();
  readonly channels = new Map<string, FakeChannel>();
  /** Messages per channel id, oldest first (thread replies included, with `threadTs`). */
  readonly messages = new Map<string, FakeMessage[]>();
  readonly ephemerals: FakeEphemeral[] = [];
  readonly files = new Map<string, FakeFile>();
  readonly views = new Map<string, FakeView>();

  private readonly server: Server;
  private readonly opts: FakeSlackOptions;

  /** Delay of a file's share after its upload completes (FakeSlackOptions.fileShareDelayMs). */
  get fileShareDelayMs(): number {
    return this.opts.fileShareDelayMs ?? 0;
  }
  private clockOffsetMs = 0;
  private lastTsMicros = 0n;
  private idCounter = 0;
  private readonly rateLimits = new Map<string, { retryAfterSec: number; remaining: number }>();
  private readonly channelBuckets = new Map<string, { tokens: number; at: number }>();
  private readonly injectedErrors = new Map<string, { error: string; status: number; remaining: number }>();
  private readonly lostAnswers = new Map<string, { error: string; remaining: number }>();
  private readonly responseUrls = new Map<string, ResponseUrlState>();
  private readonly triggers = new Map<string, { user: string; expires: number }>();
  /** Open modal stacks per user: view ids, root first. */
  readonly viewStacks = new Map<string, string[]>();
  /** The app people's actions on the page go to, signed (issue 8); see `connectApp`. */
  appTarget: SlackAppTarget | undefined;
  private readonly ui: SandboxUi;

  static async start(opts: FakeSlackOptions = {}): Promise<FakeSlack> {
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => resolve());
    });
    const { port } = server.address() as AddressInfo;
    const fake = new FakeSlack(server, `http://${opts.host ?? '127.0.0.1'}:${port}`, opts);
    return fake;
  }

  private constructor(server: Server, url: string, opts: FakeSlackOptions) {
    super();
    // The sandbox may attach many browser streams.
    this.setMaxListeners(0);
    this.server = server;
    this.url = url;
    this.apiUrl = `${url}/api/`;
    this.opts = opts;
    this.appTarget = opts.app;
    this.ui = new SandboxUi(this);
    this.seedWorkspace();
    server.on('request', (req, res) => {
      this.handle(req, res).catch((err: unknown) => {
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ ok: false, error: 'internal_error', detail: String(err) }));
      });
    });
  }

  async stop(): Promise<void> {
    this.removeAllListeners();
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  /**
   * Where the page's slash commands, clicks, submissions and reactions go: the app's Request URL
   * and signing secret, like a Slack app's settings. Usually known only once the app listens.
   */
  connectApp(target: SlackAppTarget): void {
    this.appTarget = target;
  }

  /** Back to the seed: no calls, messages, files, views, injected limits or response_urls. */
  reset(): void {
    this.calls.length = 0;
    this.responses.length = 0;
    this.users.clear();
    this.usergroups.clear();
    this.channels.clear();
    this.messages.clear();
    this.ephemerals.length = 0;
    this.files.clear();
    this.views.clear();
    this.viewStacks.clear();
    this.rateLimits.clear();
    this.injectedErrors.clear();
    this.lostAnswers.clear();
    this.responseUrls.clear();
    this.triggers.clear();
    this.clockOffsetMs = 0;
    this.seedWorkspace();
    this.emit('change', { type: 'reset' });
  }

  private seedWorkspace(): void {
    for (const u of this.opts.users ?? DEFAULT_USERS) this.putUser(u);
    // The bot must exist whatever the seed: auth.test answers with it.
    if (!this.users.has(BOT_USER_ID)) {
      this.putUser({ id: BOT_USER_ID, name: 'pipeline-medic', isBot: true, botId: BOT_ID });
    }
    for (const g of this.opts.usergroups ?? DEFAULT_USERGROUPS) this.putUsergroup(g);
    for (const c of this.opts.channels ?? DEFAULT_CHANNELS) this.putChannel(c);
  }

  // ---------------------------------------------------------------------------------------------
  // Seed helpers

  addUser(seed: FakeUserSeed): FakeUser {
    const user = this.putUser(seed);
    this.emit('change', { type: 'user_added', user });
    return user;
  }

  addUsergroup(seed: FakeUsergroupSeed): FakeUsergroup {
    const usergroup = this.putUsergroup(seed);
    this.emit('change', { type: 'usergroup_added', usergroup });
    return usergroup;
  }

  addChannel(seed: FakeChannelSeed): FakeChannel {
    const channel = this.putChannel(seed);
    this.emit('change', { type: 'channel_created', channel });
    return channel;
  }

  private putUser(seed: FakeUserSeed): FakeUser {
    const user: FakeUser = {
      id: seed.id,
      name: seed.name,
      realName: seed.realName ?? seed.name,
      isBot: seed.isBot ?? false,
      botId: seed.botId,
      tz: seed.tz,
    };
    this.users.set(user.id, user);
    return user;
  }

  private putUsergroup(seed: FakeUsergroupSeed): FakeUsergroup {
    const g: FakeUsergroup = {
      id: seed.id,
      handle: seed.handle,
      name: seed.name ?? seed.handle,
      users: [...seed.users],
    };
    this.usergroups.set(g.id, g);
    return g;
  }

  private putChannel(seed: FakeChannelSeed): FakeChannel {
    const created = Math.floor(this.now() / 1000);
    const c: FakeChannel = {
      id: seed.id,
      name: seed.name.replace(/^#/, ''),
      isPrivate: seed.isPrivate ?? false,
      isIm: seed.id.startsWith('D'),
      isArchived: false,
      topic: {
        value: seed.topic ?? '',
        creator: seed.topic ? 'U0ONCALL' : '',
        lastSet: seed.topic ? created : 0,
      },
      purpose: { value: seed.purpose ?? '', creator: '', lastSet: 0 },
      members: [...(seed.members ?? [])],
      pins: [],
      bookmarks: [],
      created,
      creator: 'U0ONCALL',
    };
    this.channels.set(c.id, c);
    if (!this.messages.has(c.id)) this.messages.set(c.id, []);
    return c;
  }

  // ---------------------------------------------------------------------------------------------
  // Clock, ids, triggers

  /** The fake's clock: real time plus `advanceClock`. */
  now(): number {
    return Date.now() + this.clockOffsetMs;
  }

  /** Move the fake's clock forward (response_url and trigger_id expiry) without waiting. */
  advanceClock(ms: number): void {
    if (ms < 0) throw new Error('the clock only moves forward');
    this.clockOffsetMs += ms;
  }

  /** A message ts like Slack's (`"1700000000.000100"`): unique and increasing. */
  nextTs(): string {
    let micros = BigInt(this.now()) * 1000n;
    if (micros <= this.lastTsMicros) micros = this.lastTsMicros + 1n;
    this.lastTsMicros = micros;
    return `${micros / 1_000_000n}.${(micros % 1_000_000n).toString().padStart(6, '0')}`;
  }

  /** A Slack-style id: prefix + 10 upper-case base-36 characters. */
  newId(prefix: string): string {
    this.idCounter += 1;
    return `${prefix}${this.idCounter.toString(36).toUpperCase().padStart(10, '0')}`;
  }

  /**
   * A trigger_id for `userId`, valid `triggerTtlMs` (3 s, like Slack; the fake's clock). Pass it in
   * a slash command or an action so views.open knows whose modal it is.
   */
  newTriggerId(userId: string): string {
    const id = `${Math.floor(this.now() / 1000)}.${this.idCounter++}.${randomBytes(12).toString('hex')}`;
    this.triggers.set(id, { user: userId, expires: this.now() + (this.opts.triggerTtlMs ?? 3000) });
    return id;
  }

  /** Who a trigger belongs to; throws `expired_trigger_id` when it was issued and has expired. */
  resolveTrigger(triggerId: string): string | undefined {
    const t = this.triggers.get(triggerId);
    if (!t) return undefined;
    if (this.now() > t.expires) throw new SlackApiError('expired_trigger_id');
    return t.user;
  }

  // ---------------------------------------------------------------------------------------------
  // Rate limits

  private takeChannelToken(channel: string, l: { perSecond: number; burst: number }): boolean {
    const now = performance.now();
    const b = this.channelBuckets.get(channel) ?? { tokens: l.burst, at: now };
    b.tokens = Math.min(l.burst, b.tokens + ((now - b.at) / 1000) * l.perSecond);
    b.at = now;
    this.channelBuckets.set(channel, b);
    if (b.tokens < 1) return false;
    b.tokens -= 1;
    return true;
  }

  /** The next `times` calls of `method` answer HTTP 429 with `Retry-After: retryAfterSec`. */
  inject429(method: string, opts: { retryAfterSec?: number; times?: number } = {}): void {
    this.rateLimits.set(method, { retryAfterSec: opts.retryAfterSec ?? 1, remaining: opts.times ?? 1 });
  }

  /**
   * The next `times` calls of `method` fail: `{ ok: false, error }` with HTTP 200 as Slack does, or
   * with `status` (e.g. 500, 503) for transport-level failures WebClient retries.
   */
  injectError(method: string, opts: { error?: string; times?: number; status?: number } = {}): void {
    this.injectedErrors.set(method, {
      error: opts.error ?? 'internal_error',
      status: opts.status ?? 200,
      remaining: opts.times ?? 1,
    });
  }

  /**
   * The next `times` calls of `method` are carried out (a message is posted) and then answer
   * `{ ok: false, error }`: the caller cannot know it worked — a worker that died right after the
   * call, or an answer lost on the way back.
   */
  loseAnswer(method: string, opts: { error?: string; times?: number } = {}): void {
    this.lostAnswers.set(method, { error: opts.error ?? 'internal_error', remaining: opts.times ?? 1 });
  }

  // ---------------------------------------------------------------------------------------------
  // Recorded calls

  callsTo(method: string): RecordedCall[] {
    return this.calls.filter((c) => c.method === method);
  }

  /**
   * The first call of `method` (answered, not rate-limited) matching `predicate`, already made or
   * still to come. It resolves after the fake has applied the call to the model.
   */
  async waitFor(
    method: string,
    predicate: (call: RecordedCall) => boolean = () => true,
    timeoutMs = 5000,
  ): Promise<RecordedCall> {
    const matches = (c: RecordedCall): boolean => c.method === method && c.status !== 429 && predicate(c);
    const existing = this.calls.find(matches);
    if (existing) return existing;
    return await new Promise<RecordedCall>((resolve, reject) => {
      const onCall = (c: RecordedCall): void => {
        if (!matches(c)) return;
        clearTimeout(timer);
        this.off('call', onCall);
        resolve(c);
      };
      const timer = setTimeout(() => {
        this.off('call', onCall);
        const seen = this.calls.map((c) => c.method).join(', ') || 'none';
        reject(new Error(`no matching ${method} call within ${timeoutMs} ms (calls so far: ${seen})`));
      }, timeoutMs);
      this.on('call', onCall);
    });
  }

  // ---------------------------------------------------------------------------------------------
  // response_url

  /** A response_url on this server; POSTs to it are recorded and applied like Slack does. */
  newResponseUrl(ctx: ResponseUrlContext = {}): string {
    const id = randomBytes(12).toString('hex');
    this.responseUrls.set(id, {
      id,
      ctx: {
        channelId: ctx.channelId ?? 'C0DATAOPS',
        userId: ctx.userId ?? 'U0ONCALL',
        messageTs: ctx.messageTs,
        ephemeral: ctx.ephemeral ?? false,
      },
      created: this.now(),
      uses: 0,
    });
    return `${this.url}/response/${TEAM_ID}/${id}`;
  }

  responsesTo(url: string): RecordedResponse[] {
    return this.responses.filter((r) => r.url === url);
  }

  /** The first POST to a response_url (any, or the given one), already made or still to come. */
  async waitForResponse(url?: string, timeoutMs = 5000): Promise<RecordedResponse> {
    const matches = (r: RecordedResponse): boolean =>
      r.status === 200 && (url === undefined || r.url === url);
    const existing = this.responses.find(matches);
    if (existing) return existing;
    return await new Promise<RecordedResponse>((resolve, reject) => {
      const onResponse = (r: RecordedResponse): void => {
        if (!matches(r)) return;
        clearTimeout(timer);
        this.off('response', onResponse);
        resolve(r);
      };
      const timer = setTimeout(() => {
        this.off('response', onResponse);
        reject(new Error(`no response_url POST within ${timeoutMs} ms`));
      }, timeoutMs);
      this.on('response', onResponse);
    });
  }

  private applyResponse(state: ResponseUrlState, body: Record<string, unknown>): void {
    const { channelId, userId, messageTs, ephemeral } = state.ctx;
    const text = typeof body.text === 'string' ? body.text : '';
    const blocks = Array.isArray(body.blocks) ? (body.blocks as unknown[]) : undefined;
    const threadTs = typeof body.thread_ts === 'string' ? body.thread_ts : undefined;
    if (body.delete_original === true || body.delete_original === 'true') {
      if (!messageTs) return;
      if (ephemeral) this.deleteEphemeral(channelId, userId, messageTs);
      else this.deleteMessage(channelId, messageTs);
      return;
    }
    if (body.replace_original === true || body.replace_original === 'true') {
      if (!messageTs) return;
      if (ephemeral) this.replaceEphemeral(channelId, userId, messageTs, { text, blocks });
      else this.updateMessage(channelId, messageTs, { text, blocks }, BOT_USER_ID);
      return;
    }
    if (body.response_type === 'in_channel') {
      this.postMessage({ channel: channelId, text, blocks, threadTs, user: BOT_USER_ID, botId: BOT_ID });
    } else {
      this.postEphemeral({ channel: channelId, user: userId, text, blocks, threadTs });
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Model operations (used by the Web API methods and by the sandbox for human actions)

  channelMessages(channel: string): FakeMessage[] {
    return this.messages.get(channel) ?? [];
  }

  /** Top-level messages of a channel (no thread replies), oldest first. */
  topLevel(channel: string): FakeMessage[] {
    return this.channelMessages(channel).filter((m) => !m.threadTs || m.threadTs === m.ts);
  }

  /** Replies of a thread, oldest first. */
  thread(channel: string, threadTs: string): FakeMessage[] {
    return this.channelMessages(channel).filter((m) => m.threadTs === threadTs && m.ts !== threadTs);
  }

  message(channel: string, ts: string): FakeMessage | undefined {
    return this.channelMessages(channel).find((m) => m.ts === ts);
  }

  lastMessage(channel: string): FakeMessage | undefined {
    const list = this.channelMessages(channel);
    return list[list.length - 1];
  }

  /** A message as Slack puts it in payloads (e.g. `sendBlockAction({ message })`). */
  messageJson(channel: string, ts: string): Record<string, unknown> {
    const m = this.message(channel, ts);
    if (!m) throw new Error(`no message ${ts} in ${channel}`);
    return messageJson(m, this.filesOf(m), this.url);
  }

  filesOf(m: FakeMessage): FakeFile[] {
    return m.files.map((id) => this.files.get(id)).filter((f): f is FakeFile => f !== undefined);
  }

  /** Ephemeral messages still visible (not deleted), optionally for one user and/or channel. */
  ephemeralsFor(user?: string, channel?: string): FakeEphemeral[] {
    return this.ephemerals.filter(
      (e) =>
        !e.deleted &&
        (user === undefined || e.user === user) &&
        (channel === undefined || e.channel === channel),
    );
  }

  channelByName(name: string): FakeChannel | undefined {
    const n = name.replace(/^#/, '');
    return [...this.channels.values()].find((c) => c.name === n);
  }

  /** The modal on top of a user's stack, if one is open. */
  openView(user: string): FakeView | undefined {
    const stack = this.viewStacks.get(user);
    const id = stack?.[stack.length - 1];
    return id ? this.views.get(id) : undefined;
  }

  postMessage(input: {
    channel: string;
    text: string;
    user: string;
    botId?: string;
    blocks?: unknown[];
    attachments?: unknown[];
    threadTs?: string;
    metadata?: unknown;
    files?: string[];
    replyBroadcast?: boolean;
    options?: Record<string, unknown>;
  }): FakeMessage {
    const ts = this.nextTs();
    const message: FakeMessage = {
      channel: input.channel,
      ts,
      threadTs: input.threadTs,
      text: input.text,
      blocks: input.blocks,
      attachments: input.attachments,
      metadata: input.metadata,
      user: input.user,
      botId: input.botId,
      updates: 0,
      reactions: [],
      files: input.files ?? [],
      replyBroadcast: input.replyBroadcast,
      options: input.options ?? {},
    };
    const list = this.messages.get(input.channel) ?? [];
    list.push(message);
    this.messages.set(input.channel, list);
    this.emit('change', { type: 'message_posted', channel: input.channel, ts, message });
    return message;
  }

  /** A human posting in a channel (the sandbox's composer). */
  postAsUser(channel: string, user: string, text: string, threadTs?: string): FakeMessage {
    return this.postMessage({ channel, user, text, threadTs });
  }

  updateMessage(
    channel: string,
    ts: string,
    patch: { text?: string; blocks?: unknown[]; attachments?: unknown[]; metadata?: unknown },
    editor: string,
  ): FakeMessage {
    const m = this.message(channel, ts);
    if (!m) throw new SlackApiError('message_not_found');
    // Slack keeps the previous text/blocks/attachments when chat.update leaves a field out.
    if (patch.text !== undefined) m.text = patch.text;
    if (patch.blocks !== undefined) m.blocks = patch.blocks;
    if (patch.attachments !== undefined) m.attachments = patch.attachments;
    if (patch.metadata !== undefined) m.metadata = patch.metadata;
    m.updates += 1;
    m.edited = { user: editor, ts: this.nextTs() };
    this.emit('change', { type: 'message_updated', channel, ts, message: m });
    return m;
  }

  deleteMessage(channel: string, ts: string): void {
    const list = this.messages.get(channel) ?? [];
    const i = list.findIndex((m) => m.ts === ts);
    if (i === -1) throw new SlackApiError('message_not_found');
    list.splice(i, 1);
    const c = this.channels.get(channel);
    if (c) c.pins = c.pins.filter((p) => p !== ts);
    this.emit('change', { type: 'message_deleted', channel, ts });
  }

  postEphemeral(input: {
    channel: string;
    user: string;
    text: string;
    blocks?: unknown[];
    attachments?: unknown[];
    threadTs?: string;
  }): FakeEphemeral {
    const ts = this.nextTs();
    const e: FakeEphemeral = {
      channel: input.channel,
      user: input.user,
      ts,
      threadTs: input.threadTs,
      text: input.text,
      blocks: input.blocks,
      attachments: input.attachments,
      updates: 0,
      deleted: false,
    };
    this.ephemerals.push(e);
    this.emit('change', { type: 'ephemeral_posted', channel: e.channel, user: e.user, ts, message: e });
    return e;
  }

  private findEphemeral(channel: string, user: string, ts: string): FakeEphemeral | undefined {
    return this.ephemerals.find((e) => e.channel === channel && e.user === user && e.ts === ts && !e.deleted);
  }

  replaceEphemeral(
    channel: string,
    user: string,
    ts: string,
    patch: { text: string; blocks?: unknown[] },
  ): void {
    const e = this.findEphemeral(channel, user, ts);
    if (!e) return;
    e.text = patch.text;
    e.blocks = patch.blocks;
    e.updates += 1;
    this.emit('change', { type: 'ephemeral_updated', channel, user, ts, message: e });
  }

  deleteEphemeral(channel: string, user: string, ts: string): void {
    const e = this.findEphemeral(channel, user, ts);
    if (!e) return;
    e.deleted = true;
    this.emit('change', { type: 'ephemeral_deleted', channel, user, ts });
  }

  /** Add a reaction as `user` (humans in the sandbox; reactions.add for the bot). */
  addReaction(channel: string, ts: string, name: string, user: string): void {
    const m = this.message(channel, ts);
    if (!m) throw new SlackApiError('message_not_found');
    const clean = name.replace(/^:|:$/g, '');
    let r = m.reactions.find((x) => x.name === clean);
    if (r?.users.includes(user)) throw new SlackApiError('already_reacted');
    if (!r) {
      r = { name: clean, users: [], count: 0 };
      m.reactions.push(r);
    }
    r.users.push(user);
    r.count = r.users.length;
    this.emit('change', { type: 'reaction_added', channel, ts, name: clean, user });
  }

  removeReaction(channel: string, ts: string, name: string, user: string): void {
    const m = this.message(channel, ts);
    if (!m) throw new SlackApiError('message_not_found');
    const clean = name.replace(/^:|:$/g, '');
    const r = m.reactions.find((x) => x.name === clean);
    if (!r?.users.includes(user)) throw new SlackApiError('no_reaction');
    r.users = r.users.filter((u) => u !== user);
    r.count = r.users.length;
    if (r.count === 0) m.reactions = m.reactions.filter((x) => x !== r);
    this.emit('change', { type: 'reaction_removed', channel, ts, name: clean, user });
  }

  /** Close a user's modal (a dismiss, or after a successful submission); pops the whole stack. */
  closeViews(user: string): void {
    const stack = this.viewStacks.get(user) ?? [];
    for (const id of stack) {
      const v = this.views.get(id);
      if (v && !v.closed) {
        v.closed = true;
        this.emit('change', { type: 'view_closed', view: v });
      }
    }
    this.viewStacks.delete(user);
  }

  /**
   * The whole workspace as plain JSON (files without their bytes): what a page that connects late
   * needs before it follows the `change` events.
   */
  snapshot(): FakeSlackSnapshot {
    return {
      teamId: TEAM_ID,
      botUserId: BOT_USER_ID,
      users: [...this.users.values()].map((u) => ({ ...u })),
      usergroups: [...this.usergroups.values()].map((g) => ({ ...g, users: [...g.users] })),
      channels: [...this.channels.values()].map((c) => ({
        ...c,
        members: [...c.members],
        pins: [...c.pins],
        bookmarks: c.bookmarks.map((b) => ({ ...b })),
        messages: this.channelMessages(c.id).map((m) => messageJson(m, this.filesOf(m), this.url)),
      })),
      ephemerals: this.ephemeralsFor().map((e) => ({ ...e })),
      views: [...this.views.values()].filter((v) => !v.closed).map((v) => ({ ...v })),
      files: [...this.files.values()].map((f) => fileJson(f, this.url)),
    };
  }

  /** Emit a change (for methods.ts). */
  changed(change: FakeSlackChange): void {
    this.emit('change', change);
  }

  // ---------------------------------------------------------------------------------------------
  // HTTP

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const u = new URL(req.url ?? '/', this.url);
    const path = u.pathname;
    if (path.startsWith('/api/')) return await this.handleApi(req, res, path.slice(5), u.search);
    const upload = /^\/upload\/v1\/([A-Z0-9]+)$/.exec(path);
    if (upload && req.method === 'POST') return await this.handleUpload(req, res, upload[1]!);
    const response = /^\/response\/[A-Z0-9]+\/([a-f0-9]+)$/.exec(path);
    if (response && req.method === 'POST') return await this.handleResponseUrl(req, res, response[1]!, u);
    const file = /^\/files\/([A-Z0-9]+)\/[^/]*$/.exec(path);
    if (file && req.method === 'GET') return this.serveFile(res, file[1]!);
    // The sandbox page and its API (ui/).
    if (await this.ui.handle(req, res, u)) return;
    res.writeHead(404, { 'content-type': 'text/plain' });
    res.end('not found');
  }

  private tokenAccepted(token: string): boolean {
    if (this.opts.tokens) return this.opts.tokens.includes(token);
    return /^(xox[abp]|xapp)-\S+$/.test(token);
  }

  private async handleApi(
    req: IncomingMessage,
    res: ServerResponse,
    method: string,
    search: string,
  ): Promise<void> {
    const at = this.now();
    const raw = await readBody(req);
    let args: Record<string, unknown>;
    try {
      args = parseArgs(raw, req.headers['content-type'], search).args;
    } catch {
      args = {};
      return this.answer(res, { method, args, token: undefined, at }, 200, {
        ok: false,
        error: 'invalid_json',
      });
    }
    const auth = req.headers.authorization;
    const bearer = auth && /^Bearer\s+(\S+)$/i.exec(auth)?.[1];
    const bodyToken = typeof args.token === 'string' ? args.token : undefined;
    delete args.token;
    const token = bearer || bodyToken || undefined;
    const call = { method, args, token, at };

    const channelLimit = this.opts.channelRateLimit;
    if (
      channelLimit &&
      method === 'chat.postMessage' &&
      typeof args.channel === 'string' &&
      !this.takeChannelToken(args.channel, channelLimit)
    )
      return this.answer(res, call, 429, { ok: false, error: 'ratelimited' }, { 'Retry-After': '1' });
    const tier = this.opts.methodRateLimits?.[method];
    if (
      tier &&
      !this.takeChannelToken(`method:${method}`, { perSecond: tier.perMinute / 60, burst: tier.burst })
    )
      return this.answer(res, call, 429, { ok: false, error: 'ratelimited' }, { 'Retry-After': '1' });
    const limit = this.rateLimits.get(method);
    if (limit && limit.remaining > 0) {
      limit.remaining -= 1;
      if (limit.remaining === 0) this.rateLimits.delete(method);
      return this.answer(
        res,
        call,
        429,
        { ok: false, error: 'ratelimited' },
        { 'Retry-After': String(limit.retryAfterSec) },
      );
    }
    const injected = this.injectedErrors.get(method);
    if (injected && injected.remaining > 0) {
      injected.remaining -= 1;
      if (injected.remaining === 0) this.injectedErrors.delete(method);
      return this.answer(res, call, injected.status, { ok: false, error: injected.error });
    }
    const handler = METHODS[method];
    if (!handler) return this.answer(res, call, 200, { ok: false, error: 'unknown_method' });
    if (!token) return this.answer(res, call, 200, { ok: false, error: 'not_authed' });
    if (!this.tokenAccepted(token)) return this.answer(res, call, 200, { ok: false, error: 'invalid_auth' });
    // Slack: an app-level token opens Socket Mode connections and nothing else, and only it does.
    if (token.startsWith('xapp-') !== (method === 'apps.connections.open'))
      return this.answer(res, call, 200, { ok: false, error: 'not_allowed_token_type' });

    const ctx: MethodContext = { fake: this, args, token, actor: BOT_USER_ID };
    let body: Record<string, unknown>;
    try {
      body = { ok: true, ...handler(ctx) };
    } catch (err) {
      if (!(err instanceof SlackApiError)) throw err;
      body = { ok: false, error: err.code, ...err.extra };
    }
    const lost = body.ok ? this.lostAnswers.get(method) : undefined;
    if (lost && lost.remaining > 0) {
      lost.remaining -= 1;
      if (lost.remaining === 0) this.lostAnswers.delete(method);
      body = { ok: false, error: lost.error };
    }
    this.answer(res, call, 200, body);
  }

  private answer(
    res: ServerResponse,
    call: Omit<RecordedCall, 'status' | 'response'>,
    status: number,
    body: Record<string, unknown>,
    headers: Record<string, string> = {},
  ): void {
    const recorded: RecordedCall = { ...call, status, response: body };
    this.calls.push(recorded);
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
    res.end(JSON.stringify(body));
    this.emit('call', recorded);
  }

  private async handleUpload(req: IncomingMessage, res: ServerResponse, fileId: string): Promise<void> {
    const raw = await readBody(req);
    const f = this.files.get(fileId);
    if (!f) {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('file not found');
      return;
    }
    // Slack accepts the bytes raw or multipart-encoded; WebClient sends multipart (field `body`).
    const type = req.headers['content-type'] ?? '';
    let bytes = raw;
    if (/^multipart\/form-data/i.test(type)) {
      const parts = parseArgs(raw, type, '').fileParts;
      bytes = parts[0]?.data ?? Buffer.alloc(0);
    }
    f.bytes = bytes;
    this.emit('change', { type: 'file_uploaded', file: f });
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end(`OK - ${bytes.length}`);
  }

  private async handleResponseUrl(
    req: IncomingMessage,
    res: ServerResponse,
    id: string,
    u: URL,
  ): Promise<void> {
    const raw = await readBody(req);
    let body: Record<string, unknown>;
    try {
      body = parseArgs(raw, req.headers['content-type'] ?? 'application/json', '').args;
    } catch {
      body = {};
    }
    const url = `${this.url}${u.pathname}`;
    const state = this.responseUrls.get(id);
    let status = 200;
    let error: string | undefined;
    if (!state) {
      status = 404;
      error = 'invalid_url';
    } else if (this.now() - state.created > RESPONSE_URL_TTL_MS) {
      status = 404;
      error = 'expired_url';
    } else if (state.uses >= RESPONSE_URL_MAX_USES) {
      status = 404;
      error = 'used_url';
    }
    if (state && !error) {
      state.uses += 1;
      try {
        this.applyResponse(state, body);
      } catch (err) {
        // e.g. replace_original after the original was deleted.
        if (!(err instanceof SlackApiError)) throw err;
        status = 404;
        error = err.code;
      }
    }
    const recorded: RecordedResponse = { id, url, body, at: this.now(), status, ...(error ? { error } : {}) };
    this.responses.push(recorded);
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(error ? { ok: false, error } : { ok: true }));
    this.emit('response', recorded);
  }

  private serveFile(res: ServerResponse, id: string): void {
    const f = this.files.get(id);
    if (!f?.bytes) {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('file not found');
      return;
    }
    res.writeHead(200, { 'content-type': f.mimetype, 'content-length': String(f.bytes.length) });
    res.end(f.bytes);
  }
}
