// Budgets over a period (runbook 5.4 "Tagging, budgets and alerts"), pure: what a job (or every job
// of a tag) has cost this calendar month, what it will have cost by the month's end, and when the
// monitor should say so. Costs come from the runs with the same maths as every report (runCost).
//
// Decisions worth knowing:
// - Months are UTC calendar months; a run belongs to the month it started in.
// - Month to date counts completed runs (succeeded, failed, stopped: a failed or stopped run was
//   billed too). A run still in progress has no final cost yet: the forecast counts it at the
//   job's expected cost per run.
// - The expected cost of a run is the MEAN cost of the job's newest completed runs (failed ones
//   included): the forecast is a sum, and the mean is what a sum of runs is expected to be; it also
//   carries a Flex/standard mix and a share of cheap failed runs in their proportions.
// - The cadence is the MEDIAN time between the newest run starts, so one manual rerun does not halve
//   it. Runs still to come are the cadence steps after the newest start that fall between now and
//   the month's end. A job whose newest run is older than `staleAfterCadences` cadences has stopped
//   running (or is paused): it is not forecast to run again, and the forecast says so.
// - "Moved": this month's forecast against last month's actual cost, scaled to this month's
//   length. Jobs are listed by how much they moved, so the alert names what changed, not only
//   what is big.
import { runCost } from './cost.js';
import { median } from './degradation.js';
import { runStateClass, type RunRecord } from './run-record.js';

export const DAY_MS = 86_400_000;

export interface MonthWindow {
  /** First instant of the month (UTC, epoch ms). */
  start: number;
  /** First instant of the next month. */
  end: number;
  /** "2026-11" */
  label: string;
  days: number;
}

/** The UTC calendar month holding `at`. */
export function monthOf(at: number): MonthWindow {
  const d = new Date(at);
  const start = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
  const end = Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
  return {
    start,
    end,
    label: new Date(start).toISOString().slice(0, 7),
    days: Math.round((end - start) / DAY_MS),
  };
}

/** The month before `m`. */
export function previousMonth(m: MonthWindow): MonthWindow {
  return monthOf(m.start - 1);
}

export interface JobRuns {
  job: string;
  /** Its runs, any order: enough history to reach back to the previous month's start. */
  runs: readonly RunRecord[];
  /**
   * False when the listing stopped before reaching the previous month's start (a cap on runs
   * read): last month's cost is then unknown rather than short.
   */
  historyComplete?: boolean;
}

export interface ForecastOptions {
  /** Newest run starts whose intervals give the cadence; default 20. */
  cadenceRuns?: number;
  /** Newest completed runs whose mean cost is a run's expected cost; default 10. */
  costRuns?: number;
  /** No run in this many cadences: not forecast to run again; default 3. */
  staleAfterCadences?: number;
}

const DEFAULTS: Required<ForecastOptions> = { cadenceRuns: 20, costRuns: 10, staleAfterCadences: 3 };

export interface JobForecast {
  job: string;
  /** The capacity unit of its runs ('DPU', 'vCore'). */
  unit: string;
  monthToDateUsd: number;
  monthToDateUnitHours: number;
  /** Completed runs this month whose cost is counted. */
  runsCounted: number;
  /** Completed runs this month whose cost is unknown (no capacity or rate). */
  runsWithoutCost: number;
  /** Runs of this month still in progress: in the forecast at the expected cost per run. */
  runsInProgress: number;
  /** Median seconds between run starts; undefined with fewer than two runs. */
  cadenceSec: number | undefined;
  /** Mean cost of the newest completed runs; undefined when none is costed. */
  costPerRunUsd: number | undefined;
  /** Runs expected between now and the month's end. */
  remainingRuns: number;
  /** Month to date + (in progress + remaining) × cost per run. */
  forecastUsd: number;
  /** What the job cost last month; undefined when the history read does not reach back. */
  previousMonthUsd: number | undefined;
  /** forecast − last month scaled to this month's days; undefined without last month. */
  movedUsd: number | undefined;
  /** Why the forecast adds nothing, when it does not. */
  note?: string;
}

export interface BudgetStatus {
  month: MonthWindow;
  now: number;
  budgetUsd: number;
  monthToDateUsd: number;
  forecastUsd: number;
  /** Month to date ÷ budget × 100. */
  actualPct: number;
  /** Forecast ÷ budget × 100. */
  forecastPct: number;
  /** Every job of the budget, the ones that moved most first. */
  jobs: JobForecast[];
  runsWithoutCost: number;
}

function costOf(run: RunRecord): { usd: number; unitHours: number } | undefined {
  const c = runCost(run);
  return c.costUsd === undefined ? undefined : { usd: c.costUsd, unitHours: c.unitHours ?? 0 };
}

/** Median seconds between the newest run starts; undefined when it cannot be told. */
export function runCadenceSec(runs: readonly RunRecord[], newest = DEFAULTS.cadenceRuns): number | undefined {
  const starts = runs
    .map((r) => r.startedOn.getTime())
    .sort((a, b) => b - a)
    .slice(0, Math.max(2, newest));
  if (starts.length < 2) return undefined;
  const gaps = starts.slice(1).map((s, i) => (starts[i]! - s) / 1000);
  const m = median(gaps);
  if (m > 0) return m;
  // Runs started in bursts (several at once): the mean spacing over the span still says something.
  const span = (starts[0]! - starts[starts.length - 1]!) / 1000 / (starts.length - 1);
  return span > 0 ? span : undefined;
}

/** Cadence steps after `lastStart` that fall in [now, end). */
export function remainingRunCount(lastStart: number, cadenceSec: number, now: number, end: number): number {
  const c = cadenceSec * 1000;
  if (!(c > 0) || end <= now) return 0;
  const first = Math.max(1, Math.ceil((now - lastStart) / c));
  const last = Math.ceil((end - lastStart) / c) - 1;
  return Math.max(0, last - first + 1);
}

/** One job's month: to date, expected, and against last month. */
export function jobForecast(input: JobRuns, now: number, opts: ForecastOptions = {}): JobForecast {
  const o = { ...DEFAULTS, ...opts };
  const month = monthOf(now);
  const prev = previousMonth(month);
  const runs = [...input.runs]
    .filter((r) => r.startedOn.getTime() <= now)
    .sort((a, b) => b.startedOn.getTime() - a.startedOn.getTime());
  const unit = runs.find((r) => r.capacity)?.capacity?.unit ?? 'unit';

  let monthToDateUsd = 0;
  let monthToDateUnitHours = 0;
  let runsCounted = 0;
  let runsWithoutCost = 0;
  let runsInProgress = 0;
  let previousUsd = 0;
  for (const r of runs) {
    const at = r.startedOn.getTime();
    const inProgress = runStateClass(r.state) === 'in-progress';
    if (at >= month.start) {
      if (inProgress) {
        runsInProgress++;
        continue;
      }
      const c = costOf(r);
      if (!c) {
        runsWithoutCost++;
        continue;
      }
      runsCounted++;
      monthToDateUsd += c.usd;
      monthToDateUnitHours += c.unitHours;
    } else if (at >= prev.start && !inProgress) {
      previousUsd += costOf(r)?.usd ?? 0;
    }
  }

  const costed = runs
    .filter((r) => runStateClass(r.state) !== 'in-progress')
    .map(costOf)
    .filter((c): c is NonNullable<typeof c> => c !== undefined)
    .slice(0, o.costRuns);
  const costPerRunUsd = costed.length ? costed.reduce((s, c) => s + c.usd, 0) / costed.length : undefined;
  const cadenceSec = runCadenceSec(runs, o.cadenceRuns);

  let remainingRuns = 0;
  let note: string | undefined;
  const lastStart = runs[0]?.startedOn.getTime();
  if (lastStart === undefined) note = 'no runs: nothing to forecast';
  else if (cadenceSec === undefined) note = 'a single run: no cadence to forecast from';
  else if (now - lastStart > o.staleAfterCadences * cadenceSec * 1000)
    note = `no run for ${o.staleAfterCadences}× its usual interval: not forecast to run again`;
  else remainingRuns = remainingRunCount(lastStart, cadenceSec, now, month.end);
  if (costPerRunUsd === undefined && remainingRuns + runsInProgress > 0) {
    note = 'no costed run: the runs still to come cannot be priced';
  }
  const forecastUsd = monthToDateUsd + (remainingRuns + runsInProgress) * (costPerRunUsd ?? 0);

  const complete = input.historyComplete ?? true;
  const previousMonthUsd = complete ? previousUsd : undefined;
  const movedUsd =
    previousMonthUsd === undefined ? undefined : forecastUsd - (previousMonthUsd * month.days) / prev.days;
  return {
    job: input.job,
    unit,
    monthToDateUsd,
    monthToDateUnitHours,
    runsCounted,
    runsWithoutCost,
    runsInProgress,
    cadenceSec,
    costPerRunUsd,
    remainingRuns,
    forecastUsd,
    previousMonthUsd,
    movedUsd,
    ...(note ? { note } : {}),
  };
}

/** A budget's month across its jobs. */
export function budgetStatus(
  budgetUsd: number,
  jobs: readonly JobRuns[],
  now: number,
  opts: ForecastOptions = {},
): BudgetStatus {
  const forecasts = jobs.map((j) => jobForecast(j, now, opts));
  forecasts.sort(
    (a, b) =>
      (b.movedUsd ?? Number.NEGATIVE_INFINITY) - (a.movedUsd ?? Number.NEGATIVE_INFINITY) ||
      b.forecastUsd - a.forecastUsd ||
      (a.job < b.job ? -1 : a.job > b.job ? 1 : 0),
  );
  const monthToDateUsd = forecasts.reduce((s, f) => s + f.monthToDateUsd, 0);
  const forecastUsd = forecasts.reduce((s, f) => s + f.forecastUsd, 0);
  return {
    month: monthOf(now),
    now,
    budgetUsd,
    monthToDateUsd,
    forecastUsd,
    actualPct: budgetUsd > 0 ? (monthToDateUsd / budgetUsd) * 100 : 0,
    forecastPct: budgetUsd > 0 ? (forecastUsd / budgetUsd) * 100 : 0,
    jobs: forecasts,
    runsWithoutCost: forecasts.reduce((s, f) => s + f.runsWithoutCost, 0),
  };
}

/** What the monitor said about a budget this month. */
export interface BudgetMemory {
  /** When the forecast alert was posted (epoch ms). */
  forecastAlertedAt?: number;
  /** When the 100%-of-actual alert was posted. */
  actualAlertedAt?: number;
}

export type BudgetAlertKind = 'forecast' | 'actual';

/**
 * The alert due now, if any: 'actual' once month to date reaches the budget, 'forecast' once the
 * forecast is over it (and the actual alert has not gone out already: it says more). Each at most
 * once a month; the memory is per month, so a new month starts silent.
 */
export function budgetAlertDue(
  status: Pick<BudgetStatus, 'monthToDateUsd' | 'forecastUsd' | 'budgetUsd'>,
  memory: BudgetMemory | undefined,
): BudgetAlertKind | undefined {
  if (status.monthToDateUsd >= status.budgetUsd && memory?.actualAlertedAt === undefined) return 'actual';
  if (
    status.forecastUsd > status.budgetUsd &&
    memory?.forecastAlertedAt === undefined &&
    memory?.actualAlertedAt === undefined
  )
    return 'forecast';
  return undefined;
}

/** The memory once an alert of `kind` is posted: an actual alert also stands for the forecast one. */
export function afterBudgetAlert(
  memory: BudgetMemory | undefined,
  kind: BudgetAlertKind,
  at: number,
): BudgetMemory {
  const m: BudgetMemory = { ...memory };
  if (kind === 'actual') m.actualAlertedAt = at;
  m.forecastAlertedAt ??= at;
  return m;
}
