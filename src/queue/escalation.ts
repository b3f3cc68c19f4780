// The escalation timer's producers (runbook "Escalamiento"), shared by the commands that open, move
// and resolve incidents and by the triage job that opens one: a delayed job per incident
// (deterministic id, so scheduling twice is one job; it lives in Redis, so it survives restarts),
// removed when the incident is resolved or reaches "monitoring". The processor that sends the
// escalation is jobs/escalation.ts.
import type { AppConfig } from '../config/index.js';
import type { Logger } from '../logger.js';
import type { Timings } from '../deps.js';
import type { Incident } from '../store/incidents.js';
import type { Producers } from './producers.js';
import { stableId } from './payloads.js';

/** The job's `escalateAfterMinutes`, else the defaults' (90). */
export function escalateAfterMinutes(config: AppConfig, job: string | undefined): number {
  return (
    (job ? config.medic.jobs[job]?.escalateAfterMinutes : undefined) ??
    config.medic.defaults.escalateAfterMinutes
  );
}

/** The timer's BullMQ job id: one per incident. */
export function escalationJobId(incidentId: string): string {
  return stableId('escalation', incidentId);
}

export interface ScheduleDeps {
  config: AppConfig;
  producers: Producers;
  logger: Logger;
  /** The minute `escalateAfterMinutes` counts (Deps.timings: 60 s in production, 1 s in tests). */
  timings: Pick<Timings, 'escalationMinuteMs'>;
  now?: () => number;
}

/**
 * Schedule the incident's escalation timer at openedAt + escalateAfterMinutes. Idempotent (one
 * job per incident). The triage job calls this when it opens an incident.
 */
export async function scheduleEscalation(
  deps: ScheduleDeps,
  incident: Pick<Incident, 'id' | 'job' | 'openedAt' | 'status'>,
): Promise<{ jobId: string; delayMs: number } | undefined> {
  if (incident.status === 'resolved' || incident.status === 'monitoring') return undefined;
  const minutes = escalateAfterMinutes(deps.config, incident.job);
  const now = (deps.now ?? Date.now)();
  const dueAt = incident.openedAt + minutes * deps.timings.escalationMinuteMs;
  const delayMs = Math.max(1, dueAt - now);
  const jobId = escalationJobId(incident.id);
  await deps.producers.enqueue(
    'escalation',
    { incidentId: incident.id, reason: 'timer' },
    { jobId, delayMs },
  );
  deps.logger.info({ incidentId: incident.id, jobId, delayMs, minutes }, 'escalation scheduled');
  return { jobId, delayMs };
}

/** Remove the incident's pending escalation timer. True when a pending timer was removed. */
export async function cancelEscalation(
  deps: { producers: Producers; logger: Logger },
  incidentId: string,
): Promise<boolean> {
  const job = await deps.producers.queue('escalation').getJob(escalationJobId(incidentId));
  if (!job) return false;
  const state = await job.getState();
  if (state !== 'delayed' && state !== 'waiting' && state !== 'prioritized') return false;
  try {
    await job.remove();
  } catch (err) {
    // A job that just became active cannot be removed; the processor sees the status and skips.
    deps.logger.info({ err, incidentId }, 'escalation timer could not be removed; it will skip itself');
    return false;
  }
  deps.logger.info({ incidentId }, 'escalation timer cancelled');
  return true;
}

/** Ask for an escalation now (`/incident escalate`): a job the workers run at once. */
export async function requestEscalation(
  deps: ScheduleDeps,
  incidentId: string,
  requestedBy: string,
): Promise<{ created: boolean }> {
  // Double clicks within a minute are one escalation.
  const minute = Math.floor((deps.now ?? Date.now)() / 60_000);
  const jobId = stableId('escalation', 'manual', incidentId, String(minute));
  const res = await deps.producers.enqueue(
    'escalation',
    { incidentId, reason: 'manual', requestedBy },
    { jobId, dedupId: stableId('escalation-manual', incidentId), dedupTtlMs: 60_000 },
  );
  return { created: res.created };
}
