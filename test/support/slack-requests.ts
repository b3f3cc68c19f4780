// Signed requests to a running Bolt receiver, built the way Slack builds them: slash commands and
// interactivity payloads form-encoded, Events API envelopes as JSON, every one signed with
// `v0=` + hex HMAC-SHA256 of `v0:{timestamp}:{raw body}`. Options let a test send a stale
// timestamp or a wrong signature to prove the receiver refuses them.
import { createHmac, randomBytes } from 'node:crypto';

/** Seed ids of the fake workspace (test/support/fake-slack), used as defaults here. */
export const TEAM_ID = 'T0MEDIC';
export const TEAM_DOMAIN = 'pipeline-medic';
export const APP_ID = 'A0MEDIC';
export const BOT_USER_ID = 'U0MEDICBOT';
export const BOT_ID = 'B0MEDIC';
/** The legacy verification token Slack still puts in payloads; Bolt ignores it. */
export const VERIFICATION_TOKEN = 'fakeverificationtoken';
/**
 * A response_url that goes nowhere (loopback, discard port): a test that does not pass its own
 * `fake.newResponseUrl()` can never make the bot reach the Internet.
 */
export const NOWHERE_RESPONSE_URL = 'http://127.0.0.1:9/response-url-not-set';

export interface SignedRequestOptions {
  /** Request timestamp in seconds; default now. Use `now - 301` for a stale request. */
  timestampSec?: number;
  /** Send this signature instead of the correct one (e.g. `v0=deadbeef`), or '' to omit it. */
  signature?: string;
  /** Extra headers, e.g. `X-Slack-Retry-Num`. */
  headers?: Record<string, string>;
  /** Abort (and fail) when the answer takes longer, e.g. Slack's 3,000 ms. */
  timeoutMs?: number;
}

export interface SlackHttpResponse {
  status: number;
  /** The answer parsed as JSON when it is JSON, else the raw text ('' for an empty ack). */
  body: unknown;
  text: string;
  headers: Headers;
}

export interface SlackSignatureHeaders {
  'X-Slack-Signature': string;
  'X-Slack-Request-Timestamp': string;
}

export function nowSec(): number {
  return Math.floor(Date.now() / 1000);
}

/** Slack's request signature: `v0=` + hex HMAC-SHA256(secret, `v0:{ts}:{raw body}`). */
export function signSlackRequest(
  secret: string,
  rawBody: string,
  timestampSec: number = nowSec(),
): SlackSignatureHeaders {
  const hash = createHmac('sha256', secret).update(`v0:${timestampSec}:${rawBody}`).digest('hex');
  return { 'X-Slack-Signature': `v0=${hash}`, 'X-Slack-Request-Timestamp': String(timestampSec) };
}

/** `http://host:port` or `http://host:port/` → `http://host:port/slack/events`. */
export function eventsUrl(baseUrl: string): string {
  return `${baseUrl.replace(/\/+$/, '')}/slack/events`;
}

/** POST a raw body, signed, to `{baseUrl}/slack/events`. */
export async function postSigned(
  baseUrl: string,
  secret: string,
  rawBody: string,
  contentType: string,
  opts: SignedRequestOptions = {},
): Promise<SlackHttpResponse> {
  const signed = signSlackRequest(secret, rawBody, opts.timestampSec ?? nowSec());
  const headers: Record<string, string> = {
    'Content-Type': contentType,
    'X-Slack-Request-Timestamp': signed['X-Slack-Request-Timestamp'],
    'User-Agent': 'Slackbot 1.0 (+https://api.slack.com/robots)',
    ...opts.headers,
  };
  const signature = opts.signature ?? signed['X-Slack-Signature'];
  if (signature !== '') headers['X-Slack-Signature'] = signature;
  const res = await fetch(eventsUrl(baseUrl), {
    method: 'POST',
    headers,
    body: rawBody,
    ...(opts.timeoutMs !== undefined ? { signal: AbortSignal.timeout(opts.timeoutMs) } : {}),
  });
  const text = await res.text();
  let body: unknown = text;
  if (text !== '') {
    try {
      body = JSON.parse(text) as unknown;
    } catch {
      body = text;
    }
  }
  return { status: res.status, body, text, headers: res.headers };
}

/** A trigger_id shaped like Slack's (`digits.digits.hex`). */
export function newTriggerId(): string {
  const n = (): string => String(Math.floor(1e9 + Math.random() * 9e9));
  return `${n()}.${n()}.${randomBytes(16).toString('hex')}`;
}

/** An `action_ts` / `event_ts` shaped like Slack's (`seconds.micros`). */
export function slackTs(ms: number = Date.now()): string {
  const micros = BigInt(Math.floor(ms)) * 1000n + BigInt(Math.floor(Math.random() * 1000));
  const s = micros / 1_000_000n;
  const u = micros % 1_000_000n;
  return `${s}.${u.toString().padStart(6, '0')}`;
}

// ---------------------------------------------------------------------------------------------
// Slash commands

export interface SlashCommandInput {
  command: string;
  text: string;
  userId?: string;
  userName?: string;
  channelId?: string;
  channelName?: string;
  teamId?: string;
  teamDomain?: string;
  triggerId?: string;
  responseUrl?: string;
  apiAppId?: string;
}

/** The seed's channel names, so payloads default to what the fake workspace holds. */
function channelNameOf(channelId: string): string {
  return channelId === 'C0DATAOPS' ? 'data-ops' : channelId.toLowerCase();
}

/** The form fields of a slash command, as Slack sends them. */
export function slashCommandPayload(input: SlashCommandInput): Record<string, string> {
  return {
    token: VERIFICATION_TOKEN,
    team_id: input.teamId ?? TEAM_ID,
    team_domain: input.teamDomain ?? TEAM_DOMAIN,
    channel_id: input.channelId ?? 'C0DATAOPS',
    channel_name: input.channelName ?? channelNameOf(input.channelId ?? 'C0DATAOPS'),
    user_id: input.userId ?? 'U0ONCALL',
    user_name: input.userName ?? 'oncall',
    command: input.command.startsWith('/') ? input.command : `/${input.command}`,
    text: input.text,
    api_app_id: input.apiAppId ?? APP_ID,
    is_enterprise_install: 'false',
    response_url: input.responseUrl ?? NOWHERE_RESPONSE_URL,
    trigger_id: input.triggerId ?? newTriggerId(),
  };
}

export async function sendSlashCommand(
  baseUrl: string,
  secret: string,
  input: SlashCommandInput,
  opts: SignedRequestOptions = {},
): Promise<SlackHttpResponse> {
  const raw = new URLSearchParams(slashCommandPayload(input)).toString();
  return await postSigned(baseUrl, secret, raw, 'application/x-www-form-urlencoded', opts);
}

// ---------------------------------------------------------------------------------------------
// Interactivity: block_actions and view_submission

export interface SlackOption {
  text: { type: 'plain_text' | 'mrkdwn'; text: string; emoji?: boolean };
  value: string;
  description?: { type: 'plain_text' | 'mrkdwn'; text: string };
}

/** `option('Checked logs', 'logs')` → a Block Kit option object. */
export function option(text: string, value: string): SlackOption {
  return { text: { type: 'plain_text', text, emoji: true }, value };
}

export interface BlockActionInput {
  actionId: string;
  /** Button value. */
  value?: string;
  blockId?: string;
  userId: string;
  userName?: string;
  channelId: string;
  channelName?: string;
  /** The ts of the message holding the element; default a fresh ts. */
  messageTs?: string;
  /** The message as Slack includes it in the payload (e.g. `fake.messageJson(channel, ts)`). */
  message?: Record<string, unknown>;
  /** The original was an ephemeral message (Slack then sends no `message`). */
  isEphemeral?: boolean;
  triggerId?: string;
  responseUrl?: string;
  teamId?: string;
  /** Element type; inferred: `selectedOptions` → checkboxes, `selectedOption` → static_select, else button. */
  type?: 'button' | 'checkboxes' | 'static_select' | 'overflow' | 'radio_buttons';
  /** Button text (default: the action id). */
  text?: string;
  /** Checkboxes: every ticked option after this click. */
  selectedOptions?: SlackOption[];
  /** Static select / overflow / radio: the chosen option. */
  selectedOption?: SlackOption;
  /** Extra state values (block_id → action_id → value object), merged with the acting element's. */
  state?: Record<string, Record<string, Record<string, unknown>>>;
  /** The action came from a modal: its view id (and view object, optional). */
  viewId?: string;
  view?: Record<string, unknown>;
}

/** The JSON of a `block_actions` interaction, shaped like Slack's. */
export function blockActionPayload(input: BlockActionInput): Record<string, unknown> {
  const teamId = input.teamId ?? TEAM_ID;
  const blockId = input.blockId ?? `b${randomBytes(3).toString('hex')}`;
  const messageTs = input.messageTs ?? slackTs();
  const type =
    input.type ?? (input.selectedOptions ? 'checkboxes' : input.selectedOption ? 'static_select' : 'button');
  const actionTs = slackTs();

  const action: Record<string, unknown> = { type, action_id: input.actionId, block_id: blockId };
  const stateValue: Record<string, unknown> = { type };
  switch (type) {
    case 'button':
      action.text = { type: 'plain_text', text: input.text ?? input.actionId, emoji: true };
      if (input.value !== undefined) action.value = input.value;
      break;
    case 'checkboxes':
      action.selected_options = input.selectedOptions ?? [];
      stateValue.selected_options = input.selectedOptions ?? [];
      break;
    default:
      action.selected_option = input.selectedOption ?? null;
      stateValue.selected_option = input.selectedOption ?? null;
  }
  action.action_ts = actionTs;

  const values: Record<string, Record<string, Record<string, unknown>>> = { ...input.state };
  if (type !== 'button') values[blockId] = { ...values[blockId], [input.actionId]: stateValue };

  const user = {
    id: input.userId,
    username: input.userName ?? input.userId.toLowerCase(),
    name: input.userName ?? input.userId.toLowerCase(),
    team_id: teamId,
  };
  const fromView = input.viewId !== undefined;
  const payload: Record<string, unknown> = {
    type: 'block_actions',
    user,
    api_app_id: APP_ID,
    token: VERIFICATION_TOKEN,
    container: fromView
      ? { type: 'view', view_id: input.viewId }
      : {
          type: 'message',
          message_ts: messageTs,
          channel_id: input.channelId,
          is_ephemeral: input.isEphemeral ?? false,
        },
    trigger_id: input.triggerId ?? newTriggerId(),
    team: { id: teamId, domain: TEAM_DOMAIN },
    enterprise: null,
    is_enterprise_install: false,
    state: { values },
    actions: [action],
  };
  if (fromView) {
    payload.view = input.view ?? {
      id: input.viewId,
      team_id: teamId,
      type: 'modal',
      blocks: [],
      private_metadata: '',
      callback_id: '',
      state: { values },
      hash: `${nowSec()}.${randomBytes(4).toString('hex')}`,
      app_id: APP_ID,
      bot_id: BOT_ID,
    };
  } else {
    payload.channel = { id: input.channelId, name: input.channelName ?? channelNameOf(input.channelId) };
    if (!input.isEphemeral) {
      payload.message = input.message ?? {
        type: 'message',
        user: BOT_USER_ID,
        bot_id: BOT_ID,
        app_id: APP_ID,
        text: '',
        ts: messageTs,
        team: teamId,
        blocks: [],
      };
    }
    payload.response_url = input.responseUrl ?? NOWHERE_RESPONSE_URL;
  }
  return payload;
}

export async function sendBlockAction(
  baseUrl: string,
  secret: string,
  input: BlockActionInput,
  opts: SignedRequestOptions = {},
): Promise<SlackHttpResponse> {
  return await sendInteraction(baseUrl, secret, blockActionPayload(input), opts);
}

export interface ViewSubmissionInput {
  callbackId: string;
  userId: string;
  userName?: string;
  /** `state.values`: block_id → action_id → `{ type, value | selected_option | selected_options … }`. */
  values: Record<string, Record<string, Record<string, unknown>>>;
  privateMetadata?: string;
  viewId?: string;
  /** The blocks of the submitted view (default none). */
  blocks?: unknown[];
  title?: string;
  teamId?: string;
  triggerId?: string;
}

/** The JSON of a `view_submission` interaction, shaped like Slack's. */
export function viewSubmissionPayload(input: ViewSubmissionInput): Record<string, unknown> {
  const teamId = input.teamId ?? TEAM_ID;
  const viewId = input.viewId ?? `V${randomBytes(5).toString('hex').toUpperCase()}`;
  return {
    type: 'view_submission',
    team: { id: teamId, domain: TEAM_DOMAIN },
    user: {
      id: input.userId,
      username: input.userName ?? input.userId.toLowerCase(),
      name: input.userName ?? input.userId.toLowerCase(),
      team_id: teamId,
    },
    api_app_id: APP_ID,
    token: VERIFICATION_TOKEN,
    trigger_id: input.triggerId ?? newTriggerId(),
    view: {
      id: viewId,
      team_id: teamId,
      type: 'modal',
      blocks: input.blocks ?? [],
      private_metadata: input.privateMetadata ?? '',
      callback_id: input.callbackId,
      state: { values: input.values },
      hash: `${nowSec()}.${randomBytes(4).toString('hex')}`,
      title: { type: 'plain_text', text: input.title ?? 'Pipeline Medic', emoji: true },
      clear_on_close: false,
      notify_on_close: false,
      close: null,
      submit: { type: 'plain_text', text: 'Submit', emoji: true },
      previous_view_id: null,
      root_view_id: viewId,
      app_id: APP_ID,
      external_id: '',
      app_installed_team_id: teamId,
      bot_id: BOT_ID,
    },
    response_urls: [],
    is_enterprise_install: false,
    enterprise: null,
  };
}

export async function sendViewSubmission(
  baseUrl: string,
  secret: string,
  input: ViewSubmissionInput,
  opts: SignedRequestOptions = {},
): Promise<SlackHttpResponse> {
  return await sendInteraction(baseUrl, secret, viewSubmissionPayload(input), opts);
}

/** Any interactivity payload, form-encoded as `payload=<json>` like Slack does. */
export async function sendInteraction(
  baseUrl: string,
  secret: string,
  payload: Record<string, unknown>,
  opts: SignedRequestOptions = {},
): Promise<SlackHttpResponse> {
  const raw = new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
  return await postSigned(baseUrl, secret, raw, 'application/x-www-form-urlencoded', opts);
}

// ---------------------------------------------------------------------------------------------
// Events API

export interface EventOptions extends SignedRequestOptions {
  eventId?: string;
  teamId?: string;
  /** Send as Slack's n-th retry (`X-Slack-Retry-Num`, `X-Slack-Retry-Reason`). */
  retryNum?: number;
  retryReason?: string;
}

/** An Events API `event_callback` envelope around `event`, shaped like Slack's. */
export function eventEnvelope(
  event: Record<string, unknown>,
  opts: { eventId?: string; teamId?: string } = {},
): Record<string, unknown> {
  const teamId = opts.teamId ?? TEAM_ID;
  const eventTs = typeof event.event_ts === 'string' ? event.event_ts : slackTs();
  return {
    token: VERIFICATION_TOKEN,
    team_id: teamId,
    context_team_id: teamId,
    context_enterprise_id: null,
    api_app_id: APP_ID,
    event: { event_ts: eventTs, ...event },
    type: 'event_callback',
    event_id: opts.eventId ?? `Ev${randomBytes(5).toString('hex').toUpperCase()}`,
    event_time: Math.floor(Number(eventTs)),
    authorizations: [
      {
        enterprise_id: null,
        team_id: teamId,
        user_id: BOT_USER_ID,
        is_bot: true,
        is_enterprise_install: false,
      },
    ],
    is_ext_shared_channel: false,
    event_context: `4-${randomBytes(12).toString('base64url')}`,
  };
}

/** Send an event (e.g. `reaction_added`, `app_mention`) inside an `event_callback` envelope. */
export async function sendEvent(
  baseUrl: string,
  secret: string,
  event: Record<string, unknown>,
  opts: EventOptions = {},
): Promise<SlackHttpResponse> {
  const raw = JSON.stringify(eventEnvelope(event, opts));
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.retryNum !== undefined) {
    headers['X-Slack-Retry-Num'] = String(opts.retryNum);
    headers['X-Slack-Retry-Reason'] = opts.retryReason ?? 'http_timeout';
  }
  return await postSigned(baseUrl, secret, raw, 'application/json', { ...opts, headers });
}

/** The Request URL handshake: Slack expects `{ challenge }` back. */
export async function sendUrlVerification(
  baseUrl: string,
  secret: string,
  challenge: string = randomBytes(16).toString('hex'),
  opts: SignedRequestOptions = {},
): Promise<SlackHttpResponse> {
  const raw = JSON.stringify({ token: VERIFICATION_TOKEN, challenge, type: 'url_verification' });
  return await postSigned(baseUrl, secret, raw, 'application/json', opts);
}

/** A `reaction_added` event on a message, as Slack sends it. */
export function reactionAddedEvent(input: {
  userId: string;
  reaction: string;
  channelId: string;
  messageTs: string;
  itemUserId?: string;
}): Record<string, unknown> {
  return {
    type: 'reaction_added',
    user: input.userId,
    reaction: input.reaction,
    item: { type: 'message', channel: input.channelId, ts: input.messageTs },
    item_user: input.itemUserId ?? BOT_USER_ID,
    event_ts: slackTs(),
  };
}

/** An `app_mention` event, as Slack sends it. */
export function appMentionEvent(input: {
  userId: string;
  channelId: string;
  text: string;
  threadTs?: string;
}): Record<string, unknown> {
  const ts = slackTs();
  const event: Record<string, unknown> = {
    type: 'app_mention',
    user: input.userId,
    text: input.text,
    ts,
    channel: input.channelId,
    event_ts: ts,
    team: TEAM_ID,
  };
  if (input.threadTs) event.thread_ts = input.threadTs;
  return event;
}
