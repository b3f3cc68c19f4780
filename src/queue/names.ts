// Queue names: one queue per kind of work. Every queue and key lives under MEDIC_PREFIX.
export const QUEUE_NAMES = [
  'triage',
  'smallfiles',
  'mitigation',
  'escalation',
  'backfill',
  'monitor',
  'cost',
  'schema',
  'perfsmoke',
  'missing',
] as const;
export type QueueName = (typeof QUEUE_NAMES)[number];

/** Concurrency per worker process: triage and scans wait on cloud APIs, so they overlap well. */
export const QUEUE_CONCURRENCY: Record<QueueName, number> = {
  triage: 8,
  smallfiles: 4,
  mitigation: 8,
  escalation: 8,
  backfill: 4,
  monitor: 4,
  cost: 4,
  schema: 4,
  perfsmoke: 4,
  missing: 4,
};
