// /schema <job|database.table> [--since DATE]: parse → validate → enqueue one schema job → ack.
import type { SlashCommand } from '@slack/bolt';
import { parseCommand } from './args.js';
import { SCHEMA } from './specs.js';
import { invalidReply, unavailableReply, usageReply, type Ack } from './reply.js';
import type { Deps } from '../src/deps.js';
import { QueueUnavailableError } from '../src/queue/producers.js';
import { stableId, type SchemaPayload } from '../src/queue/payloads.js';
import { code } from '../src/slack/mrkdwn.js';
import type { CommandOutcome } from './triage.js';

const TARGET = /^[A-Za-z0-9_.:-]{1,511}$/;

export async function handleSchema(deps: Deps, command: SlashCommand, ack: Ack): Promise<CommandOutcome> {
  const parsed = parseCommand(SCHEMA, command.text);
  if (parsed.kind === 'help') {
    await ack(usageReply(SCHEMA));
    return 'help';
  }
  if (parsed.kind === 'error') {
    await ack(invalidReply(SCHEMA, parsed.message));
    return 'invalid';
  }
  const target = parsed.positional[0]!;
  const cfg = deps.config.medic;
  if (!TARGET.test(target) || (!cfg.jobs[target] && !/^[^.]+\.[^.]+$/.test(target))) {
    await ack(
      invalidReply(SCHEMA, `${code(target.slice(0, 80))} is neither a job of medic.yml nor database.table`),
    );
    return 'invalid';
  }
  const since = parsed.flags.since as string | undefined;
  const payload: SchemaPayload = {
    target,
    ...(since ? { since } : {}),
    requester: { userId: command.user_id, channelId: command.channel_id, teamId: command.team_id },
    requestedAt: deps.now(),
  };
  try {
    const res = await deps.producers.enqueue('schema', payload, {
      dedupId: stableId('schema', command.channel_id, target, since ?? ''),
      dedupTtlMs: 30_000,
    });
    await ack({
      response_type: 'ephemeral',
      text: res.created
        ? `:mag: Schema report of ${code(target)} queued; it will appear in this channel.`
        : `:hourglass_flowing_sand: A schema report of ${code(target)} is already on its way.`,
    });
    return res.created ? 'queued' : 'duplicate';
  } catch (err) {
    if (!(err instanceof QueueUnavailableError)) throw err;
    await ack(unavailableReply(SCHEMA));
    return 'unavailable';
  }
}
