// /missing <job|uri> [--from DATE --to DATE]: the missing-data runbook. Validate → enqueue one
// report → ack. The report (jobs/missing.ts) lists the window's partitions, reads footers, and
// checks the runs, the bookmark and the upstream job; it ends with Backfill and Rerun buttons.
import type { SlashCommand } from '@slack/bolt';
import { parseCommand } from './args.js';
import { MISSING } from './specs.js';
import { invalidReply, unavailableReply, usageReply, type Ack } from './reply.js';
import { locationProblem } from './location.js';
import type { Deps } from '../src/deps.js';
import { QueueUnavailableError } from '../src/queue/producers.js';
import { stableId, type MissingPayload } from '../src/queue/payloads.js';
import { code } from '../src/slack/mrkdwn.js';
import { isLocation, MissingDataError, windowDays } from '../src/domain/missing-data.js';
import type { CommandOutcome } from './triage.js';

const JOB_NAME = /^[A-Za-z0-9_.:-]{1,255}$/;

export async function handleMissing(deps: Deps, command: SlashCommand, ack: Ack): Promise<CommandOutcome> {
  const parsed = parseCommand(MISSING, command.text);
  if (parsed.kind === 'help') {
    await ack(usageReply(MISSING));
    return 'help';
  }
  if (parsed.kind === 'error') {
    await ack(invalidReply(MISSING, parsed.message));
    return 'invalid';
  }
  const target = parsed.positional[0]!;
  const { from, to } = parsed.flags as { from?: string; to?: string };
  if ((from && !to) || (to && !from)) {
    await ack(invalidReply(MISSING, 'give both --from and --to, or neither (the 7 days up to yesterday)'));
    return 'invalid';
  }
  if (from && to) {
    try {
      windowDays(from, to);
    } catch (err) {
      if (!(err instanceof MissingDataError)) throw err;
      await ack(invalidReply(MISSING, err.message));
      return 'invalid';
    }
  }
  if (isLocation(target)) {
    const problem = locationProblem(target);
    if (problem) {
      await ack(invalidReply(MISSING, problem));
      return 'invalid';
    }
  } else if (!JOB_NAME.test(target)) {
    await ack(invalidReply(MISSING, `${code(target.slice(0, 80))} is neither a job name nor a storage URI`));
    return 'invalid';
  }
  const payload: MissingPayload = {
    target,
    ...(from && to ? { from, to } : {}),
    requester: { userId: command.user_id, channelId: command.channel_id, teamId: command.team_id },
    requestedAt: deps.now(),
  };
  try {
    const res = await deps.producers.enqueue('missing', payload, {
      dedupId: stableId('missing', command.channel_id, target, from ?? '', to ?? ''),
      dedupTtlMs: 30_000,
    });
    await ack({
      response_type: 'ephemeral',
      text: res.created
        ? `:mag: Looking for missing partitions of ${code(target)}; the report will show in this channel.`
        : `:hourglass_flowing_sand: A missing-data report of ${code(target)} is already being prepared here.`,
    });
    return res.created ? 'queued' : 'duplicate';
  } catch (err) {
    if (!(err instanceof QueueUnavailableError)) throw err;
    deps.logger.error({ err, command: '/missing' }, 'could not enqueue the missing-data report');
    await ack(unavailableReply(MISSING));
    return 'unavailable';
  }
}
