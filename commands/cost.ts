// /cost <job | tag=value> [--days N]: parse → validate → enqueue one report → ack, well inside 3 s.
// Whether the job or the tag exists is the worker's to find out (it asks the platform and answers
// with "did you mean"); what can be refused without a cloud call is refused here.
import type { SlashCommand } from '@slack/bolt';
import { parseCommand } from './args.js';
import { COST } from './specs.js';
import { invalidReply, unavailableReply, usageReply, type Ack } from './reply.js';
import type { Deps } from '../src/deps.js';
import { QueueUnavailableError } from '../src/queue/producers.js';
import { stableId, type CostPayload } from '../src/queue/payloads.js';
import { formatTagSelector, parseTagSelector, type TagSelector } from '../src/domain/tags.js';
import { code } from '../src/slack/mrkdwn.js';

const MAX_JOB_NAME = 255;
export const DEFAULT_COST_DAYS = 30;

export type CostRequest = { subject: { job: string } | { tag: TagSelector }; days: number };

/** Validate /cost text (shared with `medic cost`), or say what is wrong. */
export function validateCost(
  text: string,
): { ok: true; request: CostRequest } | { ok: false; help: boolean; problem?: string } {
  const parsed = parseCommand(COST, text);
  if (parsed.kind === 'help') return { ok: false, help: true };
  if (parsed.kind === 'error') return { ok: false, help: false, problem: parsed.message };
  const word = parsed.positional[0]!;
  const days = (parsed.flags.days as number | undefined) ?? DEFAULT_COST_DAYS;
  if (word.includes('=')) {
    const t = parseTagSelector(word);
    if (!t.ok) return { ok: false, help: false, problem: t.problem };
    return { ok: true, request: { subject: { tag: t.selector }, days } };
  }
  if (word.length > MAX_JOB_NAME)
    return {
      ok: false,
      help: false,
      problem: `the job name is ${word.length} characters long; at most ${MAX_JOB_NAME}`,
    };
  return { ok: true, request: { subject: { job: word }, days } };
}

export function costSubjectLabel(r: CostRequest): string {
  return 'job' in r.subject ? r.subject.job : formatTagSelector(r.subject.tag);
}

export async function handleCost(deps: Deps, command: SlashCommand, ack: Ack): Promise<string> {
  const v = validateCost(command.text);
  if (!v.ok) {
    await ack(v.help ? usageReply(COST) : invalidReply(COST, v.problem ?? 'invalid input'));
    return v.help ? 'help' : 'invalid';
  }
  const label = costSubjectLabel(v.request);
  const payload: CostPayload = {
    kind: 'report',
    subject: v.request.subject,
    days: v.request.days,
    requester: { userId: command.user_id, channelId: command.channel_id, teamId: command.team_id },
    requestedAt: deps.now(),
  };
  try {
    // The same report asked again in the same channel within 30 s is one report.
    const res = await deps.producers.enqueue('cost', payload, {
      dedupId: stableId('cost', command.channel_id, label, String(v.request.days)),
      dedupTtlMs: 30_000,
    });
    await ack({
      response_type: 'ephemeral',
      text: res.created
        ? `:moneybag: Cost of ${code(label)} over ${v.request.days} days queued; the report will appear in this channel.`
        : `:hourglass_flowing_sand: That cost report is already being prepared in this channel.`,
    });
    return res.created ? 'queued' : 'duplicate';
  } catch (err) {
    if (!(err instanceof QueueUnavailableError)) throw err;
    deps.logger.error({ err, command: '/cost', user: command.user_id }, 'could not enqueue a cost report');
    await ack(unavailableReply(COST));
    return 'unavailable';
  }
}
