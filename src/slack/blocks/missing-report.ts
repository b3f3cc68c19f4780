// The missing-data report (/missing and the monitor's Investigate): which partitions of the window
// are absent, empty or much smaller than their neighbours, how fresh the newest is, the runs behind
// each problem date, the bookmark and the upstream job; then Backfill these dates and Rerun
// upstream. Pure: the model in, blocks out; every name, key and cloud text escaped here.
import { code, escapeMrkdwn, truncate } from '../mrkdwn.js';
import { actions, button, chunkLines, context, section, type Block } from './kit.js';
import { formatBytes, plural } from '../../domain/format.js';
import {
  describePartitioning,
  type FreshnessFacts,
  type MissingReport,
  type RunFacts,
} from '../../domain/missing-data.js';
import { encodeRequestValue, REQUEST_ACTION_PREFIX } from './approval-request.js';
import type { ProviderName } from '../../providers/names.js';

export const MISSING_BACKFILL_ACTION_ID = 'medic.missing.backfill';
export const MISSING_INVESTIGATE_ACTION_ID = 'medic.missing.investigate';

export interface MissingReportModel {
  target: string;
  location?: string;
  job?: string;
  /** Set when there is nothing to report on: why, in words (already safe mrkdwn). */
  failure?: string;
  report?: MissingReport;
  bookmark?: string;
  upstream?: {
    job: string;
    provider?: ProviderName;
    latest?: { id: string; state: string; errorMessage?: string };
    workers?: number;
    size?: string;
    problem?: string;
  };
  incidentId?: string;
  /** Whether the job can be backfilled (input, output and stagingJob configured). */
  backfillable?: boolean;
  env?: string;
}

/** The Backfill button's value: the job and the window. */
export function encodeBackfillValue(v: { job: string; from: string; to: string }): string {
  return JSON.stringify({ j: v.job, f: v.from, t: v.to });
}

export function decodeBackfillValue(
  s: string | undefined,
): { job: string; from: string; to: string } | undefined {
  try {
    const v = JSON.parse(s ?? '') as { j?: unknown; f?: unknown; t?: unknown };
    const day = /^\d{4}-\d{2}-\d{2}$/;
    if (typeof v.j !== 'string' || typeof v.f !== 'string' || typeof v.t !== 'string') return undefined;
    if (!day.test(v.f) || !day.test(v.t)) return undefined;
    return { job: v.j, from: v.f, to: v.t };
  } catch {
    return undefined;
  }
}

function runLine(r: RunFacts): string {
  const err = r.errorMessage
    ? ` — _${escapeMrkdwn(truncate(r.errorMessage.replace(/\s+/g, ' '), 120))}_`
    : '';
  return `${code(r.id)} ${r.state.toUpperCase()} (started ${r.startedOn.toISOString().slice(0, 16).replace('T', ' ')} UTC)${err}`;
}

function partName(name: string): string {
  return code(name.replace(/\/$/, ''));
}

export function renderMissingReport(m: MissingReportModel): { text: string; blocks: Block[] } {
  const where = m.location ? ` (${code(m.location)})` : '';
  if (m.failure || !m.report) {
    const text = `:warning: Missing data of ${code(m.target)}${where}: ${m.failure ?? 'nothing to report'}`;
    return {
      text: `Missing data of ${m.target}: ${m.failure ?? 'nothing to report'}`,
      blocks: [section(text)],
    };
  }
  const r = m.report;
  const problems = r.absent.length + r.empty.length + r.small.length;
  const headline = problems
    ? `:jigsaw: *Missing data — ${escapeMrkdwn(m.target)}*${where}: ${plural(r.absent.length, 'partition')} absent, ${r.empty.length} empty, ${r.small.length} much smaller than their neighbours, of ${r.expected} expected ${r.from} → ${r.to}`
    : `:white_check_mark: *Missing data — ${escapeMrkdwn(m.target)}*${where}: all ${r.expected} expected partitions ${r.from} → ${r.to} are there`;
  const blocks: Block[] = [section(headline)];
  blocks.push(
    context(
      `Partitioning ${code(describePartitioning(r.partitioning))}${r.inferred ? ' (inferred from the listing; set `jobs.<job>.partitioning` to pin it)' : ''} · footers read for tiny partitions only`,
    ),
  );
  if (r.freshness) {
    const f = r.freshness;
    const age = f.ageHours !== undefined ? `${f.ageHours.toFixed(1)} h old` : 'none found';
    blocks.push(
      section(
        `${f.late ? ':hourglass: *Late*' : ':clock3: *Fresh*'}: newest partition ${f.newest ? partName(f.newest) : '—'} is ${age} (limit ${f.limitHours} h)${f.latePartition ? `; ${partName(f.latePartition)} is overdue` : ''}`,
      ),
    );
  }
  if (r.problems.length) {
    const lines = r.problems.map((p) => {
      const what = p.partitions
        .map((x) => `${partName(x.name)} ${x.problem}${x.detail ? ` (${escapeMrkdwn(x.detail)})` : ''}`)
        .join(', ');
      const runs = p.runs.length
        ? p.runs.slice(0, 3).map(runLine).join('; ')
        : p.verdict === 'never started'
          ? '*no run started for it*'
          : '';
      return `• *${p.date}* — ${what}\n   runs (${p.matchedBy === 'parameter' ? 'naming the date' : 'started the day after'}): *${p.verdict}*${runs ? ` · ${runs}` : ''}`;
    });
    for (const chunk of chunkLines(lines)) blocks.push(section(chunk));
    const small = r.small.map(
      (s) =>
        `${partName(s.name)} ${formatBytes(s.bytes)} against a median of ${formatBytes(s.medianBytes)} around it`,
    );
    if (small.length) blocks.push(context(truncate(`Much smaller: ${small.join('; ')}`, 2000)));
  }
  const extra: string[] = [];
  if (m.bookmark) extra.push(`*Bookmark*: ${m.bookmark}`);
  if (m.upstream) {
    const u = m.upstream;
    const latest = u.latest
      ? `latest run ${code(u.latest.id)} ${escapeMrkdwn(u.latest.state)}${u.latest.errorMessage ? ` — _${escapeMrkdwn(truncate(u.latest.errorMessage, 120))}_` : ''}`
      : escapeMrkdwn(u.problem ?? 'no runs');
    extra.push(`*Upstream* ${code(u.job)}: ${latest}`);
  }
  if (extra.length) blocks.push(section(extra.join('\n')));
  const buttons: Block[] = [];
  if (r.missingWindow && m.job && m.backfillable)
    buttons.push(
      button({
        text: 'Backfill these dates',
        actionId: MISSING_BACKFILL_ACTION_ID,
        value: encodeBackfillValue({ job: m.job, ...r.missingWindow }),
        style: 'primary',
      }),
    );
  if (r.missingWindow && m.upstream && m.upstream.workers !== undefined && m.upstream.size)
    // A rerun of the upstream job with its own workers: the scale mitigation's one-off rerun,
    // behind the same approval as every mitigation.
    buttons.push(
      button({
        text: 'Rerun upstream',
        actionId: `${REQUEST_ACTION_PREFIX}scale`,
        value: encodeRequestValue({
          j: m.upstream.job,
          ...(m.upstream.provider ? { p: m.upstream.provider } : {}),
          ...(m.incidentId ? { i: m.incidentId } : {}),
          ...(m.env ? { e: m.env } : {}),
          w: m.upstream.workers,
          t: m.upstream.size,
        }),
      }),
    );
  if (buttons.length) blocks.push(actions(buttons, 'medic-missing-actions'));
  if (r.missingWindow && m.job && !m.backfillable)
    blocks.push(
      context(
        `To backfill, set \`input\`, \`output\` and \`stagingJob\` under \`jobs.${escapeMrkdwn(m.job)}\`.`,
      ),
    );
  const text = problems
    ? `Missing data of ${m.target}: ${r.absent.length} absent, ${r.empty.length} empty, ${r.small.length} small (${r.from} → ${r.to})`
    : `Missing data of ${m.target}: none (${r.from} → ${r.to})`;
  return { text, blocks };
}

/** The monitor's missing-data alert: a partition is late; Investigate runs /missing. */
export function renderFreshnessAlert(m: { job: string; facts: FreshnessFacts }): {
  text: string;
  blocks: Block[];
} {
  const f = m.facts;
  const late = f.latePartition ? partName(f.latePartition) : 'the next partition';
  const newest = f.newest
    ? `the newest, ${partName(f.newest)}, is ${f.ageHours!.toFixed(1)} h old`
    : 'no partition was found at all';
  return {
    text: `Missing data: ${m.job} partition ${f.latePartition?.replace(/\/$/, '') ?? ''} is late`,
    blocks: [
      section(
        `:hourglass: *Missing data — ${escapeMrkdwn(m.job)}*: ${late} is late; ${newest} (limit \`freshnessHours: ${f.limitHours}\`).`,
      ),
      actions(
        [
          button({
            text: 'Investigate',
            actionId: MISSING_INVESTIGATE_ACTION_ID,
            value: m.job,
            style: 'primary',
          }),
        ],
        'medic-freshness-actions',
      ),
    ],
  };
}

/** The note when the partition an alert named has arrived. */
export function renderFreshnessArrived(m: { job: string; partition: string; facts: FreshnessFacts }): {
  text: string;
  blocks: Block[];
} {
  const newest = m.facts.newest ? `; newest now ${partName(m.facts.newest)}` : '';
  return {
    text: `Arrived: ${m.job} partition ${m.partition.replace(/\/$/, '')}`,
    blocks: [
      section(
        `:white_check_mark: *${escapeMrkdwn(m.job)}*: ${partName(m.partition)} has arrived${newest}${m.facts.late ? ' (still behind the freshness limit)' : ''}.`,
      ),
    ],
  };
}
