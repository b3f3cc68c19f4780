// The sane range of a backfill window: a day before 2000 or more than a year ahead is a typo
// (0000-01-01, 2099-…), never a backfill. Checked by /backfill at ack time and by its modal.

/** The earliest day a backfill may start. */
export const EARLIEST_BACKFILL_DAY = '2000-01-01';

/** What is wrong with --from/--to (YYYY-MM-DD), or undefined when both are in range. */
export function windowRangeProblem(from: string, to: string, now: number): string | undefined {
  const yearAhead = new Date(now + 366 * 86_400_000).toISOString().slice(0, 10);
  for (const [flag, d] of [
    ['--from', from],
    ['--to', to],
  ] as const) {
    if (d < EARLIEST_BACKFILL_DAY) return `${flag} ${d} is before 2000`;
    if (d > yearAhead) return `${flag} ${d} is more than a year ahead`;
  }
  return undefined;
}

const DAY_MS = 86_400_000;
const ISO_DAY = /^(\d{4}-\d{2}-\d{2})/;

/**
 * The smallest window covering the days the given runs should have written: the date a run's
 * parameters name (`--dt 2026-11-28`), else the day before it started (a daily job processes
 * yesterday) — the rule /missing matches runs to dates by. Undefined for no runs.
 */
export function runsWindow(
  runs: readonly { startedOn: Date; parameters?: Record<string, string> }[],
): { from: string; to: string } | undefined {
  const days = runs
    .map((r) => {
      const named = Object.values(r.parameters ?? {})
        .map((v) => ISO_DAY.exec(v)?.[1])
        .find((d) => d !== undefined);
      return named ?? new Date(r.startedOn.getTime() - DAY_MS).toISOString().slice(0, 10);
    })
    .sort();
  return days.length ? { from: days[0]!, to: days[days.length - 1]! } : undefined;
}
