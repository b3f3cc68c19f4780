// /incident declare <title> [--job J] [--severity sev1|sev2|sev3]: a dedicated channel
// (inc-YYYYMMDD-<job>-<n>) with the requester, the Data Owner and the on-call SRE group invited,
// topic set, summary pinned, runbook bookmarked, checklist posted, escalation timer started, and a
// link from the channel where it was declared. A channel that already has the job's open incident
// (where /triage ran, or a declared incident's own channel) reuses it instead; without --job, so
// does a channel with exactly one open incident.
//
// The ack goes first (well inside Slack's 3 s) and says what is happening; the Slack calls (a dozen,
// several Tier 2) run after it, here in the listener.
import { jobProvider } from '../../src/config/index.js';
import { hasJob, type Incident } from '../../src/store/incidents.js';
import { channelTopic, renderIncidentSummary } from '../../src/slack/blocks/incident.js';
import { refreshChecklistMessage } from '../../src/slack/checklist-message.js';
import { refreshIncidentSummary } from '../../src/slack/incident-summary.js';
import { code, escapeMrkdwn } from '../../src/slack/mrkdwn.js';
import { scheduleEscalation } from '../../src/queue/escalation.js';
import {
  afterAck,
  describeSlackError,
  ephemeral,
  recordCommand,
  reply,
  type IncidentContext,
  type IncidentDeps,
  type IncidentOutcome,
} from './shared.js';
import { slackBlocks } from '../../src/slack/blocks/kit.js';

const MAX_TITLE = 150;
const MAX_CHANNEL_NAME = 80;
const MAX_NAME_ATTEMPTS = 50;
const DECLARE_CLAIM_MS = 60_000;

/** A job (or title) as a channel-name part: lowercase, only a-z 0-9 - _, no leading/trailing dashes. */
export function channelSlug(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9_-]+/g, '-')
    .replace(/-{2,}/g, '-')
    .replace(/^[-_]+|[-_]+$/g, '');
}

/** `inc-YYYYMMDD-<job>-<n>`, at most 80 characters whatever the job name. */
export function incidentChannelName(at: number, subject: string, n: number): string {
  const day = new Date(at).toISOString().slice(0, 10).replace(/-/g, '');
  const head = `inc-${day}-`;
  const tail = `-${n}`;
  const room = MAX_CHANNEL_NAME - head.length - tail.length;
  const slug =
    channelSlug(subject)
      .slice(0, room)
      .replace(/[-_]+$/g, '') || 'incident';
  return `${head}${slug}${tail}`;
}

function slackErrorCode(err: unknown): string | undefined {
  return (err as { data?: { error?: string } })?.data?.error;
}

async function createChannel(
  deps: IncidentDeps,
  at: number,
  subject: string,
): Promise<{ id: string; name: string }> {
  for (let n = 1; n <= MAX_NAME_ATTEMPTS; n++) {
    const name = incidentChannelName(at, subject, n);
    try {
      const res = await deps.slack.conversations.create({ name });
      if (!res.channel?.id) throw new Error('conversations.create returned no channel');
      return { id: res.channel.id, name: res.channel.name ?? name };
    } catch (err) {
      if (slackErrorCode(err) === 'name_taken') continue;
      throw err;
    }
  }
  throw new Error(`no free channel name after ${MAX_NAME_ATTEMPTS} attempts`);
}

async function botUserId(deps: IncidentDeps): Promise<string | undefined> {
  try {
    return (await deps.slack.auth.test()).user_id;
  } catch {
    return undefined;
  }
}

/** Everyone the runbook wants in the room: requester, Data Owner, on-call SRE group members. */
async function peopleToInvite(
  deps: IncidentDeps,
  incident: Incident,
  requester: string,
  problems: string[],
): Promise<string[]> {
  const users = [requester];
  if (incident.dataOwner) users.push(incident.dataOwner);
  if (incident.oncallSre) {
    if (incident.oncallSre.startsWith('S')) {
      try {
        const res = await deps.slack.usergroups.users.list({ usergroup: incident.oncallSre });
        users.push(...(res.users ?? []));
      } catch (err) {
        problems.push(`on-call group members unknown (${describeSlackError(err)})`);
      }
    } else users.push(incident.oncallSre);
  }
  const bot = await botUserId(deps);
  return [...new Set(users)].filter((u) => u && u !== bot);
}

async function invite(
  deps: IncidentDeps,
  channel: string,
  users: string[],
  problems: string[],
): Promise<void> {
  if (!users.length) return;
  try {
    await deps.slack.conversations.invite({ channel, users: users.join(',') });
    return;
  } catch (err) {
    if (slackErrorCode(err) === 'already_in_channel') return;
    deps.logger.info({ err, channel }, 'batch invite failed; inviting one by one');
  }
  for (const user of users) {
    try {
      await deps.slack.conversations.invite({ channel, users: user });
    } catch (err) {
      if (slackErrorCode(err) !== 'already_in_channel')
        problems.push(`could not invite <@${user}> (${describeSlackError(err)})`);
    }
  }
}

/** Each step may fail on its own (a missing scope, a private channel) without stopping the rest. */
async function step(
  ctx: IncidentContext,
  problems: string[],
  what: string,
  fn: () => Promise<unknown>,
): Promise<void> {
  try {
    await fn();
  } catch (err) {
    ctx.deps.logger.warn(
      { err, step: what, channel: ctx.command.channel_id },
      'incident declare step failed',
    );
    problems.push(`${what} failed (${describeSlackError(err)})`);
  }
}

async function setUpRoom(
  ctx: IncidentContext,
  incident: Incident,
  opts: { bookmark: boolean; problems: string[] },
): Promise<Incident> {
  const { deps, command } = ctx;
  const { problems } = opts;
  const users = await peopleToInvite(deps, incident, command.user_id, problems);
  await invite(deps, incident.channel, users, problems);
  await step(ctx, problems, 'setting the topic', () =>
    deps.slack.conversations.setTopic({ channel: incident.channel, topic: channelTopic(incident) }),
  );
  if (!incident.summaryTs) {
    await step(ctx, problems, 'posting the summary', async () => {
      const checklist = await deps.checklists.get(incident.id);
      const msg = renderIncidentSummary(incident, { checklist });
      const res = await deps.slack.chat.postMessage({
        channel: incident.channel,
        text: msg.text,
        blocks: slackBlocks(msg.blocks),
      });
      const ts = res.ts;
      if (!ts) return;
      incident = (await deps.incidents.update(incident.id, (i) => ({ ...i, summaryTs: ts }))) ?? incident;
      await step(ctx, problems, 'pinning the summary', () =>
        deps.slack.pins.add({ channel: incident.channel, timestamp: ts }),
      );
    });
  } else await refreshIncidentSummary(deps, incident.id);
  const runbookUrl = deps.config.medic.slack.runbookUrl;
  if (opts.bookmark && runbookUrl) {
    await step(ctx, problems, 'bookmarking the runbook', () =>
      deps.slack.bookmarks.add({
        channel_id: incident.channel,
        title: 'Runbook: degradación de jobs',
        type: 'link',
        link: runbookUrl,
        emoji: ':book:',
      }),
    );
  }
  await step(ctx, problems, 'posting the checklist', () => refreshChecklistMessage(deps, incident.id));
  await step(ctx, problems, 'scheduling the escalation', () => scheduleEscalation(deps, incident));
  return incident;
}

function summaryOfProblems(problems: string[]): string {
  return problems.length
    ? `\n:warning: Some steps did not work: ${problems.map((p) => `• ${p}`).join(' ')}`
    : '';
}

export async function declare(ctx: IncidentContext): Promise<IncidentOutcome> {
  const { deps, command, ack, flags } = ctx;
  const title = ctx.rest.trim();
  const job = typeof flags.job === 'string' ? flags.job : undefined;
  const severity = (flags.severity as Incident['severity'] | undefined) ?? undefined;
  if (!title) {
    await ack(
      ephemeral(
        ':warning: `/incident declare` needs a title, e.g. `/incident declare MyJob 3x slower --job MyJob --severity sev2`. Nothing was started.',
      ),
    );
    return 'invalid';
  }
  if (title.length > MAX_TITLE) {
    await ack(
      ephemeral(
        `:warning: The title is ${title.length} characters long; at most ${MAX_TITLE}. Nothing was started.`,
      ),
    );
    return 'invalid';
  }
  if (job !== undefined && job.length > 255) {
    await ack(ephemeral(':warning: `--job` is longer than 255 characters. Nothing was started.'));
    return 'invalid';
  }

  // Reused: the job's open incident here, or (without --job) the channel's only open incident.
  // Another job's incident is never taken over: a new one gets its own channel.
  const open = await deps.incidents.openInChannel(command.channel_id);
  const existing = job ? open.find((i) => hasJob(i, job)) : open.length === 1 ? open[0] : undefined;
  if (existing) {
    await ack(
      ephemeral(
        `:information_source: This channel already has an open incident, *${escapeMrkdwn(existing.id)}*; reusing it (title, severity, invites, summary and checklist are brought up to date here).`,
      ),
    );
    await afterAck(ctx, 'declare', async () => {
      const problems: string[] = [];
      const jobCfg = job ? deps.config.medic.jobs[job] : undefined;
      let incident =
        (await deps.incidents.update(existing.id, (i) => ({
          ...i,
          title,
          ...(severity ? { severity } : {}),
          ...(job && !i.job ? { job } : {}),
          ...(!i.dataOwner && jobCfg?.dataOwner ? { dataOwner: jobCfg.dataOwner } : {}),
          ...(!i.oncallSre && deps.config.medic.slack.oncallSre
            ? { oncallSre: deps.config.medic.slack.oncallSre }
            : {}),
        }))) ?? existing;
      await recordCommand(ctx, incident);
      // The bot may only have posted here (chat:write.public); inviting needs it in the channel.
      await deps.slack.conversations.join({ channel: incident.channel }).catch(() => undefined);
      incident = await setUpRoom(ctx, incident, { bookmark: !existing.summaryTs, problems });
      await reply(
        ctx,
        `:white_check_mark: *${escapeMrkdwn(incident.id)}* is this channel's incident.${summaryOfProblems(problems)}`,
      );
    });
    return 'done';
  }

  const claim = `declare-${command.channel_id}`;
  if (!(await deps.incidents.claim(claim, DECLARE_CLAIM_MS))) {
    await ack(
      ephemeral(
        ':hourglass_flowing_sand: An incident is already being declared from this channel; its channel will be linked here in a moment.',
      ),
    );
    return 'duplicate';
  }
  const jobCfg = job ? deps.config.medic.jobs[job] : undefined;
  const oncall = deps.config.medic.slack.oncallSre;
  await ack(
    ephemeral(
      `:rotating_light: Declaring *${escapeMrkdwn(title)}*: creating the incident channel, inviting you${jobCfg?.dataOwner ? `, the Data Owner <@${jobCfg.dataOwner}>` : ''}${oncall ? ` and the on-call SRE group <!subteam^${oncall}>` : ''}, pinning the summary and posting the checklist. It will be linked here in a few seconds.`,
    ),
  );
  await afterAck(ctx, 'declare', async () => {
    try {
      const now = deps.now();
      const created = await createChannel(deps, now, job ?? title);
      const { incident: opened } = await deps.incidents.openForChannel(
        created.id,
        {
          title,
          ...(job ? { job, provider: jobProvider(deps.config.medic, job) } : {}),
          env: deps.config.env.MEDIC_ENV,
          commander: command.user_id,
          ...(severity ? { severity } : {}),
          ...(jobCfg?.dataOwner ? { dataOwner: jobCfg.dataOwner } : {}),
          ...(oncall ? { oncallSre: oncall } : {}),
          channelName: created.name,
          declaredIn: command.channel_id,
        },
        now,
      );
      await deps.timeline.append(opened.id, {
        at: now,
        kind: 'status',
        actor: command.user_id,
        text: `Incident ${opened.id} declared (${opened.severity}, investigating) from <#${command.channel_id}>: ${title}`,
      });
      await recordCommand(ctx, opened);
      const problems: string[] = [];
      const incident = await setUpRoom(ctx, opened, { bookmark: true, problems });
      const linkText = `:rotating_light: <@${command.user_id}> declared *${escapeMrkdwn(incident.id)}* (${incident.severity.toUpperCase()}): ${escapeMrkdwn(title)}${job ? ` — job ${code(job)}` : ''}. Join <#${incident.channel}>.`;
      try {
        await deps.slack.chat.postMessage({ channel: command.channel_id, text: linkText });
      } catch (err) {
        deps.logger.info(
          { err, channel: command.channel_id },
          'could not link the incident from the declaring channel',
        );
        problems.push(`linking it here (${describeSlackError(err)})`);
      }
      await reply(
        ctx,
        `:white_check_mark: *${escapeMrkdwn(incident.id)}* is open in <#${incident.channel}>.${summaryOfProblems(problems)}`,
      );
    } finally {
      await deps.incidents.release(claim);
    }
  });
  return 'done';
}
