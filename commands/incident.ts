// /incident …: lifecycle of the incident in this channel.
import type { SlashCommand } from '@slack/bolt';
import { parseCommand } from './args.js';
import { INCIDENT } from './specs.js';
import { invalidReply, notYetReply, usageReply, type Ack } from './reply.js';
import type { CommandDeps } from './deps.js';

const ACTIONS = ['declare', 'status', 'timeline', 'checklist', 'note', 'escalate', 'resolve', 'postmortem'];

export async function handleIncident(_deps: CommandDeps, command: SlashCommand, ack: Ack): Promise<string> {
  const parsed = parseCommand(INCIDENT, command.text);
  if (parsed.kind === 'help') {
    await ack(usageReply(INCIDENT));
    return 'help';
  }
  if (parsed.kind === 'error') {
    await ack(invalidReply(INCIDENT, parsed.message));
    return 'invalid';
  }
  const action = parsed.positional[0]!.toLowerCase();
  if (!ACTIONS.includes(action)) {
    await ack(invalidReply(INCIDENT, `unknown action "${action}"`));
    return 'invalid';
  }
  await ack(notYetReply(INCIDENT));
  return 'unavailable';
}
