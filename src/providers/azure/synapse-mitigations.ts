// The runbook's quick mitigations as Synapse calls: what each will call (for the approval message
// and dry runs) and the request `execute` replays. The bot's pipeline-parameter convention on
// Synapse (README, "Synapse pipeline parameters"), matched to the pipeline's declared parameters
// ignoring case and underscores when the call is made:
//   rerun with more executors  → numExecutors, executorSize (the Spark activity references them)
//   rerun with Spark settings  → sparkConf, an Object parameter the activity's `conf` references
//   compaction pipeline        → inputPath, targetFileSizeMb
// A recovery rerun takes no parameters: Synapse reuses the failed run's own.
import { z } from 'zod';
import { shuffleSettings, type MitigationParams } from '../../domain/approval-policy.js';
import type { PlannedAction } from '../ports.js';
import type { SynapseTarget } from './synapse-jobs.js';
import { POOL_API_VERSION } from './spark-pool-client.js';

const MIB = 1024 * 1024;

export const CREATE_RUN = 'synapse:createRun';
export const POOL_WRITE = 'arm:bigDataPools/write';

/** A planned createRun, as kept with the approval. */
export const CreateRunRequest = z.object({
  job: z.string().min(1),
  parameters: z.record(z.string(), z.string()).optional(),
  recovery: z
    .object({ referencePipelineRunId: z.string().min(1), startActivityName: z.string().min(1).optional() })
    .optional(),
});
export type CreateRunRequest = z.infer<typeof CreateRunRequest>;

/** A planned Spark pool change, as kept with the approval. */
export const PoolChangeRequest = z.object({
  job: z.string().min(1),
  sparkPool: z.string().min(1).optional(),
  nodeSize: z.string().min(1),
  nodeCount: z.number().int().positive(),
});
export type PoolChangeRequest = z.infer<typeof PoolChangeRequest>;

/** Where the plan can say the pipeline is (undefined when its workspace cannot be told yet). */
export type TargetOf = (job: string) => SynapseTarget | undefined;

function where(job: string, target: SynapseTarget | undefined): string {
  if (!target) return `pipeline=${job}`;
  const p = target.pipeline === job ? job : `${target.pipeline} (job ${job})`;
  return `workspace=${target.workspace} pipeline=${p}`;
}

function createRun(req: CreateRunRequest, targetOf: TargetOf): PlannedAction {
  const parts = [CREATE_RUN, where(req.job, targetOf(req.job))];
  if (req.parameters && Object.keys(req.parameters).length)
    parts.push(
      `parameters={${Object.entries(req.parameters)
        .map(([k, v]) => `${k}=${v}`)
        .join(', ')}}`,
    );
  if (req.recovery) {
    parts.push(`referencePipelineRunId=${req.recovery.referencePipelineRunId} isRecovery=true`);
    if (req.recovery.startActivityName) parts.push(`startActivityName=${req.recovery.startActivityName}`);
    parts.push("(the failed run's own parameters)");
  }
  return {
    operation: CREATE_RUN,
    jobName: req.job,
    description: parts.join(' '),
    effect: 'run',
    request: { ...req },
  };
}

/** The exact Synapse calls a mitigation makes, in order; undefined for what Synapse cannot do. */
export function planSynapseMitigation(
  job: string,
  p: MitigationParams,
  targetOf: TargetOf,
): PlannedAction[] | undefined {
  switch (p.kind) {
    case 'compaction':
      return [
        createRun(
          {
            job: p.compactionJob,
            parameters: {
              inputPath: p.inputLocation,
              targetFileSizeMb: String(Math.max(1, Math.round(p.targetFileBytes / MIB))),
            },
          },
          targetOf,
        ),
      ];
    case 'scale': {
      if (!p.persistent)
        return [
          createRun(
            {
              job,
              parameters: {
                numExecutors: String(p.count),
                // An unchanged size is not sent: many pipelines fix it in the activity.
                ...(p.fromSize === p.size ? {} : { executorSize: p.size }),
              },
            },
            targetOf,
          ),
        ];
      const target = targetOf(job);
      const pool = target?.sparkPool;
      const req: PoolChangeRequest = {
        job,
        ...(pool ? { sparkPool: pool } : {}),
        nodeSize: p.size,
        nodeCount: p.count,
      };
      const name = pool ?? `<the Spark pool of ${job}'s pipeline>`;
      return [
        {
          operation: POOL_WRITE,
          jobName: job,
          description: `ARM PUT …/workspaces/${target?.workspace ?? '<workspace>'}/bigDataPools/${name}?api-version=${POOL_API_VERSION} for ${job}: properties.nodeSize=${p.size}, nodeCount=${p.count} (autoScale.maxNodeCount=${p.count} when autoscale is on), every other property read and written back`,
          effect: 'change',
          summary: `the Spark pool ${name} gets ${p.count} × ${p.size} nodes for every job that runs on it, not only ${job}; undo it with another pool change.`,
          doneNote: `Spark pool ${name} now has ${p.size} nodes (${p.count}): a persistent change for every job on the pool.`,
          request: { ...req },
        },
      ];
    }
    case 'shuffle-tuning':
      return [
        createRun(
          { job, parameters: { sparkConf: JSON.stringify(Object.fromEntries(shuffleSettings(p))) } },
          targetOf,
        ),
      ];
    case 'recovery-rerun':
      return [
        createRun(
          {
            job,
            recovery: {
              referencePipelineRunId: p.runId,
              ...(p.step ? { startActivityName: p.step } : {}),
            },
          },
          targetOf,
        ),
      ];
    case 'bookmark-reset':
      // Synapse keeps no incremental state the bot can reset.
      return undefined;
    case 'code-fix':
      return [];
  }
}
