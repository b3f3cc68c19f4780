// Scheduled freshness (the missing-data runbook on the monitor's tick): for a job with
// `freshnessHours`, find its newest partition; when it is older than the limit, post one
// missing-data alert for the partition that is late (again only for a new late partition), and a
// note when that partition arrives. The alert's Investigate button runs /missing for the job.
// Called from the monitor's evaluation of a job (jobs/monitor.ts), one function so the monitor's
// scheduling can change around it. What was said lives in Redis (`<prefix>:freshness:<job>`).
import type { Deps } from '../src/deps.js';
import type { Logger } from '../src/logger.js';
import { ProviderError } from '../src/providers/ports.js';
import { freshness, type FreshnessFacts } from '../src/domain/missing-data.js';
import { locate, newestPartition, partitioningOf } from './missing.js';
import { renderFreshnessAlert, renderFreshnessArrived } from '../src/slack/blocks/missing-report.js';
import { slackBlocks } from '../src/slack/blocks/kit.js';

export function freshnessStateKey(prefix: string, job: string): string {
  return `${prefix}:freshness:${job}`;
}

interface FreshnessMemory {
  /** The late partition last alerted on. */
  late?: string;
  alertedAt?: number;
}

export type FreshnessPosted = 'freshness-alert' | 'freshness-arrived';

export async function checkFreshness(
  deps: Deps,
  job: string,
  channel: string,
  log: Logger,
): Promise<FreshnessPosted[]> {
  const jobCfg = deps.config.medic.jobs[job];
  const limit = jobCfg?.freshnessHours;
  if (limit === undefined || !(jobCfg?.output ?? jobCfg?.input)) return [];
  let facts: FreshnessFacts;
  try {
    const at = await locate(deps, job);
    const part = await partitioningOf(deps, job, at);
    if (!part) {
      log.warn({ job }, 'freshness: no date partitions under the location; set jobs.<job>.partitioning');
      return [];
    }
    facts = freshness(part.partitioning, await newestPartition(at, part.partitioning), deps.now(), limit);
  } catch (err) {
    if (err instanceof ProviderError && !err.retryable) {
      log.warn({ job, err }, 'freshness: the location cannot be listed');
      return [];
    }
    throw err;
  }
  const key = freshnessStateKey(deps.config.env.MEDIC_PREFIX, job);
  const raw = await deps.state.get(key);
  const memory = raw ? (JSON.parse(raw) as FreshnessMemory) : {};
  const posted: FreshnessPosted[] = [];
  const post = async (m: { text: string; blocks: Record<string, unknown>[] }) =>
    deps.slack.chat.postMessage({
      channel,
      text: m.text,
      blocks: slackBlocks(m.blocks),
      unfurl_links: false,
    });
  // The partition alerted on has arrived (the newest is at or past it): say so once.
  if (memory.late && facts.newest && facts.newest >= memory.late) {
    await post(renderFreshnessArrived({ job, partition: memory.late, facts }));
    posted.push('freshness-arrived');
    await deps.state.set(key, JSON.stringify({}));
    memory.late = undefined;
  }
  if (facts.late && facts.latePartition && facts.latePartition !== memory.late) {
    await post(renderFreshnessAlert({ job, facts }));
    posted.push('freshness-alert');
    await deps.state.set(key, JSON.stringify({ late: facts.latePartition, alertedAt: deps.now() }));
  }
  if (posted.length) {
    log.info({ job, posted, newest: facts.newest }, 'freshness checked');
    // Where the alerts go to an incident's channel, they are steps of its timeline too.
    const incident = await deps.incidents.forChannel(channel).catch(() => undefined);
    if (incident && incident.status !== 'resolved')
      await deps.timeline.append(incident.id, {
        at: deps.now(),
        kind: 'finding',
        actor: 'medic',
        text: posted.includes('freshness-alert')
          ? `Freshness: ${job} partition ${facts.latePartition ?? ''} is late (newest ${facts.newest ?? 'none'}, limit ${limit} h)`
          : `Freshness: ${job} partition arrived (newest ${facts.newest ?? 'none'})`,
      });
  }
  return posted;
}
