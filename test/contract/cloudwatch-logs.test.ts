// Contract: the official CloudWatch Logs client against the simulator (JSON 1.1 over
// X-Amz-Target: Logs_20140328.*): filter patterns, time ranges, paging including empty pages that
// still carry a nextToken, typed errors, and throttling retried by the SDK.
import { describe, it, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import {
  AccessDeniedException,
  CloudWatchLogsClient,
  DescribeLogStreamsCommand,
  FilterLogEventsCommand,
  InvalidParameterException,
  ResourceNotFoundException,
  ThrottlingException,
  paginateDescribeLogStreams,
  paginateFilterLogEvents,
  type FilteredLogEvent,
  type FilterLogEventsCommandInput,
} from '@aws-sdk/client-cloudwatch-logs';
import {
  startSimulator,
  ERROR_LOG_GROUP,
  OOMJOB,
  SKEWJOB,
  type Simulator,
  type SimulatorOptions,
} from '../../sim/index.js';

function client(sim: Simulator, maxAttempts = 3): CloudWatchLogsClient {
  return new CloudWatchLogsClient({
    endpoint: sim.url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'sim', secretAccessKey: 'sim' },
    maxAttempts,
  });
}

/** Every event of a group the simulator holds whose message satisfies `pred`. */
function expected(
  sim: Simulator,
  group: string,
  pred: (m: string) => boolean,
  streamPred: (s: string) => boolean = () => true,
) {
  const g = sim.state.logs.group(group)!;
  const out: Array<{ stream: string; message: string; timestamp: number }> = [];
  for (const s of g.streams.values()) {
    if (!streamPred(s.name)) continue;
    for (const e of s.events)
      if (pred(e.message)) out.push({ stream: s.name, message: e.message, timestamp: e.timestamp });
  }
  return out;
}

async function collect(
  logs: CloudWatchLogsClient,
  input: FilterLogEventsCommandInput,
  pageSize?: number,
): Promise<{ events: FilteredLogEvent[]; pages: number; emptyPagesWithToken: number }> {
  const events: FilteredLogEvent[] = [];
  let pages = 0;
  let emptyPagesWithToken = 0;
  for await (const page of paginateFilterLogEvents(
    { client: logs, ...(pageSize ? { pageSize } : {}) },
    input,
  )) {
    pages++;
    if ((page.events ?? []).length === 0 && page.nextToken) emptyPagesWithToken++;
    events.push(...(page.events ?? []));
  }
  return { events, pages, emptyPagesWithToken };
}

async function runIds(sim: Simulator, job: string): Promise<string[]> {
  return sim.state.glue.runsOf(job).map((r) => r.Id);
}

describe('CloudWatch Logs contract (simulator)', () => {
  let sim: Simulator;
  let logs: CloudWatchLogsClient;
  const start = async (opts: SimulatorOptions = {}) => {
    sim = await startSimulator({ port: 0, ...opts });
    logs = client(sim);
  };

  beforeEach(async () => start());
  afterEach(async () => {
    logs.destroy();
    await sim.stop();
  });

  it('?term ORs: OomJob error streams show the memory signatures', async () => {
    const [newest] = await runIds(sim, OOMJOB.name);
    const { events } = await collect(logs, {
      logGroupName: ERROR_LOG_GROUP,
      logStreamNamePrefix: newest,
      filterPattern:
        '?"java.lang.OutOfMemoryError: Java heap space" ?"Container killed by YARN for exceeding memory limits"',
    });
    const want = expected(
      sim,
      ERROR_LOG_GROUP,
      (m) =>
        m.includes('java.lang.OutOfMemoryError: Java heap space') ||
        m.includes('Container killed by YARN for exceeding memory limits'),
      (s) => s.startsWith(newest!),
    );
    assert.equal(events.length, want.length);
    assert.ok(events.some((e) => e.message!.includes('java.lang.OutOfMemoryError: Java heap space')));
    assert.ok(
      events.some((e) => e.message!.includes('Container killed by YARN for exceeding memory limits')),
    );
    assert.ok(
      events.some((e) => e.logStreamName === `${newest}-job-insights-rca-driver`),
      'job insights stream searched',
    );
    for (let i = 1; i < events.length; i++)
      assert.ok(events[i - 1]!.timestamp! <= events[i]!.timestamp!, 'time order');
  });

  it('plain terms AND, quoted phrases are literal, -term excludes', async () => {
    const filter = async (filterPattern: string) =>
      (await collect(logs, { logGroupName: ERROR_LOG_GROUP, filterPattern })).events.map((e) => e.message!);
    const and = await filter('WARN TaskSetManager');
    assert.deepEqual(
      and.sort(),
      expected(sim, ERROR_LOG_GROUP, (m) => m.includes('WARN') && m.includes('TaskSetManager'))
        .map((e) => e.message)
        .sort(),
    );
    assert.ok(and.length > 0);
    const phrase = await filter('"Finished task 3.0 in stage 2.0 (TID 40) in 512000 ms"');
    assert.equal(phrase.length, SKEWJOB.degradedRuns, 'one skewed task per degraded SkewJob run');
    const excluded = await filter('TaskSetManager -Finished');
    assert.ok(excluded.length > 0);
    assert.ok(excluded.every((m) => m.includes('TaskSetManager') && !m.includes('Finished')));
    assert.equal((await filter('NoSuchSignatureAnywhere')).length, 0);
  });

  it('logStreamNames and startTime/endTime bound the search', async () => {
    const [newest, previous] = await runIds(sim, SKEWJOB.name);
    const stream = sim.state.logs.group(ERROR_LOG_GROUP)!.streams.get(newest!)!;
    const mid = stream.events[Math.floor(stream.events.length / 2)]!.timestamp;
    const { events } = await collect(logs, {
      logGroupName: ERROR_LOG_GROUP,
      logStreamNames: [newest!, previous!],
      startTime: mid,
    });
    assert.ok(events.length > 0);
    assert.ok(events.every((e) => e.logStreamName === newest && e.timestamp! >= mid));
    const bounded = await collect(logs, {
      logGroupName: ERROR_LOG_GROUP,
      logStreamNames: [newest!],
      endTime: mid,
    });
    assert.ok(bounded.events.every((e) => e.timestamp! <= mid));
    assert.equal(
      bounded.events.length + events.length,
      stream.events.length + stream.events.filter((e) => e.timestamp === mid).length,
    );
  });

  it('limit pages; a page can be empty while a nextToken is still given; every event comes once', async () => {
    await sim.stop();
    logs.destroy();
    // Search 25 events per call, as the service searches in chunks.
    await start({ logsScanLimit: 25 });
    const pattern = '"in 512000 ms"';
    const { events, pages, emptyPagesWithToken } = await collect(
      logs,
      { logGroupName: ERROR_LOG_GROUP, filterPattern: pattern },
      2,
    );
    const want = expected(sim, ERROR_LOG_GROUP, (m) => m.includes('in 512000 ms'));
    assert.equal(events.length, want.length);
    assert.equal(new Set(events.map((e) => e.eventId)).size, events.length, 'no duplicates');
    assert.ok(emptyPagesWithToken > 0, 'empty pages with a nextToken happen');
    assert.ok(pages > emptyPagesWithToken);
    const sent = sim.requests({ service: 'logs', operation: 'FilterLogEvents' });
    assert.equal(sent.length, pages);
    assert.ok(sent.every((r) => r.params.limit === 2));
    // searchedLogStreams is reported per page.
    const one = await logs.send(new FilterLogEventsCommand({ logGroupName: ERROR_LOG_GROUP, limit: 1 }));
    assert.equal(one.events?.length, 1);
    assert.ok((one.searchedLogStreams ?? []).length > 0);
    assert.ok(one.nextToken);
  });

  it('limit above 10,000 and mixing stream names with a prefix are InvalidParameterException', async () => {
    await assert.rejects(
      logs.send(new FilterLogEventsCommand({ logGroupName: ERROR_LOG_GROUP, limit: 10_001 })),
      (e: unknown) => e instanceof InvalidParameterException,
    );
    await assert.rejects(
      logs.send(
        new FilterLogEventsCommand({
          logGroupName: ERROR_LOG_GROUP,
          logStreamNames: ['a'],
          logStreamNamePrefix: 'a',
        }),
      ),
      (e: unknown) => e instanceof InvalidParameterException,
    );
    const max = await logs.send(new FilterLogEventsCommand({ logGroupName: ERROR_LOG_GROUP, limit: 10_000 }));
    assert.ok((max.events ?? []).length > 0);
  });

  it('a tampered nextToken is InvalidParameterException', async () => {
    await assert.rejects(
      logs.send(new FilterLogEventsCommand({ logGroupName: ERROR_LOG_GROUP, nextToken: 'bogus' })),
      (e: unknown) => e instanceof InvalidParameterException,
    );
  });

  it('an unknown log group is ResourceNotFoundException', async () => {
    for (const cmd of [
      new FilterLogEventsCommand({ logGroupName: '/aws-glue/jobs/nope' }),
      new DescribeLogStreamsCommand({ logGroupName: '/aws-glue/jobs/nope' }),
    ]) {
      await assert.rejects(logs.send(cmd as FilterLogEventsCommand), (e: unknown) => {
        assert.ok(e instanceof ResourceNotFoundException, String(e));
        assert.equal(e.message, 'The specified log group does not exist.');
        return true;
      });
    }
  });

  it('AccessDeniedException surfaces typed when injected for a log group', async () => {
    sim.setFaults([{ service: 'logs', resource: ERROR_LOG_GROUP, error: 'denied' }]);
    await assert.rejects(
      logs.send(new FilterLogEventsCommand({ logGroupName: ERROR_LOG_GROUP })),
      (e: unknown) => e instanceof AccessDeniedException,
    );
    await logs.send(new FilterLogEventsCommand({ logGroupName: '/aws-glue/jobs/output', limit: 1 }));
  });

  it('DescribeLogStreams: prefix and paging', async () => {
    const [newest] = await runIds(sim, OOMJOB.name);
    const names: string[] = [];
    let pages = 0;
    for await (const page of paginateDescribeLogStreams(
      { client: logs, pageSize: 1 },
      { logGroupName: ERROR_LOG_GROUP, logStreamNamePrefix: newest },
    )) {
      pages++;
      names.push(...(page.logStreams ?? []).map((s) => s.logStreamName!));
    }
    assert.deepEqual(names, [
      newest,
      `${newest}-job-insights-rca-driver`,
      `${newest}-job-insights-rule-driver`,
    ]);
    assert.equal(pages, 3);
    const { logStreams } = await logs.send(
      new DescribeLogStreamsCommand({ logGroupName: ERROR_LOG_GROUP, logStreamNamePrefix: newest, limit: 1 }),
    );
    assert.ok(logStreams![0]!.lastEventTimestamp! >= logStreams![0]!.firstEventTimestamp!);
    await assert.rejects(
      logs.send(
        new DescribeLogStreamsCommand({
          logGroupName: ERROR_LOG_GROUP,
          logStreamNamePrefix: 'x',
          orderBy: 'LastEventTime',
        }),
      ),
      (e: unknown) => e instanceof InvalidParameterException,
    );
  });

  it('throttling is retried by the SDK; the simulator sees the retries', async () => {
    const l = client(sim, 10);
    try {
      sim.setFaults([{ service: 'logs', operation: 'FilterLogEvents', error: 'throttle', rate: 0.4 }]);
      const { events, pages } = await collect(
        l,
        { logGroupName: ERROR_LOG_GROUP, filterPattern: 'OutOfMemoryError' },
        3,
      );
      assert.equal(
        events.length,
        expected(sim, ERROR_LOG_GROUP, (m) => m.includes('OutOfMemoryError')).length,
      );
      const seen = sim.requests({ service: 'logs', operation: 'FilterLogEvents' });
      const throttled = seen.filter((r) => r.error === 'ThrottlingException');
      assert.ok(throttled.length > 0);
      assert.equal(seen.filter((r) => r.status === 200).length, pages);
      sim.setFaults([{ service: 'logs', error: 'throttle' }]);
      const once = client(sim, 1);
      await assert.rejects(
        once.send(new FilterLogEventsCommand({ logGroupName: ERROR_LOG_GROUP })),
        (e: unknown) => e instanceof ThrottlingException,
      );
      once.destroy();
    } finally {
      l.destroy();
    }
  });
});
