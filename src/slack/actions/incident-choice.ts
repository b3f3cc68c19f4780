// Which incident a triage belongs to. `/triage <job>` in a channel holding other jobs' open
// incidents asks first (commands/triage.ts): "Add to INC-…" (medic.incident.triage-add) or "Open a
// new incident" (medic.incident.triage-new) enqueue the triage with that choice. A report whose
// verdict opened no incident (HEALTHY, INSUFFICIENT HISTORY) offers "Declare anyway"
// (medic.incident.declare-anyway), which opens the job's incident in that channel with what the
// triage found.
import { randomBytes } from 'node:crypto';
import type { App, BlockAction, ButtonAction } from '@slack/bolt';
import { z } from 'zod';
import type { Deps } from '../../deps.js';
import { errorId } from '../../logger.js';
import { QueueUnavailableError } from '../../queue/producers.js';
import { stableId, TriagePayload } from '../../queue/payloads.js';
import { scheduleEscalation } from '../../queue/escalation.js';
import { hasJob, TriageSnapshot, type Incident } from '../../store/incidents.js';
import { verdictLabel, verdictText } from '../../domain/format.js';
import { code, escapeMrkdwn } from '../mrkdwn.js';
import { refreshChecklistMessage } from '../checklist-message.js';
import { context, slackBlocks, type Block } from '../blocks/kit.js';
import {
  DECLARE_ANYWAY_ACTION_ID,
  TRIAGE_ADD_ACTION_ID,
  TRIAGE_NEW_ACTION_ID,
} from '../blocks/incident-choice.js';
import type { TriageReportModel } from '../blocks/triage-report.js';

const ASK_TTL_SEC = 3600;
const SNAPSHOT_TTL_SEC = 7 * 86_400;

type StateDeps = Pick<Deps, 'state' | 'config'>;

const askKey = (deps: StateDeps, id: string) => `${deps.config.env.MEDIC_PREFIX}:triage-ask:${id}`;
const snapshotKey = (deps: StateDeps, id: string) => `${deps.config.env.MEDIC_PREFIX}:triage-snapshot:${id}`;

/**
 * How long the look-up of the channel's open incidents may take before the triage goes ahead.
 * With Redis frozen the enqueue after it waits its own 1.5 s too: both must end before the
 * receiver's 2.5 s watchdog answers "still working", so the user hears "unavailable" instead.
 */
const LOOKUP_MS = 500;

/**
 * The channel's open incidents that are about other jobs, when the job has none of its own here:
 * then the requester says whether the triage is part of one of them (`/triage`, and "Triage now"
 * on a monitor alert). An empty list when Redis is not answering (the enqueue then says the queue
 * is unavailable).
 */
export async function otherJobsIncidents(deps: Deps, channel: string, job: string): Promise<Incident[]> {
  if (deps.state.status !== 'ready') return [];
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<Incident[]>((r) => (timer = setTimeout(() => r([]), LOOKUP_MS)));
  try {
    return await Promise.race([
      deps.incidents.openInChannel(channel).then((open) => (open.some((i) => hasJob(i, job)) ? [] : open)),
      timeout,
    ]);
  } catch (err) {
    deps.logger.warn({ err, channel }, 'could not read the channel incidents; triaging without asking');
    return [];
  } finally {
    clearTimeout(timer);
  }
}

/** Keeps the triage a question is about (an hour), so the buttons carry only a short id. */
export async function saveTriageAsk(deps: StateDeps, payload: TriagePayload): Promise<string> {
  const id = randomBytes(9).toString('base64url');
  await deps.state.set(askKey(deps, id), JSON.stringify(payload), 'EX', ASK_TTL_SEC);
  return id;
}

/** What a triage that opened no incident found, for its "Declare anyway" (a week). */
export async function saveTriageSnapshot(
  deps: StateDeps,
  triageJobId: string,
  snapshot: TriageSnapshot,
): Promise<void> {
  await deps.state.set(snapshotKey(deps, triageJobId), JSON.stringify(snapshot), 'EX', SNAPSHOT_TTL_SEC);
}

const DeclareValue = z.object({
  j: z.string().min(1).max(255),
  p: z.string().optional(),
  e: z.string().optional(),
  k: z.string().max(200).optional(),
  v: z.string().max(40).optional(),
});

/** The "Declare anyway" button's value: job, platform, environment, verdict, triage job id. */
export function declareAnywayValue(
  p: Pick<TriagePayload, 'job'>,
  model: Pick<TriageReportModel, 'provider' | 'env' | 'verdict'>,
  triageJobId: string | undefined,
): string {
  return JSON.stringify({
    j: p.job,
    p: model.provider,
    e: model.env,
    ...(triageJobId ? { k: triageJobId } : {}),
    ...(model.verdict ? { v: model.verdict.verdict } : {}),
  });
}

async function tell(deps: Deps, body: BlockAction, text: string): Promise<void> {
  const channel = body.channel?.id ?? body.container?.channel_id;
  const url = (body as { response_url?: string }).response_url;
  if (url) {
    try {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ response_type: 'ephemeral', replace_original: true, text }),
        signal: AbortSignal.timeout(5000),
      });
      if (res.ok) return;
    } catch (err) {
      deps.logger.debug({ err }, 'response_url unusable; answering with an ephemeral message');
    }
  }
  if (channel)
    await deps.slack.chat
      .postEphemeral({ channel, user: body.user.id, text })
      .catch((err: unknown) => deps.logger.warn({ err, channel }, 'ephemeral answer failed'));
}

export type TriageChoiceOutcome = 'queued' | 'duplicate' | 'expired' | 'unavailable';

/** "Add to INC-…" / "Open a new incident": the triage the question was about, with that choice. */
export async function handleTriageChoice(
  deps: Deps,
  body: BlockAction,
  value: string,
  mode: 'add' | 'new',
): Promise<TriageChoiceOutcome> {
  const [askId = '', incidentId] = value.split('|');
  const raw = /^[A-Za-z0-9_-]{1,40}$/.test(askId) ? await deps.state.get(askKey(deps, askId)) : null;
  const parsed = raw ? TriagePayload.safeParse(JSON.parse(raw)) : undefined;
  if (!parsed?.success) {
    await tell(
      deps,
      body,
      ':hourglass: This question is too old; run `/triage <job>` again. Nothing was started.',
    );
    return 'expired';
  }
  const p: TriagePayload = {
    ...parsed.data,
    requester: { ...parsed.data.requester, userId: body.user.id },
    requestedAt: deps.now(),
    incident: mode === 'add' && incidentId ? { mode, id: incidentId } : { mode: 'new' },
  };
  try {
    const res = await deps.producers.enqueue('triage', p, {
      dedupId: stableId('triage', p.requester.channelId, p.job),
      dedupTtlMs: 60_000,
    });
    await deps.state.del(askKey(deps, askId));
    const where =
      mode === 'add' && incidentId
        ? `it is part of *${escapeMrkdwn(incidentId)}*`
        : 'a new incident is opened if the verdict is DEGRADED or FAILING';
    await tell(
      deps,
      body,
      res.created
        ? `:mag: Triage of ${code(p.job)} queued (${where}); the report will appear in this channel in a few seconds.`
        : `:hourglass_flowing_sand: A triage of ${code(p.job)} is already running in this channel; its report will appear here.`,
    );
    return res.created ? 'queued' : 'duplicate';
  } catch (err) {
    if (!(err instanceof QueueUnavailableError)) throw err;
    deps.logger.error({ err, user: body.user.id }, 'could not enqueue the chosen triage');
    await tell(deps, body, ':x: The queue is unavailable, nothing was started. Try again in a minute.');
    return 'unavailable';
  }
}

export type DeclareAnywayOutcome = 'opened' | 'exists' | 'invalid';

/** "Declare anyway": the job's incident in this channel, with what its triage found. */
export async function handleDeclareAnyway(
  deps: Deps,
  body: BlockAction,
  value: string,
): Promise<DeclareAnywayOutcome> {
  const channel = body.channel?.id ?? body.container?.channel_id;
  let v: z.infer<typeof DeclareValue> | undefined;
  try {
    v = DeclareValue.parse(JSON.parse(value));
  } catch {
    v = undefined;
  }
  if (!v || !channel) {
    await tell(deps, body, ':warning: This button is stale; use `/incident declare <title> --job <job>`.');
    return 'invalid';
  }
  const user = body.user.id;
  const now = deps.now();
  const cfg = deps.config.medic;
  const jobCfg = cfg.jobs[v.j];
  const verdict = v.v ? verdictLabel(v.v) : 'a healthy';
  const { incident, created } = await deps.incidents.openForChannel(
    channel,
    {
      title: `${v.j} degradation (declared after a ${verdict} triage)`,
      job: v.j,
      ...(v.p === 'glue' || v.p === 'synapse' ? { provider: v.p } : {}),
      env: v.e ?? deps.config.env.MEDIC_ENV,
      commander: user,
      ...(jobCfg?.dataOwner ? { dataOwner: jobCfg.dataOwner } : {}),
      ...(cfg.slack.oncallSre ? { oncallSre: cfg.slack.oncallSre } : {}),
    },
    now,
  );
  if (!created) {
    await tell(
      deps,
      body,
      `:information_source: ${code(v.j)} already has an open incident here, *${escapeMrkdwn(incident.id)}*.`,
    );
    return 'exists';
  }
  await deps.timeline.append(incident.id, {
    at: now,
    kind: 'status',
    actor: user,
    job: v.j,
    text: `Incident ${incident.id} declared anyway by <@${user}> after a ${verdict} triage of ${v.j} (investigating)`,
  });
  const raw = v.k ? await deps.state.get(snapshotKey(deps, v.k)) : null;
  const snap = raw ? TriageSnapshot.safeParse(JSON.parse(raw)) : undefined;
  if (snap?.success) {
    const s = snap.data;
    await deps.incidents.update(incident.id, (i) => ({
      ...i,
      latest: s,
      latestByJob: { ...i.latestByJob, [v.j]: s },
    }));
    await deps.timeline.append(incident.id, {
      at: s.at,
      kind: 'report',
      actor: 'medic',
      job: v.j,
      text: `Triage report of ${v.j}: ${verdictText(s.verdict, s.summary)}`,
    });
  }
  await scheduleEscalation(deps, incident);
  await refreshChecklistMessage(deps, incident.id).catch((err: unknown) =>
    deps.logger.warn({ err, incidentId: incident.id }, 'could not post the checklist'),
  );
  // The report no longer offers it: it says who declared what.
  const msg = body.message as { ts?: string; text?: string; blocks?: Block[] } | undefined;
  if (msg?.ts && Array.isArray(msg.blocks)) {
    // The clicked block (a storm reply carrying several reports numbers its copies
    // `medic-declare-anyway~N`) gives way to who declared what; the other reports stay as they are.
    const clicked = body.actions?.[0]?.block_id ?? 'medic-declare-anyway';
    const declared = context(
      `:rotating_light: <@${user}> declared *${escapeMrkdwn(incident.id)}* for ${code(v.j)}.`,
    );
    const at = msg.blocks.findIndex((b) => (b as { block_id?: string }).block_id === clicked);
    const blocks = [...msg.blocks];
    if (at >= 0) blocks.splice(at, 1, declared);
    else blocks.push(declared);
    await deps.slack.chat
      .update({ channel, ts: msg.ts, text: msg.text ?? '', blocks: slackBlocks(blocks) })
      .catch((err: unknown) => deps.logger.warn({ err, channel }, 'could not update the report'));
  }
  await tell(
    deps,
    body,
    `:rotating_light: *${escapeMrkdwn(incident.id)}* is open for ${code(v.j)} in this channel; its checklist follows.`,
  );
  return 'opened';
}

export function registerIncidentChoice(app: App, deps: Deps): void {
  const guard =
    (what: string, fn: (body: BlockAction, value: string) => Promise<unknown>) =>
    async ({ ack, body, action }: { ack: () => Promise<void>; body: BlockAction; action: ButtonAction }) => {
      await ack();
      try {
        await fn(body, action.value ?? '');
      } catch (err) {
        const id = errorId();
        deps.logger.error({ err, errorId: id, user: body.user.id }, `${what} failed`);
        await tell(deps, body, `:warning: That did not work on our side; error id \`${id}\`. Try again.`);
      }
    };
  app.action<BlockAction<ButtonAction>>(
    new RegExp(`^${TRIAGE_ADD_ACTION_ID.replace(/\./g, '\\.')}(\\..+)?$`),
    guard('triage add-to-incident', (body, value) => handleTriageChoice(deps, body, value, 'add')),
  );
  app.action<BlockAction<ButtonAction>>(
    TRIAGE_NEW_ACTION_ID,
    guard('triage new-incident', (body, value) => handleTriageChoice(deps, body, value, 'new')),
  );
  app.action<BlockAction<ButtonAction>>(
    DECLARE_ANYWAY_ACTION_ID,
    guard('declare anyway', (body, value) => handleDeclareAnyway(deps, body, value)),
  );
}
