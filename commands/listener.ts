// Wraps a slash-command handler: times the ack, counts the outcome, and turns an unexpected
// failure into an ephemeral answer with an error id instead of a Slack "dispatch_failed".
import type { App, SlashCommand, RespondArguments } from '@slack/bolt';
import { errorId } from '../src/logger.js';
import type { Deps } from '../src/deps.js';
import type { Ack } from './reply.js';
import { isRedisUnavailable, REDIS_UNAVAILABLE } from '../src/queue/unavailable.js';

export type CommandHandler = (deps: Deps, command: SlashCommand, ack: Ack) => Promise<string>;

export function registerCommand(app: App, deps: Deps, name: string, handler: CommandHandler): void {
  const label = name.replace(/^\//, '');
  app.command(name, async ({ command, ack, context }) => {
    let acked = false;
    const once: Ack = async (response?: string | RespondArguments) => {
      acked = true;
      await ack(response as RespondArguments);
      const receivedAt = (context as { receivedAt?: number }).receivedAt;
      if (receivedAt) deps.metrics.ackLatency.observe({ command: label }, (Date.now() - receivedAt) / 1000);
    };
    try {
      const outcome = await handler(deps, command, once);
      deps.metrics.commands.inc({ command: label, outcome });
    } catch (err) {
      const id = errorId();
      const redisDown = isRedisUnavailable(err);
      deps.logger.error(
        { err, errorId: id, command: name, user: command.user_id, channel: command.channel_id },
        redisDown ? 'command failed: redis unavailable' : 'command failed',
      );
      deps.metrics.commands.inc({ command: label, outcome: redisDown ? 'unavailable' : 'error' });
      const text = redisDown
        ? REDIS_UNAVAILABLE
        : `:warning: Something went wrong on our side; error id \`${id}\`. Nothing was started.`;
      if (!acked) await ack({ response_type: 'ephemeral', text });
    }
  });
}
