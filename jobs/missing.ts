// The /missing processor: the missing-data runbook's report. List the window's partitions under
// the job's output (one listing from the window's first key), read the Parquet footers of tiny
// partitions for their row counts, find the newest partition for freshness, read the job's runs,
// bookmark and upstream job, then post the report. In an incident channel the missing-data
// runbook joins the incident's checklist and the findings land on the timeline.
import type { Job } from 'bullmq';
import type { Deps } from '../src/deps.js';
import type { Logger } from '../src/logger.js';
import { MissingPayload } from '../src/queue/payloads.js';
import { jobProvider } from '../src/config/index.js';
import {
  ProviderError,
  type JobPlatform,
  type ObjectInfo,
  type ObjectStore,
} from '../src/providers/ports.js';
import { parseObjectUri } from '../src/providers/object-uri.js';
import { dataFiles, readFacts } from '../src/providers/backfill-footers.js';
import {
  analyseMissing,
  defaultWindow,
  describePartitioning,
  inferPartitioning,
  isLocation,
  MissingDataError,
  newestOf,
  parsePartitioning,
  partitionOfKey,
  type PartitionFacts,
  type Partitioning,
  type RunFacts,
} from '../src/domain/missing-data.js';
import { renderMissingReport, type MissingReportModel } from '../src/slack/blocks/missing-report.js';
import { slackBlocks } from '../src/slack/blocks/kit.js';
import { escapeMrkdwn } from '../src/slack/mrkdwn.js';
import { attachRunbook } from '../src/slack/runbook-attach.js';

/** Objects listed for one report at most (a window of 366 days of a busy table stays bounded). */
const MAX_OBJECTS = 200_000;
/** Footers are read for partitions this small (likely empty files), up to this many files in all. */
const TINY_PARTITION_BYTES = 1024 * 1024;
const MAX_FOOTERS = 400;
const DAY_MS = 86_400_000;

function withSlash(prefix: string): string {
  return prefix === '' || prefix.endsWith('/') ? prefix : `${prefix}/`;
}

export interface Located {
  store: ObjectStore;
  container: string;
  prefix: string;
  uri: string;
}

/**
 * The location of a target: the URI itself, else the job's `output` (else `input`) from medic.yml,
 * else the job definition's own output (else input) argument, as /triage finds a job's input.
 */
export async function locate(deps: Deps, target: string): Promise<Located> {
  const jobCfg = deps.config.medic.jobs[target];
  let uri = isLocation(target) ? target : (jobCfg?.output ?? jobCfg?.input);
  if (!uri) {
    const def = await deps.providers.jobPlatform(jobProvider(deps.config.medic, target)).getJob(target);
    uri = def.outputLocation ?? def.inputLocation;
    if (!uri)
      throw new MissingDataError(
        `${target} names no output location: set jobs.${target}.output (or input) in medic.yml`,
      );
  }
  const loc = parseObjectUri(uri);
  return {
    store: deps.providers.objectStore(loc.scheme),
    container: loc.container,
    prefix: withSlash(loc.prefix),
    uri,
  };
}

/** The partitioning: configured, else inferred from the first keys under the location. */
export async function partitioningOf(
  deps: Deps,
  target: string,
  at: Located,
): Promise<{ partitioning: Partitioning; inferred: boolean } | undefined> {
  const spec = deps.config.medic.jobs[target]?.partitioning;
  if (spec) return { partitioning: parsePartitioning(spec), inferred: false };
  const page = await at.store.listPage({ container: at.container, prefix: at.prefix, maxKeys: 200 });
  const rel = dataFiles(page.objects).map((o) => o.key.slice(at.prefix.length));
  const p = inferPartitioning(rel);
  return p ? { partitioning: p, inferred: true } : undefined;
}

/** The newest partition under the location (delimiter listings: dates, then that date's hours). */
export async function newestPartition(at: Located, p: Partitioning): Promise<string | undefined> {
  const list = async (prefix: string): Promise<string[]> => {
    const out: string[] = [];
    let token: string | undefined;
    do {
      const page = await at.store.listPage({
        container: at.container,
        prefix,
        delimiter: '/',
        ...(token ? { token } : {}),
      });
      out.push(...page.prefixes);
      token = page.nextToken;
    } while (token && out.length < 100_000);
    return out;
  };
  const dates = (await list(`${at.prefix}${p.dateKey}=`))
    .map((x) => x.slice(at.prefix.length))
    .filter((x) => /=\d{4}-\d{2}-\d{2}\/$/.test(x))
    .sort()
    .reverse();
  if (!p.hourKey) return dates[0];
  for (const d of dates.slice(0, 3)) {
    const hours = (await list(`${at.prefix}${d}${p.hourKey}=`))
      .map((x) => x.slice(at.prefix.length))
      .filter((x) => partitionOfKey(p, `${x}f`) === x);
    const newest = newestOf(hours);
    if (newest) return newest;
  }
  return undefined;
}

/** Facts of every partition of the window: one listing from the window's first key to its last. */
async function windowFacts(
  at: Located,
  p: Partitioning,
  from: string,
  to: string,
): Promise<Map<string, PartitionFacts>> {
  const base = `${at.prefix}${p.dateKey}=`;
  const files = new Map<string, ObjectInfo[]>();
  const seen = new Set<string>();
  let token: string | undefined;
  let listed = 0;
  outer: do {
    const page = await at.store.listPage({
      container: at.container,
      prefix: base,
      ...(token ? { token } : { startAfter: `${base}${from}` }),
    });
    for (const o of page.objects) {
      const rel = o.key.slice(at.prefix.length);
      const part = partitionOfKey(p, rel);
      if (!part) continue;
      const date = part.slice(p.dateKey.length + 1, p.dateKey.length + 11);
      if (date > to) break outer;
      if (date < from) continue;
      seen.add(part);
      if (dataFiles([o]).length) files.set(part, [...(files.get(part) ?? []), o]);
    }
    listed += page.objects.length;
    token = page.nextToken;
  } while (token && listed < MAX_OBJECTS);
  const facts = new Map<string, PartitionFacts>();
  let footers = 0;
  for (const part of [...seen].sort()) {
    const objs = files.get(part) ?? [];
    const bytes = objs.reduce((s, o) => s + o.size, 0);
    const f: PartitionFacts = { objects: objs.length, bytes };
    const parquet = objs.filter((o) => o.key.endsWith('.parquet'));
    if (
      objs.length &&
      bytes < TINY_PARTITION_BYTES &&
      parquet.length === objs.length &&
      footers + objs.length <= MAX_FOOTERS
    ) {
      footers += objs.length;
      const read = await readFacts(at.store, at.container, objs);
      if (read.every((r) => r.footer)) f.rows = read.reduce((s, r) => s + r.footer!.rows, 0);
    }
    facts.set(part, f);
  }
  return facts;
}

function toRunFacts(r: Awaited<ReturnType<JobPlatform['listRuns']>>[number]): RunFacts {
  return {
    id: r.id,
    state: r.state,
    startedOn: r.startedOn,
    ...(r.errorMessage ? { errorMessage: r.errorMessage } : {}),
    parameters: r.parameters ?? {},
  };
}

/** Everything the report shows, gathered. Throws MissingDataError for what the user must fix. */
export async function gatherMissing(
  deps: Deps,
  target: string,
  window: { from?: string | undefined; to?: string | undefined },
  log: Logger,
): Promise<MissingReportModel> {
  const cfg = deps.config.medic;
  const jobCfg = isLocation(target) ? undefined : cfg.jobs[target];
  const job = isLocation(target) ? undefined : target;
  const at = await locate(deps, target);
  const { from, to } =
    window.from && window.to ? { from: window.from, to: window.to } : defaultWindow(deps.now());
  const part = await partitioningOf(deps, target, at);
  if (!part)
    return {
      target,
      location: at.uri,
      failure: `no date partitions (\`dt=YYYY-MM-DD/\`) under this location, so there are no expected partitions to check. If it is partitioned another way, set \`jobs.${job ?? '<job>'}.partitioning\` in medic.yml: \`dt=YYYY-MM-DD\` (daily) or \`dt=YYYY-MM-DD/hour=HH\` (hourly).`,
    };
  const facts = await windowFacts(at, part.partitioning, from, to);
  const freshnessHours = jobCfg?.freshnessHours;
  const newest = freshnessHours !== undefined ? await newestPartition(at, part.partitioning) : undefined;
  let runs: RunFacts[] = [];
  let bookmark: string | undefined;
  let upstream: MissingReportModel['upstream'];
  if (job) {
    const platform = deps.providers.jobPlatform(jobProvider(cfg, job));
    try {
      const since = new Date(Date.parse(`${from}T00:00:00Z`) - DAY_MS);
      runs = (await platform.listRuns(job, { maxRuns: 1000, since })).map(toRunFacts);
    } catch (err) {
      if (!(err instanceof ProviderError) || err.retryable) throw err;
      log.warn({ err, job }, 'runs not readable for the missing-data report');
    }
    if (platform.bookmarks) {
      try {
        const def = await platform.getJob(job);
        const setting = platform.bookmarks.setting(def);
        if (setting?.enabled) {
          const pos = await platform.bookmarks.position(job);
          bookmark = pos?.runId
            ? `enabled; the job's bookmark is at run \`${pos.runId.replace(/`/g, "'")}\` (a run re-reading old dates needs a reset or an isolated backfill)`
            : 'enabled; no bookmark recorded yet';
        } else
          bookmark = setting ? `disabled (\`${setting.option.replace(/`/g, "'")}\`)` : 'not used by this job';
      } catch (err) {
        if (!(err instanceof ProviderError) || err.retryable) throw err;
        bookmark = `unknown (${err.code})`;
      }
    }
    if (jobCfg?.upstream) {
      const name = jobCfg.upstream;
      const provider = jobProvider(cfg, name);
      const up = deps.providers.jobPlatform(provider);
      try {
        const [latest] = await up.listRuns(name, { maxRuns: 1 });
        const def = await up.getJob(name);
        upstream = {
          job: name,
          provider,
          ...(latest
            ? {
                latest: {
                  id: latest.id,
                  state: latest.platformState ?? latest.state.toUpperCase(),
                  ...(latest.errorMessage ? { errorMessage: latest.errorMessage } : {}),
                },
              }
            : {}),
          ...(def.capacity?.count !== undefined ? { workers: def.capacity.count } : {}),
          ...(def.capacity?.size ? { size: def.capacity.size } : {}),
        };
      } catch (err) {
        if (!(err instanceof ProviderError) || err.retryable) throw err;
        upstream = { job: name, provider, problem: `${err.code}: ${err.message}` };
      }
    }
  }
  const report = analyseMissing({
    partitioning: part.partitioning,
    inferred: part.inferred,
    from,
    to,
    now: deps.now(),
    partitions: facts,
    runs,
    ...(freshnessHours !== undefined ? { freshnessHours } : {}),
    ...(newest ? { newestPartition: newest } : {}),
  });
  return {
    target,
    location: at.uri,
    ...(job ? { job } : {}),
    report,
    ...(bookmark ? { bookmark } : {}),
    ...(upstream ? { upstream } : {}),
    backfillable: Boolean(jobCfg?.input && jobCfg.output && jobCfg.stagingJob),
    env: deps.config.env.MEDIC_ENV,
  };
}

/** Posts the report in the channel; in an incident channel attaches the missing-data runbook. */
export async function postMissingReport(
  deps: Deps,
  channel: string,
  model: MissingReportModel,
  log: Logger,
): Promise<void> {
  const incident = await deps.incidents.forChannel(channel).catch(() => undefined);
  const open = incident && incident.status !== 'resolved' ? incident : undefined;
  if (open) model.incidentId = open.id;
  const msg = renderMissingReport(model);
  await deps.slack.chat.postMessage({
    channel,
    text: msg.text,
    blocks: slackBlocks(msg.blocks),
    unfurl_links: false,
  });
  const r = model.report;
  if (!open || !r) return;
  const problems = r.absent.length + r.empty.length + r.small.length;
  await deps.timeline.append(open.id, {
    at: deps.now(),
    kind: 'finding',
    actor: 'medic',
    text: `/missing ${model.target}: ${r.absent.length} absent, ${r.empty.length} empty, ${r.small.length} small of ${r.expected} partitions ${r.from} → ${r.to}${r.problems.length ? ` (${r.problems.map((p) => `${p.date} ${p.verdict}`).join(', ')})` : ''}`,
  });
  if (!problems && !r.freshness?.late) return;
  const failed = r.problems.filter((p) => p.verdict === 'failed').length;
  await attachRunbook(deps, open.id, 'missing-data', {
    reason: `/missing ${model.target} found ${problems} problem partition(s)`,
    tick: [
      { item: 'partitions-listed', note: `${r.expected} expected, ${problems} missing, empty or small` },
      { item: 'runs-checked', note: `${r.problems.length} date(s), ${failed} with a failed run` },
      ...(model.upstream?.latest
        ? [{ item: 'upstream-checked', note: `${model.upstream.job} ${model.upstream.latest.state}` }]
        : []),
    ],
  });
  log.info({ incidentId: open.id }, 'missing-data runbook attached');
}

export function missingProcessor(deps: Deps) {
  return async (job: Job, log: Logger) => {
    const p = MissingPayload.parse(job.data);
    const channel = p.requester.channelId;
    let model: MissingReportModel;
    try {
      model = await gatherMissing(deps, p.target, { from: p.from, to: p.to }, log);
    } catch (err) {
      const known =
        err instanceof MissingDataError ||
        (err instanceof ProviderError && !err.retryable) ||
        (err instanceof Error && err.name === 'ObjectUriError');
      if (!known) throw err;
      model = {
        target: p.target,
        failure:
          err instanceof ProviderError && err.code === 'ACCESS_DENIED'
            ? `access denied (${err.action ?? 'listing'})`
            : escapeMrkdwn((err as Error).message),
      };
    }
    await postMissingReport(deps, channel, model, log);
    const r = model.report;
    log.info(
      {
        target: p.target,
        partitioning: r ? describePartitioning(r.partitioning) : undefined,
        problems: r?.problems.length,
      },
      'missing-data report posted',
    );
    return { state: model.failure ? 'failed' : r?.problems.length ? 'missing' : 'complete' };
  };
}
