// When an approved mitigation that could not run may be retried, and how (pure). A Retry never
// repeats what took effect:
//   follow          a run was started (its id is recorded) and only following it failed: follow it
//                   again, start nothing
//   check-then-run  a call that starts a run, with no run id recorded: the worker looks for a run
//                   of the job started since the first attempt and adopts it; only when the
//                   platform shows none does it make the call again
//   run-again       a change (UpdateJob, ResetJobBookmark…) the platform refused outright (it
//                   answered with an error before changing anything): make it again
// A change that failed any other way (a timeout, a 5xx) may or may not have taken effect: no
// Retry, the message says to check and request again.

export type MitigationRetry = 'follow' | 'check-then-run' | 'run-again';

export interface RetryCandidate {
  state: string;
  dryRun?: boolean;
  calls: readonly { effect: 'run' | 'change' }[];
  execution?: { state: string; runId?: string; notApplied?: boolean };
}

export function mitigationRetry(a: RetryCandidate): MitigationRetry | undefined {
  const ex = a.execution;
  if (a.state !== 'approved' || a.dryRun || ex?.state !== 'error') return undefined;
  if (ex.runId) return 'follow';
  const call = a.calls[0];
  if (!call) return undefined;
  if (call.effect === 'run') return 'check-then-run';
  return ex.notApplied ? 'run-again' : undefined;
}

/** Platform error codes that mean the call was refused before it changed anything. */
export const REFUSED_CODES: ReadonlySet<string> = new Set([
  'ACCESS_DENIED',
  'CONCURRENT_RUNS',
  'THROTTLED',
  'INVALID_INPUT',
  'NOT_FOUND',
]);
