// Runbooks as data, through the signed receiver: a custom runbook from medic.yml joins an
// incident's live checklist (`/incident checklist <runbook>`), is listed by `/incident checklist`,
// can be ticked in the message, and the degradation checklist beside it is unchanged; a bad
// runbook definition stops the process at start naming the path of the problem.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestMedic, type TestMedic } from '../support/medic.js';
import { option, sendBlockAction, sendSlashCommand } from '../support/slack-requests.js';
import { IncidentStore } from '../../src/store/incidents.js';
import { Timeline } from '../../src/store/timeline.js';
import { ChecklistStore } from '../../src/store/checklist-store.js';
import { checklistBlockId, CHECKLIST_ACTION_ID } from '../../src/slack/blocks/checklist.js';
import { RUNBOOK_CHECKLIST } from '../../src/domain/checklist.js';
import { resolveRunbooks } from '../../src/domain/runbooks.js';
import { waitFor } from '../support/wait.js';

const YAML = `
runbooks:
  late-vendor-feed:
    title: Late vendor feed
    items:
      - id: vendor-called
        label: Vendor contacted about the late drop
      - label: Drop re-sent and loaded
        evidence: /missing shows the dates present
`;

let t: TestMedic;
let incidents: IncidentStore;

before(async () => {
  t = await startTestMedic({ yaml: YAML });
  incidents = new IncidentStore(t.medic.state, t.prefix);
});

after(async () => {
  await t.stop();
});

async function incidentCommand(channelId: string, text: string) {
  const responseUrl = t.slack.newResponseUrl({ channelId, userId: 'U0ONCALL' });
  const res = await sendSlashCommand(t.url, t.secret, {
    command: '/incident',
    text,
    channelId,
    userId: 'U0ONCALL',
    responseUrl,
  });
  assert.equal(res.status, 200);
  return { ack: res.body as { text?: string }, reply: () => t.slack.waitForResponse(responseUrl, 15_000) };
}

test('a custom runbook from medic.yml joins the live checklist, is listed, and ticks', async () => {
  const channel = 'C0RUNBOOK1';
  t.slack.addChannel({ id: channel, name: 'c0runbook1', members: ['U0ONCALL', 'U0MEDICBOT'] });
  const { incident } = await incidents.openForChannel(channel, {
    title: 'Vendor feed late',
    job: 'VendorJob',
    env: 'dev',
    commander: 'U0ONCALL',
  });
  const first = await incidentCommand(channel, 'checklist late-vendor-feed');
  const answer = await first.reply();
  assert.match(String(answer.body.text), /0\/6 done/);
  assert.match(String(answer.body.text), /Runbook \*Late vendor feed\*: 0\/2 done/);

  const inc = await waitFor('checklist posted', async () => (await incidents.get(incident.id))?.checklistTs);
  const message = t.slack.message(channel, inc)!;
  const blocks = JSON.stringify(message.blocks);
  // The degradation checklist first, in the runbook's Spanish, then the custom runbook.
  for (const item of RUNBOOK_CHECKLIST) assert.ok(blocks.includes(item.id), item.id);
  assert.ok(blocks.includes('Checklist rápida'));
  assert.ok(blocks.includes('Runbook: Late vendor feed'));
  assert.ok(blocks.includes('Vendor contacted about the late drop'));
  assert.ok(blocks.includes('late-vendor-feed:drop-re-sent-and-loaded'), 'id made from the label');
  assert.ok(blocks.includes(checklistBlockId(incident.id, 'late-vendor-feed')));

  // Ticking the custom runbook's item in the message stores it, beside the untouched degradation list.
  const res = await sendBlockAction(t.url, t.secret, {
    actionId: CHECKLIST_ACTION_ID,
    blockId: checklistBlockId(incident.id, 'late-vendor-feed'),
    userId: 'U0SRE1',
    channelId: channel,
    messageTs: inc,
    message: t.slack.messageJson(channel, inc),
    selectedOptions: [option('vendor', 'late-vendor-feed:vendor-called')],
  });
  assert.equal(res.status, 200);
  const store = new ChecklistStore(
    t.medic.state,
    t.prefix,
    RUNBOOK_CHECKLIST,
    resolveRunbooks(t.medic.config.medic.runbooks),
  );
  const rb = await waitFor('custom item ticked', async () => {
    const list = await store.getRunbook(incident.id, 'late-vendor-feed');
    return list?.items.find((i) => i.done) ? list : undefined;
  });
  assert.deepEqual(
    rb.items.map((i) => [i.id, i.done, i.doneBy]),
    [
      ['late-vendor-feed:vendor-called', true, 'U0SRE1'],
      ['late-vendor-feed:drop-re-sent-and-loaded', false, undefined],
    ],
  );
  assert.equal((await store.get(incident.id)).items.filter((i) => i.done).length, 0);
  await waitFor('message shows the tick', () =>
    /ticked by <@U0SRE1>/.test(JSON.stringify(t.slack.message(channel, inc)?.blocks)),
  );
  const entries = await new Timeline(t.medic.state, t.prefix).list(incident.id);
  assert.ok(entries.some((e) => e.text === 'Runbook attached: Late vendor feed' && e.actor === 'U0ONCALL'));
  assert.ok(entries.some((e) => e.text === 'Checklist ticked: Vendor contacted about the late drop'));

  // The post-mortem has every runbook's final checklist and every timeline entry.
  await incidentCommand(channel, 'postmortem');
  const file = await waitFor(
    'post-mortem file',
    () => [...t.slack.files.values()].find((f) => f.name === `postmortem-${incident.id}.md`),
    15_000,
  );
  const md = file.bytes!.toString('utf8');
  assert.ok(md.includes('## Final checklist'));
  assert.match(md, /### Runbook: Late vendor feed\n\n- \[x\] Vendor contacted about the late drop — sre1, /);
  assert.ok(md.includes('- [ ] Drop re-sent and loaded'));
  assert.ok(md.includes('Runbook attached: Late vendor feed'));

  // An unknown runbook is refused with the list of runbooks.
  const bad = await incidentCommand(channel, 'checklist no-such-runbook');
  assert.match(String(bad.ack.text), /No runbook `no-such-runbook`.*`missing-data`.*`late-vendor-feed`/);
});

test('a bad runbook definition stops the process at start with the path of the problem', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'medic-runbooks-'));
  const file = join(dir, 'medic.yml');
  writeFileSync(
    file,
    [
      'runbooks:',
      '  missing-data:',
      '    items:',
      '      - label: a',
      '      - label: b',
      '      - evidence: x',
      '',
    ].join('\n'),
  );
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    env: {
      PATH: process.env.PATH ?? '',
      MEDIC_CONFIG: file,
      SLACK_BOT_TOKEN: 'xoxb-test',
      SLACK_SIGNING_SECRET: 'test-signing-secret-0123456789abcdef',
      REDIS_URL: 'redis://127.0.0.1:9',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  assert.equal(code, 1);
  assert.match(stderr, /runbooks\.missing-data\.items\[2\]\.label: required/);
});
