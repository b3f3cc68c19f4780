// Incidents in Redis. An incident belongs to its job(s) and lives in a channel; a channel may hold
// several open incidents (one per job, unless someone added a job to an open one). Its record,
// timeline and checklist live under MEDIC_PREFIX.
//
// Keys (P = prefix):
//   P:incident:<id>            hash: the record, one JSON field 'data' plus 'version'
//   P:incidents-in:<chan>      sorted set: ids of the channel's incidents (open or not), by openedAt
//   P:incident-channel:<chan>  string: the one incident of a channel, as older versions kept it (read only)
//   P:incident-open:<chan>:<job>  string: id of the open incident of that job in that channel, so
//                              two triages of one job starting at once open one incident
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

/** What one triage found, kept per job for status, escalation and the post-mortem. */
export const TriageSnapshot = z.object({
  /** The job triaged (absent in records written before incidents had several jobs). */
  job: z.string().optional(),
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
});
export type TriageSnapshot = z.infer<typeof TriageSnapshot>;

export const Incident = z.object({
  id: z.string(),
  title: z.string(),
  /** The job the incident was opened for (the first of `jobs`). */
  job: z.string().optional(),
  /** Every job of the incident: the first one and those added to it ("Add to INC-…"). */
  jobs: z.array(z.string()).optional(),
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
  /** The thread its checklist goes in (a storm's group message), when not the channel itself. */
  threadTs: z.string().optional(),
  /** The latest triage's verdict and findings (of any of its jobs), for status and escalation. */
  latest: TriageSnapshot.optional(),
  /** The latest triage of each job, for the post-mortem (each job with its own verdict). */
  latestByJob: z.record(z.string(), TriageSnapshot).optional(),
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

/** Every job of an incident, the first one first. */
export function jobsOf(i: Pick<Incident, 'job' | 'jobs'>): string[] {
  return [...new Set([...(i.job ? [i.job] : []), ...(i.jobs ?? [])])];
}

/** True when the incident is about that job. */
export function hasJob(i: Pick<Incident, 'job' | 'jobs'>, job: string): boolean {
  return jobsOf(i).includes(job);
}

// KEYS[1] = record; ARGV[1] = version read; ARGV[2] = new data. Writes only if nobody else did.
const CAS_SCRIPT = `
local v = redis.call('HGET', KEYS[1], 'version')
if (v or '') ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], 'data', ARGV[2])
redis.call('HINCRBY', KEYS[1], 'version', 1)
return 1`;

// KEYS[1] = pointer; ARGV[1] = the value read ('' for none); ARGV[2] = new value. Sets it only if
// it still holds what was read, so of two openers one wins.
const SWAP_POINTER = `
local cur = redis.call('GET', KEYS[1]) or ''
if cur ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[2])
return 1`;

export type IncidentInit = Omit<Incident, 'id' | 'channel' | 'status' | 'openedAt' | 'severity'> & {
  severity?: Incident['severity'];
};

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

  /** Every incident of the channel (open or resolved), newest first. */
  async inChannel(channel: string): Promise<Incident[]> {
    const [ids, legacy] = await Promise.all([
      // The newest 100 are plenty: a channel's resolved incidents of long ago are not looked up here.
      this.redis.zrevrange(this.key('incidents-in', channel), 0, 99),
      this.redis.get(this.key('incident-channel', channel)),
    ]);
    const all = await Promise.all(
      [...new Set([...ids, ...(legacy ? [legacy] : [])])].map((id) => this.get(id)),
    );
    return all.filter((i): i is Incident => i !== undefined).sort((a, b) => b.openedAt - a.openedAt);
  }

  /** The channel's incidents that are not resolved, newest first. */
  async openInChannel(channel: string): Promise<Incident[]> {
    return (await this.inChannel(channel)).filter((i) => i.status !== 'resolved');
  }

  /**
   * The channel's incident a command or an event is about. With a job: its open incident there.
   * Without: the only open one, else the newest open one, else the newest resolved one (a
   * post-mortem comes after the resolution). Callers that must not guess when several are open
   * use openInChannel.
   */
  async forChannel(channel: string, job?: string): Promise<Incident | undefined> {
    const all = await this.inChannel(channel);
    const open = all.filter((i) => i.status !== 'resolved');
    if (job !== undefined) return open.find((i) => hasJob(i, job));
    return open[0] ?? all[0];
  }

  /**
   * The channel's open incident when there is exactly one: where something that names no job (a
   * :pushpin:, a scan) goes. With several open, nobody guesses which.
   */
  async soleOpenInChannel(channel: string): Promise<Incident | undefined> {
    const open = await this.openInChannel(channel);
    return open.length === 1 ? open[0] : undefined;
  }

  private pointer(channel: string, job: string | undefined): string {
    return this.key('incident-open', channel, job ?? '-');
  }

  /**
   * The channel's open incident of `init.job`, or a new one for it. Never another job's incident:
   * an incident is only ever joined by a job on purpose (addJob). Creation is atomic (a
   * compare-and-set on the channel's pointer for the job), so two triages of one job starting at
   * once share one incident.
   */
  async openForChannel(
    channel: string,
    init: IncidentInit,
    now = Date.now(),
  ): Promise<{ incident: Incident; created: boolean }> {
    const job = init.job;
    if (job !== undefined) {
      const existing = await this.forChannel(channel, job);
      if (existing) return { incident: existing, created: false };
    }
    return this.open(channel, init, now);
  }

  /**
   * A new incident in the channel (for `init.job`, which must not have an open one there yet; if
   * it has, that one is returned).
   */
  async open(
    channel: string,
    init: IncidentInit,
    now = Date.now(),
  ): Promise<{ incident: Incident; created: boolean }> {
    const ptr = this.pointer(channel, init.job);
    for (let attempt = 0; attempt < 10; attempt++) {
      const current = (await this.redis.get(ptr)) ?? '';
      const holder = current ? await this.get(current) : undefined;
      if (holder && holder.status !== 'resolved') return { incident: holder, created: false };
      const day = new Date(now).toISOString().slice(0, 10).replace(/-/g, '');
      const n = await this.redis.incr(this.key('incident-seq', day));
      const incident: Incident = Incident.parse({
        ...init,
        ...(init.job ? { jobs: [...new Set([init.job, ...(init.jobs ?? [])])] } : {}),
        id: `INC-${day}-${n}`,
        channel,
        status: 'investigating',
        openedAt: now,
      });
      // The record first, then the pointer: whoever reads the pointer finds the record.
      await this.redis.hset(
        this.key('incident', incident.id),
        'data',
        JSON.stringify(incident),
        'version',
        1,
      );
      const won = await this.redis.eval(SWAP_POINTER, 1, ptr, current, incident.id);
      if (won !== 1) {
        await this.redis.del(this.key('incident', incident.id));
        continue;
      }
      const m = this.redis.multi().zadd(this.key('incidents-in', channel), now, incident.id);
      for (const j of jobsOf(incident)) m.sadd(this.key('incident-job', j), incident.id);
      await m.exec();
      return { incident, created: true };
    }
    throw new Error(`could not open an incident in ${channel}: too many concurrent openers`);
  }

  /** Adds a job to an open incident ("Add to INC-…"). Returns the updated record. */
  async addJob(id: string, job: string): Promise<Incident | undefined> {
    const updated = await this.update(id, (i) =>
      hasJob(i, job) ? undefined : { ...i, jobs: [...jobsOf(i), job], ...(i.job ? {} : { job }) },
    );
    if (updated) {
      await this.redis.sadd(this.key('incident-job', job), id);
      // Later triages of the job in this channel find this incident.
      await this.redis.set(this.pointer(updated.channel, job), id, 'NX');
    }
    return updated;
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
