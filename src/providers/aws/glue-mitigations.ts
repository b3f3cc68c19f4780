// The runbook's quick mitigations as Glue calls: what each will call (for the approval message
// and dry runs, exactly as it will be sent) and the replay of an approved one.
import { COMPACTION_PARAMS, shuffleSettings, type MitigationParams } from '../../domain/approval-policy.js';
import type { PlannedAction } from '../ports.js';
import { toGlueArguments } from './glue-arguments.js';

export interface GlueStartRequest {
  JobName: string;
  Arguments?: Record<string, string>;
  WorkerType?: string;
  NumberOfWorkers?: number;
}

/**
 * Glue takes one value per argument key, so several Spark settings go into the single `--conf`
 * argument joined by ` --conf ` (the documented workaround: `a=1 --conf b=2`).
 */
export function sparkConfArgument(settings: readonly (readonly [string, string])[]): string {
  return settings.map(([k, v]) => `${k}=${v}`).join(' --conf ');
}

function startRun(req: GlueStartRequest): PlannedAction {
  const parts: string[] = ['glue:StartJobRun', `JobName=${req.JobName}`];
  if (req.Arguments && Object.keys(req.Arguments).length)
    parts.push(
      `Arguments={${Object.entries(req.Arguments)
        .map(([k, v]) => `${k}=${v}`)
        .join(', ')}}`,
    );
  if (req.WorkerType) parts.push(`WorkerType=${req.WorkerType}`);
  if (req.NumberOfWorkers !== undefined) parts.push(`NumberOfWorkers=${req.NumberOfWorkers}`);
  return {
    operation: 'glue:StartJobRun',
    jobName: req.JobName,
    description: parts.join(' '),
    effect: 'run',
    request: { ...req },
  };
}

/**
 * The exact Glue calls a mitigation makes, in order (none for a code fix: it records a follow-up);
 * undefined for what Glue cannot do.
 */
export function planGlueMitigation(job: string, p: MitigationParams): PlannedAction[] | undefined {
  switch (p.kind) {
    case 'compaction':
      return [
        startRun({
          JobName: p.compactionJob,
          Arguments: toGlueArguments({
            [COMPACTION_PARAMS.input]: p.inputLocation,
            [COMPACTION_PARAMS.targetSize]: String(p.targetFileBytes),
          }),
        }),
      ];
    case 'scale':
      return p.persistent
        ? [
            {
              operation: 'glue:UpdateJob',
              jobName: job,
              description: `glue:UpdateJob JobName=${job} JobUpdate={WorkerType=${p.size}, NumberOfWorkers=${p.count}, …every other field kept}`,
              effect: 'change',
              doneNote: `UpdateJob applied: every later run of ${job} uses ${p.count} × ${p.size} workers.`,
              request: { JobName: job, WorkerType: p.size, NumberOfWorkers: p.count },
            },
          ]
        : [startRun({ JobName: job, WorkerType: p.size, NumberOfWorkers: p.count })];
    case 'shuffle-tuning':
      return [startRun({ JobName: job, Arguments: { '--conf': sparkConfArgument(shuffleSettings(p)) } })];
    case 'bookmark-reset':
      return [
        {
          operation: 'glue:ResetJobBookmark',
          jobName: job,
          description: `glue:ResetJobBookmark JobName=${job}${p.runId ? ` RunId=${p.runId}` : ''}`,
          effect: 'change',
          doneNote: p.runId
            ? `Job bookmark of ${job} reset to run ${p.runId}.`
            : `Job bookmark of ${job} reset.`,
          request: { JobName: job, ...(p.runId ? { RunId: p.runId } : {}) },
        },
      ];
    case 'code-fix':
      return [];
    case 'recovery-rerun':
      // Glue cannot resume a run from the step it failed at: a plain StartJobRun would redo all of
      // it with the job's default arguments, not the failed run's. That is what the scale and
      // shuffle reruns already offer, so Glue plans nothing here and shows no button for it.
      return undefined;
  }
}
