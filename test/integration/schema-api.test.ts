// The CI API for schema changes (issue 14) through the real web role: bearer tokens, bad input,
// a compatible plan approved at once, a breaking plan posted for a four-eyes approval (the commit
// author cannot approve, an approver can), the same proposal giving the same plan, rejection, and
// the deploy gate of a job whose open incident has schema drift.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { DRIFTJOB, SCENARIOS, startSimulator, type Simulator } from '../../sim/index.js';
import { startTestMedic, type TestMedic } from '../support/medic.js';
import { sendBlockAction } from '../support/slack-requests.js';
import { IncidentStore } from '../../src/store/incidents.js';
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const TOKEN = 'ci-token-0123456789abcdef';
const CHANNEL = 'C0SCHEMA';
const YAML = `
slack: { approvers: [U0APPROVER] }
jobs:
  DriftJob:
    monitorChannel: ${CHANNEL}
    table: { database: ${DRIFTJOB.database}, name: ${DRIFTJOB.table} }
    consumers: [Reporting]
  NoTable: {}
`;

let sim: Simulator;
let t: TestMedic;

before(async () => {
  const { base, driftJob, scripts } = SCENARIOS;
  sim = await startSimulator({ scenarios: [base, driftJob, scripts] });
  for (const [k, v] of Object.entries(sim.env())) process.env[k] = v;
  t = await startTestMedic({ yaml: YAML, env: { ...sim.env(), MEDIC_API_TOKENS: `deploys:${TOKEN}` } });
  t.slack.addChannel({ id: CHANNEL, name: 'schema-alerts', members: ['U0ONCALL', 'U0APPROVER'] });
});

after(async () => {
  await t?.stop();
  await sim?.stop();
});

async function api(method: string, path: string, body?: unknown, token: string | null = TOKEN) {
  const res = await fetch(`${t.url}${path}`, {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/** The table's current columns (version 2 of the simulator's drift table) plus changes. */
const current = [
  { Name: 'event_id', Type: 'string' },
  { Name: 'cust_id', Type: 'string' },
  { Name: 'amount', Type: 'decimal(18,2)' },
];
const PARTITIONS = [{ Name: 'dt', Type: 'string' }];

test('no token, a wrong token: 401; the API answers nothing else without one', async () => {
  const none = await api('GET', '/api/v1/gates/DriftJob', undefined, null);
  assert.equal(none.status, 401);
  const wrong = await api('GET', '/api/v1/gates/DriftJob', undefined, 'ci-token-0123456789abcdeX');
  assert.equal(wrong.status, 401);
  assert.equal(t.slack.callsTo('chat.postMessage').length, 0);
});

test('bad input: malformed schema 400 with its path, unknown job 404, a job without a table 400, 1 MB refused', async () => {
  const bad = await api('POST', '/api/v1/schema-plans', {
    job: 'DriftJob',
    requestedBy: 'U0ONCALL',
    proposed: { Columns: [{ Name: 'event_id' }] },
  });
  assert.equal(bad.status, 400);
  assert.equal(bad.body.path, 'proposed.Columns[0].Type');
  const noAuthor = await api('POST', '/api/v1/schema-plans', {
    job: 'DriftJob',
    proposed: { Columns: current },
  });
  assert.equal(noAuthor.status, 400);
  assert.equal(noAuthor.body.path, 'requestedBy');
  const unknown = await api('POST', '/api/v1/schema-plans', {
    job: 'NoSuchJob',
    requestedBy: 'ci',
    proposed: { Columns: current },
  });
  assert.equal(unknown.status, 404);
  const noTable = await api('POST', '/api/v1/schema-plans', {
    job: 'NoTable',
    requestedBy: 'ci',
    proposed: { Columns: current },
  });
  assert.equal(noTable.status, 400);
  assert.match(String(noTable.body.error), /jobs\.<job>\.table/);
  const notJson = await api('POST', '/api/v1/schema-plans', '{"job": ');
  assert.equal(notJson.status, 400);
  const huge = await api('POST', '/api/v1/schema-plans', 'x'.repeat(1024 * 1024 + 1));
  assert.equal(huge.status, 413);
  const missingTable = await api('POST', '/api/v1/schema-plans', {
    table: 'lake.nope',
    requestedBy: 'ci',
    proposed: { Columns: current },
  });
  assert.equal(missingTable.status, 404);
  assert.equal(t.slack.callsTo('chat.postMessage').length, 0, 'nothing posted for bad input');
});

test('a compatible change is approved at once; the same proposal again is the same plan', async () => {
  const proposed = { Columns: [...current, { Name: 'channel', Type: 'string' }], PartitionKeys: PARTITIONS };
  const first = await api('POST', '/api/v1/schema-plans', { job: 'DriftJob', requestedBy: 'ci', proposed });
  assert.equal(first.status, 201);
  assert.equal(first.body.state, 'approved');
  assert.equal(first.body.classification, 'compatible');
  assert.match(String(first.body.catalogUpdate), /^glue:UpdateTable DatabaseName=/);
  const again = await api('POST', '/api/v1/schema-plans', { job: 'DriftJob', requestedBy: 'ci', proposed });
  assert.equal(again.body.id, first.body.id);
  const got = await api('GET', `/api/v1/schema-plans/${String(first.body.id)}`);
  assert.equal(got.body.state, 'approved');
  assert.equal((await api('GET', '/api/v1/schema-plans/apr-20000101-999')).status, 404);
});

test('a breaking change waits for a second person: the author is refused, an approver approves', async () => {
  const before = t.slack.callsTo('chat.postMessage').length;
  const proposed = { Columns: current.filter((c) => c.Name !== 'amount'), PartitionKeys: PARTITIONS };
  const res = await api('POST', '/api/v1/schema-plans', {
    job: 'DriftJob',
    requestedBy: 'U0ONCALL',
    commit: 'abc1234',
    proposed,
  });
  assert.equal(res.status, 201);
  assert.equal(res.body.state, 'pending');
  assert.equal(res.body.classification, 'breaking');
  const id = String(res.body.id);
  const posts = t.slack.callsTo('chat.postMessage').slice(before);
  assert.equal(posts.length, 1);
  assert.equal(posts[0]!.args.channel, CHANNEL);
  const msg = t.slack.topLevel(CHANNEL).find((m) => JSON.stringify(m.blocks).includes(id))!;
  const text = JSON.stringify(msg.blocks);
  assert.match(text, /amount \(decimal\(18,2\)\) removed/);
  assert.match(text, /Consumers affected/);
  assert.match(text, /abc1234/);

  // The commit author (the requester) may not approve: four-eyes.
  await sendBlockAction(t.url, t.secret, {
    actionId: 'medic.schema.approve',
    value: id,
    userId: 'U0ONCALL',
    channelId: CHANNEL,
    messageTs: msg.ts,
  });
  await t.slack.waitFor(
    'chat.postEphemeral',
    (c) => c.args.user === 'U0ONCALL' && /four-eyes/.test(String(c.args.text)),
  );
  assert.equal((await api('GET', `/api/v1/schema-plans/${id}`)).body.state, 'pending');

  // A click carrying this plan from another channel decides nothing, and says where it belongs.
  await sendBlockAction(t.url, t.secret, {
    actionId: 'medic.schema.approve',
    value: id,
    userId: 'U0APPROVER',
    channelId: 'C0DATAOPS',
  });
  await t.slack.waitFor(
    'chat.postEphemeral',
    (c) =>
      c.args.user === 'U0APPROVER' &&
      c.args.channel === 'C0DATAOPS' &&
      String(c.args.text).includes(`${id}\` belongs to <#${CHANNEL}>`),
  );
  assert.equal((await api('GET', `/api/v1/schema-plans/${id}`)).body.state, 'pending');

  await sendBlockAction(t.url, t.secret, {
    actionId: 'medic.schema.approve',
    value: id,
    userId: 'U0APPROVER',
    channelId: CHANNEL,
    messageTs: msg.ts,
  });
  await t.slack.waitFor(
    'chat.update',
    (c) => c.args.ts === msg.ts && /Approved by/.test(JSON.stringify(c.args.blocks)),
  );
  const decided = await api('GET', `/api/v1/schema-plans/${id}`);
  assert.equal(decided.body.state, 'approved');
  assert.equal(decided.body.decidedBy, 'U0APPROVER');
  // The mitigation buttons do not decide a schema plan (one id space, one kind per button).
  const other = await api('POST', '/api/v1/schema-plans', {
    job: 'DriftJob',
    requestedBy: 'ci',
    proposed: { Columns: [current[0]!, current[2]!], PartitionKeys: PARTITIONS },
  });
  const otherId = String(other.body.id);
  await sendBlockAction(t.url, t.secret, {
    actionId: 'medic.mitigation.approve',
    value: otherId,
    userId: 'U0APPROVER',
    channelId: CHANNEL,
  });
  await t.slack.waitFor('chat.postEphemeral', (c) =>
    /does not belong to that request/.test(String(c.args.text)),
  );
  assert.equal((await api('GET', `/api/v1/schema-plans/${otherId}`)).body.state, 'pending');
  await sendBlockAction(t.url, t.secret, {
    actionId: 'medic.schema.reject',
    value: otherId,
    userId: 'U0APPROVER',
    channelId: CHANNEL,
  });
  await t.slack.waitFor('chat.update', (c) => /Rejected by/.test(JSON.stringify(c.args.blocks)));
  assert.equal((await api('GET', `/api/v1/schema-plans/${otherId}`)).body.state, 'rejected');
});

test('the gate: open without a drift incident, blocked while one is open, open again once a plan is approved', async () => {
  assert.deepEqual((await api('GET', '/api/v1/gates/DriftJob')).body, { state: 'open' });
  const incidents = new IncidentStore(t.medic.state, t.prefix);
  const { incident } = await incidents.openForChannel(
    'C0DATAOPS',
    { title: 'DriftJob degradation', job: 'DriftJob', env: 'dev', commander: 'U0ONCALL' },
    Date.now(),
  );
  await incidents.update(incident.id, (i) => ({
    ...i,
    latest: {
      verdict: 'FAILING',
      summary: 'FAILING',
      findings: [{ id: 'schema-drift', cause: 'Schema drift', confidence: 'high' }],
      problematicRunIds: [],
      at: Date.now(),
    },
  }));
  const blocked = await api('GET', '/api/v1/gates/DriftJob');
  assert.equal(blocked.body.state, 'blocked');
  assert.equal(blocked.body.incident, incident.id);
  assert.equal((await api('GET', '/api/v1/gates/bad%20name')).status, 400);
  // A compatible plan asked after the incident opened opens the gate.
  const proposed = { Columns: [...current, { Name: 'note', Type: 'string' }], PartitionKeys: PARTITIONS };
  const plan = await api('POST', '/api/v1/schema-plans', { job: 'DriftJob', requestedBy: 'ci', proposed });
  assert.equal(plan.body.state, 'approved');
  const open = await api('GET', '/api/v1/gates/DriftJob');
  assert.equal(open.body.state, 'open');
  assert.match(String(open.body.reason), new RegExp(String(plan.body.id)));
});

// ---------------------------------------------------------------------------------------------
// `medic schema-plan`, the CI step

const dir = mkdtempSync(join(tmpdir(), 'medic-schema-'));

function schemaFile(name: string, proposed: unknown): string {
  const file = join(dir, name);
  writeFileSync(file, JSON.stringify(proposed));
  return file;
}

function medicCli(args: string[]): {
  done: Promise<{ code: number | null; stdout: string; stderr: string }>;
} {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'schema-plan', ...args], {
    env: { PATH: process.env.PATH, MEDIC_URL: t.url, MEDIC_API_TOKEN: TOKEN, LOG_LEVEL: 'silent' },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  return { done: new Promise((resolve) => child.on('exit', (code) => resolve({ code, stdout, stderr }))) };
}

/** The plan message the bot posted for this table change, once it is there. */
async function planMessage(match: RegExp) {
  await t.slack.waitFor(
    'chat.postMessage',
    (c) => c.args.channel === CHANNEL && match.test(JSON.stringify(c.args.blocks)),
    // A hang guard, not a timing assertion: the plan is posted once the spawned CLI (compiled by
    // tsx on start) has sent it, which took more than the default 5 s on a loaded machine.
    60_000,
  );
  return t.slack
    .topLevel(CHANNEL)
    .filter((m) => match.test(JSON.stringify(m.blocks)))
    .at(-1)!;
}

test('medic schema-plan: compatible exits 0 at once; bad input exits 2', async () => {
  const ok = await medicCli([
    '--job',
    'DriftJob',
    '--proposed',
    schemaFile('ok.json', {
      Columns: [...current, { Name: 'cli_col', Type: 'string' }],
      PartitionKeys: PARTITIONS,
    }),
  ]).done;
  assert.equal(ok.code, 0, ok.stderr);
  assert.match(ok.stdout, /compatible, approved/);
  const bad = await medicCli(['--job', 'DriftJob', '--proposed', schemaFile('bad.json', { Columns: [{}] })])
    .done;
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /proposed\.Columns\[0\]\.Name/);
  const noJob = await medicCli([
    '--job',
    'NoSuchJob',
    '--proposed',
    schemaFile('x.json', { Columns: current }),
  ]).done;
  assert.equal(noJob.code, 2);
  assert.match(noJob.stderr, /no job NoSuchJob/);
});

test('medic schema-plan --wait: a breaking change approved by a second person exits 0; rejected exits 3', async () => {
  const approve = medicCli([
    '--job',
    'DriftJob',
    '--proposed',
    schemaFile('drop-cust.json', {
      Columns: [current[0]!, current[2]!, { Name: 'x1', Type: 'int' }],
      PartitionKeys: PARTITIONS,
    }),
    '--requested-by',
    'U0ONCALL',
    '--wait',
    '60s',
    '--poll',
    '1s',
  ]);
  const msg = await planMessage(/cust_id \(string\) removed.*x1|x1.*cust_id \(string\) removed/);
  await sendBlockAction(t.url, t.secret, {
    actionId: 'medic.schema.approve',
    value: String(
      (msg.blocks as { elements?: { value?: string }[] }[]).find((b) => b.elements)?.elements?.[0]?.value,
    ),
    userId: 'U0APPROVER',
    channelId: CHANNEL,
    messageTs: msg.ts,
  });
  const approved = await approve.done;
  assert.equal(approved.code, 0, approved.stderr + approved.stdout);
  assert.match(approved.stdout, /approved: the deploy may go on/);

  const reject = medicCli([
    '--job',
    'DriftJob',
    '--proposed',
    schemaFile('retype.json', {
      Columns: [current[0]!, { Name: 'cust_id', Type: 'bigint' }, current[2]!],
      PartitionKeys: PARTITIONS,
    }),
    '--wait',
    '60s',
    '--poll',
    '1s',
  ]);
  const msg2 = await planMessage(/cust_id changed type string → bigint/);
  await sendBlockAction(t.url, t.secret, {
    actionId: 'medic.schema.reject',
    value: String(
      (msg2.blocks as { elements?: { value?: string }[] }[]).find((b) => b.elements)?.elements?.[0]?.value,
    ),
    userId: 'U0APPROVER',
    channelId: CHANNEL,
    messageTs: msg2.ts,
  });
  const rejected = await reject.done;
  assert.equal(rejected.code, 3, rejected.stderr + rejected.stdout);
});
