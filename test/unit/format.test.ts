import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  formatBytes,
  formatUnitHours,
  formatDuration,
  formatInt,
  formatNumber,
  formatPct,
  formatPctChange,
  formatRatio,
  formatShare,
  formatUsd,
  formatIso,
  verdictText,
  plural,
} from '../../src/domain/format.js';

test('formatBytes uses binary units with one decimal under 10', () => {
  const cases: [number, string][] = [
    [0, '0 B'],
    [512, '512 B'],
    [1536, '1.5 KB'],
    [215040, '210 KB'],
    [33554432, '32 MB'],
    [1048575, '1 MB'],
    [5 * 1024 ** 3, '5 GB'],
    [1.25 * 1024 ** 4, '1.3 TB'],
  ];
  for (const [input, expected] of cases) assert.equal(formatBytes(input), expected, String(input));
});

test('formatDuration picks the two most useful units', () => {
  const cases: [number, string][] = [
    [0, '0s'],
    [45, '45s'],
    [59.6, '1m 00s'],
    [1260, '21m 00s'],
    [1265, '21m 05s'],
    [3725, '1h 02m'],
    [90061, '25h 01m'],
    [-90, '-1m 30s'],
  ];
  for (const [input, expected] of cases) assert.equal(formatDuration(input), expected, String(input));
});

test('thousands separators, numbers, percentages, ratios', () => {
  assert.equal(formatInt(4812), '4,812');
  assert.equal(formatInt(1234567.891, 2), '1,234,567.89');
  assert.equal(formatInt(-1000), '-1,000');
  assert.equal(formatInt(-0.001), '0');
  assert.equal(formatNumber(20.06), '20.1');
  assert.equal(formatNumber(3.0), '3');
  assert.equal(formatNumber(1200.5, 1), '1,200.5');
  assert.equal(formatPct(45.23), '45.2%');
  assert.equal(formatPctChange(45.23), '+45.2%');
  assert.equal(formatPctChange(-3), '-3%');
  assert.equal(formatPctChange(0), '0%');
  assert.equal(formatShare(0.873), '87.3%');
  assert.equal(formatRatio(20.06), '20.1×');
  assert.equal(plural(1, 'run'), '1 run');
  assert.equal(plural(3, 'run'), '3 runs');
  assert.equal(plural(1200, 'file'), '1,200 files');
});

test('formatUsd keeps cents and does not hide sub-cent costs', () => {
  assert.equal(formatUsd(1234.5), '$1,234.50');
  assert.equal(formatUsd(0.44), '$0.44');
  assert.equal(formatUsd(0), '$0.00');
  assert.equal(formatUsd(0.0012), '$0.0012');
  assert.equal(formatUsd(-2), '-$2.00');
  assert.equal(formatUnitHours(1.234, 'DPU'), '1.23 DPU-h');
  assert.equal(formatUnitHours(8, 'vCore'), '8.00 vCore-h');
});

test('formatIso: ISO 8601 with its zone, to the second', () => {
  assert.equal(formatIso(new Date('2026-11-24T13:05:59.900Z')), '2026-11-24T13:05:59Z');
});

test('verdictText says the verdict once', () => {
  assert.equal(
    verdictText('DEGRADED', 'DEGRADED: each of the last 3 runs'),
    'DEGRADED: each of the last 3 runs',
  );
  assert.equal(
    verdictText('INSUFFICIENT_HISTORY', 'INSUFFICIENT HISTORY: found 2 completed runs'),
    'INSUFFICIENT HISTORY: found 2 completed runs',
  );
  assert.equal(
    verdictText('HEALTHY', 'all runs within the threshold'),
    'HEALTHY: all runs within the threshold',
  );
  assert.equal(verdictText('FAILING', ''), 'FAILING');
});
