// Where each kind of queued work shows itself in Slack: its channel and the message it updates.
// The final-state hooks (jobs/final-state.ts) post there; the Retry click checks the job it
// would repeat belongs to the channel it was clicked in.
import type { Deps } from '../deps.js';
import type { QueueName } from './names.js';
import { ApprovalStore } from '../store/approvals.js';
import { backfillStore } from '../slack/actions/backfill-shared.js';
import { monitorChannelFor } from '../config/file.js';
import { escapeMrkdwn } from '../slack/mrkdwn.js';

/** Where a job's work is shown: its channel, and the message it updates (or threads under). */
export interface JobMessage {
  channel: string;
  ts?: string;
  /** The message is the job's own (replace it); otherwise the notice goes in its thread. */
  own: boolean;
  /** "Triage of `MyJob`" (mrkdwn, escaped). */
  what: string;
  /** The same in plain text, for headers. */
  plain: string;
}

export type JobData = Record<string, unknown> & { requester?: { channelId?: string } };

export async function messageOf(
  deps: Deps,
  queue: QueueName,
  data: JobData,
): Promise<JobMessage | undefined> {
  const prefix = deps.config.env.MEDIC_PREFIX;
  const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
  const requested = data.requester?.channelId;
  switch (queue) {
    case 'triage': {
      const job = str(data.job) ?? '';
      if (!requested) return undefined;
      const ts = str(data.reportTs);
      // Started from a storm's group message and not posted yet: the notice goes in its thread.
      const groupTs = str((data.group as { ts?: unknown } | undefined)?.ts);
      return {
        channel: requested,
        ...(ts ? { ts } : groupTs ? { ts: groupTs } : {}),
        own: Boolean(ts) || !groupTs,
        what: `Triage of \`${escapeMrkdwn(job)}\``,
        plain: `Triage of ${job}`,
      };
    }
    case 'smallfiles': {
      if (!requested) return undefined;
      const ts = str(data.messageTs);
      const uri = str(data.uri) ?? '';
      return {
        channel: requested,
        ...(ts ? { ts } : {}),
        own: true,
        what: `Scan of \`${escapeMrkdwn(uri)}\``,
        plain: `Scan of ${uri}`,
      };
    }
    case 'cost': {
      if (!requested) return undefined;
      const ts = str(data.reportTs);
      return {
        channel: requested,
        ...(ts ? { ts } : {}),
        own: true,
        what: 'Cost report',
        plain: 'Cost report',
      };
    }
    case 'schema': {
      if (!requested) return undefined;
      return { channel: requested, own: false, what: 'Schema check', plain: 'Schema check' };
    }
    case 'mitigation': {
      const id = str(data.approvalId);
      if (!id) return undefined;
      const a = await new ApprovalStore(deps.state, prefix).get(id.replace(/-expire$/, ''));
      if (!a) return undefined;
      return {
        channel: a.channel,
        ...(a.messageTs ? { ts: a.messageTs } : {}),
        own: false,
        what: `Mitigation \`${escapeMrkdwn(a.id)}\``,
        plain: `Mitigation ${a.id}`,
      };
    }
    case 'backfill': {
      const id = str(data.backfillId);
      if (!id) return undefined;
      const r = await backfillStore(deps.state, prefix).get(id);
      if (!r) return undefined;
      const step = str(data.step) ?? '';
      return {
        channel: r.plan.channel,
        ...(r.messageTs ? { ts: r.messageTs } : {}),
        own: false,
        what: `Backfill \`${escapeMrkdwn(r.plan.id)}\` (step ${escapeMrkdwn(step)})`,
        plain: `Backfill ${r.plan.id}`,
      };
    }
    case 'monitor': {
      const job = str(data.job);
      const channel = job ? monitorChannelFor(deps.config.medic, job) : undefined;
      if (!job || !channel) return undefined;
      return {
        channel,
        own: false,
        what: `The monitor of \`${escapeMrkdwn(job)}\``,
        plain: `Monitor of ${job}`,
      };
    }
    default:
      return undefined;
  }
}
