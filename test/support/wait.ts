// Waiting in tests: for the state a test asserts, never for time to pass. `waitFor` looks at the
// state every 50 ms and resolves with the first truthy value it sees; after the timeout it fails
// naming what it waited for (give a function to also say what it saw last).
type Falsy = undefined | null | false | 0 | '';

export async function waitFor<T>(
  what: string | (() => string),
  get: () => T | Promise<T>,
  timeoutMs = 20_000,
): Promise<Exclude<T, Falsy>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await get();
    if (v) return v as Exclude<T, Falsy>;
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${typeof what === 'string' ? what : what()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
