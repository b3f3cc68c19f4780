// The usage and cost fields of a degradation verdict, as the triage report and the monitor alert
// both show them: capacity-hours and cost per run against the baseline, and what the degradation
// cost extra. Pure; the unit name (DPU, vCore) came from the platform and is escaped here.
import { escapeMrkdwn } from '../mrkdwn.js';
import { formatUnitHours, formatUsd, plural } from '../../domain/format.js';
import { medianCostUsd, type DegradationVerdict } from '../../domain/degradation.js';

/** `extraCostTitle` names the extra-cost field ("Extra cost", "Extra cost of the degradation"). */
export function usageAndCostFields(v: DegradationVerdict, extraCostTitle: string): string[] {
  const f: string[] = [];
  const { unit, recentMedian, baselineMedian } = v.usage;
  if (recentMedian !== undefined)
    f.push(
      `*${escapeMrkdwn(unit)}-hours / run*\n${formatUnitHours(recentMedian, unit)}${baselineMedian !== undefined ? ` (baseline ${formatUnitHours(baselineMedian, unit)})` : ''}`,
    );
  const costRecent = medianCostUsd(v, 'recent');
  const costBase = medianCostUsd(v, 'baseline');
  if (costRecent !== undefined)
    f.push(
      `*Cost / run*\n${formatUsd(costRecent)}${costBase !== undefined ? ` (baseline ${formatUsd(costBase)})` : ''}`,
    );
  if (v.extraCost && v.extraCost.extraUsd > 0)
    f.push(
      `*${extraCostTitle}*\n${formatUsd(v.extraCost.extraUsd)} over ${plural(v.extraCost.runsCounted, 'run')} (${formatUnitHours(v.extraCost.extraUnitHours, unit)})`,
    );
  return f;
}
