// Commands the bot hands to people (tag commands, CLI steps) must paste into a POSIX shell as-is.

/** A word as a POSIX shell reads it: bare when it holds nothing special, else single-quoted. */
export function shellWord(s: string): string {
  return /^[A-Za-z0-9_\-.:/=,@+]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}
