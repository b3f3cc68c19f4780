// The workspace model of the fake Slack: what a test (or the sandbox page) can see and assert on.

export interface FakeUser {
  id: string;
  /** Handle, e.g. `oncall`. */
  name: string;
  realName: string;
  isBot: boolean;
  /** For bot users: the bot id (`B…`) their messages carry. */
  botId?: string;
  deleted?: boolean;
  tz?: string;
}

export interface FakeUsergroup {
  id: string;
  /** Mention handle, e.g. `data-leads` for `<!subteam^S0DATALEADS>`. */
  handle: string;
  name: string;
  users: string[];
}

export interface FakeBookmark {
  id: string;
  channelId: string;
  title: string;
  type: string;
  link?: string;
  emoji?: string;
  dateCreated: number;
}

export interface FakeChannel {
  id: string;
  /** Without `#`. */
  name: string;
  isPrivate: boolean;
  isIm: boolean;
  isArchived: boolean;
  topic: { value: string; creator: string; lastSet: number };
  purpose: { value: string; creator: string; lastSet: number };
  members: string[];
  /** ts of pinned messages, in pin order. */
  pins: string[];
  bookmarks: FakeBookmark[];
  created: number;
  creator: string;
}

export interface FakeReaction {
  name: string;
  users: string[];
  count: number;
}

export interface FakeMessage {
  channel: string;
  ts: string;
  threadTs?: string;
  text: string;
  blocks?: unknown[];
  attachments?: unknown[];
  metadata?: unknown;
  /** Author: a user id (for the bot, its bot user). */
  user: string;
  /** Set when a bot posted it. */
  botId?: string;
  /** Set by chat.update and replace_original. */
  edited?: { user: string; ts: string };
  /** How many times it was replaced in place. */
  updates: number;
  reactions: FakeReaction[];
  /** Ids of files shared with the message. */
  files: string[];
  replyBroadcast?: boolean;
  /** `chat.postMessage` options kept for assertions (unfurl_links, mrkdwn, username, icon_emoji …). */
  options: Record<string, unknown>;
}

export interface FakeEphemeral {
  channel: string;
  /** The only user who sees it. */
  user: string;
  ts: string;
  threadTs?: string;
  text: string;
  blocks?: unknown[];
  attachments?: unknown[];
  /** Set when a response_url replaced it in place. */
  updates: number;
  /** Removed by a `delete_original`; kept in the model (marked) so a test can see it happened. */
  deleted: boolean;
}

export interface FakeFile {
  id: string;
  name: string;
  title: string;
  altText?: string;
  snippetType?: string;
  /** Length announced in files.getUploadURLExternal. */
  declaredLength: number;
  /** The bytes received at the upload URL (undefined until they arrive). */
  bytes?: Buffer;
  mimetype: string;
  filetype: string;
  /** The upload was completed by files.completeUploadExternal. */
  completed: boolean;
  /** Channels it was shared to, and the message ts of each share. */
  shares: { channel: string; ts: string; threadTs?: string }[];
  user: string;
  created: number;
}

export interface FakeView {
  id: string;
  /** The user the modal is open for (undefined when the trigger_id was not issued by the fake). */
  user?: string;
  /** The view as the app sent it (blocks, title, callback_id, private_metadata …). */
  view: Record<string, unknown>;
  hash: string;
  rootViewId: string;
  previousViewId: string | null;
  externalId: string;
  /** How many times views.update replaced it. */
  updates: number;
  /** Closed (submitted or dismissed). */
  closed: boolean;
}

export interface RecordedCall {
  method: string;
  /** Arguments with JSON-stringified fields (blocks, files, view …) parsed back into values. */
  args: Record<string, unknown>;
  /** Bearer token (or `token` argument); undefined when none was sent. */
  token: string | undefined;
  /** Epoch ms when the fake received it. */
  at: number;
  /** HTTP status answered (429 when a rate limit was injected). */
  status: number;
  /** The JSON answered. */
  response: Record<string, unknown>;
}

export interface RecordedResponse {
  /** The response_url id (last path segment). */
  id: string;
  url: string;
  body: Record<string, unknown>;
  at: number;
  /** HTTP status answered: 200, or 404 once used 5 times or after 30 minutes. */
  status: number;
  /** `used_url` / `expired_url` when refused. */
  error?: string;
}

export interface ResponseUrlContext {
  /** Channel the command or the action came from. Default `C0DATAOPS`. */
  channelId?: string;
  /** User who ran the command or clicked. Default `U0ONCALL`. */
  userId?: string;
  /** ts of the message holding the clicked element (for replace_original / delete_original). */
  messageTs?: string;
  /** That message was ephemeral (to `userId`). */
  ephemeral?: boolean;
}

/** What the `change` event carries: one per model change, in order. */
export type FakeSlackChange =
  | { type: 'message_posted'; channel: string; ts: string; message: FakeMessage }
  | { type: 'message_updated'; channel: string; ts: string; message: FakeMessage }
  | { type: 'message_deleted'; channel: string; ts: string }
  | { type: 'ephemeral_posted'; channel: string; user: string; ts: string; message: FakeEphemeral }
  | { type: 'ephemeral_updated'; channel: string; user: string; ts: string; message: FakeEphemeral }
  | { type: 'ephemeral_deleted'; channel: string; user: string; ts: string }
  | { type: 'reaction_added'; channel: string; ts: string; name: string; user: string }
  | { type: 'reaction_removed'; channel: string; ts: string; name: string; user: string }
  | { type: 'channel_created'; channel: FakeChannel }
  | { type: 'channel_updated'; channel: FakeChannel }
  | { type: 'members_joined'; channel: string; users: string[] }
  | { type: 'pin_added'; channel: string; ts: string }
  | { type: 'bookmark_added'; channel: string; bookmark: FakeBookmark }
  | { type: 'file_uploaded'; file: FakeFile }
  | { type: 'file_shared'; file: FakeFile; channel: string; ts: string }
  | { type: 'view_opened'; view: FakeView }
  | { type: 'view_updated'; view: FakeView }
  | { type: 'view_pushed'; view: FakeView }
  | { type: 'view_closed'; view: FakeView }
  | { type: 'user_added'; user: FakeUser }
  | { type: 'usergroup_added'; usergroup: FakeUsergroup }
  | { type: 'reset' };

export interface FakeUserSeed {
  id: string;
  name: string;
  realName?: string;
  isBot?: boolean;
  botId?: string;
  tz?: string;
}

export interface FakeUsergroupSeed {
  id: string;
  handle: string;
  name?: string;
  users: string[];
}

export interface FakeChannelSeed {
  id: string;
  name: string;
  isPrivate?: boolean;
  topic?: string;
  purpose?: string;
  members?: string[];
}

/** Where the app listens, as Slack knows it: its Request URL and signing secret (the sandbox page). */
export interface SlackAppTarget {
  /** `http://127.0.0.1:3000/slack/events` (or the base URL; `/slack/events` is added). */
  requestUrl: string;
  signingSecret: string;
  /** Slash commands the app declares (its manifest); others answer "not a valid command". */
  commands?: string[];
}

export interface FakeSlackOptions {
  /**
   * Slack's per-channel posting limit (the "special" tier of chat.postMessage: about one message a
   * second per channel, short bursts allowed): chat.postMessage calls past `perSecond` per channel
   * (bursts of `burst`, a token bucket; thread replies count in their channel) answer HTTP 429
   * with Retry-After 1. chat.update is not limited per channel (Slack: Tier 3, per workspace);
   * model that with `methodRateLimits`. Default: none.
   */
  channelRateLimit?: { perSecond: number; burst: number };
  /**
   * Slack's tiers: a workspace-wide limit per method (a token bucket of `burst` refilled at
   * `perMinute`), e.g. `{ 'chat.update': { perMinute: 50, burst: 10 } }` for Tier 3 and
   * `{ 'chat.postEphemeral': { perMinute: 100, burst: 30 } }` for Tier 4. Past it: HTTP 429 with
   * Retry-After 1. Default: none.
   */
  methodRateLimits?: Record<string, { perMinute: number; burst: number }>;
  /** Listen port on 127.0.0.1; 0 (default) picks a free one. */
  port?: number;
  host?: string;
  /** Replace the default users / user groups / channels of the seed (each list separately). */
  users?: FakeUserSeed[];
  usergroups?: FakeUsergroupSeed[];
  channels?: FakeChannelSeed[];
  /**
   * Accepted tokens. Default: any `xoxb-`/`xoxp-`/`xoxa-` token. A token outside the list answers
   * `invalid_auth`; no token answers `not_authed`.
   */
  tokens?: string[];
  /** How long a trigger_id issued by `newTriggerId` stays valid (Slack: 3 s). */
  triggerTtlMs?: number;
  /**
   * Share uploaded files this long after files.completeUploadExternal answers, as Slack does
   * (asynchronously): messages posted meanwhile land above the file. Default 0: at once.
   */
  fileShareDelayMs?: number;
  /** The app the page's commands, clicks and reactions go to (also `connectApp` later). */
  app?: SlackAppTarget;
}

/** `fake.snapshot()`: the workspace as plain JSON; messages rendered as the Web API renders them. */
export interface FakeSlackSnapshot {
  teamId: string;
  botUserId: string;
  users: FakeUser[];
  usergroups: FakeUsergroup[];
  channels: (FakeChannel & { messages: Record<string, unknown>[] })[];
  ephemerals: FakeEphemeral[];
  views: FakeView[];
  files: Record<string, unknown>[];
}
