// The bot's CI API from a terminal or a pipeline step: MEDIC_URL and MEDIC_API_TOKEN, JSON in and
// out, a poll loop bounded by --wait, and the flags and answers both CLIs read alike. Shared by
// `medic schema-plan` and `medic perf-smoke`.
import { ConfigError, parseApiClientEnv } from '../config/index.js';
import { parseDurationMs } from './durations.js';

export interface CliIo {
  out: NodeJS.WritableStream;
  err: NodeJS.WritableStream;
}

export interface ApiCliDeps {
  env: NodeJS.ProcessEnv;
  io: CliIo;
  fetch?: typeof fetch;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

export interface ApiAnswer {
  status: number;
  body: Record<string, unknown>;
}

export type ApiCall = (method: string, path: string, body?: unknown) => Promise<ApiAnswer>;

/** A client for the bot named by the environment, or the problem with the environment. */
export function apiClient(d: ApiCliDeps): { call: ApiCall } | { problem: string } {
  let env;
  try {
    env = parseApiClientEnv(d.env);
  } catch (err) {
    if (err instanceof ConfigError) return { problem: err.message };
    throw err;
  }
  const http = d.fetch ?? fetch;
  const base = env.MEDIC_URL.replace(/\/+$/, '');
  const headers = { authorization: `Bearer ${env.MEDIC_API_TOKEN}`, 'content-type': 'application/json' };
  return {
    async call(method, path, body) {
      const res = await http(`${base}${path}`, {
        method,
        headers,
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
      const json = (await res.json().catch(() => ({}))) as Record<string, unknown>;
      return { status: res.status, body: json };
    },
  };
}

/** Polls `read` until `done` says so or `waitMs` has passed; the last answer. */
export async function pollUntil(
  d: ApiCliDeps,
  read: () => Promise<ApiAnswer>,
  done: (a: ApiAnswer) => boolean,
  waitMs: number,
  pollMs: number,
  first: ApiAnswer,
): Promise<ApiAnswer> {
  const sleep = d.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const now = d.now ?? Date.now;
  const deadline = now() + waitMs;
  let last = first;
  while (!done(last) && now() < deadline) {
    await sleep(Math.min(pollMs, Math.max(0, deadline - now())));
    last = await read();
    if (last.status >= 300) return last;
  }
  return last;
}

export function flag(args: string[], name: string): string | undefined {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
}

/**
 * What every CLI of the API does before its own work: `fail` writes `medic <name>: …` on stderr
 * and gives back the exit code; `help` is true (the usage printed) on `--help` or `help`.
 */
export function cliStart(
  name: string,
  usage: string,
  args: string[],
  io: CliIo,
): { help: boolean; fail: (message: string, code: number) => number } {
  const help = args.includes('--help') || args.includes('help');
  if (help) io.out.write(usage + '\n');
  return {
    help,
    fail: (message, code) => {
      io.err.write(`medic ${name}: ${message}\n`);
      return code;
    },
  };
}

/**
 * `--wait` and `--poll` as milliseconds (the defaults when absent); a problem, naming `example` as
 * a --wait that fits the command, when either is bad.
 */
export function waitAndPoll(
  args: string[],
  defaults: { wait: string; poll: string; example: string },
): { waitMs: number; pollMs: number } | { problem: string } {
  const waitMs = parseDurationMs(flag(args, 'wait') ?? defaults.wait);
  const pollMs = parseDurationMs(flag(args, 'poll') ?? defaults.poll);
  if (waitMs === undefined || pollMs === undefined || pollMs < 1000)
    return { problem: `--wait and --poll take durations like ${defaults.example}, 90s (poll at least 1s)` };
  return { waitMs, pollMs };
}

/**
 * The bot's refusal of a create call, as the CLI reports it: a bad token or bad input exits 2, a
 * failure of the bot 1; undefined when the call was accepted.
 */
export function refusal(created: ApiAnswer): { message: string; code: number } | undefined {
  if (created.status === 401) return { message: 'the bot refused the token (MEDIC_API_TOKEN)', code: 2 };
  if (created.status >= 400 && created.status < 500)
    return {
      message: `${String(created.body.error)}${created.body.path ? ` (at ${String(created.body.path)})` : ''}`,
      code: 2,
    };
  if (created.status >= 500)
    return { message: `the bot failed (${created.status}): ${String(created.body.error)}`, code: 1 };
  return undefined;
}
