// /smallfiles <uri> [--threshold SIZE] [--compare URI]: validate → enqueue one scan → ack.
import type { SlashCommand } from '@slack/bolt';
import { parseCommand } from './args.js';
import { SMALLFILES } from './specs.js';
import { invalidReply, unavailableReply, usageReply, type Ack } from './reply.js';
import type { Deps } from '../src/deps.js';
import { QueueUnavailableError } from '../src/queue/producers.js';
import { stableId, type SmallFilesPayload } from '../src/queue/payloads.js';
import { locationProblem } from './location.js';
import { code } from '../src/slack/mrkdwn.js';

export async function handleSmallFiles(deps: Deps, command: SlashCommand, ack: Ack): Promise<string> {
  const parsed = parseCommand(SMALLFILES, command.text);
  if (parsed.kind === 'help') {
    await ack(usageReply(SMALLFILES));
    return 'help';
  }
  if (parsed.kind === 'error') {
    await ack(invalidReply(SMALLFILES, parsed.message));
    return 'invalid';
  }
  const uri = parsed.positional[0]!;
  const compare = parsed.flags.compare as string | undefined;
  for (const u of compare ? [uri, compare] : [uri]) {
    const problem = locationProblem(u);
    if (problem) {
      await ack(invalidReply(SMALLFILES, problem));
      return 'invalid';
    }
  }
  const payload: SmallFilesPayload = {
    uri,
    ...(parsed.flags.threshold !== undefined ? { thresholdBytes: parsed.flags.threshold as number } : {}),
    ...(compare ? { compareUri: compare } : {}),
    requester: { userId: command.user_id, channelId: command.channel_id, teamId: command.team_id },
    requestedAt: deps.now(),
  };
  try {
    const res = await deps.producers.enqueue('smallfiles', payload, {
      dedupId: stableId('smallfiles', command.channel_id, uri, compare ?? ''),
      dedupTtlMs: 60_000,
    });
    await ack({
      response_type: 'ephemeral',
      text: res.created
        ? `:mag: Scan of ${code(uri)} queued; progress will show in this channel.`
        : `:hourglass_flowing_sand: A scan of ${code(uri)} is already running in this channel.`,
    });
    return res.created ? 'queued' : 'duplicate';
  } catch (err) {
    if (!(err instanceof QueueUnavailableError)) throw err;
    deps.logger.error({ err, command: '/smallfiles' }, 'could not enqueue scan');
    await ack(unavailableReply(SMALLFILES));
    return 'unavailable';
  }
}
