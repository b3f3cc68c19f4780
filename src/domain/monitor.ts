// The scheduled monitor's decisions (runbook "Síntoma de alerta" and "5.4 Cost Controls"), pure:
// given what was last said about a job and the verdict of now, should the channel hear about it?
//
// - An alert goes out when the verdict becomes DEGRADED or FAILING, and again only when a
//   problematic run appears that the last alert did not list: an hourly schedule must not repeat
//   the same alert every hour.
// - A short "recovered" note goes out when a job that was alerted on is HEALTHY again.
//   INSUFFICIENT_HISTORY says nothing either way, so it neither clears an alert nor recovers it.
// - A budget alert goes out once per run: the newest completed run costing more than the budget.
import type { DegradationVerdict, RunFigures, Verdict } from './degradation.js';

/** What the monitor remembers about a job between evaluations. */
export interface MonitorMemory {
  /** The last verdict seen. */
  verdict: Verdict;
  /** When it was seen (epoch ms). */
  evaluatedAt: number;
  /** The standing alert: set when one is posted, cleared when the job recovers. */
  alert?: {
    verdict: 'DEGRADED' | 'FAILING';
    /** Problematic runs the channel has been told about since the alert began. */
    problematicRunIds: string[];
    at: number;
  };
  /** Runs already alerted on for their cost, newest last (bounded). */
  budgetAlertedRunIds: string[];
}

export type AlertingVerdict = 'DEGRADED' | 'FAILING';

export type MonitorDecision =
  | { kind: 'alert'; verdict: AlertingVerdict; reason: 'became' | 'new-runs'; newRunIds: string[] }
  | { kind: 'recovered'; previous: AlertingVerdict }
  | { kind: 'none' };

export function isAlerting(verdict: Verdict): verdict is AlertingVerdict {
  return verdict === 'DEGRADED' || verdict === 'FAILING';
}

/** Decide what to post, from the memory (undefined for a job never evaluated) and the verdict now. */
export function shouldAlert(
  previous: MonitorMemory | undefined,
  current: Pick<DegradationVerdict, 'verdict' | 'problematicRunIds'>,
): MonitorDecision {
  const standing = previous?.alert;
  if (isAlerting(current.verdict)) {
    if (!standing)
      return {
        kind: 'alert',
        verdict: current.verdict,
        reason: 'became',
        newRunIds: [...current.problematicRunIds],
      };
    const told = new Set(standing.problematicRunIds);
    const newRunIds = current.problematicRunIds.filter((id) => !told.has(id));
    return newRunIds.length > 0
      ? { kind: 'alert', verdict: current.verdict, reason: 'new-runs', newRunIds }
      : { kind: 'none' };
  }
  if (current.verdict === 'HEALTHY' && standing) return { kind: 'recovered', previous: standing.verdict };
  return { kind: 'none' };
}

/** Run ids kept per list and job: far more than one evaluation's window ever holds. */
export const REMEMBERED_RUN_IDS = 50;

/** The memory after a decision has been acted on (the alert or note posted). */
export function nextMemory(
  previous: MonitorMemory | undefined,
  current: Pick<DegradationVerdict, 'verdict' | 'problematicRunIds'>,
  decision: MonitorDecision,
  now: number,
): MonitorMemory {
  let alert = previous?.alert;
  if (decision.kind === 'alert') {
    const told = new Set(alert?.problematicRunIds ?? []);
    alert = {
      verdict: decision.verdict,
      // Every problematic run told so far, so a run that leaves and re-enters the window is not news.
      problematicRunIds: [
        ...(alert?.problematicRunIds ?? []),
        ...current.problematicRunIds.filter((id) => !told.has(id)),
      ].slice(-REMEMBERED_RUN_IDS),
      at: decision.reason === 'became' || !alert ? now : alert.at,
    };
  } else if (decision.kind === 'recovered') alert = undefined;
  return {
    verdict: current.verdict,
    evaluatedAt: now,
    ...(alert ? { alert } : {}),
    budgetAlertedRunIds: [...(previous?.budgetAlertedRunIds ?? [])],
  };
}

/** The memory once a budget alert for `runId` has been posted. */
export function withBudgetAlerted(memory: MonitorMemory, runId: string): MonitorMemory {
  const ids = memory.budgetAlertedRunIds.filter((id) => id !== runId);
  return { ...memory, budgetAlertedRunIds: [...ids, runId].slice(-REMEMBERED_RUN_IDS) };
}

export interface BudgetBreach {
  run: RunFigures;
  budgetUsd: number;
  /** costUsd − budget. */
  overUsd: number;
}

/**
 * The newest completed (succeeded or failed) run, when its cost is known, over the budget and not
 * alerted on before. Runs still in progress have no final cost; stopped runs are someone's decision.
 */
export function budgetBreach(
  runs: readonly RunFigures[],
  budgetUsd: number | undefined,
  alreadyAlerted: readonly string[],
): BudgetBreach | undefined {
  if (budgetUsd === undefined) return undefined;
  const newest = [...runs]
    .filter((r) => r.stateClass === 'succeeded' || r.stateClass === 'failed')
    .sort((a, b) => b.startedOn.getTime() - a.startedOn.getTime())[0];
  if (!newest || newest.costUsd === undefined || newest.costUsd <= budgetUsd) return undefined;
  if (alreadyAlerted.includes(newest.id)) return undefined;
  return { run: newest, budgetUsd, overUsd: newest.costUsd - budgetUsd };
}
