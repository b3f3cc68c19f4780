// The /smallfiles processor: one message in the channel, updated in place with progress (at most
// once a second, within chat.update's rate limit) and a Cancel button, then the result and the
// size histogram. Whatever happens, the message never stays at "scanning…".
import type { Job } from 'bullmq';
import { UnrecoverableError } from 'bullmq';
import { markFinalShown } from '../src/queue/workers.js';
import { retryActions, retryingNote } from '../src/slack/blocks/retry.js';
import type { Deps } from '../src/deps.js';
import type { Logger } from '../src/logger.js';
import { SmallFilesQueuePayload } from '../src/queue/payloads.js';
import { runPrewarm } from './prewarm.js';
import { clearScanCancel, scanCancelledBy } from '../src/queue/smallfiles-cancel.js';
import { ProviderError } from '../src/providers/ports.js';
import { runSmallFilesScan, type SmallFilesResult } from './smallfiles-core.js';
import {
  histogramBuckets,
  renderScanFailure,
  renderScanProgress,
  renderSmallFilesReport,
  smallFilesHeadline,
  type SmallFilesReportModel,
} from '../src/slack/blocks/smallfiles-report.js';
import { renderSizeHistogram } from '../src/slack/charts/index.js';
import { context, slackBlocks, type Block } from '../src/slack/blocks/kit.js';
import { escapeMrkdwn } from '../src/slack/mrkdwn.js';
import { formatInt } from '../src/domain/format.js';

export function reportModel(r: SmallFilesResult): SmallFilesReportModel {
  return {
    location: r.location,
    source: r.scan.source,
    ...(r.scan.inventory ? { inventoryAgeMs: r.scan.inventory.ageMs } : {}),
    summary: r.scan.summary,
    durationMs: r.scan.durationMs,
    slowed: r.scan.slowed,
    throttledRequests: r.scan.throttledRequests,
    ...(r.previous ? { previous: r.previous } : {}),
    ...(r.trend ? { trend: r.trend } : {}),
    ...(r.compare ? { compare: { location: r.compare.location, comparison: r.compare.comparison } } : {}),
    recommendation: r.recommendation,
    cost: r.cost,
  };
}

export function smallFilesProcessor(deps: Deps) {
  return async (job: Job, log: Logger) => {
    const queued = SmallFilesQueuePayload.parse(job.data);
    // An alert's background prewarm of a job's input: no message, no user (jobs/prewarm.ts).
    if ('kind' in queued) return await runPrewarm(deps, queued, log);
    const p = queued;
    const channel = p.requester.channelId;
    const prefix = deps.config.env.MEDIC_PREFIX;
    const jobId = String(job.id);
    // job.updateData keeps the posted message's ts with the job, so a retry updates it.
    let ts = p.messageTs;

    const show = async (blocks: Block[], text: string) => {
      if (!ts) {
        const res = await deps.slack.chat.postMessage({
          channel,
          text,
          blocks: slackBlocks(blocks),
          unfurl_links: false,
        });
        ts = res.ts as string;
        await job.updateData({ ...job.data, messageTs: ts });
      } else {
        await deps.slack.chat.update({ channel, ts, text, blocks: slackBlocks(blocks) });
      }
    };

    const progress = {
      location: p.uri,
      objects: 0,
      bytes: 0,
      requests: 0,
      elapsedMs: 0,
      throttledRequests: 0,
    };
    await show(renderScanProgress(progress, jobId), `Scanning ${escapeMrkdwn(p.uri)} for small files`);

    const controller = new AbortController();
    let cancelledBy: string | undefined;
    let lastUpdate = 0;
    let updating: Promise<void> = Promise.resolve();
    const timer = setInterval(() => {
      void scanCancelledBy(deps.state, prefix, jobId).then(
        (v) => {
          if (v && !cancelledBy) {
            cancelledBy = v;
            controller.abort(new Error(`cancelled by ${v}`));
          }
        },
        () => {},
      );
    }, 500);
    try {
      const result = await runSmallFilesScan(
        { config: deps.config, providers: deps.providers, state: deps.state, now: deps.now },
        {
          uri: p.uri,
          ...(p.thresholdBytes ? { thresholdBytes: p.thresholdBytes } : {}),
          ...(p.compareUri ? { compareUri: p.compareUri } : {}),
        },
        {
          signal: controller.signal,
          onProgress: (pr) => {
            Object.assign(progress, pr);
            const now = Date.now();
            if (now - lastUpdate < 1000) return;
            lastUpdate = now;
            updating = updating
              .then(() => show(renderScanProgress(progress, jobId), `Scanning ${escapeMrkdwn(p.uri)}`))
              .catch((err: unknown) => log.warn({ err }, 'progress update failed'));
          },
        },
      );
      clearInterval(timer);
      await updating;
      const model = reportModel(result);
      if (result.scan.summary.objects === 0) {
        await show(
          renderScanFailure(
            result.location,
            'Nothing there',
            'The location exists but holds no objects under this prefix. Check the prefix (a trailing slash matters).',
          ),
          `No objects under ${escapeMrkdwn(p.uri)}`,
        );
        return { objects: 0 };
      }
      await show(renderSmallFilesReport(model), escapeMrkdwn(smallFilesHeadline(model)));
      const buckets = histogramBuckets(result.scan.summary);
      if (buckets.length) {
        try {
          await deps.slack.files.uploadV2({
            channel_id: channel,
            thread_ts: ts!,
            file: await renderSizeHistogram({
              title: `File sizes in ${result.location}`,
              buckets,
              thresholdBytes: result.scan.summary.thresholdBytes,
            }),
            filename: 'file-sizes.png',
            title: `File sizes in ${result.location}`,
            alt_text: `Histogram of file sizes with the small-file threshold at ${result.scan.summary.thresholdBytes} bytes`,
          });
        } catch (err) {
          log.warn({ err }, 'could not upload the histogram');
        }
      }
      // A scan in an incident channel is the runbook's volume comparison.
      const incident = await deps.incidents.soleOpenInChannel(channel);
      if (incident) {
        await deps.timeline.append(incident.id, {
          at: deps.now(),
          kind: 'report',
          actor: p.requester.userId,
          text: `Small-file scan of ${result.location}: ${smallFilesHeadline(model)}; ${model.recommendation.reason}`,
        });
        if (result.trend || result.previous) {
          const changed = await deps.checklists.set(incident.id, 'input-vs-baseline', true, 'medic', {
            note: `small-file scan of ${result.location} compared with the baseline`,
            onlyIfUnset: true,
          });
          if (changed) {
            await deps.timeline.append(incident.id, {
              at: deps.now(),
              kind: 'checklist',
              actor: 'medic',
              text: 'Checklist ticked: input-vs-baseline (small-file scan)',
            });
          }
        }
      }
      return { objects: result.scan.summary.objects, requests: result.scan.requests };
    } catch (err) {
      clearInterval(timer);
      await updating;
      const attemptsLeft = (job.opts.attempts ?? 1) - job.attemptsMade - 1;
      const e = err instanceof ProviderError ? err : undefined;
      if (e?.retryable && attemptsLeft > 0) {
        const attempts = job.opts.attempts ?? 1;
        await show(
          [
            ...renderScanFailure(p.uri, 'Scan interrupted', `${e.message}. The scan starts again shortly.`),
            context(retryingNote(job.attemptsMade + 2, attempts, 'Interrupted')),
          ],
          `Scan of ${escapeMrkdwn(p.uri)} interrupted; retrying`,
        ).catch(() => {});
        throw err;
      }
      const cancelled = cancelledBy !== undefined && e?.code === 'CANCELLED';
      const [title, detail] = cancelled
        ? ['Scan cancelled', `Stopped after ${formatInt(progress.objects)} objects; nothing was kept.`]
        : describeFailure(err, p.uri);
      await show(
        [
          ...renderScanFailure(p.uri, title, detail, cancelled ? cancelledBy : undefined),
          // The final state: what failed, and Retry (a cancelled scan is not offered again).
          ...(cancelled ? [] : [retryActions({ queue: 'smallfiles', jobId })]),
        ],
        `${title}: ${escapeMrkdwn(p.uri)}`,
      );
      throw markFinalShown(e ? new UnrecoverableError(`${e.code}: ${e.message}`) : err);
    } finally {
      clearInterval(timer);
      await clearScanCancel(deps.state, prefix, jobId);
    }
  };
}

function describeFailure(err: unknown, uri: string): [string, string] {
  if (err instanceof ProviderError) {
    switch (err.code) {
      case 'CANCELLED':
        return ['Scan cancelled', err.message.replace(/^.*cancelled/, 'Cancelled') + '. Nothing was kept.'];
      case 'NOT_FOUND':
        return ['Not found', `${err.message}. Check the bucket or container name in ${uri}.`];
      case 'ACCESS_DENIED':
        return [
          'Access denied',
          `The bot's credentials may not ${err.action ?? 'list this location'}. Grant it and scan again.`,
        ];
      case 'THROTTLED':
        return [
          'Throttled',
          `The storage service kept throttling the listing after every retry: ${err.message}. Try again later or lower defaults.scanConcurrency.`,
        ];
      case 'INVALID_INPUT':
        return ['Cannot scan this location', err.message];
      default:
        return ['Scan failed', err.message];
    }
  }
  return ['Scan failed', (err as Error)?.message ?? String(err)];
}
