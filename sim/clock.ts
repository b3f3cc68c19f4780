// Simulated time. Scenario timestamps are relative to the clock's "now", and Glue runs started
// through the API progress against it, so a speed factor (or an explicit advance) lets a test see a
// 20-minute run finish in milliseconds without ever asserting on wall-clock time.

export interface SimClockOptions {
  /** Simulated milliseconds per real millisecond; 1 is real time. */
  speed?: number;
  /** Simulated epoch ms at start; defaults to the real now. */
  start?: number;
}

export class SimClock {
  private anchorReal: number;
  private anchorSim: number;
  private speedFactor: number;

  constructor(opts: SimClockOptions = {}) {
    this.anchorReal = Date.now();
    this.anchorSim = opts.start ?? this.anchorReal;
    this.speedFactor = opts.speed ?? 1;
  }

  /** Simulated epoch milliseconds. */
  now(): number {
    return Math.floor(this.anchorSim + (Date.now() - this.anchorReal) * this.speedFactor);
  }

  get speed(): number {
    return this.speedFactor;
  }

  set speed(value: number) {
    if (!(value >= 0)) throw new RangeError('clock speed must be >= 0');
    this.rebase();
    this.speedFactor = value;
  }

  /** Jump simulated time forward. */
  advance(ms: number): void {
    if (!(ms >= 0)) throw new RangeError('can only advance the clock by a non-negative amount');
    this.rebase();
    this.anchorSim += ms;
  }

  private rebase(): void {
    const sim = this.now();
    this.anchorReal = Date.now();
    this.anchorSim = sim;
  }
}
