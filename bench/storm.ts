// Benchmark of a storm (issue 19): 20 Glue jobs degraded by the same upstream outage, alerted at
// once and triaged at once ("Triage now" pressed on all 20), against the simulator with 40 ms per
// AWS call, by two bot processes on one Redis (one receiving Slack and working, one working),
// with a fake Slack enforcing Slack's documented limits: chat.postMessage about one a second per
// channel (bursts of 5; thread replies count), chat.update Tier 3 (50 a minute per workspace,
// bursts of 10), chat.postEphemeral Tier 4 (100 a minute, bursts of 30); HTTP 429 past them.
// Triages started from the group message report on it: each row gets its verdict (chat.update),
// each full report goes into its thread. Measures: messages in the alert channel, time from the
// clicks to each verdict shown on the group message and to each full report in its thread (p50,
// p95, last), to the last deferred checklist, Slack calls per second (chat.postMessage in the
// channel, chat.update in the workspace: the most in any 1 s and the mean), 429s.
//
//   npx tsx bench/storm.ts [--jobs 20] [--latency 40] [--budget 40] [--s3-budget N] [--no-prewarm]
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import {
  startSimulator,
  emptyScenarios,
  addJobHistory,
  dailyPartitions,
  HOUR,
  MINUTE,
} from '../sim/index.js';
import { FakeSlack } from '../test/support/fake-slack/fake-slack.js';
import { BOT_TOKEN, SIGNING_SECRET } from '../test/support/medic.js';
import { sendBlockAction } from '../test/support/slack-requests.js';
import { dropPrefix, redisUrl, testPrefix } from '../test/support/services.js';

function arg(name: string, dflt: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
}
const JOBS = arg('jobs', 20);
const LATENCY = arg('latency', 40);
/** monitor.maxRequestsPerSecond: the AWS request budget every triage and evaluation shares. */
const BUDGET = arg('budget', 40);
/** requestBudgets.s3's own rate (0: the shared one above). */
const S3_BUDGET = arg('s3-budget', 0);
const CHANNEL = 'C0STORM';
const names = Array.from({ length: JOBS }, (_, i) => `StormJob${String(i + 1).padStart(2, '0')}`);

function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

async function waitFor(
  what: string,
  cond: () => boolean | Promise<boolean>,
  ms = 120_000,
  everyMs = 10,
): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

async function main() {
  const sim = await startSimulator({
    scenarios: [
      ...emptyScenarios(),
      (state, now) => {
        for (const [i, name] of names.entries()) {
          state.s3.addKeySpace(`storm-${i + 1}`, {
            prefix: 'input/',
            partitions: dailyPartitions(now, 10, () => ({ count: 200, avgSize: 8_000_000 })),
          });
          addJobHistory(state, now, {
            job: {
              Name: name,
              WorkerType: 'G.1X',
              NumberOfWorkers: 5,
              DefaultArguments: { '--input_path': `s3://storm-${i + 1}/input/` },
            },
            // Ten 10-minute runs, then three at 25 minutes since the outage began (within minutes for all).
            runs: [
              ...Array.from({ length: 10 }, () => ({ durationSec: 600 })),
              ...[1, 2, 3].map(() => ({ durationSec: 1500 })),
            ],
            intervalMs: HOUR,
            lastStartAgoMs: 40 * MINUTE + (i % 10) * MINUTE,
            logs: () => ({ error: ['ERROR upstream: source table orders has no data for the last 2 hours'] }),
          });
        }
      },
    ],
  });
  sim.setFaults([{ latencyMs: LATENCY }]);
  const slack = await FakeSlack.start({
    channelRateLimit: { perSecond: 1, burst: 5 },
    methodRateLimits: {
      'chat.update': { perMinute: 50, burst: 10 },
      'chat.postEphemeral': { perMinute: 100, burst: 30 },
    },
  });
  slack.addChannel({ id: CHANNEL, name: 'data-alerts', members: ['U0ONCALL'] });
  const prefix = testPrefix('storm');
  const redis = new Redis(redisUrl(), { maxRetriesPerRequest: null });
  const yaml = [
    'monitor:',
    `  channel: ${CHANNEL}`,
    '  jobs: []',
    '  groupWindowMinutes: 30',
    // --no-prewarm: the alerts do not prewarm the jobs' inputs (jobs/prewarm.ts), as before it.
    ...(process.argv.includes('--no-prewarm') ? ['  prewarmInput: false'] : []),
    `  maxRequestsPerSecond: ${BUDGET}`,
    `  requestBurst: ${Math.min(20, BUDGET)}`,
    ...(S3_BUDGET ? ['  requestBudgets:', `    s3: { maxRequestsPerSecond: ${S3_BUDGET} }`] : []),
    'jobs:',
    ...names.map((n) => `  ${n}: {}`),
  ].join('\n');
  const start = (role: 'all' | 'worker') => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/support/worker-process.ts'], {
      env: {
        ...process.env,
        ...sim.env(),
        SLACK_BOT_TOKEN: BOT_TOKEN,
        SLACK_SIGNING_SECRET: SIGNING_SECRET,
        SLACK_API_URL: slack.apiUrl,
        REDIS_URL: redisUrl(),
        MEDIC_PREFIX: prefix,
        MEDIC_ROLE: role,
        PORT: '0',
        HOST: '127.0.0.1',
        LOG_LEVEL: 'warn',
        MEDIC_TEST_YAML: yaml,
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    return new Promise<{ child: ChildProcess; port: number }>((resolve, reject) => {
      child.stdout!.on('data', (d: Buffer) => {
        const m = /"event":"ready","port":(\d+)/.exec(d.toString());
        if (m) resolve({ child, port: Number(m[1]) });
      });
      child.once('exit', (code) => reject(new Error(`bot process exited ${code}`)));
    });
  };
  const [a, b] = await Promise.all([start('all'), start('worker')]);
  const url = `http://127.0.0.1:${a.port}`;
  const mem = (pid: number, field: 'VmRSS' | 'VmHWM') =>
    Number(new RegExp(`${field}:\\s+(\\d+)`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) /
    1024;
  const atRest = [a, b].map((p) => mem(p.child.pid!, 'VmRSS'));

  // 1. The storm: all 20 evaluated at once, as their schedulers would after the outage.
  const monitor = new Queue('monitor', { connection: redis, prefix });
  const t0 = performance.now();
  const added = await Promise.all(names.map((job) => monitor.add('monitor', { job })));
  await waitFor('every evaluation', async () => {
    const states = await Promise.all(added.map((j) => j.getState()));
    return states.every((s) => s === 'completed' || s === 'failed');
  });
  const groupText = () =>
    slack.topLevel(CHANNEL).find((m) => /jobs degraded within/.test(m.text))?.text ?? '';
  await waitFor('the group message listing all', () => groupText().startsWith(`${JOBS} jobs degraded`));
  const alertedMs = performance.now() - t0;
  const alertMessages = slack.topLevel(CHANNEL).length;
  const sharedCause = /Likely a shared cause/.test(
    JSON.stringify(slack.topLevel(CHANNEL).find((m) => /jobs degraded within/.test(m.text))?.blocks ?? []),
  );

  // 2. Everyone presses Triage now on every job at once.
  const group = slack.topLevel(CHANNEL).find((m) => /jobs degraded within/.test(m.text))!;
  const t1 = performance.now();
  const clicks = await Promise.all(
    names.map((job) =>
      sendBlockAction(url, SIGNING_SECRET, {
        actionId: 'medic.monitor.triage',
        value: job,
        blockId: `medic-group-${job}`,
        userId: 'U0ONCALL',
        channelId: CHANNEL,
        messageTs: group.ts,
      }),
    ),
  );
  if (clicks.some((c) => c.status !== 200)) throw new Error('a click was not acked');
  const clickedAt = Date.now();
  const verdictAt = new Map<string, number>();
  const reportAt = new Map<string, number>();
  /** Reports carried by each reply that carried any. */
  const reportReplies: number[] = [];
  const rowOf = (job: string) =>
    JSON.stringify(
      ((slack.message(CHANNEL, group.ts)?.blocks ?? []) as { block_id?: string }[]).find(
        (b) => b.block_id === `medic-group-${job}`,
      ) ?? {},
    );
  const thread = () => slack.thread(CHANNEL, group.ts);
  // Cheap polling (the fake Slack shares this process: a heavy poll would slow its answers): each
  // thread reply is looked at once, and only the rows not yet showing their verdict.
  const seen = new Set<string>();
  await waitFor(
    'every verdict on the group message and every full report in its thread',
    () => {
      const now = performance.now() - t1;
      for (const m of thread()) {
        if (seen.has(m.ts)) continue;
        seen.add(m.ts);
        // One reply may carry several reports (those ready at the same channel token).
        if (!/triage took/.test(JSON.stringify(m.blocks ?? []))) continue;
        const carried = names.filter((j) => m.text.includes(j) && !reportAt.has(j));
        for (const job of carried) reportAt.set(job, now);
        if (carried.length) reportReplies.push(carried.length);
      }
      for (const job of names)
        if (!verdictAt.has(job) && /triaged:|could not finish/.test(rowOf(job))) verdictAt.set(job, now);
      return verdictAt.size === names.length && reportAt.size === names.length;
    },
    300_000,
    50,
  );
  let checklistsMs = NaN;
  await waitFor(
    'the deferred checklists in the thread',
    () => {
      const n = thread().filter((m) => /^Checklist of /.test(m.text)).length;
      if (n >= JOBS) checklistsMs = performance.now() - t1;
      return n >= JOBS;
    },
    300_000,
    100,
  ).catch((err: unknown) => console.error(String(err)));
  const checklistsInThread = thread().filter((m) => /^Checklist of /.test(m.text)).length;
  const verdictTimes = [...verdictAt.values()].sort((x, y) => x - y);
  const reportTimes = [...reportAt.values()].sort((x, y) => x - y);
  const topLevelAfter = slack.topLevel(CHANNEL).length;
  const threadReplies = thread().length;

  // Slack calls from the clicks on: the most in any one second, and the mean over their span.
  const rate = (method: string, inChannel: boolean) => {
    const times = slack.calls
      .filter(
        (c) =>
          c.method === method &&
          c.status !== 429 &&
          c.at >= clickedAt - 1000 &&
          (!inChannel || c.args.channel === CHANNEL),
      )
      .map((c) => c.at)
      .sort((x, y) => x - y);
    let max = 0;
    for (let i = 0, j = 0; j < times.length; j++) {
      while (times[j]! - times[i]! >= 1000) i++;
      max = Math.max(max, j - i + 1);
    }
    const span = times.length > 1 ? (times[times.length - 1]! - times[0]!) / 1000 : 1;
    return { n: times.length, max, mean: times.length / span };
  };
  const posts = rate('chat.postMessage', true);
  const updates = rate('chat.update', false);
  const ephemerals = rate('chat.postEphemeral', false);
  const rateLimited = slack.calls.filter((c) => c.status === 429);
  const limitedBy = [...new Set(rateLimited.map((c) => c.method))].join(', ') || '—';
  const awsCalls = sim.requests().length;
  // Per API: how many, and the most in any 1 s window (what the budget lets through).
  const byService = new Map<string, number[]>();
  for (const r of sim.requests()) byService.set(r.service, [...(byService.get(r.service) ?? []), r.at]);
  const perService = [...byService.entries()]
    .map(([svc, ats]) => {
      ats.sort((a, b) => a - b);
      let max = 0;
      for (let i = 0, j = 0; i < ats.length; i++) {
        while (ats[i]! - ats[j]! >= 1000) j++;
        max = Math.max(max, i - j + 1);
      }
      return `${svc} ${ats.length} (≤ ${max}/s)`;
    })
    .join(', ');

  const peaks = [a, b].map((p) => mem(p.child.pid!, 'VmHWM'));
  for (const p of [a, b]) p.child.kill('SIGTERM');
  await Promise.all([a, b].map((p) => new Promise((r) => p.child.once('exit', r))));
  await monitor.close();
  await dropPrefix(prefix);
  redis.disconnect();
  await slack.stop();
  await sim.stop();

  const f = (ms: number) => `${Math.round(ms).toLocaleString('en-US')} ms`;
  console.log(
    `\nstorm benchmark — ${new Date().toISOString().slice(0, 10)}, ${cpus().length} cores, ${Math.round(totalmem() / 2 ** 30)} GiB, node ${process.version}`,
  );
  console.log(
    `${JOBS} degraded Glue jobs (2,000 input objects each), ${LATENCY} ms per AWS call, AWS request budget ${BUDGET}/s${S3_BUDGET ? ` (S3 ${S3_BUDGET}/s)` : ''}, two bot processes (role all + role worker) on one Redis, fake Slack limiting chat.postMessage to 1/s per channel (bursts of 5), chat.update to 50/min per workspace (bursts of 10), chat.postEphemeral to 100/min (bursts of 30), then 429\n`,
  );
  console.log('| measure | value |');
  console.log('| --- | --- |');
  console.log(`| evaluations → group message listing all ${JOBS} | ${f(alertedMs)} |`);
  console.log(
    `| alert messages in the channel before triage | ${alertMessages} (shared-cause hint: ${sharedCause ? 'yes' : 'no'}) |`,
  );
  const pp = (t: number[]) => `${f(pct(t, 50))} / ${f(pct(t, 95))} / ${f(t[t.length - 1]!)}`;
  console.log(
    `| ${JOBS} Triage now clicks → verdict on the group message, p50 / p95 / last | ${pp(verdictTimes)} |`,
  );
  console.log(
    `| ${JOBS} Triage now clicks → full report in its thread, p50 / p95 / last | ${pp(reportTimes)} |`,
  );
  console.log(
    `| thread replies carrying the reports (reports in each) | ${reportReplies.length} (${reportReplies.join(', ')}) |`,
  );
  console.log(
    `| clicks → last deferred checklist in the thread (${checklistsInThread} checklists there) | ${f(checklistsMs)} |`,
  );
  console.log(
    `| messages in the channel after the triages: top level, thread replies | ${topLevelAfter}, ${threadReplies} |`,
  );
  console.log(
    `| chat.postMessage into the channel from the clicks on: total, most in any 1 s, mean per s | ${posts.n}, ${posts.max}, ${posts.mean.toFixed(2)} |`,
  );
  console.log(
    `| chat.update (workspace-wide, Tier 3) from the clicks on: total, most in any 1 s, mean per s | ${updates.n}, ${updates.max}, ${updates.mean.toFixed(2)} |`,
  );
  console.log(`| chat.postEphemeral (Tier 4): total, most in any 1 s | ${ephemerals.n}, ${ephemerals.max} |`);
  console.log(`| HTTP 429 from Slack (methods) | ${rateLimited.length} (${limitedBy}) |`);
  console.log(`| AWS requests | ${awsCalls} |`);
  console.log(`| AWS requests per API (most in any 1 s) | ${perService} |`);
  console.log(
    `| RSS at rest (role all, role worker) → peak during the storm (VmHWM, node + tsx) | ${atRest.map((m) => `${m.toFixed(0)} MiB`).join(', ')} → ${peaks.map((m) => `${m.toFixed(0)} MiB`).join(', ')} |`,
  );
  process.exit(0);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
