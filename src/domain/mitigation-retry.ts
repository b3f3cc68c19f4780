// When an approved mitigation that could not run may be retried, and how (pure). A Retry never
// repeats what took effect:
//   follow          a run was started (its id is recorded) and only following it failed: follow it
//                   again, start nothing
//   check-then-run  a call that starts a run, with no run id recorded: the worker looks for the
//                   run the first attempt started — a run carrying the approval's id (the tag the
//                   start call gives it) — and adopts it; when the platform shows none it makes
//                   the call again. Another run started meanwhile (someone else's, the same minute)
//                   is never adopted. Where a run cannot carry the tag, a run since the first
//                   attempt stops the retry (it cannot be told apart; nothing doubled, no Retry)
//   run-again       a call the platform refused outright (it answered with an error before
//                   changing anything: access denied, concurrent runs, throttled…): make it again.
//                   A refused start call started nothing, so its retry starts afresh — no run
//                   found since is this approval's (someone else's; on a platform whose runs carry
//                   no tag it would otherwise stop the retry for good)
// A change that failed any other way (a timeout, a 5xx) may or may not have taken effect: no
// Retry, the message says to check and request again.

export type MitigationRetry = 'follow' | 'check-then-run' | 'run-again';

export interface RetryCandidate {
  state: string;
  dryRun?: boolean;
  calls: readonly { effect: 'run' | 'change' }[];
  execution?: { state: string; runId?: string; notApplied?: boolean; unidentifiedRunId?: string };
}

export function mitigationRetry(a: RetryCandidate): MitigationRetry | undefined {
  const ex = a.execution;
  if (a.state !== 'approved' || a.dryRun || ex?.state !== 'error') return undefined;
  if (ex.runId) return 'follow';
  if (ex.unidentifiedRunId) return undefined;
  const call = a.calls[0];
  if (!call) return undefined;
  if (ex.notApplied) return 'run-again';
  return call.effect === 'run' ? 'check-then-run' : undefined;
}

/** Platform error codes that mean the call was refused before it changed anything. */
export const REFUSED_CODES: ReadonlySet<string> = new Set([
  'ACCESS_DENIED',
  'CONCURRENT_RUNS',
  'THROTTLED',
  'INVALID_INPUT',
  'NOT_FOUND',
]);
