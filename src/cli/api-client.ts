// The bot's CI API from a terminal or a pipeline step: MEDIC_URL and MEDIC_API_TOKEN, JSON in and
// out, and a poll loop bounded by --wait. Shared by `medic schema-plan` and `medic perf-smoke`.
import { ConfigError, parseApiClientEnv } from '../config/index.js';

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
