// What the backfill integration files share (backfill.test.ts and backfill-resume.test.ts: two
// files, so neither nears the runner's per-file time-out): the configuration, the simulator and
// the bot started for it, and a user's steps — the slash command, the prefilled modal and its
// submission, clicks — plus waiting for a backfill's state in Redis.
import assert from 'node:assert/strict';
import { startSimulator, type Simulator } from '../../sim/index.js';
import { DAY } from '../../sim/scenarios.js';
import { startTestMedic, type TestMedic } from './medic.js';
import { sendBlockAction, sendSlashCommand, sendViewSubmission } from './slack-requests.js';
import type { FakeMessage } from './fake-slack/types.js';
import { BackfillStore } from '../../src/store/backfills.js';
import type { BackfillRecord } from '../../src/domain/backfill-plan.js';
import { waitFor } from './wait.js';

export const BACKFILL_YAML = `
slack:
  approvers: [U0APPROVER]
jobs:
  MyJob:
    input: s3://lake-raw/events/
    output: s3://lake-curated/events/
    stagingJob: MyJob-staging
    consumers: [DownstreamJob]
    table: { database: lake, name: events }
  MyJobCopy:
    input: s3://lake-raw/events/
    output: s3://lake-curated/events/
    stagingJob: MyJob-staging
    consumers: []
`;

export interface BackfillSession {
  sim: Simulator;
  t: TestMedic;
  store: BackfillStore;
  /** The simulator's clock at start (scenario partitions are relative to it; it runs fast). */
  simStart: number;
}

/** The simulator and the bot with BACKFILL_YAML and short backfill polls. */
export async function startBackfillSession(): Promise<BackfillSession> {
  const sim = await startSimulator({ speed: 1000 });
  const simStart = sim.state.now();
  for (const [k, v] of Object.entries(sim.env())) process.env[k] = v;
  const t = await startTestMedic({
    env: sim.env(),
    yaml: BACKFILL_YAML,
    start: { timings: { backfillPollMs: 200, backfillMaxPollMs: 1000 } },
  });
  return { sim, t, store: new BackfillStore(t.medic.state, t.prefix), simStart };
}

/** A user's steps and the waits, on the session `s` returns (it exists once `before` has run). */
export function backfillSteps(s: () => BackfillSession) {
  const text = (m: FakeMessage | undefined) =>
    m ? JSON.stringify(m.blocks ?? []) + '\n' + (m.text ?? '') : '';

  /** The simulator's start minus n days, YYYY-MM-DD (scenario partitions are relative to it; its clock runs fast). */
  const daysAgo = (n: number) => new Date(s().simStart - n * DAY).toISOString().slice(0, 10);

  type ViewBlock = {
    block_id?: string;
    element?: { action_id: string; initial_value?: string; initial_options?: unknown[] };
  };

  /** Slash command → modal → submission with the prefilled values; returns the backfill id. */
  async function startBackfill(
    channel: string,
    args: string,
    opts: { dryRun?: boolean } = {},
  ): Promise<string> {
    const before = s().t.slack.topLevel(channel).length;
    await submitBackfill(channel, args, opts);
    const msg = await waitFor('progress message', () => s().t.slack.topLevel(channel)[before], 60_000);
    const id = /bf-\d{8}-\d+/.exec(text(msg))?.[0];
    assert.ok(id, 'progress message names the backfill id');
    return id;
  }

  /** Slash command → modal → submission with the prefilled values (what follows is the caller's to wait for). */
  async function submitBackfill(
    channel: string,
    args: string,
    opts: { dryRun?: boolean } = {},
  ): Promise<void> {
    s().t.slack.addChannel({ id: channel, name: channel.toLowerCase(), members: ['U0ONCALL', 'U0APPROVER'] });
    const triggerId = s().t.slack.newTriggerId('U0ONCALL');
    const before = s().t.slack.callsTo('views.open').length;
    const res = await sendSlashCommand(s().t.url, s().t.secret, {
      command: '/backfill',
      text: args,
      channelId: channel,
      triggerId,
    });
    assert.equal(res.status, 200);
    const open = await waitFor('views.open', () => s().t.slack.callsTo('views.open')[before], 60_000);
    const view = (typeof open.args.view === 'string' ? JSON.parse(open.args.view) : open.args.view) as {
      callback_id: string;
      private_metadata: string;
      blocks: ViewBlock[];
    };
    assert.equal(view.callback_id, 'medic.backfill.submit');
    const values: Record<string, Record<string, Record<string, unknown>>> = {};
    for (const b of view.blocks) {
      if (!b.block_id || !b.element) continue;
      const el = b.element;
      values[b.block_id] = {
        [el.action_id]:
          el.initial_options !== undefined || b.block_id === 'checks' || b.block_id === 'dry_run'
            ? { type: 'checkboxes', selected_options: el.initial_options ?? [] }
            : { type: 'plain_text_input', value: el.initial_value ?? null },
      };
    }
    if (opts.dryRun)
      values.dry_run = { dry_run_input: { type: 'checkboxes', selected_options: [{ value: 'dry-run' }] } };
    const sub = await sendViewSubmission(s().t.url, s().t.secret, {
      callbackId: view.callback_id,
      userId: 'U0ONCALL',
      values,
      privateMetadata: view.private_metadata,
    });
    assert.equal(sub.status, 200);
  }

  async function waitStatus(
    id: string,
    statuses: BackfillRecord['status'][],
    timeoutMs = 60_000,
  ): Promise<BackfillRecord> {
    try {
      return await waitFor(
        `backfill ${id} ${statuses.join('|')}`,
        async () => {
          const r = await s().store.get(id);
          return r && statuses.includes(r.status) ? r : undefined;
        },
        timeoutMs,
      );
    } catch (err) {
      const r = await s().store.get(id);
      throw new Error(`${(err as Error).message}; now ${r?.status}: ${JSON.stringify(r?.steps)}`, {
        cause: err,
      });
    }
  }

  function progressMessage(channel: string, r: BackfillRecord): FakeMessage {
    return s().t.slack.message(channel, r.messageTs!)!;
  }

  function click(channel: string, actionId: string, id: string, user: string, ts?: string) {
    return sendBlockAction(s().t.url, s().t.secret, {
      actionId,
      value: id,
      userId: user,
      channelId: channel,
      ...(ts ? { messageTs: ts } : {}),
    });
  }

  return { text, daysAgo, startBackfill, submitBackfill, waitStatus, progressMessage, click };
}
