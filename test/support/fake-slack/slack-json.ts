// The model rendered as the Web API's JSON objects (conversation, user, message, file, view).
import { APP_ID, BOT_ID, TEAM_ID } from './seed.js';
import type { FakeChannel, FakeEphemeral, FakeFile, FakeMessage, FakeUser, FakeView } from './types.js';

export function channelJson(c: FakeChannel, viewer?: string): Record<string, unknown> {
  return {
    id: c.id,
    name: c.name,
    is_channel: !c.isPrivate && !c.isIm,
    is_group: c.isPrivate,
    is_im: c.isIm,
    is_mpim: false,
    is_private: c.isPrivate || c.isIm,
    created: c.created,
    is_archived: c.isArchived,
    is_general: false,
    unlinked: 0,
    name_normalized: c.name,
    is_shared: false,
    is_org_shared: false,
    is_ext_shared: false,
    is_pending_ext_shared: false,
    pending_shared: [],
    context_team_id: TEAM_ID,
    creator: c.creator,
    is_member: viewer ? c.members.includes(viewer) : false,
    num_members: c.members.length,
    topic: { value: c.topic.value, creator: c.topic.creator, last_set: c.topic.lastSet },
    purpose: { value: c.purpose.value, creator: c.purpose.creator, last_set: c.purpose.lastSet },
    previous_names: [],
  };
}

export function userJson(u: FakeUser): Record<string, unknown> {
  return {
    id: u.id,
    team_id: TEAM_ID,
    name: u.name,
    deleted: u.deleted ?? false,
    real_name: u.realName,
    tz: u.tz ?? 'Europe/London',
    tz_label: 'Greenwich Mean Time',
    tz_offset: 0,
    is_admin: false,
    is_owner: false,
    is_bot: u.isBot,
    is_app_user: false,
    updated: 1700000000,
    profile: {
      real_name: u.realName,
      real_name_normalized: u.realName,
      display_name: u.name,
      display_name_normalized: u.name,
      team: TEAM_ID,
      ...(u.botId ? { bot_id: u.botId } : {}),
    },
  };
}

/**
 * A message as Slack answers it. `metadata`: false leaves its message metadata out, as
 * conversations.history / replies do unless called with `include_all_metadata`.
 */
export function messageJson(
  m: FakeMessage,
  files: FakeFile[] = [],
  baseUrl = '',
  opts: { metadata?: boolean } = {},
): Record<string, unknown> {
  const out: Record<string, unknown> = {
    type: 'message',
    text: m.text,
    user: m.user,
    ts: m.ts,
    team: TEAM_ID,
  };
  if (m.botId) {
    out.bot_id = m.botId;
    out.app_id = APP_ID;
  }
  if (m.blocks) out.blocks = m.blocks;
  if (m.attachments) out.attachments = m.attachments;
  if (m.metadata && opts.metadata !== false) out.metadata = m.metadata;
  if (m.threadTs) out.thread_ts = m.threadTs;
  if (m.edited) out.edited = { ...m.edited };
  if (m.reactions.length > 0) out.reactions = m.reactions.map((r) => ({ ...r, users: [...r.users] }));
  if (files.length > 0) {
    out.files = files.map((f) => fileJson(f, baseUrl));
    out.upload = true;
  }
  return out;
}

export function ephemeralJson(e: FakeEphemeral): Record<string, unknown> {
  const out: Record<string, unknown> = { type: 'message', subtype: 'bot_message', text: e.text, ts: e.ts };
  out.bot_id = BOT_ID;
  if (e.blocks) out.blocks = e.blocks;
  if (e.threadTs) out.thread_ts = e.threadTs;
  return out;
}

export function fileJson(f: FakeFile, baseUrl: string): Record<string, unknown> {
  const urlPrivate = `${baseUrl}/files/${f.id}/${encodeURIComponent(f.name)}`;
  const channels = [...new Set(f.shares.map((s) => s.channel))];
  const out: Record<string, unknown> = {
    id: f.id,
    created: f.created,
    timestamp: f.created,
    name: f.name,
    title: f.title,
    mimetype: f.mimetype,
    filetype: f.filetype,
    pretty_type: f.filetype.toUpperCase(),
    user: f.user,
    user_team: TEAM_ID,
    editable: false,
    size: f.bytes?.length ?? f.declaredLength,
    mode: 'hosted',
    is_external: false,
    external_type: '',
    is_public: channels.some((c) => c.startsWith('C')),
    public_url_shared: false,
    display_as_bot: false,
    username: '',
    url_private: urlPrivate,
    url_private_download: `${urlPrivate}?download=1`,
    permalink: urlPrivate,
    channels: channels.filter((c) => c.startsWith('C')),
    groups: channels.filter((c) => c.startsWith('G')),
    ims: channels.filter((c) => c.startsWith('D')),
    comments_count: 0,
  };
  if (f.altText) out.alt_txt = f.altText;
  const shares: Record<string, Record<string, unknown[]>> = { public: {}, private: {} };
  for (const s of f.shares) {
    const bucket = s.channel.startsWith('C') ? 'public' : 'private';
    (shares[bucket]![s.channel] ??= []).push({ ts: s.ts, ...(s.threadTs ? { thread_ts: s.threadTs } : {}) });
  }
  if (f.shares.length > 0) out.shares = shares;
  return out;
}

export function viewJson(v: FakeView): Record<string, unknown> {
  const body = v.view;
  return {
    id: v.id,
    team_id: TEAM_ID,
    type: body.type ?? 'modal',
    blocks: body.blocks ?? [],
    private_metadata: body.private_metadata ?? '',
    callback_id: body.callback_id ?? '',
    state: { values: {} },
    hash: v.hash,
    title: body.title ?? null,
    clear_on_close: body.clear_on_close ?? false,
    notify_on_close: body.notify_on_close ?? false,
    close: body.close ?? null,
    submit: body.submit ?? null,
    previous_view_id: v.previousViewId,
    root_view_id: v.rootViewId,
    app_id: APP_ID,
    external_id: v.externalId,
    app_installed_team_id: TEAM_ID,
    bot_id: BOT_ID,
  };
}
