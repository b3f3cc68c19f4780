// The monitor's missing-tags notice (costControls.requiredTags): a job that lacks a required tag is
// named once, with the exact command that adds it; again only when what is missing changes. The
// triage report names it too and counts as having said it (store/cost-notices.ts).
import type { Deps } from '../src/deps.js';
import type { Logger } from '../src/logger.js';
import type { JobPlatform } from '../src/providers/ports.js';
import { CostNotices } from '../src/store/cost-notices.js';
import { renderTagsNotice } from '../src/slack/blocks/cost-report.js';
import { slackBlocks } from '../src/slack/blocks/kit.js';
import { readJobTags } from './cost-gather.js';

/** Post the notice when it is news; true when posted. Never throws for the platform's sake. */
export async function noticeMissingTags(
  deps: Deps,
  platform: JobPlatform,
  job: string,
  channel: string,
  log: Logger,
): Promise<boolean> {
  if (deps.config.medic.costControls.requiredTags.length === 0 || !platform.tags) return false;
  const info = await readJobTags(deps, job, platform);
  if (info.state !== 'read') {
    log.warn({ job, reason: info.reason }, 'tags not checked');
    return false;
  }
  const notices = new CostNotices(deps.state, deps.config.env.MEDIC_PREFIX);
  if (!(await notices.tagsAreNews(job, info.missing))) {
    // Tagged now: forget, so a tag removed later is news again.
    if (info.missing.length === 0) await notices.rememberTags(job, []);
    return false;
  }
  const m = renderTagsNotice(job, info);
  await deps.slack.chat.postMessage({
    channel,
    text: m.text,
    blocks: slackBlocks(m.blocks),
    unfurl_links: false,
  });
  await notices.rememberTags(job, info.missing);
  return true;
}
