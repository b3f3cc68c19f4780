// What every /incident action shares: its context, answers after the ack, timeline entries for
// commands, and the "do the Slack work after the ack, log and answer failures" wrapper.
import { decodeSlackText } from '../args.js';
import type { SlashCommand } from '@slack/bolt';
import type { Deps } from '../../src/deps.js';
import type { Ack } from '../reply.js';
import type { FlagValue } from '../args.js';
import type { Providers } from '../../src/providers/ports.js';
import type { Incident } from '../../src/store/incidents.js';
import type { TimelineEntry } from '../../src/store/timeline.js';
import { errorId } from '../../src/logger.js';
import { escapeMrkdwn } from '../../src/slack/mrkdwn.js';
import { isRedisUnavailable, REDIS_UNAVAILABLE } from '../../src/queue/unavailable.js';

/** Listener deps; `providers` is there when bootstrap passes it (the post-mortem's S3 copy needs it). */
export type IncidentDeps = Deps & { providers?: Providers };

export interface IncidentContext {
  deps: IncidentDeps;
  command: SlashCommand;
  ack: Ack;
  /** Words after the action ("declare <title>", "note <text>", "status <status>"). */
  rest: string;
  flags: Record<string, FlagValue>;
}

export type IncidentOutcome =
  'done' | 'queued' | 'invalid' | 'no-incident' | 'unavailable' | 'duplicate' | 'ambiguous';

export function ephemeral(text: string) {
  return { response_type: 'ephemeral' as const, text };
}

export const NO_INCIDENT =
  ':information_source: There is no incident in this channel. `/incident declare <title>` opens one (with its own channel), and so does `/triage <job>` here.';

/**
 * Answer the person who typed the command after the ack: through the response_url (works in
 * any channel), else as an ephemeral message from the bot.
 */
export async function reply(ctx: IncidentContext, text: string): Promise<void> {
  const { command, deps } = ctx;
  try {
    const res = await fetch(command.response_url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ response_type: 'ephemeral', text }),
      signal: AbortSignal.timeout(5000),
    });
    if (res.ok) return;
    throw new Error(`response_url answered ${res.status}`);
  } catch (err) {
    deps.logger.debug({ err }, 'response_url unusable; answering with an ephemeral message');
  }
  try {
    await deps.slack.chat.postEphemeral({ channel: command.channel_id, user: command.user_id, text });
  } catch (err) {
    deps.logger.warn(
      { err, channel: command.channel_id, user: command.user_id },
      'could not answer the user',
    );
  }
}

/** Run the slow part of a command after the ack; a failure is logged and answered with an error id. */
export async function afterAck(ctx: IncidentContext, what: string, work: () => Promise<void>): Promise<void> {
  try {
    await work();
  } catch (err) {
    const id = errorId();
    ctx.deps.logger.error(
      {
        err,
        errorId: id,
        command: '/incident',
        action: what,
        user: ctx.command.user_id,
        channel: ctx.command.channel_id,
      },
      'incident command failed after ack',
    );
    await reply(
      ctx,
      isRedisUnavailable(err)
        ? `${REDIS_UNAVAILABLE} (\`/incident ${what}\`: what was done so far stays done.)`
        : `:warning: \`/incident ${what}\` failed on our side; error id \`${id}\`. What was done so far stays done.`,
    );
  }
}

/** The command itself as a timeline entry. */
export async function recordCommand(ctx: IncidentContext, incident: Incident, text?: string): Promise<void> {
  const entry: TimelineEntry = {
    at: ctx.deps.now(),
    kind: 'command',
    actor: ctx.command.user_id,
    // Slack sends command text entity-encoded; the timeline escapes once when it renders.
    text: text ?? `/incident ${decodeSlackText(ctx.command.text).trim()}`.slice(0, 500),
  };
  await ctx.deps.timeline.append(incident.id, entry);
}

export function describeSlackError(err: unknown): string {
  const code = (err as { data?: { error?: string } })?.data?.error;
  return escapeMrkdwn(code ?? (err as Error)?.message ?? String(err));
}
