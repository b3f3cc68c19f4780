// `medic cost <job | tag=value> [--days N] [--json]`: the /cost report from a terminal — the same
// gathering (jobs/cost-gather.ts) and figures; JSON for spreadsheets.
import type { AppConfig } from '../config/index.js';
import { ProviderError, type Providers } from '../providers/ports.js';
import type { Logger } from '../logger.js';
import { gatherCost, subjectLabel, type CostGathered } from '../../jobs/cost-gather.js';
import type { CostRequest } from '../../commands/cost.js';
import {
  formatPct,
  formatPctChange,
  formatShare,
  formatUnitHours,
  formatUsd,
  isoDay,
  plural,
} from '../domain/format.js';

interface Io {
  out: NodeJS.WritableStream;
  err: NodeJS.WritableStream;
}

/** The report as plain text. */
export function costText(g: CostGathered): string {
  const r = g.report;
  const label = subjectLabel(g.subject);
  const out: string[] = [
    `Cost of ${label}, last ${plural(g.days, 'day')} (${isoDay(r.from)} → ${isoDay(r.to)} UTC)`,
    `  total         ${formatUsd(r.totalUsd)} over ${plural(r.runs, 'run')}, ${formatUnitHours(r.unitHours, r.unit)}`,
  ];
  const c = r.costPerRun;
  if (c.medianUsd !== undefined)
    out.push(
      `  cost / run    ${formatUsd(c.medianUsd)} median${c.trendPct !== undefined ? `, trend ${formatPctChange(c.trendPct, 0)} (${formatUsd(c.earlierMedianUsd!)} → ${formatUsd(c.laterMedianUsd!)})` : ''}`,
    );
  out.push(
    `  degraded      ${r.degradation.runs ? `${formatUsd(r.degradation.extraUsd)} extra over ${plural(r.degradation.runs, 'run')}` : 'none'}`,
    `  failed runs   ${r.failed.runs ? `${formatUsd(r.failed.usd)} (${formatShare(r.failed.share)} of the cost, ${plural(r.failed.runs, 'run')})` : 'none'}`,
    `  this month    ${formatUsd(g.month.monthToDateUsd)} to date, forecast ${formatUsd(g.month.forecastUsd)} (${g.month.month.label})`,
  );
  if (g.budget)
    out.push(
      `  budget        ${formatUsd(g.budget.monthlyUsd)}: ${formatPct(g.month.actualPct, 0)} spent, forecast ${formatPct(g.month.forecastPct, 0)}`,
    );
  if (g.tags?.state === 'read') {
    const t = Object.entries(g.tags.tags).map(([k, v]) => `${k}=${v}`);
    out.push(`  tags          ${t.length ? t.join(', ') : 'none'}`);
    if (g.tags.missing.length)
      out.push(`  missing tags  ${g.tags.missing.join(', ')}; add with:`, `    ${g.tags.command ?? ''}`);
  } else if (g.tags) out.push(`  tags          ${g.tags.reason}`);
  if ('tag' in g.subject && r.jobs.length) {
    out.push('', `Jobs tagged ${label} (${g.jobs.length}), by cost:`);
    for (const j of r.jobs)
      out.push(
        `  ${j.job.padEnd(30)} ${formatUsd(j.usd).padStart(12)} ${formatShare(j.share, 0).padStart(5)}  ${plural(j.runs, 'run')}`,
      );
  }
  out.push('', 'Cost per day:');
  for (const d of r.perDay)
    out.push(
      `  ${d.day}  ${formatUsd(d.usd).padStart(12)}${d.failedUsd > 0 ? `  (failed ${formatUsd(d.failedUsd)})` : ''}`,
    );
  const notes = [...g.notes];
  if (r.runsInProgress) notes.push(`${plural(r.runsInProgress, 'run')} in progress, not counted`);
  if (r.runsWithoutCost) notes.push(`${plural(r.runsWithoutCost, 'run')} without a known cost, left out`);
  if (notes.length) out.push('', `Notes: ${notes.join('; ')}`);
  return out.join('\n');
}

export async function runCostCli(
  ctx: { config: AppConfig; providers: Providers; logger: Logger; json: boolean; io: Io },
  req: CostRequest,
): Promise<number> {
  const { io } = ctx;
  try {
    const outcome = await gatherCost(
      { config: ctx.config, providers: ctx.providers, logger: ctx.logger, now: Date.now },
      req.subject,
      req.days,
    );
    if (!outcome.ok) {
      const did = outcome.suggestions.length ? ` Did you mean ${outcome.suggestions.join(', ')}?` : '';
      io.err.write(`medic cost: ${outcome.title}. ${outcome.lines.join(' ')}${did}\n`);
      return 1;
    }
    io.out.write((ctx.json ? JSON.stringify(outcome.gathered, null, 2) : costText(outcome.gathered)) + '\n');
    return 0;
  } catch (err) {
    if (err instanceof ProviderError) {
      io.err.write(`medic cost: ${err.message}\n`);
      return 1;
    }
    throw err;
  }
}
