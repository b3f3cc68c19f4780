// The incident channel end to end: signed slash commands, block actions and events → the real Bolt
// receiver → Redis (state and BullMQ) → the fake Slack and a fake PagerDuty on loopback.
//
// Escalation delays: `timings: { escalationMinuteMs: 1000 }` makes an escalation "minute" one
// second, so a job configured with `escalateAfterMinutes: 1` escalates about a second after it opens.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { startTestMedic, type TestMedic } from '../support/medic.js';
import {
  option,
  reactionAddedEvent,
  sendBlockAction,
  sendEvent,
  sendSlashCommand,
} from '../support/slack-requests.js';
import { redisUrl } from '../support/services.js';
import type { FakeMessage } from '../support/fake-slack/types.js';
import { createLogger } from '../../src/logger.js';
import { IncidentStore, type Incident } from '../../src/store/incidents.js';
import { Timeline } from '../../src/store/timeline.js';
import { ChecklistStore } from '../../src/store/checklist-store.js';
import { escalationJobId } from '../../src/queue/escalation.js';
import { checklistBlockId, CHECKLIST_ACTION_ID } from '../../src/slack/blocks/checklist.js';
import { timelineLine } from '../../src/domain/postmortem.js';
import { namesForEntries } from '../../src/slack/user-names.js';
import { RUNBOOK_CHECKLIST } from '../../src/domain/checklist.js';
import type { Providers } from '../../src/providers/ports.js';
import { waitFor } from '../support/wait.js';

const ROUTING_KEY = 'R0UTING0KEY0do0not0log0me0123456';

let t: TestMedic;
let redis: Redis;
let incidents: IncidentStore;
let timeline: Timeline;
let checklists: ChecklistStore;
let escalationQueue: Queue;
let pagerduty: Server;
const pdEvents: Record<string, unknown>[] = [];
const logLines: string[] = [];
/** What the post-mortem wrote through the ObjectStore port (an in-memory S3). */
const objectsWritten: { scheme: string; container: string; key: string; body: string }[] = [];

const providers = {
  jobPlatform: () => {
    throw new Error('no job platform in this test');
  },
  logSource: () => {
    throw new Error('no log source in this test');
  },
  objectStore: (scheme: 's3' | 'azure-blob') => ({
    scheme,
    putObject: async (container: string, key: string, body: Buffer | string) => {
      objectsWritten.push({ scheme, container, key, body: body.toString() });
    },
  }),
} as unknown as Providers;

function yaml(pdUrl: string): string {
  return `
defaults:
  escalateAfterMinutes: 600
slack:
  oncallSre: S0ONCALL
  runbookUrl: https://wiki.example.com/runbooks/job-degradation
jobs:
  MyJob:
    dataOwner: U0OWNER
  FastJob:
    dataOwner: U0OWNER
    escalateAfterMinutes: 1
  MediumJob:
    dataOwner: U0OWNER
    escalateAfterMinutes: 5
pagerduty:
  routingKey: ${ROUTING_KEY}
  url: ${pdUrl}
postmortem:
  s3Uri: s3://team-kb/postmortems/
`;
}

before(async () => {
  pagerduty = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      pdEvents.push(JSON.parse(body) as Record<string, unknown>);
      res.writeHead(202, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ status: 'success', message: 'Event processed', dedup_key: 'x' }));
    });
  });
  await new Promise<void>((r) => pagerduty.listen(0, '127.0.0.1', () => r()));
  const pdUrl = `http://127.0.0.1:${(pagerduty.address() as AddressInfo).port}/v2/enqueue`;
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      logLines.push(chunk.toString());
      cb();
    },
  });
  const logger = createLogger({ level: 'debug' }, sink);
  t = await startTestMedic({
    yaml: yaml(pdUrl),
    start: { logger, jobDeps: { providers }, timings: { escalationMinuteMs: 1000 } },
  });
  redis = new Redis(redisUrl(), { maxRetriesPerRequest: null });
  incidents = new IncidentStore(redis, t.prefix);
  timeline = new Timeline(redis, t.prefix);
  checklists = new ChecklistStore(redis, t.prefix);
  escalationQueue = new Queue('escalation', { connection: redis, prefix: t.prefix });
});

after(async () => {
  // MEDIC_TEST_LOGS=1 prints what the bot logged at warn and above (debugging a failure).
  if (process.env.MEDIC_TEST_LOGS)
    for (const l of logLines) if ((JSON.parse(l) as { level: number }).level >= 40) process.stderr.write(l);
  await escalationQueue.close();
  redis.disconnect();
  await t.stop();
  await new Promise<void>((r) => pagerduty.close(() => r()));
});

function textOf(m: FakeMessage | undefined): string {
  return m ? `${m.text ?? ''}\n${JSON.stringify(m.blocks ?? [])}` : '';
}

/** A signed /incident command; resolves with the ack and the response_url the bot answers later on. */
async function incident(text: string, opts: { channelId?: string; userId?: string } = {}) {
  const channelId = opts.channelId ?? 'C0DATAOPS';
  const userId = opts.userId ?? 'U0ONCALL';
  const responseUrl = t.slack.newResponseUrl({ channelId, userId });
  const res = await sendSlashCommand(t.url, t.secret, {
    command: '/incident',
    text,
    channelId,
    userId,
    responseUrl,
  });
  assert.equal(res.status, 200);
  return { ack: res.body as { response_type?: string; text?: string }, responseUrl };
}

/** A channel where an incident is already open (as /triage leaves it), with triage figures. */
async function channelWithOpenIncident(channelId: string, job: string): Promise<Incident> {
  t.slack.addChannel({
    id: channelId,
    name: channelId.toLowerCase(),
    members: ['U0MEDICBOT', 'U0ONCALL', 'U0SRE1'],
  });
  const { incident: opened } = await incidents.openForChannel(channelId, {
    title: `${job} degradation`,
    job,
    provider: 'glue',
    env: 'dev',
    commander: 'U0ONCALL',
    dataOwner: 'U0OWNER',
    oncallSre: 'S0ONCALL',
  });
  const updated = await incidents.update(opened.id, (i) => ({
    ...i,
    latest: {
      verdict: 'DEGRADED',
      summary: 'last 3 runs 212% over the 14m baseline',
      findings: [{ id: 'small-files', cause: 'Small files in the input', confidence: 'high' }],
      problematicRunIds: ['jr_0123abcd', 'jr_4567ef01'],
      at: Date.now(),
      signatures: [
        {
          category: 'Out of memory',
          count: 17,
          excerpt: 'java.lang.OutOfMemoryError: GC overhead limit exceeded',
        },
      ],
      links: [
        {
          label: 'jr_0123abcd logs',
          url: 'https://console.aws.amazon.com/cloudwatch/home#logsV2:log-groups',
        },
      ],
      metrics: {
        baselineSeconds: 840,
        recentSeconds: [2620, 2700, 2650],
        usageUnit: 'DPU',
        usageHoursPerRun: 7.3,
        baselineUsageHoursPerRun: 2.3,
        costPerRunUsd: 3.21,
        baselineCostPerRunUsd: 1.03,
        extraCostUsd: 6.54,
        failedRuns: 1,
        lateRuns: 3,
      },
    },
  }));
  await timeline.append(opened.id, {
    at: Date.now(),
    kind: 'command',
    actor: 'U0ONCALL',
    text: `/triage ${job}`,
  });
  return updated!;
}

let declared: Incident;

test('declare creates the channel, invites, sets the topic, pins the summary, bookmarks the runbook and links it', async () => {
  // Someone already has inc-<day>-myjob-1: the bot takes the next number.
  const day = new Date().toISOString().slice(0, 10).replace(/-/g, '');
  t.slack.addChannel({ id: 'C0TAKEN', name: `inc-${day}-myjob-1`, members: ['U0ONCALL'] });

  const { ack, responseUrl } = await incident('declare Nightly load 3x slower --job MyJob --severity sev2');
  assert.equal(ack.response_type, 'ephemeral');
  assert.match(ack.text ?? '', /Declaring \*Nightly load 3x slower\*/);
  const answer = await t.slack.waitForResponse(responseUrl, 15_000);
  assert.match(JSON.stringify(answer.body), /is open in <#C/);

  const channel = t.slack.channelByName(`inc-${day}-myjob-2`);
  assert.ok(channel, 'channel inc-<day>-myjob-2 created');
  for (const u of ['U0ONCALL', 'U0OWNER', 'U0SRE1', 'U0SRE2'])
    assert.ok(channel.members.includes(u), `${u} invited`);
  assert.match(
    channel.topic.value,
    /SEV2 · Nightly load 3x slower · job MyJob · status investigating · INC-/,
  );
  assert.equal(channel.pins.length, 1);
  const summary = t.slack.message(channel.id, channel.pins[0]!);
  assert.match(textOf(summary), /Nightly load 3x slower/);
  assert.match(textOf(summary), /<@U0OWNER>/);
  assert.deepEqual(
    channel.bookmarks.map((b) => b.link),
    ['https://wiki.example.com/runbooks/job-degradation'],
  );
  const link = t.slack.topLevel('C0DATAOPS').find((m) => /declared \*INC-/.test(m.text));
  assert.ok(link, 'linked from the declaring channel');
  assert.ok(link.text.includes(`<#${channel.id}>`));

  const found = await incidents.forChannel(channel.id);
  assert.ok(found);
  declared = found;
  assert.equal(found.severity, 'sev2');
  assert.equal(found.dataOwner, 'U0OWNER');
  assert.equal(found.declaredIn, 'C0DATAOPS');
  assert.ok(found.checklistTs, 'checklist posted');
  const checklistMsg = t.slack.message(channel.id, found.checklistTs);
  assert.match(JSON.stringify(checklistMsg?.blocks), /"checkboxes"/);
  assert.match(JSON.stringify(checklistMsg?.blocks), /medic\.checklist\.toggle/);
  // The escalation timer is waiting in Redis.
  const job = await escalationQueue.getJob(escalationJobId(found.id));
  assert.equal(await job?.getState(), 'delayed');
  const entries = await timeline.list(found.id);
  assert.ok(entries.some((e) => e.kind === 'status' && /declared/.test(e.text)));
  assert.ok(entries.some((e) => e.kind === 'command' && /declare Nightly load/.test(e.text)));
});

test('a job name with any characters still makes a valid channel name', async () => {
  const { responseUrl } = await incident(
    `declare Odd one --job "Ünïcode Job/With:Stuff & <b>${'x'.repeat(120)}"`,
  );
  await t.slack.waitForResponse(responseUrl, 15_000);
  const created = [...t.slack.channels.values()].find((c) => c.name.includes('unicode-job-with-stuff-b-'));
  assert.ok(created, 'channel created');
  assert.ok(created.name.length <= 80);
  assert.match(created.name, /^inc-\d{8}-[a-z0-9_-]+-1$/);
});

test('two concurrent checkbox clicks from two users on different items both stick', async () => {
  const inc = (await incidents.get(declared.id))!;
  const ts = inc.checklistTs!;
  const message = t.slack.messageJson(inc.channel, ts);
  const click = (userId: string, itemId: string) =>
    sendBlockAction(t.url, t.secret, {
      actionId: CHECKLIST_ACTION_ID,
      blockId: checklistBlockId(inc.id),
      userId,
      channelId: inc.channel,
      messageTs: ts,
      message,
      selectedOptions: [option(itemId, itemId)],
    });
  const [a, b] = await Promise.all([click('U0SRE1', 'run-ids-logs'), click('U0SRE2', 'decision')]);
  assert.equal(a.status, 200);
  assert.equal(b.status, 200);

  const tickedInMessage = () => {
    const blocks = (t.slack.message(inc.channel, ts)?.blocks ?? []) as {
      elements?: { initial_options?: { value: string }[] }[];
    }[];
    return new Set(
      blocks
        .flatMap((bl) => bl.elements ?? [])
        .flatMap((el) => el.initial_options ?? [])
        .map((o) => o.value),
    );
  };
  await waitFor('both ticks in the message', () => {
    const s = tickedInMessage();
    return s.has('run-ids-logs') && s.has('decision');
  });
  const list = await checklists.get(inc.id);
  const byId = new Map(list.items.map((i) => [i.id, i]));
  assert.equal(byId.get('run-ids-logs')?.done, true);
  assert.equal(byId.get('run-ids-logs')?.doneBy, 'U0SRE1');
  assert.equal(byId.get('decision')?.done, true);
  assert.equal(byId.get('decision')?.doneBy, 'U0SRE2');
  assert.equal(list.items.filter((i) => i.done).length, 2);
  // Who ticked shows beside the item.
  assert.match(JSON.stringify(t.slack.message(inc.channel, ts)?.blocks), /ticked by <@U0SRE2>/);
  const entries = (await timeline.list(inc.id)).filter((e) => e.kind === 'checklist');
  assert.deepEqual(entries.map((e) => e.actor).sort(), ['U0SRE1', 'U0SRE2']);

  // A click from the stale (all unticked) message that ticks nothing else unticks nothing.
  await click('U0SRE1', 'spark-ui-gc-shuffle');
  await waitFor('third tick in the message', () => tickedInMessage().has('spark-ui-gc-shuffle'));
  assert.equal((await checklists.get(inc.id)).items.filter((i) => i.done).length, 3);

  // Unticking from a fresh message applies just that item.
  const fresh = t.slack.messageJson(inc.channel, ts);
  await sendBlockAction(t.url, t.secret, {
    actionId: CHECKLIST_ACTION_ID,
    blockId: checklistBlockId(inc.id),
    userId: 'U0SRE2',
    channelId: inc.channel,
    messageTs: ts,
    message: fresh,
    selectedOptions: [option('decision', 'decision'), option('run-ids-logs', 'run-ids-logs')],
  });
  await waitFor('untick in the message', () => !tickedInMessage().has('spark-ui-gc-shuffle'));
  const after = await checklists.get(inc.id);
  assert.deepEqual(
    after.items.filter((i) => i.done).map((i) => i.id),
    ['run-ids-logs', 'decision'],
  );
  assert.ok(
    (await timeline.list(inc.id)).some(
      (e) => e.kind === 'checklist' && /unticked/.test(e.text) && e.actor === 'U0SRE2',
    ),
  );
});

test('a :pushpin: reaction lands on the timeline once, with the message time and a permalink', async () => {
  const inc = (await incidents.get(declared.id))!;
  const msg = t.slack.postAsUser(inc.channel, 'U0SRE1', 'Spark UI: GC takes 40% of executor time on stage 7');
  const event = reactionAddedEvent({
    userId: 'U0ONCALL',
    reaction: 'pushpin',
    channelId: inc.channel,
    messageTs: msg.ts,
    itemUserId: 'U0SRE1',
  });
  const first = await sendEvent(t.url, t.secret, event, { eventId: 'EvPIN1' });
  // Slack's retry of the same event, and the same message pinned again by someone else.
  const retry = await sendEvent(t.url, t.secret, event, { eventId: 'EvPIN1', retryNum: 1 });
  const again = await sendEvent(
    t.url,
    t.secret,
    reactionAddedEvent({
      userId: 'U0SRE2',
      reaction: 'pushpin',
      channelId: inc.channel,
      messageTs: msg.ts,
      itemUserId: 'U0SRE1',
    }),
    { eventId: 'EvPIN2' },
  );
  for (const r of [first, retry, again]) assert.equal(r.status, 200);
  // A :pushpin: in a channel without an incident is ignored.
  const elsewhere = t.slack.postAsUser('C0DATAOPS', 'U0SRE1', 'not an incident channel');
  await sendEvent(
    t.url,
    t.secret,
    reactionAddedEvent({
      userId: 'U0ONCALL',
      reaction: 'pushpin',
      channelId: 'C0DATAOPS',
      messageTs: elsewhere.ts,
    }),
  );

  const permalinkCalls = () =>
    t.slack.callsTo('chat.getPermalink').filter((c) => c.args.message_ts === msg.ts).length;
  await waitFor('all three deliveries handled', () => permalinkCalls() >= 3);
  const pins = async () => (await timeline.list(inc.id)).filter((e) => e.kind === 'pin');
  await waitFor('the pin entry', async () => (await pins()).length >= 1);
  // Every delivery has finished its write attempt (the listener logs each), so one entry is final.
  const handled = () =>
    logLines.filter((l) => {
      const x = JSON.parse(l) as { msg?: string; ts?: string };
      return x.msg === 'reaction handled' && x.ts === msg.ts;
    });
  await waitFor('all three deliveries written or refused', () => handled().length >= 3);
  assert.equal(handled().filter((l) => (JSON.parse(l) as { added?: boolean }).added).length, 1);
  const entries = await pins();
  assert.equal(entries.length, 1);
  assert.equal(entries[0]!.at, Math.round(Number(msg.ts) * 1000));
  assert.match(entries[0]!.text, /GC takes 40%/);
  assert.match(entries[0]!.link ?? '', /^https:\/\/pipeline-medic\.slack\.com\/archives\//);
  assert.equal(
    t.slack.callsTo('chat.getPermalink').filter((c) => c.args.message_ts === elsewhere.ts).length,
    0,
  );
});

test('the escalation fires after the configured delay with logs, metrics and steps; PagerDuty gets a trigger', async () => {
  const opened = await channelWithOpenIncident('C0ESCALATE', 'FastJob');
  const noted = await incident('note restarted the job with G.2X workers, no change', {
    channelId: 'C0ESCALATE',
  });
  assert.match(noted.ack.text ?? '', /Added to the timeline/);
  // Declaring in a channel with an open incident reuses it and starts its timer (1 "minute" = 1 s).
  const { ack, responseUrl } = await incident('declare FastJob is 3x slower --severity sev1', {
    channelId: 'C0ESCALATE',
  });
  assert.match(ack.text ?? '', /already has an open incident/);
  await t.slack.waitForResponse(responseUrl, 15_000);
  assert.equal((await incidents.get(opened.id))?.severity, 'sev1');

  const call = await t.slack.waitFor(
    'chat.postMessage',
    (c) => c.args.channel === 'C0ESCALATE' && /^Escalation:/.test(String(c.args.text)),
    15_000,
  );
  const text = JSON.stringify(call.args.blocks);
  assert.match(text, /<!subteam\^S0ONCALL>/);
  assert.match(text, /<@U0OWNER>/);
  // Logs
  assert.match(text, /Out of memory ×17/);
  assert.match(text, /GC overhead limit exceeded/);
  assert.match(text, /jr_0123abcd/);
  // Metrics
  assert.match(text, /Duration: baseline 14m 00s/);
  assert.match(text, /7\.30 DPU-h a run against 2\.30 DPU-h at baseline/);
  assert.match(text, /\$3\.21 a run against \$1\.03 at baseline/);
  // Steps already executed, and the checklist
  assert.match(text, /restarted the job with G\.2X workers/);
  assert.match(text, /\/triage FastJob/);
  assert.match(text, /Checklist\* 0\/6/);

  // The Data Owner got a DM with the same facts.
  await waitFor('the DM', () =>
    t.slack.callsTo('conversations.open').some((c) => c.args.users === 'U0OWNER'),
  );
  const dm = await t.slack.waitFor(
    'chat.postMessage',
    (c) =>
      /^D/.test(String(c.args.channel)) &&
      /Escalation:/.test(String(c.args.text)) &&
      JSON.stringify(c.args.blocks).includes(opened.id),
  );
  assert.match(JSON.stringify(dm.args.blocks), /You are the Data Owner/);
  assert.match(JSON.stringify(dm.args.blocks), /Out of memory ×17/);

  await waitFor('the PagerDuty event', () => pdEvents.some((e) => e.dedup_key === opened.id));
  const pd = pdEvents.find((e) => e.dedup_key === opened.id)!;
  assert.equal(pd.routing_key, ROUTING_KEY);
  assert.equal(pd.event_action, 'trigger');
  const payload = pd.payload as Record<string, unknown>;
  assert.equal(payload.severity, 'critical');
  assert.equal(payload.source, 'pipeline-medic/FastJob');
  assert.match(String(payload.summary), /FastJob is 3x slower/);
  assert.deepEqual((payload.custom_details as { problematic_run_ids: string[] }).problematic_run_ids, [
    'jr_0123abcd',
    'jr_4567ef01',
  ]);

  await waitFor('escalation recorded', async () =>
    Boolean((await incidents.get(opened.id))?.escalation?.doneAt),
  );
  const entries = await timeline.list(opened.id);
  assert.equal(entries.filter((e) => e.kind === 'escalation').length, 1);
  assert.ok(!logLines.join('').includes(ROUTING_KEY), 'the routing key never reaches the log');
});

test('/incident escalate escalates at once', async () => {
  const opened = await channelWithOpenIncident('C0MANUAL', 'MyJob');
  const { ack } = await incident('escalate', { channelId: 'C0MANUAL', userId: 'U0SRE1' });
  assert.match(ack.text ?? '', /Escalating \*INC-/);
  const call = await t.slack.waitFor(
    'chat.postMessage',
    (c) => c.args.channel === 'C0MANUAL' && /^Escalation:/.test(String(c.args.text)),
    15_000,
  );
  assert.match(JSON.stringify(call.args.blocks), /escalated by <@U0SRE1>/);
  await waitFor('the PagerDuty event', () => pdEvents.some((e) => e.dedup_key === opened.id));
});

test('the escalation does not fire after resolve', async () => {
  const opened = await channelWithOpenIncident('C0RESOLVE', 'MediumJob');
  const { responseUrl } = await incident('declare MediumJob late', { channelId: 'C0RESOLVE' });
  await t.slack.waitForResponse(responseUrl, 15_000);
  assert.equal(await (await escalationQueue.getJob(escalationJobId(opened.id)))?.getState(), 'delayed');

  const { ack } = await incident('resolve --cause "small files: 48,000 input files under 32 MiB"', {
    channelId: 'C0RESOLVE',
  });
  assert.match(ack.text ?? '', /resolved/);
  // The timer is gone from Redis as soon as the ack says so.
  assert.equal(await escalationQueue.getJob(escalationJobId(opened.id)), undefined);
  const resolved = await incidents.get(opened.id);
  assert.equal(resolved?.status, 'resolved');
  assert.ok(resolved?.resolvedAt && resolved.mitigatedAt);
  assert.equal(resolved?.cause, 'small files: 48,000 input files under 32 MiB');
  await t.slack.waitFor(
    'chat.postMessage',
    (c) => c.args.channel === 'C0RESOLVE' && /resolved/.test(String(c.args.text)),
  );

  // An incident opened after it, with the same delay, escalates; the resolved one never does.
  const later = await channelWithOpenIncident('C0LATER', 'MediumJob');
  const second = await incident('declare MediumJob later', { channelId: 'C0LATER' });
  await t.slack.waitForResponse(second.responseUrl, 15_000);
  await t.slack.waitFor(
    'chat.postMessage',
    (c) => c.args.channel === 'C0LATER' && /^Escalation:/.test(String(c.args.text)),
    20_000,
  );
  assert.ok(later.openedAt > opened.openedAt);
  assert.equal(
    t.slack
      .callsTo('chat.postMessage')
      .filter((c) => c.args.channel === 'C0RESOLVE' && /^Escalation:/.test(String(c.args.text))).length,
    0,
  );
  assert.ok(!pdEvents.some((e) => e.dedup_key === opened.id));
  assert.equal((await timeline.list(opened.id)).filter((e) => e.kind === 'escalation').length, 0);
});

test('status changes move the incident and "monitoring" cancels the timer', async () => {
  const opened = await channelWithOpenIncident('C0STATUS', 'MyJob');
  const { responseUrl } = await incident('declare MyJob status test', { channelId: 'C0STATUS' });
  await t.slack.waitForResponse(responseUrl, 15_000);
  assert.equal(await (await escalationQueue.getJob(escalationJobId(opened.id)))?.getState(), 'delayed');
  const m = await incident('status mitigating', { channelId: 'C0STATUS' });
  assert.match(m.ack.text ?? '', /investigating → mitigating/);
  const mon = await incident('status monitoring', { channelId: 'C0STATUS' });
  assert.match(mon.ack.text ?? '', /mitigating → monitoring/);
  await t.slack.waitFor(
    'chat.postMessage',
    (c) => c.args.channel === 'C0STATUS' && /to \*monitoring\*/.test(String(c.args.text)),
  );
  assert.equal(await escalationQueue.getJob(escalationJobId(opened.id)), undefined);
  const inc = await incidents.get(opened.id);
  assert.equal(inc?.status, 'monitoring');
  assert.ok(inc?.mitigatedAt);
  const statusEntries = (await timeline.list(opened.id))
    .filter((e) => e.kind === 'status')
    .map((e) => e.text);
  assert.deepEqual(statusEntries, ['Status investigating → mitigating', 'Status mitigating → monitoring']);
  // /incident status alone posts the summary in the channel.
  const s = await incident('status', { channelId: 'C0STATUS' });
  assert.equal(s.ack.response_type, 'in_channel');
  assert.match(JSON.stringify(s.ack), /monitoring/);
});

test('/incident timeline posts the newest page and a Markdown export', async () => {
  const inc = (await incidents.get(declared.id))!;
  for (let i = 0; i < 45; i++)
    await timeline.append(inc.id, {
      at: Date.now() + i,
      kind: 'note',
      actor: 'U0SRE1',
      text: `bulk note ${i}`,
    });
  await incident('timeline', { channelId: inc.channel });
  const post = await t.slack.waitFor(
    'chat.postMessage',
    (c) => c.args.channel === inc.channel && /^Timeline of/.test(String(c.args.text)),
  );
  const blocks = JSON.stringify(post.args.blocks);
  assert.match(blocks, /bulk note 44/);
  assert.match(blocks, /medic\.timeline\.page/);
  // Named, not mentioned (the fake's display name of U0SRE1 is its handle).
  assert.ok(!blocks.includes('<@U0SRE1>'));
  assert.match(blocks, /@sre1 · _note_ · bulk note 44/);
  await t.slack.waitFor(
    'files.completeUploadExternal',
    (c) => c.args.channel_id === inc.channel && JSON.stringify(c.args.files).includes('Timeline'),
  );
  // "Older" pages back in place.
  const older = (post.args.blocks as { elements?: { action_id?: string; value?: string }[] }[])
    .flatMap((b) => b.elements ?? [])
    .find((e) => e.action_id === 'medic.timeline.page');
  assert.ok(older?.value);
  const pageTs = String((post.response as { ts?: string }).ts);
  await sendBlockAction(t.url, t.secret, {
    actionId: 'medic.timeline.page',
    value: older.value,
    userId: 'U0SRE1',
    channelId: inc.channel,
    messageTs: pageTs,
    message: t.slack.messageJson(inc.channel, pageTs),
  });
  const updated = await t.slack.waitFor('chat.update', (c) => c.args.ts === pageTs);
  assert.match(JSON.stringify(updated.args.blocks), /Entries 1–\d+ of \d+ \(page 1 of 2\)/);
  assert.match(JSON.stringify(updated.args.blocks), /medic\.timeline\.newer/);
  const file = [...t.slack.files.values()].find((f) => f.name === `timeline-${inc.id}.md`);
  assert.ok(file?.bytes);
  const md = file.bytes.toString('utf8');
  assert.match(md, /bulk note 0\b/);
  assert.match(md, /bulk note 44/);
});

test('the post-mortem holds every timeline entry and ticks its checklist item', async () => {
  const inc = (await incidents.get(declared.id))!;
  await incident('note compaction job merged 48,000 files into 310', { channelId: inc.channel });
  await incident('resolve --cause "small files in the input partition"', {
    channelId: inc.channel,
    userId: 'U0SRE1',
  });
  await t.slack.waitFor(
    'chat.postMessage',
    (c) => c.args.channel === inc.channel && /resolved/.test(String(c.args.text)),
  );
  const { ack } = await incident('postmortem', { channelId: inc.channel });
  assert.match(ack.text ?? '', /Drafting the post-mortem/);
  await t.slack.waitFor(
    'files.completeUploadExternal',
    (c) => c.args.channel_id === inc.channel && JSON.stringify(c.args.files).includes('Post-mortem'),
    15_000,
  );
  const file = [...t.slack.files.values()].find((f) => f.name === `postmortem-${inc.id}.md`);
  assert.ok(file?.bytes);
  const md = file.bytes.toString('utf8');
  const entries = await timeline.list(inc.id);
  assert.ok(entries.length > 50);
  // People by name (the fake's display names are the handles), never by Slack id.
  const names = await namesForEntries(t.medic.app!.client, entries);
  assert.equal(names.get('U0SRE1'), 'sre1');
  for (const e of entries)
    assert.ok(md.includes(timelineLine(e, names)), `post-mortem lacks: ${timelineLine(e, names)}`);
  assert.ok(!/U0(ONCALL|SRE1|SRE2|OWNER)\b/.test(md), 'no Slack user id in the post-mortem');
  assert.match(md, /Commander: oncall; Data Owner: dataowner/);
  for (const section of [
    '## Summary',
    '## Impact',
    '## Timeline',
    '## Root cause',
    '## Correction applied',
    '## Preventive changes (suggested)',
    '## Final checklist',
  ])
    assert.ok(md.includes(section), section);
  assert.match(md, /small files in the input partition/);
  assert.match(md, /Schedule compaction/);
  // A performance cause gets the exact CI gate to add, for this job.
  assert.ok(md.includes(`medic perf-smoke --job ${inc.job} --sample`), 'perf-smoke gate command for the job');

  const pmText = RUNBOOK_CHECKLIST.find((i) => i.id === 'postmortem-mcp')!.text;
  assert.ok(md.includes(`- [x] ${pmText}`));
  const list = await checklists.get(inc.id);
  assert.equal(list.items.find((i) => i.id === 'postmortem-mcp')?.done, true);
  // The team's knowledge base gets the same Markdown.
  await waitFor('the S3 copy', () => objectsWritten.some((o) => o.key === `postmortems/${inc.id}.md`));
  const copy = objectsWritten.find((o) => o.key === `postmortems/${inc.id}.md`)!;
  assert.equal(copy.scheme, 's3');
  assert.equal(copy.container, 'team-kb');
  assert.equal(copy.body, md);
});

test('commands in a channel without an incident say so', async () => {
  t.slack.addChannel({ id: 'C0QUIET', name: 'quiet', members: ['U0MEDICBOT', 'U0ONCALL'] });
  for (const action of ['status', 'note hi', 'escalate', 'resolve', 'postmortem', 'timeline', 'checklist']) {
    const { ack } = await incident(action, { channelId: 'C0QUIET' });
    assert.match(ack.text ?? '', /no incident in this channel/, action);
  }
  const bad = await incident('declare', { channelId: 'C0QUIET' });
  assert.match(bad.ack.text ?? '', /needs a title/);
  const flag = await incident('note hi --cause x', { channelId: 'C0QUIET' });
  assert.match(flag.ack.text ?? '', /--cause does not apply to "note"/);
});
