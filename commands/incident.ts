// /incident <action> …: lifecycle of the incident in this channel. This file only validates and
// dispatches; each action lives in commands/incident/<action>.ts.
import type { SlashCommand } from '@slack/bolt';
import { parseCommand, shown } from './args.js';
import { INCIDENT } from './specs.js';
import { invalidReply, usageReply, type Ack } from './reply.js';
import { REDIS_UNAVAILABLE } from '../src/queue/unavailable.js';
import type { Deps } from '../src/deps.js';
import type { Incident } from '../src/store/incidents.js';
import { NO_INCIDENT, ephemeral, type IncidentContext, type IncidentOutcome } from './incident/shared.js';
import { declare } from './incident/declare.js';
import { status } from './incident/status.js';
import { timeline } from './incident/timeline.js';
import { checklist } from './incident/checklist.js';
import { note } from './incident/note.js';
import { escalate } from './incident/escalate.js';
import { resolve } from './incident/resolve.js';
import { postmortem } from './incident/postmortem.js';
import { whichIncidentText } from '../src/slack/blocks/incident-choice.js';
import { code } from '../src/slack/mrkdwn.js';

type OnIncident = (ctx: IncidentContext, incident: Incident) => Promise<IncidentOutcome>;

const ON_INCIDENT: Record<string, OnIncident> = {
  status,
  timeline,
  checklist,
  note,
  escalate,
  resolve,
  postmortem,
};
const ACTIONS = ['declare', ...Object.keys(ON_INCIDENT)];

/** Flags each action takes; any other is an input error. */
const FLAGS_OF: Record<string, string[]> = {
  declare: ['job', 'severity'],
  ...Object.fromEntries(Object.keys(ON_INCIDENT).map((a) => [a, ['incident']])),
  resolve: ['cause', 'incident'],
};

export async function handleIncident(deps: Deps, command: SlashCommand, ack: Ack): Promise<string> {
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
    await ack(invalidReply(INCIDENT, `unknown action "${shown(action, 60)}"`));
    return 'invalid';
  }
  const misplaced = Object.keys(parsed.flags).filter((f) => !(FLAGS_OF[action] ?? []).includes(f));
  if (misplaced.length) {
    await ack(invalidReply(INCIDENT, `--${shown(misplaced[0] ?? '', 60)} does not apply to "${action}"`));
    return 'invalid';
  }
  // Every action reads the incident from Redis: when its connection is down, say so at once
  // rather than after a command timeout.
  if (deps.state.status !== 'ready') {
    await ack(ephemeral(REDIS_UNAVAILABLE));
    return 'unavailable';
  }
  const ctx: IncidentContext = { deps, command, ack, rest: parsed.positional[1] ?? '', flags: parsed.flags };
  if (action === 'declare') return await declare(ctx);
  const chosen = await whichIncident(ctx, action);
  if (typeof chosen === 'string') return chosen;
  return await ON_INCIDENT[action]!(ctx, chosen);
}

/**
 * The incident a command is about: the one `--incident` names (of this channel), else the
 * channel's only open one, else its newest resolved one. With several open, it asks which.
 */
async function whichIncident(ctx: IncidentContext, action: string): Promise<Incident | IncidentOutcome> {
  const { deps, command, ack, flags } = ctx;
  const channel = command.channel_id;
  if (typeof flags.incident === 'string') {
    const id = flags.incident.trim().toUpperCase();
    const named = /^INC-\d{8}-\d{1,9}$/.test(id) ? await deps.incidents.get(id) : undefined;
    if (!named || named.channel !== channel) {
      await ack(
        ephemeral(
          `:warning: ${code(flags.incident.slice(0, 40))} is not an incident of this channel. Nothing was changed.`,
        ),
      );
      return 'invalid';
    }
    return named;
  }
  const all = await deps.incidents.inChannel(channel);
  const open = all.filter((i) => i.status !== 'resolved');
  if (open.length > 1) {
    await ack(ephemeral(whichIncidentText(action, open)));
    return 'ambiguous';
  }
  const incident = open[0] ?? all[0];
  if (!incident) {
    await ack(ephemeral(NO_INCIDENT));
    return 'no-incident';
  }
  return incident;
}
