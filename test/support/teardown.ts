// Bounded teardown for test files that start servers, clients and timers: a file whose teardown
// left something open never exits, and `node --test` then waits for it without a word. Armed at the
// end of the last `after`, this turns that stall into a failure naming what still holds the process.

/**
 * If this process is still alive `ms` after teardown (a socket, server or timer left open), print
 * the resources that keep it alive and exit 1. The timer is unref'd: a clean exit is not delayed.
 */
export function failIfProcessLingers(file: string, ms = 15_000): void {
  const timer = setTimeout(() => {
    const open = process.getActiveResourcesInfo().filter((r) => r !== 'TTYWrap');
    process.stderr.write(
      `${file}: the process is still alive ${ms} ms after its teardown; open resources: ${open.join(', ') || 'none listed'}\n`,
    );
    process.exit(1);
  }, ms);
  timer.unref();
}

/** The promise, or a rejection naming `what` after `ms`: a teardown step that cannot stall. */
export async function bounded<T>(what: string, p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      p,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
