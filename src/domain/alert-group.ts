// A storm of alerts (an upstream outage degrading many jobs in the same hour), pure: the jobs that
// became DEGRADED or FAILING within monitor.groupWindowMinutes in one channel form one group, told
// as one message; when their degradations started together, that is a hint of a shared cause.
import type { AlertingVerdict } from './monitor.js';

/** One job of a group: what became of it and when its degradation started. */
export interface GroupEntry {
  job: string;
  verdict: AlertingVerdict;
  /** "+85% over baseline", "3 of the last 3 runs failed": the size of the problem. */
  size: string;
  /** Start of the oldest problematic run of the window (epoch ms): when the degradation began. */
  since: number;
  /** When the monitor saw it (epoch ms). */
  at: number;
}

/** Degradations that began within this span of each other "started together". */
export const TOGETHER_MS = 60 * 60_000;

export interface SharedCause {
  /** The jobs whose degradations began within TOGETHER_MS of each other. */
  jobs: string[];
  /** The earliest and latest start among them (epoch ms). */
  from: number;
  to: number;
}

/**
 * The largest set of jobs whose degradations began within TOGETHER_MS of each other, when it is
 * at least two jobs and at least half the group; else undefined.
 */
export function sharedCause(entries: readonly GroupEntry[]): SharedCause | undefined {
  const sorted = [...entries].sort((a, b) => a.since - b.since);
  let best: { i: number; j: number } | undefined;
  for (let i = 0, j = 0; j < sorted.length; j++) {
    while (sorted[j]!.since - sorted[i]!.since > TOGETHER_MS) i++;
    if (!best || j - i > best.j - best.i) best = { i, j };
  }
  if (!best) return undefined;
  const cluster = sorted.slice(best.i, best.j + 1);
  if (cluster.length < 2 || cluster.length * 2 < entries.length) return undefined;
  return { jobs: cluster.map((e) => e.job), from: cluster[0]!.since, to: cluster[cluster.length - 1]!.since };
}

/** What became of a listed job after the alert: its triage from the group message, its recovery. */
export interface GroupTriage {
  state: 'queued' | 'triaging' | 'done' | 'failed';
  /** The triage's request time: which triage of the job this row tells (a newer one replaces it). */
  requestedAt?: number;
  /** The triage's verdict (done) and its top cause, or what did not answer (failed). */
  verdict?: string;
  cause?: string;
  /** The full report is posted in the group message's thread. */
  reported?: boolean;
  /** The incident the triage opened or joined (its checklist goes in the thread too). */
  incidentId?: string;
  /** Nothing more of this triage is to come (report posted, checklist ticked): see triageSettled. */
  settled?: boolean;
  at: number;
}

/** A listed job as the group message shows it: its alert, then its triage and recovery. */
export interface GroupRow extends GroupEntry {
  triage?: GroupTriage;
  /** When the monitor saw it healthy again (epoch ms), unless it degraded again since. */
  recoveredAt?: number;
}

/**
 * One row per job, in the order the jobs first joined: a job that degraded, recovered and degraded
 * again within the window is one row with its latest alert (never dropped, never listed twice).
 */
export function groupRows(
  entries: readonly GroupEntry[],
  triage: ReadonlyMap<string, GroupTriage> = new Map(),
  recovered: ReadonlyMap<string, number> = new Map(),
): GroupRow[] {
  const rows = new Map<string, GroupRow>();
  for (const e of entries) {
    const prev = rows.get(e.job);
    rows.set(e.job, prev ? { ...prev, ...e, since: Math.min(prev.since, e.since) } : { ...e });
  }
  for (const row of rows.values()) {
    const t = triage.get(row.job);
    if (t) row.triage = t;
    const r = recovered.get(row.job);
    if (r !== undefined && r >= row.at) row.recoveredAt = r;
  }
  return [...rows.values()];
}

/**
 * A row whose triage will change nothing more (verdict shown, report posted, checklist ticked), or
 * that was never triaged. When every row is settled, the checklists deferred behind the reports go.
 */
export function triageSettled(t: GroupTriage | undefined): boolean {
  return !t || t.settled === true;
}
