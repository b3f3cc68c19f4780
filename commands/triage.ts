// /triage <job> …: parse → validate → enqueue one triage job → ack, well inside Slack's 3 s.
import type { SlashCommand } from '@slack/bolt';
import { parseCommand } from './args.js';
import { locationProblem, SAS_PROBLEM } from './location.js';
import { TRIAGE } from './specs.js';
import { invalidReply, unavailableReply, usageReply, type Ack } from './reply.js';
import type { Deps } from '../src/deps.js';
import { QueueUnavailableError } from '../src/queue/producers.js';
import { stableId, type TriagePayload } from '../src/queue/payloads.js';
import { code } from '../src/slack/mrkdwn.js';
import type { ProviderName } from '../src/providers/names.js';
import { otherJobsIncidents, saveTriageAsk } from '../src/slack/actions/incident-choice.js';
import { renderTriageQuestion } from '../src/slack/blocks/incident-choice.js';
import { slackBlocks } from '../src/slack/blocks/kit.js';

const MAX_JOB_NAME = 255;

export type CommandOutcome = 'queued' | 'duplicate' | 'help' | 'invalid' | 'unavailable' | 'asked';

/** Validate /triage text into a payload (without requester), or say what is wrong. */
export function validateTriage(
  text: string,
):
  | { ok: true; request: Omit<TriagePayload, 'requester' | 'requestedAt'> }
  | { ok: false; help: boolean; problem?: string } {
  const parsed = parseCommand(TRIAGE, text);
  if (parsed.kind === 'help') return { ok: false, help: true };
  if (parsed.kind === 'error') return { ok: false, help: false, problem: parsed.message };
  const job = parsed.positional[0]!;
  if (job.length > MAX_JOB_NAME) {
    return {
      ok: false,
      help: false,
      problem: `the job name is ${job.length} characters long; at most ${MAX_JOB_NAME}`,
    };
  }
  const f = parsed.flags;
  if (typeof f.input === 'string' && !/^(s3|abfss|az|https):\/\/\S+$/.test(f.input)) {
    return {
      ok: false,
      help: false,
      problem: `--input must be an s3://, https://, abfss:// or az:// location`,
    };
  }
  if (typeof f.input === 'string') {
    // The same check as /smallfiles: a SAS token (a credential that must not reach job data or
    // the channel), a location the scanners can read, no "." or ".." segments.
    const problem = locationProblem(f.input);
    if (problem) {
      return {
        ok: false,
        help: false,
        problem:
          problem === SAS_PROBLEM
            ? `--input must be a location without a query string (a SAS token is a credential; the bot uses its own access)`
            : `--input: ${problem}`,
      };
    }
  }
  return {
    ok: true,
    request: {
      job,
      ...(f.provider ? { provider: f.provider as ProviderName } : {}),
      ...(f.env ? { env: f.env as 'dev' | 'staging' | 'prod' } : {}),
      ...(f.runs !== undefined ? { runs: f.runs as number } : {}),
      ...(f.threshold !== undefined ? { thresholdPct: f.threshold as number } : {}),
      ...(f.consecutive !== undefined ? { consecutiveRuns: f.consecutive as number } : {}),
      ...(f.input ? { input: f.input as string } : {}),
    },
  };
}

export async function handleTriage(deps: Deps, command: SlashCommand, ack: Ack): Promise<CommandOutcome> {
  const v = validateTriage(command.text);
  if (!v.ok) {
    await ack(v.help ? usageReply(TRIAGE) : invalidReply(TRIAGE, v.problem ?? 'invalid input'));
    return v.help ? 'help' : 'invalid';
  }
  const payload: TriagePayload = {
    ...v.request,
    requester: { userId: command.user_id, channelId: command.channel_id, teamId: command.team_id },
    requestedAt: deps.now(),
  };
  // Another job's incident is open here: never take it over, ask.
  const others = await otherJobsIncidents(deps, command.channel_id, v.request.job);
  if (others.length) {
    try {
      const askId = await saveTriageAsk(deps, payload);
      const q = renderTriageQuestion(v.request.job, others, askId);
      await ack({ response_type: 'ephemeral', text: q.text, blocks: slackBlocks(q.blocks) });
      return 'asked';
    } catch (err) {
      deps.logger.warn(
        { err, channel: command.channel_id },
        'could not ask about the incident; triaging apart',
      );
      payload.incident = { mode: 'new' };
    }
  }
  try {
    // The same job triaged in the same channel within 60 s is one triage (double submits and
    // impatient retries), whatever the flags.
    const res = await deps.producers.enqueue('triage', payload, {
      dedupId: stableId('triage', command.channel_id, v.request.job),
      dedupTtlMs: 60_000,
    });
    await ack({
      response_type: 'ephemeral',
      text: res.created
        ? `:mag: Triage of ${code(v.request.job)} queued; the report will appear in this channel in a few seconds.`
        : `:hourglass_flowing_sand: A triage of ${code(v.request.job)} is already running in this channel; its report will appear here.`,
    });
    return res.created ? 'queued' : 'duplicate';
  } catch (err) {
    if (!(err instanceof QueueUnavailableError)) throw err;
    deps.logger.error({ err, command: '/triage', user: command.user_id }, 'could not enqueue triage');
    await ack(unavailableReply(TRIAGE));
    return 'unavailable';
  }
}
