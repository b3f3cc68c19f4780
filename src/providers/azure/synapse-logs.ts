// LogSource over Synapse and Log Analytics: for each run, the failing activity's `error.message`
// (queryActivityRuns) — or, when no activity says why, the pipeline run's own message — and the
// Spark application log lines of its notebook and Spark-job activities from Log Analytics
// (SparkLoggingEvent_CL, by the application ids the activities' outputs name). Every event is
// tagged with its run id. A part that cannot be read is a problem in the answer, never a throw.
//
// Locations (jobs.<job>.logGroups, when set, replaces the defaults): `activity-runs` (Synapse's
// own activity errors) and Log Analytics workspace ids (default: azure.logAnalyticsWorkspaceId).
import { ProviderError } from '../ports.js';
import type { CallStats, LogProblem, LogSource, RunLogRead, RunWindow } from '../ports.js';
import { addStats, emptyStats } from '../ports.js';
import type { ActivityRun, SynapseClient } from './synapse-client.js';
import type { LogAnalyticsClient } from './log-analytics-client.js';
import { SPARK_LOG_TABLE } from './log-analytics-client.js';
import type { SynapseTarget } from './synapse-jobs.js';

export const ACTIVITY_RUNS_LOCATION = 'activity-runs';
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const RUN_CONCURRENCY = 4;
const DAY = 86_400_000;

export interface SynapseLogSourceOptions {
  resolve(job: string): SynapseTarget;
  clientFor(target: SynapseTarget): SynapseClient;
  /** A Log Analytics client for a workspace id (one per id, cached by the caller or here). */
  logAnalytics(workspaceId: string): LogAnalyticsClient;
  /** azure.logAnalyticsWorkspaceId: where the Spark pools send their application logs. */
  logAnalyticsWorkspaceId?: string;
  now?: () => number;
}

export interface SynapseLogSource extends LogSource {
  stats(): CallStats;
}

/** A ProviderError as a problem of one part, named the way the report lists what is missing. */
export function problemOf(err: ProviderError, part: string): LogProblem {
  const role = /\(role ([^)]+)\)/.exec(err.message)?.[1];
  const message =
    err.code === 'ACCESS_DENIED'
      ? `${part}: access denied (${err.action ?? 'unknown action'}${role ? `; role ${role}` : ''})`
      : `${part}: ${err.message}`;
  return { code: err.code, message, ...(err.action ? { action: err.action } : {}) };
}

async function runLimited(thunks: (() => Promise<void>)[], limit: number): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, thunks.length) }, async () => {
      while (next < thunks.length) await thunks[next++]!();
    }),
  );
}

export function createSynapseLogSource(opts: SynapseLogSourceOptions): SynapseLogSource {
  const now = opts.now ?? Date.now;
  const used = new Set<LogAnalyticsClient>();
  const la = (id: string) => {
    const c = opts.logAnalytics(id);
    used.add(c);
    return c;
  };

  return {
    stats() {
      const total = emptyStats();
      for (const c of used) addStats(total, c.stats());
      return total;
    },

    async readRunLogs(req, onEvent) {
      const defaults = [
        ACTIVITY_RUNS_LOCATION,
        ...(opts.logAnalyticsWorkspaceId ? [opts.logAnalyticsWorkspaceId] : []),
      ];
      const locations = req.locations?.length ? [...req.locations] : defaults;
      const problems = new Map<string, LogProblem>();
      const problem = (p: LogProblem) => problems.set(p.message, p);
      let events = 0;
      let throttled = false;
      const sources = new Set<string>();
      const emit = (runId: string, timestamp: Date, message: string, source: string) => {
        events++;
        sources.add(source);
        onEvent({ runId, timestamp, message, source });
      };
      const failed = (err: unknown, part: string) => {
        if (!(err instanceof ProviderError)) throw err;
        if (err.code === 'THROTTLED') throttled = true;
        if (err.code === 'NOT_FOUND' && GUID.test(part.replace(/^Log Analytics /, '')))
          problem({ code: err.code, message: `${part} not found` });
        else problem(problemOf(err, part));
      };
      const read = (): RunLogRead => ({
        events,
        sources: sources.size,
        locations: locations.map((l) =>
          l === ACTIVITY_RUNS_LOCATION ? 'Synapse activity runs' : `Log Analytics ${l} (${SPARK_LOG_TABLE})`,
        ),
        problems: [...problems.values()],
        throttled,
      });

      if (!req.locations?.length && !opts.logAnalyticsWorkspaceId)
        problem({
          code: 'INVALID_INPUT',
          message:
            'Spark application logs not read: azure.logAnalyticsWorkspaceId is not set (only the activity errors were)',
        });
      const wantActivities = locations.includes(ACTIVITY_RUNS_LOCATION);
      const workspaces = locations.filter((l) => l !== ACTIVITY_RUNS_LOCATION);
      for (const l of workspaces)
        if (!GUID.test(l))
          problem({
            code: 'INVALID_INPUT',
            message: `log location "${l}" is neither ${ACTIVITY_RUNS_LOCATION} nor a Log Analytics workspace id`,
          });
      const laIds = workspaces.filter((l) => GUID.test(l));

      let target: SynapseTarget;
      let client: SynapseClient;
      try {
        target = opts.resolve(req.job);
        client = opts.clientFor(target);
      } catch (err) {
        failed(err, 'logs');
        return read();
      }

      const perRun = async (run: RunWindow) => {
        const end = run.completedOn?.getTime() ?? now();
        let activities: ActivityRun[] = [];
        try {
          activities = await client.queryActivityRuns(target.pipeline, run.id, {
            after: new Date(run.startedOn.getTime() - DAY),
            before: new Date(end + DAY),
            ...(req.signal ? { signal: req.signal } : {}),
          });
        } catch (err) {
          failed(err, 'activity runs');
        }
        if (wantActivities) {
          const errors = activities.filter((a) => a.error?.message);
          for (const a of errors)
            emit(run.id, a.end ?? a.start ?? run.startedOn, a.error!.message, `activity ${a.activityName}`);
          // No activity said why: the pipeline run's own message (a failure before any activity).
          if (!errors.length && activities.every((a) => a.status !== 'Failed')) {
            try {
              const r = await client.getPipelineRun(run.id, req.signal ? { signal: req.signal } : {});
              if (r.status === 'Failed' && r.message)
                emit(run.id, r.runEnd ?? run.startedOn, r.message, 'pipeline run');
            } catch (err) {
              failed(err, 'pipeline run');
            }
          }
        }
        const appIds = [...new Set(activities.flatMap((a) => (a.spark?.appId ? [a.spark.appId] : [])))];
        if (!appIds.length) return;
        for (const id of laIds) {
          try {
            const lines = await la(id).sparkLogEvents(
              appIds,
              { start: new Date(run.startedOn.getTime() - 60_000), end: new Date(end + 5 * 60_000) },
              { max: req.maxEventsPerRun, ...(req.signal ? { signal: req.signal } : {}) },
            );
            for (const e of lines)
              emit(
                run.id,
                e.timestamp,
                e.level && e.logger ? `${e.level} ${e.logger}: ${e.message}` : e.message,
                `${SPARK_LOG_TABLE}/${e.applicationId ?? appIds[0]}`,
              );
          } catch (err) {
            failed(err, `Log Analytics ${id}`);
          }
        }
      };
      await runLimited(
        req.runs.map((r) => () => perRun(r)),
        RUN_CONCURRENCY,
      );
      return read();
    },
  };
}
