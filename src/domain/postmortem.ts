// The post-mortem draft (runbook "Post-mortem y acciones preventivas"): RCA in Markdown from the
// incident record, every timeline entry and the final checklist. Also the timeline's own Markdown
// export. Pure: plain data in, text out; domain/ imports nothing from store/ or slack/, so the
// inputs are described here structurally (the store's Incident and TimelineEntry fit them).
import { formatDuration, formatNumber, formatUsd, formatUtc, plural } from './format.js';
import type { Checklist } from './checklist.js';

export interface PostmortemTimelineEntry {
  at: number;
  kind: string;
  actor: string;
  text: string;
  link?: string;
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
  latest?: {
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
  };
}

export interface PostmortemInput {
  incident: PostmortemIncident;
  timeline: PostmortemTimelineEntry[];
  checklist: Checklist;
  /** Further runbooks the incident carried (missing data, failed backfill…), each with its final state. */
  runbooks?: { title: string; checklist: Checklist }[];
  /** When the draft was written (ms). */
  now: number;
}

/** Markdown text from a user or a cloud, on one line, so it cannot open a heading or a table. */
function md(text: string): string {
  return text
    .replace(/\r?\n+/g, ' ')
    .replace(/<([@#])([UWC][A-Z0-9]{2,})(?:\|[^>]*)?>/g, '$1$2')
    .replace(/([\\`*_[\]|<>#])/g, '\\$1');
}

function actorName(actor: string): string {
  return actor === 'medic' ? 'Pipeline Medic' : `@${actor}`;
}

/** One timeline line: "- 2026-11-24 13:05 UTC · @U0ONCALL · note · text ([link](url))". */
export function timelineLine(e: PostmortemTimelineEntry): string {
  const link = e.link ? ` ([link](${e.link.replace(/[()\s]/g, encodeURIComponent)}))` : '';
  return `- ${formatUtc(new Date(e.at))} · ${md(actorName(e.actor))} · ${e.kind} · ${md(e.text)}${link}`;
}

/** The timeline as Markdown, every entry in time order (what `/incident timeline` exports). */
export function timelineMarkdown(
  incident: { id: string; title: string },
  entries: PostmortemTimelineEntry[],
): string {
  const sorted = [...entries].sort((a, b) => a.at - b.at);
  return [
    `# Timeline of ${md(incident.id)}: ${md(incident.title)}`,
    '',
    sorted.length ? sorted.map(timelineLine).join('\n') : '_No entries yet._',
    '',
  ].join('\n');
}

/** Preventive changes the runbook asks for, picked from the cause and findings (always the last two). */
export function suggestPreventiveChanges(incident: PostmortemIncident): string[] {
  const text = [
    incident.cause ?? '',
    incident.correction ?? '',
    ...(incident.latest?.findings ?? []).map((f) => `${f.id} ${f.cause}`),
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
  out.push(
    perfCause && incident.job
      ? `Add a perf-smoke gate in CI on a representative sample: \`medic perf-smoke --job ${incident.job} --sample <s3://… sample> --max-over 30%\` (exit 5 blocks the deploy).`
      : 'Add a perf-smoke test in CI that runs the job on a representative sample and fails past the baseline (`medic perf-smoke`).',
  );
  out.push(
    'Review the alert thresholds (duration over baseline, consecutive runs, DPU) so this is caught earlier.',
  );
  return [...new Set(out)];
}

function impactLines(incident: PostmortemIncident): string[] {
  const m = incident.latest?.metrics;
  const lines: string[] = [];
  if (incident.job)
    lines.push(
      `- Job: ${md(incident.job)}${incident.provider ? ` (${md(incident.provider)})` : ''}, environment ${md(incident.env)}`,
    );
  if (incident.latest)
    lines.push(`- Verdict: ${md(incident.latest.verdict)} — ${md(incident.latest.summary)}`);
  if (m?.failedRuns !== undefined) lines.push(`- Failed runs: ${formatNumber(m.failedRuns, 0)}`);
  if (m?.lateRuns !== undefined)
    lines.push(`- Late runs (over the baseline threshold): ${formatNumber(m.lateRuns, 0)}`);
  if (m?.baselineSeconds !== undefined) {
    const recent = m.recentSeconds?.length
      ? `; recent ${m.recentSeconds.map(formatDuration).join(', ')}`
      : '';
    lines.push(`- Duration: baseline ${formatDuration(m.baselineSeconds)}${recent}`);
  }
  if (m?.costPerRunUsd !== undefined)
    lines.push(
      `- Cost per run: ${formatUsd(m.costPerRunUsd)}${m.baselineCostPerRunUsd !== undefined ? ` against ${formatUsd(m.baselineCostPerRunUsd)} at baseline` : ''}`,
    );
  if (m?.extraCostUsd !== undefined)
    lines.push(`- Extra cost of the degradation: ${formatUsd(m.extraCostUsd)}`);
  const runs = incident.latest?.problematicRunIds ?? [];
  if (runs.length)
    lines.push(`- Problematic runs: ${runs.map((r) => `\`${r.replace(/`/g, "'")}\``).join(', ')}`);
  if (!m && !runs.length)
    lines.push(
      '- _No triage figures were recorded for this incident; fill in the failed or late runs and the extra cost._',
    );
  return lines;
}

function checklistLine(i: Checklist['items'][number]): string {
  return `- [${i.done ? 'x' : ' '}] ${i.text}${i.done && i.doneBy ? ` — ${md(actorName(i.doneBy))}${i.doneAt ? `, ${formatUtc(i.doneAt)}` : ''}` : ''}`;
}

/** The RCA draft in Markdown. Every timeline entry appears in it. */
export function draftPostmortem(input: PostmortemInput): string {
  const { incident, checklist, now } = input;
  const timeline = [...input.timeline].sort((a, b) => a.at - b.at);
  const ttm =
    incident.mitigatedAt !== undefined
      ? formatDuration((incident.mitigatedAt - incident.openedAt) / 1000)
      : 'not mitigated yet';
  const ttr =
    incident.resolvedAt !== undefined
      ? formatDuration((incident.resolvedAt - incident.openedAt) / 1000)
      : 'not resolved yet';
  const findings = incident.latest?.findings ?? [];
  const corrections = timeline.filter((e) =>
    ['mitigation-start', 'mitigation-result', 'approval', 'backfill'].includes(e.kind),
  );
  const out: string[] = [
    `# Post-mortem ${md(incident.id)}: ${md(incident.title)}`,
    '',
    `_Draft written by Pipeline Medic on ${formatUtc(new Date(now))} from the incident timeline. Review it before it goes to the MCP._`,
    '',
    '## Summary',
    '',
    `- Incident: ${md(incident.id)}${incident.channelName ? ` (#${md(incident.channelName)})` : ''}, severity ${md(incident.severity)}, status ${md(incident.status)}`,
    `- Commander: ${md(actorName(incident.commander))}${incident.dataOwner ? `; Data Owner: ${md(actorName(incident.dataOwner))}` : ''}`,
    `- Opened ${formatUtc(new Date(incident.openedAt))}${incident.resolvedAt !== undefined ? `, resolved ${formatUtc(new Date(incident.resolvedAt))}` : ''}`,
    `- Time to mitigate: ${ttm}; time to resolve: ${ttr}`,
    '',
    '## Impact',
    '',
    ...impactLines(incident),
    '',
    `## Timeline (${plural(timeline.length, 'entry', 'entries')})`,
    '',
    ...(timeline.length ? timeline.map(timelineLine) : ['_No entries._']),
    '',
    '## Root cause',
    '',
    incident.cause
      ? `- Cause stated by the resolver: ${md(incident.cause)}`
      : '- Cause stated by the resolver: _not given (`/incident resolve --cause …`)_',
    ...(findings.length
      ? [
          '- Findings of the triage, ranked:',
          ...findings.map((f, i) => `  ${i + 1}. ${md(f.cause)} (confidence ${md(f.confidence)})`),
        ]
      : ['- No triage findings were recorded.']),
    '',
    '## Correction applied',
    '',
    ...(incident.correction ? [`- ${md(incident.correction)}`] : []),
    ...(corrections.length
      ? corrections.map(timelineLine)
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
    ...checklist.items.map(checklistLine),
    '',
    ...(input.runbooks ?? []).flatMap((rb) => [
      `### Runbook: ${md(rb.title)}`,
      '',
      ...rb.checklist.items.map(checklistLine),
      '',
    ]),
  ];
  return out.join('\n');
}
