// Findings about what changed: the job itself (its definition, its runs' capacity, runtime or
// parameters) or the schema of its tables, inside the degraded window.
import { formatIso } from '../format.js';
import { REDACTED, redactSecrets } from '../redact.js';
import type { RunRecord } from '../run-record.js';
import {
  degradedWindowOf,
  insideWindow,
  isDegradedOrFailing,
  signatureSentence,
  signaturesOf,
  touchesProblemRuns,
  type DiagnosisEvidence,
} from './evidence.js';
import { finding, type Finding } from './findings.js';

// --- job changed -------------------------------------------------------------------------------

/** What a run held: a different shape, runtime or tier across the window is a change to the job. */
const CAPACITY_FIELDS = [
  ['shape', 'capacity'],
  ['runtime', 'runtime'],
  ['tier', 'execution tier'],
] as const;

/** The value every run of a group shares, or undefined when they differ (or the group is empty). */
function shared<T>(values: readonly T[]): { value: T } | undefined {
  if (values.length === 0) return undefined;
  const first = values[0] as T;
  return values.every((v) => v === first) ? { value: first } : undefined;
}

/**
 * Configuration differences between the baseline runs and the recent runs. Only consistent ones count:
 * every baseline run had A and every recent run has B. A date argument that differs on every run is
 * not a change.
 */
export function configChanges(e: DiagnosisEvidence): string[] {
  const runs = e.runs;
  const d = e.degradation;
  if (!runs || !d?.baselineRunIds?.length || !d.recentRunIds?.length) return [];
  const byId = new Map(runs.map((r) => [r.id, r]));
  const baseline = d.baselineRunIds.map((id) => byId.get(id)).filter((r): r is RunRecord => r !== undefined);
  const recent = d.recentRunIds.map((id) => byId.get(id)).filter((r): r is RunRecord => r !== undefined);
  if (baseline.length === 0 || recent.length === 0) return [];
  const out: string[] = [];
  for (const [field, label] of CAPACITY_FIELDS) {
    const a = shared(baseline.map((r) => r.capacity?.[field]));
    const b = shared(recent.map((r) => r.capacity?.[field]));
    if (a && b && a.value !== b.value) out.push(`${label} ${a.value ?? '(unset)'} → ${b.value ?? '(unset)'}`);
  }
  const keys = new Set<string>();
  for (const r of [...baseline, ...recent]) for (const k of Object.keys(r.parameters ?? {})) keys.add(k);
  for (const key of [...keys].sort()) {
    if (e.perRunParameters?.has(key)) continue;
    const a = shared(baseline.map((r) => r.parameters?.[key]));
    const b = shared(recent.map((r) => r.parameters?.[key]));
    if (a && b && a.value !== b.value) {
      const show = (v: string | undefined): string =>
        v === undefined ? '(unset)' : clip(redactSecrets(`${key}=${v}`).slice(key.length + 1), 80);
      const secretKey = redactSecrets(`${key}=x`) !== `${key}=x`;
      out.push(
        secretKey
          ? `parameter ${e.parameterPrefix ?? ''}${key} changed (${REDACTED})`
          : `parameter ${e.parameterPrefix ?? ''}${key} ${show(a.value)} → ${show(b.value)}`,
      );
    }
  }
  return out;
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

export function jobChanged(e: DiagnosisEvidence): Finding | undefined {
  const window = degradedWindowOf(e);
  const changes = configChanges(e);
  const modifiedInside =
    e.jobLastModifiedOn !== undefined && window !== undefined && insideWindow(e.jobLastModifiedOn, window);
  if (!modifiedInside && changes.length === 0) return undefined;
  const evidence: string[] = [];
  if (modifiedInside && e.jobLastModifiedOn && window) {
    evidence.push(
      `The job definition was last modified ${formatIso(e.jobLastModifiedOn)}, after the last normal run started (${formatIso(window.start)})` +
        (window.end ? ` and before the newest judged run (${formatIso(window.end)}).` : '.'),
    );
  }
  if (changes.length > 0) evidence.push(`Recent runs differ from the baseline runs: ${changes.join('; ')}.`);
  const capacityCut = capacityShrank(e);
  let score = isDegradedOrFailing(e) ? 0.85 : 0.5;
  if (modifiedInside && changes.length > 0) score += 0.05;
  if (capacityCut) score += 0.05;
  return finding('job-changed', score, evidence, e.degradation?.problematicRunIds ?? []);
}

/** Every recent run held fewer capacity units than every baseline run did (a consistent cut). */
function capacityShrank(e: DiagnosisEvidence): boolean {
  const runs = e.runs;
  const d = e.degradation;
  if (!runs || !d?.baselineRunIds?.length || !d.recentRunIds?.length) return false;
  const units = (ids: readonly string[]) =>
    shared(ids.map((id) => runs.find((r) => r.id === id)?.capacity?.units));
  const a = units(d.baselineRunIds);
  const b = units(d.recentRunIds);
  return a?.value !== undefined && b?.value !== undefined && b.value < a.value;
}

// --- schema drift ------------------------------------------------------------------------------

export function schemaDrift(e: DiagnosisEvidence): Finding | undefined {
  const sigs = signaturesOf(e, 'schema');
  const window = degradedWindowOf(e);
  const versions = (e.tableVersions ?? []).filter(
    (v) => v.updateTime !== undefined && window !== undefined && insideWindow(v.updateTime, window),
  );
  if (sigs.length === 0 && versions.length === 0) return undefined;
  const evidence = sigs.slice(0, 3).map(signatureSentence);
  for (const v of versions.slice(0, 3)) {
    const what = v.changes && v.changes.length > 0 ? ` (${v.changes.slice(0, 5).join('; ')})` : '';
    evidence.push(
      `Table ${v.table} got version ${v.versionId} at ${formatIso(v.updateTime as Date)}, inside the degraded window${what}.`,
    );
  }
  let score = 0;
  if (sigs.length > 0) score = sigs.some((s) => touchesProblemRuns(e, s.countByRun)) ? 0.9 : 0.6;
  if (versions.length > 0)
    score = Math.max(score, isDegradedOrFailing(e) ? 0.75 : 0.5) + (sigs.length > 0 ? 0.05 : 0);
  return finding(
    'schema-drift',
    score,
    evidence,
    sigs.flatMap((s) => Object.keys(s.countByRun)),
  );
}
