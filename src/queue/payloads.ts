// Job payload schemas. Workers parse job.data with these before acting, so a malformed job fails
// once as UnrecoverableError instead of retrying. Payloads never carry tokens or response_urls.
import { z } from 'zod';
import type { QueueName } from './names.js';
import { PROVIDER_NAMES } from '../providers/names.js';

const SlackChannel = z.string().regex(/^[CGD][A-Z0-9]{2,}$/);
const SlackUser = z.string().regex(/^[UWB][A-Z0-9]{2,}$/);

export const Requester = z.object({
  userId: SlackUser,
  channelId: SlackChannel,
  teamId: z.string().optional(),
});
export type Requester = z.infer<typeof Requester>;

export const TriagePayload = z.object({
  job: z.string().min(1).max(255),
  provider: z.enum(PROVIDER_NAMES).optional(),
  env: z.enum(['dev', 'staging', 'prod']).optional(),
  runs: z.number().int().min(1).max(2000).optional(),
  thresholdPct: z.number().min(1).max(1000).optional(),
  consecutiveRuns: z.number().int().min(1).max(50).optional(),
  input: z.string().optional(),
  requester: Requester,
  requestedAt: z.number().int(),
  /** Slack message already posted for this report (set by the processor; retries update it). */
  reportTs: z.string().optional(),
  /**
   * What the requester chose when the channel had another job's open incident: add this job to
   * that incident, or keep it apart (a new incident, if the verdict calls for one).
   */
  incident: z.object({ mode: z.enum(['add', 'new']), id: z.string().max(64).optional() }).optional(),
  /**
   * Started from a storm's group message (src/slack/alert-group-message.ts): the verdict shows on that
   * message's row and the full report goes into its thread, instead of a message of its own.
   */
  group: z.object({ id: z.string().min(1).max(64), ts: z.string().min(1).max(32) }).optional(),
});
export type TriagePayload = z.infer<typeof TriagePayload>;

export const SmallFilesPayload = z.object({
  uri: z.string().min(1).max(2048),
  thresholdBytes: z.number().int().positive().optional(),
  compareUri: z.string().min(1).max(2048).optional(),
  requester: Requester,
  requestedAt: z.number().int(),
  messageTs: z.string().optional(),
});
export type SmallFilesPayload = z.infer<typeof SmallFilesPayload>;

/**
 * A job the monitor has just alerted on: its input's partition statistics are gathered in the
 * background (jobs/prewarm.ts), so the triage someone starts from the alert reads only what
 * changed. Posts nothing; no user behind it.
 */
export const PrewarmPayload = z.object({
  kind: z.literal('prewarm'),
  job: z.string().min(1).max(255),
  uri: z.string().min(1).max(2048),
  requestedAt: z.number().int(),
});
export type PrewarmPayload = z.infer<typeof PrewarmPayload>;

/** The smallfiles queue: a /smallfiles scan, or an alert's background prewarm of a job's input. */
export const SmallFilesQueuePayload = z.union([SmallFilesPayload, PrewarmPayload]);

export const MitigationPayload = z.object({
  /**
   * Also the BullMQ job id of the execution (`<id>-expire` for the expiry timer, `<id>-follow`
   * for the follow-up). For `follow`, the follow-up's id (an approval's id, or `fix-…`).
   */
  approvalId: z.string().min(1),
  /**
   * start: make the call; poll: follow the started run (GetJobRun); expire: close an unanswered
   * request; follow: look for the job's next run after the mitigation and judge it.
   */
  step: z.enum(['start', 'poll', 'expire', 'follow']).default('start'),
  runId: z.string().optional(),
  /** GetJobRun checks so far. */
  polls: z.number().int().min(0).default(0),
});
export type MitigationPayload = z.infer<typeof MitigationPayload>;

export const EscalationPayload = z.object({
  incidentId: z.string().min(1),
  reason: z.enum(['timer', 'manual']),
  requestedBy: z.string().optional(),
});
export type EscalationPayload = z.infer<typeof EscalationPayload>;

export const BackfillPayload = z.object({
  backfillId: z.string().min(1),
  /** A step of domain/backfill-plan (or 'rollback', 'expire'). */
  step: z.string().default('snapshot'),
  /** Polls of a cloud run so far (the step re-queues itself delayed while it waits). */
  polls: z.number().int().min(0).default(0),
  /** Who asked (rollback). */
  actor: z.string().optional(),
});
export type BackfillPayload = z.infer<typeof BackfillPayload>;

export const MonitorPayload = z.object({
  /** The job whose recent runs the scheduled monitor evaluates. */
  job: z.string().min(1).max(255),
});
export type MonitorPayload = z.infer<typeof MonitorPayload>;

export const SchemaPayload = z.object({
  /** A job of medic.yml (its table and input), or database.table. */
  target: z.string().min(1).max(511),
  /** Compare with the catalog as it was on this day (YYYY-MM-DD); default the previous version. */
  since: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/)
    .optional(),
  requester: Requester,
  requestedAt: z.number(),
});
export type SchemaPayload = z.infer<typeof SchemaPayload>;

/** /missing and the monitor's Investigate button: the missing-data report of a job or location. */
export const MissingPayload = z.object({
  /** A job of medic.yml (its output, else input), or a storage URI. */
  target: z.string().min(1).max(2048),
  from: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/)
    .optional(),
  to: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/)
    .optional(),
  requester: Requester,
  requestedAt: z.number(),
});
export type MissingPayload = z.infer<typeof MissingPayload>;

export const PerfSmokePayload = z.object({
  smokeId: z.string().min(1),
  step: z.enum(['start', 'poll']).default('start'),
  polls: z.number().int().min(0).default(0),
});
export type PerfSmokePayload = z.infer<typeof PerfSmokePayload>;

/** /cost reports and the monitor's budget check share one queue. */
export const CostPayload = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('report'),
    /** A job, or every job carrying a tag. */
    subject: z.union([
      z.object({ job: z.string().min(1).max(255) }),
      z.object({ tag: z.object({ key: z.string().min(1).max(128), value: z.string().min(1).max(256) }) }),
    ]),
    days: z.number().int().min(1).max(366),
    requester: Requester,
    requestedAt: z.number().int(),
    /** Slack message already posted for this report (set by the processor; retries update it). */
    reportTs: z.string().optional(),
  }),
  /** Every configured budget: month to date, forecast, alerts (scheduled with the monitor). */
  z.object({ kind: z.literal('budgets') }),
]);
export type CostPayload = z.infer<typeof CostPayload>;

export const PAYLOADS = {
  triage: TriagePayload,
  smallfiles: SmallFilesQueuePayload,
  mitigation: MitigationPayload,
  escalation: EscalationPayload,
  backfill: BackfillPayload,
  monitor: MonitorPayload,
  schema: SchemaPayload,
  perfsmoke: PerfSmokePayload,
  cost: CostPayload,
  missing: MissingPayload,
} satisfies Record<QueueName, z.ZodType>;

export type PayloadOf<Q extends QueueName> = z.infer<(typeof PAYLOADS)[Q]>;

/**
 * A BullMQ job id or deduplication id from parts: no ':' (BullMQ reserves it) and never all
 * digits. Parts are sanitised so any job name yields a valid, stable id.
 */
export function stableId(...parts: string[]): string {
  return parts.map((p) => p.replace(/[^A-Za-z0-9._-]/g, (c) => '_' + c.charCodeAt(0).toString(16))).join('-');
}
