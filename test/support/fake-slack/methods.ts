// The Web API methods the fake answers, each applied to the workspace model. A handler returns the
// success body (without `ok`) or throws SlackApiError with Slack's error code.
import { validateBlocks, type Surface } from './block-kit-limits.js';
import type { FakeSlack } from './fake-slack.js';
import { BOT_ID, TEAM_DOMAIN, TEAM_ID, TEAM_NAME } from './seed.js';
import { channelJson, fileJson, messageJson, userJson, viewJson } from './slack-json.js';
import type { FakeChannel, FakeFile, FakeView } from './types.js';

export class SlackApiError extends Error {
  override readonly name = 'SlackApiError';
  constructor(
    readonly code: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(code);
  }
}

export interface MethodContext {
  fake: FakeSlack;
  args: Record<string, unknown>;
  token: string;
  /** The user the token acts as (the bot user for a bot token). */
  actor: string;
}

export type MethodHandler = (ctx: MethodContext) => Record<string, unknown>;

/** Slack: message text is truncated past 40,000 characters; the fake refuses it instead. */
const MAX_TEXT = 40_000;
const MAX_TOPIC = 250;
const MAX_CHANNEL_NAME = 80;
const MAX_INVITES = 1000;
const MAX_VIEW_STACK = 3;

function str(args: Record<string, unknown>, key: string): string | undefined {
  const v = args[key];
  if (v === undefined || v === null) return undefined;
  return typeof v === 'string' ? v : String(v);
}

function required(args: Record<string, unknown>, key: string, error = 'invalid_arguments'): string {
  const v = str(args, key);
  if (v === undefined || v === '') throw new SlackApiError(error, { detail: `missing ${key}` });
  return v;
}

/** Message metadata as Slack checks it: `{ event_type, event_payload }`, a name and an object. */
function checkMetadata(v: unknown): void {
  if (v === undefined) return;
  const m = v as { event_type?: unknown; event_payload?: unknown } | null;
  if (
    !m ||
    typeof m !== 'object' ||
    typeof m.event_type !== 'string' ||
    !/^[a-zA-Z0-9_]{1,255}$/.test(m.event_type) ||
    !m.event_payload ||
    typeof m.event_payload !== 'object' ||
    Array.isArray(m.event_payload)
  )
    throw new SlackApiError('invalid_metadata_format');
}

function bool(args: Record<string, unknown>, key: string): boolean {
  const v = args[key];
  return v === true || v === 'true' || v === '1' || v === 1;
}

/** A `blocks`/`attachments` argument: parsed JSON array, else Slack's format error. */
function jsonArray(args: Record<string, unknown>, key: string): unknown[] | undefined {
  const v = args[key];
  if (v === undefined || v === null || v === '') return undefined;
  if (Array.isArray(v)) return v;
  throw new SlackApiError(key === 'blocks' ? 'invalid_blocks_format' : 'invalid_arguments', {
    detail: `${key} is not a JSON array`,
  });
}

function blocksArg(args: Record<string, unknown>, surface: Surface = 'message'): unknown[] | undefined {
  const blocks = jsonArray(args, 'blocks');
  if (blocks === undefined) return undefined;
  const errors = validateBlocks(blocks, surface);
  if (errors.length > 0) {
    throw new SlackApiError('invalid_blocks', {
      errors,
      response_metadata: { messages: errors.map((e) => `[ERROR] ${e}`) },
    });
  }
  return blocks;
}

/** A channel argument: an id, a `#name`/name, or a user id (the DM with that user). */
function resolveChannel(fake: FakeSlack, ref: string | undefined, actor: string): FakeChannel {
  if (!ref) throw new SlackApiError('channel_not_found');
  const byId = fake.channels.get(ref);
  if (byId) return byId;
  if (/^[UW][A-Z0-9]+$/.test(ref)) {
    if (!fake.users.has(ref)) throw new SlackApiError('channel_not_found');
    const existing = [...fake.channels.values()].find((c) => c.isIm && c.members.includes(ref));
    if (existing) return existing;
    return fake.addChannel({ id: fake.newId('D'), name: ref, members: [ref, actor] });
  }
  const byName = fake.channelByName(ref);
  if (byName) return byName;
  throw new SlackApiError('channel_not_found');
}

function canPost(channel: FakeChannel, actor: string): void {
  if (channel.isArchived) throw new SlackApiError('is_archived');
  // chat:write.public lets the bot post in public channels it has not joined; not in private ones.
  if ((channel.isPrivate || channel.isIm) && !channel.members.includes(actor)) {
    throw new SlackApiError('not_in_channel');
  }
}

function messageText(args: Record<string, unknown>): string {
  const text = str(args, 'text') ?? '';
  if (text.length > MAX_TEXT) throw new SlackApiError('msg_too_long');
  return text;
}

const POST_OPTIONS = [
  'unfurl_links',
  'unfurl_media',
  'mrkdwn',
  'parse',
  'link_names',
  'username',
  'icon_emoji',
  'icon_url',
];

function mimeOf(filename: string): { mimetype: string; filetype: string } {
  const ext = /\.([a-z0-9]+)$/i.exec(filename)?.[1]?.toLowerCase() ?? '';
  const types: Record<string, string> = {
    png: 'image/png',
    jpg: 'image/jpeg',
    jpeg: 'image/jpeg',
    gif: 'image/gif',
    svg: 'image/svg+xml',
    txt: 'text/plain',
    md: 'text/markdown',
    csv: 'text/csv',
    json: 'application/json',
    log: 'text/plain',
    pdf: 'application/pdf',
  };
  return { mimetype: types[ext] ?? 'application/octet-stream', filetype: ext || 'binary' };
}

function userFromTrigger(fake: FakeSlack, args: Record<string, unknown>): string | undefined {
  const trigger = required(args, 'trigger_id', 'invalid_arguments');
  return fake.resolveTrigger(trigger);
}

/** Slack's limits on a modal besides its blocks. */
const MAX_VIEW_TITLE = 24;
const MAX_PRIVATE_METADATA = 3000;

function viewArg(args: Record<string, unknown>): Record<string, unknown> {
  const v = args.view;
  if (!v || typeof v !== 'object' || Array.isArray(v))
    throw new SlackApiError('invalid_arguments', { detail: 'view' });
  const view = v as Record<string, unknown>;
  const errors =
    view.blocks === undefined ? ['/view/blocks is required'] : validateBlocks(view.blocks, 'modal');
  for (const key of ['title', 'submit', 'close']) {
    const t = view[key] as { type?: unknown; text?: unknown } | undefined | null;
    if (t === undefined || t === null) {
      if (key === 'title') errors.push('/view/title is required');
      continue;
    }
    if (t.type !== 'plain_text' || typeof t.text !== 'string') errors.push(`/view/${key} must be plain_text`);
    else if (t.text.length > MAX_VIEW_TITLE)
      errors.push(`/view/${key} must be at most ${MAX_VIEW_TITLE} characters`);
  }
  const meta = view.private_metadata;
  if (typeof meta === 'string' && meta.length > MAX_PRIVATE_METADATA) {
    errors.push(`/view/private_metadata must be at most ${MAX_PRIVATE_METADATA} characters`);
  }
  if (typeof view.callback_id === 'string' && view.callback_id.length > 255) {
    errors.push('/view/callback_id must be at most 255 characters');
  }
  if (errors.length > 0) {
    throw new SlackApiError('invalid_arguments', {
      response_metadata: { messages: errors.map((e) => `[ERROR] ${e}`) },
    });
  }
  return view;
}

function newHash(fake: FakeSlack): string {
  return `${Math.floor(fake.now() / 1000)}.${fake.newId('H').slice(1).toLowerCase()}`;
}

export const METHODS: Record<string, MethodHandler> = {
  'auth.test': ({ fake, actor }) => {
    const user = fake.users.get(actor);
    return {
      url: `https://${TEAM_DOMAIN}.slack.com/`,
      team: TEAM_NAME,
      user: user?.name ?? 'pipeline-medic',
      team_id: TEAM_ID,
      user_id: actor,
      bot_id: BOT_ID,
      is_enterprise_install: false,
    };
  },

  // Socket Mode: a WebSocket URL for the app (the token check is in FakeSlack.handleApi).
  'apps.connections.open': ({ fake }) => {
    if (!fake.socketMode) throw new SlackApiError('socket_mode_not_enabled');
    return { url: fake.socketMode.newUrl() };
  },

  // --- chat ---------------------------------------------------------------------------------

  'chat.postMessage': ({ fake, args, actor }) => {
    const channel = resolveChannel(fake, str(args, 'channel'), actor);
    canPost(channel, actor);
    const text = messageText(args);
    const blocks = blocksArg(args);
    const attachments = jsonArray(args, 'attachments');
    if (!text && !blocks?.length && !attachments?.length) throw new SlackApiError('no_text');
    checkMetadata(args.metadata);
    const options: Record<string, unknown> = {};
    for (const k of POST_OPTIONS) if (args[k] !== undefined) options[k] = args[k];
    const m = fake.postMessage({
      channel: channel.id,
      text,
      blocks,
      attachments,
      metadata: args.metadata,
      threadTs: str(args, 'thread_ts') || undefined,
      replyBroadcast: bool(args, 'reply_broadcast') || undefined,
      user: actor,
      botId: BOT_ID,
      options,
    });
    return { channel: channel.id, ts: m.ts, message: messageJson(m) };
  },

  'chat.update': ({ fake, args, actor }) => {
    const channel = resolveChannel(fake, str(args, 'channel'), actor);
    const ts = required(args, 'ts', 'message_not_found');
    const m = fake.message(channel.id, ts);
    if (!m) throw new SlackApiError('message_not_found');
    if (m.user !== actor) throw new SlackApiError('cant_update_message');
    const text = str(args, 'text');
    if (text !== undefined && text.length > MAX_TEXT) throw new SlackApiError('msg_too_long');
    const blocks = blocksArg(args);
    const attachments = jsonArray(args, 'attachments');
    if (text === undefined && blocks === undefined && attachments === undefined)
      throw new SlackApiError('no_text');
    fake.updateMessage(channel.id, ts, { text, blocks, attachments, metadata: args.metadata }, actor);
    return { channel: channel.id, ts, text: m.text, message: messageJson(m, fake.filesOf(m), fake.url) };
  },

  'chat.postEphemeral': ({ fake, args, actor }) => {
    const channel = resolveChannel(fake, str(args, 'channel'), actor);
    const user = required(args, 'user', 'user_not_found');
    if (!fake.users.has(user)) throw new SlackApiError('user_not_found');
    if (!channel.members.includes(user)) throw new SlackApiError('user_not_in_channel');
    canPost(channel, actor);
    const text = messageText(args);
    const blocks = blocksArg(args);
    const attachments = jsonArray(args, 'attachments');
    if (!text && !blocks?.length && !attachments?.length) throw new SlackApiError('no_text');
    const e = fake.postEphemeral({
      channel: channel.id,
      user,
      text,
      blocks,
      attachments,
      threadTs: str(args, 'thread_ts') || undefined,
    });
    return { message_ts: e.ts };
  },

  'chat.delete': ({ fake, args, actor }) => {
    const channel = resolveChannel(fake, str(args, 'channel'), actor);
    const ts = required(args, 'ts', 'message_not_found');
    const m = fake.message(channel.id, ts);
    if (!m) throw new SlackApiError('message_not_found');
    if (m.user !== actor) throw new SlackApiError('cant_delete_message');
    fake.deleteMessage(channel.id, ts);
    return { channel: channel.id, ts };
  },

  'chat.getPermalink': ({ fake, args, actor }) => {
    const channel = resolveChannel(fake, str(args, 'channel'), actor);
    const ts = required(args, 'message_ts', 'message_not_found');
    if (!fake.message(channel.id, ts)) throw new SlackApiError('message_not_found');
    return {
      channel: channel.id,
      permalink: `https://${TEAM_DOMAIN}.slack.com/archives/${channel.id}/p${ts.replace('.', '')}`,
    };
  },

  // --- conversations --------------------------------------------------------------------------

  'conversations.create': ({ fake, args, actor }) => {
    const name = str(args, 'name') ?? '';
    if (name === '') throw new SlackApiError('invalid_name_required');
    if (name.length > MAX_CHANNEL_NAME) throw new SlackApiError('invalid_name_maxlength');
    if (/^[-_]+$/.test(name)) throw new SlackApiError('invalid_name_punctuation');
    if (!/^[a-z0-9_-]+$/.test(name)) throw new SlackApiError('invalid_name_specials');
    if (fake.channelByName(name)) throw new SlackApiError('name_taken');
    const isPrivate = bool(args, 'is_private');
    const channel = fake.addChannel({
      id: fake.newId(isPrivate ? 'G' : 'C'),
      name,
      isPrivate,
      members: [actor],
    });
    channel.creator = actor;
    return { channel: channelJson(channel, actor) };
  },

  'conversations.invite': ({ fake, args, actor }) => {
    const channel = resolveChannel(fake, str(args, 'channel'), actor);
    if (channel.isArchived) throw new SlackApiError('is_archived');
    if (!channel.members.includes(actor)) throw new SlackApiError('not_in_channel');
    const users = (str(args, 'users') ?? '')
      .split(',')
      .map((u) => u.trim())
      .filter(Boolean);
    if (users.length === 0) throw new SlackApiError('no_user');
    if (users.length > MAX_INVITES) throw new SlackApiError('too_many_users');
    if (users.includes(actor)) throw new SlackApiError('cant_invite_self');
    const unknown = users.filter((u) => !fake.users.has(u));
    if (unknown.length > 0) {
      throw new SlackApiError('user_not_found', {
        errors: unknown.map((u) => ({ user: u, ok: false, error: 'user_not_found' })),
      });
    }
    const added = users.filter((u) => !channel.members.includes(u));
    if (added.length === 0) throw new SlackApiError('already_in_channel');
    channel.members.push(...added);
    fake.changed({ type: 'members_joined', channel: channel.id, users: added });
    return { channel: channelJson(channel, actor) };
  },

  'conversations.setTopic': ({ fake, args, actor }) => {
    const channel = resolveChannel(fake, str(args, 'channel'), actor);
    if (channel.isArchived) throw new SlackApiError('is_archived');
    if (!channel.members.includes(actor)) throw new SlackApiError('not_in_channel');
    const topic = str(args, 'topic') ?? '';
    if (topic.length > MAX_TOPIC) throw new SlackApiError('too_long');
    channel.topic = { value: topic, creator: actor, lastSet: Math.floor(fake.now() / 1000) };
    fake.changed({ type: 'channel_updated', channel });
    return { channel: channelJson(channel, actor) };
  },

  'conversations.info': ({ fake, args, actor }) => {
    const ref = str(args, 'channel');
    const channel = ref ? fake.channels.get(ref) : undefined;
    if (!channel) throw new SlackApiError('channel_not_found');
    return { channel: channelJson(channel, actor) };
  },

  'conversations.join': ({ fake, args, actor }) => {
    const ref = str(args, 'channel');
    const channel = ref ? fake.channels.get(ref) : undefined;
    if (!channel) throw new SlackApiError('channel_not_found');
    if (channel.isArchived) throw new SlackApiError('is_archived');
    if (channel.isPrivate || channel.isIm) throw new SlackApiError('method_not_supported_for_channel_type');
    if (channel.members.includes(actor)) {
      return {
        channel: channelJson(channel, actor),
        warning: 'already_in_channel',
        response_metadata: { warnings: ['already_in_channel'] },
      };
    }
    channel.members.push(actor);
    fake.changed({ type: 'members_joined', channel: channel.id, users: [actor] });
    return { channel: channelJson(channel, actor) };
  },

  'conversations.open': ({ fake, args, actor }) => {
    const users = (str(args, 'users') ?? '')
      .split(',')
      .map((u) => u.trim())
      .filter(Boolean);
    const channelRef = str(args, 'channel');
    if (channelRef) return { channel: { id: resolveChannel(fake, channelRef, actor).id } };
    if (users.length !== 1)
      throw new SlackApiError(users.length === 0 ? 'users_list_not_supplied' : 'not_implemented');
    const dm = resolveChannel(fake, users[0], actor);
    return { channel: { id: dm.id } };
  },

  'conversations.members': ({ fake, args, actor }) => {
    const channel = resolveChannel(fake, str(args, 'channel'), actor);
    return { members: [...channel.members], response_metadata: { next_cursor: '' } };
  },

  'conversations.history': ({ fake, args, actor }) => {
    const channel = resolveChannel(fake, str(args, 'channel'), actor);
    const limit = Number(str(args, 'limit') ?? 100);
    const messages = fake
      .topLevel(channel.id)
      .slice()
      .reverse()
      .slice(0, limit)
      .map((m) =>
        messageJson(m, fake.filesOf(m), fake.url, { metadata: bool(args, 'include_all_metadata') }),
      );
    return { messages, has_more: false, response_metadata: { next_cursor: '' } };
  },

  'conversations.replies': ({ fake, args, actor }) => {
    const channel = resolveChannel(fake, str(args, 'channel'), actor);
    const ts = required(args, 'ts', 'thread_not_found');
    const parent = fake.message(channel.id, ts);
    if (!parent) throw new SlackApiError('thread_not_found');
    const messages = [parent, ...fake.thread(channel.id, ts)].map((m) =>
      messageJson(m, fake.filesOf(m), fake.url, { metadata: bool(args, 'include_all_metadata') }),
    );
    return { messages, has_more: false, response_metadata: { next_cursor: '' } };
  },

  // --- users and user groups ------------------------------------------------------------------

  'users.info': ({ fake, args }) => {
    const user = fake.users.get(str(args, 'user') ?? '');
    if (!user) throw new SlackApiError('user_not_found');
    return { user: userJson(user) };
  },

  'usergroups.users.list': ({ fake, args }) => {
    const group = fake.usergroups.get(str(args, 'usergroup') ?? '');
    if (!group) throw new SlackApiError('no_such_subteam');
    return { users: [...group.users] };
  },

  'usergroups.list': ({ fake, args }) => {
    const withUsers = bool(args, 'include_users');
    return {
      usergroups: [...fake.usergroups.values()].map((g) => ({
        id: g.id,
        team_id: TEAM_ID,
        is_usergroup: true,
        name: g.name,
        handle: g.handle,
        user_count: g.users.length,
        ...(withUsers ? { users: [...g.users] } : {}),
      })),
    };
  },

  // --- views ----------------------------------------------------------------------------------

  'views.open': ({ fake, args }) => {
    const user = userFromTrigger(fake, args);
    const body = viewArg(args);
    const key = user ?? '?';
    fake.closeViews(key);
    const id = fake.newId('V');
    const view: FakeView = {
      id,
      user,
      view: body,
      hash: newHash(fake),
      rootViewId: id,
      previousViewId: null,
      externalId: str(body, 'external_id') ?? '',
      updates: 0,
      closed: false,
    };
    fake.views.set(id, view);
    fake.viewStacks.set(key, [id]);
    fake.changed({ type: 'view_opened', view });
    return { view: viewJson(view) };
  },

  'views.push': ({ fake, args }) => {
    const user = userFromTrigger(fake, args);
    const body = viewArg(args);
    const key = user ?? '?';
    const stack = fake.viewStacks.get(key) ?? [];
    if (stack.length === 0) throw new SlackApiError('not_found', { detail: 'no open modal to push onto' });
    if (stack.length >= MAX_VIEW_STACK) throw new SlackApiError('push_limit_reached');
    const id = fake.newId('V');
    const view: FakeView = {
      id,
      user,
      view: body,
      hash: newHash(fake),
      rootViewId: stack[0]!,
      previousViewId: stack[stack.length - 1]!,
      externalId: str(body, 'external_id') ?? '',
      updates: 0,
      closed: false,
    };
    fake.views.set(id, view);
    stack.push(id);
    fake.viewStacks.set(key, stack);
    fake.changed({ type: 'view_pushed', view });
    return { view: viewJson(view) };
  },

  'views.update': ({ fake, args }) => {
    const viewId = str(args, 'view_id');
    const externalId = str(args, 'external_id');
    if (!viewId && !externalId)
      throw new SlackApiError('invalid_arguments', { detail: 'view_id or external_id' });
    const view = viewId
      ? fake.views.get(viewId)
      : [...fake.views.values()].find((v) => v.externalId === externalId && !v.closed);
    if (!view) throw new SlackApiError('not_found');
    const hash = str(args, 'hash');
    if (hash && hash !== view.hash) throw new SlackApiError('hash_conflict');
    view.view = viewArg(args);
    view.hash = newHash(fake);
    view.updates += 1;
    fake.changed({ type: 'view_updated', view });
    return { view: viewJson(view) };
  },

  // --- pins, bookmarks, reactions ---------------------------------------------------------------

  'pins.add': ({ fake, args, actor }) => {
    const channel = resolveChannel(fake, str(args, 'channel'), actor);
    const ts = required(args, 'timestamp', 'no_item_specified');
    if (!fake.message(channel.id, ts)) throw new SlackApiError('message_not_found');
    if (channel.pins.includes(ts)) throw new SlackApiError('already_pinned');
    channel.pins.push(ts);
    fake.changed({ type: 'pin_added', channel: channel.id, ts });
    return {};
  },

  'bookmarks.add': ({ fake, args, actor }) => {
    const channel = resolveChannel(fake, str(args, 'channel_id'), actor);
    const title = required(args, 'title');
    const type = required(args, 'type');
    const link = str(args, 'link');
    if (type === 'link' && !link) throw new SlackApiError('invalid_link');
    const bookmark = {
      id: fake.newId('Bk'),
      channelId: channel.id,
      title,
      type,
      link,
      emoji: str(args, 'emoji'),
      dateCreated: Math.floor(fake.now() / 1000),
    };
    channel.bookmarks.push(bookmark);
    fake.changed({ type: 'bookmark_added', channel: channel.id, bookmark });
    return {
      bookmark: {
        id: bookmark.id,
        channel_id: channel.id,
        title,
        link: link ?? '',
        emoji: bookmark.emoji ?? '',
        icon_url: null,
        type,
        entity_id: null,
        date_created: bookmark.dateCreated,
        date_updated: 0,
        rank: String(channel.bookmarks.length),
        last_updated_by_user_id: actor,
        last_updated_by_team_id: TEAM_ID,
        shortcut_id: null,
        app_id: null,
      },
    };
  },

  'reactions.add': ({ fake, args, actor }) => {
    const channel = resolveChannel(fake, str(args, 'channel'), actor);
    const ts = required(args, 'timestamp', 'no_item_specified');
    const name = required(args, 'name', 'invalid_name');
    fake.addReaction(channel.id, ts, name, actor);
    return {};
  },

  'reactions.remove': ({ fake, args, actor }) => {
    const channel = resolveChannel(fake, str(args, 'channel'), actor);
    const ts = required(args, 'timestamp', 'no_item_specified');
    const name = required(args, 'name', 'invalid_name');
    fake.removeReaction(channel.id, ts, name, actor);
    return {};
  },

  'reactions.get': ({ fake, args, actor }) => {
    const channel = resolveChannel(fake, str(args, 'channel'), actor);
    const ts = required(args, 'timestamp', 'no_item_specified');
    const m = fake.message(channel.id, ts);
    if (!m) throw new SlackApiError('message_not_found');
    return { type: 'message', channel: channel.id, message: { ...messageJson(m), reactions: m.reactions } };
  },

  // --- files (upload v2) ----------------------------------------------------------------------

  'files.getUploadURLExternal': ({ fake, args, actor }) => {
    const filename = required(args, 'filename');
    const length = Number(required(args, 'length'));
    if (!Number.isInteger(length) || length < 0)
      throw new SlackApiError('invalid_arguments', { detail: 'length' });
    const id = fake.newId('F');
    const file: FakeFile = {
      id,
      name: filename,
      title: filename,
      altText: str(args, 'alt_txt') ?? str(args, 'alt_text'),
      snippetType: str(args, 'snippet_type'),
      declaredLength: length,
      ...mimeOf(filename),
      completed: false,
      shares: [],
      user: actor,
      created: Math.floor(fake.now() / 1000),
    };
    fake.files.set(id, file);
    return { upload_url: `${fake.url}/upload/v1/${id}`, file_id: id };
  },

  'files.completeUploadExternal': ({ fake, args, actor }) => {
    const list = args.files;
    if (!Array.isArray(list) || list.length === 0)
      throw new SlackApiError('invalid_arguments', { detail: 'files' });
    const files: FakeFile[] = [];
    for (const entry of list as { id?: string; title?: string }[]) {
      const f = entry?.id ? fake.files.get(entry.id) : undefined;
      if (!f || f.bytes === undefined) throw new SlackApiError('file_not_found', { detail: entry?.id });
      if (entry.title) f.title = entry.title;
      files.push(f);
    }
    const channelIds = [str(args, 'channel_id'), ...(str(args, 'channels') ?? '').split(',')]
      .map((c) => c?.trim())
      .filter((c): c is string => Boolean(c));
    const threadTs = str(args, 'thread_ts') || undefined;
    if (threadTs && channelIds.length > 1)
      throw new SlackApiError('invalid_arguments', { detail: 'thread_ts with several channels' });
    const initialComment = str(args, 'initial_comment');
    // Slack ignores blocks when initial_comment is given.
    const blocks = initialComment ? undefined : blocksArg(args);
    const channels = [...new Set(channelIds)].map((ref) => {
      const channel = resolveChannel(fake, ref, actor);
      canPost(channel, actor);
      return channel;
    });
    const share = () => {
      for (const channel of channels) {
        const m = fake.postMessage({
          channel: channel.id,
          text: initialComment ?? '',
          blocks,
          threadTs,
          user: actor,
          botId: BOT_ID,
          files: files.map((f) => f.id),
        });
        for (const f of files) f.shares.push({ channel: channel.id, ts: m.ts, threadTs });
      }
      for (const f of files)
        for (const s of f.shares)
          fake.changed({ type: 'file_shared', file: f, channel: s.channel, ts: s.ts });
    };
    for (const f of files) f.completed = true;
    // Slack shares the file asynchronously: the answer may come before the file's message.
    if (fake.fileShareDelayMs > 0) setTimeout(share, fake.fileShareDelayMs).unref();
    else share();
    return { files: files.map((f) => fileJson(f, fake.url)) };
  },

  'files.info': ({ fake, args }) => {
    const f = fake.files.get(required(args, 'file'));
    if (!f || !f.completed) throw new SlackApiError('file_not_found');
    return { file: fileJson(f, fake.url) };
  },
};
