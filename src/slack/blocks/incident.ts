// Incident messages in Block Kit: the pinned summary, the escalation (channel and Data Owner DM),
// timeline pages and the resolution. Pure: model in, blocks out; every user or cloud string escaped.
import { jobsOf, type Incident } from '../../store/incidents.js';
import type { TimelineEntry } from '../../store/timeline.js';
import type { Checklist } from '../../domain/checklist.js';
import { checklistProgress } from '../../domain/checklist.js';
import {
  formatUnitHours,
  formatDuration,
  formatNumber,
  formatUsd,
  plural,
  verdictText,
} from '../../domain/format.js';
import { code, escapeMrkdwn, link, slackDate, slackDatesIn, truncate } from '../mrkdwn.js';
import {
  actions,
  button,
  capBlocks,
  chunkLines,
  context,
  divider,
  fields,
  header,
  section,
  type Block,
} from './kit.js';

export const TIMELINE_PAGE_ACTION_ID = 'medic.timeline.page';
export const TIMELINE_NEWER_ACTION_ID = 'medic.timeline.newer';
/** Timeline entries per message: 40 short lines fit in a few sections, far below 50 blocks. */
export const TIMELINE_PAGE_SIZE = 40;

const STATUS_EMOJI: Record<Incident['status'], string> = {
  investigating: ':mag:',
  mitigating: ':hammer_and_wrench:',
  monitoring: ':eyes:',
  resolved: ':white_check_mark:',
};

/** Display names by user id: people listed by name are not pinged (see slack/user-names). */
export type Names = ReadonlyMap<string, string>;

/** A person without a mention: their display name when known, else their id. */
function named(actor: string, names: Names | undefined): string {
  if (actor === 'medic') return 'Pipeline Medic';
  const name = names?.get(actor);
  return name ? `@${escapeMrkdwn(name)}` : escapeMrkdwn(actor);
}

function who(actor: string | undefined): string {
  if (!actor) return '—';
  if (actor === 'medic') return 'Pipeline Medic';
  if (/^S[A-Z0-9]+$/.test(actor)) return `<!subteam^${actor}>`;
  return /^[UW][A-Z0-9]+$/.test(actor) ? `<@${actor}>` : escapeMrkdwn(actor);
}

export function channelTopic(incident: Incident): string {
  const parts = [
    `${incident.severity.toUpperCase()}`,
    // The topic renders mentions like a message does: user text is escaped.
    escapeMrkdwn(incident.title),
    jobsOf(incident).length ? `job ${escapeMrkdwn(jobsOf(incident).join(', '))}` : undefined,
    `status ${incident.status}`,
    incident.id,
  ].filter(Boolean);
  return truncate(parts.join(' · '), 250);
}

/** The summary posted (and pinned) in the incident channel, updated in place on every change. */
export function renderIncidentSummary(
  incident: Incident,
  extra: { checklist?: Checklist; now?: number } = {},
): { text: string; blocks: Block[] } {
  const f = [
    `*Status*\n${STATUS_EMOJI[incident.status]} ${incident.status}`,
    `*Severity*\n${incident.severity.toUpperCase()}`,
    `*Job*\n${jobsOf(incident).length ? jobsOf(incident).map(code).join(', ') : '—'}${incident.provider ? ` (${incident.provider})` : ''}`,
    `*Environment*\n${escapeMrkdwn(incident.env)}`,
    `*Commander*\n${who(incident.commander)}`,
    `*Data Owner*\n${who(incident.dataOwner)}`,
    `*On-call SRE*\n${who(incident.oncallSre)}`,
    `*Opened*\n${slackDate(incident.openedAt)}`,
  ];
  if (incident.mitigatedAt !== undefined)
    f.push(`*Time to mitigate*\n${formatDuration((incident.mitigatedAt - incident.openedAt) / 1000)}`);
  if (incident.resolvedAt !== undefined)
    f.push(`*Time to resolve*\n${formatDuration((incident.resolvedAt - incident.openedAt) / 1000)}`);
  const blocks: Block[] = [header(`${incident.id}: ${incident.title}`), fields(f.slice(0, 10))];
  // Each job's own latest triage (a record of one job written before that kept only `latest`).
  const triages = incident.latestByJob
    ? jobsOf(incident).flatMap((j) => (incident.latestByJob?.[j] ? [incident.latestByJob[j]] : []))
    : incident.latest
      ? [incident.latest]
      : [];
  for (const l of triages.slice(0, 5)) {
    const of = l.job && jobsOf(incident).length > 1 ? ` of ${code(l.job)}` : '';
    const lines = [`*Latest triage${of}:* ${escapeMrkdwn(verdictText(l.verdict, l.summary))}`];
    for (const finding of l.findings.slice(0, 3))
      lines.push(`• ${escapeMrkdwn(finding.cause)} (${escapeMrkdwn(finding.confidence)})`);
    blocks.push(section(lines.join('\n')));
  }
  if (incident.cause) blocks.push(section(`*Cause:* ${escapeMrkdwn(incident.cause)}`));
  const notes: string[] = [];
  if (extra.checklist) {
    const p = checklistProgress(extra.checklist);
    notes.push(`Checklist ${p.done}/${p.total}`);
  }
  if (incident.escalations) notes.push(`escalated ${plural(incident.escalations, 'time')}`);
  notes.push('`/incident status` · `note` · `timeline` · `escalate` · `resolve --cause …` · `postmortem`');
  blocks.push(context(notes.join(' · ')));
  return {
    text: `${incident.id} (${incident.severity.toUpperCase()}, ${incident.status}): ${escapeMrkdwn(incident.title)}`,
    blocks: capBlocks(blocks),
  };
}

export interface EscalationModel {
  incident: Incident;
  reason: 'timer' | 'manual';
  requestedBy?: string;
  /** Minutes the incident has been open. */
  openMinutes: number;
  timeline: TimelineEntry[];
  checklist: Checklist;
  /** Permalink of the incident channel's summary, for the DM. */
  summaryLink?: string;
  /** Names of the people on the timeline, so listing the steps does not ping them all. */
  names?: Names;
}

function signatureLines(incident: Incident): string[] {
  const l = incident.latest;
  const out: string[] = [];
  for (const s of l?.signatures?.slice(0, 5) ?? []) {
    const excerpt = s.excerpt ? ` — ${code(truncate(s.excerpt.replace(/\s+/g, ' '), 200))}` : '';
    out.push(`• ${escapeMrkdwn(s.category)} ×${formatNumber(s.count, 0)}${excerpt}`);
  }
  if (l?.problematicRunIds.length)
    out.push(
      `• Problematic runs: ${l.problematicRunIds.slice(0, 10).map(code).join(', ')}${l.problematicRunIds.length > 10 ? ` and ${l.problematicRunIds.length - 10} more` : ''}`,
    );
  for (const ln of l?.links?.slice(0, 8) ?? []) out.push(`• ${link(ln.url, ln.label)}`);
  return out;
}

function metricLines(incident: Incident): string[] {
  const m = incident.latest?.metrics;
  if (!m) return [];
  const out: string[] = [];
  if (m.baselineSeconds !== undefined) {
    const recent = m.recentSeconds?.length
      ? `, recent runs ${m.recentSeconds.slice(0, 10).map(formatDuration).join(', ')}`
      : '';
    out.push(`• Duration: baseline ${formatDuration(m.baselineSeconds)}${recent}`);
  }
  if (m.usageHoursPerRun !== undefined) {
    const unit = m.usageUnit ?? 'DPU';
    out.push(
      `• ${escapeMrkdwn(unit)}: ${formatUnitHours(m.usageHoursPerRun, unit)} a run${m.baselineUsageHoursPerRun !== undefined ? ` against ${formatUnitHours(m.baselineUsageHoursPerRun, unit)} at baseline` : ''}`,
    );
  }

  if (m.costPerRunUsd !== undefined)
    out.push(
      `• Cost: ${formatUsd(m.costPerRunUsd)} a run${m.baselineCostPerRunUsd !== undefined ? ` against ${formatUsd(m.baselineCostPerRunUsd)} at baseline` : ''}${m.extraCostUsd !== undefined ? `; ${formatUsd(m.extraCostUsd)} extra so far` : ''}`,
    );
  if (m.failedRuns !== undefined || m.lateRuns !== undefined)
    out.push(
      `• Runs: ${formatNumber(m.failedRuns ?? 0, 0)} failed, ${formatNumber(m.lateRuns ?? 0, 0)} late`,
    );
  return out;
}

/** One timeline entry as a mrkdwn line. */
export function timelineEntryLine(e: TimelineEntry, names?: Names): string {
  const when = slackDate(e.at);
  // Entries may name people and channels as <@U…> / <#C…>: those stay links, everything else is escaped.
  // With names, people in the text are named rather than mentioned (no ping).
  const text = slackDatesIn(
    truncate(escapeMrkdwn(e.text.replace(/\s+/g, ' ')), 240).replace(
      /&lt;([@#])([UWC][A-Z0-9]{2,})&gt;/g,
      (_m, sigil: string, id: string) => (sigil === '@' && names ? named(id, names) : `<${sigil}${id}>`),
    ),
  );
  const ref = e.link ? ` ${link(e.link, 'link')}` : '';
  const actor = names ? named(e.actor, names) : who(e.actor);
  const job = e.job ? ` · ${code(e.job)}` : '';
  return `${when} ${actor}${job} · _${e.kind}_ · ${text}${ref}`;
}

export function checklistLines(checklist: Checklist): string[] {
  return checklist.items.map(
    (i) =>
      `${i.done ? ':white_check_mark:' : ':white_large_square:'} ${escapeMrkdwn(i.text)}${i.done && i.doneBy ? ` — ${who(i.doneBy)}` : ''}`,
  );
}

/** What the runbook asks an escalation to carry: logs, metrics, steps already executed, checklist. */
export function renderEscalation(
  model: EscalationModel,
  audience: 'channel' | 'owner',
): { text: string; blocks: Block[] } {
  const { incident } = model;
  const mentions = [
    incident.oncallSre ? who(incident.oncallSre) : undefined,
    incident.dataOwner ? who(incident.dataOwner) : undefined,
  ]
    .filter(Boolean)
    .join(' ');
  const why =
    model.reason === 'timer'
      ? `open for ${formatDuration(model.openMinutes * 60)} without resolution (runbook: escalate after 60–120 min)`
      : `escalated by ${who(model.requestedBy)}`;
  const intro =
    audience === 'channel'
      ? `:rotating_light: ${mentions ? `${mentions} ` : ''}*${escapeMrkdwn(incident.id)}* needs help: ${why}.`
      : `:rotating_light: You are the Data Owner of ${incident.job ? code(incident.job) : 'this job'}. *${escapeMrkdwn(incident.id)}* is escalated: ${why}. Incident channel: <#${incident.channel}>${model.summaryLink ? ` (${link(model.summaryLink, 'summary')})` : ''}.`;
  const blocks: Block[] = [
    header(`Escalation: ${incident.id} · ${incident.severity.toUpperCase()}`),
    section(intro),
    section(
      `*${escapeMrkdwn(incident.title)}* — status ${incident.status}${incident.job ? `, job ${code(incident.job)}` : ''}`,
    ),
  ];
  if (incident.latest) {
    blocks.push(
      section(
        `*Verdict${incident.latest.job ? ` of ${code(incident.latest.job)}` : ''}:* ${escapeMrkdwn(verdictText(incident.latest.verdict, incident.latest.summary))}`,
      ),
    );
  }
  const logs = signatureLines(incident);
  blocks.push(
    section(
      `*Logs*\n${logs.length ? logs.join('\n') : '_No log signatures recorded yet (run `/triage <job>`)._'}`,
    ),
  );
  const metrics = metricLines(incident);
  blocks.push(
    section(`*Metrics*\n${metrics.length ? metrics.join('\n') : '_No run metrics recorded yet._'}`),
  );
  if (incident.latest?.findings.length)
    blocks.push(
      section(
        `*Probable causes*\n${incident.latest.findings
          .slice(0, 5)
          .map((f, i) => `${i + 1}. ${escapeMrkdwn(f.cause)} (${escapeMrkdwn(f.confidence)})`)
          .join('\n')}`,
      ),
    );
  const steps = model.timeline.filter((e) => e.kind !== 'escalation');
  const shown = steps.slice(-15);
  const stepChunks = chunkLines(
    [
      `*Steps already executed* (${plural(steps.length, 'entry', 'entries')}${steps.length > shown.length ? `, last ${shown.length}` : ''})`,
      ...(shown.length
        ? shown.map((e) => timelineEntryLine(e, model.names ?? new Map()))
        : ['_Nothing on the timeline yet._']),
    ],
    2900,
  );
  for (const c of stepChunks.slice(0, 4)) blocks.push(section(c));
  const p = checklistProgress(model.checklist);
  blocks.push(section(`*Checklist* ${p.done}/${p.total}\n${checklistLines(model.checklist).join('\n')}`));
  blocks.push(divider());
  blocks.push(
    context(`${incident.id} · opened ${slackDate(incident.openedAt)} · commander ${who(incident.commander)}`),
  );
  return {
    text: `Escalation: ${incident.id} (${incident.severity.toUpperCase()}) ${escapeMrkdwn(incident.title)} — ${why}`,
    blocks: capBlocks(blocks),
  };
}

/** Page count for n entries (at least 1). */
export function timelinePages(count: number, pageSize = TIMELINE_PAGE_SIZE): number {
  return Math.max(1, Math.ceil(count / pageSize));
}

/**
 * One page of the timeline. Page numbering counts from the newest: page 0 holds the newest
 * entries, so `/incident timeline` shows page 0 and the "Older" button moves back.
 */
export function renderTimelinePage(
  incident: Pick<Incident, 'id' | 'title'>,
  entries: TimelineEntry[],
  page: number,
  pageSize = TIMELINE_PAGE_SIZE,
  names: Names = new Map(),
): { text: string; blocks: Block[] } {
  const sorted = [...entries].sort((a, b) => a.at - b.at);
  const pages = timelinePages(sorted.length, pageSize);
  const p = Math.min(Math.max(0, page), pages - 1);
  const end = sorted.length - p * pageSize;
  const start = Math.max(0, end - pageSize);
  const slice = sorted.slice(start, end);
  const blocks: Block[] = [
    header(`Timeline: ${incident.id}`),
    context(
      sorted.length
        ? `Entries ${start + 1}–${end} of ${sorted.length} (page ${pages - p} of ${pages}), oldest first. ${escapeMrkdwn(incident.title)}`
        : 'No entries yet.',
    ),
  ];
  for (const c of chunkLines(slice.map((e) => timelineEntryLine(e, names)))) blocks.push(section(c));
  const nav: Block[] = [];
  if (p < pages - 1)
    nav.push(
      button({
        text: ':arrow_up: Older',
        actionId: TIMELINE_PAGE_ACTION_ID,
        value: JSON.stringify({ i: incident.id, p: p + 1 }),
      }),
    );
  if (p > 0)
    nav.push(
      button({
        text: ':arrow_down: Newer',
        actionId: TIMELINE_NEWER_ACTION_ID,
        value: JSON.stringify({ i: incident.id, p: p - 1 }),
      }),
    );
  if (nav.length) blocks.push(actions(nav, 'medic-timeline-nav'));
  return {
    text: `Timeline of ${incident.id}: ${slice.length} of ${sorted.length} entries`,
    blocks: capBlocks(blocks),
  };
}

/** Posted in the channel when the incident is resolved. */
export function renderResolved(incident: Incident, by: string): { text: string; blocks: Block[] } {
  const ttm =
    incident.mitigatedAt !== undefined
      ? formatDuration((incident.mitigatedAt - incident.openedAt) / 1000)
      : '—';
  const ttr =
    incident.resolvedAt !== undefined
      ? formatDuration((incident.resolvedAt - incident.openedAt) / 1000)
      : '—';
  const lines = [
    `:white_check_mark: *${escapeMrkdwn(incident.id)} resolved* by ${who(by)}.`,
    `Time to mitigate *${ttm}* · time to resolve *${ttr}*.`,
    incident.cause
      ? `*Cause:* ${escapeMrkdwn(incident.cause)}`
      : '_No cause given; add it to the post-mortem._',
    'The escalation timer is cancelled. Next: `/incident postmortem` drafts the RCA from the timeline.',
  ];
  return { text: `${incident.id} resolved (TTR ${ttr})`, blocks: [section(lines.join('\n'))] };
}
