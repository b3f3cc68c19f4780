// The triage report as plain text for a terminal (`medic triage`).
import type { TriageReportModel } from '../slack/blocks/triage-report.js';
import { headline } from '../slack/blocks/triage-report.js';
import { formatUnitHours, formatDuration, formatInt, formatPctChange, formatUsd } from '../domain/format.js';

export function triageText(model: TriageReportModel): string {
  const out: string[] = [];
  out.push(headline(model).replace(/^:[a-z_]+: /, ''));
  if (model.failure) out.push(...model.failure.lines.map(stripMrkdwn));
  const v = model.verdict;
  if (v) {
    out.push('', v.summary);
    if (v.baselineDurationSec !== undefined)
      out.push(
        `  baseline      ${formatDuration(v.baselineDurationSec)} (median of ${v.baselineRunIds.length} runs)`,
      );
    if (v.recentMedianDurationSec !== undefined)
      out.push(
        `  recent        ${formatDuration(v.recentMedianDurationSec)} (median of ${v.recentRunIds.length})`,
      );
    if (v.usage.recentMedian !== undefined)
      out.push(
        `  ${`${v.usage.unit}-h / run`.padEnd(14)}${formatUnitHours(v.usage.recentMedian, v.usage.unit)}`,
      );
    if (v.extraCost && v.extraCost.extraUsd > 0)
      out.push(`  extra cost    ${formatUsd(v.extraCost.extraUsd)}`);
    const problematic = new Set(v.problematicRunIds);
    const runs = v.runs.filter((r) => problematic.has(r.id));
    if (runs.length) {
      out.push('', `Problematic runs (${runs.length}):`);
      for (const r of runs) {
        const over =
          r.pctOverBaseline !== undefined && r.stateClass === 'succeeded'
            ? ` ${formatPctChange(r.pctOverBaseline, 0)}`
            : '';
        const cost = r.costUsd !== undefined ? ` ${formatUsd(r.costUsd)}` : '';
        out.push(`  ${r.id}  ${r.stateLabel}  ${formatDuration(r.durationSec)}${over}${cost}`);
      }
    }
  }
  if (model.signatures?.length) {
    out.push('', 'Top error signatures:');
    for (const s of model.signatures.slice(0, 5)) {
      out.push(`  ${formatInt(s.count)}× ${s.label}`);
      if (s.excerpts[0]) out.push(`      ${s.excerpts[0].replace(/\s+/g, ' ').slice(0, 160)}`);
    }
  }
  if (model.volume) {
    out.push('', 'Input volume and small files:', ...model.volume.lines.map((l) => `  ${l}`));
  }
  if (model.findings) {
    out.push('', 'Probable causes, ranked:');
    model.findings.forEach((f, i) => {
      out.push(`  ${i + 1}. ${f.cause} (${f.confidence} confidence)`);
      for (const e of f.evidence.slice(0, 4)) out.push(`     - ${e}`);
      out.push(`     → ${f.mitigation}`);
    });
    if (!model.findings.length) out.push('  No cause stands out from the evidence gathered.');
  }
  if (model.tags?.state === 'read' && model.tags.missing.length)
    out.push(
      '',
      `${model.job} lacks required tags: ${model.tags.missing.join(', ')}. Add them:`,
      `  ${model.tags.command ?? ''}`,
    );
  if (model.missing.length) out.push('', `Missing: ${model.missing.join('; ')}`);
  if (model.throttled) out.push('AWS throttled some requests; data was slowed, not lost.');
  if (model.elapsedMs !== undefined) out.push('', `triage took ${(model.elapsedMs / 1000).toFixed(1)} s`);
  return out.join('\n');
}

/** Drop Slack mrkdwn markers and entities for a terminal. */
function stripMrkdwn(s: string): string {
  return s.replace(/[`*_]/g, '').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}
