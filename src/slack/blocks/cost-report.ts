// Cost controls in Block Kit (runbook 5.4): the /cost report, the monitor's budget alerts and its
// missing-tags notice, and the tags line the triage report shares. Pure: figures in, blocks out;
// every job name, tag and command escaped here.
import { code, escapeMrkdwn, truncate } from '../mrkdwn.js';
import { chunkLines, context, fields, header, section, type Block } from './kit.js';
import {
  formatPct,
  formatPctChange,
  formatShare,
  formatUnitHours,
  formatUsd,
  isoDay,
  plural,
} from '../../domain/format.js';
import type { CostReport } from '../../domain/cost-report.js';
import type { BudgetAlertKind, BudgetStatus, JobForecast } from '../../domain/budget.js';
import type { JobTagInfo } from '../../domain/tags.js';

export interface RenderedCost {
  text: string;
  blocks: Block[];
}

/** What the /cost report shows (the gathering's result, by structure). */
export interface CostReportView {
  /** "MyJob" or "cost-center=growth" */
  label: string;
  kind: 'job' | 'tag';
  days: number;
  report: CostReport;
  tags?: JobTagInfo;
  month: BudgetStatus;
  budget?: { label: string; monthlyUsd: number };
  platforms: string[];
  notes: string[];
  /** Jobs read (a tag). */
  jobsRead: number;
}

/** A fenced block for text from a cloud (a command): escaped, and no fence can close it early. */
export function codeBlock(text: string): string {
  return '```' + escapeMrkdwn(text).replace(/```/g, "'''") + '```';
}

/** "Missing required tags …" with the command, for a job's tag check; undefined when nothing is missing. */
export function missingTagsText(job: string, info: JobTagInfo | undefined): string | undefined {
  if (!info || info.state !== 'read' || info.missing.length === 0) return undefined;
  const keys = info.missing.map(code).join(', ');
  return `:label: *${escapeMrkdwn(job)} lacks required ${info.missing.length === 1 ? 'tag' : 'tags'}* ${keys} (costControls.requiredTags). Add ${info.missing.length === 1 ? 'it' : 'them'}, with the right values:\n${info.command ? codeBlock(info.command) : ''}`;
}

/** `cost-center=growth · owner=data-eng`, or why the tags are not known. */
export function tagsText(info: JobTagInfo | undefined): string | undefined {
  if (!info) return undefined;
  if (info.state === 'unavailable') return `_${escapeMrkdwn(info.reason)}_`;
  const entries = Object.entries(info.tags).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return entries.length ? entries.map(([k, v]) => code(`${k}=${v}`)).join(' · ') : '_no tags_';
}

function windowText(r: CostReport): string {
  return `${isoDay(r.from)} → ${isoDay(r.to)} (UTC)`;
}

function monthText(m: BudgetStatus, budget: CostReportView['budget']): string {
  const base = `${formatUsd(m.monthToDateUsd)} to date; forecast ${formatUsd(m.forecastUsd)} by month end`;
  if (!budget) return `*This month (${m.month.label})*\n${base}`;
  return `*This month (${m.month.label})*\n${base}\nBudget ${formatUsd(budget.monthlyUsd)}: ${formatPct(m.actualPct, 0)} spent, forecast ${formatPct(m.forecastPct, 0)}${m.forecastUsd > budget.monthlyUsd ? ' :warning:' : ''}`;
}

export function renderCostReport(v: CostReportView): RenderedCost {
  const r = v.report;
  const unit = r.unit;
  const title = `Cost: ${v.label} — last ${plural(v.days, 'day')}`;
  const headline = `*${formatUsd(r.totalUsd)}* over ${plural(r.runs, 'run')} · ${formatUnitHours(r.unitHours, unit)} · ${windowText(r)}`;
  const f: string[] = [];
  const cpr = r.costPerRun;
  if (cpr.medianUsd !== undefined)
    f.push(
      `*Cost per run*\n${formatUsd(cpr.medianUsd)} median${
        cpr.trendPct !== undefined
          ? `; trend ${formatPctChange(cpr.trendPct, 0)} (${formatUsd(cpr.earlierMedianUsd!)} → ${formatUsd(cpr.laterMedianUsd!)}, older half → newer half)`
          : ''
      }`,
    );
  f.push(
    `*Extra cost of degraded runs*\n${
      r.degradation.runs > 0
        ? `${formatUsd(r.degradation.extraUsd)} over ${plural(r.degradation.runs, 'run')} (${formatUnitHours(r.degradation.extraUnitHours, unit)} beyond their baseline)`
        : 'none: no run was over the degradation threshold'
    }`,
  );
  f.push(
    `*Failed runs*\n${
      r.failed.runs > 0
        ? `${formatUsd(r.failed.usd)} — ${formatShare(r.failed.share)} of the cost, ${plural(r.failed.runs, 'run')} that produced nothing`
        : 'none'
    }`,
  );
  f.push(monthText(v.month, v.budget));
  const tags = tagsText(v.tags);
  if (tags) f.push(`*Tags*\n${tags}`);
  if (v.kind === 'tag') f.push(`*Jobs*\n${plural(v.jobsRead, 'job')} tagged ${code(v.label)}`);

  const blocks: Block[] = [header(title), section(headline), fields(f)];
  if (v.kind === 'tag' && r.jobs.length) {
    const lines = r.jobs
      .slice(0, 10)
      .map(
        (j) =>
          `• ${code(j.job)} ${formatUsd(j.usd)} (${formatShare(j.share, 0)}) · ${plural(j.runs, 'run')} · ${formatUnitHours(j.unitHours, unit)}${j.extraUsd > 0 ? ` · degraded +${formatUsd(j.extraUsd)}` : ''}${j.failedUsd > 0 ? ` · failed ${formatUsd(j.failedUsd)}` : ''}`,
      );
    const more = r.jobs.length > 10 ? `\n_…and ${r.jobs.length - 10} more_` : '';
    blocks.push(section(`*Top jobs*\n${chunkLines(lines, 2800)[0]}${more}`));
  }
  if (v.kind === 'tag' && v.month.jobs.length) {
    const movers = moversLines(v.month.jobs.slice(0, 5));
    if (movers.length)
      blocks.push(section(`*This month, by change against last month*\n${movers.join('\n')}`));
  }
  const missing = missingTagsText(v.label, v.tags);
  if (missing) blocks.push(section(missing));
  const notes: string[] = [];
  if (r.runsInProgress) notes.push(`${plural(r.runsInProgress, 'run')} in progress, not counted yet`);
  if (r.runsWithoutCost)
    notes.push(`${plural(r.runsWithoutCost, 'run')} with no known capacity or rate, left out of the sums`);
  if (r.oldestRunAt !== undefined && r.oldestRunAt > r.from + 86_400_000)
    notes.push(`the oldest run in the window started ${isoDay(r.oldestRunAt)}`);
  notes.push(...v.notes);
  if (notes.length) blocks.push(context(`:warning: ${notes.map(escapeMrkdwn).join('; ')}`));
  blocks.push(
    context(
      `${escapeMrkdwn(v.platforms.join(', ') || 'no platform')} · costs from ${escapeMrkdwn(unit)}-hours at the configured rates (the triage's maths) · cost per day in the thread`,
    ),
  );
  return {
    text: truncate(escapeMrkdwn(`${title}: ${formatUsd(r.totalUsd)} over ${plural(r.runs, 'run')}`), 300),
    blocks,
  };
}

export function renderCostPending(label: string, days: number): RenderedCost {
  return {
    text: truncate(escapeMrkdwn(`Cost of ${label} over ${days} days…`), 300),
    blocks: [
      section(
        `:hourglass_flowing_sand: Reading the runs of ${code(label)} over the last ${plural(days, 'day')}…`,
      ),
    ],
  };
}

export function renderCostFailure(title: string, lines: string[], suggestions: string[]): RenderedCost {
  const did = suggestions.length
    ? `Did you mean ${suggestions.map(code).join(', ')}?`
    : 'Nothing with a similar name was found.';
  return {
    text: truncate(escapeMrkdwn(title), 300),
    blocks: [header(`Cost: ${title}`), section([...lines.map(escapeMrkdwn), did].filter(Boolean).join('\n'))],
  };
}

function moversLines(jobs: readonly JobForecast[]): string[] {
  return jobs.map((j) => {
    const moved =
      j.movedUsd === undefined
        ? 'last month unknown'
        : `${j.movedUsd >= 0 ? '+' : '−'}${formatUsd(Math.abs(j.movedUsd))} against last month's ${formatUsd(j.previousMonthUsd ?? 0)}`;
    return `• ${code(j.job)} ${formatUsd(j.monthToDateUsd)} to date, forecast ${formatUsd(j.forecastUsd)} (${moved})${j.note ? ` — _${escapeMrkdwn(j.note)}_` : ''}`;
  });
}

/** The monitor's budget alert: the forecast crossed the budget, or month to date reached it. */
export function renderBudgetPeriodAlert(opts: {
  label: string;
  kind: 'job' | 'tag';
  monthlyUsd: number;
  alert: BudgetAlertKind;
  status: BudgetStatus;
}): RenderedCost {
  const { status: s } = opts;
  const what = opts.kind === 'tag' ? `jobs tagged ${code(opts.label)}` : code(opts.label);
  const headline =
    opts.alert === 'actual'
      ? `:rotating_light: *Monthly budget spent: ${what}* — ${formatUsd(s.monthToDateUsd)} so far in ${s.month.label}, ${formatPct(s.actualPct, 0)} of ${formatUsd(opts.monthlyUsd)}; forecast ${formatUsd(s.forecastUsd)} by month end.`
      : `:money_with_wings: *Budget forecast crossed: ${what}* — forecast ${formatUsd(s.forecastUsd)} by the end of ${s.month.label}, ${formatPct(s.forecastPct, 0)} of the ${formatUsd(opts.monthlyUsd)} budget (${formatUsd(s.monthToDateUsd)} spent so far).`;
  const movers = moversLines(s.jobs.slice(0, 5));
  const text =
    opts.alert === 'actual'
      ? `Monthly budget spent: ${opts.label} ${formatUsd(s.monthToDateUsd)} of ${formatUsd(opts.monthlyUsd)}`
      : `Budget forecast crossed: ${opts.label} forecast ${formatUsd(s.forecastUsd)} of ${formatUsd(opts.monthlyUsd)}`;
  return {
    text: truncate(escapeMrkdwn(text), 300),
    blocks: [
      section(headline),
      ...(movers.length ? [section(`*Jobs that moved most*\n${chunkLines(movers, 2800)[0]}`)] : []),
      context(
        `${code('costControls.budgets')} in medic.yml. ${
          opts.alert === 'actual'
            ? 'This is the last budget alert for this month.'
            : 'One more alert comes if month to date reaches the budget.'
        } Forecast: the cost so far plus each job's runs still to come at its usual pace, at the mean cost of its recent runs. ${code(`/cost ${opts.label}`)} shows where the money goes.`,
      ),
    ],
  };
}

/** The monitor's notice for a job that lacks required tags (once per set of missing tags). */
export function renderTagsNotice(job: string, info: JobTagInfo & { state: 'read' }): RenderedCost {
  return {
    text: truncate(escapeMrkdwn(`${job} lacks required tags: ${info.missing.join(', ')}`), 300),
    blocks: [
      section(missingTagsText(job, info) ?? ''),
      context('Said once; the monitor says it again only if the missing tags change.'),
    ],
  };
}
