// Synapse mitigations behind approvals, end to end: the triage report's buttons → modal →
// approval request → four-eyes approval → the mitigation worker → the Synapse adapter over HTTPS
// against the Azure simulator, which records every request we assert on → the run followed to its
// verdict. The simulator runs at 1000× and the worker polls every 100 ms.
import '../support/azure.js';
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startSynapseWorld, type SynapseWorld } from '../support/synapse.js';
import { startTestMedic, type TestMedic } from '../support/medic.js';
import { sendBlockAction, sendSlashCommand, sendViewSubmission } from '../support/slack-requests.js';
import type { FakeMessage } from '../support/fake-slack/types.js';
import { approvalRequest, buttonValue, prefilled, type ModalView } from '../support/approvals.js';
import { ApprovalStore, type Approval } from '../../src/store/approvals.js';
import { Timeline } from '../../src/store/timeline.js';
import { IncidentStore } from '../../src/store/incidents.js';
import { encodeRequestValue } from '../../src/slack/blocks/approval-request.js';
import { AZURE_SIM, OOM_PIPELINE, SALES_PIPELINE } from '../../sim/azure/scenarios.js';
import { guidFrom } from '../../sim/azure/state.js';

const REQUESTER = 'U0ONCALL';
const APPROVER = 'U0APPROVER';
const WS = AZURE_SIM.workspace;

let w: SynapseWorld;
let t: TestMedic;

before(async () => {
  w = await startSynapseWorld({ speed: 1000, poolUpdateMs: 30_000 });
  const yaml = [
    'slack:',
    `  approvers: [${APPROVER}]`,
    w.azureYaml(),
    'jobs:',
    w.job(SALES_PIPELINE.name, {
      sparkPool: AZURE_SIM.sparkPool,
      input: SALES_PIPELINE.input,
      compactionJob: SALES_PIPELINE.compactionPipeline,
    }),
    w.job(OOM_PIPELINE.name, { sparkPool: AZURE_SIM.sparkPool }),
  ].join('\n');
  t = await startTestMedic({
    yaml,
    env: { ...w.env, MEDIC_ENV: 'staging' },
    start: { timings: { mitigationPollMs: 100 } },
  });
});

after(async () => {
  await t?.stop();
  await w?.stop();
});

const json = (m: FakeMessage | undefined): string => JSON.stringify(m?.blocks ?? []) + '\n' + (m?.text ?? '');

async function waitUntil<T>(
  get: () => T | undefined | false | Promise<T | undefined | false>,
  what: string,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await get();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

type View = ModalView;

const initialOf = (view: View, blockId: string): unknown => {
  const el = view.blocks.find((x) => x.block_id === blockId)?.element as Record<string, unknown> | undefined;
  return el?.initial_value ?? el?.initial_option;
};

let seq = 0;

/** Button (with this value) → modal → submit; the approval message and its id. */
async function request(
  kind: string,
  value: string,
  channel: string,
  change: Record<string, Record<string, unknown>> = {},
): Promise<{ message: FakeMessage; approvalId: string; view: View }> {
  const reason = `synapse-reason-${++seq}`;
  const triggerId = t.slack.newTriggerId(REQUESTER);
  const res = await sendBlockAction(t.url, t.secret, {
    actionId: `medic.mitigation.request.${kind}`,
    value,
    userId: REQUESTER,
    channelId: channel,
    triggerId,
  });
  assert.equal(res.status, 200);
  const open = await t.slack.waitFor('views.open', (c) => c.args.trigger_id === triggerId);
  const view = open.args.view as View;
  const sub = await sendViewSubmission(t.url, t.secret, {
    callbackId: view.callback_id,
    userId: REQUESTER,
    values: prefilled(view, { reason: { value: reason }, ...change }),
    privateMetadata: view.private_metadata,
  });
  assert.equal(sub.status, 200);
  assert.equal(sub.text, '', `the modal closes: ${sub.text}`);
  const { message, approvalId } = await approvalRequest(t.slack, channel, reason, {
    what: `the ${kind} approval message`,
    timeoutMs: 30_000,
  });
  return { message, approvalId: approvalId ?? '', view };
}

async function approve(approvalId: string, channel: string, ts: string): Promise<Approval> {
  const res = await sendBlockAction(t.url, t.secret, {
    actionId: 'medic.mitigation.approve',
    value: approvalId,
    userId: APPROVER,
    channelId: channel,
    messageTs: ts,
  });
  assert.equal(res.status, 200);
  return await waitUntil(async () => {
    const a = await new ApprovalStore(t.medic.state, t.prefix).get(approvalId);
    return a?.execution && ['succeeded', 'failed', 'error', 'dry-run'].includes(a.execution.state)
      ? a
      : undefined;
  }, `approval ${approvalId} to finish`);
}

const createRuns = (pipeline: string) =>
  w.sim
    .requests({ service: 'synapse', operation: 'CreateRun' })
    .filter((r) => r.path.endsWith(`/pipelines/${pipeline}/createRun`));

async function triageReport(job: string, channel: string): Promise<FakeMessage> {
  t.slack.addChannel({ id: channel, name: channel.toLowerCase(), members: [REQUESTER, APPROVER] });
  await sendSlashCommand(t.url, t.secret, { command: '/triage', text: job, channelId: channel });
  return await waitUntil(
    () =>
      t.slack
        .topLevel(channel)
        .find((m) => /triage took/.test(json(m)) && /medic\.mitigation\.request/.test(json(m))),
    `the final ${job} report with buttons`,
    60_000,
  );
}

test('recovery rerun: FAILING OomPipeline → "Rerun from failed step" → approved → createRun in recovery mode, followed to Succeeded', async () => {
  const channel = 'C0SYNRECOVER';
  const report = await triageReport(OOM_PIPELINE.name, channel);
  const raw = buttonValue(report, 'medic.mitigation.request.recovery-rerun');
  assert.ok(raw, 'the report offers the recovery rerun');
  const failedId = guidFrom(`${OOM_PIPELINE.name}#${OOM_PIPELINE.runs - 1}`);
  // The memory was fixed meanwhile: the recovery run succeeds.
  w.sim.state.configureRuns(WS, OOM_PIPELINE.name, {
    outcome: 'Succeeded',
    durationSec: 880,
    errorMessage: undefined,
    errorCode: undefined,
  });
  const req = await request('recovery-rerun', raw, channel);
  assert.equal(initialOf(req.view, 'run_id'), failedId);
  assert.equal(initialOf(req.view, 'start_step'), OOM_PIPELINE.activity);
  const body = json(req.message);
  assert.match(body, /Rerun from the failed step: OomPipeline/);
  assert.ok(
    body.includes(
      `synapse:createRun workspace=contoso-ws pipeline=OomPipeline referencePipelineRunId=${failedId} isRecovery=true startActivityName=TransformOrders`,
    ),
    body,
  );
  assert.equal(createRuns(OOM_PIPELINE.name).length, 0, 'nothing runs before an approval');
  const a = await approve(req.approvalId, channel, req.message.ts);
  assert.equal(a.execution?.state, 'succeeded', JSON.stringify(a.execution));
  assert.equal(a.execution?.runState, 'Succeeded');
  const [create] = createRuns(OOM_PIPELINE.name);
  assert.equal(create?.params.referencePipelineRunId, failedId);
  assert.equal(create?.params.isRecovery, 'true');
  assert.equal(create?.params.startActivityName, OOM_PIPELINE.activity);
  assert.deepEqual(create?.params.body, {}, "the failed run's own parameters");
  assert.match(a.execution?.note ?? '', /not compared with the baseline/);
  const msg = await waitUntil(() => {
    const x = t.slack.message(channel, req.message.ts);
    return x && /succeeded/.test(json(x)) ? x : undefined;
  }, 'the final approval message');
  assert.ok(json(msg).includes(a.execution!.runId!));
  const incident = await new IncidentStore(t.medic.state, t.prefix).forChannel(channel);
  const kinds = (await new Timeline(t.medic.state, t.prefix).list(incident!.id)).map((e) => e.kind);
  for (const k of ['approval-request', 'mitigation-start', 'mitigation-result'] as const)
    assert.ok(kinds.includes(k), `timeline has ${k}`);
});

test('scale: a rerun with numExecutors 2 → 4 (pipeline parameter), followed to its verdict against the baseline', async () => {
  const channel = 'C0SYNSCALE';
  t.slack.addChannel({ id: channel, name: 'syn-scale', members: [REQUESTER, APPROVER] });
  w.sim.state.configureRuns(WS, OOM_PIPELINE.name, { outcome: 'Succeeded', durationSec: 870 });
  const before = createRuns(OOM_PIPELINE.name).length;
  const req = await request(
    'scale',
    encodeRequestValue({ j: OOM_PIPELINE.name, p: 'synapse', e: 'staging', w: 2, t: 'Small', f: 'memory' }),
    channel,
  );
  assert.equal(initialOf(req.view, 'workers'), '4', 'executors N → 2N');
  assert.match(
    json(req.message),
    /synapse:createRun workspace=contoso-ws pipeline=OomPipeline parameters=\{numExecutors=4\}/,
  );
  const a = await approve(req.approvalId, channel, req.message.ts);
  assert.equal(a.execution?.state, 'succeeded', JSON.stringify(a.execution));
  const creates = createRuns(OOM_PIPELINE.name).slice(before);
  assert.equal(creates.length, 1);
  assert.deepEqual(creates[0]!.params.body, { numExecutors: 4 });
  // The run really got 4 executors: its Spark application.
  const run = w.sim.state.workspace(WS).runs.get(a.execution!.runId!)!;
  assert.equal(run.activities[0]?.app?.numExecutors, 4);
  assert.equal(a.execution?.recovered, true);
  assert.ok(a.execution?.baselineSec && a.execution.baselineSec > 870);
  await waitUntil(() => /Recovered/.test(json(t.slack.message(channel, req.message.ts))), 'Recovered');
});

test('scale, persistent: one PUT of the whole Spark pool resource, marked as a pool change', async () => {
  const channel = 'C0SYNPOOL';
  t.slack.addChannel({ id: channel, name: 'syn-pool', members: [REQUESTER, APPROVER] });
  const req = await request(
    'scale',
    encodeRequestValue({ j: SALES_PIPELINE.name, p: 'synapse', e: 'staging', w: 4, t: 'Medium' }),
    channel,
    {
      worker_type: { selected_option: { text: { type: 'plain_text', text: 'Large' }, value: 'Large' } },
      scale_mode: { selected_option: { text: { type: 'plain_text', text: 'p' }, value: 'persistent' } },
    },
  );
  const body = json(req.message);
  assert.match(body, /Persistent change \(bigDataPools\/write\)/);
  assert.match(body, /every job that runs on it/);
  assert.match(
    body,
    /bigDataPools\/pool01\?api-version=2021-06-01 for SalesPipeline: properties\.nodeSize=Large, nodeCount=8/,
  );
  const a = await approve(req.approvalId, channel, req.message.ts);
  assert.equal(a.execution?.state, 'succeeded', JSON.stringify(a.execution));
  assert.match(a.execution?.note ?? '', /persistent change for every job on the pool/);
  const puts = w.sim.requests({ service: 'arm', operation: 'CreateOrUpdateBigDataPool' });
  assert.equal(puts.length, 1);
  const props = (puts[0]!.params.body as { properties: Record<string, unknown> }).properties;
  assert.equal(props.nodeSize, 'Large');
  assert.deepEqual(props.autoScale, { enabled: true, minNodeCount: 3, maxNodeCount: 8 });
  assert.ok(props.sparkVersion && props.dynamicExecutorAllocation, 'the whole resource written back');
  const pool = w.sim.state.workspace(WS).pools.get(AZURE_SIM.sparkPool)!;
  assert.equal(pool.properties.nodeSize, 'Large');
});

test('compaction: the compaction pipeline with inputPath and targetFileSizeMb, followed; the job is checked on its next run', async () => {
  const channel = 'C0SYNCOMPACT';
  t.slack.addChannel({ id: channel, name: 'syn-compact', members: [REQUESTER, APPROVER] });
  const req = await request(
    'compaction',
    encodeRequestValue({ j: SALES_PIPELINE.name, p: 'synapse', e: 'staging', f: 'small-files' }),
    channel,
  );
  assert.equal(initialOf(req.view, 'compaction_job'), SALES_PIPELINE.compactionPipeline);
  assert.equal(initialOf(req.view, 'input_location'), SALES_PIPELINE.input);
  const a = await approve(req.approvalId, channel, req.message.ts);
  assert.equal(a.execution?.state, 'succeeded', JSON.stringify(a.execution));
  const [create] = createRuns(SALES_PIPELINE.compactionPipeline);
  assert.deepEqual(create?.params.body, { inputPath: SALES_PIPELINE.input, targetFileSizeMb: 512 });
  assert.match(a.execution?.note ?? '', /recovers on its next run/);
});

/** A scale mitigation of OOM_PIPELINE approved while CreateRun fails as `fault` says; returns it failed. */
async function failedScale(channel: string, fault: Record<string, unknown>) {
  t.slack.addChannel({ id: channel, name: channel.toLowerCase(), members: [REQUESTER, APPROVER] });
  w.sim.state.configureRuns(WS, OOM_PIPELINE.name, { outcome: 'Succeeded', durationSec: 870 });
  w.sim.setFaults([{ service: 'synapse', operation: 'CreateRun', resource: OOM_PIPELINE.name, ...fault }]);
  const req = await request(
    'scale',
    encodeRequestValue({ j: OOM_PIPELINE.name, p: 'synapse', e: 'staging', w: 2, t: 'Small', f: 'memory' }),
    channel,
  );
  const failed = await approve(req.approvalId, channel, req.message.ts);
  assert.equal(failed.execution?.state, 'error', JSON.stringify(failed.execution));
  await waitUntil(
    () => /medic\.mitigation\.retry/.test(json(t.slack.message(channel, req.message.ts))),
    'the Retry button',
  );
  w.sim.setFaults([]);
  return { req, failed };
}

const clickRetry = (approvalId: string, channel: string, ts: string) =>
  sendBlockAction(t.url, t.secret, {
    actionId: 'medic.mitigation.retry',
    value: approvalId,
    userId: APPROVER,
    channelId: channel,
    messageTs: ts,
  });

test('Retry on Synapse, whose runs carry no approval id: a call that may have started a run, and a run found since, is neither adopted nor doubled, and there is no Retry', async () => {
  const channel = 'C0SYNRETRY';
  try {
    // CreateRun answers 500 every time: whether a run was created, nothing in the answer says.
    const { req, failed } = await failedScale(channel, { error: 'internal', count: 20 });
    assert.notEqual(failed.execution?.notApplied, true, 'not a refusal: it may have taken effect');
    // A run of the pipeline started meanwhile (someone else's, or the call's lost answer: which,
    // nothing on the run says).
    const other = w.sim.state.addRun(WS, { pipelineName: OOM_PIPELINE.name, runStart: w.sim.state.now() });
    const before = createRuns(OOM_PIPELINE.name).length;
    assert.equal((await clickRetry(req.approvalId, channel, req.message.ts)).status, 200);
    const a = await waitUntil(async () => {
      const x = await new ApprovalStore(t.medic.state, t.prefix).get(req.approvalId);
      return x?.execution?.state === 'error' && x.execution.retries?.length === 1 ? x : undefined;
    }, 'the retried execution to end');
    assert.equal(a.execution?.unidentifiedRunId, other.runId);
    assert.equal(a.execution?.runId, undefined, 'not adopted');
    assert.equal(a.execution?.error?.code, 'UNIDENTIFIED_RUN');
    assert.equal(createRuns(OOM_PIPELINE.name).length, before, 'no second createRun');
    const msg = await waitUntil(() => {
      const m = json(t.slack.message(channel, req.message.ts));
      return new RegExp(`run ${other.runId}`).test(m) && m;
    }, 'the message naming the run found');
    assert.doesNotMatch(msg, /medic\.mitigation\.retry/);
  } finally {
    w.sim.setFaults([]);
  }
});

test('Retry on Synapse after a refused createRun: nothing was started, so it starts afresh — a run found since is not adopted and does not stop it', async () => {
  const channel = 'C0SYNREFUSED';
  try {
    // 403: the workspace refused the call before creating anything (a missing Synapse role).
    const { req, failed } = await failedScale(channel, { error: 'denied', count: 1 });
    assert.equal(failed.execution?.notApplied, true);
    assert.match(json(t.slack.message(channel, req.message.ts)), /refused the call, so nothing changed/);
    const other = w.sim.state.addRun(WS, { pipelineName: OOM_PIPELINE.name, runStart: w.sim.state.now() });
    const before = createRuns(OOM_PIPELINE.name).length;
    assert.equal((await clickRetry(req.approvalId, channel, req.message.ts)).status, 200);
    const a = await waitUntil(async () => {
      const x = await new ApprovalStore(t.medic.state, t.prefix).get(req.approvalId);
      return x?.execution?.runId && x.execution.retries?.length === 1 ? x : undefined;
    }, 'the retried execution to start its own run');
    assert.equal(createRuns(OOM_PIPELINE.name).length, before + 1, 'one createRun, this approval’s');
    assert.notEqual(a.execution?.runId, other.runId, 'the run found meanwhile is not adopted');
    assert.equal(a.execution?.unidentifiedRunId, undefined);
    assert.equal(a.execution?.afresh, undefined, 'dropped once the call was made');
  } finally {
    w.sim.setFaults([]);
  }
});
