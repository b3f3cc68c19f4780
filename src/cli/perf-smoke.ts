// `medic perf-smoke --job J --sample s3://… [--max-over 30%] [--wait 2h]`: the CI step of the
// post-mortem's preventive action. Asks the bot (POST /api/v1/perf-smoke) for a staging run on the
// sample, waits for its verdict against the earlier smoke runs of that sample, prints the figures
// and exits: 0 within the threshold (or a first run, which sets the baseline), 5 degraded, 1 the
// run failed or errored, 4 not finished within --wait, 2 bad input.
import { apiClient, cliStart, flag, pollUntil, refusal, waitAndPoll, type ApiCliDeps } from './api-client.js';

export const PERF_SMOKE_USAGE = `medic perf-smoke --job J --sample URI [--max-over 30%] [--wait 2h] [--poll 15s]
  exit 0 within --max-over (or the first run of the sample), 5 degraded, 1 failed, 4 not done within --wait, 2 bad input
  needs MEDIC_URL and MEDIC_API_TOKEN`;

export async function perfSmokeCli(args: string[], d: ApiCliDeps): Promise<number> {
  const { io } = d;
  const { help, fail } = cliStart('perf-smoke', PERF_SMOKE_USAGE, args, io);
  if (help) return 0;
  const job = flag(args, 'job');
  const sample = flag(args, 'sample');
  if (!job || !sample) return fail(`give --job and --sample\n\n${PERF_SMOKE_USAGE}`, 2);
  const overText = flag(args, 'max-over');
  const maxOverPct = overText === undefined ? undefined : Number(overText.replace(/%$/, ''));
  if (maxOverPct !== undefined && !(maxOverPct >= 1 && maxOverPct <= 1000))
    return fail('--max-over takes a percentage from 1 to 1000, e.g. 30%', 2);
  const timing = waitAndPoll(args, { wait: '2h', poll: '15s', example: '2h' });
  if ('problem' in timing) return fail(timing.problem, 2);
  const { waitMs, pollMs } = timing;
  const client = apiClient(d);
  if ('problem' in client) return fail(client.problem, 2);
  const created = await client.call('POST', '/api/v1/perf-smoke', {
    job,
    sample,
    ...(maxOverPct !== undefined ? { maxOverPct } : {}),
  });
  const refused = refusal(created);
  if (refused) return fail(refused.message, refused.code);
  const id = String(created.body.id);
  io.out.write(`perf-smoke ${id} of ${job} on ${sample}: running\n`);
  const last = await pollUntil(
    d,
    () => client.call('GET', `/api/v1/perf-smoke/${encodeURIComponent(id)}`),
    (a) => a.body.state !== 'running',
    waitMs,
    pollMs,
    created,
  );
  if (last.status >= 300) return fail(`reading ${id}: ${last.status} ${String(last.body.error)}`, 1);
  const result = last.body.result as
    { summary?: string; costUsd?: number; baselineCostUsd?: number } | undefined;
  if (result?.summary) io.out.write(`  ${result.summary}\n`);
  if (result?.costUsd !== undefined)
    io.out.write(
      `  cost $${result.costUsd.toFixed(2)}${result.baselineCostUsd !== undefined ? ` against $${result.baselineCostUsd.toFixed(2)}` : ''}\n`,
    );
  switch (last.body.state) {
    case 'passed':
    case 'baseline':
      io.out.write(`perf-smoke ${id}: ${String(last.body.state)}\n`);
      return 0;
    case 'degraded':
      io.out.write(`perf-smoke ${id}: DEGRADED\n`);
      return 5;
    case 'running':
      io.out.write(`perf-smoke ${id} still running after --wait\n`);
      return 4;
    default:
      io.out.write(
        `perf-smoke ${id}: ${String(last.body.state)}${last.body.error ? ` — ${String(last.body.error)}` : ''}\n`,
      );
      return 1;
  }
}
