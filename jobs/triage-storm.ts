// A triage's durations chart, and what a storm triage defers to the end of the storm: its chart
// and its details, kept in Redis until every report of the group is in the group message's thread
// (jobs/triage.ts flushChecklists calls flushStormExtras once every row is settled), then posted by
// whichever worker gets there, each once: charts first, then the details of every job, packed
// into as few replies as fit (src/slack/storm-thread.ts), then the checklists.
//
//   <prefix>:monitor-group:<id>:deferred           report key → DeferredExtras (JSON)
//   <prefix>:monitor-group:<id>:chart:<key>        claimed by the worker that uploads its chart
import type { WebClient } from '@slack/web-api';
import type { Deps } from '../src/deps.js';
import type { Logger } from '../src/logger.js';
import type { DegradationVerdict } from '../src/domain/degradation.js';
import { renderDurationsChart } from '../src/slack/charts/durations-chart.js';
import { escapeMrkdwn } from '../src/slack/mrkdwn.js';
import { enqueueToThread, deliverToThread } from '../src/slack/storm-thread.js';
import { context, type Block } from '../src/slack/blocks/kit.js';

type ChartOptions = Parameters<typeof renderDurationsChart>[0];

export interface ChartInput {
  job: string;
  options: ChartOptions;
}

/** The chart of the runs the verdict looked at (60 at most, oldest first), marked by state class. */
export function durationsChartInput(job: string, verdict: DegradationVerdict): ChartInput {
  const runs = verdict.runs
    .filter((r) => r.stateClass !== 'in-progress')
    .slice(0, 60)
    .reverse()
    .map((r) => ({
      id: r.id,
      startedOn: r.startedOn,
      durationSec: r.durationSec,
      // The chart marks by state class: failed (timed out too) as red X marks.
      state: r.stateClass === 'failed' ? 'FAILED' : r.stateClass === 'succeeded' ? 'SUCCEEDED' : r.stateLabel,
      degraded: r.overThreshold && r.role === 'recent',
    }));
  return {
    job,
    options: {
      title: `${job}: run durations`,
      runs,
      ...(verdict.baselineDurationSec !== undefined ? { baselineSec: verdict.baselineDurationSec } : {}),
      ...(verdict.thresholdDurationSec !== undefined ? { thresholdSec: verdict.thresholdDurationSec } : {}),
    },
  };
}

/** files.uploadV2's arguments for the chart, into a thread. */
export async function chartUpload(channel: string, threadTs: string, chart: ChartInput) {
  const png = await renderDurationsChart(chart.options);
  return {
    channel_id: channel,
    thread_ts: threadTs,
    file: png,
    filename: `${safeFile(chart.job)}-durations.png`,
    title: `${chart.job}: run durations against the baseline`,
    alt_text: `Durations of the last ${chart.options.runs.length} runs of ${chart.job} with the baseline and threshold`,
  } satisfies Parameters<WebClient['files']['uploadV2']>[0];
}

export interface DeferredExtras {
  job: string;
  chart: ChartInput;
  details: Block[][];
  at: number;
}

function keys(prefix: string, id: string) {
  const g = `${prefix}:monitor-group:${id}`;
  return { deferred: `${g}:deferred`, chart: (key: string) => `${g}:chart:${key}` };
}

/** Keeps a storm report's chart and details until every report is in (a retry: the same key). */
export async function deferToStormEnd(
  deps: Deps,
  groupId: string,
  key: string,
  extras: DeferredExtras,
): Promise<void> {
  const k = keys(deps.config.env.MEDIC_PREFIX, groupId);
  await deps.state
    .multi()
    .hset(k.deferred, key, JSON.stringify(extras))
    .expire(k.deferred, 7 * 86_400)
    .exec();
}

/**
 * Every report of the storm is in: each deferred chart (claimed, so uploaded once), then every
 * job's details, packed into as few replies as fit. Safe to call from several workers at once.
 */
export async function flushStormExtras(
  deps: Deps,
  channel: string,
  group: { id: string; ts: string },
  log: Logger,
): Promise<void> {
  const k = keys(deps.config.env.MEDIC_PREFIX, group.id);
  const raw = await deps.state.hgetall(k.deferred);
  const all = Object.entries(raw)
    .map(([key, v]) => ({ key, extras: revive(JSON.parse(v) as DeferredExtras) }))
    .sort((a, b) => a.extras.at - b.extras.at || a.key.localeCompare(b.key));
  for (const { key, extras } of all) {
    if ((await deps.state.set(k.chart(key), '1', 'EX', 7 * 86_400, 'NX')) !== 'OK') continue;
    try {
      await deps.slack.files.uploadV2(await chartUpload(channel, group.ts, extras.chart));
    } catch (err) {
      log.warn({ err, job: extras.job }, 'could not upload a deferred durations chart');
    }
  }
  // The details: one entry per job (its details messages, each headed by the job's name), so
  // several jobs' details share a reply. Already posted ones are skipped by the outbox.
  const entries = all
    .filter(({ extras }) => extras.details.length)
    .map(({ key, extras }) => ({
      key: `details:${key}`,
      text: `Details of the triage of ${escapeMrkdwn(extras.job)}`,
      blocks: [
        context(`*Details of the triage of ${escapeMrkdwn(extras.job)}*`),
        ...extras.details.flat(),
      ].slice(0, 50),
      at: extras.at,
    }));
  for (const e of entries) await enqueueToThread(deps, group.id, e);
  for (const e of entries) await deliverToThread(deps, channel, group, e, log);
}

/** Stored as JSON: the runs' start times come back as strings. */
function revive(x: DeferredExtras): DeferredExtras {
  const runs = x.chart.options.runs.map((r) => ({ ...r, startedOn: new Date(r.startedOn) }));
  return { ...x, chart: { ...x.chart, options: { ...x.chart.options, runs } } };
}

function safeFile(s: string): string {
  return s.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 80) || 'job';
}
