// The CloudWatch Logs adapter against the cloud simulator, through the official SDK client:
// FilterLogEvents by stream prefix and by stream names, filter patterns, time windows, maxEvents,
// paging (empty pages included, bounded), cancellation, DescribeLogStreams, and the error mapping.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ERROR_LOG_GROUP,
  HOUR,
  OOMJOB,
  OUTPUT_LOG_GROUP,
  SCENARIOS,
  startSimulator,
  type Simulator,
} from '../../sim/index.js';
import {
  createCloudWatchLogSource,
  type CloudWatchLogSource,
  type CloudWatchLogSourceOptions,
  type LogEvent,
  type LogQuery,
  type LogScanSummary,
} from '../../src/providers/aws/cloudwatch-logs.js';
import { ProviderError, type ProviderErrorCode } from '../../src/providers/ports.js';

const CREDENTIALS = { accessKeyId: 'sim', secretAccessKey: 'sim' };
const { base, myJob, oomJob, skewJob, driftJob, healthyJob } = SCENARIOS;

interface Fixture {
  sim: Simulator;
  logs: CloudWatchLogSource;
}

async function withLogs(
  t: { after: (fn: () => Promise<void>) => void },
  opts: { logsScanLimit?: number } & Omit<CloudWatchLogSourceOptions, 'client' | 'endpoint'> = {},
): Promise<Fixture> {
  const { logsScanLimit, ...adapter } = opts;
  const sim = await startSimulator({
    scenarios: [base, myJob, oomJob, skewJob, driftJob, healthyJob],
    ...(logsScanLimit !== undefined ? { logsScanLimit } : {}),
  });
  const logs = createCloudWatchLogSource({
    region: 'us-east-1',
    credentials: CREDENTIALS,
    maxAttempts: 5,
    ...adapter,
    endpoint: sim.url,
  });
  t.after(async () => {
    logs.client.destroy();
    await sim.stop();
  });
  return { sim, logs };
}

async function collect(iterable: AsyncIterable<LogEvent>): Promise<LogEvent[]> {
  const out: LogEvent[] = [];
  for await (const e of iterable) out.push(e);
  return out;
}

async function rejectsWith(
  p: Promise<unknown>,
  code: ProviderErrorCode,
  check: (e: ProviderError) => void = () => {},
): Promise<ProviderError> {
  let caught: unknown;
  try {
    await p;
  } catch (e) {
    caught = e;
  }
  assert.ok(caught instanceof ProviderError, `expected a ProviderError, got ${String(caught)}`);
  assert.equal(caught.code, code, caught.message);
  check(caught);
  return caught;
}

/** The newest failed OomJob run: it has a run stream and two job-insights streams in the error group. */
function failedOomRun(sim: Simulator): string {
  return sim.state.glue.runsOf(OOMJOB.name)[0]!.Id;
}

/** Every event of the group's streams selected by `pick`, in the simulator's own order. */
function storedEvents(sim: Simulator, group: string, pick: (stream: string) => boolean) {
  const g = sim.state.logs.group(group)!;
  return [...g.streams.values()]
    .filter((s) => pick(s.name))
    .flatMap((s) => s.events.map((e) => ({ stream: s.name, ...e })))
    .sort((a, b) => a.timestamp - b.timestamp);
}

const EPOCH = new Date(0);

// ---------------------------------------------------------------------------------------------

test('events by stream prefix: the run stream and its job-insights streams, in time order', async (t) => {
  const { sim, logs } = await withLogs(t);
  const runId = failedOomRun(sim);
  const events = await collect(
    logs.events({ group: ERROR_LOG_GROUP, streamNamePrefix: runId, start: EPOCH, maxEvents: 1000 }),
  );
  const expected = storedEvents(sim, ERROR_LOG_GROUP, (s) => s.startsWith(runId));
  assert.equal(events.length, expected.length);
  assert.ok(events.length > 5);
  assert.deepEqual(
    new Set(events.map((e) => e.stream)),
    new Set([runId, `${runId}-job-insights-rca-driver`, `${runId}-job-insights-rule-driver`]),
  );
  assert.ok(events.every((e) => e.group === ERROR_LOG_GROUP && e.timestamp instanceof Date));
  for (let i = 1; i < events.length; i++)
    assert.ok(events[i - 1]!.timestamp <= events[i]!.timestamp, 'time order');
  assert.ok(events.some((e) => e.message.includes('Container killed by YARN')));
  assert.ok(events.some((e) => e.message.includes('[Glue Exception Analysis]')));

  const [call] = sim.requests({ operation: 'FilterLogEvents' });
  assert.equal(call?.params.logGroupName, ERROR_LOG_GROUP);
  assert.equal(call?.params.logStreamNamePrefix, runId);
  assert.equal(call?.params.logStreamNames, undefined);
  assert.equal(call?.params.startTime, 0);
  assert.equal(call?.params.endTime, undefined);
});

test('events by stream names: only those streams', async (t) => {
  const { sim, logs } = await withLogs(t);
  const runId = failedOomRun(sim);
  const rca = `${runId}-job-insights-rca-driver`;
  const events = await collect(
    logs.events({ group: ERROR_LOG_GROUP, streamNames: [rca], start: EPOCH, maxEvents: 100 }),
  );
  assert.equal(events.length, 3);
  assert.ok(events.every((e) => e.stream === rca));
  assert.match(events[0]!.message, /OutOfMemoryError/);
  assert.deepEqual(sim.requests({ operation: 'FilterLogEvents' })[0]?.params.logStreamNames, [rca]);

  // Both the run's streams of the output group and a stream that does not exist.
  const out = await collect(
    logs.events({
      group: OUTPUT_LOG_GROUP,
      streamNames: [runId, 'jr_does_not_exist'],
      start: EPOCH,
      maxEvents: 100,
    }),
  );
  assert.deepEqual(
    out.map((e) => e.message),
    [`Job run ${runId} started`],
  );

  // More than 100 names: searched 100 at a time, every event found.
  const t0 = sim.state.now() - HOUR;
  for (let i = 0; i < 30; i++)
    sim.state.logs.putEvents(ERROR_LOG_GROUP, `jr_extra_${i}`, [
      { timestamp: t0 + i, message: `extra ${i}` },
    ]);
  const g = sim.state.logs.group(ERROR_LOG_GROUP)!;
  const names = [...g.streams.keys()].sort();
  assert.ok(names.length > 100, `${names.length} streams`);
  sim.clearRequests();
  const all = await collect(
    logs.events({ group: ERROR_LOG_GROUP, streamNames: names, start: EPOCH, maxEvents: 1_000_000 }),
  );
  assert.equal(all.length, storedEvents(sim, ERROR_LOG_GROUP, () => true).length);
  const calls = sim.requests({ operation: 'FilterLogEvents' });
  assert.equal(calls.length, Math.ceil(names.length / 100));
  assert.ok(calls.every((c) => (c.params.logStreamNames as string[]).length <= 100));

  // No names: nothing to read, no request.
  sim.clearRequests();
  assert.deepEqual(
    await collect(logs.events({ group: ERROR_LOG_GROUP, streamNames: [], start: EPOCH, maxEvents: 10 })),
    [],
  );
  assert.equal(sim.requests().length, 0);
});

test('stream names and a prefix together are refused before any request', async (t) => {
  const { sim, logs } = await withLogs(t);
  await rejectsWith(
    collect(
      logs.events({
        group: ERROR_LOG_GROUP,
        streamNames: ['a'],
        streamNamePrefix: 'a',
        start: EPOCH,
        maxEvents: 10,
      }),
    ),
    'INVALID_INPUT',
    (e) => assert.match(e.message, /not both/),
  );
  assert.equal(sim.requests().length, 0);
});

test('filter patterns: terms, ?alternatives, "phrases" and -exclusions', async (t) => {
  const { sim, logs } = await withLogs(t);
  const all = storedEvents(sim, ERROR_LOG_GROUP, () => true);
  const count = (pred: (m: string) => boolean) => all.filter((e) => pred(e.message)).length;
  const search = (filterPattern: string) =>
    collect(logs.events({ group: ERROR_LOG_GROUP, start: EPOCH, filterPattern, maxEvents: 100_000 }));

  const oom = await search('OutOfMemoryError');
  assert.equal(
    oom.length,
    count((m) => m.includes('OutOfMemoryError')),
  );
  assert.ok(oom.length >= OOMJOB.failedRuns * 3);
  assert.ok(oom.every((e) => e.message.includes('OutOfMemoryError')));

  const either = await search('?OutOfMemoryError ?AnalysisException');
  assert.equal(
    either.length,
    count((m) => m.includes('OutOfMemoryError') || m.includes('AnalysisException')),
  );
  assert.ok(either.some((e) => e.message.includes('AnalysisException')));

  const phrase = await search('"Container killed by YARN"');
  assert.equal(
    phrase.length,
    count((m) => m.includes('Container killed by YARN')),
  );
  assert.ok(phrase.length > 0);

  const both = await search('ERROR -ProcessLauncher');
  assert.equal(
    both.length,
    count((m) => m.includes('ERROR') && !m.includes('ProcessLauncher')),
  );
  assert.ok(both.length > 0 && both.every((e) => !e.message.includes('ProcessLauncher')));
  assert.equal(
    sim.requests({ operation: 'FilterLogEvents' }).at(-1)?.params.filterPattern,
    'ERROR -ProcessLauncher',
  );

  // Patterns the service rejects are INVALID_INPUT (the simulator does not do JSON patterns).
  await rejectsWith(search('{ $.level = "ERROR" }'), 'INVALID_INPUT', (e) =>
    assert.match(e.message, /^CloudWatch Logs rejected logs:FilterLogEvents/),
  );
});

test('the time window bounds the events', async (t) => {
  const { sim, logs } = await withLogs(t);
  const now = sim.state.now();
  const start = new Date(now - 3 * 24 * HOUR);
  const end = new Date(now - 24 * HOUR);
  const events = await collect(logs.events({ group: OUTPUT_LOG_GROUP, start, end, maxEvents: 100_000 }));
  const expected = storedEvents(sim, OUTPUT_LOG_GROUP, () => true).filter(
    (e) => e.timestamp >= start.getTime() && e.timestamp <= end.getTime(),
  );
  assert.equal(events.length, expected.length);
  assert.ok(events.length > 0);
  assert.ok(events.every((e) => e.timestamp >= start && e.timestamp <= end));
  const [call] = sim.requests({ operation: 'FilterLogEvents' });
  assert.equal(call?.params.startTime, start.getTime());
  assert.equal(call?.params.endTime, end.getTime());
});

test('maxEvents stops the scan, asks for no more than needed, and says why it stopped', async (t) => {
  const { sim, logs } = await withLogs(t);
  const stream = logs.events({ group: ERROR_LOG_GROUP, start: EPOCH, maxEvents: 5 });
  const events = await collect(stream);
  assert.equal(events.length, 5);
  assert.deepEqual(stream.summary, { pages: 1, events: 5, emptyPages: 0, stoppedEarly: 'maxEvents' });
  const calls = sim.requests({ operation: 'FilterLogEvents' });
  assert.equal(calls.length, 1);
  assert.equal(calls[0]!.params.limit, 5);

  // Reading everything: no early stop.
  const full = logs.events({ group: OUTPUT_LOG_GROUP, start: EPOCH, maxEvents: 1_000_000 });
  const fullEvents = await collect(full);
  assert.equal(fullEvents.length, storedEvents(sim, OUTPUT_LOG_GROUP, () => true).length);
  assert.equal(full.summary.stoppedEarly, undefined);
  assert.equal(full.summary.events, fullEvents.length);
});

test('pages of up to 10,000 events are followed to the end, across pages', async (t) => {
  const { sim, logs } = await withLogs(t);
  const t0 = sim.state.now() - 2 * HOUR;
  sim.state.logs.putEvents(
    ERROR_LOG_GROUP,
    'jr_chatty',
    Array.from({ length: 25_000 }, (_, i) => ({ timestamp: t0 + i, message: `line ${i}` })),
  );
  const stream = logs.events({
    group: ERROR_LOG_GROUP,
    streamNames: ['jr_chatty'],
    start: EPOCH,
    maxEvents: 30_000,
  });
  const events = await collect(stream);
  assert.equal(events.length, 25_000);
  assert.equal(events[0]!.message, 'line 0');
  assert.equal(events.at(-1)!.message, 'line 24999');
  const calls = sim.requests({ operation: 'FilterLogEvents' });
  assert.equal(calls.length, 3);
  assert.ok(calls.every((c) => c.params.limit === 10_000));
  assert.equal(stream.summary.pages, 3);

  // 12,000 of them: a second page is asked for, the scan stops inside it.
  const some = await collect(
    logs.events({ group: ERROR_LOG_GROUP, streamNames: ['jr_chatty'], start: EPOCH, maxEvents: 12_000 }),
  );
  assert.equal(some.length, 12_000);
  assert.equal(some.at(-1)!.message, 'line 11999');
});

test('empty pages that still carry a nextToken are followed, up to a bound that is reported', async (t) => {
  const ended: LogScanSummary[] = [];
  // The simulator examines 10 events a call, so a rare match leaves many empty pages in between.
  const { sim, logs } = await withLogs(t, {
    logsScanLimit: 10,
    maxEmptyPages: 5,
    onScanEnd: (_q: LogQuery, s: LogScanSummary) => ended.push({ ...s }),
  });
  const t0 = sim.state.now() - 2 * HOUR;
  sim.state.logs.putEvents(
    ERROR_LOG_GROUP,
    'jr_sparse',
    Array.from({ length: 200 }, (_, i) => ({
      timestamp: t0 + i,
      message: i === 35 || i === 195 ? `needle ${i}` : `hay ${i}`,
    })),
  );
  const query = (extra: Partial<LogQuery> = {}) => ({
    group: ERROR_LOG_GROUP,
    streamNames: ['jr_sparse'],
    start: EPOCH,
    filterPattern: 'needle',
    maxEvents: 100,
    ...extra,
  });

  // 5 empty pages in a row are too many before the second needle: the scan stops and says so.
  const bounded = logs.events(query());
  const found = await collect(bounded);
  assert.deepEqual(
    found.map((e) => e.message),
    ['needle 35'],
  );
  assert.equal(bounded.summary.stoppedEarly, 'emptyPages');
  assert.equal(bounded.summary.emptyPages, 3 + 5, '3 before the first needle, then 5 in a row');
  assert.deepEqual(ended.at(-1), bounded.summary, 'onScanEnd saw the same summary');

  // A looser bound reads everything: the empty pages are skipped, not treated as the end.
  const loose = createCloudWatchLogSource({
    endpoint: sim.url,
    region: 'us-east-1',
    credentials: CREDENTIALS,
    maxEmptyPages: 50,
  });
  t.after(() => Promise.resolve(loose.client.destroy()));
  const whole = loose.events(query());
  assert.deepEqual(
    (await collect(whole)).map((e) => e.message),
    ['needle 35', 'needle 195'],
  );
  assert.equal(whole.summary.stoppedEarly, undefined);
  assert.equal(whole.summary.pages, 20);
  assert.ok(whole.summary.emptyPages >= 15);

  // The generator's return value is the summary too.
  const it = logs.events(query())[Symbol.asyncIterator]();
  let r = await it.next();
  while (!r.done) r = await it.next();
  assert.equal(r.value.stoppedEarly, 'emptyPages');
});

test('an AbortSignal cancels the scan, before or between pages', async (t) => {
  const { sim, logs } = await withLogs(t);
  const before = new AbortController();
  before.abort();
  await rejectsWith(
    collect(logs.events({ group: ERROR_LOG_GROUP, start: EPOCH, maxEvents: 10, signal: before.signal })),
    'CANCELLED',
  );
  assert.equal(sim.requests({ operation: 'FilterLogEvents' }).length, 0);

  const t0 = sim.state.now() - 2 * HOUR;
  sim.state.logs.putEvents(
    ERROR_LOG_GROUP,
    'jr_long',
    Array.from({ length: 15_000 }, (_, i) => ({ timestamp: t0 + i, message: `line ${i}` })),
  );
  const ctl = new AbortController();
  const seen: LogEvent[] = [];
  await rejectsWith(
    (async () => {
      for await (const e of logs.events({
        group: ERROR_LOG_GROUP,
        streamNames: ['jr_long'],
        start: EPOCH,
        maxEvents: 100_000,
        signal: ctl.signal,
      })) {
        seen.push(e);
        if (seen.length === 3) ctl.abort();
      }
    })(),
    'CANCELLED',
    (e) => assert.match(e.message, /cancelled/),
  );
  assert.equal(seen.length, 3);
  assert.equal(sim.requests({ operation: 'FilterLogEvents' }).length, 1, 'no page after the abort');

  // Aborted while a request is in flight (the simulator holds FilterLogEvents for a while).
  sim.setFaults([{ service: 'logs', operation: 'FilterLogEvents', latencyMs: 5_000 }]);
  const inFlight = new AbortController();
  const p = collect(
    logs.events({ group: ERROR_LOG_GROUP, start: EPOCH, maxEvents: 10, signal: inFlight.signal }),
  );
  setTimeout(() => inFlight.abort(), 50);
  await rejectsWith(p, 'CANCELLED');
});

test('streamNames pages DescribeLogStreams by prefix', async (t) => {
  const { sim, logs } = await withLogs(t);
  const runId = failedOomRun(sim);
  assert.deepEqual(await logs.streamNames(ERROR_LOG_GROUP, runId), [
    runId,
    `${runId}-job-insights-rca-driver`,
    `${runId}-job-insights-rule-driver`,
  ]);
  const [call] = sim.requests({ operation: 'DescribeLogStreams' });
  assert.equal(call?.params.logStreamNamePrefix, runId);

  const every = [...sim.state.logs.group(ERROR_LOG_GROUP)!.streams.keys()].sort();
  sim.clearRequests();
  const names = await logs.streamNames(ERROR_LOG_GROUP, 'jr_', 10_000);
  assert.deepEqual(names, every);
  const calls = sim.requests({ operation: 'DescribeLogStreams' });
  assert.equal(calls.length, Math.ceil(every.length / 50));
  assert.ok(calls.every((c) => c.params.limit === 50));

  // `max` caps the names and the requests.
  sim.clearRequests();
  assert.deepEqual(await logs.streamNames(ERROR_LOG_GROUP, 'jr_', 60), every.slice(0, 60));
  assert.equal(sim.requests({ operation: 'DescribeLogStreams' }).length, 2);
  // An empty prefix lists every stream (the API refuses an empty prefix, so none is sent).
  sim.clearRequests();
  assert.equal((await logs.streamNames(ERROR_LOG_GROUP, '', 5)).length, 5);
  assert.equal(sim.requests({ operation: 'DescribeLogStreams' })[0]?.params.logStreamNamePrefix, undefined);
  assert.deepEqual(await logs.streamNames(ERROR_LOG_GROUP, 'nothing-like-this'), []);
});

test('errors: missing group, denied actions, throttling, server errors', async (t) => {
  const { sim, logs } = await withLogs(t);
  const q = (group = ERROR_LOG_GROUP) => collect(logs.events({ group, start: EPOCH, maxEvents: 10 }));

  await rejectsWith(q('/aws-glue/jobs/nope'), 'NOT_FOUND', (e) =>
    assert.equal(e.message, 'log group /aws-glue/jobs/nope was not found'),
  );
  await rejectsWith(logs.streamNames('/aws-glue/jobs/nope', 'jr_'), 'NOT_FOUND');

  sim.setFaults([{ service: 'logs', operation: 'FilterLogEvents', error: 'denied' }]);
  await rejectsWith(q(), 'ACCESS_DENIED', (e) => {
    assert.equal(e.action, 'logs:FilterLogEvents');
    assert.ok(e.message.startsWith('access denied: logs:FilterLogEvents'));
  });
  sim.setFaults([{ service: 'logs', operation: 'DescribeLogStreams', error: 'denied' }]);
  await rejectsWith(logs.streamNames(ERROR_LOG_GROUP, 'jr_'), 'ACCESS_DENIED', (e) =>
    assert.equal(e.action, 'logs:DescribeLogStreams'),
  );

  // Throttled twice, then answered: retried by the SDK and counted.
  sim.setFaults([{ service: 'logs', operation: 'FilterLogEvents', error: 'throttle', count: 2 }]);
  const before = logs.stats();
  assert.equal((await q()).length, 10);
  const after = logs.stats();
  assert.equal(after.calls - before.calls, 1);
  assert.equal(after.retries - before.retries, 2);
  assert.equal(after.throttled - before.throttled, 2);

  // CloudWatch Logs' LimitExceededException is throttling too; past maxAttempts it surfaces.
  const brief = createCloudWatchLogSource({
    endpoint: sim.url,
    region: 'us-east-1',
    credentials: CREDENTIALS,
    maxAttempts: 2,
  });
  t.after(() => Promise.resolve(brief.client.destroy()));
  sim.setFaults([{ service: 'logs', operation: 'FilterLogEvents', error: 'LimitExceededException' }]);
  await rejectsWith(
    collect(brief.events({ group: ERROR_LOG_GROUP, start: EPOCH, maxEvents: 10 })),
    'THROTTLED',
    (e) => {
      assert.equal(e.retryable, true);
      assert.match(e.message, /^CloudWatch Logs throttled logs:FilterLogEvents after 2 attempts/);
    },
  );
  assert.equal(brief.stats().throttled, 2);

  sim.setFaults([{ service: 'logs', operation: 'FilterLogEvents', error: 'internal' }]);
  await rejectsWith(
    collect(brief.events({ group: ERROR_LOG_GROUP, start: EPOCH, maxEvents: 10 })),
    'UNAVAILABLE',
  );
  sim.setFaults([{ service: 'logs', operation: 'FilterLogEvents', error: 'InvalidParameterException' }]);
  await rejectsWith(q(), 'INVALID_INPUT');
});
