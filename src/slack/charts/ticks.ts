// "Nice" axis ticks: steps of 1, 2 or 5 × 10^n, so every gridline lands on a round number.

/** The smallest 1/2/5 × 10^n step that is at least `rough`. */
export function niceStep(rough: number): number {
  if (!(rough > 0) || !Number.isFinite(rough)) return 1;
  const power = 10 ** Math.floor(Math.log10(rough));
  const f = rough / power;
  // A float quotient like 2.0000000000000004 must still count as 2.
  const eps = 1e-9;
  const m = f <= 1 + eps ? 1 : f <= 2 + eps ? 2 : f <= 5 + eps ? 5 : 10;
  return m * power;
}

export interface Ticks {
  /** Top of the axis, a multiple of `step` that is at least the requested maximum. */
  max: number;
  step: number;
  /** 0, step, 2·step … max. */
  values: number[];
}

/**
 * Ticks from 0 to at least `max`, with about `target` intervals (never more than `target`).
 * A zero or invalid `max` gets the axis 0…1.
 */
export function niceTicks(max: number, target = 5, minStep = 0): Ticks {
  const top = Number.isFinite(max) && max > 0 ? max : 1;
  const intervals = Math.max(1, Math.floor(target));
  let step = Math.max(niceStep(top / intervals), minStep);
  // niceStep rounds up, so top/step ≤ intervals except for float noise; guard anyway.
  while (Math.ceil(top / step - 1e-9) > intervals) step = niceStep(step * 1.01);
  const count = Math.max(1, Math.ceil(top / step - 1e-9));
  const values: number[] = [];
  for (let i = 0; i <= count; i++) values.push(roundTo(i * step, step));
  return { max: roundTo(count * step, step), step, values };
}

/** Remove binary float noise (0.30000000000000004) at the precision of `step`. */
function roundTo(value: number, step: number): number {
  const decimals = Math.max(0, -Math.floor(Math.log10(step)) + 1);
  return Number(value.toFixed(Math.min(decimals, 12)));
}

/** Decimals a tick label needs to tell ticks `step` apart: 0 for 5, 1 for 0.5, 2 for 0.05. */
export function tickDecimals(step: number): number {
  if (!(step > 0) || step >= 1) return 0;
  return Math.min(6, Math.ceil(-Math.log10(step) - 1e-9));
}
