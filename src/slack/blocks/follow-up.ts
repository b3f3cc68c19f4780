// The follow-up of a mitigation in Block Kit (pure): one line for the approval message while the
// bot waits for the job's next run and once it has judged it, and the verdict's thread reply with
// "Move to monitoring" / "Resolve" when the job recovered. Cloud text is escaped.
import { code, escapeMrkdwn, truncate } from '../mrkdwn.js';
import { actions, button, context, section, type Block } from './kit.js';
import { formatDuration } from '../../domain/format.js';
import type { FollowUp } from '../../store/followups.js';

export const FOLLOWUP_MONITORING_ACTION = 'medic.followup.monitoring';
export const FOLLOWUP_RESOLVE_ACTION = 'medic.followup.resolve';

function pct(p: number): string {
  return `${p >= 0 ? '+' : ''}${p.toFixed(0)}%`;
}

function against(f: FollowUp): string {
  return f.baselineSec !== undefined && f.durationSec !== undefined && f.pctVsBaseline !== undefined
    ? `${formatDuration(f.durationSec)} against a baseline of ${formatDuration(f.baselineSec)} (${pct(f.pctVsBaseline)})`
    : f.durationSec !== undefined
      ? `${formatDuration(f.durationSec)} (no baseline to compare with)`
      : '';
}

/** The follow-up in one line: what the bot waits for, or its verdict. */
export function followUpLine(f: FollowUp, horizonHours?: number): string {
  const job = code(f.job);
  const run = f.runId ? `run ${code(f.runId)} of ${job}` : `the next run of ${job}`;
  switch (f.state) {
    case 'waiting':
      return `:eyes: *Following the next run of ${job}*${horizonHours ? ` (for up to ${horizonHours} h)` : ''}: the verdict against the baseline will be posted in this thread.`;
    case 'running':
      return `:eyes: *Following ${run}*: ${escapeMrkdwn(f.runState ?? 'running')}; the verdict will be posted in this thread.`;
    case 'recovered':
      return `:large_green_circle: *Recovered* on ${run}: ${against(f)}.`;
    case 'not-recovered':
      return `:red_circle: *Not recovered* on ${run}: ${against(f)}; the incident stays open.`;
    case 'suspicious':
      return `:warning: *Suspicious — check its input and output*: ${run} ran ${against(f)}${f.detail ? `; ${escapeMrkdwn(truncate(f.detail, 500))}` : ''}. Not counted as a recovery.`;
    case 'failed':
      return `:x: *The next run failed*: ${run} ended ${escapeMrkdwn(f.runState ?? 'failed')}${f.detail ? ` — _${escapeMrkdwn(truncate(f.detail, 500))}_` : ''}; the incident stays open.`;
    case 'gave-up':
      return `:hourglass: *Stopped following* ${job}: no new run finished within ${f.checks} checks${horizonHours ? ` (${horizonHours} h)` : ''}. Triage it again after its next run.`;
  }
}

/** The verdict, as a thread reply; buttons only when it recovered and an incident is open. */
export function renderFollowUpReply(
  f: FollowUp,
  opts: { incidentOpen: boolean },
): { text: string; blocks: Block[] } {
  const line = followUpLine(f);
  const blocks: Block[] = [section(line)];
  if (f.closedAs && f.closedBy) {
    blocks.push(
      context(
        f.closedAs === 'resolved'
          ? `:white_check_mark: <@${f.closedBy}> resolved ${code(f.incidentId ?? '')} from this verdict.`
          : `:arrows_counterclockwise: <@${f.closedBy}> moved ${code(f.incidentId ?? '')} to monitoring from this verdict.`,
      ),
    );
  } else if (f.state === 'recovered' && f.incidentId && opts.incidentOpen) {
    blocks.push(
      actions(
        [
          button({ text: 'Move to monitoring', actionId: FOLLOWUP_MONITORING_ACTION, value: f.id }),
          button({
            text: 'Resolve',
            actionId: FOLLOWUP_RESOLVE_ACTION,
            value: f.id,
            style: 'primary',
            confirm: {
              title: 'Resolve the incident?',
              text: truncate(escapeMrkdwn(`${f.incidentId}: ${f.job} recovered on its next run.`), 300),
              confirm: 'Resolve',
              deny: 'Cancel',
            },
          }),
        ],
        'medic-followup',
      ),
    );
  }
  const plain: Record<FollowUp['state'], string> = {
    waiting: 'Following the next run',
    running: 'Following the next run',
    recovered: 'Recovered',
    'not-recovered': 'Not recovered',
    suspicious: 'Suspicious run: check its input and output',
    failed: 'The next run failed',
    'gave-up': 'Stopped following',
  };
  return { text: truncate(escapeMrkdwn(`${plain[f.state]}: ${f.job}`), 300), blocks };
}
