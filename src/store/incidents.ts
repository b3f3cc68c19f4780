// Incidents in Redis. A channel where /triage ran (or an incident was declared) has one open
// incident; its record, timeline and checklist live under MEDIC_PREFIX.
//
// Keys (P = prefix):
//   P:incident:<id>            hash: the record, one JSON field 'data' plus 'version'
//   P:incident-channel:<chan>  string: id of the channel's open incident
//   P:incident-job:<job>       set: ids of the job's incidents (open or not)
//   P:incident-seq:<yyyymmdd>  counter for ids
//   P:timeline:<id>            list of JSON entries, append-only
//   P:timeline-keys:<id>       set of dedup keys (a :pushpin: on the same message is one entry)
//   P:checklist:<id>           hash: item id → JSON state (one field per item, so two people
//                              ticking different items at once never overwrite each other)
import type { Redis } from 'ioredis';
import { z } from 'zod';
import { PROVIDER_NAMES } from '../providers/names.js';

export const IncidentStatus = z.enum(['investigating', 'mitigating', 'monitoring', 'resolved']);
export type IncidentStatus = z.infer<typeof IncidentStatus>;

export const Incident = z.object({
  id: z.string(),
  title: z.string(),
  job: z.string().optional(),
  provider: z.enum(PROVIDER_NAMES).optional(),
  env: z.string(),
  channel: z.string(),
  severity: z.enum(['sev1', 'sev2', 'sev3']).default('sev3'),
  status: IncidentStatus,
  commander: z.string(),
  dataOwner: z.string().optional(),
  oncallSre: z.string().optional(),
  openedAt: z.number(),
  mitigatedAt: z.number().optional(),
  resolvedAt: z.number().optional(),
  cause: z.string().optional(),
  /** Slack ts of the latest triage report and of the checklist message in the channel. */
  reportTs: z.string().optional(),
  checklistTs: z.string().optional(),
  /** The latest triage's verdict and findings, for status, escalation and the post-mortem. */
  latest: z
    .object({
      verdict: z.string(),
      summary: z.string(),
      findings: z.array(z.object({ id: z.string(), cause: z.string(), confidence: z.string() })),
      problematicRunIds: z.array(z.string()),
      at: z.number(),
      /** Top error signatures (escalation "logs"): category, count, one redacted excerpt. */
      signatures: z
        .array(z.object({ category: z.string(), count: z.number(), excerpt: z.string().optional() }))
        .optional(),
      /** Links to the problematic runs' console pages and log streams. */
      links: z.array(z.object({ label: z.string(), url: z.string() })).optional(),
      /** Figures against the baseline (escalation "metrics", post-mortem "impact"). */
      metrics: z
        .object({
          baselineSeconds: z.number().optional(),
          recentSeconds: z.array(z.number()).optional(),
          usageUnit: z.string().optional(),
          usageHoursPerRun: z.number().optional(),
          baselineUsageHoursPerRun: z.number().optional(),

          costPerRunUsd: z.number().optional(),
          baselineCostPerRunUsd: z.number().optional(),
          extraCostUsd: z.number().optional(),
          failedRuns: z.number().optional(),
          lateRuns: z.number().optional(),
        })
        .optional(),
    })
    .optional(),
  /** Name of the dedicated channel (declare), the channel it was declared from, the pinned summary. */
  channelName: z.string().optional(),
  declaredIn: z.string().optional(),
  summaryTs: z.string().optional(),
  /** How the incident was mitigated, when someone said so (`/incident resolve --cause` keeps the cause). */
  correction: z.string().optional(),
  /** Progress of the last escalation, so a retried or restarted escalation job never notifies twice. */
  escalation: z
    .object({
      key: z.string(),
      reason: z.enum(['timer', 'manual']),
      by: z.string().optional(),
      startedAt: z.number(),
      channelTs: z.string().optional(),
      dmTs: z.string().optional(),
      pagedAt: z.number().optional(),
      doneAt: z.number().optional(),
    })
    .optional(),
  /** Escalations so far (timer and manual). */
  escalations: z.number().optional(),
});
export type Incident = z.infer<typeof Incident>;

// KEYS[1] = record; ARGV[1] = version read; ARGV[2] = new data. Writes only if nobody else did.
const CAS_SCRIPT = `
local v = redis.call('HGET', KEYS[1], 'version')
if (v or '') ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], 'data', ARGV[2])
redis.call('HINCRBY', KEYS[1], 'version', 1)
return 1`;

export class IncidentStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  key(...parts: string[]): string {
    return [this.prefix, ...parts].join(':');
  }

  async get(id: string): Promise<Incident | undefined> {
    const raw = await this.redis.hget(this.key('incident', id), 'data');
    return raw ? Incident.parse(JSON.parse(raw)) : undefined;
  }

  async forChannel(channel: string): Promise<Incident | undefined> {
    const id = await this.redis.get(this.key('incident-channel', channel));
    return id ? this.get(id) : undefined;
  }

  /**
   * The channel's open incident, or a new one. Creation is atomic (SET NX on the channel key), so
   * two triages starting at once in one channel share one incident.
   */
  async openForChannel(
    channel: string,
    init: Omit<Incident, 'id' | 'channel' | 'status' | 'openedAt' | 'severity'> & {
      severity?: Incident['severity'];
    },
    now = Date.now(),
  ): Promise<{ incident: Incident; created: boolean }> {
    const existing = await this.forChannel(channel);
    if (existing && existing.status !== 'resolved') return { incident: existing, created: false };
    const day = new Date(now).toISOString().slice(0, 10).replace(/-/g, '');
    const n = await this.redis.incr(this.key('incident-seq', day));
    const incident: Incident = Incident.parse({
      ...init,
      id: `INC-${day}-${n}`,
      channel,
      status: 'investigating',
      openedAt: now,
    });
    const claimed = existing
      ? await this.redis
          .multi()
          .set(this.key('incident-channel', channel), incident.id)
          .exec()
          .then(() => 'OK')
      : await this.redis.set(this.key('incident-channel', channel), incident.id, 'NX');
    if (claimed !== 'OK') {
      const winner = await this.forChannel(channel);
      if (winner) return { incident: winner, created: false };
    }
    await this.redis.hset(this.key('incident', incident.id), 'data', JSON.stringify(incident), 'version', 1);
    if (incident.job) await this.redis.sadd(this.key('incident-job', incident.job), incident.id);
    return { incident, created: true };
  }

  /** The job's incidents that are not resolved, newest first. */
  async openForJob(job: string): Promise<Incident[]> {
    const ids = await this.redis.smembers(this.key('incident-job', job));
    const all = await Promise.all(ids.map((id) => this.get(id)));
    return all
      .filter((i): i is Incident => i !== undefined && i.status !== 'resolved')
      .sort((a, b) => b.openedAt - a.openedAt);
  }

  /**
   * A short exclusive claim (SET NX PX) on a name, e.g. "post the checklist message of INC-1" or
   * "declare in C123": true for the one caller that got it. `release` gives it back early.
   */
  async claim(name: string, ttlMs: number): Promise<boolean> {
    return (await this.redis.set(this.key('claim', name), '1', 'PX', ttlMs, 'NX')) === 'OK';
  }

  async release(name: string): Promise<void> {
    await this.redis.del(this.key('claim', name));
  }

  /**
   * Read-modify-write with a compare-and-set on the record's version (a Lua script, so it holds
   * even when several callers share one Redis connection, where WATCH would not), retried on
   * conflict, so concurrent updates never lose a field. `change` returning undefined means "no
   * change".
   */
  async update(id: string, change: (i: Incident) => Incident | undefined): Promise<Incident | undefined> {
    const key = this.key('incident', id);
    for (let attempt = 0; attempt < 50; attempt++) {
      const [raw, version] = await this.redis.hmget(key, 'data', 'version');
      if (!raw) return undefined;
      const current = Incident.parse(JSON.parse(raw));
      const next = change(current);
      if (!next) return current;
      const parsed = Incident.parse(next);
      const ok = await this.redis.eval(CAS_SCRIPT, 1, key, version ?? '', JSON.stringify(parsed));
      if (ok === 1) return parsed;
    }
    throw new Error(`incident ${id} is being updated too often; gave up after 50 attempts`);
  }
}
