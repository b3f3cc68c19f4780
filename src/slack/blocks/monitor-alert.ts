// The scheduled monitor's messages: the degradation alert (the runbook's "Síntoma de alerta" with its
// numbers and a "Triage now" button), the short "recovered" note, and the budget alert ("5.4 Cost
// Controls"). Pure: figures in, blocks out; every job name, run id and cloud text escaped here.
import { code, escapeMrkdwn, link, truncate } from '../mrkdwn.js';
import { actions, button, context, section, type Block } from './kit.js';
import {
  formatUnitHours,
  formatDuration,
  formatInt,
  formatPct,
  formatPctChange,
  formatUsd,
  plural,
} from '../../domain/format.js';
import type { DegradationVerdict, RunFigures } from '../../domain/degradation.js';
import { usageAndCostFields } from './verdict-fields.js';
import type { AlertingVerdict, BudgetBreach } from '../../domain/monitor.js';

export const MONITOR_TRIAGE_ACTION_ID = 'medic.monitor.triage';

export interface RenderedMessage {
  text: string;
  blocks: Block[];
}

const ICON: Record<AlertingVerdict, string> = { DEGRADED: ':red_circle:', FAILING: ':rotating_light:' };

/** The "Triage now" button: its value is the job, the listener enqueues /triage for the channel. */
export function triageNowButton(job: string): Block {
  return button({ text: 'Triage now', actionId: MONITOR_TRIAGE_ACTION_ID, value: job, style: 'primary' });
}

/** The run id, linked to its console page when the adapter gave one. */
function runRef(r: RunFigures): string {
  return r.links?.consoleUrl ? link(r.links.consoleUrl, r.id) : code(r.id);
}

function runLine(unit: string, r: RunFigures, isNew: boolean): string {
  const over =
    r.pctOverBaseline !== undefined && r.stateClass === 'succeeded'
      ? ` (${formatPctChange(r.pctOverBaseline, 0)})`
      : '';
  const usage = r.unitHours !== undefined ? ` · ${formatUnitHours(r.unitHours, unit)}` : '';
  const cost = r.costUsd !== undefined ? ` · ${formatUsd(r.costUsd)}` : '';
  const err = r.errorMessage
    ? ` — _${escapeMrkdwn(truncate(r.errorMessage.replace(/\s+/g, ' '), 120))}_`
    : '';
  return `• ${runRef(r)}${isNew ? ' *new*' : ''} ${escapeMrkdwn(r.stateLabel)} · ${formatDuration(r.durationSec)}${over}${usage}${cost}${err}`;
}

/** The size of the problem in a few words, for the headline and the notification text. */
export function alertSize(v: DegradationVerdict): string {
  return size(v);
}

function size(v: DegradationVerdict): string {
  if (v.verdict === 'DEGRADED' && v.overBaseline)
    return `${formatPctChange(v.overBaseline.medianPct, 0)} over baseline`;
  if (v.verdict === 'FAILING')
    return `${v.failureShare.failed} of the last ${plural(v.failureShare.considered, 'run')} failed`;
  return v.verdict;
}

export function renderMonitorAlert(opts: {
  job: string;
  verdict: DegradationVerdict & { verdict: AlertingVerdict };
  /** Problematic runs not in the previous alert ("new" in the list). */
  newRunIds: readonly string[];
  /** 'new-runs': the alert follows an earlier one for the same degradation. */
  reason: 'became' | 'new-runs';
  everyMinutes: number;
}): RenderedMessage {
  const { job, verdict: v } = opts;
  const unit = v.usage.unit;
  const label = v.verdict;
  const again = opts.reason === 'new-runs' ? ' (new problematic run)' : '';
  const title = `${ICON[label]} *${label}: ${escapeMrkdwn(job)}* — ${size(v)}${again}`;
  const f: string[] = [];
  if (v.overBaseline)
    f.push(
      `*Over baseline*\n${formatPct(v.overBaseline.minPct, 0)}–${formatPct(v.overBaseline.maxPct, 0)} (median ${formatPct(v.overBaseline.medianPct, 0)}); threshold +${formatInt(v.rule.thresholdPct)}% in ${plural(v.rule.consecutiveRuns, 'run')}`,
    );
  if (v.baselineDurationSec !== undefined)
    f.push(
      `*Baseline*\n${formatDuration(v.baselineDurationSec)} (median of ${plural(v.baselineRunIds.length, 'run')})${v.recentMedianDurationSec !== undefined ? `; recent ${formatDuration(v.recentMedianDurationSec)}` : ''}`,
    );
  f.push(...usageAndCostFields(v, 'Extra cost'));
  if (v.failureShare.failed > 0)
    f.push(`*Failures*\n${v.failureShare.failed} of the last ${plural(v.failureShare.considered, 'run')}`);

  const isNew = new Set(opts.newRunIds);
  const problematic = new Set(v.problematicRunIds);
  const runs = v.runs.filter((r) => problematic.has(r.id));
  const lines = runs.slice(0, 10).map((r) => runLine(unit, r, isNew.has(r.id) && opts.reason !== 'became'));
  const blocks: Block[] = [
    section(`${title}\n${escapeMrkdwn(v.summary)}`),
    ...(f.length ? [section('*Figures*', { fields: f })] : []),
    ...(lines.length ? [section(`*Problematic runs (${runs.length})*\n${lines.join('\n')}`)] : []),
    actions([triageNowButton(job)], 'medic-monitor-actions'),
    context(
      `Scheduled monitor, every ${plural(opts.everyMinutes, 'minute')}. The next alert for ${escapeMrkdwn(job)} comes only with a new problematic run; a note follows when it is healthy again.`,
    ),
  ];
  return { text: truncate(`${label}: ${escapeMrkdwn(job)} — ${size(v)}${again}`, 300), blocks };
}

export function renderMonitorRecovered(opts: {
  job: string;
  previous: AlertingVerdict;
  verdict: DegradationVerdict;
}): RenderedMessage {
  const { job, verdict: v } = opts;
  const recent =
    v.recentMedianDurationSec !== undefined && v.baselineDurationSec !== undefined
      ? ` Recent runs: ${formatDuration(v.recentMedianDurationSec)} median against a ${formatDuration(v.baselineDurationSec)} baseline.`
      : '';
  return {
    text: truncate(`Recovered: ${escapeMrkdwn(job)} is HEALTHY again (was ${opts.previous})`, 300),
    blocks: [
      section(
        `:large_green_circle: *Recovered: ${escapeMrkdwn(job)}* is HEALTHY again (was ${opts.previous}).${recent}`,
      ),
    ],
  };
}

export function renderBudgetAlert(opts: {
  job: string;
  breach: BudgetBreach;
  /** The platform's capacity unit ('DPU'). */
  unit: string;
}): RenderedMessage {
  const { job, breach, unit } = opts;
  const r = breach.run;
  const cost = formatUsd(r.costUsd ?? 0);
  const f = [
    `*Cost of the run*\n${cost}`,
    `*Budget per run*\n${formatUsd(breach.budgetUsd)} (${formatPctChange((breach.overUsd / breach.budgetUsd) * 100, 0)})`,
    ...(r.unitHours !== undefined
      ? [`*${escapeMrkdwn(unit)}-hours*\n${formatUnitHours(r.unitHours, unit)}`]
      : []),
    `*Run*\n${runRef(r)} ${escapeMrkdwn(r.stateLabel)} · ${formatDuration(r.durationSec)}`,
  ];
  return {
    text: truncate(
      `Budget exceeded: ${escapeMrkdwn(job)} run cost ${cost}, budget ${formatUsd(breach.budgetUsd)}`,
      300,
    ),
    blocks: [
      section(
        `:money_with_wings: *Budget exceeded: ${escapeMrkdwn(job)}* — the newest run cost ${cost}, over the ${formatUsd(breach.budgetUsd)} budget per run by ${formatUsd(breach.overUsd)}.`,
        { fields: f },
      ),
      actions([triageNowButton(job)], 'medic-monitor-budget-actions'),
      context(
        `${code('budgetUsdPerRun')} in medic.yml; one alert per run. Cost from ${escapeMrkdwn(unit)}-hours at the configured rate.`,
      ),
    ],
  };
}
