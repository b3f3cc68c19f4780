// Data-platform parity (seed 5.1, "keep environments parity"): a job's staging definition against
// its production one. A backfill trusts what the staging job produces, so the staging job must run
// the same code on the same engine as production; that is what this says, aspect by aspect.
//
// Pure: the caller reads both definitions and the scripts' checksums through the ports.

/** What the comparison needs of a definition (the JobDefinition port's fields). */
export interface ParityDefinition {
  name: string;
  runtime?: string;
  scriptLocation?: string;
  /** The capacity's shape as people say it ("10 × G.1X") and its units, when known. */
  capacity?: { shape?: string; units?: number; unit: string };
  timeoutMinutes?: number;
  parameters: Record<string, string>;
  connections?: string[];
}

/** The script's content as read: a checksum, or why there is none. */
export type ScriptDigest = { sha256: string; bytes: number } | { unreadable: string };

export type ParityAspect = 'runtime' | 'script' | 'capacity' | 'timeout' | 'parameter' | 'connections';

export interface ParityDifference {
  aspect: ParityAspect;
  /** What differs, in words: "runtime", "script content", "default argument --conf". */
  what: string;
  prod: string;
  staging: string;
  /**
   * A difference that makes a staging run's output untrustworthy as a stand-in for production's
   * (another engine version, other code): a backfill plan must have the approver acknowledge it.
   */
  acknowledge: boolean;
}

export interface ParityReport {
  prodJob: string;
  stagingJob: string;
  differences: ParityDifference[];
  /** Parameters that point at other places in the two environments (expected to differ). */
  locations: string[];
  /** What could not be compared, and why. */
  notes: string[];
  atParity: boolean;
  needsAcknowledgement: boolean;
}

const NONE = '(none)';

/** Object URIs differ between environments by design (staging writes elsewhere). */
function isLocation(v: string): boolean {
  return /^(s3a?|abfss?|wasbs?|gs):\/\//i.test(v) || /^https:\/\/[^/]+\.(blob|dfs)\.core\./i.test(v);
}

/** Arguments whose value is the environment's own by design, whatever it holds. */
const PER_ENVIRONMENT_PARAMETERS = new Set(['job-bookmark-option']);

function scriptText(d: ScriptDigest | undefined): string {
  if (!d) return 'not read';
  return 'sha256' in d ? `sha256 ${d.sha256.slice(0, 12)}… (${d.bytes} bytes)` : d.unreadable;
}

export function compareDefinitions(
  prod: ParityDefinition,
  staging: ParityDefinition,
  scripts: { prod?: ScriptDigest; staging?: ScriptDigest } = {},
): ParityReport {
  const differences: ParityDifference[] = [];
  const notes: string[] = [];
  const locations: string[] = [];
  const add = (aspect: ParityAspect, what: string, p: string, s: string, acknowledge: boolean): void => {
    differences.push({ aspect, what, prod: p, staging: s, acknowledge });
  };

  if ((prod.runtime ?? NONE) !== (staging.runtime ?? NONE))
    add('runtime', 'runtime', prod.runtime ?? NONE, staging.runtime ?? NONE, true);

  const p = scripts.prod;
  const s = scripts.staging;
  if (p && s && 'sha256' in p && 'sha256' in s) {
    if (p.sha256 !== s.sha256)
      add(
        'script',
        'script content',
        `${prod.scriptLocation ?? NONE}, ${scriptText(p)}`,
        `${staging.scriptLocation ?? NONE}, ${scriptText(s)}`,
        true,
      );
  } else if ((prod.scriptLocation ?? NONE) !== (staging.scriptLocation ?? NONE)) {
    // Other files whose content could not be read: the locations are all there is to go on.
    add('script', 'script location', prod.scriptLocation ?? NONE, staging.scriptLocation ?? NONE, true);
  }
  for (const [env, d, def] of [
    ['production', p, prod],
    ['staging', s, staging],
  ] as const)
    if (def.scriptLocation && (!d || !('sha256' in d)))
      notes.push(`${env} script ${def.scriptLocation} not compared by content: ${scriptText(d)}`);

  const shape = (d: ParityDefinition): string =>
    d.capacity?.shape ?? (d.capacity?.units !== undefined ? `${d.capacity.units} ${d.capacity.unit}` : NONE);
  if (shape(prod) !== shape(staging)) add('capacity', 'workers', shape(prod), shape(staging), false);

  if (prod.timeoutMinutes !== staging.timeoutMinutes)
    add(
      'timeout',
      'timeout',
      prod.timeoutMinutes !== undefined ? `${prod.timeoutMinutes} min` : NONE,
      staging.timeoutMinutes !== undefined ? `${staging.timeoutMinutes} min` : NONE,
      false,
    );

  const keys = [...new Set([...Object.keys(prod.parameters), ...Object.keys(staging.parameters)])].sort();
  for (const k of keys) {
    const a = prod.parameters[k];
    const b = staging.parameters[k];
    if (a === b) continue;
    if (
      PER_ENVIRONMENT_PARAMETERS.has(k) ||
      (a !== undefined && b !== undefined && isLocation(a) && isLocation(b))
    ) {
      locations.push(k);
      continue;
    }
    add('parameter', `default argument --${k}`, a ?? NONE, b ?? NONE, false);
  }

  const conn = (d: ParityDefinition): string => (d.connections?.length ? d.connections.join(', ') : NONE);
  if (conn(prod) !== conn(staging)) add('connections', 'connections', conn(prod), conn(staging), false);

  return {
    prodJob: prod.name,
    stagingJob: staging.name,
    differences,
    locations,
    notes,
    atParity: differences.length === 0,
    needsAcknowledgement: differences.some((d) => d.acknowledge),
  };
}

/** The report as plain lines (the CLI, and the backfill plan's section). */
export function parityLines(r: ParityReport): string[] {
  const out: string[] = [];
  out.push(
    r.atParity
      ? `${r.stagingJob} is at parity with ${r.prodJob}: same runtime, script, workers, arguments and connections.`
      : `${r.stagingJob} differs from ${r.prodJob} in ${r.differences.length} ${r.differences.length === 1 ? 'way' : 'ways'}${r.needsAcknowledgement ? ' (runtime or script: a backfill through it needs the approver to acknowledge this)' : ''}:`,
  );
  for (const d of r.differences) out.push(`  ${d.what}: production ${d.prod}; staging ${d.staging}`);
  if (r.locations.length)
    out.push(
      `  expected to differ (the environment's own places): ${r.locations.map((k) => `--${k}`).join(', ')}`,
    );
  for (const n of r.notes) out.push(`  note: ${n}`);
  return out;
}
