// What a Synapse pipeline run held and how Azure bills it. A run's Spark activity asks for
// `numExecutors` executors of `executorSize` and a driver of `driverSize`, each size a Spark pool
// node size (docs: Apache Spark pool configurations — Small 4 vCores / 32 GB … XXLarge 64 / 432),
// either as literals in the activity's typeProperties or as `@pipeline().parameters.X` expressions
// the run's parameters fill in. Spark pools are billed per vCore-hour by the minute; pipeline
// orchestration per activity run. All of it from the run and the pipeline definition: no call per run.
import type { Billing, Capacity } from '../ports.js';
import type { PipelineActivity, PipelineDefinition } from './synapse-client.js';

export interface SynapsePricing {
  /** USD per Spark vCore-hour (memory optimized, pay as you go). */
  sparkVCoreHourUsd: number;
  /** USD per pipeline activity run (orchestration). */
  pipelineActivityRunUsd: number;
}

/** Azure list prices (USD, pay as you go): $0.143 per vCore-hour, $1 per 1,000 activity runs. */
export const DEFAULT_SYNAPSE_PRICING: Readonly<SynapsePricing> = Object.freeze({
  sparkVCoreHourUsd: 0.143,
  pipelineActivityRunUsd: 0.001,
});

/** Spark pool node sizes: vCores and memory of one node (one executor or the driver). */
export const NODE_SIZES: Readonly<Record<string, { vCores: number; memoryGb: number }>> = Object.freeze({
  Small: { vCores: 4, memoryGb: 32 },
  Medium: { vCores: 8, memoryGb: 64 },
  Large: { vCores: 16, memoryGb: 128 },
  XLarge: { vCores: 32, memoryGb: 256 },
  XXLarge: { vCores: 64, memoryGb: 432 },
  // Isolated compute only.
  XXXLarge: { vCores: 80, memoryGb: 504 },
});

/** Executor sizes the scale mitigation offers. */
export const EXECUTOR_SIZES: readonly string[] = ['Small', 'Medium', 'Large', 'XLarge', 'XXLarge'];

/** Executors one Spark activity may ask for (a pool has at most 200 nodes). */
export const MAX_EXECUTORS = 200;

/** Spark pools bill by the minute: a run is billed at least one. */
export const SYNAPSE_MINIMUM_BILLED_SEC = 60;

export const SPARK_ACTIVITY_TYPES: ReadonlySet<string> = new Set(['SynapseNotebook', 'SparkJob']);

const PARAM_EXPR = /^@pipeline\(\)\.parameters\.(\w+)$/;

/**
 * An activity property's value: a literal, or `@pipeline().parameters.X` (bare or as
 * `{value, type: 'Expression'}`) taken from the run's parameters, else the parameter's default.
 * Undefined for any other expression (the bot does not evaluate pipeline expressions).
 */
export function resolveProperty(
  v: unknown,
  runParameters: Readonly<Record<string, string>>,
  def: Pick<PipelineDefinition, 'parameters'>,
): unknown {
  const expr =
    typeof v === 'string'
      ? v
      : v && typeof v === 'object' && (v as { type?: unknown }).type === 'Expression'
        ? (v as { value?: unknown }).value
        : undefined;
  if (typeof expr === 'string' && expr.trim().startsWith('@')) {
    const name = PARAM_EXPR.exec(expr.trim())?.[1];
    if (!name) return undefined;
    if (name in runParameters) return runParameters[name];
    return def.parameters[name]?.defaultValue;
  }
  return v;
}

export interface SparkSizing {
  /** The activity the sizing is from. */
  activity: string;
  executorSize?: string;
  driverSize?: string;
  numExecutors?: number;
  sparkPool?: string;
}

function sizeName(v: unknown): string | undefined {
  if (typeof v !== 'string') return undefined;
  return Object.keys(NODE_SIZES).find((k) => k.toLowerCase() === v.trim().toLowerCase()) ?? v.trim();
}

function count(v: unknown): number | undefined {
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() ? Number(v) : NaN;
  return Number.isFinite(n) && n > 0 ? Math.floor(n) : undefined;
}

/** One Spark activity's sizing for a run. */
export function activitySizing(
  a: PipelineActivity,
  runParameters: Readonly<Record<string, string>>,
  def: Pick<PipelineDefinition, 'parameters'>,
): SparkSizing {
  const tp = a.typeProperties;
  const r = (k: string) => resolveProperty(tp[k], runParameters, def);
  const s: SparkSizing = { activity: a.name };
  const executorSize = sizeName(r('executorSize'));
  const driverSize = sizeName(r('driverSize')) ?? executorSize;
  const n = count(r('numExecutors'));
  if (executorSize) s.executorSize = executorSize;
  if (driverSize) s.driverSize = driverSize;
  if (n !== undefined) s.numExecutors = n;
  const pool = (r('sparkPool') as { referenceName?: unknown } | undefined)?.referenceName;
  if (typeof pool === 'string') s.sparkPool = pool;
  else if (a.sparkPool) s.sparkPool = a.sparkPool;
  return s;
}

/** vCores a sizing holds: executors × vCores per executor + the driver's; undefined when unknown. */
export function sizingVCores(s: SparkSizing): number | undefined {
  const ex = s.executorSize ? NODE_SIZES[s.executorSize] : undefined;
  const dr = s.driverSize ? NODE_SIZES[s.driverSize] : undefined;
  if (!ex || s.numExecutors === undefined) return undefined;
  return s.numExecutors * ex.vCores + (dr?.vCores ?? ex.vCores);
}

/**
 * The sizing a run's Spark work held: its largest Spark activity (a pipeline's activities mostly
 * run one after another, so the largest is what the pool held at the peak; cost is an estimate).
 */
export function runSizing(
  def: PipelineDefinition,
  runParameters: Readonly<Record<string, string>>,
): SparkSizing | undefined {
  let best: SparkSizing | undefined;
  for (const a of def.activities) {
    if (!SPARK_ACTIVITY_TYPES.has(a.type)) continue;
    const s = activitySizing(a, runParameters, def);
    if (!best || (sizingVCores(s) ?? -1) > (sizingVCores(best) ?? -1)) best = s;
  }
  return best;
}

export function synapseCapacity(s: SparkSizing | undefined): Capacity {
  if (!s) return { unit: 'vCore' };
  const units = sizingVCores(s);
  const shape =
    s.numExecutors !== undefined && s.executorSize
      ? `${s.numExecutors} × ${s.executorSize} executors${s.driverSize && s.driverSize !== s.executorSize ? ` + ${s.driverSize} driver` : ''}`
      : s.executorSize;
  return {
    unit: 'vCore',
    ...(units !== undefined ? { units } : {}),
    ...(shape ? { shape } : {}),
    ...(s.executorSize ? { size: s.executorSize } : {}),
    ...(s.numExecutors !== undefined ? { count: s.numExecutors } : {}),
  };
}

export function synapseBilling(
  s: SparkSizing | undefined,
  activityRuns: number,
  pricing: SynapsePricing,
): Billing {
  const unknownReason = !s
    ? 'the pipeline has no notebook or Spark-job activity'
    : s.executorSize && !NODE_SIZES[s.executorSize]
      ? `unknown executor size "${s.executorSize}"`
      : `activity ${s.activity} names no ${[!s.executorSize ? 'executorSize' : '', s.numExecutors === undefined ? 'numExecutors' : ''].filter(Boolean).join(' or ') || 'sizing'} the bot can read`;
  return {
    unitHourUsd: pricing.sparkVCoreHourUsd,
    rateName: 'Spark vCore-hour',
    minimumSec: SYNAPSE_MINIMUM_BILLED_SEC,
    fixedUsd: activityRuns * pricing.pipelineActivityRunUsd,
    unknownReason,
  };
}
