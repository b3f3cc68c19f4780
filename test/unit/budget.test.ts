// Month to date and forecast to month end (src/domain/budget.ts), table-driven: daily and hourly
// cadences, partial months, a Flex/standard mix, failed and in-progress runs, stale jobs. Expected
// figures are worked out by hand in each case (DPU × hours × rate), not with the code under test.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  afterBudgetAlert,
  budgetAlertDue,
  budgetStatus,
  jobForecast,
  monthOf,
  remainingRunCount,
  runCadenceSec,
  type JobForecast,
} from '../../src/domain/budget.js';
import type { RunRecord, RunState } from '../../src/domain/run-record.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const utc = (s: string) => Date.parse(s);

interface R {
  at: number;
  sec: number;
  state?: RunState;
  dpu?: number;
  flex?: boolean;
  /** Leave capacity out: a run whose cost is unknown. */
  noCapacity?: boolean;
}

let seq = 0;
function run(r: R): RunRecord {
  const flex = r.flex ?? false;
  return {
    id: `jr_${++seq}`,
    state: r.state ?? 'succeeded',
    startedOn: new Date(r.at),
    durationSec: r.sec,
    ...(r.noCapacity ? { capacity: { unit: 'DPU' } } : { capacity: { unit: 'DPU', units: r.dpu ?? 10 } }),
    billing: {
      unitHourUsd: flex ? 0.29 : 0.44,
      rateName: flex ? 'Flex' : 'standard',
      minimumSec: 60,
      // Glue reports DPUSeconds for Flex runs.
      ...(flex && !r.noCapacity ? { measuredUnitSeconds: (r.dpu ?? 10) * r.sec } : {}),
    },
  };
}

/** Runs every `everyMs` from `first` while ≤ `last`. */
function series(
  first: number,
  last: number,
  everyMs: number,
  make: (at: number, i: number) => R,
): RunRecord[] {
  const out: RunRecord[] = [];
  for (let at = first, i = 0; at <= last; at += everyMs, i++) out.push(run({ ...make(at, i), at }));
  return out;
}

const close = (actual: number | undefined, expected: number, what: string) => {
  assert.ok(actual !== undefined, `${what} is undefined`);
  assert.ok(Math.abs(actual - expected) < 1e-6, `${what}: ${actual} ≠ ${expected}`);
};

interface Case {
  name: string;
  now: number;
  runs: RunRecord[];
  expect: Partial<Record<Exclude<keyof JobForecast, 'note' | 'job' | 'unit'>, number | undefined>> & {
    note?: RegExp;
  };
}

// 10 DPU × 1 h at $0.44 = $4.40 a standard run; Flex at $0.29 = $2.90.
const CASES: Case[] = [
  {
    name: 'daily, mid-month (30-day November): 15 runs to date, 15 to come; October at the same pace',
    now: utc('2026-11-15T10:00:00Z'),
    runs: series(utc('2026-10-01T02:00:00Z'), utc('2026-11-15T02:00:00Z'), DAY, () => ({ at: 0, sec: 3600 })),
    expect: {
      runsCounted: 15,
      monthToDateUsd: 15 * 4.4,
      monthToDateUnitHours: 150,
      cadenceSec: 86_400,
      costPerRunUsd: 4.4,
      remainingRuns: 15,
      forecastUsd: 30 * 4.4,
      previousMonthUsd: 31 * 4.4,
      // 31 October runs scaled to November's 30 days is the same pace: nothing moved.
      movedUsd: 0,
    },
  },
  {
    name: 'hourly, February (28 days): 229 runs to date, 443 to come, 672 in all',
    now: utc('2026-02-10T12:30:00Z'),
    runs: series(utc('2026-01-01T00:05:00Z'), utc('2026-02-10T12:05:00Z'), HOUR, () => ({
      at: 0,
      sec: 600,
      dpu: 2,
    })),
    expect: {
      runsCounted: 229,
      cadenceSec: 3600,
      // 2 DPU × 10 min = 1/3 DPU-h × $0.44
      costPerRunUsd: 0.44 / 3,
      monthToDateUsd: (229 * 0.44) / 3,
      remainingRuns: 443,
      forecastUsd: (28 * 24 * 0.44) / 3,
      previousMonthUsd: (31 * 24 * 0.44) / 3,
      movedUsd: 0,
    },
  },
  {
    name: 'partial month: a job that began on the 20th has no last month, so all of it moved',
    now: utc('2026-11-25T08:00:00Z'),
    runs: series(utc('2026-11-20T02:00:00Z'), utc('2026-11-25T02:00:00Z'), DAY, () => ({ at: 0, sec: 3600 })),
    expect: {
      runsCounted: 6,
      monthToDateUsd: 6 * 4.4,
      remainingRuns: 5,
      forecastUsd: 11 * 4.4,
      previousMonthUsd: 0,
      movedUsd: 11 * 4.4,
    },
  },
  {
    name: 'the first hour of a 31-day month: nothing to date, every day to come',
    now: utc('2026-12-01T00:30:00Z'),
    runs: series(utc('2026-11-01T02:00:00Z'), utc('2026-11-30T02:00:00Z'), DAY, () => ({ at: 0, sec: 3600 })),
    expect: {
      runsCounted: 0,
      monthToDateUsd: 0,
      remainingRuns: 31,
      forecastUsd: 31 * 4.4,
      previousMonthUsd: 30 * 4.4,
      // 30 November runs scaled to December's 31 days
      movedUsd: 0,
    },
  },
  {
    name: 'Flex/standard mix: a run costs the mean of the two rates in their proportion',
    now: utc('2026-11-10T12:00:00Z'),
    runs: series(utc('2026-11-01T02:00:00Z'), utc('2026-11-10T02:00:00Z'), DAY, (_at, i) => ({
      at: 0,
      sec: 3600,
      flex: i % 2 === 0,
    })),
    expect: {
      runsCounted: 10,
      // 5 Flex ($2.90, from DPU-seconds) + 5 standard ($4.40)
      monthToDateUsd: 5 * 2.9 + 5 * 4.4,
      costPerRunUsd: (2.9 + 4.4) / 2,
      remainingRuns: 20,
      forecastUsd: 5 * 2.9 + 5 * 4.4 + 20 * 3.65,
    },
  },
  {
    name: 'failed runs cost what they ran for, in the month and in the expected cost of a run',
    now: utc('2026-11-10T12:00:00Z'),
    runs: series(utc('2026-11-01T02:00:00Z'), utc('2026-11-10T02:00:00Z'), DAY, (_at, i) =>
      // Every other run fails after 15 min: 10 DPU × 0.25 h × $0.44 = $1.10.
      i % 2 === 1 ? { at: 0, sec: 900, state: 'failed' } : { at: 0, sec: 3600 },
    ),
    expect: {
      runsCounted: 10,
      monthToDateUsd: 5 * 4.4 + 5 * 1.1,
      costPerRunUsd: (4.4 + 1.1) / 2,
      remainingRuns: 20,
      forecastUsd: 5 * 4.4 + 5 * 1.1 + 20 * 2.75,
    },
  },
  {
    name: 'a run still in progress is not in the month to date but is in the forecast',
    now: utc('2026-11-10T02:30:00Z'),
    runs: [
      ...series(utc('2026-11-01T02:00:00Z'), utc('2026-11-09T02:00:00Z'), DAY, () => ({ at: 0, sec: 3600 })),
      run({ at: utc('2026-11-10T02:00:00Z'), sec: 1800, state: 'running' }),
    ],
    expect: {
      runsCounted: 9,
      runsInProgress: 1,
      monthToDateUsd: 9 * 4.4,
      remainingRuns: 20,
      forecastUsd: 30 * 4.4,
    },
  },
  {
    name: 'a job with no run for 5 days (daily) has stopped: nothing more is forecast',
    now: utc('2026-11-15T12:00:00Z'),
    runs: series(utc('2026-11-01T02:00:00Z'), utc('2026-11-10T02:00:00Z'), DAY, () => ({ at: 0, sec: 3600 })),
    expect: { runsCounted: 10, remainingRuns: 0, forecastUsd: 10 * 4.4, note: /not forecast to run again/ },
  },
  {
    name: 'runs whose capacity is unknown are counted apart, never as $0',
    now: utc('2026-11-05T12:00:00Z'),
    runs: series(utc('2026-11-01T02:00:00Z'), utc('2026-11-05T02:00:00Z'), DAY, (_at, i) => ({
      at: 0,
      sec: 3600,
      noCapacity: i === 2,
    })),
    expect: { runsCounted: 4, runsWithoutCost: 1, monthToDateUsd: 4 * 4.4, costPerRunUsd: 4.4 },
  },
  {
    name: 'a single run: no cadence, so only the month to date',
    now: utc('2026-11-05T12:00:00Z'),
    runs: [run({ at: utc('2026-11-05T02:00:00Z'), sec: 3600 })],
    expect: {
      runsCounted: 1,
      cadenceSec: undefined,
      remainingRuns: 0,
      forecastUsd: 4.4,
      note: /no cadence/,
    },
  },
];

for (const c of CASES) {
  test(`forecast: ${c.name}`, () => {
    // series() sets `at` itself; the make() callbacks only shape each run.
    const f = jobForecast({ job: 'J', runs: c.runs }, c.now);
    for (const [k, v] of Object.entries(c.expect)) {
      if (k === 'note') {
        assert.match(f.note ?? '', v as RegExp);
        continue;
      }
      const actual = f[k as keyof JobForecast] as number | undefined;
      if (v === undefined) assert.equal(actual, undefined, k);
      else close(actual, v as number, k);
    }
  });
}

test('series() places each run at its own start', () => {
  const rs = series(utc('2026-11-01T02:00:00Z'), utc('2026-11-03T02:00:00Z'), DAY, () => ({ at: 0, sec: 1 }));
  assert.deepEqual(
    rs.map((r) => r.startedOn.toISOString()),
    ['2026-11-01T02:00:00.000Z', '2026-11-02T02:00:00.000Z', '2026-11-03T02:00:00.000Z'],
  );
});

test('months are UTC calendar months', () => {
  assert.deepEqual(monthOf(utc('2028-02-29T23:59:59Z')), {
    start: utc('2028-02-01T00:00:00Z'),
    end: utc('2028-03-01T00:00:00Z'),
    label: '2028-02',
    days: 29,
  });
  assert.equal(monthOf(utc('2026-12-31T23:59:59Z')).end, utc('2027-01-01T00:00:00Z'));
});

test('cadence is the median gap: one manual rerun does not halve a daily job', () => {
  const daily = series(utc('2026-11-01T02:00:00Z'), utc('2026-11-10T02:00:00Z'), DAY, () => ({
    at: 0,
    sec: 60,
  }));
  const withRerun = [...daily, run({ at: utc('2026-11-10T05:00:00Z'), sec: 60 })];
  assert.equal(runCadenceSec(withRerun), 86_400);
  // Runs started in bursts: the mean spacing.
  const burst = [0, 0, 0, 3 * HOUR].map((d) => run({ at: utc('2026-11-01T00:00:00Z') + d, sec: 60 }));
  assert.equal(runCadenceSec(burst), 3600);
});

test('remaining runs: the cadence steps between now and the end', () => {
  const last = utc('2026-11-29T02:00:00Z');
  const end = utc('2026-12-01T00:00:00Z');
  assert.equal(remainingRunCount(last, 86_400, utc('2026-11-29T03:00:00Z'), end), 1);
  // Overdue by a few hours: the next step is still this month.
  assert.equal(remainingRunCount(last, 86_400, utc('2026-11-30T05:00:00Z'), end), 0);
  assert.equal(remainingRunCount(last, 86_400, end, end), 0);
  assert.equal(remainingRunCount(last, 0, utc('2026-11-29T03:00:00Z'), end), 0);
});

test('a budget across jobs: the sums, the percentages, the jobs that moved most first', () => {
  const now = utc('2026-11-15T10:00:00Z');
  const steady = series(utc('2026-10-01T02:00:00Z'), utc('2026-11-15T02:00:00Z'), DAY, () => ({
    at: 0,
    sec: 3600,
  }));
  // Doubled its size on November 1st: 20 DPU-h a run from then on.
  const grown = series(utc('2026-10-01T03:00:00Z'), utc('2026-11-15T03:00:00Z'), DAY, (at) => ({
    at: 0,
    sec: 3600,
    dpu: at >= utc('2026-11-01T00:00:00Z') ? 20 : 10,
  }));
  const s = budgetStatus(
    200,
    [
      { job: 'Steady', runs: steady },
      { job: 'Grown', runs: grown },
    ],
    now,
  );
  close(s.monthToDateUsd, 15 * 4.4 + 15 * 8.8, 'month to date');
  close(s.forecastUsd, 30 * 4.4 + 30 * 8.8, 'forecast');
  close(s.forecastPct, ((30 * 13.2) / 200) * 100, 'forecast %');
  assert.deepEqual(
    s.jobs.map((j) => j.job),
    ['Grown', 'Steady'],
  );
  // Grown: $264 this month against $132 (31 × $4.40 scaled to 30 days) = +$132.
  close(s.jobs[0]!.movedUsd, 30 * 8.8 - 30 * 4.4, 'moved');
});

test('history that does not reach last month: last month unknown, not $0', () => {
  const runs = series(utc('2026-11-01T02:00:00Z'), utc('2026-11-10T02:00:00Z'), DAY, () => ({
    at: 0,
    sec: 3600,
  }));
  const f = jobForecast({ job: 'J', runs, historyComplete: false }, utc('2026-11-10T12:00:00Z'));
  assert.equal(f.previousMonthUsd, undefined);
  assert.equal(f.movedUsd, undefined);
});

test('budget alerts: the forecast once, the actual once, the actual standing for both', () => {
  const over = { budgetUsd: 100, monthToDateUsd: 60, forecastUsd: 130 };
  assert.equal(budgetAlertDue(over, undefined), 'forecast');
  const told = afterBudgetAlert(undefined, 'forecast', 1);
  assert.equal(budgetAlertDue(over, told), undefined, 'not again on the next tick');
  assert.equal(budgetAlertDue({ ...over, monthToDateUsd: 100 }, told), 'actual');
  const both = afterBudgetAlert(told, 'actual', 2);
  assert.deepEqual(both, { forecastAlertedAt: 1, actualAlertedAt: 2 });
  assert.equal(budgetAlertDue({ ...over, monthToDateUsd: 150 }, both), undefined);
  // First look already past 100%: one alert (actual), and the forecast one is spent with it.
  assert.equal(budgetAlertDue({ ...over, monthToDateUsd: 120 }, undefined), 'actual');
  assert.equal(budgetAlertDue(over, afterBudgetAlert(undefined, 'actual', 3)), undefined);
  // Under budget either way: nothing.
  assert.equal(
    budgetAlertDue({ budgetUsd: 100, monthToDateUsd: 20, forecastUsd: 100 }, undefined),
    undefined,
  );
});
