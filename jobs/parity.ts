// Reads what `domain/parity.ts` compares: a job's production and staging definitions through its
// platform, and the content of the scripts they run through the object store (a checksum each).
// Used by `medic parity` and by the backfill plan, which warns when its staging job has drifted.
import { createHash } from 'node:crypto';
import { jobProvider, type AppConfig } from '../src/config/index.js';
import { ProviderError, type JobDefinition, type Providers } from '../src/providers/ports.js';
import { parseObjectUri } from '../src/providers/object-uri.js';
import {
  compareDefinitions,
  type ParityDefinition,
  type ParityReport,
  type ScriptDigest,
} from '../src/domain/parity.js';

/** Scripts are small; a bigger object is not read whole (and is named as not compared). */
export const MAX_SCRIPT_BYTES = 8 * 1024 * 1024;

export function toParityDefinition(d: JobDefinition): ParityDefinition {
  return {
    name: d.name,
    parameters: d.parameters,
    ...(d.runtime ? { runtime: d.runtime } : {}),
    ...(d.scriptLocation ? { scriptLocation: d.scriptLocation } : {}),
    ...(d.capacity ? { capacity: d.capacity } : {}),
    ...(d.timeoutMinutes !== undefined ? { timeoutMinutes: d.timeoutMinutes } : {}),
    ...(d.connections ? { connections: d.connections } : {}),
  };
}

export async function scriptDigest(providers: Providers, uri: string): Promise<ScriptDigest> {
  let loc;
  try {
    loc = parseObjectUri(uri);
  } catch {
    return { unreadable: 'not an object URI the bot reads' };
  }
  try {
    const body = await providers
      .objectStore(loc.scheme)
      .getObject(loc.container, loc.prefix, { start: 0, end: MAX_SCRIPT_BYTES });
    if (body.length > MAX_SCRIPT_BYTES)
      return { unreadable: `larger than ${MAX_SCRIPT_BYTES} bytes, not read` };
    return { sha256: createHash('sha256').update(body).digest('hex'), bytes: body.length };
  } catch (err) {
    if (err instanceof ProviderError) return { unreadable: `could not be read (${err.message})` };
    throw err;
  }
}

export type ParityOutcome = { ok: true; report: ParityReport } | { ok: false; problem: string };

/**
 * The job's staging definition (jobs.<job>.stagingJob, or `stagingJob` given) against its own.
 * Provider errors (unknown job, denied) propagate as ProviderError.
 */
export async function gatherParity(
  deps: { config: AppConfig; providers: Providers },
  job: string,
  stagingJob?: string,
): Promise<ParityOutcome> {
  const staging = stagingJob ?? deps.config.medic.jobs[job]?.stagingJob;
  if (!staging)
    return {
      ok: false,
      problem: `${job} has no staging job: set jobs.${job}.stagingJob in medic.yml, or name one with --staging`,
    };
  if (staging === job) return { ok: false, problem: `${job} cannot be its own staging job` };
  const platform = deps.providers.jobPlatform(jobProvider(deps.config.medic, job));
  const [prod, stage] = await Promise.all([platform.getJob(job), platform.getJob(staging)]);
  const [p, s] = await Promise.all([
    prod.scriptLocation ? scriptDigest(deps.providers, prod.scriptLocation) : undefined,
    stage.scriptLocation ? scriptDigest(deps.providers, stage.scriptLocation) : undefined,
  ]);
  return {
    ok: true,
    report: compareDefinitions(toParityDefinition(prod), toParityDefinition(stage), {
      ...(p ? { prod: p } : {}),
      ...(s ? { staging: s } : {}),
    }),
  };
}
