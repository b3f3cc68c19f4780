// /backfill of a Synapse pipeline end to end: the same flow as Glue's, on the other platform —
// snapshot of the input window on Blob (Azurite, Copy Blob), the isolated run as a createRun of the
// staging pipeline with the snapshot as its inputPath, quality from the Parquet footers over Blob,
// validation against production, four-eyes approval, promotion by copy (Synapse has no catalog the
// bot can switch, nor a data-quality engine: the footers' checks are the suite), the consumer
// pipeline re-run. The staging pipeline's Spark job writes its output to Azurite through the
// simulator's lake writer (sim/azure/lake-writer.ts).
import '../support/azure.js';
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startSynapseWorld, type SynapseWorld } from '../support/synapse.js';
import { startTestMedic, type TestMedic } from '../support/medic.js';
import { sendBlockAction, sendSlashCommand, sendViewSubmission } from '../support/slack-requests.js';
import type { FakeMessage } from '../support/fake-slack/types.js';
import { BackfillStore } from '../../src/store/backfills.js';
import { IncidentStore } from '../../src/store/incidents.js';
import { ChecklistStore } from '../../src/store/checklist-store.js';
import { RUNBOOK_CHECKLIST } from '../../src/domain/checklist.js';
import type { BackfillRecord } from '../../src/domain/backfill-plan.js';
import { AZURE_SIM, SALES_PIPELINE } from '../../sim/azure/scenarios.js';
import { seedSalesOutput, stagingOutputWriter } from '../../sim/azure/lake-writer.js';

const DAY = 86_400_000;
let w: SynapseWorld;
let t: TestMedic;
let store: BackfillStore;
let simStart: number;

before(async () => {
  w = await startSynapseWorld({ speed: 1000, seedSalesInput: true });
  // The day the input was dated from: at 1000× the simulator's clock passes midnight every 86 s,
  // so a clock read after seeding may be a day later than the input's partitions.
  simStart = w.seededAt;
  await seedSalesOutput(w.blobs, simStart, 5);
  w.sim.setBeforeSend(
    stagingOutputWriter(w.sim.state, { blobs: w.blobs, pipelines: [SALES_PIPELINE.stagingPipeline] }).hook,
  );
  const yaml = [
    'slack:',
    '  approvers: [U0APPROVER]',
    w.azureYaml(),
    'jobs:',
    w.job(SALES_PIPELINE.name, {
      sparkPool: AZURE_SIM.sparkPool,
      input: SALES_PIPELINE.input,
      output: SALES_PIPELINE.output,
      stagingJob: SALES_PIPELINE.stagingPipeline,
      consumers: `[${SALES_PIPELINE.consumer}]`,
    }),
  ].join('\n');
  t = await startTestMedic({
    yaml,
    env: w.env,
    start: { timings: { backfillPollMs: 200, backfillMaxPollMs: 1000 } },
  });
  store = new BackfillStore(t.medic.state, t.prefix);
});

after(async () => {
  await t?.stop();
  await w?.stop();
});

const text = (m: FakeMessage | undefined) =>
  m ? JSON.stringify(m.blocks ?? []) + '\n' + (m.text ?? '') : '';
const daysAgo = (n: number) => new Date(simStart - n * DAY).toISOString().slice(0, 10);

async function waitFor<T>(
  fn: () => T | undefined | Promise<T | undefined>,
  what: string,
  ms = 90_000,
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function waitStatus(id: string, statuses: BackfillRecord['status'][]): Promise<BackfillRecord> {
  try {
    return await waitFor(
      async () => {
        const r = await store.get(id);
        return r && statuses.includes(r.status) ? r : undefined;
      },
      `backfill ${id} ${statuses.join('|')}`,
    );
  } catch (err) {
    const r = await store.get(id);
    throw new Error(`${(err as Error).message}; now ${r?.status}: ${JSON.stringify(r?.steps)}`, {
      cause: err,
    });
  }
}

type ViewBlock = {
  block_id?: string;
  element?: { action_id: string; initial_value?: string; initial_options?: unknown[] };
};

async function startBackfill(channel: string, args: string): Promise<string> {
  t.slack.addChannel({ id: channel, name: channel.toLowerCase(), members: ['U0ONCALL', 'U0APPROVER'] });
  const triggerId = t.slack.newTriggerId('U0ONCALL');
  const res = await sendSlashCommand(t.url, t.secret, {
    command: '/backfill',
    text: args,
    channelId: channel,
    triggerId,
  });
  assert.equal(res.status, 200);
  const open = await t.slack.waitFor('views.open', (c) => c.args.trigger_id === triggerId);
  const view = open.args.view as { callback_id: string; private_metadata: string; blocks: ViewBlock[] };
  const values: Record<string, Record<string, Record<string, unknown>>> = {};
  for (const b of view.blocks) {
    if (!b.block_id || !b.element) continue;
    values[b.block_id] = {
      [b.element.action_id]:
        b.element.initial_options !== undefined || b.block_id === 'checks' || b.block_id === 'dry_run'
          ? { type: 'checkboxes', selected_options: b.element.initial_options ?? [] }
          : { type: 'plain_text_input', value: b.element.initial_value ?? null },
    };
  }
  const before = t.slack.topLevel(channel).length;
  const sub = await sendViewSubmission(t.url, t.secret, {
    callbackId: view.callback_id,
    userId: 'U0ONCALL',
    values,
    privateMetadata: view.private_metadata,
  });
  assert.equal(sub.status, 200);
  const msg = await waitFor(() => t.slack.topLevel(channel)[before], 'progress message');
  const id = /bf-\d{8}-\d+/.exec(text(msg))?.[0];
  assert.ok(id, 'progress message names the backfill id');
  return id;
}

async function blobs(prefix: string) {
  const out: { name: string; size: number; etag: string }[] = [];
  for await (const b of w.blobs.getContainerClient(AZURE_SIM.container).listBlobsFlat({ prefix }))
    out.push({ name: b.name, size: b.properties.contentLength ?? 0, etag: b.properties.etag ?? '' });
  return out;
}

test('Synapse backfill: snapshot on Blob, staging pipeline on the snapshot, footers checked, approved, promoted by copy, consumer re-run', async () => {
  const channel = 'C0SYNBF';
  t.slack.addChannel({ id: channel, name: 'syn-bf', members: ['U0ONCALL', 'U0APPROVER'] });
  const { incident } = await new IncidentStore(t.medic.state, t.prefix).openForChannel(channel, {
    title: 'SalesPipeline degraded',
    job: SALES_PIPELINE.name,
    provider: 'synapse',
    env: 'dev',
    commander: 'U0ONCALL',
  });
  const from = daysAgo(3);
  const to = daysAgo(2);
  const prodBefore = await blobs(`curated/sales/dt=${from}/`);
  assert.equal(prodBefore.length, 2);
  const id = await startBackfill(channel, `${SALES_PIPELINE.name} --from ${from} --to ${to}`);
  const waiting = await waitStatus(id, ['awaiting-approval', 'failed']);
  assert.equal(waiting.status, 'awaiting-approval', waiting.failure);
  assert.equal(waiting.plan.provider, 'synapse');

  // 1. Snapshot: the window's 100 input blobs copied under the snapshot prefix, with a manifest.
  const snapshot = await blobs(waiting.plan.snapshot.prefix);
  assert.equal(snapshot.length, 100);
  const manifest = await w.blobs
    .getContainerClient(AZURE_SIM.container)
    .getBlobClient(waiting.plan.snapshot.prefix.replace(/[^/]+\/$/, 'manifest.json'))
    .downloadToBuffer();
  assert.equal((JSON.parse(manifest.toString()) as { count: number }).count, 100);

  // 2. The isolated run: one createRun of the staging pipeline, reading the snapshot.
  const creates = w.sim
    .requests({ service: 'synapse', operation: 'CreateRun' })
    .filter((r) => r.path.endsWith(`/pipelines/${SALES_PIPELINE.stagingPipeline}/createRun`));
  assert.equal(creates.length, 1);
  const body = creates[0]!.params.body as Record<string, string>;
  assert.equal(
    body.inputPath,
    `https://contosolake.blob.core.windows.net/lake/${waiting.plan.snapshot.prefix}`,
  );
  assert.ok(body.outputPath?.endsWith(`/staging/sales/${id}/`), body.outputPath);
  assert.deepEqual([body.backfillFrom, body.backfillTo], [from, to]);
  assert.equal(
    waiting.stagingRunId,
    w.sim.state.runsOf(AZURE_SIM.workspace, SALES_PIPELINE.stagingPipeline)[0]!.runId,
  );

  // 3–4. Quality and validation from the footers of real Parquet on Blob: identical to production.
  assert.ok(waiting.diff?.length && waiting.diff.every((d) => d.ok), JSON.stringify(waiting.diff));
  assert.ok(
    waiting.stats!.staging.rows > 0 && waiting.stats!.staging.rows === waiting.stats!.production.rows,
  );
  const checklist = await new ChecklistStore(t.medic.state, t.prefix, RUNBOOK_CHECKLIST).get(incident.id);
  assert.equal(checklist.items.find((i) => i.id === 'backfill-staging')?.done, true);
  assert.deepEqual(
    await blobs(`curated/sales/dt=${from}/`),
    prodBefore,
    'production untouched before approval',
  );

  // 5. Four-eyes approval, 6. promotion by copy with backup, 7. the consumer pipeline re-run.
  const approval = t.slack.topLevel(channel).find((m) => /Approve promoting backfill/.test(text(m)))!;
  assert.ok(approval);
  await sendBlockAction(t.url, t.secret, {
    actionId: 'medic.backfill.approve',
    value: id,
    userId: 'U0APPROVER',
    channelId: channel,
    messageTs: approval.ts,
  });
  const done = await waitStatus(id, ['succeeded', 'failed', 'rolled-back']);
  assert.equal(done.status, 'succeeded', done.failure);
  assert.equal(done.promoteMode, 'copy', 'no catalog on Synapse: promotion by copy');
  const promoted = await blobs(`curated/sales/dt=${from}/`);
  assert.equal(promoted.length, 2);
  assert.notDeepEqual(
    promoted.map((b) => b.etag),
    prodBefore.map((b) => b.etag),
    'the staging files replaced production',
  );
  const backup = await blobs(done.plan.backup.prefix);
  assert.ok(backup.some((b) => b.name.endsWith(`curated/sales/dt=${from}/part-00000.snappy.parquet`)));
  assert.ok(backup.some((b) => b.name.endsWith('backup.json')));
  assert.deepEqual(
    await blobs(`curated/sales/dt=${daysAgo(5)}/`).then((x) => x.length),
    2,
    'outside the window kept',
  );
  const consumerRun = done.consumerRuns?.[SALES_PIPELINE.consumer];
  assert.ok(consumerRun);
  const run = w.sim.state.workspace(AZURE_SIM.workspace).runs.get(consumerRun)!;
  assert.equal(run.pipelineName, SALES_PIPELINE.consumer);
  assert.equal(run.parameters.medicBackfill, id, 'the consumer run is tagged with the backfill');
  assert.match(text(t.slack.message(channel, done.messageTs!)), /succeeded/);
});
