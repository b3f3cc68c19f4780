// The triage processor: posts a first message at once, runs the gathering (triage-gather.ts) and
// updates the message in place as parts arrive (progress versions are droppable: sent only when
// Slack's chat.update budget has a token at once, so the final version never waits behind them),
// then puts the chart and the details in the thread, ticks the checklist, and writes the timeline
// and the incident's summary.
// A retry (the worker died, Slack failed) finds the message it already posted and updates it, so
// there is never a second report.
//
// Started from a storm's group message (payload.group), a triage posts nothing of its own into
// the channel — Slack allows about one message a second per channel, and 20 triages of ~5 posts
// each would queue for 100 s: its row on the group message goes triaging… → verdict and top
// cause (chat.update, coalesced, not limited per channel), then its full report goes into the
// group message's thread, in one reply with whatever other reports are ready at the channel's
// next token (src/slack/storm-thread.ts); the charts, the details and the incidents' checklists
// follow in the thread once every report of the storm is in (jobs/triage-storm.ts).
//
// Why ~420 lines: the message's whole life (first post, in-place updates, the final report, the
// thread, the last attempt's failure message) must be one state machine to stay idempotent on retry.
import type { Job } from 'bullmq';
import type { Deps } from '../src/deps.js';
import type { Logger } from '../src/logger.js';
import { TriagePayload } from '../src/queue/payloads.js';
import { ProviderError, type JobRun } from '../src/providers/ports.js';
import type { DegradationVerdict } from '../src/domain/degradation.js';
import { recoveryTarget, type Finding, type RecoveryTarget } from '../src/domain/diagnosis.js';
import { plural } from '../src/domain/format.js';
import {
  fallbackText,
  mitigationButtons,
  renderTriageDetails,
  renderTriageReport,
  type ReportFinding,
  type TriageReportModel,
} from '../src/slack/blocks/triage-report.js';
import { encodeRequestValue } from '../src/slack/blocks/approval-request.js';
import { encodeBackfillValue, MISSING_BACKFILL_ACTION_ID } from '../src/slack/blocks/missing-report.js';
import { runsWindow, windowRangeProblem } from '../src/domain/backfill-window.js';
import { uploadBeforeNext } from '../src/slack/file-share.js';
import { actions, button, slackBlocks, type Block } from '../src/slack/blocks/kit.js';
import { TriageGatherer, initialModel } from './triage-gather.js';
import { scheduleEscalation } from '../src/queue/escalation.js';
import { escapeMrkdwn } from '../src/slack/mrkdwn.js';
import { retryActions, retryingNote } from '../src/slack/blocks/retry.js';
import { refreshChecklistMessage } from '../src/slack/checklist-message.js';
import { medianCostUsd } from '../src/domain/degradation.js';
import { CostNotices } from '../src/store/cost-notices.js';
import { hasJob, type Incident, type TriageSnapshot } from '../src/store/incidents.js';
import { declareAnywayValue, saveTriageSnapshot } from '../src/slack/actions/incident-choice.js';
import { verdictLabel, verdictText } from '../src/domain/format.js';
import { readGroup, setGroupTriage } from '../src/slack/alert-group-message.js';
import { progressUpdate } from '../src/slack/client.js';
import { deliverToThread } from '../src/slack/storm-thread.js';
import { chartUpload, deferToStormEnd, durationsChartInput, flushStormExtras } from './triage-storm.js';
import { triageSettled, type GroupTriage } from '../src/domain/alert-group.js';

export function triageProcessor(deps: Deps) {
  return async (
    job: Job,
    log: Logger,
  ): Promise<{
    verdict: string;
    findings: string[];
    reportTs: string;
    phasesMs?: Record<string, number>;
  }> => {
    const p = TriagePayload.parse(job.data);
    const triage = new Triage(deps, job, p, log);
    try {
      return await triage.run();
    } catch (err) {
      // A storm row must not stay "triaging…" after the last attempt (nor hold back the checklists).
      if (p.group && job.attemptsMade + 1 >= (job.opts.attempts ?? 1)) await triage.settleFailed(err);
      throw err;
    }
  };
}

/**
 * A storm triage BullMQ failed without running it (its workers died on it, jobs/final-state.ts):
 * its row says so and settles, so the storm's deferred charts and checklists are not held back.
 */
export async function settleLostStormTriage(deps: Deps, job: Job, err: unknown): Promise<void> {
  const parsed = TriagePayload.safeParse(job.data);
  if (!parsed.success || !parsed.data.group) return;
  const log = deps.logger.child({ queue: 'triage', jobId: job.id });
  await new Triage(deps, job, parsed.data, log).settleFailed(err);
}

class Triage {
  private readonly model: TriageReportModel;
  private readonly channel: string;
  private reportTs: string | undefined;
  private incidentId = '';
  /** A FAILING job's failed run the platform can resume: offered beside the findings' buttons. */
  private recovery: RecoveryTarget | undefined;
  /** The window of the controlled backfill a finding calls for (schema drift), when the job has one. */
  private backfill: { from: string; to: string } | undefined;
  /** The last attempt failed on an outage or throttling: the report ends with Retry. */
  private retryable = false;
  /** Started from a storm's group message: reports on its row and in its thread. */
  private readonly group: { id: string; ts: string } | undefined;
  /** The final version of the report is up (this attempt or an earlier one): nothing replaces it. */
  private finalSent = false;

  constructor(
    private readonly deps: Deps,
    private readonly job: Job,
    private readonly p: TriagePayload,
    private readonly log: Logger,
  ) {
    this.channel = p.requester.channelId;
    this.model = initialModel(deps.config, p);
    this.group = p.group;
  }

  /** Its row on the group message (rendered in the background: a triage never waits for it). */
  private async row(change: Partial<GroupTriage>, render = true): Promise<void> {
    if (!this.group) return;
    const tagged = { ...change, requestedAt: this.p.requestedAt };
    await setGroupTriage(this.deps, this.channel, this.group.id, this.p.job, tagged, this.log, {
      render,
    }).catch((err: unknown) => this.log.warn({ err }, 'could not update the group row'));
  }

  /** The last attempt threw: the row says so and the storm's checklists are not held back. */
  async settleFailed(err: unknown): Promise<void> {
    await this.row({
      state: 'failed',
      cause: err instanceof Error ? err.message.slice(0, 150) : 'unexpected error',
      settled: true,
    });
    await this.flushChecklists().catch((e: unknown) => this.log.warn({ err: e }, 'checklist flush failed'));
  }

  async run() {
    const { deps, p } = this;
    // The incident is decided once the verdict is known (none for a typo or a healthy job), but a
    // triage of a job that already has an open incident here, or that its requester added to one,
    // belongs to it from the start.
    await this.knownIncident();
    await this.row({ state: 'triaging' });

    // job.updateData keeps the posted message's ts with the job, so a retry updates it.
    this.reportTs = p.reportTs;
    // A retry whose earlier attempt already put the final version up: that version stays (sent
    // once); this attempt's progress versions must not overwrite it.
    if (this.reportTs) this.finalSent = (await deps.state.get(this.finalKey)) === '1';
    await this.publish();
    const gatherer = new TriageGatherer(deps, p, () => this.publish(), this.model);
    let outcome;
    try {
      outcome = await gatherer.run();
    } catch (err) {
      // Throttling and outages are retried (BullMQ attempts); after the last one the report says
      // what did not answer instead of staying "Triaging…".
      const attempts = this.job.opts.attempts ?? 1;
      const last = this.job.attemptsMade + 1 >= attempts;
      if (!(err instanceof ProviderError) || !err.retryable) throw err;
      if (!last) {
        // Say so while BullMQ waits to retry; the next attempt re-renders the message whole.
        this.model.retrying = retryingNote(this.job.attemptsMade + 2, attempts, err.message);
        await this.publish(undefined, false, true).catch((e: unknown) =>
          this.log.warn({ err: e }, 'could not say it retries'),
        );
        throw err;
      }
      this.model.retrying = undefined;
      this.model.failure = {
        title: `${this.model.platform ?? this.model.provider} did not answer`,
        lines: [
          escapeMrkdwn(err.message),
          `Tried ${plural(this.job.attemptsMade + 1, 'time')}; press *Retry* (or run \`/triage ${escapeMrkdwn(p.job)}\`) once it answers.`,
        ],
      };
      this.retryable = true;
      this.model.phase = 'failed';
      this.model.elapsedMs = deps.now() - p.requestedAt;
      for (const step of this.model.steps) if (step.state === 'running') step.state = 'failed';
      await this.row({ state: 'failed', cause: this.model.failure.title });
      await this.publish(undefined, true);
      await this.recordFailure();
      await this.settleRow();
      return { verdict: 'ERROR', findings: [], reportTs: this.reportTs ?? '' };
    }
    this.recovery = this.recoveryOffer(outcome.verdict, outcome.runs);
    this.backfill = this.backfillOffer(outcome.findings, outcome.runs);
    if (!outcome.failed && outcome.verdict) await this.decideIncident(outcome.verdict.verdict);
    if (outcome.failed || !outcome.verdict)
      await this.row({
        state: 'failed',
        cause: this.model.failure?.title ?? 'the verdict could not be computed',
      });
    else {
      const top = outcome.findings[0];
      await this.row({
        state: 'done',
        verdict: outcome.verdict.verdict,
        cause: top ? `${top.cause} (${top.confidence})` : outcome.verdict.summary.slice(0, 150),
      });
    }
    await this.publish(outcome.findings, true);
    // The report named the job's missing tags: the monitor need not say them again.
    if (this.model.tags?.state === 'read')
      await new CostNotices(deps.state, deps.config.env.MEDIC_PREFIX).rememberTags(
        p.job,
        this.model.tags.missing,
      );
    if (outcome.failed || !outcome.verdict) {
      await this.recordFailure();
      await this.settleRow();
      return { verdict: 'ERROR', findings: [], reportTs: this.reportTs ?? '' };
    }
    await this.afterReport(
      outcome.verdict,
      outcome.findings,
      outcome.runs,
      outcome.logsGathered,
      outcome.volumeCompared,
      outcome.sparkReviewed,
    );
    return {
      verdict: outcome.verdict.verdict,
      findings: outcome.findings.map((f) => f.id),
      reportTs: this.reportTs ?? '',
      phasesMs: outcome.phasesMs,
    };
  }

  /**
   * The incident this triage belongs to before its verdict: the one its requester chose to add the
   * job to, else the job's open incident in this channel. Never another job's incident.
   */
  private async knownIncident(): Promise<void> {
    const { deps, p } = this;
    let incident: Incident | undefined;
    if (p.incident?.mode === 'add' && p.incident.id) {
      const chosen = await deps.incidents.get(p.incident.id);
      if (chosen && chosen.status !== 'resolved' && chosen.channel === this.channel) {
        incident = hasJob(chosen, p.job) ? chosen : await deps.incidents.addJob(chosen.id, p.job);
        if (incident && !hasJob(chosen, p.job))
          await deps.timeline.append(
            incident.id,
            {
              at: p.requestedAt,
              kind: 'status',
              actor: p.requester.userId,
              job: p.job,
              text: `${p.job} added to ${incident.id} by /triage ${p.job}`,
            },
            `triage-added-${this.job.id}`,
          );
      }
    }
    incident ??= await deps.incidents.forChannel(this.channel, p.job);
    if (incident) await this.join(incident, false);
  }

  /**
   * After the verdict: a DEGRADED or FAILING job without an incident here gets one (with its
   * escalation timer); a healthy one, or one without enough history, gets none, and the report
   * says so and offers "Declare anyway".
   */
  private async decideIncident(verdict: string): Promise<void> {
    if (this.incidentId) return;
    const { deps, p } = this;
    if (!OPENING_VERDICTS.has(verdict)) {
      this.model.incident = { none: verdict, value: declareAnywayValue(p, this.model, this.job.id) };
      return;
    }
    const cfg = deps.config.medic;
    const jobCfg = cfg.jobs[p.job];
    const { incident, created } = await deps.incidents.openForChannel(this.channel, {
      title: `${p.job} degradation`,
      job: p.job,
      provider: this.model.provider,
      env: this.model.env,
      commander: p.requester.userId,
      ...(jobCfg?.dataOwner ? { dataOwner: jobCfg.dataOwner } : {}),
      ...(cfg.slack.oncallSre ? { oncallSre: cfg.slack.oncallSre } : {}),
    });
    if (created) {
      await deps.timeline.append(
        incident.id,
        {
          at: p.requestedAt,
          kind: 'status',
          actor: p.requester.userId,
          job: p.job,
          text: `Incident ${incident.id} opened by /triage ${p.job} (${verdictLabel(verdict)}; investigating)`,
        },
        `incident-opened-${incident.id}`,
      );
      await scheduleEscalation(deps, incident);
    }
    await this.join(incident, created);
  }

  /** This triage is part of the incident: its command on the timeline, its report on the record. */
  private async join(incident: Incident, created: boolean): Promise<void> {
    const { deps, p } = this;
    this.incidentId = incident.id;
    this.model.incident = { id: incident.id, created };
    await deps.timeline.append(
      incident.id,
      { at: p.requestedAt, kind: 'command', actor: p.requester.userId, job: p.job, text: `/triage ${p.job}` },
      `triage-command-${this.job.id}`,
    );
    if (this.reportTs && incident.reportTs !== this.reportTs) {
      const ts = this.reportTs;
      await deps.incidents.update(incident.id, (i) => ({ ...i, reportTs: ts }));
    }
    // A storm's incident keeps its checklist in the group message's thread, not in the channel.
    const group = this.group;
    if (group && !incident.threadTs && !incident.checklistTs)
      await deps.incidents.update(incident.id, (i) =>
        i.threadTs || i.checklistTs ? undefined : { ...i, threadTs: group.ts },
      );
  }

  /** A triage that could not finish: on its incident's timeline when it has one. */
  private async recordFailure(): Promise<void> {
    if (!this.incidentId) return;
    await this.deps.timeline.append(
      this.incidentId,
      {
        at: this.deps.now(),
        kind: 'report',
        actor: 'medic',
        job: this.p.job,
        text: `Triage of ${this.p.job} could not finish: ${this.model.failure?.title ?? 'unknown error'}`,
      },
      `triage-report-${this.job.id}`,
    );
  }

  /** The recovery rerun to offer, when the verdict calls for one and the platform can plan it. */
  private recoveryOffer(verdict: DegradationVerdict | undefined, runs: JobRun[]): RecoveryTarget | undefined {
    const target = recoveryTarget(verdict, runs);
    if (!target) return undefined;
    try {
      const platform = this.deps.providers.jobPlatform(this.model.provider);
      const plan = platform.planMitigation(this.p.job, {
        kind: 'recovery-rerun',
        runId: target.runId,
        ...(target.step ? { step: target.step } : {}),
      });
      return plan ? target : undefined;
    } catch (err) {
      this.log.warn({ err }, 'could not plan a recovery rerun');
      return undefined;
    }
  }

  /**
   * The controlled backfill a finding calls for (schema drift: its affected runs' days), when the
   * job has what /backfill needs (input, output, stagingJob) — the missing-data report's button.
   */
  private backfillOffer(findings: Finding[] | undefined, runs: JobRun[]) {
    const jobCfg = this.deps.config.medic.jobs[this.p.job];
    if (!jobCfg?.input || !jobCfg.output || !jobCfg.stagingJob) return undefined;
    const f = (findings ?? []).find((x) => x.mitigationKind === 'backfill');
    if (!f) return undefined;
    const window = runsWindow(runs.filter((r) => f.runIds.includes(r.id)));
    if (!window || windowRangeProblem(window.from, window.to, this.deps.now())) return undefined;
    return window;
  }

  /**
   * Post the report the first time, update it in place afterwards. From a storm's group message
   * only the final report is posted (`final`), in a reply of its thread shared with the reports
   * ready at the same time; its details follow at the end of the storm.
   */
  private async publish(findings?: Finding[], final = false, mustSend = false): Promise<void> {
    if (this.group && !final) return;
    // Once the final version is up, no later version (progress, or a retry's) replaces it.
    if (this.finalSent) return;
    const blocks: Block[] = renderTriageReport(this.model);
    // Mitigation buttons, each opening a modal whose request needs an approval. The value carries
    // what the modal prefills (no slow call may come before views.open). Backfills have their own
    // workflow (/backfill): their button opens its modal (below). A recovery rerun follows from the verdict
    // (FAILING), not from a cause: its button comes after the findings' own.
    const offered: ReportFinding[] = [
      ...(findings ?? []).filter((f) => f.mitigationKind !== 'backfill'),
      ...(findings && this.recovery
        ? [
            {
              id: 'failed-run',
              cause: 'Failed run',
              confidence: 'high',
              evidence: [],
              mitigation: 'Rerun from the failed step',
              mitigationKind: 'recovery-rerun',
            },
          ]
        : []),
    ];
    let buttons = offered.length
      ? mitigationButtons(offered, (f) =>
          encodeRequestValue({
            i: this.incidentId || undefined,
            j: this.p.job,
            p: this.model.provider,
            f: f.id,

            e: this.model.env,
            w: this.model.jobDefinition?.capacity?.count,
            t: this.model.jobDefinition?.capacity?.size,
            in:
              this.p.input ??
              this.deps.config.medic.jobs[this.p.job]?.input ??
              this.model.volume?.source?.split(', listed in ')[0],
            r:
              f.mitigationKind === 'bookmark-reset'
                ? findings?.find((x) => x.id === f.id)?.runIds[0]
                : f.mitigationKind === 'recovery-rerun'
                  ? this.recovery?.runId
                  : undefined,
            a: f.mitigationKind === 'recovery-rerun' ? this.recovery?.step : undefined,
          }),
        )
      : undefined;
    // The backfill's own workflow: the backfill modal, prefilled with the affected runs' window.
    const backfill =
      findings && this.backfill
        ? button({
            text: `Controlled backfill ${this.backfill.from} → ${this.backfill.to}`,
            actionId: MISSING_BACKFILL_ACTION_ID,
            value: encodeBackfillValue({ job: this.p.job, ...this.backfill }),
          })
        : undefined;
    if (backfill) {
      if (buttons) (buttons.elements as Block[]).push(backfill);
      else buttons = actions([{ ...backfill, style: 'primary' }], 'medic-mitigations');
    }
    if (this.retryable) {
      if (blocks.length >= 50) blocks.splice(blocks.length - 2, 1);
      blocks.push(retryActions({ queue: 'triage', jobId: String(this.job.id) }));
    }
    if (buttons) {
      // Before the footer, within the 50 blocks (the cap note gives way).
      if (blocks.length >= 50) blocks.splice(blocks.length - 2, 1);
      blocks.splice(blocks.length - 1, 0, buttons);
    }
    const text = fallbackText(this.model);
    if (this.group) {
      // A storm report: into the group's outbox, posted with whatever other reports are ready at
      // the channel's next token (src/slack/storm-thread.ts). The reply may carry several reports,
      // so it is not this job's own message (no reportTs in the job's data: nothing replaces it).
      this.reportTs = await deliverToThread(
        this.deps,
        this.channel,
        this.group,
        { key: this.stormKey, text, blocks, at: this.deps.now() },
        this.log,
      );
      if (this.incidentId)
        await this.deps.incidents.update(this.incidentId, (i) => ({ ...i, reportTs: this.reportTs }));
    } else if (!this.reportTs) {
      const res = await this.deps.slack.chat.postMessage({
        channel: this.channel,
        text,
        blocks: slackBlocks(blocks),
        unfurl_links: false,
      });
      this.reportTs = res.ts as string;
      // Remember the message before anything else can fail, so a retry updates it.
      await this.job.updateData({ ...this.job.data, reportTs: this.reportTs });
      if (this.incidentId)
        await this.deps.incidents.update(this.incidentId, (i) => ({ ...i, reportTs: this.reportTs }));
    } else {
      const update = { channel: this.channel, ts: this.reportTs, text, blocks: slackBlocks(blocks) };
      // Progress versions are droppable (src/slack/client.ts): never queued for a token, never
      // after the final one; the final version (and the retry note) goes at the first token.
      await this.deps.slack.chat.update(final || mustSend ? update : progressUpdate(update));
    }
    if (final) {
      this.finalSent = true;
      await this.deps.state.set(this.finalKey, '1', 'EX', 7 * 86_400);
    }
    if (this.group)
      await this.row({ reported: true, ...(this.incidentId ? { incidentId: this.incidentId } : {}) });
  }

  /** This triage's report in the storm thread: its job and request time (a retry is the same). */
  private get stormKey(): string {
    return `${this.p.job}:${this.p.requestedAt}`;
  }

  private get finalKey(): string {
    return `${this.deps.config.env.MEDIC_PREFIX}:triage-final:${this.job.id}`;
  }

  /** This storm triage is over (report posted, checklist ticked): the checklists may follow. */
  private async settleRow(): Promise<void> {
    if (!this.group) return;
    // Nothing the message shows changes: no render.
    await this.row({ settled: true, ...(this.incidentId ? { incidentId: this.incidentId } : {}) }, false);
    await this.flushChecklists().catch((err: unknown) => this.log.warn({ err }, 'checklist flush failed'));
  }

  /**
   * A storm's checklist messages wait until every report of the group is in the thread (a report
   * matters more than its checklist, and both take the channel's one message a second); the last
   * triage to settle posts them all, each once. An incident whose checklist is already posted is
   * updated at once (chat.update is not limited per channel).
   */
  private async flushChecklists(): Promise<void> {
    const group = this.group;
    if (!group) return;
    const { deps } = this;
    const own = this.incidentId ? await deps.incidents.get(this.incidentId) : undefined;
    if (own?.checklistTs) await refreshChecklistMessage(deps, own.id);
    const rows = await readGroup(deps, this.channel, group.id);
    if (!rows.every((r) => triageSettled(r.triage))) return;
    // Every report is in: the charts and details deferred behind them, then the checklists.
    await flushStormExtras(deps, this.channel, group, this.log);
    for (const r of rows) {
      const id = r.triage?.incidentId;
      if (!id) continue;
      const claim = `${deps.config.env.MEDIC_PREFIX}:monitor-group:${group.id}:checklist:${id}`;
      if ((await deps.state.set(claim, '1', 'EX', 86_400, 'NX')) !== 'OK') continue;
      await refreshChecklistMessage(deps, id).catch((err: unknown) =>
        this.log.warn({ err, incidentId: id }, 'could not post a deferred checklist'),
      );
    }
  }

  /** Chart and details into the thread, checklist ticks, timeline entries, incident summary. */
  private async afterReport(
    verdict: DegradationVerdict,
    findings: Finding[],
    runs: JobRun[],
    logsGathered: boolean,
    volumeCompared: boolean,
    sparkReviewed: boolean,
  ) {
    const { deps } = this;
    const ts = this.reportTs!;
    const now = deps.now();
    const threadKey = `${deps.config.env.MEDIC_PREFIX}:triage-thread:${this.job.id}`;
    // Once per triage, even when a retry gets here again.
    if ((await deps.state.set(threadKey, '1', 'EX', 7 * 86_400, 'NX')) === 'OK') {
      const details = renderTriageDetails(this.model);
      const chart = durationsChartInput(this.p.job, verdict);
      if (this.group) {
        // A storm: the chart and the details wait until every report is in the thread (the last
        // triage to settle posts them all, src/slack/storm-thread.ts), so no report waits for them.
        await deferToStormEnd(deps, this.group.id, this.stormKey, {
          job: this.p.job,
          chart,
          details,
          at: now,
        });
      } else {
        try {
          // The thread starts with the chart: the details wait until Slack has shared it.
          await uploadBeforeNext(deps.slack, await chartUpload(this.channel, ts, chart));
        } catch (err) {
          this.log.warn({ err }, 'could not upload the durations chart');
        }
        for (const blocks of details) {
          await deps.slack.chat.postMessage({
            channel: this.channel,
            thread_ts: ts,
            text: `Details of the triage of ${escapeMrkdwn(this.p.job)}`,
            blocks: slackBlocks(blocks),
            unfurl_links: false,
          });
        }
      }
    }
    const incidentId = this.incidentId;
    if (!incidentId) {
      // No incident: "Declare anyway" opens one with what this triage found.
      await saveTriageSnapshot(deps, String(this.job.id), this.snapshot(verdict, findings, now));
      await this.settleRow();
      return;
    }
    if (logsGathered && runs.length) {
      await this.tick(
        'run-ids-logs',
        `${plural(verdict.problematicRunIds.length, 'problematic run')} listed and logs read`,
      );
    }
    if (volumeCompared)
      await this.tick('input-vs-baseline', 'input size and file count compared with the baseline');
    if (sparkReviewed)
      await this.tick(
        'spark-ui-gc-shuffle',
        this.model.spark
          ? `Spark event logs read: ${this.model.spark.source}`
          : 'GC, spill and shuffle read from the logs and metrics',
      );

    await deps.timeline.append(
      incidentId,
      {
        at: now,
        kind: 'report',
        actor: 'medic',
        job: this.p.job,
        text: `Triage report of ${this.p.job}: ${verdictText(verdict.verdict, verdict.summary)}`,
      },
      `triage-report-${this.job.id}`,
    );
    for (const f of findings) {
      await deps.timeline.append(
        incidentId,
        {
          at: now,
          kind: 'finding',
          actor: 'medic',
          job: this.p.job,
          text: `${this.p.job}: ${f.cause} (${f.confidence}): ${f.evidence[0] ?? ''} → ${f.mitigation}`,
        },
        `triage-finding-${this.job.id}-${f.id}`,
      );
    }
    const snapshot = this.snapshot(verdict, findings, now);
    await deps.incidents.update(incidentId, (i) => ({
      ...i,
      latest: snapshot,
      latestByJob: { ...i.latestByJob, [this.p.job]: snapshot },
    }));
    if (this.group) await this.settleRow();
    else
      await refreshChecklistMessage(deps, incidentId).catch((err: unknown) =>
        this.log.warn({ err }, 'could not refresh the checklist message'),
      );
  }

  /** What the incident keeps of this triage. */
  private snapshot(verdict: DegradationVerdict, findings: Finding[], now: number): TriageSnapshot {
    return {
      job: this.p.job,
      verdict: verdict.verdict,
      summary: verdict.summary,
      findings: findings.map((f) => ({ id: f.id, cause: f.cause, confidence: f.confidence })),
      problematicRunIds: verdict.problematicRunIds,
      at: now,
      signatures: (this.model.signatures ?? []).slice(0, 5).map((s) => ({
        category: s.label,
        count: s.count,
        ...(s.excerpts[0] ? { excerpt: s.excerpts[0] } : {}),
      })),
      links: verdict.runs
        .filter((r) => verdict.problematicRunIds.slice(0, 5).includes(r.id))
        .flatMap((r) => [
          ...(r.links?.consoleUrl
            ? [{ label: `run ${r.id} (${this.model.platform ?? 'console'})`, url: r.links.consoleUrl }]
            : []),
          ...(r.links?.logsUrl ? [{ label: `run ${r.id} (logs)`, url: r.links.logsUrl }] : []),
        ]),
      metrics: latestMetrics(verdict),
    };
  }

  private async tick(item: string, note: string) {
    if (!this.deps.checklists.has(item)) return;
    const changed = await this.deps.checklists.set(this.incidentId, item, true, 'medic', {
      note,
      at: this.deps.now(),
      onlyIfUnset: true,
      job: this.p.job,
    });
    if (changed) {
      await this.deps.timeline.append(this.incidentId, {
        at: this.deps.now(),
        kind: 'checklist',
        actor: 'medic',
        job: this.p.job,
        text: `Checklist ticked: ${this.deps.checklists.label(item)} (${this.p.job}: ${note})`,
      });
    }
  }
}

/** Verdicts that open an incident by themselves; the others need "Declare anyway". */
const OPENING_VERDICTS = new Set(['DEGRADED', 'FAILING']);

/** The verdict's figures as the incident keeps them for escalation and the post-mortem. */
function latestMetrics(v: DegradationVerdict) {
  const recent = v.runs.filter((r) => r.role === 'recent');
  const m = {
    baselineSeconds: v.baselineDurationSec,
    recentSeconds: recent.map((r) => r.durationSec),
    usageUnit: v.usage.unit,
    usageHoursPerRun: v.usage.recentMedian,
    baselineUsageHoursPerRun: v.usage.baselineMedian,

    costPerRunUsd: medianCostUsd(v, 'recent'),
    baselineCostPerRunUsd: medianCostUsd(v, 'baseline'),
    extraCostUsd: v.extraCost?.extraUsd,
    failedRuns: v.failedRuns.length,
    lateRuns: v.degradedRuns.length,
  };
  return Object.fromEntries(Object.entries(m).filter(([, x]) => x !== undefined));
}
