// The post-mortem draft (runbook "Post-mortem y acciones preventivas"): RCA in Markdown from the
// incident record, every timeline entry of that incident and the final checklist. Also the
// timeline's own Markdown export. Each job of the incident appears with its own latest verdict;
// people are named (display names, not Slack ids), instants are ISO 8601 with their zone.
// Pure: plain data in, text out; domain/ imports nothing from store/ or slack/, so the inputs are
// described here structurally (the store's Incident and TimelineEntry fit them).
import { formatDuration, formatIso, formatNumber, formatUsd, plural, verdictText } from './format.js';
import type { Checklist } from './checklist.js';

export interface PostmortemTimelineEntry {
  at: number;
  kind: string;
  actor: string;
  text: string;
  /** The job the entry is about. */
  job?: string;
  link?: string;
}

/** Display names by Slack user id; an id without a name is written as it is. */
export type PeopleNames = ReadonlyMap<string, string>;

/** What the incident keeps of one triage. */
export interface PostmortemTriage {
  job?: string;
  verdict: string;
  summary: string;
  findings: { id: string; cause: string; confidence: string }[];
  problematicRunIds: string[];
  signatures?: { category: string; count: number; excerpt?: string }[];
  metrics?: {
    baselineSeconds?: number;
    recentSeconds?: number[];
    /** The platform's capacity unit ('DPU', 'vCore'). */
    usageUnit?: string;
    usageHoursPerRun?: number;
    baselineUsageHoursPerRun?: number;

    costPerRunUsd?: number;
    baselineCostPerRunUsd?: number;
    extraCostUsd?: number;
    failedRuns?: number;
    lateRuns?: number;
  };
}

export interface PostmortemIncident {
  id: string;
  title: string;
  job?: string;
  provider?: string;
  env: string;
  severity: string;
  status: string;
  commander: string;
  dataOwner?: string;
  openedAt: number;
  mitigatedAt?: number;
  resolvedAt?: number;
  cause?: string;
  correction?: string;
  channelName?: string;
  jobs?: string[];
  latest?: PostmortemTriage;
  latestByJob?: Record<string, PostmortemTriage>;
}

export interface PostmortemInput {
  incident: PostmortemIncident;
  timeline: PostmortemTimelineEntry[];
  checklist: Checklist;
  /** Further runbooks the incident carried (missing data, failed backfill…), each with its final state. */
  runbooks?: { title: string; checklist: Checklist }[];
  /** When the draft was written (ms). */
  now: number;
  /** Names of the people on the record and the timeline. */
  names?: PeopleNames;
}

/** Every job of the incident, the first one first. */
export function incidentJobs(incident: Pick<PostmortemIncident, 'job' | 'jobs'>): string[] {
  return [...new Set([...(incident.job ? [incident.job] : []), ...(incident.jobs ?? [])])];
}

/**
 * The latest triage of each job of the incident, in the incident's job order. A record written
 * before incidents kept one per job has only `latest`: it counts for its own job only.
 */
export function triagesByJob(incident: PostmortemIncident): { job: string; triage?: PostmortemTriage }[] {
  const jobs = incidentJobs(incident);
  return jobs.map((job) => {
    const own = incident.latestByJob?.[job];
    if (own) return { job, triage: own };
    const l = incident.latest;
    const legacy = l && (l.job === job || (l.job === undefined && job === incident.job)) ? l : undefined;
    return legacy ? { job, triage: legacy } : { job };
  });
}

/** Markdown text from a user or a cloud, on one line, so it cannot open a heading or a table. */
function md(text: string, names: PeopleNames = new Map()): string {
  return text
    .replace(/\r?\n+/g, ' ')
    .replace(/<@([UW][A-Z0-9]{2,})(?:\|[^>]*)?>/g, (_m, id: string) => names.get(id) ?? id)
    .replace(/<#([C][A-Z0-9]{2,})(?:\|([^>]*))?>/g, (_m, id: string, name?: string) => `#${name ?? id}`)
    .replace(/([\\`*_[\]|<>#])/g, '\\$1');
}

/** A person by name: their display name when known, else their id as it is. */
export function personName(actor: string, names: PeopleNames = new Map()): string {
  if (actor === 'medic') return 'Pipeline Medic';
  return names.get(actor) ?? actor;
}

/** One timeline line: "- 2026-11-24T13:05:00Z · oncall · MyJob · note · text ([link](url))". */
export function timelineLine(e: PostmortemTimelineEntry, names: PeopleNames = new Map()): string {
  const link = e.link ? ` ([link](${e.link.replace(/[()\s]/g, encodeURIComponent)}))` : '';
  const job = e.job ? ` · ${md(e.job)}` : '';
  return `- ${formatIso(new Date(e.at))} · ${md(personName(e.actor, names))}${job} · ${e.kind} · ${md(e.text, names)}${link}`;
}

/** The timeline as Markdown, every entry in time order (what `/incident timeline` exports). */
export function timelineMarkdown(
  incident: { id: string; title: string },
  entries: PostmortemTimelineEntry[],
  names: PeopleNames = new Map(),
): string {
  const sorted = [...entries].sort((a, b) => a.at - b.at);
  return [
    `# Timeline of ${md(incident.id)}: ${md(incident.title)}`,
    '',
    sorted.length ? sorted.map((e) => timelineLine(e, names)).join('\n') : '_No entries yet._',
    '',
  ].join('\n');
}

/** Preventive changes the runbook asks for, picked from the cause and findings (always the last two). */
export function suggestPreventiveChanges(incident: PostmortemIncident): string[] {
  const text = [
    incident.cause ?? '',
    incident.correction ?? '',
    ...triagesByJob(incident).flatMap(({ triage }) =>
      (triage?.findings ?? []).map((f) => `${f.id} ${f.cause}`),
    ),
  ]
    .join(' ')
    .toLowerCase();
  const out: string[] = [];
  const has = (...words: string[]) => words.some((w) => text.includes(w));
  if (has('small', 'compact', 'small-file', 'small_file', 'archivos pequeños')) {
    out.push('Schedule compaction (a cron of the compaction job merging Parquet files to the target size).');
    out.push(
      'Limit small files at the source: a minimum output file size / maxRecordsPerFile, and an alert on the small-file share of the input.',
    );
  }
  if (has('volume', 'partition', 'particion', 'growth', 'small', 'skew')) {
    out.push(
      'Review partitioning: partition by the keys the job filters on, so runs read only what they need.',
    );
  }
  if (has('skew', 'salting'))
    out.push('Salt or hash-repartition the skewed key; add a skew check to the job.');
  if (has('memory', 'oom', 'gc', 'heap', 'executor lost')) {
    out.push(
      'Right-size workers (type and count) and `spark.sql.shuffle.partitions`; drop unnecessary persist/cache.',
    );
  }
  if (has('schema', 'drift'))
    out.push('Gate deployments on schema changes; validate them in staging before promotion.');
  if (has('bookmark', 'incremental'))
    out.push('Monitor job bookmarks; document the controlled backfill to resync them.');
  if (has('udf')) out.push('Replace costly Python UDFs with native DataFrame operations; profile the job.');
  if (has('throttl', 'slowdown', '503'))
    out.push('Spread S3 requests across prefixes; add retries with backoff for SlowDown.');
  if (has('job-change', 'job modified', 'deploy', 'code'))
    out.push('Require a perf review for job changes; keep the previous job version ready to roll back.');
  // A performance cause: the gate that would have caught it, ready to paste into the pipeline.
  const perfCause = has('memory', 'small', 'volume', 'skew', 'udf', 'gc', 'spill', 'shuffle', 'degrad');
  const jobs = incidentJobs(incident);
  if (perfCause && jobs.length)
    for (const job of jobs)
      out.push(
        `Add a perf-smoke gate in CI on a representative sample: \`medic perf-smoke --job ${job} --sample <s3://… sample> --max-over 30%\` (exit 5 blocks the deploy).`,
      );
  else
    out.push(
      'Add a perf-smoke test in CI that runs the job on a representative sample and fails past the baseline (`medic perf-smoke`).',
    );
  out.push(
    'Review the alert thresholds (duration over baseline, consecutive runs, DPU) so this is caught earlier.',
  );
  return [...new Set(out)];
}

/** One job's impact: its verdict (said once) and its figures against its baseline. */
function jobImpactLines(
  incident: PostmortemIncident,
  job: string,
  triage: PostmortemTriage | undefined,
): string[] {
  const m = triage?.metrics;
  const lines: string[] = [
    `- Job: ${md(job)}${incident.provider ? ` (${md(incident.provider)})` : ''}, environment ${md(incident.env)}`,
  ];
  if (!triage) {
    lines.push(
      '  - _No triage of this job was recorded in this incident; fill in the failed or late runs and the extra cost._',
    );
    return lines;
  }
  lines.push(`  - Verdict: ${md(verdictText(triage.verdict, triage.summary))}`);
  if (m?.failedRuns !== undefined) lines.push(`  - Failed runs: ${formatNumber(m.failedRuns, 0)}`);
  if (m?.lateRuns !== undefined)
    lines.push(`  - Late runs (over the baseline threshold): ${formatNumber(m.lateRuns, 0)}`);
  if (m?.baselineSeconds !== undefined) {
    const recent = m.recentSeconds?.length
      ? `; recent ${m.recentSeconds.map(formatDuration).join(', ')}`
      : '';
    lines.push(`  - Duration: baseline ${formatDuration(m.baselineSeconds)}${recent}`);
  }
  if (m?.costPerRunUsd !== undefined)
    lines.push(
      `  - Cost per run: ${formatUsd(m.costPerRunUsd)}${m.baselineCostPerRunUsd !== undefined ? ` against ${formatUsd(m.baselineCostPerRunUsd)} at baseline` : ''}`,
    );
  if (m?.extraCostUsd !== undefined)
    lines.push(`  - Extra cost of the degradation: ${formatUsd(m.extraCostUsd)}`);
  const runs = triage.problematicRunIds;
  if (runs.length)
    lines.push(`  - Problematic runs: ${runs.map((r) => `\`${r.replace(/`/g, "'")}\``).join(', ')}`);
  return lines;
}

function checklistLine(i: Checklist['items'][number], who: (actor: string) => string): string {
  return `- [${i.done ? 'x' : ' '}] ${i.text}${i.done && i.doneBy ? ` — ${who(i.doneBy)}${i.doneAt ? `, ${formatIso(i.doneAt)}` : ''}` : ''}`;
}

function impactLines(incident: PostmortemIncident): string[] {
  const byJob = triagesByJob(incident);
  if (!byJob.length)
    return [
      '- _No job is recorded for this incident; fill in the job, the failed or late runs and the extra cost._',
    ];
  return byJob.flatMap(({ job, triage }) => jobImpactLines(incident, job, triage));
}

/** The RCA draft in Markdown. Every timeline entry appears in it. */
export function draftPostmortem(input: PostmortemInput): string {
  const { incident, checklist, now } = input;
  const names = input.names ?? new Map<string, string>();
  const who = (actor: string) => md(personName(actor, names));
  const line = (e: PostmortemTimelineEntry) => timelineLine(e, names);
  const byJob = triagesByJob(incident);
  const several = byJob.length > 1;
  const timeline = [...input.timeline].sort((a, b) => a.at - b.at);
  const ttm =
    incident.mitigatedAt !== undefined
      ? formatDuration((incident.mitigatedAt - incident.openedAt) / 1000)
      : 'not mitigated yet';
  const ttr =
    incident.resolvedAt !== undefined
      ? formatDuration((incident.resolvedAt - incident.openedAt) / 1000)
      : 'not resolved yet';
  const findings = byJob.flatMap(({ job, triage }) => (triage?.findings ?? []).map((f) => ({ ...f, job })));
  const corrections = timeline.filter((e) =>
    ['mitigation-start', 'mitigation-result', 'approval', 'backfill'].includes(e.kind),
  );
  const out: string[] = [
    `# Post-mortem ${md(incident.id)}: ${md(incident.title)}`,
    '',
    `_Draft written by Pipeline Medic on ${formatIso(new Date(now))} from the incident timeline. Review it before it goes to the MCP._`,
    '',
    '## Summary',
    '',
    `- Incident: ${md(incident.id)}${incident.channelName ? ` (#${md(incident.channelName)})` : ''}, severity ${md(incident.severity)}, status ${md(incident.status)}`,
    `- Commander: ${who(incident.commander)}${incident.dataOwner ? `; Data Owner: ${who(incident.dataOwner)}` : ''}`,
    `- Opened ${formatIso(new Date(incident.openedAt))}${incident.resolvedAt !== undefined ? `, resolved ${formatIso(new Date(incident.resolvedAt))}` : ''}`,
    `- Time to mitigate: ${ttm}; time to resolve: ${ttr}`,
    '',
    '## Impact',
    '',
    ...impactLines(incident),
    '',
    `## Timeline (${plural(timeline.length, 'entry', 'entries')})`,
    '',
    ...(timeline.length ? timeline.map(line) : ['_No entries._']),
    '',
    '## Root cause',
    '',
    incident.cause
      ? `- Cause stated by the resolver: ${md(incident.cause)}`
      : '- Cause stated by the resolver: _not given (`/incident resolve --cause …`)_',
    ...(findings.length
      ? [
          '- Findings of the triage, ranked:',
          ...findings.map(
            (f, i) =>
              `  ${i + 1}. ${several ? `${md(f.job)}: ` : ''}${md(f.cause)} (confidence ${md(f.confidence)})`,
          ),
        ]
      : ['- No triage findings were recorded.']),
    '',
    '## Correction applied',
    '',
    ...(incident.correction ? [`- ${md(incident.correction)}`] : []),
    ...(corrections.length
      ? corrections.map(line)
      : incident.correction
        ? []
        : ['- _No mitigation was recorded on the timeline; describe what was done._']),
    '',
    '## Preventive changes (suggested)',
    '',
    ...suggestPreventiveChanges(incident).map((s) => `- [ ] ${s}`),
    '',
    '## Final checklist',
    '',
    ...checklist.items.map((i) => checklistLine(i, who)),
    '',
    ...(input.runbooks ?? []).flatMap((rb) => [
      `### Runbook: ${md(rb.title)}`,
      '',
      ...rb.checklist.items.map((i) => checklistLine(i, who)),
      '',
    ]),
  ];
  return out.join('\n');
}
