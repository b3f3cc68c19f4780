// Gathering for a triage, independent of Slack: the runbook's steps 1–4 through the provider
// ports, the degradation rule and the diagnosis. The Slack processor (triage.ts), the `medic
// triage` CLI and the benchmark all run this; `onUpdate` is called as parts arrive.
//
// Why one file of ~650 lines: the runbook's steps share one budget of time and one evidence object,
// and run concurrently (runs first, then logs, volume, metrics and Spark logs side by side); split
// by step, each file would need the same half of this one. The analyses themselves live in domain/.
import type { Redis } from 'ioredis';
import type { AppConfig } from '../src/config/index.js';
import { degradationFor, jobProvider, schemaTableOf } from '../src/config/index.js';
import type { Logger } from '../src/logger.js';
import {
  ProviderError,
  type JobDefinition,
  type JobPlatform,
  type JobRun,
  type MetricsSource,
  type ProviderName,
  type Providers,
} from '../src/providers/ports.js';
import type { PartitionCacheInfo } from './partition-cache.js';
import { runSmallFilesScan, type SmallFilesResult } from './smallfiles-core.js';
import { describeSummary } from '../src/domain/small-file-compare.js';
import { code, escapeMrkdwn } from '../src/slack/mrkdwn.js';
import { evaluateDegradation, type DegradationVerdict } from '../src/domain/degradation.js';
import { LogClassifier } from '../src/domain/log-signatures.js';
import { analyzeSkew } from '../src/domain/skew.js';
import {
  describeDiff,
  logPerformanceSignals,
  logSignalFindings,
  sparkEvidence,
  type RunCapacity,
} from '../src/domain/spark/index.js';
import { withSparkEvidence } from '../src/domain/spark-diagnosis.js';
import { compareRunMetrics } from '../src/domain/run-metrics.js';
import { eventLogReader, listEventLogs } from '../src/providers/spark-event-logs.js';
import { ObjectUriError, parseObjectUri } from '../src/providers/object-uri.js';
import {
  diagnose,
  type DiagnosisEvidence,
  type VolumeComparison,
  type Finding,
} from '../src/domain/diagnosis.js';
import { suggestNames } from '../src/domain/suggest.js';
import { formatInt, plural } from '../src/domain/format.js';
import type { TriageReportModel } from '../src/slack/blocks/triage-report.js';
import { readJobTags } from './cost-gather.js';

const HISTORY_DAYS = 90;
/** Log events read per run and group: enough for signatures, bounded for huge logs. */
const MAX_EVENTS_PER_STREAM = 20_000;
const MAX_RUNS_FOR_LOGS = 5;

type Step = TriageReportModel['steps'][number];

export interface GatherDeps {
  config: AppConfig;
  /** Where each scan's summary is kept as the location's baseline (optional: the CLI has none). */
  state?: Redis;
  providers: Providers;
  logger: Logger;
  now: () => number;
}

export interface TriageRequest {
  job: string;
  provider?: ProviderName;
  env?: 'dev' | 'staging' | 'prod';
  runs?: number;
  thresholdPct?: number;
  consecutiveRuns?: number;
  input?: string;
  requestedAt: number;
}

export interface TriageOutcome {
  model: TriageReportModel;
  /** Set when the triage could not finish (unknown job, access denied); model.failure says why. */
  failed: boolean;
  verdict?: DegradationVerdict;
  findings: Finding[];
  runs: JobRun[];
  logsGathered: boolean;
  volumeCompared: boolean;
  /** Spark-level evidence was read (an event log, performance log lines or job metrics). */
  sparkReviewed: boolean;
  /** Time spent per phase, for the report and the benchmark. */
  phasesMs: Record<string, number>;
}

/** A new report model for a request: what is shown before anything is gathered. */
export function initialModel(config: AppConfig, req: TriageRequest): TriageReportModel {
  const cfg = config.medic;
  return {
    job: req.job,
    provider: jobProvider(cfg, req.job, req.provider),
    region: cfg.region ?? config.env.AWS_REGION ?? 'us-east-1',
    env: req.env ?? config.env.MEDIC_ENV,
    phase: 'gathering',
    steps: [{ name: 'Job definition and recent runs', state: 'running' }],
    missing: [],
    throttled: false,
  };
}

export class TriageGatherer {
  readonly model: TriageReportModel;
  private readonly phasesMs: Record<string, number> = {};
  /** The job's platform, once the registry gave it. */
  private platform: JobPlatform | undefined;

  constructor(
    private readonly deps: GatherDeps,
    private readonly p: TriageRequest,
    private readonly onUpdate: (model: TriageReportModel) => Promise<void> = async () => {},
    model?: TriageReportModel,
  ) {
    this.model = model ?? initialModel(deps.config, p);
  }

  private get log() {
    return this.deps.logger;
  }

  private publish(): Promise<void> {
    return this.onUpdate(this.model);
  }

  private async timed<T>(phase: string, work: () => Promise<T>): Promise<T> {
    const t0 = performance.now();
    try {
      return await work();
    } finally {
      this.phasesMs[phase] = Math.round(performance.now() - t0);
    }
  }

  private outcome(extra: Partial<TriageOutcome>): TriageOutcome {
    return {
      model: this.model,
      failed: false,
      findings: [],
      runs: [],
      logsGathered: false,
      volumeCompared: false,
      sparkReviewed: false,
      phasesMs: this.phasesMs,
      ...extra,
    };
  }

  /**
   * Gather, evaluate and diagnose. Throws ProviderError THROTTLED / UNAVAILABLE when retrying later
   * can help; other provider failures end in a failed outcome with model.failure set.
   */
  async run(): Promise<TriageOutcome> {
    // Throttling the SDK retried successfully leaves no error behind; the adapters' counters do.
    // They are per process, so a concurrent triage's throttling can show here too: the note says
    // requests were slowed, which stays true.
    const throttledBefore = this.deps.providers.stats().throttled;
    try {
      return await this.gather();
    } finally {
      if (this.deps.providers.stats().throttled > throttledBefore) this.model.throttled = true;
    }
  }

  private async gather(): Promise<TriageOutcome> {
    const { deps, p } = this;
    const cfg = deps.config.medic;
    const jobCfg = cfg.jobs[p.job];
    let platform: JobPlatform;
    try {
      platform = deps.providers.jobPlatform(this.model.provider);
    } catch (err) {
      if (!(err instanceof ProviderError)) throw err;
      return this.fail(`${this.model.provider} triage is not available`, [escapeMrkdwn(err.message)]);
    }
    this.platform = platform;
    this.model.platform = platform.terms.platform;
    this.model.cloud = platform.terms.cloud;
    // Where the job lives, in the platform's terms (Synapse: its workspace), when not a region.
    this.model.region = platform.locationOf?.(p.job) ?? this.model.region;

    // 1. Job definition and runs, in parallel.
    const maxRuns = p.runs ?? cfg.defaults.maxRuns;
    const since = new Date(deps.now() - HISTORY_DAYS * 86_400_000);
    const [defRes, runsRes] = await this.timed('runs', () =>
      Promise.allSettled([platform.getJob(p.job), platform.listRuns(p.job, { maxRuns, since })]),
    );
    if (defRes.status === 'rejected' || runsRes.status === 'rejected') {
      const err = (
        defRes.status === 'rejected' ? defRes.reason : (runsRes as PromiseRejectedResult).reason
      ) as unknown;
      return this.failFromProvider(err);
    }
    const def = defRes.value;
    const runs = runsRes.value;
    this.model.jobDefinition = {
      ...(def.capacity ? { capacity: def.capacity } : {}),
      ...(def.lastModifiedOn ? { lastModifiedOn: def.lastModifiedOn } : {}),
    };
    const rule = {
      ...degradationFor(cfg, p.job),
      ...(p.thresholdPct !== undefined ? { thresholdPct: p.thresholdPct } : {}),
      ...(p.consecutiveRuns !== undefined ? { consecutiveRuns: p.consecutiveRuns } : {}),
    };
    const verdict = evaluateDegradation(runs, rule);
    this.model.verdict = verdict;
    this.setStep('Job definition and recent runs', 'done', `${plural(runs.length, 'run')} read`);

    // 2. Evidence, in parallel.
    const logLocations = jobCfg?.logGroups ?? def.logLocations;
    const inputUri = p.input ?? jobCfg?.input ?? def.inputLocation;
    const schemaTable = schemaTableOf(jobCfg);
    const metricsSource = deps.providers.metrics(this.model.provider);
    this.model.steps.push(
      { name: 'Logs of the problematic runs', state: 'running' },
      { name: 'Input volume and small files', state: inputUri ? 'running' : 'skipped' },
      { name: 'Spark event logs', state: def.sparkEventLogLocation ? 'running' : 'skipped' },
      { name: 'Job metrics', state: metricsSource ? 'running' : 'skipped' },
    );
    await this.publish();
    // Cost controls: the job's tags against costControls.requiredTags, beside the rest.
    const tagsRead =
      cfg.costControls.requiredTags.length > 0 && platform.tags
        ? this.timed('tags', () => readJobTags(deps, p.job, platform))
        : undefined;
    const [logs, volume, tables, bookmark, sparkLogs, metrics] = await Promise.all([
      this.timed('logs', () => this.gatherLogs(runs, verdict, logLocations)),
      inputUri ? this.timed('volume', () => this.gatherVolume(inputUri)) : Promise.resolve(undefined),
      schemaTable
        ? this.timed('catalog', () => this.gatherTables(schemaTable.database, schemaTable.name))
        : Promise.resolve(undefined),
      this.timed('bookmark', () => this.gatherBookmark(def, runs)),
      def.sparkEventLogLocation
        ? this.timed('spark', () => this.gatherSparkEvidence(def.sparkEventLogLocation!, runs, verdict))
        : Promise.resolve(undefined),
      metricsSource
        ? this.timed('metrics', () => this.gatherMetrics(metricsSource, runs, verdict))
        : Promise.resolve(undefined),
    ]);
    if (!inputUri) this.model.missing.push('input location unknown (set jobs.<job>.input or pass --input)');
    if (tagsRead) {
      this.model.tags = await tagsRead;
      if (this.model.tags.state === 'unavailable') this.model.missing.push(this.model.tags.reason);
    }

    // 3. Diagnosis. Spark evidence from the event log when one was read, else from the
    // performance lines of the logs (spill, Python workers, full GCs) against each run's capacity.
    const spark =
      sparkLogs?.run.summary !== undefined
        ? sparkLogs.findings
        : logs
          ? logSignalFindings(logPerformanceSignals(logs.signatures), runCapacities(runs, verdict))
          : [];
    const skewnessJob = metrics?.run.skewnessJob;
    const skew = logs
      ? analyzeSkew(logs.stageTaskTimes, {
          ...(skewnessJob !== undefined && metricsSource
            ? {
                skewnessMetric: {
                  name: metricsSource.nativeName?.('skewnessJob') ?? 'skewnessJob',
                  value: skewnessJob,
                },
              }
            : {}),
        })
      : undefined;
    const evidence: DiagnosisEvidence = {
      degradation: verdict,
      runs,
      perRunParameters: platform.perRunParameters,
      parameterPrefix: platform.terms.parameterPrefix,

      ...(logs ? { signatures: logs.signatures } : {}),
      ...(skew ? { skew } : {}),
      ...(def.lastModifiedOn ? { jobLastModifiedOn: def.lastModifiedOn } : {}),
      ...(volume?.comparison ? { volume: volume.comparison } : {}),
      ...(tables ? { tableVersions: tables } : {}),
      ...(bookmark ? { bookmark } : {}),
    };
    const findings = withSparkEvidence(diagnose(evidence), spark);
    this.model.findings = findings;
    this.model.phase = 'final';
    this.model.elapsedMs = this.deps.now() - p.requestedAt;
    const sparkReviewed =
      sparkLogs?.run.summary !== undefined ||
      (logs?.signatures.some((s) => s.kind === 'performance') ?? false) ||
      // Job metrics count as the Spark review when they show GC pressure or shuffle (heap, shuffle
      // bytes, failed tasks), not a pool's allocated cores alone.
      SPARK_METRICS.some((name) => metrics?.run[name] !== undefined);
    return this.outcome({
      verdict,
      findings,
      runs,
      logsGathered: logs !== undefined,
      volumeCompared: volume?.comparison !== undefined,
      sparkReviewed,
    });
  }

  /**
   * The runbook's "Revisión Spark UI": the problematic run's Spark event log and a baseline run's,
   * found under the job's event-log location by time window and run id, read streamed, evaluated
   * and diffed. What cannot be found or read is said, never an error.
   */
  private async gatherSparkEvidence(location: string, runs: JobRun[], verdict: DegradationVerdict) {
    const step = 'Spark event logs';
    const byId = new Map(runs.map((r) => [r.id, r]));
    const run = byId.get(verdict.problematicRunIds[0] ?? verdict.recentRunIds[0] ?? '');
    if (!run) {
      this.setStep(step, 'skipped', 'no run to read');
      return undefined;
    }
    const baselines = verdict.baselineRunIds
      .slice(0, 3)
      .map((id) => byId.get(id))
      .filter((r): r is JobRun => r !== undefined);
    try {
      const loc = parseObjectUri(location);
      const store = this.deps.providers.objectStore(loc.scheme);
      const starts = [run, ...baselines].map((r) => r.startedOn.getTime());
      const listing = await listEventLogs(store, loc, {
        window: {
          from: new Date(Math.min(...starts) - 5 * 60_000),
          to: new Date(run.completedOn?.getTime() ?? this.deps.now()),
        },
      });
      const ev = await sparkEvidence({
        listing,
        read: eventLogReader(store, loc.container, listing),
        run,
        baselines,
        now: new Date(this.deps.now()),
      });
      this.model.missing.push(...ev.notes.map((n) => `Spark event logs: ${n}`));
      if (!ev.run.summary) {
        this.setStep(step, 'failed', ev.run.notRead?.detail ?? 'no event log found for the run');
        return ev;
      }
      this.model.spark = {
        source: `event log ${ev.run.log?.appId ?? ''} of run ${run.id}${ev.baseline?.summary ? ` against ${ev.baseline.runId}` : ''}`,
        lines: ev.diff ? describeDiff(ev.diff) : [],
      };
      this.setStep(
        step,
        'done',
        `run ${run.id}${ev.baseline?.summary ? ` and baseline ${ev.baseline.runId}` : ''}`,
      );
      return ev;
    } catch (err) {
      if (!(err instanceof ProviderError) && !(err instanceof ObjectUriError)) throw err;
      const what = `Spark event logs: ${err instanceof ProviderError && err.code === 'ACCESS_DENIED' ? `access denied (${err.action ?? 's3:GetObject'})` : err.message}`;
      this.model.missing.push(what);
      this.setStep(step, 'failed', what);
      return undefined;
    } finally {
      await this.publish();
    }
  }

  /** The runbook's step 3 figures of the problematic run against the baseline runs. */
  private async gatherMetrics(source: MetricsSource, runs: JobRun[], verdict: DegradationVerdict) {
    const step = 'Job metrics';
    const byId = new Map(runs.map((r) => [r.id, r]));
    const run = byId.get(verdict.problematicRunIds[0] ?? verdict.recentRunIds[0] ?? '');
    if (!run) {
      this.setStep(step, 'skipped', 'no run to compare');
      return undefined;
    }
    const baselines = verdict.baselineRunIds
      .slice(0, 5)
      .map((id) => byId.get(id))
      .filter((r): r is JobRun => r !== undefined);
    try {
      const [first, ...rest] = await source.runMetrics(this.p.job, [run, ...baselines]);
      const cmp = compareRunMetrics(first ?? { runId: run.id, series: [] }, rest);
      if (!cmp.hasMetrics) {
        this.model.metrics = {
          lines: [source.howToEnable ?? 'The platform kept no metrics for these runs.'],
        };
        this.setStep(step, 'done', 'none kept for these runs');
      } else {
        this.model.metrics = { lines: cmp.lines, runId: run.id };
        this.setStep(step, 'done', `run ${run.id} against ${plural(rest.length, 'baseline run')}`);
      }
      await this.publish();
      return cmp;
    } catch (err) {
      if (!(err instanceof ProviderError)) throw err;
      if (err.code === 'THROTTLED') this.model.throttled = true;
      const what = `metrics: ${err.code === 'ACCESS_DENIED' ? `access denied (${err.action ?? 'cloudwatch:GetMetricData'})` : err.message}`;
      this.model.missing.push(what);
      this.setStep(step, 'failed', what);
      await this.publish();
      return undefined;
    }
  }

  private setStep(name: string, state: Step['state'], detail?: string) {
    const step = this.model.steps.find((s) => s.name === name);
    if (step) {
      step.state = state;
      if (detail) step.detail = detail;
      else delete step.detail;
    }
  }

  private fail(title: string, lines: string[]): TriageOutcome {
    this.model.failure = { title, lines };
    this.model.phase = 'failed';
    this.model.elapsedMs = this.deps.now() - this.p.requestedAt;
    for (const s of this.model.steps) if (s.state === 'running') s.state = 'failed';
    return this.outcome({ failed: true });
  }

  private async failFromProvider(err: unknown): Promise<TriageOutcome> {
    if (!(err instanceof ProviderError)) throw err;
    const terms = this.platform!.terms;
    if (err.code === 'NOT_FOUND') {
      let suggestions: string[] = [];
      try {
        suggestions = suggestNames(this.p.job, await this.platform!.listJobNames());
      } catch (e) {
        this.log.warn({ err: e }, 'could not list jobs for suggestions');
      }
      return this.fail(`No ${terms.job} named ${this.p.job}`, [
        `${terms.short} answered that ${code(this.p.job)} does not exist in ${escapeMrkdwn(this.model.region)}.`,
        suggestions.length
          ? `Did you mean ${suggestions.map((s) => code(s)).join(', ')}?`
          : 'No job with a similar name was found.',
      ]);
    }
    if (err.code === 'ACCESS_DENIED') {
      // Azure names the role that grants the action in the message: say it too.
      const role = /\(role ([^)]+)\)/.exec(err.message)?.[1];
      // No action refused: no credential at all (the message says which of the chain failed).
      if (!err.action)
        return this.fail('Access denied', [
          escapeMrkdwn(err.message),
          `Give the bot an identity ${terms.short} accepts (README), then run ${code(`/triage ${this.p.job}`)} again.`,
        ]);
      return this.fail('Access denied', [
        `${terms.short} refused ${code(err.action)}${role ? ` (granted by the role ${escapeMrkdwn(role)})` : ''}. Grant it to the bot's identity (the README has the least-privilege ${terms.permissions}), then run ${code(`/triage ${this.p.job}`)} again.`,
      ]);
    }
    if (err.code === 'THROTTLED' || err.code === 'UNAVAILABLE') {
      // Worth retrying: BullMQ's attempts and backoff apply; the retry updates this message.
      this.model.throttled = err.code === 'THROTTLED';
      throw err;
    }
    return this.fail(`${terms.short} refused the request`, [escapeMrkdwn(err.message)]);
  }

  private async gatherLogs(runs: JobRun[], verdict: DegradationVerdict, locations: string[] | undefined) {
    const byId = new Map(runs.map((r) => [r.id, r]));
    const wanted = (verdict.problematicRunIds.length ? verdict.problematicRunIds : verdict.recentRunIds)
      .slice(0, MAX_RUNS_FOR_LOGS)
      .map((id) => byId.get(id))
      .filter((r): r is JobRun => r !== undefined);
    const classifier = new LogClassifier();
    let read;
    try {
      read = await this.deps.providers.logSource(this.model.provider).readRunLogs(
        {
          job: this.p.job,
          runs: wanted,
          ...(locations ? { locations } : {}),
          maxEventsPerRun: MAX_EVENTS_PER_STREAM,
        },
        (e) =>
          classifier.add({ timestamp: e.timestamp, message: e.message, stream: e.source, runId: e.runId }),
      );
    } catch (err) {
      if (!(err instanceof ProviderError)) throw err;
      read = {
        events: 0,
        sources: 0,
        locations: [],
        problems: [{ code: err.code, message: err.message }],
        throttled: err.code === 'THROTTLED',
      };
    }
    if (read.throttled) this.model.throttled = true;
    const problems = [...new Set(read.problems.map((p) => `logs: ${p.message}`))];
    this.model.missing.push(...problems);
    if (problems.length && read.events === 0) {
      this.setStep('Logs of the problematic runs', 'failed', problems.join('; '));
      await this.publish();
      return undefined;
    }
    const result = classifier.result();
    this.model.signatures = result.signatures;
    this.model.logsRead = { events: read.events, streams: read.sources };
    this.setStep(
      'Logs of the problematic runs',
      'done',
      `${plural(read.events, 'event')} from ${plural(read.sources, 'stream')} of ${plural(wanted.length, 'run')}`,
    );
    await this.publish();
    return result;
  }

  /**
   * The runbook's step 4 through the same scan as /smallfiles (runSmallFilesScan): listing or S3
   * Inventory, the location's previous scan as its baseline (one Redis key for both commands), and
   * the newest date partition against the median of the earlier ones.
   */
  private async gatherVolume(uri: string): Promise<{ comparison?: VolumeComparison } | undefined> {
    const step = 'Input volume and small files';
    try {
      const result = await runSmallFilesScan(this.deps, {
        uri,
        partitionCache: this.deps.config.medic.defaults.triagePartitionCache,
      });
      if (result.scan.slowed) this.model.throttled = true;
      // The listing alone: the phase also waits for its progress update to reach Slack.
      this.phasesMs.volumeListing = result.scan.durationMs;
      const comparison = volumeComparison(result);
      this.model.volume = {
        lines: [
          describeSummary(result.scan.summary),
          ...(result.trend?.sentences ?? []),
          ...(result.previous?.comparison.sentences ?? []),
          result.recommendation.reason,
        ],
        source: `${result.location}, ${result.scan.source === 'inventory' ? 'from S3 Inventory' : `listed in ${(result.scan.durationMs / 1000).toFixed(1)} s`}${cacheNote(result.partitionCache, this.deps.now())}`,
      };
      this.setStep(step, 'done', `${formatInt(result.scan.summary.objects)} objects`);
      await this.publish();
      return comparison ? { comparison } : {};
    } catch (err) {
      if (!(err instanceof ProviderError) && !(err instanceof ObjectUriError)) throw err;
      const what =
        err instanceof ObjectUriError
          ? `input: ${err.message}`
          : err.code === 'ACCESS_DENIED'
            ? `input: access denied (${err.action ?? 's3:ListBucket'})`
            : err.code === 'NOT_FOUND'
              ? `input: ${uri} not found`
              : `input: ${err.message}`;
      this.model.missing.push(what);
      this.setStep(step, 'failed', what);
      return undefined;
    }
  }

  private async gatherTables(database: string, table: string) {
    const catalog = this.platform?.catalog;
    if (!catalog) {
      this.model.missing.push(`catalog: ${this.model.platform ?? this.model.provider} has no table catalog`);
      return undefined;
    }
    try {
      const versions = await catalog.tableVersions(database, table, 20);
      return versions.map((v) => ({
        table: `${database}.${table}`,
        versionId: v.versionId,
        ...(v.updateTime ? { updateTime: v.updateTime } : {}),
      }));
    } catch (err) {
      if (!(err instanceof ProviderError)) throw err;
      this.model.missing.push(
        `catalog: ${err.code === 'ACCESS_DENIED' ? `access denied (${err.action})` : err.message}`,
      );
      return undefined;
    }
  }

  private async gatherBookmark(def: JobDefinition, runs: JobRun[]) {
    const bookmarks = this.platform?.bookmarks;
    const setting = bookmarks?.setting(def);
    if (!bookmarks || !setting) return undefined;
    const { option } = setting;
    if (!setting.enabled) return { option };
    try {
      const b = await bookmarks.position(def.name);
      const latestOk = runs.find((r) => r.state === 'succeeded');
      return {
        option,

        ...(b?.runId ? { bookmarkRunId: b.runId } : {}),
        ...(latestOk ? { latestSuccessfulRunId: latestOk.id } : {}),
      };
    } catch (err) {
      if (!(err instanceof ProviderError)) throw err;
      this.model.missing.push(`bookmark: ${err.message}`);
      return { option };
    }
  }
}

/**
 * The diagnosis's view of a scan: the newest date partition against the median of the earlier
 * ones when the layout is date-partitioned, else the location against its previous scan.
 */
export function volumeComparison(r: SmallFilesResult): VolumeComparison | undefined {
  const thresholdBytes = r.scan.summary.thresholdBytes;
  const newest = r.trend?.newest[r.trend.newest.length - 1];
  if (r.trend && newest) {
    return {
      now: { files: newest.files, bytes: newest.bytes, smallFiles: newest.smallFiles },
      baseline: {
        files: r.trend.median.files,
        bytes: r.trend.median.bytes,
        smallFiles: r.trend.median.smallFiles,
      },
      scope: `newest partition (${newest.date})`,
      baselineLabel: `median of the ${r.trend.earlierDates} earlier ones`,
      smallFileBytes: thresholdBytes,
    };
  }
  const s = r.scan.summary;
  if (s.files === 0) return undefined;
  const now = { files: s.files, bytes: s.bytes, smallFiles: s.smallFiles };
  const prev = r.previous?.comparison.previous;
  return prev
    ? {
        now,
        baseline: { files: prev.files, bytes: prev.bytes, smallFiles: prev.smallFiles },
        scope: 'input',
        baselineLabel: 'previous scan',
        smallFileBytes: thresholdBytes,
      }
    : { now, scope: 'input', smallFileBytes: thresholdBytes };
}

/** Job metrics that say what the review of the Spark UI would: GC pressure, shuffle, failed tasks. */
const SPARK_METRICS = [
  'executorHeapUsage',
  'driverHeapUsage',
  'shuffleBytesWritten',
  'shuffleBytesRead',
  'failedTasks',
];

/** What each problematic run held, for judging its log lines (spill, GC, Python time) against it. */
function runCapacities(runs: JobRun[], verdict: DegradationVerdict): RunCapacity[] {
  const ids = new Set([...verdict.problematicRunIds, ...verdict.recentRunIds]);
  return runs
    .filter((r) => ids.has(r.id))
    .map((r) => ({
      runId: r.id,
      executionMs: r.durationSec * 1000,
      executors: r.capacity?.executors ?? Math.max(1, (r.capacity?.count ?? 2) - 1),
      coresPerExecutor: r.capacity?.coresPerExecutor ?? 4,
      ...(r.parameters.conf ? { properties: sparkConfProperties(r.parameters.conf) } : {}),
    }));
}

/** `a=1 --conf b=2` (Glue's one --conf argument holding several) as properties. */
function sparkConfProperties(conf: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of conf.split(/\s+--conf\s+/)) {
    const i = part.indexOf('=');
    if (i > 0) out[part.slice(0, i).trim()] = part.slice(i + 1).trim();
  }
  return out;
}

/** What of the volume came from the partition cache, and how old it is (jobs/partition-cache.ts). */
function cacheNote(c: PartitionCacheInfo | undefined, now: number): string {
  if (!c) return '';
  const waited =
    c.waitedMs !== undefined
      ? `, after ${(c.waitedMs / 1000).toFixed(1)} s waiting for a scan of it in flight`
      : '';
  if (c.fromCache === 0) return waited;
  const ageMin = c.oldestAt !== undefined ? Math.max(0, Math.round((now - c.oldestAt) / 60_000)) : undefined;
  const age =
    ageMin === undefined ? '' : ageMin < 1 ? ', under a minute old' : `, up to ${formatAge(ageMin)} old`;
  return `${waited}; ${c.relisted} of ${c.partitions} partitions listed, ${c.fromCache} unchanged from the cache${age}`;
}

function formatAge(minutes: number): string {
  if (minutes < 120) return `${minutes} min`;
  if (minutes < 48 * 60) return `${Math.round(minutes / 60)} h`;
  return `${Math.round(minutes / 1440)} days`;
}
