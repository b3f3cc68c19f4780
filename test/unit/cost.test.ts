import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
// The domain's cost maths (same for every platform) fed with Glue runs as the Glue adapter maps
// them: DPUs per worker type, minimum billed time per version, standard and Flex rates.
import { degradationExtraCost, runCost, runUsage } from '../../src/domain/cost.js';
import type { RunRecord } from '../../src/domain/run-record.js';
import {
  DEFAULT_GLUE_PRICING,
  DPU_PER_WORKER,
  dpuPerWorker,
  minimumBilledSec,
} from '../../src/providers/aws/glue-capacity.js';
import { glueRun, type GlueLikeRun } from '../support/runs.js';

function run(over: Partial<GlueLikeRun> = {}): RunRecord {
  return glueRun({
    id: 'jr_1',
    state: 'SUCCEEDED',
    startedOn: new Date('2026-11-01T00:00:00Z'),
    executionTimeSec: 3600,
    workerType: 'G.1X',
    numberOfWorkers: 10,
    ...over,
  });
}

const close = (a: number | undefined, b: number, msg?: string): void => {
  assert.ok(a !== undefined && Math.abs(a - b) < 1e-9, `${msg ?? ''} expected ${b}, got ${a}`);
};

test('DPU per worker type, and unknown types say so', () => {
  const cases: [string | undefined, number | 'unknown'][] = [
    ['G.025X', 0.25],
    ['G.1X', 1],
    ['G.2X', 2],
    ['G.4X', 4],
    ['G.8X', 8],
    ['G.12X', 12],
    ['G.16X', 16],
    ['Z.2X', 2],
    ['R.1X', 1],
    ['R.2X', 2],
    ['Standard', 'unknown'],
    ['G.3X', 'unknown'],
    ['toString', 'unknown'],
    [undefined, 'unknown'],
  ];
  for (const [type, dpu] of cases) assert.equal(dpuPerWorker(type), dpu, String(type));
});

test('DPU-hours and cost per run of Glue runs, table-driven', () => {
  const cases: {
    name: string;
    run: RunRecord;
    dpuHours: number | undefined;
    costUsd: number | undefined;
    basis: string;
  }[] = [
    { name: '10 × G.1X for 1 h', run: run(), dpuHours: 10, costUsd: 4.4, basis: 'capacity' },
    {
      name: '5 × G.2X for 30 min',
      run: run({ workerType: 'G.2X', numberOfWorkers: 5, executionTimeSec: 1800 }),
      dpuHours: 5,
      costUsd: 2.2,
      basis: 'capacity',
    },
    {
      name: '1-minute minimum',
      run: run({ executionTimeSec: 10 }),
      dpuHours: 10 / 60,
      costUsd: (10 / 60) * 0.44,
      basis: 'capacity',
    },
    {
      name: 'Glue 1.0 10-minute minimum',
      run: run({ executionTimeSec: 10, glueVersion: '1.0' }),
      dpuHours: 10 / 6,
      costUsd: (10 / 6) * 0.44,
      basis: 'capacity',
    },
    {
      name: 'DPUSeconds overrides workers',
      run: run({ dpuSeconds: 7200 }),
      dpuHours: 2,
      costUsd: 0.88,
      basis: 'measured',
    },
    {
      name: 'Flex price',
      run: run({ executionClass: 'FLEX' }),
      dpuHours: 10,
      costUsd: 2.9,
      basis: 'capacity',
    },
    {
      name: 'Flex with DPUSeconds',
      run: run({ executionClass: 'FLEX', dpuSeconds: 3600 }),
      dpuHours: 1,
      costUsd: 0.29,
      basis: 'measured',
    },
    {
      name: 'MaxCapacity job',
      run: run({
        workerType: undefined,
        numberOfWorkers: undefined,
        maxCapacity: 0.0625,
        executionTimeSec: 3600,
      }),
      dpuHours: 0.0625,
      costUsd: 0.0625 * 0.44,
      basis: 'capacity',
    },
    {
      name: 'unknown type rescued by MaxCapacity',
      run: run({ workerType: 'X.9X', maxCapacity: 20 }),
      dpuHours: 20,
      costUsd: 8.8,
      basis: 'capacity',
    },
    {
      name: 'unknown type',
      run: run({ workerType: 'X.9X' }),
      dpuHours: undefined,
      costUsd: undefined,
      basis: 'unknown',
    },
    {
      name: 'no sizing at all',
      run: run({ workerType: undefined, numberOfWorkers: undefined }),
      dpuHours: undefined,
      costUsd: undefined,
      basis: 'unknown',
    },
    {
      name: 'duration from timestamps when ExecutionTime is 0',
      run: run({ executionTimeSec: 0, completedOn: new Date('2026-11-01T00:30:00Z') }),
      dpuHours: 5,
      costUsd: 2.2,
      basis: 'capacity',
    },
  ];
  for (const c of cases) {
    const cost = runCost(c.run);
    assert.equal(cost.basis, c.basis, c.name);
    if (c.dpuHours === undefined) {
      assert.equal(cost.unitHours, undefined, c.name);
      assert.equal(cost.costUsd, undefined, c.name);
      assert.ok(cost.reason && cost.reason.length > 0, c.name);
    } else {
      close(cost.unitHours, c.dpuHours, c.name);
      close(cost.costUsd, c.costUsd as number, c.name);
    }
  }
  assert.match(runCost(run({ workerType: 'X.9X' })).reason ?? '', /unknown worker type "X\.9X"/);
});

test('extra cost of a degradation: cost minus cost at baseline duration', () => {
  // Baseline 20 min; degraded runs took 30 and 40 min on 10 × G.1X.
  const degraded = [
    run({ id: 'a', executionTimeSec: 1800 }),
    run({ id: 'b', executionTimeSec: 2400 }),
    run({ id: 'c', workerType: 'X' }),
  ];
  const extra = degradationExtraCost(degraded, 1200);
  close(extra.actualUsd, ((10 * 4200) / 3600) * 0.44);
  close(extra.atBaselineUsd, ((10 * 2400) / 3600) * 0.44);
  close(extra.extraUsd, ((10 * 1800) / 3600) * 0.44);
  close(extra.extraUnitHours, 5);
  assert.equal(extra.runsCounted, 2);
  assert.deepEqual(extra.runsWithoutCost, ['c']);
  // DPUSeconds are scaled by duration for the baseline figure.
  const flex = degradationExtraCost(
    [run({ dpuSeconds: 7200, executionTimeSec: 2400, executionClass: 'FLEX' })],
    1200,
  );
  close(flex.extraUnitHours, 1);
  close(flex.extraUsd, 0.29);
  // A run faster than the baseline costs nothing extra.
  assert.equal(degradationExtraCost([run({ executionTimeSec: 600 })], 1200).extraUsd, 0);
});

const workerTypes = Object.keys(DPU_PER_WORKER);
const arbRun = fc.record({
  workerType: fc.constantFrom(...workerTypes),
  numberOfWorkers: fc.integer({ min: 1, max: 500 }),
  executionTimeSec: fc.integer({ min: 0, max: 48 * 3600 }),
  flex: fc.boolean(),
});
const toRun = (
  r: {
    workerType: string;
    numberOfWorkers: number;
    executionTimeSec: number;
    flex: boolean;
  },
  extra: Partial<GlueLikeRun> = {},
): RunRecord => {
  const { flex, ...sizing } = r;
  return run({ ...sizing, executionClass: flex ? 'FLEX' : 'STANDARD', ...extra });
};

test('property: cost is monotone in duration and in workers', () => {
  fc.assert(
    fc.property(
      arbRun,
      fc.integer({ min: 0, max: 10000 }),
      fc.integer({ min: 0, max: 100 }),
      (r, moreSec, moreWorkers) => {
        const base = runCost(toRun(r)).costUsd as number;
        const longer = runCost(toRun({ ...r, executionTimeSec: r.executionTimeSec + moreSec }))
          .costUsd as number;
        const wider = runCost(toRun({ ...r, numberOfWorkers: r.numberOfWorkers + moreWorkers }))
          .costUsd as number;
        assert.ok(longer >= base);
        assert.ok(wider >= base);
        assert.ok(base > 0);
      },
    ),
  );
});

test('property: the 1-minute minimum — any run under 60 s costs exactly one minute', () => {
  fc.assert(
    fc.property(arbRun, fc.integer({ min: 0, max: 60 }), (r, sec) => {
      const short = runUsage(toRun({ ...r, executionTimeSec: sec }));
      const minute = runUsage(toRun({ ...r, executionTimeSec: 60 }));
      assert.equal(short.unitHours, minute.unitHours);
      assert.equal(short.billedSec, 60);
      assert.equal(minimumBilledSec(undefined), 60);
    }),
  );
});

test('property: DPUSeconds overrides the worker arithmetic whatever the sizing', () => {
  fc.assert(
    fc.property(arbRun, fc.integer({ min: 0, max: 10_000_000 }), (r, dpuSeconds) => {
      const cost = runCost(toRun(r, { dpuSeconds }));
      assert.equal(cost.basis, 'measured');
      close(cost.unitHours, dpuSeconds / 3600);
      close(cost.costUsd, (dpuSeconds / 3600) * (r.flex ? 0.29 : 0.44));
    }),
  );
});

test('property: cost = DPU-hours × the execution class rate, Flex never dearer than standard', () => {
  fc.assert(
    fc.property(arbRun, (r) => {
      const std = runCost(toRun({ ...r, flex: false }));
      const flex = runCost(toRun({ ...r, flex: true }));
      close(std.costUsd, (std.unitHours as number) * DEFAULT_GLUE_PRICING.glueDpuHourUsd);
      assert.ok((flex.costUsd as number) <= (std.costUsd as number));
    }),
  );
});

test('property: extra cost is never negative and never exceeds the actual cost', () => {
  fc.assert(
    fc.property(
      fc.array(arbRun, { minLength: 1, maxLength: 8 }),
      fc.integer({ min: 1, max: 20000 }),
      (rs, baseline) => {
        const extra = degradationExtraCost(
          rs.map((x) => toRun(x)),
          baseline,
        );
        assert.ok(extra.extraUsd >= -1e-9);
        assert.ok(extra.extraUsd <= extra.actualUsd + 1e-9);
        assert.equal(extra.runsCounted, rs.length);
      },
    ),
  );
});
