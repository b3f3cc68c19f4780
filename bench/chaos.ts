// Chaos benchmark (issue 18): N triages, small-file scans and approved compactions through the
// real receiver (signed requests) while worker processes are SIGKILLed at random points and a
// private, append-only Redis is restarted. At the end every request must have exactly one Slack
// message in a final state. Reports lost (no final message), duplicated (two reports for one
// request, or two StartJobRun for one approval) and stuck (a message left "Triaging…",
// "Scanning…", "starting…" or "running") — the goal is 0, 0, 0 — and the recovery time: from the
// last fault to the moment every request was final.
//
//   npx tsx bench/chaos.ts [--triages 20] [--scans 10] [--approvals 10] [--workers 2] [--seconds 40] [--seed 1]
import { spawn, type ChildProcess } from 'node:child_process';
import { cpus, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startSimulator } from '../sim/index.js';
import { FakeSlack } from '../test/support/fake-slack/fake-slack.js';
import type { FakeMessage } from '../test/support/fake-slack/types.js';
import { testConfig, SIGNING_SECRET } from '../test/support/medic.js';
import { sendBlockAction, sendSlashCommand, sendViewSubmission } from '../test/support/slack-requests.js';
import { startRedisServer } from '../test/support/redis-server.js';
import { approvalRequest, prefilled } from '../test/support/approvals.js';
import { startMedic } from '../src/bootstrap.js';
import { createLogger } from '../src/logger.js';
import { encodeRequestValue } from '../src/slack/blocks/approval-request.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
function arg(name: string, dflt: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
}
const TRIAGES = arg('triages', 20);
const SCANS = arg('scans', 10);
const APPROVALS = arg('approvals', 10);
const WORKERS = arg('workers', 2);
const SECONDS = arg('seconds', 40);
let seed = arg('seed', 1);
const rnd = (): number => {
  // mulberry32: the same faults for the same seed.
  seed |= 0;
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const YAML = `
slack:
  approvers: [U0APPROVER]
jobs:
  MyJob:
    input: s3://lake-raw/events/
    compactionJob: MyJob-compaction
    dataOwner: U0OWNER
`;
const USERS = ['U0ONCALL', 'U0APPROVER', 'U0OWNER', 'U0SRE1', 'U0SRE2'];

const redis = await startRedisServer({ appendonly: true });
const sim = await startSimulator({ speed: 1000 });
for (const [k, v] of Object.entries(sim.env())) process.env[k] = v;
sim.state.glue.jobs.get('MyJob-compaction')!.ExecutionProperty.MaxConcurrentRuns = 1000;
sim.state.glue.configureRuns('MyJob-compaction', { durationSec: 20, startingSec: 2 });
const slack = await FakeSlack.start();
const prefix = `chaos-${process.pid}`;
const config = testConfig({
  env: { ...sim.env(), REDIS_URL: redis.url, MEDIC_ENV: 'staging', MEDIC_ROLE: 'web' },
  yaml: YAML,
  slack,
  prefix,
});
const web = await startMedic(config, { logger: createLogger({ level: 'silent' }) });

// ---------------------------------------------------------------------------------------------
// Worker processes

const workers = new Set<ChildProcess>();
let kills = 0;
function spawnWorker(): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'bench', 'chaos-worker.ts')], {
    cwd: root,
    env: {
      ...process.env,
      ...sim.env(),
      SLACK_BOT_TOKEN: config.env.SLACK_BOT_TOKEN,
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_API_URL: slack.apiUrl,
      REDIS_URL: redis.url,
      MEDIC_PREFIX: prefix,
      MEDIC_ENV: 'staging',
      MEDIC_ROLE: 'worker',
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'silent',
      CHAOS_YAML: YAML,
    },
    stdio: ['ignore', 'ignore', 'ignore'],
  });
  workers.add(child);
  child.once('exit', () => workers.delete(child));
  return child;
}
for (let i = 0; i < WORKERS; i++) spawnWorker();

// ---------------------------------------------------------------------------------------------
// The work

const json = (m: FakeMessage | undefined): string => JSON.stringify(m?.blocks ?? []) + '\n' + (m?.text ?? '');
type Kind = 'triage' | 'scan' | 'approval';
interface Req {
  kind: Kind;
  channel: string;
  refused?: boolean;
  approvalTs?: string;
  approvalId?: string;
}
const reqs: Req[] = [];

function channel(id: string): string {
  slack.addChannel({ id, name: id.toLowerCase(), members: USERS });
  return id;
}

async function triage(i: number): Promise<void> {
  const r: Req = { kind: 'triage', channel: channel(`C0TRI${i}`) };
  reqs.push(r);
  const res = await sendSlashCommand(web.url, SIGNING_SECRET, {
    command: '/triage',
    text: 'MyJob',
    channelId: r.channel,
  }).catch(() => undefined);
  const text = JSON.stringify(res?.body ?? '');
  if (!res || res.status !== 200 || /unavailable|nothing was started/i.test(text)) r.refused = true;
}

async function scan(i: number): Promise<void> {
  const r: Req = { kind: 'scan', channel: channel(`C0SCN${i}`) };
  reqs.push(r);
  const res = await sendSlashCommand(web.url, SIGNING_SECRET, {
    command: '/smallfiles',
    text: 's3://lake-raw/events/',
    channelId: r.channel,
  }).catch(() => undefined);
  const text = JSON.stringify(res?.body ?? '');
  if (!res || res.status !== 200 || /unavailable|nothing was started/i.test(text)) r.refused = true;
}

async function approval(i: number): Promise<void> {
  const r: Req = { kind: 'approval', channel: channel(`C0APR${i}`) };
  reqs.push(r);
  try {
    const triggerId = slack.newTriggerId('U0ONCALL');
    await sendBlockAction(web.url, SIGNING_SECRET, {
      actionId: 'medic.mitigation.request.compaction',
      value: encodeRequestValue({ j: 'MyJob', e: 'staging', f: 'small-files', in: 's3://lake-raw/events/' }),
      userId: 'U0ONCALL',
      channelId: r.channel,
      triggerId,
    });
    const open = await slack.waitFor('views.open', (c) => c.args.trigger_id === triggerId, 10_000);
    const view = open.args.view as {
      callback_id: string;
      private_metadata: string;
      blocks: Record<string, unknown>[];
    };
    const reason = `chaos ${i}`;
    await sendViewSubmission(web.url, SIGNING_SECRET, {
      callbackId: view.callback_id,
      userId: 'U0ONCALL',
      values: prefilled(view, { reason: { value: reason } }),
      privateMetadata: view.private_metadata,
    });
    const request = await approvalRequest(slack, r.channel, reason, { timeoutMs: 10_000 }).catch(
      () => undefined,
    );
    if (!request) {
      r.refused = true; // the request itself did not get through (Redis down at that moment)
      return;
    }
    const { message: msg, approvalId: value } = request;
    r.approvalTs = msg.ts;
    r.approvalId = value;
    // Click until the click is recorded (a click during a Redis restart is answered "could not be recorded").
    for (let k = 0; k < 40; k++) {
      await sendBlockAction(web.url, SIGNING_SECRET, {
        actionId: 'medic.mitigation.approve',
        value: value ?? '',
        userId: 'U0APPROVER',
        channelId: r.channel,
        messageTs: msg.ts,
      }).catch(() => undefined);
      await sleep(300);
      const now = json(slack.message(r.channel, msg.ts));
      if (!/Waiting for approval/.test(now)) break;
    }
  } catch {
    r.refused = true;
  }
}

// ---------------------------------------------------------------------------------------------
// Faults, while the work goes on

let lastFaultAt = Date.now();
let redisRestarts = 0;
let chaosOn = true;
async function chaos(): Promise<void> {
  const end = Date.now() + SECONDS * 1000;
  let nextRedis = Date.now() + (SECONDS * 1000) / 3;
  while (Date.now() < end && chaosOn) {
    await sleep(500 + rnd() * 1500);
    if (Date.now() >= nextRedis && redisRestarts < 2) {
      redisRestarts++;
      nextRedis = Date.now() + (SECONDS * 1000) / 3;
      await redis.stop();
      await sleep(1000 + rnd() * 2000);
      await redis.start();
      lastFaultAt = Date.now();
      continue;
    }
    const list = [...workers];
    const victim = list[Math.floor(rnd() * list.length)];
    if (victim) {
      victim.kill('SIGKILL');
      kills++;
      lastFaultAt = Date.now();
      spawnWorker();
    }
  }
}

const started = Date.now();
const faults = chaos();
const work: Promise<void>[] = [];
const plan: (() => Promise<void>)[] = [
  ...Array.from({ length: TRIAGES }, (_, i) => () => triage(i)),
  ...Array.from({ length: SCANS }, (_, i) => () => scan(i)),
  ...Array.from({ length: APPROVALS }, (_, i) => () => approval(i)),
];
plan.sort(() => rnd() - 0.5);
const spacing = (SECONDS * 1000 * 0.7) / plan.length;
for (const p of plan) {
  work.push(p());
  await sleep(spacing);
}
await Promise.all(work);
await faults;
chaosOn = false;
// Make sure the workers are up for the end of the run.
while (workers.size < WORKERS) spawnWorker();

// ---------------------------------------------------------------------------------------------
// Judge: every accepted request has exactly one message, final

function state(r: Req): 'final' | 'stuck' | 'lost' | 'duplicated' {
  const top = slack.topLevel(r.channel).filter((m) => m.user === slack.botUserId || m.botId);
  if (r.kind === 'triage') {
    const reports = top.filter(
      (m) =>
        /Triag|triage took|DEGRADED|FAILING|HEALTHY/.test(json(m)) &&
        !/Checklist/.test(json(m)) &&
        !/INC-.*summary/i.test(m.text ?? ''),
    );
    const finals = top.filter((m) => /triage took/.test(json(m)));
    if (finals.length > 1) return 'duplicated';
    if (finals.length === 1) return 'final';
    return reports.some((m) => /Triaging/.test(json(m))) ? 'stuck' : 'lost';
  }
  if (r.kind === 'scan') {
    const scans = top.filter((m) => /Scann|small files|Small files|objects/i.test(json(m)));
    const finals = scans.filter((m) => !/Scanning/.test(json(m)));
    if (finals.length > 1) return 'duplicated';
    if (finals.length === 1) return 'final';
    return scans.length ? 'stuck' : 'lost';
  }
  const m = r.approvalTs ? slack.message(r.channel, r.approvalTs) : undefined;
  if (!m) return 'lost';
  const t = json(m);
  if (/succeeded|failed|could not run/.test(t)) return 'final';
  return 'stuck';
}

const accepted = () => reqs.filter((r) => !r.refused);
const deadline = Date.now() + 120_000;
let allFinalAt: number | undefined;
while (Date.now() < deadline) {
  if (accepted().every((r) => state(r) === 'final' || state(r) === 'duplicated')) {
    allFinalAt = Date.now();
    break;
  }
  await sleep(200);
}
// Duplicate executions: StartJobRun of the compaction job against approved requests.
const approved = accepted().filter((r) => r.kind === 'approval').length;
const starts = sim
  .requests({ service: 'glue', operation: 'StartJobRun' })
  .filter((x) => x.params.JobName === 'MyJob-compaction').length;

const count = (s: ReturnType<typeof state>) => accepted().filter((r) => state(r) === s).length;
const byKind = (k: Kind) => {
  const a = accepted().filter((r) => r.kind === k);
  return `${a.filter((r) => state(r) === 'final').length}/${a.length}`;
};
const rows = [
  ['requests sent (triage / scan / approval)', `${TRIAGES} / ${SCANS} / ${APPROVALS}`],
  ['refused at once ("unavailable, nothing was started")', String(reqs.filter((r) => r.refused).length)],
  ['final (triage / scan / approval)', `${byKind('triage')} · ${byKind('scan')} · ${byKind('approval')}`],
  ['lost', String(count('lost'))],
  ['duplicated messages', String(count('duplicated'))],
  ['duplicated StartJobRun', String(Math.max(0, starts - approved))],
  ['stuck', String(count('stuck'))],
  ['workers SIGKILLed', String(kills)],
  ['Redis restarts (AOF)', String(redisRestarts)],
  [
    'recovery: last fault → all final',
    allFinalAt ? `${((allFinalAt - lastFaultAt) / 1000).toFixed(1)} s` : 'not within 120 s',
  ],
  ['wall time', `${((Date.now() - started) / 1000).toFixed(1)} s`],
];
console.log(
  `\nchaos bench · ${new Date().toISOString()} · ${cpus().length}× ${cpus()[0]?.model ?? '?'} · ${(totalmem() / 2 ** 30).toFixed(1)} GiB`,
);
const w = Math.max(...rows.map((r) => r[0]!.length));
for (const [k, v] of rows) console.log(`${k!.padEnd(w)}  ${v}`);
for (const r of accepted().filter((x) => state(x) !== 'final'))
  console.log(
    `  not final: ${r.kind} ${r.channel} ${r.approvalId ?? ''} → ${state(r)}: ${(/(Waiting for approval|starting…|running:[^"]*|Approved by[^"]*)/.exec(r.approvalTs ? json(slack.message(r.channel, r.approvalTs)) : '') ?? [''])[0]} ${slack
      .topLevel(r.channel)
      .map((m) => json(m).slice(0, 160))
      .join(' | ')}`,
  );

for (const c of workers) c.kill('SIGKILL');
await web.close();
await slack.stop();
await sim.stop();
await redis.destroy();
process.exit(0);
