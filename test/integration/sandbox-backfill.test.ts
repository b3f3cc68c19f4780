// The sandbox's DriftJob story without a browser (issue 18 item 13): `npm run sandbox` as started by
// scripts/sandbox.ts, driven through its page's own endpoints (/_ui/…), which send every command,
// click and submission to the bot as Slack would — signed requests to /slack/events. `/triage
// DriftJob` offers a Controlled backfill of its failed runs' days; the button opens the backfill
// modal prefilled; the backfill snapshots, runs DriftJob-staging (the job's script) on the
// simulator, checks and validates the output, waits for four eyes and promotes. The first message
// (the terminal's) lists a window with input and production output for every job it names.
// The sandbox runs the Azure simulator over HTTPS: this process trusts its CA from the start.
import '../support/azure.js';
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { backfillWindows, startSandbox, welcomeText, type Sandbox } from '../../scripts/sandbox.js';
import { BackfillStore } from '../../src/store/backfills.js';
import type { BackfillRecord } from '../../src/domain/backfill-plan.js';
import { windowRangeProblem } from '../../src/domain/backfill-window.js';
import type { FakeMessage } from '../support/fake-slack/types.js';
import { waitFor } from '../support/wait.js';
import { prefilled } from '../support/approvals.js';

const CHANNEL = 'C0DATAOPS';
let sandbox: Sandbox;
let store: BackfillStore;

before(async () => {
  sandbox = await startSandbox({
    port: 0,
    redisUrl: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    logLevel: process.env.LOG_LEVEL ?? 'silent',
  });
  // The staging run finishes in seconds here (the sandbox's 30 s is for people watching).
  sandbox.sim.state.glue.configureRuns('DriftJob-staging', { durationSec: 5, startingSec: 1 });
  store = new BackfillStore(sandbox.medic.state, sandbox.medic.config.env.MEDIC_PREFIX);
});

after(async () => {
  await sandbox?.stop();
});

/** What the page does: POST /_ui/<route> as a person of the workspace. */
async function ui(route: string, body: Record<string, unknown>): Promise<Record<string, unknown>> {
  const res = await fetch(`${sandbox.url}_ui/${route}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  assert.equal(res.status, 200, `${route}: HTTP ${res.status}`);
  const json = (await res.json()) as Record<string, unknown>;
  assert.equal(json.ok, true, `${route}: ${JSON.stringify(json)}`);
  return json;
}

type Element = { type?: string; action_id?: string; value?: string; text?: { text?: string } };
type ViewBlock = { block_id?: string; element?: { initial_value?: string } };

const text = (m: FakeMessage | undefined) =>
  m ? JSON.stringify(m.blocks ?? []) + '\n' + (m.text ?? '') : '';

function buttonsOf(m: FakeMessage): Element[] {
  return ((m.blocks ?? []) as { type?: string; elements?: Element[] }[])
    .filter((b) => b.type === 'actions')
    .flatMap((b) => b.elements ?? []);
}

/** A click on a message's button, as the page sends it. */
async function click(user: string, m: FakeMessage, b: Element): Promise<void> {
  await ui('action', {
    user,
    channel: CHANNEL,
    messageTs: m.ts,
    action: { action_id: b.action_id, type: 'button', value: b.value, text: b.text },
  });
}

async function waitStatus(id: string, statuses: BackfillRecord['status'][]): Promise<BackfillRecord> {
  let last: BackfillRecord | undefined;
  return await waitFor(
    () => `backfill ${id} ${statuses.join('|')} (now ${last?.status}: ${JSON.stringify(last?.steps)})`,
    async () => {
      last = await store.get(id);
      return last && statuses.includes(last.status) ? last : undefined;
    },
    90_000,
  );
}

/** Does the simulator hold an object under s3://bucket/prefix? */
function hasObjects(bucket: string, prefix: string): boolean {
  const b = sandbox.sim.state.s3.bucket(bucket);
  return !!b?.cursor(prefix).current()?.key.startsWith(prefix);
}

const dates = (w: { from: string; to: string }) => {
  const out: string[] = [];
  for (let t = Date.parse(`${w.from}T00:00:00Z`); t <= Date.parse(`${w.to}T00:00:00Z`); t += 86_400_000)
    out.push(new Date(t).toISOString().slice(0, 10));
  return out;
};

test('the first message lists a backfill window with input and production output for MyJob and DriftJob', () => {
  const windows = backfillWindows(sandbox.sim);
  assert.deepEqual(
    windows.map((w) => w.job),
    ['MyJob', 'DriftJob'],
  );
  const welcome = welcomeText(sandbox);
  const where = { MyJob: ['events/', 'events/'], DriftJob: ['drift_events/', 'drift_events/'] } as const;
  for (const w of windows) {
    assert.ok(welcome.includes(`/backfill ${w.job} --from ${w.from} --to ${w.to}`), `${w.job} listed`);
    assert.ok(w.from <= w.to, `${w.job}: ${w.from} ≤ ${w.to}`);
    assert.equal(windowRangeProblem(w.from, w.to, sandbox.sim.state.now()), undefined);
    const job = sandbox.medic.config.medic.jobs[w.job]!;
    assert.ok(job.input && job.output && job.stagingJob, `${w.job} is configured for /backfill`);
    const [inPrefix, outPrefix] = where[w.job as keyof typeof where];
    assert.equal(job.input, `s3://lake-raw/${inPrefix}`);
    assert.equal(job.output, `s3://lake-curated/${outPrefix}`);
    for (const dt of dates(w)) {
      assert.ok(hasObjects('lake-raw', `${inPrefix}dt=${dt}/`), `${w.job}: input of ${dt}`);
      assert.ok(hasObjects('lake-curated', `${outPrefix}dt=${dt}/`), `${w.job}: production output of ${dt}`);
    }
    assert.ok(sandbox.sim.state.glue.jobs.has(job.stagingJob), `${job.stagingJob} exists`);
  }
});

test('DriftJob: the triage report offers a Controlled backfill; it runs through staging, four eyes and promotion', async () => {
  const window = backfillWindows(sandbox.sim).find((w) => w.job === 'DriftJob')!;
  const before = sandbox.slack.topLevel(CHANNEL).length;
  await ui('message', { user: 'U0ONCALL', channel: CHANNEL, text: '/triage DriftJob' });
  // The report, final (its timing line), with the backfill button beside the mitigations.
  const report = await waitFor(
    'the final DriftJob report with its Controlled backfill button',
    () =>
      sandbox.slack
        .topLevel(CHANNEL)
        .slice(before)
        .find(
          (m) =>
            /triage took/.test(text(m)) && buttonsOf(m).some((b) => b.action_id === 'medic.missing.backfill'),
        ),
    90_000,
  );
  assert.match(text(report), /Schema drift/);
  const offer = buttonsOf(report).find((b) => b.action_id === 'medic.missing.backfill')!;
  assert.equal(offer.text?.text, `Controlled backfill ${window.from} → ${window.to}`);
  // The window the first message lists is the one the report offers.
  assert.deepEqual(JSON.parse(offer.value!), { j: 'DriftJob', f: window.from, t: window.to });

  // The button opens the backfill modal, prefilled with the window.
  await click('U0ONCALL', report, offer);
  const modal = await waitFor('the backfill modal', () => {
    const v = sandbox.slack.openView('U0ONCALL');
    return v && !v.closed && v.view.callback_id === 'medic.backfill.submit' ? v : undefined;
  });
  const blocks = (modal.view.blocks ?? []) as ViewBlock[];
  assert.deepEqual(
    blocks.filter((b) => b.block_id === 'from' || b.block_id === 'to').map((b) => b.element?.initial_value),
    [window.from, window.to],
  );
  // Submitted as it was prefilled (what pressing its button on the page sends).
  const values = prefilled(modal.view as { blocks: Record<string, unknown>[] });
  const posted = sandbox.slack.topLevel(CHANNEL).length;
  const submitted = await ui('submit', { user: 'U0ONCALL', viewId: modal.id, values });
  assert.equal(submitted.errors, undefined, JSON.stringify(submitted.errors));
  const progress = await waitFor('the backfill progress message', () =>
    sandbox.slack
      .topLevel(CHANNEL)
      .slice(posted)
      .find((m) => /bf-\d{8}-\d+/.test(text(m))),
  );
  const id = /bf-\d{8}-\d+/.exec(text(progress))![0];

  // Snapshot, DriftJob-staging's run (the job's own script), quality and validation.
  const waiting = await waitStatus(id, ['awaiting-approval', 'failed']);
  assert.equal(waiting.status, 'awaiting-approval', waiting.failure);
  assert.deepEqual(waiting.plan.dates, dates(window));
  assert.equal(waiting.parity?.atParity, true, JSON.stringify(waiting.parity ?? waiting.parityProblem));
  const stagingRun = sandbox.sim.state.glue.findRun('DriftJob-staging', waiting.stagingRunId!);
  assert.equal(stagingRun?.outcome, 'SUCCEEDED');
  assert.ok(
    waiting.diff?.every((d) => d.ok),
    JSON.stringify(waiting.diff),
  );
  assert.ok(waiting.stats!.staging.rows > 0);

  // Four eyes: the approver approves on the approval message; promotion follows.
  const approval = await waitFor('the approval message', () =>
    sandbox.slack.topLevel(CHANNEL).find((m) => new RegExp(`Approve promoting backfill ${id}`).test(text(m))),
  );
  const approve = buttonsOf(approval).find((b) => b.action_id === 'medic.backfill.approve')!;
  assert.ok(approve, 'the approval message has Approve');
  await click('U0APPROVER', approval, approve);
  const done = await waitStatus(id, ['succeeded', 'failed', 'rolled-back']);
  assert.equal(done.status, 'succeeded', done.failure);
  // DriftJob's output is not catalogued: promoted by copy, the replaced objects kept as a backup.
  assert.equal(done.promoteMode, 'copy');
  const curated = sandbox.sim.state.s3.bucket('lake-curated')!;
  for (const dt of done.plan.dates) {
    const promoted = sandbox.sim.state.s3.copies.filter(
      (c) => c.dstBucket === 'lake-curated' && c.dstKey.startsWith(`drift_events/dt=${dt}/`),
    );
    assert.ok(
      promoted.some((c) => c.srcBucket === 'lake-staging' && c.srcKey.includes(`/${id}/dt=${dt}/`)),
      `${dt} copied in from the staging output`,
    );
    assert.ok(
      curated
        .storedObjects()
        .some((o) => o.key.startsWith(`${done.plan.backup.prefix}`) && o.key.includes(`dt=${dt}/`)),
      `${dt} backed up`,
    );
  }
  await waitFor('the progress message says succeeded', () =>
    /succeeded/.test(text(sandbox.slack.message(CHANNEL, done.messageTs!))),
  );
});
