// Which workspace, pipeline and Spark pool a job name stands for, from medic.yml's `jobs:`. One
// Synapse platform serves every workspace the configuration names; each call resolves its job here.
import { ProviderError } from '../ports.js';
import { synapseWorkspaceEndpoint } from './synapse-client.js';

/** What a `jobs.<job>` entry says about a Synapse job (the subset of JobConfig the adapter reads). */
export interface SynapseJobSettings {
  provider?: string;
  workspace?: string;
  workspaceEndpoint?: string;
  pipeline?: string;
  sparkPool?: string;
  compactionJob?: string;
  stagingJob?: string;
  consumers?: readonly string[];
}

/** Where a job's pipeline is. */
export interface SynapseTarget {
  /** The job's name (the config key, or the name asked for). */
  job: string;
  pipeline: string;
  /** The workspace's name (ARM resource name: metrics, pools, Studio links). */
  workspace: string;
  /** The workspace's data plane, without a trailing slash. */
  endpoint: string;
  /** The configured Spark pool, when the job names one. */
  sparkPool?: string;
}

/**
 * The workspace's name: `workspace` when configured, else the endpoint's host label
 * (`contoso-ws.dev.azuresynapse.net`), else the endpoint's last path segment (an emulator's
 * `/synapse/contoso-ws`).
 */
export function workspaceNameOf(s: Pick<SynapseJobSettings, 'workspace' | 'workspaceEndpoint'>): string {
  if (s.workspace) return s.workspace;
  const url = new URL(s.workspaceEndpoint ?? '');
  const host = /^([^.]+)\.dev\.azuresynapse\./.exec(url.hostname)?.[1];
  if (host) return host;
  const last = url.pathname.split('/').filter(Boolean).pop();
  return last ? decodeURIComponent(last) : url.hostname;
}

const hasWorkspace = (s: SynapseJobSettings | undefined): s is SynapseJobSettings =>
  !!s && (!!s.workspace || !!s.workspaceEndpoint);

export interface SynapseJobResolver {
  /** Throws INVALID_INPUT naming `jobs.<job>.workspace` when no workspace can be told. */
  resolve(job: string): SynapseTarget;
  /** Every workspace the configuration names, once (for "did you mean" across them). */
  workspaces(): { workspace: string; endpoint: string }[];
}

/**
 * Resolution, in order: the job's own `workspace` / `workspaceEndpoint`; the workspace of a
 * Synapse job that names it as its compactionJob, stagingJob or consumer (those pipelines live
 * beside it); the one workspace every configured Synapse job shares. Otherwise an INVALID_INPUT
 * that names the key to set.
 */
export function createSynapseJobResolver(
  jobs: Readonly<Record<string, SynapseJobSettings>> = {},
): SynapseJobResolver {
  const synapseJobs = Object.entries(jobs).filter(([, j]) => j.provider === 'synapse' && hasWorkspace(j)) as [
    string,
    SynapseJobSettings,
  ][];
  const target = (job: string, ws: SynapseJobSettings, own?: SynapseJobSettings): SynapseTarget => {
    const t: SynapseTarget = {
      job,
      pipeline: own?.pipeline ?? job,
      workspace: workspaceNameOf(ws),
      endpoint: synapseWorkspaceEndpoint(ws),
    };
    // Only the job's own pool: a companion pipeline may run on another one (its definition says).
    if (own?.sparkPool) t.sparkPool = own.sparkPool;
    return t;
  };
  const distinct = () => {
    const seen = new Map<string, { workspace: string; endpoint: string }>();
    for (const [, j] of synapseJobs) {
      const endpoint = synapseWorkspaceEndpoint(j);
      if (!seen.has(endpoint)) seen.set(endpoint, { workspace: workspaceNameOf(j), endpoint });
    }
    return [...seen.values()];
  };
  return {
    workspaces: distinct,
    resolve(job) {
      const own = jobs[job];
      if (hasWorkspace(own)) return target(job, own, own);
      const parent = synapseJobs.find(
        ([, j]) => j.compactionJob === job || j.stagingJob === job || (j.consumers ?? []).includes(job),
      );
      if (parent) return target(job, parent[1], own);
      const all = distinct();
      if (all.length === 1) {
        const only = synapseJobs.find(([, j]) => synapseWorkspaceEndpoint(j) === all[0]!.endpoint)!;
        return target(job, only[1], own);
      }
      throw new ProviderError(
        'INVALID_INPUT',
        all.length
          ? `Synapse pipeline ${job} has no workspace and the configuration names ${all.length} (${all.map((w) => w.workspace).join(', ')}): set jobs.${job}.workspace (or jobs.${job}.workspaceEndpoint) in medic.yml`
          : `Synapse pipeline ${job} has no workspace: set jobs.${job}.workspace (or jobs.${job}.workspaceEndpoint) in medic.yml`,
        { retryable: false },
      );
    },
  };
}
