// Property-based fuzzing of the front door (fast-check): every slash command with arbitrary text,
// and every kind of interactive payload (block_actions with any action id and value, an empty
// actions list, view_submission with any callback id, private_metadata and values, view_closed,
// shortcuts and message actions, block_suggestion), signed and sent through the real Bolt
// receiver of a running bot (real Redis, fake Slack). For every case:
//   - the answer is HTTP 200 and arrives within Slack's 3 s (a per-request timeout: a later
//     answer fails the fetch);
//   - no listener fails unhandled (no "Something went wrong", no error-id log, no unhandled
//     rejection);
//   - nothing the bot posts anywhere (acks, response_url answers, every Slack API call) carries a
//     mention from the user's input unescaped: the inputs plant `<!channel>`, `<!here>`,
//     `<!everyone>`, `<!subteam^SFUZZ…>`, `<@UFUZZ…>` and `<#CFUZZ…>`, raw and entity-encoded.
// Cases go out ten at a time; a few thousand in all, in well under a minute.
// Bounded everywhere, so a stall is a failure that says where: the hooks have timeouts (node:test
// gives hooks none by default), each batch of ten must end within BATCH_TIMEOUT_MS (fast-check's
// per-run timeout), a request unanswered within 3 s fails naming the case, teardown is bounded
// (and waits for the bot's last Slack calls before the fake Slack stops), and a process still
// alive after teardown exits 1 listing what holds it (test/support/teardown.ts).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { loadavg } from 'node:os';
import fc from 'fast-check';
import { startTestMedic, type TestMedic } from '../support/medic.js';
import {
  blockActionPayload,
  sendInteraction,
  sendSlashCommand,
  viewSubmissionPayload,
  type SlackHttpResponse,
} from '../support/slack-requests.js';
import { createLogger } from '../../src/logger.js';
import { bounded, failIfProcessLingers } from '../support/teardown.js';

let t: TestMedic;
const logLines: string[] = [];
const rejections: unknown[] = [];
const onRejection = (reason: unknown) => rejections.push(reason);

const YAML = `
jobs:
  MyJob:
    input: s3://lake-raw/events/
    output: s3://lake-curated/events/
    stagingJob: MyJob-staging
    dataOwner: U0OWNER
`;

const CHANNELS = ['C0DATAOPS', 'C0FUZZA', 'C0FUZZB'];

before(
  async () => {
    process.on('unhandledRejection', onRejection);
    const sink = new Writable({
      write(chunk: Buffer, _enc, cb) {
        logLines.push(chunk.toString());
        cb();
      },
    });
    // No workers: the listeners and the receiver are under test (jobs are only queued).
    t = await startTestMedic({
      yaml: YAML,
      start: { logger: createLogger({ level: 'warn' }, sink), processors: {} },
    });
    for (const id of CHANNELS.slice(1))
      t.slack.addChannel({ id, name: id.toLowerCase(), members: ['U0ONCALL', 'U0SRE1'] });
  },
  { timeout: 20_000 },
);

/** Waits until the bot has made no Slack call for `quietMs` (at most `maxMs`). */
async function slackQuiet(m: TestMedic, quietMs: number, maxMs: number): Promise<void> {
  const deadline = Date.now() + maxMs;
  let seen = -1;
  let since = Date.now();
  while (Date.now() < deadline) {
    const n = m.slack.calls.length + m.slack.responses.length;
    if (n !== seen) [seen, since] = [n, Date.now()];
    else if (Date.now() - since >= quietMs) return;
    await new Promise((r) => setTimeout(r, 100));
  }
}

after(
  async () => {
    process.off('unhandledRejection', onRejection);
    try {
      if (t) {
        // The listeners' work after their acks (posts, ephemerals, response_url answers) outlives
        // the receiver: stopping the fake Slack under it left the Slack client retrying a closed
        // port with backoff, which kept this process alive for 15 s and more after the tests.
        await bounded('stopping the bot', t.medic.close(), 10_000);
        await slackQuiet(t, 1000, 10_000);
        await bounded('stopping the fake Slack and dropping the Redis keys', t.stop(), 5_000);
      }
    } finally {
      failIfProcessLingers('test/integration/fuzz.test.ts');
    }
  },
  { timeout: 30_000 },
);

// ---------------------------------------------------------------------------------------------
// Inputs

/** Mentions a user could type; none may come back out unescaped. */
const MENTIONS = [
  '<!channel>',
  '<!here>',
  '<!everyone>',
  '<!subteam^SFUZZ01>',
  '<!subteam^SFUZZ01|@oncall>',
  '<@UFUZZ01>',
  '<@WFUZZ02|bob>',
  '<#CFUZZ03|general>',
  '&lt;!channel&gt;',
  '&lt;@UFUZZ04&gt;',
];
/** What the output must never contain: each planted mention, opened unescaped. */
const FORBIDDEN = ['<!channel', '<!here', '<!everyone', '<!subteam^SFUZZ', '<@UFUZZ', '<@WFUZZ', '<#CFUZZ'];

const word = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...MENTIONS) },
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      'MyJob',
      'SkewJob',
      'NoSuchJob',
      'help',
      'declare',
      'status',
      'investigating',
      'monitoring',
      'resolved',
      'note',
      'timeline',
      'checklist',
      'escalate',
      'resolve',
      'postmortem',
      'tag=team',
      'lake.events',
      's3://lake-raw/events/',
      's3://UPPER/x',
      's3://lake-raw/../x',
      'https://acct.blob.core.windows.net/container/p?sig=SECRET',
      'abfss://c@acct.dfs.core.windows.net/p',
      '2026-11-01',
      '0000-01-01',
      '2099-12-31',
      '2026-02-30',
    ),
  },
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      '--threshold',
      '--consecutive',
      '--runs',
      '--input',
      '--provider',
      '--env',
      '--from',
      '--to',
      '--dry-run',
      '--compare',
      '--job',
      '--severity',
      '--cause',
      '--days',
      '--since',
      '--bogus',
      '--threshold=50',
      '--runs=0',
      '--severity=sev1',
    ),
  },
  { weight: 2, arbitrary: fc.integer({ min: -5, max: 5000 }).map(String) },
  { weight: 1, arbitrary: fc.constantFrom('"', "'", '“', '”', '`', '*', '_', '~', '&', '&amp;', '|', '>') },
  {
    weight: 1,
    arbitrary: fc.constantFrom('\u202e', '\u2066', '\u0000', '\u0007', '\n', '\t', 'ä', '日本', '👍🏽'),
  },
  { weight: 2, arbitrary: fc.string({ maxLength: 12 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 8 }) },
  { weight: 1, arbitrary: fc.constant('x'.repeat(3000)) },
);

const commandText = fc.oneof(
  { weight: 5, arbitrary: fc.array(word, { maxLength: 8 }).map((w) => w.join(' ')) },
  { weight: 1, arbitrary: fc.string({ maxLength: 200 }) },
  { weight: 1, arbitrary: fc.constantFrom('', ' ', 'help', '--help', '?') },
);

const COMMANDS = ['/triage', '/smallfiles', '/incident', '/backfill', '/cost', '/schema'] as const;

const slashCase = fc.record({
  kind: fc.constant('command' as const),
  command: fc.constantFrom(...COMMANDS),
  text: commandText,
  channel: fc.constantFrom(...CHANNELS),
});

const ACTION_IDS = [
  'medic.backfill.abort',
  'medic.backfill.approve',
  'medic.backfill.reject',
  'medic.backfill.rollback',
  'medic.checklist.toggle',
  'medic.job.retry',
  'medic.mitigation.approve',
  'medic.mitigation.reject',
  'medic.mitigation.retry',
  'medic.mitigation.request.compaction',
  'medic.mitigation.request.scale',
  'medic.mitigation.request.skew',
  'medic.mitigation.request.bookmark-reset',
  'medic.mitigation.request.code-fix',
  'medic.mitigation.request.recovery-rerun',
  'medic.mitigation.request.nonsense',
  'medic.monitor.triage',
  'medic.schema.approve',
  'medic.schema.reject',
  'medic.smallfiles.cancel',
  'medic.timeline.newer',
  'medic.timeline.page',
  'medic.link.console',
];
const CALLBACKS = ['medic.backfill.submit', 'medic.mitigation.submit', 'medic.cost.submit'];

const anyJson: fc.Arbitrary<unknown> = fc.jsonValue({ maxDepth: 3 });
const value = fc.oneof(
  word,
  commandText,
  anyJson.map((v) => JSON.stringify(v)),
  fc
    .record({ q: fc.constantFrom('triage', 'smallfiles', 'nope'), id: fc.string({ maxLength: 20 }) })
    .map((v) => JSON.stringify(v)),
  fc.constantFrom('apr-20261201-1', 'bf-20261201-1', 'MyJob', 'run-ids-logs', '0', '-1', '99999'),
);
const metadata = fc.oneof(
  fc.string({ maxLength: 40 }),
  anyJson.map((v) => JSON.stringify(v)),
  fc
    .record({
      job: fc.oneof(word, fc.constant('MyJob')),
      channel: fc.constantFrom(...CHANNELS, 'not-a-channel'),
      env: fc.constantFrom('prod', 'dev', 'x'),
      kind: fc.constantFrom(
        'compaction',
        'scale',
        'skew',
        'bookmark-reset',
        'code-fix',
        'recovery-rerun',
        'x',
      ),
      provider: fc.constantFrom('glue', 'synapse', 'x'),
      incidentId: fc.oneof(fc.constant(undefined), word),
    })
    .map((v) => JSON.stringify(v)),
);
const stateValues = fc.dictionary(
  fc.constantFrom(
    'window',
    'from',
    'to',
    'checks',
    'dry_run',
    'reason',
    'workers',
    'worker_type',
    'scale_mode',
    'owner',
    'x',
  ),
  fc.dictionary(
    fc.string({ maxLength: 16 }),
    fc.oneof(
      fc.record({ type: fc.constant('plain_text_input'), value: fc.oneof(word, commandText) }),
      fc.record({
        type: fc.constant('static_select'),
        selected_option: fc.record({ value: value, text: fc.constant({ type: 'plain_text', text: 'x' }) }),
      }),
      fc.record({
        type: fc.constant('checkboxes'),
        selected_options: fc.array(fc.record({ value }), { maxLength: 3 }),
      }),
      fc.record({
        type: fc.constant('datepicker'),
        selected_date: fc.constantFrom('2026-11-01', '0000-01-01', 'x'),
      }),
    ),
    { maxKeys: 2 },
  ),
  { maxKeys: 3 },
);

const blockActionCase = fc.record({
  kind: fc.constant('block_actions' as const),
  actionId: fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...ACTION_IDS) },
    { weight: 1, arbitrary: fc.string() },
  ),
  value,
  channel: fc.constantFrom(...CHANNELS),
  empty: fc.constantFrom(false, false, false, false, true),
  responseUrl: fc.boolean(),
  checkboxes: fc.boolean(),
});

const viewCase = fc.record({
  kind: fc.constantFrom('view_submission' as const, 'view_closed' as const),
  callbackId: fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...CALLBACKS) },
    { weight: 1, arbitrary: fc.string() },
  ),
  metadata,
  values: stateValues,
  withInput: fc.boolean(),
});

const shortcutCase = fc.record({
  kind: fc.constantFrom('shortcut' as const, 'message_action' as const, 'block_suggestion' as const),
  callbackId: fc.oneof(fc.constantFrom('medic.triage', 'medic.incident'), fc.string()),
  text: commandText,
  channel: fc.constantFrom(...CHANNELS),
});

type ValueOf<A> = A extends fc.Arbitrary<infer T> ? T : never;
type Case =
  | ValueOf<typeof slashCase>
  | ValueOf<typeof blockActionCase>
  | ValueOf<typeof viewCase>
  | ValueOf<typeof shortcutCase>;

// ---------------------------------------------------------------------------------------------
// Sending and checking

let sent = 0;

/** The case sent; a request unanswered within Slack's 3 s fails naming the case. */
async function send(c: Case): Promise<SlackHttpResponse> {
  try {
    return await sendCase(c);
  } catch (err) {
    const name = (err as { name?: string }).name;
    if (name !== 'TimeoutError' && name !== 'AbortError') throw err;
    throw new Error(
      `no answer within 3 s (load average ${loadavg()[0]!.toFixed(1)}) for ${JSON.stringify(c).slice(0, 300)}`,
      {
        cause: err,
      },
    );
  }
}

function sendCase(c: Case): Promise<SlackHttpResponse> {
  const deadline = { timeoutMs: 3000 };
  sent++;
  switch (c.kind) {
    case 'command':
      return sendSlashCommand(
        t.url,
        t.secret,
        {
          command: c.command,
          text: c.text,
          channelId: c.channel,
          userId: 'U0ONCALL',
          responseUrl: t.slack.newResponseUrl({ channelId: c.channel, userId: 'U0ONCALL' }),
        },
        deadline,
      );
    case 'block_actions': {
      const payload = blockActionPayload({
        actionId: c.actionId,
        value: c.value,
        userId: 'U0ONCALL',
        channelId: c.channel,
        ...(c.checkboxes
          ? {
              type: 'checkboxes' as const,
              selectedOptions: [{ text: { type: 'plain_text' as const, text: 'x' }, value: c.value }],
            }
          : {}),
        ...(c.responseUrl
          ? { responseUrl: t.slack.newResponseUrl({ channelId: c.channel, userId: 'U0ONCALL' }) }
          : {}),
      });
      if (c.empty) payload.actions = [];
      return sendInteraction(t.url, t.secret, payload, deadline);
    }
    case 'view_submission':
    case 'view_closed': {
      const payload = viewSubmissionPayload({
        callbackId: c.callbackId,
        userId: 'U0ONCALL',
        values: c.values as never,
        privateMetadata: c.metadata,
        ...(c.withInput
          ? { blocks: [{ type: 'input', block_id: 'window', element: { type: 'plain_text_input' } }] }
          : {}),
      });
      payload.type = c.kind;
      return sendInteraction(t.url, t.secret, payload, deadline);
    }
    default: {
      const base = {
        type: c.kind,
        callback_id: c.callbackId,
        action_id: c.callbackId,
        block_id: 'b1',
        value: c.text,
        trigger_id: '1.2.abc',
        team: { id: 'T0MEDIC', domain: 'pipeline-medic' },
        user: { id: 'U0ONCALL', name: 'oncall', team_id: 'T0MEDIC' },
        api_app_id: 'A0MEDIC',
        token: 'fakeverificationtoken',
        is_enterprise_install: false,
      };
      const payload =
        c.kind === 'message_action'
          ? {
              ...base,
              channel: { id: c.channel, name: 'x' },
              message: { type: 'message', text: c.text, user: 'UFUZZ99', ts: '1764547200.000100' },
              message_ts: '1764547200.000100',
              response_url: t.slack.newResponseUrl({ channelId: c.channel, userId: 'U0ONCALL' }),
            }
          : base;
      return sendInteraction(t.url, t.secret, payload, deadline);
    }
  }
}

/** Every mrkdwn string and top-level text in a value (plain_text never renders mentions). */
function renderedTexts(v: unknown, out: string[] = []): string[] {
  if (typeof v === 'string') {
    // Blocks and views sometimes travel as JSON strings.
    if (/^[[{]/.test(v)) {
      try {
        renderedTexts(JSON.parse(v), out);
        return out;
      } catch {
        // not JSON
      }
    }
    return out;
  }
  if (Array.isArray(v)) {
    for (const x of v) renderedTexts(x, out);
    return out;
  }
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    if (o.type === 'mrkdwn' && typeof o.text === 'string') out.push(o.text);
    for (const key of ['text', 'topic', 'purpose', 'initial_comment', 'title'])
      if (typeof o[key] === 'string' && o.type !== 'plain_text') out.push(o[key]);
    for (const [k, x] of Object.entries(o)) if (k !== 'text' || typeof x !== 'string') renderedTexts(x, out);
  }
  return out;
}

function leaks(texts: string[]): string[] {
  return texts.filter((s) => FORBIDDEN.some((f) => s.includes(f)));
}

function check(c: Case, res: SlackHttpResponse): void {
  const what = () => JSON.stringify(c).slice(0, 500);
  assert.equal(res.status, 200, `HTTP ${res.status} for ${what()}`);
  assert.ok(
    !/Something went wrong/.test(res.text),
    `an error answer for ${what()}: ${res.text.slice(0, 300)}`,
  );
  const bad = leaks(renderedTexts(res.body));
  assert.deepEqual(bad, [], `an unescaped mention in the ack for ${what()}`);
}

async function runBatch(cases: Case[]): Promise<void> {
  const results = await Promise.all(cases.map(async (c) => ({ c, res: await send(c) })));
  for (const { c, res } of results) check(c, res);
}

const BATCH = 10;
// The budget, inside scripts/test.mjs' 120 s guard for the whole file (when that guard kills the
// file, what it had not reported yet is lost, so every limit here comes first and says where it
// stopped): setup 20 s, each property 30 s of batches (then it fails, saying how far it got and
// the load average), a batch 10 s (ten requests in parallel, each bounded to 3 s: a longer batch
// is stuck), node:test's own 42 s per test as the backstop, and a teardown of 25 s at most.
// Unloaded, the 3,000 cases take well under the budget; on a machine loaded far past its cores
// they do not, and the failure says so instead of the file being killed silently.
const BATCH_TIMEOUT_MS = 10_000;
const PROPERTY_BUDGET_MS = 30_000;
const TEST_TIMEOUT_MS = 42_000;

/** 150 batches of ten cases; any failure or overrun says how many cases went out and the load. */
async function fuzz(cases: fc.Arbitrary<Case>): Promise<void> {
  const first = sent;
  const started = Date.now();
  try {
    await fc.assert(fc.asyncProperty(fc.array(cases, { minLength: BATCH, maxLength: BATCH }), runBatch), {
      numRuns: 150,
      endOnFailure: true,
      timeout: BATCH_TIMEOUT_MS,
      interruptAfterTimeLimit: PROPERTY_BUDGET_MS,
      markInterruptAsFailure: true,
    });
  } catch (err) {
    const headline = String((err as Error).message).split('\n')[0];
    throw new Error(
      `${headline} — ${sent - first} cases sent in ${Math.round((Date.now() - started) / 1000)} s, load average ${loadavg()[0]!.toFixed(1)}`,
      { cause: err },
    );
  }
}

test('fuzz: every slash command with arbitrary text', { timeout: TEST_TIMEOUT_MS }, () => fuzz(slashCase));

test('fuzz: every interactive payload kind', { timeout: TEST_TIMEOUT_MS }, () =>
  fuzz(fc.oneof(blockActionCase, viewCase, shortcutCase)),
);

test('fuzz: nothing posted anywhere carries a planted mention; no listener failed', async () => {
  assert.ok(sent >= 3000, `${sent} cases sent`);
  // Everything the bot sent Slack: API calls and response_url answers.
  const calls = t.slack.calls.filter((c) => c.method !== 'auth.test');
  assert.ok(calls.length > 100, `the listeners did post (${calls.length} calls)`);
  for (const call of calls) {
    const bad = leaks(renderedTexts(call.args));
    assert.deepEqual(bad, [], `${call.method}: ${JSON.stringify(call.args).slice(0, 500)}`);
  }
  for (const r of t.slack.responses) {
    const bad = leaks(renderedTexts(r.body));
    assert.deepEqual(bad, [], `response_url: ${JSON.stringify(r.body).slice(0, 500)}`);
  }
  const failures = logLines
    .map((l) => JSON.parse(l) as { level: number; msg?: string; err?: { message?: string } })
    .filter(
      (l) =>
        l.msg === 'unhandled error in a listener' ||
        l.msg === 'command failed' ||
        l.msg === 'incident command failed after ack',
    );
  assert.deepEqual(
    failures.map((f) => `${f.msg}: ${f.err?.message ?? ''}`),
    [],
    'no listener failed unhandled',
  );
  assert.deepEqual(rejections, [], 'no unhandled rejection');
});
