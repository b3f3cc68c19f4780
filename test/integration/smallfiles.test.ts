// /smallfiles end to end: signed command → receiver → queue → worker → parallel scanner over the
// official S3 client against the simulator → one message updated in place, histogram in thread.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { S3Client, paginateListObjectsV2 } from '@aws-sdk/client-s3';
import { startSimulator, type Simulator } from '../../sim/index.js';
import { startTestMedic, type TestMedic } from '../support/medic.js';
import { sendBlockAction, sendSlashCommand } from '../support/slack-requests.js';
import type { FakeMessage } from '../support/fake-slack/types.js';
import { waitFor } from '../support/wait.js';

let sim: Simulator;
let t: TestMedic;

before(async () => {
  sim = await startSimulator();
  for (const [k, v] of Object.entries(sim.env())) process.env[k] = v;
  t = await startTestMedic({ env: sim.env() });
});

after(async () => {
  await t.stop();
  await sim.stop();
});

const text = (m: FakeMessage) => JSON.stringify(m.blocks ?? []) + '\n' + (m.text ?? '');

function finalMessage(channel: string): FakeMessage | undefined {
  return t.slack.topLevel(channel).find((m) => !/Scanning/.test(text(m)));
}

async function scan(channel: string, args: string): Promise<FakeMessage> {
  t.slack.addChannel({ id: channel, name: channel.toLowerCase(), members: ['U0ONCALL'] });
  const res = await sendSlashCommand(t.url, t.secret, {
    command: '/smallfiles',
    text: args,
    channelId: channel,
  });
  assert.equal(res.status, 200);
  assert.match((res.body as { text: string }).text, /queued/);
  return waitFor(`final message in ${channel}`, () => finalMessage(channel), 60_000);
}

/** Ground truth straight from the simulator with a plain paginator. */
async function truth(bucket: string, prefix: string) {
  const s3 = new S3Client({
    endpoint: sim.url,
    forcePathStyle: true,
    region: 'us-east-1',
    credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
  });
  let files = 0;
  let small = 0;
  let bytes = 0;
  for await (const page of paginateListObjectsV2({ client: s3 }, { Bucket: bucket, Prefix: prefix })) {
    for (const o of page.Contents ?? []) {
      if (o.Key!.endsWith('/') || /_SUCCESS$|\.crc$|_temporary\//.test(o.Key!)) continue;
      files++;
      bytes += o.Size!;
      if (o.Size! < 32 * 1024 * 1024) small++;
    }
  }
  s3.destroy();
  return { files, small, bytes };
}

test('counts equal the listing to the object; second scan compares with the first; histogram in thread', async () => {
  const expected = await truth('lake-raw', 'events/');
  assert.ok(expected.files > 1000);
  const m = await scan('C0SCAN1', 's3://lake-raw/events/');
  const body = text(m);
  assert.match(body, new RegExp(`of ${expected.files.toLocaleString('en-US')} files under 32 MB`));
  assert.ok(body.includes(`${expected.small.toLocaleString('en-US')} (`), 'small-file count');
  assert.match(body, /grew 20× in files but only 1\.1× in bytes against the median of the 29 earlier days/);
  assert.match(body, /compaction warranted/);
  const thread = await waitFor(
    'histogram in thread',
    () => {
      const replies = t.slack.thread('C0SCAN1', m.ts);
      return replies.length ? replies : undefined;
    },
    60_000,
  );
  assert.ok(thread.length >= 1);
  const png = [...t.slack.files.values()].find((f) => f.name === 'file-sizes.png');
  assert.equal(png?.bytes?.subarray(1, 4).toString(), 'PNG');

  // The same location again, a minute later: compared with its previous scan.
  await new Promise((r) => setTimeout(r, 10));
  const again = await scan('C0SCAN2', 's3://lake-raw/events/');
  assert.match(text(again), /since the scan of/);
});

test('an unknown bucket says so, and no message is left scanning', async () => {
  const m = await scan('C0SCAN3', 's3://no-such-bucket/x/');
  assert.match(text(m), /Not found/);
  assert.ok(!t.slack.topLevel('C0SCAN3').some((x) => /Scanning/.test(text(x))));
});

test('access denied names what was refused', async () => {
  sim.setFaults([{ service: 's3', bucket: 'lake-curated', error: 'denied' }]);
  try {
    const m = await scan('C0SCAN4', 's3://lake-curated/events/');
    assert.match(text(m), /Access denied/);
    assert.match(text(m), /s3:ListBucket/);
  } finally {
    sim.setFaults([]);
  }
});

test('an empty prefix is reported plainly', async () => {
  const m = await scan('C0SCAN5', 's3://lake-staging/nothing-here/');
  assert.match(text(m), /Nothing there/);
});

test('Cancel stops a long scan and the message says who cancelled it', async () => {
  sim.setFaults([{ service: 's3', bucket: 'lake-big', latencyMs: 200 }]);
  try {
    t.slack.addChannel({ id: 'C0SCAN6', name: 'c0scan6', members: ['U0ONCALL'] });
    await sendSlashCommand(t.url, t.secret, {
      command: '/smallfiles',
      text: 's3://lake-big/events/',
      channelId: 'C0SCAN6',
    });
    const progress = await waitFor(
      'progress message',
      () => t.slack.topLevel('C0SCAN6').find((m) => /Scanning/.test(text(m))),
      60_000,
    );
    const button = JSON.stringify(progress.blocks).match(
      /"action_id":"medic\.smallfiles\.cancel","text":\{[^}]*\},"value":"([^"]+)"/,
    );
    assert.ok(button, 'cancel button present');
    const res = await sendBlockAction(t.url, t.secret, {
      actionId: 'medic.smallfiles.cancel',
      value: button[1]!,
      userId: 'U0ONCALL',
      channelId: 'C0SCAN6',
      messageTs: progress.ts,
    });
    assert.equal(res.status, 200);
    const done = await waitFor(
      'cancelled message',
      () => {
        const m = t.slack.message('C0SCAN6', progress.ts);
        return m && /Scan cancelled/.test(text(m)) ? m : undefined;
      },
      60_000,
    );
    assert.match(text(done), /Scan cancelled\* by <@U0ONCALL>/);
  } finally {
    sim.setFaults([]);
  }
});

test('bad input never enqueues: a malformed URI is answered at once', async () => {
  const res = await sendSlashCommand(t.url, t.secret, {
    command: '/smallfiles',
    text: 's3://Bad_Bucket!/x',
    channelId: 'C0SCAN7',
  });
  assert.match((res.body as { text: string }).text, /Bad_Bucket!/);
  assert.match((res.body as { text: string }).text, /Nothing was started/);
  for (const [text, expected] of [
    ['', /missing &lt;uri&gt;/],
    ['s3://lake-raw/x --compare ftp://elsewhere/y', /Nothing was started/],
  ] as const) {
    const r = await sendSlashCommand(t.url, t.secret, { command: '/smallfiles', text, channelId: 'C0SCAN7' });
    assert.match((r.body as { text: string }).text, expected);
  }
  const res2 = await sendSlashCommand(t.url, t.secret, {
    command: '/smallfiles',
    text: 's3://lake-raw/x --threshold 12XB',
    channelId: 'C0SCAN7',
  });
  assert.match((res2.body as { text: string }).text, /--threshold needs a size/);
  // No scan was queued for any of these: the queue holds no job (each answer above came with the
  // ack, after the decision not to enqueue), so nothing can reach the channel later.
  const counts = await t.medic.producers
    .queue('smallfiles')
    .getJobCounts('waiting', 'active', 'delayed', 'completed', 'failed');
  const mine = (
    await t.medic.producers
      .queue('smallfiles')
      .getJobs(['waiting', 'active', 'delayed', 'completed', 'failed'])
  ).filter((j) => (j.data as { requester: { channelId: string } }).requester.channelId === 'C0SCAN7');
  assert.deepEqual(mine, [], JSON.stringify(counts));
  assert.equal(t.slack.topLevel('C0SCAN7').length, 0);
});
