// The three answers every command shares: usage, an input error with the usage, and "the queue
// is unavailable, nothing was started". All ephemeral: only the person who typed sees them.
import type { RespondArguments } from '@slack/bolt';
import { escapeMrkdwn } from '../src/slack/mrkdwn.js';
import { shown, type CommandSpec } from './args.js';

export type Ack = (response?: string | RespondArguments) => Promise<void>;

export function usageReply(spec: CommandSpec): RespondArguments {
  return { response_type: 'ephemeral', text: spec.usage };
}

/**
 * The problem as the reply says it: a quoted argument longer than 200 characters is cut ("…"),
 * bidi controls are removed, and the whole stays short whatever was typed.
 */
export function problemText(problem: string): string {
  return shown(
    problem.replace(/"([^"]{201,})"/g, (_, quoted: string) => `"${shown(quoted)}"`),
    1000,
  );
}

export function invalidReply(spec: CommandSpec, problem: string): RespondArguments {
  return {
    response_type: 'ephemeral',
    text: `:warning: ${escapeMrkdwn(problemText(problem))}. Nothing was started.\n\n${spec.usage}`,
  };
}

export function unavailableReply(spec: CommandSpec): RespondArguments {
  return {
    response_type: 'ephemeral',
    text: `:x: The queue is unavailable, nothing was started. Try \`${spec.name}\` again in a minute; if it persists, Redis is down.`,
  };
}
