// The `cost` queue's processor: /cost reports (a message posted at once and updated in place with
// the report, the cost-per-day chart in its thread) and the monitor's budget check
// (cost-budgets.ts). A retried report finds the message it already posted and updates it, and the
// chart goes into the thread once.
import type { Job } from 'bullmq';
import type { Deps } from '../src/deps.js';
import type { Logger } from '../src/logger.js';
import type { Processor } from '../src/queue/workers.js';
import { CostPayload } from '../src/queue/payloads.js';
import { formatTagSelector } from '../src/domain/tags.js';
import {
  renderCostFailure,
  renderCostPending,
  renderCostReport,
  type RenderedCost,
} from '../src/slack/blocks/cost-report.js';
import { slackBlocks } from '../src/slack/blocks/kit.js';
import { renderCostPerDay } from '../src/slack/charts/cost-chart.js';
import { gatherCost, subjectLabel, type CostGathered, type CostSubject } from './cost-gather.js';
import { runBudgetCheck, type BudgetCheckOutcome } from './cost-budgets.js';

type ReportPayload = Extract<CostPayload, { kind: 'report' }>;

export interface CostReportOutcome {
  ok: boolean;
  reportTs: string;
  totalUsd?: number;
  runs?: number;
}

export function createCostProcessor(deps: Deps): Processor<'cost'> {
  return async (job: Job<CostPayload>, log): Promise<CostReportOutcome | BudgetCheckOutcome> => {
    const p = CostPayload.parse(job.data);
    if (p.kind === 'budgets') return await runBudgetCheck(deps, log);
    return await runCostReport(deps, job as Job<ReportPayload>, p, log);
  };
}

/** The gathering as the report renders it. */
export function costView(g: CostGathered) {
  return {
    label: subjectLabel(g.subject),
    kind: 'job' in g.subject ? ('job' as const) : ('tag' as const),
    days: g.days,
    report: g.report,
    ...(g.tags ? { tags: g.tags } : {}),
    month: g.month,
    ...(g.budget ? { budget: { label: g.budget.label, monthlyUsd: g.budget.monthlyUsd } } : {}),
    platforms: g.platforms,
    notes: g.notes,
    jobsRead: g.jobs.length,
  };
}

export function payloadSubject(p: ReportPayload): CostSubject {
  return 'job' in p.subject ? { job: p.subject.job } : { tag: p.subject.tag };
}

async function runCostReport(
  deps: Deps,
  job: Job<ReportPayload>,
  p: ReportPayload,
  log: Logger,
): Promise<CostReportOutcome> {
  const channel = p.requester.channelId;
  const subject = payloadSubject(p);
  const label = 'job' in subject ? subject.job : formatTagSelector(subject.tag);
  let ts = p.reportTs;
  const show = async (m: RenderedCost) => {
    if (!ts) {
      const res = await deps.slack.chat.postMessage({
        channel,
        text: m.text,
        blocks: slackBlocks(m.blocks),
        unfurl_links: false,
      });
      ts = res.ts as string;
      // Remember the message before anything else can fail, so a retry updates it.
      await job.updateData({ ...p, reportTs: ts });
    } else await deps.slack.chat.update({ channel, ts, text: m.text, blocks: slackBlocks(m.blocks) });
  };
  if (!ts) await show(renderCostPending(label, p.days));
  const outcome = await gatherCost(deps, subject, p.days);
  if (!outcome.ok) {
    await show(renderCostFailure(outcome.title, outcome.lines, outcome.suggestions));
    return { ok: false, reportTs: ts ?? '' };
  }
  const g = outcome.gathered;
  await show(renderCostReport(costView(g)));
  const threadKey = `${deps.config.env.MEDIC_PREFIX}:cost-thread:${job.id}`;
  if ((await deps.state.set(threadKey, '1', 'EX', 7 * 86_400, 'NX')) === 'OK') {
    try {
      const png = await renderCostPerDay({
        title: `${label}: cost per day, last ${p.days} days`,
        days: g.report.perDay,
      });
      await deps.slack.files.uploadV2({
        channel_id: channel,
        thread_ts: ts!,
        file: png,
        filename: `${safeFile(label)}-cost-per-day.png`,
        title: `${label}: cost per day`,
        alt_text: `Cost per day of ${label} over the last ${p.days} days, failed runs in red`,
      });
    } catch (err) {
      log.warn({ err }, 'could not upload the cost chart');
    }
  }
  return { ok: true, reportTs: ts ?? '', totalUsd: g.report.totalUsd, runs: g.report.runs };
}

function safeFile(s: string): string {
  return s.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 80) || 'cost';
}
