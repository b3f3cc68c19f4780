// Escalation (runbook "Escalamiento"): when the mitigation has not resolved the incident within
// 60–120 minutes, notify the Data Owner and the on-call SRE with logs, metrics and the steps
// already executed. Opening an incident schedules a delayed job (src/queue/escalation.ts, shared
// with the commands); resolving or reaching "monitoring" removes it, and this processor checks the
// status again when it fires.
//
// Each notification (channel post, Data Owner DM, PagerDuty event) is recorded on the incident
// as it is done, so a retried or restarted job never sends one twice.
import { UnrecoverableError, type Job } from 'bullmq';
import type { WebClient } from '@slack/web-api';
import type { AppConfig } from '../src/config/index.js';
import type { Logger } from '../src/logger.js';
import type { Processor } from '../src/queue/workers.js';
import type { EscalationPayload } from '../src/queue/payloads.js';
import { escalateAfterMinutes } from '../src/queue/escalation.js';
import type { Incident, IncidentStore } from '../src/store/incidents.js';
import type { Timeline } from '../src/store/timeline.js';
import type { ChecklistStore } from '../src/store/checklist-store.js';
import { renderEscalation } from '../src/slack/blocks/incident.js';
import { refreshIncidentSummary } from '../src/slack/incident-summary.js';
import { namesForEntries } from '../src/slack/user-names.js';
import { checklistProgress } from '../src/domain/checklist.js';
import { slackBlocks } from '../src/slack/blocks/kit.js';

export interface EscalationDeps {
  config: AppConfig;
  logger: Logger;
  slack: WebClient;
  incidents: IncidentStore;
  timeline: Timeline;
  checklists: ChecklistStore;
  now: () => number;
  /** fetch for the PagerDuty Events API (tests may pass their own). */
  fetch?: typeof fetch;
}

const PD_SEVERITY: Record<Incident['severity'], 'critical' | 'error' | 'warning'> = {
  sev1: 'critical',
  sev2: 'error',
  sev3: 'warning',
};

/** PagerDuty Events API v2 trigger; the dedup_key is the incident id, so re-triggers group. */
export function pagerDutyEvent(
  routingKey: string,
  incident: Incident,
  details: { reason: string; steps: number; checklist: string; channelLink?: string },
): Record<string, unknown> {
  const l = incident.latest;
  return {
    routing_key: routingKey,
    event_action: 'trigger',
    dedup_key: incident.id,
    payload: {
      summary: `${incident.id} ${incident.severity.toUpperCase()}: ${incident.title}`.slice(0, 1024),
      source: `pipeline-medic${incident.job ? `/${incident.job}` : ''}`.slice(0, 255),
      severity: PD_SEVERITY[incident.severity],
      timestamp: new Date(incident.openedAt).toISOString(),
      ...(incident.job ? { component: incident.job } : {}),
      group: incident.env,
      class: 'job-degradation',
      custom_details: {
        incident: incident.id,
        status: incident.status,
        reason: details.reason,
        channel: incident.channelName ?? incident.channel,
        data_owner: incident.dataOwner,
        verdict: l?.verdict,
        summary: l?.summary,
        findings: l?.findings.map((f) => `${f.cause} (${f.confidence})`),
        problematic_run_ids: l?.problematicRunIds,
        error_signatures: l?.signatures?.map((s) => `${s.category} ×${s.count}`),
        metrics: l?.metrics,
        steps_executed: details.steps,
        checklist: details.checklist,
      },
    },
    client: 'Pipeline Medic',
    ...(details.channelLink ? { client_url: details.channelLink } : {}),
  };
}

async function sendPagerDuty(
  deps: EscalationDeps,
  body: Record<string, unknown>,
  log: Logger,
): Promise<void> {
  const pd = deps.config.medic.pagerduty;
  if (!pd) return;
  const res = await (deps.fetch ?? fetch)(pd.url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(10_000),
  });
  if (res.ok) {
    log.info({ status: res.status }, 'pagerduty event sent');
    return;
  }
  const text = (await res.text().catch(() => '')).slice(0, 300);
  // 4xx (bad key, bad event) will not get better with retries; 429 and 5xx will.
  if (res.status >= 400 && res.status < 500 && res.status !== 429) {
    log.error({ status: res.status, body: text }, 'pagerduty refused the event');
    return;
  }
  throw new Error(`pagerduty answered ${res.status}`);
}

export type EscalationOutcome = 'escalated' | 'skipped' | 'unknown-incident';

/** Run one escalation: channel post mentioning the on-call group, Data Owner DM, PagerDuty. */
export async function runEscalation(
  deps: EscalationDeps,
  payload: EscalationPayload,
  key: string,
  log: Logger = deps.logger,
): Promise<EscalationOutcome> {
  let incident = await deps.incidents.get(payload.incidentId);
  if (!incident) {
    log.warn({ incidentId: payload.incidentId }, 'escalation for an unknown incident');
    return 'unknown-incident';
  }
  if (incident.status === 'resolved' || (payload.reason === 'timer' && incident.status === 'monitoring')) {
    log.info(
      { incidentId: incident.id, status: incident.status },
      'escalation skipped: incident is ' + incident.status,
    );
    return 'skipped';
  }
  if (incident.escalation?.key === key && incident.escalation.doneAt) return 'skipped';
  const now = deps.now();
  if (incident.escalation?.key !== key) {
    incident =
      (await deps.incidents.update(incident.id, (i) =>
        i.escalation?.key === key
          ? undefined
          : {
              ...i,
              escalation: {
                key,
                reason: payload.reason,
                ...(payload.requestedBy ? { by: payload.requestedBy } : {}),
                startedAt: now,
              },
              escalations: (i.escalations ?? 0) + 1,
            },
      )) ?? incident;
  }
  const esc = incident.escalation!;
  const [entries, checklist] = await Promise.all([
    deps.timeline.list(incident.id),
    deps.checklists.get(incident.id),
  ]);
  const names = await namesForEntries(deps.slack, entries.slice(-15));
  const model = {
    names,
    incident,
    reason: payload.reason,
    ...(payload.requestedBy ? { requestedBy: payload.requestedBy } : {}),
    openMinutes: Math.max(0, Math.round((now - incident.openedAt) / 60_000)),
    timeline: entries,
    checklist,
  };
  const record = async (patch: Partial<NonNullable<Incident['escalation']>>) => {
    incident =
      (await deps.incidents.update(incident!.id, (i) =>
        i.escalation?.key === key ? { ...i, escalation: { ...i.escalation, ...patch } } : undefined,
      )) ?? incident;
  };

  if (!esc.channelTs) {
    const msg = renderEscalation(model, 'channel');
    const res = await deps.slack.chat.postMessage({
      channel: incident.channel,
      text: msg.text,
      blocks: slackBlocks(msg.blocks),
    });
    await record({ channelTs: res.ts ?? '' });
  }
  let channelLink: string | undefined;
  if (incident.summaryTs) {
    channelLink = await deps.slack.chat
      .getPermalink({ channel: incident.channel, message_ts: incident.summaryTs })
      .then((r) => r.permalink)
      .catch(() => undefined);
  }
  if (incident.dataOwner && !esc.dmTs) {
    try {
      const dm = await deps.slack.conversations.open({ users: incident.dataOwner });
      const dmChannel = dm.channel?.id;
      if (!dmChannel) throw new Error('conversations.open returned no channel');
      const msg = renderEscalation(
        { ...model, ...(channelLink ? { summaryLink: channelLink } : {}) },
        'owner',
      );
      const res = await deps.slack.chat.postMessage({
        channel: dmChannel,
        text: msg.text,
        blocks: slackBlocks(msg.blocks),
      });
      await record({ dmTs: res.ts ?? '' });
    } catch (err) {
      // The channel post already mentions the Data Owner; a DM that cannot be sent is logged.
      log.warn({ err, incidentId: incident.id }, 'could not DM the Data Owner');
    }
  }
  if (deps.config.medic.pagerduty && !esc.pagedAt) {
    const p = checklistProgress(checklist);
    const body = pagerDutyEvent(deps.config.medic.pagerduty.routingKey, incident, {
      reason:
        payload.reason === 'timer'
          ? 'open past escalateAfterMinutes'
          : `escalated by ${payload.requestedBy ?? 'a user'}`,
      steps: entries.length,
      checklist: `${p.done}/${p.total}`,
      ...(channelLink ? { channelLink } : {}),
    });
    await sendPagerDuty(deps, body, log);
    await record({ pagedAt: deps.now() });
  }
  await deps.timeline.append(
    incident.id,
    {
      at: now,
      kind: 'escalation',
      actor: payload.reason === 'manual' && payload.requestedBy ? payload.requestedBy : 'medic',
      text:
        payload.reason === 'timer'
          ? `Escalated automatically after ${escalateAfterMinutes(deps.config, incident.job)} min: on-call SRE${incident.dataOwner ? ' and Data Owner' : ''} notified${deps.config.medic.pagerduty ? ', PagerDuty triggered' : ''}`
          : `Escalated on request: on-call SRE${incident.dataOwner ? ' and Data Owner' : ''} notified${deps.config.medic.pagerduty ? ', PagerDuty triggered' : ''}`,
    },
    `escalation-${key}`,
  );
  await record({ doneAt: deps.now() });
  await refreshIncidentSummary(deps, incident.id);
  log.info({ incidentId: incident.id, reason: payload.reason }, 'incident escalated');
  return 'escalated';
}

/** The 'escalation' queue's processor. */
export function createEscalationProcessor(deps: EscalationDeps): Processor<'escalation'> {
  return async (job: Job<EscalationPayload>, log: Logger) => {
    if (!job.id) throw new UnrecoverableError('escalation job without an id');
    return await runEscalation(deps, job.data, job.id, log);
  };
}
