// `medic schema-plan --job J --proposed schema.json [--wait 30m]`: the deploy pipeline's step for
// a schema change. Asks the bot's CI API for the plan (POST /api/v1/schema-plans), then waits for
// the decision, and exits: 0 approved or compatible, 3 rejected, 4 expired (or no decision within
// --wait), 2 bad input. The approved plan must be the one for this very schema: its fingerprint is
// checked against the file, so an approved plan id cannot let another schema through.
import { readFileSync } from 'node:fs';
import { readProposedSchema, SchemaFormatError } from '../domain/schema-formats.js';
import { schemaFingerprint } from '../store/schema-plans.js';
import { apiClient, cliStart, flag, pollUntil, refusal, waitAndPoll, type ApiCliDeps } from './api-client.js';

export const SCHEMA_PLAN_USAGE = `medic schema-plan (--job J | --table DB.TABLE) --proposed FILE [--requested-by WHO] [--commit SHA] [--wait 30m] [--poll 10s]
  exit 0 approved or compatible, 3 rejected, 4 expired or not decided within --wait, 2 bad input
  needs MEDIC_URL (the bot, e.g. https://medic.example.com) and MEDIC_API_TOKEN`;

export type SchemaPlanCliDeps = ApiCliDeps;

export async function schemaPlanCli(args: string[], d: SchemaPlanCliDeps): Promise<number> {
  const { io } = d;
  const { help, fail } = cliStart('schema-plan', SCHEMA_PLAN_USAGE, args, io);
  if (help) return 0;
  const job = flag(args, 'job');
  const table = flag(args, 'table');
  const file = flag(args, 'proposed');
  if ((!job && !table) || !file)
    return fail(`give --job or --table, and --proposed\n\n${SCHEMA_PLAN_USAGE}`, 2);
  const timing = waitAndPoll(args, { wait: '0s', poll: '10s', example: '30m' });
  if ('problem' in timing) return fail(timing.problem, 2);
  const { waitMs, pollMs } = timing;
  const client = apiClient(d);
  if ('problem' in client) return fail(client.problem, 2);
  let proposed: unknown;
  try {
    proposed = JSON.parse(readFileSync(file, 'utf8'));
    readProposedSchema(proposed); // the bot says the same; failing here is faster and names the file
  } catch (err) {
    if (err instanceof SchemaFormatError) return fail(`${file}: ${err.message}`, 2);
    return fail(`cannot read ${file}: ${err instanceof Error ? err.message : String(err)}`, 2);
  }
  const call = client.call;
  const requestedBy = flag(args, 'requested-by') ?? d.env.GITHUB_ACTOR ?? d.env.USER ?? 'ci';
  const commit = flag(args, 'commit') ?? d.env.GITHUB_SHA;
  const created = await call('POST', '/api/v1/schema-plans', {
    ...(job ? { job } : {}),
    ...(table ? { table } : {}),
    proposed,
    requestedBy,
    ...(commit ? { commit } : {}),
  });
  const refused = refusal(created);
  if (refused) return fail(refused.message, refused.code);
  const id = String(created.body.id);
  const tableName = String(created.body.table);
  const [database, name] = tableName.split('.') as [string, string];
  const expected = schemaFingerprint({ database, name }, readProposedSchema(proposed));
  if (created.body.fingerprint !== expected) return fail(`plan ${id} is not for this schema; not trusted`, 1);
  io.out.write(`plan ${id}: ${String(created.body.classification)}, ${String(created.body.state)}\n`);
  for (const c of (created.body.changes as { summary?: string; class?: string }[] | undefined) ?? [])
    io.out.write(`  ${c.class}: ${c.summary}\n`);
  const last = await pollUntil(
    d,
    () => call('GET', `/api/v1/schema-plans/${encodeURIComponent(id)}`),
    (a) => a.body.state !== 'pending',
    waitMs,
    pollMs,
    created,
  );
  if (last.status >= 300) return fail(`reading plan ${id}: ${last.status} ${String(last.body.error)}`, 1);
  if (last.body.fingerprint !== expected) return fail(`plan ${id} is not for this schema; not trusted`, 1);
  const state = String(last.body.state);
  switch (state) {
    case 'approved':
      io.out.write(`plan ${id} approved: the deploy may go on\n`);
      return 0;
    case 'rejected':
      io.out.write(`plan ${id} rejected: do not deploy this schema\n`);
      return 3;
    case 'expired':
      io.out.write(`plan ${id} expired without a decision\n`);
      return 4;
    default:
      io.out.write(`plan ${id} is still ${state} after --wait; not deploying\n`);
      return 4;
  }
}
