// /backfill <job> --from DATE --to DATE: the safe backfill flow.
import type { SlashCommand } from '@slack/bolt';
import { parseCommand } from './args.js';
import { BACKFILL } from './specs.js';
import { invalidReply, notYetReply, usageReply, type Ack } from './reply.js';
import type { CommandDeps } from './deps.js';

export async function handleBackfill(_deps: CommandDeps, command: SlashCommand, ack: Ack): Promise<string> {
  const parsed = parseCommand(BACKFILL, command.text);
  if (parsed.kind === 'help') {
    await ack(usageReply(BACKFILL));
    return 'help';
  }
  if (parsed.kind === 'error') {
    await ack(invalidReply(BACKFILL, parsed.message));
    return 'invalid';
  }
  const { from, to } = parsed.flags as { from?: string; to?: string };
  if (!from || !to) {
    await ack(invalidReply(BACKFILL, 'both --from and --to are required'));
    return 'invalid';
  }
  if (from > to) {
    await ack(invalidReply(BACKFILL, `--from ${from} is after --to ${to}`));
    return 'invalid';
  }
  await ack(notYetReply(BACKFILL));
  return 'unavailable';
}
