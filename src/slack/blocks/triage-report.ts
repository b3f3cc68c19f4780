// The triage report in Block Kit: verdict headline, baseline against recent runs, cost, every
// problematic run linked to its console page and logs (links the adapter gave), error signatures, input volume
// and small files, ranked causes with evidence and mitigations. Pure: model in, blocks out.
// Every string that came from a user or a cloud is escaped here.
import { escapeMrkdwn, code, link, slackDatesIn, truncate } from '../mrkdwn.js';
import {
  actions,
  button,
  capBlocks,
  chunkLines,
  context,
  divider,
  header,
  section,
  type Block,
} from './kit.js';
import { formatDuration, formatInt, formatPctChange, formatUsd, plural } from '../../domain/format.js';
import type { DegradationVerdict, RunFigures } from '../../domain/degradation.js';
import { usageAndCostFields } from './verdict-fields.js';
import type { LogSignature } from '../../domain/log-signatures.js';
import type { Capacity } from '../../domain/run-record.js';
import type { ProviderName } from '../../providers/names.js';
import type { JobTagInfo } from '../../domain/tags.js';
import { missingTagsText } from './cost-report.js';
import { noIncidentBlocks } from './incident-choice.js';

export interface ReportFinding {
  id: string;
  cause: string;
  confidence: string;
  evidence: string[];
  mitigation: string;
  mitigationKind: string;
}

export interface TriageReportModel {
  job: string;
  provider: ProviderName;
  /** The platform's name for people ('AWS Glue'), once its adapter is known. */
  platform?: string;
  /** Its cloud ('AWS'), for "AWS throttled some requests". */
  cloud?: string;
  region: string;
  env: string;
  /** 'gathering' while parts are still arriving. */
  phase: 'gathering' | 'final' | 'failed';
  /** Steps done so far, shown while gathering. */
  steps: { name: string; state: 'done' | 'running' | 'failed' | 'skipped'; detail?: string }[];
  jobDefinition?: {
    capacity?: Capacity;
    lastModifiedOn?: Date;
  };
  verdict?: DegradationVerdict;
  signatures?: LogSignature[];
  logsRead?: { events: number; streams: number };
  volume?: { lines: string[]; source?: string };
  /** Spark-level evidence: what the event log of the problematic run says against a baseline run's. */
  spark?: { lines: string[]; source: string };
  /** The runbook's step 3: the problematic run's job metrics against the baseline (or how to turn them on). */
  metrics?: { lines: string[]; runId?: string };
  findings?: ReportFinding[];
  /** The job's tags against costControls.requiredTags, when required tags are configured. */
  tags?: JobTagInfo;
  /** What could not be gathered, in plain words ("logs: access denied (logs:FilterLogEvents)"). */
  missing: string[];
  throttled: boolean;
  elapsedMs?: number;
  /** Set when the whole triage failed (unknown job, access denied to runs). */
  failure?: { title: string; lines: string[] };
  /**
   * The incident the triage belongs to (opened by it, or already open), or none: the verdict did
   * not call for one, and `value` is the "Declare anyway" button's.
   */
  incident?: { id: string; created: boolean } | { none: string; value: string };
  /** An attempt failed and BullMQ retries it: "retrying, attempt 2 of 3" (mrkdwn, escaped). */
  retrying?: string;
}

const VERDICT_ICON: Record<string, string> = {
  DEGRADED: ':red_circle:',
  FAILING: ':rotating_light:',
  HEALTHY: ':large_green_circle:',
  INSUFFICIENT_HISTORY: ':white_circle:',
};

const VERDICT_LABEL: Record<string, string> = {
  DEGRADED: 'DEGRADED',
  FAILING: 'FAILING',
  HEALTHY: 'HEALTHY',
  INSUFFICIENT_HISTORY: 'INSUFFICIENT HISTORY',
};

/** A run's console and logs links, as the platform's adapter gave them. */
export function runLinks(r: Pick<RunFigures, 'links'>): string[] {
  const out: string[] = [];
  if (r.links?.consoleUrl) out.push(link(r.links.consoleUrl, 'console'));
  if (r.links?.logsUrl) out.push(link(r.links.logsUrl, 'logs'));
  return out;
}

export function headline(model: TriageReportModel): string {
  const v = model.verdict;
  if (model.failure) return `:x: ${model.failure.title}`;
  if (!v) return `:mag: Triaging ${model.job}…`;
  const icon = VERDICT_ICON[v.verdict] ?? '';
  const label = VERDICT_LABEL[v.verdict] ?? v.verdict;
  let size = '';
  if (v.verdict === 'DEGRADED' && v.overBaseline)
    size = ` — ${formatPctChange(v.overBaseline.medianPct, 0)} over baseline`;
  else if (v.verdict === 'FAILING')
    size = ` — ${v.failureShare.failed} of ${v.failureShare.considered} recent runs failed`;
  else if (v.verdict === 'HEALTHY' && v.overBaseline)
    size = ` — recent runs ${formatPctChange(v.overBaseline.medianPct, 0)} vs baseline`;
  return `${icon} ${label}: ${model.job}${size}`;
}

/** Notification text (the top-level `text` every message should carry). */
export function fallbackText(model: TriageReportModel): string {
  // The top-level text is mrkdwn too (and all a phone notification shows): escape the job name.
  return truncate(escapeMrkdwn(headline(model).replace(/:[a-z_]+: /, '')), 300);
}

function runLine(r: RunFigures): string {
  const links = runLinks(r);
  const over =
    r.pctOverBaseline !== undefined && r.stateClass === 'succeeded'
      ? ` (${formatPctChange(r.pctOverBaseline, 0)})`
      : '';
  const cost = r.costUsd !== undefined ? ` · ${formatUsd(r.costUsd)}` : '';
  const err = r.errorMessage
    ? ` — _${escapeMrkdwn(truncate(r.errorMessage.replace(/\s+/g, ' '), 120))}_`
    : '';
  return `• ${code(r.id)} ${escapeMrkdwn(r.stateLabel)} · ${formatDuration(r.durationSec)}${over}${cost}${links.length ? ` · ${links.join(' · ')}` : ''}${err}`;
}

function verdictBlocks(model: TriageReportModel, v: DegradationVerdict): Block[] {
  const blocks: Block[] = [];
  blocks.push(section(escapeMrkdwn(v.summary)));
  const f: string[] = [];
  if (v.baselineDurationSec !== undefined)
    f.push(
      `*Baseline*\n${formatDuration(v.baselineDurationSec)} (median of ${v.baselineRunIds.length} runs)`,
    );
  if (v.recentMedianDurationSec !== undefined)
    f.push(`*Recent runs*\n${formatDuration(v.recentMedianDurationSec)} median of ${v.recentRunIds.length}`);
  if (v.thresholdDurationSec !== undefined)
    f.push(
      `*Threshold*\n${formatDuration(v.thresholdDurationSec)} (+${formatInt(v.rule.thresholdPct)}%, ${v.rule.consecutiveRuns} runs)`,
    );
  f.push(...usageAndCostFields(v, 'Extra cost of the degradation'));
  f.push(`*History read*\n${plural(v.history.runsFound, 'run')} (${v.history.completedRunsFound} completed)`);
  const cap = model.jobDefinition?.capacity;
  if (model.jobDefinition)
    f.push(
      `*Job*\n${escapeMrkdwn([cap?.shape, cap?.runtime, cap?.tier].filter(Boolean).join(' · ') || 'n/a')}`,
    );
  blocks.push(section('*Runs against the baseline*', { fields: f }));

  const problematic = new Set(v.problematicRunIds);
  const probRuns = v.runs.filter((r) => problematic.has(r.id));
  if (probRuns.length) {
    const lines = probRuns.slice(0, 10).map(runLine);
    const more = probRuns.length > 10 ? `\n_…and ${probRuns.length - 10} more in the thread_` : '';
    blocks.push(section(`*Problematic runs (${probRuns.length})*\n${chunkLines(lines, 2900)[0]}${more}`));
  }
  if (v.inProgressRuns.length)
    blocks.push(
      context(
        `${plural(v.inProgressRuns.length, 'run')} still in progress (left out of the rule): ${v.inProgressRuns.slice(0, 5).map(code).join(', ')}`,
      ),
    );
  return blocks;
}

function signatureLine(s: LogSignature): string {
  const runs = Object.keys(s.countByRun).length;
  const ex = s.excerpts[0] ? `\n> ${escapeMrkdwn(truncate(s.excerpts[0].replace(/\s+/g, ' '), 200))}` : '';
  return `• *${escapeMrkdwn(s.label)}* — ${formatInt(s.count)}× in ${plural(runs, 'run')}${ex}`;
}

function signatureBlocks(model: TriageReportModel): Block[] {
  // Performance lines (spill, Python workers, GC pauses) are measurements, not errors: apart.
  const all = model.signatures ?? [];
  const sigs = all.filter((s) => s.kind !== 'performance');
  const perf = all.filter((s) => s.kind === 'performance');
  const perfBlocks = perf.length
    ? [
        section(
          `*Performance signals in the logs*\n${chunkLines(perf.slice(0, 4).map(signatureLine), 2800)[0]}`,
        ),
      ]
    : [];
  if (!sigs.length) {
    if (model.logsRead)
      return [
        section(
          `*Error signatures*\nNone found in ${plural(model.logsRead.events, 'log event')} of ${plural(model.logsRead.streams, 'stream')}.`,
        ),
        ...perfBlocks,
      ];
    return perfBlocks;
  }
  const lines = sigs.slice(0, 5).map(signatureLine);
  const read = model.logsRead ? ` (${plural(model.logsRead.events, 'event')} read)` : '';
  return [section(`*Top error signatures*${read}\n${chunkLines(lines, 2800)[0]}`), ...perfBlocks];
}

function findingBlocks(findings: ReportFinding[]): Block[] {
  if (!findings.length)
    return [section('*Probable causes*\nNo cause stands out from the evidence gathered.')];
  const blocks: Block[] = [section('*Probable causes, ranked*')];
  findings.slice(0, 6).forEach((f, i) => {
    const ev = f.evidence
      .slice(0, 4)
      .map((e) => `   ◦ ${slackDatesIn(escapeMrkdwn(e))}`)
      .join('\n');
    blocks.push(
      section(
        `*${i + 1}. ${escapeMrkdwn(f.cause)}* _(${escapeMrkdwn(f.confidence)} confidence)_\n${ev}\n   :wrench: ${escapeMrkdwn(f.mitigation)}`,
      ),
    );
  });
  return blocks;
}

export function renderTriageReport(model: TriageReportModel): Block[] {
  const blocks: Block[] = [
    header(
      headline(model)
        .replace(/:[a-z_]+: /, '')
        .slice(0, 150),
    ),
  ];
  if (model.failure) {
    blocks.push(section(model.failure.lines.join('\n')));
  }
  if (model.phase === 'gathering') {
    const icon = {
      done: ':white_check_mark:',
      running: ':hourglass_flowing_sand:',
      failed: ':warning:',
      skipped: ':heavy_minus_sign:',
    };
    blocks.push(
      section(
        model.steps
          .map(
            (s) =>
              `${icon[s.state]} ${escapeMrkdwn(s.name)}${s.detail ? ` — ${escapeMrkdwn(s.detail)}` : ''}`,
          )
          .join('\n') || ':hourglass_flowing_sand: Starting…',
      ),
    );
    if (model.retrying) blocks.push(context(model.retrying));
  }
  if (model.verdict) blocks.push(...verdictBlocks(model, model.verdict));
  if (model.signatures || model.logsRead) blocks.push(divider(), ...signatureBlocks(model));
  if (model.volume) {
    const src = model.volume.source ? ` _(${escapeMrkdwn(model.volume.source)})_` : '';
    blocks.push(
      section(
        `*Input volume and small files*${src}\n${
          chunkLines(
            model.volume.lines.map((l) => `• ${escapeMrkdwn(l)}`),
            2800,
          )[0] ?? ''
        }`,
      ),
    );
  }
  if (model.metrics) {
    const of = model.metrics.runId
      ? ` _(run ${escapeMrkdwn(model.metrics.runId)} against the baseline)_`
      : '';
    blocks.push(
      section(
        `*Job metrics*${of}\n${
          chunkLines(
            model.metrics.lines.map((l) => `• ${escapeMrkdwn(l)}`),
            2800,
          )[0] ?? ''
        }`,
      ),
    );
  }
  if (model.spark && model.spark.lines.length)
    blocks.push(
      section(
        `*Spark event logs* _(${escapeMrkdwn(model.spark.source)})_\n${
          chunkLines(
            model.spark.lines.map((l) => `• ${escapeMrkdwn(l)}`),
            2800,
          )[0] ?? ''
        }`,
      ),
    );
  if (model.findings) blocks.push(divider(), ...findingBlocks(model.findings));
  const untagged = missingTagsText(model.job, model.tags);
  if (untagged) blocks.push(section(untagged));
  if (model.phase === 'final' && model.incident) {
    if ('none' in model.incident) blocks.push(...noIncidentBlocks(model.incident.none, model.incident.value));
    else
      blocks.push(
        context(
          model.incident.created
            ? `:rotating_light: Opened *${escapeMrkdwn(model.incident.id)}* for ${code(model.job)}; its checklist follows. \`/incident status\` shows it.`
            : `:link: Part of *${escapeMrkdwn(model.incident.id)}*.`,
        ),
      );
  }

  const notes: string[] = [];
  if (model.missing.length) notes.push(`:warning: Missing: ${model.missing.map(escapeMrkdwn).join('; ')}`);
  if (model.throttled)
    notes.push(
      `:snail: ${escapeMrkdwn(model.cloud ?? 'The cloud')} throttled some requests; data was slowed, not lost`,
    );

  const tail = [
    `${escapeMrkdwn(model.platform ?? model.provider)} · ${escapeMrkdwn(model.region)} · env ${escapeMrkdwn(model.env)}`,
  ];

  if (model.elapsedMs !== undefined) tail.push(`triage took ${(model.elapsedMs / 1000).toFixed(1)} s`);
  if (notes.length) blocks.push(context(...notes));
  blocks.push(context(tail.join(' · ')));
  return capBlocks(blocks);
}

/** Details for the thread: every problematic run and every signature with its excerpts. */
export function renderTriageDetails(model: TriageReportModel): Block[][] {
  const messages: Block[][] = [];
  const v = model.verdict;
  if (v) {
    const lines = v.runs.slice(0, 200).map((r) => `${runLine(r)} _[${r.role}]_`);
    const chunks = chunkLines(lines, 2900);
    for (let i = 0; i < chunks.length; i += 40) {
      messages.push(
        chunks
          .slice(i, i + 40)
          .map((c, j) => section(i + j === 0 ? `*Every run read (${v.runs.length})*\n${c}` : c)),
      );
    }
  }
  const sigs = model.signatures ?? [];
  if (sigs.length) {
    const lines = sigs.slice(0, 40).map((s) => {
      const byRun = Object.entries(s.countByRun)
        .slice(0, 8)
        .map(([run, n]) => `${code(run)}: ${n}`)
        .join(', ');
      const ex = s.excerpts.map((e) => `> ${escapeMrkdwn(e.replace(/\s+/g, ' '))}`).join('\n');
      return `*${escapeMrkdwn(s.label)}* — ${formatInt(s.count)}× · ${byRun}\n${ex}`;
    });
    messages.push(
      capBlocks(
        chunkLines(lines, 2900).map((c, i) => section(i === 0 ? `*Every error signature*\n${c}` : c)),
      ),
    );
  }
  return messages;
}

export function mitigationButtons(
  findings: ReportFinding[],
  value: (f: ReportFinding) => string,
): Block | undefined {
  const LABEL: Record<string, string> = {
    compaction: 'Run compaction',
    scale: 'Scale workers',
    'shuffle-tuning': 'Tune shuffle / skew',
    'bookmark-reset': 'Reset job bookmark',
    'code-fix': 'Record code fix',
    backfill: 'Controlled backfill',
    'recovery-rerun': 'Rerun from failed step',
  };
  const seen = new Set<string>();
  const buttons = findings
    .filter((f) => LABEL[f.mitigationKind] && !seen.has(f.mitigationKind) && seen.add(f.mitigationKind))
    .slice(0, 5)
    .map((f, i) =>
      button({
        text: LABEL[f.mitigationKind]!,
        actionId: `medic.mitigation.request.${f.mitigationKind}`,
        value: value(f),
        ...(i === 0 ? { style: 'primary' as const } : {}),
      }),
    );
  return buttons.length ? actions(buttons, 'medic-mitigations') : undefined;
}
